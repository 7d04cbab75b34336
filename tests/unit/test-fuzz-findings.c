/*
 * test-fuzz-findings.c: one test per finding of the libFuzzer targets
 * (tests/fuzz), each the smallest form of the input that showed it, on a
 * golden capture where one fits.
 *
 *  - fuzz-imsm-resume: a general migration whose old chunk is not a power
 *    of two (119 blocks; the decoder only warns, IMSM_WARN_STRIP_NOT_POW2)
 *    got a fresh migration record that imsm_migr_rec_check() refuses (the
 *    unit of 2048 blocks holds no whole old row): the resume planned to
 *    write it and start md at 0, and the reshape could then never plan a
 *    step.  Now imsm_migr_rec_init() refuses such chunks (-EDOM) and the
 *    assembly refuses the volume before writing anything.
 *  - fuzz-mdstat: "check =101.0%" parsed as 1010 per mille (the bound was
 *    1000 percent), which --detail and --monitor would show as 101%.  A
 *    progress past 100.0% is now not taken as one.
 *  - fuzz-mdmon-frames: a TAKEOVER request (raid0 -> raid10) on metadata
 *    whose dev.size is out of step with its map (accepted by the decoder
 *    with IMSM_WARN_SIZE_MISMATCH) built data stripes from the size past
 *    blocks_per_member: metadata that does not encode, which mdmon would
 *    have swapped in and then failed to write for good.  The takeover now
 *    refuses a result that would not encode (-EBADMSG).
 *  - fuzz-imsm-resume (its imsm_migr_blocks_per_unit() call): a rebuild
 *    whose source map is mirrored with num_domains 0 (the decoder only
 *    warns, IMSM_WARN_NUM_DOMAINS) divided by zero in the §6.2 factor:
 *    mdadm --examine of such a disk, and mdmon's checkpoint, died of
 *    SIGFPE.  Now such a map has no factor (0: unknown, no checkpoint).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "golden.h"
#include "imsm-examine.h"
#include "imsm-format.h"
#include "imsm-migr.h"
#include "imsm-reshape.h"
#include "imsm-resume.h"
#include "imsm-takeover.h"
#include "mdstat.h"
#include "unit.h"

static void test_resume_odd_chunk(void)
{
	struct imsm_super *s = golden_load_mpb("olce-r5-mid");
	struct imsm_migr_rec fresh, zero;
	struct imsm_resume p;

	if (!s)
		return;
	/* as captured but with the main checkpoint at 0: powers of two, a
	 * fresh record that passes its own check */
	s->dev[0].vol.curr_migr_unit = 0;
	CHECK_INT(imsm_migr_rec_init(s, 0, &fresh), 0);
	CHECK_INT(imsm_resume_plan(s, 0, &fresh, &p), 0);
	CHECK_INT(imsm_migr_rec_check(&p.rec, &p.geom), 0);
	/* the fuzzer's input: old chunk 119 blocks, no record of this
	 * migration on disk (zeros), the main checkpoint at 0 */
	s->dev[0].vol.map[1].blocks_per_strip = 119;
	memset(&zero, 0, sizeof(zero));
	CHECK_INT(imsm_migr_rec_init(s, 0, &fresh), -EDOM);
	memset(&p, 0, sizeof(p));
	CHECK_INT(imsm_resume_plan(s, 0, &zero, &p), -EINVAL);
	CHECK(!p.write_rec);
	/* the same for the new chunk */
	s->dev[0].vol.map[1].blocks_per_strip = 128;
	s->dev[0].vol.map[0].blocks_per_strip = 96;
	CHECK_INT(imsm_migr_rec_init(s, 0, &fresh), -EDOM);
	CHECK_INT(imsm_resume_plan(s, 0, &zero, &p), -EINVAL);
	imsm_free(s);
}

/* One array line and a progress line with the given percentage. */
static int permille_of(const char *percent)
{
	char text[512];
	struct mdstat_array *list;
	int r;

	snprintf(text, sizeof(text),
		 "Personalities : [raid1]\n"
		 "md8 : active raid1 sdb[1] sda[0]\n"
		 "      523264 blocks super 1.2 [2/2] [UU]\n"
		 "      [===================>]  check =%s (523260/523264) finish=0.0min "
		 "speed=52326K/sec\n\n"
		 "unused devices: <none>\n",
		 percent);
	if (mdstat_parse(text, &list) != 1)
		return -2;
	r = list->sync_permille;
	mdstat_free(list);
	return r;
}

static void test_mdstat_percent_bound(void)
{
	CHECK_INT(permille_of("99.9%"), 999);
	CHECK_INT(permille_of("100.0%"), 1000);
	CHECK_INT(permille_of("100.1%"), -1);
	CHECK_INT(permille_of("101.0%"), -1);
	CHECK_INT(permille_of("999.9%"), -1);
}

static bool encodes(const struct imsm_super *s)
{
	static uint8_t buf[IMSM_MPB_MAX_BYTES];
	size_t len;

	return imsm_encode(s, buf, sizeof(buf), &len) == 0;
}

static void test_takeover_size_mismatch(void)
{
	struct imsm_takeover_request rq = {.vol = 0, .new_level = 10, .force = true};
	struct imsm_super *s = golden_load_mpb("raid0"), *after = NULL;

	if (!s)
		return;
	/* as captured: the takeover's result encodes */
	CHECK_INT(imsm_takeover_apply(s, &rq, &after), 0);
	CHECK(after && encodes(after));
	imsm_free(after);
	after = NULL;
	/* the fuzzer's size: far beyond what the map holds */
	s->dev[0].size_blocks = 137438986240ull;
	CHECK_INT(imsm_takeover_apply(s, &rq, &after), -EBADMSG);
	CHECK(after == NULL);
	imsm_free(after); /* only when the check above failed */
	CHECK(strstr(imsm_takeover_error(-EBADMSG), "size") != NULL);
	imsm_free(s);
}

static void test_rebuild_factor_no_domains(void)
{
	static uint8_t buf[IMSM_MPB_MAX_BYTES];
	struct imsm_super *s = golden_load_mpb("raid1"), *back = NULL;
	struct imsm_examine_src src = {0};
	struct imsm_examine ex;
	size_t len;

	if (!s)
		return;
	imsm_migr_start(&s->dev[0], IMSM_MIGR_REBUILD, IMSM_MAP_DEGRADED);
	s->dev[0].vol.map[1].num_domains = 0;
	/* such a copy comes from a disk: the decoder takes it */
	CHECK_INT(imsm_encode(s, buf, sizeof(buf), &len), 0);
	CHECK_INT(imsm_decode(buf, len, &back), 0);
	if (back)
		CHECK(back->warnings & IMSM_WARN_NUM_DOMAINS);
	imsm_free(back);
	/* no factor (mirrors over 0 domains): mdmon records no checkpoint */
	CHECK_INT(imsm_migr_blocks_per_unit(&s->dev[0]), 0);
	src.mpb = s;
	src.sector_bytes = 512;
	src.checksum_ok = true;
	imsm_examine_build(&src, &ex);
	CHECK(ex.vol[0].factor_known);
	imsm_free(s);
}

int main(void)
{
	fixture_init();
	RUN(test_resume_odd_chunk);
	RUN(test_mdstat_percent_bound);
	RUN(test_takeover_size_mismatch);
	RUN(test_rebuild_factor_no_domains);
	return UNIT_DONE();
}
