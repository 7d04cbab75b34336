/*
 * imsm-describe.c: what --examine reads from an IMSM disk and how it is
 * shown, behind the table's examine and uuid hooks.
 *
 * Owns: loading a disk's copy for --examine (a disk without a serial is
 * examined all the same; partitions are refused as upstream does; the
 * migration record is read while a general migration runs), and handing
 * the copy to imsm-examine.c's renderers.  Opens nothing itself (the
 * caller's descriptor), writes nothing, never prints but to the FILE *
 * it is given.
 */
#include "imsm.h"
#include "mdadm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SYSROOT "/sys"

/* Upstream refuses IMSM on partitions: their tail is not a disk's tail. */
static bool is_partition(const struct imsm_disk_dev *d)
{
	char path[96];

	snprintf(path, sizeof(path), SYSROOT "/dev/block/%u:%u/partition", d->major, d->minor);
	return access(path, F_OK) == 0;
}

/*
 * Size and number of the disk.  Its serial only tells which table entry
 * is "this disk"; --examine reads the copy without it, so a disk without
 * a serial (-ENODATA) is examined all the same.
 */
static int examine_identify(struct imsm_disk_dev *d)
{
	unsigned long long bytes;
	struct stat st;
	int r = imsm_disk_identify(d);

	if (r != -ENODATA)
		return r;
	memset(d->serial, 0, sizeof(d->serial));
	if (d->sectors && d->sector_bytes)
		return 0;
	/* identify stopped before the geometry: find it here */
	if (fstat(d->fd, &st) < 0)
		return -errno;
	r = util_dev_size_bytes(d->fd, &bytes);
	if (!r)
		r = util_dev_sector_size(d->fd, &d->sector_bytes);
	if (r)
		return r;
	if (d->sector_bytes != IMSM_BLOCK_BYTES)
		return -EOPNOTSUPP;
	d->major = major(st.st_rdev);
	d->minor = minor(st.st_rdev);
	d->sectors = bytes / d->sector_bytes;
	return 0;
}

static bool in_general_migration(const struct imsm_super *s)
{
	for (unsigned int i = 0; i < s->num_raid_devs && i < IMSM_MAX_RAID_DEVS; i++)
		if (s->dev[i].vol.migr_state && s->dev[i].vol.migr_type == IMSM_MIGR_GEN_MIGR)
			return true;
	return false;
}

/* The migration record at LBA N-1 (§2.8). */
static int read_migr_rec(const struct imsm_disk_dev *d, struct imsm_examine_migr_rec *ret)
{
	unsigned char *buf = calloc(1, d->sector_bytes);
	int r;

	if (!buf)
		return -ENOMEM;
	r = imsm_read_migr_sector(d, buf);
	if (!r)
		r = imsm_examine_decode_migr_rec(buf, d->sector_bytes, ret);
	free(buf);
	return r;
}

/* Shown all the same, as upstream shows a broken disk, with a warning:
 * assembly refuses this copy (imsm_read_mpb()). */
static void note_misfit(const struct imsm_disk_dev *d, struct imsm_handle *h)
{
	struct imsm_misfit m;

	h->misfit[0] = '\0';
	if (imsm_disk_fits(d, h->mpb, &m) == -EFBIG)
		imsm_misfit_text(h->mpb, &m, h->misfit, sizeof(h->misfit));
}

static void warn_misfit(const char *path, const struct imsm_handle *h)
{
	if (h->misfit[0])
		pr_err("warning: %s: %s; this disk is not assembled", path, h->misfit);
}

static int examine_read(const struct imsm_disk_dev *d, struct imsm_handle *h,
			enum md_load_step *step)
{
	int r;

	*step = MD_LOAD_READ;
	if (is_partition(d))
		return -ENODATA;
	r = imsm_read_mpb_unchecked(d, &h->mpb);
	if (r < 0)
		return r;
	note_misfit(d, h);
	if (in_general_migration(h->mpb)) {
		*step = MD_LOAD_AUX;
		r = read_migr_rec(d, &h->migr_rec);
		if (r < 0)
			return r;
		h->have_migr_rec = true;
	}
	memcpy(h->serial, d->serial, sizeof(h->serial));
	h->sector_bytes = d->sector_bytes;
	return 0;
}

int imsm_op_examine_load(struct md_disk *d, struct super **ret, enum md_load_step *ret_step)
{
	struct imsm_disk_dev dev = { .path = d->path, .fd = d->fd };
	enum md_load_step step = MD_LOAD_IDENTIFY;
	struct super *st;
	int r = examine_identify(&dev);

	if (!r)
		r = imsm_handle_new(NULL, &st);
	if (!r) {
		r = examine_read(&dev, st->priv, &step);
		if (r)
			st->ops->free(st);
	}
	if (r) {
		*ret_step = step;
		return r;
	}
	imsm_disk_to_md(&dev, d);
	*ret = st;
	return 0;
}

void imsm_op_examine_text(FILE *f, const char *path, const struct super *st)
{
	const struct imsm_handle *h = st->priv;
	struct imsm_examine_src src = {
		.mpb = h->mpb,
		.serial = h->serial,
		.sector_bytes = h->sector_bytes,
		.checksum_ok = true, /* imsm_decode() refuses any other copy */
		.migr_rec = h->have_migr_rec ? &h->migr_rec : NULL,
	};
	struct imsm_examine ex;

	warn_misfit(path, h);
	imsm_examine_build(&src, &ex);
	imsm_examine_print_text(f, path, &ex);
}

void imsm_op_examine_json(struct json_out *j, const char *path, const struct super *st)
{
	const struct imsm_handle *h = st->priv;
	struct imsm_examine_src src = {
		.mpb = h->mpb,
		.serial = h->serial,
		.sector_bytes = h->sector_bytes,
		.checksum_ok = true,
		.migr_rec = h->have_migr_rec ? &h->migr_rec : NULL,
	};
	struct imsm_examine ex;

	warn_misfit(path, h);
	imsm_examine_build(&src, &ex);
	imsm_examine_print_json(j, path, &ex);
}

void imsm_op_examine_brief(FILE *f, const struct super *st)
{
	imsm_examine_print_brief(f, imsm_mpb_of(st));
}

void imsm_op_examine_export(FILE *f, const struct super *st)
{
	imsm_examine_print_export(f, imsm_mpb_of(st));
}

bool imsm_op_examine_same_group(const struct super *a, const struct super *b)
{
	return imsm_examine_same_container(imsm_mpb_of(a), imsm_mpb_of(b));
}

int imsm_op_uuid(const struct super *st, int index, char ret[MD_UUID_TEXT_BYTES])
{
	const struct imsm_super *s = imsm_mpb_of(st);
	uint32_t uuid[IMSM_UUID_WORDS];

	if (index != MD_UUID_CONTAINER && (index < 0 || index >= s->num_raid_devs))
		return -ERANGE;
	imsm_uuid(s, index == MD_UUID_CONTAINER ? IMSM_UUID_CONTAINER : index, uuid);
	imsm_uuid_text(uuid, ret);
	return 0;
}
