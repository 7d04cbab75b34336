/*
 * test-imsm-resize.c: --grow --size, the metadata part (imsm-resize.c), on
 * metadata Debian's mdadm 4.2 wrote (fixtures imsm-golden-raid0, -raid5,
 * -raid1, -2vol: a raid5 then a raid0 on the same disks).
 *
 *  - size=max: the smallest member's room up to the reserved area, as a
 *    new volume would get it; size, blocks_per_member and stripes follow;
 *    redundant volumes are marked dirty, raid0 not; the MPB encodes and
 *    decodes (the validator checks the members' room);
 *  - a given size is rounded like a new volume's; the same size is
 *    -EALREADY; smaller -ERANGE; larger than the disks -ENOSPC;
 *  - only the last volume grows; the refusals' texts are distinct.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "imsm-format.h"
#include "imsm-resize.h"
#include "imsm.h"
#include "unit.h"

static void grow_max(const char *fixture, int vol, int dirty)
{
	struct imsm_super *s = golden_load_mpb(fixture), *out = NULL;
	uint64_t kib = 0, old;

	if (!s) {
		CHECK(!"fixture");
		return;
	}
	old = imsm_map_data_blocks(&s->dev[vol].vol.map[0]);
	CHECK_INT(imsm_resize_check(s, vol, 0, &kib), 0);
	CHECK(kib * 2 > old);
	CHECK_INT(imsm_resize_apply(s, vol, 0, &out), 0);
	if (out) {
		const struct imsm_dev *d = &out->dev[vol];
		const struct imsm_map *m = &d->vol.map[0];
		int dm = imsm_data_members(imsm_map_md_level(m), m->num_members);
		uint64_t again = 0;

		CHECK_INT(imsm_map_data_blocks(m), kib * 2);
		CHECK_INT(d->size_blocks, kib * 2 * (uint64_t)dm);
		CHECK(m->blocks_per_member >= kib * 2 + 2048 - m->blocks_per_strip);
		CHECK_INT(m->pba_of_lba0, s->dev[vol].vol.map[0].pba_of_lba0);
		CHECK_INT(d->vol.dirty, dirty);
		CHECK_INT(d->vol.migr_state, 0);
		golden_round_trip(out);
		/* max again: nothing left to grow */
		CHECK_INT(imsm_resize_check(out, vol, 0, &again), 0);
		CHECK_INT(again, kib);
		CHECK_INT(imsm_resize_apply(out, vol, 0, &s), -EALREADY);
		CHECK_INT(imsm_resize_check(out, vol, kib - 1024, &again), -ERANGE);
		CHECK_INT(imsm_resize_check(out, vol, kib + 1024, &again), -ENOSPC);
	}
	imsm_free(out);
	imsm_free(s);
}

static void test_raid0_max(void)
{
	grow_max("raid0", 0, 0);
}

static void test_raid5_max(void)
{
	grow_max("raid5", 0, 1);
}

static void test_raid1_max(void)
{
	grow_max("raid1", 0, 1);
}

static void test_last_volume_only(void)
{
	struct imsm_super *s = golden_load_mpb("2vol");
	uint64_t kib = 0;

	if (!s) {
		CHECK(!"fixture");
		return;
	}
	CHECK(s->dev[1].vol.map[0].pba_of_lba0 > s->dev[0].vol.map[0].pba_of_lba0);
	CHECK_INT(imsm_resize_check(s, 0, 0, &kib), -EXDEV);
	/* the last one was created as large as the disks allow */
	CHECK_INT(imsm_resize_check(s, 1, 0, &kib), 0);
	CHECK_INT(kib * 2, imsm_map_data_blocks(&s->dev[1].vol.map[0]));
	imsm_free(s);
}

static void test_a_given_size(void)
{
	struct imsm_super *s = golden_load_mpb("raid0");
	uint64_t kib = 0, old;

	if (!s) {
		CHECK(!"fixture");
		return;
	}
	old = imsm_map_data_blocks(&s->dev[0].vol.map[0]) / 2;
	CHECK_INT(imsm_resize_check(s, 0, old + 1024 + 100, &kib), 0);
	CHECK_INT(kib, old + 1024); /* MiB-rounded like a new volume */
	s->dev[0].vol.migr_state = 1;
	CHECK_INT(imsm_resize_check(s, 0, 0, &kib), -EBUSY);
	s->dev[0].vol.migr_state = 0;
	s->dev[0].vol.map[0].map_state = IMSM_MAP_DEGRADED;
	CHECK_INT(imsm_resize_check(s, 0, 0, &kib), -EUCLEAN);
	CHECK_INT(imsm_resize_check(s, 3, 0, &kib), -ENODEV);
	s->attributes |= 0x00000100u;
	CHECK_INT(imsm_resize_check(s, 0, 0, &kib), -EPERM);
	imsm_free(s);
}

static void test_texts(void)
{
	static const int errs[] = { -ENODEV, -EPERM, -EBUSY, -EUCLEAN, -EXDEV, -ERANGE, -ENOSPC };

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(imsm_resize_error(errs[i]), imsm_resize_error(errs[j])) != 0);
}

int main(void)
{
	fixture_init();
	RUN(test_raid0_max);
	RUN(test_raid5_max);
	RUN(test_raid1_max);
	RUN(test_last_volume_only);
	RUN(test_a_given_size);
	RUN(test_texts);
	return UNIT_DONE();
}
