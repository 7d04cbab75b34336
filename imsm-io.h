/*
 * imsm-io.h: reading and writing IMSM records on a block device.
 *
 * The only IMSM code that does I/O.  Encoding is imsm-format.c's job; this
 * file knows where on the disk each record lives (imsm-format.md §1) and in
 * which order to write them so that a crash never leaves a half-written
 * anchor that looks valid.  Returns 0 or -errno, never prints.
 */
#ifndef IMSM_IO_H
#define IMSM_IO_H

#include "imsm-format.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One disk as the IMSM code sees it. */
struct imsm_disk_dev {
	const char *path;           /* as given by the user */
	int fd;                     /* open, O_RDWR or O_RDONLY */
	char kname[32];             /* "loop0" */
	unsigned int major, minor;
	uint64_t sectors;           /* logical sectors */
	uint32_t sector_bytes;      /* 512 or 4096 */
	char serial[IMSM_SERIAL_BYTES]; /* NUL padded, not terminated */
};

/*
 * Fill d from its open fd: number, kernel name, size, sector size, serial.
 * -EOPNOTSUPP for 4Kn disks (not handled yet), -ENODATA when no serial
 * can be found (hint: IMSM_DEVNAME_AS_SERIAL=1), -ENOTBLK.
 */
int imsm_disk_identify(struct imsm_disk_dev *d) __attribute__((warn_unused_result));

/* Open path (flags | O_CLOEXEC) into a zeroed d and identify it; on
 * failure d's fd is closed and -errno or imsm_disk_identify()'s error
 * returned.  d->path points at path, which must outlive d. */
int imsm_disk_open(struct imsm_disk_dev *d, const char *path, int flags)
	__attribute__((warn_unused_result));

/*
 * The serial of a disk (imsm-format.md §5.6): with IMSM_DEVNAME_AS_SERIAL
 * set, "/dev/<kname>" cut to 15 characters; else the device's serial from
 * sysfs, normalised.  -ENODATA when there is none.
 */
int imsm_disk_serial(const char *kname, char ret[IMSM_SERIAL_BYTES])
	__attribute__((warn_unused_result));

/*
 * Read and decode the MPB for use (assembly, -I, --grow, mdmon): also
 * -EFBIG when a volume of this disk, or the copy area of a general
 * migration, does not fit below the metadata of the device as the block
 * device reports its size (imsm_disk_fits()).  -ENODATA: no IMSM
 * signature; -EBADMSG: bad checksum; other decode errors as imsm_decode();
 * -EIO on short reads.
 */
int imsm_read_mpb(const struct imsm_disk_dev *d, struct imsm_super **ret)
	__attribute__((warn_unused_result));

/*
 * A copy whose checksum fails with a whole anchor: a cut between the
 * writes of its sectors (nothing orders the sectors of a multi-sector MPB
 * on the medium: the anchor written last can still be the old one over
 * new extension sectors; a one-sector copy cannot tear, so its bad
 * checksum stays -EBADMSG).  *ret is a stand-in: torn set, the anchor's
 * family and generation, no disks, no volumes; the disk's place can come
 * only from its container's other copies.  Errors as imsm_read_mpb(),
 * -EEXIST when the copy is whole after all.
 */
int imsm_read_torn(const struct imsm_disk_dev *d, struct imsm_super **ret)
	__attribute__((warn_unused_result));

/* imsm_read_mpb() without the fit check: --examine shows such a copy. */
int imsm_read_mpb_unchecked(const struct imsm_disk_dev *d, struct imsm_super **ret)
	__attribute__((warn_unused_result));

/*
 * imsm_check_fits() of s for disk d: its record found by d->serial, the
 * limit the lowest MPB sector of d (from d->sectors).  0, -EFBIG and *ret
 * (when ret is not NULL), or -ENOSPC/-EINVAL when the MPB itself does not
 * fit.
 */
int imsm_disk_fits(const struct imsm_disk_dev *d, const struct imsm_super *s,
		   struct imsm_misfit *ret) __attribute__((warn_unused_result));

/* A misfit in words ("volume v ends at block B, past the metadata at M");
 * snprintf's return. */
int imsm_misfit_text(const struct imsm_super *s, const struct imsm_misfit *m, char *buf,
		     size_t len);

/*
 * Encode s and write it: the migration record sector zeroed first (when
 * zero_migr_rec), then MPB sectors 1..S-1, then the anchor last, then
 * fsync.  Bytes past mpb_size in the last sector are zero.
 */
int imsm_write_mpb(const struct imsm_disk_dev *d, const struct imsm_super *s, bool zero_migr_rec)
	__attribute__((warn_unused_result));

/*
 * The migration record's sector, LBA N-1 (§2.8), raw: buf holds
 * d->sector_bytes.  The write is synced.  -EIO on a short transfer.
 */
int imsm_read_migr_sector(const struct imsm_disk_dev *d, void *buf)
	__attribute__((warn_unused_result));
int imsm_write_migr_sector(const struct imsm_disk_dev *d, const void *buf)
	__attribute__((warn_unused_result));

/* What is wrong with a copy imsm_read_mpb() refused, in words; NULL for
 * errors that are not about the copy itself (I/O, no metadata). */
const char *imsm_read_error(int r);

/* Size of the disk in 512-byte blocks. */
uint64_t imsm_disk_blocks(const struct imsm_disk_dev *d);

#endif
