/*
 * imsm-bbm.c: reading the bad-block management log (see imsm-bbm.h).
 *
 * The log is the last bbm_log_size bytes of the MPB (§2.7):
 *
 *     0  u32 signature 0xABADB10C      4  u32 entry_count (<= 254)
 *     8  entries, 8 bytes each:
 *          0 u8  marked_count   bad blocks - 1 (one entry: 1..256 blocks)
 *          1 u8  disk_ordinal   index in the disk table
 *          2 u16 start bits 0-15   4 u32 start bits 16-47
 *
 * Starts are absolute blocks of the disk, not of a volume.  Never
 * allocates, never prints.
 */
#include "imsm-bbm.h"
#include "imsm-le.h"
#include "imsm.h"

#include <errno.h>

static int entry_count(const struct imsm_super *s, uint32_t *ret)
{
	uint32_t n;

	if (s->bbm_log_bytes == 0) {
		*ret = 0;
		return 0;
	}
	if (s->bbm_log_bytes < IMSM_BBM_HEADER_BYTES || s->bbm_log_bytes > sizeof(s->bbm_log) ||
	    le_get32(s->bbm_log) != IMSM_BBM_SIGNATURE)
		return -EINVAL;
	n = le_get32(s->bbm_log + 4);
	if (n > IMSM_BBM_MAX_ENTRIES ||
	    IMSM_BBM_HEADER_BYTES + (uint64_t)n * IMSM_BBM_ENTRY_BYTES > s->bbm_log_bytes)
		return -EINVAL;
	*ret = n;
	return 0;
}

int imsm_bbm_disk_entries(const struct imsm_super *s, int disk_index, uint32_t sector_bytes,
			  struct imsm_bad_range *ret, int max)
{
	uint32_t n, scale = sector_bytes / IMSM_BLOCK_BYTES;
	int found = 0, r = entry_count(s, &n);

	if (r)
		return r;
	if (scale == 0)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = s->bbm_log + IMSM_BBM_HEADER_BYTES + i * IMSM_BBM_ENTRY_BYTES;
		uint64_t start = ((uint64_t)le_get32(e + 4) << 16) | le_get16(e + 2);

		if (e[1] != disk_index)
			continue;
		if (found < max)
			ret[found] = (struct imsm_bad_range){
			    .start_blocks = start * scale,
			    .count_blocks = ((uint32_t)e[0] + 1) * scale,
			};
		found++;
	}
	return found;
}

int imsm_op_bad_blocks(const struct super *st, int disk_index, struct imsm_bad_range *ret, int max)
{
	return imsm_bbm_disk_entries(imsm_mpb_of(st), disk_index, IMSM_BLOCK_BYTES, ret, max);
}
