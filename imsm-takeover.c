/*
 * imsm-takeover.c: takeovers, the metadata part (see imsm-takeover.h).
 */
#include "imsm-takeover.h"
#include "imsm-rebuild.h"
#include "imsm-migr.h"
#include "imsm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAID0_OF_RAID1_CHUNK_BLOCKS 128u /* md's chunk after raid1 -> raid0: 64 KiB */
#define RAID1_CHUNK_BLOCKS 128u		 /* what IMSM records for raid1 */
#define BOOTABLE_RAID10_MEMBERS 4u

static bool mirrored(int level)
{
	return level == 1 || level == 10;
}

/* The level pairs a takeover makes; -ENOSYS for the others. */
static int check_pair(int from, int to, unsigned int members)
{
	if (from == 0 && to == 10)
		return members < 2 ? -ELNRNG : 0;
	if (from == 0 && to == 1)
		return members == 1 ? 0 : -ENOSYS;
	if ((from == 10 || from == 1) && to == 0)
		return 0;
	return -ENOSYS;
}

/* To a mirrored level every volume goes (they share their disks): each a
 * healthy raid0 over the same disks in the same slots. */
static int check_all_raid0(const struct imsm_super *s, const struct imsm_map *m)
{
	for (int i = 0; i < s->num_raid_devs; i++) {
		const struct imsm_map *o = &s->dev[i].vol.map[0];

		if (imsm_map_md_level(o) != 0 || o->num_members != m->num_members)
			return -EXDEV;
		for (unsigned int k = 0; k < m->num_members; k++)
			if ((o->disk_ord_tbl[k] ^ m->disk_ord_tbl[k]) & IMSM_ORD_INDEX_MASK)
				return -EXDEV;
		if (o->map_state != IMSM_MAP_NORMAL)
			return -EUCLEAN;
	}
	return 0;
}

static int check_platform(const struct imsm_takeover_request *req, unsigned int members)
{
	if ((req->new_level == 10 && req->no_raid10) || (req->new_level == 1 && req->no_raid1))
		return -EPROTONOSUPPORT;
	if (members > IMSM_MAX_MEMBERS || (req->max_members && members > req->max_members))
		return -E2BIG;
	if (req->new_level == 10 && members > BOOTABLE_RAID10_MEMBERS && !req->force)
		return -ECANCELED;
	return 0;
}

static bool serial_in_table(const struct imsm_super *s, const struct imsm_disk *d)
{
	return imsm_find_disk(s, (const char *)d->serial) >= 0;
}

/* Enough spares, each able to take a slot of every volume (§7.4). */
static int check_spares(const struct imsm_super *s, const struct imsm_takeover_request *req,
			unsigned int need)
{
	uint64_t min = imsm_spare_min_blocks(s);
	unsigned int fit = 0;

	if (!req->spares)
		return 0;
	for (unsigned int i = 0; i < req->n_spares; i++) {
		if (serial_in_table(s, &req->spares[i]))
			return -EEXIST;
		fit += req->spares[i].total_blocks >= min;
	}
	if (req->n_spares < need)
		return -ENOENT;
	return fit < need ? -ENOSPC : 0;
}

unsigned int imsm_takeover_spares_needed(const struct imsm_super *s,
					 const struct imsm_takeover_request *req)
{
	if (req->vol < 0 || req->vol >= s->num_raid_devs || !mirrored(req->new_level))
		return 0;
	return s->dev[req->vol].vol.map[0].num_members;
}

int imsm_takeover_check(const struct imsm_super *s, const struct imsm_takeover_request *req)
{
	const struct imsm_map *m;
	int level, r;

	r = imsm_migr_change_allowed(s, req->vol);
	if (r)
		return r;
	m = &s->dev[req->vol].vol.map[0];
	level = imsm_map_md_level(m);
	if (level == req->new_level)
		return -EINVAL;
	r = check_pair(level, req->new_level, m->num_members);
	if (!r && m->map_state != IMSM_MAP_NORMAL)
		r = -EUCLEAN;
	if (r || !mirrored(req->new_level))
		return r;
	r = check_all_raid0(s, m);
	if (!r)
		r = check_platform(req, 2u * m->num_members);
	return r ? r : check_spares(s, req, m->num_members);
}

const char *imsm_takeover_error(int err)
{
	if (imsm_migr_change_error(err))
		return imsm_migr_change_error(err);
	switch (err) {
	case -EPERM:
		return "the container has attributes that IMSM does not support for level changes";
	case -EINVAL:
		return "the volume has that level already";
	case -ENOSYS:
		return "IMSM takes over raid0 -> raid10, raid0 of one disk -> raid1, and raid10 or raid1 -> raid0 (raid4 cannot be recorded)";
	case -EXDEV:
		return "every volume of the container must be a raid0 of the same disks to double its disks";
	case -ELNRNG:
		return "a one-disk raid0 becomes raid1 (--level=1), not raid10";
	case -EPROTONOSUPPORT:
		return "the platform does not support that level";
	case -E2BIG:
		return "too many disks for one IMSM volume on this platform";
	case -ECANCELED:
		return "a raid10 of more than 4 disks cannot be booted by the UEFI driver; give --force to make it anyway";
	case -EEXIST:
		return "a spare has the serial of a disk already in the container";
	case -ENOENT:
		return "not enough spare disks in the container for the new mirrors (mdadm --add CONTAINER DISK)";
	case -ENOSPC:
		return "the spare disks are too small";
	case -EBADMSG:
		return "the volume's size does not match its layout in the metadata";
	default:
		return strerror(-err);
	}
}

/* ---- the new metadata ----------------------------------------------------------- */

static void set_data_stripes(const struct imsm_dev *d, struct imsm_map *m, int level)
{
	unsigned int dm = (unsigned int)imsm_data_members(level, m->num_members);

	m->num_data_stripes = d->size_blocks / dm / imsm_num_domains(level) / m->blocks_per_strip;
}

/* A K for "missing:K" that no record of s has. */
static int free_placeholder_k(const struct imsm_super *s, int from)
{
	char serial[32];

	for (int k = from;; k++) {
		memset(serial, 0, sizeof(serial));
		snprintf(serial, sizeof(serial), "missing:%d", k);
		if (imsm_find_disk(s, serial) < 0)
			return k;
	}
}

/* n placeholder records at the end of the table, as large as the largest
 * member.  Returns the index of the first. */
static int add_placeholders(struct imsm_super *s, const struct imsm_map *m, unsigned int n)
{
	uint64_t blocks = 0;
	int first = s->num_disks, k = 0;

	if (s->num_disks + n > IMSM_MAX_DISKS)
		return -E2BIG;
	for (unsigned int i = 0; i < m->num_members; i++) {
		uint32_t idx = m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK;

		if (idx < s->num_disks && s->disk[idx].total_blocks > blocks)
			blocks = s->disk[idx].total_blocks;
	}
	for (unsigned int i = 0; i < n; i++) {
		k = free_placeholder_k(s, k);
		imsm_placeholder_record(&s->disk[s->num_disks++], k, blocks);
	}
	return first;
}

/* raid0 (n) -> raid10 (2n) or raid1 (2): slot k -> 2k, odd slots missing. */
static int to_mirrored(struct imsm_super *s, int level)
{
	unsigned int n = s->dev[0].vol.map[0].num_members;
	int first = add_placeholders(s, &s->dev[0].vol.map[0], n);

	if (first < 0)
		return first;
	for (int v = 0; v < s->num_raid_devs; v++) {
		struct imsm_dev *d = &s->dev[v];
		struct imsm_map *m = &d->vol.map[0];
		struct imsm_map old = *m;

		for (unsigned int k = 0; k < n; k++) {
			m->disk_ord_tbl[2 * k] = old.disk_ord_tbl[k];
			m->disk_ord_tbl[2 * k + 1] = ((uint32_t)first + k) | IMSM_ORD_REBUILD;
		}
		m->num_members = (uint8_t)(2 * n);
		if (imsm_level_byte(level, m->num_members, &m->raid_level) < 0)
			return -EINVAL;
		m->num_domains = 2;
		m->map_state = IMSM_MAP_DEGRADED;
		m->failed_disk_num = 1;
		if (level == 1)
			m->blocks_per_strip = RAID1_CHUNK_BLOCKS;
		set_data_stripes(d, m, level);
	}
	return 0;
}

/* Records of old that no volume uses now leave the table, from the
 * highest index down (each deletion renumbers those above it). */
static int drop_left(struct imsm_super *s, const struct imsm_map *old)
{
	for (int i = (int)s->num_disks - 1; i >= 0; i--) {
		int r;

		if (!imsm_map_uses_disk(old, (uint32_t)i) || imsm_disk_referenced(s, i))
			continue;
		r = imsm_rebuild_delete_disk(s, i);
		if (r)
			return r;
	}
	return 0;
}

/* raid10 (2n) -> raid0 (n), raid1 (2) -> raid0 (1): slots 2k stay as k. */
static int to_raid0(struct imsm_super *s, int vol)
{
	struct imsm_dev *d = &s->dev[vol];
	struct imsm_map *m = &d->vol.map[0];
	struct imsm_map old = *m;
	unsigned int n = m->num_members / 2u;

	for (unsigned int k = 0; k < m->num_members; k++)
		m->disk_ord_tbl[k] = k < n ? old.disk_ord_tbl[2 * k] & IMSM_ORD_INDEX_MASK : 0;
	if (imsm_map_md_level(&old) == 1)
		m->blocks_per_strip = RAID0_OF_RAID1_CHUNK_BLOCKS;
	m->num_members = (uint8_t)n;
	m->raid_level = IMSM_LEVEL_BYTE_RAID0;
	m->num_domains = 1;
	m->map_state = IMSM_MAP_NORMAL;
	m->failed_disk_num = IMSM_FAILED_DISK_NONE;
	set_data_stripes(d, m, 0);
	d->vol.dirty = 0;
	return drop_left(s, &old);
}

/* The new metadata must be writable: the stripes follow dev.size, which a
 * copy may hold out of step with its map (the decoder only warns). */
static int check_writable(const struct imsm_super *s)
{
	size_t cap = imsm_mpb_bytes(s), len;
	void *buf = malloc(cap);
	int r;

	if (!buf)
		return -ENOMEM;
	r = imsm_encode(s, buf, cap, &len);
	free(buf);
	return r < 0 ? -EBADMSG : 0;
}

int imsm_takeover_apply(const struct imsm_super *s, const struct imsm_takeover_request *req,
			struct imsm_super **ret)
{
	struct imsm_super *new;
	int r = imsm_takeover_check(s, req);

	if (r)
		return r;
	r = imsm_super_dup(s, &new);
	if (r)
		return r;
	r = mirrored(req->new_level) ? to_mirrored(new, req->new_level) : to_raid0(new, req->vol);
	if (r) {
		imsm_free(new);
		return r;
	}
	imsm_version_refresh(new);
	r = check_writable(new);
	if (r) {
		imsm_free(new);
		return r;
	}
	*ret = new;
	return 0;
}
