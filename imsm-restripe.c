/*
 * imsm-restripe.c: level and chunk-size migrations, the metadata part (see
 * imsm-restripe.h).
 */
#include "imsm-restripe.h"
#include "imsm-migr.h"
#include "imsm-reshape.h"
#include "imsm.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define MIN_CHUNK_BLOCKS 8u /* 4 KiB: md's smallest raid5 chunk (a page) */

static bool chunk_allowed(uint32_t blocks)
{
	return blocks >= MIN_CHUNK_BLOCKS && blocks <= IMSM_GEN_MIGR_AREA_BLOCKS &&
	       (blocks & (blocks - 1)) == 0;
}

static bool spare_serial_known(const struct imsm_super *s, const struct imsm_disk *spare)
{
	for (unsigned int i = 0; i < s->num_disks; i++)
		if (memcmp(s->disk[i].serial, spare->serial, IMSM_SERIAL_BYTES) == 0)
			return true;
	return false;
}

/* The first spare that may become slot n, -1 with *err when none. */
static int pick_spare(const struct imsm_super *s, const struct imsm_restripe_request *req,
		      int *err)
{
	uint64_t min = imsm_olce_min_spare_blocks(s);

	for (unsigned int i = 0; i < req->n_spares; i++)
		if (spare_serial_known(s, &req->spares[i])) {
			*err = -EEXIST;
			return -1;
		}
	for (unsigned int i = 0; i < req->n_spares; i++)
		if (req->spares[i].total_blocks >= min)
			return (int)i;
	*err = req->n_spares ? -ENOSPC : -ENOENT;
	return -1;
}

/* The volume asked for a healthy raid0/raid5 without PPL. */
static int check_volume(const struct imsm_dev *d)
{
	int level = imsm_map_md_level(&d->vol.map[0]);

	if (level != 0 && level != 5)
		return -EMEDIUMTYPE;
	if (d->rwh_policy != RWH_OFF && d->rwh_policy != RWH_OFF_MULTIPLE)
		return -EOPNOTSUPP;
	if (d->vol.map[0].map_state != IMSM_MAP_NORMAL)
		return -EUCLEAN;
	if (d->vol.map[0].blocks_per_strip > IMSM_GEN_MIGR_AREA_BLOCKS)
		return -EDOM;
	return 0;
}

static int check_chunk(const struct imsm_map *m, uint32_t chunk)
{
	if (!chunk_allowed(chunk))
		return -EDOM;
	if (imsm_map_data_blocks(m) % chunk)
		return -ERANGE;
	return 0;
}

static int check_level(const struct imsm_super *s, const struct imsm_restripe_request *req)
{
	const struct imsm_map *m = &s->dev[req->vol].vol.map[0];
	int level = imsm_map_md_level(m), err = 0;

	if (!((level == 0 && req->new_level == 5) || (level == 5 && req->new_level == 0)))
		return -ENOSYS;
	if (s->num_raid_devs > 1)
		return -EXDEV;
	if (level == 5)
		return 0; /* three or more members: two data members stay */
	if (m->num_members < 2)
		return -ELNRNG;
	if (m->num_members + 1u > IMSM_MAX_MEMBERS ||
	    (req->max_members && m->num_members + 1u > req->max_members))
		return -E2BIG;
	return pick_spare(s, req, &err) < 0 ? err : 0;
}

int imsm_restripe_check(const struct imsm_super *s, const struct imsm_restripe_request *req)
{
	const struct imsm_dev *d;
	int r, level;

	r = imsm_migr_change_allowed(s, req->vol);
	if (r)
		return r;
	d = &s->dev[req->vol];
	r = check_volume(d);
	if (r)
		return r;
	level = imsm_map_md_level(&d->vol.map[0]);
	if ((req->new_level < 0 || req->new_level == level) &&
	    (!req->new_chunk_blocks || req->new_chunk_blocks == d->vol.map[0].blocks_per_strip))
		return -EINVAL;
	if (req->new_level >= 0 && req->new_level != level && req->new_chunk_blocks &&
	    req->new_chunk_blocks != d->vol.map[0].blocks_per_strip)
		return -EINVAL;
	if (req->new_level >= 0 && req->new_level != level)
		return check_level(s, req);
	return check_chunk(&d->vol.map[0], req->new_chunk_blocks);
}

const char *imsm_restripe_error(int err)
{
	if (imsm_migr_change_error(err))
		return imsm_migr_change_error(err);
	switch (err) {
	case -EPERM:
		return "the container has attributes that IMSM does not support for reshapes";
	case -EMEDIUMTYPE:
		return "IMSM migrates only raid0 and raid5 volumes";
	case -EOPNOTSUPP:
		return "the volume uses a PPL or a write-intent bitmap; disable it first";
	case -EINVAL:
		return "nothing to change, or --level and --chunk together (change one, then the other)";
	case -ENOSYS:
		return "IMSM migrates levels only between raid0 and raid5";
	case -EDOM:
		return "IMSM chunk sizes for a migration are powers of two from 4K to 1024K";
	case -ERANGE:
		return "the new chunk size does not divide the volume's size on each disk";
	case -EXDEV:
		return "a level migration needs a container with a single volume";
	case -ELNRNG:
		return "raid5 needs at least three disks; grow the raid0 volume first";
	case -E2BIG:
		return "too many disks for one IMSM volume on this platform";
	case -EEXIST:
		return "a spare has the serial of a disk already in the container";
	case -ENOENT:
		return "raid0 to raid5 needs a spare disk in the container (mdadm --add CONTAINER DISK)";
	case -ENOSPC:
		return "the spare disks are too small";
	default:
		return strerror(-err);
	}
}

/* ---- the start ------------------------------------------------------------------ */

/* Slot n of map m is the new disk record (raid0 -> raid5). */
static void add_parity_member(struct imsm_super *s, struct imsm_map *m,
			      const struct imsm_disk *spare)
{
	struct imsm_disk *rec = &s->disk[s->num_disks];

	*rec = *spare;
	rec->status = (rec->status | IMSM_DISK_CONFIGURED) & ~IMSM_DISK_SPARE;
	m->disk_ord_tbl[m->num_members] = s->num_disks;
	s->num_disks++;
	m->num_members++;
	m->raid_level = IMSM_LEVEL_BYTE_RAID5;
}

static void drop_parity_member(struct imsm_map *m)
{
	m->num_members--;
	m->disk_ord_tbl[m->num_members] = 0;
	m->raid_level = IMSM_LEVEL_BYTE_RAID0;
}

static void new_chunk(struct imsm_map *m, uint32_t chunk)
{
	uint64_t data = imsm_map_data_blocks(m);

	m->num_data_stripes = data / chunk;
	m->blocks_per_strip = (uint16_t)chunk;
}

int imsm_restripe_start(const struct imsm_super *s, const struct imsm_restripe_request *req,
			struct imsm_super **ret)
{
	struct imsm_super *new;
	struct imsm_dev *d;
	struct imsm_map *m;
	int r = imsm_restripe_check(s, req), spare, level;

	if (r)
		return r;
	r = imsm_super_dup(s, &new);
	if (r)
		return r;
	d = &new->dev[req->vol];
	m = &d->vol.map[0];
	level = imsm_map_md_level(m);
	d->vol.map[1] = *m;
	if (req->new_level == 5 && level == 0) {
		spare = pick_spare(s, req, &r);
		add_parity_member(new, m, &req->spares[spare]);
	} else if (req->new_level == 0 && level == 5) {
		drop_parity_member(m);
	} else {
		new_chunk(m, req->new_chunk_blocks);
	}
	d->vol.migr_state = 1;
	d->vol.migr_type = IMSM_MIGR_GEN_MIGR;
	d->status &= ~IMSM_DEV_VERIFY_AND_FIX;
	d->vol.curr_migr_unit = 0;
	imsm_version_refresh(new);
	*ret = new;
	return 0;
}

/* ---- md's side ------------------------------------------------------------------- */

static const struct {
	int from, to;	      /* md levels of map[1] and map[0] */
	int level;
	int old_extra, new_extra; /* raid_disks beyond the map's members */
} transitions[] = {
	{ 0, 0, 4, 1, 1 },
	{ 5, 5, 5, 0, 0 },
	{ 0, 5, 5, 1, 0 },
	{ 5, 0, 5, 0, 1 },
};

static int md_layout_of_map(int level)
{
	return level == 0 ? MD_LAYOUT_PARITY_LAST : MD_LAYOUT_LEFT_ASYMMETRIC;
}

int imsm_md_reshape_of(const struct imsm_map *m0, const struct imsm_map *m1,
		       struct imsm_md_reshape *ret)
{
	int to = imsm_map_md_level(m0), from = imsm_map_md_level(m1);

	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++) {
		if (transitions[i].from != from || transitions[i].to != to)
			continue;
		*ret = (struct imsm_md_reshape){
			.level = transitions[i].level,
			.old_disks = m1->num_members + transitions[i].old_extra,
			.new_disks = m0->num_members + transitions[i].new_extra,
			.old_layout = md_layout_of_map(from),
			.new_layout = md_layout_of_map(to),
			.from_raid0 = from == 0,
			.to_raid0 = to == 0,
		};
		return 0;
	}
	return -EINVAL;
}
