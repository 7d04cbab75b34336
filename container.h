/*
 * container.h: an IMSM container as mdadm's reshaping modes see it: the
 * md devices of its volumes (found through /proc/mdstat, frozen and
 * unfrozen, md-kernel-interface.md §7) and its spare disks (their own
 * records, imsm-format.md §1.6).  Shared by olce.c (migrations) and
 * takeover.c (takeovers, size changes).  Never prints.
 */
#ifndef CONTAINER_H
#define CONTAINER_H

#include "imsm-io.h"
#include "mdadm.h"

#include <stdbool.h>

/* The md device of one volume. */
struct cont_vol {
	char devnm[32];
	char meta[64]; /* "external:/CONT/N": the spelling to restore */
	struct md_sysfs md;
	bool found, frozen;
};

/* Volume N of container devnm from md's metadata_version
 * ("external:/devnm/N" or, frozen, "external:-devnm/N"); -1 otherwise. */
long cont_volume_index(const char *meta, const char *devnm);

/* Fill vols[0..IMSM_MAX_RAID_DEVS) with the running volumes of cont. */
int cont_find_volumes(const char *cont, struct cont_vol *vols) __attribute__((warn_unused_result));

/* The "-" flag and sync_action frozen; a running reshape is not
 * interrupted (it waits at its sync_max).  And back. */
int cont_freeze(struct cont_vol *v) __attribute__((warn_unused_result));
int cont_unfreeze(struct cont_vol *v) __attribute__((warn_unused_result));

/* Every volume of vols[IMSM_MAX_RAID_DEVS] that is frozen; -EIO when one
 * could not be. */
int cont_unfreeze_all(struct cont_vol *vols) __attribute__((warn_unused_result));

/* sync_action, where the level has one (raid0 has none). */
int cont_sync_action(const struct md_sysfs *md, const char *action)
	__attribute__((warn_unused_result));

/* d is a spare of the container whose table is s (its serial is not in
 * it): its own record into *ret.  False for a member or unreadable. */
bool cont_spare_record(const struct imsm_super *s, const struct imsm_disk_dev *d,
		       struct imsm_disk *ret);

#endif
