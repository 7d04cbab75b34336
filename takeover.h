/*
 * takeover.h: changes of an IMSM volume that move no data, driven by
 * mdadm --grow: level changes (--level; md-kernel-interface.md §9.2,
 * imsm-format.md §6.6) and the size on each disk (--size, --array-size;
 * §5.8).
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
#include <stdint.h>

/*
 * Volume vol of container devnm (named array by the user) to md level
 * new_level.  force allows a raid10 of more than 4 disks; dry_run prints
 * the plan only.  Returns an exit code.
 */
int takeover_level(const char *array, const char *devnm, int vol, int new_level, bool force,
		   bool dry_run);

/*
 * --grow --size: volume vol's data on each member to size_kib (0: as much
 * as the disks allow; imsm-resize.h): md's members and component size
 * first (raid0 as raid4 meanwhile), the metadata, then the array size;
 * md resyncs the new region of a redundant volume, mdmon records it.
 * Prints upstream's "component size ... has been set to NK".  Returns an
 * exit code.
 */
int takeover_size(const char *array, const char *devnm, int vol, uint64_t size_kib);

/* --grow --array-size: md's size of volume vol (0: the metadata's), at
 * most the metadata's; not recorded (as upstream).  Returns an exit code. */
int takeover_array_size(const char *array, const char *devnm, int vol, uint64_t size_kib);

#endif
