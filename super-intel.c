/*
 * super-intel.c: the IMSM metadata handler's vtable glue.
 *
 * Owns: the struct metadata_ops for IMSM and md's view of the records.
 * Reading and writing them is imsm-io.c's job (where on the disk they
 * live, drawn below), --examine's text imsm-examine.c's.  The pure
 * encoding of the records belongs to imsm-format.c; platform checks to
 * imsm-platform.c.  Never prints: callers report.
 *
 * Where the metadata lives (imsm-format.md §1.1), for a disk of N logical
 * sectors:
 *
 *     LBA N-1          migration record (zero when no migration runs)
 *     LBA N-2          anchor: MPB bytes 0 .. ss-1, starts with the signature
 *     LBA N-1-S..N-3   MPB sectors 1 .. S-1 when the MPB spans S > 1 sectors
 */
#include "imsm.h"
#include "mdadm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/sysmacros.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --examine reads and renders through imsm-io.c and imsm-examine.c; the
 * handler table names the format until more hooks join it. */
const struct metadata_ops imsm_ops = {
	.name = "imsm",
};

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
static bool gen_migr_running(const struct imsm_super *s)
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
	    !gen_migr_running(s))
		return 0;
	return SYSFS_NONE;
}

static void add_members(const struct imsm_super *s, const struct imsm_map *m,
			const struct imsm_disk_dev *disks, int n, struct md_volume_cfg *v)
{
	for (int slot = 0; slot < m->num_members && v->n_members < MD_MAX_MEMBERS; slot++) {
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

int imsm_volume_md_cfg(const struct imsm_super *s, int idx, const struct imsm_disk_dev *disks,
		       int n, struct md_volume_cfg *ret)
{
	const struct imsm_dev *dev;
	const struct imsm_map *m;
	char name[IMSM_NAME_BYTES + 1];
	int level;

	if (idx < 0 || idx >= s->num_raid_devs)
		return -EINVAL;
	dev = &s->dev[idx];
	m = &dev->vol.map[0];
	level = imsm_map_md_level(m);
	if (level < 0 || m->num_members > MD_MAX_MEMBERS)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	imsm_volume_name(dev, name);
	snprintf(ret->name, sizeof(ret->name), "%s", name);
	ret->index = idx;
	ret->level = level;
	ret->raid_disks = m->num_members;
	ret->chunk_bytes = (unsigned long long)m->blocks_per_strip * IMSM_BLOCK_BYTES;
	ret->layout = md_layout_of(level);
	ret->component_kib = component_kib(m, level);
	ret->array_kib = dev->size_blocks / 2;
	ret->resync_start = resync_start_of(s, dev);
	add_members(s, m, disks, n, ret);
	return 0;
}

/* ---- the metadata of a running container ----------------------------------- */

static uint32_t family_of(const struct imsm_super *s)
{
	return s->orig_family_num ? s->orig_family_num : s->family_num;
}

void imsm_keep_newest(struct imsm_super **best, struct imsm_super *s)
{
	if (s->num_raid_devs == 0 ||
	    (*best && (family_of(*best) != family_of(s) ||
		       (*best)->generation_num >= s->generation_num))) {
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

/* ---- recording failures (imsm-format.md §7.1, §7.3) ------------------------ */

static bool slot_out(const struct imsm_super *s, uint32_t ord)
{
	uint32_t idx = ord & IMSM_ORD_INDEX_MASK;

	return (ord & IMSM_ORD_REBUILD) || idx >= s->num_disks ||
	       (s->disk[idx].status & IMSM_DISK_FAILED);
}

/* RAID10: out when both disks of a mirror pair (slots 2k, 2k+1) are out. */
static bool pair_lost(const struct imsm_super *s, const struct imsm_map *m)
{
	for (int k = 0; k + 1 < m->num_members; k += 2)
		if (slot_out(s, m->disk_ord_tbl[k]) && slot_out(s, m->disk_ord_tbl[k + 1]))
			return true;
	return false;
}

static uint8_t map_state_of(const struct imsm_super *s, const struct imsm_map *m)
{
	int failed = 0;

	for (int i = 0; i < m->num_members; i++)
		failed += slot_out(s, m->disk_ord_tbl[i]);
	if (failed == 0)
		return m->map_state == IMSM_MAP_UNINITIALIZED ? IMSM_MAP_UNINITIALIZED
							       : IMSM_MAP_NORMAL;
	switch (imsm_map_md_level(m)) {
	case 1:
		return failed < m->num_members ? IMSM_MAP_DEGRADED : IMSM_MAP_FAILED;
	case 5:
		return failed == 1 ? IMSM_MAP_DEGRADED : IMSM_MAP_FAILED;
	case 10:
		return pair_lost(s, m) ? IMSM_MAP_FAILED : IMSM_MAP_DEGRADED;
	default:
		return IMSM_MAP_FAILED;
	}
}

/* ":0" appended, keeping at most 15 characters (leading ones dropped). */
static void suffix_serial(char serial[IMSM_SERIAL_BYTES])
{
	char buf[IMSM_SERIAL_BYTES + 3];
	size_t len = strnlen(serial, IMSM_SERIAL_BYTES), skip;

	memcpy(buf, serial, len);
	memcpy(buf + len, ":0", 3);
	len += 2;
	skip = len > IMSM_SERIAL_BYTES - 1 ? len - (IMSM_SERIAL_BYTES - 1) : 0;
	memset(serial, 0, IMSM_SERIAL_BYTES);
	memcpy(serial, buf + skip, len - skip);
}

static int slot_of(const struct imsm_map *m, int index)
{
	for (int i = 0; i < m->num_members; i++)
		if ((int)(m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK) == index)
			return i;
	return -1;
}

static bool fail_in_volume(struct imsm_super *s, struct imsm_dev *dev, int index)
{
	struct imsm_map *m = &dev->vol.map[0];
	int slot = slot_of(m, index);

	if (slot < 0 || (m->disk_ord_tbl[slot] & IMSM_ORD_REBUILD))
		return false;
	suffix_serial(s->disk[index].serial);
	s->disk[index].status |= IMSM_DISK_FAILED;
	m->disk_ord_tbl[slot] |= IMSM_ORD_REBUILD;
	if (dev->vol.migr_state && slot_of(&dev->vol.map[1], index) >= 0)
		dev->vol.map[1].disk_ord_tbl[slot_of(&dev->vol.map[1], index)] |= IMSM_ORD_REBUILD;
	if (m->failed_disk_num == IMSM_FAILED_DISK_NONE || slot < m->failed_disk_num)
		m->failed_disk_num = (uint8_t)slot;
	m->map_state = map_state_of(s, m);
	dev->vol.dirty = 1;
	return true;
}

bool imsm_mark_failed(struct imsm_super *s, int index)
{
	bool changed = false;

	if (index < 0 || index >= s->num_disks)
		return false;
	for (int v = 0; v < s->num_raid_devs; v++)
		changed |= fail_in_volume(s, &s->dev[v], index);
	return changed;
}

/* ---- resync migrations (imsm-format.md §6.1, §6.3) ------------------------- */

bool imsm_start_resync(struct imsm_super *s, int idx)
{
	struct imsm_dev *dev;
	uint8_t state;

	if (idx < 0 || idx >= s->num_raid_devs)
		return false;
	dev = &s->dev[idx];
	state = map_state_of(s, &dev->vol.map[0]);
	/* a member is out: md cannot resync, and upstream records nothing */
	if (dev->vol.migr_state || gen_migr_running(s) ||
	    (state != IMSM_MAP_NORMAL && state != IMSM_MAP_UNINITIALIZED))
		return false;
	/* map[1] keeps the state the volume had: uninitialized or normal */
	imsm_migr_start(dev, state == IMSM_MAP_UNINITIALIZED ? IMSM_MIGR_INIT : IMSM_MIGR_REPAIR,
			IMSM_MAP_NORMAL);
	return true;
}

bool imsm_end_resync(struct imsm_super *s, int idx)
{
	struct imsm_dev *dev;
	struct imsm_map *m;
	uint8_t state;

	if (idx < 0 || idx >= s->num_raid_devs || !imsm_migr_is_resync(&s->dev[idx]))
		return false;
	dev = &s->dev[idx];
	m = &dev->vol.map[0];
	state = map_state_of(s, m);
	/* A member failed meanwhile: slots map[1] still had out of sync stay
	 * out of sync (§6.1 "Ending"). */
	if (state != m->map_state && dev->vol.map[1].map_state != IMSM_MAP_UNINITIALIZED) {
		imsm_migr_merge_ords(dev);
		state = map_state_of(s, m);
	}
	imsm_migr_end(dev, state);
	return true;
}

/* ---- metadata updates from mdadm (a volume added while mdmon runs) ------- */

int imsm_check_volume_update(const struct imsm_super *cur, const struct imsm_super *upd)
{
	if (!cur || family_of(cur) != family_of(upd) || upd->num_raid_devs != cur->num_raid_devs + 1 ||
	    upd->num_disks != cur->num_disks)
		return -EINVAL;
	for (int i = 0; i < cur->num_disks; i++)
		if (memcmp(cur->disk[i].serial, upd->disk[i].serial, IMSM_SERIAL_BYTES) != 0)
			return -EINVAL;
	for (int v = 0; v < cur->num_raid_devs; v++)
		if (memcmp(cur->dev[v].volume, upd->dev[v].volume, IMSM_NAME_BYTES) != 0)
			return -EINVAL;
	return 0;
}

void imsm_apply_volume_update(struct imsm_super *cur, const struct imsm_super *upd)
{
	int v = cur->num_raid_devs;

	/* Only the new volume is taken: everything else in cur (dirty flags,
	 * checkpoints, failures recorded meanwhile) is newer than mdadm's read. */
	cur->dev[v] = upd->dev[v];
	cur->num_raid_devs = upd->num_raid_devs;
	if (upd->num_raid_devs_created > cur->num_raid_devs_created)
		cur->num_raid_devs_created = upd->num_raid_devs_created;
	memcpy(cur->version, upd->version, sizeof(cur->version));
	cur->attributes = upd->attributes;
}
