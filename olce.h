/*
 * olce.h: the general-migration engine mdadm drives: Online Capacity
 * Expansion of an IMSM container and level/chunk migrations of one volume
 * (md-kernel-interface.md §9.3, §9.4; imsm-format.md §6.5, §6.7).
 *
 * Owns: the checks before anything changes, the freeze of the container's
 * volumes, the start through mdmon, and for each volume in turn md's
 * takeover, new members and geometry, the unit loop with backups and
 * checkpoints, and the end (size, parity slot, level back).  --continue
 * picks an interrupted migration up from the migration record.  Reports
 * once with pr_err().
 */
#ifndef OLCE_H
#define OLCE_H
#include <stdbool.h>
#include <stdint.h>

/*
 * Grow every volume of container devnm (named array by the user) to
 * new_disks members, or with do_continue finish the OLCE the metadata
 * records.  Returns an exit code.
 */
int olce_grow(const char *array, const char *devnm, int new_disks, bool do_continue);

/*
 * A level (raid0 <-> raid5, new_level 0 or 5, -1 unchanged) or chunk-size
 * (new_chunk_kib, 0 unchanged) migration of volume vol of container devnm
 * (named array by the user), on the same engine: checks, the plan printed,
 * then (unless dry_run) freeze, start through mdmon, the unit loop, the
 * end.  An interrupted one finishes with olce_grow(..., do_continue).
 * Returns an exit code.
 */
int olce_restripe(const char *array, const char *devnm, int vol, int new_level,
		  unsigned int new_chunk_kib, bool dry_run);

/*
 * For mdadm --wait: whether container devnm has an OLCE under way (a
 * volume in a general migration, or one not yet at its final level and
 * size), and in *ret_sig a signature of where it stands (migrating
 * volume, checkpoint, md's progress, levels): it changes while someone
 * drives the OLCE.
 */
bool olce_under_way(const char *devnm, uint64_t *ret_sig);

#endif
