/*
 * super-intel.c: the IMSM metadata handler's vtable glue.
 *
 * Owns: the struct metadata_ops for IMSM and the device I/O around the
 * on-disk records (where on the disk they live, reading them).  The pure
 * encoding of the records belongs to imsm-format.c; platform checks to
 * imsm-platform.c.  Never prints: callers report.
 *
 * Where the metadata lives (imsm-format.md §1.1), for a disk of N logical
 * sectors:
 *
 *     LBA N-1          migration record (zero when no migration runs)
 *     LBA N-2          anchor: MPB bytes 0 .. ss-1, starts with the signature
 *     LBA N-1-S..N-3   MPB sectors 1 .. S-1 when the MPB spans S > 1 sectors
 */
#include "mdadm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IMSM_SIGNATURE "Intel Raid ISM Cfg Sig. "
#define IMSM_SIGNATURE_LEN 24
#define IMSM_VERSION_LEN 6
#define IMSM_OFF_CHECKSUM 0x20
#define IMSM_OFF_MPB_SIZE 0x24
#define IMSM_ANCHOR_FROM_END 2 /* the anchor is the second-to-last sector */

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Geometry of the device: size in logical sectors and the sector size. */
static int disk_geometry(int fd, unsigned long long *ret_sectors, unsigned int *ret_ss)
{
	unsigned long long bytes;
	unsigned int ss;
	int r;

	r = util_dev_size_bytes(fd, &bytes);
	if (r < 0)
		return r;
	r = util_dev_sector_size(fd, &ss);
	if (r < 0)
		return r;
	if (ss != 512 && ss != 4096)
		return -EINVAL; /* the format knows only these two */
	*ret_sectors = bytes / ss;
	*ret_ss = ss;
	return 0;
}

static int read_sector(int fd, unsigned long long lba, unsigned int ss, unsigned char *buf)
{
	ssize_t n = pread(fd, buf, ss, (off_t)(lba * ss));

	if (n < 0)
		return -errno;
	return n == (ssize_t)ss ? 0 : -EIO;
}

/* The checksum is the 32-bit sum of the MPB's words, minus the stored
 * checksum word (imsm-format.md §3.1); only computed here when the whole
 * MPB fits in the anchor sector. */
static uint32_t anchor_checksum(const unsigned char *mpb, uint32_t mpb_size)
{
	uint32_t sum = 0;

	for (uint32_t off = 0; off + 4 <= mpb_size; off += 4)
		sum += get_le32(mpb + off);
	return sum - get_le32(mpb + IMSM_OFF_CHECKSUM);
}

static void fill_probe(const unsigned char *anchor, unsigned int ss, struct metadata_probe *ret)
{
	uint32_t mpb_size = get_le32(anchor + IMSM_OFF_MPB_SIZE);

	snprintf(ret->format, sizeof(ret->format), "imsm");
	snprintf(ret->magic, sizeof(ret->magic), "%.*s", IMSM_SIGNATURE_LEN - 1, IMSM_SIGNATURE);
	snprintf(ret->version, sizeof(ret->version), "%.*s", IMSM_VERSION_LEN,
		 (const char *)anchor + IMSM_SIGNATURE_LEN);
	ret->mpb_size_bytes = mpb_size;
	ret->checksum_stored = get_le32(anchor + IMSM_OFF_CHECKSUM);
	ret->checksum_computed = mpb_size <= ss ? anchor_checksum(anchor, mpb_size)
						 : ret->checksum_stored;
}

static int imsm_probe(int fd, struct metadata_probe *ret)
{
	unsigned long long sectors;
	unsigned char *anchor;
	unsigned int ss;
	int r;

	r = disk_geometry(fd, &sectors, &ss);
	if (r < 0)
		return r;
	if (sectors < IMSM_ANCHOR_FROM_END)
		return -ENOENT;
	anchor = malloc(ss);
	if (!anchor)
		return -ENOMEM;
	r = read_sector(fd, sectors - IMSM_ANCHOR_FROM_END, ss, anchor);
	if (r == 0 && memcmp(anchor, IMSM_SIGNATURE, IMSM_SIGNATURE_LEN) != 0)
		r = -ENOENT;
	if (r == 0) {
		memset(ret, 0, sizeof(*ret));
		fill_probe(anchor, ss, ret);
		ret->sector_size = ss;
		ret->disk_sectors = sectors;
	}
	free(anchor);
	return r;
}

const struct metadata_ops imsm_ops = {
	.name = "imsm",
	.probe = imsm_probe,
};
