/*
 * Create.c: --create of IMSM containers and volumes.
 *
 * Owns the create mode's steps: check every device and the request, then
 * (only then) write metadata, build the md arrays and name them.
 *
 *   mdadm -C /dev/md/imsm0 -e imsm -n N DEVS            a container
 *   mdadm -C /dev/md/vol0 -l L -n N [-z] [-c] CONTAINER  a volume in it
 *   mdadm -C /dev/md/vol0 -l L -n N [-z] [-c] DEVS       the same, naming
 *                                                        the container's disks
 *
 * Never parses argv and never writes sysfs strings by hand.
 */
#include "imsm-platform.h"
#include "imsm.h"
#include "mdadm.h"
#include "mdmon-client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SYSROOT "/sys"
/* Room for the metadata reservation and a 1 MiB volume with its 1 MiB tail. */
#define MIN_DISK_BLOCKS (IMSM_DEFAULT_RESERVED_BLOCKS + 2 * IMSM_DIRTY_STRIPE_REGION_BLOCKS)
#define MD_MAGIC 0xa92b4efcu

struct disk_set {
	int n;
	struct imsm_disk_dev d[MD_MAX_MEMBERS];
	char paths[MD_MAX_MEMBERS][PATH_MAX];
};

/* Close the descriptors but keep what we learned about the disks: md
 * cannot claim a disk we hold open exclusively. */
static void release_disks(struct disk_set *ds)
{
	for (int i = 0; i < ds->n; i++) {
		if (ds->d[i].fd >= 0)
			close(ds->d[i].fd);
		ds->d[i].fd = -1;
	}
}

static void close_disks(struct disk_set *ds)
{
	release_disks(ds);
	ds->n = 0;
}

static int identify_error(const char *path, int r)
{
	if (r == -EOPNOTSUPP)
		pr_err("%s has 4096-byte sectors, which are not supported yet", path);
	else if (r == -ENODATA)
		pr_err("cannot read a serial number of %s; hint: IMSM_DEVNAME_AS_SERIAL=1", path);
	else if (r == -ENOTBLK)
		pr_err("%s is not a block device", path);
	else
		pr_err("cannot inspect %s: %s", path, strerror(-r));
	return EXIT_FAILED;
}

/* Index of the disk with device number dev in ds, or -1. */
static int find_dev(const struct disk_set *ds, dev_t dev)
{
	for (int i = 0; i < ds->n; i++)
		if (ds->d[i].major == major(dev) && ds->d[i].minor == minor(dev))
			return i;
	return -1;
}

/* Open and identify one more disk; exclusive opens prove it is unused. */
static int add_disk(struct disk_set *ds, const char *path, bool exclusive)
{
	struct imsm_disk_dev *d = &ds->d[ds->n];
	dev_t dev;
	int r;

	if (ds->n >= MD_MAX_MEMBERS) {
		pr_err("too many devices (at most %d)", MD_MAX_MEMBERS);
		return EXIT_FAILED;
	}
	/* Before the open: a second exclusive open of the same disk fails
	 * with EBUSY, which would blame some other user. */
	r = util_devnum(path, &dev) == 0 ? find_dev(ds, dev) : -1;
	if (r >= 0) {
		pr_err("%s is given twice (as %s)", path, ds->d[r].path);
		return EXIT_FAILED;
	}
	memset(d, 0, sizeof(*d));
	snprintf(ds->paths[ds->n], PATH_MAX, "%s", path);
	d->path = ds->paths[ds->n];
	d->fd = open(path, O_RDWR | O_CLOEXEC | (exclusive ? O_EXCL : 0));
	if (d->fd < 0) {
		if (errno == EBUSY)
			pr_err("%s is in use (mounted, or a member of an array)", path);
		else
			pr_err("cannot open %s: %s", path, strerror(errno));
		return EXIT_FAILED;
	}
	r = imsm_disk_identify(d);
	if (r < 0) {
		close(d->fd);
		return identify_error(path, r);
	}
	ds->n++;
	return EXIT_OK;
}

static bool has_md_magic(int fd, off_t off)
{
	uint32_t magic = 0;

	return pread(fd, &magic, sizeof(magic), off) == sizeof(magic) && magic == MD_MAGIC;
}

/* Refuse to overwrite metadata unless --force. */
static int check_blank(const struct imsm_disk_dev *d, bool force)
{
	struct imsm_super *s = NULL;
	int r = imsm_read_mpb(d, &s);

	imsm_free(s);
	if (force)
		return EXIT_OK;
	if (r != -ENODATA) {
		pr_err("%s already carries IMSM metadata; use --force to overwrite it", d->path);
		return EXIT_FAILED;
	}
	if (has_md_magic(d->fd, 0) || has_md_magic(d->fd, 4096)) {
		pr_err("%s already carries an md superblock; use --force to overwrite it", d->path);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* Sizes and old metadata; add_disk() already refused duplicates. */
static int check_container_disks(const struct request *req, const struct disk_set *ds)
{
	int rc = EXIT_OK;

	for (int i = 0; !rc && i < ds->n; i++) {
		if (imsm_disk_blocks(&ds->d[i]) < MIN_DISK_BLOCKS) {
			pr_err("%s is too small for IMSM: %llu KiB, need at least %u KiB",
			       ds->d[i].path, (unsigned long long)imsm_disk_blocks(&ds->d[i]) / 2,
			       MIN_DISK_BLOCKS / 2);
			return EXIT_FAILED;
		}
		if (ds->d[i].sector_bytes != ds->d[0].sector_bytes) {
			pr_err("%s and %s have different sector sizes", ds->d[i].path, ds->d[0].path);
			return EXIT_FAILED;
		}
		rc = check_blank(&ds->d[i], req->force);
	}
	return rc;
}

/* "/dev/md/imsm0" -> "imsm0"; "/dev/md127" -> "md127". */
static const char *array_name(const char *path)
{
	const char *base = strrchr(path, '/');

	return base ? base + 1 : path;
}

static int check_new_array(const char *path)
{
	char devnm[32];

	if (util_md_devnm(SYSROOT, path, devnm, sizeof(devnm)) == 0) {
		pr_err("%s already exists (%s)", path, devnm);
		return EXIT_FAILED;
	}
	if (strlen(array_name(path)) == 0 || strlen(array_name(path)) > 32) {
		pr_err("invalid array name %s", path);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int write_spares(const struct disk_set *ds)
{
	struct imsm_super *s;
	int r = 0;

	for (int i = 0; !r && i < ds->n; i++) {
		r = imsm_spare_record(&ds->d[i], &s);
		if (!r) {
			r = imsm_write_mpb(&ds->d[i], s, true);
			imsm_free(s);
		}
		if (r)
			pr_err("cannot write metadata to %s: %s", ds->d[i].path, strerror(-r));
	}
	return r;
}

static int build_container(const char *path, const struct disk_set *ds, char *devnm, size_t len)
{
	struct md_member_cfg cfg[MD_MAX_MEMBERS];
	int r;

	for (int i = 0; i < ds->n; i++)
		imsm_container_member_cfg(&ds->d[i], &cfg[i]);
	r = md_alloc(devnm, len);
	if (r) {
		pr_err("cannot allocate an md device: %s", strerror(-r));
		return r;
	}
	r = md_build_container(devnm, "imsm", cfg, ds->n);
	if (!r)
		r = md_link_name(devnm, array_name(path));
	if (!r)
		r = map_add(devnm, "imsm", "00000000:00000000:00000000:00000000", path);
	if (r) {
		pr_err("cannot assemble container %s: %s", path, strerror(-r));
		md_teardown(devnm);
	}
	return r;
}

static int create_container(const struct request *req)
{
	struct disk_set *ds = calloc(1, sizeof(*ds));
	char devnm[32];
	int rc = ds ? check_new_array(req->array) : EXIT_FAILED;

	if (!rc && req->raid_devices != req->n_devs) {
		pr_err("%d devices given for --raid-devices=%d", req->n_devs, req->raid_devices);
		rc = EXIT_USAGE;
	}
	for (int i = 0; !rc && i < req->n_devs; i++)
		rc = add_disk(ds, req->devs[i].path, true);
	if (!rc)
		rc = check_container_disks(req, ds);
	/* Every check passed: from here on disks change. */
	if (!rc && write_spares(ds))
		rc = EXIT_FAILED;
	if (!rc) {
		release_disks(ds);
		if (build_container(req->array, ds, devnm, sizeof(devnm)))
			rc = EXIT_FAILED;
	}
	if (!rc)
		pr_err("container %s prepared.", req->array);
	if (ds)
		close_disks(ds);
	free(ds);
	return rc;
}

static int create_volume(const struct request *req, struct disk_set *ds);

/* IMSM is firmware RAID: without an Intel controller (or IMSM_NO_PLATFORM=1
 * for testing) nothing could boot what we would write. */
static int check_platform(const struct request *req)
{
	struct imsm_platform p;
	char why[160];
	int r = imsm_platform_probe(NULL, &p);
	/* FIXME(issue 3): the volume count (vpa) is checked for a first volume
	 * only; the format's own limit of two is enforced by imsm_add_volume. */
	int n_volumes = 1;

	if (r == -ENODEV) {
		pr_err("no IMSM-capable (Intel) RAID controller found; hint: IMSM_NO_PLATFORM=1 "
		       "uses IMSM metadata without one");
		return EXIT_FAILED;
	}
	if (r < 0) {
		pr_err("cannot inspect the platform: %s", strerror(-r));
		return EXIT_FAILED;
	}
	if (req->level == UNSET || req->level == LEVEL_CONTAINER)
		return EXIT_OK;
	if (imsm_platform_describe(&p, req->level, req->raid_devices,
				   req->chunk_kib == UNSET ? 0 : (unsigned int)req->chunk_kib,
				   n_volumes, why, sizeof(why)) < 0) {
		pr_err("%s", why);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

int mode_create(const struct request *req)
{
	struct disk_set *ds;
	int rc;

	if (req->metadata && strcmp(req->metadata, "imsm") != 0) {
		pr_err("metadata %s is not supported: this mdadm handles imsm", req->metadata);
		return EXIT_FAILED;
	}
	if (req->raid_devices == UNSET || req->n_devs == 0) {
		pr_err("--create needs --raid-devices and the devices to use");
		return EXIT_USAGE;
	}
	rc = check_platform(req);
	if (rc)
		return rc;
	if (req->level == UNSET || req->level == LEVEL_CONTAINER) {
		if (!req->metadata) {
			pr_err("give -e imsm to create a container, or --level for a volume");
			return EXIT_USAGE;
		}
		return create_container(req);
	}
	ds = calloc(1, sizeof(*ds));
	if (!ds)
		return EXIT_FAILED;
	rc = create_volume(req, ds);
	close_disks(ds);
	free(ds);
	return rc;
}

/* ---- volumes ------------------------------------------------------------- */

/* The container holding a disk: the md device with a dev-<kname> entry
 * whose metadata is external:imsm. */
static int container_of_disk(struct mdstat_array *stats, const char *kname, char *ret, size_t len)
{
	for (struct mdstat_array *a = stats; a; a = a->next) {
		if (!mdstat_is_container(a))
			continue;
		for (int i = 0; i < a->n_members; i++)
			if (strcmp(a->members[i].name, kname) == 0) {
				snprintf(ret, len, "%s", a->devnm);
				return 0;
			}
	}
	return -ENOENT;
}

/* Which container the request names: the target itself, or its disks'. */
static int find_container(const struct request *req, char *ret, size_t len)
{
	struct mdstat_array *stats, *a;
	char kname[32];
	dev_t dev = 0;
	int r;

	r = mdstat_read(NULL, &stats); /* a count on success */
	if (r < 0)
		return r;
	if (util_md_devnm(SYSROOT, req->devs[0].path, ret, len) == 0) {
		a = mdstat_find(stats, ret);
		r = a && mdstat_is_container(a) ? 0 : -ENOTDIR;
	} else {
		r = util_devnum(req->devs[0].path, &dev);
		if (!r)
			r = util_kname_of(dev, kname, sizeof(kname));
		if (!r)
			r = container_of_disk(stats, kname, ret, len);
	}
	mdstat_free(stats);
	return r;
}

/* The newest container copy among the disks, or NULL when all are spares. */
static int load_container(const struct disk_set *ds, struct imsm_super **ret)
{
	struct imsm_super *best = NULL, *s;

	for (int i = 0; i < ds->n; i++)
		if (imsm_read_mpb(&ds->d[i], &s) == 0)
			imsm_keep_newest(&best, s);
	*ret = best;
	return 0;
}

/* All disks of the container, as block device paths. */
static int container_disks(const char *container, struct disk_set *ds)
{
	struct md_array_info info;
	struct md_sysfs md;
	char path[PATH_MAX];
	int r, rc = EXIT_OK;

	sysfs_init(&md, SYSROOT, container);
	r = sysfs_read_array(&md, &info);
	if (r) {
		pr_err("cannot read container %s: %s", container, strerror(-r));
		return EXIT_FAILED;
	}
	for (int i = 0; rc == EXIT_OK && i < info.n_members; i++) {
		if (util_devpath_of(makedev(info.members[i].major, info.members[i].minor), path,
				    sizeof(path)) < 0)
			snprintf(path, sizeof(path), "/dev/%s", info.members[i].kname);
		rc = add_disk(ds, path, false);
	}
	sysfs_free_array(&info);
	return rc;
}

/* A second volume follows the first one's slots; a first takes the
 * container's disks in order. */
static int pick_from_container(const struct request *req, const struct disk_set *all,
			       const struct imsm_super *s, struct disk_set *ret)
{
	const struct imsm_map *m0 = s ? &s->dev[0].vol.map[0] : NULL;
	int n = req->raid_devices, have = m0 ? m0->num_members : all->n;

	if (have < n) {
		pr_err("%s has %d disks available, --raid-devices=%d asks for more", req->devs[0].path,
		       have, n);
		return EXIT_FAILED;
	}
	for (int slot = 0; slot < n; slot++) {
		int pick = slot;

		if (m0) {
			const struct imsm_disk *rec =
				&s->disk[m0->disk_ord_tbl[slot] & IMSM_ORD_INDEX_MASK];

			for (pick = 0; pick < all->n; pick++)
				if (!memcmp(all->d[pick].serial, rec->serial, IMSM_SERIAL_BYTES))
					break;
			if (pick == all->n) {
				pr_err("a disk of the first volume is missing from the container");
				return EXIT_FAILED;
			}
		}
		ret->d[ret->n++] = all->d[pick];
	}
	return EXIT_OK;
}

/* Disks named on the command line, each a member of the container;
 * ret->d[i] is the disk of req->devs[i]. */
static int pick_listed(const struct request *req, const struct disk_set *all, struct disk_set *ret)
{
	const char *path;
	dev_t dev;
	int i, r;

	if (req->n_devs != req->raid_devices) {
		pr_err("%d devices given for --raid-devices=%d", req->n_devs, req->raid_devices);
		return EXIT_USAGE;
	}
	for (i = 0; i < req->n_devs; i++) {
		path = req->devs[i].path;
		r = util_devnum(path, &dev);
		if (r < 0) {
			pr_err("cannot open %s: %s", path, strerror(-r));
			return EXIT_FAILED;
		}
		r = find_dev(ret, dev);
		if (r >= 0) {
			pr_err("%s is given twice (as %s)", path, req->devs[r].path);
			return EXIT_FAILED;
		}
		r = find_dev(all, dev);
		if (r < 0) {
			pr_err("%s is not in the same IMSM container as %s", path,
			       req->devs[0].path);
			return EXIT_FAILED;
		}
		ret->d[ret->n++] = all->d[r];
	}
	return EXIT_OK;
}

static int write_container(const struct disk_set *all, const struct imsm_super *s)
{
	for (int i = 0; i < all->n; i++) {
		int r;

		if (imsm_find_disk(s, all->d[i].serial) < 0)
			continue; /* a spare keeps its own record */
		r = imsm_write_mpb(&all->d[i], s, true);
		if (r) {
			pr_err("cannot write metadata to %s: %s", all->d[i].path, strerror(-r));
			return r;
		}
	}
	return 0;
}

static int start_volume(const struct request *req, const char *container,
			const struct md_volume_cfg *cfg)
{
	char devnm[32], meta[64];
	int r;

	r = md_alloc(devnm, sizeof(devnm));
	if (!r)
		r = md_build_volume(container, devnm, cfg);
	if (!r)
		r = md_start_volume(devnm, cfg);
	if (!r)
		r = md_link_name(devnm, array_name(req->array));
	snprintf(meta, sizeof(meta), "/%s/%d", container, cfg->index);
	if (!r)
		r = map_add(devnm, meta, "00000000:00000000:00000000:00000000", req->array);
	if (r) {
		pr_err("cannot start %s: %s", req->array, strerror(-r));
		md_teardown(devnm);
		return EXIT_FAILED;
	}
	if (cfg->level != 0 && (mdmon_start(container) || mdmon_ping(container)))
		pr_err("warning: mdmon for %s did not start; %s stays read-only, continuing",
		       container, req->array);
	pr_err("array %s started.", req->array);
	return EXIT_OK;
}

/* Check, then write the new MPB, then build and start the md array. */
/* While mdmon runs it alone writes the container's metadata: hand it the
 * new copy, so its own next write cannot undo ours. */
static int send_to_mdmon(const char *container, const struct imsm_super *s)
{
	size_t len = imsm_mpb_bytes(s), used;
	unsigned char *buf = calloc(1, len);
	int r = buf ? imsm_encode(s, buf, len, &used) : -ENOMEM;

	if (!r)
		r = mdmon_send_update(container, buf, used);
	free(buf);
	if (r)
		pr_err("mdmon for %s did not take the new metadata: %s", container, strerror(-r));
	return r;
}

static int commit_metadata(const char *container, const struct disk_set *all,
			   const struct imsm_super *s)
{
	if (mdmon_running(container))
		return send_to_mdmon(container, s);
	return write_container(all, s);
}

static int commit_volume(const struct request *req, const char *container,
			 const struct disk_set *all, struct imsm_super *s)
{
	struct md_volume_cfg *cfg = calloc(1, sizeof(*cfg));
	int r, rc = EXIT_FAILED;

	if (!cfg)
		return EXIT_FAILED;
	s->generation_num++;
	r = imsm_volume_md_cfg(s, s->num_raid_devs - 1, all->d, all->n, cfg);
	if (r)
		pr_err("cannot create %s: %s", req->array, strerror(-r));
	else if (commit_metadata(container, all, s) == 0)
		rc = start_volume(req, container, cfg);
	free(cfg);
	return rc;
}

static void volume_request(const struct request *req, struct imsm_volume_request *ret)
{
	*ret = (struct imsm_volume_request){
		.name = array_name(req->array),
		.level = req->level,
		.n_members = req->raid_devices,
		.chunk_kib = req->chunk_kib == UNSET ? 0 : (unsigned int)req->chunk_kib,
		.size_kib = req->size_kib == UNSET ? 0 : (unsigned long long)req->size_kib,
		.assume_clean = req->assume_clean,
	};
}

static int plan_volume(const struct request *req, const struct disk_set *all,
		       struct imsm_super **cur, struct imsm_super **ret)
{
	struct disk_set *vol = calloc(1, sizeof(*vol));
	struct imsm_volume_request vr;
	char devnm[32];
	int rc, r;

	if (!vol)
		return EXIT_FAILED;
	load_container(all, cur);
	if (util_md_devnm(SYSROOT, req->devs[0].path, devnm, sizeof(devnm)) < 0) {
		rc = pick_listed(req, all, vol);
	} else if (req->n_devs == 1) {
		rc = pick_from_container(req, all, *cur, vol);
	} else {
		pr_err("name the container %s alone, or its disks without it", req->devs[0].path);
		rc = EXIT_USAGE;
	}
	volume_request(req, &vr);
	r = rc ? 0 : imsm_add_volume(*cur, vol->d, vol->n, &vr, ret);
	if (r) {
		pr_err("cannot create %s: %s", req->array, imsm_add_volume_error(r));
		rc = EXIT_FAILED;
	}
	free(vol); /* its fds belong to all */
	return rc;
}

static void no_container_error(const char *path)
{
	dev_t dev;
	int r = util_devnum(path, &dev);

	if (r < 0)
		pr_err("cannot open %s: %s", path, strerror(-r));
	else
		pr_err("%s is not an IMSM container nor one of its disks; hint: mdadm -C "
		       "/dev/md/imsm0 -e imsm -n N DEVICES first",
		       path);
}

static int create_volume(const struct request *req, struct disk_set *ds)
{
	struct imsm_super *cur = NULL, *new = NULL;
	char container[32];
	int rc;

	if (find_container(req, container, sizeof(container)) < 0) {
		no_container_error(req->devs[0].path);
		return EXIT_FAILED;
	}
	rc = check_new_array(req->array);
	if (!rc)
		rc = container_disks(container, ds);
	if (!rc)
		rc = plan_volume(req, ds, &cur, &new);
	/* Every check passed: from here on disks change. */
	if (!rc)
		rc = commit_volume(req, container, ds, new);
	imsm_free(cur);
	imsm_free(new);
	return rc;
}
