/*
 * Assemble.c: --assemble and --incremental of IMSM containers and their
 * volumes.
 *
 *   mdadm -A /dev/md/imsm0 DISKS     the container from these disks, then
 *                                    every volume it can run
 *   mdadm -A --scan [-c CONF]        the arrays mdadm.conf lists (ARRAY
 *                                    lines), or with none every container
 *                                    on the conf's DEVICE list (default:
 *                                    /proc/partitions) that AUTO allows
 *   mdadm -A MD, -A --scan MD        MD's ARRAY line in mdadm.conf
 *   mdadm -A [-u UUID|-N NAME] ...   only the container or volume so named
 *   mdadm -I DISK                    add one disk to its container (made
 *                                    when first seen); start each volume
 *                                    once all its disks are present
 *   mdadm -I CONTAINER, -I --scan    start what can run (-R: degraded too)
 *   mdadm -I --rebuild-map           the map file again from what runs
 *   mdadm -If DEV [--path P]         DEV left: fail it in every volume,
 *                                    then take it out of its container
 *
 * Names (upstream's rules, so that udev, scripts and the map file see the
 * same /dev/md names either tool gives): an ARRAY line's device name
 * first; else a container is "imsmN", the first N free; a volume is
 * "NAME_N" (IMSM records no home host, so upstream treats every volume
 * as foreign and always adds the suffix), or "NAME" when the conf says
 * HOMEHOST <ignore> or its ARRAY line matched without a device name.  Names
 * from disk are cleaned (conf_clean_name) before they become paths.
 *
 * Owns: reading every disk's copy, grouping copies into containers, and
 * taking the copy that speaks for a container (the handler's rules:
 * same_container(), supersedes()); then building through md-build.c.
 * Knows no format: the metadata handler (struct metadata_ops) reads and
 * judges the copies.  Never writes metadata.
 */
#include "config.h"
#include "mdadm.h"
#include "mdmon-client.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define SYSROOT "/sys"
#define MAX_DISKS 128

/* One disk with its own copy of the metadata. */
struct found {
	struct md_disk dev; /* fd closed once read */
	char path[PATH_MAX];
	struct super *st; /* its copy */
	bool used;	  /* attached to a container being built */
	bool torn;	  /* st a stand-in for a copy a cut tore (load_torn()) */
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
	if (r == -EBADMSG && ops && ops->load_torn && ops->load_torn(&f->dev, &f->st) == 0) {
		f->torn = true; /* placed, if at all, by its container's copies */
		r = 0;
	}
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
 * newest-copy rule), or of the first copy with volumes after it. */
static const struct super *champion(const struct scan *sc, int first)
{
	const struct super *best = sc->f[first].st;

	for (int i = first + 1; i < sc->n; i++) {
		const struct super *st = sc->f[i].st;

		if (num_volumes(best) == 0 ||
		    (same_container(best, st) && st->ops->supersedes(st, best)))
			best = st;
	}
	return best;
}

/* Is this disk a usable member or spare under the champion's table?  A
 * spare's record is assembled separately, unless the table takes that
 * disk into a volume by a migration it records (a cut came before the
 * migration's first copy reached the disk); a torn copy's disk only when
 * the table has it in a volume. */
static bool joins(const struct super *champ, const struct found *f)
{
	return champ->ops->joining && champ->ops->joining(champ, f->st, &f->dev);
}

static bool belongs(const struct super *champ, const struct found *f)
{
	if (num_volumes(champ) == 0)
		return false;
	if (num_volumes(f->st) == 0)
		return joins(champ, f);
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
		if (sc->f[i].torn)
			pr_err("warning: %s: its metadata copy fails its checksum (a cut tore it, or "
			       "it is damaged); a member all the same by its container's other copies",
			       sc->f[i].path);
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

/*
 * The reshape the metadata records goes on in the background, as
 * `mdadm --grow --continue /dev/CONTAINER`: started by systemd as
 * mdadm-grow-continue@CONTAINER.service when it manages the services (so
 * that the continuation is a service of its own, stopped cleanly at
 * shutdown), else our own binary, detached (its own session, no terminal,
 * not our child; its messages go to the kernel log).
 * MDADM_NO_GROW_CONTINUE=1 leaves it assembled and held
 * (tests look at that state).
 */
static void grow_continue(const char *container)
{
	const char *no = getenv("MDADM_NO_GROW_CONTINUE");
	char dev[48], unit[96];
	pid_t pid;
	int fd;

	snprintf(dev, sizeof(dev), "/dev/%s", container);
	if (no && strcmp(no, "1") == 0) {
		pr_err("reshape of %s held at its checkpoint (MDADM_NO_GROW_CONTINUE=1); "
		       "hint: mdadm --grow --continue %s",
		       dev, dev);
		return;
	}
	if (systemd_unit_name(unit, sizeof(unit), "mdadm-grow-continue", container) == 0 &&
	    systemd_start_unit(unit, "continuing it directly") == 0) {
		pr_err("continuing the reshape of %s in the background (%s)", dev, unit);
		return;
	}
	pid = fork();
	if (pid == 0) {
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0 && (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0))
			_exit(127);
		/* its messages (a failure above all) to the kernel log, as
		 * systemd's unit puts them in the journal */
		fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && dup2(fd, 2) < 0)
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

/* ---- what the user asked, and the conf ------------------------------------ */

/* Which arrays of a container group the request selects. */
enum target_kind { TARGET_ALL, TARGET_CONTAINER, TARGET_VOLUME, TARGET_NONE };

struct target {
	enum target_kind kind;
	int index;	  /* TARGET_VOLUME: the volume */
	const char *path; /* the name asked for it (-A MD, ARRAY line), or NULL */
};

/* What one run of the mode knows besides the request. */
struct ctx {
	const struct request *req;
	struct conf conf;
	bool have_conf_arrays; /* ARRAY lines other than <ignore> ones */
	bool quiet;	       /* --export: stdout carries the result */
	bool complete_only;    /* start only volumes with every disk */
	bool started_any, left_any;
	char want_uuid[CONF_UUID_TEXT_BYTES]; /* -u, normalised; "" if none */
	bool update_uuid;      /* --update=uuid: -u is the new UUID, not a filter */
};

static void say(const struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Progress lines: upstream's wording on stderr, not with --export. */
static void say(const struct ctx *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (c->quiet || c->req->verbose < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pr_err("%s", buf);
}

static void report_diags(const struct conf *conf)
{
	for (const struct conf_diag *d = conf->diags; d; d = d->next)
		pr_err("%s:%d: %s", d->file, d->line, d->msg);
}

/* Load mdadm.conf; a file named with -c that cannot be read fails. */
static int ctx_init(struct ctx *c, const struct request *req)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->req = req;
	c->quiet = req->export;
	r = conf_load(&c->conf, req->config);
	if (r) {
		pr_err("cannot read %s: %s", req->config ? req->config : "mdadm.conf",
		       strerror(-r));
		return EXIT_FAILED;
	}
	report_diags(&c->conf);
	/* A refused ARRAY line still says the admin lists arrays: auto-
	 * assembling everything instead would not be what the file asks. */
	c->have_conf_arrays = c->conf.n_refused_arrays > 0;
	for (const struct conf_array *a = c->conf.arrays; a; a = a->next)
		if (!a->devname || strcasecmp(a->devname, "<ignore>") != 0)
			c->have_conf_arrays = true;
	c->update_uuid = req->update && strcmp(req->update, "uuid") == 0;
	if (req->uuid && !c->update_uuid && conf_parse_uuid(req->uuid, c->want_uuid) < 0) {
		pr_err("invalid UUID: %s", req->uuid);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static bool is_ignore(const struct conf_array *a)
{
	return a && a->devname && strcasecmp(a->devname, "<ignore>") == 0;
}

static int container_uuid(const struct super *st, char ret[MD_UUID_TEXT_BYTES])
{
	return st->ops->uuid(st, MD_UUID_CONTAINER, ret);
}

/* The ARRAY line of a container: its UUID, no member=. */
static const struct conf_array *conf_container_line(const struct ctx *c, const char *cuuid)
{
	for (const struct conf_array *a = c->conf.arrays; a; a = a->next)
		if (!a->member && !a->container && a->uuid_set && strcmp(a->uuid, cuuid) == 0)
			return a;
	return NULL;
}

/* Does an ARRAY line's container= name this container? */
static bool conf_names_container(const struct ctx *c, const struct conf_array *a, const char *cuuid,
				 const char *cpath)
{
	const struct conf_array *cl;

	if (!a->container)
		return false;
	if (a->container_is_uuid)
		return strcmp(a->container, cuuid) == 0;
	if (cpath && conf_devname_matches(a->container, cpath))
		return true;
	cl = conf_container_line(c, cuuid);
	return cl && cl->devname && conf_devname_matches(a->container, cl->devname);
}

/* The ARRAY line of volume index: container= and member=, or its UUID. */
static const struct conf_array *conf_volume_line(const struct ctx *c, const char *cuuid,
						 const char *cpath, int index, const char *vuuid)
{
	char want[16];

	snprintf(want, sizeof(want), "%d", index);
	for (const struct conf_array *a = c->conf.arrays; a; a = a->next) {
		if (a->uuid_set && strcmp(a->uuid, vuuid) != 0)
			continue;
		if (a->member && strcmp(a->member, want) == 0 &&
		    conf_names_container(c, a, cuuid, cpath))
			return a;
		if (!a->member && !a->container && a->uuid_set)
			return a; /* a volume named by its UUID alone */
	}
	return NULL;
}

/* ---- names ---------------------------------------------------------------- */

/* A link left by an array that stopped without udev or our -S. */
static bool stale_link(const char *path, const struct stat *st)
{
	char target[PATH_MAX], sys[PATH_MAX + 32];
	ssize_t n;

	if (!S_ISLNK(st->st_mode))
		return false;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	snprintf(sys, sizeof(sys), SYSROOT "/block/%s/md",
		 strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	return access(sys, F_OK) != 0;
}

/* Is /dev/md/NAME in use: a link or node there, or a map line of an array
 * that still exists (upstream looks only at the map; without udev the
 * link is there too). */
static bool name_taken(const char *name)
{
	struct map_entry *map = NULL;
	char path[PATH_MAX], sys[96];
	struct stat st;
	bool taken = false;
	int n = 0;

	snprintf(path, sizeof(path), "/dev/md/%s", name);
	if (lstat(path, &st) == 0 && !stale_link(path, &st))
		return true;
	if (map_read(&map, &n) < 0)
		return false;
	for (int i = 0; i < n && !taken; i++) {
		snprintf(sys, sizeof(sys), SYSROOT "/block/%s", map[i].devnm);
		taken = strcmp(map[i].path, path) == 0 && access(sys, F_OK) == 0;
	}
	free(map);
	return taken;
}

/*
 * A free name from a base name: "imsm" gives imsm0, imsm1, ... (a base
 * that does not end in a digit, as upstream numbers metadata names);
 * foreign "vol" gives vol_0, vol_1, ...; a local name is itself when free.
 */
enum name_trust { NAME_LOCAL, NAME_FOREIGN, NAME_METADATA };

static void free_name(const char *base, enum name_trust trust, char *ret, size_t len)
{
	char cand[128];
	size_t blen = strlen(base);
	bool digit_end = blen && base[blen - 1] >= '0' && base[blen - 1] <= '9';

	if (trust == NAME_LOCAL && !name_taken(base)) {
		snprintf(ret, len, "%s", base);
		return;
	}
	for (int i = 0; i < 1000; i++) {
		if (trust == NAME_METADATA && !digit_end)
			snprintf(cand, sizeof(cand), "%s%d", base, i);
		else
			snprintf(cand, sizeof(cand), "%s_%d", base, i);
		if (!name_taken(cand))
			break;
	}
	snprintf(ret, len, "%s", cand);
}

/*
 * How an array is made and shown: a specific mdN ("/dev/mdN" asked for),
 * a /dev/md/NAME link, or neither (a volume without a usable name).
 */
struct md_name {
	char devnm[32]; /* "" : any free mdN */
	char link[128]; /* NAME for /dev/md/NAME; "" : none */
};

/* From a user's or conf's device name (already checked by the parser, or
 * cleaned here when it came from the command line). */
static void name_from_path(const char *path, struct md_name *ret)
{
	const char *s = conf_devname_short(path);
	char clean[128];

	memset(ret, 0, sizeof(*ret));
	if (!s)
		return;
	if (strncmp(s, "md", 2) == 0 && s[2] >= '0' && s[2] <= '9' && strchr(path, '/') &&
	    strncmp(path, "/dev/md/", 8) != 0) {
		snprintf(ret->devnm, sizeof(ret->devnm), "%.30s", s);
		return;
	}
	conf_clean_name(s, strlen(s), clean, sizeof(clean));
	snprintf(ret->link, sizeof(ret->link), "%s", clean);
}

/* The path the map file and messages show. */
static void name_path(const struct md_name *n, const char *devnm, char *ret, size_t len)
{
	if (n->link[0])
		snprintf(ret, len, "/dev/md/%s", n->link);
	else
		snprintf(ret, len, "/dev/%s", devnm);
}

static void container_name(const struct ctx *c, const struct super *st, const char *asked,
			   struct md_name *ret)
{
	char cuuid[MD_UUID_TEXT_BYTES];
	const struct conf_array *line;

	if (asked) {
		name_from_path(asked, ret);
		return;
	}
	line = container_uuid(st, cuuid) == 0 ? conf_container_line(c, cuuid) : NULL;
	if (line && line->devname) {
		name_from_path(line->devname, ret);
		return;
	}
	memset(ret, 0, sizeof(*ret));
	free_name(st->ops->name, NAME_METADATA, ret->link, sizeof(ret->link));
}

static void volume_name(const struct ctx *c, const struct conf_array *line,
			const struct md_volume_cfg *v, struct md_name *ret)
{
	char clean[64];

	if (line && line->devname) {
		name_from_path(line->devname, ret);
		return;
	}
	memset(ret, 0, sizeof(*ret));
	if (conf_clean_name(v->name, sizeof(v->name), clean, sizeof(clean)) == 0)
		return; /* no name: /dev/mdN only, as upstream */
	free_name(clean, line || c->conf.homehost_ignore ? NAME_LOCAL : NAME_FOREIGN, ret->link,
		  sizeof(ret->link));
}

/* Allocate the md device a name asks for (a specific mdN, or any). */
static int alloc_named(const struct md_name *n, char *devnm, size_t len)
{
	int r;

	if (!n->devnm[0])
		return md_alloc(devnm, len);
	r = md_alloc_devnm(n->devnm);
	if (!r)
		snprintf(devnm, len, "%s", n->devnm);
	return r;
}

static int link_named(const struct md_name *n, const char *devnm)
{
	return md_link_name(devnm, n->link[0] ? n->link : devnm);
}

/* ---- volumes ---------------------------------------------------------------- */

static void report_started(const struct ctx *c, const char *path, const struct md_volume_cfg *v)
{
	say(c, "%s has been assembled with %d device%s%s and started.", path, v->n_members,
	    v->n_members == 1 ? "" : "s", v->n_absent ? " (degraded)" : "");
}

/*
 * Build and start one volume.  Returns 0 when nothing was started, else
 * START_* bits: mdmon must serve it, a reshape waits for --grow --continue.
 */
#define START_MDMON 1
#define START_RESHAPE 2

static int build_volume(const struct ctx *c, const char *container, struct md_volume_cfg *v,
			const struct md_name *name, const char *vuuid)
{
	char devnm[32] = "", path[160], meta[48];
	int r;

	if (c->req->readonly)
		v->frozen = true; /* "-": mdmon leaves it read-only, as upstream's -o */
	r = alloc_named(name, devnm, sizeof(devnm));
	/* named before md lists it: a monitor that wakes on it finds the name */
	if (!r)
		r = link_named(name, devnm);
	if (!r)
		r = md_build_volume(container, devnm, v);
	if (!r)
		r = c->req->readonly ? md_start_volume_ro(devnm, v) : md_start_volume(devnm, v);
	name_path(name, devnm, path, sizeof(path));
	snprintf(meta, sizeof(meta), "/%s/%d", container, v->index);
	if (!r)
		r = map_add(devnm, meta, vuuid, path);
	if (r) {
		pr_err("cannot start volume %s: %s", path, strerror(-r));
		if (devnm[0]) {
			md_unlink_name(devnm);
			md_teardown(devnm);
		}
		return r;
	}
	report_started(c, path, v);
	return 0;
}

/* Where a container's volumes go: the container and how it is named. */
struct home {
	const char *devnm; /* the container md device */
	const char *path;  /* as shown */
	char uuid[MD_UUID_TEXT_BYTES];
};

/*
 * md refuses to start a parity volume that is degraded with a resync
 * pending ("dirty degraded"): a row written when the power went may hold
 * parity that does not match, and a missing member's chunk of it would be
 * rebuilt from that.  Refused with the reason, or with --force started as
 * if clean (upstream's --force on a dirty degraded array), with a warning.
 */
static int dirty_degraded(const struct ctx *c, struct md_volume_cfg *v)
{
	if (v->resync_start == SYSFS_NONE || !v->n_absent || v->level < 4 || v->level > 6)
		return 0;
	if (!c->req->force) {
		pr_err("cannot start volume %s: it is degraded and its parity may not match "
		       "(not stopped cleanly, or never initialised); "
		       "--force starts it as it is",
		       v->name);
		return -EUCLEAN;
	}
	pr_err("warning: starting volume %s degraded and not clean (--force): "
	       "a row written when it stopped may read back wrong",
	       v->name);
	v->resync_start = SYSFS_NONE;
	return 0;
}

/* Start volume v unless it runs, must wait, or the conf ignores it. */
static int start_one_volume(struct ctx *c, const struct home *h, struct md_volume_cfg *v,
			    const struct target *t, const char *vuuid)
{
	const struct conf_array *line = NULL;
	struct md_name name;
	int r;

	if (volume_running(h->devnm, v->index))
		return 0;
	if (v->refuse_why[0]) {
		pr_err("cannot start volume %s: %s", v->name, v->refuse_why);
		return -EUCLEAN;
	}
	if (!can_run(v) || (c->complete_only && v->n_absent)) {
		c->left_any = true;
		return 0;
	}
	if (t->kind == TARGET_VOLUME && t->path) {
		name_from_path(t->path, &name);
	} else {
		line = conf_volume_line(c, h->uuid, h->path, v->index, vuuid);
		if (is_ignore(line))
			return 0;
		volume_name(c, line, v, &name);
	}
	r = dirty_degraded(c, v);
	if (!r)
		r = prepare_volume(v);
	if (!r)
		r = build_volume(c, h->devnm, v, &name, vuuid);
	if (r)
		return r;
	c->started_any = true;
	return (v->level != 0 || v->grow_continue ? START_MDMON : 0) |
	       (v->grow_continue ? START_RESHAPE : 0);
}

static void after_start(const struct ctx *c, const char *container, int started)
{
	/* -o: nothing may be written, so no mdmon yet (FIXME(monitor.c): ours
	 * turns a "readonly" array read-auto even when "-" asks it not to;
	 * upstream's leaves it; --readwrite must start mdmon then) */
	if (c->req->readonly)
		started &= ~START_MDMON;
	if ((started & START_MDMON) && (mdmon_start(container) || mdmon_ping(container)))
		pr_err(
		    "warning: mdmon for %s did not start; its volumes stay read-only, continuing",
		    container);
	if (!(started & START_RESHAPE))
		return;
	if (md_link_name(container, container) < 0)
		pr_err("warning: no /dev/%s for the reshape to continue on, continuing", container);
	if (c->req->freeze_reshape) {
		say(c,
		    "reshape of /dev/%s left frozen (--freeze-reshape); "
		    "hint: mdadm --grow --continue /dev/%s",
		    container, container);
		return;
	}
	grow_continue(container);
}

/*
 * Start the volumes of the container the target selects that md can run
 * (with complete_only, only those whose disks are all present).
 */
static int start_volumes(struct ctx *c, const struct home *h, const struct group *g,
			 const struct target *t)
{
	struct md_volume_cfg *v = calloc(1, sizeof(*v));
	char vuuid[MD_UUID_TEXT_BYTES];
	int r, rc = 0, started = 0;

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < num_volumes(g->st); i++) {
		if (t->kind == TARGET_CONTAINER || (t->kind == TARGET_VOLUME && t->index != i))
			continue;
		if (g->st->ops->volume_md_cfg(g->st, i, g->d, g->n, v) < 0 ||
		    g->st->ops->uuid(g->st, i, vuuid) < 0)
			continue;
		r = start_one_volume(c, h, v, t, vuuid);
		if (r < 0)
			rc = r;
		else
			started |= r;
	}
	free(v);
	after_start(c, h->devnm, started);
	return rc;
}

/*
 * udev saw the container appear before its metadata and disks were set
 * (its rules then find no UUID to link): announce the finished state.
 */
static void container_changed(const char *devnm)
{
	struct md_sysfs md;

	sysfs_init(&md, SYSROOT, devnm);
	if (sysfs_uevent_change(&md) < 0)
		return; /* only udev's links depend on it: nothing to undo */
}

/* ---- containers ------------------------------------------------------------- */

static int build_group(const struct ctx *c, const struct md_name *name, const struct group *g,
		       char *devnm, size_t len, char *path, size_t plen)
{
	struct md_member_cfg cfg[MD_MAX_MEMBERS];
	char cuuid[MD_UUID_TEXT_BYTES];
	int r;

	for (int i = 0; i < g->n; i++)
		g->st->ops->container_member(&g->d[i], &cfg[i]);
	devnm[0] = '\0';
	r = container_uuid(g->st, cuuid);
	if (!r)
		r = alloc_named(name, devnm, len);
	/* named before md lists it: a monitor that wakes on it finds the name */
	if (!r)
		r = link_named(name, devnm);
	if (!r)
		r = md_build_container(devnm, g->st->ops->name, cfg, g->n);
	name_path(name, devnm[0] ? devnm : "md", path, plen);
	if (!r)
		r = map_add(devnm, g->st->ops->name, cuuid, path);
	if (r) {
		pr_err("cannot assemble %s: %s", path,
		       r == -EBUSY ? "a disk is in use" : strerror(-r));
		if (devnm[0]) {
			md_unlink_name(devnm);
			md_teardown(devnm);
		}
		return r;
	}
	say(c, "Container %s has been assembled with %d drive%s", path, g->n, g->n == 1 ? "" : "s");
	container_changed(devnm);
	return 0;
}

/* The container of g, then what the target selects inside it. */
/*
 * --update=uuid: the container's new identity written to every disk of
 * the group before md sees them (each opened exclusively: none may be in
 * use).  The group's copy is the scan's own (the cast drops the const the
 * group keeps for everyone else).
 */
static int update_group_uuid(const struct ctx *c, const struct group *g)
{
	struct md_disk d[MD_MAX_MEMBERS];
	struct super *st = (struct super *)g->st;
	int n = 0, bad = 0, r = 0;

	for (; n < g->n && !r; n++) {
		d[n] = g->d[n];
		d[n].fd = open(g->d[n].path, O_RDWR | O_EXCL | O_CLOEXEC);
		if (d[n].fd < 0) {
			r = -errno;
			bad = n;
		}
	}
	if (!r && !st->ops->update_uuid)
		r = -EOPNOTSUPP;
	if (!r)
		r = st->ops->update_uuid(st, c->req->uuid ? c->req->uuid_bin : NULL);
	if (r == -EINVAL)
		pr_err("--update=uuid: IMSM keeps a 32-bit family number; give a UUID whose four words are equal, or none");
	else if (!r && (r = st->ops->write(st, d, g->n, &bad)) < 0)
		pr_err("--update=uuid: cannot write %s: %s", d[bad].path, strerror(-r));
	else if (r)
		pr_err("--update=uuid: cannot open %s: %s", g->d[bad].path, strerror(-r));
	while (n-- > 0)
		if (d[n].fd >= 0)
			close(d[n].fd);
	return r;
}

static int assemble_group(struct ctx *c, const char *asked, const struct group *g,
			  const struct target *t)
{
	char devnm[32], path[160];
	struct md_name name;
	struct home h;

	if (c->update_uuid && update_group_uuid(c, g))
		return EXIT_FAILED;
	container_name(c, g->st, t->kind == TARGET_VOLUME ? NULL : asked, &name);
	if (build_group(c, &name, g, devnm, sizeof(devnm), path, sizeof(path)))
		return EXIT_FAILED;
	h.devnm = devnm;
	h.path = path;
	if (container_uuid(g->st, h.uuid) < 0)
		h.uuid[0] = '\0';
	return start_volumes(c, &h, g, t) ? EXIT_FAILED : EXIT_OK;
}

/* ---- which arrays: identity ------------------------------------------------- */

/* Read a device found by a scan once (a glob and /proc/partitions may both
 * name it); not IMSM: silently not ours. */
static void scan_add(struct scan *sc, const char *path)
{
	const struct md_disk *d;

	if (read_disk(sc, path, false) < 0)
		return;
	d = &sc->f[sc->n - 1].dev;
	for (int i = 0; i < sc->n - 1; i++)
		if (sc->f[i].dev.major == d->major && sc->f[i].dev.minor == d->minor) {
			sc->n--;
			sc->f[sc->n].st->ops->free(sc->f[sc->n].st);
			return;
		}
}

static void scan_partitions(struct scan *sc)
{
	char line[256], name[64], path[96];
	FILE *f = fopen("/proc/partitions", "re");
	unsigned int maj, min;
	unsigned long long blocks;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " %u %u %llu %63s", &maj, &min, &blocks, name) == 4 &&
		    strncmp(name, "md", 2) != 0) {
			snprintf(path, sizeof(path), "/dev/%s", name);
			scan_add(sc, path);
		}
	if (f)
		fclose(f);
}

/* The conf's DEVICE list (default: every partition). */
static void scan_devices(const struct ctx *c, struct scan *sc)
{
	if (c->conf.n_devices == 0) {
		scan_partitions(sc);
		return;
	}
	for (int i = 0; i < c->conf.n_devices; i++) {
		const char *w = c->conf.devices[i];
		glob_t gl;

		if (strcasecmp(w, "partitions") == 0) {
			scan_partitions(sc);
			continue;
		}
		if (strcasecmp(w, "containers") == 0)
			continue; /* running containers are found through mdstat */
		if (glob(w, 0, NULL, &gl) != 0)
			continue;
		for (size_t j = 0; j < gl.gl_pathc; j++)
			scan_add(sc, gl.gl_pathv[j]);
		globfree(&gl);
	}
}

static bool volume_named(const struct group *g, int index, const char *want)
{
	struct md_volume_cfg *v = calloc(1, sizeof(*v));
	char clean[64];
	bool same = false;

	if (v && g->st->ops->volume_md_cfg(g->st, index, g->d, g->n, v) == 0) {
		conf_clean_name(v->name, sizeof(v->name), clean, sizeof(clean));
		same = strcmp(v->name, want) == 0 || strcmp(clean, want) == 0;
	}
	free(v);
	return same;
}

/* -u UUID / -N NAME: the container or the volume they name. */
static bool match_identity(const struct ctx *c, const struct group *g, const char *cuuid,
			   struct target *t)
{
	char vuuid[MD_UUID_TEXT_BYTES];

	if (c->want_uuid[0] && strcmp(c->want_uuid, cuuid) == 0 && !c->req->name) {
		t->kind = TARGET_ALL;
		return true;
	}
	for (int i = 0; i < num_volumes(g->st); i++) {
		if (g->st->ops->uuid(g->st, i, vuuid) < 0)
			continue;
		if (c->want_uuid[0] && strcmp(c->want_uuid, vuuid) != 0)
			continue;
		if (c->req->name && !volume_named(g, i, c->req->name))
			continue;
		t->kind = TARGET_VOLUME;
		t->index = i;
		return true;
	}
	return false;
}

/* One ARRAY line: its container, or one of its volumes. */
static bool match_line(const struct ctx *c, const struct group *g, const char *cuuid,
		       const struct conf_array *a, struct target *t)
{
	char vuuid[MD_UUID_TEXT_BYTES];

	if (!a->member && !a->container && a->uuid_set && strcmp(a->uuid, cuuid) == 0) {
		t->kind = TARGET_ALL;
		return true;
	}
	for (int i = 0; i < num_volumes(g->st); i++) {
		if (g->st->ops->uuid(g->st, i, vuuid) < 0 ||
		    conf_volume_line(c, cuuid, NULL, i, vuuid) != a)
			continue;
		if (a->name && !volume_named(g, i, a->name))
			continue;
		t->kind = TARGET_VOLUME;
		t->index = i;
		return true;
	}
	return false;
}

/*
 * What of group g the request selects: asked is -A MD's line (or NULL).
 * Without -u/-N/a line: with ARRAY lines in the conf, a container its
 * line names (or one of whose volumes a line names); without, any that
 * AUTO allows.
 */
static void group_target(const struct ctx *c, const struct group *g, const struct conf_array *asked,
			 struct target *t)
{
	char cuuid[MD_UUID_TEXT_BYTES];
	const struct conf_array *line;

	t->kind = TARGET_NONE;
	t->index = -1;
	t->path = NULL;
	if (container_uuid(g->st, cuuid) < 0)
		return;
	if (c->want_uuid[0] || c->req->name) {
		if (match_identity(c, g, cuuid, t))
			t->path = c->req->array;
		return;
	}
	if (asked) {
		if (match_line(c, g, cuuid, asked, t))
			t->path = c->req->array;
		return;
	}
	line = conf_container_line(c, cuuid);
	if (is_ignore(line))
		return;
	if (line ||
	    (!c->have_conf_arrays && conf_auto_for(&c->conf, g->st->ops->name) != CONF_AUTO_NO)) {
		t->kind = TARGET_ALL;
		return;
	}
	for (const struct conf_array *a = c->conf.arrays; a; a = a->next)
		if (!is_ignore(a) && a->member && conf_names_container(c, a, cuuid, NULL))
			t->kind = TARGET_ALL;
}

/* ---- assemble ----------------------------------------------------------------- */

/* Start the target's volumes in a container that already runs. */
static int start_in_running(struct ctx *c, const char *devnm, const struct target *t);

static int assemble_groups(struct ctx *c, struct scan *sc, const struct conf_array *asked,
			   int *ret_found)
{
	struct group *g = calloc(1, sizeof(*g));
	struct scan *homes = calloc(1, sizeof(*homes));
	char devnm[32];
	struct target t;
	int rc = EXIT_OK;

	for (int i = 0; g && homes && i < sc->n; i++) {
		if (sc->f[i].used || num_volumes(sc->f[i].st) == 0)
			continue;
		collect_group(sc, i, g);
		group_target(c, g, asked, &t);
		if (t.kind == TARGET_NONE)
			continue;
		(*ret_found)++;
		if (find_home(g->st, homes, devnm, sizeof(devnm)) == 0) {
			if (t.kind == TARGET_VOLUME && start_in_running(c, devnm, &t) != EXIT_OK)
				rc = EXIT_FAILED;
			continue; /* its container runs: -A does not merge disks */
		}
		if (assemble_group(c, t.path, g, &t) != EXIT_OK)
			rc = EXIT_FAILED;
	}
	if (!g || !homes)
		rc = EXIT_FAILED;
	free(g);
	free(homes);
	return rc;
}

/* -A --scan, -A MD (its ARRAY line), -A -u/-N without devices. */
static int assemble_scan(struct ctx *c, struct scan *sc)
{
	const struct conf_array *asked = NULL;
	int found = 0, rc;

	if (c->req->array && !c->want_uuid[0] && !c->req->name) {
		for (asked = c->conf.arrays; asked; asked = asked->next)
			if (asked->devname && conf_devname_matches(c->req->array, asked->devname))
				break;
		if (!asked) {
			pr_err("%s not identified in config file.", c->req->array);
			return EXIT_FAILED;
		}
	}
	scan_devices(c, sc);
	rc = assemble_groups(c, sc, asked, &found);
	if (rc == EXIT_OK && !found) {
		/* a refused conf line already said why, in its one line */
		if (c->conf.n_diags)
			;
		else if (c->req->array)
			pr_err("no devices found for %s", c->req->array);
		else
			pr_err("No arrays found in config file or automatically");
		rc = EXIT_FAILED;
	}
	return rc;
}

static int read_named(const struct request *req, struct scan *sc)
{
	for (int i = 0; i < req->n_devs; i++)
		if (read_disk(sc, req->devs[i].path, true) < 0)
			return EXIT_FAILED;
	for (int i = 0; i < sc->n; i++)
		if (num_volumes(sc->f[i].st) == 0 && !sc->f[i].torn) {
			pr_err("%s holds only a spare record: no volume to assemble",
			       sc->f[i].path);
			return EXIT_FAILED;
		}
	if (num_volumes(champion(sc, 0)) == 0) {
		pr_err("no disk holds a whole copy of the metadata: %s's fails its checksum",
		       sc->f[0].path);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* -A MD DISKS: one container from exactly these disks (or, with -u/-N,
 * the one among them so named). */
static int assemble_named(struct ctx *c, struct scan *sc)
{
	const struct target all = {.kind = TARGET_ALL, .index = -1, .path = c->req->array};
	struct group *g;
	int rc, found = 0;

	if (read_named(c->req, sc) != EXIT_OK)
		return EXIT_FAILED;
	if (c->want_uuid[0] || c->req->name) {
		rc = assemble_groups(c, sc, NULL, &found);
		if (rc == EXIT_OK && !found) {
			pr_err("no devices found for %s", c->req->array);
			rc = EXIT_FAILED;
		}
		return rc;
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
		rc = assemble_group(c, c->req->array, g, &all);
	free(g);
	return rc;
}

/*
 * --update on assembly: upstream's IMSM handler changes nothing but
 * "uuid" (a new family number written to every disk: update_group_uuid)
 * and refuses the rest, before anything changes.
 */
static int refuse_update(const char *update)
{
	pr_err("--update=%s not understood for imsm metadata (only uuid is)", update);
	return EXIT_FAILED;
}

int mode_assemble(const struct request *req)
{
	struct scan *sc;
	struct ctx c;
	char devnm[32];
	int rc;

	if (req->update && strcmp(req->update, "uuid") != 0)
		return refuse_update(req->update);
	if (req->update && req->scan && !req->array) {
		pr_err("--update is not meaningful with a --scan assembly: name the container and its disks");
		return EXIT_FAILED;
	}
	rc = ctx_init(&c, req);
	sc = rc == EXIT_OK ? calloc(1, sizeof(*sc)) : NULL;
	if (rc != EXIT_OK || !sc) {
		conf_free(&c.conf);
		return rc != EXIT_OK ? rc : EXIT_FAILED;
	}
	c.complete_only = req->no_degraded;
	if (req->array && util_md_devnm(SYSROOT, req->array, devnm, sizeof(devnm)) == 0) {
		pr_err("%s is already active (%s)", req->array, devnm);
		rc = EXIT_FAILED;
	} else if (req->n_devs == 0) {
		rc = assemble_scan(&c, sc);
	} else {
		rc = assemble_named(&c, sc);
	}
	free_scan(sc);
	free(sc);
	conf_free(&c.conf);
	return rc;
}

/* Start what the target selects in a running container. */
static int start_container_volumes(struct ctx *c, const char *devnm, const struct target *t)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	struct group *g = calloc(1, sizeof(*g));
	char path[PATH_MAX];
	struct home h = {.devnm = devnm, .path = path};
	int rc = EXIT_FAILED;

	util_md_display_path(devnm, path, sizeof(path));
	if (sc && g && read_container(devnm, sc) == 0 && sc->n > 0) {
		collect_group(sc, 0, g);
		if (container_uuid(g->st, h.uuid) < 0)
			h.uuid[0] = '\0';
		rc = start_volumes(c, &h, g, t) ? EXIT_FAILED : EXIT_OK;
	}
	if (sc)
		free_scan(sc);
	free(sc);
	free(g);
	return rc;
}

static int start_in_running(struct ctx *c, const char *devnm, const struct target *t)
{
	return start_container_volumes(c, devnm, t);
}

static int add_to_container(const struct ctx *c, const char *devnm, const struct super *st,
			    const struct md_disk *d)
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
		say(c, "%s attached to %s", d->path, path);
	if (!r)
		container_changed(devnm);
	return r;
}

/* DEVICE lines: the disk, or one of the other names udev passes for it. */
static bool incremental_allowed(const struct ctx *c)
{
	for (int i = 0; i < c->req->n_devs; i++)
		if (conf_device_allowed(&c->conf, c->req->devs[i].path))
			return true;
	return false;
}

/* Whether the conf lets this disk's container be assembled here. */
static int incremental_policy(const struct ctx *c, const struct found *f)
{
	char cuuid[MD_UUID_TEXT_BYTES];
	const struct conf_array *line;

	if (container_uuid(f->st, cuuid) < 0)
		return EXIT_FAILED;
	line = conf_container_line(c, cuuid);
	if (is_ignore(line)) {
		say(c, "array containing %s is explicitly ignored by mdadm.conf", f->path);
		return EXIT_FAILED;
	}
	if (!line && conf_auto_for(&c->conf, f->st->ops->name) == CONF_AUTO_NO) {
		if (c->req->verbose > 0)
			pr_err("%s has metadata type %s for which auto-assembly is disabled",
			       f->path, f->st->ops->name);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* The container for the disk: the running one, or a new one. */
static int incremental_container(struct ctx *c, struct found *f, char *devnm, size_t len)
{
	struct scan *homes = calloc(1, sizeof(*homes));
	struct group g1 = {0};
	struct md_name name;
	char path[PATH_MAX];
	int r;

	if (!homes)
		return -ENOMEM;
	r = find_home(f->st, homes, devnm, len);
	free(homes);
	if (r == 0)
		return add_to_container(c, devnm, f->st, &f->dev);
	g1.st = f->st;
	g1.n = 1;
	g1.d[0] = f->dev;
	container_name(c, f->st, NULL, &name);
	return build_group(c, &name, &g1, devnm, len, path, sizeof(path));
}

/* The running container whose newest table takes f's disk into a volume
 * by a migration under way (it still carries its spare record), or has it
 * in a volume (its copy torn). */
static int find_joining_home(const struct found *f, char *ret, size_t len)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	struct mdstat_array *stats;
	int r = -ENOENT;

	if (!sc || mdstat_read(NULL, &stats) < 0) {
		free(sc);
		return -EIO;
	}
	for (struct mdstat_array *a = stats; a && r; a = a->next) {
		const struct super *champ;

		if (!mdstat_is_container(a) || read_container(a->devnm, sc) || sc->n == 0) {
			free_scan(sc);
			continue;
		}
		champ = champion(sc, 0);
		if (num_volumes(champ) > 0 && joins(champ, f)) {
			snprintf(ret, len, "%s", a->devnm);
			r = 0;
		}
		free_scan(sc);
	}
	mdstat_free(stats);
	free(sc);
	return r;
}

static void export_result(const struct ctx *c, const char *devnm)
{
	char path[PATH_MAX];
	const char *shown = path;

	if (!c->req->export)
		return;
	util_md_display_path(devnm, path, sizeof(path));
	if (strncmp(path, "/dev/md/", 8) == 0)
		shown = path + 8;
	printf("MD_DEVICE=%s\nMD_DEVNAME=%s\nMD_FOREIGN=no\n", devnm, shown);
	printf("MD_STARTED=%s\n", c->started_any ? "yes" : c->left_any ? "unsafe" : "no");
}

static int incremental_disk(struct ctx *c, struct scan *sc)
{
	const struct target all = {.kind = TARGET_ALL, .index = -1};
	char devnm[32];
	int rc;

	if (!incremental_allowed(c)) {
		pr_err("%s not permitted by mdadm.conf.", c->req->devs[0].path);
		return EXIT_FAILED;
	}
	if (read_disk(sc, c->req->devs[0].path, true) < 0)
		return EXIT_FAILED;
	if (num_volumes(sc->f[0].st) == 0) {
		/* a migration's new member the cut left with its spare record */
		if (find_joining_home(&sc->f[0], devnm, sizeof(devnm)) == 0) {
			rc = EXIT_FAILED;
			if (add_to_container(c, devnm, sc->f[0].st, &sc->f[0].dev) == 0)
				rc = start_container_volumes(c, devnm, &all);
			export_result(c, devnm);
			return rc;
		}
		if (sc->f[0].torn)
			pr_err("%s: its metadata copy fails its checksum (a cut tore it, or it is "
			       "damaged); it joins its container once the other disks run it "
			       "(mdadm -IRs)",
			       sc->f[0].path);
		else
			pr_err("%s holds only a spare record; add it with mdadm --add",
			       sc->f[0].path);
		return EXIT_FAILED;
	}
	if (incremental_policy(c, &sc->f[0]) != EXIT_OK)
		return EXIT_FAILED;
	if (incremental_container(c, &sc->f[0], devnm, sizeof(devnm)))
		return EXIT_FAILED;
	rc = start_container_volumes(c, devnm, &all);
	export_result(c, devnm);
	return rc;
}

/* ---- -I --scan, --rebuild-map, -If ------------------------------------------ */

/* Disks whose copy a cut tore, which -I could not place before the rest
 * of their container ran: each joins the running container that has it
 * in a volume (mdmon's next write makes its copy whole again). */
static void attach_torn(const struct ctx *c)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	char devnm[32], holder[32];

	if (!sc)
		return;
	scan_devices(c, sc);
	for (int i = 0; i < sc->n; i++) {
		struct found *f = &sc->f[i];

		if (f->torn && !util_md_holder(makedev(f->dev.major, f->dev.minor), holder,
					       sizeof(holder)) &&
		    find_joining_home(f, devnm, sizeof(devnm)) == 0)
			(void)add_to_container(c, devnm, f->st, &f->dev);
	}
	free_scan(sc);
	free(sc);
}

/* Every running container: start what can run (-R: degraded too), torn
 * copies' disks taken in first. */
static int incremental_scan(struct ctx *c)
{
	const struct target all = {.kind = TARGET_ALL, .index = -1};
	struct mdstat_array *stats;
	int rc = EXIT_OK;

	attach_torn(c);

	if (mdstat_read(NULL, &stats) < 0) {
		pr_err("cannot read /proc/mdstat");
		return EXIT_FAILED;
	}
	for (struct mdstat_array *a = stats; a; a = a->next)
		if (mdstat_is_container(a) && start_container_volumes(c, a->devnm, &all) != EXIT_OK)
			rc = EXIT_FAILED;
	mdstat_free(stats);
	return rc;
}

/* The map line of one running container or volume, as -I would have
 * written it: its link in /dev/md if it has one, else the name -I gives. */
static int rebuild_entry(const struct ctx *c, const struct mdstat_array *a, struct map_entry *e)
{
	struct scan *sc = calloc(1, sizeof(*sc));
	struct group *g = calloc(1, sizeof(*g));
	struct md_volume_cfg *v = calloc(1, sizeof(*v));
	char container[MDSTAT_NAME_MAX], path[PATH_MAX], cuuid[MD_UUID_TEXT_BYTES] = "";
	const char *slash = strrchr(a->metadata, '/');
	bool is_vol = mdstat_container_of(a, container, sizeof(container)) == 0;
	int index = is_vol && slash ? atoi(slash + 1) : MD_UUID_CONTAINER, r = -ENOMEM;
	struct md_name name;

	if (!sc || !g || !v)
		goto out;
	if (!is_vol)
		snprintf(container, sizeof(container), "%s", a->devnm);
	r = read_container(container, sc);
	if (!r && sc->n == 0)
		r = -ENODATA;
	if (r)
		goto out;
	collect_group(sc, 0, g);
	memset(e, 0, sizeof(*e));
	snprintf(e->devnm, sizeof(e->devnm), "%s", a->devnm);
	if (is_vol)
		snprintf(e->metadata, sizeof(e->metadata), "/%s/%d", container, index);
	else
		snprintf(e->metadata, sizeof(e->metadata), "%s", g->st->ops->name);
	r = g->st->ops->uuid(g->st, index, e->uuid);
	if (!r)
		r = container_uuid(g->st, cuuid);
	if (r)
		goto out;
	util_md_display_path(a->devnm, path, sizeof(path));
	if (strncmp(path, "/dev/md/", 8) != 0) {
		if (!is_vol)
			container_name(c, g->st, NULL, &name);
		else if (g->st->ops->volume_md_cfg(g->st, index, g->d, g->n, v) == 0)
			volume_name(c, conf_volume_line(c, cuuid, NULL, index, e->uuid), v, &name);
		else
			memset(&name, 0, sizeof(name));
		name_path(&name, a->devnm, path, sizeof(path));
	}
	snprintf(e->path, sizeof(e->path), "%.255s", path);
out:
	if (sc)
		free_scan(sc);
	free(sc);
	free(g);
	free(v);
	return r;
}

static int rebuild_map(const struct ctx *c)
{
	struct map_entry *list = NULL;
	struct mdstat_array *stats;
	int n = 0, r = mdstat_read(NULL, &stats);

	if (r < 0) {
		pr_err("cannot read /proc/mdstat: %s", strerror(-r));
		return EXIT_FAILED;
	}
	for (struct mdstat_array *a = stats; a; a = a->next) {
		struct map_entry *grown = realloc(list, sizeof(*list) * (size_t)(n + 1));

		if (!grown) {
			r = -ENOMEM;
			break;
		}
		list = grown;
		if (strncmp(a->metadata, "external:", 9) == 0 && rebuild_entry(c, a, &list[n]) == 0)
			n++;
	}
	mdstat_free(stats);
	if (r >= 0)
		r = map_replace(list, n);
	free(list);
	if (r < 0) {
		pr_err("cannot write /run/mdadm/map: %s", strerror(-r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static bool has_member(const struct mdstat_array *a, const char *kname)
{
	for (int i = 0; i < a->n_members; i++)
		if (strcmp(a->members[i].name, kname) == 0)
			return true;
	return false;
}

/* The container md lists kname in (a volume's container counts). */
static bool container_holding(struct mdstat_array *stats, const char *kname, char *ret, size_t len)
{
	for (struct mdstat_array *a = stats; a; a = a->next) {
		if (!has_member(a, kname))
			continue;
		if (mdstat_is_container(a)) {
			snprintf(ret, len, "%s", a->devnm);
			return true;
		}
		if (mdstat_container_of(a, ret, len) == 0)
			return true;
	}
	return false;
}

static bool volumes_hold(const char *container, const char *kname)
{
	struct mdstat_array *stats;
	char parent[MDSTAT_NAME_MAX], path[PATH_MAX];
	bool held = false;

	if (mdstat_read(NULL, &stats) < 0)
		return false;
	for (struct mdstat_array *a = stats; a && !held; a = a->next) {
		if (mdstat_container_of(a, parent, sizeof(parent)) != 0 ||
		    strcmp(parent, container))
			continue;
		snprintf(path, sizeof(path), SYSROOT "/block/%s/md/dev-%s", a->devnm, kname);
		held = access(path, F_OK) == 0;
	}
	mdstat_free(stats);
	return held;
}

/* Fail kname in every volume of the container that holds it; -errno of
 * the first that refused. */
static int fail_in_volumes(struct mdstat_array *stats, const char *container, const char *kname)
{
	char parent[MDSTAT_NAME_MAX];
	struct md_sysfs md;
	int rc = 0;

	for (struct mdstat_array *a = stats; a; a = a->next) {
		int r;

		if (mdstat_container_of(a, parent, sizeof(parent)) != 0 ||
		    strcmp(parent, container))
			continue;
		sysfs_init(&md, SYSROOT, a->devnm);
		r = sysfs_write_attr(&md, kname, "state", "faulty");
		if (r == -ENOENT)
			continue; /* not a member of this volume, or already gone */
		if (r) {
			pr_err("Cannot fail member device %s in external subarray %s: %s", kname,
			       a->devnm, strerror(-r));
			rc = rc ? rc : r;
		}
	}
	return rc;
}

/*
 * -If DEV: the device left (udev's remove).  mdmon records the failure
 * and takes the disk out of each volume (§6.7); once none holds it, the
 * container lets it go.  DEV is a kernel name or /dev/NAME: the node may
 * already be gone.
 */
static int incremental_remove(const struct ctx *c, const char *dev)
{
	const char *kname = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	char container[MDSTAT_NAME_MAX];
	struct mdstat_array *stats;
	struct md_sysfs md;
	int r;

	if (!*kname || (strchr(dev, '/') && (strncmp(dev, "/dev/", 5) || strchr(dev + 5, '/')))) {
		pr_err("Cannot remove \"%s\", devnode path or kernel device name is allowed.", dev);
		return EXIT_FAILED;
	}
	if (mdstat_read(NULL, &stats) < 0) {
		pr_err("Cannot read /proc/mdstat file, aborting");
		return EXIT_FAILED;
	}
	if (!container_holding(stats, kname, container, sizeof(container))) {
		if (c->req->verbose > 0)
			pr_err("%s does not appear to be a component of any array", kname);
		mdstat_free(stats);
		return EXIT_OK;
	}
	r = fail_in_volumes(stats, container, kname);
	mdstat_free(stats);
	if (r)
		return EXIT_FAILED;
	for (int i = 0; i < 100 && volumes_hold(container, kname); i++)
		usleep(100 * 1000);
	sysfs_init(&md, SYSROOT, container);
	r = sysfs_write_attr(&md, kname, "state", "remove");
	if (r) {
		pr_err("Cannot remove member device %s from container %s: %s", kname, container,
		       strerror(-r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/*
 * udev runs "mdadm -I" for every disk of a container at once: each finds
 * no container yet and builds its own.  One -I of a disk at a time, from
 * finding its container to starting its volumes (upstream holds its map
 * lock as long).  A lock file of its own: the map file's lock is taken and
 * dropped by every map change inside.  -1 (no lock, and no word about
 * it) when /run is not writable: -I then works as before.
 */
static int incremental_lock(void)
{
	int fd;

	(void)mkdir("/run/mdadm", 0755);
	fd = open("/run/mdadm/incremental.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 && flock(fd, LOCK_EX) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void incremental_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int mode_incremental(const struct request *req)
{
	const struct target all = {.kind = TARGET_ALL, .index = -1};
	struct scan *sc;
	char devnm[32];
	struct ctx c;
	int rc = ctx_init(&c, req);

	c.complete_only = !req->run;
	if (rc != EXIT_OK)
		;
	else if (req->rebuild_map)
		rc = rebuild_map(&c);
	else if (req->n_devs > 0 && req->devs[0].action == MANAGE_FAIL)
		rc = incremental_remove(&c, req->devs[0].path);
	else if (req->n_devs == 0 && req->scan)
		rc = incremental_scan(&c);
	else if (req->n_devs == 0) {
		pr_err("--incremental needs a device, --scan or --rebuild-map");
		rc = EXIT_USAGE;
	} else if (util_md_devnm(SYSROOT, req->devs[0].path, devnm, sizeof(devnm)) == 0) {
		rc = start_container_volumes(&c, devnm, &all);
	} else if ((sc = calloc(1, sizeof(*sc))) != NULL) {
		int lock = incremental_lock();

		rc = incremental_disk(&c, sc);
		incremental_unlock(lock);
		free_scan(sc);
		free(sc);
	} else {
		rc = EXIT_FAILED;
	}
	conf_free(&c.conf);
	return rc;
}
