/*
 * imsm-reshape.c: Online Capacity Expansion metadata, the migration record
 * and the arithmetic of a general migration (see imsm-reshape.h).
 *
 * Pure functions: no I/O, no printing; only imsm_olce_start() allocates.
 * The field values reproduce what Debian's mdadm 4.2 writes (checked
 * against its metadata in tests/unit/test-imsm-reshape.c), because the
 * peer must be able to continue a migration we started and the other way
 * round.
 *
 * ---- The safety bound: how far md may run ahead of the checkpoint ----------
 *
 * Setting.  A restripe on the same data offset, forwards (the only kind
 * IMSM has, md-kernel-interface.md §9.1.1).  Every member is cut into rows
 * of one chunk; the old layout puts D_old data chunks in a row, the new one
 * D_new (> D_old for OLCE).  With c_o, c_n the old and new chunk (blocks)
 * and array positions x in blocks:
 *
 *     old layout: x lives in member row  floor(x / (D_old * c_o))  at member
 *                 offset  floor(x / (D_old * c_o)) * c_o  (+ less than c_o)
 *     new layout: x lives at member offset  floor(x / (D_new * c_n)) * c_n ...
 *
 * (parity, where there is one, sits in the same row, so it never changes
 * which rows a write touches.)  md reshapes new row after new row; to fill
 * new row r it reads the old rows that hold its chunks (rows >= r, since
 * r * D_new >= r * D_old), then writes all of row r, which destroys old row
 * r.  md never writes past sync_max (member offset; it moves in steps of
 * max(c_o, c_n) from 0, so with sync_max aligned to both chunks nothing
 * beyond it is touched).
 *
 * Recovery from the metadata alone (no copy area involved) restarts md at
 * the recorded checkpoint C (array position, new layout): md takes every
 * x < C as already in the new layout and reads every x >= C from the old
 * layout.  That is correct after a crash at any moment iff
 *
 *   (a) every x < C really is in the new layout: md had passed C when C was
 *       recorded, and md writes each new row once, so rows below C are
 *       never touched again;
 *   (b) every x >= C is still intact in the old layout: the lowest member
 *       offset holding such an x (or the parity of its row) is the start of
 *       its old row, R(C) = floor(C / (D_old * c_o)) * c_o, and md's writes
 *       cover member offsets [0, sync_max) at most (a crash may leave any
 *       mixture of old and new data in there, rows half written included).
 *       So (b) holds for every crash point iff
 *
 *           sync_max <= R(C) = floor(C / (D_old * c_o)) * c_o.
 *
 *       This is also necessary: old row R(C) holds at least one chunk at or
 *       beyond C (C / c_o < (R(C)/c_o + 1) * D_old), so a crash just after md
 *       rewrote that row loses it (test-imsm-reshape.c shows it by letting
 *       md go one chunk further).
 *
 * So the checkpoint may lag md's reshape position P (= sync_max * D_new at
 * most) by up to about C * (D_new - D_old) / D_old, a gap that grows in
 * proportion to the progress, and the checkpoint has to be advanced only
 * when md reaches R(C).  md's own reshape for native metadata follows the
 * same idea (raid5.c reshape_request() records its position in the
 * superblock before its write position would pass the old-layout position
 * of what was last recorded).  Upstream's IMSM loop (§6.7 step 4, border =
 * S/D_old - P/D_new with S = P rounded down to an old row) is this bound
 * too, used at unit granularity: border is R(P) - P/D_new.
 *
 * Critical section.  From a checkpoint at the start of new row r (C = r *
 * D_new * c, one chunk size c) md can finish row r without a backup iff
 * (r + 1) * c <= R(C) = floor(r * D_new / D_old) * c, i.e. iff
 * r * (D_new - D_old) >= D_old.  The rows below ceil(D_old / (D_new -
 * D_old)) (and, at unit granularity, the units whose end is beyond R of
 * their start) can only be reshaped with their destination image in the
 * copy area first (§6.7: rec_status 1; recovery restores it and resumes one
 * unit further).  With D_new = D_old (RAID0 -> RAID5, chunk changes) every
 * unit is critical.  Examples (128 KiB chunk): RAID5 3 -> 4 disks (2 -> 3
 * data) needs rows 0-1, 1.5 MiB of array data, i.e. the first 6144-block
 * unit; RAID0 2 -> 3 the same; RAID5 3 -> 5 only row 0.
 *
 * The backup of unit k is itself safe: the restore writes unit k's rows and
 * md resumes at C' = (k+1) * bpu with sync_max having been (k+1) * depth,
 * which is <= R(C') whenever D_new >= D_old (depth is a multiple of c_o).
 */
#include "imsm-reshape.h"
#include "imsm-migr.h"
#include "imsm-le.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
#define MIB_BLOCKS 2048u
#define SECTOR_4K_FACTOR 8u /* 512-byte blocks per 4 KiB sector */

/* ---- little-endian access ---------------------------------------------------- */

static uint64_t get_split(const uint8_t *buf, size_t lo, size_t hi)
{
	return (uint64_t)le_get32(buf + hi) << 32 | le_get32(buf + lo);
}

static void put_split(uint8_t *buf, size_t lo, size_t hi, uint64_t v)
{
	le_put32(buf + lo, (uint32_t)v);
	le_put32(buf + hi, (uint32_t)(v >> 32));
}

/* ---- migr_rec codec (§2.8, §1.8) ------------------------------------------- */

enum {
	MR_REC_STATUS = 0x00,
	MR_CURR_UNIT_LO = 0x04,
	MR_FAMILY_NUM = 0x08,
	MR_ASCENDING = 0x0C,
	MR_BLOCKS_PER_UNIT = 0x10,
	MR_DEST_DEPTH = 0x14,
	MR_CKPT_PBA_LO = 0x18,
	MR_DEST_1ST_LO = 0x1C,
	MR_NUM_UNITS_LO = 0x20,
	MR_POST_CAP_LO = 0x24,
	MR_POST_CAP_HI = 0x28,
	MR_READ_DISK = 0x2C,
	MR_CURR_UNIT_HI = 0x30,
	MR_CKPT_PBA_HI = 0x34,
	MR_DEST_1ST_HI = 0x38,
	MR_NUM_UNITS_HI = 0x3C,
};

/* 512-byte blocks per on-disk unit of the converted fields; 0 if unknown. */
static uint32_t unit_factor(uint32_t sector_bytes)
{
	if (sector_bytes == 512)
		return 1;
	if (sector_bytes == 4096)
		return SECTOR_4K_FACTOR;
	return 0;
}

int imsm_migr_rec_decode(const void *buf, size_t len, uint32_t sector_bytes,
			 struct imsm_migr_rec *ret)
{
	const uint8_t *p = buf;
	uint32_t f = unit_factor(sector_bytes);

	if (!f)
		return -EINVAL;
	if (len < IMSM_MIGR_REC_BYTES)
		return -EMSGSIZE;
	memset(ret, 0, sizeof(*ret));
	ret->rec_status = le_get32(p + MR_REC_STATUS);
	ret->curr_migr_unit = get_split(p, MR_CURR_UNIT_LO, MR_CURR_UNIT_HI);
	ret->family_num = le_get32(p + MR_FAMILY_NUM);
	ret->ascending_migr = le_get32(p + MR_ASCENDING);
	ret->blocks_per_unit = le_get32(p + MR_BLOCKS_PER_UNIT) * f;
	ret->dest_depth_per_unit = le_get32(p + MR_DEST_DEPTH) * f;
	ret->ckpt_area_pba = get_split(p, MR_CKPT_PBA_LO, MR_CKPT_PBA_HI) * f;
	ret->dest_1st_member_lba = get_split(p, MR_DEST_1ST_LO, MR_DEST_1ST_HI) * f;
	ret->num_migr_units = get_split(p, MR_NUM_UNITS_LO, MR_NUM_UNITS_HI);
	ret->post_migr_vol_cap = get_split(p, MR_POST_CAP_LO, MR_POST_CAP_HI) * f;
	ret->ckpt_read_disk_num = le_get32(p + MR_READ_DISK);
	return 0;
}

/*
 * On 4Kn disks upstream divides the block fields by 8, truncating (the copy
 * area address N - 2209 is never a multiple of 8 there, so it reads back 7
 * blocks lower); we do the same so that both read the same area.
 */
int imsm_migr_rec_encode(const struct imsm_migr_rec *rec, uint32_t sector_bytes, void *buf,
			 size_t len)
{
	uint32_t f = unit_factor(sector_bytes);
	uint8_t *p = buf;

	if (!f)
		return -EINVAL;
	if (len < IMSM_MIGR_REC_BYTES)
		return -EMSGSIZE;
	memset(p, 0, len);
	le_put32(p + MR_REC_STATUS, rec->rec_status);
	put_split(p, MR_CURR_UNIT_LO, MR_CURR_UNIT_HI, rec->curr_migr_unit);
	le_put32(p + MR_FAMILY_NUM, rec->family_num);
	le_put32(p + MR_ASCENDING, rec->ascending_migr);
	le_put32(p + MR_BLOCKS_PER_UNIT, rec->blocks_per_unit / f);
	le_put32(p + MR_DEST_DEPTH, rec->dest_depth_per_unit / f);
	put_split(p, MR_CKPT_PBA_LO, MR_CKPT_PBA_HI, rec->ckpt_area_pba / f);
	put_split(p, MR_DEST_1ST_LO, MR_DEST_1ST_HI, rec->dest_1st_member_lba / f);
	put_split(p, MR_NUM_UNITS_LO, MR_NUM_UNITS_HI, rec->num_migr_units);
	put_split(p, MR_POST_CAP_LO, MR_POST_CAP_HI, rec->post_migr_vol_cap / f);
	le_put32(p + MR_READ_DISK, rec->ckpt_read_disk_num);
	return 0;
}

int imsm_migr_rec_members(const struct imsm_dev *d, uint32_t ret_index[2])
{
	const struct imsm_map *m = &d->vol.map[0];
	int n = m->num_members < 2 ? m->num_members : 2;

	for (int i = 0; i < n; i++)
		ret_index[i] = m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK;
	return n;
}

/* ---- geometry and units (§6.2, §6.7) ---------------------------------------- */

static int map_data_members(const struct imsm_map *m)
{
	int level = imsm_map_md_level(m);

	return level < 0 ? level : imsm_data_members(level, m->num_members);
}

static bool is_gen_migr(const struct imsm_dev *d)
{
	return d->vol.migr_state && d->vol.migr_type == IMSM_MIGR_GEN_MIGR;
}

int imsm_reshape_geom_of(const struct imsm_dev *d, struct imsm_reshape_geom *ret)
{
	const struct imsm_map *dst = &d->vol.map[0], *src = &d->vol.map[1];
	int nd = map_data_members(dst), od = map_data_members(src);
	struct imsm_reshape_geom g = {0};

	if (!is_gen_migr(d) || nd <= 0 || od <= 0 || !dst->blocks_per_strip ||
	    !src->blocks_per_strip)
		return -EINVAL;
	g.old_data = (unsigned int)od;
	g.new_data = (unsigned int)nd;
	g.old_chunk_blocks = src->blocks_per_strip;
	g.new_chunk_blocks = dst->blocks_per_strip;
	g.old_member_blocks = imsm_map_data_blocks(src);
	g.member_blocks = imsm_map_data_blocks(dst);
	if (__builtin_mul_overflow(g.member_blocks, (uint64_t)nd, &g.array_blocks))
		return -EINVAL;
	*ret = g;
	return 0;
}

static uint32_t max_chunk(const struct imsm_reshape_geom *g)
{
	return g->old_chunk_blocks > g->new_chunk_blocks ? g->old_chunk_blocks
							 : g->new_chunk_blocks;
}

uint32_t imsm_reshape_depth_blocks(const struct imsm_reshape_geom *g)
{
	uint32_t c = max_chunk(g);

	return c ? IMSM_GEN_MIGR_AREA_BLOCKS / c * c : 0;
}

/* Smallest total_blocks among the members of map m. */
static uint64_t smallest_member_blocks(const struct imsm_super *s, const struct imsm_map *m)
{
	uint64_t min = UINT64_MAX;

	for (unsigned int i = 0; i < m->num_members; i++) {
		uint32_t idx = m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK;

		if (idx < s->num_disks && s->disk[idx].total_blocks < min)
			min = s->disk[idx].total_blocks;
	}
	return min;
}

int imsm_migr_rec_init(const struct imsm_super *s, int idx, struct imsm_migr_rec *ret)
{
	struct imsm_migr_rec rec = {0};
	const struct imsm_dev *d;
	struct imsm_reshape_geom g;
	uint64_t bpu;
	int r;

	if (idx < 0 || idx >= s->num_raid_devs)
		return -EINVAL;
	d = &s->dev[idx];
	if (imsm_reshape_geom_of(d, &g))
		return -EINVAL;
	rec.dest_depth_per_unit = imsm_reshape_depth_blocks(&g);
	/* a unit holds whole rows of both layouts (imsm_migr_rec_check());
	 * chunks of the format's powers of two always fit, others may not */
	if (!rec.dest_depth_per_unit || rec.dest_depth_per_unit % g.old_chunk_blocks ||
	    rec.dest_depth_per_unit % g.new_chunk_blocks)
		return -EDOM;
	bpu = (uint64_t)rec.dest_depth_per_unit * g.new_data;
	if (bpu > UINT32_MAX)
		return -ERANGE;
	r = imsm_ckpt_area_pba_blocks(smallest_member_blocks(s, &d->vol.map[0]),
				      &rec.ckpt_area_pba);
	if (r)
		return r;
	rec.blocks_per_unit = (uint32_t)bpu;
	rec.family_num = s->family_num;
	rec.ascending_migr = 1;
	rec.num_migr_units = DIV_ROUND_UP(g.array_blocks, bpu);
	rec.post_migr_vol_cap = d->size_blocks;
	*ret = rec;
	return 0;
}

bool imsm_migr_rec_same_migration(const struct imsm_migr_rec *rec,
				  const struct imsm_migr_rec *fresh)
{
	return rec->family_num == fresh->family_num &&
	       rec->blocks_per_unit == fresh->blocks_per_unit &&
	       rec->dest_depth_per_unit == fresh->dest_depth_per_unit &&
	       rec->ckpt_area_pba == fresh->ckpt_area_pba &&
	       rec->num_migr_units == fresh->num_migr_units &&
	       rec->post_migr_vol_cap == fresh->post_migr_vol_cap;
}

int imsm_migr_rec_check(const struct imsm_migr_rec *rec, const struct imsm_reshape_geom *g)
{
	uint64_t depth = rec->dest_depth_per_unit, bpu = rec->blocks_per_unit;

	if (rec->ascending_migr != 1)
		return -EOPNOTSUPP;
	if (!depth || !g->new_data || !g->old_chunk_blocks || !g->new_chunk_blocks)
		return -EINVAL;
	/* whole rows of both layouts per unit, or the positions below are wrong */
	if (depth % g->old_chunk_blocks || depth % g->new_chunk_blocks ||
	    bpu != depth * g->new_data)
		return -EINVAL;
	if (rec->num_migr_units != DIV_ROUND_UP(g->array_blocks, bpu) ||
	    rec->curr_migr_unit > rec->num_migr_units)
		return -EINVAL;
	if (rec->rec_status != IMSM_UNIT_SRC_NORMAL && rec->rec_status != IMSM_UNIT_SRC_IN_CP_AREA)
		return -EINVAL;
	return 0;
}

void imsm_migr_rec_set_checkpoint(struct imsm_migr_rec *rec, uint64_t progress_blocks,
				  enum imsm_unit_src status)
{
	uint64_t unit =
	    rec->blocks_per_unit ? DIV_ROUND_UP(progress_blocks, rec->blocks_per_unit) : 0;

	rec->curr_migr_unit = unit;
	rec->dest_1st_member_lba = unit * rec->dest_depth_per_unit;
	rec->rec_status = status;
}

uint64_t imsm_reshape_resume_pos(const struct imsm_migr_rec *rec, const struct imsm_reshape_geom *g)
{
	uint64_t unit = rec->curr_migr_unit, pos;

	if (rec->rec_status == IMSM_UNIT_SRC_IN_CP_AREA)
		unit++;
	if (__builtin_mul_overflow(unit, (uint64_t)rec->blocks_per_unit, &pos))
		return g->array_blocks;
	return pos < g->array_blocks ? pos : g->array_blocks;
}

int imsm_reshape_unit(const struct imsm_migr_rec *rec, const struct imsm_reshape_geom *g,
		      uint64_t k, struct imsm_reshape_unit *ret)
{
	uint64_t old_row = (uint64_t)g->old_data * g->old_chunk_blocks, end;
	struct imsm_reshape_unit u;
	int r = imsm_migr_rec_check(rec, g);

	if (r)
		return r;
	if (k >= rec->num_migr_units)
		return -ERANGE;
	u.array_start = k * rec->blocks_per_unit;
	end = u.array_start + rec->blocks_per_unit;
	u.array_blocks = (end < g->array_blocks ? end : g->array_blocks) - u.array_start;
	u.dest_member_start = k * rec->dest_depth_per_unit;
	u.dest_member_blocks = u.array_blocks / g->new_data;
	u.src_member_start = u.array_start / old_row * g->old_chunk_blocks;
	u.src_member_end =
	    DIV_ROUND_UP(u.array_start + u.array_blocks, old_row) * g->old_chunk_blocks;
	/* past the old array there is nothing to read (the grown space) */
	if (u.src_member_end > g->old_member_blocks)
		u.src_member_end = g->old_member_blocks;
	if (u.src_member_start > u.src_member_end)
		u.src_member_start = u.src_member_end;
	*ret = u;
	return 0;
}

/* ---- the safety bound (derivation at the top of this file) --------------------- */

/* R(C) with both chunks: sync_max <= R(C) keeps every x >= C readable. */
static uint64_t old_row_start(unsigned int old_data, uint32_t old_chunk, uint64_t checkpoint)
{
	return checkpoint / ((uint64_t)old_data * old_chunk) * old_chunk;
}

uint64_t imsm_reshape_safe_sync_max(unsigned int old_data, unsigned int new_data,
				    uint32_t chunk_blocks, uint64_t checkpoint_blocks)
{
	uint64_t here, bound;

	if (!old_data || !new_data || !chunk_blocks)
		return 0;
	here = checkpoint_blocks / ((uint64_t)new_data * chunk_blocks) * chunk_blocks;
	bound = old_row_start(old_data, chunk_blocks, checkpoint_blocks);
	return bound > here ? bound : here;
}

uint64_t imsm_reshape_align_unit(const struct imsm_migr_rec *rec,
				 const struct imsm_reshape_geom *g, uint64_t unit)
{
	uint64_t old_row = (uint64_t)g->old_data * g->old_chunk_blocks;

	while (unit < rec->num_migr_units && old_row && unit * rec->blocks_per_unit % old_row)
		unit++;
	return unit < rec->num_migr_units ? unit : rec->num_migr_units;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

uint64_t imsm_reshape_align_sync_max(const struct imsm_reshape_geom *g, uint64_t max,
				     uint64_t min_array)
{
	uint64_t old_row = (uint64_t)g->old_data * g->old_chunk_blocks;
	uint64_t new_row = (uint64_t)g->new_data * g->new_chunk_blocks, step, a;

	if (!old_row || !new_row || max * g->new_data >= g->array_blocks)
		return max;
	step = old_row / gcd64(old_row, new_row) * new_row; /* array blocks */
	a = max * g->new_data / step * step;
	return a >= min_array && a > 0 ? a / g->new_data : max;
}

uint64_t imsm_reshape_align_sync_max_up(const struct imsm_reshape_geom *g, uint64_t max)
{
	uint64_t old_row = (uint64_t)g->old_data * g->old_chunk_blocks;
	uint64_t new_row = (uint64_t)g->new_data * g->new_chunk_blocks, per_member, up;

	if (!old_row || !new_row || max >= g->member_blocks)
		return max;
	/* lcm of the rows (array blocks), a multiple of new_data */
	per_member = old_row / gcd64(old_row, new_row) * new_row / g->new_data;
	up = DIV_ROUND_UP(max, per_member) * per_member;
	return up < g->member_blocks ? up : g->member_blocks;
}

uint64_t imsm_reshape_critical_end(unsigned int old_data, unsigned int new_data,
				   uint32_t chunk_blocks)
{
	uint64_t rows;

	if (new_data <= old_data)
		return UINT64_MAX;
	rows = DIV_ROUND_UP((uint64_t)old_data, new_data - old_data);
	return rows * new_data * chunk_blocks;
}

/* Units from first that md can finish while the checkpoint stays at first. */
static uint64_t units_without_backup(const struct imsm_migr_rec *rec,
				     const struct imsm_reshape_geom *g, uint64_t first)
{
	uint64_t here = first * rec->dest_depth_per_unit;
	uint64_t bound =
	    old_row_start(g->old_data, g->old_chunk_blocks, first * rec->blocks_per_unit);

	if (bound >= g->member_blocks) /* the rest, a short last unit included */
		return rec->num_migr_units - first;
	return bound > here ? (bound - here) / rec->dest_depth_per_unit : 0;
}

int imsm_reshape_plan_step(const struct imsm_migr_rec *rec, const struct imsm_reshape_geom *g,
			   uint64_t first_unit, uint64_t max_units, struct imsm_reshape_step *ret)
{
	struct imsm_reshape_step st = {.first_unit = first_unit};
	uint64_t left, end;
	int r = imsm_migr_rec_check(rec, g);

	if (r)
		return r;
	if (first_unit >= rec->num_migr_units)
		return -ERANGE;
	left = rec->num_migr_units - first_unit;
	st.units = units_without_backup(rec, g, first_unit);
	if (st.units > left)
		st.units = left;
	if (max_units && st.units > max_units)
		st.units = max_units;
	if (!st.units) {
		st.units = 1;
		st.backup = true;
	}
	st.suspend_lo = first_unit * rec->blocks_per_unit;
	end = (first_unit + st.units) * rec->blocks_per_unit;
	st.suspend_hi = end < g->array_blocks ? end : g->array_blocks;
	st.sync_max = st.suspend_hi / g->new_data;
	*ret = st;
	return 0;
}

/* ---- OLCE checks (§6.5.1, §6.8) ------------------------------------------------ */

static bool volume_level_ok(const struct imsm_dev *d)
{
	int level = imsm_map_md_level(&d->vol.map[0]);

	return level == 0 || level == 5;
}

/* One rule over every volume; returns the first error. */
static int check_volumes(const struct imsm_super *s)
{
	for (int i = 0; i < s->num_raid_devs; i++)
		if (s->dev[i].vol.migr_state)
			return -EBUSY;
	for (int i = 0; i < s->num_raid_devs; i++)
		if (!volume_level_ok(&s->dev[i]))
			return -EMEDIUMTYPE;
	for (int i = 0; i < s->num_raid_devs; i++)
		if (s->dev[i].rwh_policy != RWH_OFF && s->dev[i].rwh_policy != RWH_OFF_MULTIPLE)
			return -EOPNOTSUPP;
	for (int i = 0; i < s->num_raid_devs; i++)
		if (s->dev[i].vol.map[0].map_state != IMSM_MAP_NORMAL)
			return -EUCLEAN;
	return 0;
}

/* Whether map m's slots name each of disks 0 .. n-1 once. */
static bool map_uses_all(const struct imsm_map *m, unsigned int n)
{
	uint64_t seen = 0;

	for (unsigned int j = 0; j < m->num_members; j++) {
		uint32_t idx = m->disk_ord_tbl[j] & IMSM_ORD_INDEX_MASK;

		if (idx >= n || idx >= 64 || (seen & (1ull << idx)))
			return false;
		seen |= 1ull << idx;
	}
	return m->num_members == n;
}

/*
 * Same width everywhere, chunks a unit can hold, and no disk in the table
 * but the volumes' members: the spares are appended, so new slot k gets
 * disk index k (§6.5.1).  The old slots may name their disks in any order
 * (a rebuilt member comes last in the table).
 */
static int check_layout(const struct imsm_super *s)
{
	unsigned int n = s->dev[0].vol.map[0].num_members;

	for (int i = 0; i < s->num_raid_devs; i++)
		if (s->dev[i].vol.map[0].num_members != n)
			return -EXDEV;
	for (int i = 0; i < s->num_raid_devs; i++)
		if (s->dev[i].vol.map[0].blocks_per_strip > IMSM_GEN_MIGR_AREA_BLOCKS)
			return -EDOM;
	if (s->num_disks != n)
		return -ECHRNG;
	for (int i = 0; i < s->num_raid_devs; i++)
		if (!map_uses_all(&s->dev[i].vol.map[0], n))
			return -ECHRNG;
	return 0;
}

static bool serial_in_table(const struct imsm_super *s, const char *serial)
{
	for (unsigned int i = 0; i < s->num_disks; i++)
		if (memcmp(s->disk[i].serial, serial, IMSM_SERIAL_BYTES) == 0)
			return true;
	return false;
}

static int check_spares(const struct imsm_super *s, const struct imsm_olce_request *req,
			unsigned int need)
{
	uint64_t min = imsm_olce_min_spare_blocks(s);
	unsigned int fit = 0;

	for (unsigned int i = 0; i < req->n_spares; i++)
		if (serial_in_table(s, req->spares[i].serial))
			return -EEXIST;
	if (req->n_spares < need)
		return -ENOENT;
	for (unsigned int i = 0; i < req->n_spares; i++)
		if (req->spares[i].total_blocks >= min)
			fit++;
	return fit < need ? -ENOSPC : 0;
}

int imsm_olce_check(const struct imsm_super *s, const struct imsm_olce_request *req)
{
	unsigned int n, limit = IMSM_MAX_MEMBERS;
	int r;

	if (s->num_raid_devs == 0)
		return -ENODEV;
	if (!imsm_attributes_supported(s->attributes))
		return -EPERM;
	r = check_volumes(s);
	if (!r)
		r = check_layout(s);
	if (r)
		return r;
	n = s->dev[0].vol.map[0].num_members;
	if (req->new_members <= n)
		return -EINVAL;
	if (req->max_members && req->max_members < limit)
		limit = req->max_members;
	if (req->new_members > limit)
		return -E2BIG;
	return check_spares(s, req, req->new_members - n);
}

const char *imsm_olce_error(int err)
{
	switch (err) {
	case -ENODEV:
		return "the container has no volume to expand";
	case -EPERM:
		return "the container has attributes that IMSM does not support for reshapes";
	case -EBUSY:
		return "a volume is being initialized, resynced, rebuilt or reshaped; wait for it to finish";
	case -EMEDIUMTYPE:
		return "IMSM can add disks only to raid0 and raid5 volumes";
	case -EOPNOTSUPP:
		return "a volume uses a PPL or a write-intent bitmap; disable it first";
	case -EUCLEAN:
		return "a volume is degraded, failed or not initialized; rebuild or initialize it first";
	case -EXDEV:
		return "the volumes of the container have different numbers of disks";
	case -EDOM:
		return "volumes with a chunk larger than 1024K cannot be reshaped";
	case -ECHRNG:
		return "the container's disk list holds disks that are not members of every volume";
	case -EINVAL:
		return "--raid-devices must be larger than the current number of disks";
	case -E2BIG:
		return "too many disks for one IMSM volume";
	case -EEXIST:
		return "a spare has the serial of a disk already in the container";
	case -ENOENT:
		return "not enough spare disks in the container";
	case -ENOSPC:
		return "the spare disks are too small";
	default:
		return strerror(-err);
	}
}

uint64_t imsm_olce_min_spare_blocks(const struct imsm_super *s)
{
	uint64_t end = 0, smallest = UINT64_MAX, smallest_end = 0, e;

	for (unsigned int i = 0; i < s->num_disks; i++) {
		e = imsm_disk_data_end_blocks(s, i);
		if (e > end)
			end = e;
		if (e && s->disk[i].total_blocks < smallest) {
			smallest = s->disk[i].total_blocks;
			smallest_end = e;
		}
	}
	if (!end)
		return IMSM_DEFAULT_RESERVED_BLOCKS;
	e = imsm_reserved_blocks(smallest, smallest_end, (uint32_t)imsm_mpb_bytes(s));
	return end + imsm_spare_reserved_blocks(e);
}

/* ---- OLCE metadata (§6.5.1) ------------------------------------------------------ */

/* upstream's round_size_to_mb(): whole MiB per data member */
static uint64_t round_size_mib(uint64_t size, unsigned int data_members)
{
	return size / data_members / MIB_BLOCKS * MIB_BLOCKS * data_members;
}

/* dev.size from map[0]: per-member data * D, rounded; 0 on overflow. */
static uint64_t olce_size(const struct imsm_dev *d)
{
	const struct imsm_map *m = &d->vol.map[0];
	int dm = map_data_members(m);
	uint64_t size;

	if (dm <= 0 || __builtin_mul_overflow(imsm_map_data_blocks(m), (uint64_t)dm, &size))
		return 0;
	return round_size_mib(size, (unsigned int)dm);
}

int imsm_olce_begin_volume(struct imsm_super *s, int idx, unsigned int new_members)
{
	struct imsm_dev *d;
	struct imsm_map *m;
	unsigned int old;

	if (idx < 0 || idx >= s->num_raid_devs)
		return -EINVAL;
	d = &s->dev[idx];
	m = &d->vol.map[0];
	old = m->num_members;
	if (d->vol.migr_state || !volume_level_ok(d) || new_members <= old ||
	    new_members > IMSM_MAX_MEMBERS || new_members > s->num_disks)
		return -EINVAL;
	d->vol.map[1] = *m;
	m->num_members = (uint8_t)new_members;
	for (unsigned int i = old; i < new_members; i++)
		m->disk_ord_tbl[i] = i; /* upstream: new slot = new disk index (§11.7) */
	d->vol.migr_state = 1;
	d->vol.migr_type = IMSM_MIGR_GEN_MIGR;
	d->status &= ~IMSM_DEV_VERIFY_AND_FIX;
	d->vol.curr_migr_unit = 0;
	d->size_blocks = olce_size(d);
	return 0;
}

int imsm_olce_next_volume(const struct imsm_super *s, unsigned int *ret_members)
{
	unsigned int n;

	if (s->num_raid_devs == 0)
		return -ENOENT;
	for (int i = 0; i < s->num_raid_devs; i++)
		if (s->dev[i].vol.migr_state)
			return -ENOENT;
	n = s->dev[0].vol.map[0].num_members;
	for (int i = 1; i < s->num_raid_devs; i++)
		if (s->dev[i].vol.map[0].num_members != n) {
			*ret_members = n;
			return i;
		}
	return -ENOENT;
}

/* Whether a map of any volume names disk index. */
static bool disk_referenced(const struct imsm_super *s, unsigned int index)
{
	for (int v = 0; v < s->num_raid_devs; v++)
		for (int k = 0; k < (s->dev[v].vol.migr_state ? 2 : 1); k++)
			if (imsm_map_uses_disk(&s->dev[v].vol.map[k], index))
				return true;
	return false;
}

/* Disk record index leaves the table; the indexes above it move down. */
static void remove_disk_record(struct imsm_super *s, unsigned int index)
{
	memmove(&s->disk[index], &s->disk[index + 1],
		(size_t)(s->num_disks - index - 1) * sizeof(s->disk[0]));
	s->num_disks--;
	memset(&s->disk[s->num_disks], 0, sizeof(s->disk[0]));
	for (int v = 0; v < s->num_raid_devs; v++)
		for (int k = 0; k < 2; k++) {
			struct imsm_map *m = &s->dev[v].vol.map[k];

			for (unsigned int i = 0; i < m->num_members; i++) {
				uint32_t o = m->disk_ord_tbl[i], at = o & IMSM_ORD_INDEX_MASK;

				if (at > index)
					m->disk_ord_tbl[i] = (o & ~IMSM_ORD_INDEX_MASK) | (at - 1);
			}
		}
}

/* The disks of map old that no volume uses any more (raid5 -> raid0's
 * last slot) leave the table: they are spares again. */
static void drop_left_disks(struct imsm_super *s, const struct imsm_map *old)
{
	for (unsigned int idx = s->num_disks; idx-- > 0;)
		if (imsm_map_uses_disk(old, idx) && !disk_referenced(s, idx))
			remove_disk_record(s, idx);
}

int imsm_olce_end_volume(struct imsm_super *s, int idx, uint8_t map_state)
{
	struct imsm_map old;
	struct imsm_dev *d;
	bool grew;

	if (idx < 0 || idx >= s->num_raid_devs || !is_gen_migr(&s->dev[idx]))
		return -EINVAL;
	d = &s->dev[idx];
	old = d->vol.map[1];
	grew = map_data_members(&d->vol.map[0]) > map_data_members(&old);
	d->vol.migr_state = 0;
	d->vol.migr_type = 0;
	d->status &= ~IMSM_DEV_VERIFY_AND_FIX;
	d->vol.curr_migr_unit = 0;
	d->vol.map[0].map_state = map_state;
	memset(&d->vol.map[1], 0, sizeof(d->vol.map[1]));
	if (grew) /* a restripe keeps the size it had */
		d->size_blocks = olce_size(d);
	/* raid0 has no parity to be dirty about; md no longer marks it (mdmon
	 * watches no raid0): the flag the raid4/raid5 stage left goes */
	if (d->vol.map[0].raid_level == IMSM_LEVEL_BYTE_RAID0)
		d->vol.dirty = 0;
	drop_left_disks(s, &old);
	return 0;
}

/* The volume whose migration imsm_olce_rollback() may undo, -1 if none:
 * see imsm-reshape.h. */
static int undoable_volume(const struct imsm_super *s)
{
	int idx = -1;

	for (int i = 0; i < s->num_raid_devs; i++) {
		if (!s->dev[i].vol.migr_state)
			continue;
		if (idx >= 0 || !is_gen_migr(&s->dev[i]) || s->dev[i].vol.curr_migr_unit != 0)
			return -1;
		idx = i;
	}
	/* an OLCE's later volume grows onto disks an earlier one took already */
	for (int i = 0; idx >= 0 && i < s->num_raid_devs; i++)
		if (i != idx && s->dev[idx].vol.map[0].num_members > s->dev[idx].vol.map[1].num_members &&
		    s->dev[i].vol.map[0].num_members != s->dev[idx].vol.map[1].num_members)
			return -1;
	return idx;
}

int imsm_olce_rollback(const struct imsm_super *s, struct imsm_super **ret,
		       unsigned int *ret_first)
{
	struct imsm_super *new;
	struct imsm_dev *d;
	int r, idx = undoable_volume(s);
	bool grew;

	if (idx < 0)
		return -EINVAL;
	r = imsm_super_dup(s, &new);
	if (r)
		return r;
	d = &new->dev[idx];
	grew = map_data_members(&d->vol.map[0]) > map_data_members(&d->vol.map[1]);
	d->vol.map[0] = d->vol.map[1];
	memset(&d->vol.map[1], 0, sizeof(d->vol.map[1]));
	d->vol.migr_state = 0;
	d->vol.migr_type = 0;
	d->vol.curr_migr_unit = 0;
	if (grew)
		d->size_blocks = olce_size(d);
	/* the records the start appended, now unused, go */
	while (new->num_disks && !disk_referenced(new, new->num_disks - 1u))
		memset(&new->disk[--new->num_disks], 0, sizeof(new->disk[0]));
	*ret = new;
	*ret_first = new->num_disks;
	return 0;
}

/* Append the first `need` spares that are large enough as members n, n+1, ... */
static void add_spare_records(struct imsm_super *s, const struct imsm_olce_request *req,
			      unsigned int need)
{
	uint64_t min = imsm_olce_min_spare_blocks(s);

	for (unsigned int i = 0; i < req->n_spares && need; i++) {
		struct imsm_disk *rec = &s->disk[s->num_disks];

		if (req->spares[i].total_blocks < min)
			continue;
		*rec = req->spares[i];
		rec->status = (rec->status | IMSM_DISK_CONFIGURED) & ~IMSM_DISK_SPARE;
		s->num_disks++;
		need--;
	}
}

int imsm_olce_start(const struct imsm_super *s, const struct imsm_olce_request *req,
		    struct imsm_super **ret)
{
	struct imsm_super *new;
	int r = imsm_olce_check(s, req);

	if (r)
		return r;
	r = imsm_super_dup(s, &new);
	if (r)
		return r;
	add_spare_records(new, req, req->new_members - s->dev[0].vol.map[0].num_members);
	r = imsm_olce_begin_volume(new, 0, req->new_members);
	if (r) {
		imsm_free(new);
		return r;
	}
	*ret = new;
	return 0;
}

/* ---- mdmon's view of an OLCE ------------------------------------------------------ */

int imsm_olce_check_start_update(const struct imsm_super *cur, const struct imsm_super *upd)
{
	int started = 0;

	if (!cur || !upd || upd->family_num != cur->family_num ||
	    upd->num_raid_devs != cur->num_raid_devs || upd->num_raid_devs == 0 ||
	    upd->num_disks < cur->num_disks)
		return -EINVAL;
	for (unsigned int i = 0; i < cur->num_disks; i++)
		if (memcmp(upd->disk[i].serial, cur->disk[i].serial, IMSM_SERIAL_BYTES) != 0)
			return -EINVAL;
	for (unsigned int i = 0; i < cur->num_raid_devs; i++) {
		if (cur->dev[i].vol.migr_state)
			return -EINVAL;
		started += imsm_migr_is_gen_migr(&upd->dev[i]);
		if (!imsm_migr_is_gen_migr(&upd->dev[i]) && upd->dev[i].vol.migr_state)
			return -EINVAL;
	}
	return started == 1 ? 0 : -EINVAL;
}

int imsm_olce_set_unit(struct imsm_super *s, int idx, uint64_t unit)
{
	if (idx < 0 || idx >= s->num_raid_devs || !imsm_migr_is_gen_migr(&s->dev[idx]))
		return -EINVAL;
	s->dev[idx].vol.curr_migr_unit = unit;
	return 0;
}
