/*
 * imsm-resume.c: assembling a volume whose general migration was
 * interrupted (see imsm-resume.h for the decision table).
 *
 * Pure apart from imsm_resume_read_rec(), which only reads.  The restore
 * itself is run by md-build.c from the md_volume_cfg this fills, so that
 * the assembly writes nothing for a volume that is running already.
 *
 * Why the restore is safe to repeat: the copy area holds unit k's whole
 * destination image (data and parity, every member, synced before the
 * record said status 1) and nothing overwrites it until the record says
 * status 0 again; copying it to the destination rows k * depth ... only
 * touches rows whose old contents (unit k's source) are no longer needed,
 * since the source of unit k + 1 onwards lies beyond them (a growing
 * reshape reads ahead of where it writes).  A crash during the restore or
 * before the record reaches both members leaves a record that either
 * still says status 1 (the restore runs again) or says k + 1 (done).
 */
#include "imsm-resume.h"
#include "imsm-migr.h"
#include "mdadm.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* The record is this migration's: resume from it, restoring its unit
 * first when the unit is in the copy area. */
static int resume_from(const struct imsm_migr_rec *rec, const struct imsm_dev *d,
		       struct imsm_resume *p)
{
	int r = imsm_migr_rec_check(rec, &p->geom);

	if (r)
		return r == -EOPNOTSUPP ? r : -EUCLEAN;
	/* the main metadata is written after the record: it may lag, never lead */
	if (d->vol.curr_migr_unit > rec->curr_migr_unit)
		return -EPROTO;
	p->rec = *rec;
	if (rec->rec_status == IMSM_UNIT_SRC_IN_CP_AREA) {
		if (rec->curr_migr_unit >= rec->num_migr_units ||
		    imsm_reshape_unit(rec, &p->geom, rec->curr_migr_unit, &p->unit))
			return -EUCLEAN;
		p->restore = true;
		p->write_rec = true;
		imsm_migr_rec_set_checkpoint(&p->rec, p->unit.array_start + p->unit.array_blocks,
					     IMSM_UNIT_SRC_NORMAL);
	}
	p->pos_blocks = imsm_reshape_resume_pos(&p->rec, &p->geom);
	return 0;
}

/* Another migration's record (or zeros): only the two ends are certain. */
static int resume_without(const struct imsm_migr_rec *fresh, const struct imsm_dev *d,
			  struct imsm_resume *p)
{
	p->rec = *fresh;
	if (d->vol.curr_migr_unit == 0) {
		/* mdmon began this volume, mdadm died before its record */
		p->write_rec = true;
		p->pos_blocks = 0;
		return 0;
	}
	if (d->vol.curr_migr_unit == fresh->num_migr_units) {
		/* md finished; the record was zeroed before the end was recorded */
		imsm_migr_rec_set_checkpoint(&p->rec, p->geom.array_blocks, IMSM_UNIT_SRC_NORMAL);
		p->pos_blocks = p->geom.array_blocks;
		return 0;
	}
	return -EBADMSG;
}

int imsm_resume_plan(const struct imsm_super *s, int idx, const struct imsm_migr_rec *on_disk,
		     struct imsm_resume *ret)
{
	struct imsm_resume p;
	struct imsm_migr_rec fresh;
	const struct imsm_dev *d;
	int r;

	if (idx < 0 || idx >= s->num_raid_devs || !imsm_migr_is_gen_migr(&s->dev[idx]))
		return -EINVAL;
	d = &s->dev[idx];
	if (d->vol.map[0].pba_of_lba0 != d->vol.map[1].pba_of_lba0)
		return -EXDEV;
	memset(&p, 0, sizeof(p));
	if (imsm_reshape_geom_of(d, &p.geom) || imsm_migr_rec_init(s, idx, &fresh))
		return -EINVAL;
	if (!on_disk)
		return -ENODATA;
	if (imsm_migr_rec_same_migration(on_disk, &fresh))
		r = resume_from(on_disk, d, &p);
	else
		r = resume_without(&fresh, d, &p);
	if (!r)
		*ret = p;
	return r;
}

const char *imsm_resume_error(int err)
{
	switch (err) {
	case -EXDEV:
		return "its reshape uses an unsupported migration area (the maps start apart)";
	case -ENODATA:
		return "its migration record cannot be read";
	case -EBADMSG:
		return "its migration record does not belong to the interrupted reshape";
	case -EUCLEAN:
		return "its migration record is inconsistent";
	case -EPROTO:
		return "its migration record is behind the metadata's checkpoint";
	case -EOPNOTSUPP:
		return "its reshape runs backwards, which is not supported";
	case -EFBIG:
		return "its copy area or the unit to restore lies past the space before the metadata of a member";
	default:
		return "md cannot resume its reshape";
	}
}

/* The present, not failed, disk of record index, or NULL. */
static const struct imsm_disk_dev *present(const struct imsm_super *s, uint32_t index,
					   const struct imsm_disk_dev *disks, int n)
{
	if (index >= s->num_disks || (s->disk[index].status & IMSM_DISK_FAILED))
		return NULL;
	for (int i = 0; i < n; i++)
		if (memcmp(disks[i].serial, s->disk[index].serial, IMSM_SERIAL_BYTES) == 0)
			return &disks[i];
	return NULL;
}

static int read_rec_of(const struct imsm_disk_dev *d, struct imsm_migr_rec *ret)
{
	unsigned char buf[4096];
	int fd, r = -EIO;

	if (!d->path || d->sector_bytes > sizeof(buf) || d->sectors == 0)
		return -EINVAL;
	fd = open(d->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, buf, d->sector_bytes, (off_t)((d->sectors - 1) * d->sector_bytes)) ==
	    (ssize_t)d->sector_bytes)
		r = imsm_migr_rec_decode(buf, d->sector_bytes, d->sector_bytes, ret);
	close(fd);
	return r;
}

/* §6.7 writes a unit's records in the order (k, 0), (k, 1), (k + 1, 0). */
static uint64_t rec_rank(const struct imsm_migr_rec *r)
{
	return r->curr_migr_unit * 2 + (r->rec_status == IMSM_UNIT_SRC_IN_CP_AREA);
}

/* 2: this migration's, consistent, not behind the main metadata;
 * 1: this migration's; 0: another one's (or zeros, or garbage). */
static int rec_trust(const struct imsm_migr_rec *r, const struct imsm_migr_rec *fresh,
		     const struct imsm_reshape_geom *g, const struct imsm_dev *d)
{
	if (!imsm_migr_rec_same_migration(r, fresh))
		return 0;
	if (imsm_migr_rec_check(r, g) || r->curr_migr_unit < d->vol.curr_migr_unit)
		return 1;
	return 2;
}

static bool rec_equal(const struct imsm_migr_rec *a, const struct imsm_migr_rec *b)
{
	return a->rec_status == b->rec_status && a->curr_migr_unit == b->curr_migr_unit &&
	       a->family_num == b->family_num && a->ascending_migr == b->ascending_migr &&
	       a->blocks_per_unit == b->blocks_per_unit &&
	       a->dest_depth_per_unit == b->dest_depth_per_unit &&
	       a->ckpt_area_pba == b->ckpt_area_pba &&
	       a->dest_1st_member_lba == b->dest_1st_member_lba &&
	       a->num_migr_units == b->num_migr_units &&
	       a->post_migr_vol_cap == b->post_migr_vol_cap &&
	       a->ckpt_read_disk_num == b->ckpt_read_disk_num;
}

int imsm_resume_pick_rec(const struct imsm_super *s, int idx,
			 const struct imsm_migr_rec *const copies[], int n,
			 struct imsm_migr_rec *ret, bool *ret_differ)
{
	const struct imsm_migr_rec *best = NULL, *first = NULL;
	struct imsm_migr_rec fresh;
	struct imsm_reshape_geom g;
	int best_trust = -1, t;
	bool differ = false, known;

	if (idx < 0 || idx >= s->num_raid_devs)
		return -EINVAL;
	/* no geometry: nothing can be this migration's (the plan refuses it) */
	known = imsm_reshape_geom_of(&s->dev[idx], &g) == 0 && imsm_migr_rec_init(s, idx, &fresh) == 0;
	for (int i = 0; i < n; i++) {
		if (!copies[i])
			continue;
		if (first && !rec_equal(first, copies[i]))
			differ = true;
		if (!first)
			first = copies[i];
		t = known ? rec_trust(copies[i], &fresh, &g, &s->dev[idx]) : 0;
		if (t > best_trust ||
		    (t == best_trust && t > 0 && rec_rank(copies[i]) > rec_rank(best))) {
			best = copies[i];
			best_trust = t;
		}
	}
	if (!best)
		return -ENODATA;
	*ret = *best;
	*ret_differ = differ;
	return 0;
}

int imsm_resume_read_rec(const struct imsm_super *s, int idx, const struct imsm_disk_dev *disks,
			 int n, struct imsm_migr_rec *ret, bool *ret_differ)
{
	struct imsm_migr_rec rec[2];
	const struct imsm_migr_rec *copies[2] = { NULL, NULL };
	uint32_t index[2];
	int m;

	if (idx < 0 || idx >= s->num_raid_devs)
		return -EINVAL;
	m = imsm_migr_rec_members(&s->dev[idx], index);
	for (int i = 0; i < m; i++) {
		const struct imsm_disk_dev *d = present(s, index[i], disks, n);

		if (d && read_rec_of(d, &rec[i]) == 0)
			copies[i] = &rec[i];
	}
	return imsm_resume_pick_rec(s, idx, copies, m, ret, ret_differ);
}

/* A copy on d stays below d's metadata and does not write over its own
 * source: every position derived from the record checked against the
 * device's real size. */
static int copy_fits(const struct imsm_super *s, const struct imsm_disk_dev *d,
		     const struct md_disk_copy *c)
{
	struct imsm_mpb_location loc;
	uint64_t limit, from_end, to_end;

	if (imsm_mpb_location(d->sectors, d->sector_bytes, (uint32_t)imsm_mpb_bytes(s), &loc))
		return -EFBIG;
	limit = (loc.anchor_lba - loc.ext_sectors) * d->sector_bytes;
	if (__builtin_add_overflow(c->from_bytes, c->len_bytes, &from_end) ||
	    __builtin_add_overflow(c->to_bytes, c->len_bytes, &to_end))
		return -EFBIG;
	if (from_end > limit || to_end > limit || to_end > c->from_bytes)
		return -EFBIG;
	return 0;
}

/* Unit p->unit from the copy area to its destination, on every present member. */
static int add_copies(const struct imsm_super *s, const struct imsm_map *m,
		      const struct imsm_resume *p, const struct imsm_disk_dev *disks, int n,
		      struct md_volume_cfg *ret)
{
	struct md_disk_copy c;

	for (unsigned int slot = 0; slot < m->num_members; slot++) {
		const struct imsm_disk_dev *d =
			present(s, m->disk_ord_tbl[slot] & IMSM_ORD_INDEX_MASK, disks, n);

		if (!d)
			continue; /* md rebuilds its part from the others */
		if (ret->n_copies >= MD_MAX_MEMBERS)
			return -E2BIG;
		c = (struct md_disk_copy){
			.major = d->major,
			.minor = d->minor,
			.from_bytes = p->rec.ckpt_area_pba * IMSM_BLOCK_BYTES,
			.to_bytes = (m->pba_of_lba0 + p->unit.dest_member_start) * IMSM_BLOCK_BYTES,
			.len_bytes = p->unit.dest_member_blocks * IMSM_BLOCK_BYTES,
		};
		if (copy_fits(s, d, &c))
			return -EFBIG;
		ret->copies[ret->n_copies++] = c;
	}
	return 0;
}

/* p->rec into the last sector of each present record member (§1.7). */
static int add_records(const struct imsm_super *s, int idx, const struct imsm_resume *p,
		       const struct imsm_disk_dev *disks, int n, struct md_volume_cfg *ret)
{
	uint32_t index[2];
	int m = imsm_migr_rec_members(&s->dev[idx], index);

	for (int i = 0; i < m; i++) {
		const struct imsm_disk_dev *d = present(s, index[i], disks, n);
		struct md_sector_write *w = &ret->sector_writes[ret->n_sector_writes];
		int r;

		if (!d)
			continue;
		if (d->sector_bytes > sizeof(w->data) || d->sectors == 0)
			return -EINVAL;
		r = imsm_migr_rec_encode(&p->rec, d->sector_bytes, w->data, d->sector_bytes);
		if (r)
			return r;
		w->major = d->major;
		w->minor = d->minor;
		w->offset_bytes = (d->sectors - 1) * d->sector_bytes;
		w->len_bytes = d->sector_bytes;
		ret->n_sector_writes++;
	}
	return ret->n_sector_writes ? 0 : -ENODATA;
}

int imsm_resume_writes(const struct imsm_super *s, int idx, const struct imsm_resume *p,
		       const struct imsm_disk_dev *disks, int n, struct md_volume_cfg *ret)
{
	int r = 0;

	if (idx < 0 || idx >= s->num_raid_devs)
		return -EINVAL;
	ret->n_copies = 0;
	ret->n_sector_writes = 0;
	if (p->restore)
		r = add_copies(s, &s->dev[idx].vol.map[0], p, disks, n, ret);
	if (!r && p->write_rec)
		r = add_records(s, idx, p, disks, n, ret);
	return r;
}
