/*
 * imsm-migr.c: migrations of one IMSM volume (see imsm-migr.h).
 *
 * Pure functions on a decoded volume record: no I/O, no printing, no
 * allocation.  The factor formulas reproduce upstream's arithmetic of
 * imsm-format.md §6.2 as is, including its oddities (a RAID5 unit of 384
 * sectors although a stripe holds 256), because the factor is part of the
 * on-disk contract: another implementation resumes at unit * factor.
 */
#include "imsm-migr.h"

#include <errno.h>
#include <string.h>

int imsm_migr_type(const struct imsm_dev *d)
{
	if (d->vol.migr_type == IMSM_MIGR_VERIFY && (d->status & IMSM_DEV_VERIFY_AND_FIX))
		return IMSM_MIGR_REPAIR;
	return d->vol.migr_type;
}

bool imsm_migr_is_resync(const struct imsm_dev *d)
{
	int t = imsm_migr_type(d);

	return d->vol.migr_state && (t == IMSM_MIGR_INIT || t == IMSM_MIGR_REPAIR);
}

bool imsm_migr_is_gen_migr(const struct imsm_dev *d)
{
	return d->vol.migr_state && d->vol.migr_type == IMSM_MIGR_GEN_MIGR;
}

/* ---- §6.2 factor ------------------------------------------------------------ */

static bool level_mirrored(int level)
{
	return level == 1 || level == 10;
}

/* mapped(rel): where array block rel of the source map starts on a member. */
static uint64_t map_rel_block(const struct imsm_map *b, uint64_t rel)
{
	int level = imsm_map_md_level(b);
	uint64_t c1 = b->blocks_per_strip, strip = rel / c1;

	if (level_mirrored(level))
		return (strip * b->num_domains + 1) / b->num_members * c1 + rel % c1;
	if (level == 5)
		return strip / (b->num_members - 1u) * c1 + rel % c1;
	return 0;
}

uint64_t imsm_migr_resync_factor(const struct imsm_vol *v)
{
	const struct imsm_map *a = &v->map[0], *b = &v->map[1];
	int level = imsm_map_md_level(a), dm = imsm_data_members(level, a->num_members);
	uint64_t c0 = a->blocks_per_strip, c1 = b->blocks_per_strip;
	uint64_t spu, mc, bpu, stripe, seg, depth;

	if (dm <= 0 || c0 == 0 || c1 == 0)
		return 0;
	spu = c1 / c0 > 1 ? c1 / c0 : 1;
	mc = level == 5 || level == 10 ? c0 : 256;
	bpu = spu * mc * (uint64_t)dm;
	stripe = c0 * (uint64_t)dm;
	seg = bpu / stripe;
	if (level_mirrored(level))
		depth = c0 * a->num_domains;
	else if (level == 5)
		depth = c0 * a->num_members;
	else
		depth = c0;
	return map_rel_block(b, bpu - seg * stripe) + depth * seg;
}

uint64_t imsm_migr_rebuild_factor(const struct imsm_vol *v)
{
	const struct imsm_map *a = &v->map[0], *b = &v->map[1];
	int level_b = imsm_map_md_level(b);
	uint64_t c0 = a->blocks_per_strip, c1 = b->blocks_per_strip, mc, spu;

	/* num_domains 0 is only a warning of the decoder */
	if (level_mirrored(level_b))
		mc = b->num_domains && b->num_members % b->num_domains == 0 ? 256 : c1;
	else if (level_b == 5)
		mc = c1 > 128 ? c1 : 128;
	else
		mc = 256;
	if (level_mirrored(imsm_map_md_level(a)))
		spu = b->num_domains;
	else
		spu = c0 && c1 / c0 > 1 ? c1 / c0 : 1;
	return mc * spu;
}

uint64_t imsm_migr_blocks_per_unit(const struct imsm_dev *d)
{
	if (!d->vol.migr_state)
		return 0;
	switch (d->vol.migr_type) {
	case IMSM_MIGR_INIT:
	case IMSM_MIGR_VERIFY: /* with or without the repair bit */
		return imsm_migr_resync_factor(&d->vol);
	case IMSM_MIGR_REBUILD:
		return imsm_migr_rebuild_factor(&d->vol);
	default:
		return 0;
	}
}

/* ---- §6.1 start and end ------------------------------------------------------- */

static void set_type(struct imsm_dev *d, int type)
{
	if (type == IMSM_MIGR_REPAIR) {
		d->vol.migr_type = IMSM_MIGR_VERIFY;
		d->status |= IMSM_DEV_VERIFY_AND_FIX;
	} else {
		d->vol.migr_type = (uint8_t)type;
		d->status &= ~IMSM_DEV_VERIFY_AND_FIX;
	}
}

void imsm_migr_start(struct imsm_dev *d, int type, uint8_t map0_state)
{
	struct imsm_map *dst = &d->vol.map[0];

	d->vol.migr_state = 1;
	set_type(d, type);
	d->vol.curr_migr_unit = 0;
	d->vol.map[1] = *dst;
	if (type == IMSM_MIGR_GEN_MIGR)
		for (int i = 0; i < dst->num_members; i++)
			dst->disk_ord_tbl[i] &= IMSM_ORD_INDEX_MASK;
	dst->map_state = map0_state;
}

void imsm_migr_merge_ords(struct imsm_dev *d)
{
	struct imsm_map *m = &d->vol.map[0];
	const struct imsm_map *prev = &d->vol.map[1];

	if (!d->vol.migr_state)
		return;
	for (int i = 0; i < prev->num_members; i++)
		for (int j = 0; j < m->num_members; j++)
			if ((m->disk_ord_tbl[j] & IMSM_ORD_INDEX_MASK) ==
			    (prev->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK)) {
				m->disk_ord_tbl[j] |= prev->disk_ord_tbl[i];
				break;
			}
}

void imsm_migr_end(struct imsm_dev *d, uint8_t map_state)
{
	d->vol.migr_state = 0;
	set_type(d, IMSM_MIGR_INIT);
	d->vol.curr_migr_unit = 0;
	d->vol.map[0].map_state = map_state;
	memset(&d->vol.map[1], 0, sizeof(d->vol.map[1]));
}

/* ---- checkpoints (§6.2 "md positions") ---------------------------------------- */

bool imsm_migr_set_checkpoint(struct imsm_dev *d, uint64_t pos)
{
	uint64_t factor = imsm_migr_blocks_per_unit(d), unit;

	if (!factor)
		return false;
	unit = pos / factor;
	if (unit == d->vol.curr_migr_unit)
		return false;
	d->vol.curr_migr_unit = unit;
	return true;
}

uint64_t imsm_migr_checkpoint_pos(const struct imsm_dev *d)
{
	uint64_t pos;

	if (__builtin_mul_overflow(d->vol.curr_migr_unit, imsm_migr_blocks_per_unit(d), &pos))
		return 0;
	return pos;
}

/* ---- the checks every change of a volume starts with ------------------------ */

int imsm_migr_change_allowed(const struct imsm_super *s, int vol)
{
	if (vol < 0 || vol >= s->num_raid_devs)
		return -ENODEV;
	if (!imsm_attributes_supported(s->attributes))
		return -EPERM;
	for (int i = 0; i < s->num_raid_devs; i++)
		if (s->dev[i].vol.migr_state)
			return -EBUSY;
	return 0;
}

const char *imsm_migr_change_error(int err)
{
	switch (err) {
	case -ENODEV:
		return "no such volume in the container";
	case -EBUSY:
		return "a volume is being initialized, resynced, rebuilt or reshaped; wait for it to finish";
	case -EUCLEAN:
		return "the volume is degraded, failed or not initialized; rebuild or initialize it first";
	default:
		return NULL;
	}
}
