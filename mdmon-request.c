/*
 * mdmon-request.c: the checks every socket request passes before mdmon's
 * manager acts on it (rules in mdmon-request.h).  Pure: the request and
 * the view come from the caller; everything in the request is mdadm's
 * word (or an attacker's) and is checked against mdmon's own metadata.
 */
#include "mdmon-request.h"

#include <errno.h>
#include <string.h>

#include "imsm-migr.h"

/* Linux's dev_t: 12 bits of major, 20 of minor; major 0 is unnamed. */
#define DEV_MAJOR_MAX 4095u
#define DEV_MINOR_MAX 0xfffffu

static int find_req_disk(const struct mdmon_req_disk *disks, int n, unsigned int major,
			 unsigned int minor)
{
	for (int i = 0; i < n; i++)
		if (disks[i].major == major && disks[i].minor == minor)
			return i;
	return -1;
}

/* Volume vol of the metadata, or NULL. */
static const struct imsm_dev *req_volume(const struct imsm_super *mpb, uint32_t vol)
{
	if (!mpb || vol >= mpb->num_raid_devs || vol >= IMSM_MAX_RAID_DEVS)
		return NULL;
	return &mpb->dev[vol];
}

/* The raw blocks a map spans over its members: no array is larger. */
static uint64_t map_raw_blocks(const struct imsm_map *m)
{
	return m->blocks_per_member * m->num_members;
}

static int check_checkpoint(const struct imsm_dev *d, uint32_t unit)
{
	uint64_t bound = map_raw_blocks(&d->vol.map[0]);

	if (map_raw_blocks(&d->vol.map[1]) > bound)
		bound = map_raw_blocks(&d->vol.map[1]);
	if (!imsm_migr_is_gen_migr(d))
		return -EBUSY;
	return unit > bound ? -EINVAL : 0;
}

/* The smallest table size among the volume's members (blocks). */
static uint64_t smallest_member(const struct imsm_super *mpb, const struct imsm_map *m)
{
	uint64_t least = UINT64_MAX;

	for (unsigned int i = 0; i < m->num_members && i < IMSM_MAX_MEMBERS; i++) {
		uint32_t idx = m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK;

		if (idx >= mpb->num_disks)
			return 0;
		if (mpb->disk[idx].total_blocks < least)
			least = mpb->disk[idx].total_blocks;
	}
	return least == UINT64_MAX ? 0 : least;
}

static int check_resize(const struct imsm_super *mpb, const struct imsm_dev *d, uint32_t mib)
{
	if (d->vol.migr_state)
		return -EBUSY;
	if (mib == 0 || (uint64_t)mib * 2048 > smallest_member(mpb, &d->vol.map[0]))
		return -EINVAL;
	return 0;
}

static int check_takeover(const struct imsm_dev *d, uint32_t level)
{
	if (d->vol.migr_state)
		return -EBUSY;
	return level == 0 || level == 1 || level == 10 ? 0 : -EINVAL;
}

static int check_new_disk(const struct mdmon_req_disk *disks, int n, unsigned int major,
			  unsigned int minor)
{
	if (major == 0 || major > DEV_MAJOR_MAX || minor > DEV_MINOR_MAX)
		return -EINVAL;
	return find_req_disk(disks, n, major, minor) >= 0 ? -EEXIST : 0;
}

int mdmon_check_disk_req(const struct imsm_super *mpb, const struct mdmon_req_disk *disks, int n,
			 const struct mdmon_disk_req *req)
{
	const struct imsm_dev *d = NULL;

	switch (req->type) {
	case MDMON_REQ_ADD_SPARE:
		return check_new_disk(disks, n, req->major, req->minor);
	case MDMON_REQ_REMOVE_DISK:
		return find_req_disk(disks, n, req->major, req->minor) < 0 ? -ENODEV : 0;
	case MDMON_REQ_OLCE_ROLLBACK:
		return mpb ? 0 : -ENODATA;
	case MDMON_REQ_MIGR_CHECKPOINT:
	case MDMON_REQ_MIGR_END:
	case MDMON_REQ_TAKEOVER:
	case MDMON_REQ_RESIZE:
		break;
	default:
		return -EPROTO;
	}
	if (!mpb)
		return -ENODATA;
	d = req_volume(mpb, req->major);
	if (!d)
		return -ENOENT;
	if (req->type == MDMON_REQ_MIGR_CHECKPOINT)
		return check_checkpoint(d, req->minor);
	if (req->type == MDMON_REQ_MIGR_END)
		return imsm_migr_is_gen_migr(d) ? 0 : -EBUSY;
	if (req->type == MDMON_REQ_TAKEOVER)
		return check_takeover(d, req->minor);
	return check_resize(mpb, d, req->minor);
}

/* 1 to IMSM_NAME_BYTES printable bytes, then only NULs. */
static int check_name(const char name[IMSM_NAME_BYTES])
{
	size_t len = strnlen(name, IMSM_NAME_BYTES);

	if (len == 0)
		return -EBADR;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] > 0x7e)
			return -EBADR;
	for (size_t i = len; i < IMSM_NAME_BYTES; i++)
		if (name[i])
			return -EBADR;
	return 0;
}

int mdmon_check_vol_req(const struct imsm_super *mpb, const struct mdmon_vol_req *req)
{
	if (req->type != MDMON_VOL_KILL && req->type != MDMON_VOL_RENAME)
		return -EPROTO;
	if (!mpb)
		return -ENODATA;
	if (!req_volume(mpb, req->index))
		return -ENOENT;
	return req->type == MDMON_VOL_RENAME ? check_name(req->name) : 0;
}

/* ---- a migration start built from an older view ------------------------------ */

/* What mdmon records in a map on its own: state, failed slot, members. */
static bool same_map_record(const struct imsm_map *a, const struct imsm_map *b)
{
	if (a->map_state != b->map_state || a->failed_disk_num != b->failed_disk_num ||
	    a->num_members != b->num_members)
		return false;
	for (unsigned int i = 0; i < a->num_members && i < IMSM_MAX_MEMBERS; i++)
		if (a->disk_ord_tbl[i] != b->disk_ord_tbl[i])
			return false;
	return true;
}

/* cur's volume (no migration: imsm_olce_check_start_update() refuses
 * one) against upd's: its map, or the source map of the one starting. */
static bool same_volume_record(const struct imsm_dev *cur, const struct imsm_dev *upd)
{
	if (cur->vol.migr_state)
		return false;
	if (!upd->vol.migr_state)
		return same_map_record(&cur->vol.map[0], &upd->vol.map[0]);
	return imsm_migr_is_gen_migr(upd) && same_map_record(&cur->vol.map[0], &upd->vol.map[1]);
}

/* Generations wrap: upd is older when cur is ahead by less than half. */
static bool generation_older(uint32_t upd, uint32_t cur)
{
	return upd != cur && (int32_t)(cur - upd) > 0;
}

int mdmon_check_view(const struct imsm_super *cur, const struct imsm_super *upd)
{
	if (!cur || !upd)
		return -EINVAL;
	if (!generation_older(upd->generation_num, cur->generation_num))
		return 0;
	if (upd->num_disks < cur->num_disks || upd->num_raid_devs != cur->num_raid_devs)
		return -ESTALE;
	for (unsigned int i = 0; i < cur->num_disks; i++)
		if ((cur->disk[i].status ^ upd->disk[i].status) & IMSM_DISK_FAILED)
			return -ESTALE;
	for (unsigned int i = 0; i < cur->num_raid_devs && i < IMSM_MAX_RAID_DEVS; i++)
		if (!same_volume_record(&cur->dev[i], &upd->dev[i]))
			return -ESTALE;
	return 0;
}

void mdmon_merge_view(const struct imsm_super *cur, struct imsm_super *upd)
{
	if (!generation_older(upd->generation_num, cur->generation_num))
		return;
	upd->generation_num = cur->generation_num;
	for (unsigned int i = 0;
	     i < cur->num_raid_devs && i < upd->num_raid_devs && i < IMSM_MAX_RAID_DEVS; i++)
		upd->dev[i].vol.dirty = cur->dev[i].vol.dirty;
}
