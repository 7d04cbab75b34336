/*
 * test-imsm-reshape.c: Online Capacity Expansion metadata, the migration
 * record and the general-migration arithmetic (imsm-reshape.c).
 *
 *  - golden: fixtures/imsm-golden-olce-* are metadata Debian's mdadm 4.2
 *    wrote while it grew a container by one disk (captured by
 *    tests/vm/tools/capture-golden-olce.sh): the MPB before the grow, the
 *    added disk's spare record, the MPB and the migration record after the
 *    reshape was interrupted.  Our builder, fed the "before" MPB and the
 *    spare, gives the peer's MPB byte for byte apart from what moves with
 *    time (generation, checksum, the checkpoint unit, the dirty flag), and
 *    our initial migration record the peer's apart from its progress
 *    fields; for the two-volume container also after ending the first
 *    volume's migration and starting the second's (mdmon's part).
 *  - the migration record codec (512 and 4Kn units), unit positions and
 *    step plans for the peer's raid5 3 -> 4 geometry;
 *  - every refusal of imsm_olce_check() and its text;
 *  - the safety bound, exhaustively on small geometries with a model: an
 *    in-memory reshape, stripe row by stripe row, with distinct data,
 *    crashed after every single write (and every record write), recovered
 *    from the recorded checkpoint (and the copy area where the record says
 *    so) and the two layouts alone, must lose nothing; letting md go one
 *    chunk past the bound must lose data somewhere.
 *
 * Run from the top of the tree (fixtures are found next to this file,
 * UNIT_SRCDIR overrides).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "golden.h"
#include "imsm-format.h"
#include "imsm-reshape.h"
#include "imsm.h"
#include "mdadm.h"
#include "unit.h"

#define SECTOR 512

/* ---- fixtures --------------------------------------------------------------------- */

/* ---- comparing our MPB with the peer's ---------------------------------------------- */

/* Bytes that move with time: generation, checksum, and per volume the
 * checkpoint unit and the dirty byte. */
static void mask_moving(const struct imsm_super *s, uint8_t *buf)
{
	size_t off = IMSM_OFF_DISKS + (size_t)s->num_disks * IMSM_DISK_BYTES;

	memset(buf + IMSM_OFF_CHECK_SUM, 0, 4);
	memset(buf + IMSM_OFF_GENERATION_NUM, 0, 4);
	for (int i = 0; i < s->num_raid_devs; i++) {
		memset(buf + off + IMSM_DEV_OFF_CURR_MIGR_UNIT_LO, 0, 4);
		memset(buf + off + IMSM_DEV_OFF_CURR_MIGR_UNIT_HI, 0, 4);
		buf[off + IMSM_DEV_OFF_DIRTY] = 0;
		off += imsm_dev_bytes(&s->dev[i]);
	}
}

static void check_same_mpb(const struct imsm_super *ours, const struct imsm_super *peer)
{
	uint8_t a[GOLDEN_MPB_MAX_BYTES], b[GOLDEN_MPB_MAX_BYTES];
	size_t la = 0, lb = 0;
	int shown = 0;

	CHECK_INT(imsm_encode(ours, a, sizeof(a), &la), 0);
	CHECK_INT(imsm_encode(peer, b, sizeof(b), &lb), 0);
	CHECK_INT(la, lb);
	mask_moving(ours, a);
	mask_moving(peer, b);
	for (size_t i = 0; i < la && i < lb; i++)
		if (a[i] != b[i] && shown++ < 8)
			fprintf(stderr, "  byte 0x%zx: ours %02x, peer %02x\n", i, a[i], b[i]);
	CHECK(shown == 0);
}

/* Our initial record against the peer's, apart from its progress. */
static void check_same_rec(const struct imsm_migr_rec *ours, const struct imsm_migr_rec *peer)
{
	CHECK_INT(ours->family_num, peer->family_num);
	CHECK_INT(ours->ascending_migr, peer->ascending_migr);
	CHECK_INT(ours->blocks_per_unit, peer->blocks_per_unit);
	CHECK_INT(ours->dest_depth_per_unit, peer->dest_depth_per_unit);
	CHECK_INT(ours->ckpt_area_pba, peer->ckpt_area_pba);
	CHECK_INT(ours->num_migr_units, peer->num_migr_units);
	CHECK_INT(ours->post_migr_vol_cap, peer->post_migr_vol_cap);
	CHECK_INT(ours->ckpt_read_disk_num, peer->ckpt_read_disk_num);
	CHECK_INT(ours->rec_status, IMSM_UNIT_SRC_NORMAL);
	CHECK_INT(ours->curr_migr_unit, 0);
	CHECK_INT(ours->dest_1st_member_lba, 0);
	/* the peer's progress fields agree with each other */
	CHECK_INT(peer->dest_1st_member_lba, peer->curr_migr_unit * peer->dest_depth_per_unit);
}

/* The OLCE of case NAME by our builder, up to where the peer was stopped. */
static struct imsm_super *grow_like_peer(const char *name, unsigned int n, int mid_vol)
{
	char rel[64];
	struct imsm_super *before, *spare, *ours = NULL;
	struct imsm_olce_request req = {.new_members = n};
	unsigned int members = 0;

	snprintf(rel, sizeof(rel), "%s-before", name);
	before = golden_load_mpb(rel);
	snprintf(rel, sizeof(rel), "%s-spare", name);
	spare = golden_load_mpb(rel);
	if (!before || !spare)
		goto out;
	req.spares = &spare->disk[0];
	req.n_spares = 1;
	CHECK_INT(imsm_olce_check(before, &req), 0);
	CHECK_INT(imsm_olce_start(before, &req, &ours), 0);
	/* the peer had finished volume 0 and mdmon had started the next one */
	for (int i = 0; ours && i < mid_vol; i++) {
		CHECK_INT(imsm_olce_end_volume(ours, i, IMSM_MAP_NORMAL), 0);
		CHECK_INT(imsm_olce_next_volume(ours, &members), i + 1);
		CHECK_INT(members, n);
		CHECK_INT(imsm_olce_begin_volume(ours, i + 1, members), 0);
	}
out:
	imsm_free(before);
	imsm_free(spare);
	return ours;
}

static void check_golden_case(const char *name, unsigned int n, int mid_vol)
{
	char rel[64];
	struct imsm_super *ours = grow_like_peer(name, n, mid_vol), *peer;
	struct imsm_migr_rec rec, peer_rec;
	uint32_t idx[2] = {9, 9};

	snprintf(rel, sizeof(rel), "%s-mid", name);
	peer = golden_load_mpb(rel);
	snprintf(rel, sizeof(rel), "%s-migr", name);
	CHECK_INT(golden_load_migr(rel, &peer_rec), 0);
	CHECK(ours && peer);
	if (ours && peer) {
		check_same_mpb(ours, peer);
		CHECK_INT(imsm_migr_rec_init(ours, mid_vol, &rec), 0);
		check_same_rec(&rec, &peer_rec);
		/* the peer's MPB copy of the checkpoint follows its record */
		CHECK_INT(peer->dev[mid_vol].vol.curr_migr_unit, peer_rec.curr_migr_unit);
		/* the record was captured from the slot-0 disk, index 0 */
		CHECK_INT(imsm_migr_rec_members(&ours->dev[mid_vol], idx), 2);
		CHECK_INT(idx[0], 0);
		CHECK_INT(idx[1], 1);
	}
	imsm_free(ours);
	imsm_free(peer);
}

/* raid5 3 -> 4, 128 KiB chunk, 16 MiB per member */
static void test_golden_raid5(void)
{
	check_golden_case("olce-r5", 4, 0);
}

/* raid0 2 -> 3, 64 KiB (the peer runs it as raid4; IMSM shows raid0) */
static void test_golden_raid0(void)
{
	check_golden_case("olce-r0", 3, 0);
}

/* raid5 + raid0, 3 -> 4: volume 0 done, volume 1 migrating */
static void test_golden_two_volumes(void)
{
	check_golden_case("olce-2vol", 4, 1);
}

/* What the peer's mid-way state says, in the numbers of imsm-format.md §6.7. */
static void test_golden_record_values(void)
{
	struct imsm_migr_rec r;

	CHECK_INT(golden_load_migr("olce-r5-migr", &r), 0);
	CHECK_INT(r.rec_status, IMSM_UNIT_SRC_NORMAL);
	CHECK_INT(r.curr_migr_unit, 3);
	CHECK_INT(r.family_num, 0xe4881901u);
	CHECK_INT(r.blocks_per_unit, 6144);
	CHECK_INT(r.dest_depth_per_unit, 2048);
	CHECK_INT(r.ckpt_area_pba, 131072 - 2209);
	CHECK_INT(r.dest_1st_member_lba, 6144);
	CHECK_INT(r.num_migr_units, 16);
	CHECK_INT(r.post_migr_vol_cap, 98304);
	/* stopped while unit 1 of the raid0 volume was in the copy area */
	CHECK_INT(golden_load_migr("olce-2vol-migr", &r), 0);
	CHECK_INT(r.rec_status, IMSM_UNIT_SRC_IN_CP_AREA);
	CHECK_INT(r.curr_migr_unit, 1);
	CHECK_INT(r.blocks_per_unit, 8192);
	CHECK_INT(r.post_migr_vol_cap, 131072);
}

/* ---- migration record codec ----------------------------------------------------------- */

static void test_migr_rec_round_trip(void)
{
	uint8_t in[SECTOR], out[SECTOR];
	struct imsm_migr_rec r;
	size_t len;

	CHECK_INT(golden_load_bytes("olce-2vol-migr", in, sizeof(in), &len), 0);
	CHECK_INT(len, SECTOR);
	CHECK_INT(imsm_migr_rec_decode(in, len, SECTOR, &r), 0);
	memset(out, 0xAA, sizeof(out));
	CHECK_INT(imsm_migr_rec_encode(&r, SECTOR, out, sizeof(out)), 0);
	CHECK(memcmp(in, out, sizeof(out)) == 0);
	CHECK_INT(imsm_migr_rec_decode(in, 127, SECTOR, &r), -EMSGSIZE);
	CHECK_INT(imsm_migr_rec_decode(in, len, 1024, &r), -EINVAL);
	CHECK_INT(imsm_migr_rec_encode(&r, SECTOR, out, 100), -EMSGSIZE);
	CHECK_INT(imsm_migr_rec_encode(&r, 2048, out, sizeof(out)), -EINVAL);
}

/* §1.8: five fields in 4 KiB units, the copy area address truncated. */
static void test_migr_rec_4kn(void)
{
	struct imsm_migr_rec r = {
	    .rec_status = 1,
	    .curr_migr_unit = 0x100000002ull,
	    .family_num = 0x12345678,
	    .ascending_migr = 1,
	    .blocks_per_unit = 6144,
	    .dest_depth_per_unit = 2048,
	    .ckpt_area_pba = 8ull * 1000000 - 2209,
	    .dest_1st_member_lba = 4096,
	    .num_migr_units = 0x300000004ull,
	    .post_migr_vol_cap = 0x800000000ull,
	};
	struct imsm_migr_rec back;
	uint8_t buf[4096];

	CHECK_INT(imsm_migr_rec_encode(&r, 4096, buf, sizeof(buf)), 0);
	CHECK_INT(buf[0x10] | buf[0x11] << 8, 768); /* blocks_per_unit / 8 */
	CHECK_INT(buf[0x14] | buf[0x15] << 8, 256); /* depth / 8 */
	CHECK_INT(buf[0x04], 2);		    /* unit: not converted */
	CHECK_INT(buf[0x30], 1);		    /* unit, high word */
	CHECK_INT(buf[0x3C], 3);		    /* units, high word */
	CHECK_INT(buf[0x28], 1);		    /* capacity / 8, high word */
	CHECK_INT(imsm_migr_rec_decode(buf, sizeof(buf), 4096, &back), 0);
	CHECK_INT(back.blocks_per_unit, 6144);
	CHECK_INT(back.ckpt_area_pba, 8ull * 1000000 - 2216); /* as upstream reads it back */
	CHECK_INT(back.curr_migr_unit, r.curr_migr_unit);
	CHECK_INT(back.num_migr_units, r.num_migr_units);
	CHECK_INT(back.post_migr_vol_cap, r.post_migr_vol_cap);
	CHECK_INT(back.dest_1st_member_lba, 4096);
	for (size_t i = IMSM_MIGR_REC_BYTES; i < sizeof(buf); i++)
		if (buf[i])
			CHECK(!"tail not zero");
}

/* ---- units and steps on the peer's raid5 3 -> 4 ---------------------------------------- */

static int r5_mid(struct imsm_reshape_geom *g, struct imsm_migr_rec *rec)
{
	struct imsm_super *s = golden_load_mpb("olce-r5-mid");
	int r = s ? imsm_reshape_geom_of(&s->dev[0], g) : -ENOENT;

	if (!r)
		r = golden_load_migr("olce-r5-migr", rec);
	imsm_free(s);
	return r;
}

static void test_geometry_and_units(void)
{
	struct imsm_reshape_geom g;
	struct imsm_migr_rec rec;
	struct imsm_reshape_unit u;

	CHECK_INT(r5_mid(&g, &rec), 0);
	CHECK_INT(g.old_data, 2);
	CHECK_INT(g.new_data, 3);
	CHECK_INT(g.new_chunk_blocks, 256);
	CHECK_INT(g.member_blocks, 32768);
	CHECK_INT(g.array_blocks, 98304);
	CHECK_INT(imsm_reshape_depth_blocks(&g), 2048);
	CHECK_INT(imsm_migr_rec_check(&rec, &g), 0);
	CHECK_INT(imsm_reshape_unit(&rec, &g, 1, &u), 0);
	CHECK_INT(u.array_start, 6144);
	CHECK_INT(u.array_blocks, 6144);
	CHECK_INT(u.dest_member_start, 2048);
	CHECK_INT(u.dest_member_blocks, 2048);
	CHECK_INT(u.src_member_start, 3072); /* 6144 / (2 * 256) old rows of 256 */
	CHECK_INT(u.src_member_end, 6144);
	CHECK_INT(imsm_reshape_unit(&rec, &g, 15, &u), 0);
	CHECK_INT(u.dest_member_start + u.dest_member_blocks, 32768);
	CHECK_INT(u.src_member_start, 32768); /* beyond the old array: nothing to read */
	CHECK_INT(u.src_member_end, 32768);
	CHECK_INT(imsm_reshape_unit(&rec, &g, 16, &u), -ERANGE);
	rec.blocks_per_unit = 4096; /* not depth * new_data */
	CHECK_INT(imsm_reshape_unit(&rec, &g, 1, &u), -EINVAL);
	rec.blocks_per_unit = 6144;
	rec.ascending_migr = 0;
	CHECK_INT(imsm_migr_rec_check(&rec, &g), -EOPNOTSUPP);
}

/*
 * The gap between the old row of the checkpoint and its new row is 1024
 * member blocks per unit done (3072u - 2048u): units 0 and 1 need the copy
 * area, then floor(u / 2) units fit, and from unit 11 on the bound is past
 * the end of the volume.
 */
static void test_plan_steps(void)
{
	static const struct {
		uint64_t unit, units;
		bool backup;
	} want[] = {{0, 1, true},  {1, 1, true},   {2, 1, false},  {3, 1, false}, {4, 2, false},
		    {7, 3, false}, {10, 5, false}, {11, 5, false}, {14, 2, false}};
	struct imsm_reshape_geom g;
	struct imsm_migr_rec rec;
	struct imsm_reshape_step st;

	CHECK_INT(r5_mid(&g, &rec), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_INT(imsm_reshape_plan_step(&rec, &g, want[i].unit, 0, &st), 0);
		CHECK_INT(st.units, want[i].units);
		CHECK_INT(st.backup, want[i].backup);
		CHECK_INT(st.suspend_lo, want[i].unit * 6144);
		CHECK_INT(st.suspend_hi, (want[i].unit + want[i].units) * 6144);
		CHECK_INT(st.sync_max, st.suspend_hi / 3);
	}
	CHECK_INT(imsm_reshape_plan_step(&rec, &g, 7, 1, &st), 0);
	CHECK_INT(st.units, 1);
	CHECK_INT(imsm_reshape_plan_step(&rec, &g, 16, 0, &st), -ERANGE);
}

/* raid0 3 -> 4, 64 KiB chunks (128 blocks): old rows of 384 blocks, new of
 * 512; units of 2048 * 4 blocks end an old row every third unit. */
static void test_aligned_holds(void)
{
	struct imsm_reshape_geom g = { .old_data = 3, .new_data = 4, .old_chunk_blocks = 128,
				       .new_chunk_blocks = 128, .old_member_blocks = 8192,
				       .member_blocks = 8192, .array_blocks = 32768 };
	struct imsm_migr_rec rec = { .blocks_per_unit = 8192, .dest_depth_per_unit = 2048,
				     .num_migr_units = 4 };
	uint64_t m;

	CHECK_INT(imsm_reshape_align_unit(&rec, &g, 0), 0);
	CHECK_INT(imsm_reshape_align_unit(&rec, &g, 1), 3);
	CHECK_INT(imsm_reshape_align_unit(&rec, &g, 3), 3);
	rec.num_migr_units = 2;
	CHECK_INT(imsm_reshape_align_unit(&rec, &g, 1), 2); /* none: the end */
	/* lcm(384, 512) = 1536 array blocks = 384 member blocks */
	m = imsm_reshape_align_sync_max(&g, 2048, 0);
	CHECK_INT(m, 1920);
	CHECK_INT(m * 4 % 384, 0);
	CHECK_INT(imsm_reshape_align_sync_max(&g, 2048, 7681), 2048); /* below the floor */
	CHECK_INT(imsm_reshape_align_sync_max(&g, 300, 0), 300);	  /* none above 0 */
	CHECK_INT(imsm_reshape_align_sync_max(&g, 8192, 0), 8192);	  /* the end */
	/* upwards (a stop past the critical section): the next 384, or the end */
	CHECK_INT(imsm_reshape_align_sync_max_up(&g, 2048), 2304);
	CHECK_INT(imsm_reshape_align_sync_max_up(&g, 2304), 2304);
	CHECK_INT(imsm_reshape_align_sync_max_up(&g, 1), 384);
	CHECK_INT(imsm_reshape_align_sync_max_up(&g, 8100), 8192);
	CHECK_INT(imsm_reshape_align_sync_max_up(&g, 8192), 8192);
	CHECK_INT(imsm_reshape_align_sync_max_up(&g, 2048) * 4 % 384, 0);
	g.old_data = 2, g.new_data = 3;	/* raid5 3 -> 4: rows 256 and 384, lcm 768 */
	CHECK_INT(imsm_reshape_align_sync_max(&g, 2048, 0), 2048);
	CHECK_INT(imsm_reshape_align_sync_max_up(&g, 2000), 2048);
}

static void test_checkpoint_and_resume(void)
{
	struct imsm_reshape_geom g;
	struct imsm_migr_rec rec;

	CHECK_INT(r5_mid(&g, &rec), 0);
	imsm_migr_rec_set_checkpoint(&rec, 6144 * 5, IMSM_UNIT_SRC_NORMAL);
	CHECK_INT(rec.curr_migr_unit, 5);
	CHECK_INT(rec.dest_1st_member_lba, 10240); /* as the peer wrote it (§6.7 [VM]) */
	CHECK_INT(imsm_reshape_resume_pos(&rec, &g), 30720);
	imsm_migr_rec_set_checkpoint(&rec, 6144 * 5, IMSM_UNIT_SRC_IN_CP_AREA);
	CHECK_INT(imsm_reshape_resume_pos(&rec, &g), 36864);
	imsm_migr_rec_set_checkpoint(&rec, 98304 - 1, IMSM_UNIT_SRC_NORMAL); /* ceil */
	CHECK_INT(rec.curr_migr_unit, 16);
	imsm_migr_rec_set_checkpoint(&rec, 6144 * 15, IMSM_UNIT_SRC_IN_CP_AREA);
	CHECK_INT(imsm_reshape_resume_pos(&rec, &g), 98304); /* the last unit: the end */
}

/* ---- the bound's closed forms ---------------------------------------------------------- */

static void test_bound_values(void)
{
	/* raid5 3 -> 4, 128 KiB: checkpoint at unit 1 lets md reach 3072 */
	CHECK_INT(imsm_reshape_safe_sync_max(2, 3, 256, 6144), 3072);
	CHECK_INT(imsm_reshape_safe_sync_max(2, 3, 256, 0), 0);
	/* grows with progress: C * D_new / D_old ahead in array terms */
	CHECK_INT(imsm_reshape_safe_sync_max(2, 3, 256, 61440) * 3, 61440 * 3 / 2);
	/* never below the checkpoint's own row */
	CHECK_INT(imsm_reshape_safe_sync_max(3, 3, 256, 6 * 768), 6 * 256);
	CHECK_INT(imsm_reshape_safe_sync_max(0, 3, 256, 6144), 0);
	CHECK_INT(imsm_reshape_critical_end(2, 3, 256), 2 * 3 * 256);
	CHECK_INT(imsm_reshape_critical_end(3, 4, 256), 3 * 4 * 256);
	CHECK_INT(imsm_reshape_critical_end(2, 4, 128), 1 * 4 * 128);
	CHECK_INT(imsm_reshape_critical_end(1, 2, 8), 1 * 2 * 8);
	CHECK(imsm_reshape_critical_end(3, 3, 256) == UINT64_MAX);
	/* at the end of the critical section the next row fits, before it not */
	for (unsigned int od = 1; od <= 6; od++)
		for (unsigned int nd = od + 1; nd <= 8; nd++) {
			uint64_t end = imsm_reshape_critical_end(od, nd, 4), row = nd * 4;

			CHECK(imsm_reshape_safe_sync_max(od, nd, 4, end) >= end / nd + 4);
			CHECK(imsm_reshape_safe_sync_max(od, nd, 4, end - row) <
			      (end - row) / nd + 4);
		}
}

/* ---- the model ------------------------------------------------------------------------- */

#define SIM_MEMBERS 8
#define SIM_BLOCKS 96 /* per member */
#define SIM_ROWS 24

struct sim_geo {
	unsigned int od, nd; /* data chunks per row, old and new */
	unsigned int parity; /* 1: raid5 left-asymmetric, 0: raid0 (raid4 with no parity disk) */
	unsigned int c;	     /* chunk, blocks */
	unsigned int rows;   /* rows per member */
	unsigned int depth_rows; /* IMSM unit depth in rows */
};

/* What the record on disk says. */
struct sim_rec {
	uint64_t ckpt; /* array blocks in the new layout */
	bool in_cp;    /* the rows of [ckpt, ckpt + cp_blocks) are in the copy area */
	uint64_t cp_blocks;
};

struct sim {
	const struct sim_geo *g;
	uint32_t disk[SIM_MEMBERS][SIM_BLOCKS];
	uint32_t cp[SIM_MEMBERS][SIM_BLOCKS]; /* copy area: member offsets of the backed-up rows */
	uint64_t cp_start;		      /* member offset the copy area stands for */
	struct sim_rec rec;
	long steps, crash_at; /* crash before write number crash_at; -1: never */
	bool crashed;
	uint64_t done;	/* array blocks md has reshaped */
	uint32_t slack; /* member blocks md is let past the bound (tightness test) */
	long records;
	bool stuck, bad_read;
};

static uint64_t old_size(const struct sim *s)
{
	return (uint64_t)s->g->od * s->g->c * s->g->rows;
}

static uint64_t new_size(const struct sim *s)
{
	return (uint64_t)s->g->nd * s->g->c * s->g->rows;
}

/* Where array block x lives with d data chunks per row. */
static void locate(const struct sim *s, unsigned int d, uint64_t x, unsigned int *m, uint64_t *off)
{
	unsigned int c = s->g->c, n = d + s->g->parity;
	uint64_t row = x / ((uint64_t)d * c);
	unsigned int k = (unsigned int)(x / c % d),
		     pd = s->g->parity ? n - 1 - (unsigned int)(row % n) : n;

	*m = k < pd ? k : k + 1;
	*off = row * c + x % c;
}

static unsigned int parity_member(unsigned int d, uint64_t row)
{
	unsigned int n = d + 1;

	return n - 1 - (unsigned int)(row % n);
}

/* One write; false once the crash point is reached. */
static bool sim_write(struct sim *s, uint32_t *cell, uint32_t v)
{
	if (s->crashed || s->steps == s->crash_at) {
		s->crashed = true;
		return false;
	}
	*cell = v;
	s->steps++;
	return true;
}

static bool sim_record(struct sim *s, uint64_t ckpt, bool in_cp, uint64_t cp_blocks)
{
	struct sim_rec r = {ckpt, in_cp, cp_blocks};

	if (s->crashed || s->steps == s->crash_at) {
		s->crashed = true;
		return false;
	}
	s->rec = r;
	s->steps++;
	s->records++;
	return true;
}

/* New row r as md builds it: data from the old layout (zeros past the old
 * array), parity over it.  img[m][b] for member m, block b of the row. */
static void build_row(struct sim *s, uint64_t r, uint32_t img[SIM_MEMBERS][8], uint64_t src_lo,
		      uint64_t src_hi)
{
	unsigned int nd = s->g->nd, c = s->g->c, m;
	uint64_t off;

	memset(img, 0, sizeof(uint32_t) * SIM_MEMBERS * 8);
	for (uint64_t x = r * nd * c; x < (r + 1) * nd * c; x++) {
		uint32_t v = 0;

		if (x < old_size(s)) {
			locate(s, s->g->od, x, &m, &off);
			if (off < src_lo || off >= src_hi)
				s->bad_read = true;
			v = s->disk[m][off];
		}
		locate(s, nd, x, &m, &off);
		img[m][off % c] = v;
		if (s->g->parity)
			img[parity_member(nd, r)][off % c] ^= v;
	}
}

/* md reshapes new row r: read, then write every block of the row. */
static bool md_row(struct sim *s, uint64_t r)
{
	uint32_t img[SIM_MEMBERS][8];
	unsigned int n = s->g->nd + s->g->parity, c = s->g->c;

	build_row(s, r, img, 0, SIM_BLOCKS);
	for (unsigned int m = 0; m < n; m++)
		for (unsigned int b = 0; b < c; b++)
			if (!sim_write(s, &s->disk[m][r * c + b], img[m][b]))
				return false;
	s->done = (r + 1) * s->g->nd * c;
	return true;
}

/* md runs until member offset sync_max (whole rows). */
static bool md_run(struct sim *s, uint64_t sync_max)
{
	uint64_t rows = sync_max / s->g->c;

	if (rows > s->g->rows)
		rows = s->g->rows;
	for (uint64_t r = s->done / ((uint64_t)s->g->nd * s->g->c); r < rows; r++)
		if (!md_row(s, r))
			return false;
	return true;
}

/* The destination image of rows [r0, r1) into the copy area (reads must
 * stay within the old rows [src_lo, src_hi)). */
static bool backup_rows(struct sim *s, uint64_t r0, uint64_t r1, uint64_t src_lo, uint64_t src_hi)
{
	uint32_t img[SIM_MEMBERS][8];
	unsigned int n = s->g->nd + s->g->parity, c = s->g->c;

	s->cp_start = r0 * c;
	for (uint64_t r = r0; r < r1; r++) {
		build_row(s, r, img, src_lo, src_hi);
		for (unsigned int m = 0; m < n; m++)
			for (unsigned int b = 0; b < c; b++)
				if (!sim_write(s, &s->cp[m][(r - r0) * c + b], img[m][b]))
					return false;
	}
	return true;
}

static void sim_init(struct sim *s, const struct sim_geo *g, long crash_at, uint32_t slack)
{
	unsigned int m;
	uint64_t off;

	memset(s, 0, sizeof(*s));
	s->g = g;
	s->crash_at = crash_at;
	s->slack = slack;
	for (uint64_t x = 0; x < old_size(s); x++) {
		locate(s, g->od, x, &m, &off);
		s->disk[m][off] = (uint32_t)x + 1;
		if (g->parity)
			s->disk[parity_member(g->od, x / ((uint64_t)g->od * g->c))][off] ^=
			    (uint32_t)x + 1;
	}
}

/*
 * Policy "lazy": a checkpoint at any row, advanced only when md has reached
 * imsm_reshape_safe_sync_max() of the recorded one; a row with a backup
 * when md cannot move otherwise.
 */
static void run_lazy(struct sim *s)
{
	const struct sim_geo *g = s->g;
	uint64_t row = (uint64_t)g->nd * g->c, guard = 0;

	while (s->done < new_size(s) && !s->crashed) {
		uint64_t lim =
		    imsm_reshape_safe_sync_max(g->od, g->nd, g->c, s->rec.ckpt) + s->slack;

		if (++guard > 4 * (uint64_t)g->rows + 8) {
			s->stuck = true;
			return;
		}
		if (lim >= s->done / g->nd + g->c) {
			if (md_run(s, lim))
				sim_record(s, s->done, false, 0);
		} else if (s->rec.ckpt < s->done) {
			sim_record(s, s->done, false, 0);
		} else if (backup_rows(s, s->done / row, s->done / row + 1, 0, SIM_BLOCKS) &&
			   sim_record(s, s->done, true, row) && md_row(s, s->done / row)) {
			sim_record(s, s->done, false, 0);
		}
	}
}

static void sim_record_geom(const struct sim *s, struct imsm_migr_rec *rec,
			    struct imsm_reshape_geom *geo)
{
	const struct sim_geo *g = s->g;
	uint32_t depth = g->depth_rows * g->c;

	memset(rec, 0, sizeof(*rec));
	memset(geo, 0, sizeof(*geo));
	geo->old_data = g->od;
	geo->new_data = g->nd;
	geo->old_chunk_blocks = geo->new_chunk_blocks = g->c;
	geo->old_member_blocks = geo->member_blocks = (uint64_t)g->rows * g->c;
	geo->array_blocks = new_size(s);
	rec->ascending_migr = 1;
	rec->dest_depth_per_unit = depth;
	rec->blocks_per_unit = depth * g->nd;
	rec->num_migr_units = (geo->array_blocks + rec->blocks_per_unit - 1) / rec->blocks_per_unit;
}

/* One step of policy "imsm": whole units, imsm_reshape_plan_step(). */
static bool imsm_step(struct sim *s, struct imsm_migr_rec *rec, const struct imsm_reshape_geom *geo,
		      uint64_t *unit)
{
	struct imsm_reshape_step st;
	struct imsm_reshape_unit u;
	uint64_t row = (uint64_t)s->g->nd * s->g->c, end;

	CHECK_INT(imsm_reshape_plan_step(rec, geo, *unit, 0, &st), 0);
	if (st.backup) {
		CHECK_INT(imsm_reshape_unit(rec, geo, *unit, &u), 0);
		if (!backup_rows(s, u.array_start / row, (u.array_start + u.array_blocks) / row,
				 u.src_member_start, u.src_member_end))
			return false;
		imsm_migr_rec_set_checkpoint(rec, u.array_start, IMSM_UNIT_SRC_IN_CP_AREA);
		if (!sim_record(s, u.array_start, true, u.array_blocks))
			return false;
	}
	if (!md_run(s, st.sync_max))
		return false;
	*unit += st.units;
	end = *unit * rec->blocks_per_unit;
	imsm_migr_rec_set_checkpoint(rec, end < geo->array_blocks ? end : geo->array_blocks,
				     IMSM_UNIT_SRC_NORMAL);
	return sim_record(s, rec->curr_migr_unit * rec->blocks_per_unit, false, 0);
}

static void run_imsm(struct sim *s)
{
	struct imsm_migr_rec rec;
	struct imsm_reshape_geom geo;
	uint64_t unit = 0, guard = 0;

	sim_record_geom(s, &rec, &geo);
	while (unit < rec.num_migr_units && !s->crashed) {
		if (++guard > 4 * (uint64_t)s->g->rows + 8) {
			s->stuck = true;
			return;
		}
		if (!imsm_step(s, &rec, &geo, &unit))
			return;
	}
}

/* After a crash: restore the copy area if the record says so, restart md
 * at the checkpoint with nothing but the layouts, and compare. */
static bool recover_and_verify(struct sim *s)
{
	const struct sim_geo *g = s->g;
	unsigned int n = g->nd + g->parity, m;
	uint64_t row = (uint64_t)g->nd * g->c, off;

	s->crashed = false;
	s->crash_at = -1;
	s->done = s->rec.ckpt;
	if (s->rec.in_cp) {
		for (uint64_t b = 0; b < s->rec.cp_blocks / g->nd; b++)
			for (m = 0; m < n; m++)
				s->disk[m][s->cp_start + b] = s->cp[m][b];
		s->done += s->rec.cp_blocks;
	}
	for (uint64_t r = s->done / row; r < g->rows; r++)
		md_row(s, r);
	for (uint64_t x = 0; x < old_size(s); x++) {
		locate(s, g->nd, x, &m, &off);
		if (s->disk[m][off] != x + 1)
			return false;
	}
	for (uint64_t b = 0; g->parity && b < (uint64_t)g->rows * g->c; b++) {
		uint32_t p = 0;

		for (m = 0; m < n; m++)
			p ^= s->disk[m][b];
		if (p)
			return false;
	}
	return true;
}

static long geometries, crash_points;

typedef void (*sim_policy)(struct sim *s);

/* Crash at every step of a run; returns how many crash points lost data. */
static long crash_everywhere(const struct sim_geo *g, sim_policy run, uint32_t slack)
{
	static struct sim s;
	long total, lost = 0;

	sim_init(&s, g, -1, slack);
	run(&s);
	CHECK(!s.stuck && !s.bad_read);
	CHECK(recover_and_verify(&s)); /* no crash: the reshape itself is right */
	total = s.steps;
	crash_points += total + 1;
	for (long k = 0; k <= total; k++) {
		sim_init(&s, g, k, slack);
		run(&s);
		CHECK(!s.stuck && !s.bad_read);
		if (!recover_and_verify(&s))
			lost++;
	}
	return lost;
}

/* Every small geometry: raid0 1..4 -> up to 6 data disks, raid5 likewise
 * (3+ members), chunks of 1, 2 and 4 blocks, units of 1 and 3 rows. */
static void for_each_geometry(void (*fn)(const struct sim_geo *g))
{
	for (unsigned int parity = 0; parity <= 1; parity++)
		for (unsigned int od = 1 + parity; od <= 4; od++)
			for (unsigned int nd = od + 1; nd <= 6; nd++)
				for (unsigned int c = 1; c <= 4; c *= 2)
					for (unsigned int dr = 1; dr <= 3; dr += 2) {
						struct sim_geo g = {od, nd,	  parity,
								    c,	SIM_ROWS, dr};

						fn(&g);
					}
}

static void lazy_is_safe(const struct sim_geo *g)
{
	if (g->depth_rows != 1)
		return; /* the lazy policy has no units */
	geometries++;
	if (crash_everywhere(g, run_lazy, 0) != 0) {
		fprintf(stderr, "  lazy: data lost: od %u nd %u parity %u chunk %u\n", g->od, g->nd,
			g->parity, g->c);
		CHECK(!"data lost");
	}
}

static void imsm_is_safe(const struct sim_geo *g)
{
	geometries++;
	if (crash_everywhere(g, run_imsm, 0) != 0) {
		fprintf(stderr, "  imsm: data lost: od %u nd %u parity %u chunk %u depth %u rows\n",
			g->od, g->nd, g->parity, g->c, g->depth_rows);
		CHECK(!"data lost");
	}
}

static void one_chunk_more_loses(const struct sim_geo *g)
{
	if (g->depth_rows != 1)
		return;
	geometries++;
	if (crash_everywhere(g, run_lazy, g->c) == 0) {
		fprintf(stderr, "  bound not tight: od %u nd %u parity %u chunk %u\n", g->od, g->nd,
			g->parity, g->c);
		CHECK(!"nothing lost");
	}
}

static void test_model_lazy_checkpoint(void)
{
	geometries = crash_points = 0;
	for_each_geometry(lazy_is_safe);
	CHECK(geometries > 40);
	printf("# lazy checkpoint: %ld geometries, %ld crash points\n", geometries, crash_points);
}

static void test_model_imsm_units(void)
{
	geometries = crash_points = 0;
	for_each_geometry(imsm_is_safe);
	CHECK(geometries > 80);
	printf("# imsm units: %ld geometries, %ld crash points\n", geometries, crash_points);
}

static void test_model_bound_is_tight(void)
{
	geometries = 0;
	for_each_geometry(one_chunk_more_loses);
	CHECK(geometries > 40);
}

/* The lazy checkpoint really lags: far fewer records than rows. */
static void test_model_lag_grows(void)
{
	static struct sim s;
	struct sim_geo g = {2, 3, 1, 2, SIM_ROWS, 1};

	sim_init(&s, &g, -1, 0);
	run_lazy(&s);
	CHECK(recover_and_verify(&s));
	CHECK(s.records > 0 && s.records < SIM_ROWS / 2);
}

/* ---- OLCE refusals ---------------------------------------------------------------------- */

struct olce_case {
	struct imsm_super *s, *spare;
	struct imsm_disk disk;
	struct imsm_olce_request req;
};

static bool olce_case_load(struct olce_case *c, const char *name, unsigned int n)
{
	char rel[64];

	memset(c, 0, sizeof(*c));
	snprintf(rel, sizeof(rel), "%s-before", name);
	c->s = golden_load_mpb(rel);
	snprintf(rel, sizeof(rel), "%s-spare", name);
	c->spare = golden_load_mpb(rel);
	if (!c->s || !c->spare)
		return false;
	c->disk = c->spare->disk[0];
	c->req.new_members = n;
	c->req.spares = &c->disk;
	c->req.n_spares = 1;
	return true;
}

static void olce_case_free(struct olce_case *c)
{
	imsm_free(c->s);
	imsm_free(c->spare);
}

/* Apply one change to a fresh copy of the raid5 case and check the error. */
static void refuse(void (*change)(struct olce_case *c), int want)
{
	struct olce_case c;
	struct imsm_super *out = NULL;

	if (!olce_case_load(&c, "olce-r5", 4)) {
		CHECK(!"fixtures");
		return;
	}
	change(&c);
	CHECK_INT(imsm_olce_check(c.s, &c.req), want);
	if (want) {
		CHECK_INT(imsm_olce_start(c.s, &c.req, &out), want);
		CHECK(out == NULL);
	}
	olce_case_free(&c);
}

static void ch_none(struct olce_case *c)
{
	(void)c;
}
static void ch_no_volume(struct olce_case *c)
{
	c->s->num_raid_devs = 0;
}
static void ch_attr(struct olce_case *c)
{
	c->s->attributes |= IMSM_ATTR_RAID1E;
}
static void ch_migrating(struct olce_case *c)
{
	c->s->dev[0].vol.migr_state = 1;
	c->s->dev[0].vol.map[1] = c->s->dev[0].vol.map[0];
}
static void ch_level(struct olce_case *c)
{
	c->s->dev[0].vol.map[0].raid_level = IMSM_LEVEL_BYTE_RAID10; /* 3 members: no level */
}
static void ch_ppl(struct olce_case *c)
{
	c->s->dev[0].rwh_policy = 3;
}
static void ch_bitmap(struct olce_case *c)
{
	c->s->dev[0].rwh_policy = 6;
}
static void ch_degraded(struct olce_case *c)
{
	c->s->dev[0].vol.map[0].map_state = IMSM_MAP_DEGRADED;
}
static void ch_big_chunk(struct olce_case *c)
{
	c->s->dev[0].vol.map[0].blocks_per_strip = 4096;
}
static void ch_order(struct olce_case *c) /* as after a rebuild: taken */
{
	c->s->dev[0].vol.map[0].disk_ord_tbl[0] = 1;
	c->s->dev[0].vol.map[0].disk_ord_tbl[1] = 0;
}
static void ch_slot_twice(struct olce_case *c)
{
	c->s->dev[0].vol.map[0].disk_ord_tbl[1] = 0;
}
static void ch_slot_beyond(struct olce_case *c)
{
	c->s->dev[0].vol.map[0].disk_ord_tbl[2] = 7;
}
static void ch_extra_disk(struct olce_case *c)
{
	c->s->disk[3] = c->s->disk[2];
	c->s->disk[3].status = IMSM_DISK_FAILED | IMSM_DISK_CONFIGURED;
	c->s->num_disks = 4;
}
static void ch_not_growing(struct olce_case *c)
{
	c->req.new_members = 3;
}
static void ch_too_many(struct olce_case *c)
{
	c->req.new_members = 256;
}
static void ch_platform(struct olce_case *c)
{
	c->req.max_members = 3;
}
static void ch_known_serial(struct olce_case *c)
{
	memcpy(c->disk.serial, c->s->disk[1].serial, IMSM_SERIAL_BYTES);
}
static void ch_no_spare(struct olce_case *c)
{
	c->req.n_spares = 0;
}
static void ch_two_needed(struct olce_case *c)
{
	c->req.new_members = 5;
}
static void ch_small_spare(struct olce_case *c)
{
	c->disk.total_blocks = imsm_olce_min_spare_blocks(c->s) - 1;
}
static void ch_just_enough(struct olce_case *c)
{
	c->disk.total_blocks = imsm_olce_min_spare_blocks(c->s);
}

static void test_olce_refusals(void)
{
	refuse(ch_none, 0);
	refuse(ch_no_volume, -ENODEV);
	refuse(ch_attr, -EPERM);
	refuse(ch_migrating, -EBUSY);
	refuse(ch_level, -EMEDIUMTYPE);
	refuse(ch_ppl, -EOPNOTSUPP);
	refuse(ch_bitmap, -EOPNOTSUPP);
	refuse(ch_degraded, -EUCLEAN);
	refuse(ch_big_chunk, -EDOM);
	refuse(ch_order, 0);
	refuse(ch_slot_twice, -ECHRNG);
	refuse(ch_slot_beyond, -ECHRNG);
	refuse(ch_extra_disk, -ECHRNG);
	refuse(ch_not_growing, -EINVAL);
	refuse(ch_too_many, -E2BIG);
	refuse(ch_platform, -E2BIG);
	refuse(ch_known_serial, -EEXIST);
	refuse(ch_no_spare, -ENOENT);
	refuse(ch_two_needed, -ENOENT);
	refuse(ch_small_spare, -ENOSPC);
	refuse(ch_just_enough, 0);
}

/* Volumes of different widths (the second changed by hand). */
static void test_olce_refuses_mixed_widths(void)
{
	struct olce_case c;

	if (!olce_case_load(&c, "olce-2vol", 4)) {
		CHECK(!"fixtures");
		return;
	}
	CHECK_INT(imsm_olce_check(c.s, &c.req), 0);
	c.s->dev[1].vol.map[0].num_members = 2;
	CHECK_INT(imsm_olce_check(c.s, &c.req), -EXDEV);
	olce_case_free(&c);
}

static void test_olce_error_texts(void)
{
	static const int errs[] = {ENODEV,  EPERM,  EBUSY,  EMEDIUMTYPE, EOPNOTSUPP,
				   EUCLEAN, EXDEV,  EDOM,   ECHRNG,	 EINVAL,
				   E2BIG,   EEXIST, ENOENT, ENOSPC};
	size_t n = sizeof(errs) / sizeof(errs[0]);

	for (size_t i = 0; i < n; i++) {
		const char *t = imsm_olce_error(-errs[i]);

		CHECK(t && t[0] && strcmp(t, strerror(errs[i])) != 0);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(t, imsm_olce_error(-errs[j])) != 0);
	}
	CHECK_STR(imsm_olce_error(-ENOMEM), strerror(ENOMEM));
}

/* §1.5: data end 32768 + min(2210 + 2048, 10402). */
static void test_min_spare(void)
{
	struct imsm_super *s = golden_load_mpb("olce-r5-before");

	CHECK(s != NULL);
	if (s)
		CHECK_INT(imsm_olce_min_spare_blocks(s), 32768 + 4258);
	imsm_free(s);
}

/* ---- volume-level transitions ------------------------------------------------------------ */

static void test_begin_end_volume(void)
{
	struct olce_case c;
	struct imsm_super *s = NULL;
	unsigned int members = 0;

	if (!olce_case_load(&c, "olce-2vol", 4)) {
		CHECK(!"fixtures");
		return;
	}
	CHECK_INT(imsm_olce_start(c.s, &c.req, &s), 0);
	if (s) {
		struct imsm_migr_rec rec;

		CHECK_INT(imsm_migr_rec_init(s, 1, &rec), -EINVAL); /* not migrating */
		CHECK_INT(imsm_migr_rec_init(s, 2, &rec), -EINVAL);
		CHECK_INT(imsm_migr_rec_init(s, -1, &rec), -EINVAL);
		CHECK_INT(imsm_migr_rec_init(s, 0, &rec), 0);
		CHECK_INT(rec.blocks_per_unit, 3 * 2048); /* 64 KiB chunk: depth 2048 */
		CHECK_INT(rec.num_migr_units, 4);	  /* 3 * 8192 / 6144 */
		CHECK_INT(s->num_disks, 4);
		CHECK_INT(s->disk[3].status, IMSM_DISK_CONFIGURED);
		CHECK_INT(s->dev[0].vol.map[0].num_members, 4);
		CHECK_INT(s->dev[0].vol.map[1].num_members, 3);
		CHECK_INT(s->dev[0].size_blocks, 3 * 8192); /* 4 MiB per member, 3 data */
		CHECK_INT(s->dev[1].vol.migr_state, 0);
		CHECK_INT(imsm_olce_next_volume(s, &members), -ENOENT); /* volume 0 migrates */
		CHECK_INT(imsm_olce_begin_volume(s, 0, 4), -EINVAL);
		CHECK_INT(imsm_olce_end_volume(s, 1, IMSM_MAP_NORMAL), -EINVAL);
		CHECK_INT(imsm_olce_end_volume(s, 0, IMSM_MAP_NORMAL), 0);
		CHECK_INT(s->dev[0].vol.migr_state, 0);
		CHECK_INT(imsm_olce_next_volume(s, &members), 1);
		CHECK_INT(imsm_olce_begin_volume(s, 1, 5), -EINVAL); /* no disk record 4 */
		CHECK_INT(imsm_olce_begin_volume(s, 1, members), 0);
		CHECK_INT(s->dev[1].size_blocks, 4 * 32768);
		CHECK_INT(imsm_olce_end_volume(s, 1, IMSM_MAP_NORMAL), 0);
		CHECK_INT(imsm_olce_next_volume(s, &members), -ENOENT);
		CHECK_INT(s->dev[1].vol.map[1].num_members, 0);
	}
	imsm_free(s);
	olce_case_free(&c);
}

/* After a rebuild the table lists the new member last (slots 0 1 2 on
 * disks 0 2 1): the old slots keep their disks, the spare appended as disk
 * 3 takes new slot 3 (§6.5.1), and the end keeps them all. */
static void test_olce_after_rebuild(void)
{
	struct olce_case c;
	struct imsm_super *s = NULL;

	if (!olce_case_load(&c, "olce-r5", 4)) {
		CHECK(!"fixtures");
		return;
	}
	c.s->dev[0].vol.map[0].disk_ord_tbl[1] = 2;
	c.s->dev[0].vol.map[0].disk_ord_tbl[2] = 1;
	CHECK_INT(imsm_olce_start(c.s, &c.req, &s), 0);
	if (s) {
		const struct imsm_map *m0 = &s->dev[0].vol.map[0], *m1 = &s->dev[0].vol.map[1];

		CHECK_INT(s->num_disks, 4);
		CHECK(memcmp(s->disk[3].serial, c.disk.serial, IMSM_SERIAL_BYTES) == 0);
		CHECK_INT(m0->num_members, 4);
		CHECK_INT(m0->disk_ord_tbl[0], 0);
		CHECK_INT(m0->disk_ord_tbl[1], 2);
		CHECK_INT(m0->disk_ord_tbl[2], 1);
		CHECK_INT(m0->disk_ord_tbl[3], 3);
		CHECK_INT(m1->num_members, 3);
		CHECK_INT(m1->disk_ord_tbl[1], 2);
		CHECK_INT(m1->disk_ord_tbl[2], 1);
		CHECK_INT(imsm_olce_end_volume(s, 0, IMSM_MAP_NORMAL), 0);
		CHECK_INT(s->num_disks, 4);
		CHECK_INT(s->dev[0].vol.map[0].disk_ord_tbl[1], 2);
		CHECK_INT(s->dev[0].vol.map[0].disk_ord_tbl[3], 3);
	}
	imsm_free(s);
	olce_case_free(&c);
}

/* Assembly takes a disk that still carries its spare record into the
 * container only when the newest table takes it into a volume by a
 * migration under way: the new member of an OLCE, not the old members,
 * not a disk the table does not list. */
static void test_joining(void)
{
	struct olce_case c;
	struct imsm_super *s = NULL;
	struct super *before = NULL, *after = NULL;
	struct md_disk d = { .fd = -1 };

	if (!olce_case_load(&c, "olce-r5", 4)) {
		CHECK(!"fixtures");
		return;
	}
	CHECK(imsm_ops.joining != NULL);
	CHECK_INT(imsm_olce_start(c.s, &c.req, &s), 0);
	CHECK_INT(imsm_handle_new(c.s, &before), 0);
	c.s = NULL; /* owned by before */
	if (s)
		CHECK_INT(imsm_handle_new(s, &after), 0);
	if (before && after) {
		memcpy(d.id, c.disk.serial, IMSM_SERIAL_BYTES); /* the spare */
		CHECK(imsm_ops.joining(after, NULL, &d));
		CHECK(!imsm_ops.joining(before, NULL, &d)); /* not in that table */
		memcpy(d.id, imsm_mpb_of(after)->disk[0].serial, IMSM_SERIAL_BYTES);
		CHECK(!imsm_ops.joining(after, NULL, &d)); /* an old member */
		memcpy(d.id, "no-such-disk", 12);
		CHECK(!imsm_ops.joining(after, NULL, &d));
	}
	if (before)
		imsm_ops.free(before);
	if (after)
		imsm_ops.free(after);
	imsm_free(c.spare);
}

/* A stand-in for a copy a cut tore (imsm_read_torn()). */
static struct super *torn_copy(uint32_t family, uint32_t generation)
{
	struct imsm_super *s = NULL;
	struct super *st = NULL;

	if (imsm_super_alloc(0, &s))
		return NULL;
	s->family_num = family;
	s->generation_num = generation;
	s->torn = true;
	if (imsm_handle_new(s, &st))
		return NULL;
	return st;
}

/* A disk whose copy a cut tore joins under the container's newest table
 * when that table has it in a volume and the tear is of that update or
 * the one before; never another container's disk, an older tear, or a
 * disk no volume uses. */
static void test_joining_torn(void)
{
	struct olce_case c;
	struct imsm_super *s = NULL;
	struct super *after = NULL, *t;
	struct md_disk d = { .fd = -1 };
	uint32_t fam, gen;

	if (!olce_case_load(&c, "olce-r5", 4)) {
		CHECK(!"fixtures");
		return;
	}
	CHECK_INT(imsm_olce_start(c.s, &c.req, &s), 0);
	if (s)
		CHECK_INT(imsm_handle_new(s, &after), 0);
	if (after) {
		fam = imsm_family_of(imsm_mpb_of(after));
		gen = imsm_mpb_of(after)->generation_num;
		memcpy(d.id, imsm_mpb_of(after)->disk[1].serial, IMSM_SERIAL_BYTES);
		for (uint32_t back = 0; back <= 2; back++) {
			t = torn_copy(fam, gen - back);
			CHECK(t && imsm_ops.num_volumes(t) == 0);
			CHECK(t && imsm_ops.joining(after, t, &d) == (back <= 1));
			CHECK(t && !imsm_ops.supersedes(t, after));
			if (t)
				imsm_ops.free(t);
		}
		t = torn_copy(fam + 1, gen);
		CHECK(t && !imsm_ops.joining(after, t, &d)); /* another container's */
		memcpy(d.id, "no-such-disk", 12);
		CHECK(t && !imsm_ops.joining(after, NULL, &d));
		if (t)
			imsm_ops.free(t);
		imsm_ops.free(after);
	}
	olce_case_free(&c);
}

/* Flow step 4: md refused the start; the metadata goes back to what it was. */
static void test_olce_rollback(void)
{
	struct olce_case c;
	struct imsm_super *s = NULL, *rb = NULL;
	unsigned int first = 0, members;

	if (!olce_case_load(&c, "olce-2vol", 4)) {
		CHECK(!"fixtures");
		return;
	}
	CHECK_INT(imsm_olce_rollback(c.s, &rb, &first), -EINVAL); /* nothing started */
	CHECK_INT(imsm_olce_start(c.s, &c.req, &s), 0);
	if (s) {
		CHECK_INT(imsm_olce_rollback(s, &rb, &first), 0);
		CHECK_INT(first, c.s->num_disks);
		if (rb) {
			CHECK_INT(rb->num_disks, c.s->num_disks);
			for (int i = 0; i < c.s->num_raid_devs; i++)
				CHECK(memcmp(&rb->dev[i], &c.s->dev[i], sizeof(rb->dev[i])) == 0);
			CHECK(memcmp(rb->disk, c.s->disk, sizeof(rb->disk[0]) * c.s->num_disks) == 0);
			CHECK(rb->disk[first].serial[0] == 0);
		}
		imsm_free(rb);
		rb = NULL;
		CHECK_INT(imsm_olce_set_unit(s, 0, 1), 0); /* something moved */
		CHECK_INT(imsm_olce_rollback(s, &rb, &first), -EINVAL);
		CHECK_INT(imsm_olce_set_unit(s, 0, 0), 0);
		CHECK_INT(imsm_olce_end_volume(s, 0, IMSM_MAP_NORMAL), 0);
		CHECK_INT(imsm_olce_begin_volume(s, 1, 4), 0); /* volume 0 grown */
		CHECK_INT(imsm_olce_next_volume(s, &members), -ENOENT);
		CHECK_INT(imsm_olce_rollback(s, &rb, &first), -EINVAL);
	}
	CHECK(rb == NULL);
	imsm_free(s);
	olce_case_free(&c);
}

int main(void)
{
	fixture_init();
	RUN(test_golden_raid5);
	RUN(test_olce_rollback);
	RUN(test_golden_raid0);
	RUN(test_golden_two_volumes);
	RUN(test_golden_record_values);
	RUN(test_migr_rec_round_trip);
	RUN(test_migr_rec_4kn);
	RUN(test_geometry_and_units);
	RUN(test_plan_steps);
	RUN(test_aligned_holds);
	RUN(test_checkpoint_and_resume);
	RUN(test_bound_values);
	RUN(test_model_lazy_checkpoint);
	RUN(test_model_imsm_units);
	RUN(test_model_bound_is_tight);
	RUN(test_model_lag_grows);
	RUN(test_olce_refusals);
	RUN(test_olce_refuses_mixed_widths);
	RUN(test_olce_error_texts);
	RUN(test_min_spare);
	RUN(test_begin_end_volume);
	RUN(test_olce_after_rebuild);
	RUN(test_joining);
	RUN(test_joining_torn);
	return UNIT_DONE();
}
