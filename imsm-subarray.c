/*
 * imsm-subarray.c: a volume of an IMSM container deleted or renamed, and
 * a disk's IMSM metadata erased (see imsm-subarray.h).
 *
 * Owns the rules of imsm-format.md §5.7 over one decoded copy: which
 * names a volume may take, how the volume table closes up after a
 * deletion.  The edits never allocate (mdmon's monitor applies them) and
 * never print.  Only the erase functions do I/O, at the places §1.1
 * draws:
 *
 *     LBA N-1          migration record           zeroed
 *     LBA N-2          anchor (MPB sector 0)      zeroed first
 *     LBA N-1-S..N-3   MPB sectors 1..S-1         zeroed when the anchor
 *                                                 names a plausible size
 */
#include "imsm-subarray.h"
#include "imsm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"

int imsm_check_volume_name(const struct imsm_super *s, const char *name, int skip)
{
	size_t len = strlen(name);
	char have[IMSM_NAME_BYTES + 1];

	if (len == 0 || len > IMSM_NAME_BYTES || name[0] == '.' || strspn(name, NAME_CHARS) != len)
		return -EBADR;
	for (int i = 0; s && i < s->num_raid_devs; i++) {
		if (i == skip)
			continue;
		imsm_volume_name(&s->dev[i], have);
		if (strcmp(have, name) == 0)
			return -EEXIST;
	}
	return 0;
}

int imsm_kill_volume(struct imsm_super *s, int idx)
{
	if (idx < 0 || idx >= s->num_raid_devs)
		return -ENOENT;
	/* A general migration's record and checkpoints follow the volume
	 * indexes (§6.7): moving a record under it would resume the wrong
	 * volume. */
	if (imsm_gen_migr_running(s))
		return -EBUSY;
	for (int i = idx; i + 1 < s->num_raid_devs; i++)
		s->dev[i] = s->dev[i + 1];
	s->num_raid_devs--;
	memset(&s->dev[s->num_raid_devs], 0, sizeof(s->dev[0]));
	return 0;
}

int imsm_rename_volume(struct imsm_super *s, int idx, const char *name)
{
	int r;

	if (idx < 0 || idx >= s->num_raid_devs)
		return -ENOENT;
	r = imsm_check_volume_name(s, name, -1);
	if (r)
		return r;
	memset(s->dev[idx].volume, 0, IMSM_NAME_BYTES);
	memcpy(s->dev[idx].volume, name, strlen(name));
	return 0;
}

const char *imsm_volume_edit_error(int err)
{
	switch (err) {
	case -ENOENT:
		return "no such volume";
	case -EBUSY:
		return "a reshape of the container is recorded; finish it first "
		       "(mdadm --grow --continue)";
	case -EBADR:
		return "volume names are 1-16 characters of A-Z a-z 0-9 . _ - and do not start "
		       "with a dot";
	case -EEXIST:
		return "the container already has a volume of that name";
	default:
		return strerror(-err);
	}
}

int imsm_op_kill_volume(struct super *st, int index)
{
	return imsm_kill_volume(imsm_mpb_of(st), index);
}

int imsm_op_rename_volume(struct super *st, int index, const char *name)
{
	return imsm_rename_volume(imsm_mpb_of(st), index, name);
}

bool imsm_op_reshape_recorded(const struct super *st)
{
	return imsm_gen_migr_running(imsm_mpb_of(st));
}

/* ---- erasing ------------------------------------------------------------------ */

int imsm_erase_range(uint64_t disk_sectors, uint32_t sector_bytes, const void *anchor,
		     uint64_t *ret_first_lba, uint32_t *ret_sectors)
{
	struct imsm_mpb_location loc;
	uint32_t mpb_bytes;
	int r;

	if (disk_sectors < IMSM_MIN_DISK_SECTORS)
		return -ENOSPC;
	r = imsm_peek_mpb_size(anchor, sector_bytes, &mpb_bytes);
	if (r == -ENODATA || r == -EMSGSIZE)
		return -ENODATA;
	/* a damaged size still leaves the anchor and the record to zero */
	if (r || imsm_mpb_location(disk_sectors, sector_bytes, mpb_bytes, &loc) < 0)
		loc = (struct imsm_mpb_location){.mpb_sectors = 1};
	*ret_first_lba = disk_sectors - IMSM_MIGR_REC_SECTOR_POSITION - loc.mpb_sectors;
	*ret_sectors = loc.mpb_sectors + 1;
	return 0;
}

/* The disk behind fd as the IMSM I/O layer needs it for reading and
 * zeroing (no identity: a disk without serial can be erased too). */
static int fd_disk(int fd, struct imsm_disk_dev *ret)
{
	unsigned long long bytes;
	unsigned int ss;
	int r = util_dev_size_bytes(fd, &bytes);

	if (!r)
		r = util_dev_sector_size(fd, &ss);
	if (r)
		return r;
	if (ss != 512 && ss != 4096)
		return -EOPNOTSUPP;
	*ret = (struct imsm_disk_dev){.fd = fd, .sectors = bytes / ss, .sector_bytes = ss};
	return 0;
}

int imsm_op_probe_fd(int fd)
{
	struct imsm_disk_dev d;
	struct imsm_super *s;
	int r = fd_disk(fd, &d);

	if (!r)
		r = imsm_read_mpb(&d, &s);
	if (!r)
		imsm_free(s);
	return r;
}

/* Anchor first: once it is gone nothing takes the rest for metadata. */
static int zero_range(const struct imsm_disk_dev *d, uint64_t first, uint32_t n)
{
	uint32_t ss = d->sector_bytes;
	uint64_t anchor = d->sectors - IMSM_ANCHOR_SECTOR_POSITION;
	unsigned char *zero = calloc(n, ss);
	int r;

	if (!zero)
		return -ENOMEM;
	r = util_pwrite_full(d->fd, zero, ss, anchor * ss);
	if (!r)
		r = util_pwrite_full(d->fd, zero, (size_t)n * ss, first * ss);
	if (!r && fsync(d->fd) < 0)
		r = -errno;
	free(zero);
	return r;
}

int imsm_op_erase_fd(int fd)
{
	struct imsm_disk_dev d;
	unsigned char *anchor;
	uint64_t first;
	uint32_t n;
	int r = fd_disk(fd, &d);

	if (r)
		return r;
	if (d.sectors < IMSM_MIN_DISK_SECTORS)
		return -ENODATA;
	anchor = calloc(1, d.sector_bytes);
	if (!anchor)
		return -ENOMEM;
	r = (int)pread(fd, anchor, d.sector_bytes,
		       (off_t)((d.sectors - IMSM_ANCHOR_SECTOR_POSITION) * d.sector_bytes));
	r = r == (int)d.sector_bytes ? 0 : r < 0 ? -errno : -EIO;
	if (!r)
		r = imsm_erase_range(d.sectors, d.sector_bytes, anchor, &first, &n);
	free(anchor);
	return r ? r : zero_range(&d, first, n);
}
