/*
 * Manage.c: commands that change an existing array's membership or run
 * state: --stop, --wait, and --fail/--remove/--add on a named array.
 *
 * Owns: checking such a request against the kernel's view (sysfs,
 * mdstat), then performing it through sysfs.c.  Never parses argv and
 * never writes sysfs strings by hand.  Every check happens before the
 * first change.
 */
#include "mdadm.h"
#include "mdmon-client.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
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

static int stop_one(const char *path, struct mdstat_array *stats)
{
	const struct mdstat_array *member;
	char container[32];
	struct md_sysfs md;
	int r;

	if (resolve_array(path, &md) < 0)
		return EXIT_FAILED;
	member = running_member(stats, md.devnm);
	if (member) {
		pr_err("cannot stop container %s: member %s is still running", path, member->devnm);
		return EXIT_FAILED;
	}
	if (member_container(&md, container, sizeof(container)) == 0)
		r = stop_member(&md, container);
	else
		r = set_state_retry(&md, "clear");
	if (r < 0) {
		pr_err("cannot stop %s: %s", path,
		       r == -EBUSY ? "it is in use (mounted or open)" : strerror(-r));
		return EXIT_FAILED;
	}
	/* Without udev nobody else removes the name we gave it. */
	md_unlink_name(md.devnm);
	map_remove(md.devnm);
	pr_err("stopped %s", path);
	return EXIT_OK;
}

/* --stop --scan: members first, containers after them. */
static int stop_all(struct mdstat_array *stats)
{
	char path[64];
	int rc = EXIT_OK;

	for (int pass = 0; pass < 2; pass++)
		for (struct mdstat_array *a = stats; a; a = a->next) {
			if (mdstat_is_container(a) != (pass == 1))
				continue;
			snprintf(path, sizeof(path), "/dev/%s", a->devnm);
			if (stop_one(path, stats) != EXIT_OK)
				rc = EXIT_FAILED;
		}
	return rc;
}

int mode_stop(const struct request *req)
{
	struct mdstat_array *stats;
	int r, rc = EXIT_OK;

	r = mdstat_read(NULL, &stats);
	if (r < 0) {
		pr_err("cannot read /proc/mdstat: %s", strerror(-r));
		return EXIT_FAILED;
	}
	if (req->scan && req->n_devs == 0)
		rc = stop_all(stats);
	for (int i = 0; i < req->n_devs; i++)
		if (stop_one(req->devs[i].path, stats) != EXIT_OK)
			rc = EXIT_FAILED;
	mdstat_free(stats);
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
		r = wait_idle(&md);
		if (r < 0)
			pr_err("cannot wait for %s: %s", req->devs[i].path, strerror(-r));
		if (r <= 0)
			rc = EXIT_FAILED;
	}
	return rc;
}

/* The kernel name of a member device, checked to belong to the array. */
static int member_kname(const struct md_sysfs *md, const char *path, char *buf, size_t len)
{
	char state[128];
	dev_t dev = 0;
	int r;

	r = util_devnum(path, &dev);
	if (r < 0)
		return r;
	r = util_kname_of(dev, buf, len);
	if (r < 0)
		return r;
	r = sysfs_read_attr(md, buf, "state", state, sizeof(state));
	return r < 0 ? -ENXIO : 0;
}

static int manage_one(const struct request *req, const struct md_sysfs *md,
		      const struct req_dev *d)
{
	const char *cmd = d->action == MANAGE_FAIL ? "faulty" : "remove";
	char kname[32];
	int r;

	if (d->action == MANAGE_ADD)
		return mode_not_implemented("--add");
	r = member_kname(md, d->path, kname, sizeof(kname));
	if (r < 0) {
		pr_err("%s is not a member of %s", d->path, req->array);
		return EXIT_FAILED;
	}
	r = sysfs_write_attr(md, kname, "state", cmd);
	if (r < 0) {
		pr_err("cannot %s %s in %s: %s", d->action == MANAGE_FAIL ? "fail" : "remove",
		       d->path, req->array, r == -EBUSY ? "device is busy" : strerror(-r));
		return EXIT_FAILED;
	}
	if (d->action == MANAGE_FAIL)
		pr_err("set %s faulty in %s", d->path, req->array);
	else
		pr_err("hot removed %s from %s", d->path, req->array);
	return EXIT_OK;
}

static bool is_external(const struct md_sysfs *md)
{
	char meta[64];

	return sysfs_get_metadata_version(md, meta, sizeof(meta)) >= 0 &&
	       strncmp(meta, "external:", 9) == 0;
}

int mode_manage(const struct request *req)
{
	struct md_sysfs md;
	int rc = EXIT_OK;

	if (resolve_array(req->array, &md) < 0)
		return EXIT_FAILED;
	/* --fail of a volume's disk: the kernel fails it, mdmon records it. */
	for (int i = 0; is_external(&md) && i < req->n_devs; i++)
		if (req->devs[i].action != MANAGE_FAIL)
			return mode_not_implemented("--add/--remove with external metadata");
	for (int i = 0; i < req->n_devs && rc == EXIT_OK; i++)
		rc = manage_one(req, &md, &req->devs[i]);
	return rc;
}
