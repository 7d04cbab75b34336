/*
 * takeover.h: level changes that move no data (md-kernel-interface.md
 * §9.2; imsm-format.md §6.6), driven by mdadm --grow --level.
 *
 * Owns: the checks before anything changes (imsm-takeover.h's, the
 * volumes idle, our mdmon), the plan printed, the freeze, the metadata
 * (one request to mdmon, which builds it from its newest copy), md's
 * personality around it, the unfreeze.  The rebuild of new mirrors is
 * mdmon's (a REBUILD migration with checkpoints, per slot).  Reports with
 * pr_err().
 *
 * The order is the metadata first, then md: every state a crash can leave
 * assembles with the data intact (raid0's blocks are raid10's even slots):
 *   raid0 -> raid10/raid1   metadata: degraded mirror, placeholders;
 *                           md: level raid10 (raid1: raid5 then raid1);
 *                           unfreeze: mdmon rebuilds from the spares
 *   raid10/raid1 -> raid0   metadata: raid0 of the kept slots, the others
 *                           spares; md: those fail and leave (mdmon sees
 *                           disks the volume no longer uses: nothing to
 *                           record), level raid0
 */
#ifndef TAKEOVER_H
#define TAKEOVER_H

#include <stdbool.h>

/*
 * Volume vol of container devnm (named array by the user) to md level
 * new_level.  force allows a raid10 of more than 4 disks; dry_run prints
 * the plan only.  Returns an exit code.
 */
int takeover_level(const char *array, const char *devnm, int vol, int new_level, bool force,
		   bool dry_run);

#endif
