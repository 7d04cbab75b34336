/*
 * test-imsm-format.c: host tests of the IMSM codec (imsm-format.c).
 *
 * Covers: round trips of MPBs built from struct values (every field
 * compared, re-encoding byte-identical), the real 704-byte MPB of
 * imsm-format.md §12.1, the checksum recomputed here from its definition,
 * every validator rejection on hand-mutated bytes, truncation at every
 * length and single-byte mutations (run under ASan), and the §1.5/§4/§5
 * arithmetic against the spec's worked examples.
 *
 * "test-imsm-format --write-seeds DIR" instead writes valid MPBs as the
 * seed corpus of tests/fuzz/fuzz-imsm-decode.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imsm-format.h"
#include "unit.h"

/* ---- byte helpers, written independently of the codec ----------------------- */

static uint32_t rd32(const uint8_t *b, size_t off)
{
	return (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 | (uint32_t)b[off + 2] << 16 |
	       (uint32_t)b[off + 3] << 24;
}

static void wr32(uint8_t *b, size_t off, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

static void wr16(uint8_t *b, size_t off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

/*
 * §3.1 from the definition: byte i adds b[i] << 8*(i%4) to the wrapping sum
 * of word i/4; word 8 (check_sum) is skipped; only whole words count.
 */
static uint32_t sum_by_hand(const uint8_t *b, size_t mpb_bytes)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < mpb_bytes / 4 * 4; i++)
		if (i / 4 != 8)
			sum += (uint32_t)b[i] << (8 * (i % 4));
	return sum;
}

/* b is one of our 1024-byte buffers; a mutated mpb_size may claim more. */
static void fix_checksum(uint8_t *b)
{
	uint32_t n = rd32(b, 0x24);

	wr32(b, 0x20, sum_by_hand(b, n < 1024 ? n : 1024));
}

/* A heap copy of exactly len bytes, so ASan catches any read past it. */
static int decode_exact(const uint8_t *b, size_t len, struct imsm_super **ret)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, b, len);
	r = imsm_decode(copy, len, ret);
	free(copy);
	return r;
}

/* ---- the §12.1 MPB (mdadm 4.2, 3 disks, RAID5 vol0 + RAID0 vol1) ----------- */

static const char *const vm_hex[] = {
    "0000: 496e 7465 6c20 5261 6964 2049 534d 2043",
    "0010: 6667 2053 6967 2e20 312e 332e 3030 0000",
    "0020: 46b9 5eca c002 0000 42b2 a483 1800 0000",
    "0030: 0000 0000 1100 0080 0302 0000 0000 0000",
    "0040: 42b2 a483 0100 0000 0000 0000 0100 0000",
    "0050: 8e98 056b 0000 0000 0000 0000 0000 0000",
    "00d0: 0000 0000 0000 0000 4449 534b 3030 3031",
    "00e0: 0000 0000 0000 0000 0000 0400 0001 0000",
    "00f0: 0200 0000 0000 0000 0000 0000 0000 0000",
    "0100: 0000 0000 0000 0000 4449 534b 3030 3032",
    "0110: 0000 0000 0000 0000 0000 0400 0002 0000",
    "0120: 0200 0000 0000 0000 0000 0000 0000 0000",
    "0130: 0000 0000 0000 0000 4449 534b 3030 3033",
    "0140: 0000 0000 0000 0000 0000 0400 0003 0000",
    "0150: 0200 0000 0000 0000 0000 0000 0000 0000",
    "0160: 0000 0000 0000 0000 766f 6c30 0000 0000",
    "0170: 0000 0000 0000 0000 0000 0200 0000 0000",
    "0180: 0c00 0000 0000 0000 0000 0000 0000 0000",
    "0190: 0100 0000 0000 0000 0000 0500 0000 0000",
    "01d0: 0000 0000 0000 0000 0000 0000 0008 0100",
    "01e0: 0002 0000 8000 0005 0301 ff01 0000 0000",
    "0200: 0000 0000 0000 0000 0000 0000 0100 0000",
    "0210: 0200 0000 766f 6c31 0000 0000 0000 0000",
    "0220: 0000 0000 0010 0800 0000 0000 0c00 0000",
    "0230: 0000 0000 0000 0000 0000 0000 0200 0000",
    "0240: 0000 0000 0000 0500 0000 0000 0000 0000",
    "0280: 0000 0000 0020 0100 00b8 0200 b002 0000",
    "0290: 0001 0000 0301 ff01 0000 0000 0000 0000",
    "02b0: 0000 0000 0000 0000 0100 0000 0200 0000",
};

#define VM_MPB_BYTES 704

/* Rebuild the dump ("*" lines are zeros) into a sector-padded buffer. */
static void vm_example(uint8_t *b)
{
	size_t i, j;

	memset(b, 0, 1024);
	for (i = 0; i < sizeof(vm_hex) / sizeof(vm_hex[0]); i++) {
		unsigned long off = strtoul(vm_hex[i], NULL, 16);
		const char *p = vm_hex[i] + 6;

		for (j = 0; j < 16; j++, p += 2) {
			char byte[3] = {p[0], p[1], 0};

			b[off + j] = (uint8_t)strtoul(byte, NULL, 16);
			if (j % 2)
				p++;
		}
	}
}

/* ---- MPBs built from struct values ---------------------------------------- */

static void set_disk(struct imsm_disk *d, const char *serial, uint64_t blocks, uint32_t scsi_id)
{
	memset(d, 0, sizeof(*d));
	memcpy(d->serial, serial, strlen(serial));
	d->total_blocks = blocks;
	d->scsi_id = scsi_id;
	d->status = IMSM_DISK_CONFIGURED;
}

static void set_ords(struct imsm_map *m)
{
	unsigned int i;

	for (i = 0; i < m->num_members; i++)
		m->disk_ord_tbl[i] = i;
}

/* Non-zero values everywhere so that a swapped offset shows up. */
static void fill_dev_extras(struct imsm_dev *d, uint8_t seed)
{
	d->status = IMSM_DEV_READ_COALESCING | IMSM_DEV_WRITE_COALESCING;
	d->reserved_blocks = seed + 1u;
	d->migr_priority = seed + 2;
	d->num_sub_vols = seed + 3;
	d->tid = seed + 4;
	d->cng_master_disk = seed + 5;
	d->cache_policy = 0x0600 + seed;
	d->cng_state = seed + 7;
	d->cng_sub_state = seed + 8;
	d->nv_cache_mode = seed + 9;
	d->nv_cache_flags = seed + 10;
	d->nvc_vol_orig_family_num = 0xCAFE0000u + seed;
	d->nvc_vol_raid_dev_num = 0x0B00 + seed;
	d->rwh_policy = 5;
	memcpy(d->jd_serial, "JOURNAL-SERIAL-X", IMSM_SERIAL_BYTES);
	d->filler1 = seed + 12;
	d->filler[0] = seed + 13;
	d->filler[11] = seed + 14;
	d->vol.checkpoint_id = 0x0F000000u + seed;
	d->vol.fs_state = 0xFF;
	d->vol.verify_errors = 0x1500 + seed;
	d->vol.bad_blocks = 0x1700 + seed;
	d->vol.filler[0] = seed + 15;
	d->vol.filler[11] = seed + 16;
}

static void fill_header(struct imsm_super *s, const char *version)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->version, version);
	s->family_num = 0x11223344;
	s->generation_num = 5;
	s->error_log_size = 0x55;
	s->error_log_pos = 0x66;
	s->fill = 0x77;
	s->cache_size = 0x88;
	s->orig_family_num = 0x11223344;
	s->pwr_cycle_count = 1;
	s->num_raid_devs_created = 1;
	s->filler1 = 0x99AA;
	s->creation_time = 0x6B05988Eull;
	s->filler[0] = 0xA5;
	s->filler[127] = 0x5A;
}

/*
 * One volume: 4-disk RAID10 (raid_level byte 1), 128 KiB strips, -z 16M on
 * 128 MiB disks (§5.4 table row 3), uninitialized.  Layout: disks at 0xD8,
 * dev at 408, map at 520, ord table at 568, mpb_size 584.
 */
#define ONE_DEV 408
#define ONE_MAP (ONE_DEV + 0x70)
#define ONE_ORD (ONE_MAP + 0x30)
#define ONE_MPB_BYTES 584

static void build_one(struct imsm_super *s)
{
	static const char *const serial[] = {"DISK0001", "DISK0002", "DISK0003", "DISK0004"};
	struct imsm_dev *d = &s->dev[0];
	unsigned int i;

	fill_header(s, "1.2.01");
	s->attributes = IMSM_ATTR_CHECKSUM_VERIFY;
	s->num_disks = 4;
	s->num_raid_devs = 1;
	for (i = 0; i < 4; i++) {
		set_disk(&s->disk[i], serial[i], 262144, (i + 1) << 8);
		s->disk[i].owner_cfg_num = i;
		s->disk[i].filler[11] = (uint8_t)(0xC0 + i);
	}
	memcpy(d->volume, "raid10vol", 9);
	d->size_blocks = 65536;
	d->my_vol_raid_dev_num = 1;
	fill_dev_extras(d, 0x20);
	d->vol.dirty = 1;
	d->vol.map[0] = (struct imsm_map){
	    .pba_of_lba0 = 0,
	    .blocks_per_member = 34816,
	    .num_data_stripes = 64,
	    .blocks_per_strip = 256,
	    .map_state = IMSM_MAP_UNINITIALIZED,
	    .raid_level = 1,
	    .num_members = 4,
	    .num_domains = 2,
	    .failed_disk_num = IMSM_FAILED_DISK_NONE,
	    .ddf = 1,
	    .filler = {[15] = 0x1A},
	};
	set_ords(&d->vol.map[0]);
}

/*
 * Two volumes on 4 TB disks (2TB_DISK set, so the _hi words count):
 * vol0 RAID5 in an OLCE 3 -> 4 disks (GEN_MIGR, two maps), whose data ends
 * at 4404019200 so vol1 (RAID0, idle, 3 disks) starts at 4404027392 with
 * pba_of_lba0_hi = 1 (§5.3 example); plus a 2-entry BBM log.
 * Layout: dev0 at 408 (map0 520, map1 584), dev1 at 644 (map 756), BBM at
 * 816, mpb_size 840.
 */
#define TWO_DEV0 408
#define TWO_MAP01 584
#define TWO_DEV1 644
#define TWO_MAP1 (TWO_DEV1 + 0x70)
#define TWO_BBM 816
#define TWO_MPB_BYTES 840
#define BIG_DISK 7814037168ull
#define VOL0_M 4404019200ull
#define VOL1_PBA 4404027392ull

static void build_bbm(struct imsm_super *s)
{
	uint8_t *b = s->bbm_log;

	wr32(b, 0, IMSM_BBM_SIGNATURE);
	wr32(b, 4, 2);
	b[8] = 7; /* 8 blocks */
	b[9] = 1; /* disk index */
	wr16(b, 10, 41000 & 0xFFFF);
	wr32(b, 12, 41000 >> 16);
	b[16] = 0;
	b[17] = 2;
	wr16(b, 18, 5);
	wr32(b, 20, 1u << 24); /* block 2^40 + 5 */
	s->bbm_log_bytes = 24;
}

static void build_vol0_olce(struct imsm_dev *d)
{
	memcpy(d->volume, "vol0", 4);
	d->size_blocks = VOL0_M * 3;
	d->my_vol_raid_dev_num = 1;
	fill_dev_extras(d, 0x40);
	d->vol.migr_state = 1;
	d->vol.migr_type = IMSM_MIGR_GEN_MIGR;
	d->vol.curr_migr_unit = 0x100000005ull;
	d->vol.map[0] = (struct imsm_map){
	    .pba_of_lba0 = 0,
	    .blocks_per_member = VOL0_M + 2048,
	    .num_data_stripes = VOL0_M / 128,
	    .blocks_per_strip = 128,
	    .map_state = IMSM_MAP_NORMAL,
	    .raid_level = 5,
	    .num_members = 4,
	    .num_domains = 1,
	    .failed_disk_num = IMSM_FAILED_DISK_NONE,
	    .ddf = 1,
	};
	set_ords(&d->vol.map[0]);
	d->vol.map[1] = d->vol.map[0];
	d->vol.map[1].num_members = 3;
	d->vol.map[1].filler[3] = 0x3C;
}

static void build_two(struct imsm_super *s)
{
	static const char *const serial[] = {"WD-A", "WD-B", "WD-C", "WD-D"};
	struct imsm_dev *d = &s->dev[1];
	unsigned int i;

	fill_header(s, "1.3.00");
	s->attributes = 0xAC000011; /* CHECKSUM, 2TB, BBM, 2TB_DISK, RAID5, RAID0 */
	s->num_disks = 4;
	s->num_raid_devs = 2;
	for (i = 0; i < 4; i++)
		set_disk(&s->disk[i], serial[i], BIG_DISK, i);
	build_vol0_olce(&s->dev[0]);
	memcpy(d->volume, "vol1-sixteen-chr", 16);
	d->size_blocks = 3ull << 31;
	d->my_vol_raid_dev_num = 2;
	fill_dev_extras(d, 0x60);
	d->vol.map[0] = (struct imsm_map){
	    .pba_of_lba0 = VOL1_PBA,
	    .blocks_per_member = (1ull << 31) + 2048,
	    .num_data_stripes = (1ull << 31) / 256,
	    .blocks_per_strip = 256,
	    .raid_level = 0,
	    .num_members = 3,
	    .num_domains = 1,
	    .failed_disk_num = IMSM_FAILED_DISK_NONE,
	    .ddf = 1,
	};
	set_ords(&d->vol.map[0]);
	build_bbm(s);
}

/* A spare record (§1.6): 264 bytes, one SPARE disk, no volume. */
static void build_spare(struct imsm_super *s)
{
	fill_header(s, "1.0.00");
	memset(s->filler, 0, sizeof(s->filler));
	s->attributes = IMSM_ATTR_CHECKSUM_VERIFY;
	s->generation_num = 1;
	s->orig_family_num = 0;
	s->num_disks = 1;
	set_disk(&s->disk[0], "SPARE0001", 262144, 0x400);
	s->disk[0].status = IMSM_DISK_SPARE;
}

/* ---- field-by-field comparison --------------------------------------------- */

static void check_same_disk(const struct imsm_disk *a, const struct imsm_disk *b)
{
	CHECK(memcmp(a->serial, b->serial, IMSM_SERIAL_BYTES) == 0);
	CHECK_INT(a->total_blocks, b->total_blocks);
	CHECK_INT(a->scsi_id, b->scsi_id);
	CHECK_INT(a->status, b->status);
	CHECK_INT(a->owner_cfg_num, b->owner_cfg_num);
	CHECK_INT(a->ignored_hi, b->ignored_hi);
	CHECK(memcmp(a->filler, b->filler, sizeof(a->filler)) == 0);
}

static void check_same_map(const struct imsm_map *a, const struct imsm_map *b)
{
	unsigned int i;

	CHECK_INT(a->pba_of_lba0, b->pba_of_lba0);
	CHECK_INT(a->blocks_per_member, b->blocks_per_member);
	CHECK_INT(a->num_data_stripes, b->num_data_stripes);
	CHECK_INT(a->blocks_per_strip, b->blocks_per_strip);
	CHECK_INT(a->map_state, b->map_state);
	CHECK_INT(a->raid_level, b->raid_level);
	CHECK_INT(a->num_members, b->num_members);
	CHECK_INT(a->num_domains, b->num_domains);
	CHECK_INT(a->failed_disk_num, b->failed_disk_num);
	CHECK_INT(a->ddf, b->ddf);
	CHECK_INT(a->ignored_pba_hi, b->ignored_pba_hi);
	CHECK_INT(a->ignored_bpm_hi, b->ignored_bpm_hi);
	CHECK_INT(a->ignored_nds_hi, b->ignored_nds_hi);
	CHECK(memcmp(a->filler, b->filler, sizeof(a->filler)) == 0);
	for (i = 0; i < a->num_members; i++)
		CHECK_INT(a->disk_ord_tbl[i], b->disk_ord_tbl[i]);
}

static void check_same_vol(const struct imsm_vol *a, const struct imsm_vol *b)
{
	CHECK_INT(a->curr_migr_unit, b->curr_migr_unit);
	CHECK_INT(a->checkpoint_id, b->checkpoint_id);
	CHECK_INT(a->migr_state, b->migr_state);
	CHECK_INT(a->migr_type, b->migr_type);
	CHECK_INT(a->dirty, b->dirty);
	CHECK_INT(a->fs_state, b->fs_state);
	CHECK_INT(a->verify_errors, b->verify_errors);
	CHECK_INT(a->bad_blocks, b->bad_blocks);
	CHECK(memcmp(a->filler, b->filler, sizeof(a->filler)) == 0);
	check_same_map(&a->map[0], &b->map[0]);
	if (a->migr_state)
		check_same_map(&a->map[1], &b->map[1]);
}

static void check_same_dev(const struct imsm_dev *a, const struct imsm_dev *b)
{
	CHECK(memcmp(a->volume, b->volume, IMSM_NAME_BYTES) == 0);
	CHECK_INT(a->size_blocks, b->size_blocks);
	CHECK_INT(a->status, b->status);
	CHECK_INT(a->reserved_blocks, b->reserved_blocks);
	CHECK_INT(a->migr_priority, b->migr_priority);
	CHECK_INT(a->num_sub_vols, b->num_sub_vols);
	CHECK_INT(a->tid, b->tid);
	CHECK_INT(a->cng_master_disk, b->cng_master_disk);
	CHECK_INT(a->cache_policy, b->cache_policy);
	CHECK_INT(a->cng_state, b->cng_state);
	CHECK_INT(a->cng_sub_state, b->cng_sub_state);
	CHECK_INT(a->my_vol_raid_dev_num, b->my_vol_raid_dev_num);
	CHECK_INT(a->nv_cache_mode, b->nv_cache_mode);
	CHECK_INT(a->nv_cache_flags, b->nv_cache_flags);
	CHECK_INT(a->nvc_vol_orig_family_num, b->nvc_vol_orig_family_num);
	CHECK_INT(a->nvc_vol_raid_dev_num, b->nvc_vol_raid_dev_num);
	CHECK_INT(a->rwh_policy, b->rwh_policy);
	CHECK(memcmp(a->jd_serial, b->jd_serial, IMSM_SERIAL_BYTES) == 0);
	CHECK_INT(a->filler1, b->filler1);
	CHECK(memcmp(a->filler, b->filler, sizeof(a->filler)) == 0);
	check_same_vol(&a->vol, &b->vol);
}

/* Everything except check_sum / mpb_size_bytes / warnings (set by decode). */
static void check_same_super(const struct imsm_super *a, const struct imsm_super *b)
{
	unsigned int i;

	CHECK_STR(a->version, b->version);
	CHECK_INT(a->family_num, b->family_num);
	CHECK_INT(a->generation_num, b->generation_num);
	CHECK_INT(a->error_log_size, b->error_log_size);
	CHECK_INT(a->attributes, b->attributes);
	CHECK_INT(a->num_disks, b->num_disks);
	CHECK_INT(a->num_raid_devs, b->num_raid_devs);
	CHECK_INT(a->error_log_pos, b->error_log_pos);
	CHECK_INT(a->fill, b->fill);
	CHECK_INT(a->cache_size, b->cache_size);
	CHECK_INT(a->orig_family_num, b->orig_family_num);
	CHECK_INT(a->pwr_cycle_count, b->pwr_cycle_count);
	CHECK_INT(a->num_raid_devs_created, b->num_raid_devs_created);
	CHECK_INT(a->filler1, b->filler1);
	CHECK_INT(a->creation_time, b->creation_time);
	CHECK(memcmp(a->filler, b->filler, sizeof(a->filler)) == 0);
	for (i = 0; i < a->num_disks && i < b->num_disks; i++)
		check_same_disk(&a->disk[i], &b->disk[i]);
	for (i = 0; i < a->num_raid_devs && i < b->num_raid_devs && i < 2; i++)
		check_same_dev(&a->dev[i], &b->dev[i]);
	CHECK_INT(a->bbm_log_bytes, b->bbm_log_bytes);
	CHECK(memcmp(a->bbm_log, b->bbm_log, a->bbm_log_bytes) == 0);
	CHECK_INT(a->slack_bytes, b->slack_bytes);
	if (a->slack_bytes == b->slack_bytes)
		CHECK(memcmp(a->slack, b->slack, a->slack_bytes) == 0);
}

/*
 * encode -> decode -> compare -> encode again -> memcmp.  Leaves the first
 * encoding in out (1024 bytes) and returns its length, 0 on failure.
 */
static size_t round_trip(const struct imsm_super *s, uint8_t *out)
{
	uint8_t again[1024];
	struct imsm_super *d = NULL;
	size_t len = 0, len2 = 0;

	CHECK_INT(imsm_encode(s, out, 1024, &len), 0);
	CHECK_INT(len, imsm_mpb_bytes(s));
	CHECK_INT(rd32(out, 0x20), sum_by_hand(out, len));
	CHECK_INT(imsm_decode(out, len, &d), 0);
	if (!d)
		return 0;
	check_same_super(s, d);
	CHECK_INT(d->mpb_size_bytes, len);
	CHECK_INT(d->check_sum, rd32(out, 0x20));
	CHECK_INT(imsm_encode(d, again, sizeof(again), &len2), 0);
	CHECK_INT(len2, len);
	CHECK(memcmp(out, again, len) == 0);
	imsm_free(d);
	return len;
}

/* ---- tests: checksum and round trips --------------------------------------- */

static void test_checksum_definition(void)
{
	uint8_t b[64];
	size_t i;

	/* 0x20 is skipped: a buffer of only that word sums to 0 */
	memset(b, 0, sizeof(b));
	wr32(b, 0x20, 0xFFFFFFFF);
	CHECK_INT(imsm_checksum(b, 64), 0);
	/* words 1 + 2 + ... + 16 without word 8 (value 9): 136 - 9 = 127 */
	for (i = 0; i < 16; i++)
		wr32(b, 4 * i, (uint32_t)i + 1);
	CHECK_INT(imsm_checksum(b, 64), 127);
	/* wrapping, and only whole words (a trailing 3 bytes are ignored) */
	wr32(b, 0, 0xFFFFFFFF);
	CHECK_INT(imsm_checksum(b, 64), 127 - 1 - 1);
	CHECK_INT(imsm_checksum(b, 63), 127 - 1 - 1 - 16);
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 37 + 11);
	CHECK_INT(imsm_checksum(b, 64), sum_by_hand(b, 64));
	CHECK_INT(imsm_checksum(b, 0), 0);
}

static void test_vm_example_checksum(void)
{
	uint8_t b[1024];

	vm_example(b);
	CHECK_INT(rd32(b, 0x20), 0xCA5EB946);
	CHECK_INT(sum_by_hand(b, VM_MPB_BYTES), 0xCA5EB946);
	CHECK_INT(imsm_checksum(b, VM_MPB_BYTES), 0xCA5EB946);
}

static void check_vm_header(const struct imsm_super *s)
{
	static const char *const serial[] = {"DISK0001", "DISK0002", "DISK0003"};
	unsigned int i;

	CHECK_STR(s->version, "1.3.00");
	CHECK_INT(s->check_sum, 0xCA5EB946);
	CHECK_INT(s->mpb_size_bytes, 704);
	CHECK_INT(s->family_num, 0x83A4B242);
	CHECK_INT(s->generation_num, 24);
	CHECK_INT(s->attributes, 0x80000011);
	CHECK_INT(s->num_disks, 3);
	CHECK_INT(s->num_raid_devs, 2);
	CHECK_INT(s->orig_family_num, 0x83A4B242);
	CHECK_INT(s->pwr_cycle_count, 1);
	CHECK_INT(s->bbm_log_bytes, 0);
	CHECK_INT(s->num_raid_devs_created, 1);
	CHECK_INT(s->creation_time, 0x6B05988E);
	CHECK_INT(s->slack_bytes, 0);
	CHECK_INT(s->warnings, 0);
	for (i = 0; i < 3; i++) {
		CHECK(memcmp(s->disk[i].serial, serial[i], 9) == 0);
		CHECK_INT(s->disk[i].total_blocks, 262144);
		CHECK_INT(s->disk[i].scsi_id, (i + 1) << 8);
		CHECK_INT(s->disk[i].status, IMSM_DISK_CONFIGURED);
	}
}

static void check_vm_map(const struct imsm_map *m, uint64_t pba, uint64_t bpm, uint64_t nds,
			 unsigned int bps, unsigned int level)
{
	CHECK_INT(m->pba_of_lba0, pba);
	CHECK_INT(m->blocks_per_member, bpm);
	CHECK_INT(m->num_data_stripes, nds);
	CHECK_INT(m->blocks_per_strip, bps);
	CHECK_INT(m->map_state, 0);
	CHECK_INT(m->raid_level, level);
	CHECK_INT(m->num_members, 3);
	CHECK_INT(m->num_domains, 1);
	CHECK_INT(m->failed_disk_num, 0xFF);
	CHECK_INT(m->ddf, 1);
	CHECK_INT(m->disk_ord_tbl[0], 0);
	CHECK_INT(m->disk_ord_tbl[1], 1);
	CHECK_INT(m->disk_ord_tbl[2], 2);
}

static void test_vm_example_decode(void)
{
	uint8_t b[1024], out[1024];
	struct imsm_super *s = NULL;
	size_t len = 0;

	vm_example(b);
	CHECK_INT(imsm_decode(b, sizeof(b), &s), 0);
	if (!s)
		return;
	check_vm_header(s);
	CHECK_STR(s->dev[0].volume, "vol0");
	CHECK_INT(s->dev[0].size_blocks, 131072);
	CHECK_INT(s->dev[0].status, 0x0C);
	CHECK_INT(s->dev[0].my_vol_raid_dev_num, 1);
	CHECK_INT(s->dev[0].rwh_policy, 5);
	CHECK_INT(s->dev[0].vol.migr_state, 0);
	check_vm_map(&s->dev[0].vol.map[0], 0, 67584, 512, 128, 5);
	CHECK_STR(s->dev[1].volume, "vol1");
	CHECK_INT(s->dev[1].size_blocks, 528384);
	CHECK_INT(s->dev[1].my_vol_raid_dev_num, 2);
	CHECK_INT(s->dev[1].rwh_policy, 5);
	check_vm_map(&s->dev[1].vol.map[0], 73728, 178176, 688, 256, 0);
	CHECK_INT(imsm_dev_bytes(&s->dev[0]), 172);
	CHECK_INT(imsm_mpb_bytes(s), 704);
	/* byte identity with what mdadm 4.2 wrote, zero padding after it */
	memset(out, 0xEE, sizeof(out));
	CHECK_INT(imsm_encode(s, out, sizeof(out), &len), 0);
	CHECK_INT(len, 704);
	CHECK(memcmp(out, b, sizeof(out)) == 0);
	imsm_free(s);
}

static void test_one_volume_round_trip(void)
{
	struct imsm_super s;
	uint8_t out[1024];
	size_t len;

	build_one(&s);
	len = round_trip(&s, out);
	CHECK_INT(len, ONE_MPB_BYTES);
	/* a few raw bytes checked by hand against §2 */
	CHECK(memcmp(out, "Intel Raid ISM Cfg Sig. 1.2.01\0\0", 32) == 0);
	CHECK_INT(rd32(out, 0x24), ONE_MPB_BYTES);
	CHECK_INT(out[0x38], 4);
	CHECK_INT(out[0x39], 1);
	CHECK(memcmp(out + ONE_DEV, "raid10vol", 9) == 0);
	CHECK_INT(rd32(out, ONE_DEV + 0x10), 65536);
	CHECK_INT(out[ONE_DEV + 0x5A], 1); /* dirty */
	CHECK_INT(rd32(out, ONE_MAP + 4), 34816);
	CHECK_INT(out[ONE_MAP + 0x0F], 1);
	CHECK_INT(out[ONE_MAP + 0x10], 4);
	CHECK_INT(rd32(out, ONE_ORD + 12), 3);
	CHECK_INT(out[ONE_MAP + 0x2F], 0x1A);
}

static void test_two_volume_round_trip(void)
{
	struct imsm_super s;
	uint8_t out[1024];
	size_t len;

	build_two(&s);
	len = round_trip(&s, out);
	CHECK_INT(len, TWO_MPB_BYTES);
	/* dev0 carries two maps: map1 right after map0's 4-entry ord table */
	CHECK_INT(out[TWO_DEV0 + 0x58], 1);
	CHECK_INT(out[TWO_DEV0 + 0x59], 3);
	CHECK_INT(rd32(out, TWO_DEV0 + 0x50), 5);
	CHECK_INT(rd32(out, TWO_DEV0 + 0x60), 1);
	CHECK_INT(out[TWO_MAP01 + 0x10], 3);
	CHECK_INT(rd32(out, TWO_DEV0 + 0x14), 3); /* size_high */
	/* hi/lo split of vol1's pba (§5.3 2^32-crossing example) */
	CHECK_INT(rd32(out, TWO_MAP1), (uint32_t)VOL1_PBA);
	CHECK_INT(rd32(out, TWO_MAP1 + 0x14), 1);
	CHECK_INT(rd32(out, 0xD8 + 0x10), (uint32_t)BIG_DISK);
	CHECK_INT(rd32(out, 0xD8 + 0x20), 1);
	/* BBM log is the last bbm_log_size bytes */
	CHECK_INT(rd32(out, 0x48), 24);
	CHECK_INT(rd32(out, TWO_BBM), IMSM_BBM_SIGNATURE);
	CHECK_INT(rd32(out, TWO_MPB_BYTES - 4), 1u << 24);
}

static void test_spare_round_trip(void)
{
	struct imsm_super s;
	uint8_t out[1024];

	build_spare(&s);
	CHECK_INT(round_trip(&s, out), IMSM_SPARE_MPB_BYTES);
}

/* Without 2TB_DISK the _hi words are ignored but must survive a rewrite. */
static void test_ignored_hi_words(void)
{
	struct imsm_super s, *d = NULL;
	uint8_t b[1024], again[1024];
	size_t len = 0;

	build_one(&s);
	CHECK_INT(imsm_encode(&s, b, sizeof(b), &len), 0);
	wr32(b, 0xD8 + 0x20, 0xDEAD);	 /* disk[0].total_blocks_hi */
	wr32(b, ONE_MAP + 0x14, 7);	 /* pba_of_lba0_hi */
	wr32(b, ONE_MAP + 0x1C, 0xFFFF); /* num_data_stripes_hi */
	fix_checksum(b);
	CHECK_INT(imsm_decode(b, len, &d), 0);
	if (!d)
		return;
	CHECK_INT(d->disk[0].total_blocks, 262144);
	CHECK_INT(d->disk[0].ignored_hi, 0xDEAD);
	CHECK_INT(d->dev[0].vol.map[0].pba_of_lba0, 0);
	CHECK_INT(d->dev[0].vol.map[0].ignored_pba_hi, 7);
	CHECK_INT(d->dev[0].vol.map[0].num_data_stripes, 64);
	CHECK_INT(d->dev[0].vol.map[0].ignored_nds_hi, 0xFFFF);
	CHECK_INT(imsm_encode(d, again, sizeof(again), &len), 0);
	CHECK(memcmp(b, again, len) == 0);
	/* a value that needs the hi word cannot be written without 2TB_DISK */
	d->disk[1].total_blocks = 1ull << 32;
	CHECK_INT(imsm_encode(d, again, sizeof(again), &len), -ERANGE);
	d->attributes |= IMSM_ATTR_2TB_DISK;
	CHECK_INT(imsm_encode(d, again, sizeof(again), &len), 0);
	CHECK_INT(rd32(again, 0xD8 + 0x20), 0); /* now a real hi word: 0 */
	CHECK_INT(rd32(again, 0xD8 + 48 + 0x20), 1);
	imsm_free(d);
}

/* Bytes between the last dev and the BBM log: kept, reported, rewritten. */
static void test_slack_preserved(void)
{
	struct imsm_super s, *d = NULL, *c = NULL;
	uint8_t b[1024], again[1024];
	size_t len = 0;

	build_one(&s);
	CHECK_INT(imsm_encode(&s, b, sizeof(b), &len), 0);
	wr32(b, 0x24, ONE_MPB_BYTES + 8);
	wr32(b, ONE_MPB_BYTES, 0x12345678);
	wr32(b, ONE_MPB_BYTES + 4, 0x9ABCDEF0);
	fix_checksum(b);
	CHECK_INT(imsm_decode(b, sizeof(b), &d), 0);
	if (!d)
		return;
	CHECK_INT(d->slack_bytes, 8);
	CHECK(d->warnings & IMSM_WARN_SLACK);
	CHECK_INT(imsm_super_dup(d, &c), 0);
	imsm_free(d);
	if (!c)
		return;
	CHECK_INT(imsm_encode(c, again, sizeof(again), &len), 0);
	CHECK_INT(len, ONE_MPB_BYTES + 8);
	CHECK(memcmp(b, again, len) == 0);
	imsm_free(c);
}

static void test_encode_contract(void)
{
	struct imsm_super s, *d = NULL;
	uint8_t out[1024];
	size_t len = 12345;
	unsigned int i;

	build_one(&s);
	CHECK_INT(imsm_encode(&s, out, ONE_MPB_BYTES - 1, &len), -ENOSPC);
	CHECK_INT(len, 12345);
	memset(out, 0xEE, sizeof(out));
	CHECK_INT(imsm_encode(&s, out, sizeof(out), &len), 0);
	for (i = ONE_MPB_BYTES; i < sizeof(out) && !out[i]; i++)
		;
	CHECK_INT(i, sizeof(out));
	/* encode refuses what decode would refuse */
	s.dev[0].vol.map[0].num_members = 0;
	CHECK_INT(imsm_encode(&s, out, sizeof(out), &len), -EINVAL);
	build_one(&s);
	strcpy(s.version, "1.2.01\x01");
	CHECK_INT(imsm_encode(&s, out, sizeof(out), &len), -EINVAL);
	build_one(&s);
	s.num_raid_devs = 3;
	CHECK_INT(imsm_encode(&s, out, sizeof(out), &len), -EOPNOTSUPP);
	/* a BBM log shorter than its own header */
	build_one(&s);
	s.bbm_log_bytes = 4;
	memset(s.bbm_log, 0xAB, 4);
	CHECK_INT(imsm_encode(&s, out, sizeof(out), &len), -EINVAL);
	/* slack that would leave mpb_size unaligned */
	CHECK_INT(imsm_super_alloc(2, &d), 0);
	if (d) {
		build_one(&s);
		memcpy(d, &s, sizeof(s));
		d->slack_bytes = 2;
		CHECK_INT(imsm_encode(d, out, sizeof(out), &len), -EINVAL);
		d->slack_bytes = 0;
		CHECK_INT(imsm_encode(d, out, sizeof(out), &len), 0);
		imsm_free(d);
	}
	CHECK_INT(len, ONE_MPB_BYTES);
}

static void test_encode_rejects_migrations(void)
{
	struct imsm_super s;
	uint8_t out[1024];
	size_t len;

	/* OLCE never shrinks: map[0] (destination) must not be narrower */
	build_two(&s);
	s.dev[0].vol.map[0].num_members = 3;
	s.dev[0].vol.map[1].num_members = 4;
	s.dev[0].size_blocks = VOL0_M * 2;
	CHECK_INT(imsm_encode(&s, out, sizeof(out), &len), -EINVAL);
	/* two general migrations at once */
	build_two(&s);
	s.dev[1].vol.migr_state = 1;
	s.dev[1].vol.migr_type = IMSM_MIGR_GEN_MIGR;
	s.dev[1].vol.map[1] = s.dev[1].vol.map[0];
	CHECK_INT(imsm_encode(&s, out, sizeof(out), &len), -EINVAL);
	/* the same with vol1 rebuilding instead is fine */
	s.dev[1].vol.migr_type = IMSM_MIGR_REBUILD;
	CHECK_INT(imsm_encode(&s, out, sizeof(out), &len), 0);
}

/* ---- tests: envelope rejections ---------------------------------------------- */

static void test_peek(void)
{
	uint8_t b[1024];
	uint32_t n = 0;

	vm_example(b);
	CHECK_INT(imsm_peek_mpb_size(b, 512, &n), 0);
	CHECK_INT(n, 704);
	CHECK_INT(imsm_peek_mpb_size(b, 23, &n), -EMSGSIZE);
	CHECK_INT(imsm_peek_mpb_size(b, 39, &n), -EMSGSIZE);
	b[5] = 'r';
	CHECK_INT(imsm_peek_mpb_size(b, 512, &n), -ENODATA);
}

static void test_reject_envelope(void)
{
	struct imsm_super s, *d = &s;
	uint8_t good[1024], b[1024];
	size_t len = 0;

	build_one(&s);
	CHECK_INT(imsm_encode(&s, good, sizeof(good), &len), 0);
	memcpy(b, good, sizeof(b));
	b[23] = '_'; /* the trailing space of the signature */
	CHECK_INT(imsm_decode(b, len, &d), -ENODATA);
	memcpy(b, good, sizeof(b));
	b[0x20] ^= 1;
	CHECK_INT(imsm_decode(b, len, &d), -EBADMSG);
	memcpy(b, good, sizeof(b));
	b[ONE_DEV + 3] ^= 0x40; /* payload changed, checksum not */
	CHECK_INT(imsm_decode(b, len, &d), -EBADMSG);
	memcpy(b, good, sizeof(b));
	wr32(b, 0x24, IMSM_MPB_MAX_BYTES + 4);
	CHECK_INT(imsm_decode(b, sizeof(b), &d), -EINVAL);
	wr32(b, 0x24, 260);
	CHECK_INT(imsm_decode(b, sizeof(b), &d), -EINVAL);
	wr32(b, 0x24, ONE_MPB_BYTES + 2);
	CHECK_INT(imsm_decode(b, sizeof(b), &d), -EINVAL);
	wr32(b, 0x24, ONE_MPB_BYTES + 4);
	CHECK_INT(imsm_decode(b, ONE_MPB_BYTES, &d), -EMSGSIZE);
	CHECK_INT(imsm_decode(good, ONE_MPB_BYTES - 1, &d), -EMSGSIZE);
	/* mpb_size smaller than what the records need */
	memcpy(b, good, sizeof(b));
	wr32(b, 0x24, ONE_MPB_BYTES - 4);
	fix_checksum(b);
	CHECK_INT(imsm_decode(b, sizeof(b), &d), -EINVAL);
	/* version field: printable, then only NULs */
	memcpy(b, good, sizeof(b));
	b[0x1F] = 'x';
	fix_checksum(b);
	CHECK_INT(imsm_decode(b, sizeof(b), &d), -EINVAL);
	memcpy(b, good, sizeof(b));
	b[0x18] = 0x01;
	fix_checksum(b);
	CHECK_INT(imsm_decode(b, sizeof(b), &d), -EINVAL);
	/* *ret untouched on every failure */
	CHECK(d == &s);
}

/* ---- tests: structural rejections via mutate + fix checksum ------------------ */

struct mutation {
	const char *what;
	size_t off;
	unsigned int width; /* 1 or 4 bytes */
	uint32_t value;
	int expect;
};

static void run_mutations(const uint8_t *good, size_t len, const struct mutation *m, size_t n)
{
	struct imsm_super *d = NULL;
	uint8_t b[1024];
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		memcpy(b, good, sizeof(b));
		if (m[i].width == 1)
			b[m[i].off] = (uint8_t)m[i].value;
		else
			wr32(b, m[i].off, m[i].value);
		fix_checksum(b);
		r = decode_exact(b, len, &d);
		if (r != m[i].expect)
			fprintf(stderr, "  mutation '%s': got %d\n", m[i].what, r);
		CHECK_INT(r, m[i].expect);
		if (r == 0)
			imsm_free(d);
	}
}

static const struct mutation one_mutations[] = {
    {"num_disks 0", 0x38, 1, 0, -EINVAL},
    {"num_disks 255", 0x38, 1, 255, -EINVAL},
    {"num_disks 9", 0x38, 1, 9, -EINVAL},
    {"num_raid_devs 3", 0x39, 1, 3, -EOPNOTSUPP},
    {"num_raid_devs 2 (chain past end)", 0x39, 1, 2, -EINVAL},
    {"num_raid_devs 0 with 4 disks", 0x39, 1, 0, -EINVAL},
    {"bbm_log_size past disk table", 0x48, 4, ONE_MPB_BYTES - 0xD8, -EINVAL},
    {"bbm_log_size 8 eats the volume record", 0x48, 4, 8, -EINVAL},
    {"duplicate serial", 0xD8 + 48 + 7, 1, '1', -EINVAL},
    {"total_blocks 0", 0xD8 + 3 * 48 + 0x10, 4, 0, -EINVAL},
    {"member disk is a spare", 0xD8 + 2 * 48 + 0x18, 4, IMSM_DISK_SPARE, -EINVAL},
    {"migr_state 2", ONE_DEV + 0x58, 1, 2, -EINVAL},
    {"migr_type 5", ONE_DEV + 0x59, 1, 5, -EINVAL},
    {"num_members 0", ONE_MAP + 0x10, 1, 0, -EINVAL},
    {"num_members 5 (map past end)", ONE_MAP + 0x10, 1, 5, -EINVAL},
    {"num_members 3 for RAID10", ONE_MAP + 0x10, 1, 3, -EINVAL},
    {"raid_level 7", ONE_MAP + 0x0F, 1, 7, -EINVAL},
    {"raid_level 5, 4 members", ONE_MAP + 0x0F, 1, 5, 0},
    {"raid_level 10, 4 members", ONE_MAP + 0x0F, 1, 10, 0},
    {"map_state 4", ONE_MAP + 0x0E, 1, 4, -EINVAL},
    {"blocks_per_strip 0", ONE_MAP + 0x0D, 1, 0, -EINVAL}, /* 256: high byte */
    {"failed_disk_num 4", ONE_MAP + 0x12, 1, 4, -EINVAL},
    {"failed_disk_num 3", ONE_MAP + 0x12, 1, 3, 0},
    {"ord index 4", ONE_ORD + 8, 4, 4, -EINVAL},
    {"ord index 0xFFFFFF", ONE_ORD + 8, 4, 0xFFFFFF, -EINVAL},
    {"ord reserved bit", ONE_ORD, 4, 0x02000000, -EINVAL},
    {"ord rebuild flag", ONE_ORD + 4, 4, IMSM_ORD_REBUILD | 1, 0},
    {"ord duplicate index", ONE_ORD + 4, 4, 0, -EINVAL},
    {"data > blocks_per_member", ONE_MAP + 8, 4, 100, -EINVAL},
    {"blocks_per_member past disk", ONE_MAP + 4, 4, 262144, -EINVAL},
    /* 584-byte MPB = 2 sectors at N-3, N-2: volume area must end by N-3 */
    {"volume ends at the MPB", ONE_MAP, 4, 262141 - 34816, 0},
    {"volume reaches the MPB", ONE_MAP, 4, 262141 - 34816 + 1, -EINVAL},
};

static void test_reject_one_volume(void)
{
	struct imsm_super s;
	uint8_t good[1024];
	size_t len = 0;

	build_one(&s);
	CHECK_INT(imsm_encode(&s, good, sizeof(good), &len), 0);
	run_mutations(good, len, one_mutations, sizeof(one_mutations) / sizeof(one_mutations[0]));
}

static const struct mutation two_mutations[] = {
    {"map1 pba differs in GEN_MIGR", TWO_MAP01, 4, 128, -EOPNOTSUPP},
    {"vol1 overlaps vol0 data", TWO_MAP1, 4, (uint32_t)VOL1_PBA - 16384, -EINVAL},
    {"nds * bps overflows", TWO_DEV1 + 0x70 + 0x1C, 4, 0xFFFFFFFF, -EINVAL},
    {"pba + bpm overflows", TWO_MAP1 + 0x14, 4, 0xFFFFFFFF, -EINVAL},
    {"bbm signature", TWO_BBM, 4, 0xABADB10D, -EINVAL},
    {"bbm entry_count 1", TWO_BBM + 4, 4, 1, -EINVAL},
    {"bbm entry_count 255", TWO_BBM + 4, 4, 255, -EINVAL},
    {"bbm_log_size 32", 0x48, 4, 32, -EINVAL},
    {"migr_state 0 on vol0 (chain no longer ends at BBM)", TWO_DEV0 + 0x58, 1, 0, -EINVAL},
};

static void test_reject_two_volumes(void)
{
	struct imsm_super s;
	uint8_t good[1024];
	size_t len = 0;

	build_two(&s);
	CHECK_INT(imsm_encode(&s, good, sizeof(good), &len), 0);
	run_mutations(good, len, two_mutations, sizeof(two_mutations) / sizeof(two_mutations[0]));
}

/* vol1 rebuilding; then its migr_type byte is turned into a second GEN_MIGR. */
static void test_reject_second_gen_migr(void)
{
	struct imsm_super s, *d = NULL;
	uint8_t b[1024];
	size_t len = 0;

	build_two(&s);
	s.dev[1].vol.migr_state = 1;
	s.dev[1].vol.migr_type = IMSM_MIGR_REBUILD;
	s.dev[1].vol.map[1] = s.dev[1].vol.map[0];
	CHECK_INT(imsm_encode(&s, b, sizeof(b), &len), 0);
	CHECK_INT(len, TWO_MPB_BYTES + 60);
	CHECK_INT(decode_exact(b, len, &d), 0);
	imsm_free(d);
	b[TWO_DEV1 + 0x59] = IMSM_MIGR_GEN_MIGR;
	fix_checksum(b);
	CHECK_INT(decode_exact(b, len, &d), -EINVAL);
}

/* ---- tests: warnings ------------------------------------------------------- */

static unsigned int warnings_after(const uint8_t *good, size_t len, size_t off, uint32_t v,
				   unsigned int width)
{
	struct imsm_super *d = NULL;
	uint8_t b[1024];
	unsigned int w;

	memcpy(b, good, sizeof(b));
	if (width == 1)
		b[off] = (uint8_t)v;
	else
		wr32(b, off, v);
	fix_checksum(b);
	if (decode_exact(b, len, &d) < 0)
		return ~0u;
	w = d->warnings;
	imsm_free(d);
	return w;
}

static void test_warnings(void)
{
	struct imsm_super s;
	uint8_t g[1024];
	size_t n = 0;

	build_one(&s);
	CHECK_INT(imsm_encode(&s, g, sizeof(g), &n), 0);
	CHECK_INT(warnings_after(g, n, 0x18, '1', 1), 0);
	CHECK_INT(warnings_after(g, n, 0x18, '9', 1), IMSM_WARN_VERSION_UNKNOWN);
	CHECK_INT(warnings_after(g, n, 0x34, 0x80000100, 4), IMSM_WARN_ATTR_UNSUPPORTED);
	CHECK_INT(warnings_after(g, n, 0x34, 0xC0000000, 4), 0); /* NEVER_USE is tolerated */
	CHECK_INT(warnings_after(g, n, 0xD8 + 0x18, IMSM_DISK_CONFIGURED | IMSM_DISK_SPARE, 4),
		  IMSM_WARN_SPARE_IN_CONTAINER);
	CHECK_INT(warnings_after(g, n, 0xD8 + 0x18, 0x02000002, 4), 0);
	CHECK_INT(warnings_after(g, n, ONE_DEV + 0x50, 3, 4), IMSM_WARN_IDLE_CHECKPOINT);
	CHECK_INT(warnings_after(g, n, ONE_MAP + 0x11, 1, 1), IMSM_WARN_NUM_DOMAINS);
	/* bps 192 (map_state 1, raid_level 1 rewritten unchanged) */
	CHECK_INT(warnings_after(g, n, ONE_MAP + 0x0C, 0x010100C0, 4),
		  IMSM_WARN_STRIP_NOT_POW2 | IMSM_WARN_SIZE_MISMATCH);
	CHECK_INT(warnings_after(g, n, ONE_DEV + 0x10, 65536 + 4096, 4), 0);
	CHECK_INT(warnings_after(g, n, ONE_DEV + 0x10, 65536 + 4097, 4), IMSM_WARN_SIZE_MISMATCH);
	build_spare(&s);
	memset(s.disk[0].serial, 0, IMSM_SERIAL_BYTES);
	s.disk[0].status = 0x10;
	CHECK_INT(imsm_encode(&s, g, sizeof(g), &n), 0);
	CHECK_INT(warnings_after(g, n, 0x30, 0, 4), IMSM_WARN_SERIAL_EMPTY | IMSM_WARN_DISK_STATUS);
}

static void test_state_change_warning(void)
{
	struct imsm_super s, *d = NULL;
	uint8_t b[1024];
	size_t len = 0;

	build_two(&s);
	s.dev[0].vol.migr_type = IMSM_MIGR_STATE_CHANGE;
	CHECK_INT(imsm_encode(&s, b, sizeof(b), &len), 0);
	CHECK_INT(imsm_decode(b, len, &d), 0);
	if (d)
		CHECK_INT(d->warnings, IMSM_WARN_STATE_CHANGE);
	imsm_free(d);
}

/* ---- tests: robustness (run under ASan/UBSan) ------------------------------- */

static void truncate_everywhere(const uint8_t *good, size_t len)
{
	struct imsm_super *d = NULL;
	size_t n, bad = 0;

	for (n = 0; n < len; n++)
		if (decode_exact(good, n, &d) != -EMSGSIZE)
			bad++;
	CHECK_INT(bad, 0);
	CHECK_INT(decode_exact(good, len, &d), 0);
	imsm_free(d);
}

static void test_truncation_every_length(void)
{
	struct imsm_super s;
	uint8_t b[1024];
	size_t len = 0;

	vm_example(b);
	truncate_everywhere(b, VM_MPB_BYTES);
	build_one(&s);
	CHECK_INT(imsm_encode(&s, b, sizeof(b), &len), 0);
	truncate_everywhere(b, len);
	build_two(&s);
	CHECK_INT(imsm_encode(&s, b, sizeof(b), &len), 0);
	truncate_everywhere(b, len);
	build_spare(&s);
	CHECK_INT(imsm_encode(&s, b, sizeof(b), &len), 0);
	truncate_everywhere(b, len);
}

/*
 * Every byte, three xor patterns, checksum fixed: decode must either refuse
 * or accept, and what it accepts must re-encode to the very same bytes.
 */
static void mutate_everywhere(const uint8_t *good, size_t len, unsigned int *ret_accepted)
{
	static const uint8_t pattern[] = {0x01, 0x80, 0xFF};
	uint8_t b[1024], again[1024];
	struct imsm_super *d;
	size_t off, p, n;

	for (off = 0; off < len; off++) {
		for (p = 0; p < sizeof(pattern); p++) {
			memcpy(b, good, len);
			b[off] ^= pattern[p];
			if (off < 0x20 || off >= 0x24)
				fix_checksum(b);
			if (decode_exact(b, len, &d) < 0)
				continue;
			(*ret_accepted)++;
			CHECK_INT(imsm_encode(d, again, sizeof(again), &n), 0);
			/* a smaller mpb_size can be accepted: compare what it covers */
			CHECK(n == rd32(b, 0x24) && memcmp(again, b, n) == 0);
			imsm_free(d);
		}
	}
}

static void test_single_byte_mutations(void)
{
	struct imsm_super s;
	unsigned int accepted = 0;
	uint8_t b[1024];
	size_t len = 0;

	vm_example(b);
	mutate_everywhere(b, VM_MPB_BYTES, &accepted);
	build_two(&s);
	CHECK_INT(imsm_encode(&s, b, sizeof(b), &len), 0);
	mutate_everywhere(b, len, &accepted);
	/* fillers, names, families... are opaque: many mutations must pass */
	CHECK(accepted > 1000);
}

/* ---- tests: geometry ---------------------------------------------------------- */

static void check_geometry(int level, unsigned int n, uint32_t bps, uint64_t kib, uint64_t m,
			   uint64_t size, uint64_t bpm, uint64_t nds)
{
	struct imsm_geometry g = {0};

	CHECK_INT(imsm_volume_geometry(level, n, bps, kib, &g), 0);
	CHECK_INT(g.member_data_blocks, m);
	CHECK_INT(g.size_blocks, size);
	CHECK_INT(g.blocks_per_member, bpm);
	CHECK_INT(g.num_data_stripes, nds);
}

/* §5.4 worked examples (N = 262144 unless noted). */
static void test_size_examples(void)
{
	struct imsm_geometry g;
	uint64_t kib;

	check_geometry(5, 3, 128, 32 * 1024, 65536, 131072, 67584, 512);
	kib = imsm_default_member_kib(0, 128, 251742 - 73728);
	CHECK_INT(kib, 88960);
	check_geometry(0, 3, 256, kib, 176128, 528384, 178176, 688);
	check_geometry(10, 4, 256, 16 * 1024, 32768, 65536, 34816, 64);
	check_geometry(1, 2, 128, 20 * 1024, 40960, 40960, 43008, 160);
	/* 100 MiB disks: second volume at 40960 + 8192 = 49152, 256 KiB strips */
	kib = imsm_default_member_kib(0, 256, 204800 - 10402 - 49152);
	CHECK_INT(kib, 72448);
	check_geometry(0, 2, 512, kib, 143360, 286720, 145408, 280);
	CHECK_INT(imsm_volume_geometry(10, 4, 256, 16 * 1024, &g), 0);
	CHECK_INT(g.raid_level, 1);
	CHECK_INT(g.num_domains, 2);
	CHECK_INT(g.data_members, 2);
	CHECK_INT(imsm_volume_geometry(10, 6, 256, 16 * 1024, &g), 0);
	CHECK_INT(g.raid_level, 10);
	CHECK_INT(imsm_volume_geometry(0, 2, 128, 1023, &g), -ERANGE);
	CHECK_INT(imsm_volume_geometry(0, 2, 128, 1024, &g), 0);
	CHECK_INT(imsm_volume_geometry(5, 2, 128, 4096, &g), -EINVAL);
	CHECK_INT(imsm_volume_geometry(0, 2, 0, 4096, &g), -EINVAL);
	CHECK_INT(imsm_default_member_kib(1, 0, 100001), 49984);
	CHECK_INT(imsm_member_data_blocks(1, 128, 20 * 1024 + 63), 40960);
}

static void test_levels(void)
{
	struct imsm_map m = {.raid_level = 1, .num_members = 2};
	uint8_t byte = 0xEE;

	CHECK_INT(imsm_map_md_level(&m), 1);
	m.num_members = 4;
	CHECK_INT(imsm_map_md_level(&m), 10);
	m.num_members = 3;
	CHECK_INT(imsm_map_md_level(&m), -EINVAL);
	m.raid_level = 10;
	m.num_members = 6;
	CHECK_INT(imsm_map_md_level(&m), 10);
	m.raid_level = 5;
	CHECK_INT(imsm_map_md_level(&m), 5);
	m.raid_level = 0;
	m.num_members = 1;
	CHECK_INT(imsm_map_md_level(&m), 0);
	CHECK_INT(imsm_level_byte(10, 4, &byte), 0);
	CHECK_INT(byte, 1);
	CHECK_INT(imsm_level_byte(10, 8, &byte), 0);
	CHECK_INT(byte, 10);
	CHECK_INT(imsm_level_byte(10, 5, &byte), -EINVAL);
	CHECK_INT(byte, 10);
	CHECK_INT(imsm_data_members(0, 3), 3);
	CHECK_INT(imsm_data_members(1, 2), 1);
	CHECK_INT(imsm_data_members(5, 4), 3);
	CHECK_INT(imsm_data_members(10, 6), 3);
	CHECK_INT(imsm_data_members(6, 4), -EINVAL);
	CHECK_INT(imsm_num_domains(10), 2);
	CHECK_INT(imsm_num_domains(5), 1);
	m = (struct imsm_map){
	    .raid_level = 1, .num_members = 2, .num_data_stripes = 160, .blocks_per_strip = 128};
	CHECK_INT(imsm_map_data_blocks(&m), 40960);
}

/* §1.1, §1.5, §5.3, §6.7 positions and reservations. */
static void test_placement(void)
{
	struct imsm_mpb_location loc = {0};
	struct imsm_super *s = NULL;
	uint64_t pba = 0;
	uint8_t b[1024];

	CHECK_INT(imsm_mpb_location(262144, 512, 704, &loc), 0);
	CHECK_INT(loc.migr_rec_lba, 262143);
	CHECK_INT(loc.anchor_lba, 262142);
	CHECK_INT(loc.ext_lba, 262141);
	CHECK_INT(loc.ext_sectors, 1);
	CHECK_INT(loc.mpb_sectors, 2);
	CHECK_INT(imsm_mpb_location(32768, 4096, 704, &loc), 0);
	CHECK_INT(loc.anchor_lba, 32766);
	CHECK_INT(loc.ext_sectors, 0);
	CHECK_INT(imsm_mpb_location(3, 512, 512, &loc), 0);
	CHECK_INT(imsm_mpb_location(3, 512, 513, &loc), -ENOSPC);
	CHECK_INT(imsm_mpb_location(2, 512, 264, &loc), -ENOSPC);
	CHECK_INT(imsm_mpb_location(262144, 1024, 704, &loc), -EINVAL);
	CHECK_INT(imsm_ckpt_area_pba_blocks(262144, &pba), 0);
	CHECK_INT(pba, 259935);
	CHECK_INT(imsm_ckpt_area_pba_blocks(2208, &pba), -ENOSPC);
	CHECK_INT(pba, 259935);

	vm_example(b);
	CHECK_INT(imsm_decode(b, sizeof(b), &s), 0);
	if (!s)
		return;
	CHECK_INT(imsm_next_volume_pba_blocks(&s->dev[0]), 73728);
	CHECK_INT(imsm_disk_data_end_blocks(s, 1), 249856);
	CHECK_INT(imsm_disk_data_end_blocks(s, 7), 0);
	CHECK_INT(262144 - imsm_reserved_blocks(262144, 0, 704), 251742);
	CHECK_INT(imsm_reserved_blocks(262144, imsm_disk_data_end_blocks(s, 0), 704), 10402);
	imsm_free(s);
	CHECK_INT(imsm_reserved_blocks(262144, 262144 - 5001, 704), 5000);
	CHECK_INT(imsm_reserved_blocks(262144, 262143, 704), 2);
	CHECK_INT(imsm_reserved_blocks(262144, 300000, 264), 1);
	CHECK_INT(imsm_spare_reserved_blocks(10402), 4258);
	CHECK_INT(imsm_spare_reserved_blocks(3000), 3000);
}

static void test_placement_2tb(void)
{
	struct imsm_super s;

	build_two(&s);
	CHECK_INT(imsm_next_volume_pba_blocks(&s.dev[0]), VOL1_PBA);
	CHECK_INT(imsm_disk_data_end_blocks(&s, 3), VOL0_M);
	CHECK_INT(imsm_disk_data_end_blocks(&s, 0), VOL1_PBA + (1ull << 31));
}

/* ---- tests: version strings and attributes (§4) ------------------------------ */

static void version_case(struct imsm_super *s, unsigned int nrd, uint8_t level,
			 unsigned int members, uint32_t attributes)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->attributes = attributes;
	s->num_raid_devs = (uint8_t)nrd;
	s->num_disks = (uint8_t)members;
	for (i = 0; i < 2; i++) {
		s->dev[i].status = IMSM_DEV_READ_COALESCING | IMSM_DEV_WRITE_COALESCING;
		s->dev[i].vol.map[0].raid_level = level;
		s->dev[i].vol.map[0].num_members = (uint8_t)members;
	}
}

static const char *legacy(unsigned int nrd, uint8_t level, unsigned int members, uint32_t attrs)
{
	struct imsm_super s;

	version_case(&s, nrd, level, members, attrs);
	return imsm_version_for(&s, IMSM_POLICY_LEGACY);
}

static void test_version_strings(void)
{
	struct imsm_super s;
	const uint32_t cv = IMSM_ATTR_CHECKSUM_VERIFY;

	version_case(&s, 1, 5, 3, cv);
	CHECK_STR(imsm_version_for(&s, IMSM_POLICY_CURRENT), "1.3.00");
	version_case(&s, 0, 0, 1, 0);
	CHECK_STR(imsm_version_for(&s, IMSM_POLICY_CURRENT), "1.3.00");
	CHECK_STR(legacy(0, 0, 1, 0), "1.0.00");
	CHECK_STR(legacy(1, 5, 3, cv), "1.2.02");
	CHECK_STR(legacy(1, 1, 4, cv), "1.2.01");
	CHECK_STR(legacy(1, 1, 2, cv), "1.1.00");
	CHECK_STR(legacy(1, 0, 2, cv), "1.0.00");
	CHECK_STR(legacy(1, 0, 3, cv), "1.2.01");
	CHECK_STR(legacy(1, 0, 5, cv), "1.2.04");
	CHECK_STR(legacy(1, 5, 6, cv), "1.2.04");
	CHECK_STR(legacy(1, 10, 6, cv), "1.2.04");
	CHECK_STR(legacy(2, 0, 2, cv), "1.3.00");
	CHECK_STR(legacy(1, 1, 2, cv | IMSM_ATTR_2TB_DISK), "1.3.00");
	CHECK_STR(legacy(1, 0, 2, 0), "1.0.00");
	version_case(&s, 1, 0, 2, cv);
	s.dev[0].status = IMSM_DEV_CLONE_N_GO;
	CHECK_STR(imsm_version_for(&s, IMSM_POLICY_LEGACY), "1.2.06");
	version_case(&s, 1, 0, 5, cv);
	s.dev[0].status = IMSM_DEV_CLONE_N_GO;
	CHECK_STR(imsm_version_for(&s, IMSM_POLICY_LEGACY), "1.2.04");
}

static uint32_t attrs_two(uint8_t l0, unsigned int n0, uint8_t l1, unsigned int n1,
			  enum imsm_version_policy p)
{
	struct imsm_super s;

	version_case(&s, 2, l0, n0, 0);
	s.dev[1].vol.map[0].raid_level = l1;
	s.dev[1].vol.map[0].num_members = (uint8_t)n1;
	return imsm_attributes_for(&s, p);
}

static void test_attributes(void)
{
	struct imsm_super s;

	/* observed values of §4.2 */
	CHECK_INT(attrs_two(5, 3, 0, 3, IMSM_POLICY_CURRENT), 0x80000011);
	CHECK_INT(attrs_two(1, 4, 5, 4, IMSM_POLICY_LEGACY), 0x80000014);
	CHECK_INT(attrs_two(1, 2, 0, 2, IMSM_POLICY_CURRENT), 0x80000003);
	CHECK_INT(attrs_two(10, 6, 0, 6, IMSM_POLICY_CURRENT), 0x80000085);
	version_case(&s, 1, 0, 2, IMSM_ATTR_CHECKSUM_VERIFY | IMSM_ATTR_2TB_DISK);
	s.dev[0].size_blocks = 3ull << 32;
	CHECK_INT(imsm_attributes_for(&s, IMSM_POLICY_LEGACY), 0xA4000001);
	version_case(&s, 1, 5, 3, IMSM_ATTR_CHECKSUM_VERIFY | IMSM_ATTR_RAID5);
	s.bbm_log_bytes = 16;
	CHECK_INT(imsm_attributes_for(&s, IMSM_POLICY_CURRENT), 0x88000010);
	s.bbm_log_bytes = 0;
	s.attributes |= IMSM_ATTR_BBM;
	CHECK_INT(imsm_attributes_for(&s, IMSM_POLICY_CURRENT), 0x80000010);
	/* legacy single-volume versions carry no level bits */
	version_case(&s, 1, 5, 3, IMSM_ATTR_CHECKSUM_VERIFY);
	CHECK_INT(imsm_attributes_for(&s, IMSM_POLICY_LEGACY), 0x80000000);
	/* bits are never cleared (RAID10 survives a takeover to RAID0) */
	version_case(&s, 1, 0, 2, IMSM_ATTR_CHECKSUM_VERIFY | IMSM_ATTR_RAID10);
	CHECK_INT(imsm_attributes_for(&s, IMSM_POLICY_CURRENT), 0x80000005);
	/* spare records */
	version_case(&s, 0, 0, 1, 0x80000011);
	s.disk[0].total_blocks = 262144;
	CHECK_INT(imsm_attributes_for(&s, IMSM_POLICY_CURRENT), 0);
	CHECK_INT(imsm_attributes_for(&s, IMSM_POLICY_LEGACY), 0x80000000);
	s.disk[0].total_blocks = 3ull << 32;
	CHECK_INT(imsm_attributes_for(&s, IMSM_POLICY_CURRENT), 0x04000000);
	CHECK(imsm_attributes_supported(0xEC0000D7));
	CHECK(!imsm_attributes_supported(0x00000008));
	CHECK(!imsm_attributes_supported(0x02000000));
}

/* ---- seed corpus for the fuzzer ------------------------------------------------ */

static int write_seed(const char *dir, const char *name, const uint8_t *b, size_t len)
{
	char path[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return 1;
	}
	n = fwrite(b, 1, len, f);
	if (fclose(f) != 0 || n != len) {
		perror(path);
		return 1;
	}
	return 0;
}

static int encode_seed(const char *dir, const char *name, const struct imsm_super *s)
{
	uint8_t b[1024];
	size_t len;

	if (imsm_encode(s, b, sizeof(b), &len) < 0) {
		fprintf(stderr, "seed %s does not encode\n", name);
		return 1;
	}
	return write_seed(dir, name, b, len);
}

static int write_seeds(const char *dir)
{
	struct imsm_super s;
	uint8_t b[1024];
	int bad = 0;

	vm_example(b);
	bad |= write_seed(dir, "vm-2vol.mpb", b, VM_MPB_BYTES);
	build_one(&s);
	bad |= encode_seed(dir, "raid10.mpb", &s);
	build_two(&s);
	bad |= encode_seed(dir, "olce-2tb-bbm.mpb", &s);
	s.dev[1].vol.migr_state = 1;
	s.dev[1].vol.migr_type = IMSM_MIGR_REBUILD;
	s.dev[1].vol.map[1] = s.dev[1].vol.map[0];
	bad |= encode_seed(dir, "olce-rebuild.mpb", &s);
	build_spare(&s);
	bad |= encode_seed(dir, "spare.mpb", &s);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0)
		return write_seeds(argv[2]);
	RUN(test_checksum_definition);
	RUN(test_vm_example_checksum);
	RUN(test_vm_example_decode);
	RUN(test_one_volume_round_trip);
	RUN(test_two_volume_round_trip);
	RUN(test_spare_round_trip);
	RUN(test_ignored_hi_words);
	RUN(test_slack_preserved);
	RUN(test_encode_contract);
	RUN(test_encode_rejects_migrations);
	RUN(test_peek);
	RUN(test_reject_envelope);
	RUN(test_reject_one_volume);
	RUN(test_reject_two_volumes);
	RUN(test_reject_second_gen_migr);
	RUN(test_warnings);
	RUN(test_state_change_warning);
	RUN(test_truncation_every_length);
	RUN(test_single_byte_mutations);
	RUN(test_size_examples);
	RUN(test_levels);
	RUN(test_placement);
	RUN(test_placement_2tb);
	RUN(test_version_strings);
	RUN(test_attributes);
	return UNIT_DONE();
}
