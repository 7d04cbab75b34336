/*
 * Grow.c: --grow, changing the shape of a live array.
 *
 * Owns the named steps of a reshape: grow_plan() turns the request and
 * the array's current geometry into a plan, grow_check() refuses what is
 * unsafe or unsupported before anything changes, and the steps that
 * freeze, take over, reshape and finish follow as they land.  For an IMSM
 * container, --raid-devices runs an Online Capacity Expansion (olce_*):
 * start metadata through mdmon, md reconfigured, the unit loop with the
 * copy-area backup of the critical section and the checkpoints (migration
 * record, then mdmon's curr_migr_unit), the end through mdmon.  Never
 * parses argv.
 */
#include "imsm-io.h"
#include "imsm-reshape.h"
#include "imsm.h"
#include "mdadm.h"
#include "mdmon-client.h"
#include "mdmon.h"
#include "mdstat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSROOT "/sys"

/* What the user asked for, next to what the array is now. */
struct grow_plan {
	char devnm[32];
	char level[16];
	bool container;
	int old_disks, new_disks;          /* new_disks UNSET: unchanged */
	unsigned long long old_chunk_kib;
	long long new_chunk_kib;           /* UNSET: unchanged */
	int new_level;                     /* UNSET: unchanged */
	long long new_size_kib;            /* UNSET: unchanged, 0: max */
};

static int grow_plan(const struct request *req, struct grow_plan *ret)
{
	struct md_array_info info;
	struct md_sysfs md;
	int r;

	r = util_md_devnm(SYSROOT, req->array, ret->devnm, sizeof(ret->devnm));
	if (r < 0)
		return r;
	sysfs_init(&md, SYSROOT, ret->devnm);
	r = sysfs_read_array(&md, &info);
	if (r < 0)
		return r;
	snprintf(ret->level, sizeof(ret->level), "%s", info.level);
	ret->container = strncmp(info.metadata, "external:", 9) == 0 &&
			 info.metadata[9] != '/' && info.metadata[9] != '-';
	ret->old_disks = ret->container ? info.n_members : info.raid_disks;
	ret->old_chunk_kib = info.chunk_bytes / 1024;
	ret->new_disks = req->raid_devices;
	ret->new_chunk_kib = req->chunk_kib;
	ret->new_level = req->level;
	ret->new_size_kib = req->size_kib;
	sysfs_free_array(&info);
	return 0;
}

/* Refusals that need no knowledge of the metadata format.  Returns 0 or
 * an exit code after reporting. */
static int grow_check(const struct request *req, const struct grow_plan *p)
{
	if (p->new_disks == UNSET && p->new_chunk_kib == UNSET && p->new_level == UNSET &&
	    p->new_size_kib == UNSET && !req->do_continue) {
		pr_err("no change requested for %s: give --raid-devices, --level, --chunk or --size",
		       req->array);
		return EXIT_USAGE;
	}
	if (p->new_chunk_kib != UNSET && (p->new_chunk_kib & (p->new_chunk_kib - 1))) {
		pr_err("invalid chunk size %lldK: must be a power of two", p->new_chunk_kib);
		return EXIT_USAGE;
	}
	return 0;
}

/* ---- OLCE of an IMSM container (md-kernel-interface.md §9.3, §9.4) ---------- */

#define OLCE_MAX_DISKS MD_MAX_MEMBERS

/* Everything one OLCE works with. */
struct olce {
	char cont[32], vol[32];			/* devnm of container and volume 0 */
	char meta[64];				/* the volume's metadata_version */
	struct md_sysfs md;			/* the volume */
	struct imsm_super *cur, *start;
	struct imsm_disk_dev disks[OLCE_MAX_DISKS]; /* the container's disks, open */
	char paths[OLCE_MAX_DISKS][64];
	int n_disks;
	struct imsm_disk spares[OLCE_MAX_DISKS];
	unsigned int n_spares;
	struct imsm_migr_rec rec;
	struct imsm_reshape_geom geom;
	bool frozen;
};

static void olce_close(struct olce *o)
{
	for (int i = 0; i < o->n_disks; i++)
		close(o->disks[i].fd);
	imsm_free(o->cur);
	imsm_free(o->start);
}

static int olce_open_disk(struct olce *o, const struct md_member_info *m)
{
	int r;

	snprintf(o->paths[o->n_disks], sizeof(o->paths[0]), "/dev/%s", m->kname);
	r = imsm_disk_open(&o->disks[o->n_disks], o->paths[o->n_disks], O_RDWR);
	if (!r)
		o->n_disks++;
	return r;
}

/* A disk whose serial the table does not list is a spare: its own record. */
static void olce_note_spare(struct olce *o, const struct imsm_disk_dev *d)
{
	struct imsm_super *own = NULL;
	int i;

	if (imsm_find_disk(o->cur, d->serial) >= 0 || imsm_read_mpb(d, &own) < 0)
		return;
	i = imsm_find_disk(own, d->serial);
	if (i >= 0)
		o->spares[o->n_spares++] = own->disk[i];
	imsm_free(own);
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

/* The running md volume of the container's volume 0. */
static int olce_find_volume(struct olce *o)
{
	struct mdstat_array *list = NULL;
	char want[48];
	int r = mdstat_read("/proc/mdstat", &list);

	if (r < 0)
		return r;
	snprintf(want, sizeof(want), "external:/%s/0", o->cont);
	r = -ENOENT;
	for (struct mdstat_array *a = list; a; a = a->next)
		if (strcmp(a->metadata, want) == 0 && a->active) {
			snprintf(o->vol, sizeof(o->vol), "%s", a->devnm);
			r = 0;
		}
	mdstat_free(list);
	if (!r)
		sysfs_init(&o->md, SYSROOT, o->vol);
	return r;
}

static struct imsm_disk_dev *olce_disk(struct olce *o, const struct imsm_super *s,
				       unsigned int index)
{
	for (int i = 0; i < o->n_disks; i++)
		if (memcmp(o->disks[i].serial, s->disk[index].serial, IMSM_SERIAL_BYTES) == 0)
			return &o->disks[i];
	return NULL;
}

/* Freeze (§7): the "-" flag keeps mdmon from starting recoveries. */
static int olce_freeze(struct olce *o, bool freeze)
{
	char meta[64];
	int r;

	if (freeze) {
		r = sysfs_get_metadata_version(&o->md, o->meta, sizeof(o->meta));
		if (r < 0)
			return r;
		if (strncmp(o->meta, "external:/", 10) != 0)
			return -EBUSY;
		snprintf(meta, sizeof(meta), "external:-%s", o->meta + 10);
		r = sysfs_write_attr(&o->md, NULL, "metadata_version", meta);
		if (!r)
			r = sysfs_set_sync_action(&o->md, "frozen");
		o->frozen = r == 0;
		return r;
	}
	r = sysfs_write_attr(&o->md, NULL, "metadata_version", o->meta);
	if (sysfs_set_sync_action(&o->md, "idle") < 0 && !r)
		r = -EIO;
	o->frozen = false;
	return r;
}

/* The record into the last sector of the slot-0 and slot-1 members (§1.7). */
static int olce_write_rec(struct olce *o, bool zero)
{
	uint32_t idx[2];
	int n = imsm_migr_rec_members(&o->start->dev[0], idx), r = 0;

	for (int i = 0; !r && i < n; i++) {
		struct imsm_disk_dev *d = olce_disk(o, o->start, idx[i]);
		unsigned char buf[4096] = { 0 };

		if (!d)
			return -ENODEV;
		if (!zero)
			r = imsm_migr_rec_encode(&o->rec, d->sector_bytes, buf, d->sector_bytes);
		if (!r && pwrite(d->fd, buf, d->sector_bytes,
				 (off_t)((d->sectors - 1) * d->sector_bytes)) != (ssize_t)d->sector_bytes)
			r = -EIO;
		if (!r && fsync(d->fd) < 0)
			r = -errno;
	}
	return r;
}

static int olce_send_start(struct olce *o)
{
	size_t len = imsm_mpb_bytes(o->start), used;
	void *buf = calloc(1, len);
	int r = buf ? imsm_encode(o->start, buf, len, &used) : -ENOMEM;

	if (!r)
		r = mdmon_send_update(o->cont, buf, used);
	free(buf);
	return r;
}

static int olce_begin(struct olce *o, unsigned int new_members)
{
	struct imsm_olce_request rq = { .new_members = new_members, .spares = o->spares,
					.n_spares = o->n_spares };
	int r;

	r = imsm_olce_start(o->cur, &rq, &o->start);
	if (!r)
		r = imsm_migr_rec_init(o->start, 0, &o->rec);
	if (!r)
		r = imsm_reshape_geom_of(&o->start->dev[0], &o->geom);
	if (!r)
		r = olce_write_rec(o, false);
	if (!r)
		r = olce_send_start(o);
	return r;
}

/* raid_disks, the new members with their slots, then a reshape that md
 * starts but may not move (sync_max 0). */
static int olce_add_members(struct olce *o)
{
	const struct imsm_map *m = &o->start->dev[0].vol.map[0];
	unsigned long long comp_kib;
	char val[32];
	int r;

	r = sysfs_get_component_kib(&o->md, &comp_kib);
	if (!r)
		r = sysfs_write_ull(&o->md, NULL, "raid_disks", m->num_members);
	for (unsigned int i = o->start->dev[0].vol.map[1].num_members; !r && i < m->num_members;
	     i++) {
		struct imsm_disk_dev *d = olce_disk(o, o->start, i);

		if (!d)
			return -ENODEV;
		snprintf(val, sizeof(val), "%u:%u", d->major, d->minor);
		r = sysfs_write_attr(&o->md, NULL, "new_dev", val);
		if (!r)
			r = sysfs_write_ull(&o->md, d->kname, "offset", m->pba_of_lba0);
		if (!r)
			r = sysfs_write_ull(&o->md, d->kname, "size", comp_kib);
		if (!r)
			r = sysfs_write_ull(&o->md, d->kname, "slot", i);
	}
	return r;
}

static int olce_start_md(struct olce *o)
{
	int r;

	r = sysfs_write_attr(&o->md, NULL, "suspend_lo", "9223372036854775807");
	if (!r)
		r = sysfs_write_ull(&o->md, NULL, "suspend_hi", 0);
	if (!r)
		r = sysfs_write_ull(&o->md, NULL, "suspend_lo", 0);
	if (!r)
		r = sysfs_write_ull(&o->md, NULL, "sync_min", 0);
	if (!r)
		r = sysfs_write_ull(&o->md, NULL, "sync_max", 0);
	for (int i = 0; !r || (r == -EBUSY && i < 5); i++) {
		r = sysfs_set_sync_action(&o->md, "reshape");
		if (r != -EBUSY)
			break;
		sleep(1);
	}
	return r;
}

/* Wait until md completed member position pos; 1 when the reshape ended. */
static int olce_wait(struct olce *o, unsigned long long pos)
{
	unsigned long long done, total;
	char action[32];
	int r;

	for (;;) {
		r = sysfs_get_sync_completed(&o->md, &done, &total);
		if (r == 0 && done != SYSFS_NONE && done >= pos)
			return 0;
		if (sysfs_get_sync_action(&o->md, action, sizeof(action)) < 0)
			return -EIO;
		if (strcmp(action, "reshape") != 0)
			return strcmp(action, "idle") == 0 || strcmp(action, "frozen") == 0 ? 1 : -EIO;
		if (r == 0 && done == SYSFS_NONE)
			return 1;
		usleep(20 * 1000);
	}
}

/* The checkpoint: record, then mdmon copies the unit into the MPB. */
static int olce_checkpoint(struct olce *o, uint64_t progress)
{
	int r;

	imsm_migr_rec_set_checkpoint(&o->rec, progress, IMSM_UNIT_SRC_NORMAL);
	r = olce_write_rec(o, false);
	if (!r)
		r = mdmon_disk_request(o->cont, MDMON_REQ_MIGR_CHECKPOINT, 0,
				       (unsigned int)o->rec.curr_migr_unit);
	return r;
}

/* ---- the critical section: the unit's new image into the copy area -------- */

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

/* Read the unit's array data through md (still in the old layout there). */
static int olce_read_unit(struct olce *o, const struct imsm_reshape_unit *u, void *buf)
{
	char path[64];
	size_t len = u->array_blocks * 512;
	int fd, r = 0;

	snprintf(path, sizeof(path), "/dev/%s", o->vol);
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, buf, len, (off_t)(u->array_start * 512)) != (ssize_t)len)
		r = -EIO;
	close(fd);
	return r;
}

/* Row r of the unit, chunk by chunk, onto the copy area of each member. */
static int olce_write_row(struct olce *o, const unsigned char *data, uint64_t row, uint64_t r,
			  unsigned char *parity)
{
	const struct imsm_map *m = &o->start->dev[0].vol.map[0];
	size_t cb = (size_t)o->geom.new_chunk_blocks * 512;
	int pd = olce_parity_slot(m, row);
	uint64_t lba = o->rec.ckpt_area_pba + r * o->geom.new_chunk_blocks;
	int res = 0;

	memset(parity, 0, cb);
	for (unsigned int j = 0; !res && j < o->geom.new_data; j++) {
		const unsigned char *c = data + j * cb;
		int slot = olce_data_slot(pd, j);
		struct imsm_disk_dev *d =
			olce_disk(o, o->start, m->disk_ord_tbl[slot] & IMSM_ORD_INDEX_MASK);

		for (size_t b = 0; b < cb; b++)
			parity[b] ^= c[b];
		if (!d || pwrite(d->fd, c, cb, (off_t)(lba * 512)) != (ssize_t)cb)
			res = -EIO;
	}
	if (!res && pd >= 0) {
		struct imsm_disk_dev *d =
			olce_disk(o, o->start, m->disk_ord_tbl[pd] & IMSM_ORD_INDEX_MASK);

		if (!d || pwrite(d->fd, parity, cb, (off_t)(lba * 512)) != (ssize_t)cb)
			res = -EIO;
	}
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
	if (posix_memalign((void **)&buf, 4096, u.array_blocks * 512) ||
	    posix_memalign((void **)&parity, 4096, cb)) {
		free(buf);
		return -ENOMEM;
	}
	r = olce_read_unit(o, &u, buf);
	for (uint64_t row = 0; !r && row * o->geom.new_chunk_blocks < u.dest_member_blocks; row++)
		r = olce_write_row(o, buf + row * cb * o->geom.new_data,
				   u.dest_member_start / o->geom.new_chunk_blocks + row, row,
				   parity);
	for (int i = 0; !r && i < o->n_disks; i++)
		if (fsync(o->disks[i].fd) < 0)
			r = -errno;
	free(buf);
	free(parity);
	if (r)
		return r;
	imsm_migr_rec_set_checkpoint(&o->rec, u.array_start, IMSM_UNIT_SRC_IN_CP_AREA);
	r = olce_write_rec(o, false);
	if (!r)
		r = mdmon_disk_request(o->cont, MDMON_REQ_MIGR_CHECKPOINT, 0,
				       (unsigned int)o->rec.curr_migr_unit);
	return r;
}

/* The unit loop (§9.4.3). */
static int olce_run(struct olce *o)
{
	struct imsm_reshape_step step;
	uint64_t unit = 0;
	int r = 0;

	while (!r && unit < o->rec.num_migr_units) {
		r = imsm_reshape_plan_step(&o->rec, &o->geom, unit, 0, &step);
		if (!r && step.backup)
			r = olce_backup(o, step.first_unit);
		if (!r)
			r = sysfs_write_ull(&o->md, NULL, "suspend_lo", step.suspend_lo);
		if (!r)
			r = sysfs_write_ull(&o->md, NULL, "suspend_hi", step.suspend_hi);
		if (!r)
			r = sysfs_write_ull(&o->md, NULL, "sync_max", step.sync_max);
		if (!r)
			r = olce_wait(o, step.sync_max);
		if (r < 0)
			break;
		unit = step.first_unit + step.units;
		if (r == 1)
			unit = o->rec.num_migr_units;
		r = olce_checkpoint(o, r == 1 ? o->geom.array_blocks : step.suspend_hi);
	}
	return r;
}

/* No window, no limit (best effort: the reshape is over). */
static void olce_clear_window(struct olce *o)
{
	if (sysfs_write_attr(&o->md, NULL, "suspend_lo", "9223372036854775807") < 0 ||
	    sysfs_write_ull(&o->md, NULL, "suspend_hi", 0) < 0 ||
	    sysfs_write_ull(&o->md, NULL, "suspend_lo", 0) < 0)
		return;
	if (sysfs_write_attr(&o->md, NULL, "sync_max", "max") < 0)
		return;
}

/* md finished: wait for idle, end the migration, size, clean up. */
static int olce_finish(struct olce *o)
{
	struct imsm_super *now = NULL;
	char action[32];
	int r;

	for (int i = 0; i < 3000; i++) {
		if (sysfs_get_sync_action(&o->md, action, sizeof(action)) < 0 ||
		    strcmp(action, "reshape") != 0)
			break;
		usleep(20 * 1000);
	}
	r = mdmon_disk_request(o->cont, MDMON_REQ_MIGR_END, 0, 0);
	if (!r)
		r = imsm_load_container(o->cont, &now);
	if (!r)
		r = sysfs_write_ull(&o->md, NULL, "array_size", now->dev[0].size_blocks / 2);
	imsm_free(now);
	if (!r)
		r = olce_write_rec(o, true);
	olce_clear_window(o);
	return r;
}

static int olce_refuse(const struct olce *o, int new_disks, const char *path)
{
	struct imsm_olce_request rq = { .new_members = (unsigned int)new_disks,
					.spares = o->spares, .n_spares = o->n_spares };
	int r = imsm_olce_check(o->cur, &rq);

	if (r) {
		pr_err("cannot grow %s: %s", path, imsm_olce_error(r));
		return EXIT_FAILED;
	}
	if (o->cur->num_raid_devs != 1) {
		pr_err("cannot grow %s: containers with more than one volume are not supported yet",
		       path);
		return EXIT_FAILED;
	}
	if (!mdmon_running(o->cont) || !mdmon_is_ours(o->cont)) {
		pr_err("cannot grow %s: our mdmon does not serve the container", path);
		return EXIT_FAILED;
	}
	return 0;
}

static int olce_step(struct olce *o, int new_disks, const char **what)
{
	int r;

	*what = "cannot freeze";
	r = olce_freeze(o, true);
	if (r)
		return r;
	*what = "cannot record the start";
	r = olce_begin(o, (unsigned int)new_disks);
	if (!r) {
		*what = "md refused the new members";
		r = olce_add_members(o);
	}
	if (!r) {
		*what = "md refused to start the reshape";
		r = olce_start_md(o);
	}
	if (!r) {
		*what = "reshape failed";
		r = olce_run(o);
	}
	if (!r) {
		*what = "cannot end the migration";
		r = olce_finish(o);
	}
	return r;
}

static int grow_imsm_container(const struct request *req, const struct grow_plan *p)
{
	struct olce o;
	const char *what = "";
	int r, rc;

	memset(&o, 0, sizeof(o));
	snprintf(o.cont, sizeof(o.cont), "%s", p->devnm);
	r = olce_load(&o);
	if (!r)
		r = olce_find_volume(&o);
	if (r) {
		pr_err("cannot grow %s: %s", req->array, strerror(-r));
		olce_close(&o);
		return EXIT_FAILED;
	}
	rc = olce_refuse(&o, p->new_disks, req->array);
	if (!rc) {
		r = olce_step(&o, p->new_disks, &what);
		if (o.frozen && olce_freeze(&o, false) < 0 && !r)
			r = -EIO;
		if (r) {
			pr_err("cannot grow %s: %s: %s", req->array, what, strerror(-r));
			rc = EXIT_FAILED;
		}
	}
	olce_close(&o);
	return rc;
}

int mode_grow(const struct request *req)
{
	struct grow_plan plan;
	int r;

	r = grow_plan(req, &plan);
	if (r < 0) {
		pr_err("cannot grow %s: %s", req->array,
		       r == -ENODEV ? "not an md device" : strerror(-r));
		return EXIT_FAILED;
	}
	r = grow_check(req, &plan);
	if (r)
		return r;
	if (plan.container && plan.new_disks != UNSET && plan.new_chunk_kib == UNSET &&
	    plan.new_level == UNSET && plan.new_size_kib == UNSET)
		return grow_imsm_container(req, &plan);
	return mode_not_implemented("--grow");
}
