/*
 * test-imsm-rebuild.c: container spares and rebuilds (imsm-rebuild.c).
 *
 *  - the spare record test and the size a replacement needs (§1.5, §7.4)
 *    on metadata Debian's mdadm 4.2 wrote (a degraded RAID5);
 *  - which slot a spare should take, and what refuses an activation;
 *  - activating a spare gives the records of §6.4 (map[0] target, map[1]
 *    the degraded map with the new member flagged, failed slot kept, the
 *    failed disk's record deleted, family moved, orig family kept), and
 *    the result encodes and decodes again;
 *  - checkpoints and md's recovery_start during the rebuild; the end of
 *    the rebuild (normal, failed 0xFF); a failure of the new member ends
 *    it degraded;
 *  - two volumes (§7.4 [VM] example): the second volume takes the disk
 *    the first got in the same slot; the failed disk stays until the
 *    second volume got its replacement, then the table is
 *    [DISK0001, DISK0003, DISK0004] and the ords [0,2,1];
 *  - deleting a record shifts ords and bad-block ordinals.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "imsm-migr.h"
#include "imsm-rebuild.h"
#include "imsm.h"
#include "unit.h"

#define MPB_MAX 4096
#define DEGRADED "fixtures/imsm-golden-raid5-degraded.hex"
#define NORMAL "fixtures/imsm-golden-raid5.hex"
#define SPARE "fixtures/imsm-golden-spare.hex"
#define TWO_VOL "fixtures/imsm-mpb-vm-2vol.hex"

static struct imsm_super *load(const char *rel)
{
	uint8_t buf[MPB_MAX];
	struct imsm_super *s = NULL;
	size_t len = 0;

	CHECK_INT(fixture_load_hex(rel, buf, sizeof(buf), &len), 0);
	CHECK_INT(imsm_decode(buf, sizeof(buf), &s), 0);
	return s;
}

/* encode -> decode -> encode gives the same bytes and no warning. */
static void check_round_trip(const struct imsm_super *s, unsigned int warnings)
{
	uint8_t a[MPB_MAX], b[MPB_MAX];
	struct imsm_super *d = NULL;
	size_t la = 0, lb = 0;

	CHECK_INT(imsm_encode(s, a, sizeof(a), &la), 0);
	CHECK_INT(imsm_decode(a, sizeof(a), &d), 0);
	if (!d)
		return;
	CHECK_INT(d->warnings, warnings);
	CHECK_INT(imsm_encode(d, b, sizeof(b), &lb), 0);
	CHECK_INT(lb, la);
	CHECK(memcmp(a, b, la) == 0);
	imsm_free(d);
}

static struct imsm_disk new_disk(const char *serial, uint64_t blocks)
{
	struct imsm_disk d;

	memset(&d, 0, sizeof(d));
	strncpy(d.serial, serial, IMSM_SERIAL_BYTES);
	d.total_blocks = blocks;
	d.status = IMSM_DISK_SPARE;
	return d;
}

static struct imsm_activation activation(int vol, int slot, const char *serial, uint64_t blocks)
{
	return (struct imsm_activation){
		.vol = vol, .slot = slot, .rec = new_disk(serial, blocks), .family_delta = 0x1000};
}

static void check_serial(const struct imsm_super *s, int i, const char *want)
{
	char got[IMSM_SERIAL_BYTES + 1] = {0};

	CHECK(i < s->num_disks);
	memcpy(got, s->disk[i].serial, IMSM_SERIAL_BYTES);
	CHECK_STR(got, want);
}

/* ---- spares and sizes ------------------------------------------------------- */

static void test_spare_record(void)
{
	struct imsm_super *spare = load(SPARE), *deg = load(DEGRADED);

	if (spare)
		CHECK(imsm_spare_is_record(spare));
	if (deg) {
		CHECK(!imsm_spare_is_record(deg));
		CHECK_INT(imsm_spare_family(deg), 0x548da584);
		deg->orig_family_num = 0;
		deg->family_num = 0x1234;
		CHECK_INT(imsm_spare_family(deg), 0x1234);
	}
	imsm_free(spare);
	imsm_free(deg);
}

/*
 * 3 disks of 65536 blocks, data 64 stripes x 256 = 16384 blocks at pba 0,
 * blocks_per_member 18432: R of the members is 10402, a spare keeps
 * min(2210 + 2048, 10402) = 4258 -> 16384 + 4258.
 */
static void test_min_blocks(void)
{
	struct imsm_super *s = load(DEGRADED);

	CHECK_INT(imsm_spare_min_blocks(NULL), 10402 + 2048);
	if (!s)
		return;
	CHECK_INT(imsm_spare_min_blocks(s), 16384 + 4258);
	/* a volume that reaches the end: blocks_per_member decides */
	s->dev[0].vol.map[0].blocks_per_member = 30000;
	CHECK_INT(imsm_spare_min_blocks(s), 30000 + 2 + 1);
	imsm_free(s);
}

static void test_wanted_slot(void)
{
	struct imsm_super *deg = load(DEGRADED), *ok = load(NORMAL);

	if (ok)
		CHECK_INT(imsm_rebuild_wanted_slot(ok, 0), -1);
	if (!deg)
		goto out;
	CHECK_INT(imsm_rebuild_wanted_slot(deg, 0), 2);
	CHECK_INT(imsm_rebuild_wanted_slot(deg, 1), -1);
	CHECK(!imsm_rebuild_disk_free(deg, 2, 0)); /* failed */
	CHECK(!imsm_rebuild_disk_free(deg, 0, 0)); /* in the volume */
	deg->dev[0].vol.map[0].map_state = IMSM_MAP_FAILED;
	CHECK_INT(imsm_rebuild_wanted_slot(deg, 0), -1);
	deg->dev[0].vol.map[0].map_state = IMSM_MAP_DEGRADED;
	imsm_migr_start(&deg->dev[0], IMSM_MIGR_REBUILD, IMSM_MAP_NORMAL);
	CHECK_INT(imsm_rebuild_wanted_slot(deg, 0), -1);
out:
	imsm_free(deg);
	imsm_free(ok);
}

static void test_check_refusals(void)
{
	struct imsm_super *s = load(DEGRADED);
	struct imsm_activation a;

	if (!s)
		return;
	a = activation(0, 2, "/dev/loop19", 16384 + 4258 - 1);
	CHECK_INT(imsm_rebuild_check(s, &a), -ENOSPC);
	a = activation(0, 1, "/dev/loop19", 65536);
	CHECK_INT(imsm_rebuild_check(s, &a), -EBUSY); /* slot 1 is in sync */
	a = activation(0, 2, "/dev/loop17", 65536);
	CHECK_INT(imsm_rebuild_check(s, &a), -EBUSY); /* already a member */
	a = activation(1, 2, "/dev/loop19", 65536);
	CHECK_INT(imsm_rebuild_check(s, &a), -EINVAL);
	a = activation(0, 2, "/dev/loop19", 65536);
	CHECK_INT(imsm_rebuild_check(s, &a), 0);
	imsm_free(s);
}

/* ---- one volume: activation, progress, end ------------------------------------ */

static void check_activated(const struct imsm_super *s, uint32_t family)
{
	const struct imsm_dev *dev = &s->dev[0];
	const struct imsm_map *m0 = &dev->vol.map[0], *m1 = &dev->vol.map[1];

	CHECK_INT(s->num_disks, 3); /* loop18:0 deleted, loop19 appended */
	check_serial(s, 2, "/dev/loop19");
	CHECK_INT(s->disk[2].status, IMSM_DISK_CONFIGURED);
	CHECK_INT(dev->vol.migr_state, 1);
	CHECK_INT(dev->vol.migr_type, IMSM_MIGR_REBUILD);
	CHECK_INT(dev->vol.curr_migr_unit, 0);
	CHECK_INT(m0->disk_ord_tbl[0], 0);
	CHECK_INT(m0->disk_ord_tbl[1], 1);
	CHECK_INT(m0->disk_ord_tbl[2], 2);
	CHECK_INT(m1->disk_ord_tbl[2], 2 | IMSM_ORD_REBUILD);
	CHECK_INT(m0->map_state, IMSM_MAP_NORMAL);
	CHECK_INT(m1->map_state, IMSM_MAP_DEGRADED);
	CHECK_INT(m0->failed_disk_num, 2);
	CHECK_INT(m1->failed_disk_num, 2);
	CHECK_INT(s->orig_family_num, 0x548da584);
	CHECK_INT(s->family_num, family + 0x1000);
	CHECK_INT(imsm_rebuild_slot(dev), 2);
}

static void test_activate_end(void)
{
	struct imsm_super *s = load(DEGRADED);
	struct imsm_activation a = activation(0, 2, "/dev/loop19", 65536);
	struct imsm_dev *dev;

	if (!s)
		return;
	dev = &s->dev[0];
	CHECK_INT(imsm_rebuild_activate(s, &a), 0);
	check_activated(s, 0x548da584);
	check_round_trip(s, 0);
	CHECK_INT(imsm_rebuild_activate(s, &a), -EBUSY); /* no second one */
	/* RAID5 64 KiB strips... here 128 KiB: factor max(128, 256) = 256 */
	CHECK_INT(imsm_migr_blocks_per_unit(dev), 256);
	CHECK(imsm_migr_set_checkpoint(dev, 1000));
	CHECK_INT(dev->vol.curr_migr_unit, 3);
	CHECK_INT(imsm_rebuild_recovery_start(dev, 2), 768);
	CHECK_INT(imsm_rebuild_recovery_start(dev, 0), ~0ULL);
	check_round_trip(s, 0);
	CHECK(imsm_rebuild_end(s, 0));
	CHECK_INT(dev->vol.migr_state, 0);
	CHECK_INT(dev->vol.curr_migr_unit, 0);
	CHECK_INT(dev->vol.map[0].map_state, IMSM_MAP_NORMAL);
	CHECK_INT(dev->vol.map[0].failed_disk_num, IMSM_FAILED_DISK_NONE);
	CHECK_INT(dev->vol.map[0].disk_ord_tbl[2], 2);
	CHECK(!imsm_rebuild_end(s, 0));
	CHECK_INT(imsm_rebuild_wanted_slot(s, 0), -1);
	check_round_trip(s, 0);
	imsm_free(s);
}

/* The new member fails during the rebuild: the rebuild ends degraded. */
static void test_new_member_fails(void)
{
	struct imsm_super *s = load(DEGRADED);
	struct imsm_activation a = activation(0, 2, "/dev/loop19", 65536);
	struct imsm_dev *dev;

	if (!s)
		return;
	dev = &s->dev[0];
	CHECK_INT(imsm_rebuild_activate(s, &a), 0);
	CHECK(imsm_mark_failed(s, 2));
	CHECK_INT(imsm_rebuild_slot(dev), -1);
	CHECK_INT(imsm_rebuild_recovery_start(dev, 2), 0);
	CHECK(imsm_rebuild_end(s, 0));
	CHECK_INT(dev->vol.migr_state, 0);
	CHECK_INT(dev->vol.map[0].map_state, IMSM_MAP_DEGRADED);
	CHECK_INT(dev->vol.map[0].failed_disk_num, 2);
	CHECK_INT(dev->vol.map[0].disk_ord_tbl[2], 2 | IMSM_ORD_REBUILD);
	CHECK_INT(imsm_rebuild_wanted_slot(s, 0), 2);
	check_round_trip(s, 0);
	imsm_free(s);
}

/* ---- two volumes (§7.4 [VM]) ------------------------------------------------------ */

/* The fixture's second volume is RAID0; make it a RAID5 of the same
 * strips so both volumes can rebuild (sizes then differ: a warning). */
static struct imsm_super *load_two_raid5(void)
{
	struct imsm_super *s = load(TWO_VOL);

	if (s)
		s->dev[1].vol.map[0].raid_level = IMSM_LEVEL_BYTE_RAID5;
	return s;
}

static void test_two_volumes(void)
{
	struct imsm_super *s = load_two_raid5();
	struct imsm_activation a0 = activation(0, 1, "DISK0004", 262144);
	struct imsm_activation a1 = activation(1, 1, "DISK0004", 262144);

	if (!s)
		return;
	CHECK(imsm_mark_failed(s, 1)); /* DISK0002 fails in both */
	CHECK_INT(imsm_rebuild_partner(s, 1, 1), -1); /* vol0's slot 1 failed too */
	CHECK_INT(imsm_rebuild_partner(s, 1, 0), -1); /* DISK0001: in vol1 already */
	CHECK_INT(imsm_rebuild_activate(s, &a0), 0);
	CHECK_INT(imsm_rebuild_partner(s, 1, 1), 3);  /* vol0's replacement */
	CHECK_INT(s->num_disks, 4); /* DISK0002 still used by vol1 */
	check_serial(s, 3, "DISK0004");
	CHECK_INT(s->dev[0].vol.map[0].disk_ord_tbl[1], 3);
	CHECK(imsm_rebuild_disk_free(s, 3, 1));
	CHECK_INT(imsm_rebuild_activate(s, &a1), 0);
	CHECK_INT(s->num_disks, 3);
	check_serial(s, 0, "DISK0001");
	check_serial(s, 1, "DISK0003");
	check_serial(s, 2, "DISK0004");
	for (int v = 0; v < 2; v++) {
		const struct imsm_vol *vol = &s->dev[v].vol;

		CHECK_INT(vol->map[0].disk_ord_tbl[0], 0);
		CHECK_INT(vol->map[0].disk_ord_tbl[1], 2);
		CHECK_INT(vol->map[0].disk_ord_tbl[2], 1);
		CHECK_INT(vol->map[1].disk_ord_tbl[1], 2 | IMSM_ORD_REBUILD);
		CHECK_INT(vol->map[1].map_state, IMSM_MAP_DEGRADED);
		CHECK_INT(vol->map[0].map_state, IMSM_MAP_NORMAL);
	}
	CHECK_INT(s->family_num, 0x83a4b242u + 0x2000);
	CHECK_INT(s->orig_family_num, 0x83a4b242u);
	check_round_trip(s, IMSM_WARN_SIZE_MISMATCH);
	imsm_free(s);
}

/* ---- deleting a record ------------------------------------------------------------ */

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void test_delete_disk(void)
{
	struct imsm_super *s = load(DEGRADED);
	uint8_t *e;

	if (!s)
		return;
	CHECK_INT(imsm_rebuild_delete_disk(s, 1), -EBUSY);
	CHECK_INT(imsm_rebuild_delete_disk(s, 3), -EINVAL);
	/* a log with one entry per disk */
	put_le32(s->bbm_log, IMSM_BBM_SIGNATURE);
	put_le32(s->bbm_log + 4, 3);
	for (int i = 0; i < 3; i++) {
		e = s->bbm_log + IMSM_BBM_HEADER_BYTES + IMSM_BBM_ENTRY_BYTES * i;
		memset(e, 0, IMSM_BBM_ENTRY_BYTES);
		e[0] = 7;
		e[1] = (uint8_t)i;
		e[2] = (uint8_t)(0x10 + i);
	}
	s->bbm_log_bytes = IMSM_BBM_HEADER_BYTES + 3 * IMSM_BBM_ENTRY_BYTES;
	/* disk 1 leaves the volume (slots 1 and 2 now both name disk 2) */
	s->dev[0].vol.map[0].disk_ord_tbl[1] = 2 | IMSM_ORD_REBUILD;
	CHECK_INT(imsm_rebuild_delete_disk(s, 1), 0);
	CHECK_INT(s->num_disks, 2);
	check_serial(s, 1, "/dev/loop18:0");
	CHECK_INT(s->dev[0].vol.map[0].disk_ord_tbl[1], 1 | IMSM_ORD_REBUILD);
	CHECK_INT(s->dev[0].vol.map[0].disk_ord_tbl[2], 1 | IMSM_ORD_REBUILD);
	CHECK_INT(s->bbm_log_bytes, IMSM_BBM_HEADER_BYTES + 2 * IMSM_BBM_ENTRY_BYTES);
	e = s->bbm_log + IMSM_BBM_HEADER_BYTES;
	CHECK_INT(e[1], 0);
	CHECK_INT(e[2], 0x10);
	CHECK_INT(e[IMSM_BBM_ENTRY_BYTES + 1], 1);
	CHECK_INT(e[IMSM_BBM_ENTRY_BYTES + 2], 0x12);
	imsm_free(s);
}

int main(void)
{
	fixture_init();
	RUN(test_spare_record);
	RUN(test_min_blocks);
	RUN(test_wanted_slot);
	RUN(test_check_refusals);
	RUN(test_activate_end);
	RUN(test_new_member_fails);
	RUN(test_two_volumes);
	RUN(test_delete_disk);
	return UNIT_DONE();
}
