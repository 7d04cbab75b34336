/*
 * monitor.c: mdmon's monitor thread.
 *
 * Owns: watching every member array of the container through its pollable
 * sysfs files and reacting to what the kernel reports.  It sleeps in
 * poll() until the kernel or the manager wakes it: no periodic wake-ups.
 * Never waits on mdadm, never allocates, never talks to clients.
 *
 * One pass (md-kernel-interface.md §6.3-6.4): re-read every array, decide
 * what the metadata must say and what to tell the kernel, write the
 * metadata once, and only then tell the kernel.  Dirty reaches the disks
 * before "active" releases the writers; "clean" is given to the kernel
 * before it is recorded, so no write can slip in after the clean mark.
 *
 * Resyncs (§6.5, imsm-format.md §6.3): when md starts resyncing a volume
 * the metadata gets an INIT or REPAIR migration, its checkpoint follows
 * sync_completed / resync_start (one write per pass, only when the unit
 * moved), and the migration ends when resync_start reads "none".  A
 * stopped resync leaves the migration on disk: assembly resumes from it.
 *
 * Rebuilds (imsm-format.md §7.4): the manager activates a spare and
 * queues the REBUILD migration; the monitor applies it, records md's
 * recovery progress (sync_completed while "recover") as its checkpoint,
 * and ends it once md reports the new member in sync, or at once when
 * that member failed.  Either end wakes the manager: the volume may want
 * another spare.
 *
 * Writes go through a buffer the manager allocated (st->io_buf), in the
 * order of imsm-io.c: migration record sector, MPB extension, anchor last.
 * The disks are open O_DIRECT (the buffer is aligned for it), then
 * fsync'd: the monitor never waits on page reclaim or on pages of the
 * block device another writer dirtied, and md is answered only once the
 * copy is on the medium (md-kernel-interface.md §6.4).
 *
 * A copy that cannot be written (md-kernel-interface.md §6.7): that disk
 * is recorded failed in the metadata, which is written again to the
 * others, and md is told the disk is faulty before anything is
 * acknowledged; the next pass acknowledges md's failure like any other.
 * When no copy at all reaches its disk nothing is acknowledged (no
 * "active", no "-blocked", no update reported done to the manager) and
 * the write is tried again every MON_RETRY_MS.
 *
 * A read-only volume whose "-" flag is set (mdadm --readonly, or an
 * assembly holding a reshape) is left read-only.
 *
 * FIXME(issue 4): failures during a general migration.
 */
#include "imsm.h"
#include "mdadm.h"
#include "imsm-reshape.h"
#include "imsm-subarray.h"
#include "mdmon.h"
#include "mdmon-request.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MON_RETRY_MS 1000 /* a metadata write that reached no disk */

/*
 * What the monitor keeps from one pass to the next, on its own stack
 * (nothing here is shared with the manager).
 */
struct mon_ctx {
	bool unwritten;			/* the last write reached no disk: again */
	const struct mon_update *taken; /* applied in memory, not yet on disk */
	bool failed[MD_MAX_MEMBERS];	/* this pass: st->disks whose write failed */
};

void mgr_wake(struct mdmon_state *st)
{
	char c = 1;

	if (write(st->mgr_pipe[1], &c, 1) < 0 && errno != EAGAIN)
		return;
}

void mon_wake(struct mdmon_state *st)
{
	char c = 1;

	/* A full pipe already means "wake up": nothing is lost. */
	if (write(st->wake_pipe[1], &c, 1) < 0 && errno != EAGAIN)
		return;
}

void mon_wait_passes(struct mdmon_state *st)
{
	unsigned long target, seen;

	pthread_mutex_lock(&st->lock);
	/* The pass running now may have started before our change: wait
	 * for the one after it as well. */
	target = st->passes + 2;
	while (st->passes < target && !st->exiting) {
		/* Wake first, then wait for a pass: the monitor drains the
		 * pipe before each pass, so a pass follows this wake-up even
		 * if it completes before we sleep. */
		seen = st->passes;
		pthread_mutex_unlock(&st->lock);
		mon_wake(st);
		pthread_mutex_lock(&st->lock);
		while (st->passes == seen && !st->exiting)
			pthread_cond_wait(&st->pass_done, &st->lock);
	}
	pthread_mutex_unlock(&st->lock);
}

static void drain_wake_pipe(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static bool is(const char *state, const char *word)
{
	return strcmp(state, word) == 0;
}

/* A number at the start of buf, followed by tail; SYSFS_NONE otherwise. */
static unsigned long long parse_pos(const char *buf, const char *tail)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(buf, &end, 10);
	if (end == buf || errno || strncmp(end, tail, strlen(tail)) != 0)
		return SYSFS_NONE;
	return v;
}

/*
 * resync_start, except in "clear": md_clean() may show a bogus 0 there
 * (md-kernel-interface.md §6.3), so the last value read stays.
 */
static void read_resync(struct mon_array *a)
{
	char buf[32];

	if (a->resync_fd < 0 || is(a->state, "clear") ||
	    util_pread_string(a->resync_fd, buf, sizeof(buf)) < 0)
		return;
	a->resync_done = is(buf, "none");
	a->resync_pos = a->resync_done ? SYSFS_NONE : parse_pos(buf, "");
}

/* sync_completed is read on every pass, as poll() wants, but only a
 * resync's "done / total" is a resync position. */
static void read_sync(struct mon_array *a)
{
	char buf[96];

	a->sync_pos = a->recover_pos = SYSFS_NONE;
	if (a->sync_fd < 0 || util_pread_string(a->sync_fd, buf, sizeof(buf)) < 0)
		return;
	if (is(a->action, "resync"))
		a->sync_pos = parse_pos(buf, " / ");
	else if (is(a->action, "recover"))
		a->recover_pos = parse_pos(buf, " / ");
}

static void read_array(struct mon_array *a)
{
	snprintf(a->prev_state, sizeof(a->prev_state), "%s", a->state);
	snprintf(a->prev_action, sizeof(a->prev_action), "%s", a->action);
	if (util_pread_string(a->state_fd, a->state, sizeof(a->state)) < 0)
		a->state[0] = '\0';
	a->action[0] = '\0';
	if (a->action_fd >= 0 && util_pread_string(a->action_fd, a->action, sizeof(a->action)) < 0)
		a->action[0] = '\0';
	read_resync(a);
	read_sync(a);
	a->reply = NULL;
	for (int i = 0; i < a->n_disks; i++) {
		struct mon_disk *d = &a->disks[i];
		char state[128];

		if (util_pread_string(d->state_fd, state, sizeof(state)) < 0)
			state[0] = '\0';
		d->faulty = strstr(state, "faulty") != NULL;
		d->in_sync = strstr(state, "in_sync") != NULL;
	}
}

/*
 * Failed disks go into the metadata before the kernel may go on (§6.7).
 * A disk the volume no longer uses (mdadm lets a takeover's mirror half
 * or a migration's parity disk go) is no failure: marking it would fail
 * it in the container's other volumes.
 */
static bool record_failures(struct mdmon_state *st, struct mon_array *a)
{
	bool changed = false;

	for (int i = 0; i < a->n_disks; i++) {
		struct mon_disk *d = &a->disks[i];
		int index;

		if (!d->faulty || d->recorded)
			continue;
		index = imsm_find_disk(st->mpb, d->serial);
		d->released = a->index < 0 || a->index >= st->mpb->num_raid_devs ||
			      !imsm_dev_uses_disk(&st->mpb->dev[a->index], index);
		if (!d->released)
			changed |= imsm_mark_failed(st->mpb, index);
	}
	return changed;
}

/*
 * §6.7 step 4: the metadata records the disk failed in every volume, so
 * md must stop using it in the other watched volumes too (they record
 * nothing new; their own pass acknowledges it).  raid0 volumes are not
 * watched: md would take a whole raid0 down.  from NULL: every volume.
 */
static void propagate_failure(struct mdmon_state *st, const struct mon_array *from,
			      const char *kname)
{
	for (struct mon_array *b = st->arrays; b; b = b->next)
		for (int i = 0; b != from && !b->gone && i < b->n_disks; i++)
			if (strcmp(b->disks[i].kname, kname) == 0 && !b->disks[i].faulty &&
			    util_pwrite_string(b->disks[i].state_fd, "faulty") < 0)
				continue; /* already failed or gone: nothing to do */
}

/* After the metadata write: unblock the failed disks, tell the manager. */
static void ack_failures(struct mdmon_state *st, struct mon_array *a)
{
	for (int i = 0; i < a->n_disks; i++) {
		struct mon_disk *d = &a->disks[i];
		int r;

		if (!d->faulty || d->recorded)
			continue;
		d->recorded = true;
		r = util_pwrite_string(d->state_fd, "-blocked");
		(void)r; /* not blocked (any more): nothing to release */
		if (!d->released)
			propagate_failure(st, a, d->kname);
		mgr_wake(st);
	}
}

static bool running(const char *state)
{
	return state[0] && !is(state, "clear") && !is(state, "inactive");
}

/* The volume needs nothing: initialised, not degraded, not migrating. */
static bool volume_consistent(const struct imsm_dev *dev)
{
	return dev->vol.map[0].map_state == IMSM_MAP_NORMAL && !dev->vol.migr_state;
}

/* Parity/mirrors agree for what the members hold, even when degraded or
 * while a new member rebuilds: the volume may be recorded clean. */
static bool no_resync_pending(const struct imsm_dev *dev)
{
	return dev->vol.map[0].map_state != IMSM_MAP_UNINITIALIZED &&
	       (!dev->vol.migr_state || imsm_rebuild_running(dev));
}

/* Writes to it can tear a row: parity or mirrors (or a migration, whose
 * md level has them). */
static bool can_tear(const struct imsm_dev *dev)
{
	return dev->vol.migr_state || imsm_map_md_level(&dev->vol.map[0]) != 0;
}

static bool set_dirty(struct imsm_dev *dev, bool dirty)
{
	if (dev->vol.dirty == dirty)
		return false;
	dev->vol.dirty = dirty;
	return true;
}

/* Running and writable (or about to be: "active" answers "readonly"). */
static bool read_write(const struct mon_array *a)
{
	if (a->reply && is(a->reply, "active"))
		return true;
	return running(a->state) && !is(a->state, "readonly") && !is(a->state, "read-auto");
}

/*
 * A resync is pending (resync_start is a number) and the array goes or is
 * read-write with md resyncing: record the INIT or REPAIR migration
 * (imsm-format.md §6.3) in the same write as the answer that lets md run.
 */
static bool record_resync_start(struct imsm_super *s, struct mon_array *a)
{
	bool starting = a->reply && is(a->reply, "active");

	if (a->resync_pos == SYSFS_NONE || !read_write(a) || !(starting || is(a->action, "resync")))
		return false;
	if (!imsm_start_resync(s, a->index))
		return false;
	a->last_checkpoint = 0;
	return true;
}

/*
 * md's resync position: sync_completed while it resyncs, resync_start
 * (advanced at md's own checkpoints, and set where an interrupted resync
 * stopped), whichever is further.  Both are safe: md moves them only once
 * every request below them has completed.
 */
static unsigned long long resync_position(const struct mon_array *a)
{
	unsigned long long pos = a->sync_pos;

	if (a->resync_pos != SYSFS_NONE && (pos == SYSFS_NONE || a->resync_pos > pos))
		pos = a->resync_pos;
	return pos;
}

/* The resync moved past the last checkpoint: record its unit (§6.2). */
static bool record_checkpoint(struct mon_array *a, struct imsm_dev *dev)
{
	unsigned long long pos = resync_position(a);

	if (!imsm_migr_is_resync(dev) || pos == SYSFS_NONE || pos <= a->last_checkpoint)
		return false;
	a->last_checkpoint = pos;
	return imsm_migr_set_checkpoint(dev, pos);
}

/*
 * The resync finished (resync_start "none", md no longer resyncing): end
 * the INIT/REPAIR migration (§6.1).  A resync that ran without one (it
 * could not be started, e.g. it finished before the monitor looked) still
 * makes an uninitialised volume normal.
 */
static bool record_resync_end(struct imsm_super *s, struct mon_array *a)
{
	struct imsm_dev *dev = &s->dev[a->index];

	if (!a->resync_done || is(a->action, "resync"))
		return false;
	if (imsm_migr_is_resync(dev)) {
		a->last_checkpoint = 0;
		return imsm_end_resync(s, a->index);
	}
	if (!is(a->prev_action, "resync") || dev->vol.map[0].map_state != IMSM_MAP_UNINITIALIZED)
		return false;
	dev->vol.map[0].map_state = IMSM_MAP_NORMAL;
	return true;
}

static const struct mon_disk *disk_in_slot(const struct mon_array *a, int slot)
{
	for (int i = 0; i < a->n_disks; i++)
		if (a->disks[i].slot == slot)
			return &a->disks[i];
	return NULL;
}

/*
 * A REBUILD migration (§7.4 steps 4-5): ended when its new member failed,
 * or when md stopped recovering and shows that member in sync; otherwise
 * its checkpoint follows md's recovery position.
 */
static bool record_rebuild(struct mdmon_state *st, struct mon_array *a)
{
	struct imsm_dev *dev = &st->mpb->dev[a->index];
	const struct mon_disk *d;
	int slot;

	if (!imsm_rebuild_running(dev))
		return false;
	slot = imsm_rebuild_slot(dev);
	d = slot < 0 ? NULL : disk_in_slot(a, slot);
	if (slot < 0 || (!is(a->action, "recover") && d && d->in_sync && !d->faulty)) {
		a->last_checkpoint = 0;
		mgr_wake(st);
		return imsm_rebuild_end(st->mpb, a->index);
	}
	if (!is(a->action, "recover") || a->recover_pos == SYSFS_NONE ||
	    a->recover_pos <= a->last_checkpoint)
		return false;
	a->last_checkpoint = a->recover_pos;
	return imsm_migr_set_checkpoint(dev, a->recover_pos);
}

/* What the array state asks for: dirty/clean marks and the answer. */
static bool decide_state(struct mon_array *a, struct imsm_dev *dev)
{
	bool changed = false;

	if (!running(a->state)) {
		if (running(a->prev_state) || is(a->state, "inactive")) {
			changed |= no_resync_pending(dev) && set_dirty(dev, false);
			a->reply = "clear";
			a->gone = true;
		}
	} else if (is(a->state, "write-pending")) {
		changed |= set_dirty(dev, true);
		a->reply = "active";
	} else if (is(a->state, "active-idle")) {
		a->reply = "clean"; /* recorded on disk at the next pass */
	} else if (is(a->state, "clean")) {
		changed |= a->resync_done && no_resync_pending(dev) && set_dirty(dev, false);
	} else if (is(a->state, "active")) {
		/* writable with no write-pending asked of us (mdadm made it
		 * so, or it was before we watched it): writes may be under way */
		changed |= can_tear(dev) && set_dirty(dev, true);
	} else if (is(a->state, "readonly")) {
		/* "active" lets writes in without a write-pending: dirty first */
		if (volume_consistent(dev) && !dev->vol.dirty) {
			a->reply = "read-auto";
		} else {
			changed |= can_tear(dev) && set_dirty(dev, true);
			a->reply = "active";
		}
	}
	return changed;
}

/*
 * Decide for one array; returns true when the metadata changed.  The
 * checkpoint comes before the state: a stopping array records where its
 * resync stopped before it is forgotten.
 */
static bool decide(struct imsm_super *s, struct mon_array *a)
{
	struct imsm_dev *dev = &s->dev[a->index];
	bool changed = record_resync_end(s, a);

	changed |= record_checkpoint(a, dev);
	changed |= decide_state(a, dev);
	changed |= record_resync_start(s, a);
	return changed;
}

/*
 * imsm_write_mpb() without its allocations: encode into st->io_buf, then
 * the zeroed migration record, the extension sectors, the anchor last
 * (imsm-io.c explains the order), then fsync.
 */
static int write_mpb(const struct mdmon_state *st, const struct imsm_disk_dev *d,
		     const struct imsm_super *s)
{
	const unsigned char *zero = st->io_buf + MDMON_IO_MPB_BYTES;
	uint32_t ss = d->sector_bytes;
	struct imsm_mpb_location loc;
	size_t used;
	int r;

	r = imsm_mpb_location(d->sectors, ss, (uint32_t)imsm_mpb_bytes(s), &loc);
	if (!r && ((size_t)loc.mpb_sectors * ss > MDMON_IO_MPB_BYTES || ss > 4096))
		r = -ENOSPC;
	if (!r)
		r = imsm_encode(s, st->io_buf, (size_t)loc.mpb_sectors * ss, &used);
	/* mdadm keeps the record of a general migration there (§6.7) */
	if (!r && !imsm_gen_migr_running(s))
		r = util_pwrite_full(d->fd, zero, ss, loc.migr_rec_lba * ss);
	if (!r && loc.ext_sectors)
		r = util_pwrite_full(d->fd, st->io_buf + ss, (size_t)loc.ext_sectors * ss,
			       loc.ext_lba * ss);
	if (!r)
		r = util_pwrite_full(d->fd, st->io_buf, ss, loc.anchor_lba * ss);
	if (!r && fsync(d->fd) < 0)
		r = -errno;
	return r;
}

/*
 * One round: a new generation to every disk the table lists (a failed
 * member's serial no longer matches: it is not written) and that did not
 * fail earlier in this pass.  Disks whose write fails are added to
 * failed[] and to *ret_new (the disk indexes in the table, -1 past).
 * Returns how many copies reached their disk.
 */
static int write_round(struct mdmon_state *st, bool failed[], int ret_new[])
{
	int written = 0, n_new = 0;

	st->mpb->generation_num++;
	for (int i = 0; i < st->n_disks; i++) {
		int index = imsm_find_disk(st->mpb, st->disks[i].serial);

		if (index < 0 || failed[i])
			continue;
		if (write_mpb(st, &st->disks[i], st->mpb) == 0) {
			written++;
			continue;
		}
		failed[i] = true;
		ret_new[n_new++] = index;
	}
	ret_new[n_new] = -1;
	return written;
}

/*
 * The metadata to every member (§6.7): a disk whose write fails is
 * recorded failed and the others are written again without it, until a
 * round fails on none.  -EIO when a round reached no disk: then nothing
 * new is recorded failed (every member at once is more likely a passing
 * fault than N dead disks) and the caller acknowledges nothing.  Each
 * round drops at least one disk, so there are at most n_disks rounds.
 */
static int write_metadata(struct mdmon_state *st, bool failed[])
{
	int fresh[MD_MAX_MEMBERS + 1];

	memset(failed, 0, sizeof(bool) * MD_MAX_MEMBERS);
	for (;;) {
		int written = write_round(st, failed, fresh);

		if (fresh[0] < 0)
			return 0;
		if (!written)
			return -EIO;
		for (int k = 0; fresh[k] >= 0; k++)
			(void)imsm_mark_failed(st->mpb, fresh[k]); /* false: no volume uses it */
	}
}

/*
 * md stops using a disk whose copy could not be written: it reads
 * faulty,blocked in every watched volume that has it, and the next pass
 * acknowledges that like any failure (the metadata records it already).
 */
static void fail_unwritten(struct mdmon_state *st, const bool failed[])
{
	for (int i = 0; i < st->n_disks; i++)
		if (failed[i])
			propagate_failure(st, NULL, st->disks[i].kname);
}

/* A rebuild starts from unit 0: forget the volume's last position. */
static void reset_checkpoint(struct mdmon_state *st, int vol)
{
	for (struct mon_array *a = st->arrays; a; a = a->next)
		if (a->index == vol)
			a->last_checkpoint = 0;
}

/* A member failed during the migration: the volume that ends it is
 * degraded (or failed), not normal. */
static void keep_failures(struct imsm_super *s, int vol)
{
	struct imsm_map *m = &s->dev[vol].vol.map[0];

	m->map_state = imsm_map_state_of(s, m);
}

/* An OLCE goes on with the container's next volume in the same commit
 * that ends the previous one's migration (§6.5.1); mdadm drives it. */
static void begin_next_volume(struct imsm_super *s)
{
	unsigned int members;
	int idx = imsm_olce_next_volume(s, &members);

	if (idx >= 0 && imsm_olce_begin_volume(s, idx, members) < 0)
		return; /* mdadm finds the volume not grown and says so */
}

/*
 * A volume leaves the metadata (the manager checked md runs neither it
 * nor any after it; so does this, against the arrays the monitor
 * watches).  With no volume left there is no container copy to write:
 * the copy goes back to the manager, which writes spare records.
 */
static bool kill_volume(struct mdmon_state *st, struct mon_update *u)
{
	for (struct mon_array *a = st->arrays; a; a = a->next)
		if (!a->gone && a->index >= u->vol) {
			u->result = -EBUSY;
			return false;
		}
	u->result = imsm_kill_volume(st->mpb, u->vol);
	if (u->result || st->mpb->num_raid_devs > 0)
		return u->result == 0;
	u->mpb = st->mpb;
	st->mpb = NULL;
	return false;
}

static bool rename_volume(struct mdmon_state *st, struct mon_update *u)
{
	for (struct mon_array *a = st->arrays; a; a = a->next)
		if (!a->gone && a->index == u->vol) {
			u->result = -EBUSY;
			return false;
		}
	u->result = imsm_rename_volume(st->mpb, u->vol, u->name);
	return u->result == 0;
}

/*
 * Apply the manager's pending change; true when st->mpb changed.  It is
 * reported applied (st->applied) only once the pass wrote it: ctx->taken
 * keeps it from being applied twice meanwhile.
 */
static bool apply_update(struct mdmon_state *st, struct mon_ctx *ctx)
{
	struct mon_update *u = st->pending;

	if (!u || st->applied || ctx->taken == u)
		return false;
	ctx->taken = u;
	u->result = st->mpb || u->type == MON_UPD_SPARE_RECORD ? 0 : -ENODATA;
	if (u->result)
		return false;
	switch (u->type) {
	case MON_UPD_VOLUME:
		imsm_apply_volume_update(st->mpb, u->mpb);
		return true;
	case MON_UPD_SPARE_RECORD:
		u->result = write_mpb(st, u->disk, u->mpb);
		return false;
	case MON_UPD_ACTIVATE:
		u->result = imsm_rebuild_activate(st->mpb, &u->act);
		if (u->result)
			return false;
		reset_checkpoint(st, u->act.vol);
		return true;
	case MON_UPD_MIGR_START:
	case MON_UPD_TAKEOVER:
	case MON_UPD_OLCE_ROLLBACK: {
		struct imsm_super *old = st->mpb;

		/* the manager checked mdadm's view against an older st->mpb:
		 * a failure this thread recorded since must survive */
		if (u->type == MON_UPD_MIGR_START) {
			u->result = mdmon_check_view(st->mpb, u->mpb);
			if (u->result)
				return false;
			mdmon_merge_view(st->mpb, u->mpb);
		}

		st->mpb = u->mpb; /* the manager frees the old one */
		u->mpb = old;
		return true;
	}
	case MON_UPD_MIGR_CHECKPOINT:
		u->result = imsm_olce_set_unit(st->mpb, u->vol, u->unit);
		return u->result == 0;
	case MON_UPD_MIGR_END:
		u->result = imsm_olce_end_volume(st->mpb, u->vol, IMSM_MAP_NORMAL);
		if (!u->result) {
			keep_failures(st->mpb, u->vol);
			begin_next_volume(st->mpb);
		}
		return u->result == 0;
	case MON_UPD_KILL_VOLUME:
		return kill_volume(st, u);
	case MON_UPD_RENAME_VOLUME:
		return rename_volume(st, u);
	}
	return false;
}

static void apply_replies(struct mdmon_state *st)
{
	for (struct mon_array *a = st->arrays; a; a = a->next)
		if (a->reply && util_pwrite_string(a->state_fd, a->reply) < 0 && a->gone)
			a->gone = false; /* not stopped after all: keep watching */
}

static int add_pollfd(struct pollfd *pfd, int n, int fd)
{
	if (fd >= 0 && n < MDMON_MAX_FDS - 1)
		pfd[n++] = (struct pollfd){ .fd = fd, .events = POLLPRI };
	return n;
}

static int add_pollfds(const struct mon_array *a, struct pollfd *pfd, int n)
{
	n = add_pollfd(pfd, n, a->state_fd);
	/* A stopped array's sync files are removed; their descriptors would
	 * report an event on every poll(). */
	if (running(a->state)) {
		n = add_pollfd(pfd, n, a->action_fd);
		n = add_pollfd(pfd, n, a->sync_fd);
	}
	for (int i = 0; i < a->n_disks && n < MDMON_MAX_FDS - 1; i++)
		pfd[n++] = (struct pollfd){ .fd = a->disks[i].state_fd, .events = POLLPRI };
	return n;
}

/* mdadm --readonly set the volume's "-" flag (md-kernel-interface.md §7):
 * a read-only volume stays read-only until --readwrite clears it. */
static bool held_readonly(const struct mdmon_state *st, const struct mon_array *a)
{
	struct md_sysfs md;
	char meta[64];

	if (!is(a->state, "readonly"))
		return false;
	sysfs_init(&md, st->sysroot, a->devnm);
	return sysfs_get_metadata_version(&md, meta, sizeof(meta)) >= 0 && meta[9] == '-';
}

/*
 * Write what the pass changed (or what an earlier pass could not write);
 * false when no copy reached its disk.  Then md hears of every disk that
 * could not be written, before any acknowledgement.
 */
static bool sync_metadata(struct mdmon_state *st, struct mon_ctx *ctx, bool changed)
{
	if (!st->mpb)
		ctx->unwritten = false; /* the last volume went: nothing to write */
	if (!st->mpb || !(changed || ctx->unwritten))
		return true;
	ctx->unwritten = write_metadata(st, ctx->failed) < 0;
	if (ctx->unwritten)
		return false;
	fail_unwritten(st, ctx->failed);
	return true;
}

/*
 * Nothing reached the disks: no answer that would tell md (or the
 * manager) it did.  A stopping array stays watched for the retry.
 */
static void withhold_replies(struct mdmon_state *st)
{
	for (struct mon_array *a = st->arrays; a; a = a->next) {
		if (a->reply && a->gone)
			a->gone = false;
		a->reply = NULL;
	}
}

/* The pass's update is on disk: the manager may go on. */
static void report_applied(struct mdmon_state *st, struct mon_ctx *ctx)
{
	if (ctx->taken && st->pending == ctx->taken)
		st->applied = true;
	ctx->taken = NULL;
}

/* One pass over every array.  Returns the pollfd count. */
static int monitor_pass(struct mdmon_state *st, struct mon_ctx *ctx, struct pollfd *pfd)
{
	bool changed = false;
	int n = 0;

	pthread_mutex_lock(&st->lock);
	changed = apply_update(st, ctx);
	for (struct mon_array *a = st->arrays; a; a = a->next) {
		read_array(a);
		if (st->mpb && !a->gone && a->index >= 0 && a->index < st->mpb->num_raid_devs) {
			changed |= record_failures(st, a);
			changed |= record_rebuild(st, a);
			changed |= decide(st->mpb, a);
			if (held_readonly(st, a))
				a->reply = NULL;
		}
		n = add_pollfds(a, pfd, n);
	}
	if (sync_metadata(st, ctx, changed)) {
		apply_replies(st);
		for (struct mon_array *a = st->arrays; a; a = a->next)
			ack_failures(st, a);
		report_applied(st, ctx);
	} else {
		withhold_replies(st);
	}
	st->passes++;
	pthread_cond_broadcast(&st->pass_done);
	pthread_mutex_unlock(&st->lock);
	return n;
}

void *monitor_thread(void *arg)
{
	struct mdmon_state *st = arg;
	struct pollfd pfd[MDMON_MAX_FDS];
	struct mon_ctx ctx = { .unwritten = false };
	bool exiting = false;
	int n;

	while (!exiting) {
		n = monitor_pass(st, &ctx, pfd);
		pfd[n++] = (struct pollfd){ .fd = st->wake_pipe[0], .events = POLLIN };
		if (poll(pfd, (nfds_t)n, ctx.unwritten ? MON_RETRY_MS : -1) > 0 &&
		    (pfd[n - 1].revents & POLLIN))
			drain_wake_pipe(st->wake_pipe[0]);
		pthread_mutex_lock(&st->lock);
		exiting = st->exiting;
		pthread_mutex_unlock(&st->lock);
	}
	return NULL;
}
