/*
 * test-imsm-takeover.c: takeovers, the metadata part (imsm-takeover.c), on
 * metadata Debian's mdadm 4.2 wrote (fixtures imsm-golden-raid0: 2 disks,
 * raid10: 4, raid1: 2, 2vol: a raid5 and a raid0 of 3 disks,
 * olce-r0-spare: a spare record).
 *
 *  - raid0 (2) -> raid10 (4) as imsm-format.md §6.6 saw upstream write
 *    it: level byte 1, 4 members, 2 domains, degraded, failed slot 1,
 *    num_data_stripes halved; old slot k in slot 2k, placeholders flagged
 *    out of sync in the odd slots; and back to raid0 again;
 *  - raid10 -> raid0: slots 0 and 2 stay, the others leave the table;
 *    raid1 -> raid0 -> raid1;
 *  - raid0 of 3 -> raid10 of 6 needs force (not bootable) and gets the
 *    RAID10_EXT attribute (version 1.3.00: the level bits come with it);
 *  - every result encodes and decodes again (the validator passes it);
 *  - every refusal, in its order, with its own text.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "imsm-format.h"
#include "imsm-takeover.h"
#include "imsm.h"
#include "unit.h"

static struct imsm_super *spare_rec;

/* Two copies of the spare's record (distinct serials), enough for 2 mirrors. */
static struct imsm_disk spares[3];

static void make_spares(void)
{
	for (int i = 0; i < 3; i++) {
		spares[i] = spare_rec->disk[0];
		spares[i].serial[0] = (uint8_t)('A' + i);
	}
}

static struct imsm_takeover_request req_of(int vol, int level, unsigned int n_spares)
{
	return (struct imsm_takeover_request){ .vol = vol, .new_level = level,
					       .spares = spares, .n_spares = n_spares };
}

static uint32_t ord_index(uint32_t ord)
{
	return ord & IMSM_ORD_INDEX_MASK;
}

static void check_placeholder(const struct imsm_super *s, uint32_t ord)
{
	const struct imsm_disk *d = &s->disk[ord_index(ord)];

	CHECK(ord & IMSM_ORD_REBUILD);
	CHECK(ord_index(ord) < s->num_disks);
	CHECK(d->status & IMSM_DISK_FAILED);
	CHECK(memcmp(d->serial, "missing:", 8) == 0);
}

static void test_raid0_to_raid10_and_back(void)
{
	struct imsm_super *s = golden_load_mpb("raid0"), *r10 = NULL, *r0 = NULL;
	struct imsm_takeover_request rq = req_of(0, 10, 2);

	if (!s) {
		CHECK(!"fixture");
		return;
	}
	CHECK_INT(imsm_takeover_spares_needed(s, &rq), 2);
	CHECK_INT(imsm_takeover_apply(s, &rq, &r10), 0);
	if (r10) {
		const struct imsm_map *m = &r10->dev[0].vol.map[0], *o = &s->dev[0].vol.map[0];

		CHECK_INT(m->raid_level, IMSM_LEVEL_BYTE_RAID1);
		CHECK_INT(imsm_map_md_level(m), 10);
		CHECK_INT(m->num_members, 4);
		CHECK_INT(m->num_domains, 2);
		CHECK_INT(m->map_state, IMSM_MAP_DEGRADED);
		CHECK_INT(m->failed_disk_num, 1);
		CHECK_INT(m->num_data_stripes, o->num_data_stripes / 2);
		CHECK_INT(m->disk_ord_tbl[0], o->disk_ord_tbl[0]);
		CHECK_INT(m->disk_ord_tbl[2], o->disk_ord_tbl[1]);
		check_placeholder(r10, m->disk_ord_tbl[1]);
		check_placeholder(r10, m->disk_ord_tbl[3]);
		CHECK(ord_index(m->disk_ord_tbl[1]) != ord_index(m->disk_ord_tbl[3]));
		CHECK_INT(r10->num_disks, 4);
		CHECK_INT(r10->dev[0].size_blocks, s->dev[0].size_blocks);
		CHECK_INT(m->pba_of_lba0, o->pba_of_lba0);
		CHECK_INT(m->blocks_per_member, o->blocks_per_member);
		CHECK_INT(r10->dev[0].vol.migr_state, 0);
		CHECK(strcmp(r10->version, s->version) > 0);
		golden_round_trip(r10);
		/* a degraded raid10 is refused; healthy again it goes back */
		rq = req_of(0, 0, 0);
		CHECK_INT(imsm_takeover_check(r10, &rq), -EUCLEAN);
	}
	imsm_free(r0);
	imsm_free(r10);
	imsm_free(s);
}

static void test_raid10_to_raid0(void)
{
	struct imsm_super *s = golden_load_mpb("raid10"), *r0 = NULL, *again = NULL;
	struct imsm_takeover_request rq = req_of(0, 0, 0);

	if (!s) {
		CHECK(!"fixture");
		return;
	}
	CHECK_INT(imsm_takeover_spares_needed(s, &rq), 0);
	CHECK_INT(imsm_takeover_apply(s, &rq, &r0), 0);
	if (r0) {
		const struct imsm_map *m = &r0->dev[0].vol.map[0], *o = &s->dev[0].vol.map[0];

		CHECK_INT(m->raid_level, IMSM_LEVEL_BYTE_RAID0);
		CHECK_INT(m->num_members, 2);
		CHECK_INT(m->num_domains, 1);
		CHECK_INT(m->map_state, IMSM_MAP_NORMAL);
		CHECK_INT(m->failed_disk_num, IMSM_FAILED_DISK_NONE);
		CHECK_INT(m->num_data_stripes, o->num_data_stripes * 2);
		CHECK_INT(r0->num_disks, 2);
		CHECK(memcmp(r0->disk[m->disk_ord_tbl[0]].serial,
			     s->disk[ord_index(o->disk_ord_tbl[0])].serial, IMSM_SERIAL_BYTES) == 0);
		CHECK(memcmp(r0->disk[m->disk_ord_tbl[1]].serial,
			     s->disk[ord_index(o->disk_ord_tbl[2])].serial, IMSM_SERIAL_BYTES) == 0);
		CHECK_INT(r0->dev[0].size_blocks, s->dev[0].size_blocks);
		golden_round_trip(r0);
		/* and raid10 once more: the same geometry as before */
		rq = req_of(0, 10, 2);
		CHECK_INT(imsm_takeover_apply(r0, &rq, &again), 0);
		if (again)
			CHECK_INT(again->dev[0].vol.map[0].num_data_stripes, o->num_data_stripes);
	}
	imsm_free(again);
	imsm_free(r0);
	imsm_free(s);
}

static void test_raid1_to_raid0_and_back(void)
{
	struct imsm_super *s = golden_load_mpb("raid1"), *r0 = NULL, *r1 = NULL;
	struct imsm_takeover_request rq = req_of(0, 0, 0);

	if (!s) {
		CHECK(!"fixture");
		return;
	}
	CHECK_INT(imsm_takeover_apply(s, &rq, &r0), 0);
	if (r0) {
		const struct imsm_map *m = &r0->dev[0].vol.map[0];

		CHECK_INT(imsm_map_md_level(m), 0);
		CHECK_INT(m->num_members, 1);
		CHECK_INT(m->blocks_per_strip, 128); /* md's raid0 of a raid1: 64K */
		CHECK_INT(m->num_data_stripes, s->dev[0].size_blocks / 128);
		CHECK_INT(r0->num_disks, 1);
		golden_round_trip(r0);
		rq = req_of(0, 10, 1);
		CHECK_INT(imsm_takeover_check(r0, &rq), -ELNRNG);
		rq = req_of(0, 1, 0);
		CHECK_INT(imsm_takeover_check(r0, &rq), -ENOENT);
		rq = req_of(0, 1, 1);
		CHECK_INT(imsm_takeover_apply(r0, &rq, &r1), 0);
	}
	if (r1) {
		const struct imsm_map *m = &r1->dev[0].vol.map[0], *o = &s->dev[0].vol.map[0];

		CHECK_INT(imsm_map_md_level(m), 1);
		CHECK_INT(m->num_members, 2);
		CHECK_INT(m->num_data_stripes, o->num_data_stripes);
		CHECK_INT(m->blocks_per_strip, o->blocks_per_strip);
		CHECK_INT(m->map_state, IMSM_MAP_DEGRADED);
		check_placeholder(r1, m->disk_ord_tbl[1]);
		golden_round_trip(r1);
	}
	imsm_free(r1);
	imsm_free(r0);
	imsm_free(s);
}

static void test_six_disk_raid10_needs_force(void)
{
	struct imsm_super *s = golden_load_mpb("2vol"), *out = NULL;
	struct imsm_takeover_request rq = req_of(0, 10, 3);

	if (!s) {
		CHECK(!"fixture");
		return;
	}
	s->dev[0] = s->dev[1]; /* its raid0 of three disks alone */
	s->num_raid_devs = 1;
	if (s->dev[0].vol.map[0].num_members != 3) {
		CHECK(!"a raid0 of three disks");
		imsm_free(s);
		return;
	}
	CHECK_INT(imsm_takeover_check(s, &rq), -ECANCELED);
	rq.force = true;
	CHECK_INT(imsm_takeover_apply(s, &rq, &out), 0);
	if (out) {
		const struct imsm_map *m = &out->dev[0].vol.map[0];

		CHECK_INT(m->raid_level, IMSM_LEVEL_BYTE_RAID10);
		CHECK_INT(m->num_members, 6);
		CHECK(out->attributes & IMSM_ATTR_RAID10_EXT);
		golden_round_trip(out);
	}
	imsm_free(out);
	imsm_free(s);
}

static void test_refusals(void)
{
	struct imsm_super *r0 = golden_load_mpb("raid0"), *r5 = golden_load_mpb("raid5"),
			  *two = golden_load_mpb("2vol");
	struct imsm_takeover_request rq;
	static const int errs[] = { -ENODEV, -EPERM, -EBUSY, -EINVAL, -ENOSYS, -EUCLEAN,
				    -EXDEV, -ELNRNG, -EPROTONOSUPPORT, -E2BIG, -ECANCELED,
				    -EEXIST, -ENOENT, -ENOSPC };

	if (!r0 || !r5 || !two) {
		CHECK(!"fixtures");
		goto out;
	}
	rq = req_of(1, 10, 2);
	CHECK_INT(imsm_takeover_check(r0, &rq), -ENODEV);
	rq = req_of(0, 0, 0);
	CHECK_INT(imsm_takeover_check(r0, &rq), -EINVAL);
	rq = req_of(0, 4, 0);
	CHECK_INT(imsm_takeover_check(r5, &rq), -ENOSYS);
	rq = req_of(0, 10, 2);
	CHECK_INT(imsm_takeover_check(r5, &rq), -ENOSYS);
	rq = req_of(0, 1, 2);
	CHECK_INT(imsm_takeover_check(r0, &rq), -ENOSYS);
	rq = req_of(1, 10, 3); /* the raid0 next to a raid5 */
	CHECK_INT(imsm_takeover_check(two, &rq), -EXDEV);
	rq = req_of(0, 10, 2);
	rq.no_raid10 = true;
	CHECK_INT(imsm_takeover_check(r0, &rq), -EPROTONOSUPPORT);
	rq = req_of(0, 10, 2);
	rq.max_members = 3;
	CHECK_INT(imsm_takeover_check(r0, &rq), -E2BIG);
	rq = req_of(0, 10, 1);
	CHECK_INT(imsm_takeover_check(r0, &rq), -ENOENT);
	spares[1].total_blocks = 2048;
	rq = req_of(0, 10, 2);
	CHECK_INT(imsm_takeover_check(r0, &rq), -ENOSPC);
	make_spares();
	memcpy(spares[1].serial, r0->disk[0].serial, IMSM_SERIAL_BYTES);
	CHECK_INT(imsm_takeover_check(r0, &rq), -EEXIST);
	make_spares();
	rq.spares = NULL; /* mdmon: the geometry only */
	CHECK_INT(imsm_takeover_check(r0, &rq), 0);
	r0->dev[0].vol.migr_state = 1;
	CHECK_INT(imsm_takeover_check(r0, &rq), -EBUSY);
	r0->dev[0].vol.migr_state = 0;
	r0->attributes |= 0x00000100u; /* not one upstream knows */
	CHECK_INT(imsm_takeover_check(r0, &rq), -EPERM);
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(imsm_takeover_error(errs[i]), imsm_takeover_error(errs[j])) != 0);
out:
	imsm_free(r0);
	imsm_free(r5);
	imsm_free(two);
}

int main(void)
{
	fixture_init();
	spare_rec = golden_load_mpb("olce-r0-spare");
	if (!spare_rec)
		return 1;
	make_spares();
	RUN(test_raid0_to_raid10_and_back);
	RUN(test_raid10_to_raid0);
	RUN(test_raid1_to_raid0_and_back);
	RUN(test_six_disk_raid10_needs_force);
	RUN(test_refusals);
	imsm_free(spare_rec);
	return UNIT_DONE();
}
