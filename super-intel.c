/*
 * super-intel.c: the IMSM metadata handler: imsm_ops and its glue.
 *
 * Owns: the table of hooks the modes call (contracts in mdadm.h), the
 * handle (struct imsm_handle), md's view of the records, and which copy
 * speaks for a container.  The hooks are thin: reading and writing the
 * records is imsm-io.c's job (where on the disk they live, drawn below),
 * building new ones imsm-create.c's, --examine imsm-describe.c's,
 * mdmon's policy imsm-mdmon.c's; the pure encoding belongs to
 * imsm-format.c, platform checks to imsm-platform.c.  Never prints:
 * callers report.
 *
 * Where the metadata lives (imsm-format.md §1.1), for a disk of N logical
 * sectors:
 *
 *     LBA N-1          migration record (zero when no migration runs)
 *     LBA N-2          anchor: MPB bytes 0 .. ss-1, starts with the signature
 *     LBA N-1-S..N-3   MPB sectors 1 .. S-1 when the MPB spans S > 1 sectors
 */
#include "imsm-platform.h"
#include "imsm-subarray.h"
#include "imsm.h"
#include "imsm-restripe.h"
#include "imsm-rebuild.h"
#include "imsm-resume.h"
#include "mdadm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/sysmacros.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Room for the metadata reservation and a 1 MiB volume with its 1 MiB tail. */
#define MIN_DISK_BLOCKS (IMSM_DEFAULT_RESERVED_BLOCKS + 2 * IMSM_DIRTY_STRIPE_REGION_BLOCKS)

/* ---- md's view of the metadata ------------------------------------------ */

void imsm_container_member_cfg(const struct imsm_disk_dev *d, struct md_member_cfg *ret)
{
	uint64_t blocks = imsm_disk_blocks(d);

	*ret = (struct md_member_cfg){
		.major = d->major,
		.minor = d->minor,
		.slot = -1,
		.offset_sectors = blocks - IMSM_MPB_SECTOR_CNT,
		.size_kib = IMSM_MPB_SECTOR_CNT / 2,
		.recovery_start = SYSFS_NONE,
	};
}

void imsm_volume_name(const struct imsm_dev *dev, char ret[IMSM_NAME_BYTES + 1])
{
	memcpy(ret, dev->volume, IMSM_NAME_BYTES);
	ret[IMSM_NAME_BYTES] = '\0';
}

int imsm_find_disk(const struct imsm_super *s, const char serial[IMSM_SERIAL_BYTES])
{
	for (int i = 0; i < s->num_disks; i++)
		if (memcmp(s->disk[i].serial, serial, IMSM_SERIAL_BYTES) == 0)
			return i;
	return -1;
}

static const struct imsm_disk_dev *disk_by_serial(const struct imsm_disk_dev *disks, int n,
						  const char serial[IMSM_SERIAL_BYTES])
{
	for (int i = 0; i < n; i++)
		if (memcmp(disks[i].serial, serial, IMSM_SERIAL_BYTES) == 0)
			return &disks[i];
	return NULL;
}

static int md_layout_of(int level)
{
	if (level == 5)
		return MD_LAYOUT_LEFT_ASYMMETRIC;
	return level == 10 ? MD_LAYOUT_RAID10_NEAR2 : 0;
}

/* Per-member KiB md runs on: data stripes, rounded to the chunk (§5.4.7). */
static unsigned long long component_kib(const struct imsm_map *m, int level)
{
	uint64_t blocks = imsm_map_data_blocks(m);

	if (level != 1)
		blocks -= blocks % m->blocks_per_strip;
	return blocks / 2;
}

/* A general migration anywhere in the container holds back every resync (§6.1). */
bool imsm_gen_migr_running(const struct imsm_super *s)
{
	for (int i = 0; i < s->num_raid_devs; i++)
		if (imsm_migr_is_gen_migr(&s->dev[i]))
			return true;
	return false;
}

/*
 * Where md's resync starts (§6.3, md-kernel-interface.md §4.2 step 8):
 * an interrupted INIT or REPAIR resumes at its checkpoint, a dirty or
 * uninitialised volume resyncs from 0, anything else needs none.  Other
 * migrations resync nothing: a VERIFY counts as complete, a REBUILD goes
 * through the members' recovery_start, a general migration through the
 * reshape position.
 */
static unsigned long long resync_start_of(const struct imsm_super *s, const struct imsm_dev *dev)
{
	if (dev->vol.migr_state)
		return imsm_migr_is_resync(dev) ? imsm_migr_checkpoint_pos(dev) : SYSFS_NONE;
	if ((dev->vol.map[0].map_state == IMSM_MAP_UNINITIALIZED || dev->vol.dirty) &&
	    !imsm_gen_migr_running(s))
		return 0;
	return SYSFS_NONE;
}

static void add_members_from(const struct imsm_super *s, const struct imsm_map *m, int first,
			     const struct imsm_disk_dev *disks, int n, struct md_volume_cfg *v)
{
	for (int slot = first; slot < m->num_members && v->n_members < MD_MAX_MEMBERS; slot++) {
		uint32_t ord = m->disk_ord_tbl[slot];
		const struct imsm_disk *rec = &s->disk[ord & IMSM_ORD_INDEX_MASK];
		const struct imsm_disk_dev *d = disk_by_serial(disks, n, rec->serial);

		if (!d || (rec->status & IMSM_DISK_FAILED))
			continue; /* missing or failed: md runs the slot degraded */
		v->members[v->n_members++] = (struct md_member_cfg){
			.major = d->major,
			.minor = d->minor,
			.slot = slot,
			.offset_sectors = m->pba_of_lba0,
			.size_kib = v->component_kib,
			.recovery_start = (ord & IMSM_ORD_REBUILD) ? 0 : SYSFS_NONE,
		};
	}
}

static void add_members(const struct imsm_super *s, const struct imsm_map *m,
			const struct imsm_disk_dev *disks, int n, struct md_volume_cfg *v)
{
	add_members_from(s, m, 0, disks, n, v);
}

/* Slots of m from first on whose disk is missing or failed. */
static int absent_members(const struct imsm_super *s, const struct imsm_map *m, int first,
			  const struct imsm_disk_dev *disks, int n)
{
	int absent = 0;

	for (int slot = first; slot < m->num_members; slot++) {
		const struct imsm_disk *rec = &s->disk[m->disk_ord_tbl[slot] & IMSM_ORD_INDEX_MASK];

		if (!disk_by_serial(disks, n, rec->serial) || (rec->status & IMSM_DISK_FAILED))
			absent++;
	}
	return absent;
}

/* A REBUILD migration: its new member resumes at the checkpoint (§6.4),
 * otherwise md would take the half-rebuilt disk as in sync. */
static void resume_rebuild(const struct imsm_dev *dev, struct md_volume_cfg *ret)
{
	for (int i = 0; i < ret->n_members; i++)
		if (ret->members[i].recovery_start == SYSFS_NONE)
			ret->members[i].recovery_start =
				imsm_rebuild_recovery_start(dev, ret->members[i].slot);
}

/* The fields every volume has; map[0] names its disks. */
static void volume_basics(const struct imsm_super *s, int idx, const struct imsm_disk_dev *disks,
			  int n, struct md_volume_cfg *ret)
{
	const struct imsm_dev *dev = &s->dev[idx];
	char name[IMSM_NAME_BYTES + 1];

	memset(ret, 0, sizeof(*ret));
	imsm_volume_name(dev, name);
	snprintf(ret->name, sizeof(ret->name), "%s", name);
	ret->index = idx;
	ret->n_absent = absent_members(s, &dev->vol.map[0], 0, disks, n);
	/* a migration's old map may hold more slots (raid5 -> raid0's parity
	 * disk), which md needs until the end (reshape_cfg()) */
	if (dev->vol.migr_state)
		ret->n_absent += absent_members(s, &dev->vol.map[1], dev->vol.map[0].num_members,
						disks, n);
}

/* How md lays out one map. */
struct md_geometry {
	int level, raid_disks, layout;
	unsigned long long chunk_bytes;
};

/* md's geometry of map m as a volume of its own (a reshape's comes from
 * imsm_md_reshape_of()). */
static struct md_geometry map_geometry(const struct imsm_map *m)
{
	int level = imsm_map_md_level(m);

	return (struct md_geometry){
		.level = level,
		.raid_disks = m->num_members,
		.layout = md_layout_of(level),
		.chunk_bytes = (unsigned long long)m->blocks_per_strip * IMSM_BLOCK_BYTES,
	};
}

static void set_geometry(struct md_geometry g, struct md_volume_cfg *ret)
{
	ret->level = g.level;
	ret->raid_disks = g.raid_disks;
	ret->layout = g.layout;
	ret->chunk_bytes = g.chunk_bytes;
}

int imsm_volume_md_cfg(const struct imsm_super *s, int idx, const struct imsm_disk_dev *disks,
		       int n, struct md_volume_cfg *ret)
{
	const struct imsm_dev *dev;
	const struct imsm_map *m;
	int level;

	if (idx < 0 || idx >= s->num_raid_devs)
		return -EINVAL;
	dev = &s->dev[idx];
	m = &dev->vol.map[0];
	level = imsm_map_md_level(m);
	/* a general migration needs its record: resumed_md_cfg() */
	if (level < 0 || m->num_members > MD_MAX_MEMBERS || imsm_migr_is_gen_migr(dev))
		return -EINVAL;
	volume_basics(s, idx, disks, n, ret);
	set_geometry(map_geometry(m), ret);
	ret->component_kib = component_kib(m, level);
	ret->array_kib = dev->size_blocks / 2;
	ret->resync_start = resync_start_of(s, dev);
	add_members(s, m, disks, n, ret);
	resume_rebuild(dev, ret);
	return 0;
}

/* ---- a volume whose general migration was interrupted (imsm-resume.h) ------ */

/*
 * md mid-reshape (md-kernel-interface.md §4.5): old geometry map[1], new
 * map[0], every member of map[0] in its slot, and those of map[1] beyond
 * map[0]'s slots (raid5 -> raid0's parity slot, in sync until the end).  A
 * member in a slot that is old but was not in map[1] (raid0's new disk in
 * raid4's parity slot, raid0 -> raid5's parity disk) holds the new layout
 * only below the front: md rebuilds it from there.
 */
static void reshape_cfg(const struct imsm_super *s, const struct imsm_dev *dev,
			const struct imsm_resume *p, const struct imsm_disk_dev *disks, int n,
			struct md_volume_cfg *ret)
{
	const struct imsm_map *m0 = &dev->vol.map[0], *m1 = &dev->vol.map[1];
	struct imsm_md_reshape md;

	if (imsm_md_reshape_of(m0, m1, &md) < 0) {
		snprintf(ret->refuse_why, sizeof(ret->refuse_why),
			 "md cannot reshape raid%d into raid%d", imsm_map_md_level(m1),
			 imsm_map_md_level(m0));
		return;
	}
	ret->level = md.level;
	ret->raid_disks = md.old_disks;
	ret->layout = md.old_layout;
	ret->chunk_bytes = (unsigned long long)m1->blocks_per_strip * IMSM_BLOCK_BYTES;
	ret->reshape = true;
	ret->reshape_sectors = p->pos_blocks;
	ret->new_raid_disks = md.new_disks;
	ret->new_chunk_bytes = (unsigned long long)m0->blocks_per_strip * IMSM_BLOCK_BYTES;
	ret->new_layout = md.new_layout;
	ret->sync_max_sectors = p->pos_blocks / p->geom.new_data;
	add_members(s, m0, disks, n, ret);
	add_members_from(s, m1, m0->num_members, disks, n, ret);
	for (int i = 0; i < ret->n_members; i++)
		if (ret->members[i].slot >= (int)m1->num_members &&
		    ret->members[i].slot < ret->raid_disks)
			ret->members[i].recovery_start = ret->sync_max_sectors;
}

/*
 * A migrating volume the power left dirty: a row that a write tore keeps
 * wrong parity unless md resyncs it.  md rewrites every row ahead of the
 * reshape's front anyway; the rows behind it (all of them once all moved)
 * need a resync after the reshape, where the new level has parity.  All
 * moved: resync_start 0, as any dirty volume.  Mid-way: a resync from 0
 * asked once md runs, held and frozen (md-build.c), which md keeps through
 * the reshape and starts when it is over (mdmon records it as a REPAIR);
 * at the start md would refuse it while a member is being filled (raid0
 * -> raid5's new one: "dirty degraded").  Not with a member missing: md's
 * resync of a degraded raid5 does nothing.  Nothing moved yet: none (raid5
 * starts no reshape with a resync pending, and the reshape rewrites every
 * row).
 */
static void resumed_resync(const struct imsm_dev *dev, const struct imsm_resume *p,
			   struct md_volume_cfg *ret)
{
	ret->resync_start = SYSFS_NONE;
	if (!dev->vol.dirty || imsm_map_md_level(&dev->vol.map[0]) != 5 || p->pos_blocks == 0)
		return;
	if (!ret->reshape)
		ret->resync_start = 0;
	else
		ret->resync_after_reshape = ret->n_absent == 0;
}

/*
 * Where the plan puts md: nothing moved yet, the old volume as it was;
 * all moved, the new one; otherwise the reshape at the record's position.
 * The size stays the old capacity until mdadm ends the migration.
 */
static void resume_cfg(const struct imsm_super *s, const struct imsm_dev *dev,
		       const struct imsm_resume *p, const struct imsm_disk_dev *disks, int n,
		       struct md_volume_cfg *ret)
{
	const struct imsm_map *m0 = &dev->vol.map[0], *m1 = &dev->vol.map[1];

	ret->component_kib = component_kib(m0, imsm_map_md_level(m0));
	ret->array_kib = p->geom.old_data * component_kib(m1, imsm_map_md_level(m1));
	ret->frozen = true;
	ret->grow_continue = true;
	if (p->pos_blocks == 0) {
		set_geometry(map_geometry(m1), ret);
		add_members(s, m1, disks, n, ret);
	} else if (p->pos_blocks >= p->geom.array_blocks) {
		set_geometry(map_geometry(m0), ret);
		add_members(s, m0, disks, n, ret);
	} else {
		reshape_cfg(s, dev, p, disks, n, ret);
	}
	resumed_resync(dev, p, ret);
}

/*
 * imsm_volume_md_cfg() for a volume in a general migration: its record
 * read from the disks, the resume planned, the restore and record writes
 * described for md-build.c.  A volume that must not start is returned
 * with refuse_why set.
 */
static int resumed_md_cfg(const struct imsm_super *s, int idx, const struct imsm_disk_dev *disks,
			  int n, struct md_volume_cfg *ret)
{
	const struct imsm_dev *dev = &s->dev[idx];
	struct imsm_migr_rec rec;
	struct imsm_resume p;
	bool differ = false;
	int r;

	if (imsm_map_md_level(&dev->vol.map[0]) < 0 || imsm_map_md_level(&dev->vol.map[1]) < 0 ||
	    dev->vol.map[0].num_members > MD_MAX_MEMBERS - 1)
		return -EINVAL;
	volume_basics(s, idx, disks, n, ret);
	r = imsm_resume_read_rec(s, idx, disks, n, &rec, &differ);
	r = imsm_resume_plan(s, idx, r ? NULL : &rec, &p);
	if (r) {
		snprintf(ret->refuse_why, sizeof(ret->refuse_why), "%s", imsm_resume_error(r));
		return 0;
	}
	if (differ)
		p.write_rec = true; /* the stale copy must not be read next */
	resume_cfg(s, dev, &p, disks, n, ret);
	r = imsm_resume_writes(s, idx, &p, disks, n, ret);
	if (r)
		snprintf(ret->refuse_why, sizeof(ret->refuse_why),
			 "cannot prepare the restore of its reshape: %s",
			 r == -EFBIG ? imsm_resume_error(r) : strerror(-r));
	return 0;
}

/* ---- the metadata of a running container ----------------------------------- */

uint32_t imsm_family_of(const struct imsm_super *s)
{
	return s->orig_family_num ? s->orig_family_num : s->family_num;
}

bool imsm_supersedes(const struct imsm_super *s, const struct imsm_super *best)
{
	if (s->num_raid_devs == 0)
		return false;
	return !best || (imsm_family_of(best) == imsm_family_of(s) &&
			 s->generation_num > best->generation_num);
}

void imsm_keep_newest(struct imsm_super **best, struct imsm_super *s)
{
	if (!imsm_supersedes(s, *best)) {
		imsm_free(s);
		return;
	}
	imsm_free(*best);
	*best = s;
}

static void read_member_copy(const struct md_member_info *m, struct imsm_super **best)
{
	struct imsm_disk_dev d = { 0 };
	struct imsm_super *s;
	char path[PATH_MAX];

	if (util_devpath_of(makedev(m->major, m->minor), path, sizeof(path)) < 0)
		return;
	d.path = path;
	d.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d.fd < 0)
		return;
	/* an unidentifiable or unreadable disk simply has no say */
	if (imsm_disk_identify(&d) == 0 && imsm_read_mpb(&d, &s) == 0)
		imsm_keep_newest(best, s);
	close(d.fd);
}

int imsm_load_container(const char *devnm, struct imsm_super **ret)
{
	struct imsm_super *best = NULL;
	struct md_array_info info;
	struct md_sysfs md;
	int r;

	sysfs_init(&md, "/sys", devnm);
	r = sysfs_read_array(&md, &info);
	if (r)
		return r;
	for (int i = 0; i < info.n_members; i++)
		read_member_copy(&info.members[i], &best);
	sysfs_free_array(&info);
	if (!best)
		return -ENODATA;
	*ret = best;
	return 0;
}


/* ---- the handle ------------------------------------------------------------ */

static struct imsm_handle *handle_of(const struct super *st)
{
	return st->priv;
}

struct imsm_super *imsm_mpb_of(const struct super *st)
{
	return handle_of(st)->mpb;
}

int imsm_handle_new(struct imsm_super *mpb, struct super **ret)
{
	struct imsm_handle *h = calloc(1, sizeof(*h));

	if (!h) {
		imsm_free(mpb);
		return -ENOMEM;
	}
	h->st.ops = &imsm_ops;
	h->st.priv = h;
	h->mpb = mpb;
	*ret = &h->st;
	return 0;
}

static void op_free(struct super *st)
{
	if (!st)
		return;
	imsm_free(handle_of(st)->mpb);
	free(handle_of(st));
}

void imsm_disk_from_md(const struct md_disk *d, struct imsm_disk_dev *ret)
{
	*ret = (struct imsm_disk_dev){
		.path = d->path,
		.fd = d->fd,
		.major = d->major,
		.minor = d->minor,
		.sectors = d->sectors,
		.sector_bytes = d->sector_bytes,
	};
	snprintf(ret->kname, sizeof(ret->kname), "%s", d->kname);
	memcpy(ret->serial, d->id, IMSM_SERIAL_BYTES);
}

void imsm_disk_to_md(const struct imsm_disk_dev *d, struct md_disk *ret)
{
	*ret = (struct md_disk){
		.path = d->path,
		.fd = d->fd,
		.major = d->major,
		.minor = d->minor,
		.sectors = d->sectors,
		.sector_bytes = d->sector_bytes,
	};
	snprintf(ret->kname, sizeof(ret->kname), "%s", d->kname);
	memcpy(ret->id, d->serial, IMSM_SERIAL_BYTES);
}

/* imsm_disk_dev copies of disks[0..n) (at most MD_MAX_MEMBERS). */
static int disks_from_md(const struct md_disk *disks, int n, struct imsm_disk_dev *ret)
{
	if (n < 0 || n > MD_MAX_MEMBERS)
		return -E2BIG;
	for (int i = 0; i < n; i++)
		imsm_disk_from_md(&disks[i], &ret[i]);
	return 0;
}

/* ---- loading ----------------------------------------------------------------- */

static int op_identify(struct md_disk *d)
{
	struct imsm_disk_dev dev = { .path = d->path, .fd = d->fd };
	int r = imsm_disk_identify(&dev);

	if (!r)
		imsm_disk_to_md(&dev, d);
	return r;
}

/* d's copy as read, whole or torn, in a handle. */
static int load_with(const struct md_disk *d,
		     int (*read)(const struct imsm_disk_dev *, struct imsm_super **),
		     struct super **ret)
{
	struct imsm_disk_dev dev;
	struct imsm_super *s;
	int r;

	imsm_disk_from_md(d, &dev);
	r = read(&dev, &s);
	return r ? r : imsm_handle_new(s, ret);
}

static int op_load_disk(const struct md_disk *d, struct super **ret)
{
	return load_with(d, imsm_read_mpb, ret);
}

static int op_load_torn(const struct md_disk *d, struct super **ret)
{
	return load_with(d, imsm_read_torn, ret);
}

static int op_load_disks(const struct md_disk *disks, int n, struct super **ret)
{
	struct imsm_super *best = NULL, *s;
	struct imsm_disk_dev dev;

	for (int i = 0; i < n; i++) {
		imsm_disk_from_md(&disks[i], &dev);
		if (imsm_read_mpb(&dev, &s) == 0)
			imsm_keep_newest(&best, s);
	}
	return best ? imsm_handle_new(best, ret) : -ENODATA;
}

static int op_load_container(const char *devnm, struct super **ret)
{
	struct imsm_super *s;
	int r = imsm_load_container(devnm, &s);

	return r ? r : imsm_handle_new(s, ret);
}

/* ---- questions about a copy ----------------------------------------------------- */

static int op_num_volumes(const struct super *st)
{
	return imsm_mpb_of(st)->num_raid_devs;
}

/* Grouping key (§7.6): signature/version and the original family, for
 * copies that define volumes. */
static bool op_same_container(const struct super *a, const struct super *b)
{
	const struct imsm_super *sa = imsm_mpb_of(a), *sb = imsm_mpb_of(b);

	return sa->num_raid_devs && sb->num_raid_devs && imsm_family_of(sa) == imsm_family_of(sb) &&
	       strcmp(sa->version, sb->version) == 0;
}

static bool op_supersedes(const struct super *cand, const struct super *best)
{
	return imsm_supersedes(imsm_mpb_of(cand), best ? imsm_mpb_of(best) : NULL);
}

static int op_member_index(const struct super *st, const struct md_disk *d)
{
	const struct imsm_super *s = imsm_mpb_of(st);
	int idx = imsm_find_disk(s, d->id);

	if (idx < 0)
		return -ENOENT;
	return (s->disk[idx].status & IMSM_DISK_FAILED) ? -EIO : idx;
}

/*
 * A torn copy (a cut while mdmon wrote it) of disk idx of s: the same
 * container, and the update it tore is s's or the one before (the anchor
 * is the old or the new one; the disks are written one after the other,
 * so no other copy can be further on); and a volume uses the disk.
 */
static bool torn_member(const struct imsm_super *s, const struct imsm_super *own, uint32_t idx)
{
	if (imsm_family_of(own) != imsm_family_of(s) ||
	    s->generation_num - own->generation_num > 1)
		return false;
	for (int i = 0; i < s->num_raid_devs; i++) {
		const struct imsm_vol *v = &s->dev[i].vol;

		if (imsm_map_uses_disk(&v->map[0], idx) ||
		    (v->migr_state && imsm_map_uses_disk(&v->map[1], idx)))
			return true;
	}
	return false;
}

static bool op_joining(const struct super *st, const struct super *own, const struct md_disk *d)
{
	const struct imsm_super *s = imsm_mpb_of(st);
	int idx = op_member_index(st, d);

	if (idx < 0)
		return false;
	if (own && imsm_mpb_of(own)->torn)
		return torn_member(s, imsm_mpb_of(own), (uint32_t)idx);
	for (int i = 0; i < s->num_raid_devs; i++) {
		const struct imsm_vol *v = &s->dev[i].vol;

		if (v->migr_state && imsm_map_uses_disk(&v->map[0], (uint32_t)idx) &&
		    !imsm_map_uses_disk(&v->map[1], (uint32_t)idx))
			return true;
	}
	return false;
}

/* ---- md's view ------------------------------------------------------------------- */

static void op_container_member(const struct md_disk *d, struct md_member_cfg *ret)
{
	struct imsm_disk_dev dev;

	imsm_disk_from_md(d, &dev);
	imsm_container_member_cfg(&dev, ret);
}

/* The copy md is configured from was checked against its own disk only
 * when it was read: it must fit every member it is used on (issue 14). */
static void refuse_misfit(const struct imsm_super *s, const struct imsm_disk_dev *devs, int n,
			  struct md_volume_cfg *ret)
{
	size_t len = sizeof(ret->refuse_why);
	struct imsm_misfit m;
	int k;

	for (int i = 0; i < n; i++) {
		if (imsm_disk_fits(&devs[i], s, &m) != -EFBIG)
			continue;
		k = snprintf(ret->refuse_why, len, "on %s ", devs[i].path ? devs[i].path : devs[i].kname);
		if (k < 0 || (size_t)k >= len)
			k = 0;
		imsm_misfit_text(s, &m, ret->refuse_why + k, len - (size_t)k);
		return;
	}
}

static int op_volume_md_cfg(const struct super *st, int index, const struct md_disk *disks, int n,
			    struct md_volume_cfg *ret)
{
	const struct imsm_super *s = imsm_mpb_of(st);
	struct imsm_disk_dev *devs = calloc(MD_MAX_MEMBERS, sizeof(*devs));
	int r = devs ? disks_from_md(disks, n, devs) : -ENOMEM;

	if (!r && index >= 0 && index < s->num_raid_devs && imsm_migr_is_gen_migr(&s->dev[index]))
		r = resumed_md_cfg(s, index, devs, n, ret);
	else if (!r)
		r = imsm_volume_md_cfg(s, index, devs, n, ret);
	if (!r && !ret->refuse_why[0])
		refuse_misfit(s, devs, n, ret);
	free(devs);
	return r;
}

/* ---- creating ------------------------------------------------------------------------ */

/* IMSM is firmware RAID: without an Intel controller (or IMSM_NO_PLATFORM=1
 * for testing) nothing could boot what we would write. */
static int op_check_geometry(const struct md_volume_request *req, char *why, size_t len)
{
	struct imsm_platform p;
	/* FIXME(issue 3): the volume count (vpa) is checked for a first volume
	 * only; the format's own limit of two is enforced by imsm_add_volume. */
	int r = imsm_platform_probe(NULL, &p), n_volumes = 1;

	if (r == -ENODEV)
		snprintf(why, len, "no IMSM-capable (Intel) RAID controller found; hint: "
				   "IMSM_NO_PLATFORM=1 uses IMSM metadata without one");
	if (r < 0 || !req)
		return r;
	r = imsm_platform_describe(&p, req->level, req->raid_disks, req->chunk_kib, n_volumes, why,
				   len);
	return r < 0 ? -EINVAL : 0;
}

static int op_add_disk(const struct md_disk *d)
{
	struct imsm_disk_dev dev;
	struct imsm_super *s;
	int r;

	imsm_disk_from_md(d, &dev);
	r = imsm_spare_record(&dev, &s);
	if (!r) {
		r = imsm_write_mpb(&dev, s, true);
		imsm_free(s);
	}
	return r;
}

static int op_init_container(const struct md_disk *disks, int n, int *ret_bad)
{
	for (int i = 0; i < n; i++) {
		int r = op_add_disk(&disks[i]);

		if (r) {
			*ret_bad = i;
			return r;
		}
	}
	return 0;
}

static int find_serial(const struct md_disk *all, int n, const char serial[IMSM_SERIAL_BYTES])
{
	for (int i = 0; i < n; i++)
		if (memcmp(all[i].id, serial, IMSM_SERIAL_BYTES) == 0)
			return i;
	return -1;
}

/* A second volume follows the first one's slots; a first takes the
 * container's disks in order. */
static int op_pick_members(const struct super *cur, const struct md_disk *all, int n_all, int want,
			   int ret_idx[])
{
	const struct imsm_super *s = cur ? imsm_mpb_of(cur) : NULL;
	const struct imsm_map *m0 = s && s->num_raid_devs ? &s->dev[0].vol.map[0] : NULL;
	int have = m0 ? m0->num_members : n_all;

	for (int slot = 0; slot < want && want <= have; slot++) {
		int pick = slot;

		if (m0) {
			uint32_t idx = m0->disk_ord_tbl[slot] & IMSM_ORD_INDEX_MASK;

			pick = find_serial(all, n_all, s->disk[idx].serial);
			if (pick < 0)
				return -ENXIO;
		}
		ret_idx[slot] = pick;
	}
	return have;
}

static int op_create_volume(const struct super *cur, const struct md_disk *const members[], int n,
			    const struct md_volume_request *req, struct super **ret)
{
	struct imsm_disk_dev *devs = calloc(MD_MAX_MEMBERS, sizeof(*devs));
	const struct imsm_disk_dev *slots[MD_MAX_MEMBERS];
	struct imsm_super *s;
	int r = devs ? 0 : -ENOMEM;

	if (!r && (n < 0 || n > MD_MAX_MEMBERS))
		r = -EINVAL;
	for (int i = 0; !r && i < n; i++) {
		slots[i] = members[i] ? &devs[i] : NULL;
		if (members[i])
			imsm_disk_from_md(members[i], &devs[i]);
	}
	if (!r)
		r = imsm_add_volume(cur ? imsm_mpb_of(cur) : NULL, slots, n, req, &s);
	free(devs);
	return r ? r : imsm_handle_new(s, ret);
}

static int op_write(struct super *st, const struct md_disk *disks, int n, int *ret_bad)
{
	struct imsm_super *s = imsm_mpb_of(st);
	struct imsm_disk_dev dev;
	int first = 0;

	s->generation_num++;
	for (int i = 0; i < n; i++) {
		int r;

		if (imsm_find_disk(s, disks[i].id) < 0)
			continue; /* a spare keeps its own record */
		imsm_disk_from_md(&disks[i], &dev);
		r = imsm_write_mpb(&dev, s, true);
		if (r && !first) {
			first = r;
			*ret_bad = i;
		}
	}
	return first;
}

static int op_encode_update(const struct super *st, void **ret_buf, size_t *ret_len)
{
	const struct imsm_super *s = imsm_mpb_of(st);
	size_t len = imsm_mpb_bytes(s), used;
	unsigned char *buf = calloc(1, len);
	int r = buf ? imsm_encode(s, buf, len, &used) : -ENOMEM;

	if (r) {
		free(buf);
		return r;
	}
	*ret_buf = buf;
	*ret_len = used;
	return 0;
}

/* ---- the table ------------------------------------------------------------------------- */

const struct metadata_ops imsm_ops = {
	.name = "imsm",
	.title = "IMSM",
	.min_disk_kib = MIN_DISK_BLOCKS / 2,

	.identify = op_identify,
	.load_disk = op_load_disk,
	.load_torn = op_load_torn,
	.load_disks = op_load_disks,
	.load_container = op_load_container,
	.free = op_free,
	.load_error = imsm_read_error,

	.num_volumes = op_num_volumes,
	.same_container = op_same_container,
	.supersedes = op_supersedes,
	.member_index = op_member_index,
	.joining = op_joining,
	.uuid = imsm_op_uuid,

	.examine_load = imsm_op_examine_load,
	.examine_same_group = imsm_op_examine_same_group,
	.examine_text = imsm_op_examine_text,
	.examine_brief = imsm_op_examine_brief,
	.examine_export = imsm_op_examine_export,
	.kill_volume = imsm_op_kill_volume,
	.rename_volume = imsm_op_rename_volume,
	.volume_edit_error = imsm_volume_edit_error,
	.reshape_recorded = imsm_op_reshape_recorded,
	.probe_fd = imsm_op_probe_fd,
	.erase_fd = imsm_op_erase_fd,
	.examine_json = imsm_op_examine_json,

	.container_member = op_container_member,
	.volume_md_cfg = op_volume_md_cfg,

	.check_geometry = op_check_geometry,
	.init_container = op_init_container,
	.add_disk = op_add_disk,
	.update_uuid = imsm_op_update_uuid,
	.pick_members = op_pick_members,
	.create_volume = op_create_volume,
	.create_error = imsm_add_volume_error,
	.write = op_write,
	.encode_update = op_encode_update,

	.decode_update = imsm_op_decode_update,
	.check_update = imsm_op_check_update,
	.apply_update = imsm_op_apply_update,
	.volume_flags = imsm_op_volume_flags,
	.set_dirty = imsm_op_set_dirty,
	.mark_failed = imsm_op_mark_failed,
	.start_resync = imsm_op_start_resync,
	.set_checkpoint = imsm_op_set_checkpoint,
	.end_resync = imsm_op_end_resync,
	.resync_checkpoint = imsm_op_resync_checkpoint,
};
