/*
 * imsm-resize.c: a volume's size on each disk, the metadata part (see
 * imsm-resize.h).
 */
#include "imsm-resize.h"
#include "imsm-migr.h"
#include "imsm.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Blocks free for the volume on its smallest member: from its start to
 * the reserved area at the end (as a new volume, imsm-create.c). */
static uint64_t free_blocks(const struct imsm_super *s, const struct imsm_map *m)
{
	uint64_t min = UINT64_MAX;

	for (unsigned int i = 0; i < m->num_members; i++) {
		uint32_t idx = m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK;

		if (idx < s->num_disks && s->disk[idx].total_blocks < min)
			min = s->disk[idx].total_blocks;
	}
	if (min == UINT64_MAX || min < IMSM_DEFAULT_RESERVED_BLOCKS + m->pba_of_lba0)
		return 0;
	return min - IMSM_DEFAULT_RESERVED_BLOCKS - m->pba_of_lba0;
}

static bool is_last(const struct imsm_super *s, int vol)
{
	for (int i = 0; i < s->num_raid_devs; i++)
		if (s->dev[i].vol.map[0].pba_of_lba0 > s->dev[vol].vol.map[0].pba_of_lba0)
			return false;
	return true;
}

static int geometry_of(const struct imsm_map *m, uint64_t kib, struct imsm_geometry *g)
{
	int r = imsm_volume_geometry(imsm_map_md_level(m), m->num_members, m->blocks_per_strip, kib, g);

	return r == -ERANGE ? -ENOSPC : r;
}

int imsm_resize_check(const struct imsm_super *s, int vol, uint64_t member_kib,
		      uint64_t *ret_kib)
{
	const struct imsm_map *m;
	struct imsm_geometry g;
	uint64_t avail;
	int r;

	r = imsm_migr_change_allowed(s, vol);
	if (r)
		return r;
	m = &s->dev[vol].vol.map[0];
	if (m->map_state != IMSM_MAP_NORMAL)
		return -EUCLEAN;
	if (!is_last(s, vol))
		return -EXDEV;
	avail = free_blocks(s, m);
	if (!member_kib)
		member_kib = imsm_default_member_kib(imsm_map_md_level(m), m->blocks_per_strip / 2u, avail);
	r = geometry_of(m, member_kib, &g);
	if (r)
		return r;
	if (g.member_data_blocks < imsm_map_data_blocks(m))
		return -ERANGE;
	if (g.member_data_blocks > avail)
		return -ENOSPC;
	*ret_kib = g.member_data_blocks / 2;
	return 0;
}

const char *imsm_resize_error(int err)
{
	if (imsm_migr_change_error(err))
		return imsm_migr_change_error(err);
	switch (err) {
	case -EPERM:
		return "the container has attributes that IMSM does not support for size changes";
	case -EXDEV:
		return "only the last volume of the container can grow (another one follows it on the disks)";
	case -ERANGE:
		return "IMSM volumes do not shrink";
	case -ENOSPC:
		return "the disks have no room for that size";
	default:
		return strerror(-err);
	}
}

int imsm_resize_apply(const struct imsm_super *s, int vol, uint64_t member_kib,
		      struct imsm_super **ret)
{
	struct imsm_geometry g;
	struct imsm_super *new;
	struct imsm_map *m;
	uint64_t kib = 0;
	int r = imsm_resize_check(s, vol, member_kib, &kib);

	if (r)
		return r;
	if (kib * 2 == imsm_map_data_blocks(&s->dev[vol].vol.map[0]))
		return -EALREADY;
	r = imsm_super_dup(s, &new);
	if (r)
		return r;
	m = &new->dev[vol].vol.map[0];
	r = geometry_of(m, kib, &g);
	if (r) {
		imsm_free(new);
		return r;
	}
	new->dev[vol].size_blocks = g.size_blocks;
	m->blocks_per_member = g.blocks_per_member;
	m->num_data_stripes = g.num_data_stripes;
	if (imsm_map_md_level(m) != 0)
		new->dev[vol].vol.dirty = 1;
	imsm_version_refresh(new);
	*ret = new;
	return 0;
}
