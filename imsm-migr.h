/*
 * imsm-migr.h: migrations of one IMSM volume and their checkpoint
 * arithmetic (imsm-format.md §6.1-§6.3).
 *
 * Owns: starting and ending a migration in a decoded volume record
 * (migr_state, migr_type, the repair status bit, the second map,
 * curr_migr_unit), and the §6.2 factor that turns migration units into
 * md sector positions and back.
 *
 * Never: does I/O, prints, allocates (mdmon's monitor thread calls these),
 * decides when a migration starts or ends, or computes a map state from
 * the disk records: both are super-intel.c's business.
 *
 * A migrating volume carries two maps (§6.1): map[0] is the destination,
 * map[1] the source.  curr_migr_unit counts units of "factor" md sectors:
 *
 *     md position  0        f        2f       ...      unit * f
 *                  |--------|--------|-- ... --|--------|---->
 *                  unit 0   unit 1                      curr_migr_unit
 *
 * For INIT and REPAIR the position is md's resync position (resync_start,
 * sync_completed); for REBUILD the rebuilding member's recovery_start.
 */
#ifndef IMSM_MIGR_H
#define IMSM_MIGR_H

#include "imsm-format.h"

#include <stdbool.h>
#include <stdint.h>

/* Upstream's in-memory type for a repair; stored as VERIFY + VERIFY_AND_FIX. */
#define IMSM_MIGR_REPAIR 5

/* The type as upstream's code reads it: IMSM_MIGR_REPAIR for VERIFY with
 * the repair status bit, else the stored migr_type. */
int imsm_migr_type(const struct imsm_dev *d);

/* Migrating, and the migration is an INIT or a REPAIR (a resync md runs). */
bool imsm_migr_is_resync(const struct imsm_dev *d);

/* Migrating, general migration (OLCE, level or chunk migration). */
bool imsm_migr_is_gen_migr(const struct imsm_dev *d);

/* §6.2 units -> blocks factor of INIT, REPAIR and VERIFY; 0 if the maps
 * describe no redundant level. */
uint64_t imsm_migr_resync_factor(const struct imsm_vol *v);

/* §6.2 units -> blocks factor of REBUILD. */
uint64_t imsm_migr_rebuild_factor(const struct imsm_vol *v);

/*
 * The factor of a migrating volume of type INIT, REPAIR, VERIFY or
 * REBUILD.  0 when the volume is not migrating, for STATE_CHANGE, and for
 * GEN_MIGR, whose factor lives in the migration record (§6.7).
 */
uint64_t imsm_migr_blocks_per_unit(const struct imsm_dev *d);

/*
 * §6.1 "Starting": migr_state 1, type (IMSM_MIGR_REPAIR is stored as
 * VERIFY + VERIFY_AND_FIX, any other type clears that bit), unit 0, map[1]
 * a byte-for-byte copy of map[0] (so it keeps the state the volume had),
 * ord flags stripped from map[0] for GEN_MIGR, map[0].map_state set to
 * map0_state.  The caller makes the specific changes of its type after.
 */
void imsm_migr_start(struct imsm_dev *d, int type, uint8_t map0_state);

/*
 * §6.1 "Ending" when the final state is not the expected one: OR the ord
 * flags of map[1] into the map[0] entries with the same disk index, so a
 * slot that never finished stays out of sync.  The caller then recomputes
 * the state (§7.3) and calls imsm_migr_end().
 */
void imsm_migr_merge_ords(struct imsm_dev *d);

/* §6.1 "Ending": migr_state 0, type 0 (clears VERIFY_AND_FIX), unit 0,
 * map[0].map_state = map_state, map[1] dropped (zeroed, not encoded). */
void imsm_migr_end(struct imsm_dev *d, uint8_t map_state);

/*
 * Record md's position pos (sectors) as curr_migr_unit = floor(pos /
 * factor).  Returns true when the unit changed; false when it did not, or
 * when the volume has no known factor.
 */
bool imsm_migr_set_checkpoint(struct imsm_dev *d, uint64_t pos);

/* md position of the recorded checkpoint: curr_migr_unit * factor (0 when
 * the factor is unknown or the product does not fit). */
uint64_t imsm_migr_checkpoint_pos(const struct imsm_dev *d);

/* ---- the checks every change of a volume starts with ------------------------ */

/*
 * Volume vol of s may change at all (restripe, takeover, size), in this
 * order: -ENODEV no such volume, -EPERM attributes upstream does not
 * support (§4.2), -EBUSY some volume migrates (init, resync, rebuild,
 * reshape: one at a time).
 */
int imsm_migr_change_allowed(const struct imsm_super *s, int vol);

/* The words these changes share for -ENODEV, -EBUSY and -EUCLEAN (the
 * volume degraded, failed or uninitialized); NULL for any other error. */
const char *imsm_migr_change_error(int err);

#endif
