/*
 * imsm-reshape.h: Online Capacity Expansion (OLCE) of an IMSM container and
 * the arithmetic of a general migration (imsm-format.md §1.7, §2.8, §6.2,
 * §6.5, §6.5.1, §6.7; md-kernel-interface.md §9.3, §9.4).
 *
 * Owns: the checks of an OLCE request; the metadata of its start (new disk
 * records, map[0] = new geometry, map[1] = old, general migration, new
 * size), of mdmon's start of the next volume and of its end; the migration
 * record (migr_rec) codec and its initial values; the unit arithmetic
 * (blocks per unit, where unit k reads and writes); and the safety bound
 * that says how far md may run ahead of the recorded checkpoint.
 *
 * Never: does I/O, prints, decides when to run a step, or talks to md or
 * mdmon.  The functions that change a volume in place never allocate (mdmon's
 * monitor thread calls them); imsm_olce_start() returns a new copy.
 *
 * Units: every _blocks value is in 512-byte blocks, as the decoded MPB holds
 * them on 512-byte-sector disks.  "Array" positions are sectors of the md
 * volume in the *new* layout (md's reshape_position, suspend_lo/hi);
 * "member" positions are sectors of one member relative to pba_of_lba0
 * (md's sync_max, sync_completed, dest_1st_member_lba).
 *
 * A growing reshape on the same data offset, as md runs it (stripe rows of
 * one chunk on every member; D_old data chunks per old row, D_new per new
 * row), with the checkpoint recorded at array position C:
 *
 *   member offset 0          C/D_new        sync_max        R(C)
 *                 |-----------|--------------|---------------|------------->
 *                  new layout  md may be      stale old rows  old layout:
 *                  (x < C)     writing here   (their x < C)   x >= C, keep!
 *
 * New row r holds array chunks r*D_new ..., which come from old rows >= r:
 * md reads ahead of where it writes and R(C) - C/D_new grows with C.  A crash
 * is recoverable from C alone while sync_max <= R(C) (imsm-reshape.c).
 */
#ifndef IMSM_RESHAPE_H
#define IMSM_RESHAPE_H

#include "imsm-format.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the migration record (§2.8, §1.7) -------------------------------------- */

#ifndef IMSM_MIGR_REC_BYTES
#define IMSM_MIGR_REC_BYTES 128 /* defined part of the sector at LBA N-1 */
/*
 * Whether upd is cur with a general migration started (what
 * imsm_olce_start() or imsm_restripe_start() builds, as mdmon receives it
 * from mdadm): same family and volumes, no fewer disk records, the old
 * records' serials in place, no volume of cur migrating and exactly one of
 * upd in a general migration.  -EINVAL otherwise.
 */
int imsm_olce_check_start_update(const struct imsm_super *cur,
				 const struct imsm_super *upd) IMSM_MUST_CHECK;

/* §6.7: the checkpoint of volume idx's general migration in the main
 * metadata; -EINVAL when it is not in one.  Never allocates. */
int imsm_olce_set_unit(struct imsm_super *s, int idx, uint64_t unit) IMSM_MUST_CHECK;

#endif

/* rec_status */
enum imsm_unit_src {
	IMSM_UNIT_SRC_NORMAL = 0,     /* the current unit's source is in the old layout */
	IMSM_UNIT_SRC_IN_CP_AREA = 1, /* its destination image is in the copy area */
};

/*
 * migr_rec, first 128 bytes of the last sector of the slot-0 and slot-1
 * members of map[0]:
 *
 *   0x00 rec_status          0x04 curr_migr_unit_lo   0x08 family_num
 *   0x0C ascending_migr      0x10 blocks_per_unit     0x14 dest_depth_per_unit
 *   0x18 ckpt_area_pba_lo    0x1C dest_1st_member_lba_lo
 *   0x20 num_migr_units_lo   0x24 post_migr_vol_cap   0x28 post_migr_vol_cap_hi
 *   0x2C ckpt_read_disk_num  0x30 curr_migr_unit_hi   0x34 ckpt_area_pba_hi
 *   0x38 dest_1st_member_lba_hi  0x3C num_migr_units_hi  0x40 filler[64]
 *
 * Block fields are held here in 512-byte blocks; on 4Kn disks the codec
 * converts blocks_per_unit, dest_depth_per_unit, ckpt_area_pba,
 * dest_1st_member_lba and post_migr_vol_cap to 4 KiB units (§1.8).
 */
struct imsm_migr_rec {
	uint32_t rec_status;	      /* enum imsm_unit_src */
	uint64_t curr_migr_unit;      /* units done (the checkpoint) */
	uint32_t family_num;	      /* MPB family_num at the start */
	uint32_t ascending_migr;      /* 1: low to high LBAs (the only kind) */
	uint32_t blocks_per_unit;     /* array blocks per unit */
	uint32_t dest_depth_per_unit; /* member blocks per unit */
	uint64_t ckpt_area_pba;	      /* copy area, same LBA on every member */
	uint64_t dest_1st_member_lba; /* member block where the current unit goes */
	uint64_t num_migr_units;      /* units in the whole migration */
	uint64_t post_migr_vol_cap;   /* dev.size after the migration */
	uint32_t ckpt_read_disk_num;  /* 0 (informational) */
};

/*
 * Decode the record at the start of buf (len >= 128 bytes; bytes past 128
 * are ignored, mdadm 4.2 left garbage there on 4Kn disks).  sector_bytes
 * 512 or 4096 says which units the block fields are in.  The record has no
 * checksum; nothing is validated here (see imsm_migr_rec_check()).
 * -EMSGSIZE if len < 128, -EINVAL for another sector size.
 */
int imsm_migr_rec_decode(const void *buf, size_t len, uint32_t sector_bytes,
			 struct imsm_migr_rec *ret) IMSM_MUST_CHECK;

/*
 * Encode rec into buf: 128 bytes of record, zeros up to len (so a sector
 * buffer can be written as is).  -EMSGSIZE if len < 128, -EINVAL for a
 * sector size other than 512/4096, -ERANGE for a block field that does not
 * fit its on-disk width (32 bits for blocks_per_unit/dest_depth_per_unit) or
 * that is not a multiple of 8 on a 4Kn disk.  buf is untouched on failure.
 */
int imsm_migr_rec_encode(const struct imsm_migr_rec *rec, uint32_t sector_bytes, void *buf,
			 size_t len) IMSM_MUST_CHECK;

/*
 * §1.7: the disk indexes that carry the record of volume d (slots 0 and 1
 * of map[0]; one for a one-member map).  Returns how many went into
 * ret_index; the reader takes the first one it can read, the writer writes
 * both.
 */
int imsm_migr_rec_members(const struct imsm_dev *d, uint32_t ret_index[2]);

/* ---- general migration geometry and units (§6.2, §6.7) ---------------------- */

/* The two layouts of a volume in general migration, as md sees them. */
struct imsm_reshape_geom {
	unsigned int old_data;	    /* D(map[1]): data chunks per old row */
	unsigned int new_data;	    /* D(map[0]) */
	uint32_t old_chunk_blocks;  /* map[1].blocks_per_strip */
	uint32_t new_chunk_blocks;  /* map[0].blocks_per_strip */
	uint64_t old_member_blocks; /* per-member data of map[1]: nds * bps */
	uint64_t member_blocks;	    /* md component size: nds * bps of map[0] */
	uint64_t array_blocks;	    /* member_blocks * new_data: where md stops */
};

/* The geometry of volume d, which must be in a general migration; -EINVAL
 * otherwise or for levels without data members. */
int imsm_reshape_geom_of(const struct imsm_dev *d, struct imsm_reshape_geom *ret) IMSM_MUST_CHECK;

/* §6.7: dest_depth_per_unit = floor(2048 / max chunk) * max chunk; 0 when a
 * chunk is larger than the 1 MiB copy area (such volumes cannot migrate). */
uint32_t imsm_reshape_depth_blocks(const struct imsm_reshape_geom *g);

/*
 * The record a new general migration of volume idx starts with (§6.7):
 * status normal, unit 0, family_num of s, ascending, depth and blocks per
 * unit, ceil(array_blocks / blocks_per_unit) units, post_migr_vol_cap =
 * dev.size, ckpt_area_pba = smallest map[0] member - 2209 (from the disk
 * records' total_blocks: upstream reads the devices' sizes, which are the
 * same unless a disk grew), dest_1st_member_lba 0.
 * -EINVAL (idx not in general migration), -EDOM (chunk over 1 MiB, or
 * chunks of which no unit up to 1 MiB holds whole rows: not powers of two),
 * -ENOSPC (a member smaller than the copy area offset), -ERANGE (a unit
 * size that does not fit 32 bits).
 */
int imsm_migr_rec_init(const struct imsm_super *s, int idx,
		       struct imsm_migr_rec *ret) IMSM_MUST_CHECK;

/*
 * Whether rec (read from disk) belongs to the migration that fresh (from
 * imsm_migr_rec_init()) describes: the same family, unit sizes, copy area,
 * unit count and final capacity.  A record that fails this is another
 * migration's, or zeros; mdadm --grow --continue and assembly both apply
 * this one rule.
 */
bool imsm_migr_rec_same_migration(const struct imsm_migr_rec *rec,
				  const struct imsm_migr_rec *fresh);

/*
 * A record that a reader can trust to resume from (§6.7 "Recovery", plus
 * the consistency the arithmetic below needs): ascending, non-zero unit
 * sizes with blocks_per_unit = depth * new_data, curr_migr_unit <=
 * num_migr_units, and units that cover the geometry.  -EINVAL otherwise,
 * -EOPNOTSUPP for a descending migration (upstream refuses it too).
 */
int imsm_migr_rec_check(const struct imsm_migr_rec *rec,
			const struct imsm_reshape_geom *g) IMSM_MUST_CHECK;

/*
 * §6.7 steps 4c and 6: record that md has completed the array up to
 * progress_blocks: curr_migr_unit = ceil(progress / blocks_per_unit)
 * (ceil: only the very last unit can be partial), dest_1st_member_lba =
 * depth * curr_migr_unit, rec_status = status.
 */
void imsm_migr_rec_set_checkpoint(struct imsm_migr_rec *rec, uint64_t progress_blocks,
				  enum imsm_unit_src status);

/*
 * Where md resumes (its reshape_position, array blocks) from a record that
 * was checked: curr_migr_unit * blocks_per_unit, one unit further when the
 * unit is in the copy area (the caller restores it first), never past the
 * end.  Upstream does not add the unit for the last unit (and then redoes it
 * from the old layout although its destination was restored); we do, which
 * only differs on volumes whose last unit is still in the critical section.
 */
uint64_t imsm_reshape_resume_pos(const struct imsm_migr_rec *rec,
				 const struct imsm_reshape_geom *g);

/* Where unit k reads and writes (§6.7, §9.4.3). */
struct imsm_reshape_unit {
	uint64_t array_start;	     /* k * blocks_per_unit */
	uint64_t array_blocks;	     /* blocks_per_unit, less for the last unit */
	uint64_t dest_member_start;  /* k * depth: the new rows it fills */
	uint64_t dest_member_blocks; /* array_blocks / new_data */
	uint64_t src_member_start;   /* first old row holding its data */
	uint64_t src_member_end;     /* end of the last old row holding it (exclusive),
				      * at most old_member_blocks */
};

/* -ERANGE for k >= num_migr_units; -EINVAL for a record that does not fit g. */
int imsm_reshape_unit(const struct imsm_migr_rec *rec, const struct imsm_reshape_geom *g,
		      uint64_t k, struct imsm_reshape_unit *ret) IMSM_MUST_CHECK;

/* ---- the safety bound ----------------------------------------------------------- */

/*
 * How far md may be let run (its sync_max, member blocks) while the recorded
 * checkpoint is at array position checkpoint_blocks (new layout), such that
 * a crash at any moment is recoverable from the checkpoint and the two
 * layouts alone, without a backup copy (derivation in imsm-reshape.c):
 *
 *     floor(checkpoint / (old_data * chunk)) * chunk
 *
 * but never less than the checkpoint's own member position,
 * floor(checkpoint / (new_data * chunk)) * chunk.  When the result is not at
 * least one chunk beyond that position, md cannot move without a backup:
 * that is the critical section.  Not capped at the end of the volume (the
 * caller caps at member_blocks).  0 when a count or the chunk is 0.
 */
uint64_t imsm_reshape_safe_sync_max(unsigned int old_data, unsigned int new_data,
				    uint32_t chunk_blocks, uint64_t checkpoint_blocks);

/*
 * End of the critical section (array blocks, new layout): the first
 * checkpoint from which md can complete at least one more new stripe row
 * without a backup, ceil(old_data / (new_data - old_data)) rows of
 * new_data * chunk.  Below it every row needs a backup.  UINT64_MAX when
 * new_data <= old_data (a migration that keeps the data-disk count is
 * critical all the way, e.g. RAID0 -> RAID5 or a chunk change).
 */
uint64_t imsm_reshape_critical_end(unsigned int old_data, unsigned int new_data,
				   uint32_t chunk_blocks);

/* One step of the reshape loop (md-kernel-interface.md §9.4.3). */
struct imsm_reshape_step {
	uint64_t first_unit; /* the record's curr_migr_unit */
	uint64_t units;	     /* units md may run before the next checkpoint, >= 1 */
	bool backup;	     /* unit first_unit must go to the copy area first;
			      * then units == 1 */
	uint64_t suspend_lo; /* array blocks: first_unit * blocks_per_unit */
	uint64_t suspend_hi; /* end of the window, at most array_blocks */
	uint64_t sync_max;   /* member blocks: suspend_hi / new_data */
};

/*
 * Plan the step from unit first_unit (the checkpoint on disk), at most
 * max_units long (0: no limit): as many whole units as
 * imsm_reshape_safe_sync_max() allows, or one unit with a backup when not
 * even one fits.  Upstream asks for a backup one unit earlier (it takes
 * "gap <= depth" as critical, we take "gap < depth"); both are safe.
 * -ERANGE when first_unit >= num_migr_units; -EINVAL for a record that does
 * not fit g.
 */
int imsm_reshape_plan_step(const struct imsm_migr_rec *rec, const struct imsm_reshape_geom *g,
			   uint64_t first_unit, uint64_t max_units,
			   struct imsm_reshape_step *ret) IMSM_MUST_CHECK;

/*
 * Where md may be held while mdadm moves the suspend window.  Writing
 * suspend_lo/hi suspends md, which waits for every request in flight; a
 * read of an old row that straddles md's reshape position waits in raid5
 * until md moves on, so md held there and a window write wait for each
 * other for good.  At a position that ends an old row no read waits.
 */

/* The first unit from unit whose start ends an old row (array position a
 * multiple of old_data * old chunk), num_migr_units if none. */
uint64_t imsm_reshape_align_unit(const struct imsm_migr_rec *rec,
				 const struct imsm_reshape_geom *g, uint64_t unit);

/*
 * A limit for md (member blocks) at most max whose array position ends an
 * old row and a new row, and whose array position is at least min_array
 * (array blocks); max itself when there is none (or max is the end).
 */
uint64_t imsm_reshape_align_sync_max(const struct imsm_reshape_geom *g, uint64_t max,
				     uint64_t min_array);

/*
 * The lowest limit for md (member blocks) at least max whose array
 * position ends an old row and a new row, or md's end (member_blocks).
 * md held there blocks no write: no old row straddles its position.
 */
uint64_t imsm_reshape_align_sync_max_up(const struct imsm_reshape_geom *g, uint64_t max);

/* ---- OLCE metadata (§6.5, §6.5.1) ------------------------------------------------ */

/* What the user asked: every volume grows to new_members members. */
struct imsm_olce_request {
	unsigned int new_members;
	const struct imsm_disk *spares; /* candidates: the disk record of each spare's own
					 * MPB (§1.6), in order of preference */
	unsigned int n_spares;
	unsigned int max_members; /* platform's disks per array (dpa), 0: no platform */
};

/*
 * Whether s may start the OLCE of req.  Errors, in the order checked:
 *   -ENODEV      the container has no volume
 *   -EPERM       attributes upstream does not support (§4.2) block reshapes
 *   -EBUSY       a volume is migrating (init, resync, rebuild, reshape)
 *   -EMEDIUMTYPE a volume is not RAID0 or RAID5
 *   -EOPNOTSUPP  a volume uses PPL or a write-intent bitmap
 *   -EUCLEAN     a volume is degraded, failed or uninitialized
 *   -EXDEV       the volumes have different member counts
 *   -EDOM        a chunk larger than 1 MiB (no migration unit fits, §11.17)
 *   -ECHRNG      the disk table is not "index = slot" for every volume
 *                (upstream's OLCE assumes it, §11.7)
 *   -EINVAL      new_members is not larger than the current count
 *   -E2BIG       new_members beyond 255 or the platform's limit
 *   -EEXIST      a spare's serial is already in the disk table
 *   -ENOENT      fewer spares than disks to add
 *   -ENOSPC      fewer spares than disks to add are large enough
 * imsm_olce_error() words each one.
 */
int imsm_olce_check(const struct imsm_super *s,
		    const struct imsm_olce_request *req) IMSM_MUST_CHECK;

/* A short text for the errors of imsm_olce_check() and imsm_olce_start(). */
const char *imsm_olce_error(int err);

/*
 * Smallest spare that can join (512-byte blocks): the end of the last
 * volume's data on a member plus the minimal reservation of §1.5
 * (min(2210 + 2048, R of the smallest member)).
 */
uint64_t imsm_olce_min_spare_blocks(const struct imsm_super *s);

/*
 * The metadata that starts the OLCE (one commit, §6.5.1): the first
 * new_members - n large-enough spares become disk records n, n+1, ...
 * (status CONFIGURED, SPARE cleared, the rest of their record kept), and
 * volume 0 enters the general migration (imsm_olce_begin_volume()); the
 * other volume stays as it is until volume 0 ends.  *ret is a new copy; s
 * is unchanged.  generation_num is left to the writer.  Errors as
 * imsm_olce_check(), or -ENOMEM.
 */
int imsm_olce_start(const struct imsm_super *s, const struct imsm_olce_request *req,
		    struct imsm_super **ret) IMSM_MUST_CHECK;

/*
 * Put volume idx into the OLCE to new_members members, in place, as
 * upstream does for volume 0 and as mdmon does for the next volume when the
 * previous one ends: map[1] = map[0] as it was; map[0] gets new_members
 * slots, new slot i = disk index i; level, chunk, num_data_stripes,
 * blocks_per_member, pba, map state and the old ord entries unchanged (ord
 * flags kept, unlike imsm_migr_start()); migr_state 1, GEN_MIGR (clears the
 * repair bit), curr_migr_unit 0; dev.size = data per member * D(map[0])
 * rounded down to whole MiB per data member.  -EINVAL if the volume is
 * migrating, not RAID0/RAID5, does not grow, or a new slot has no disk
 * record.  Never allocates.
 */
int imsm_olce_begin_volume(struct imsm_super *s, int idx, unsigned int new_members) IMSM_MUST_CHECK;

/*
 * The volume mdmon starts next once no volume migrates (§6.5.1): the first
 * whose member count differs from volume 0's, with *ret_members = volume
 * 0's count.  -ENOENT when there is none (or a volume still migrates).
 */
int imsm_olce_next_volume(const struct imsm_super *s, unsigned int *ret_members) IMSM_MUST_CHECK;

/*
 * End the general migration of volume idx (md finished the reshape): one map
 * again (map[0], in state map_state), migr_state/type/unit 0; dev.size =
 * nds * bps * D(map[0]) rounded down to whole MiB per data member when the
 * data members grew (an OLCE), unchanged otherwise (a restripe); a raid0
 * volume is clean (its raid4/raid5 stage may have left it dirty).  Disk
 * records that map[1] used and no map uses now leave the table, the indexes
 * above them move down (raid5 -> raid0's freed disk).  -EINVAL when the
 * volume is not in a general migration.  Never allocates.
 */
int imsm_olce_end_volume(struct imsm_super *s, int idx, uint8_t map_state) IMSM_MUST_CHECK;

/*
 * Undo a general migration that md refused before anything moved (flow
 * step 4): exactly one volume migrating, at unit 0.  *ret is a new copy:
 * the volume on its old map alone (no migration; its old size when the
 * start grew it) and the trailing disk records no map uses any more gone
 * (those the start appended: an OLCE's new disks, raid0 -> raid5's
 * spare); *ret_first is the index of the first of them in s (they are the
 * spares again, s->num_disks - *ret_first of them).  generation_num is
 * left to the writer.  -EINVAL when the state is not that, -ENOMEM.
 */
int imsm_olce_rollback(const struct imsm_super *s, struct imsm_super **ret,
		       unsigned int *ret_first) IMSM_MUST_CHECK;

/*
 * Whether upd is cur with an OLCE started (what imsm_olce_start() builds,
 * as mdmon receives it from mdadm): same family and volumes, more disk
 * records, the old records' serials in place, volume 0 entering a general
 * migration that cur does not run.  -EINVAL otherwise.
 */
int imsm_olce_check_start_update(const struct imsm_super *cur,
				 const struct imsm_super *upd) IMSM_MUST_CHECK;

/* §6.7: the checkpoint of volume idx's general migration in the main
 * metadata; -EINVAL when it is not in one.  Never allocates. */
int imsm_olce_set_unit(struct imsm_super *s, int idx, uint64_t unit) IMSM_MUST_CHECK;

#endif
