/*
 * mdmonitor.c: `mdadm --monitor` (see mdmonitor.h).
 *
 * One pass reads /proc/mdstat and each volume member's md/dev-X/state and
 * slot into snapshots, hands old and new to mon_compare(), delivers what
 * it names, and moves a spare into a degraded volume's container from
 * another container whose domains allow it (mdmonitor-domain.c).  Between passes the monitor
 * sleeps in poll() on /proc/mdstat, which md wakes on every array event
 * (start, stop, a member added, failed or removed, a sync started or
 * ended): while nothing changes it does not wake at all.  Only while a
 * sync runs does it also wake every --delay seconds, for RebuildNN.
 */
#include "mdmonitor.h"
#include "config.h"
#include "md-build.h"
#include "mdadm.h"
#include "mdstat.h"
#include "sysfs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define SYSROOT "/sys"
#define MON_DEFAULT_DELAY 60
#define MON_DEFAULT_INCREMENT 20
#define MON_SENDMAIL "/usr/sbin/sendmail"
#define MON_SHARER_PID "/run/mdadm/autorebuild.pid"

/* One array under watch. */
struct mon_watch {
	char devnm[MON_NAME_MAX];
	char path[PATH_MAX];  /* as reported: /dev/md/NAME or /dev/mdN */
	bool seen;	      /* last holds a pass's snapshot */
	bool present;	      /* in the last pass's mdstat */
	bool move_tried;      /* a spare move was tried in this degraded spell */
	char refused[4][MON_NAME_MAX]; /* spares the platform refused it, said once */
	int expected_spares;  /* spares= of its ARRAY line, -1 */
	char spare_group[64]; /* spare-group= of its (or its container's) line */
	struct mon_array last;
};

struct mon_state {
	const char *mailaddr, *mailfrom, *program;
	bool syslog, scan, share, test;
	int delay_s, increment;
	struct conf conf;
	struct mon_watch *w;
	int n_w;
	int mdstat_fd;
	char *text;		 /* the last /proc/mdstat, quoted in mails */
	struct mon_array *snaps; /* this pass */
	int n_snaps;
};

static volatile sig_atomic_t mon_stop;

static void on_signal(int sig)
{
	(void)sig;
	mon_stop = 1;
}

/* A problem while monitoring: on stderr, and in syslog when events go
 * there (a daemon's stderr is /dev/null). */
static bool mon_syslog;

__attribute__((format(printf, 1, 2))) static void mon_err(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pr_err("%s", line);
	if (mon_syslog)
		syslog(LOG_ERR, "%s", line);
}

/* ---- reading a pass ---------------------------------------------------------- */

static int read_mdstat_text(struct mon_state *s)
{
	char *text = NULL;
	int r = mdstat_read_text(s->mdstat_fd, &text);

	if (r < 0)
		return r;
	free(s->text);
	s->text = text;
	return 0;
}

/* A volume member's state from md/dev-X/state and slot. */
static enum mon_disk_state disk_state(const char *devnm, const struct mdstat_member *m)
{
	char dev[MDSTAT_NAME_MAX + 8], state[128], slot[32];
	struct md_sysfs md;

	if (m->faulty)
		return MON_DISK_FAULTY;
	sysfs_init(&md, SYSROOT, devnm);
	snprintf(dev, sizeof(dev), "%s", m->name);
	if (sysfs_read_attr(&md, dev, "state", state, sizeof(state)) < 0)
		return m->spare ? MON_DISK_SPARE : MON_DISK_IN_SYNC;
	if (strstr(state, "faulty"))
		return MON_DISK_FAULTY;
	if (strstr(state, "in_sync"))
		return MON_DISK_IN_SYNC;
	if (sysfs_read_attr(&md, dev, "slot", slot, sizeof(slot)) < 0 ||
	    strncmp(slot, "none", 4) == 0)
		return MON_DISK_SPARE;
	return MON_DISK_REBUILDING;
}

static void snapshot(const struct mdstat_array *a, struct mon_array *ret)
{
	memset(ret, 0, sizeof(*ret));
	snprintf(ret->devnm, sizeof(ret->devnm), "%s", a->devnm);
	ret->container = mdstat_is_container(a);
	if (!ret->container &&
	    mdstat_container_of(a, ret->container_devnm, sizeof(ret->container_devnm)) < 0)
		ret->container_devnm[0] = '\0';
	ret->degraded = !ret->container && a->raid_disks > 0 && a->working_disks >= 0 &&
			a->working_disks < a->raid_disks;
	ret->sync_percent = -1;
	if (a->sync != MDSTAT_SYNC_NONE && a->sync_flag == MDSTAT_FLAG_RUNNING &&
	    a->sync_permille >= 0)
		ret->sync_percent = a->sync_permille / 10;
	else if (a->sync != MDSTAT_SYNC_NONE && a->sync_flag == MDSTAT_FLAG_DELAYED)
		ret->sync_waiting = true; /* md says nothing when it starts */
	for (int i = 0; i < a->n_members && ret->n_disks < MON_MAX_DISKS; i++) {
		struct mon_disk *d = &ret->disks[ret->n_disks++];

		snprintf(d->name, sizeof(d->name), "%s", a->members[i].name);
		d->state = ret->container ? MON_DISK_SPARE : disk_state(a->devnm, &a->members[i]);
	}
}

static struct mon_array *snap_find(struct mon_state *s, const char *devnm)
{
	for (int i = 0; i < s->n_snaps; i++)
		if (strcmp(s->snaps[i].devnm, devnm) == 0)
			return &s->snaps[i];
	return NULL;
}

/* A container disk no volume of it uses. */
static bool disk_free(const struct mon_state *s, const struct mon_array *c, const char *name)
{
	for (int i = 0; i < s->n_snaps; i++) {
		const struct mon_array *v = &s->snaps[i];

		if (!v->container && strcmp(v->container_devnm, c->devnm) == 0 &&
		    mon_find_disk(v, name))
			return false;
	}
	return true;
}

/* Whether a free disk of the container is no spare: the container's
 * metadata lists it (a failed member stays there, recorded failed, until
 * it is removed), or its own record still defines volumes (a failed
 * member the metadata has dropped, which mdmon will not rebuild onto). */
static bool not_spare(const struct metadata_ops *ops, const struct super *st, const char *kname)
{
	char path[64];
	struct md_disk d = {.path = path};
	struct super *own = NULL;
	bool r;

	snprintf(path, sizeof(path), "/dev/%s", kname);
	d.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d.fd < 0)
		return true;
	r = ops->identify(&d) < 0 || (st && ops->member_index(st, &d) != -ENOENT);
	if (!r && ops->load_disk(&d, &own) == 0) {
		r = ops->num_volumes(own) > 0;
		ops->free(own);
	}
	close(d.fd);
	return r;
}

/* A container's disks: IN_SYNC for those its volumes use, FAULTY for the
 * free ones not_spare() names, SPARE for the others. */
static void container_disks(struct mon_state *s, struct mon_array *c)
{
	const struct metadata_ops *ops = NULL;
	struct super *st = NULL;
	bool loaded = false;

	for (int k = 0; k < c->n_disks; k++) {
		struct mon_disk *d = &c->disks[k];

		d->state = MON_DISK_IN_SYNC;
		if (!disk_free(s, c, d->name))
			continue;
		if (!loaded) {
			loaded = true;
			ops = metadata_of_container(c->devnm);
			if (ops && ops->load_container(c->devnm, &st) < 0)
				st = NULL; /* no volume yet (all spares), or unreadable */
		}
		d->state = ops && not_spare(ops, st, d->name) ? MON_DISK_FAULTY : MON_DISK_SPARE;
		c->spares += d->state == MON_DISK_SPARE;
	}
	if (st)
		ops->free(st);
}

/* Spares live in the container: its free disks count for every volume. */
static void count_spares(struct mon_state *s)
{
	for (int i = 0; i < s->n_snaps; i++)
		if (s->snaps[i].container)
			container_disks(s, &s->snaps[i]);
	for (int i = 0; i < s->n_snaps; i++) {
		struct mon_array *v = &s->snaps[i];
		const struct mon_array *c = v->container ? NULL : snap_find(s, v->container_devnm);

		if (c)
			v->spares = c->spares;
	}
}

static int read_pass(struct mon_state *s)
{
	struct mdstat_array *list = NULL;
	int n, r = read_mdstat_text(s);

	if (r < 0)
		return r;
	n = mdstat_parse(s->text, &list);
	if (n < 0)
		return n;
	free(s->snaps);
	s->n_snaps = 0;
	s->snaps = calloc(n ? (size_t)n : 1, sizeof(*s->snaps));
	if (!s->snaps) {
		mdstat_free(list);
		return -ENOMEM;
	}
	for (const struct mdstat_array *a = list; a; a = a->next) {
		/* A volume being stopped turns inactive and loses its members
		 * one by one: it is going, not failing. */
		if (!a->active && !mdstat_is_container(a))
			continue;
		snapshot(a, &s->snaps[s->n_snaps++]);
	}
	mdstat_free(list);
	count_spares(s);
	return 0;
}

/* ---- delivering an event ------------------------------------------------------ */

static struct mon_watch *watch_find(struct mon_state *s, const char *devnm)
{
	for (int i = 0; i < s->n_w; i++)
		if (strcmp(s->w[i].devnm, devnm) == 0)
			return &s->w[i];
	return NULL;
}

static void array_path(struct mon_state *s, const char *devnm, char *buf, size_t len)
{
	const struct mon_watch *w = watch_find(s, devnm);

	if (w && w->path[0])
		snprintf(buf, len, "%s", w->path);
	else
		util_md_display_path(devnm, buf, len);
}

/* The program gets EVENT MD [DEV] as its arguments, no shell between. */
static void run_program(const struct mon_state *s, const char *event, const char *md,
			const char *dev)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execl(s->program, s->program, event, md, dev, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		mon_err("cannot run %s: %s", s->program, strerror(errno));
		return;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void write_mail(FILE *f, const struct mon_state *s, const char *event, const char *md,
		       const char *dev)
{
	char host[256] = "localhost";

	gethostname(host, sizeof(host) - 1);
	fprintf(f, "From: %s\n", s->mailfrom ? s->mailfrom : "mdadm monitoring <root>");
	fprintf(f, "To: %s\n", s->mailaddr);
	fprintf(f, "Subject: %s event on %s:%s\n\n", event, md, host);
	fprintf(f, "This message was sent by mdadm --monitor on %s.\n\n", host);
	fprintf(f, "A %s event was detected on md device %s.\n", event, md);
	if (dev)
		fprintf(f, "The component device concerned is %s.\n", dev);
	fprintf(f, "\nThe kernel's /proc/mdstat at that moment:\n\n%s\n", s->text ? s->text : "");
}

/* Mail through sendmail -t: the recipients are in the headers. */
static void send_mail(const struct mon_state *s, const char *event, const char *md, const char *dev)
{
	int p[2], status;
	pid_t pid;
	FILE *f;

	if (pipe(p) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		execl(MON_SENDMAIL, "sendmail", "-t", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		mon_err("cannot run %s: %s", MON_SENDMAIL, strerror(errno));
		return;
	}
	f = fdopen(p[1], "w");
	if (f) {
		write_mail(f, s, event, md, dev);
		fclose(f);
	} else {
		close(p[1]);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static int syslog_priority(enum mon_event ev)
{
	if (ev == MON_EV_FAIL || ev == MON_EV_FAIL_SPARE)
		return LOG_CRIT;
	if (ev == MON_EV_DEGRADED || ev == MON_EV_TEST || ev == MON_EV_SPARES_MISSING)
		return LOG_WARNING;
	return LOG_INFO;
}

static void print_event(const char *event, const char *md, const char *dev)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(when, sizeof(when), "%b %e %H:%M:%S", localtime_r(&now, &tm));
	printf("%s: %s on %s %s\n", when, event, md, dev ? dev : "unknown device");
	fflush(stdout);
}

static void deliver(void *ctx, enum mon_event ev, int percent, const char *devnm, const char *disk)
{
	struct mon_state *s = ctx;
	char event[32], md[PATH_MAX], dev[PATH_MAX];
	const char *devp = NULL;

	if (ev == MON_EV_REBUILD_NN)
		snprintf(event, sizeof(event), "Rebuild%02d", percent);
	else
		snprintf(event, sizeof(event), "%s", mon_event_name(ev));
	array_path(s, devnm, md, sizeof(md));
	if (disk && ev == MON_EV_MOVE_SPARE)
		array_path(s, disk, dev, sizeof(dev)); /* the source container */
	else if (disk)
		snprintf(dev, sizeof(dev), "/dev/%s", disk);
	if (disk)
		devp = dev;
	if (!s->mailaddr && !s->program && !s->syslog)
		print_event(event, md, devp);
	if (s->program)
		run_program(s, event, md, devp);
	if (s->mailaddr && mon_event_mailed(ev))
		send_mail(s, event, md, devp);
	if (s->syslog && devp)
		syslog(syslog_priority(ev),
		       "%s event detected on md device %s, component device %s", event, md, devp);
	else if (s->syslog)
		syslog(syslog_priority(ev), "%s event detected on md device %s", event, md);
}

/* ---- the watch list ----------------------------------------------------------- */

static const struct conf_array *conf_line_of(const struct mon_state *s, const char *devnm,
					     const char *path)
{
	struct map_entry *map = NULL;
	const char *uuid = NULL;
	const struct conf_array *found = NULL;
	int n = 0;

	if (map_read(&map, &n) < 0)
		n = 0;
	for (int i = 0; i < n; i++)
		if (strcmp(map[i].devnm, devnm) == 0)
			uuid = map[i].uuid;
	for (const struct conf_array *a = s->conf.arrays; a && !found; a = a->next)
		if ((uuid && a->uuid_set && strcasecmp(a->uuid, uuid) == 0) ||
		    (a->devname && conf_devname_matches(a->devname, path)))
			found = a;
	free(map);
	return found;
}

/* What the ARRAY line says about the array: spares= and spare-group=. */
static void watch_conf(struct mon_state *s, struct mon_watch *w)
{
	const struct conf_array *a = conf_line_of(s, w->devnm, w->path);

	w->expected_spares = a ? a->spares : -1;
	w->spare_group[0] = '\0';
	if (a && a->spare_group)
		snprintf(w->spare_group, sizeof(w->spare_group), "%s", a->spare_group);
}

static struct mon_watch *watch_add(struct mon_state *s, const char *devnm)
{
	struct mon_watch *w = realloc(s->w, (size_t)(s->n_w + 1) * sizeof(*w));

	if (!w)
		return NULL;
	s->w = w;
	w = &s->w[s->n_w++];
	memset(w, 0, sizeof(*w));
	snprintf(w->devnm, sizeof(w->devnm), "%s", devnm);
	w->expected_spares = -1;
	return w;
}

/* A container's group: its own line's, else one of its volumes'. */
static const char *group_of_container(const struct mon_state *s, const char *devnm)
{
	for (int i = 0; i < s->n_w; i++) {
		const struct mon_watch *w = &s->w[i];

		if (w->present && w->spare_group[0] &&
		    (strcmp(w->devnm, devnm) == 0 || strcmp(w->last.container_devnm, devnm) == 0))
			return w->spare_group;
	}
	return NULL;
}

/* ---- moving spares between containers of one domain -------------------------- */

#define BY_PATH_DIR "/dev/disk/by-path"

/* Adds the POLICY domains of disk ("sdb") to d. */
static void disk_domains(const struct mon_state *s, const char *disk, struct mon_domains *d)
{
	char names[8][MON_BY_PATH_MAX];
	const char *by_path[8];
	int n = mon_disk_by_path(BY_PATH_DIR, disk, names, 8);

	for (int i = 0; i < n; i++)
		by_path[i] = names[i];
	mon_disk_domains(s->conf.policies, s->conf.n_policies, by_path, n < 0 ? 0 : n, d);
}

/* The domains a spare must all be in to serve container c. */
static void container_domains(const struct mon_state *s, const struct mon_array *c,
			      struct mon_domains *d)
{
	memset(d, 0, sizeof(*d));
	mon_domains_add(d, group_of_container(s, c->devnm));
	for (int k = 0; k < c->n_disks; k++)
		disk_domains(s, c->disks[k].name, d);
}

/* Whether disk was refused to w in this degraded spell; else notes it. */
static bool refused_before(struct mon_watch *w, const char *disk)
{
	for (int i = 0; i < 4; i++) {
		if (strcmp(w->refused[i], disk) == 0)
			return true;
		if (!w->refused[i][0]) {
			snprintf(w->refused[i], sizeof(w->refused[i]), "%s", disk);
			return false;
		}
	}
	return false;
}

/* Whether the platform lets the spare disk of container from join
 * container to (one kind of controller per container); if not, says so
 * (once per degraded spell of w). */
static bool platform_allows(struct mon_state *s, struct mon_watch *w, const struct mon_array *to,
			    const struct mon_array *from, const char *disk)
{
	char mine[64], theirs[64], fpath[PATH_MAX], tpath[PATH_MAX];

	if (to->n_disks == 0 || mon_disk_controller(SYSROOT, disk, mine, sizeof(mine)) < 0 ||
	    mon_disk_controller(SYSROOT, to->disks[0].name, theirs, sizeof(theirs)) < 0)
		return true; /* nothing to compare: --add decides */
	if (strcmp(mine, theirs) == 0)
		return true;
	if (refused_before(w, disk))
		return false;
	array_path(s, from->devnm, fpath, sizeof(fpath));
	array_path(s, to->devnm, tpath, sizeof(tpath));
	mon_err("not moving spare /dev/%s from %s to %s: its controller (%s) is not the kind "
		"the container's disks are on (%s)",
		disk, fpath, tpath, mine, theirs);
	return false;
}

/* The last line of what a child printed, without our "mdadm: ". */
static void last_line(char *buf)
{
	char *end = buf + strlen(buf), *start;

	while (end > buf && end[-1] == '\n')
		*--end = '\0';
	start = strrchr(buf, '\n');
	start = start ? start + 1 : buf;
	if (strncmp(start, "mdadm: ", 7) == 0)
		start += 7;
	memmove(buf, start, strlen(start) + 1);
}

/* Runs our own mdadm with args; the last line it printed on stderr goes
 * to why (read to the end: the child must not die of a closed pipe). */
static int run_self(char *const argv[], char *why, size_t len)
{
	int p[2], status = -1;
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	why[0] = '\0';
	if (pipe(p) < 0)
		return -errno;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0) {
		char chunk[256];

		n = read(p[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (used + (size_t)n >= len) /* keep the end: the last line */
			used = 0;
		memcpy(why + used, chunk, (size_t)n);
		used += (size_t)n;
	}
	why[used] = '\0';
	last_line(why);
	close(p[0]);
	if (pid < 0)
		return -EAGAIN;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int move_one(struct mon_state *s, const char *from, const char *to, const char *disk)
{
	char fpath[PATH_MAX], tpath[PATH_MAX], dpath[64], why[256], back[256];
	char *rm[] = {"mdadm", "--manage", fpath, "--remove", dpath, NULL};
	char *add[] = {"mdadm", "--manage", tpath, "--add", dpath, NULL};
	char *undo[] = {"mdadm", "--manage", fpath, "--add", dpath, NULL};

	array_path(s, from, fpath, sizeof(fpath));
	array_path(s, to, tpath, sizeof(tpath));
	snprintf(dpath, sizeof(dpath), "/dev/%s", disk);
	if (run_self(rm, why, sizeof(why)) < 0) {
		mon_err("cannot move spare %s from %s to %s: %s", dpath, fpath, tpath, why);
		return -EIO;
	}
	if (run_self(add, why, sizeof(why)) == 0)
		return 0;
	if (run_self(undo, back, sizeof(back)) < 0)
		mon_err("cannot move spare %s from %s to %s: %s; and putting it back failed: %s",
			dpath, fpath, tpath, why, back);
	else
		mon_err("cannot move spare %s from %s to %s: %s (left in %s)", dpath, fpath, tpath,
			why, fpath);
	return -EIO;
}

/* A volume that needs a spare its container has not got. */
static bool wants_spare(const struct mon_array *v)
{
	if (v->container || !v->degraded || v->spares > 0 || !v->container_devnm[0])
		return false;
	for (int i = 0; i < v->n_disks; i++)
		if (v->disks[i].state == MON_DISK_REBUILDING)
			return false;
	return true;
}

/* A free disk of another container that may serve container to (in
 * all of its domains, on its kind of controller), or NULL. */
static const char *donor(struct mon_state *s, struct mon_watch *w, const struct mon_array *to,
			 const struct mon_domains *want, const struct mon_array **ret_from)
{
	for (int i = 0; i < s->n_snaps; i++) {
		const struct mon_array *c = &s->snaps[i];

		if (!c->container || c->spares == 0 || strcmp(c->devnm, to->devnm) == 0)
			continue;
		for (int k = 0; k < c->n_disks; k++) {
			struct mon_domains have = {0};

			if (c->disks[k].state != MON_DISK_SPARE)
				continue;
			mon_domains_add(&have, group_of_container(s, c->devnm));
			disk_domains(s, c->disks[k].name, &have);
			if (!mon_domains_cover(&have, want) ||
			    !platform_allows(s, w, to, c, c->disks[k].name))
				continue;
			*ret_from = c;
			return c->disks[k].name;
		}
	}
	return NULL;
}

static void move_spares(struct mon_state *s)
{
	for (int i = 0; i < s->n_w; i++) {
		struct mon_watch *w = &s->w[i];
		const struct mon_array *from = NULL, *to;
		struct mon_domains want;
		const char *disk;
		char from_devnm[MON_NAME_MAX];
		struct mon_emit e = {deliver, s};

		if (!w->present || !wants_spare(&w->last)) {
			w->move_tried = false;
			memset(w->refused, 0, sizeof(w->refused));
			continue;
		}
		to = snap_find(s, w->last.container_devnm);
		if (w->move_tried || !to)
			continue;
		container_domains(s, to, &want);
		disk = want.n ? donor(s, w, to, &want, &from) : NULL;
		if (!disk)
			continue;
		w->move_tried = true;
		snprintf(from_devnm, sizeof(from_devnm), "%s", from->devnm);
		if (move_one(s, from_devnm, w->last.container_devnm, disk) == 0)
			e.fn(e.ctx, MON_EV_MOVE_SPARE, -1, w->last.container_devnm, from_devnm);
	}
}

/* ---- one pass ------------------------------------------------------------------ */

static void pass_array(struct mon_state *s, const struct mon_array *snap, bool first)
{
	struct mon_watch *w = watch_find(s, snap->devnm);
	struct mon_emit e = {deliver, s};
	bool is_new = false;

	if (!w && !s->scan)
		return;
	if (!w) {
		w = watch_add(s, snap->devnm);
		if (!w)
			return;
	}
	if (!w->present) {
		util_md_display_path(w->devnm, w->path, sizeof(w->path));
		watch_conf(s, w);
		is_new = !first;
	}
	mon_compare(w->seen ? &w->last : NULL, snap, is_new, w->expected_spares, s->increment, &e);
	if (first && s->test)
		e.fn(e.ctx, MON_EV_TEST, -1, snap->devnm, NULL);
	w->last = *snap;
	w->seen = w->present = true;
}

static void pass_gone(struct mon_state *s, bool first)
{
	struct mon_emit e = {deliver, s};

	for (int i = 0; i < s->n_w; i++) {
		struct mon_watch *w = &s->w[i];

		if (snap_find(s, w->devnm))
			continue;
		if (w->present || first)
			e.fn(e.ctx, MON_EV_DISAPPEARED, -1, w->devnm, NULL);
		w->present = w->seen = false;
	}
}

static int one_pass(struct mon_state *s, bool first)
{
	int r = read_pass(s);

	if (r < 0) {
		mon_err("cannot read /proc/mdstat: %s", strerror(-r));
		return r;
	}
	for (int i = s->n_snaps - 1; i >= 0; i--) /* mdstat lists the newest first */
		pass_array(s, &s->snaps[i], first);
	pass_gone(s, first);
	if (s->scan && s->share)
		move_spares(s);
	return 0;
}

/* Wake on md's next event; while a sync runs, also every delay. */
static void wait_event(const struct mon_state *s)
{
	struct pollfd p = {.fd = s->mdstat_fd, .events = POLLPRI};
	int timeout = -1;

	for (int i = 0; i < s->n_w; i++)
		if (s->w[i].present &&
		    (s->w[i].last.sync_percent >= 0 || s->w[i].last.sync_waiting))
			timeout = s->delay_s * 1000;
	if (poll(&p, 1, timeout) < 0 && errno != EINTR)
		sleep(1);
}

/* ---- set-up ------------------------------------------------------------------- */

static int daemonise(const char *pid_file)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		pr_err("cannot fork to daemonise: %s", strerror(errno));
		return EXIT_FAILED;
	}
	if (pid > 0) {
		FILE *f = pid_file ? fopen(pid_file, "w") : stdout;

		if (!f) {
			pr_err("cannot write %s: %s", pid_file, strerror(errno));
			kill(pid, SIGTERM);
			return EXIT_FAILED;
		}
		fprintf(f, "%d\n", (int)pid);
		if (f != stdout)
			fclose(f);
		exit(EXIT_OK);
	}
	setsid();
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	if (chdir("/") < 0)
		return 0;
	return 0;
}

/* One --scan monitor moves spares at a time: it holds a lock on
 * /run/mdadm/autorebuild.pid (its pid inside) for as long as it runs.
 * Taken before --daemonise forks, so that a second one is refused where
 * the admin sees it; the lock goes with the descriptor to the child. */
static int sharer_fd = -1;

static int one_sharer(void)
{
	if (mkdir("/run/mdadm", 0755) < 0 && errno != EEXIST)
		return 0;
	sharer_fd = open(MON_SHARER_PID, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (sharer_fd < 0)
		return 0; /* read-only /run: nothing to share with */
	if (flock(sharer_fd, LOCK_EX | LOCK_NB) < 0) {
		pr_err("Only one autorebuild process allowed in scan mode, aborting");
		close(sharer_fd);
		sharer_fd = -1;
		return EXIT_FAILED;
	}
	return 0; /* the descriptor stays open: the lock lives with us */
}

static void sharer_pid(void)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (sharer_fd >= 0 && ftruncate(sharer_fd, 0) == 0)
		(void)!pwrite(sharer_fd, pid, strlen(pid), 0);
}

static int watch_named(struct mon_state *s, const struct request *req)
{
	for (int i = 0; i < req->n_devs; i++) {
		char devnm[MON_NAME_MAX];
		struct mon_watch *w;

		if (util_md_devnm(SYSROOT, req->devs[i].path, devnm, sizeof(devnm)) < 0) {
			pr_err("%s is not an md array", req->devs[i].path);
			return EXIT_FAILED;
		}
		if (watch_find(s, devnm))
			continue;
		w = watch_add(s, devnm);
		if (!w)
			return EXIT_FAILED;
		snprintf(w->path, sizeof(w->path), "%s", req->devs[i].path);
	}
	return 0;
}

static int settings(struct mon_state *s, const struct request *req)
{
	int r = conf_load(&s->conf, req->config);

	if (r < 0 && req->config) {
		pr_err("cannot read %s: %s", req->config, strerror(-r));
		return EXIT_FAILED;
	}
	s->mailaddr = req->mail ? req->mail : s->conf.mailaddr;
	s->mailfrom = s->conf.mailfrom;
	s->program = req->program ? req->program : s->conf.program;
	s->syslog = req->syslog;
	s->scan = req->scan;
	s->share = !req->no_sharing;
	s->test = req->test;
	s->delay_s = req->delay_s != UNSET   ? req->delay_s
		     : s->conf.monitor_delay ? s->conf.monitor_delay
					     : MON_DEFAULT_DELAY;
	s->increment = req->increment != UNSET ? req->increment : MON_DEFAULT_INCREMENT;
	if (s->program && s->program[0] != '/') {
		pr_err("the alert program must be given by its full path: %s", s->program);
		return EXIT_FAILED;
	}
	if (s->scan && !s->mailaddr && !s->program && !s->syslog) {
		pr_err("No mail address or alert command - not monitoring.");
		return EXIT_FAILED;
	}
	if (!s->scan && req->n_devs == 0) {
		pr_err("--monitor needs --scan or the md devices to watch");
		return EXIT_USAGE;
	}
	return 0;
}

static int monitor_loop(struct mon_state *s, bool oneshot)
{
	bool first = true;

	while (!mon_stop) {
		if (one_pass(s, first) < 0)
			return EXIT_FAILED;
		first = false;
		if (oneshot)
			break;
		wait_event(s);
	}
	return EXIT_OK;
}

static void free_state(struct mon_state *s)
{
	conf_free(&s->conf);
	free(s->w);
	free(s->text);
	free(s->snaps);
	if (s->mdstat_fd >= 0)
		close(s->mdstat_fd);
}

int mode_monitor(const struct request *req)
{
	struct mon_state s = {.mdstat_fd = -1};
	struct sigaction sa = {.sa_handler = on_signal};
	int r = settings(&s, req);

	if (!r)
		r = watch_named(&s, req);
	if (!r) {
		s.mdstat_fd = open("/proc/mdstat", O_RDONLY | O_CLOEXEC);
		if (s.mdstat_fd < 0) {
			pr_err("cannot open /proc/mdstat: %s (is the md module loaded?)",
			       strerror(errno));
			r = EXIT_FAILED;
		}
	}
	if (!r && s.scan && s.share)
		r = one_sharer();
	if (!r && req->daemonise)
		r = daemonise(req->pid_file);
	if (!r) {
		sharer_pid();
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		if (s.syslog)
			openlog("mdadm", LOG_PID, LOG_DAEMON);
		mon_syslog = s.syslog;
		r = monitor_loop(&s, req->oneshot);
		if (req->daemonise && req->pid_file)
			unlink(req->pid_file);
	}
	free_state(&s);
	return r;
}
