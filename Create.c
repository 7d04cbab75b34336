/*
 * Create.c: --create of containers and their volumes.
 *
 * Owns the create mode's steps: check every device and the request, then
 * (only then) write metadata, build the md arrays and name them.
 *
 *   mdadm -C /dev/md/imsm0 -e imsm -n N DEVS            a container
 *   mdadm -C /dev/md/vol0 -l L -n N [-z] [-c] CONTAINER  a volume in it
 *   mdadm -C /dev/md/vol0 -l L -n N [-z] [-c] DEVS       the same, naming
 *                                                        the container's disks;
 *                                                        `missing` for a slot
 *                                                        left empty (degraded)
 *
 * Knows no format: the metadata handler (struct metadata_ops, chosen by
 * -e for a container, by the container's metadata for a volume) checks,
 * builds and writes the records.  Never parses argv and never writes
 * sysfs strings by hand.
 */
#include "create-guard.h"
#include "mdadm.h"
#include "mdmon-client.h"
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SYSROOT "/sys"
#define MD_MAGIC 0xa92b4efcu
#define NO_UUID "00000000:00000000:00000000:00000000"

struct disk_set {
	int n;
	struct md_disk d[MD_MAX_MEMBERS];
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

/* After md let go of the disks again (a failed build): open them for
 * the restore, in the saved tails too. */
static void reopen_disks(struct disk_set *ds, struct guard_saved *saved)
{
	for (int i = 0; i < ds->n; i++) {
		ds->d[i].fd = open(ds->d[i].path, O_RDWR | O_CLOEXEC);
		if (i < saved->n)
			saved->t[i].fd = ds->d[i].fd;
	}
}

static void close_disks(struct disk_set *ds)
{
	release_disks(ds);
	ds->n = 0;
}

static bool is_missing(const char *path)
{
	return strcasecmp(path, "missing") == 0;
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
static int add_disk(struct disk_set *ds, const struct metadata_ops *ops, const char *path,
		    bool exclusive)
{
	struct md_disk *d = &ds->d[ds->n];
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
	r = ops->identify(d);
	if (r < 0) {
		close(d->fd);
		return identify_error(path, r);
	}
	ds->n++;
	return EXIT_OK;
}

/* Refuse to overwrite metadata of a format we handle unless --force; the
 * probe (guard_probe) finds everything else. */
static int check_blank(const struct md_disk *d, bool force)
{
	const struct metadata_ops *found = NULL;
	struct md_disk probe = *d;
	struct super *st = NULL;
	int r;

	if (force)
		return EXIT_OK;
	r = metadata_load_disk(&probe, &st, &found);
	if (!r)
		st->ops->free(st);
	if (r != -ENODATA) {
		pr_err("%s already carries %s metadata; use --force to overwrite it", d->path,
		       found->title);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* What the disks hold where the new array goes, and the user's word
 * (create-guard.h).  area_offset[i]/area_bytes[i]: the part of disk i the
 * array takes; whole: the whole disks. */
static int check_overwrite(const struct request *req, const struct md_disk *const disks[], int n,
			   const uint64_t offset[], const uint64_t bytes[], bool whole)
{
	struct guard_finding f[MD_MAX_MEMBERS];
	int r;

	for (int i = 0; i < n; i++) {
		f[i] = (struct guard_finding){ .path = disks[i] ? disks[i]->path : NULL };
		if (!disks[i])
			continue;
		r = guard_probe(disks[i], offset[i], bytes[i], whole, &f[i].sigs);
		if (r < 0) {
			pr_err("cannot read %s: %s", disks[i]->path, strerror(-r));
			return EXIT_FAILED;
		}
		/* our own format's metadata: check_blank() and --force */
		f[i].sigs &= ~(unsigned int)PROBE_IMSM;
	}
	return guard_confirm(req, f, n);
}

static unsigned long long disk_kib(const struct md_disk *d)
{
	return d->sectors * d->sector_bytes / 1024;
}

static int check_container_overwrite(const struct request *req, const struct disk_set *ds)
{
	const struct md_disk *disks[MD_MAX_MEMBERS];
	uint64_t offset[MD_MAX_MEMBERS] = { 0 }, bytes[MD_MAX_MEMBERS];

	for (int i = 0; i < ds->n; i++) {
		disks[i] = &ds->d[i];
		bytes[i] = ds->d[i].sectors * ds->d[i].sector_bytes;
	}
	return check_overwrite(req, disks, ds->n, offset, bytes, true);
}

/* Sizes and old metadata; add_disk() already refused duplicates. */
static int check_container_disks(const struct request *req, const struct metadata_ops *ops,
				 const struct disk_set *ds)
{
	int rc = EXIT_OK;

	for (int i = 0; !rc && i < ds->n; i++) {
		if (disk_kib(&ds->d[i]) < ops->min_disk_kib) {
			pr_err("%s is too small for %s: %llu KiB, need at least %llu KiB",
			       ds->d[i].path, ops->title, disk_kib(&ds->d[i]), ops->min_disk_kib);
			return EXIT_FAILED;
		}
		if (ds->d[i].sector_bytes != ds->d[0].sector_bytes) {
			pr_err("%s and %s have different sector sizes", ds->d[i].path, ds->d[0].path);
			return EXIT_FAILED;
		}
		rc = check_blank(&ds->d[i], req->force);
	}
	return rc ? rc : check_container_overwrite(req, ds);
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

/*
 * Write each disk's container record, one disk after the other; a
 * failure at disk k writes back what disks 0..k held.
 */
static int init_container(const struct metadata_ops *ops, const struct disk_set *ds,
			  const struct guard_saved *saved)
{
	int bad = 0, r = 0, fail_at = guard_test_fail_disk();

	for (int i = 0; !r && i < ds->n; i++) {
		r = i == fail_at ? -EIO : ops->init_container(&ds->d[i], 1, &bad);
		bad = i;
	}
	if (!r)
		return 0;
	pr_err("cannot write metadata to %s: %s%s", ds->d[bad].path, strerror(-r),
	       guard_restore(saved, bad + 1) ? "; restoring the disks failed too" :
					       "; the disks are as before");
	return r;
}

static int build_container(const char *path, const struct metadata_ops *ops,
			   const struct disk_set *ds, char *devnm, size_t len)
{
	struct md_member_cfg cfg[MD_MAX_MEMBERS];
	int r;

	for (int i = 0; i < ds->n; i++)
		ops->container_member(&ds->d[i], &cfg[i]);
	r = md_alloc(devnm, len);
	if (r) {
		pr_err("cannot allocate an md device: %s", strerror(-r));
		return r;
	}
	/* named before md lists it: a monitor that wakes on it finds the name */
	r = md_link_name(devnm, array_name(path));
	if (!r)
		r = md_build_container(devnm, ops->name, cfg, ds->n);
	if (!r)
		r = map_add(devnm, ops->name, NO_UUID, path);
	if (r) {
		pr_err("cannot assemble container %s: %s", path, strerror(-r));
		md_unlink_name(devnm);
		md_teardown(devnm);
	}
	return r;
}

/* -n N [-x M]: N + M disks, the M last ones spares of the container
 * (every container disk is a spare until a volume takes it; the default
 * choice of a first volume takes the first N). */
static int check_container_count(const struct request *req)
{
	int spares = req->spare_devices == UNSET ? 0 : req->spare_devices;

	if (req->raid_devices + spares == req->n_devs)
		return EXIT_OK;
	if (spares)
		pr_err("%d devices given for --raid-devices=%d --spare-devices=%d", req->n_devs,
		       req->raid_devices, spares);
	else
		pr_err("%d devices given for --raid-devices=%d", req->n_devs, req->raid_devices);
	return EXIT_USAGE;
}

/* The disks change from here: keep their tails, write, build md; any
 * failure writes the tails back. */
static int write_container(const struct request *req, const struct metadata_ops *ops,
			   struct disk_set *ds)
{
	struct guard_saved *saved = calloc(1, sizeof(*saved));
	char devnm[32];
	int r = saved ? guard_save(saved, ds->d, ds->n) : -ENOMEM;

	if (r) {
		pr_err("cannot read the disks before writing them: %s", strerror(-r));
		goto out;
	}
	r = init_container(ops, ds, saved);
	if (r)
		goto out;
	release_disks(ds);
	r = build_container(req->array, ops, ds, devnm, sizeof(devnm));
	if (r) {
		reopen_disks(ds, saved);
		if (guard_restore(saved, saved->n))
			pr_err("warning: the metadata written to the disks could not be taken back");
	}
out:
	if (saved)
		guard_free(saved);
	free(saved);
	return r ? EXIT_FAILED : EXIT_OK;
}

static int create_container(const struct request *req, const struct metadata_ops *ops)
{
	struct disk_set *ds = calloc(1, sizeof(*ds));
	int rc = ds ? check_new_array(req->array) : EXIT_FAILED;

	if (!rc)
		rc = check_container_count(req);
	for (int i = 0; !rc && i < req->n_devs; i++)
		rc = add_disk(ds, ops, req->devs[i].path, true);
	if (!rc)
		rc = check_container_disks(req, ops, ds);
	/* Every check passed: from here on disks change. */
	if (!rc)
		rc = write_container(req, ops, ds);
	if (!rc)
		pr_err("container %s prepared.", req->array);
	if (ds)
		close_disks(ds);
	free(ds);
	return rc;
}

static void volume_request(const struct request *req, struct md_volume_request *ret)
{
	*ret = (struct md_volume_request){
		.name = req->name ? req->name : array_name(req->array),
		.level = req->level,
		.raid_disks = req->raid_devices,
		.chunk_kib = req->chunk_kib == UNSET ? 0 : (unsigned int)req->chunk_kib,
		.size_kib = req->size_kib == UNSET ? 0 : (unsigned long long)req->size_kib,
		.assume_clean = req->assume_clean,
	};
}

/* The platform under the disks must be able to run what we write. */
static int check_platform(const struct metadata_ops *ops, const struct md_volume_request *vr)
{
	char why[160] = "";
	int r = ops->check_geometry(vr, why, sizeof(why));

	if (r == -ENODEV || r == -EINVAL) {
		pr_err("%s", why);
		return EXIT_FAILED;
	}
	if (r < 0) {
		pr_err("cannot inspect the platform: %s", strerror(-r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int create_volume(const struct request *req, struct disk_set *ds);

static int create_new_container(const struct request *req)
{
	const struct metadata_ops *ops;
	int rc;

	if (!req->metadata) {
		pr_err("give -e %s to create a container, or --level for a volume",
		       metadata_names());
		return EXIT_USAGE;
	}
	ops = metadata_find(req->metadata);
	rc = check_platform(ops, NULL);
	return rc ? rc : create_container(req, ops);
}

/*
 * Options upstream takes that IMSM has no use for: --bitmap=none and
 * -k resync are what IMSM does anyway; no internal bitmap (upstream 4.2
 * has none for IMSM), no PPL yet; spares of a volume come from its
 * container (upstream: "not at create time").  --homehost and --auto
 * mean nothing here.
 */
static int check_create_options(const struct request *req)
{
	bool volume = req->level != UNSET && req->level != LEVEL_CONTAINER;
	const char *k = req->consistency_policy;

	if (req->bitmap && strcmp(req->bitmap, "none") != 0) {
		pr_err("internal bitmaps not supported with imsm metadata");
		return EXIT_FAILED;
	}
	if (k && strcmp(k, "ppl") == 0)
		return mode_not_implemented("--consistency-policy=ppl");
	if (k && strcmp(k, "resync") != 0) {
		pr_err("--consistency-policy=%s is not supported with imsm metadata (resync only)", k);
		return EXIT_FAILED;
	}
	if (volume && req->spare_devices > 0) {
		pr_err("this metadata type does not support spare disks at create time; "
		       "hint: mdadm --add CONTAINER DISK");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

int mode_create(const struct request *req)
{
	struct disk_set *ds;
	int rc;

	if (req->metadata && !metadata_find(req->metadata)) {
		pr_err("metadata %s is not supported: this mdadm handles %s", req->metadata,
		       metadata_names());
		return EXIT_FAILED;
	}
	if (req->raid_devices == UNSET || req->n_devs == 0) {
		pr_err("--create needs --raid-devices and the devices to use");
		return EXIT_USAGE;
	}
	rc = check_create_options(req);
	if (rc)
		return rc;
	if (req->level == UNSET || req->level == LEVEL_CONTAINER)
		return create_new_container(req);
	ds = calloc(1, sizeof(*ds));
	if (!ds)
		return EXIT_FAILED;
	rc = create_volume(req, ds);
	close_disks(ds);
	free(ds);
	return rc;
}

/* ---- volumes ------------------------------------------------------------- */

/* The first device named that is not `missing`: it finds the container. */
static const char *first_disk(const struct request *req)
{
	for (int i = 0; i < req->n_devs; i++)
		if (!is_missing(req->devs[i].path))
			return req->devs[i].path;
	return NULL;
}

/* The container holding a disk: the md device with a dev-<kname> entry
 * whose metadata is external. */
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
static int find_container(const char *path, char *ret, size_t len)
{
	struct mdstat_array *stats, *a;
	char kname[32];
	dev_t dev = 0;
	int r;

	r = mdstat_read(NULL, &stats); /* a count on success */
	if (r < 0)
		return r;
	if (util_md_devnm(SYSROOT, path, ret, len) == 0) {
		a = mdstat_find(stats, ret);
		r = a && mdstat_is_container(a) ? 0 : -ENOTDIR;
	} else {
		r = util_devnum(path, &dev);
		if (!r)
			r = util_kname_of(dev, kname, sizeof(kname));
		if (!r)
			r = container_of_disk(stats, kname, ret, len);
	}
	mdstat_free(stats);
	return r;
}

/* All disks of the container, as block device paths. */
static int container_disks(const char *container, const struct metadata_ops *ops,
			   struct disk_set *ds)
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
		rc = add_disk(ds, ops, path, false);
	}
	sysfs_free_array(&info);
	return rc;
}

/* Members of the new volume: the handler's default choice among the
 * container's disks (a second volume follows the first one's slots). */
static int pick_from_container(const struct request *req, const struct super *cur,
			       const struct metadata_ops *ops, const struct disk_set *all,
			       const struct md_disk *ret[])
{
	int n = req->raid_devices, idx[MD_MAX_MEMBERS];
	int have = n <= MD_MAX_MEMBERS ? ops->pick_members(cur, all->d, all->n, n, idx) : 0;

	if (have == -ENXIO) {
		pr_err("a disk of the first volume is missing from the container");
		return EXIT_FAILED;
	}
	if (have < n) {
		pr_err("%s has %d disks available, --raid-devices=%d asks for more", req->devs[0].path,
		       have < 0 ? 0 : have, n);
		return EXIT_FAILED;
	}
	for (int slot = 0; slot < n; slot++)
		ret[slot] = &all->d[idx[slot]];
	return EXIT_OK;
}

/* The position in all[] of the disk req->devs[i] names; reports.  devs[]
 * holds the device numbers of the disks listed before it (0: missing). */
static int listed_disk(const struct request *req, int i, const struct metadata_ops *ops,
		       const struct disk_set *all, dev_t devs[])
{
	const char *path = req->devs[i].path;
	int r = util_devnum(path, &devs[i]);

	if (r < 0) {
		pr_err("cannot open %s: %s", path, strerror(-r));
		return -1;
	}
	for (int j = 0; j < i; j++)
		if (devs[j] == devs[i]) {
			pr_err("%s is given twice (as %s)", path, req->devs[j].path);
			return -1;
		}
	r = find_dev(all, devs[i]);
	if (r < 0)
		pr_err("%s is not in the same %s container as %s", path, ops->title,
		       first_disk(req));
	return r;
}

/* Disks named on the command line, each a member of the container or
 * `missing`; ret[i] is the disk of req->devs[i], NULL for `missing`. */
static int pick_listed(const struct request *req, const struct metadata_ops *ops,
		       const struct disk_set *all, const struct md_disk *ret[])
{
	dev_t devs[MD_MAX_MEMBERS];

	if (req->n_devs != req->raid_devices) {
		pr_err("%d devices given for --raid-devices=%d", req->n_devs, req->raid_devices);
		return EXIT_USAGE;
	}
	for (int i = 0; i < req->n_devs; i++) {
		int pos;

		devs[i] = 0;
		ret[i] = NULL;
		if (is_missing(req->devs[i].path))
			continue;
		pos = listed_disk(req, i, ops, all, devs);
		if (pos < 0)
			return EXIT_FAILED;
		ret[i] = &all->d[pos];
	}
	return EXIT_OK;
}

/* The members of the new volume, as the request names them. */
static int pick_members(const struct request *req, const struct super *cur,
			const struct metadata_ops *ops, const struct disk_set *all,
			const struct md_disk *ret[])
{
	char devnm[32];

	if (req->raid_devices > MD_MAX_MEMBERS) {
		pr_err("too many devices (at most %d)", MD_MAX_MEMBERS);
		return EXIT_FAILED;
	}
	if (util_md_devnm(SYSROOT, req->devs[0].path, devnm, sizeof(devnm)) < 0)
		return pick_listed(req, ops, all, ret);
	if (req->n_devs == 1)
		return pick_from_container(req, cur, ops, all, ret);
	pr_err("name the container %s alone, or its disks without it", req->devs[0].path);
	return EXIT_USAGE;
}

/* Check and build the new copy: *cur is the container's (NULL: no volume
 * yet), *ret the one with the new volume. */
static int plan_volume(const struct request *req, const struct metadata_ops *ops,
		       const struct disk_set *all, struct super **cur, struct super **ret)
{
	const struct md_disk *members[MD_MAX_MEMBERS];
	struct md_volume_request vr;
	int rc, r;

	r = ops->load_disks(all->d, all->n, cur);
	if (r == -ENODATA)
		*cur = NULL;
	else if (r < 0) {
		pr_err("cannot read the metadata of the container: %s", strerror(-r));
		return EXIT_FAILED;
	}
	rc = pick_members(req, *cur, ops, all, members);
	volume_request(req, &vr);
	r = rc ? 0 : ops->create_volume(*cur, members, req->raid_devices, &vr, ret);
	if (r) {
		pr_err("cannot create %s: %s", req->array, ops->create_error(r));
		rc = EXIT_FAILED;
	}
	return rc;
}

static int start_volume(const struct request *req, const char *container,
			const struct md_volume_cfg *cfg, const struct super *st)
{
	char devnm[32] = "", meta[64], uuid[MD_UUID_TEXT_BYTES];
	int r;

	/* the map carries the volume's real UUID: udev's rules and upstream's
	 * tools find the volume's name by it */
	if (st->ops->uuid(st, cfg->index, uuid) < 0)
		snprintf(uuid, sizeof(uuid), "%s", NO_UUID);

	r = guard_test_fail_start() ? -EIO : md_alloc(devnm, sizeof(devnm));
	if (!r) /* named before md lists it (a monitor looks it up then) */
		r = md_link_name(devnm, array_name(req->array));
	if (!r)
		r = md_build_volume(container, devnm, cfg);
	if (!r)
		r = md_start_volume(devnm, cfg);
	snprintf(meta, sizeof(meta), "/%s/%d", container, cfg->index);
	if (!r)
		r = map_add(devnm, meta, uuid, req->array);
	if (r) {
		pr_err("cannot start %s: %s", req->array, strerror(-r));
		if (devnm[0]) {
			md_unlink_name(devnm);
			md_teardown(devnm);
		}
		return EXIT_FAILED;
	}
	if (cfg->level != 0 && (mdmon_start(container) || mdmon_ping(container)))
		pr_err("warning: mdmon for %s did not start; %s stays read-only, continuing",
		       container, req->array);
	pr_err("array %s started.", req->array);
	return EXIT_OK;
}

/* While mdmon runs it alone writes the container's metadata: hand it the
 * new copy, so its own next write cannot undo ours. */
static int send_to_mdmon(const char *container, const struct super *st)
{
	void *buf = NULL;
	size_t len = 0;
	int r = st->ops->encode_update(st, &buf, &len);

	if (!r)
		r = mdmon_send_update(container, buf, len);
	free(buf);
	if (r)
		pr_err("mdmon for %s did not take the new metadata: %s", container, strerror(-r));
	return r;
}

/* Without mdmon we write the container's disks ourselves: their tails
 * are kept first, and written back when the write or md's start fails. */
static int commit_metadata(const char *container, const struct disk_set *all, struct super *st,
			   struct guard_saved *saved)
{
	int bad = 0, r;

	if (mdmon_running(container)) {
		if (!mdmon_is_ours(container)) {
			pr_err("%s is served by an mdmon that does not take our metadata updates; "
			       "run 'mdmon --takeover %s' first", container, container);
			return -EPROTONOSUPPORT;
		}
		return send_to_mdmon(container, st);
	}
	r = guard_save(saved, all->d, all->n);
	if (r) {
		pr_err("cannot read the disks before writing them: %s", strerror(-r));
		return r;
	}
	r = st->ops->write(st, all->d, all->n, &bad);
	if (r)
		pr_err("cannot write metadata to %s: %s%s", all->d[bad].path, strerror(-r),
		       guard_restore(saved, saved->n) ? "; restoring the disks failed too"
						      : "; the disks are as before");
	return r;
}

/* Write the new copy, then build and start the md array. */
static int commit_volume(const struct request *req, const char *container,
			 const struct disk_set *all, struct super *st,
			 const struct md_volume_cfg *cfg)
{
	struct guard_saved *saved = calloc(1, sizeof(*saved));
	int rc = EXIT_FAILED;

	if (saved && commit_metadata(container, all, st, saved) == 0) {
		rc = start_volume(req, container, cfg, st);
		/* only what we wrote ourselves can be taken back: mdmon
		 * holds the copy it was given */
		if (rc && saved->n && guard_restore(saved, saved->n))
			pr_err("warning: the metadata written to the disks could not be taken back");
	}
	if (saved)
		guard_free(saved);
	free(saved);
	return rc;
}

static void no_container_error(const char *path)
{
	dev_t dev;
	int r = util_devnum(path, &dev);

	if (r < 0)
		pr_err("cannot open %s: %s", path, strerror(-r));
	else
		pr_err("%s is not an %s container nor one of its disks; hint: mdadm -C "
		       "/dev/md/%s0 -e %s -n N DEVICES first",
		       path, metadata_titles(), metadata_names(), metadata_names());
}

/* The container the request names and its handler; reports. */
static const struct metadata_ops *target_container(const struct request *req, char *ret,
						   size_t len)
{
	const char *path = first_disk(req);
	const struct metadata_ops *ops;

	if (!path) {
		pr_err("cannot create %s: every device is missing; name at least one disk",
		       req->array);
		return NULL;
	}
	ops = find_container(path, ret, len) < 0 ? NULL : metadata_of_container(ret);
	if (!ops)
		no_container_error(path);
	return ops;
}

/* The new volume's area on each member named on the command line: the
 * data a user may still have there (the container form does not ask,
 * as upstream). */
static int check_volume_overwrite(const struct request *req, const struct disk_set *ds,
				  const struct md_volume_cfg *cfg)
{
	const struct md_disk *disks[MD_MAX_MEMBERS];
	uint64_t offset[MD_MAX_MEMBERS], bytes[MD_MAX_MEMBERS];
	char devnm[32];
	int n = 0;

	if (util_md_devnm(SYSROOT, req->devs[0].path, devnm, sizeof(devnm)) == 0)
		return EXIT_OK;
	for (int i = 0; i < cfg->n_members; i++) {
		int d = find_dev(ds, makedev(cfg->members[i].major, cfg->members[i].minor));

		if (d < 0)
			continue;
		disks[n] = &ds->d[d];
		offset[n] = cfg->members[i].offset_sectors * 512;
		bytes[n++] = cfg->members[i].size_kib * 1024;
	}
	return check_overwrite(req, disks, n, offset, bytes, false);
}

static int create_volume(const struct request *req, struct disk_set *ds)
{
	struct super *cur = NULL, *new = NULL;
	struct md_volume_cfg *cfg = NULL;
	const struct metadata_ops *ops;
	struct md_volume_request vr;
	char container[32];
	int rc, r;

	ops = target_container(req, container, sizeof(container));
	if (!ops)
		return EXIT_FAILED;
	volume_request(req, &vr);
	rc = check_platform(ops, &vr);
	if (!rc)
		rc = check_new_array(req->array);
	if (!rc)
		rc = container_disks(container, ops, ds);
	if (!rc)
		rc = plan_volume(req, ops, ds, &cur, &new);
	if (!rc && !(cfg = calloc(1, sizeof(*cfg))))
		rc = EXIT_FAILED;
	if (!rc) {
		r = new->ops->volume_md_cfg(new, new->ops->num_volumes(new) - 1, ds->d, ds->n, cfg);
		if (r) {
			pr_err("cannot create %s: %s", req->array, strerror(-r));
			rc = EXIT_FAILED;
		}
	}
	if (!rc)
		rc = check_volume_overwrite(req, ds, cfg);
	/* Every check passed: from here on disks change. */
	if (!rc)
		rc = commit_volume(req, container, ds, new, cfg);
	free(cfg);
	if (cur)
		ops->free(cur);
	if (new)
		ops->free(new);
	return rc;
}
