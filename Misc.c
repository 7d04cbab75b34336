/*
 * Misc.c: upstream's misc-mode verbs that act on one device or array at a
 * time and fit no other mode file: --zero-superblock, --wait-clean,
 * --action, --examine-badblocks, -X.  --kill-subarray and
 * --update-subarray live in Subarray.c.
 *
 * Owns: checking each request against the disks and the kernel's view,
 * then doing it.  Never parses argv.  Every device is checked before the
 * first one is written.  Exit codes follow upstream mdadm's habits
 * (noted at each verb), which are not always ours: a device without any
 * metadata given to --zero-superblock, or one that is no md array given
 * to --wait-clean, is no failure there.
 *
 * --zero-superblock and -X go through the handler table (probe_fd,
 * erase_fd); the bad-block log comes from imsm-bbm.h (FIXME: a bad_blocks
 * hook once a second format has such a log).
 */
#include "misc.h"
#include "imsm-bbm.h"
#include "imsm-subarray.h"
#include "mdadm.h"
#include "mdmon-client.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define SYSROOT "/sys"
#define KIB 1024ULL
#define WAIT_CLEAN_MS 5000 /* upstream's bound for writes to quiesce */

/* ---- pure helpers (misc.h) --------------------------------------------------- */

int misc_native_sb_places(unsigned long long size_bytes,
			  unsigned long long ret_offsets[MISC_NATIVE_SB_PLACES],
			  unsigned int ret_major[MISC_NATIVE_SB_PLACES])
{
	int n = 0;

	if (size_bytes >= 8 * KIB) {
		ret_offsets[n] = 0; /* 1.1 */
		ret_major[n++] = 1;
		ret_offsets[n] = 4 * KIB; /* 1.2 */
		ret_major[n++] = 1;
	}
	if (size_bytes >= 16 * KIB) { /* 1.0: 8 KiB before the end, 4 KiB aligned */
		ret_offsets[n] = (size_bytes - 8 * KIB) & ~(4 * KIB - 1);
		ret_major[n++] = 1;
	}
	if (size_bytes >= 128 * KIB) { /* 0.90 */
		ret_offsets[n] = (size_bytes & ~(64 * KIB - 1)) - 64 * KIB;
		ret_major[n++] = 0;
	}
	return n;
}

static unsigned int le32_at(const unsigned char *p)
{
	return (unsigned int)p[0] | (unsigned int)p[1] << 8 | (unsigned int)p[2] << 16 |
	       (unsigned int)p[3] << 24;
}

bool misc_native_sb_at(const void *buf, size_t len, unsigned int major)
{
	const unsigned char *p = buf;

	return len >= 8 && le32_at(p) == MISC_MD_SB_MAGIC && le32_at(p + 4) == major;
}

bool misc_action_valid(const char *action)
{
	static const char *const ok[] = {"idle", "frozen", "check", "repair"};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (action && strcmp(action, ok[i]) == 0)
			return true;
	return false;
}

bool misc_state_is_clean(const char *state)
{
	static const char *const clean[] = {"clear",	 "inactive", "readonly",
					    "read-auto", "clean",    "broken"};

	for (size_t i = 0; i < sizeof(clean) / sizeof(clean[0]); i++)
		if (strcmp(state, clean[i]) == 0)
			return true;
	return false;
}

int misc_member_index(const char *meta, const char *container_devnm)
{
	size_t n = strlen(container_devnm);
	int idx;

	if (strncmp(meta, "external:", 9) != 0 || (meta[9] != '/' && meta[9] != '-') ||
	    strncmp(meta + 10, container_devnm, n) != 0 || meta[10 + n] != '/')
		return -1;
	return misc_parse_subarray(meta + 11 + n, &idx) == 0 ? idx : -1;
}

int misc_parse_subarray(const char *s, int *ret)
{
	int v = 0;

	if (!s || !*s || strlen(s) > 3 || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	for (; *s; s++)
		v = v * 10 + (*s - '0');
	if (v > 255)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* ---- --zero-superblock ----------------------------------------------------------- */

/* What one device carries, found before anything is written. */
struct zero_plan {
	const char *path;
	int fd;
	const struct metadata_ops *ops; /* whose metadata it carries, or NULL */
	int meta; /* ops->probe_fd(): 0, or damaged; -ENODATA: none */
	int n_native;
	unsigned long long native_offsets[MISC_NATIVE_SB_PLACES];
};

static int zero_open_error(const char *path, int err)
{
	if (err == -ENOTBLK)
		pr_err("%s is not a block device", path);
	else if (err == -EBUSY)
		pr_err("%s is in use (mounted, or held by another device); not zeroing", path);
	else
		pr_err("cannot open %s: %s", path, strerror(-err));
	return EXIT_USAGE;
}

/*
 * Open a device to zero.  A member of an md array is refused even with
 * --force (upstream's --force only skips the exclusive open, and zeroes a
 * running container's member, which mdmon then writes again).
 */
static int zero_open(const char *path, bool force, int *ret_fd)
{
	char holder[64];
	dev_t dev;
	int fd, r = util_devnum(path, &dev);

	if (r)
		return zero_open_error(path, r);
	if (util_md_holder(dev, holder, sizeof(holder))) {
		pr_err("%s is a member of the md array /dev/%s; stop it first", path, holder);
		return EXIT_USAGE;
	}
	fd = open(path, O_RDWR | O_CLOEXEC | (force ? 0 : O_EXCL));
	if (fd < 0)
		return zero_open_error(path, -errno);
	*ret_fd = fd;
	return EXIT_OK;
}

static void find_native(struct zero_plan *p)
{
	unsigned long long size, offs[MISC_NATIVE_SB_PLACES];
	unsigned int majors[MISC_NATIVE_SB_PLACES];
	unsigned char buf[8];
	int n;

	p->n_native = 0;
	if (util_dev_size_bytes(p->fd, &size) < 0)
		return;
	n = misc_native_sb_places(size, offs, majors);
	for (int i = 0; i < n; i++)
		if (pread(p->fd, buf, sizeof(buf), (off_t)offs[i]) == (ssize_t)sizeof(buf) &&
		    misc_native_sb_at(buf, sizeof(buf), majors[i]))
			p->native_offsets[p->n_native++] = offs[i];
}

/* The first handler that finds its metadata (intact or damaged) on p->fd. */
static void probe_formats(struct zero_plan *p)
{
	const struct metadata_ops *ops;

	p->ops = NULL;
	p->meta = -ENODATA;
	for (size_t i = 0; (ops = metadata_handler(i)) != NULL; i++) {
		int r = ops->probe_fd(p->fd);

		if (r != -ENODATA) {
			p->ops = ops;
			p->meta = r;
			return;
		}
	}
}

/* Check one device; EXIT_OK with p->fd open when it may be zeroed (or
 * has nothing to zero: p->fd -1 then). */
static int zero_check(const char *path, bool force, struct zero_plan *p)
{
	int rc = zero_open(path, force, &p->fd);

	p->path = path;
	if (rc)
		return rc;
	probe_formats(p);
	find_native(p);
	if (p->meta == -ENODATA && p->n_native == 0) {
		/* upstream's words and status: not a failure */
		pr_err("Unrecognised md component device - %s", path);
		close(p->fd);
		p->fd = -1;
		return EXIT_OK;
	}
	if (p->meta && p->meta != -ENODATA && !force) {
		const char *why = p->ops->load_error(p->meta);

		pr_err("%s carries damaged %s metadata (%s); --force zeroes it anyway", path,
		       p->ops->title, why ? why : strerror(-p->meta));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int zero_native(int fd, unsigned long long offset)
{
	static const unsigned char zero[4096];
	ssize_t n = pwrite(fd, zero, sizeof(zero), (off_t)offset);

	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(zero) ? 0 : -EIO;
}

static int zero_do(const struct zero_plan *p)
{
	int r = 0;

	if (p->meta != -ENODATA)
		r = p->ops->erase_fd(p->fd);
	for (int i = 0; !r && i < p->n_native; i++)
		r = zero_native(p->fd, p->native_offsets[i]);
	if (!r && fsync(p->fd) < 0)
		r = -errno;
	if (r) {
		pr_err("cannot zero the superblock of %s: %s", p->path, strerror(-r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static void zero_close(struct zero_plan *plans, int n)
{
	for (int i = 0; i < n; i++)
		if (plans[i].fd >= 0)
			close(plans[i].fd);
}

/* Upstream: 0 zeroed (or nothing there), 1 a write failed, 2 the device
 * could not be opened (in use).  Every device is checked first. */
int mode_zero_superblock(const struct request *req)
{
	struct zero_plan *plans = calloc((size_t)req->n_devs + 1, sizeof(*plans));
	int n = 0, rc = EXIT_OK;

	if (!plans)
		return EXIT_FAILED;
	if (req->n_devs == 0) {
		pr_err("--zero-superblock needs the devices to zero");
		rc = EXIT_USAGE;
	}
	for (; !rc && n < req->n_devs; n++) {
		plans[n].fd = -1;
		rc = zero_check(req->devs[n].path, req->force, &plans[n]);
	}
	for (int i = 0; !rc && i < n; i++)
		if (plans[i].fd >= 0)
			rc = zero_do(&plans[i]);
	zero_close(plans, n);
	free(plans);
	return rc;
}

/* ---- --wait-clean ------------------------------------------------------------------ */

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Poll array_state until a clean word, at most WAIT_CLEAN_MS. */
static int wait_state_clean(const struct md_sysfs *md)
{
	struct timespec t0;
	struct pollfd pfd;
	char state[32];
	int fd = sysfs_open_attr(md, NULL, "array_state"), r;

	if (fd < 0)
		return fd;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pfd = (struct pollfd){.fd = fd, .events = POLLPRI};
	while ((r = util_pread_string(fd, state, sizeof(state))) >= 0 &&
	       !misc_state_is_clean(state)) {
		long left = WAIT_CLEAN_MS - elapsed_ms(&t0);

		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
	}
	close(fd);
	return r < 0 ? r : 0;
}

/*
 * The container of an external volume, when mdmon must mark it clean:
 * redundant level, safe mode on.  1 and *ret filled when there is
 * something to wait for, 0 when not (raid0, containers, native
 * metadata: the kernel marks those clean itself).
 */
static int needs_mdmon(const struct md_sysfs *md, char *ret, size_t len, unsigned int *ret_ms)
{
	char meta[64], level[16];
	size_t n;

	if (sysfs_get_metadata_version(md, meta, sizeof(meta)) < 0 ||
	    strncmp(meta, "external:", 9) != 0 || (meta[9] != '/' && meta[9] != '-'))
		return 0;
	if (sysfs_get_level(md, level, sizeof(level)) < 0 || strcmp(level, "raid0") == 0 ||
	    strcmp(level, "linear") == 0 || level[0] == '\0')
		return 0;
	if (sysfs_get_safe_mode_ms(md, ret_ms) < 0 || *ret_ms == 0)
		return 0;
	n = strcspn(meta + 10, "/");
	if (n == 0 || n >= len)
		return 0;
	memcpy(ret, meta + 10, n);
	ret[n] = '\0';
	return 1;
}

/* Safe mode at 1 ms, wait for clean, let mdmon record it (the ping
 * closes the window between md's clean and the metadata's), restore. */
static int wait_clean_one(const char *path)
{
	char devnm[32], container[32];
	unsigned int saved_ms;
	struct md_sysfs md;
	int r;

	if (util_md_devnm(SYSROOT, path, devnm, sizeof(devnm)) < 0) {
		pr_err("%s is not an md array; nothing to wait for", path);
		return EXIT_OK; /* upstream: no failure */
	}
	sysfs_init(&md, SYSROOT, devnm);
	if (needs_mdmon(&md, container, sizeof(container), &saved_ms) == 0)
		return EXIT_OK;
	if (!mdmon_running(container)) {
		pr_err("cannot wait for %s to be clean: no mdmon runs for its container /dev/%s",
		       path, container);
		return EXIT_FAILED;
	}
	r = sysfs_set_safe_mode_ms(&md, 1);
	if (!r)
		r = wait_state_clean(&md);
	if (!r)
		r = mdmon_ping(container);
	if (sysfs_set_safe_mode_ms(&md, saved_ms) < 0 && !r)
		r = -EIO;
	if (r == -ETIMEDOUT)
		pr_err("%s is still being written after %d s; not clean", path,
		       WAIT_CLEAN_MS / 1000);
	else if (r)
		pr_err("cannot wait for %s to be clean: %s", path, strerror(-r));
	return r ? EXIT_FAILED : EXIT_OK;
}

static int stat_check(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		pr_err("cannot open %s: %s", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (!S_ISBLK(st.st_mode)) {
		pr_err("%s is not a block device", path);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* --scan: every array, containers and native ones first, then volumes
 * (as upstream). */
static int wait_clean_all(void)
{
	struct mdstat_array *stats;
	char container[32], path[64];
	int rc = EXIT_OK, r = mdstat_read(NULL, &stats);

	if (r < 0) {
		pr_err("cannot read /proc/mdstat: %s", strerror(-r));
		return EXIT_FAILED;
	}
	for (int pass = 0; pass < 2; pass++)
		for (struct mdstat_array *a = stats; a; a = a->next) {
			bool member = mdstat_container_of(a, container, sizeof(container)) == 0;

			if (member != (pass == 1))
				continue;
			snprintf(path, sizeof(path), "/dev/%s", a->devnm);
			rc |= wait_clean_one(path);
		}
	mdstat_free(stats);
	return rc;
}

/* Upstream: 2 not a block device, 1 could not wait, else 0. */
int mode_wait_clean(const struct request *req)
{
	int rc = EXIT_OK;

	if (req->n_devs == 0 && !req->scan) {
		pr_err("--wait-clean needs the arrays, or --scan");
		return EXIT_USAGE;
	}
	if (req->n_devs == 0)
		return wait_clean_all();
	for (int i = 0; i < req->n_devs; i++) {
		int r = stat_check(req->devs[i].path);

		rc |= r ? r : wait_clean_one(req->devs[i].path);
	}
	return rc;
}

/* ---- --action ----------------------------------------------------------------------- */

static int action_one(const char *path, const char *action)
{
	char devnm[32];
	struct md_sysfs md;
	int r;

	if (util_md_devnm(SYSROOT, path, devnm, sizeof(devnm)) < 0) {
		pr_err("%s is not an md array", path);
		return EXIT_FAILED;
	}
	sysfs_init(&md, SYSROOT, devnm);
	r = sysfs_set_sync_action(&md, action);
	if (r == -ENOENT)
		pr_err("%s has no sync action to set (a container, or raid0)", path);
	else if (r)
		pr_err("cannot set the sync action of %s to %s: %s", path, action, strerror(-r));
	return r ? EXIT_FAILED : EXIT_OK;
}

/* Upstream: 2 an action md does not take from us, 1 a failure. */
int mode_action(const struct request *req)
{
	int rc = EXIT_OK;

	if (!misc_action_valid(req->action)) {
		pr_err("action must be one of idle, frozen, check, repair");
		return EXIT_USAGE;
	}
	if (req->n_devs == 0) {
		pr_err("--action needs the arrays to act on");
		return EXIT_USAGE;
	}
	for (int i = 0; i < req->n_devs; i++)
		rc |= action_one(req->devs[i].path, req->action);
	return rc;
}

/* ---- --examine-badblocks and -X ------------------------------------------------------- */

/* An md_disk for path, opened read-only and identified by the handler
 * whose metadata it carries (*ret_st). */
static int load_any(const char *path, struct md_disk *d, struct super **ret_st,
		    const struct metadata_ops **ret_ops)
{
	memset(d, 0, sizeof(*d));
	d->path = path;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	return metadata_load_disk(d, ret_st, ret_ops);
}

static void print_bad_blocks(const char *path, const struct imsm_bad_range *bb, int n)
{
	if (n == 0) {
		printf("No bad-blocks list configured on %s\n", path);
		return;
	}
	printf("Bad-blocks on %s:\n", path);
	for (int i = 0; i < n; i++)
		printf("%20llu for %u sectors\n", (unsigned long long)bb[i].start_blocks,
		       (unsigned int)bb[i].count_blocks);
}

static int badblocks_one(const char *path)
{
	struct imsm_bad_range bb[IMSM_BBM_MAX_ENTRIES];
	const struct metadata_ops *ops = NULL;
	struct super *st = NULL;
	struct md_disk d;
	int r = load_any(path, &d, &st, &ops), idx = 0;

	if (r == -ENODATA)
		pr_err("No md superblock detected on %s", path);
	else if (r == -ENOTBLK)
		pr_err("%s is not a block device", path);
	else if (r && ops && ops->load_error(r))
		pr_err("cannot read the metadata of %s: %s", path, ops->load_error(r));
	else if (r)
		pr_err("cannot open %s: %s", path, strerror(-r));
	if (!r)
		idx = ops->member_index(st, &d);
	/* a spare (not in the table) has no entry in the log */
	if (!r && idx >= 0 && ops == &imsm_ops)
		r = imsm_op_bad_blocks(st, idx, bb, IMSM_BBM_MAX_ENTRIES);
	if (r < 0 && st)
		pr_err("cannot read the bad-block log of %s: %s", path, strerror(-r));
	if (r >= 0)
		print_bad_blocks(path, bb, idx >= 0 ? r : 0);
	if (st)
		ops->free(st);
	if (d.fd >= 0)
		close(d.fd);
	return r < 0 ? EXIT_FAILED : EXIT_OK;
}

/* Upstream: the list (or "No bad-blocks list configured"), 1 when the
 * device carries no metadata.  Ours reads IMSM's log (imsm-bbm.h). */
int mode_examine_badblocks(const struct request *req)
{
	int rc = EXIT_OK;

	for (int i = 0; i < req->n_devs; i++)
		rc |= badblocks_one(req->devs[i].path);
	return rc;
}

static int bitmap_one(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0) {
		pr_err("cannot open %s: %s", path, strerror(errno));
		return EXIT_FAILED;
	}
	r = imsm_ops.probe_fd(fd);
	close(fd);
	if (r == -ENODATA || r == -ENOTTY || r == -EINVAL)
		pr_err("no IMSM metadata on %s: -X examines the bitmaps of IMSM volumes only, "
		       "and those keep none",
		       path);
	else
		pr_err("%s: IMSM volumes keep no write-intent bitmap here (RWH policy off); "
		       "nothing to examine",
		       path);
	return EXIT_FAILED;
}

/* -X: a bitmap file or a member's internal bitmap.  IMSM volumes made by
 * this mdadm have none (RWH policy off); upstream's -X fails with 1 when
 * it finds no valid bitmap. */
int mode_examine_bitmap(const struct request *req)
{
	int rc = EXIT_OK;

	if (req->n_devs == 0) {
		pr_err("-X needs a device or bitmap file to examine");
		return EXIT_USAGE;
	}
	for (int i = 0; i < req->n_devs; i++)
		rc |= bitmap_one(req->devs[i].path);
	return rc;
}
