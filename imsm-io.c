/*
 * imsm-io.c: IMSM records on a block device (see imsm-io.h).
 *
 * Owns device identity (size, sector size, serial) and the placement and
 * write order of the MPB sectors.  Never interprets the records beyond what
 * imsm-format.c returns, never prints.
 */
#include "imsm-io.h"
#include "mdadm.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

uint64_t imsm_disk_blocks(const struct imsm_disk_dev *d)
{
	return d->sectors * (d->sector_bytes / IMSM_BLOCK_BYTES);
}

/* §5.6: drop bytes <= 0x20 and >= 0x7f, ':' becomes ';', keep the last 16. */
static void normalise_serial(const char *raw, size_t len, char ret[IMSM_SERIAL_BYTES])
{
	char clean[256];
	size_t n = 0, skip;

	for (size_t i = 0; i < len && n < sizeof(clean); i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c <= 0x20 || c >= 0x7f)
			continue;
		clean[n++] = c == ':' ? ';' : (char)c;
	}
	skip = n > IMSM_SERIAL_BYTES ? n - IMSM_SERIAL_BYTES : 0;
	memset(ret, 0, IMSM_SERIAL_BYTES);
	memcpy(ret, clean + skip, n - skip);
}

/* Serial from sysfs: SCSI VPD page 0x80, NVMe or virtio "serial". */
static int sysfs_serial(const char *kname, char ret[IMSM_SERIAL_BYTES])
{
	static const char *const files[] = { "device/vpd_pg80", "device/serial", "serial" };
	char path[128], buf[256];
	int n;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "/sys/block/%s/%s", kname, files[i]);
		n = util_read_small_file(path, buf, sizeof(buf));
		if (n <= 0)
			continue;
		if (i == 0) { /* VPD: 4-byte header, then the serial */
			if (n <= 4)
				continue;
			normalise_serial(buf + 4, (size_t)n - 4, ret);
		} else {
			normalise_serial(buf, (size_t)n, ret);
		}
		if (ret[0])
			return 0;
	}
	return -ENODATA;
}

int imsm_disk_serial(const char *kname, char ret[IMSM_SERIAL_BYTES])
{
	const char *env = getenv("IMSM_DEVNAME_AS_SERIAL");

	if (env && strcmp(env, "1") == 0) {
		memset(ret, 0, IMSM_SERIAL_BYTES);
		snprintf(ret, IMSM_SERIAL_BYTES, "/dev/%s", kname);
		return 0;
	}
	return sysfs_serial(kname, ret);
}

int imsm_disk_identify(struct imsm_disk_dev *d)
{
	unsigned long long bytes;
	struct stat st;
	unsigned int ss;
	int r;

	if (fstat(d->fd, &st) < 0)
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	r = util_dev_size_bytes(d->fd, &bytes);
	if (!r)
		r = util_dev_sector_size(d->fd, &ss);
	if (!r)
		r = util_kname_of(st.st_rdev, d->kname, sizeof(d->kname));
	if (r)
		return r;
	if (ss != IMSM_BLOCK_BYTES)
		return -EOPNOTSUPP; /* FIXME(issue 3): 4Kn unit conversion, §1.8 */
	d->major = major(st.st_rdev);
	d->minor = minor(st.st_rdev);
	d->sector_bytes = ss;
	d->sectors = bytes / ss;
	return imsm_disk_serial(d->kname, d->serial);
}

int imsm_disk_open(struct imsm_disk_dev *d, const char *path, int flags)
{
	int r;

	memset(d, 0, sizeof(*d));
	d->path = path;
	d->fd = open(path, flags | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	r = imsm_disk_identify(d);
	if (r) {
		close(d->fd);
		d->fd = -1;
	}
	return r;
}

/* Read the S sectors of the MPB into one buffer (sector 0 first). */
static int read_mpb_sectors(const struct imsm_disk_dev *d, const struct imsm_mpb_location *loc,
			    unsigned char *buf)
{
	uint32_t ss = d->sector_bytes;
	int r;

	r = util_pread_full(d->fd, buf, ss, loc->anchor_lba * ss);
	if (!r && loc->ext_sectors)
		r = util_pread_full(d->fd, buf + ss, (size_t)loc->ext_sectors * ss,
			       loc->ext_lba * ss);
	return r;
}

/* Zeroed, aligned for O_DIRECT: mdmon's disks are open so (monitor.c). */
static unsigned char *io_alloc(size_t n, uint32_t sector_bytes)
{
	void *buf;

	if (!sector_bytes || n > SIZE_MAX / sector_bytes ||
	    posix_memalign(&buf, 4096, n * sector_bytes))
		return NULL;
	return memset(buf, 0, n * sector_bytes);
}

/* The anchor sector into *ret (to free) and the MPB size it gives. */
static int read_anchor(const struct imsm_disk_dev *d, unsigned char **ret, uint32_t *ret_bytes)
{
	unsigned char *buf;
	int r;

	if (d->sectors < IMSM_MIN_DISK_SECTORS)
		return -ENODATA;
	buf = io_alloc(1, d->sector_bytes);
	if (!buf)
		return -ENOMEM;
	r = util_pread_full(d->fd, buf, d->sector_bytes,
			    (d->sectors - IMSM_ANCHOR_SECTOR_POSITION) * d->sector_bytes);
	if (!r)
		r = imsm_peek_mpb_size(buf, d->sector_bytes, ret_bytes);
	if (r) {
		free(buf);
		return r;
	}
	*ret = buf;
	return 0;
}

static int read_mpb_once(const struct imsm_disk_dev *d, struct imsm_super **ret)
{
	struct imsm_mpb_location loc;
	unsigned char *buf;
	uint32_t mpb_bytes;
	int r;

	r = read_anchor(d, &buf, &mpb_bytes);
	if (r)
		return r;
	r = imsm_mpb_location(d->sectors, d->sector_bytes, mpb_bytes, &loc);
	free(buf);
	if (r)
		return r;
	buf = io_alloc(loc.mpb_sectors, d->sector_bytes);
	if (!buf)
		return -ENOMEM;
	r = read_mpb_sectors(d, &loc, buf);
	if (!r)
		r = imsm_decode(buf, (size_t)loc.mpb_sectors * d->sector_bytes, ret);
	free(buf);
	return r;
}

/*
 * A reader racing mdmon's write of a multi-sector MPB may see the new
 * anchor over old extension sectors (or the reverse): the checksum then
 * fails (-EBADMSG).  Read again a few times, 20 ms apart, before calling
 * it bad;
 * mdmon writes one MPB in far less.
 */
int imsm_read_mpb_unchecked(const struct imsm_disk_dev *d, struct imsm_super **ret)
{
	int r = read_mpb_once(d, ret);

	for (int i = 0; i < 3 && r == -EBADMSG; i++) {
		usleep(20 * 1000);
		r = read_mpb_once(d, ret);
	}
	return r;
}

static uint32_t le32_at(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int imsm_read_torn(const struct imsm_disk_dev *d, struct imsm_super **ret)
{
	struct imsm_super *s = NULL;
	unsigned char *buf;
	uint32_t bytes;
	int r = imsm_read_mpb_unchecked(d, &s);

	if (r == 0) {
		imsm_free(s);
		return -EEXIST;
	}
	if (r != -EBADMSG)
		return r;
	r = read_anchor(d, &buf, &bytes);
	if (r)
		return r;
	/* one sector is written whole or not at all: that copy is damaged */
	if (bytes <= d->sector_bytes)
		r = -EBADMSG;
	if (!r)
		r = imsm_super_alloc(0, &s);
	if (!r) {
		s->family_num = le32_at(buf + 0x28);
		s->generation_num = le32_at(buf + 0x2C);
		s->orig_family_num = le32_at(buf + 0x40);
		s->torn = true;
		*ret = s;
	}
	free(buf);
	return r;
}

/* This disk's record in s by serial; -1 without a serial or a record. */
static int own_index(const struct imsm_super *s, const char serial[IMSM_SERIAL_BYTES])
{
	static const char none[IMSM_SERIAL_BYTES];

	if (memcmp(serial, none, IMSM_SERIAL_BYTES) == 0)
		return -1;
	for (int i = 0; i < s->num_disks && i < IMSM_MAX_DISKS; i++)
		if (memcmp(s->disk[i].serial, serial, IMSM_SERIAL_BYTES) == 0)
			return i;
	return -1;
}

int imsm_disk_fits(const struct imsm_disk_dev *d, const struct imsm_super *s,
		   struct imsm_misfit *ret)
{
	struct imsm_mpb_location loc;
	struct imsm_misfit m;
	int r;

	r = imsm_mpb_location(d->sectors, d->sector_bytes, (uint32_t)imsm_mpb_bytes(s), &loc);
	if (r)
		return r;
	/* the lowest MPB sector: N-1-S, also with a one-sector MPB (N-2) */
	r = imsm_check_fits(s, own_index(s, d->serial),
			    (loc.anchor_lba - loc.ext_sectors) * (d->sector_bytes / IMSM_BLOCK_BYTES),
			    &m);
	if (r && ret)
		*ret = m;
	return r;
}

int imsm_read_mpb(const struct imsm_disk_dev *d, struct imsm_super **ret)
{
	struct imsm_super *s;
	int r = imsm_read_mpb_unchecked(d, &s);

	if (r)
		return r;
	r = imsm_disk_fits(d, s, NULL);
	if (r) {
		imsm_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

int imsm_misfit_text(const struct imsm_super *s, const struct imsm_misfit *m, char *buf,
		     size_t len)
{
	char name[IMSM_NAME_BYTES + 1] = "?";

	/* the name is the attacker's: printable ASCII only, one line */
	if (m->vol >= 0 && m->vol < s->num_raid_devs)
		for (size_t i = 0; i < IMSM_NAME_BYTES && s->dev[m->vol].volume[i]; i++) {
			unsigned char c = (unsigned char)s->dev[m->vol].volume[i];

			name[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
			name[i + 1] = '\0';
		}

	switch (m->kind) {
	case IMSM_MISFIT_EXTENT:
		return snprintf(buf, len, "volume %s ends at block %llu, past the metadata at %llu",
				name, (unsigned long long)m->end_blocks,
				(unsigned long long)m->limit_blocks);
	case IMSM_MISFIT_COPY_AREA:
		return snprintf(buf, len,
				"the migration copy area of volume %s ends at block %llu, past the metadata at %llu",
				name, (unsigned long long)m->end_blocks,
				(unsigned long long)m->limit_blocks);
	case IMSM_MISFIT_DATA_IN_AREA:
		return snprintf(buf, len,
				"volume %s ends at block %llu, inside the migration copy area at %llu",
				name, (unsigned long long)m->end_blocks,
				(unsigned long long)m->limit_blocks);
	default:
		return snprintf(buf, len, "the metadata fits the device");
	}
}

/* Ordering: migration record, then the extension sectors, the anchor
 * last.  A crash mid-way can still leave the old anchor over new
 * extension sectors (the checksum covers every sector): a torn copy,
 * which imsm_read_torn() reads and assembly places by the other disks'. */
static int write_mpb_sectors(const struct imsm_disk_dev *d, const struct imsm_mpb_location *loc,
			     const unsigned char *buf, bool zero_migr_rec)
{
	uint32_t ss = d->sector_bytes;
	unsigned char *zero;
	int r = 0;

	if (zero_migr_rec) {
		zero = calloc(1, ss);
		if (!zero)
			return -ENOMEM;
		r = util_pwrite_full(d->fd, zero, ss, loc->migr_rec_lba * ss);
		free(zero);
	}
	if (!r && loc->ext_sectors)
		r = util_pwrite_full(d->fd, buf + ss, (size_t)loc->ext_sectors * ss, loc->ext_lba * ss);
	if (!r)
		r = util_pwrite_full(d->fd, buf, ss, loc->anchor_lba * ss);
	if (!r && fsync(d->fd) < 0)
		r = -errno;
	return r;
}

int imsm_read_migr_sector(const struct imsm_disk_dev *d, void *buf)
{
	return util_pread_full(d->fd, buf, d->sector_bytes, (d->sectors - 1) * d->sector_bytes);
}

/*
 * O_DIRECT, through a descriptor of its own: mdmon writes the MPB with
 * O_DIRECT, and its anchor shares this sector's 4 KiB block.  A buffered
 * write here would read that block into the page cache and could write
 * an anchor older than mdmon's back over the new one.
 */
int imsm_write_migr_sector(const struct imsm_disk_dev *d, const void *buf)
{
	unsigned char *al = io_alloc(1, d->sector_bytes);
	int fd, r;

	if (!al)
		return -ENOMEM;
	memcpy(al, buf, d->sector_bytes);
	fd = open(d->path, O_WRONLY | O_DIRECT | O_CLOEXEC);
	r = fd < 0 ? -errno : util_pwrite_full(fd, al, d->sector_bytes,
					       (d->sectors - 1) * d->sector_bytes);
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	free(al);
	return r;
}

int imsm_write_mpb(const struct imsm_disk_dev *d, const struct imsm_super *s, bool zero_migr_rec)
{
	struct imsm_mpb_location loc;
	size_t len = imsm_mpb_bytes(s), used;
	unsigned char *buf;
	int r;

	r = imsm_mpb_location(d->sectors, d->sector_bytes, (uint32_t)len, &loc);
	if (r)
		return r;
	buf = calloc(loc.mpb_sectors, d->sector_bytes);
	if (!buf)
		return -ENOMEM;
	r = imsm_encode(s, buf, (size_t)loc.mpb_sectors * d->sector_bytes, &used);
	if (!r)
		r = write_mpb_sectors(d, &loc, buf, zero_migr_rec);
	free(buf);
	return r;
}

const char *imsm_read_error(int r)
{
	switch (r) {
	case -EBADMSG:
		return "IMSM metadata checksum mismatch";
	case -EINVAL:
		return "IMSM metadata is invalid (a size, count or index is out of range)";
	case -EMSGSIZE:
		return "IMSM metadata is truncated";
	case -ENOSPC:
		return "IMSM metadata is larger than the device";
	case -EFBIG:
		return "IMSM metadata places a volume or its migration area past the end of the device";
	case -EOPNOTSUPP:
		return "IMSM metadata describes a layout this mdadm cannot read";
	default:
		return NULL;
	}
}
