/*
 * managemon.c: mdmon's manager thread (the process's main thread).
 *
 * Owns: noticing volumes of the container appear and disappear (from
 * /proc/mdstat), opening and closing their sysfs files, and serving
 * mdadm's requests on the control socket.  It allocates and frees; the
 * monitor only reads what it publishes (rules in mdmon.h).  Never writes
 * metadata itself.  Everything read from the socket is checked like any
 * other input: bad magic, an oversized or truncated frame, or a timeout
 * closes the connection.
 */
#include "imsm.h"
#include "mdadm.h"
#include "mdmon.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define FRAME_TIMEOUT_MS 3000

static struct mon_array *find_array(struct mdmon_state *st, const char *devnm)
{
	for (struct mon_array *a = st->arrays; a; a = a->next)
		if (strcmp(a->devnm, devnm) == 0)
			return a;
	return NULL;
}

static bool is_our_member(const struct mdmon_state *st, const struct mdstat_array *a)
{
	char parent[MDSTAT_NAME_MAX];

	return mdstat_container_of(a, parent, sizeof(parent)) == 0 &&
	       strcmp(parent, st->container) == 0;
}

/* Optional pollable files (absent for raid0): -1 when missing. */
static int open_optional(const struct md_sysfs *md, const char *attr)
{
	int fd = sysfs_open_attr(md, NULL, attr);

	return fd < 0 ? -1 : fd;
}

static void close_array(struct mon_array *a)
{
	for (int i = 0; i < a->n_disks; i++)
		if (a->disks[i].state_fd >= 0)
			close(a->disks[i].state_fd);
	close(a->state_fd);
	if (a->action_fd >= 0)
		close(a->action_fd);
	if (a->resync_fd >= 0)
		close(a->resync_fd);
	if (a->sync_fd >= 0)
		close(a->sync_fd);
	free(a);
}

/* The metadata's record index of the container disk with this number. */
static int record_index(const struct mdmon_state *st, unsigned int major, unsigned int minor)
{
	for (int i = 0; st->mpb && i < st->n_disks; i++)
		if (st->disks[i].major == major && st->disks[i].minor == minor)
			return imsm_find_disk(st->mpb, st->disks[i].serial);
	return -1;
}

/* Watch each slotted member disk's state (failures). */
static void add_disks(struct mdmon_state *st, const struct md_sysfs *md, struct mon_array *a)
{
	struct md_array_info info;

	if (sysfs_read_array(md, &info) < 0)
		return;
	for (int i = 0; i < info.n_members && a->n_disks < MDMON_MAX_DISKS; i++) {
		const struct md_member_info *m = &info.members[i];
		struct mon_disk *d = &a->disks[a->n_disks];

		if (m->slot < 0)
			continue;
		d->state_fd = sysfs_open_attr(md, m->kname, "state");
		if (d->state_fd < 0)
			continue;
		snprintf(d->kname, sizeof(d->kname), "%s", m->kname);
		d->slot = m->slot;
		d->index = record_index(st, m->major, m->minor);
		a->n_disks++;
	}
	sysfs_free_array(&info);
}

/*
 * Failures the monitor has recorded: take the disk out of the array
 * record, wait until the monitor no longer polls it, then detach it from
 * the volume (it stays in the container).
 */
static void remove_recorded(struct mdmon_state *st)
{
	char knames[MDMON_MAX_DISKS][32], devnms[MDMON_MAX_DISKS][32];
	int fds[MDMON_MAX_DISKS], n = 0;
	struct md_sysfs md;

	pthread_mutex_lock(&st->lock);
	for (struct mon_array *a = st->arrays; a; a = a->next)
		for (int i = 0; i < a->n_disks && n < MDMON_MAX_DISKS; i++) {
			if (!a->disks[i].recorded)
				continue;
			snprintf(knames[n], 32, "%s", a->disks[i].kname);
			snprintf(devnms[n], 32, "%s", a->devnm);
			fds[n++] = a->disks[i].state_fd;
			a->disks[i] = a->disks[--a->n_disks];
			i--;
		}
	pthread_mutex_unlock(&st->lock);
	if (!n)
		return;
	mon_wait_passes(st);
	for (int i = 0; i < n; i++) {
		close(fds[i]);
		sysfs_init(&md, st->sysroot, devnms[i]);
		if (sysfs_write_attr(&md, knames[i], "state", "remove") < 0)
			continue; /* already gone, or the kernel still holds it: next event */
	}
}

/*
 * Where the resync checkpoint of volume idx stands (md sectors): the
 * monitor records a new one only past it, so a stale sync_completed read
 * before md resumed never moves the checkpoint back.
 */
static unsigned long long recorded_checkpoint(const struct mdmon_state *st, int idx)
{
	if (!st->mpb || idx < 0 || idx >= st->mpb->num_raid_devs ||
	    !imsm_migr_is_resync(&st->mpb->dev[idx]))
		return 0;
	return imsm_migr_checkpoint_pos(&st->mpb->dev[idx]);
}

/* "external:/md127/1" -> 1 */
static int volume_index(const struct mdstat_array *s)
{
	const char *slash = strrchr(s->metadata, '/');

	return slash ? atoi(slash + 1) : -1;
}

static int add_array(struct mdmon_state *st, const struct mdstat_array *s)
{
	struct mon_array *a;
	struct md_sysfs md;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	snprintf(a->devnm, sizeof(a->devnm), "%s", s->devnm);
	a->index = volume_index(s);
	sysfs_init(&md, st->sysroot, s->devnm);
	a->state_fd = sysfs_open_attr(&md, NULL, "array_state");
	if (a->state_fd < 0) {
		int r = a->state_fd;

		free(a);
		return r;
	}
	a->action_fd = open_optional(&md, "sync_action");
	a->resync_fd = open_optional(&md, "resync_start");
	a->sync_fd = open_optional(&md, "sync_completed");
	a->resync_pos = a->sync_pos = SYSFS_NONE;
	pthread_mutex_lock(&st->lock);
	/* mdadm wrote the metadata of the new volume: adopt the newest copy */
	(void)manager_load_metadata(st);
	a->last_checkpoint = recorded_checkpoint(st, a->index);
	add_disks(st, &md, a);
	a->next = st->arrays;
	st->arrays = a;
	pthread_mutex_unlock(&st->lock);
	mon_wake(st);
	return 0;
}

/* Unlink entries whose volume is gone; free them once the monitor has
 * moved past them. */
static void drop_vanished(struct mdmon_state *st, struct mdstat_array *stats)
{
	struct mon_array *gone = NULL, **pp;

	pthread_mutex_lock(&st->lock);
	for (pp = &st->arrays; *pp;) {
		struct mon_array *a = *pp;
		struct mdstat_array *s = mdstat_find(stats, a->devnm);

		if (s && is_our_member(st, s) && !a->gone) {
			pp = &a->next;
			continue;
		}
		*pp = a->next;
		a->next = gone;
		gone = a;
	}
	pthread_mutex_unlock(&st->lock);
	if (!gone)
		return;
	mon_wait_passes(st);
	while (gone) {
		struct mon_array *next = gone->next;

		close_array(gone);
		gone = next;
	}
}

int manager_reconcile(struct mdmon_state *st)
{
	struct mdstat_array *stats, *a;
	int r;

	r = mdstat_read(NULL, &stats);
	if (r < 0)
		return r;
	if (!mdstat_find(stats, st->container)) {
		mdstat_free(stats);
		return 0;
	}
	drop_vanished(st, stats);
	remove_recorded(st);
	for (a = stats; a; a = a->next)
		if (is_our_member(st, a) && !find_array(st, a->devnm) &&
		    strncmp(a->level, "raid", 4) == 0 && strcmp(a->level, "raid0") != 0 &&
		    add_array(st, a) < 0)
			continue; /* retried at the next event */
	mdstat_free(stats);
	return 1;
}

void manager_free_arrays(struct mdmon_state *st)
{
	while (st->arrays) {
		struct mon_array *a = st->arrays;

		st->arrays = a->next;
		close_array(a);
	}
}

void manager_close_disks(struct mdmon_state *st)
{
	for (int i = 0; i < st->n_disks; i++)
		close(st->disks[i].fd);
	st->n_disks = 0;
	imsm_free(st->mpb);
	st->mpb = NULL;
}

static int open_disk(struct mdmon_state *st, const struct md_member_info *m)
{
	struct imsm_disk_dev *d = &st->disks[st->n_disks];
	char *path = st->disk_paths[st->n_disks];
	int r;

	memset(d, 0, sizeof(*d));
	if (util_devpath_of(makedev(m->major, m->minor), path, 64) < 0)
		snprintf(path, 64, "/dev/%s", m->kname);
	d->path = path;
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	r = imsm_disk_identify(d);
	if (r) {
		close(d->fd);
		return r;
	}
	st->n_disks++;
	return 0;
}

int manager_load_metadata(struct mdmon_state *st)
{
	struct md_array_info info;
	struct imsm_super *s;
	struct md_sysfs md;
	int r;

	sysfs_init(&md, st->sysroot, st->container);
	r = sysfs_read_array(&md, &info);
	if (r)
		return r;
	for (int i = 0; i < st->n_disks; i++)
		close(st->disks[i].fd);
	st->n_disks = 0;
	for (int i = 0; i < info.n_members && st->n_disks < MD_MAX_MEMBERS; i++)
		(void)open_disk(st, &info.members[i]); /* an unreadable disk is left out */
	sysfs_free_array(&info);
	for (int i = 0; i < st->n_disks; i++)
		if (imsm_read_mpb(&st->disks[i], &s) == 0)
			imsm_keep_newest(&st->mpb, s);
	return 0;
}

static int send_frame(int fd, const void *payload, int32_t len)
{
	uint32_t start = MDMON_MAGIC_START, end = MDMON_MAGIC_END;
	int r;

	r = util_write_full(fd, &start, sizeof(start));
	if (!r)
		r = util_write_full(fd, &len, sizeof(len));
	if (!r && len > 0)
		r = util_write_full(fd, payload, (size_t)len);
	if (!r)
		r = util_write_full(fd, &end, sizeof(end));
	return r;
}

/* Frame header: start magic and length.  The payload and end magic are
 * read by the caller once it decided to accept the length. */
static int recv_header(int fd, int32_t *ret_len)
{
	uint32_t magic;
	int32_t len;
	int r;

	r = util_read_full(fd, &magic, sizeof(magic), FRAME_TIMEOUT_MS);
	if (!r && magic != MDMON_MAGIC_START)
		r = -EPROTO;
	if (!r)
		r = util_read_full(fd, &len, sizeof(len), FRAME_TIMEOUT_MS);
	if (!r && (len < MDMON_PING_MANAGER || len > MDMON_MAX_PAYLOAD))
		r = -EMSGSIZE;
	if (!r)
		*ret_len = len;
	return r;
}

static int recv_end(int fd)
{
	uint32_t magic;
	int r = util_read_full(fd, &magic, sizeof(magic), FRAME_TIMEOUT_MS);

	return r ? r : magic == MDMON_MAGIC_END ? 0 : -EPROTO;
}

/* Answer one request frame; returns -errno to close the connection. */
/* Hand a validated update to the monitor; wait until it is on disk. */
static int queue_update(struct mdmon_state *st, struct imsm_super *upd)
{
	int r;

	pthread_mutex_lock(&st->lock);
	r = imsm_check_volume_update(st->mpb, upd);
	if (!r && !st->pending) {
		st->pending = upd;
		st->applied = false;
	} else if (!r) {
		r = -EBUSY;
	}
	pthread_mutex_unlock(&st->lock);
	if (r)
		return r;
	for (bool done = false; !done;) {
		mon_wait_passes(st);
		pthread_mutex_lock(&st->lock);
		done = st->applied || st->exiting;
		if (done)
			st->pending = NULL; /* the caller frees upd */
		pthread_mutex_unlock(&st->lock);
	}
	return 0;
}

/* A metadata update: payload, end magic, decode, validate, apply, ack.
 * Anything wrong closes the connection without an ack. */
static int serve_update(struct mdmon_state *st, int fd, int32_t len)
{
	struct imsm_super *upd = NULL;
	void *buf = malloc((size_t)len);
	int r = buf ? util_read_full(fd, buf, (size_t)len, FRAME_TIMEOUT_MS) : -ENOMEM;

	if (!r)
		r = recv_end(fd);
	if (!r)
		r = imsm_decode(buf, (size_t)len, &upd);
	free(buf);
	if (!r)
		r = queue_update(st, upd);
	imsm_free(upd);
	return r ? r : send_frame(fd, NULL, 0);
}

static int serve_frame(struct mdmon_state *st, int fd)
{
	static const char version[] = "mdmon - v" MDADM_VERSION " - " MDADM_DATE "\n";
	int32_t len;
	int r;

	r = recv_header(fd, &len);
	if (!r && len > 0)
		return serve_update(st, fd, len);
	if (!r)
		r = recv_end(fd);
	if (r)
		return r;
	if (len == MDMON_PING_MANAGER) {
		(void)manager_reconcile(st); /* the client only waits for the pass */
		return send_frame(fd, NULL, 0);
	}
	mon_wait_passes(st);
	return send_frame(fd, version, (int32_t)sizeof(version));
}

void manager_serve_client(struct mdmon_state *st, int fd)
{
	while (serve_frame(st, fd) == 0)
		;
	close(fd);
}
