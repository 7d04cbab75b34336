/*
 * managemon.c: mdmon's manager thread (the process's main thread).
 *
 * Owns: noticing volumes of the container appear and disappear (from
 * /proc/mdstat), opening and closing their sysfs files, the container's
 * disks and spares, activating a spare into a degraded volume, and
 * serving mdadm's requests on the control socket.  It allocates and
 * frees; the monitor only reads what it publishes (rules in mdmon.h).
 * Never writes metadata itself: changes go to the monitor as a struct
 * mon_update.  Everything read from the socket is checked like any other
 * input: bad magic, an oversized or truncated frame, or a timeout closes
 * the connection.
 *
 * Spare activation (md-kernel-interface.md §6.8, imsm-format.md §7.4),
 * for a volume the metadata records degraded:
 *
 *     freeze  ->  new_dev, offset, size, recovery_start 0, slot
 *             ->  the REBUILD migration on disk (monitor)  ->  recover
 *
 * so md rebuilds only onto a disk the metadata already names.  A failure
 * before the metadata write takes the disk back out and leaves the volume
 * as it was.
 */
#include "imsm.h"
#include "imsm-reshape.h"
#include "imsm-resize.h"
#include "imsm-takeover.h"
#include "mdadm.h"
#include "mdmon.h"
#include "mdmon-request.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <time.h>
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

/* The container disk with this number: its index in st->disks, or -1. */
static int disk_by_number(const struct mdmon_state *st, unsigned int major, unsigned int minor)
{
	for (int i = 0; i < st->n_disks; i++)
		if (st->disks[i].major == major && st->disks[i].minor == minor)
			return i;
	return -1;
}

/* Its serial (all zeros when the container disk is unknown). */
static void disk_serial(const struct mdmon_state *st, unsigned int major, unsigned int minor,
			char ret[IMSM_SERIAL_BYTES])
{
	int i = disk_by_number(st, major, minor);

	memset(ret, 0, IMSM_SERIAL_BYTES);
	if (i >= 0)
		memcpy(ret, st->disks[i].serial, IMSM_SERIAL_BYTES);
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
		disk_serial(st, m->major, m->minor, d->serial);
		a->n_disks++;
	}
	sysfs_free_array(&info);
}

/*
 * Asks md to let a failed member go; one md refuses while busy (a
 * reshape runs: md removes no member then) is kept in st->removing.
 */
static void remove_member(struct mdmon_state *st, const char *devnm, const char *kname)
{
	struct md_sysfs md;

	sysfs_init(&md, st->sysroot, devnm);
	if (sysfs_write_attr(&md, kname, "state", "remove") != -EBUSY)
		return; /* removed, or already gone */
	for (int i = 0; i < st->n_removing; i++)
		if (strcmp(st->removing[i].devnm, devnm) == 0 &&
		    strcmp(st->removing[i].kname, kname) == 0)
			return;
	if (st->n_removing < MD_MAX_MEMBERS) {
		snprintf(st->removing[st->n_removing].devnm, 32, "%s", devnm);
		snprintf(st->removing[st->n_removing].kname, 32, "%s", kname);
		st->n_removing++;
	}
}

/* The members md would not let go before: asked again. */
static void retry_removals(struct mdmon_state *st)
{
	int n = st->n_removing;

	st->n_removing = 0;
	for (int i = 0; i < n; i++) {
		char devnm[32], kname[32];

		snprintf(devnm, sizeof(devnm), "%s", st->removing[i].devnm);
		snprintf(kname, sizeof(kname), "%s", st->removing[i].kname);
		remove_member(st, devnm, kname);
	}
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

	retry_removals(st);
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
		remove_member(st, devnms[i], knames[i]);
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

		/* a volume md took over to raid0 is not watched any more */
		if (s && is_our_member(st, s) && !a->gone && strcmp(s->level, "raid0") != 0) {
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

static void activate_spares(struct mdmon_state *st);

/* The container's disk count changed (a disk was added or removed). */
static bool disks_changed(const struct mdmon_state *st, const struct mdstat_array *c)
{
	return c->n_members != st->n_disks;
}

int manager_reconcile(struct mdmon_state *st)
{
	struct mdstat_array *stats, *a, *c;
	int r;

	r = mdstat_read(NULL, &stats);
	if (r < 0)
		return r;
	c = mdstat_find(stats, st->container);
	if (!c) {
		mdstat_free(stats);
		return 0;
	}
	if (disks_changed(st, c)) {
		pthread_mutex_lock(&st->lock);
		(void)manager_load_metadata(st); /* an unreadable container: next event */
		pthread_mutex_unlock(&st->lock);
	}
	drop_vanished(st, stats);
	remove_recorded(st);
	for (a = stats; a; a = a->next)
		if (is_our_member(st, a) && !find_array(st, a->devnm) &&
		    strncmp(a->level, "raid", 4) == 0 && strcmp(a->level, "raid0") != 0 &&
		    add_array(st, a) < 0)
			continue; /* retried at the next event */
	mdstat_free(stats);
	activate_spares(st);
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
	free(st->io_buf);
	st->io_buf = NULL;
}

static int open_disk(struct mdmon_state *st, const struct md_member_info *m)
{
	struct imsm_disk_dev *d = &st->disks[st->n_disks];
	char *path = st->disk_paths[st->n_disks];
	int r;

	if (util_devpath_of(makedev(m->major, m->minor), path, 64) < 0)
		snprintf(path, 64, "/dev/%s", m->kname);
	r = imsm_disk_open(d, path, O_RDWR | O_DIRECT); /* monitor.c: why direct */
	if (!r)
		st->n_disks++;
	return r;
}

/* A spare: its own copy is a spare record, the container's table does
 * not list it (§7.2). */
static void mark_spares(struct mdmon_state *st, struct imsm_super *own[])
{
	for (int i = 0; i < st->n_disks; i++) {
		st->spare[i] = own[i] && imsm_spare_is_record(own[i]) &&
			       (!st->mpb || imsm_find_disk(st->mpb, st->disks[i].serial) < 0);
		imsm_free(own[i]);
	}
}

/* Each disk's own copy; the newest container copy becomes st->mpb. */
static void read_copies(struct mdmon_state *st)
{
	struct imsm_super *own[MD_MAX_MEMBERS] = { NULL }, *dup;

	for (int i = 0; i < st->n_disks; i++) {
		if (imsm_read_mpb(&st->disks[i], &own[i]) < 0)
			continue;
		if (imsm_super_dup(own[i], &dup) == 0)
			imsm_keep_newest(&st->mpb, dup);
	}
	mark_spares(st, own);
}

int manager_load_metadata(struct mdmon_state *st)
{
	struct md_array_info info;
	struct md_sysfs md;
	int r;

	if (!st->io_buf) {
		void *buf;

		/* aligned for the monitor's O_DIRECT writes (monitor.c) */
		if (posix_memalign(&buf, MDMON_IO_ALIGN, MDMON_IO_BYTES))
			return -ENOMEM;
		st->io_buf = memset(buf, 0, MDMON_IO_BYTES);
	}
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
	read_copies(st);
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

/*
 * A frame's time is bounded as a whole: FRAME_TIMEOUT_MS from the moment
 * the manager starts waiting for its header to the last byte of its end
 * magic.  A bound on each read alone would let a client that trickles one
 * byte now and then hold the manager (and every other client, and spare
 * activation) for as long as it likes.
 */
struct frame_clock {
	struct timespec deadline;
};

static void frame_clock_start(struct frame_clock *c)
{
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += FRAME_TIMEOUT_MS / 1000;
	c->deadline.tv_nsec += (long)(FRAME_TIMEOUT_MS % 1000) * 1000000L;
	if (c->deadline.tv_nsec >= 1000000000L) {
		c->deadline.tv_sec++;
		c->deadline.tv_nsec -= 1000000000L;
	}
}

/* Milliseconds left, 0 once past the deadline. */
static int frame_clock_left_ms(const struct frame_clock *c)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(c->deadline.tv_sec - now.tv_sec) * 1000 +
	     (c->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* len bytes before the frame's deadline, or -ETIMEDOUT. */
static int recv_by(int fd, void *buf, size_t len, const struct frame_clock *c)
{
	char *p = buf;

	while (len > 0) {
		int left = frame_clock_left_ms(c);
		ssize_t n = left ? util_read_some(fd, p, len, left) : -ETIMEDOUT;

		if (n < 0)
			return (int)n;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Frame header: start magic and length.  The payload and end magic are
 * read by the caller once it decided to accept the length. */
static int recv_header(int fd, int32_t *ret_len, const struct frame_clock *c)
{
	uint32_t magic;
	int32_t len;
	int r;

	r = recv_by(fd, &magic, sizeof(magic), c);
	if (!r && magic != MDMON_MAGIC_START)
		r = -EPROTO;
	if (!r)
		r = recv_by(fd, &len, sizeof(len), c);
	if (!r && (len < MDMON_PING_MANAGER || len > MDMON_MAX_PAYLOAD))
		r = -EMSGSIZE;
	if (!r)
		*ret_len = len;
	return r;
}

static int recv_end(int fd, const struct frame_clock *c)
{
	uint32_t magic;
	int r = recv_by(fd, &magic, sizeof(magic), c);

	return r ? r : magic == MDMON_MAGIC_END ? 0 : -EPROTO;
}

/* Hand a prepared change to the monitor; wait until it is applied and
 * on disk.  Returns the monitor's result. */
static int queue_update(struct mdmon_state *st, struct mon_update *u)
{
	int r = 0;

	pthread_mutex_lock(&st->lock);
	if (st->pending) {
		r = -EBUSY;
	} else {
		u->result = -EINPROGRESS;
		st->pending = u;
		st->applied = false;
	}
	pthread_mutex_unlock(&st->lock);
	if (r)
		return r;
	for (bool done = false; !done;) {
		mon_wait_passes(st);
		pthread_mutex_lock(&st->lock);
		done = st->applied || st->exiting;
		if (done && !st->applied)
			u->result = -ESHUTDOWN;
		if (done)
			st->pending = NULL; /* the caller frees u */
		pthread_mutex_unlock(&st->lock);
	}
	return u->result;
}

/* ---- spares: activation (§7.4) ---------------------------------------------- */

/* One activation: which disk, which slot, and the record the monitor
 * applies. */
struct spare_plan {
	char kname[32];
	unsigned int major, minor;
	unsigned long long offset_sectors;
	struct imsm_activation act;
};

static bool is_bad_spare(const struct mdmon_state *st, const struct imsm_disk_dev *d)
{
	for (int i = 0; i < st->n_bad_spares; i++)
		if (st->bad_spares[i] == makedev(d->major, d->minor))
			return true;
	return false;
}

static void set_bad_spare(struct mdmon_state *st, unsigned int major, unsigned int minor, bool bad)
{
	dev_t dev = makedev(major, minor);
	int n = 0;

	for (int i = 0; i < st->n_bad_spares; i++)
		if (st->bad_spares[i] != dev)
			st->bad_spares[n++] = st->bad_spares[i];
	if (bad && n == MDMON_BAD_SPARES)
		memmove(st->bad_spares, st->bad_spares + 1, sizeof(dev) * (size_t)--n);
	if (bad)
		st->bad_spares[n++] = dev;
	st->n_bad_spares = n;
}

/* §7.4 order: the disk another volume has in this slot (its own
 * replacement), then a pure spare; each large enough. */
static int pick_disk(const struct mdmon_state *st, int vol, int slot)
{
	uint64_t need = imsm_spare_min_blocks(st->mpb);
	int partner = imsm_rebuild_partner(st->mpb, vol, slot);

	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < st->n_disks; i++) {
			const struct imsm_disk_dev *d = &st->disks[i];
			int index = imsm_find_disk(st->mpb, d->serial);

			if (imsm_disk_blocks(d) < need || is_bad_spare(st, d))
				continue;
			if (pass == 0 ? partner >= 0 && index == partner
				      : index < 0 && st->spare[i])
				return i;
		}
	return -1;
}

static uint32_t random_delta(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
		v = (uint32_t)time(NULL) * 2654435761u;
	return v ? v : 1;
}

/* Under lock: does the volume want a spare, and which one. */
static int plan_spare(const struct mdmon_state *st, const struct mon_array *a,
		      struct spare_plan *ret)
{
	const struct imsm_disk_dev *d;
	int slot, pick;

	if (!st->mpb || a->gone || a->index < 0 || a->index >= st->mpb->num_raid_devs)
		return -ENOENT;
	slot = imsm_rebuild_wanted_slot(st->mpb, a->index);
	pick = slot < 0 ? -1 : pick_disk(st, a->index, slot);
	if (pick < 0)
		return -ENOENT;
	d = &st->disks[pick];
	memset(ret, 0, sizeof(*ret));
	snprintf(ret->kname, sizeof(ret->kname), "%s", d->kname);
	ret->major = d->major;
	ret->minor = d->minor;
	ret->offset_sectors = st->mpb->dev[a->index].vol.map[0].pba_of_lba0;
	ret->act.vol = a->index;
	ret->act.slot = slot;
	memcpy(ret->act.rec.serial, d->serial, IMSM_SERIAL_BYTES);
	ret->act.rec.total_blocks = imsm_disk_blocks(d);
	ret->act.rec.status = IMSM_DISK_CONFIGURED;
	ret->act.family_delta = random_delta();
	return 0;
}

/*
 * Right after a disk left, md reads "recover" until its thread has looked
 * for spares; that brief state raises no poll event (md-kernel-interface.md
 * §3.3), so it is waited out here (a real recovery shows a position in
 * sync_completed).  Bounded: about a second.
 */
static void settle_recovery_check(const struct md_sysfs *md)
{
	char action[32], done[64];

	for (int i = 0; i < 50; i++) {
		if (sysfs_get_sync_action(md, action, sizeof(action)) < 0 ||
		    strcmp(action, "recover") != 0 ||
		    sysfs_read_attr(md, NULL, "sync_completed", done, sizeof(done)) < 0 ||
		    strcmp(done, "none") != 0)
			return;
		usleep(20 * 1000);
	}
}

/* md may take a disk into slot now: not frozen by mdadm ("-" flag), no
 * sync running, the slot vacant (the failed disk removed). */
static int md_ready(const struct md_sysfs *md, int slot)
{
	char meta[64], action[32];
	struct md_array_info info;
	bool taken = false;
	int r;

	if (sysfs_get_metadata_version(md, meta, sizeof(meta)) < 0 || strlen(meta) < 10 ||
	    meta[9] == '-')
		return -EAGAIN;
	settle_recovery_check(md);
	if (sysfs_get_sync_action(md, action, sizeof(action)) < 0 || strcmp(action, "idle") != 0)
		return -EAGAIN;
	/* (the entry of a disk that just left is not listed: sysfs.c) */
	r = sysfs_read_array(md, &info);
	if (r)
		return -EAGAIN;
	for (int i = 0; i < info.n_members; i++)
		taken |= info.members[i].slot == slot;
	sysfs_free_array(&info);
	return taken ? -EAGAIN : 0;
}

/* The disk into the frozen array, rebuilt from its start. */
static int attach_disk(const struct md_sysfs *md, const struct spare_plan *p,
		       unsigned long long size_kib)
{
	struct md_member_cfg m = { .major = p->major, .minor = p->minor, .slot = p->act.slot,
				   .offset_sectors = p->offset_sectors, .size_kib = size_kib,
				   .recovery_start = 0 };
	char kname[32];

	return md_add_member(md, &m, MD_JOIN_RECOVER, kname, sizeof(kname));
}

/* Undo attach_disk(): best effort, the volume runs on as it was (a disk
 * without a slot is removed directly; one with a slot gives it up first). */
static void detach_disk(const struct md_sysfs *md, const struct spare_plan *p)
{
	int r = md_remove_member(md, p->kname);

	if (sysfs_set_sync_action(md, "idle") < 0 || r < 0)
		return; /* nothing more to try: the caller does not retry this disk */
}

/* The new member joins the array record: the monitor sees it fail or
 * come in sync. */
static void watch_disk(struct mdmon_state *st, struct mon_array *a, const struct md_sysfs *md,
		       const struct spare_plan *p)
{
	int fd = sysfs_open_attr(md, p->kname, "state");

	if (fd < 0)
		return; /* the rebuild then ends at the next assembly */
	pthread_mutex_lock(&st->lock);
	if (a->n_disks < MDMON_MAX_DISKS) {
		struct mon_disk *d = &a->disks[a->n_disks++];

		memset(d, 0, sizeof(*d));
		snprintf(d->kname, sizeof(d->kname), "%s", p->kname);
		memcpy(d->serial, p->act.rec.serial, IMSM_SERIAL_BYTES);
		d->slot = p->act.slot;
		d->state_fd = fd;
		fd = -1;
	}
	pthread_mutex_unlock(&st->lock);
	if (fd >= 0)
		close(fd);
	mon_wake(st);
}

/* Freeze, attach, record, start the recovery. */
static int start_rebuild(struct mdmon_state *st, struct mon_array *a, const struct spare_plan *p)
{
	struct mon_update u = { .type = MON_UPD_ACTIVATE, .act = p->act };
	unsigned long long size_kib;
	struct md_sysfs md;
	int r;

	sysfs_init(&md, st->sysroot, a->devnm);
	r = md_ready(&md, p->act.slot);
	if (!r)
		r = sysfs_get_component_kib(&md, &size_kib);
	if (r)
		return -EAGAIN; /* not now: the next event retries */
	r = sysfs_set_sync_action(&md, "frozen");
	if (!r)
		r = attach_disk(&md, p, size_kib);
	if (!r)
		r = queue_update(st, &u);
	if (r) {
		detach_disk(&md, p);
		return r;
	}
	watch_disk(st, a, &md, p);
	/* "idle" lets md start the recovery itself if "recover" is refused;
	 * either way the rebuild is recorded and resumes at the next start */
	if (sysfs_set_sync_action(&md, "recover") < 0)
		return sysfs_set_sync_action(&md, "idle") < 0 ? -EAGAIN : 0;
	return 0;
}

static void activate_one(struct mdmon_state *st, struct mon_array *a)
{
	struct spare_plan p;
	int r;

	pthread_mutex_lock(&st->lock);
	r = plan_spare(st, a, &p);
	pthread_mutex_unlock(&st->lock);
	if (r)
		return;
	r = start_rebuild(st, a, &p);
	st->spare_deferred |= r == -EAGAIN;
	if (r && r != -EAGAIN)
		set_bad_spare(st, p.major, p.minor, true);
}

/* Only this thread edits the array list: it is walked without the lock. */
static void activate_spares(struct mdmon_state *st)
{
	st->spare_deferred = false;
	for (struct mon_array *a = st->arrays; a; a = a->next)
		activate_one(st, a);
}

/* ---- spares: requests from mdadm ------------------------------------------------ */

static bool in_container(const struct mdmon_state *st, unsigned int major, unsigned int minor)
{
	struct md_array_info info;
	struct md_sysfs md;
	bool found = false;

	sysfs_init(&md, st->sysroot, st->container);
	if (sysfs_read_array(&md, &info) < 0)
		return false;
	for (int i = 0; i < info.n_members; i++)
		found |= info.members[i].major == major && info.members[i].minor == minor;
	sysfs_free_array(&info);
	return found;
}

static int check_spare_size(struct mdmon_state *st, const struct imsm_disk_dev *d)
{
	uint64_t need;

	pthread_mutex_lock(&st->lock);
	need = imsm_spare_min_blocks(st->mpb);
	pthread_mutex_unlock(&st->lock);
	return imsm_disk_blocks(d) < need ? -ENOSPC : 0;
}

/* The monitor writes the spare record: it alone writes metadata. */
static int write_spare_record(struct mdmon_state *st, const struct imsm_disk_dev *d)
{
	struct mon_update u = { .type = MON_UPD_SPARE_RECORD, .disk = d };
	int r = imsm_spare_record(d, &u.mpb);

	if (!r)
		r = queue_update(st, &u);
	imsm_free(u.mpb);
	return r;
}

static void reload(struct mdmon_state *st)
{
	pthread_mutex_lock(&st->lock);
	(void)manager_load_metadata(st); /* keeps the old view if unreadable */
	pthread_mutex_unlock(&st->lock);
}

/*
 * ADD_SPARE: mdadm checked the disk; check again what mdmon relies on
 * (a block device nobody holds, not in the container, large enough),
 * then spare record, container, and any degraded volume takes it.
 */
static int req_add_spare(struct mdmon_state *st, unsigned int major, unsigned int minor)
{
	struct imsm_disk_dev d = { 0 };
	struct md_member_cfg cfg;
	char path[64];
	int r;

	if (in_container(st, major, minor))
		return -EEXIST;
	if (util_devpath_of(makedev(major, minor), path, sizeof(path)) < 0)
		return -ENODEV;
	d.path = path;
	d.fd = open(path, O_RDWR | O_EXCL | O_CLOEXEC);
	if (d.fd < 0)
		return -errno;
	r = imsm_disk_identify(&d);
	if (!r)
		r = check_spare_size(st, &d);
	if (!r)
		r = write_spare_record(st, &d);
	close(d.fd); /* md claims the disk exclusively */
	imsm_container_member_cfg(&d, &cfg);
	if (!r)
		r = md_container_add(st->container, &cfg);
	if (r)
		return r;
	set_bad_spare(st, major, minor, false);
	reload(st);
	activate_spares(st);
	return 0;
}

/* A disk may leave the container when no volume uses it: not a member in
 * the table (a failed one may go), not held by a watched array. */
static int disk_in_use(const struct mdmon_state *st, const char *kname,
		       const char serial[IMSM_SERIAL_BYTES])
{
	int index = st->mpb ? imsm_find_disk(st->mpb, serial) : -1;

	if (index >= 0 && !(st->mpb->disk[index].status & IMSM_DISK_FAILED))
		return -EBUSY;
	for (const struct mon_array *a = st->arrays; a; a = a->next)
		for (int i = 0; i < a->n_disks; i++)
			if (strcmp(a->disks[i].kname, kname) == 0)
				return -EBUSY;
	return 0;
}

static int req_remove_disk(struct mdmon_state *st, unsigned int major, unsigned int minor)
{
	char kname[32], serial[IMSM_SERIAL_BYTES];
	struct md_sysfs md;
	int i, r;

	if (!in_container(st, major, minor) ||
	    util_kname_of(makedev(major, minor), kname, sizeof(kname)) < 0)
		return -ENODEV;
	pthread_mutex_lock(&st->lock);
	i = disk_by_number(st, major, minor);
	if (i >= 0)
		memcpy(serial, st->disks[i].serial, IMSM_SERIAL_BYTES);
	r = i >= 0 || imsm_disk_serial(kname, serial) == 0 ? disk_in_use(st, kname, serial) : 0;
	if (!r && i >= 0)
		st->spare[i] = false; /* no activation picks it from now on */
	pthread_mutex_unlock(&st->lock);
	if (r)
		return r;
	sysfs_init(&md, st->sysroot, st->container);
	r = sysfs_write_attr(&md, kname, "state", "remove");
	reload(st);
	return r;
}

/* The container disk with serial, copied (the manager alone reloads). */
static int disk_by_serial(struct mdmon_state *st, const char serial[IMSM_SERIAL_BYTES],
			  struct imsm_disk_dev *ret)
{
	int r = -ENODEV;

	pthread_mutex_lock(&st->lock);
	for (int i = 0; i < st->n_disks && r; i++)
		if (memcmp(st->disks[i].serial, serial, IMSM_SERIAL_BYTES) == 0) {
			*ret = st->disks[i];
			r = 0;
		}
	pthread_mutex_unlock(&st->lock);
	return r;
}

/* Serials of the disk table, under the lock. */
static unsigned int table_serials(struct mdmon_state *st, char serials[][IMSM_SERIAL_BYTES])
{
	unsigned int n = 0;

	pthread_mutex_lock(&st->lock);
	for (unsigned int i = 0; st->mpb && i < st->mpb->num_disks; i++)
		memcpy(serials[n++], st->mpb->disk[i].serial, IMSM_SERIAL_BYTES);
	pthread_mutex_unlock(&st->lock);
	return n;
}

/*
 * The disks an ended migration let go (raid5 -> raid0's last slot) get
 * their spare records, after the metadata without them is on the others
 * (a crash between leaves a stale member of an older generation).
 */
static int spare_left_disks(struct mdmon_state *st, char before[][IMSM_SERIAL_BYTES],
			    unsigned int n)
{
	struct imsm_disk_dev d;
	bool gone;
	int r = 0;

	for (unsigned int i = 0; !r && i < n; i++) {
		pthread_mutex_lock(&st->lock);
		gone = st->mpb && imsm_find_disk(st->mpb, before[i]) < 0;
		pthread_mutex_unlock(&st->lock);
		if (gone && disk_by_serial(st, before[i], &d) == 0)
			r = write_spare_record(st, &d);
	}
	if (r == 0)
		reload(st);
	return r;
}

/* A general migration's checkpoint or end, from the mdadm driving it. */
static int req_migration(struct mdmon_state *st, const struct mdmon_disk_req *req)
{
	static char before[IMSM_MAX_DISKS][IMSM_SERIAL_BYTES];
	struct mon_update u = { .vol = (int)req->major, .unit = req->minor };
	unsigned int n = 0;
	int r;

	u.type = req->type == MDMON_REQ_MIGR_END ? MON_UPD_MIGR_END : MON_UPD_MIGR_CHECKPOINT;
	if (u.type == MON_UPD_MIGR_END)
		n = table_serials(st, before);
	r = queue_update(st, &u);
	return r || !n ? r : spare_left_disks(st, before, n);
}

/*
 * TAKEOVER: mdadm checked the request against its copy; mdmon builds the
 * result from its own, newest one (a failure recorded meanwhile refuses
 * it), swaps it in, then writes the spare records of the disks that left
 * the table (raid10/raid1 -> raid0): a crash between leaves them stale
 * members of an older generation, never members a volume counts on.
 */
static int req_takeover(struct mdmon_state *st, const struct mdmon_disk_req *req)
{
	static char before[IMSM_MAX_DISKS][IMSM_SERIAL_BYTES];
	struct imsm_takeover_request rq = { .vol = (int)req->major, .new_level = (int)req->minor,
					    .force = true };
	struct mon_update u = { .type = MON_UPD_TAKEOVER };
	unsigned int n = table_serials(st, before);
	int r;

	if (req->major > IMSM_MAX_RAID_DEVS || req->minor > 10)
		return -EINVAL;
	pthread_mutex_lock(&st->lock);
	r = st->mpb ? imsm_takeover_apply(st->mpb, &rq, &u.mpb) : -ENODATA;
	pthread_mutex_unlock(&st->lock);
	if (!r)
		r = queue_update(st, &u);
	imsm_free(u.mpb); /* the old one once swapped */
	return r ? r : spare_left_disks(st, before, n);
}

/* RESIZE: the volume's new size on each member, built from our copy. */
static int req_resize(struct mdmon_state *st, const struct mdmon_disk_req *req)
{
	struct mon_update u = { .type = MON_UPD_TAKEOVER };
	int r;

	pthread_mutex_lock(&st->lock);
	r = st->mpb ? imsm_resize_apply(st->mpb, (int)req->major, (uint64_t)req->minor * 1024, &u.mpb)
		    : -ENODATA;
	pthread_mutex_unlock(&st->lock);
	if (!r)
		r = queue_update(st, &u);
	imsm_free(u.mpb); /* the old one once swapped */
	return r;
}

/*
 * OLCE_ROLLBACK (flow step 4): md refused the reshape's start and mdadm
 * took the new members out of md again; the metadata from before the
 * start is written, then the disks that were to join get their spare
 * records back (in that order: a crash between leaves them stale members
 * of an older generation, never members a volume still counts on).
 */
static int req_olce_rollback(struct mdmon_state *st)
{
	struct mon_update u = { .type = MON_UPD_OLCE_ROLLBACK };
	char serials[IMSM_MAX_DISKS][IMSM_SERIAL_BYTES];
	unsigned int first = 0, n = 0;
	struct imsm_disk_dev d;
	int r;

	pthread_mutex_lock(&st->lock);
	r = st->mpb ? imsm_olce_rollback(st->mpb, &u.mpb, &first) : -ENODATA;
	for (unsigned int i = first; !r && i < st->mpb->num_disks; i++)
		memcpy(serials[n++], st->mpb->disk[i].serial, IMSM_SERIAL_BYTES);
	pthread_mutex_unlock(&st->lock);
	if (!r)
		r = queue_update(st, &u);
	imsm_free(u.mpb); /* the old one once swapped */
	for (unsigned int i = 0; !r && i < n; i++) {
		r = disk_by_serial(st, serials[i], &d);
		if (!r)
			r = write_spare_record(st, &d);
	}
	reload(st);
	return r;
}

/* ---- volumes: delete and rename (imsm-format.md §5.7) ------------------------- */

/*
 * Whether md runs volume idx of our container (kill: or any after it,
 * whose index would change): -EBUSY.  /proc/mdstat, not the watched
 * arrays: raid0 volumes are not watched, and a volume md just started
 * may not be watched yet.
 */
static int volume_in_use(const struct mdmon_state *st, int idx, bool or_after)
{
	struct mdstat_array *stats;
	int r = mdstat_read(NULL, &stats);

	if (r < 0)
		return r;
	r = 0;
	for (struct mdstat_array *a = stats; a; a = a->next) {
		int v = volume_index(a);

		if (is_our_member(st, a) && (v == idx || (or_after && v > idx)))
			r = -EBUSY;
	}
	mdstat_free(stats);
	return r;
}

/* The last volume is gone: every disk of the old table gets its spare
 * record back (the monitor writes each), as a container without volume
 * has (§1.6). */
static int spare_all(struct mdmon_state *st, const struct imsm_super *old)
{
	struct imsm_disk_dev disks[MD_MAX_MEMBERS];
	int n = 0, r = 0;

	pthread_mutex_lock(&st->lock);
	for (int i = 0; i < st->n_disks; i++)
		if (imsm_find_disk(old, st->disks[i].serial) >= 0)
			disks[n++] = st->disks[i];
	pthread_mutex_unlock(&st->lock);
	for (int i = 0; i < n; i++) {
		int e = write_spare_record(st, &disks[i]);

		if (e && !r)
			r = e; /* the others still become spares */
	}
	return r;
}

static int req_kill_volume(struct mdmon_state *st, int idx)
{
	struct mon_update u = { .type = MON_UPD_KILL_VOLUME, .vol = idx };
	int r;

	/* forget volumes md stopped since the last event: the monitor
	 * refuses while it still watches one */
	(void)manager_reconcile(st);
	r = volume_in_use(st, idx, true);

	if (!r)
		r = queue_update(st, &u);
	if (!r && u.mpb)
		r = spare_all(st, u.mpb);
	imsm_free(u.mpb);
	reload(st);
	return r;
}

static int req_rename_volume(struct mdmon_state *st, int idx, const char name[IMSM_NAME_BYTES])
{
	struct mon_update u = { .type = MON_UPD_RENAME_VOLUME, .vol = idx };
	int r;

	(void)manager_reconcile(st); /* as for a delete */
	r = volume_in_use(st, idx, false);

	memcpy(u.name, name, IMSM_NAME_BYTES);
	u.name[IMSM_NAME_BYTES] = '\0';
	if (!r)
		r = queue_update(st, &u);
	return r;
}

/* ---- requests: checked first (mdmon-request.h) --------------------------------- */

/* The container's disks as the validator sees them; under the lock. */
static int req_view_disks(const struct mdmon_state *st, struct mdmon_req_disk *ret)
{
	for (int i = 0; i < st->n_disks; i++)
		ret[i] = (struct mdmon_req_disk){ .major = st->disks[i].major,
						  .minor = st->disks[i].minor,
						  .blocks = imsm_disk_blocks(&st->disks[i]) };
	return st->n_disks;
}

static int check_disk_req(struct mdmon_state *st, const struct mdmon_disk_req *req)
{
	struct mdmon_req_disk disks[MD_MAX_MEMBERS];
	int r;

	pthread_mutex_lock(&st->lock);
	r = mdmon_check_disk_req(st->mpb, disks, req_view_disks(st, disks), req);
	pthread_mutex_unlock(&st->lock);
	return r;
}

/* A disk request on our view; a disk the view does not know yet (added
 * to md since the last event) is looked for again after a reload. */
static int validate_disk_req(struct mdmon_state *st, const struct mdmon_disk_req *req)
{
	int r = check_disk_req(st, req);

	if (r == -ENODEV && req->type == MDMON_REQ_REMOVE_DISK) {
		reload(st);
		r = check_disk_req(st, req);
	}
	return r;
}

static int validate_vol_req(struct mdmon_state *st, const struct mdmon_vol_req *req)
{
	int r;

	pthread_mutex_lock(&st->lock);
	r = mdmon_check_vol_req(st->mpb, req);
	pthread_mutex_unlock(&st->lock);
	return r;
}

static int serve_vol_req(struct mdmon_state *st, int fd, const struct mdmon_vol_req *req)
{
	int32_t res = validate_vol_req(st, req);

	if (res == -EPROTO)
		return res;
	if (!res && req->type == MDMON_VOL_KILL)
		res = req_kill_volume(st, (int)req->index);
	else if (!res)
		res = req_rename_volume(st, (int)req->index, req->name);
	return send_frame(fd, &res, (int32_t)sizeof(res));
}

static int serve_disk_req(struct mdmon_state *st, int fd, const struct mdmon_disk_req *req)
{
	int32_t res = validate_disk_req(st, req);

	if (res == -EPROTO)
		return res;
	if (res)
		return send_frame(fd, &res, (int32_t)sizeof(res));
	switch (req->type) {
	case MDMON_REQ_ADD_SPARE:
		res = req_add_spare(st, req->major, req->minor);
		break;
	case MDMON_REQ_REMOVE_DISK:
		res = req_remove_disk(st, req->major, req->minor);
		break;
	case MDMON_REQ_MIGR_CHECKPOINT:
	case MDMON_REQ_MIGR_END:
		res = req_migration(st, req);
		break;
	case MDMON_REQ_OLCE_ROLLBACK:
		res = req_olce_rollback(st);
		break;
	case MDMON_REQ_TAKEOVER:
		res = req_takeover(st, req);
		break;
	case MDMON_REQ_RESIZE:
		res = req_resize(st, req);
		break;
	default:
		return -EPROTO;
	}
	return send_frame(fd, &res, (int32_t)sizeof(res));
}

/* ---- the control socket ------------------------------------------------------- */

/*
 * mdadm's MPB: with one more volume (checked against ours, then merged),
 * or, sent as a migration start, ours with one migration begun (replaces
 * ours; the spares that joined are members now: reload).  A start built
 * from metadata older than ours is taken only when nothing we recorded
 * since differs (a failed disk stays failed), with our generation and
 * dirty flags carried over; else -ESTALE.  *upd is what the caller frees
 * afterwards.
 */
static int serve_mpb_update(struct mdmon_state *st, struct imsm_super **upd, bool migr_start)
{
	struct mon_update u = { .type = migr_start ? MON_UPD_MIGR_START : MON_UPD_VOLUME,
				.mpb = *upd };
	int r;

	pthread_mutex_lock(&st->lock);
	if (migr_start)
		r = st->mpb ? imsm_olce_check_start_update(st->mpb, *upd) : -ENODATA;
	else
		r = imsm_check_volume_update(st->mpb, *upd);
	if (!r && migr_start)
		r = mdmon_check_view(st->mpb, *upd);
	if (!r && migr_start)
		mdmon_merge_view(st->mpb, *upd);
	pthread_mutex_unlock(&st->lock);
	if (r || !migr_start)
		return r ? r : queue_update(st, &u);
	r = queue_update(st, &u);
	if (r == 0) {
		*upd = u.mpb; /* the old one */
		reload(st);
	}
	return r;
}

static bool is_migr_start(const void *buf, int32_t len)
{
	return len > MDMON_MIGR_MAGIC_BYTES && memcmp(buf, MDMON_MIGR_MAGIC, MDMON_MIGR_MAGIC_BYTES) == 0;
}

static bool is_disk_req(const void *buf, int32_t len)
{
	return len == (int32_t)sizeof(struct mdmon_disk_req) &&
	       memcmp(buf, MDMON_REQ_MAGIC, sizeof(((struct mdmon_disk_req *)0)->magic)) == 0;
}

static bool is_vol_req(const void *buf, int32_t len)
{
	return len == (int32_t)sizeof(struct mdmon_vol_req) &&
	       memcmp(buf, MDMON_VOL_MAGIC, sizeof(((struct mdmon_vol_req *)0)->magic)) == 0;
}

/* A metadata update: payload, end magic, then a disk request or an MPB
 * (decode, validate, apply, ack).  Anything wrong with an MPB closes the
 * connection without an ack; a disk request is answered with its result,
 * and so is a migration start that decoded but was refused (mdadm says
 * why: mdmon_start_migration()). */
static int serve_update(struct mdmon_state *st, int fd, int32_t len, const struct frame_clock *c)
{
	struct mdmon_disk_req req;
	struct imsm_super *upd = NULL;
	void *buf = malloc((size_t)len);
	bool migr, decoded;
	int32_t res;
	int r = buf ? recv_by(fd, buf, (size_t)len, c) : -ENOMEM;

	if (!r)
		r = recv_end(fd, c);
	if (!r && is_disk_req(buf, len)) {
		memcpy(&req, buf, sizeof(req));
		free(buf);
		return serve_disk_req(st, fd, &req);
	}
	if (!r && is_vol_req(buf, len)) {
		struct mdmon_vol_req vreq;

		memcpy(&vreq, buf, sizeof(vreq));
		free(buf);
		return serve_vol_req(st, fd, &vreq);
	}
	migr = !r && is_migr_start(buf, len);
	if (!r)
		r = migr ? imsm_decode((char *)buf + MDMON_MIGR_MAGIC_BYTES,
				       (size_t)len - MDMON_MIGR_MAGIC_BYTES, &upd)
			 : imsm_decode(buf, (size_t)len, &upd);
	free(buf);
	decoded = !r;
	if (!r)
		r = serve_mpb_update(st, &upd, migr);
	imsm_free(upd);
	res = r;
	if (r && migr && decoded)
		return send_frame(fd, &res, (int32_t)sizeof(res));
	return r ? r : send_frame(fd, NULL, 0);
}

static int serve_frame(struct mdmon_state *st, int fd)
{
	static const char version[] = MDMON_VERSION_LINE;
	struct frame_clock clock;
	int32_t len;
	int r;

	frame_clock_start(&clock);
	r = recv_header(fd, &len, &clock);
	if (!r && len > 0)
		return serve_update(st, fd, len, &clock);
	if (!r)
		r = recv_end(fd, &clock);
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
	/* a client that does not read its answers cannot block us either */
	struct timeval send_bound = { .tv_sec = FRAME_TIMEOUT_MS / 1000 };

	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_bound, sizeof(send_bound));
	while (serve_frame(st, fd) == 0)
		;
	close(fd);
}
