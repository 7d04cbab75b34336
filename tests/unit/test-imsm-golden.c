/*
 * test-imsm-golden.c: the codec against metadata written by the peer.
 *
 * fixtures/imsm-golden-<name>.hex are MPBs that Debian's mdadm 4.2 wrote on
 * loop disks in the VM, captured by tests/vm/tools/capture-golden.sh
 * (anchor sector first, then the extension sectors: mpb_sectors * 512
 * bytes), and fixtures/imsm-golden-<name>.txt is "mdadm-peer -E" of the
 * same disk.  For each image:
 *
 *  - imsm_decode() accepts it without warnings;
 *  - imsm_encode() over the same length gives back every byte;
 *  - the fields the peer printed (parsed from the .txt here, so a new
 *    capture needs no edit of this file) match the decoded struct: family,
 *    generation, checksum, disks and their states, and per volume level,
 *    members, slots, failed disk, sizes, offset, stripes, chunk, map and
 *    dirty state;
 *  - our --examine renderer prints the peer's text, except the Attributes
 *    line that mdadm 4.2 words differently (imsm-format.md §8.1);
 *  - a few values are also hard-coded from the .txt files, so that a parser
 *    that silently matched nothing would still fail.
 *
 * Run from the top of the tree (fixtures are found next to this file,
 * UNIT_SRCDIR overrides).
 */
#include <errno.h>
#include <libgen.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imsm-examine.h"
#include "imsm-format.h"
#include "fixture.h"
#include "unit.h"

#define GOLDEN_MAX_BYTES 4096
#define EXP_MAX_DISKS 8

/* A golden fixture file: fixtures/imsm-golden-NAME.EXT */
static char *slurp(const char *name, const char *ext)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "fixtures/imsm-golden-%s.%s", name, ext);
	return fixture_slurp(rel);
}

static int load_hex(const char *name, uint8_t *buf, size_t cap, size_t *ret_len)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "fixtures/imsm-golden-%s.hex", name);
	return fixture_load_hex(rel, buf, cap, ret_len);
}

/* ---- what the peer printed ---------------------------------------------------- */

struct exp_disk {
	int seen;
	char serial[32];
	char state[32];
};

struct exp_vol {
	char name[32];
	unsigned long long subarray, level, members, array_size, per_dev, offset, stripes;
	unsigned long long chunk_kib, reserved, volume_id;
	char slots[64], failed[16], migrate[32], map_state[32], dirty[16];
};

struct expect {
	char devname[64];
	char version[16];
	unsigned long orig_family, family, generation, checksum;
	unsigned long mpb_sectors, disks, raid_devs;
	struct exp_disk disk[EXP_MAX_DISKS];
	int n_vols;
	struct exp_vol vol[IMSM_MAX_RAID_DEVS];
};

enum exp_ctx { CTX_HEADER, CTX_DISK, CTX_SPARE_RECORD, CTX_VOL };

struct exp_parser {
	struct expect *e;
	enum exp_ctx ctx;
	int disk;
};

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static void exp_header_field(struct expect *e, const char *k, const char *v)
{
	if (!strcmp(k, "Version"))
		COPY(e->version, v);
	else if (!strcmp(k, "Orig Family"))
		e->orig_family = strtoul(v, NULL, 16);
	else if (!strcmp(k, "Family"))
		e->family = strtoul(v, NULL, 16);
	else if (!strcmp(k, "Generation"))
		e->generation = strtoul(v, NULL, 16);
	else if (!strcmp(k, "Checksum"))
		e->checksum = strtoul(v, NULL, 16);
	else if (!strcmp(k, "MPB Sectors"))
		e->mpb_sectors = strtoul(v, NULL, 10);
	else if (!strcmp(k, "Disks"))
		e->disks = strtoul(v, NULL, 10);
	else if (!strcmp(k, "RAID Devices"))
		e->raid_devs = strtoul(v, NULL, 10);
}

static void exp_vol_field(struct exp_vol *x, const char *k, const char *v)
{
	static const struct {
		const char *key;
		size_t off;
	} nums[] = {
	    {"Subarray", offsetof(struct exp_vol, subarray)},
	    {"RAID Level", offsetof(struct exp_vol, level)},
	    {"Members", offsetof(struct exp_vol, members)},
	    {"Array Size", offsetof(struct exp_vol, array_size)},
	    {"Per Dev Size", offsetof(struct exp_vol, per_dev)},
	    {"Sector Offset", offsetof(struct exp_vol, offset)},
	    {"Num Stripes", offsetof(struct exp_vol, stripes)},
	    {"Chunk Size", offsetof(struct exp_vol, chunk_kib)},
	    {"Reserved", offsetof(struct exp_vol, reserved)},
	    {"Volume ID", offsetof(struct exp_vol, volume_id)},
	};

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (!strcmp(k, nums[i].key)) {
			*(unsigned long long *)((char *)x + nums[i].off) = strtoull(v, NULL, 10);
			return;
		}
	if (!strcmp(k, "Slots"))
		COPY(x->slots, v);
	else if (!strcmp(k, "Failed disk"))
		COPY(x->failed, v);
	else if (!strcmp(k, "Migrate State"))
		COPY(x->migrate, v);
	else if (!strcmp(k, "Map State"))
		COPY(x->map_state, v);
	else if (!strcmp(k, "Dirty State"))
		COPY(x->dirty, v);
}

/* One "key : value" line; a line naming a disk or volume opens its block. */
static void exp_line(struct exp_parser *p, char *line)
{
	struct expect *e = p->e;
	char *sep = strstr(line, " : "), *k = line, *v;
	unsigned int idx;

	if (line[0] == '[' && e->n_vols < IMSM_MAX_RAID_DEVS) {
		p->ctx = CTX_VOL;
		COPY(e->vol[e->n_vols].name, line + 1);
		e->vol[e->n_vols].name[strcspn(e->vol[e->n_vols].name, "]")] = '\0';
		e->n_vols++;
		return;
	}
	if (!sep)
		return;
	*sep = '\0';
	v = sep + 3;
	while (*k == ' ')
		k++;
	if (sscanf(k, "Disk%u Serial", &idx) == 1 && idx < EXP_MAX_DISKS) {
		p->ctx = CTX_DISK;
		p->disk = (int)idx;
		e->disk[idx].seen = 1;
		COPY(e->disk[idx].serial, v);
	} else if (!strcmp(k, "Disk Serial")) {
		p->ctx = CTX_SPARE_RECORD;
	} else if (p->ctx == CTX_HEADER) {
		exp_header_field(e, k, v);
	} else if (p->ctx == CTX_DISK && !strcmp(k, "State")) {
		COPY(e->disk[p->disk].state, v);
	} else if (p->ctx == CTX_VOL) {
		exp_vol_field(&e->vol[e->n_vols - 1], k, v);
	}
}

static int load_expect(const char *name, struct expect *e)
{
	char *text = slurp(name, "txt"), *line, *save = NULL;
	struct exp_parser p = {.e = e, .ctx = CTX_HEADER};

	if (!text)
		return -ENOENT;
	memset(e, 0, sizeof(*e));
	line = strtok_r(text, "\n", &save);
	if (line) { /* "/dev/loop6:" */
		COPY(e->devname, line);
		e->devname[strcspn(e->devname, ":")] = '\0';
	}
	while ((line = strtok_r(NULL, "\n", &save)))
		exp_line(&p, line);
	free(text);
	return 0;
}

/* ---- comparing ---------------------------------------------------------------- */

static const char *map_state_name(uint8_t st)
{
	static const char *const names[] = {"normal", "uninitialized", "degraded", "failed"};

	return st < 4 ? names[st] : "?";
}

/* The words of §8.1 "State :" for a disk status. */
static void disk_state_text(uint32_t status, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", status & IMSM_DISK_SPARE ? " spare" : "",
		 status & IMSM_DISK_CONFIGURED ? " active" : "",
		 status & IMSM_DISK_FAILED ? " failed" : "");
	memmove(buf, buf + (buf[0] == ' '), strlen(buf) + 1 - (buf[0] == ' '));
}

static void check_header(const struct imsm_super *s, const struct expect *e, size_t len)
{
	CHECK_STR(s->version, e->version);
	CHECK_INT(s->orig_family_num, e->orig_family);
	CHECK_INT(s->family_num, e->family);
	CHECK_INT(s->generation_num, e->generation);
	CHECK_INT(s->check_sum, e->checksum);
	CHECK_INT((s->mpb_size_bytes + 511) / 512, e->mpb_sectors);
	CHECK_INT(len, e->mpb_sectors * 512);
	CHECK_INT(s->num_disks, e->disks);
	CHECK_INT(s->num_raid_devs, e->raid_devs);
}

static void check_disks(const struct imsm_super *s, const struct expect *e)
{
	char state[32], ser[IMSM_SERIAL_BYTES + 1];
	int seen = 0;

	for (int i = 0; i < EXP_MAX_DISKS; i++) {
		if (!e->disk[i].seen)
			continue;
		seen++;
		CHECK(i < s->num_disks);
		if (i >= s->num_disks)
			continue;
		memcpy(ser, s->disk[i].serial, IMSM_SERIAL_BYTES);
		ser[IMSM_SERIAL_BYTES] = '\0';
		CHECK_STR(ser, e->disk[i].serial);
		disk_state_text(s->disk[i].status, state, sizeof(state));
		CHECK_STR(state, e->disk[i].state);
	}
	CHECK_INT(seen, s->num_disks);
}

static void slots_text(const struct imsm_map *m, char *buf, size_t len)
{
	size_t n = 0;

	buf[n++] = '[';
	for (unsigned int i = 0; i < m->num_members && n + 2 < len; i++)
		buf[n++] = m->disk_ord_tbl[i] & IMSM_ORD_REBUILD ? '_' : 'U';
	buf[n++] = ']';
	buf[n] = '\0';
}

static void check_volume(const struct imsm_dev *d, const struct exp_vol *x, int index)
{
	const struct imsm_map *m = &d->vol.map[0];
	char name[IMSM_NAME_BYTES + 1], slots[300], failed[16];

	memcpy(name, d->volume, IMSM_NAME_BYTES);
	name[IMSM_NAME_BYTES] = '\0';
	CHECK_STR(name, x->name);
	CHECK_INT(x->subarray, index);
	CHECK_INT(imsm_map_md_level(m), x->level);
	CHECK_INT(m->num_members, x->members);
	slots_text(m, slots, sizeof(slots));
	CHECK_STR(slots, x->slots);
	if (m->failed_disk_num == IMSM_FAILED_DISK_NONE)
		COPY(failed, "none");
	else
		snprintf(failed, sizeof(failed), "%u", m->failed_disk_num);
	CHECK_STR(failed, x->failed);
	CHECK_INT(d->size_blocks, x->array_size);
	CHECK_INT(m->blocks_per_member, x->per_dev);
	CHECK_INT(m->pba_of_lba0, x->offset);
	CHECK_INT(m->num_data_stripes, x->stripes);
	CHECK_INT(m->blocks_per_strip / 2, x->chunk_kib);
	CHECK_INT(d->reserved_blocks, x->reserved);
	CHECK_INT(d->my_vol_raid_dev_num, x->volume_id);
	CHECK_STR(d->vol.migr_state ? "migrating" : "idle", x->migrate);
	CHECK_STR(map_state_name(m->map_state), x->map_state);
	CHECK_STR(d->vol.dirty & 1 ? "dirty" : "clean", x->dirty);
}

/* First differing offset of two buffers, or -1. */
static long first_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

static void check_round_trip(const struct imsm_super *s, const uint8_t *buf, size_t len)
{
	uint8_t out[GOLDEN_MAX_BYTES];
	size_t mpb_len = 0;
	long at;

	memset(out, 0xA5, sizeof(out));
	CHECK_INT(imsm_encode(s, out, len, &mpb_len), 0);
	CHECK_INT(mpb_len, s->mpb_size_bytes);
	at = first_diff(out, buf, len);
	if (at >= 0) {
		fprintf(stderr, "  re-encoded byte 0x%04lx is 0x%02x, the peer wrote 0x%02x\n",
			(unsigned long)at, out[at], buf[at]);
		unit_failed_checks++;
	}
}

/* Our --examine text, Attributes line normalised to mdadm 4.2's wording. */
static char *render(const struct imsm_super *s, const struct expect *e)
{
	char serial[IMSM_SERIAL_BYTES] = {0}, *buf = NULL, *at, *eol, attr[32];
	struct imsm_examine_src src = {
	    .mpb = s, .serial = serial, .sector_bytes = 512, .checksum_ok = true};
	struct imsm_examine ex;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	memcpy(serial, e->devname, strnlen(e->devname, IMSM_SERIAL_BYTES - 1));
	imsm_examine_build(&src, &ex);
	imsm_examine_print_text(f, e->devname, &ex);
	fclose(f);
	snprintf(attr, sizeof(attr), "%08x (supported)", s->attributes);
	at = buf ? strstr(buf, attr) : NULL;
	if (at) { /* "All supported" is shorter: shift the rest left */
		eol = at + strlen(attr);
		memcpy(at, "All supported", 13);
		memmove(at + 13, eol, strlen(eol) + 1);
	}
	return buf;
}

static void check_examine_text(const char *name, const struct imsm_super *s, const struct expect *e)
{
	char *want = slurp(name, "txt"), *got = render(s, e);
	const char *g = got, *w = want;
	unsigned int line = 1;

	CHECK(want && got);
	if (want && got && strcmp(got, want) != 0) {
		while (*g && *g == *w) {
			line += *g == '\n';
			g++;
			w++;
		}
		fprintf(stderr,
			"  examine of %s differs at line %u:\n    ours: \"%.50s\"\n"
			"    peer: \"%.50s\"\n",
			name, line, g, w);
		unit_failed_checks++;
	}
	free(want);
	free(got);
}

/*
 * Everything about one image; returns the decoded copy for the case's own
 * spot checks (NULL after a failure).
 */
static struct imsm_super *check_golden(const char *name, int n_vols)
{
	static uint8_t buf[GOLDEN_MAX_BYTES];
	struct imsm_super *s = NULL;
	struct expect e;
	size_t len = 0;

	CHECK_INT(load_hex(name, buf, sizeof(buf), &len), 0);
	CHECK_INT(load_expect(name, &e), 0);
	CHECK_INT(e.n_vols, n_vols);
	CHECK(len > 0 && len % 512 == 0);
	CHECK_INT(imsm_decode(buf, len, &s), 0);
	if (!s)
		return NULL;
	CHECK_INT(s->warnings, 0);
	check_round_trip(s, buf, len);
	check_header(s, &e, len);
	check_disks(s, &e);
	for (int i = 0; i < e.n_vols && i < s->num_raid_devs; i++)
		check_volume(&s->dev[i], &e.vol[i], i);
	check_examine_text(name, s, &e);
	return s;
}

/* ---- the cases ------------------------------------------------------------------ */

/* imsm-golden-spare.txt: one spare record, no volumes, 1.0.00, no orig family. */
static void test_golden_spare(void)
{
	struct imsm_super *s = check_golden("spare", 0);

	if (!s)
		return;
	CHECK_INT(s->mpb_size_bytes, IMSM_SPARE_MPB_BYTES);
	CHECK_INT(s->num_disks, 1);
	CHECK_INT(s->disk[0].status, IMSM_DISK_SPARE);
	CHECK_INT(s->orig_family_num, 0);
	CHECK_INT(s->generation_num, 1);
	CHECK_INT(s->creation_time, 0);
	imsm_free(s);
}

/* imsm-golden-raid0.txt: 2 disks, 64 KiB, -z 8M: per dev 18432, 128 stripes. */
static void test_golden_raid0(void)
{
	struct imsm_super *s = check_golden("raid0", 1);

	if (!s)
		return;
	CHECK_STR(s->version, "1.0.00");
	CHECK_INT(s->dev[0].vol.map[0].raid_level, IMSM_LEVEL_BYTE_RAID0);
	CHECK_INT(s->dev[0].vol.map[0].blocks_per_strip, 128);
	CHECK_INT(s->dev[0].vol.map[0].blocks_per_member, 18432);
	CHECK_INT(s->dev[0].vol.map[0].num_data_stripes, 128);
	CHECK_INT(s->dev[0].size_blocks, 32768);
	imsm_free(s);
}

/* imsm-golden-raid1.txt: 64 stripes of 128 blocks (halved for mirrors). */
static void test_golden_raid1(void)
{
	struct imsm_super *s = check_golden("raid1", 1);

	if (!s)
		return;
	CHECK_STR(s->version, "1.1.00");
	CHECK_INT(s->dev[0].vol.map[0].raid_level, IMSM_LEVEL_BYTE_RAID1);
	CHECK_INT(s->dev[0].vol.map[0].num_domains, 2);
	CHECK_INT(s->dev[0].vol.map[0].num_data_stripes, 64);
	CHECK_INT(s->dev[0].size_blocks, 16384);
	imsm_free(s);
}

/* imsm-golden-raid5.txt: 3 disks, default chunk 128 KiB, MPB of 532 bytes. */
static void test_golden_raid5(void)
{
	struct imsm_super *s = check_golden("raid5", 1);

	if (!s)
		return;
	CHECK_STR(s->version, "1.2.02");
	CHECK_INT(s->mpb_size_bytes, 532);
	CHECK_INT(s->dev[0].vol.map[0].raid_level, IMSM_LEVEL_BYTE_RAID5);
	CHECK_INT(s->dev[0].vol.map[0].blocks_per_strip, 256);
	CHECK_INT(s->dev[0].vol.map[0].num_data_stripes, 64);
	imsm_free(s);
}

/* imsm-golden-raid10.txt: 4 disks: raid_level byte 1, 2 domains, 32 KiB. */
static void test_golden_raid10(void)
{
	struct imsm_super *s = check_golden("raid10", 1);

	if (!s)
		return;
	CHECK_STR(s->version, "1.2.01");
	CHECK_INT(s->dev[0].vol.map[0].raid_level, IMSM_LEVEL_BYTE_RAID1);
	CHECK_INT(imsm_map_md_level(&s->dev[0].vol.map[0]), 10);
	CHECK_INT(s->dev[0].vol.map[0].num_members, 4);
	CHECK_INT(s->dev[0].vol.map[0].num_domains, 2);
	CHECK_INT(s->dev[0].vol.map[0].blocks_per_strip, 64);
	CHECK_INT(s->dev[0].vol.map[0].num_data_stripes, 128);
	imsm_free(s);
}

/*
 * imsm-golden-2vol.txt: raid5 64 KiB + raid0 128 KiB over the rest of the
 * disks; the second volume starts at pba(vol0) + data(vol0) + 8192 =
 * 0 + 16384 + 8192 = 24576 (§5.3).  Volume ID 2 although
 * num_raid_devs_created stayed 1.
 */
static void test_golden_2vol(void)
{
	struct imsm_super *s = check_golden("2vol", 2);

	if (!s)
		return;
	CHECK_STR(s->version, "1.3.00");
	CHECK_INT(s->mpb_size_bytes, 704);
	/* quirk of imsm-format.md §11.5: the second volume went through mdmon */
	CHECK_INT(s->num_raid_devs_created, 1);
	CHECK_INT(s->dev[1].vol.map[0].pba_of_lba0, 24576);
	CHECK_INT(imsm_next_volume_pba_blocks(&s->dev[0]), 24576);
	CHECK_INT(s->dev[1].vol.map[0].blocks_per_member, 30720);
	CHECK_INT(s->dev[1].size_blocks, 86016);
	CHECK_INT(s->dev[1].my_vol_raid_dev_num, 2);
	imsm_free(s);
}

/*
 * imsm-golden-raid5-degraded.txt: slot 2 failed then removed from the
 * container.  mdadm 4.2 keeps the failed record (serial "/dev/loop18:0",
 * status CONFIGURED | FAILED), flags its ord entry, records failed_disk_num
 * 2, map state degraded; the generation went 2 -> 4.
 */
static void test_golden_raid5_degraded(void)
{
	struct imsm_super *s = check_golden("raid5-degraded", 1);
	const struct imsm_map *m;

	if (!s)
		return;
	m = &s->dev[0].vol.map[0];
	CHECK_INT(s->generation_num, 4);
	CHECK_INT(s->num_disks, 3);
	CHECK_INT(s->disk[2].status, IMSM_DISK_CONFIGURED | IMSM_DISK_FAILED);
	CHECK(memcmp(s->disk[2].serial, "/dev/loop18:0", 14) == 0);
	CHECK_INT(m->map_state, IMSM_MAP_DEGRADED);
	CHECK_INT(m->failed_disk_num, 2);
	CHECK_INT(m->disk_ord_tbl[2], IMSM_ORD_REBUILD | 2);
	CHECK_INT(m->disk_ord_tbl[0], 0);
	CHECK_INT(s->dev[0].vol.migr_state, 0);
	imsm_free(s);
}

int main(void)
{
	/* Creation Time is printed in local time; the guest ran in UTC. */
	setenv("TZ", "UTC", 1);
	tzset();
	fixture_init();
	RUN(test_golden_spare);
	RUN(test_golden_raid0);
	RUN(test_golden_raid1);
	RUN(test_golden_raid5);
	RUN(test_golden_raid10);
	RUN(test_golden_2vol);
	RUN(test_golden_raid5_degraded);
	return UNIT_DONE();
}
