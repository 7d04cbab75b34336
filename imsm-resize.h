/*
 * imsm-resize.h: a volume's size on each disk (--grow --size), the
 * metadata part (imsm-format.md §5.8).
 *
 * Only the last volume (the one nearest the end of the disks) grows, into
 * the free space after it, never past the reserved area; it never
 * shrinks.  The new geometry is that of a new volume of that size on
 * each member (imsm_volume_geometry(): MiB rounding, chunk rounding).  A
 * redundant volume is marked dirty in the same commit: the new region
 * holds no parity or mirror yet, so an assembly before md has resynced it
 * resyncs (upstream would trust the region); md's resync of the region
 * is then recorded by mdmon as a REPAIR migration with checkpoints.
 * Never: I/O, printing.
 */
#ifndef IMSM_RESIZE_H
#define IMSM_RESIZE_H

#include "imsm-format.h"

/*
 * The per-member data KiB volume vol can have: member_kib, or with 0 as
 * much as the smallest member allows.  Errors, in the order checked:
 *   -ENODEV   no volume vol
 *   -EPERM    attributes upstream does not support (§4.2)
 *   -EBUSY    a volume is initializing, resyncing, rebuilding or reshaping
 *   -EUCLEAN  the volume is degraded, failed or not initialized
 *   -EXDEV    another volume lies after it
 *   -ERANGE   smaller than now (IMSM volumes do not shrink)
 *   -ENOSPC   larger than the members hold
 * On success *ret_kib is the rounded size (equal to now: nothing to do).
 */
int imsm_resize_check(const struct imsm_super *s, int vol, uint64_t member_kib,
		      uint64_t *ret_kib) IMSM_MUST_CHECK;

/* A short text for the errors above. */
const char *imsm_resize_error(int err);

/* The metadata with volume vol at member_kib per member (as checked):
 * size, blocks_per_member, num_data_stripes; dirty when redundant.  *ret
 * is a new copy; errors as imsm_resize_check(), -EALREADY when the size
 * does not change, -ENOMEM. */
int imsm_resize_apply(const struct imsm_super *s, int vol, uint64_t member_kib,
		      struct imsm_super **ret) IMSM_MUST_CHECK;

#endif
