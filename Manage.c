/*
 * Manage.c: commands that change an existing array's membership or run
 * state: --stop, --wait, and --fail/--remove/--add on a named array.
 *
 * Owns: checking such a request against the kernel's view (sysfs,
 * mdstat) and the metadata, then performing it through sysfs.c, or, for
 * an IMSM container whose mdmon runs, through mdmon (it alone writes the
 * metadata then).  Never parses argv and never writes sysfs strings by
 * hand.  Every check happens before the first change; a refusal changes
 * nothing and exits EXIT_FAILED.
 *
 *   --add DEV to a container     a spare: its own spare record
 *                                (imsm-format.md §1.6); mdmon rebuilds a
 *                                degraded volume onto it (§7.4)
 *   --remove DEV from a container  a spare, or a failed disk no volume
 *                                uses any more
 *   --fail DEV in a volume       the kernel fails it, mdmon records it;
 *                                refused when the array would be lost
 */
#include "imsm.h"
#include "imsm-rebuild.h"
#include "mdadm.h"
#include "mdmon-client.h"
#include "mdmon.h"
#include "olce.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SYSROOT "/sys"

/* Resolve a user's array name, reporting failure once. */
static int resolve_array(const char *path, struct md_sysfs *ret)
{
	char devnm[32];

	if (util_md_devnm(SYSROOT, path, devnm, sizeof(devnm)) < 0) {
		pr_err("%s does not appear to be an md device", path);
		return -ENODEV;
	}
	sysfs_init(ret, SYSROOT, devnm);
	return 0;
}

/* The first running member of a container, or NULL. */
static const struct mdstat_array *running_member(struct mdstat_array *stats, const char *devnm)
{
	char parent[MDSTAT_NAME_MAX];

	for (const struct mdstat_array *a = stats; a; a = a->next)
		if (mdstat_container_of(a, parent, sizeof(parent)) == 0 &&
		    strcmp(parent, devnm) == 0)
			return a;
	return NULL;
}

/* "external:/md127/0" -> "md127"; -ENOENT when not a container member. */
static int member_container(const struct md_sysfs *md, char *buf, size_t len)
{
	char meta[64];
	size_t n;

	if (sysfs_get_metadata_version(md, meta, sizeof(meta)) < 0 ||
	    strncmp(meta, "external:", 9) != 0 || (meta[9] != '/' && meta[9] != '-'))
		return -ENOENT;
	n = strcspn(meta + 10, "/");
	if (n == 0 || n >= len)
		return -ENOENT;
	memcpy(buf, meta + 10, n);
	buf[n] = '\0';
	return 0;
}

/* Retry while the kernel says EBUSY (a brief opener such as mdmon). */
static int set_state_retry(const struct md_sysfs *md, const char *state)
{
	int r;

	for (int i = 0; i < 25; i++) {
		r = sysfs_set_array_state(md, state);
		if (r != -EBUSY)
			break;
		usleep(200 * 1000);
	}
	return r;
}

/*
 * A member managed by mdmon: make it inactive, let mdmon record it clean
 * and release it (it writes "clear"), then make sure it is gone.
 */
static int stop_member(const struct md_sysfs *md, const char *container)
{
	int r = set_state_retry(md, "inactive");

	if (r)
		return r;
	if (mdmon_running(container) && mdmon_ping(container) == 0)
		for (int i = 0; i < 25 && sysfs_array_exists(md); i++)
			usleep(200 * 1000);
	return sysfs_array_exists(md) ? set_state_retry(md, "clear") : 0;
}

/*
 * Nobody else has the array open (mounted, a holder, a process): an
 * exclusive open proves it.  Brief openers (mdmon now and then, udev's
 * probe after a change) are waited for, about a second as upstream
 * does, with mdmon pinged first when it manages the array.
 */
static int check_unused(const struct md_sysfs *md, const char *container)
{
	char node[64];
	int fd = -1;

	snprintf(node, sizeof(node), "/dev/%s", md->devnm);
	for (int retries = 5;; retries--) {
		fd = open(node, O_RDONLY | O_EXCL | O_CLOEXEC);
		if (fd >= 0 || errno != EBUSY || retries == 0)
			break;
		/* mdmon answers after its next pass, itself a pause */
		bool pinged = container[0] && mdmon_running(container) &&
			      mdmon_ping(container) == 0;

		usleep(pinged ? 100 * 1000 : 200 * 1000);
	}
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == EBUSY ? -EBUSY : 0; /* no node: sysfs has the last word */
}

/* The first running member of the container devnm, from a fresh mdstat. */
static int member_still_running(const char *devnm, char *ret, size_t len)
{
	struct mdstat_array *stats;
	const struct mdstat_array *m;
	int r = mdstat_read(NULL, &stats);

	if (r < 0)
		return 0; /* the kernel refuses the stop if it must */
	m = running_member(stats, devnm);
	if (m)
		snprintf(ret, len, "%s", m->devnm);
	mdstat_free(stats);
	return m != NULL;
}

/* Stop one array; say_stopped and say_errors choose what it reports. */
static int stop_one(const char *path, bool say_stopped, bool say_errors)
{
	char container[32] = "", member[MDSTAT_NAME_MAX];
	struct md_sysfs md;
	int r;

	if (resolve_array(path, &md) < 0)
		return EXIT_FAILED;
	if (member_still_running(md.devnm, member, sizeof(member))) {
		if (say_errors)
			pr_err("cannot stop container %s: member %s is still running", path, member);
		return EXIT_FAILED;
	}
	if (member_container(&md, container, sizeof(container)) < 0)
		container[0] = '\0';
	r = check_unused(&md, container);
	if (!r)
		r = container[0] ? stop_member(&md, container) : set_state_retry(&md, "clear");
	if (r < 0) {
		if (say_errors)
			pr_err("cannot stop %s: %s", path,
			       r == -EBUSY ? "it is in use (mounted, open, or held by another array)"
					   : strerror(-r));
		return EXIT_FAILED;
	}
	/* Without udev nobody else removes the name we gave it. */
	md_unlink_name(md.devnm);
	map_remove(md.devnm);
	if (say_stopped)
		pr_err("stopped %s", path);
	return EXIT_OK;
}

/* One --scan pass over what runs now: volumes first, then, from a fresh
 * look, containers.  Returns how many stopped; *ret_failed counts the
 * arrays that did not. */
static int stop_pass(bool say_stopped, bool say_errors, int *ret_failed)
{
	struct mdstat_array *stats;
	char path[64];
	int stopped = 0, failed = 0;

	for (int pass = 0; pass < 2; pass++) {
		if (mdstat_read(NULL, &stats) < 0) {
			failed++;
			break;
		}
		for (struct mdstat_array *a = stats; a; a = a->next) {
			if (mdstat_is_container(a) != (pass == 1))
				continue;
			snprintf(path, sizeof(path), "/dev/%s", a->devnm);
			if (stop_one(path, say_stopped, say_errors) == EXIT_OK)
				stopped++;
			else
				failed++;
		}
		mdstat_free(stats);
	}
	*ret_failed = failed;
	return stopped;
}

/*
 * --stop --scan, as upstream: arrays may stand on others, so go round
 * again while a pass stops some and not all.  Upstream names each array
 * /dev/mdN, says "stopped" only with -v, and keeps the failures of passes
 * it will retry to itself unless -v; the last pass says why.
 */
static int stop_all(int verbose)
{
	int failed = 0;

	while (stop_pass(verbose > 0, verbose > 0, &failed) > 0 && failed)
		;
	if (failed && verbose <= 0)
		(void)stop_pass(false, true, &failed); /* nothing moves: say why once */
	return failed ? EXIT_FAILED : EXIT_OK;
}

int mode_stop(const struct request *req)
{
	int rc = EXIT_OK;

	if (req->scan && req->n_devs == 0)
		return stop_all(req->verbose);
	for (int i = 0; i < req->n_devs; i++)
		if (stop_one(req->devs[i].path, req->verbose >= 0, true) != EXIT_OK)
			rc = EXIT_FAILED;
	return rc;
}

static bool sync_running(const char *action)
{
	return strcmp(action, "idle") != 0 && strcmp(action, "frozen") != 0;
}

/*
 * Wait until sync_action leaves resync/recover/reshape/check.  Returns 1
 * when it waited, 0 when nothing ran, -errno on error.  poll() sleeps
 * until the kernel notifies a change: no periodic wake-ups.
 */
static int wait_idle(const struct md_sysfs *md)
{
	char action[32];
	struct pollfd pfd;
	int fd, r, waited = 0;

	fd = sysfs_open_attr(md, NULL, "sync_action");
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd; /* raid0 and containers never sync */
	pfd = (struct pollfd){ .fd = fd, .events = POLLPRI };
	while ((r = util_pread_string(fd, action, sizeof(action))) >= 0 && sync_running(action)) {
		waited = 1;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
	}
	close(fd);
	return r < 0 ? r : waited;
}

/* A volume's mdmon records the end of what md finished (resync
 * complete, rebuild done) in its next pass: wait for that too. */
static void ping_container_mdmon(const struct md_sysfs *md)
{
	char container[32];

	if (member_container(md, container, sizeof(container)) == 0 && mdmon_running(container) &&
	    mdmon_ping(container) < 0)
		pr_err("warning: mdmon for %s did not answer; the metadata may lag, continuing",
		       container);
}

/*
 * A volume of a container in an OLCE: every volume grows in turn, so wait
 * on to the end of the whole OLCE (md says idle on this volume while
 * another one reshapes, or sits at the limit mdadm set).  Thirty seconds
 * without any change mean nobody drives it: -EAGAIN.
 */
static int wait_olce(const char *container)
{
	uint64_t sig, last = 0;
	int quiet = 0;

	for (bool first = true; olce_under_way(container, &sig); first = false) {
		quiet = !first && sig == last ? quiet + 1 : 0;
		last = sig;
		if (quiet > 150)
			return -EAGAIN;
		usleep(200 * 1000);
	}
	return 1;
}

/* md's sync, or for a volume of a container in an OLCE, the OLCE. */
static int wait_array(const struct md_sysfs *md)
{
	char container[32];
	uint64_t sig;

	if (member_container(md, container, sizeof(container)) == 0 &&
	    olce_under_way(container, &sig))
		return wait_olce(container);
	return wait_idle(md);
}

/* Upstream's habit, kept: success only if it actually waited on each. */
int mode_wait(const struct request *req)
{
	struct md_sysfs md;
	int r, rc = EXIT_OK;

	for (int i = 0; i < req->n_devs; i++) {
		if (resolve_array(req->devs[i].path, &md) < 0) {
			rc = EXIT_FAILED;
			continue;
		}
		r = wait_array(&md);
		if (r == -EAGAIN)
			pr_err("cannot wait for %s: the OLCE of its container has not moved for 30 s (held at its checkpoint?); mdadm --grow --continue resumes it",
			       req->devs[i].path);
		else if (r < 0)
			pr_err("cannot wait for %s: %s", req->devs[i].path, strerror(-r));
		if (r > 0)
			ping_container_mdmon(&md);
		if (r <= 0)
			rc = EXIT_FAILED;
	}
	return rc;
}

/* The kernel name of a device, from its path. */
static int device_kname(const char *path, char *buf, size_t len, dev_t *ret_dev)
{
	dev_t dev = 0;
	int r = util_devnum(path, &dev);

	if (!r)
		r = util_kname_of(dev, buf, len);
	if (!r && ret_dev)
		*ret_dev = dev;
	return r;
}

static bool has_member(const struct md_sysfs *md, const char *kname)
{
	char state[128];

	return sysfs_read_attr(md, kname, "state", state, sizeof(state)) >= 0;
}

/* The kernel name of a member device, checked to belong to the array.
 * As upstream, a name without '/' may be the kernel's ("loop3"): it works
 * for a member whose device node is gone. */
static int member_kname(const struct md_sysfs *md, const char *path, char *buf, size_t len)
{
	int r;

	if (!strchr(path, '/') && strlen(path) < len && has_member(md, path)) {
		snprintf(buf, len, "%s", path);
		return 0;
	}
	r = device_kname(path, buf, len, NULL);

	if (r < 0)
		return r;
	return has_member(md, buf) ? 0 : -ENXIO;
}

/* ---- --fail: never beyond redundancy ------------------------------------------ */

static bool working(const struct md_member_info *m)
{
	return m->slot >= 0 && strstr(m->state, "in_sync") && !strstr(m->state, "faulty");
}

static bool slot_working(const struct md_array_info *info, int slot)
{
	for (int i = 0; i < info->n_members; i++)
		if (info->members[i].slot == slot && working(&info->members[i]))
			return true;
	return false;
}

/* Would failing the working member t lose data?  Says why in buf. */
static bool fail_loses(const struct md_array_info *info, const struct md_member_info *t,
		       char *buf, size_t len)
{
	int level = level_from_name(info->level), n = 0;

	for (int i = 0; i < info->n_members; i++)
		n += working(&info->members[i]);
	switch (level) {
	case 0:
	case LEVEL_LINEAR:
		snprintf(buf, len, "%s has no redundancy", info->level);
		return true;
	case 1:
		snprintf(buf, len, "it is the last working member");
		return n <= 1;
	case 10:
		snprintf(buf, len, "its mirror (slot %d) is not working", t->slot ^ 1);
		if (info->layout == MD_LAYOUT_RAID10_NEAR2 && info->raid_disks % 2 == 0)
			return !slot_working(info, t->slot ^ 1);
		snprintf(buf, len, "%s is already degraded", info->level);
		return n < info->raid_disks;
	case 6:
		snprintf(buf, len, "%s has lost two members already", info->level);
		return n < info->raid_disks - 1;
	default:
		snprintf(buf, len, "%s is already degraded", info->level);
		return n < info->raid_disks;
	}
}

/* EXIT_OK when kname may fail in md; reports a refusal once. */
static int check_fail(const struct request *req, const struct md_sysfs *md, const char *kname,
		      const char *path)
{
	const struct md_member_info *t = NULL;
	struct md_array_info info;
	char why[96];
	int rc = EXIT_OK;

	if (sysfs_read_array(md, &info) < 0)
		return EXIT_OK; /* the kernel has the last word */
	for (int i = 0; i < info.n_members; i++)
		if (strcmp(info.members[i].kname, kname) == 0)
			t = &info.members[i];
	/* a spare, a rebuilding or a failed disk takes no data with it */
	if (t && working(t) && fail_loses(&info, t, why, sizeof(why))) {
		pr_err("cannot fail %s in %s: %s; the array would fail", path, req->array, why);
		rc = EXIT_FAILED;
	}
	sysfs_free_array(&info);
	return rc;
}

/* Fail or remove member kname (shown as shown) of a volume or a native
 * array. */
static int manage_kname(const struct request *req, const struct md_sysfs *md, const char *kname,
			const char *shown, enum manage_action action)
{
	const char *cmd = action == MANAGE_FAIL ? "faulty" : "remove";
	int r;

	if (action == MANAGE_FAIL && check_fail(req, md, kname, shown) != EXIT_OK)
		return EXIT_FAILED;
	r = sysfs_write_attr(md, kname, "state", cmd);
	if (r < 0) {
		pr_err("cannot %s %s in %s: %s", action == MANAGE_FAIL ? "fail" : "remove", shown,
		       req->array, r == -EBUSY ? "device is busy" : strerror(-r));
		return EXIT_FAILED;
	}
	if (action == MANAGE_FAIL)
		pr_err("set %s faulty in %s", shown, req->array);
	else
		pr_err("hot removed %s from %s", shown, req->array);
	return EXIT_OK;
}

static int manage_one(const struct request *req, const struct md_sysfs *md,
		      const struct req_dev *d)
{
	char kname[32];

	if (d->action == MANAGE_ADD)
		return mode_not_implemented("--add");
	if (member_kname(md, d->path, kname, sizeof(kname)) < 0) {
		pr_err("%s is not a member of %s", d->path, req->array);
		return EXIT_FAILED;
	}
	return manage_kname(req, md, kname, d->path, d->action);
}

/* ---- failed, detached: every member that is so ----------------------------- */

enum manage_keyword { KW_NONE = 0, KW_FAILED, KW_DETACHED };

static enum manage_keyword keyword_of(const char *path)
{
	if (strcmp(path, "failed") == 0 || strcmp(path, "faulty") == 0)
		return KW_FAILED;
	return strcmp(path, "detached") == 0 ? KW_DETACHED : KW_NONE;
}

/* A keyword only some actions take: one line, as upstream. */
static int check_keyword(const struct req_dev *d, enum manage_keyword kw)
{
	if (kw == KW_FAILED && d->action != MANAGE_REMOVE) {
		pr_err("%s only meaningful with --remove", d->path);
		return EXIT_USAGE;
	}
	if (kw == KW_DETACHED && d->action != MANAGE_REMOVE && d->action != MANAGE_FAIL) {
		pr_err("%s only meaningful with --remove or --fail", d->path);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* The device is gone: the kernel no longer knows its number (upstream
 * finds that by an open that fails with ENXIO). */
static bool detached(const struct md_member_info *m)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", m->major, m->minor);
	return access(path, F_OK) != 0 && errno == ENOENT;
}

/* Does member m match the keyword (for action)?  *rec_failed: the
 * container's metadata records the disk failed. */
static bool keyword_matches(enum manage_keyword kw, enum manage_action action,
			    const struct md_member_info *m, bool rec_failed)
{
	bool faulty = strstr(m->state, "faulty") != NULL;

	if (kw == KW_FAILED)
		return faulty || rec_failed;
	if (action == MANAGE_FAIL && faulty)
		return false; /* already failed */
	return detached(m);
}

/* ---- containers: spares in, unused disks out --------------------------------- */

/* What --add and --remove on a container work with. */
struct container_op {
	const struct request *req;
	const struct md_sysfs *md;      /* the container */
	const char *path;               /* the disk as given */
	struct imsm_disk_dev d;         /* --add: the disk, open exclusively */
	struct imsm_super *mpb;         /* newest container copy, NULL: no volume */
	const char *raid0_vol;          /* --add named this raid0 volume */
};

static int identify_error(const char *path, int r)
{
	if (r == -ENODATA)
		pr_err("%s has no serial number; for testing set IMSM_DEVNAME_AS_SERIAL=1", path);
	else if (r == -EOPNOTSUPP)
		pr_err("%s has 4096-byte sectors, which IMSM containers here do not take", path);
	else
		pr_err("cannot use %s: %s", path, strerror(-r));
	return EXIT_FAILED;
}

/* The disk to add: not in the container yet, not in use, identified. */
static int open_new_disk(struct container_op *op)
{
	char kname[32];
	int r = device_kname(op->path, kname, sizeof(kname), NULL);

	if (r < 0) {
		pr_err("cannot open %s: %s", op->path, strerror(-r));
		return EXIT_FAILED;
	}
	if (has_member(op->md, kname)) {
		pr_err("%s is already in %s", op->path, op->req->array);
		return EXIT_FAILED;
	}
	op->d.path = op->path;
	op->d.fd = open(op->path, O_RDWR | O_EXCL | O_CLOEXEC);
	if (op->d.fd < 0) {
		r = errno;
		if (r == EBUSY)
			pr_err("%s is in use (mounted, or a member of an array)", op->path);
		else
			pr_err("cannot open %s: %s", op->path, strerror(r));
		return EXIT_FAILED;
	}
	r = imsm_disk_identify(&op->d);
	return r ? identify_error(op->path, r) : EXIT_OK;
}

static int load_container(struct container_op *op)
{
	int r = imsm_load_container(op->md->devnm, &op->mpb);

	if (r == -ENODATA) /* no volume yet: every disk is a spare */
		return EXIT_OK;
	if (r < 0) {
		pr_err("cannot read the metadata of %s: %s", op->req->array, strerror(-r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* Metadata already on the disk: none, a spare record, or this
 * container's own (a former member) may be overwritten. */
static int check_old_metadata(const struct container_op *op)
{
	struct imsm_super *own = NULL;
	int r = imsm_read_mpb(&op->d, &own), rc = EXIT_OK;

	if (r == -ENODATA)
		return EXIT_OK;
	if (r < 0) {
		pr_err("%s carries IMSM metadata that cannot be read (%s); it is not overwritten",
		       op->path, imsm_read_error(r) ? imsm_read_error(r) : strerror(-r));
		return EXIT_FAILED;
	}
	if (own->num_raid_devs &&
	    (!op->mpb || imsm_spare_family(own) != imsm_spare_family(op->mpb))) {
		pr_err("%s belongs to another IMSM container (family %08x); it is not overwritten",
		       op->path, imsm_spare_family(own));
		rc = EXIT_FAILED;
	}
	imsm_free(own);
	return rc;
}

/* Room for every volume at its offset plus a spare's reservation (§7.4). */
static int check_size(const struct container_op *op)
{
	uint64_t need = imsm_spare_min_blocks(op->mpb), have = imsm_disk_blocks(&op->d);

	if (have >= need)
		return EXIT_OK;
	pr_err("%s is too small for %s: %llu KiB, a member needs at least %llu KiB", op->path,
	       op->req->array, (unsigned long long)have / 2, (unsigned long long)need / 2);
	return EXIT_FAILED;
}

/* No mdmon: write the spare record, then attach the disk. */
static int add_directly(struct container_op *op)
{
	struct md_member_cfg cfg;
	struct imsm_super *rec;
	int r = imsm_spare_record(&op->d, &rec);

	if (!r) {
		r = imsm_write_mpb(&op->d, rec, true);
		imsm_free(rec);
	}
	close(op->d.fd); /* md claims the disk exclusively */
	op->d.fd = -1;
	imsm_container_member_cfg(&op->d, &cfg);
	if (!r)
		r = md_container_add(op->md->devnm, &cfg);
	if (r)
		pr_err("cannot add %s to %s: %s", op->path, op->req->array, strerror(-r));
	return r ? EXIT_FAILED : EXIT_OK;
}

static const char *mdmon_add_error(int r)
{
	switch (r) {
	case -EEXIST:
		return "it is already in the container";
	case -EBUSY:
		return "it is in use";
	case -ENOSPC:
		return "it is too small";
	default:
		return strerror(-r);
	}
}

/* mdmon runs: it writes the spare record and attaches the disk. */
static int add_via_mdmon(struct container_op *op)
{
	int r;

	close(op->d.fd); /* mdmon opens it exclusively */
	op->d.fd = -1;
	r = mdmon_disk_request(op->md->devnm, MDMON_REQ_ADD_SPARE, op->d.major, op->d.minor);
	if (r) {
		pr_err("mdmon for %s did not add %s: %s", op->req->array, op->path,
		       mdmon_add_error(r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int container_add(struct container_op *op)
{
	int rc = open_new_disk(op);

	if (!rc)
		rc = load_container(op);
	if (!rc)
		rc = check_old_metadata(op);
	if (!rc)
		rc = check_size(op);
	if (!rc)
		rc = mdmon_running(op->md->devnm) ? add_via_mdmon(op) : add_directly(op);
	if (!rc && op->raid0_vol)
		pr_err("added %s to %s as a spare: raid0 %s has none of its own; --grow uses it (--level=5, --level=10, --raid-devices)",
		       op->path, op->req->array, op->raid0_vol);
	else if (!rc)
		pr_err("added %s", op->path);
	return rc;
}

/* An md array other than the container holding the disk, into buf. */
static bool held_by_array(const char *kname, const char *container, char *buf, size_t len)
{
	char dir[96];
	struct dirent *de;
	DIR *d;
	bool held = false;

	snprintf(dir, sizeof(dir), "/sys/class/block/%s/holders", kname);
	d = opendir(dir);
	while (d && !held && (de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, container) != 0) {
			util_md_display_path(de->d_name, buf, len);
			held = true;
		}
	if (d)
		closedir(d);
	return held;
}

/* The volume whose map uses the disk's record, if the record is not a
 * failed one. */
static const char *volume_using(const struct imsm_super *s, const char *kname, char *buf,
				size_t len)
{
	char serial[IMSM_SERIAL_BYTES], name[IMSM_NAME_BYTES + 1];
	int index;

	if (!s || imsm_disk_serial(kname, serial) < 0)
		return NULL;
	index = imsm_find_disk(s, serial);
	if (index < 0 || (s->disk[index].status & IMSM_DISK_FAILED))
		return NULL;
	for (int v = 0; v < s->num_raid_devs; v++)
		for (int i = 0; i < s->dev[v].vol.map[0].num_members; i++)
			if ((int)(s->dev[v].vol.map[0].disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK) == index) {
				imsm_volume_name(&s->dev[v], name);
				snprintf(buf, len, "%s", name);
				return buf;
			}
	return NULL;
}

/* The disk may leave: a member of the container that no volume uses. */
static int check_removable(struct container_op *op, const char *kname)
{
	char holder[PATH_MAX];

	if (!has_member(op->md, kname)) {
		pr_err("%s is not a member of %s", op->path, op->req->array);
		return EXIT_FAILED;
	}
	if (held_by_array(kname, op->md->devnm, holder, sizeof(holder))) {
		pr_err("cannot remove %s from %s: it is an active member of %s", op->path,
		       op->req->array, holder);
		return EXIT_FAILED;
	}
	if (load_container(op) != EXIT_OK)
		return EXIT_FAILED;
	if (volume_using(op->mpb, kname, holder, sizeof(holder))) {
		pr_err("cannot remove %s from %s: it is a member of volume %s", op->path,
		       op->req->array, holder);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* Remove container member kname (device dev), shown as op->path. */
static int container_remove_kname(struct container_op *op, const char *kname, dev_t dev)
{
	int rc = check_removable(op, kname), r;

	if (rc)
		return rc;
	if (mdmon_running(op->md->devnm))
		r = mdmon_disk_request(op->md->devnm, MDMON_REQ_REMOVE_DISK, major(dev), minor(dev));
	else
		r = sysfs_write_attr(op->md, kname, "state", "remove");
	if (r < 0) {
		pr_err("cannot remove %s from %s: %s", op->path, op->req->array,
		       r == -EBUSY ? "a volume uses it" : strerror(-r));
		return EXIT_FAILED;
	}
	pr_err("hot removed %s from %s", op->path, op->req->array);
	return EXIT_OK;
}

static int container_remove(struct container_op *op)
{
	char kname[32];
	dev_t dev = 0;
	int r = device_kname(op->path, kname, sizeof(kname), &dev);

	if (r < 0) {
		pr_err("cannot open %s: %s", op->path, strerror(-r));
		return EXIT_FAILED;
	}
	return container_remove_kname(op, kname, dev);
}

static int container_op_run(struct container_op *op, const struct req_dev *d);

static int container_one(const struct request *req, const struct md_sysfs *md,
			 const struct req_dev *d)
{
	struct container_op op = { .req = req, .md = md, .path = d->path, .d = { .fd = -1 } };

	return container_op_run(&op, d);
}

/*
 * --add DEV on a raid0 volume (upstream: "add spares to raid0 using
 * takeover"): md keeps no spare in a raid0, so DEV becomes a spare of the
 * volume's container, where a later OLCE, raid0 -> raid5 or raid0 ->
 * raid10 takes it.
 */
static int raid0_add(const struct request *req, const struct md_sysfs *md,
		     const struct req_dev *d)
{
	char cont[32], path[PATH_MAX];
	struct request creq = *req;
	struct md_sysfs cmd;
	struct container_op op = { .req = &creq, .md = &cmd, .path = d->path, .d = { .fd = -1 },
				   .raid0_vol = req->array };

	if (member_container(md, cont, sizeof(cont)) < 0)
		return mode_not_implemented("--add to a raid0 volume with this metadata");
	util_md_display_path(cont, path, sizeof(path));
	creq.array = path;
	sysfs_init(&cmd, SYSROOT, cont);
	return container_op_run(&op, d);
}

static int container_op_run(struct container_op *op, const struct req_dev *d)
{
	const struct request *req = op->req;
	int rc;

	switch (d->action) {
	case MANAGE_ADD:
		rc = container_add(op);
		break;
	case MANAGE_REMOVE:
		rc = container_remove(op);
		break;
	default:
		pr_err("cannot fail %s in container %s: fail it in the volume that uses it",
		       d->path, req->array);
		rc = EXIT_USAGE;
		break;
	}
	if (op->d.fd >= 0)
		close(op->d.fd);
	imsm_free(op->mpb);
	return rc;
}

/* ---- the mode ------------------------------------------------------------------ */

static bool is_external(const struct md_sysfs *md)
{
	char meta[64];

	return sysfs_get_metadata_version(md, meta, sizeof(meta)) >= 0 &&
	       strncmp(meta, "external:", 9) == 0;
}

static bool is_imsm_container(const struct md_sysfs *md)
{
	char meta[64];

	return sysfs_get_metadata_version(md, meta, sizeof(meta)) >= 0 &&
	       strcmp(meta, "external:imsm") == 0;
}

static bool is_raid0(const struct md_sysfs *md)
{
	char level[16];

	return sysfs_get_level(md, level, sizeof(level)) >= 0 && strcmp(level, "raid0") == 0;
}

/* A volume's disks come and go through its container (a raid0 volume's
 * --add too: raid0_add()). */
static int check_volume_actions(const struct request *req, const struct md_sysfs *md)
{
	char container[32], path[PATH_MAX];

	for (int i = 0; i < req->n_devs; i++) {
		/* failed or detached members of a volume may go (mdmon would
		 * take them out itself) */
		if (req->devs[i].action == MANAGE_FAIL || req->devs[i].action == MANAGE_NONE ||
		    (req->devs[i].action == MANAGE_REMOVE && keyword_of(req->devs[i].path)) ||
		    (req->devs[i].action == MANAGE_ADD && is_raid0(md)))
			continue;
		if (member_container(md, container, sizeof(container)) < 0)
			return mode_not_implemented("--add/--remove with this metadata");
		util_md_display_path(container, path, sizeof(path));
		pr_err("%s is a volume of %s: --add and --remove work on the container "
		       "(mdmon removes failed disks itself)",
		       req->array, path);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* ---- whole-array actions: -o, -w, -R ---------------------------------------- */

/*
 * A volume's metadata_version with the flag at index 9 set: '-' tells
 * mdmon to leave the volume alone (it stays read-only), '/' gives it back
 * (md-kernel-interface.md §7).  Returns 0, or -ENOENT for no volume.
 */
static int set_volume_flag(const struct md_sysfs *md, char flag)
{
	char meta[64];
	int r = sysfs_get_metadata_version(md, meta, sizeof(meta));

	if (r < 0)
		return r;
	if (strncmp(meta, "external:", 9) != 0 || (meta[9] != '/' && meta[9] != '-'))
		return -ENOENT;
	if (meta[9] == flag)
		return 0;
	meta[9] = flag;
	return sysfs_write_attr(md, NULL, "metadata_version", meta);
}

static bool is_container_md(const struct md_sysfs *md)
{
	char meta[64];

	return sysfs_get_metadata_version(md, meta, sizeof(meta)) >= 0 &&
	       strncmp(meta, "external:", 9) == 0 && meta[9] != '/' && meta[9] != '-';
}

static bool array_running(const struct md_sysfs *md)
{
	char state[32];

	return sysfs_get_array_state(md, state, sizeof(state)) >= 0 &&
	       strcmp(state, "clear") != 0 && strcmp(state, "inactive") != 0;
}

/* -o: md stops writes; a volume's mdmon is told to keep it so first. */
static int array_readonly(const char *path)
{
	struct md_sysfs md;
	bool volume;
	int r;

	if (resolve_array(path, &md) < 0)
		return EXIT_FAILED;
	if (is_container_md(&md) || !array_running(&md)) {
		pr_err("%s does not appear to be active%s", path,
		       is_container_md(&md) ? " (a container: set its volumes read-only)" : "");
		return EXIT_FAILED;
	}
	r = set_volume_flag(&md, '-');
	volume = r == 0;
	if (r == -ENOENT)
		r = 0;
	if (!r)
		r = sysfs_set_array_state(&md, "readonly");
	if (r < 0) {
		if (volume && set_volume_flag(&md, '/') < 0)
			pr_err("warning: %s stays held from mdmon, continuing", path);
		pr_err("cannot set %s read-only: %s", path,
		       r == -EBUSY ? "it is in use (mounted or open)" : strerror(-r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* Let mdmon see a volume given back (it switches a redundant one to
 * read-write); started first if it does not run. */
static int wake_mdmon(const struct md_sysfs *md)
{
	char container[32];

	if (member_container(md, container, sizeof(container)) < 0)
		return 0;
	if (!mdmon_running(container) && mdmon_start(container) < 0)
		return -ESRCH;
	if (mdmon_ping(container) < 0)
		return -ESRCH;
	/* its answer follows the pass the ping waited for */
	for (int i = 0; i < 25; i++) {
		char state[32];

		if (sysfs_get_array_state(md, state, sizeof(state)) < 0 ||
		    strcmp(state, "readonly") != 0)
			return 0;
		usleep(200 * 1000);
	}
	return -ETIMEDOUT;
}

/* -w: a volume goes back to mdmon, which makes a redundant one writable;
 * raid0 and native arrays md switches at once. */
static int array_readwrite(const char *path)
{
	char level[16] = "";
	struct md_sysfs md;
	int r;

	if (resolve_array(path, &md) < 0)
		return EXIT_FAILED;
	if (is_container_md(&md) || !array_running(&md)) {
		pr_err("%s does not appear to be active", path);
		return EXIT_FAILED;
	}
	r = set_volume_flag(&md, '/');
	if (!r && sysfs_get_level(&md, level, sizeof(level)) >= 0 && strcmp(level, "raid0") != 0)
		r = wake_mdmon(&md);
	else if (!r || r == -ENOENT)
		r = sysfs_set_array_state(&md, "active");
	if (r < 0) {
		pr_err("cannot set %s read-write: %s", path,
		       r == -ESRCH ? "mdmon does not answer" : strerror(-r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* -R on a container: start every volume md can run now, degraded ones
 * too (incremental assembly left them waiting for their disks). */
static int run_container(const struct request *req, const char *devnm)
{
	struct req_dev dev = { .path = NULL, .action = MANAGE_NONE };
	struct request sub = *req;
	char path[64];

	snprintf(path, sizeof(path), "/dev/%s", devnm);
	dev.path = path;
	sub.mode = MODE_INCREMENTAL;
	sub.devs = &dev;
	sub.n_devs = 1;
	sub.run = true;
	return mode_incremental(&sub);
}

/* -R: start an array that is assembled but not started (as upstream's
 * IncrementalScan on one array). */
static int array_run(const struct request *req, const char *path)
{
	char container[32];
	struct md_sysfs md;
	int r;

	if (resolve_array(path, &md) < 0)
		return EXIT_FAILED;
	if (is_container_md(&md))
		return run_container(req, md.devnm);
	if (member_container(&md, container, sizeof(container)) == 0)
		return array_running(&md) ? EXIT_OK : run_container(req, container);
	if (array_running(&md))
		return EXIT_OK;
	r = sysfs_set_array_state(&md, "read-auto");
	if (r < 0) {
		pr_err("failed to start array %s: %s", path, strerror(-r));
		return EXIT_FAILED;
	}
	if (req->verbose >= 0)
		pr_err("started array %s", path);
	return EXIT_OK;
}

/* The arrays a misc-mode -R/-o/-w names: the array, or the devices. */
static int for_each_array(const struct request *req, int (*fn)(const struct request *, const char *))
{
	int rc = EXIT_OK;

	if (req->array && req->n_devs == 0)
		return fn(req, req->array);
	if (!req->array && req->n_devs == 0) {
		pr_err("no array given");
		return EXIT_USAGE;
	}
	if (req->array && fn(req, req->array) != EXIT_OK)
		rc = EXIT_FAILED;
	for (int i = 0; i < req->n_devs; i++)
		if (fn(req, req->devs[i].path) != EXIT_OK)
			rc = EXIT_FAILED;
	return rc;
}

static int do_readonly(const struct request *req, const char *path)
{
	(void)req;
	return array_readonly(path);
}

static int do_readwrite(const struct request *req, const char *path)
{
	(void)req;
	return array_readwrite(path);
}

int mode_run(const struct request *req)
{
	return for_each_array(req, array_run);
}

int mode_readonly(const struct request *req)
{
	return for_each_array(req, do_readonly);
}

int mode_readwrite(const struct request *req)
{
	return for_each_array(req, do_readwrite);
}

/* The container's copy records the disk kname failed: mdmon renamed its
 * serial SERIAL:0 (":0" once per volume it failed in; leading characters
 * dropped past the field's size, as upstream) and set the failed flag. */
static bool record_failed(const struct imsm_super *s, const char *kname)
{
	char serial[IMSM_SERIAL_BYTES + 1] = "", rec[IMSM_SERIAL_BYTES + 1];
	size_t len, have;

	if (!s || imsm_disk_serial(kname, serial) < 0)
		return false;
	have = strnlen(serial, IMSM_SERIAL_BYTES);
	for (int i = 0; i < s->num_disks; i++) {
		if (!(s->disk[i].status & IMSM_DISK_FAILED))
			continue;
		memcpy(rec, s->disk[i].serial, IMSM_SERIAL_BYTES);
		rec[IMSM_SERIAL_BYTES] = '\0';
		len = strlen(rec);
		while (len >= 2 && strcmp(rec + len - 2, ":0") == 0)
			rec[len -= 2] = '\0';
		if (len && len <= have && strcmp(serial + have - len, rec) == 0)
			return true;
	}
	return false;
}

/* One member a keyword matched: the action as if it had been named. */
static int keyword_apply(const struct request *req, const struct md_sysfs *md, bool container,
			 const struct md_member_info *m, enum manage_action action)
{
	struct container_op op = { .req = req, .md = md, .d = { .fd = -1 } };
	char shown[48];
	int rc;

	snprintf(shown, sizeof(shown), "/dev/%s", m->kname);
	if (!container)
		return manage_kname(req, md, m->kname, shown, action);
	op.path = shown;
	rc = container_remove_kname(&op, m->kname, makedev(m->major, m->minor));
	imsm_free(op.mpb);
	return rc;
}

/* --remove failed|detached, --fail detached: every member that is so;
 * none is no error (upstream). */
static int manage_keyword(const struct request *req, const struct md_sysfs *md, bool container,
			  const struct req_dev *d, enum manage_keyword kw)
{
	struct imsm_super *mpb = NULL;
	struct md_array_info info;
	int rc = check_keyword(d, kw), r;

	if (rc)
		return rc;
	r = sysfs_read_array(md, &info);
	if (r < 0) {
		pr_err("cannot read %s: %s", req->array, strerror(-r));
		return EXIT_FAILED;
	}
	if (container && imsm_load_container(md->devnm, &mpb) < 0)
		mpb = NULL; /* no volume: no record says failed */
	for (int i = 0; i < info.n_members && rc == EXIT_OK; i++)
		if (keyword_matches(kw, d->action, &info.members[i],
				    container && record_failed(mpb, info.members[i].kname)))
			rc = keyword_apply(req, md, container, &info.members[i], d->action);
	imsm_free(mpb);
	sysfs_free_array(&info);
	return rc;
}

/* The device actions, in the order given; the first failure ends them. */
static int manage_devices(const struct request *req, const struct md_sysfs *md)
{
	bool container = is_imsm_container(md);
	enum manage_keyword kw;
	int rc = EXIT_OK;

	/* --fail of a volume's disk: the kernel fails it, mdmon records it. */
	if (!container && is_external(md))
		rc = check_volume_actions(req, md);
	for (int i = 0; i < req->n_devs && rc == EXIT_OK; i++) {
		if (req->devs[i].action == MANAGE_NONE)
			continue;
		kw = keyword_of(req->devs[i].path);
		if (kw)
			rc = manage_keyword(req, md, container, &req->devs[i], kw);
		else if (container)
			rc = container_one(req, md, &req->devs[i]);
		else if (req->devs[i].action == MANAGE_ADD && is_external(md) && is_raid0(md))
			rc = raid0_add(req, md, &req->devs[i]);
		else
			rc = manage_one(req, md, &req->devs[i]);
	}
	return rc;
}

/*
 * "mdadm MD [--readonly] [device actions] [--readwrite] [--run] [--stop]",
 * in upstream's order, each step only after the one before succeeded.
 */
int mode_manage(const struct request *req)
{
	struct md_sysfs md;
	int rc = EXIT_OK;

	if (resolve_array(req->array, &md) < 0)
		return EXIT_FAILED;
	if (req->array_ops & ARRAY_OP_READONLY)
		rc = array_readonly(req->array);
	if (!rc)
		rc = manage_devices(req, &md);
	if (!rc && (req->array_ops & ARRAY_OP_READWRITE))
		rc = array_readwrite(req->array);
	if (!rc && (req->array_ops & ARRAY_OP_RUN))
		rc = array_run(req, req->array);
	if (!rc && (req->array_ops & ARRAY_OP_STOP))
		rc = stop_one(req->array, req->verbose >= 0, true);
	return rc;
}

