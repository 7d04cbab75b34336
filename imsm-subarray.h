/*
 * imsm-subarray.h: deleting and renaming a volume ("subarray") of an IMSM
 * container, and erasing IMSM metadata from a disk (imsm-format.md §5.7,
 * §1.1).
 *
 * The edits work in place on a decoded copy and never allocate, so that
 * mdmon's monitor thread can apply them to its own copy; mdadm applies
 * them to a copy it then writes when no mdmon runs.  The _op_ functions
 * are the handler's hooks (struct metadata_ops, super-intel.c) over
 * struct super.
 *
 * Returns 0 or -errno, never prints.
 */
#ifndef IMSM_SUBARRAY_H
#define IMSM_SUBARRAY_H

#include <stdbool.h>

#include "imsm-format.h"
#include "mdadm.h"

/*
 * Volume names (§5.2): 1-16 characters of A-Z a-z 0-9 . _ -, not
 * starting with a dot (-EBADR), unlike the name of every volume of s
 * except index skip (-EEXIST; skip -1 checks them all).  s may be NULL.
 */
int imsm_check_volume_name(const struct imsm_super *s, const char *name, int skip)
    __attribute__((warn_unused_result));

/*
 * Delete volume idx: later volume records move down one index (their
 * UUIDs change: the index is part of it, §8.6); the disk table stays.
 * When none remains the caller turns every member into a spare (its own
 * spare record, §1.6): a copy without volumes is no container copy.
 * -ENOENT no such volume, -EBUSY a general migration is recorded in the
 * container (its record and checkpoints follow the volume indexes).
 */
int imsm_kill_volume(struct imsm_super *s, int idx) __attribute__((warn_unused_result));

/* Rename volume idx (name checked as imsm_check_volume_name(), against
 * every volume, its own name included, as upstream).  -ENOENT, -EBADR,
 * -EEXIST. */
int imsm_rename_volume(struct imsm_super *s, int idx, const char *name)
    __attribute__((warn_unused_result));

/* Words for the errors above. */
const char *imsm_volume_edit_error(int err);

/* The hooks over struct super (mdadm's side). */
int imsm_op_kill_volume(struct super *st, int index) __attribute__((warn_unused_result));
int imsm_op_rename_volume(struct super *st, int index, const char *name)
    __attribute__((warn_unused_result));
/* Whether a general migration (a reshape) is recorded in the container. */
bool imsm_op_reshape_recorded(const struct super *st);

/*
 * What erasing IMSM metadata from a disk of disk_sectors logical sectors
 * of sector_bytes must zero, given its anchor sector: the migration
 * record (N-1), the anchor (N-2) and, when the anchor names a plausible
 * MPB size, the MPB's extension sectors below it.  Pure: the caller reads
 * the anchor.  *ret_first_lba and *ret_sectors span the range.
 * -ENODATA no IMSM signature in the anchor, -ENOSPC a disk too small to
 * hold any.
 */
int imsm_erase_range(uint64_t disk_sectors, uint32_t sector_bytes, const void *anchor,
		     uint64_t *ret_first_lba, uint32_t *ret_sectors)
    __attribute__((warn_unused_result));

/*
 * The IMSM metadata on the block device open at fd (no serial needed):
 * 0 a copy the decoder accepts, -ENODATA no IMSM signature, another
 * -errno (imsm_read_error() words it) a signature over a copy it refuses.
 */
int imsm_op_probe_fd(int fd) __attribute__((warn_unused_result));

/*
 * Erase the IMSM metadata of the block device open read-write at fd: the
 * range of imsm_erase_range() is zeroed anchor first (from then on
 * nothing recognises the disk), then the rest, then synced.  -ENODATA
 * when it carries no IMSM signature (nothing written).  Writes.
 */
int imsm_op_erase_fd(int fd) __attribute__((warn_unused_result));

#endif
