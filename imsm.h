/*
 * imsm.h: the IMSM handler's functions used by the modes (create,
 * assemble, mdmon).  Implemented in super-intel.c (md view of the
 * metadata, mdmon's policy) and imsm-create.c (building new records);
 * imsm-migr.h adds the migration records and checkpoint arithmetic.
 * Returns 0 or -errno, never prints.
 */
#ifndef IMSM_H
#define IMSM_H

#include "imsm-format.h"
#include "imsm-io.h"
#include "imsm-migr.h"
#include "mdadm.h"

/* md layout numbers IMSM uses */
#define MD_LAYOUT_LEFT_ASYMMETRIC 0
#define MD_LAYOUT_RAID10_NEAR2 0x102

/* A container disk's rdev: the metadata range at the end of the disk. */
void imsm_container_member_cfg(const struct imsm_disk_dev *d, struct md_member_cfg *ret);

/*
 * md's view of volume idx of s.  disks[] are the present disks; members
 * are matched by serial.  Missing and failed members are left out (the
 * volume runs degraded).  -EINVAL for a volume md cannot run.
 */
int imsm_volume_md_cfg(const struct imsm_super *s, int idx, const struct imsm_disk_dev *disks,
		       int n, struct md_volume_cfg *ret) __attribute__((warn_unused_result));

/* The volume name as a C string. */
void imsm_volume_name(const struct imsm_dev *dev, char ret[IMSM_NAME_BYTES + 1]);

/* Index of the disk record whose serial matches, or -1. */
int imsm_find_disk(const struct imsm_super *s, const char serial[IMSM_SERIAL_BYTES]);

/*
 * Keep in *best whichever of *best and s speaks for the container: copies
 * with volumes only, same original family, highest generation.  Takes
 * ownership of s (freed when not kept).
 */
void imsm_keep_newest(struct imsm_super **best, struct imsm_super *s);

/*
 * The newest copy (highest generation of the family) among the disks of a
 * running container; -ENODATA when no disk carries a container copy.
 */
int imsm_load_container(const char *container_devnm, struct imsm_super **ret)
	__attribute__((warn_unused_result));

/*
 * Record disk index as failed in every volume that uses it (§7.1): serial
 * suffix, FAILED status, REBUILD flag on its slot, failed slot, map state,
 * volume dirty.  Returns true when something changed.  Never allocates.
 */
bool imsm_mark_failed(struct imsm_super *s, int index);

/*
 * mdmon: md is about to resync volume idx (its resync_start is a number
 * and the array goes read-write).  Starts the migration that records the
 * resync (§6.3): INIT for an uninitialised volume, else REPAIR; map[0]
 * becomes normal, map[1] keeps the old state, curr_migr_unit 0.  Nothing
 * is started while the volume migrates already, a member is out (md does
 * not resync then), or a general migration runs in the container.
 * Returns true when the metadata changed.  Never allocates.
 */
bool imsm_start_resync(struct imsm_super *s, int idx);

/*
 * mdmon: md finished the resync of volume idx.  Ends its INIT or REPAIR
 * migration (§6.1): one map again, in the state its members give, repair
 * bit and checkpoint cleared.  Returns true when the metadata changed
 * (false when no resync migration was recorded).  Never allocates.
 */
bool imsm_end_resync(struct imsm_super *s, int idx);

/*
 * An update from mdadm that adds one volume to the container mdmon runs:
 * check it against the current copy (same family, disks and volumes, one
 * more volume), then merge only the new volume into cur (no allocation).
 */
int imsm_check_volume_update(const struct imsm_super *cur, const struct imsm_super *upd)
	__attribute__((warn_unused_result));
void imsm_apply_volume_update(struct imsm_super *cur, const struct imsm_super *upd);

/* imsm-create.c ---------------------------------------------------------- */

/* A spare record for a disk joining a container (§1.6). */
int imsm_spare_record(const struct imsm_disk_dev *d, struct imsm_super **ret)
	__attribute__((warn_unused_result));

/* What the user asked for a new volume. */
struct imsm_volume_request {
	const char *name;
	int level;                   /* md level */
	int n_members;
	unsigned int chunk_kib;      /* 0: default */
	unsigned long long size_kib; /* per member; 0: max */
	bool assume_clean;
};

/*
 * Add a volume over disks[0..n) (slot order) to s (NULL: the container has
 * no volume yet, start from the disks' spare records).  Checks every rule
 * of imsm-format.md §5.2 first; on success *ret is the new MPB (s is left
 * unchanged).  Errors: -EINVAL (level/width the format forbids), -EDOM
 * (chunk size), -EOPNOTSUPP (a chunk given for raid1), -EBADR (volume
 * name), -ENOSPC (does not fit), -EEXIST (name taken), -E2BIG (third
 * volume), -EXDEV (second volume's disks differ from the first's).
 * imsm_add_volume_error() words each one.
 */
int imsm_add_volume(const struct imsm_super *s, const struct imsm_disk_dev *disks, int n,
		    const struct imsm_volume_request *req, struct imsm_super **ret)
	__attribute__((warn_unused_result));

/* A short text for the errors of imsm_add_volume(). */
const char *imsm_add_volume_error(int err);

#endif
