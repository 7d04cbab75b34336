/*
 * olce.c: the general-migration engine, which Online Capacity Expansion,
 * level and chunk migrations share (see olce.h).
 *
 * The flow, volume by volume (md-kernel-interface.md §9.3, §9.4, §9.5):
 *
 *   check everything  ->  freeze every volume ("-" flag, sync_action frozen)
 *   -> start: the metadata of the plan (an OLCE's new disk records and
 *      volume 0's migration, or a restripe of one volume), through mdmon
 *   -> per migrating volume: md as the table of level transitions says
 *      (imsm_md_reshape_of(): raid0 taken over to raid4 or raid5 with the
 *      parity slot missing); migration record; new members, chunk and
 *      layout; reshape held at sync_max 0; the unit loop (critical units
 *      backed up to the copy area first; a restripe is critical all the
 *      way and moves its window unit by unit); the end: record zeroed,
 *      mdmon ends the migration (and begins an OLCE's next volume),
 *      array_size, the parity slot out and raid0 again where map[0] is
 *      raid0
 *   -> unfreeze.
 *
 * --continue enters the same per-volume loop from the record on disk, with
 * md either still running (mdadm was killed) or assembled at the record's
 * reshape position (Assemble.c).  The rule that ties the record to a
 * volume: it is zeroed before the migration of a volume ends, so a record
 * that does not fit the migrating volume is only trusted to mean "nothing
 * moved yet" when mdmon's checkpoint is 0, and "all moved" when it is at
 * the last unit.  SIGTERM, SIGINT and SIGHUP stop the loop at a checkpoint.
 */
#include "olce.h"
#include "container.h"
#include "imsm-io.h"
#include "imsm-platform.h"
#include "imsm-reshape.h"
#include "imsm-restripe.h"
#include "imsm-resume.h"
#include "imsm.h"
#include "mdadm.h"
#include "mdmon-client.h"
#include "mdmon.h"
#include "mdstat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SYSROOT "/sys"
#define OLCE_MAX_DISKS MD_MAX_MEMBERS
#define SUSPEND_OFF "9223372036854775807"


/* The progress line on a terminal: since when, from which unit. */
struct olce_meter {
	struct timespec t0, last;
	uint64_t u0;
	int idx;      /* the volume it measures, -1 before the first */
	bool shown;   /* a line is on the terminal, unfinished */
};

/* Test hook: MDADM_TEST_OLCE_DIE=backup:K, unit:K or volume:I makes mdadm
 * die by SIGKILL right after unit K's backup is recorded, after the
 * checkpoint reaching unit K, or after volume I ended. */
struct olce_die {
	char what[8];
	unsigned long long at;
	bool armed;
};

struct olce {
	char cont[32];
	struct imsm_super *cur;
	struct imsm_disk_dev disks[OLCE_MAX_DISKS];
	char paths[OLCE_MAX_DISKS][64];
	int dfd[OLCE_MAX_DISKS]; /* the same disks, O_DIRECT, for reading data */
	int n_disks;
	struct imsm_disk spares[OLCE_MAX_DISKS];
	unsigned int n_spares;
	struct cont_vol vols[IMSM_MAX_RAID_DEVS];
	/* the volume being reshaped */
	int idx;
	struct md_sysfs *md;
	struct imsm_migr_rec rec;
	struct imsm_reshape_geom geom;
	struct imsm_md_reshape mdr; /* how md runs it (imsm-restripe.h) */
	uint64_t mdmon_unit;	    /* the checkpoint mdmon has in the MPB */
	struct timespec mdmon_at;   /* since when */
	bool rolled_back; /* md refused the start; the metadata is as before */
	int undo_err;     /* and md could not be put back as it was */
	struct olce_die die;
	struct olce_meter meter;
	const struct imsm_restripe_request *restripe; /* a level or chunk migration */
};

static void olce_die_arm(struct olce *o)
{
	const char *e = getenv("MDADM_TEST_OLCE_DIE");

	o->die.armed = e && sscanf(e, "%7[a-z]:%llu", o->die.what, &o->die.at) == 2;
}

static void olce_maybe_die(const struct olce *o, const char *what, uint64_t n)
{
	if (o->die.armed && strcmp(o->die.what, what) == 0 && n >= o->die.at)
		raise(SIGKILL);
}

/* Test hook MDADM_TEST_OLCE_FAIL=add|start: md "refuses" the new members
 * (all added) or the reshape's start, so that the rollback runs. */
static int olce_test_fail(const char *what)
{
	const char *e = getenv("MDADM_TEST_OLCE_FAIL");

	return e && strcmp(e, what) == 0 ? -EIO : 0;
}

/* ---- the container: disks, spares, volumes -------------------------------- */

static void olce_close(struct olce *o)
{
	for (int i = 0; i < o->n_disks; i++) {
		close(o->disks[i].fd);
		close(o->dfd[i]);
	}
	imsm_free(o->cur);
}

static int olce_open_disk(struct olce *o, const struct md_member_info *m)
{
	int r;

	snprintf(o->paths[o->n_disks], sizeof(o->paths[0]), "/dev/%s", m->kname);
	r = imsm_disk_open(&o->disks[o->n_disks], o->paths[o->n_disks], O_RDWR);
	if (r)
		return r;
	o->dfd[o->n_disks] = open(o->paths[o->n_disks], O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (o->dfd[o->n_disks] < 0) {
		r = -errno;
		close(o->disks[o->n_disks].fd);
		return r;
	}
	o->n_disks++;
	return 0;
}

/* A disk whose serial the table does not list is a spare: its own record. */
static void olce_note_spare(struct olce *o, const struct imsm_disk_dev *d)
{
	if (cont_spare_record(o->cur, d, &o->spares[o->n_spares]))
		o->n_spares++;
}

static int olce_load(struct olce *o)
{
	struct md_array_info info;
	struct md_sysfs c;
	int r;

	r = imsm_load_container(o->cont, &o->cur);
	if (r)
		return r;
	sysfs_init(&c, SYSROOT, o->cont);
	r = sysfs_read_array(&c, &info);
	if (r)
		return r;
	for (int i = 0; !r && i < info.n_members && o->n_disks < OLCE_MAX_DISKS; i++)
		r = olce_open_disk(o, &info.members[i]);
	sysfs_free_array(&info);
	for (int i = 0; !r && i < o->n_disks; i++)
		olce_note_spare(o, &o->disks[i]);
	return r;
}

/* The newest metadata, as mdmon last wrote it. */
static int olce_reload(struct olce *o)
{
	struct imsm_super *now = NULL;
	int r = imsm_load_container(o->cont, &now);

	if (r)
		return r;
	imsm_free(o->cur);
	o->cur = now;
	return 0;
}

static struct imsm_disk_dev *olce_disk(struct olce *o, const struct imsm_super *s,
				       unsigned int index)
{
	for (int i = 0; i < o->n_disks; i++)
		if (memcmp(o->disks[i].serial, s->disk[index].serial, IMSM_SERIAL_BYTES) == 0)
			return &o->disks[i];
	return NULL;
}

/* ---- freezing (md-kernel-interface.md §7) ----------------------------------- */

static int olce_freeze(struct olce *o)
{
	int r = 0;

	for (int i = 0; !r && i < o->cur->num_raid_devs; i++)
		r = cont_freeze(&o->vols[i]);
	return r;
}

/* ---- the migration record (imsm-format.md §1.7, §6.7) ----------------------- */

/*
 * Whether md failed the volume's member d (faulty, or already let go): a
 * reshape goes on degraded without it, and what mdadm writes to the
 * members (the record, the flushes) leaves it out.
 */
static bool olce_member_failed(struct olce *o, const struct imsm_disk_dev *d)
{
	char state[128];
	int r = sysfs_read_attr(o->md, d->kname, "state", state, sizeof(state));

	return r == -ENOENT || (r >= 0 && strstr(state, "faulty"));
}

/* Completed writes on every member reach the media before a checkpoint
 * says they did. */
static int olce_flush_members(struct olce *o)
{
	for (int i = 0; i < o->n_disks; i++) {
		int r = fsync(o->disks[i].fd) < 0 ? -errno : 0;

		if (r && !olce_member_failed(o, &o->disks[i]))
			return r;
	}
	return 0;
}

/* The record into the last sector of the slot-0 and slot-1 members (one
 * of them when the other is absent or md failed it); zero: cleared. */
static int olce_write_rec(struct olce *o, bool zero)
{
	uint32_t idx[2];
	int n = imsm_migr_rec_members(&o->cur->dev[o->idx], idx), written = 0;

	for (int i = 0; i < n; i++) {
		struct imsm_disk_dev *d = olce_disk(o, o->cur, idx[i]);
		unsigned char buf[4096] = { 0 };
		int r = 0;

		if (!d)
			continue;
		if (!zero)
			r = imsm_migr_rec_encode(&o->rec, d->sector_bytes, buf, d->sector_bytes);
		if (r)
			return r;
		r = imsm_write_migr_sector(d, buf);
		if (r && !olce_member_failed(o, d))
			return r;
		written += !r;
	}
	return written ? 0 : -EIO;
}

/* The record, the copy imsm_resume_pick_rec() trusts of the two (a stale
 * copy on the slot-0 member does not hide the slot-1 one). */
static int olce_read_rec(struct olce *o, struct imsm_migr_rec *ret)
{
	const struct imsm_migr_rec *copies[2] = { NULL, NULL };
	struct imsm_migr_rec rec[2];
	uint32_t idx[2];
	int n = imsm_migr_rec_members(&o->cur->dev[o->idx], idx);
	bool differ;

	for (int i = 0; i < n; i++) {
		struct imsm_disk_dev *d = olce_disk(o, o->cur, idx[i]);
		unsigned char buf[4096];

		if (d && d->sector_bytes <= sizeof(buf) && imsm_read_migr_sector(d, buf) == 0 &&
		    imsm_migr_rec_decode(buf, d->sector_bytes, d->sector_bytes, &rec[i]) == 0)
			copies[i] = &rec[i];
	}
	return imsm_resume_pick_rec(o->cur, o->idx, copies, n, ret, &differ) ? -ENODEV : 0;
}

/*
 * The record of the migrating volume: the one on disk when it fits,
 * otherwise a new one if mdmon's checkpoint says nothing moved yet, or a
 * finished one if it says everything did (the record was zeroed for the
 * end).  -EBADMSG when the record of a half-done migration is lost.
 */
static int olce_get_rec(struct olce *o)
{
	const struct imsm_dev *dev = &o->cur->dev[o->idx];
	struct imsm_migr_rec fresh;
	int r;

	r = imsm_migr_rec_init(o->cur, o->idx, &fresh);
	if (r)
		return r;
	if (olce_read_rec(o, &o->rec) == 0 && imsm_migr_rec_same_migration(&o->rec, &fresh) &&
	    imsm_migr_rec_check(&o->rec, &o->geom) == 0)
		return 0;
	o->rec = fresh;
	if (dev->vol.curr_migr_unit == 0)
		return olce_write_rec(o, false);
	if (dev->vol.curr_migr_unit == fresh.num_migr_units) {
		o->rec.curr_migr_unit = fresh.num_migr_units;
		return 0;
	}
	return -EBADMSG;
}

static bool mdmon_gone(int r)
{
	return r == -ECONNREFUSED || r == -ENOENT || r == -EPIPE || r == -ECONNRESET || r == -EIO;
}

/*
 * A checkpoint or end request.  While no mdmon answers (killed; another
 * starting with --takeover) wait for one, up to two minutes: md holds at
 * sync_max meanwhile.  Both requests may be repeated; an end that the
 * lost mdmon applied shows in the metadata.
 */
static int olce_ask_mdmon(struct olce *o, enum mdmon_req_type type, unsigned int unit)
{
	bool told = false;
	int r = 0;

	for (int i = 0; i < 240; i++) {
		r = mdmon_disk_request(o->cont, type, (unsigned int)o->idx, unit);
		if (!mdmon_gone(r))
			return r;
		if (type == MDMON_REQ_MIGR_END && olce_reload(o) == 0 &&
		    !imsm_migr_is_gen_migr(&o->cur->dev[o->idx]))
			return 0;
		if (!told)
			pr_err("waiting for mdmon to serve %s (start it with: mdmon --takeover %s)",
			       o->cont, o->cont);
		told = true;
		usleep(500 * 1000);
	}
	return r;
}

/* ---- the progress line ---------------------------------------------------------- */

static void olce_meter_end(struct olce *o);

static double olce_seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * One line on stderr, rewritten at most four times a second, when stderr
 * is a terminal: the volume, how far (units and percent), the rate since
 * this mdadm began and the time left at that rate.
 */
static void olce_meter_update(struct olce *o)
{
	struct olce_meter *m = &o->meter;
	uint64_t done = o->rec.curr_migr_unit, total = o->rec.num_migr_units;
	double secs, rate, mib;
	struct timespec now;

	if (!isatty(STDERR_FILENO) || !total)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!m->shown || m->idx != o->idx) {
		olce_meter_end(o);
		*m = (struct olce_meter){ .t0 = now, .u0 = done, .idx = o->idx, .shown = true };
	} else if (olce_seconds(&m->last, &now) < 0.25 && done < total) {
		return;
	}
	m->last = now;
	secs = olce_seconds(&m->t0, &now);
	rate = secs > 0 ? (double)(done - m->u0) / secs : 0;
	mib = rate * o->rec.blocks_per_unit / 2048.0;
	fprintf(stderr, "\r/dev/%s: %5.1f%% (unit %llu of %llu), %.1f MiB/s", o->vols[o->idx].devnm,
		100.0 * (double)done / (double)total, (unsigned long long)done,
		(unsigned long long)total, mib);
	if (rate > 0)
		fprintf(stderr, ", %.0f s left   ", (double)(total - done) / rate);
	else
		fputs("              ", stderr);
}

/* The line ends before anything else is said. */
static void olce_meter_end(struct olce *o)
{
	if (o->meter.shown)
		fputc('\n', stderr);
	o->meter.shown = false;
}

/*
 * Whether mdmon copies this checkpoint into the MPB.  The record is what
 * a resume reads (ours and upstream's); the MPB's unit may lag behind it,
 * never lead (imsm-resume.c).  So the MPB follows at most twice a second,
 * and always for the last unit; a backup record names the unit the MPB
 * has already.  A restripe records every unit (1 MiB per member): one MPB
 * write on every member per unit would cost more than md's own work.
 */
static bool olce_mpb_due(const struct olce *o)
{
	struct timespec now;

	if (o->rec.curr_migr_unit == o->mdmon_unit)
		return false;
	if (o->rec.curr_migr_unit >= o->rec.num_migr_units)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return olce_seconds(&o->mdmon_at, &now) >= 0.5;
}

/* The checkpoint: record, then mdmon copies the unit into the MPB. */
static int olce_record(struct olce *o, uint64_t progress, enum imsm_unit_src status)
{
	int r;

	imsm_migr_rec_set_checkpoint(&o->rec, progress, status);
	r = olce_write_rec(o, false);
	if (!r && olce_mpb_due(o)) {
		r = olce_ask_mdmon(o, MDMON_REQ_MIGR_CHECKPOINT, (unsigned int)o->rec.curr_migr_unit);
		if (!r) {
			o->mdmon_unit = o->rec.curr_migr_unit;
			clock_gettime(CLOCK_MONOTONIC, &o->mdmon_at);
		}
	}
	if (!r)
		olce_meter_update(o);
	return r;
}

/* ---- the start (§6.5.1) ------------------------------------------------------ */

static int olce_send(struct olce *o, const struct imsm_super *s)
{
	size_t len = imsm_mpb_bytes(s), used;
	void *buf = calloc(1, len);
	int r = buf ? imsm_encode(s, buf, len, &used) : -ENOMEM;

	if (!r)
		r = mdmon_start_migration(o->cont, buf, used);
	free(buf);
	return r;
}

/* The platform's disks per array (dpa), 0 when it sets no limit. */
static unsigned int olce_platform_max_members(void)
{
	struct imsm_platform p;

	if (imsm_platform_probe(NULL, &p) < 0 || !p.has_limits)
		return 0;
	return p.orom.dpa;
}

/* New disk records and volume 0's migration, in one update through mdmon. */
static int olce_start(struct olce *o, unsigned int new_members)
{
	struct imsm_olce_request rq = { .new_members = new_members, .spares = o->spares,
					.n_spares = o->n_spares,
					.max_members = olce_platform_max_members() };
	struct imsm_super *start = NULL;
	int r;

	if (o->restripe)
		r = imsm_restripe_start(o->cur, o->restripe, &start);
	else
		r = imsm_olce_start(o->cur, &rq, &start);
	if (!r)
		r = olce_send(o, start);
	imsm_free(start);
	return r ? r : olce_reload(o);
}

/* ---- md: takeover, new members, start or resume ----------------------------- */

/*
 * The raid4 of a raid0 volume takes no request over one chunk.  At the
 * end, a request that md checked against raid4's limit (1 MiB) and held
 * while the level became raid0 goes to raid0, which maps everything past
 * its first chunk boundary onto one member (it trusts its own one-chunk
 * limit): on 6.1 a 1 MiB read returned 896 KiB from the wrong chunks
 * (t2014).  raid0 sets its own limit again when it starts.
 */
static int olce_limit_requests(struct olce *o)
{
	unsigned long long chunk;
	int r = sysfs_get_chunk_bytes(o->md, &chunk);

	return r ? r : sysfs_set_max_sectors_kb(o->md, chunk >> 10);
}

/*
 * raid0 cannot reshape: md takes it over with the parity (last) slot
 * missing (§9.5), as raid4 when it stays raid0 and as raid5 when map[0]
 * or map[1] is raid5 (a finished raid5 -> raid0 assembled as raid0 too:
 * the end is then the same as when md ran it).
 */
static int olce_takeover(struct olce *o)
{
	char level[16];
	int r;

	r = sysfs_get_level(o->md, level, sizeof(level));
	if (r)
		return r;
	if (strcmp(level, "raid0") != 0)
		return o->mdr.to_raid0 ? olce_limit_requests(o) : 0;
	r = sysfs_write_attr(o->md, NULL, "level", level_name(o->mdr.level));
	if (!r && o->mdr.to_raid0)
		r = olce_limit_requests(o);
	if (!r)
		r = sysfs_set_sync_action(o->md, "frozen");
	return r ? r : mdmon_ping(o->cont);
}

/*
 * md's chunk (of map m) and layout (a pending change until the reshape
 * starts).  raid5 reshapes only with a stripe cache of four stripes per
 * page of the larger chunk: both maps' chunks are counted.
 */
static int olce_md_geometry(struct olce *o, const struct imsm_map *m, int layout)
{
	const struct imsm_vol *vol = &o->cur->dev[o->idx].vol;
	uint32_t chunk = m->blocks_per_strip;
	unsigned long long need, cache;
	int r = 0;

	for (int k = 0; k < 2; k++)
		if (vol->map[k].blocks_per_strip > chunk)
			chunk = vol->map[k].blocks_per_strip;
	need = (unsigned long long)chunk * 512 / 4096 * 4 + 32;
	if (sysfs_read_ull(o->md, NULL, "stripe_cache_size", &cache) == 0 && cache < need)
		r = sysfs_write_ull(o->md, NULL, "stripe_cache_size", need);
	if (!r)
		r = sysfs_write_ull(o->md, NULL, "chunk_size", (unsigned long long)m->blocks_per_strip * 512);
	return r ? r : sysfs_write_ull(o->md, NULL, "layout", (unsigned long long)layout);
}

/* raid_disks, then the new members with their slots (their recovery
 * follows the reshape front). */
static int olce_add_members(struct olce *o)
{
	const struct imsm_dev *dev = &o->cur->dev[o->idx];
	const struct imsm_map *m = &dev->vol.map[0];
	unsigned long long comp_kib;
	struct md_member_cfg mc;
	char kname[32];
	int r;

	r = sysfs_get_component_kib(o->md, &comp_kib);
	if (!r)
		r = sysfs_write_ull(o->md, NULL, "raid_disks", o->mdr.new_disks);
	for (unsigned int i = dev->vol.map[1].num_members; !r && i < m->num_members; i++) {
		struct imsm_disk_dev *d = olce_disk(o, o->cur, m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK);

		if (!d)
			return -ENODEV;
		mc = (struct md_member_cfg){ .major = d->major, .minor = d->minor, .slot = (int)i,
					     .offset_sectors = m->pba_of_lba0, .size_kib = comp_kib };
		r = md_add_member(o->md, &mc, MD_JOIN_RESHAPE, kname, sizeof(kname));
	}
	if (!r)
		r = olce_md_geometry(o, m, o->mdr.new_layout);
	return r ? r : olce_test_fail("add");
}

/* The new members out of md again (those that got in). */
static int olce_remove_members(struct olce *o)
{
	const struct imsm_dev *dev = &o->cur->dev[o->idx];
	const struct imsm_map *m = &dev->vol.map[0];
	int r = 0;

	/* from the last: md would move a member it let go into a lower slot
	 * still free (raid4's old parity slot) */
	for (unsigned int i = m->num_members; !r && i-- > dev->vol.map[1].num_members;) {
		struct imsm_disk_dev *d = olce_disk(o, o->cur, m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK);

		if (!d)
			return -ENODEV;
		r = md_remove_member(o->md, d->kname);
	}
	return r;
}

/* No suspended window (the order md accepts from any state). */
static int olce_reset_window(struct olce *o)
{
	int r = sysfs_write_attr(o->md, NULL, "suspend_lo", SUSPEND_OFF);

	if (!r)
		r = sysfs_write_ull(o->md, NULL, "suspend_hi", 0);
	if (!r)
		r = sysfs_write_ull(o->md, NULL, "suspend_lo", 0);
	return r;
}

/* A reshape that md starts but may not move (sync_max 0). */
static int olce_start_md(struct olce *o)
{
	int r;

	r = olce_test_fail("start");
	if (!r)
		r = olce_reset_window(o);
	if (!r)
		r = sysfs_write_ull(o->md, NULL, "sync_min", 0);
	if (!r)
		r = sysfs_write_ull(o->md, NULL, "sync_max", 0);
	for (int i = 0; !r || (r == -EBUSY && i < 5); i++) {
		r = sysfs_set_sync_action(o->md, "reshape");
		if (r != -EBUSY)
			break;
		sleep(1);
	}
	return r;
}

/*
 * md holds a reshape_position already (assembled mid-way, or the mdadm
 * that ran it died): the first window is set by the loop, then md goes on
 * by itself once read-write and not frozen (§9.4.6).
 */
static int olce_kick_md(struct olce *o)
{
	char state[32];
	int r;

	r = sysfs_get_array_state(o->md, state, sizeof(state));
	if (!r && (strcmp(state, "readonly") == 0 || strcmp(state, "read-auto") == 0))
		r = sysfs_set_array_state(o->md, "active");
	return r ? r : sysfs_set_sync_action(o->md, "idle");
}

/* md's completed member position now: 0, or 1 when the reshape ended. */
static int olce_progress(struct olce *o, unsigned long long *ret_done)
{
	unsigned long long total, pos;
	char action[32];
	int r = sysfs_get_sync_completed(o->md, ret_done, &total);

	if (r == 0 && *ret_done != SYSFS_NONE)
		return 0;
	/* ended only when md says so: right after a kick md may read idle
	 * and "none" before its reshape thread starts */
	r = sysfs_read_ull(o->md, NULL, "reshape_position", &pos);
	if (r < 0)
		return r;
	*ret_done = 0;
	if (pos == SYSFS_NONE)
		return 1;
	if (sysfs_get_sync_action(o->md, action, sizeof(action)) < 0)
		return -EIO;
	return strcmp(action, "frozen") == 0 ? -EBUSY : 0; /* someone else froze it */
}

/*
 * Sleep until md says it moved (sync_completed is pollable: md notifies
 * each time it advances it) or 20 ms pass, whichever comes first: a unit
 * waits for md, not for a timer.
 */
static void olce_nap(const struct olce *o)
{
	char path[96], buf[64];
	struct pollfd p = { .events = POLLPRI | POLLERR };

	snprintf(path, sizeof(path), SYSROOT "/block/%s/md/sync_completed", o->vols[o->idx].devnm);
	p.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p.fd < 0 || pread(p.fd, buf, sizeof(buf), 0) < 0)
		usleep(20 * 1000);
	else
		(void)poll(&p, 1, 20);
	if (p.fd >= 0)
		close(p.fd);
}

/* Wait until md completed member position pos; 1 when the reshape ended. */
static int olce_wait(struct olce *o, unsigned long long pos)
{
	unsigned long long done;
	int r;

	while ((r = olce_progress(o, &done)) == 0 && done < pos)
		olce_nap(o);
	return r;
}

/* How md stands when the unit loop begins. */
enum olce_md {
	OLCE_MD_GOING,	/* reshaping, held at sync_max */
	OLCE_MD_HELD,	/* at a reshape position, not running yet: kick it */
};

/*
 * md ran on while nobody drove it (its mdadm died): it stops at the
 * sync_max that mdadm set, a step boundary where everything before is in
 * the new layout.  Wait for it there and record that progress.
 */
static int olce_catch_up(struct olce *o)
{
	unsigned long long max;
	uint64_t progress;
	int r;

	r = sysfs_read_ull(o->md, NULL, "sync_max", &max);
	if (r)
		return r;
	if (max == SYSFS_NONE) {
		/* md holds no limit (it may drop one when its thread
		 * restarts): not running, it stands at the checkpoint; running,
		 * it cannot be held back (md refuses a lower limit then), so
		 * it runs to the end, which is recorded */
		unsigned long long done, total;

		if (sysfs_get_sync_completed(o->md, &done, &total) < 0 || done == SYSFS_NONE)
			return 0;
		r = olce_wait(o, UINT64_MAX);
		if (r < 0)
			return r;
		return olce_record(o, o->geom.array_blocks, IMSM_UNIT_SRC_NORMAL);
	}
	r = olce_wait(o, max);
	if (r < 0)
		return r;
	progress = r == 1 ? o->geom.array_blocks : max * o->geom.new_data;
	if (progress > o->geom.array_blocks)
		progress = o->geom.array_blocks;
	if (progress <= o->rec.curr_migr_unit * o->rec.blocks_per_unit)
		return 0;
	return olce_record(o, progress, IMSM_UNIT_SRC_NORMAL);
}

/* md already runs the new geometry: it finished while nobody drove it. */
static int olce_md_finished(struct olce *o)
{
	int disks;
	int r = sysfs_get_raid_disks(o->md, &disks);

	if (r)
		return r;
	if (disks != o->mdr.new_disks)
		return -EPROTO; /* half done, yet md runs the old layout */
	o->rec.curr_migr_unit = o->rec.num_migr_units;
	return olce_record(o, o->geom.array_blocks, IMSM_UNIT_SRC_NORMAL);
}

/*
 * md refused the new members or the start of volume 0's reshape (flow
 * step 4): mdmon writes the metadata from before the start and the disks'
 * spare records (first, so that mdmon no longer counts the new disks as
 * the volume's and leaves md alone), then md goes back to the old geometry
 * (and raid0).  o->rolled_back once the metadata is; -errno when md could
 * not be restored.  A later volume cannot be undone (volume 0 grew onto
 * the new disks): it stays for --continue.
 */
static int olce_undo_start(struct olce *o)
{
	const struct imsm_dev *dev = &o->cur->dev[o->idx];
	unsigned int old = dev->vol.map[1].num_members;
	struct imsm_super *started, *now;
	int r;

	/* a later volume of an OLCE grows onto disks volume 0 uses already */
	if ((o->idx != 0 && dev->vol.map[0].num_members > old) || dev->vol.curr_migr_unit != 0)
		return -EPERM;
	r = sysfs_set_sync_action(o->md, "frozen");
	if (!r)
		r = olce_ask_mdmon(o, MDMON_REQ_OLCE_ROLLBACK, 0);
	if (r)
		return r;
	o->rolled_back = true;
	/* the new members are found through the started metadata */
	started = o->cur;
	o->cur = NULL;
	r = olce_reload(o);
	if (r) {
		o->cur = started;
		return r;
	}
	now = o->cur;
	o->cur = started;
	r = olce_remove_members(o);
	o->cur = now;
	imsm_free(started);
	if (!r)
		r = sysfs_write_ull(o->md, NULL, "raid_disks", o->mdr.old_disks);
	if (!r)
		r = olce_md_geometry(o, &o->cur->dev[o->idx].vol.map[0], o->mdr.old_layout);
	if (!r && o->mdr.from_raid0)
		r = sysfs_write_attr(o->md, NULL, "level", "raid0");
	return r;
}

/* md ready for the unit loop. */
static int olce_prepare_md(struct olce *o, enum olce_md *ret)
{
	unsigned long long pos, done, total;
	int r;

	*ret = OLCE_MD_GOING;
	r = olce_takeover(o);
	if (!r)
		r = sysfs_read_ull(o->md, NULL, "reshape_position", &pos);
	if (r)
		return r;
	if (pos == SYSFS_NONE && o->rec.curr_migr_unit == 0) {
		r = olce_add_members(o);
		if (!r)
			r = olce_start_md(o);
		if (r)
			o->undo_err = olce_undo_start(o);
		return r;
	}
	if (pos == SYSFS_NONE)
		return o->rec.curr_migr_unit >= o->rec.num_migr_units ? 0 : olce_md_finished(o);
	/* running (a number), not merely pending on a read-only array */
	if (sysfs_get_sync_completed(o->md, &done, &total) == 0 && done != SYSFS_NONE)
		return olce_catch_up(o);
	*ret = OLCE_MD_HELD; /* the window is olce_run()'s: md may wait inside an old row */
	return 0;
}

/* ---- stopping on a signal ---------------------------------------------------- */

/* SIGTERM, SIGINT or SIGHUP while a migration runs: stop at a checkpoint. */
static volatile sig_atomic_t olce_stop_signal;

static void olce_on_signal(int sig)
{
	olce_stop_signal = sig;
}

/*
 * From here on a signal stops the migration at its next checkpoint
 * instead of killing mdadm with md's writes suspended, and nothing of
 * mdadm is paged out while they are (md may be what pages come from).
 */
static void olce_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = olce_on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		return; /* RLIMIT_MEMLOCK: a page-in may wait, nothing worse */
}

/*
 * Past the critical section md's limit may straddle an old row (the limit
 * is the highest safe one, aligned when it can be): held there after the
 * stop, md would block every write to that row until the migration goes
 * on.  So md first runs on to the next position that ends an old and a
 * new row, the window grown to cover it.  *hi is the window's top.
 */
static int olce_stop_aligned(struct olce *o, uint64_t *hi)
{
	unsigned long long cur;
	uint64_t up, top;
	int r = sysfs_read_ull(o->md, NULL, "sync_max", &cur);

	if (r || cur == SYSFS_NONE)
		return r;
	up = imsm_reshape_align_sync_max_up(&o->geom, cur);
	if (up <= cur)
		return 0;
	top = up * o->geom.new_data;
	if (top > o->geom.array_blocks)
		top = o->geom.array_blocks;
	if (top > *hi) {
		r = sysfs_write_ull(o->md, NULL, "suspend_hi", top);
		*hi = top;
	}
	return r ? r : sysfs_write_ull(o->md, NULL, "sync_max", up);
}

/*
 * A signal asked to stop: md runs up to the limit it holds, that position
 * is recorded, then the window goes (writes go on; md does not move past
 * its limit without mdadm).  -EINTR: --continue or an assembly resumes.
 */
static int olce_stop_here(struct olce *o, uint64_t *hi)
{
	int r = hi ? olce_stop_aligned(o, hi) : 0;

	if (!r)
		r = olce_catch_up(o);

	if (!r)
		r = olce_reset_window(o);
	return r ? r : -EINTR;
}

/*
 * Whether md, held at its limit, blocks no write: its position ends an old
 * row and a new one (or md has no limit).  In the critical section md
 * waits at every unit end, most of them inside an old row: a stop there
 * would leave every write to that row waiting until the migration goes
 * on, so a signal is taken at the next unit end that is aligned (or where
 * the stream begins, which is).  md that an assembly left held at its
 * checkpoint (not running, no limit) is such a case too: it runs a unit
 * first.
 */
static bool olce_held_aligned(struct olce *o)
{
	unsigned long long cur;

	if (sysfs_read_ull(o->md, NULL, "sync_max", &cur) < 0 || cur == SYSFS_NONE)
		return true;
	return imsm_reshape_align_sync_max_up(&o->geom, cur) <= cur;
}

/* ---- the unit loop (§9.4.3) ------------------------------------------------- */

/* Member (new slot) that holds data chunk j of new stripe row s, and the
 * parity slot (-1 for raid0): IMSM raid5 is left-asymmetric. */
static int olce_parity_slot(const struct imsm_map *m, uint64_t s)
{
	if (m->raid_level != IMSM_LEVEL_BYTE_RAID5)
		return -1;
	return (int)(m->num_members - 1 - s % m->num_members);
}

static int olce_data_slot(int pd, unsigned int j)
{
	return pd >= 0 && (int)j >= pd ? (int)j + 1 : (int)j;
}

/* The disk in slot of map mi (NULL: absent from the container). */
static struct imsm_disk_dev *olce_slot_disk(struct olce *o, int mi, unsigned int slot)
{
	return olce_disk(o, o->cur, o->cur->dev[o->idx].vol.map[mi].disk_ord_tbl[slot] &
					IMSM_ORD_INDEX_MASK);
}

/* A member md runs without: absent from the container, or failed. */
static bool olce_member_lost(struct olce *o, const struct imsm_disk_dev *d)
{
	return !d || olce_member_failed(o, d);
}

/* Where array chunk c lies in the old layout (map[1]): slot and LBA. */
static void olce_old_chunk(const struct olce *o, uint64_t c, unsigned int *ret_slot,
			   uint64_t *ret_lba)
{
	const struct imsm_map *m = &o->cur->dev[o->idx].vol.map[1];
	uint64_t row = c / o->geom.old_data;

	*ret_slot = (unsigned int)olce_data_slot(olce_parity_slot(m, row),
						 (unsigned int)(c % o->geom.old_data));
	*ret_lba = m->pba_of_lba0 + row * o->geom.old_chunk_blocks;
}

/*
 * The chunk at lba of old slot lost (absent, or failed by md), from the
 * rest of its raid5 row: the XOR of the other members' chunks at lba.
 */
static int olce_rebuild_chunk(struct olce *o, unsigned int lost, uint64_t lba, unsigned char *dst,
			      size_t cb)
{
	const struct imsm_map *m = &o->cur->dev[o->idx].vol.map[1];
	unsigned char *tmp = NULL;
	int r = 0;

	if (m->raid_level != IMSM_LEVEL_BYTE_RAID5 || posix_memalign((void **)&tmp, 4096, cb))
		return -EIO;
	memset(dst, 0, cb);
	for (unsigned int slot = 0; !r && slot < m->num_members; slot++) {
		struct imsm_disk_dev *d = olce_slot_disk(o, 1, slot);

		if (slot == lost)
			continue;
		if (!d || pread(o->dfd[d - o->disks], tmp, cb, (off_t)(lba * 512)) != (ssize_t)cb)
			r = -EIO; /* a second member lost: raid5 cannot tell */
		for (size_t b = 0; !r && b < cb; b++)
			dst[b] ^= tmp[b];
	}
	free(tmp);
	return r;
}

/*
 * The unit's array data, read from the members in the old layout (md has
 * not reached it; the window suspends writes to it).  Not through md: md
 * holds back reads of an old stripe row that straddles its position.
 * O_DIRECT: md's writes bypass the members' page cache.  A chunk on a
 * member md runs without comes from the rest of its row (the reshape goes
 * on degraded).
 */
static int olce_read_unit(struct olce *o, const struct imsm_reshape_unit *u, unsigned char *buf)
{
	size_t cb = (size_t)o->geom.old_chunk_blocks * 512;
	uint64_t first = u->array_start / o->geom.old_chunk_blocks;
	uint64_t n = (u->array_blocks + o->geom.old_chunk_blocks - 1) / o->geom.old_chunk_blocks;
	int r = 0;

	for (uint64_t c = 0; !r && c < n; c++) {
		unsigned char *dst = buf + c * cb;
		struct imsm_disk_dev *d;
		unsigned int slot;
		uint64_t lba;

		olce_old_chunk(o, first + c, &slot, &lba);
		d = olce_slot_disk(o, 1, slot);
		if (!olce_member_lost(o, d) &&
		    pread(o->dfd[d - o->disks], dst, cb, (off_t)(lba * 512)) == (ssize_t)cb)
			continue;
		r = olce_member_lost(o, d) ? olce_rebuild_chunk(o, slot, lba, dst, cb) : -EIO;
	}
	return r;
}

static int olce_put_chunk(struct olce *o, int slot, const void *c, size_t cb, uint64_t lba)
{
	struct imsm_disk_dev *d = olce_slot_disk(o, 0, (unsigned int)slot);
	struct imsm_mpb_location loc;

	if (!d)
		return 0; /* absent: md runs the slot degraded, a rebuild fills it */
	/* the copy area comes from the metadata: never past the disk's own MPB */
	if (imsm_mpb_location(d->sectors, d->sector_bytes, (uint32_t)imsm_mpb_bytes(o->cur), &loc) ||
	    lba * 512 + cb > (loc.anchor_lba - loc.ext_sectors) * d->sector_bytes)
		return -EFBIG;
	if (pwrite(d->fd, c, cb, (off_t)(lba * 512)) != (ssize_t)cb && !olce_member_failed(o, d))
		return -EIO; /* (a member md failed does without its copy) */
	return 0;
}

/* Row r of the unit, chunk by chunk, onto the copy area of each member. */
static int olce_write_row(struct olce *o, const unsigned char *data, uint64_t row, uint64_t r,
			  unsigned char *parity)
{
	size_t cb = (size_t)o->geom.new_chunk_blocks * 512;
	int pd = olce_parity_slot(&o->cur->dev[o->idx].vol.map[0], row);
	uint64_t lba = o->rec.ckpt_area_pba + r * o->geom.new_chunk_blocks;
	int res = 0;

	memset(parity, 0, cb);
	for (unsigned int j = 0; !res && j < o->geom.new_data; j++) {
		const unsigned char *c = data + j * cb;

		for (size_t b = 0; b < cb; b++)
			parity[b] ^= c[b];
		res = olce_put_chunk(o, olce_data_slot(pd, j), c, cb, lba);
	}
	if (!res && pd >= 0)
		res = olce_put_chunk(o, pd, parity, cb, lba);
	return res;
}

/* §6.7 step 4: the unit's destination image into the copy area, synced,
 * then the record says so (status 1) and mdmon records the unit. */
static int olce_backup(struct olce *o, uint64_t k)
{
	struct imsm_reshape_unit u;
	size_t cb = (size_t)o->geom.new_chunk_blocks * 512;
	unsigned char *buf = NULL, *parity = NULL;
	int r;

	r = imsm_reshape_unit(&o->rec, &o->geom, k, &u);
	if (r)
		return r;
	if (posix_memalign((void **)&buf, 4096,
			   (u.array_blocks + o->geom.old_chunk_blocks) * 512) ||
	    posix_memalign((void **)&parity, 4096, cb)) {
		free(buf);
		return -ENOMEM;
	}
	r = olce_read_unit(o, &u, buf);
	for (uint64_t row = 0; !r && row * o->geom.new_chunk_blocks < u.dest_member_blocks; row++)
		r = olce_write_row(o, buf + row * cb * o->geom.new_data,
				   u.dest_member_start / o->geom.new_chunk_blocks + row, row,
				   parity);
	if (!r)
		r = olce_flush_members(o);
	free(buf);
	free(parity);
	if (!r)
		r = olce_record(o, u.array_start, IMSM_UNIT_SRC_IN_CP_AREA);
	if (!r)
		olce_maybe_die(o, "backup", k);
	return r;
}

/* Writes to the step's array range wait until md has moved it. */
static int olce_set_window(struct olce *o, const struct imsm_reshape_step *step)
{
	int r = sysfs_write_ull(o->md, NULL, "suspend_lo", step->suspend_lo);

	return r ? r : sysfs_write_ull(o->md, NULL, "suspend_hi", step->suspend_hi);
}

/*
 * md's next limit (member blocks): the plan's, lowered to a position that
 * ends an old row while that still lets md pass a whole unit beyond the
 * checkpoint (imsm-reshape.h: md held there never blocks a window move);
 * 0 when it would not grow past lim (md refuses a lower one).
 */
static uint64_t olce_next_limit(const struct olce *o, const struct imsm_reshape_step *step,
				uint64_t lim)
{
	uint64_t m = imsm_reshape_align_sync_max(&o->geom, step->sync_max,
						 step->suspend_lo + o->rec.blocks_per_unit);

	return m > lim ? m : 0;
}

/*
 * The next checkpoint's window and limit: the window grows upwards before
 * md may go further, and shrinks from below once the checkpoint is on
 * disk.  *hi is the window's top, *lim md's limit.
 */
static int olce_move_on(struct olce *o, uint64_t *hi, uint64_t *lim)
{
	struct imsm_reshape_step step;
	uint64_t m;
	int r = imsm_reshape_plan_step(&o->rec, &o->geom, o->rec.curr_migr_unit, 0, &step);

	if (r == -ERANGE)
		return 0; /* every unit recorded: md is finishing */
	if (!r && step.suspend_hi > *hi) {
		r = sysfs_write_ull(o->md, NULL, "suspend_hi", step.suspend_hi);
		*hi = step.suspend_hi;
	}
	m = olce_next_limit(o, &step, *lim);
	if (!r && m) {
		r = sysfs_write_ull(o->md, NULL, "sync_max", m);
		*lim = m;
	}
	if (!r)
		r = sysfs_write_ull(o->md, NULL, "suspend_lo", step.suspend_lo);
	return r;
}

/* The first limit of the stream; a higher one that md holds already (the
 * mdadm before us set it, safe for an older checkpoint) is kept. */
static int olce_first_limit(struct olce *o, const struct imsm_reshape_step *first, uint64_t *lim)
{
	unsigned long long cur;
	uint64_t m;
	int r = sysfs_read_ull(o->md, NULL, "sync_max", &cur);

	if (r)
		return r;
	*lim = cur == SYSFS_NONE ? 0 : cur;
	m = olce_next_limit(o, first, *lim);
	if (!m)
		return 0;
	*lim = m;
	return sysfs_write_ull(o->md, NULL, "sync_max", m);
}

/*
 * Past the critical section md need not stop: each time it is half-way
 * from the checkpoint to its limit, what it completed (whole units) is
 * recorded and the limit moves on to what that checkpoint allows
 * (imsm_reshape_safe_sync_max()), so the limit stays ahead of md.  The
 * window always covers [checkpoint, limit): writes there wait.
 */
static int olce_stream(struct olce *o, const struct imsm_reshape_step *first, bool kick)
{
	uint64_t ckpt = first->suspend_lo, hi = first->suspend_hi, lim = 0, next;
	unsigned long long done;
	int r;

	r = olce_set_window(o, first);
	if (!r)
		r = olce_first_limit(o, first, &lim);
	if (!r && kick)
		r = olce_kick_md(o);
	while (!r) {
		if (olce_stop_signal)
			return olce_stop_here(o, &hi);
		r = olce_progress(o, &done);
		if (r)
			break;
		next = done * o->geom.new_data / o->rec.blocks_per_unit * o->rec.blocks_per_unit;
		if (2 * (done * o->geom.new_data - ckpt) < lim * o->geom.new_data - ckpt ||
		    next <= ckpt) {
			olce_nap(o);
			continue;
		}
		r = olce_flush_members(o);
		if (!r)
			r = olce_record(o, next, IMSM_UNIT_SRC_NORMAL);
		if (!r)
			olce_maybe_die(o, "unit", o->rec.curr_migr_unit);
		if (!r)
			r = olce_move_on(o, &hi, &lim);
		ckpt = next;
	}
	if (r == 1)
		r = olce_flush_members(o);
	return r ? r : olce_record(o, o->geom.array_blocks, IMSM_UNIT_SRC_NORMAL);
}

/* Whether the stream may begin at unit c: no backup needed, md stands at
 * the end of an old row there, and the first limit ends one too (or is
 * the end), a whole unit or more further. */
static bool olce_stream_from(const struct olce *o, uint64_t c)
{
	uint64_t old_row = (uint64_t)o->geom.old_data * o->geom.old_chunk_blocks, lim;
	struct imsm_reshape_step st;

	if (imsm_reshape_plan_step(&o->rec, &o->geom, c, 0, &st) < 0)
		return true; /* past the last unit */
	if (st.backup || imsm_reshape_align_unit(&o->rec, &o->geom, c) != c)
		return false;
	lim = olce_next_limit(o, &st, 0);
	return lim * o->geom.new_data >= o->geom.array_blocks ||
	       lim * o->geom.new_data % old_row == 0;
}

/*
 * Units 0 .. n-1 go through the copy area: those the bound needs, and on
 * until the stream can start where md waits at the end of an old row, and
 * keep its limits there (not inside an old row, where a read would wait
 * for md and a window move for the read).
 */
static uint64_t olce_critical_units(const struct olce *o)
{
	uint64_t c = 0;

	while (c < o->rec.num_migr_units && !olce_stream_from(o, c))
		c++;
	return c;
}

/*
 * One window over the rest of the critical section, set while md stands
 * at its start: md waits at every unit end in there, most of them inside
 * an old row, where moving the window could block for good.  Not written
 * again when the window in place covers it (a --continue).
 */
static int olce_critical_window(struct olce *o, uint64_t crit)
{
	uint64_t lo = o->rec.curr_migr_unit * o->rec.blocks_per_unit;
	uint64_t hi = crit * o->rec.blocks_per_unit;
	unsigned long long cur_lo, cur_hi;
	int r;

	if (hi > o->geom.array_blocks)
		hi = o->geom.array_blocks;
	if (sysfs_read_ull(o->md, NULL, "suspend_lo", &cur_lo) == 0 &&
	    sysfs_read_ull(o->md, NULL, "suspend_hi", &cur_hi) == 0 && cur_lo <= lo && cur_hi >= hi)
		return 0;
	r = sysfs_write_ull(o->md, NULL, "suspend_lo", lo);
	return r ? r : sysfs_write_ull(o->md, NULL, "suspend_hi", hi);
}

/*
 * A restripe (as many data members before as after) reads and writes the
 * same rows: every unit is critical, and its window is that unit alone,
 * grown upwards first, so writes elsewhere never wait.  Units end old and
 * new rows (the depth is a multiple of both chunks): md, held at a unit's
 * start, never blocks the move.
 */
static int olce_unit_window(struct olce *o, const struct imsm_reshape_step *step)
{
	int r = sysfs_write_ull(o->md, NULL, "suspend_hi", step->suspend_hi);

	return r ? r : sysfs_write_ull(o->md, NULL, "suspend_lo", step->suspend_lo);
}

/* The critical section one unit at a time, each unit backed up first,
 * under one window (an OLCE) or a window per unit (a restripe), then the
 * rest as a stream. */
static int olce_run(struct olce *o, bool kick)
{
	struct imsm_reshape_step step;
	uint64_t crit = olce_critical_units(o);
	bool in_place = o->geom.new_data <= o->geom.old_data;
	int r = 0;

	if (o->rec.curr_migr_unit < crit && !in_place)
		r = olce_critical_window(o, crit);
	while (!r && o->rec.curr_migr_unit < o->rec.num_migr_units) {
		/* md held by nobody yet (kick) runs its first unit before a
		 * stop: it has no limit this mdadm could catch up with */
		if (olce_stop_signal && !kick && olce_held_aligned(o))
			return olce_stop_here(o, NULL); /* held at a unit's start */
		r = imsm_reshape_plan_step(&o->rec, &o->geom, o->rec.curr_migr_unit, 0, &step);
		if (!r && !step.backup && o->rec.curr_migr_unit >= crit)
			return olce_stream(o, &step, kick);
		if (!r && !step.backup) /* aligning the end: one unit, backed up too */
			r = imsm_reshape_plan_step(&o->rec, &o->geom, o->rec.curr_migr_unit, 1, &step);
		if (!r && in_place)
			r = olce_unit_window(o, &step);
		if (!r)
			r = olce_backup(o, step.first_unit);
		if (!r)
			r = sysfs_write_ull(o->md, NULL, "sync_max", step.sync_max);
		if (!r && kick)
			r = olce_kick_md(o);
		kick = false;
		if (!r)
			r = olce_wait(o, step.sync_max);
		if (!r)
			r = olce_flush_members(o);
		if (r < 0)
			break;
		r = olce_record(o, r == 1 ? o->geom.array_blocks : step.suspend_hi,
				IMSM_UNIT_SRC_NORMAL);
		if (!r)
			olce_maybe_die(o, "unit", o->rec.curr_migr_unit);
	}
	return r;
}

/* ---- the end of a volume ---------------------------------------------------- */

static int olce_wait_idle(struct olce *o)
{
	unsigned long long pos = 0;
	char action[32];

	for (int i = 0; i < 3000; i++) {
		if (sysfs_get_sync_action(o->md, action, sizeof(action)) < 0 ||
		    strcmp(action, "reshape") != 0)
			break;
		usleep(20 * 1000);
	}
	if (sysfs_read_ull(o->md, NULL, "reshape_position", &pos) < 0 || pos != SYSFS_NONE)
		return -EIO;
	return 0;
}

/*
 * md's members in slots from first on leave md: raid5 -> raid0's parity
 * disk, which the metadata already let go (a spare again), before md's
 * raid5 of parity-last layout becomes raid0 (which takes over only a
 * raid5 missing its last slot).
 */
static int olce_drop_slots(struct olce *o, int first)
{
	struct md_array_info info;
	int r = sysfs_read_array(o->md, &info);

	if (r)
		return r;
	for (int i = 0; !r && i < info.n_members; i++)
		if (info.members[i].slot >= first)
			r = md_remove_member(o->md, info.members[i].kname);
	sysfs_free_array(&info);
	return r;
}

/*
 * md finished: the record zeroed (so it is never taken for the next
 * volume's), mdmon ends the migration and begins the next volume's in one
 * commit, then the new size and raid0 again.
 */
static int olce_finish(struct olce *o, const char **what)
{
	int r;

	*what = "cannot end the migration: md's reshape did not settle";
	r = olce_wait_idle(o);
	if (!r)
		r = olce_reset_window(o);
	if (!r)
		r = sysfs_write_attr(o->md, NULL, "sync_max", "max");
	if (r)
		return r;
	*what = "cannot end the migration: the metadata";
	r = olce_write_rec(o, true);
	if (!r)
		r = olce_ask_mdmon(o, MDMON_REQ_MIGR_END, 0);
	if (!r)
		r = olce_reload(o);
	if (r)
		return r;
	*what = "cannot end the migration: md's new size";
	r = sysfs_write_ull(o->md, NULL, "array_size", o->cur->dev[o->idx].size_blocks / 2);
	if (r || !o->mdr.to_raid0)
		goto out;
	*what = "cannot end the migration: md keeps the parity disk";
	r = olce_drop_slots(o, o->mdr.new_disks - 1);
	if (r)
		return r;
	*what = "cannot end the migration: md stays raid5";
	r = sysfs_write_attr(o->md, NULL, "level", "raid0");
out:
	if (!r)
		olce_maybe_die(o, "volume", (uint64_t)o->idx);
	return r;
}

/* One volume, from wherever its migration stands. */
static int olce_volume(struct olce *o, int idx, const char **what)
{
	enum olce_md md;
	int r;

	*what = "cannot read the migration";
	o->idx = idx;
	o->md = &o->vols[idx].md;
	if (!o->vols[idx].found)
		return -ENODEV;
	o->mdmon_unit = o->cur->dev[idx].vol.curr_migr_unit;
	r = imsm_reshape_geom_of(&o->cur->dev[idx], &o->geom);
	if (!r)
		r = imsm_md_reshape_of(&o->cur->dev[idx].vol.map[0], &o->cur->dev[idx].vol.map[1],
				       &o->mdr);
	if (!r)
		r = olce_get_rec(o);
	if (r)
		return r;
	*what = "md refused the reshape";
	r = olce_prepare_md(o, &md);
	if (r)
		return r;
	*what = "reshape failed";
	r = olce_run(o, md == OLCE_MD_HELD);
	if (r)
		return r;
	return olce_finish(o, what);
}

/* The volume in a general migration, -1 when none is. */
static int olce_migrating(const struct imsm_super *s)
{
	for (int i = 0; i < s->num_raid_devs; i++)
		if (imsm_migr_is_gen_migr(&s->dev[i]))
			return i;
	return -1;
}

/* Every volume whose migration mdmon began, in turn. */
static int olce_drive(struct olce *o, const char **what)
{
	int r = 0;

	for (int idx = olce_migrating(o->cur); !r && idx >= 0; idx = olce_migrating(o->cur))
		r = olce_volume(o, idx, what);
	return r;
}

/* ---- checks ----------------------------------------------------------------- */

static int olce_check_volumes(const struct olce *o, const char *path)
{
	char action[32];

	for (int i = 0; i < o->cur->num_raid_devs; i++) {
		const struct cont_vol *v = &o->vols[i];

		if (!v->found) {
			pr_err("cannot grow %s: volume %d is not running", path, i);
			return EXIT_FAILED;
		}
		if (sysfs_get_sync_action(&v->md, action, sizeof(action)) == 0 &&
		    strcmp(action, "idle") != 0) {
			pr_err("cannot grow %s: /dev/%s is busy (%s); wait for it to end", path,
			       v->devnm, action);
			return EXIT_FAILED;
		}
	}
	return 0;
}

/* Another mdmon would drop our updates (Debian's acknowledges and ignores
 * them); none running is fine, olce_go() starts ours. */
static int olce_refuse_mdmon(const struct olce *o, const char *path)
{
	if (mdmon_running(o->cont) && !mdmon_is_ours(o->cont)) {
		pr_err("cannot grow %s: another mdmon serves the container; run mdmon --takeover %s first",
		       path, path);
		return EXIT_FAILED;
	}
	return 0;
}

/* imsm_olce_check()'s refusal, with the numbers that tell what to change. */
static void olce_report(const struct olce *o, const struct imsm_olce_request *rq, int r,
			const char *path)
{
	unsigned int n = o->cur->num_raid_devs ? o->cur->dev[0].vol.map[0].num_members : 0;
	unsigned int limit = rq->max_members && rq->max_members < IMSM_MAX_MEMBERS
				     ? rq->max_members : IMSM_MAX_MEMBERS;
	const char *why = imsm_olce_error(r);

	switch (r) {
	case -EINVAL:
		pr_err("cannot grow %s: %s (%u)", path, why, n);
		break;
	case -E2BIG:
		pr_err("cannot grow %s: %s (at most %u%s)", path, why, limit,
		       limit < IMSM_MAX_MEMBERS ? " on this platform" : "");
		break;
	case -ENOENT:
		pr_err("cannot grow %s: %s (%u needed, %u present)", path, why, rq->new_members - n,
		       rq->n_spares);
		break;
	case -ENOSPC:
		pr_err("cannot grow %s: %s (a new disk needs at least %llu KiB)", path, why,
		       (unsigned long long)imsm_olce_min_spare_blocks(o->cur) / 2);
		break;
	default:
		pr_err("cannot grow %s: %s", path, why);
	}
}

static int olce_refuse(const struct olce *o, int new_disks, const char *path)
{
	struct imsm_olce_request rq = { .new_members = (unsigned int)new_disks,
					.spares = o->spares, .n_spares = o->n_spares,
					.max_members = olce_platform_max_members() };
	int r = imsm_olce_check(o->cur, &rq);

	if (r) {
		olce_report(o, &rq, r, path);
		return EXIT_FAILED;
	}
	r = olce_check_volumes(o, path);
	if (r)
		return r;
	return olce_refuse_mdmon(o, path);
}

static int olce_refuse_continue(const struct olce *o, const char *path)
{
	if (olce_migrating(o->cur) < 0) {
		pr_err("cannot continue %s: no reshape is recorded in its metadata", path);
		return EXIT_FAILED;
	}
	return olce_refuse_mdmon(o, path);
}

/* Every volume has volume 0's member count at the end. */
static int olce_check_end(const struct olce *o)
{
	for (int i = 1; i < o->cur->num_raid_devs; i++)
		if (o->cur->dev[i].vol.map[0].num_members != o->cur->dev[0].vol.map[0].num_members)
			return -EPROTO;
	return 0;
}

/* *started: the metadata records a migration (on failure the volumes stay
 * frozen at the checkpoint for --continue). */
static int olce_go(struct olce *o, int new_disks, bool do_continue, const char **what,
		   bool *started)
{
	int r;

	*what = "cannot start mdmon";
	r = mdmon_running(o->cont) ? 0 : mdmon_start(o->cont);
	if (!r) {
		*what = "cannot freeze";
		olce_catch_signals();
		r = olce_freeze(o);
	}
	if (!r && !do_continue) {
		*what = "cannot record the start";
		r = olce_start(o, (unsigned int)new_disks);
	}
	*started = !r || do_continue;
	if (!r)
		r = olce_drive(o, what);
	if (o->rolled_back)
		*started = false;
	if (!r) {
		*what = "a volume was not grown";
		r = olce_check_end(o);
	}
	return r;
}

/* The one line for a migration that failed (nothing when r is 0). */
static void olce_say_failure(struct olce *o, const char *array, const char *what, int r,
			     bool started)
{
	olce_meter_end(o);
	if (r == -EINTR && started)
		pr_err("%s: stopped by signal %d at unit %llu of %llu; mdadm --grow --continue %s (or an assembly) resumes it",
		       array, (int)olce_stop_signal, (unsigned long long)o->rec.curr_migr_unit,
		       (unsigned long long)o->rec.num_migr_units, array);
	else if (r && started)
		pr_err("cannot grow %s: %s: %s; it stays frozen at its checkpoint for mdadm --grow --continue",
		       array, what, strerror(-r));
	else if (r && o->rolled_back && !o->undo_err)
		pr_err("cannot grow %s: %s: %s; nothing changed (the metadata is as before)",
		       array, what, strerror(-r));
	else if (r && o->rolled_back)
		pr_err("cannot grow %s: %s: %s; the metadata is as before, md not (%s): stop and assemble the container",
		       array, what, strerror(-r), strerror(-o->undo_err));
	else if (r)
		pr_err("cannot grow %s: %s: %s", array, what, strerror(-r));
}

/* The container's disks, spares and volumes; one line when they cannot
 * be read (verb: "grow" or "change"). */
static int olce_open(struct olce *o, const char *array, const char *devnm, const char *verb)
{
	int r;

	memset(o, 0, sizeof(*o));
	snprintf(o->cont, sizeof(o->cont), "%s", devnm);
	olce_die_arm(o);
	r = olce_load(o);
	if (!r)
		r = cont_find_volumes(o->cont, o->vols);
	if (r) {
		pr_err("cannot %s %s: %s", verb, array, strerror(-r));
		olce_close(o);
	}
	return r;
}

/* Run what the checks allowed, unfreeze, report; an exit code. */
static int olce_run_all(struct olce *o, const char *array, int new_disks, bool do_continue)
{
	const char *what = "";
	bool started = false;
	int r = olce_go(o, new_disks, do_continue, &what, &started);

	if ((!r || !started) && cont_unfreeze_all(o->vols) < 0 && !r)
		r = -EIO;
	olce_say_failure(o, array, what, r, started);
	return r ? EXIT_FAILED : 0;
}

int olce_grow(const char *array, const char *devnm, int new_disks, bool do_continue)
{
	struct olce o;
	int rc;

	if (olce_open(&o, array, devnm, "grow") < 0)
		return EXIT_FAILED;
	rc = do_continue ? olce_refuse_continue(&o, array) : olce_refuse(&o, new_disks, array);
	if (!rc)
		rc = olce_run_all(&o, array, new_disks, do_continue);
	olce_close(&o);
	return rc;
}

/* ---- level and chunk migrations of one volume --------------------------------- */

static void olce_describe_map(const struct imsm_map *m, char *buf, size_t len)
{
	snprintf(buf, len, "raid%d, %u disks, chunk %uK", imsm_map_md_level(m), m->num_members,
		 m->blocks_per_strip / 2u);
}

/* The plan, before anything changes (and all of --dry-run). */
static int olce_print_plan(const struct olce *o, const struct imsm_restripe_request *rq,
			   const char *path)
{
	const struct imsm_dev *d = &o->cur->dev[rq->vol];
	struct imsm_super *after = NULL;
	char from[64], to[64];
	int r = imsm_restripe_start(o->cur, rq, &after);

	if (r)
		return r;
	olce_describe_map(&d->vol.map[0], from, sizeof(from));
	olce_describe_map(&after->dev[rq->vol].vol.map[0], to, sizeof(to));
	pr_err("%s: %s -> %s; the size stays %llu KiB", path, from, to,
	       (unsigned long long)d->size_blocks / 2);
	for (unsigned int i = o->cur->num_disks; i < after->num_disks; i++)
		for (int k = 0; k < o->n_disks; k++)
			if (memcmp(o->disks[k].serial, after->disk[i].serial, IMSM_SERIAL_BYTES) == 0)
				pr_err("%s: the spare %s becomes a member", path, o->paths[k]);
	if (after->dev[rq->vol].vol.map[0].num_members < d->vol.map[0].num_members)
		pr_err("%s: the last disk becomes a spare of the container at the end", path);
	imsm_free(after);
	return 0;
}

static int olce_refuse_restripe(const struct olce *o, const struct imsm_restripe_request *rq,
				const char *path)
{
	int r = imsm_restripe_check(o->cur, rq);

	if (r) {
		pr_err("cannot change %s: %s", path, imsm_restripe_error(r));
		return EXIT_FAILED;
	}
	r = olce_check_volumes(o, path);
	return r ? r : olce_refuse_mdmon(o, path);
}

int olce_restripe(const char *array, const char *devnm, int vol, int new_level,
		  unsigned int new_chunk_kib, bool dry_run)
{
	struct imsm_restripe_request rq = { .vol = vol, .new_level = new_level,
					    .new_chunk_blocks = new_chunk_kib * 2 };
	struct olce o;
	int rc;

	if (olce_open(&o, array, devnm, "change") < 0)
		return EXIT_FAILED;
	rq.spares = o.spares;
	rq.n_spares = o.n_spares;
	rq.max_members = olce_platform_max_members();
	o.restripe = &rq;
	rc = olce_refuse_restripe(&o, &rq, array);
	if (!rc && olce_print_plan(&o, &rq, array) < 0)
		rc = EXIT_FAILED;
	if (!rc && !dry_run)
		rc = olce_run_all(&o, array, 0, false);
	olce_close(&o);
	return rc;
}

/* ---- for mdadm --wait --------------------------------------------------------- */

/* What the md volumes of container devnm (metadata s) do now. */
struct olce_scan {
	uint64_t sig;   /* FNV-1a over what moves */
	bool unsettled; /* a volume's level or size is not yet the metadata's */
};

static void olce_sig_add(struct olce_scan *sc, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		sc->sig = (sc->sig ^ *p) * 1099511628211ull;
	sc->sig = (sc->sig ^ '|') * 1099511628211ull;
}

static void olce_scan_one(const struct imsm_super *s, const char *devnm, const char *name,
			  struct olce_scan *sc)
{
	static const char *const moving[] = { "sync_completed", "reshape_position", "raid_disks" };
	char meta[64], val[64], want[16];
	unsigned long long sectors;
	struct md_sysfs md;
	int level;
	long idx;

	sysfs_init(&md, SYSROOT, name);
	if (sysfs_read_attr(&md, NULL, "metadata_version", meta, sizeof(meta)) < 0)
		return;
	idx = cont_volume_index(meta, devnm);
	if (idx < 0 || idx >= s->num_raid_devs)
		return;
	for (size_t i = 0; i < sizeof(moving) / sizeof(moving[0]); i++)
		if (sysfs_read_attr(&md, NULL, moving[i], val, sizeof(val)) == 0)
			olce_sig_add(sc, val);
	/* mdadm ends an OLCE with the size, then raid4 back to raid0 */
	level = imsm_map_md_level(&s->dev[idx].vol.map[0]);
	if (level != 0 && level != 5)
		return;
	snprintf(want, sizeof(want), "raid%d", level);
	if (sysfs_read_attr(&md, NULL, "level", val, sizeof(val)) < 0 || strcmp(val, want) != 0 ||
	    sysfs_read_ull(&md, NULL, "../size", &sectors) < 0 || sectors < s->dev[idx].size_blocks)
		sc->unsettled = true;
	olce_sig_add(sc, sc->unsettled ? val : "");
}

bool olce_under_way(const char *devnm, uint64_t *ret_sig)
{
	struct olce_scan sc = { .sig = 14695981039346656037ull };
	struct imsm_super *s = NULL;
	struct dirent *de;
	char unit[48];
	int idx;
	DIR *d;

	if (imsm_load_container(devnm, &s) < 0)
		return false;
	idx = olce_migrating(s);
	snprintf(unit, sizeof(unit), "%d:%llu", idx,
		 idx < 0 ? 0ull : (unsigned long long)s->dev[idx].vol.curr_migr_unit);
	olce_sig_add(&sc, unit);
	d = opendir(SYSROOT "/block");
	while (d && (de = readdir(d)))
		if (strncmp(de->d_name, "md", 2) == 0)
			olce_scan_one(s, devnm, de->d_name, &sc);
	if (d)
		closedir(d);
	imsm_free(s);
	*ret_sig = sc.sig;
	return idx >= 0 || sc.unsettled;
}
