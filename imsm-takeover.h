/*
 * imsm-takeover.h: takeovers of IMSM volumes, the metadata part
 * (imsm-format.md §6.6; migration-facts.md "raid0 <-> raid10").
 *
 * A takeover changes a volume's level without moving data: the members
 * that stay keep their blocks where they are, so the new metadata is
 * written in one commit and md changes its personality around it.
 *
 *   raid0 (n) -> raid10 (2n)   every volume of the container (they share
 *                              their disks): old slot k becomes slot 2k;
 *                              the odd slots are "missing:K" placeholders,
 *                              the volume degraded, and mdmon's rebuilds
 *                              fill them from the container's spares
 *   raid0 (1) -> raid1 (2)     the same with one mirror
 *   raid10 (2n) -> raid0 (n)   one volume: slots 2k stay (renumbered k);
 *   raid1 (2) -> raid0 (1)     the others leave the volume, and the table
 *                              when no other volume uses them (mdmon then
 *                              writes their spare records)
 *
 * No migration record and no migr_state: there is nothing to resume.
 * Either the old or the new metadata is on disk, and either assembles
 * with the data intact: raid10's even slots hold exactly raid0's blocks.
 *
 * Owns: the checks of a request and their texts, the metadata after it
 * (a new copy).  mdadm checks everything; mdmon builds the same result
 * from its own, newest, copy.  Never: I/O, printing.
 */
#ifndef IMSM_TAKEOVER_H
#define IMSM_TAKEOVER_H

#include "imsm-format.h"

#include <stdbool.h>

struct imsm_takeover_request {
	int vol;		   /* the volume asked for */
	int new_level;		   /* md level: 0, 1 or 10 */
	const struct imsm_disk *spares; /* the container's spares (own records);
					 * NULL: not checked (mdmon) */
	unsigned int n_spares;
	unsigned int max_members;  /* platform's disks per array, 0: no limit */
	bool no_raid1, no_raid10;  /* the platform cannot build these levels */
	bool force;		   /* a raid10 of more than 4 disks (UEFI cannot boot it) */
};

/*
 * Whether s may take req over.  Errors, in the order checked:
 *   -ENODEV      no volume vol
 *   -EPERM       attributes upstream does not support (§4.2)
 *   -EBUSY       a volume is initializing, resyncing, rebuilding or reshaping
 *   -EINVAL      the volume has that level already
 *   -ENOSYS      a level change no takeover makes (raid5 <-> raid4, raid1 <-> raid10,
 *                raid0 of several disks -> raid1, ...)
 *   -EUCLEAN     the volume (or, for raid10, another raid0) is degraded, failed or
 *                not initialized
 *   -EXDEV       raid0 -> raid10 next to a volume that is not a raid0 of the same disks
 *   -ELNRNG      raid0 (1) -> raid10: one disk becomes raid1
 *   -EPROTONOSUPPORT the platform does not support the new level
 *   -E2BIG       twice the disks are more than the platform allows
 *   -ECANCELED   a raid10 of more than 4 disks without force
 *   -EEXIST      a spare has a serial already in the table
 *   -ENOENT      fewer spares than mirrors to fill
 *   -ENOSPC      fewer large enough
 */
int imsm_takeover_check(const struct imsm_super *s,
			const struct imsm_takeover_request *req) IMSM_MUST_CHECK;

/* A short text for the errors above. */
const char *imsm_takeover_error(int err);

/* The mirrors a takeover to raid1/raid10 needs filled (0 for raid0). */
unsigned int imsm_takeover_spares_needed(const struct imsm_super *s,
					 const struct imsm_takeover_request *req);

/*
 * The metadata after req (see the top of this file); the size, pba and
 * blocks_per_member of every volume stay; version and attributes are
 * refreshed.  *ret is a new copy.  Errors as imsm_takeover_check(), or
 * -ENOMEM, -E2BIG when the table has no room for the placeholders,
 * -EBADMSG when the result would not encode (a dev.size out of step with
 * its map, which the decoder accepts with IMSM_WARN_SIZE_MISMATCH).
 */
int imsm_takeover_apply(const struct imsm_super *s, const struct imsm_takeover_request *req,
			struct imsm_super **ret) IMSM_MUST_CHECK;

#endif
