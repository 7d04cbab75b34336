/*
 * imsm-mdmon.c: the IMSM policy mdmon applies to a running container:
 * recording failures (imsm-format.md §7.1, §7.3), the migrations that
 * record a resync (§6.1, §6.3), dirty marks, and merging a volume mdadm
 * created while mdmon runs.  Also the table's mdmon hooks over them.
 *
 * Works on a decoded copy in memory only: never does I/O, never prints,
 * and nothing here allocates except imsm_op_decode_update() (the monitor
 * thread calls the rest while it must not).
 */
#include "imsm.h"
#include "mdadm.h"

#include <errno.h>
#include <string.h>

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

uint8_t imsm_map_state_of(const struct imsm_super *s, const struct imsm_map *m)
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
	m->map_state = imsm_map_state_of(s, m);
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
	state = imsm_map_state_of(s, &dev->vol.map[0]);
	/* a member is out: md cannot resync, and upstream records nothing */
	if (dev->vol.migr_state || imsm_gen_migr_running(s) ||
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
	state = imsm_map_state_of(s, m);
	/* A member failed meanwhile: slots map[1] still had out of sync stay
	 * out of sync (§6.1 "Ending"). */
	if (state != m->map_state && dev->vol.map[1].map_state != IMSM_MAP_UNINITIALIZED) {
		imsm_migr_merge_ords(dev);
		state = imsm_map_state_of(s, m);
	}
	imsm_migr_end(dev, state);
	return true;
}

/* ---- metadata updates from mdadm (a volume added while mdmon runs) ------- */

int imsm_check_volume_update(const struct imsm_super *cur, const struct imsm_super *upd)
{
	if (!cur || imsm_family_of(cur) != imsm_family_of(upd) || upd->num_raid_devs != cur->num_raid_devs + 1 ||
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

/* ---- the table's mdmon hooks ----------------------------------------------- */

static struct imsm_dev *dev_of(const struct super *st, int index)
{
	struct imsm_super *s = imsm_mpb_of(st);

	return index >= 0 && index < s->num_raid_devs ? &s->dev[index] : NULL;
}

int imsm_op_decode_update(const void *buf, size_t len, struct super **ret)
{
	struct imsm_super *s;
	int r = imsm_decode(buf, len, &s);

	return r ? r : imsm_handle_new(s, ret);
}

int imsm_op_check_update(const struct super *cur, const struct super *upd)
{
	return imsm_check_volume_update(imsm_mpb_of(cur), imsm_mpb_of(upd));
}

void imsm_op_apply_update(struct super *cur, const struct super *upd)
{
	imsm_apply_volume_update(imsm_mpb_of(cur), imsm_mpb_of(upd));
}

static unsigned int state_flags(uint8_t map_state)
{
	switch (map_state) {
	case IMSM_MAP_UNINITIALIZED:
		return MD_VOL_UNINIT;
	case IMSM_MAP_DEGRADED:
		return MD_VOL_DEGRADED;
	case IMSM_MAP_FAILED:
		return MD_VOL_FAILED;
	default:
		return 0;
	}
}

unsigned int imsm_op_volume_flags(const struct super *st, int index)
{
	const struct imsm_dev *dev = dev_of(st, index);
	unsigned int flags;

	if (!dev)
		return 0;
	flags = state_flags(dev->vol.map[0].map_state);
	if (dev->vol.dirty)
		flags |= MD_VOL_DIRTY;
	if (dev->vol.migr_state)
		flags |= MD_VOL_MIGRATING;
	if (imsm_migr_is_resync(dev))
		flags |= MD_VOL_RESYNCING;
	return flags;
}

bool imsm_op_set_dirty(struct super *st, int index, bool dirty)
{
	struct imsm_dev *dev = dev_of(st, index);

	if (!dev || dev->vol.dirty == dirty)
		return false;
	dev->vol.dirty = dirty;
	return true;
}

bool imsm_op_mark_failed(struct super *st, int disk_index)
{
	return imsm_mark_failed(imsm_mpb_of(st), disk_index);
}

bool imsm_op_start_resync(struct super *st, int index)
{
	return imsm_start_resync(imsm_mpb_of(st), index);
}

bool imsm_op_set_checkpoint(struct super *st, int index, unsigned long long pos_sectors)
{
	struct imsm_dev *dev = dev_of(st, index);

	return dev && imsm_migr_is_resync(dev) && imsm_migr_set_checkpoint(dev, pos_sectors);
}

/* Without a recorded resync (it could not be started, or it finished
 * before the monitor looked) the volume md resynced is initialised all
 * the same. */
bool imsm_op_end_resync(struct super *st, int index)
{
	struct imsm_dev *dev = dev_of(st, index);

	if (!dev)
		return false;
	if (imsm_migr_is_resync(dev))
		return imsm_end_resync(imsm_mpb_of(st), index);
	if (dev->vol.map[0].map_state != IMSM_MAP_UNINITIALIZED)
		return false;
	dev->vol.map[0].map_state = IMSM_MAP_NORMAL;
	return true;
}

unsigned long long imsm_op_resync_checkpoint(const struct super *st, int index)
{
	const struct imsm_dev *dev = dev_of(st, index);

	return dev && imsm_migr_is_resync(dev) ? imsm_migr_checkpoint_pos(dev) : 0;
}
