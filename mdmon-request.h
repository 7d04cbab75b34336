/*
 * mdmon-request.h: every request mdmon takes from its socket, checked
 * before the manager acts on it.  Pure: no I/O, no locking; the caller
 * passes its current view (the metadata, the container's disks) under
 * its lock.
 *
 * The rules (each request type names what it touches; nothing it names
 * may lie outside what the metadata or the container holds):
 *   ADD_SPARE          a plausible block device number, not yet a disk
 *                      of the container
 *   REMOVE_DISK        a disk of the container (major:minor known)
 *   MIGR_CHECKPOINT    a volume of the metadata under a general migration,
 *                      the unit not beyond the volume
 *   MIGR_END           a volume of the metadata under a general migration
 *   TAKEOVER           a volume of the metadata, not migrating, and a
 *                      level a takeover may reach (0, 1, 10)
 *   RESIZE             a volume of the metadata, not migrating, a size per
 *                      member above zero and within the smallest member
 *   VOL_KILL           a volume of the metadata
 *   VOL_RENAME         a volume of the metadata, a name of 1 to 16
 *                      printable bytes, NUL padded
 *
 * A migration start (mdadm's MPB replacing mdmon's) must not carry an
 * older view of what mdmon recorded since mdadm read the metadata:
 * mdmon_check_view().
 */
#ifndef MDMON_REQUEST_H
#define MDMON_REQUEST_H

#include <stdint.h>

#include "imsm-format.h"
#include "mdmon.h"

/* A container disk as the validator needs it. */
struct mdmon_req_disk {
	unsigned int major, minor;
	uint64_t blocks; /* its size in 512-byte blocks */
};

/*
 * Check a disk request against the metadata (NULL when mdmon has none
 * yet) and the container's n disks.  0 when it may be served; -EPROTO an
 * unknown type, -ENOENT no such volume, -ENODEV a disk that is not in the
 * container, -EEXIST (ADD_SPARE) one that is already, -EINVAL a value out
 * of range (level, size, unit, a device number), -EBUSY a volume
 * migrating (or, for checkpoints, not migrating), -ENODATA no metadata.
 */
int mdmon_check_disk_req(const struct imsm_super *mpb, const struct mdmon_req_disk *disks, int n,
			 const struct mdmon_disk_req *req) __attribute__((warn_unused_result));

/* A volume request: -EPROTO, -ENOENT, -ENODATA as above, -EBADR a name
 * out of the rules. */
int mdmon_check_vol_req(const struct imsm_super *mpb, const struct mdmon_vol_req *req)
    __attribute__((warn_unused_result));

/*
 * Whether upd, the metadata mdadm built a migration start from, may
 * replace cur, mdmon's.  When upd's generation is not older, 0.  When it
 * is older (mdmon wrote since mdadm read), -ESTALE if anything mdmon
 * records on its own differs: a disk's failed flag, a volume's map state,
 * failed slot, members or their order and rebuild flags (for the
 * migrating volume: its source map), a migration.  Otherwise 0: only
 * dirty/clean changed, which mdmon_merge_view() carries over.
 */
int mdmon_check_view(const struct imsm_super *cur, const struct imsm_super *upd)
    __attribute__((warn_unused_result));

/* When upd (accepted by mdmon_check_view()) is older than cur, carry
 * over what mdmon recorded since: the generation (it never goes back)
 * and each volume's dirty flag.  A newer upd is left as it is. */
void mdmon_merge_view(const struct imsm_super *cur, struct imsm_super *upd);

#endif
