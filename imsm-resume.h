/*
 * imsm-resume.h: assembling a volume whose general migration (an OLCE) was
 * interrupted (imsm-format.md §6.7 "Recovery on assembly";
 * md-kernel-interface.md §4.5, §9.4.6).
 *
 * Owns: which migration record to trust, whether the critical section must
 * come back from the copy area, where md resumes, and the writes that does
 * (described for md-build.c to run, see struct md_volume_cfg).  Reads the
 * record from the disks; never writes, never prints.
 *
 * The decision, from the record on the slot-0/1 members of map[0] and the
 * main metadata's checkpoint (vol.curr_migr_unit, which lags the record):
 *
 *   record of this migration, status 0 at unit u     md resumes at u * bpu
 *   record of this migration, status 1 at unit k     unit k's destination image
 *                                                    copied back from the copy
 *                                                    area, record "status 0 at
 *                                                    k + 1", md resumes there
 *   another record (or zeros), checkpoint 0          nothing moved: a fresh
 *                                                    record is written, md at 0
 *   another record, checkpoint at the last unit      all moved (the record is
 *                                                    zeroed at the end): md at
 *                                                    the end
 *   anything else                                    refused
 *
 * "Of this migration": family, unit sizes, copy area, unit count and final
 * size as imsm_migr_rec_init() computes them, and imsm_migr_rec_check().
 */
#ifndef IMSM_RESUME_H
#define IMSM_RESUME_H

#include "imsm-io.h"
#include "imsm-reshape.h"

#include <stdbool.h>
#include <stdint.h>

struct md_volume_cfg;

/* How one volume in a general migration resumes. */
struct imsm_resume {
	struct imsm_reshape_geom geom;
	struct imsm_migr_rec rec;      /* the record md resumes from, as it will be on disk */
	bool write_rec;                /* rec differs from the disks': write it before md starts */
	bool restore;                  /* first copy unit's destination back from the copy area */
	struct imsm_reshape_unit unit; /* the unit restored (restore only) */
	uint64_t pos_blocks;           /* md's reshape_position: array blocks, new layout;
					* 0: nothing moved, geom.array_blocks: all moved */
};

/*
 * Decide how volume idx of s resumes (table above) from on_disk, the
 * record as read (NULL: no record member could be read).  Pure.
 * Errors (imsm_resume_error() words them):
 *   -EINVAL   not in a general migration, or a geometry md cannot reshape
 *   -EXDEV    the two maps start at different offsets (RST's optimisation area)
 *   -ENODATA  no record could be read
 *   -EBADMSG  the record is not this migration's, and it is half done
 *   -EUCLEAN  the record is this migration's but inconsistent
 *   -EPROTO   the main metadata's checkpoint is ahead of the record
 *   -EOPNOTSUPP a descending migration
 */
int imsm_resume_plan(const struct imsm_super *s, int idx, const struct imsm_migr_rec *on_disk,
		     struct imsm_resume *ret) IMSM_MUST_CHECK;

/* Why a volume cannot resume, for one line ("cannot start volume X: ..."). */
const char *imsm_resume_error(int err);

/*
 * Which copy of the record of volume idx to trust, from copies[0..n) (the
 * slot-0 and slot-1 members' records, NULL for one that could not be
 * read).  By content, not by order: a copy of this migration (the rule of
 * imsm_migr_rec_same_migration()) that is consistent and not behind the
 * main metadata's checkpoint beats one that is not, which beats another
 * migration's record (zeros, garbage); between two of the same kind the
 * newer in the order records are written, (unit k, status 0) < (k, 1) <
 * (k + 1, 0).  So a stale copy neither hides the good one nor gets a
 * resumable volume refused.  *ret_differ: the readable copies are not all
 * the same (the caller rewrites both).  -ENODATA when none was read.  Pure.
 */
int imsm_resume_pick_rec(const struct imsm_super *s, int idx,
			 const struct imsm_migr_rec *const copies[], int n,
			 struct imsm_migr_rec *ret, bool *ret_differ) IMSM_MUST_CHECK;

/*
 * The record of volume idx as imsm_resume_pick_rec() chooses it from its
 * record members (§1.7) among disks[0..n) (each opened by path for the
 * call).  -ENODATA when none can be read.
 */
int imsm_resume_read_rec(const struct imsm_super *s, int idx, const struct imsm_disk_dev *disks,
			 int n, struct imsm_migr_rec *ret, bool *ret_differ) IMSM_MUST_CHECK;

/*
 * The writes plan p asks for, into ret's copies and sector writes: for a
 * restore, the unit's image from the copy area of each present member of
 * map[0] to pba_of_lba0 + its destination; for write_rec, p->rec encoded
 * into the last sector of each present record member.  Pure.  -ENODATA
 * when the record would reach no disk, -E2BIG past the cfg's room,
 * -EFBIG when a copy would end past a member's metadata (its real size)
 * or over its own source.
 */
int imsm_resume_writes(const struct imsm_super *s, int idx, const struct imsm_resume *p,
		       const struct imsm_disk_dev *disks, int n,
		       struct md_volume_cfg *ret) IMSM_MUST_CHECK;

#endif
