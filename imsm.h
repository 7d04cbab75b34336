/*
 * imsm.h: the IMSM handler's own interface, below struct metadata_ops.
 *
 * The modes reach IMSM only through imsm_ops (mdadm.h).  This header is
 * for the handler's files and for what still calls IMSM directly (mdmon,
 * until its call sites go through the table; the unit tests):
 *   super-intel.c   imsm_ops, the handle, md's view of the records,
 *                   loading the newest copy;
 *   imsm-mdmon.c    mdmon's policy: failures, resync migrations, updates;
 *   imsm-create.c   building new records;
 *   imsm-describe.c what --examine loads and shows;
 * imsm-migr.h adds the migration records and checkpoint arithmetic.
 * Returns 0 or -errno, never prints.
 */
#ifndef IMSM_H
#define IMSM_H

#include "imsm-examine.h"
#include "imsm-format.h"
#include "imsm-io.h"
#include "imsm-migr.h"
#include "mdadm.h"

/* md layout numbers IMSM uses */
#define MD_LAYOUT_LEFT_ASYMMETRIC 0
#define MD_LAYOUT_PARITY_LAST 5 /* raid4/raid5 ALGORITHM_PARITY_N */
#define MD_LAYOUT_RAID10_NEAR2 0x102

/*
 * IMSM's struct super: one decoded copy, plus for --examine what the
 * description needs besides (st.priv points back here).
 */
struct imsm_handle {
	struct super st;
	struct imsm_super *mpb;
	/* examine_load() only */
	char serial[IMSM_SERIAL_BYTES]; /* the examined disk's; all zero if none */
	uint32_t sector_bytes;
	bool have_migr_rec;
	struct imsm_examine_migr_rec migr_rec;
	char misfit[200]; /* what does not fit the device, in words; "" if all does */
};

/* A handle for mpb (taken over: freed with the handle, or here on -ENOMEM). */
int imsm_handle_new(struct imsm_super *mpb, struct super **ret) __attribute__((warn_unused_result));
struct imsm_super *imsm_mpb_of(const struct super *st);

/* md_disk <-> imsm_disk_dev: the same disk, borrowed path and fd. */
void imsm_disk_from_md(const struct md_disk *d, struct imsm_disk_dev *ret);
void imsm_disk_to_md(const struct imsm_disk_dev *d, struct md_disk *ret);

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

/* The original family: what identifies a container across its copies. */
uint32_t imsm_family_of(const struct imsm_super *s);

/*
 * The newest-copy rule (§7.6): s speaks for the container instead of
 * best (NULL: none yet) when it has volumes and, against a best, the same
 * original family and a higher generation.
 */
bool imsm_supersedes(const struct imsm_super *s, const struct imsm_super *best);

/*
 * Keep in *best whichever of *best and s speaks for the container
 * (imsm_supersedes()).  Takes ownership of s (freed when not kept).
 */
void imsm_keep_newest(struct imsm_super **best, struct imsm_super *s);

/*
 * The newest copy (highest generation of the family) among the disks of a
 * running container; -ENODATA when no disk carries a container copy.
 */
int imsm_load_container(const char *container_devnm, struct imsm_super **ret)
	__attribute__((warn_unused_result));

/* Whether a general migration runs anywhere in the container (§6.1). */
bool imsm_gen_migr_running(const struct imsm_super *s);

/* map_state a map should have, from its members' records and ord flags (§7.3). */
uint8_t imsm_map_state_of(const struct imsm_super *s, const struct imsm_map *m);

/* imsm-mdmon.c ----------------------------------------------------------- */

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

/* The table's mdmon hooks over the functions above (imsm-mdmon.c). */
int imsm_op_decode_update(const void *buf, size_t len, struct super **ret);
int imsm_op_check_update(const struct super *cur, const struct super *upd);
void imsm_op_apply_update(struct super *cur, const struct super *upd);
unsigned int imsm_op_volume_flags(const struct super *st, int index);
bool imsm_op_set_dirty(struct super *st, int index, bool dirty);
bool imsm_op_mark_failed(struct super *st, int disk_index);
bool imsm_op_start_resync(struct super *st, int index);
bool imsm_op_set_checkpoint(struct super *st, int index, unsigned long long pos_sectors);
bool imsm_op_end_resync(struct super *st, int index);
unsigned long long imsm_op_resync_checkpoint(const struct super *st, int index);

/* imsm-create.c ---------------------------------------------------------- */

/* §5.5, §7.1: the record that stands for the k-th `missing` slot
 * ("missing:K", failed, blocks long); no disk will ever match its serial
 * (real serials never contain ':'). */
void imsm_placeholder_record(struct imsm_disk *rec, int k, uint64_t blocks);

/* A spare record for a disk joining a container (§1.6). */
int imsm_spare_record(const struct imsm_disk_dev *d, struct imsm_super **ret)
	__attribute__((warn_unused_result));

/*
 * Add a volume over disks[0..n) (slot order; a NULL entry is a `missing`
 * slot) to s (NULL: the container has no volume yet, start from the
 * disks' spare records).  Checks every rule of imsm-format.md §5.2 first;
 * on success *ret is the new MPB (s is left unchanged).  A volume with
 * missing slots is created degraded (§5.5): placeholder records
 * "missing:K" first in the table, its slots flagged out of sync, no
 * initialisation.  Errors: -EINVAL (level/width the format forbids),
 * -EDOM (chunk size), -EOPNOTSUPP (a chunk given for raid1), -ENOMEDIUM
 * (`missing` for raid0), -ENODEV (too many slots missing for the volume
 * to run), -EBADR (volume name), -ENOSPC (does not fit), -EEXIST (name
 * taken), -E2BIG (third volume), -EXDEV (second volume's disks differ
 * from the first's).  imsm_add_volume_error() words each one.
 */
int imsm_add_volume(const struct imsm_super *s, const struct imsm_disk_dev *const disks[], int n,
		    const struct md_volume_request *req, struct imsm_super **ret)
	__attribute__((warn_unused_result));

/* A short text for the errors of imsm_add_volume(). */
const char *imsm_add_volume_error(int err);

/* --update=uuid (imsm-create.c): a new family number; uuid NULL: random.
 * -EINVAL for a given UUID whose four words differ. */
int imsm_op_update_uuid(struct super *st, const unsigned char *uuid);

/* imsm-describe.c -------------------------------------------------------- */

/* The table's --examine hooks (imsm-describe.c). */
int imsm_op_examine_load(struct md_disk *d, struct super **ret, enum md_load_step *ret_step);
void imsm_op_examine_text(FILE *f, const char *path, const struct super *st);
void imsm_op_examine_brief(FILE *f, const struct super *st);
void imsm_op_examine_export(FILE *f, const struct super *st);
void imsm_op_examine_json(struct json_out *j, const char *path, const struct super *st);
bool imsm_op_examine_same_group(const struct super *a, const struct super *b);
int imsm_op_uuid(const struct super *st, int index, char ret[MD_UUID_TEXT_BYTES]);

#endif
