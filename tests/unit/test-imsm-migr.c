/*
 * test-imsm-migr.c: migration records and checkpoint arithmetic
 * (imsm-migr.c, and the resync policy of super-intel.c that mdmon uses).
 *
 *  - the §6.2 factor examples (RAID5 3/4 disks 64 KiB, RAID10 4 disks
 *    128 KiB, RAID1), the rebuild factor, and the factor as --examine
 *    shows it;
 *  - starting an INIT and a REPAIR migration on metadata Debian's mdadm
 *    4.2 wrote (fixtures/imsm-mpb-vm-2vol.hex, fixtures/imsm-golden-raid5)
 *    gives the bytes upstream writes: map[1] is map[0] as it was, map[0]
 *    normal, the second volume moved by one map; the result decodes and
 *    encodes again byte for byte; ending the migration gives back the
 *    original bytes (with the map made normal);
 *  - checkpoints: units from md positions, no change without a new unit;
 *  - md's resync_start at assembly: unit * factor inside INIT/REPAIR,
 *    0 for a dirty volume, none for a clean one and for other migrations.
 *
 * Run from the top of the tree (fixtures are found next to this file,
 * UNIT_SRCDIR overrides).
 */
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imsm-examine.h"
#include "imsm-format.h"
#include "imsm-migr.h"
#include "imsm.h"
#include "unit.h"

#define MPB_MAX_BYTES 4096
#define MPB_OFF_SIZE 0x24
#define DEV0 (0xD8 + 3 * IMSM_DISK_BYTES) /* three disks in both fixtures */

static char srcdir[512];

static void init_srcdir(void)
{
	char file[] = __FILE__;
	const char *env = getenv("UNIT_SRCDIR");

	snprintf(srcdir, sizeof(srcdir), "%s", env ? env : dirname(file));
}

/* The fixtures' .hex format: "OFFS: 8 groups of 4 hex digits", '*' and '#'
 * lines skipped.  Returns the length (end of the last line), 0 on error. */
static size_t load_hex(const char *name, uint8_t *buf, size_t cap)
{
	unsigned int off, w[8];
	char path[1024], line[256];
	size_t end = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/fixtures/%s", srcdir, name);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "  cannot open %s\n", path);
		return 0;
	}
	memset(buf, 0, cap);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%x: %4x %4x %4x %4x %4x %4x %4x %4x", &off, &w[0], &w[1], &w[2],
			   &w[3], &w[4], &w[5], &w[6], &w[7]) != 9 ||
		    off + 16 > cap)
			continue;
		for (unsigned int i = 0; i < 8; i++) {
			buf[off + 2 * i] = (uint8_t)(w[i] >> 8);
			buf[off + 2 * i + 1] = (uint8_t)w[i];
		}
		if (off + 16 > end)
			end = off + 16;
	}
	fclose(f);
	return end;
}

/* A decoded fixture and its exact MPB bytes (mpb_size of them). */
struct fixture {
	struct imsm_super *s;
	uint8_t bytes[MPB_MAX_BYTES];
	size_t mpb_bytes;
};

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool load(const char *name, struct fixture *fx)
{
	uint8_t raw[MPB_MAX_BYTES];
	size_t len = load_hex(name, raw, sizeof(raw));

	fx->s = NULL;
	CHECK(len > 0);
	if (!len)
		return false;
	CHECK_INT(imsm_decode(raw, len, &fx->s), 0);
	if (!fx->s)
		return false;
	fx->mpb_bytes = le32(raw + MPB_OFF_SIZE);
	memcpy(fx->bytes, raw, sizeof(raw));
	return true;
}

/* Encode s; returns the MPB size, 0 on failure. */
static size_t encode(const struct imsm_super *s, uint8_t *buf)
{
	size_t used = 0;

	CHECK_INT(imsm_encode(s, buf, MPB_MAX_BYTES, &used), 0);
	return used;
}

/* encode -> decode -> encode gives the same bytes; returns the size. */
static size_t round_trip(const struct imsm_super *s, uint8_t *out)
{
	uint8_t again[MPB_MAX_BYTES];
	struct imsm_super *d = NULL;
	size_t len = encode(s, out);

	CHECK(len > 0);
	CHECK_INT(imsm_decode(out, MPB_MAX_BYTES, &d), 0);
	if (!d)
		return len;
	CHECK_INT(d->warnings, 0);
	CHECK_INT(encode(d, again), len);
	CHECK(memcmp(out, again, len) == 0);
	imsm_free(d);
	return len;
}

/* ---- §6.2 factors ---------------------------------------------------------- */

/* An INIT migration's vol: map[1] = map[0] of the given geometry. */
static struct imsm_vol resync_vol(uint8_t level_byte, uint8_t members, uint16_t bps)
{
	struct imsm_vol v = {.migr_state = 1, .migr_type = IMSM_MIGR_INIT};

	v.map[0] = (struct imsm_map){
	    .blocks_per_strip = bps,
	    .raid_level = level_byte,
	    .num_members = members,
	    .num_domains = level_byte == 1 || level_byte == 10 ? 2 : 1,
	    .failed_disk_num = IMSM_FAILED_DISK_NONE,
	    .ddf = 1,
	};
	for (uint8_t i = 0; i < members; i++)
		v.map[0].disk_ord_tbl[i] = i;
	v.map[1] = v.map[0];
	return v;
}

static void test_resync_factor_examples(void)
{
	struct imsm_vol v;

	v = resync_vol(IMSM_LEVEL_BYTE_RAID5, 3, 128);
	CHECK_INT(imsm_migr_resync_factor(&v), 384);
	v = resync_vol(IMSM_LEVEL_BYTE_RAID5, 4, 128);
	CHECK_INT(imsm_migr_resync_factor(&v), 512);
	v = resync_vol(IMSM_LEVEL_BYTE_RAID1, 4, 256); /* 4-member RAID10 */
	CHECK_INT(imsm_migr_resync_factor(&v), 512);
	v = resync_vol(IMSM_LEVEL_BYTE_RAID1, 2, 128);
	CHECK_INT(imsm_migr_resync_factor(&v), 512);
	v = resync_vol(IMSM_LEVEL_BYTE_RAID1, 2, 8); /* RAID1 ignores the chunk */
	CHECK_INT(imsm_migr_resync_factor(&v), 512);
	v = resync_vol(IMSM_LEVEL_BYTE_RAID5, 3, 256); /* 128 KiB chunk */
	CHECK_INT(imsm_migr_resync_factor(&v), 768);
}

static void test_rebuild_factor_examples(void)
{
	struct imsm_vol v;

	v = resync_vol(IMSM_LEVEL_BYTE_RAID5, 3, 128);
	CHECK_INT(imsm_migr_rebuild_factor(&v), 128);
	v = resync_vol(IMSM_LEVEL_BYTE_RAID1, 2, 128);
	CHECK_INT(imsm_migr_rebuild_factor(&v), 512);
	v = resync_vol(IMSM_LEVEL_BYTE_RAID1, 4, 256);
	CHECK_INT(imsm_migr_rebuild_factor(&v), 512);
}

/* Which factor a volume uses depends on its type; idle and GEN_MIGR: none. */
static void test_blocks_per_unit_by_type(void)
{
	struct imsm_dev d = {0};

	d.vol = resync_vol(IMSM_LEVEL_BYTE_RAID5, 3, 128);
	CHECK_INT(imsm_migr_blocks_per_unit(&d), 384);
	d.vol.migr_type = IMSM_MIGR_VERIFY;
	d.status = IMSM_DEV_VERIFY_AND_FIX;
	CHECK_INT(imsm_migr_type(&d), IMSM_MIGR_REPAIR);
	CHECK(imsm_migr_is_resync(&d));
	CHECK_INT(imsm_migr_blocks_per_unit(&d), 384);
	d.status = 0;
	CHECK_INT(imsm_migr_type(&d), IMSM_MIGR_VERIFY);
	CHECK(!imsm_migr_is_resync(&d));
	d.vol.migr_type = IMSM_MIGR_REBUILD;
	CHECK_INT(imsm_migr_blocks_per_unit(&d), 128);
	d.vol.migr_type = IMSM_MIGR_GEN_MIGR;
	CHECK(imsm_migr_is_gen_migr(&d));
	CHECK_INT(imsm_migr_blocks_per_unit(&d), 0);
	d.vol.migr_type = IMSM_MIGR_INIT;
	d.vol.migr_state = 0;
	CHECK_INT(imsm_migr_blocks_per_unit(&d), 0);
	CHECK(!imsm_migr_is_resync(&d));
}

/* ---- §6.1 start / end on upstream-written metadata ----------------------------- */

/* The byte ranges of volume 0 in an encoded 3-disk MPB. */
static const uint8_t *map_at(const uint8_t *mpb, unsigned int n)
{
	return mpb + DEV0 + IMSM_DEV_OFF_MAP + n * (IMSM_MAP_FIXED_BYTES + 3 * IMSM_ORD_BYTES);
}

#define MAP_BYTES (IMSM_MAP_FIXED_BYTES + 3 * IMSM_ORD_BYTES)

static void test_start_init_bytes(void)
{
	struct fixture fx;
	uint8_t before[MPB_MAX_BYTES], during[MPB_MAX_BYTES];
	size_t len0, len1;

	if (!load("imsm-mpb-vm-2vol.hex", &fx))
		return;
	/* as upstream creates a volume that needs initialisation (§6.3) */
	fx.s->dev[0].vol.map[0].map_state = IMSM_MAP_UNINITIALIZED;
	fx.s->dev[0].vol.dirty = 1;
	len0 = round_trip(fx.s, before);
	CHECK_INT(len0, 704);

	CHECK(imsm_start_resync(fx.s, 0));
	len1 = round_trip(fx.s, during);
	CHECK_INT(len1, len0 + MAP_BYTES);
	CHECK_INT(le32(during + MPB_OFF_SIZE), len1);
	/* vol part: unit 0, migrating, INIT, still dirty; status untouched */
	CHECK_INT(le32(during + DEV0 + IMSM_DEV_OFF_CURR_MIGR_UNIT_LO), 0);
	CHECK_INT(during[DEV0 + IMSM_DEV_OFF_MIGR_STATE], 1);
	CHECK_INT(during[DEV0 + IMSM_DEV_OFF_MIGR_TYPE], IMSM_MIGR_INIT);
	CHECK_INT(during[DEV0 + IMSM_DEV_OFF_DIRTY], 1);
	CHECK(memcmp(during + DEV0, before + DEV0, IMSM_DEV_OFF_CURR_MIGR_UNIT_LO) == 0);
	/* map[0] normal, otherwise as before; map[1] is the old map[0] */
	CHECK_INT(map_at(during, 0)[IMSM_MAP_OFF_MAP_STATE], IMSM_MAP_NORMAL);
	CHECK(memcmp(map_at(during, 0), map_at(before, 0), IMSM_MAP_OFF_MAP_STATE) == 0);
	CHECK(memcmp(map_at(during, 0) + IMSM_MAP_OFF_RAID_LEVEL,
		     map_at(before, 0) + IMSM_MAP_OFF_RAID_LEVEL,
		     MAP_BYTES - IMSM_MAP_OFF_RAID_LEVEL) == 0);
	CHECK(memcmp(map_at(during, 1), map_at(before, 0), MAP_BYTES) == 0);
	CHECK_INT(map_at(during, 1)[IMSM_MAP_OFF_MAP_STATE], IMSM_MAP_UNINITIALIZED);
	/* the second volume (and everything after it) moved by one map */
	CHECK(memcmp(during + DEV0 + IMSM_DEV_OFF_MAP + 2 * MAP_BYTES,
		     before + DEV0 + IMSM_DEV_OFF_MAP + MAP_BYTES,
		     len0 - (DEV0 + 0x70 + MAP_BYTES)) == 0);
	/* a second start changes nothing */
	CHECK(!imsm_start_resync(fx.s, 0));
	imsm_free(fx.s);
}

/* Start then end: the original bytes, with the map made normal. */
static void test_init_end_round_trip(void)
{
	struct fixture fx;
	uint8_t before[MPB_MAX_BYTES], after[MPB_MAX_BYTES];
	size_t len0, len1;

	if (!load("imsm-mpb-vm-2vol.hex", &fx))
		return;
	fx.s->dev[0].vol.map[0].map_state = IMSM_MAP_UNINITIALIZED;
	fx.s->dev[0].vol.dirty = 1;
	CHECK(imsm_start_resync(fx.s, 0));
	CHECK(imsm_migr_set_checkpoint(&fx.s->dev[0], 16 * 384 + 100));
	CHECK(imsm_end_resync(fx.s, 0));
	CHECK(!imsm_end_resync(fx.s, 0));
	len1 = round_trip(fx.s, after);
	/* the original (upstream's clean, normal volume) with dirty still set */
	fx.s->dev[0].vol.dirty = 0;
	len0 = encode(fx.s, before);
	CHECK_INT(len0, fx.mpb_bytes);
	CHECK(memcmp(before, fx.bytes, len0) == 0);
	CHECK_INT(len1, len0);
	CHECK_INT(after[DEV0 + IMSM_DEV_OFF_DIRTY], 1);
	after[DEV0 + IMSM_DEV_OFF_DIRTY] = 0;
	CHECK(memcmp(after + 0x24, before + 0x24, len0 - 0x24) == 0); /* past the checksum */
	imsm_free(fx.s);
}

/* REPAIR: type 2 + status 0x80, both maps normal; ending clears 0x80. */
static void test_repair_round_trip(void)
{
	struct fixture fx;
	uint8_t during[MPB_MAX_BYTES], after[MPB_MAX_BYTES];
	uint32_t status;

	if (!load("imsm-golden-raid5.hex", &fx))
		return;
	fx.s->dev[0].vol.dirty = 1; /* an unclean shutdown */
	status = fx.s->dev[0].status;
	CHECK(imsm_start_resync(fx.s, 0));
	CHECK_INT(imsm_migr_type(&fx.s->dev[0]), IMSM_MIGR_REPAIR);
	CHECK_INT(round_trip(fx.s, during), fx.mpb_bytes + MAP_BYTES);
	CHECK_INT(le32(during + DEV0 + IMSM_DEV_OFF_STATUS), status | IMSM_DEV_VERIFY_AND_FIX);
	CHECK_INT(during[DEV0 + IMSM_DEV_OFF_MIGR_TYPE], IMSM_MIGR_VERIFY);
	CHECK_INT(map_at(during, 0)[IMSM_MAP_OFF_MAP_STATE], IMSM_MAP_NORMAL);
	CHECK_INT(map_at(during, 1)[IMSM_MAP_OFF_MAP_STATE], IMSM_MAP_NORMAL);
	CHECK(memcmp(map_at(during, 0), map_at(during, 1), MAP_BYTES) == 0);
	/* 128 KiB chunk: factor 768 */
	CHECK(imsm_migr_set_checkpoint(&fx.s->dev[0], 5 * 768));
	CHECK_INT(fx.s->dev[0].vol.curr_migr_unit, 5);
	CHECK(imsm_end_resync(fx.s, 0));
	fx.s->dev[0].vol.dirty = 0;
	CHECK_INT(round_trip(fx.s, after), fx.mpb_bytes);
	CHECK(memcmp(after, fx.bytes, fx.mpb_bytes) == 0);
	imsm_free(fx.s);
}

/* No resync migration while a member is out or another volume reshapes. */
static void test_start_refused(void)
{
	struct fixture fx;

	if (!load("imsm-mpb-vm-2vol.hex", &fx))
		return;
	fx.s->dev[0].vol.dirty = 1;
	fx.s->dev[0].vol.map[0].disk_ord_tbl[1] |= IMSM_ORD_REBUILD;
	CHECK(!imsm_start_resync(fx.s, 0));
	fx.s->dev[0].vol.map[0].disk_ord_tbl[1] &= ~IMSM_ORD_REBUILD;
	imsm_migr_start(&fx.s->dev[1], IMSM_MIGR_GEN_MIGR, IMSM_MAP_NORMAL);
	CHECK(!imsm_start_resync(fx.s, 0));
	CHECK(!imsm_start_resync(fx.s, 5));
	imsm_free(fx.s);
}

/* A member failed during the INIT: the end keeps its slot out (§6.1). */
static void test_end_with_failure(void)
{
	struct fixture fx;
	struct imsm_map *m;

	if (!load("imsm-mpb-vm-2vol.hex", &fx))
		return;
	fx.s->dev[0].vol.map[0].map_state = IMSM_MAP_UNINITIALIZED;
	CHECK(imsm_start_resync(fx.s, 0));
	CHECK(imsm_mark_failed(fx.s, 1));
	m = &fx.s->dev[0].vol.map[0];
	CHECK_INT(m->map_state, IMSM_MAP_DEGRADED);
	CHECK(fx.s->dev[0].vol.map[1].disk_ord_tbl[1] & IMSM_ORD_REBUILD);
	CHECK(imsm_end_resync(fx.s, 0));
	CHECK_INT(fx.s->dev[0].vol.migr_state, 0);
	CHECK_INT(m->map_state, IMSM_MAP_DEGRADED);
	CHECK(m->disk_ord_tbl[1] & IMSM_ORD_REBUILD);
	imsm_free(fx.s);
}

/* ---- checkpoints ------------------------------------------------------------------ */

static void test_checkpoint_units(void)
{
	struct imsm_dev d = {0};

	CHECK(!imsm_migr_set_checkpoint(&d, 4096)); /* not migrating */
	d.vol = resync_vol(IMSM_LEVEL_BYTE_RAID5, 3, 128);
	CHECK(!imsm_migr_set_checkpoint(&d, 383)); /* still unit 0 */
	CHECK(imsm_migr_set_checkpoint(&d, 6240));
	CHECK_INT(d.vol.curr_migr_unit, 16);
	CHECK_INT(imsm_migr_checkpoint_pos(&d), 16 * 384);
	CHECK(!imsm_migr_set_checkpoint(&d, 16 * 384 + 383));
	CHECK(imsm_migr_set_checkpoint(&d, 17 * 384));
	CHECK_INT(d.vol.curr_migr_unit, 17);
	/* above 2^32 units the _hi word carries the rest */
	CHECK(imsm_migr_set_checkpoint(&d, (5ull << 32) * 384));
	CHECK_INT(d.vol.curr_migr_unit, 5ull << 32);
	imsm_migr_end(&d, IMSM_MAP_NORMAL);
	CHECK_INT(d.vol.curr_migr_unit, 0);
	CHECK_INT(imsm_migr_checkpoint_pos(&d), 0);
}

/* --examine prints the same factor and unit (§8.1 "Checkpoint"). */
static void test_examine_shows_checkpoint(void)
{
	struct imsm_examine_src src = {0};
	struct imsm_examine ex;
	struct fixture fx;

	if (!load("imsm-mpb-vm-2vol.hex", &fx))
		return;
	fx.s->dev[0].vol.map[0].map_state = IMSM_MAP_UNINITIALIZED;
	CHECK(imsm_start_resync(fx.s, 0));
	CHECK(imsm_migr_set_checkpoint(&fx.s->dev[0], 16 * 384));
	src.mpb = fx.s;
	src.sector_bytes = 512;
	imsm_examine_build(&src, &ex);
	CHECK(ex.vol[0].factor_known);
	CHECK_INT(ex.vol[0].factor, 384);
	CHECK_INT(fx.s->dev[0].vol.curr_migr_unit, 16);
	imsm_free(fx.s);
}

/* ---- md's resync_start at assembly (§6.3, md-kernel-interface.md §4.2) -------- */

static unsigned long long resync_start(const struct imsm_super *s, int idx)
{
	struct md_volume_cfg cfg;

	CHECK_INT(imsm_volume_md_cfg(s, idx, NULL, 0, &cfg), 0);
	return cfg.resync_start;
}

static void test_resync_start_from_checkpoint(void)
{
	struct fixture fx;
	struct imsm_dev *d;

	if (!load("imsm-mpb-vm-2vol.hex", &fx))
		return;
	d = &fx.s->dev[0];
	CHECK(resync_start(fx.s, 0) == SYSFS_NONE); /* clean, normal */
	d->vol.dirty = 1;
	CHECK_INT(resync_start(fx.s, 0), 0); /* unclean shutdown, no migration */
	d->vol.dirty = 0;
	d->vol.map[0].map_state = IMSM_MAP_UNINITIALIZED;
	CHECK_INT(resync_start(fx.s, 0), 0); /* never initialised */

	d->vol.dirty = 1;
	CHECK(imsm_start_resync(fx.s, 0));
	CHECK_INT(resync_start(fx.s, 0), 0); /* INIT at unit 0 */
	CHECK(imsm_migr_set_checkpoint(d, 16 * 384 + 200));
	CHECK_INT(resync_start(fx.s, 0), 16 * 384);
	imsm_migr_end(d, IMSM_MAP_NORMAL);

	imsm_migr_start(d, IMSM_MIGR_REPAIR, IMSM_MAP_NORMAL);
	d->vol.curr_migr_unit = 24;
	CHECK_INT(resync_start(fx.s, 0), 24 * 384);
	imsm_migr_end(d, IMSM_MAP_NORMAL);

	/* a VERIFY counts as done; a REBUILD resumes through recovery_start */
	imsm_migr_start(d, IMSM_MIGR_VERIFY, IMSM_MAP_NORMAL);
	d->vol.curr_migr_unit = 3;
	CHECK(resync_start(fx.s, 0) == SYSFS_NONE);
	imsm_migr_end(d, IMSM_MAP_NORMAL);
	imsm_migr_start(d, IMSM_MIGR_REBUILD, IMSM_MAP_NORMAL);
	CHECK(resync_start(fx.s, 0) == SYSFS_NONE);
	imsm_migr_end(d, IMSM_MAP_NORMAL);

	/* a general migration elsewhere holds the resync back */
	imsm_migr_start(&fx.s->dev[1], IMSM_MIGR_GEN_MIGR, IMSM_MAP_NORMAL);
	CHECK(resync_start(fx.s, 0) == SYSFS_NONE);
	imsm_free(fx.s);
}

int main(void)
{
	init_srcdir();
	RUN(test_resync_factor_examples);
	RUN(test_rebuild_factor_examples);
	RUN(test_blocks_per_unit_by_type);
	RUN(test_start_init_bytes);
	RUN(test_init_end_round_trip);
	RUN(test_repair_round_trip);
	RUN(test_start_refused);
	RUN(test_end_with_failure);
	RUN(test_checkpoint_units);
	RUN(test_examine_shows_checkpoint);
	RUN(test_resync_start_from_checkpoint);
	return UNIT_DONE();
}
