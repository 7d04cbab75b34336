/*
 * test-imsm-restripe.c: level and chunk migrations, the metadata part
 * (imsm-restripe.c) and the general end and rollback they share with OLCE
 * (imsm-reshape.c), on metadata Debian's mdadm 4.2 wrote (fixtures
 * imsm-golden-olce-*: a raid0 and a raid5 container of three disks, a
 * two-volume container, and a spare record each).
 *
 *  - each start: the maps (map[1] the old volume, map[0] the new
 *    geometry), the size unchanged, the record of the unit arithmetic it
 *    gives (every unit critical: as many data members before as after),
 *    the MPB encodes and decodes again and mdmon's check of a start
 *    update takes it;
 *  - the end: one map, raid5 -> raid0's last disk gone from the table,
 *    the indexes above it moved down; the rollback: the old map, the
 *    spare's record gone;
 *  - every refusal and its text.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "imsm-format.h"
#include "imsm-reshape.h"
#include "imsm-restripe.h"
#include "imsm.h"
#include "unit.h"

struct rcase {
	struct imsm_super *s, *spare;
	struct imsm_restripe_request req;
};

static bool rcase_load(struct rcase *c, const char *name)
{
	char rel[64];

	memset(c, 0, sizeof(*c));
	snprintf(rel, sizeof(rel), "%s-before", name);
	c->s = golden_load_mpb(rel);
	snprintf(rel, sizeof(rel), "%s-spare", name);
	c->spare = golden_load_mpb(rel);
	c->req.new_level = -1;
	if (!c->s || !c->spare)
		return false;
	c->req.spares = &c->spare->disk[0];
	c->req.n_spares = 1;
	return true;
}

static void rcase_free(struct rcase *c)
{
	imsm_free(c->s);
	imsm_free(c->spare);
}

/* The MPB survives encode and decode, and mdmon takes it as a start. */
static void check_round_trip(const struct imsm_super *cur, const struct imsm_super *s)
{
	golden_round_trip(s);
	CHECK_INT(imsm_olce_check_start_update(cur, s), 0);
}

/* Every unit of a restripe is critical and ends old and new rows. */
static void check_units(const struct imsm_super *s, int idx)
{
	struct imsm_reshape_geom g;
	struct imsm_migr_rec rec;
	struct imsm_reshape_step st;

	CHECK_INT(imsm_reshape_geom_of(&s->dev[idx], &g), 0);
	CHECK_INT(g.old_data, g.new_data);
	CHECK_INT(g.array_blocks, s->dev[idx].size_blocks);
	CHECK_INT(imsm_migr_rec_init(s, idx, &rec), 0);
	CHECK_INT(rec.dest_depth_per_unit % g.old_chunk_blocks, 0);
	CHECK_INT(rec.dest_depth_per_unit % g.new_chunk_blocks, 0);
	CHECK(imsm_reshape_critical_end(g.old_data, g.new_data, g.new_chunk_blocks) == UINT64_MAX);
	for (uint64_t k = 0; k < rec.num_migr_units; k++) {
		CHECK_INT(imsm_reshape_plan_step(&rec, &g, k, 0, &st), 0);
		CHECK(st.backup);
		CHECK_INT(st.units, 1);
	}
}

static void test_chunk_raid5(void)
{
	struct imsm_super *out = NULL;
	struct rcase c;

	if (!rcase_load(&c, "olce-r5")) {
		CHECK(!"fixtures");
		return;
	}
	c.req.new_chunk_blocks = 512; /* 256K */
	CHECK_INT(imsm_restripe_start(c.s, &c.req, &out), 0);
	if (out) {
		const struct imsm_dev *d = &out->dev[0];

		CHECK(imsm_migr_is_gen_migr(d));
		CHECK_INT(d->vol.map[0].blocks_per_strip, 512);
		CHECK_INT(d->vol.map[1].blocks_per_strip, c.s->dev[0].vol.map[0].blocks_per_strip);
		CHECK_INT(imsm_map_data_blocks(&d->vol.map[0]), imsm_map_data_blocks(&d->vol.map[1]));
		CHECK_INT(d->size_blocks, c.s->dev[0].size_blocks);
		CHECK_INT(out->num_disks, c.s->num_disks);
		check_round_trip(c.s, out);
		check_units(out, 0);
		CHECK_INT(imsm_olce_end_volume(out, 0, IMSM_MAP_NORMAL), 0);
		CHECK_INT(out->dev[0].vol.migr_state, 0);
		CHECK_INT(out->dev[0].size_blocks, c.s->dev[0].size_blocks);
		CHECK_INT(out->num_disks, c.s->num_disks);
	}
	imsm_free(out);
	rcase_free(&c);
}

static void test_raid0_to_raid5(void)
{
	struct imsm_super *out = NULL, *back = NULL;
	unsigned int first = 0, n;
	struct rcase c;

	if (!rcase_load(&c, "olce-r0")) {
		CHECK(!"fixtures");
		return;
	}
	c.req.new_level = 5;
	n = c.s->dev[0].vol.map[0].num_members; /* 2 in the fixture */
	CHECK_INT(imsm_restripe_start(c.s, &c.req, &out), 0);
	if (out) {
		const struct imsm_map *m0 = &out->dev[0].vol.map[0], *m1 = &out->dev[0].vol.map[1];

		CHECK_INT(m0->raid_level, IMSM_LEVEL_BYTE_RAID5);
		CHECK_INT(m0->num_members, n + 1);
		CHECK_INT(m1->raid_level, IMSM_LEVEL_BYTE_RAID0);
		CHECK_INT(m1->num_members, n);
		CHECK_INT(out->num_disks, n + 1);
		CHECK_INT(m0->disk_ord_tbl[n], n);
		CHECK(memcmp(out->disk[n].serial, c.spare->disk[0].serial, IMSM_SERIAL_BYTES) == 0);
		CHECK(out->disk[n].status & IMSM_DISK_CONFIGURED);
		CHECK(!(out->disk[n].status & IMSM_DISK_SPARE));
		CHECK_INT(out->dev[0].size_blocks, c.s->dev[0].size_blocks);
		CHECK(strcmp(out->version, c.s->version) >= 0);
		check_round_trip(c.s, out);
		check_units(out, 0);
		/* md refused: the old raid0 and the spare's record gone */
		CHECK_INT(imsm_olce_rollback(out, &back, &first), 0);
		CHECK_INT(first, n);
		if (back) {
			CHECK_INT(back->num_disks, n);
			CHECK_INT(back->dev[0].vol.migr_state, 0);
			CHECK_INT(back->dev[0].vol.map[0].raid_level, IMSM_LEVEL_BYTE_RAID0);
			CHECK_INT(back->dev[0].vol.map[0].num_members, n);
			CHECK_INT(back->dev[0].size_blocks, c.s->dev[0].size_blocks);
		}
	}
	imsm_free(back);
	imsm_free(out);
	rcase_free(&c);
}

static void test_raid5_to_raid0(void)
{
	struct imsm_super *out = NULL;
	struct rcase c;

	if (!rcase_load(&c, "olce-r5")) {
		CHECK(!"fixtures");
		return;
	}
	c.req.new_level = 0;
	CHECK_INT(imsm_restripe_start(c.s, &c.req, &out), 0);
	if (out) {
		const struct imsm_map *m0 = &out->dev[0].vol.map[0];
		char last[IMSM_SERIAL_BYTES];

		CHECK_INT(m0->raid_level, IMSM_LEVEL_BYTE_RAID0);
		CHECK_INT(m0->num_members, 2);
		CHECK_INT(out->dev[0].vol.map[1].num_members, 3);
		CHECK_INT(out->num_disks, 3);
		check_round_trip(c.s, out);
		check_units(out, 0);
		memcpy(last, out->disk[out->dev[0].vol.map[1].disk_ord_tbl[2]].serial, sizeof(last));
		out->dev[0].vol.dirty = 1; /* as mdmon marks the raid5 stage */
		CHECK_INT(imsm_olce_end_volume(out, 0, IMSM_MAP_NORMAL), 0);
		CHECK_INT(out->dev[0].vol.dirty, 0);
		CHECK_INT(out->num_disks, 2);
		CHECK(imsm_find_disk(out, last) < 0);
		CHECK_INT(out->dev[0].size_blocks, c.s->dev[0].size_blocks);
	}
	imsm_free(out);
	rcase_free(&c);
}

/* The disk leaving from the middle of the table: the indexes above move. */
static void test_end_renumbers(void)
{
	struct imsm_super *out = NULL;
	struct rcase c;

	if (!rcase_load(&c, "olce-r5")) {
		CHECK(!"fixtures");
		return;
	}
	/* slot order 1, 2, 0: the last slot is disk 0 */
	c.s->dev[0].vol.map[0].disk_ord_tbl[0] = 1;
	c.s->dev[0].vol.map[0].disk_ord_tbl[1] = 2;
	c.s->dev[0].vol.map[0].disk_ord_tbl[2] = 0;
	c.req.new_level = 0;
	CHECK_INT(imsm_restripe_start(c.s, &c.req, &out), 0);
	if (out) {
		CHECK_INT(imsm_olce_end_volume(out, 0, IMSM_MAP_NORMAL), 0);
		CHECK_INT(out->num_disks, 2);
		CHECK_INT(out->dev[0].vol.map[0].disk_ord_tbl[0], 0);
		CHECK_INT(out->dev[0].vol.map[0].disk_ord_tbl[1], 1);
		CHECK(memcmp(out->disk[0].serial, c.s->disk[1].serial, IMSM_SERIAL_BYTES) == 0);
		CHECK(memcmp(out->disk[1].serial, c.s->disk[2].serial, IMSM_SERIAL_BYTES) == 0);
	}
	imsm_free(out);
	rcase_free(&c);
}

/* One change applied to a fresh raid0 or raid5 case, and its error. */
static void refuse(const char *name, void (*change)(struct rcase *c), int want)
{
	struct imsm_super *out = NULL;
	struct rcase c;

	if (!rcase_load(&c, name)) {
		CHECK(!"fixtures");
		return;
	}
	change(&c);
	CHECK_INT(imsm_restripe_check(c.s, &c.req), want);
	CHECK_INT(imsm_restripe_start(c.s, &c.req, &out), want);
	CHECK(out == NULL);
	imsm_free(out);
	CHECK(strlen(imsm_restripe_error(want)) > 10);
	rcase_free(&c);
}

static void ch_no_vol(struct rcase *c) { c->req.vol = 1; c->req.new_chunk_blocks = 512; }
static void ch_attr(struct rcase *c) { c->s->attributes |= IMSM_ATTR_NVM; c->req.new_chunk_blocks = 512; }
static void ch_busy(struct rcase *c) { c->s->dev[0].vol.migr_state = 1; c->req.new_chunk_blocks = 512; }
static void ch_raid1(struct rcase *c) { c->s->dev[0].vol.map[0].raid_level = 1; c->s->dev[0].vol.map[0].num_members = 2; c->req.new_chunk_blocks = 512; }
static void ch_ppl(struct rcase *c) { c->s->dev[0].rwh_policy = 1; c->req.new_chunk_blocks = 512; }
static void ch_degraded(struct rcase *c) { c->s->dev[0].vol.map[0].map_state = IMSM_MAP_DEGRADED; c->req.new_chunk_blocks = 512; }
static void ch_nothing(struct rcase *c) { c->req.new_chunk_blocks = c->s->dev[0].vol.map[0].blocks_per_strip; }
static void ch_both(struct rcase *c) { c->req.new_level = 5; c->req.new_chunk_blocks = 512; }
static void ch_to_raid10(struct rcase *c) { c->req.new_level = 10; }
static void ch_chunk_odd(struct rcase *c) { c->req.new_chunk_blocks = 384; }
static void ch_chunk_big(struct rcase *c) { c->req.new_chunk_blocks = 4096; }
static void ch_chunk_small(struct rcase *c) { c->req.new_chunk_blocks = 4; }
static void ch_chunk_divides(struct rcase *c) { c->s->dev[0].vol.map[0].num_data_stripes |= 1; c->req.new_chunk_blocks = 2048; }
static void ch_two_vols(struct rcase *c) { c->s->num_raid_devs = 2; c->s->dev[1] = c->s->dev[0]; c->req.new_level = 5; }
static void ch_one_disk(struct rcase *c) { c->s->dev[0].vol.map[0].num_members = 1; c->req.new_level = 5; }
static void ch_platform(struct rcase *c) { c->req.max_members = c->s->dev[0].vol.map[0].num_members; c->req.new_level = 5; }
static void ch_known_spare(struct rcase *c) { c->spare->disk[0] = c->s->disk[1]; c->req.new_level = 5; }
static void ch_no_spare(struct rcase *c) { c->req.n_spares = 0; c->req.new_level = 5; }
static void ch_small_spare(struct rcase *c) { c->spare->disk[0].total_blocks = 4096; c->req.new_level = 5; }

static void test_refusals(void)
{
	refuse("olce-r0", ch_no_vol, -ENODEV);
	refuse("olce-r0", ch_attr, -EPERM);
	refuse("olce-r0", ch_busy, -EBUSY);
	refuse("olce-r0", ch_raid1, -EMEDIUMTYPE);
	refuse("olce-r5", ch_ppl, -EOPNOTSUPP);
	refuse("olce-r5", ch_degraded, -EUCLEAN);
	refuse("olce-r5", ch_nothing, -EINVAL);
	refuse("olce-r0", ch_both, -EINVAL);
	refuse("olce-r0", ch_to_raid10, -ENOSYS);
	refuse("olce-r5", ch_chunk_odd, -EDOM);
	refuse("olce-r5", ch_chunk_big, -EDOM);
	refuse("olce-r5", ch_chunk_small, -EDOM);
	refuse("olce-r5", ch_chunk_divides, -ERANGE);
	refuse("olce-r0", ch_two_vols, -EXDEV);
	refuse("olce-r0", ch_one_disk, -ELNRNG);
	refuse("olce-r0", ch_platform, -E2BIG);
	refuse("olce-r0", ch_known_spare, -EEXIST);
	refuse("olce-r0", ch_no_spare, -ENOENT);
	refuse("olce-r0", ch_small_spare, -ENOSPC);
}

/*
 * Every pair of chunk sizes IMSM allows (4K..1M), raid5 and raid0, and both
 * level changes at each chunk: the geometry is one of a restripe (as many
 * data members, the size kept), units are whole rows of both layouts and
 * at most the copy area deep, all critical, and the copy area sits 2209
 * blocks below the end of the smallest member.
 */
static void test_every_pair(void)
{
	static const char *const names[] = { "olce-r5", "olce-r0" };
	int cases = 0;

	for (size_t f = 0; f < 2; f++)
		for (uint32_t from = 8; from <= 2048; from *= 2)
			for (uint32_t to = 8; to <= 2048; to *= 2)
				for (int lvl = -1; lvl <= 0; lvl++) {
					struct imsm_super *out = NULL;
					struct imsm_migr_rec rec;
					struct imsm_map *m;
					struct rcase c;
					uint64_t data;

					if ((lvl == 0 && from != to) || (lvl < 0 && from == to) ||
					    !rcase_load(&c, names[f]))
						continue;
					m = &c.s->dev[0].vol.map[0];
					data = imsm_map_data_blocks(m) / 2048 * 2048;
					m->blocks_per_strip = (uint16_t)from;
					m->num_data_stripes = data / from;
					c.req.new_chunk_blocks = lvl < 0 ? to : 0;
					c.req.new_level = lvl < 0 ? -1 : (f == 0 ? 0 : 5);
					CHECK_INT(imsm_restripe_start(c.s, &c.req, &out), 0);
					if (out) {
						check_units(out, 0);
						CHECK_INT(imsm_migr_rec_init(out, 0, &rec), 0);
						CHECK(rec.dest_depth_per_unit <= IMSM_GEN_MIGR_AREA_BLOCKS);
						CHECK_INT(rec.ckpt_area_pba,
							  c.s->disk[0].total_blocks - 2209);
						CHECK_INT(rec.post_migr_vol_cap, c.s->dev[0].size_blocks);
						cases++;
					}
					imsm_free(out);
					rcase_free(&c);
				}
	CHECK(cases >= 100);
}

/* The one table: md's shape for each pair of maps. */
static void test_md_transitions(void)
{
	struct imsm_map a = { .raid_level = IMSM_LEVEL_BYTE_RAID0, .num_members = 3 };
	struct imsm_map b = { .raid_level = IMSM_LEVEL_BYTE_RAID5, .num_members = 4 };
	struct imsm_map c = { .raid_level = IMSM_LEVEL_BYTE_RAID0, .num_members = 4 };
	struct imsm_map d = { .raid_level = IMSM_LEVEL_BYTE_RAID1, .num_members = 2 };
	struct imsm_md_reshape r;

	CHECK_INT(imsm_md_reshape_of(&b, &a, &r), 0); /* raid0 3 -> raid5 4 */
	CHECK_INT(r.level, 5);
	CHECK_INT(r.old_disks, 4);
	CHECK_INT(r.new_disks, 4);
	CHECK_INT(r.old_layout, MD_LAYOUT_PARITY_LAST);
	CHECK_INT(r.new_layout, MD_LAYOUT_LEFT_ASYMMETRIC);
	CHECK(r.from_raid0 && !r.to_raid0);
	CHECK_INT(imsm_md_reshape_of(&a, &b, &r), 0); /* raid5 4 -> raid0 3 */
	CHECK_INT(r.level, 5);
	CHECK_INT(r.old_disks, 4);
	CHECK_INT(r.new_disks, 4);
	CHECK_INT(r.old_layout, MD_LAYOUT_LEFT_ASYMMETRIC);
	CHECK_INT(r.new_layout, MD_LAYOUT_PARITY_LAST);
	CHECK(!r.from_raid0 && r.to_raid0);
	CHECK_INT(imsm_md_reshape_of(&c, &a, &r), 0); /* raid0 OLCE 3 -> 4 */
	CHECK_INT(r.level, 4);
	CHECK_INT(r.old_disks, 4);
	CHECK_INT(r.new_disks, 5);
	CHECK(r.from_raid0 && r.to_raid0);
	CHECK_INT(imsm_md_reshape_of(&b, &b, &r), 0);
	CHECK_INT(r.level, 5);
	CHECK_INT(r.old_disks, 4);
	CHECK(!r.from_raid0 && !r.to_raid0);
	CHECK_INT(imsm_md_reshape_of(&d, &a, &r), -EINVAL);
	CHECK_INT(imsm_md_reshape_of(&a, &d, &r), -EINVAL);
}

int main(void)
{
	fixture_init();
	RUN(test_chunk_raid5);
	RUN(test_raid0_to_raid5);
	RUN(test_raid5_to_raid0);
	RUN(test_end_renumbers);
	RUN(test_refusals);
	RUN(test_md_transitions);
	RUN(test_every_pair);
	return UNIT_DONE();
}
