/*
 * imsm-restripe.h: level and chunk-size migrations of one IMSM volume, the
 * metadata part (imsm-format.md §6.5.2, §6.5.3, §6.7; migration-facts.md).
 *
 * A restripe is a general migration like an OLCE (imsm-reshape.h): map[0]
 * the new geometry, map[1] the old one, the same record, units, copy area
 * and checkpoints; olce.c drives both.  What differs is the plan:
 *
 *   raid0 (n) -> raid5 (n+1)   a container spare becomes slot n (the parity
 *                              of the new rows); n data members before and after
 *   raid5 (n) -> raid0 (n-1)   slot n-1 leaves map[0]; at the end its disk
 *                              record leaves the table and it is a spare again
 *   chunk                      blocks_per_strip and num_data_stripes change
 *
 * In all three the data members' count stays, so the volume keeps its size
 * and md's read and write positions move together: every unit goes through
 * the copy area.
 *
 * Owns: the checks of a request and their texts, the metadata that starts
 * one (a new copy, one commit through mdmon).  The end and the rollback are
 * imsm-reshape.h's (imsm_olce_end_volume(), imsm_olce_rollback()), which
 * handle every general migration.  Never: I/O, printing.
 */
#ifndef IMSM_RESTRIPE_H
#define IMSM_RESTRIPE_H

#include "imsm-format.h"

/* What the user asked of volume vol. */
struct imsm_restripe_request {
	int vol;
	int new_level;		   /* md level 0 or 5, -1: unchanged */
	uint32_t new_chunk_blocks; /* 0: unchanged */
	const struct imsm_disk *spares; /* raid0 -> raid5: candidates, each from its
					 * own spare record, in order of preference */
	unsigned int n_spares;
	unsigned int max_members; /* platform's disks per array, 0: no limit */
};

/*
 * Whether s may start req.  Errors, in the order checked:
 *   -ENODEV      no volume vol
 *   -EPERM       attributes upstream does not support (§4.2) block reshapes
 *   -EBUSY       a volume is migrating (init, resync, rebuild, reshape)
 *   -EMEDIUMTYPE the volume is not RAID0 or RAID5
 *   -EOPNOTSUPP  it uses PPL or a write-intent bitmap
 *   -EUCLEAN     it is degraded, failed or uninitialized
 *   -EINVAL      nothing changes, or level and chunk at once
 *   -ENOSYS      a level change that is not raid0 <-> raid5 (takeovers)
 *   -EDOM        a chunk outside 4K..1024K or not a power of two
 *   -ERANGE      the new chunk does not divide the member size
 *   -EXDEV       a level change while the container holds another volume
 *   -ELNRNG      raid5 needs three members, raid0 -> raid5 on one disk
 *   -E2BIG       one member more than the platform allows
 *   -EEXIST      a spare has a serial already in the table
 *   -ENOENT      no spare (raid0 -> raid5)
 *   -ENOSPC      no spare large enough
 */
int imsm_restripe_check(const struct imsm_super *s,
			const struct imsm_restripe_request *req) IMSM_MUST_CHECK;

/* A short text for the errors above. */
const char *imsm_restripe_error(int err);

/*
 * The metadata that starts req: for raid0 -> raid5 the first large-enough
 * spare becomes the last disk record (CONFIGURED, SPARE cleared) and slot
 * n; volume vol enters the general migration (map[1] = map[0] as it was,
 * map[0] the new geometry, unit 0); the size stays; version and attributes
 * are refreshed, never downgraded.  *ret is a new copy.  Errors as
 * imsm_restripe_check(), or -ENOMEM.
 */
int imsm_restripe_start(const struct imsm_super *s, const struct imsm_restripe_request *req,
			struct imsm_super **ret) IMSM_MUST_CHECK;

/* ---- md's side of a general migration (md-kernel-interface.md §9.2, §9.5) ------ */

/*
 * How md runs the reshape of map[1] into map[0], from the one table of
 * level transitions (imsm-restripe.c): md cannot reshape raid0, so a raid0
 * map is md's personality with its parity (last) slot missing.
 *
 *   raid0 -> raid0   raid4, n+1 -> m+1 disks (OLCE, chunk), back to raid0
 *   raid5 -> raid5   raid5 as it is
 *   raid0 -> raid5   raid5 of n+1 disks, parity-last -> left-asymmetric;
 *                    the new disk fills the parity slot
 *   raid5 -> raid0   raid5 of n disks, left-asymmetric -> parity-last;
 *                    the parity slot leaves md, then raid0
 */
struct imsm_md_reshape {
	int level;		    /* md's level during the reshape: 4 or 5 */
	int old_disks, new_disks;   /* md's raid_disks before and after */
	int old_layout, new_layout; /* md's layouts */
	bool from_raid0;	    /* md runs raid0 before: taken over to pers first */
	bool to_raid0;		    /* md ends as raid0: slots from new_disks - 1 leave */
};

/* -EINVAL for maps md cannot reshape into one another. */
int imsm_md_reshape_of(const struct imsm_map *m0, const struct imsm_map *m1,
		       struct imsm_md_reshape *ret) IMSM_MUST_CHECK;

#endif
