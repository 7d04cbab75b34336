/*
 * Assemble.c: --assemble and --incremental of IMSM containers and their
 * volumes.
 *
 *   mdadm -A /dev/md/imsm0 DISKS     the container from these disks, then
 *                                    every volume it can run
 *   mdadm -A --scan                  every IMSM container found on the
 *                                    block devices of /proc/partitions
 *   mdadm -I DISK                    add one disk to its container (made
 *                                    when first seen); start each volume
 *                                    once all its disks are present
 *   mdadm -I CONTAINER               start the container's volumes
 *
 * Owns: reading every disk's copy, grouping copies into containers, and
 * taking the copy that speaks for a container (the handler's rules:
 * same_container(), supersedes()); then building through md-build.c.
 * Knows no format: the metadata handler (struct metadata_ops) reads and
 * judges the copies.  Never writes metadata.
 */
#include "mdadm.h"
#include "mdmon-client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define SYSROOT "/sys"
#define MAX_DISKS 128

/* One disk with its own copy of the metadata. */
struct found {
	struct md_disk dev;        /* fd closed once read */
	char path[PATH_MAX];
	struct super *st;          /* its copy */
	bool used;                 /* attached to a container being built */
};

struct scan {
	int n;
	struct found f[MAX_DISKS];
};

static void free_scan(struct scan *sc)
{
	for (int i = 0; i < sc->n; i++)
		sc->f[i].st->ops->free(sc->f[i].st);
	sc->n = 0;
}

/* Read one disk's copy; quiet unless report (named disks are reported,
 * scanned ones are skipped silently). */
static void read_error(const char *path, const struct metadata_ops *ops, int r)
{
	if (r == -ENODATA)
		pr_err("%s: no %s metadata found", path, metadata_titles());
	else if (ops->load_error(r))
		pr_err("%s: %s, not assembling", path, ops->load_error(r));
	else
		pr_err("cannot read %s metadata of %s: %s", ops->title, path, strerror(-r));
}

static int read_disk(struct scan *sc, const char *path, bool report)
{
	const struct metadata_ops *ops = NULL;
	struct found *f = &sc->f[sc->n];
	int r;

	if (sc->n >= MAX_DISKS)
		return -E2BIG;
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->dev.path = f->path;
	f->dev.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->dev.fd < 0) {
		if (report)
			pr_err("cannot open %s: %s", path, strerror(errno));
		return -errno;
	}
	r = metadata_load_disk(&f->dev, &f->st, &ops);
	close(f->dev.fd);
	f->dev.fd = -1;
	if (r && report)
		read_error(path, ops, r);
	if (!r)
		sc->n++;
	return r;
}

static int num_volumes(const struct super *st)
{
	return st->ops->num_volumes(st);
}

static bool same_container(const struct super *a, const struct super *b)
{
	return a->ops == b->ops && a->ops->same_container(a, b);
}

/* The copy that speaks for the group of sc->f[first] (the handler's
 * newest-copy rule). */
static const struct super *champion(const struct scan *sc, int first)
{
	const struct super *best = sc->f[first].st;

	for (int i = first + 1; i < sc->n; i++) {
		const struct super *st = sc->f[i].st;

		if (same_container(best, st) && st->ops->supersedes(st, best))
			best = st;
	}
	return best;
}

/* Is this disk a usable member or spare under the champion's table? */
static bool belongs(const struct super *champ, const struct found *f)
{
	if (num_volumes(f->st) == 0)
		return false; /* spare records are assembled separately */
	if (!same_container(champ, f->st))
		return false;
	return champ->ops->member_index(champ, &f->dev) >= 0;
}

/* Disks of one container, and the copy that speaks for it. */
struct group {
	const struct super *st;
	int n;
	struct md_disk d[MD_MAX_MEMBERS];
};

static void collect_group(struct scan *sc, int first, struct group *g)
{
	g->st = champion(sc, first);
	g->n = 0;
	for (int i = first; i < sc->n && g->n < MD_MAX_MEMBERS; i++) {
		if (sc->f[i].used || !belongs(g->st, &sc->f[i]))
			continue;
		sc->f[i].used = true;
		g->d[g->n++] = sc->f[i].dev;
	}
}

static bool volume_running(const char *container, int index)
{
	struct mdstat_array *stats;
	char want[48], parent[MDSTAT_NAME_MAX];
	bool found = false;

	if (mdstat_read(NULL, &stats) < 0)
		return false;
	snprintf(want, sizeof(want), "%d", index);
	for (struct mdstat_array *a = stats; a; a = a->next)
		if (mdstat_container_of(a, parent, sizeof(parent)) == 0 &&
		    strcmp(parent, container) == 0 &&
		    strcmp(strrchr(a->metadata, '/') + 1, want) == 0)
			found = true;
	mdstat_free(stats);
	return found;
}

/* A name for the volume: its own, or NAME_N when /dev/md/NAME is taken. */
static void volume_name(const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(buf, len, "%s", name);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/dev/md/%s", buf);
		if (access(path, F_OK) != 0)
			return;
		snprintf(buf, len, "%s_%d", name, i);
	}
}

/* Enough members for md to run the volume (degraded is allowed); during a
 * reshape in both geometries. */
static bool can_run(const struct md_volume_cfg *v)
{
	int slots =
	    v->reshape && v->new_raid_disks > v->raid_disks ? v->new_raid_disks : v->raid_disks;
	int missing = slots - v->n_members;

	switch (v->level) {
	case 1:
		return v->n_members >= 1;
	case 4:
	case 5:
		return missing <= 1;
	case 10:
		return missing <= v->raid_disks / 2; /* FIXME: per mirror pair */
	default:
		return missing == 0;
	}
}

/* The restore of an interrupted reshape, and the record saying so: only
 * now that the volume is known not to run (md-kernel-interface.md §9.4.6). */
static int prepare_volume(const struct md_volume_cfg *v)
{
	int r = md_volume_writes(v);

	if (r)
		pr_err("cannot restore the reshape backup of volume %s: %s", v->name, strerror(-r));
	return r;
}

static void report_started(const char *path, const struct md_volume_cfg *v)
{
	pr_err("%s has been assembled with %d device%s%s and started.", path, v->n_members,
	       v->n_members == 1 ? "" : "s", v->n_absent ? " (degraded)" : "");
}

/*
 * Build and start one volume.  Returns 0 when nothing was started, else
 * START_* bits: mdmon must serve it, a reshape waits for --grow --continue.
 */
#define START_MDMON 1
#define START_RESHAPE 2

static int start_one_volume(const char *container, const struct md_volume_cfg *v, bool complete)
{
	char devnm[32] = "", name[64], path[96], meta[48];
	int r;

	if (volume_running(container, v->index) || (complete && v->n_absent))
		return 0;
	if (v->refuse_why[0]) {
		pr_err("cannot start volume %s: %s", v->name, v->refuse_why);
		return -EUCLEAN;
	}
	if (!can_run(v))
		return 0;
	r = prepare_volume(v);
	if (r)
		return r;
	volume_name(v->name, name, sizeof(name));
	snprintf(path, sizeof(path), "/dev/md/%s", name);
	r = md_alloc(devnm, sizeof(devnm));
	if (!r)
		r = md_build_volume(container, devnm, v);
	if (!r)
		r = md_start_volume(devnm, v);
	if (!r)
		r = md_link_name(devnm, name);
	snprintf(meta, sizeof(meta), "/%s/%d", container, v->index);
	if (!r)
		r = map_add(devnm, meta, "00000000:00000000:00000000:00000000", path);
	if (r) {
		pr_err("cannot start volume %s: %s", v->name, strerror(-r));
		if (devnm[0])
			md_teardown(devnm);
		return r;
	}
	report_started(path, v);
	return (v->level != 0 || v->grow_continue ? START_MDMON : 0) |
	       (v->grow_continue ? START_RESHAPE : 0);
}

/*
 * The reshape the metadata records goes on in the background: our own
 * binary, detached (its own session, no terminal, not our child), as
 * `mdadm --grow --continue /dev/CONTAINER`.  MDADM_NO_GROW_CONTINUE=1
 * leaves it assembled and held (tests look at that state).
 */
static void grow_continue(const char *container)
{
	const char *no = getenv("MDADM_NO_GROW_CONTINUE");
	char dev[48];
	pid_t pid;
	int fd;

	snprintf(dev, sizeof(dev), "/dev/%s", container);
	if (no && strcmp(no, "1") == 0) {
		pr_err("reshape of %s held at its checkpoint (MDADM_NO_GROW_CONTINUE=1); "
		       "hint: mdadm --grow --continue %s", dev, dev);
		return;
	}
	pid = fork();
	if (pid == 0) {
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0 && (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0))
			_exit(127);
		execl("/proc/self/exe", "mdadm", "--grow", "--continue", dev, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, NULL, 0) < 0) {
		pr_err("cannot continue the reshape of %s: %s; hint: mdadm --grow --continue %s",
		       dev, strerror(errno), dev);
		return;
	}
	pr_err("continuing the reshape of %s in the background", dev);
}

/*
 * Start every volume of the container that md can run.  With complete,
 * only volumes whose disks are all present (incremental assembly).
 */
static int start_volumes(const char *container, const struct group *g, bool complete)
{
	struct md_volume_cfg *v = calloc(1, sizeof(*v));
	int r, rc = 0, started = 0;

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < num_volumes(g->st); i++) {
		if (g->st->ops->volume_md_cfg(g->st, i, g->d, g->n, v) < 0)
			continue;
		r = start_one_volume(container, v, complete);
		if (r < 0)
			rc = r;
		else
			started |= r;
	}
	free(v);
	if ((started & START_MDMON) && (mdmon_start(container) || mdmon_ping(container)))
		pr_err("warning: mdmon for %s did not start; its volumes stay read-only, continuing",
		       container);
	if (started & START_RESHAPE) {
		if (md_link_name(container, container) < 0)
			pr_err("warning: no /dev/%s for the reshape to continue on, continuing",
			       container);
		grow_continue(container);
	}
	return rc;
}

static int build_group(const char *path, const struct group *g, char *devnm, size_t len)
{
	struct md_member_cfg cfg[MD_MAX_MEMBERS];
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int r;

	for (int i = 0; i < g->n; i++)
		g->st->ops->container_member(&g->d[i], &cfg[i]);
	r = md_alloc(devnm, len);
	if (!r)
		r = md_build_container(devnm, g->st->ops->name, cfg, g->n);
	if (!r)
		r = md_link_name(devnm, name);
	if (!r)
		r = map_add(devnm, g->st->ops->name, "00000000:00000000:00000000:00000000", path);
	if (r) {
		pr_err("cannot assemble %s: %s", path, r == -EBUSY ? "a disk is in use" : strerror(-r));
		md_teardown(devnm);
		return r;
	}
	pr_err("Container %s has been assembled with %d drive%s", path, g->n, g->n == 1 ? "" : "s");
	return 0;
}

static int assemble_group(const char *path, const struct group *g)
{
	char devnm[32];

	if (build_group(path, g, devnm, sizeof(devnm)))
		return EXIT_FAILED;
	return start_volumes(devnm, g, false) ? EXIT_FAILED : EXIT_OK;
}

/* "/dev/md/imsmN" (the format's name) for the first N not in use. */
static void free_container_name(const struct super *st, char *buf, size_t len)
{
	for (int i = 0; i < 100; i++) {
		snprintf(buf, len, "/dev/md/%s%d", st->ops->name, i);
		if (access(buf, F_OK) != 0)
			return;
	}
}

static int scan_partitions(struct scan *sc)
{
	char line[256], name[64], path[96];
	FILE *f = fopen("/proc/partitions", "r");
	unsigned int maj, min;
	unsigned long long blocks;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %u %u %llu %63s", &maj, &min, &blocks, name) == 4 &&
		    strncmp(name, "md", 2) != 0) {
			snprintf(path, sizeof(path), "/dev/%s", name);
			(void)read_disk(sc, path, false); /* not IMSM: not ours */
		}
	fclose(f);
	return 0;
}

static int assemble_scan(struct scan *sc)
{
	struct group *g = calloc(1, sizeof(*g));
	char path[64];
	int rc = EXIT_OK, found = 0;

	if (!g || scan_partitions(sc) < 0)
		rc = EXIT_FAILED;
	for (int i = 0; rc == EXIT_OK && i < sc->n; i++) {
		if (sc->f[i].used || num_volumes(sc->f[i].st) == 0)
			continue;
		collect_group(sc, i, g);
		free_container_name(g->st, path, sizeof(path));
		found++;
		if (assemble_group(path, g) != EXIT_OK)
			rc = EXIT_FAILED;
	}
	if (rc == EXIT_OK && !found) {
		pr_err("No arrays found in config file or automatically");
		rc = EXIT_FAILED;
	}
	free(g);
	return rc;
}

static int assemble_named(const struct request *req, struct scan *sc)
{
	struct group *g;
	int rc;

	for (int i = 0; i < req->n_devs; i++)
		if (read_disk(sc, req->devs[i].path, true) < 0)
			return EXIT_FAILED;
	for (int i = 0; i < sc->n; i++)
		if (num_volumes(sc->f[i].st) == 0) {
			pr_err("%s holds only a spare record: no volume to assemble", sc->f[i].path);
			return EXIT_FAILED;
		}
	g = calloc(1, sizeof(*g));
	if (!g)
		return EXIT_FAILED;
	collect_group(sc, 0, g);
	rc = EXIT_OK;
	for (int i = 0; i < sc->n; i++)
		if (!sc->f[i].used) {
			pr_err("%s is not part of the same container as %s, not assembled",
			       sc->f[i].path, sc->f[0].path);
			rc = EXIT_FAILED;
		}
	if (rc == EXIT_OK)
		rc = assemble_group(req->array, g);
	free(g);
	return rc;
}

int mode_assemble(const struct request *req)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	char devnm[32];
	int rc;

	if (!sc)
		return EXIT_FAILED;
	if (req->array && util_md_devnm(SYSROOT, req->array, devnm, sizeof(devnm)) == 0) {
		pr_err("%s is already active (%s)", req->array, devnm);
		rc = EXIT_FAILED;
	} else if (!req->array || (req->scan && req->n_devs == 0)) {
		rc = assemble_scan(sc);
	} else if (req->n_devs == 0) {
		pr_err("no devices given to assemble %s", req->array);
		rc = EXIT_USAGE;
	} else {
		rc = assemble_named(req, sc);
	}
	free_scan(sc);
	free(sc);
	return rc;
}

/* ---- incremental ---------------------------------------------------------- */

/* Read the copies of every disk a running container holds. */
static int read_container(const char *devnm, struct scan *sc)
{
	struct md_array_info info;
	struct md_sysfs md;
	char path[PATH_MAX];
	int r;

	sysfs_init(&md, SYSROOT, devnm);
	r = sysfs_read_array(&md, &info);
	if (r)
		return r;
	for (int i = 0; i < info.n_members; i++) {
		if (util_devpath_of(makedev(info.members[i].major, info.members[i].minor), path,
				    sizeof(path)) < 0)
			continue;
		(void)read_disk(sc, path, false); /* an unreadable copy is left out */
	}
	sysfs_free_array(&info);
	return 0;
}

/* The running container whose metadata the copy belongs to. */
static int find_home(const struct super *copy, struct scan *sc, char *ret, size_t len)
{
	struct mdstat_array *stats;
	int r = -ENOENT;

	if (mdstat_read(NULL, &stats) < 0)
		return -EIO;
	for (struct mdstat_array *a = stats; a && r; a = a->next) {
		if (!mdstat_is_container(a))
			continue;
		free_scan(sc);
		if (read_container(a->devnm, sc) == 0 && sc->n > 0 &&
		    same_container(champion(sc, 0), copy)) {
			snprintf(ret, len, "%s", a->devnm);
			r = 0;
		}
	}
	mdstat_free(stats);
	free_scan(sc);
	return r;
}

/* Start what the container can run now. */
static int start_container_volumes(const char *devnm, bool complete)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	struct group *g = calloc(1, sizeof(*g));
	int rc = EXIT_FAILED;

	if (sc && g && read_container(devnm, sc) == 0 && sc->n > 0) {
		collect_group(sc, 0, g);
		rc = start_volumes(devnm, g, complete) ? EXIT_FAILED : EXIT_OK;
	}
	if (sc)
		free_scan(sc);
	free(sc);
	free(g);
	return rc;
}

static int add_to_container(const char *devnm, const struct super *st, const struct md_disk *d)
{
	struct md_member_cfg cfg;
	char path[PATH_MAX];
	int r;

	st->ops->container_member(d, &cfg);
	r = md_container_add(devnm, &cfg);
	util_md_display_path(devnm, path, sizeof(path));
	if (r)
		pr_err("cannot add %s to %s: %s", d->path, path, strerror(-r));
	else
		pr_err("%s attached to %s", d->path, path);
	return r;
}

static int incremental_disk(const struct request *req, struct scan *sc)
{
	struct scan *homes = calloc(1, sizeof(*homes));
	struct group g1 = { 0 };
	char devnm[32], path[64];
	int r;

	if (!homes)
		return EXIT_FAILED;
	if (read_disk(sc, req->devs[0].path, true) < 0 || num_volumes(sc->f[0].st) == 0) {
		if (sc->n)
			pr_err("%s holds only a spare record; add it with mdadm --add", sc->f[0].path);
		free(homes);
		return EXIT_FAILED;
	}
	r = find_home(sc->f[0].st, homes, devnm, sizeof(devnm));
	free(homes);
	if (r == 0) {
		r = add_to_container(devnm, sc->f[0].st, &sc->f[0].dev);
	} else {
		g1.st = sc->f[0].st;
		g1.n = 1;
		g1.d[0] = sc->f[0].dev;
		free_container_name(g1.st, path, sizeof(path));
		r = build_group(path, &g1, devnm, sizeof(devnm));
	}
	if (r)
		return EXIT_FAILED;
	return start_container_volumes(devnm, !req->run);
}

int mode_incremental(const struct request *req)
{
	struct scan *sc;
	char devnm[32];
	int rc;

	if (req->n_devs == 0)
		return mode_not_implemented("--incremental --scan");
	if (req->devs[0].action == MANAGE_FAIL)
		return mode_not_implemented("--incremental --fail");
	if (util_md_devnm(SYSROOT, req->devs[0].path, devnm, sizeof(devnm)) == 0)
		return start_container_volumes(devnm, false);
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return EXIT_FAILED;
	rc = incremental_disk(req, sc);
	free_scan(sc);
	free(sc);
	return rc;
}
