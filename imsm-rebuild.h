/*
 * imsm-rebuild.h: container spares and rebuilds in IMSM metadata
 * (imsm-format.md §1.5, §1.6, §6.4, §7.2-§7.4).
 *
 * Pure functions on decoded records: no I/O, no printing, no allocation
 * (mdmon's monitor thread applies an activation and ends a rebuild).
 * Which disk is chosen and when a rebuild starts is the caller's policy;
 * these functions say what is allowed and write the records.
 *
 * A container spare has no entry in the container's disk table: it
 * carries its own one-disk spare record (§1.6).  Activating it (§7.4)
 * appends it to the table, starts a REBUILD migration on the volume,
 *
 *     map[0] (target)  ord[slot] = new index           state normal/degraded
 *     map[1] (source)  ord[slot] = new index | REBUILD state degraded
 *
 * and drops the failed disk's record once no map refers to it.  md's
 * recovery position of the new member is curr_migr_unit * rebuild factor
 * (§6.2); the migration ends when md reports the member in sync.
 */
#ifndef IMSM_REBUILD_H
#define IMSM_REBUILD_H

#include "imsm-format.h"

#include <stdbool.h>
#include <stdint.h>

/* The family that identifies a container: orig_family_num, or family_num
 * when it is 0 (§3.3). */
uint32_t imsm_spare_family(const struct imsm_super *s);

/* s is a spare record (§1.6): no volume, one disk, status SPARE. */
bool imsm_spare_is_record(const struct imsm_super *s);

/*
 * 512-byte blocks a disk needs to take any slot of every volume of s
 * (§7.4): each volume's data (and its blocks_per_member, which the
 * validator checks against the disk) at the same pba_of_lba0, then the
 * minimal reservation of a spare (§1.5), computed for an MPB one disk
 * record larger.  s NULL or without volumes: room for the smallest
 * volume next to the full reservation.
 */
uint64_t imsm_spare_min_blocks(const struct imsm_super *s);

/* Map state of m from its ord entries and disk records (§7.3). */
uint8_t imsm_rebuild_map_state(const struct imsm_super *s, const struct imsm_map *m);

/*
 * The slot of volume idx a spare should rebuild: its lowest out-of-sync
 * slot, when the volume may get a spare at all (§6.8 table): degraded,
 * not migrating, and no general migration in the container.  -1 when
 * not.
 */
int imsm_rebuild_wanted_slot(const struct imsm_super *s, int idx);

/* Volume dev's maps (map[1] only while it migrates) use disk record index. */
bool imsm_dev_uses_disk(const struct imsm_dev *dev, int index);

/* Some volume of s uses disk record index (either map). */
bool imsm_disk_referenced(const struct imsm_super *s, int index);

/* Disk record index can join volume idx: present in the table, neither
 * failed nor already used by either map of the volume. */
bool imsm_rebuild_disk_free(const struct imsm_super *s, int index, int idx);

/*
 * The first choice for slot of volume idx (§7.4 "a disk already in the
 * table"): the disk another volume has in the same slot, when it is free
 * for idx -- the replacement the other volume got, so both volumes keep
 * one disk per slot (§5.2).  Its record index, or -1.
 */
int imsm_rebuild_partner(const struct imsm_super *s, int idx, int slot);

/* What the manager prepares for one activation; the monitor applies it. */
struct imsm_activation {
	int vol;                 /* volume index */
	int slot;                /* the out-of-sync slot to fill */
	struct imsm_disk rec;    /* the new member: serial, total_blocks, scsi_id */
	uint32_t family_delta;   /* random, added to family_num (§7.4 step 2) */
};

/*
 * Is the activation still possible on s: the slot is the one the volume
 * wants, and the disk is a table disk free for the volume or not in the
 * table at all (then the table has room), large enough.  -EINVAL, -EBUSY
 * (the volume needs no spare or migrates), -ENOSPC (too small), -E2BIG
 * (table full).
 */
int imsm_rebuild_check(const struct imsm_super *s, const struct imsm_activation *a)
	__attribute__((warn_unused_result));

/*
 * §7.4 step 2 on s, after imsm_rebuild_check(): the disk joins the table
 * (appended when new; CONFIGURED, not SPARE), the REBUILD migration starts
 * (§6.1, §6.4), family_num moves (orig_family_num is set first when it
 * was 0, so the container keeps its identity), and the replaced disk's
 * record is deleted if no map refers to it any more.  Returns the
 * check's error without changing s.  Never allocates.
 */
int imsm_rebuild_activate(struct imsm_super *s, const struct imsm_activation *a)
	__attribute__((warn_unused_result));

/* The slot a REBUILD migration of dev is rebuilding: flagged in map[1],
 * not in map[0].  -1 when dev does not rebuild, or the new member failed. */
int imsm_rebuild_slot(const struct imsm_dev *dev);

/* dev is in a REBUILD migration. */
bool imsm_rebuild_running(const struct imsm_dev *dev);

/*
 * End the REBUILD migration of volume idx (§7.4 step 5): md reported the
 * new member in sync, or it failed (then its slot stays flagged).  map[0]
 * keeps its ords, its state is recomputed; failed_disk_num is 0xFF when
 * the volume is normal again, else the highest slot still out.  Returns
 * true when something changed.  Never allocates.
 */
bool imsm_rebuild_end(struct imsm_super *s, int idx);

/*
 * recovery_start (md sectors) of slot at assembly: 0 for a slot out of
 * sync, the checkpoint (curr_migr_unit * factor) for the slot a REBUILD
 * migration is rebuilding, ~0ULL (in sync) otherwise.
 */
unsigned long long imsm_rebuild_recovery_start(const struct imsm_dev *dev, int slot);

/*
 * Delete disk record index (§7.4): later records move down one, every ord
 * entry of both maps and every bad-block entry above it follows (flags
 * kept), bad-block entries of the disk itself go.  -EBUSY while a map
 * refers to it, -EINVAL for a bad index.  Never allocates.
 */
int imsm_rebuild_delete_disk(struct imsm_super *s, int index) __attribute__((warn_unused_result));

#endif
