/*
 * imsm-bbm.h: the bad-block management log of an IMSM copy, read
 * (imsm-format.md §2.7).  Pure, never prints.  mdmon does not record bad
 * blocks in it yet (FIXME: md's unacknowledged_bad_blocks, §6.9), so a
 * copy we wrote has none; copies of RST or upstream may.
 */
#ifndef IMSM_BBM_H
#define IMSM_BBM_H

#include <stdint.h>

#include "imsm-format.h"
#include "mdadm.h"

/* One entry, in 512-byte blocks from the start of the disk. */
struct imsm_bad_range {
	uint64_t start_blocks;
	uint32_t count_blocks;
};

/*
 * The entries of disk table index disk_index, in log order, at most max
 * of them into ret; returns how many the log holds for the disk (may be
 * more than max).  sector_bytes converts 4Kn units (§1.8).  -EINVAL for
 * a log whose header does not hold together (the decoder checks it; this
 * checks again before indexing).
 */
int imsm_bbm_disk_entries(const struct imsm_super *s, int disk_index, uint32_t sector_bytes,
			  struct imsm_bad_range *ret, int max) __attribute__((warn_unused_result));

/* The same over a copy loaded for the modes (512-byte sectors). */
int imsm_op_bad_blocks(const struct super *st, int disk_index, struct imsm_bad_range *ret, int max)
    __attribute__((warn_unused_result));

#endif
