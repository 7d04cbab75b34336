/*
 * Subarray.c: --kill-subarray=N and --update-subarray=N --update=name of
 * a container's volume ("subarray" N: its index in the metadata).
 *
 *   mdadm --kill-subarray=N CONTAINER
 *   mdadm --update-subarray=N --update=name -N NEWNAME CONTAINER
 *
 * Owns the checks (the container is assembled, the volume exists, md
 * runs neither it nor, for a delete, any volume after it, whose index
 * and so UUID would change) and the commit: through the container's
 * mdmon when one runs (it alone writes a container it monitors), else
 * straight to the container's disks.  Never parses argv.  Refusals exit
 * 2 as upstream's Kill_subarray and Update_subarray do; nothing is
 * written before every check passed.
 *
 * The volume edits are the handler's (metadata_ops kill_volume,
 * rename_volume); mdmon applies the same edit to its own copy.
 */
#include "imsm-subarray.h"
#include "mdadm.h"
#include "mdmon-client.h"
#include "mdmon.h"
#include "misc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SYSROOT "/sys"

enum subarray_op {
	SUB_KILL,
	SUB_RENAME,
};

/* The container, its disks and its copy, as one request sees them. */
struct sub_ctx {
	const struct request *req;
	enum subarray_op op;
	const char *path; /* the container as the user named it */
	char devnm[32];
	int index;
	const struct metadata_ops *ops;
	struct super *st;
	int n;
	struct md_disk d[MD_MAX_MEMBERS];
	char paths[MD_MAX_MEMBERS][64];
};

static const char *op_word(const struct sub_ctx *c)
{
	return c->op == SUB_KILL ? "delete" : "rename";
}

/* The named device is an assembled container; reports. */
static int find_container(struct sub_ctx *c)
{
	int r = util_md_devnm(SYSROOT, c->path, c->devnm, sizeof(c->devnm));

	if (r == -ENOENT) {
		pr_err("cannot open %s: %s", c->path, strerror(-r));
		return EXIT_USAGE;
	}
	if (r) {
		pr_err("%s is not an md container; name the assembled container", c->path);
		return EXIT_USAGE;
	}
	/* a volume's metadata_version ("external:/md127/0") names no handler */
	c->ops = metadata_of_container(c->devnm);
	if (!c->ops) {
		pr_err("%s is not a container", c->path);
		return EXIT_USAGE;
	}
	if (!c->ops->kill_volume || !c->ops->rename_volume) {
		pr_err("%s: volumes of %s containers cannot be changed", c->path, c->ops->title);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int open_disk(struct sub_ctx *c, const struct md_member_info *m)
{
	struct md_disk *d = &c->d[c->n];
	int r;

	if (util_devpath_of(makedev(m->major, m->minor), c->paths[c->n], 64) < 0)
		snprintf(c->paths[c->n], 64, "/dev/%s", m->kname);
	memset(d, 0, sizeof(*d));
	d->path = c->paths[c->n];
	d->fd = open(d->path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	r = c->ops->identify(d);
	if (r) {
		close(d->fd);
		return r;
	}
	c->n++;
	return 0;
}

/* The container's disks, opened read-write (md holds them, not
 * exclusively), and the copy that speaks for them. */
static int load_container(struct sub_ctx *c)
{
	struct md_array_info info;
	struct md_sysfs md;
	int r;

	sysfs_init(&md, SYSROOT, c->devnm);
	r = sysfs_read_array(&md, &info);
	if (r) {
		pr_err("cannot read the disks of %s: %s", c->path, strerror(-r));
		return EXIT_FAILED;
	}
	for (int i = 0; !r && i < info.n_members && c->n < MD_MAX_MEMBERS; i++)
		r = open_disk(c, &info.members[i]);
	/* every disk gets the new copy, or none is written */
	if (r)
		pr_err("cannot open /dev/%s of %s: %s", info.members[c->n].kname, c->path,
		       strerror(-r));
	sysfs_free_array(&info);
	if (r)
		return EXIT_FAILED;
	r = c->ops->load_disks(c->d, c->n, &c->st);
	if (r == -ENODATA) {
		pr_err("%s has no subarray %d (it has no volume)", c->path, c->index);
		return EXIT_USAGE;
	}
	if (r) {
		pr_err("cannot read the metadata of %s: %s", c->path, strerror(-r));
		return EXIT_FAILED;
	}
	if (c->index >= c->ops->num_volumes(c->st)) {
		pr_err("%s has no subarray %d", c->path, c->index);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* The running volume of the container with index idx (for a delete:
 * the first found at or after it, idx itself first); -1 when none. */
static int running_volume(struct mdstat_array *stats, const char *devnm, int idx, bool after,
			  char *ret_path, size_t len)
{
	for (int pass = 0; pass < (after ? 2 : 1); pass++)
		for (struct mdstat_array *a = stats; a; a = a->next) {
			int v = misc_member_index(a->metadata, devnm);

			if (pass == 0 ? v != idx : v <= idx)
				continue;
			util_md_display_path(a->devnm, ret_path, len);
			return v;
		}
	return -1;
}

/* md runs the volume (or, for a delete, one after it): refuse. */
static int check_inactive(const struct sub_ctx *c)
{
	struct mdstat_array *stats;
	char path[64];
	int v, r = mdstat_read(NULL, &stats);

	if (r < 0) {
		pr_err("cannot read /proc/mdstat: %s", strerror(-r));
		return EXIT_FAILED;
	}
	v = running_volume(stats, c->devnm, c->index, c->op == SUB_KILL, path, sizeof(path));
	mdstat_free(stats);
	if (v == c->index)
		pr_err("cannot %s subarray %d of %s: it is active as %s; stop it first", op_word(c),
		       c->index, c->path, path);
	else if (v >= 0)
		pr_err("cannot delete subarray %d of %s: the UUID of active subarray %d (%s) "
		       "would change; stop it first",
		       c->index, c->path, v, path);
	return v >= 0 ? EXIT_USAGE : EXIT_OK;
}

/* The edit on our copy: checks the name, and is what a direct commit
 * writes. */
static int edit_copy(struct sub_ctx *c)
{
	int r;

	if (c->ops->reshape_recorded(c->st))
		r = -EBUSY;
	else if (c->op == SUB_KILL)
		r = c->ops->kill_volume(c->st, c->index);
	else
		r = c->ops->rename_volume(c->st, c->index, c->req->name);
	if (r) {
		pr_err("cannot %s subarray %d of %s: %s", op_word(c), c->index, c->path,
		       c->ops->volume_edit_error(r));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* No volume left: every member gets its own spare record back (§1.6). */
static int spare_members(struct sub_ctx *c, int *ret_bad)
{
	int first = 0;

	for (int i = 0; i < c->n; i++) {
		int r = c->ops->member_index(c->st, &c->d[i]) >= 0 ? c->ops->add_disk(&c->d[i]) : 0;

		if (r && !first) {
			first = r;
			*ret_bad = i;
		}
	}
	return first;
}

static int commit_direct(struct sub_ctx *c)
{
	int bad = 0, r;

	if (c->ops->num_volumes(c->st) > 0)
		r = c->ops->write(c->st, c->d, c->n, &bad);
	else
		r = spare_members(c, &bad);
	if (r)
		pr_err("cannot write the metadata of %s to %s: %s", c->path, c->d[bad].path,
		       strerror(-r));
	return r ? EXIT_FAILED : EXIT_OK;
}

static int commit_mdmon(struct sub_ctx *c)
{
	int r;

	if (!mdmon_is_ours(c->devnm)) {
		pr_err("%s is served by an mdmon that does not take our metadata updates; run "
		       "'mdmon --takeover %s' first",
		       c->path, c->devnm);
		return EXIT_FAILED;
	}
	r = mdmon_volume_request(c->devnm, c->op == SUB_KILL ? MDMON_VOL_KILL : MDMON_VOL_RENAME,
				 c->index, c->op == SUB_RENAME ? c->req->name : NULL);
	if (r == -EBUSY)
		pr_err("cannot %s subarray %d of %s: md started it meanwhile", op_word(c), c->index,
		       c->path);
	else if (r)
		pr_err("mdmon for %s did not %s subarray %d: %s", c->path, op_word(c), c->index,
		       strerror(-r));
	return r ? EXIT_FAILED : EXIT_OK;
}

static void release(struct sub_ctx *c)
{
	for (int i = 0; i < c->n; i++)
		close(c->d[i].fd);
	if (c->st)
		c->ops->free(c->st);
}

static int run(struct sub_ctx *c)
{
	int rc = EXIT_OK;

	if (c->req->n_devs != 1) {
		pr_err("--%s-subarray takes one container", c->op == SUB_KILL ? "kill" : "update");
		return EXIT_USAGE;
	}
	c->path = c->req->devs[0].path;
	if (misc_parse_subarray(c->req->subarray, &c->index) < 0) {
		pr_err("%s has no subarray '%s'; subarrays are numbered 0, 1", c->path,
		       c->req->subarray ? c->req->subarray : "");
		return EXIT_USAGE;
	}
	rc = find_container(c);
	if (!rc)
		rc = load_container(c);
	if (!rc)
		rc = check_inactive(c);
	if (!rc)
		rc = edit_copy(c);
	/* every check passed: from here on the metadata changes */
	if (!rc)
		rc = mdmon_running(c->devnm) ? commit_mdmon(c) : commit_direct(c);
	release(c);
	return rc;
}

/* Upstream: 0 deleted, 2 refused (not found, active), 1 not written. */
int mode_kill_subarray(const struct request *req)
{
	struct sub_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return EXIT_FAILED;
	*c = (struct sub_ctx){.req = req, .op = SUB_KILL};
	rc = run(c);
	if (!rc)
		pr_err("Deleted subarray-%d from %s, UUIDs may have changed", c->index, c->path);
	free(c);
	return rc;
}

/* The --update words upstream takes for an IMSM subarray. */
static int check_update(const struct request *req)
{
	static const char *const later[] = {"ppl", "no-ppl", "bitmap", "no-bitmap"};

	if (!req->update) {
		pr_err("-U/--update must be specified with --update-subarray");
		return EXIT_FAILED; /* upstream's status */
	}
	for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++)
		if (strcmp(req->update, later[i]) == 0) {
			pr_err("--update=%s of an IMSM subarray is not supported yet; only "
			       "--update=name is",
			       req->update);
			return EXIT_USAGE;
		}
	if (strcmp(req->update, "name") != 0) {
		pr_err("'--update=%s' is not valid with --update-subarray; IMSM subarrays take "
		       "name",
		       req->update);
		return EXIT_USAGE;
	}
	if (!req->name || !*req->name) {
		pr_err("--update=name needs the new name: -N/--name NAME");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Upstream: 0 updated, 2 refused, 1 --update missing. */
int mode_update_subarray(const struct request *req)
{
	struct sub_ctx *c;
	int rc = check_update(req);

	if (rc)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c)
		return EXIT_FAILED;
	*c = (struct sub_ctx){.req = req, .op = SUB_RENAME};
	rc = run(c);
	if (!rc)
		pr_err("Updated subarray-%d name from %s, UUIDs may have changed", c->index,
		       c->path);
	free(c);
	return rc;
}
