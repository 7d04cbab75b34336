/*
 * imsm-rebuild.c: container spares and rebuilds (see imsm-rebuild.h).
 *
 * Pure functions on a decoded MPB: no I/O, no printing, no allocation,
 * so mdmon's monitor thread may call every one of them.  The choice of a
 * disk and the moment of a rebuild belong to mdmon's manager; this file
 * knows what the records must say (imsm-format.md §6.4, §7.3, §7.4).
 */
#include "imsm-le.h"
#include "imsm-rebuild.h"
#include "imsm-migr.h"

#include <errno.h>
#include <string.h>

#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
#define IN_SYNC (~0ULL)


static int ord_index(uint32_t ord)
{
	return (int)(ord & IMSM_ORD_INDEX_MASK);
}

/* Maps a volume carries: map[1] only while it migrates. */
static int num_maps(const struct imsm_dev *dev)
{
	return dev->vol.migr_state ? 2 : 1;
}

uint32_t imsm_spare_family(const struct imsm_super *s)
{
	return s->orig_family_num ? s->orig_family_num : s->family_num;
}

bool imsm_spare_is_record(const struct imsm_super *s)
{
	return s->num_raid_devs == 0 && s->num_disks == 1 && (s->disk[0].status & IMSM_DISK_SPARE);
}

/* ---- sizes (§1.5, §7.4) ------------------------------------------------------ */

/* Reservation R of the smallest active member (§1.5); 10402 with none. */
static uint64_t smallest_member_reserved(const struct imsm_super *s, uint32_t mpb_bytes)
{
	int best = -1;

	for (int i = 0; i < s->num_disks; i++) {
		const struct imsm_disk *d = &s->disk[i];

		if (!(d->status & IMSM_DISK_CONFIGURED) || (d->status & IMSM_DISK_FAILED))
			continue;
		if (best < 0 || d->total_blocks < s->disk[best].total_blocks)
			best = i;
	}
	if (best < 0)
		return IMSM_DEFAULT_RESERVED_BLOCKS;
	return imsm_reserved_blocks(s->disk[best].total_blocks,
				    imsm_disk_data_end_blocks(s, (unsigned int)best), mpb_bytes);
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Blocks one map needs on a member: data plus reservation, and the
 * validator's rule that blocks_per_member ends below the MPB sectors. */
static uint64_t map_needs(const struct imsm_map *m, uint64_t reserve, uint64_t mpb_sectors)
{
	uint64_t data_end = m->pba_of_lba0 + imsm_map_data_blocks(m);
	uint64_t bpm_end = m->pba_of_lba0 + m->blocks_per_member;

	return max_u64(data_end + reserve, bpm_end + mpb_sectors + 1);
}

uint64_t imsm_spare_min_blocks(const struct imsm_super *s)
{
	uint64_t reserve, mpb_sectors, need = 0;
	size_t mpb_bytes;

	if (!s || s->num_raid_devs == 0)
		return IMSM_DEFAULT_RESERVED_BLOCKS + IMSM_DIRTY_STRIPE_REGION_BLOCKS;
	/* the table gains a record and the volume a second map */
	mpb_bytes = imsm_mpb_bytes(s) + IMSM_DISK_BYTES + imsm_map_bytes(&s->dev[0].vol.map[0]);
	if (s->num_raid_devs > 1)
		mpb_bytes += imsm_map_bytes(&s->dev[1].vol.map[0]);
	mpb_sectors = DIV_ROUND_UP(mpb_bytes, IMSM_BLOCK_BYTES);
	reserve = imsm_spare_reserved_blocks(smallest_member_reserved(s, (uint32_t)mpb_bytes));
	for (int v = 0; v < s->num_raid_devs && v < IMSM_MAX_RAID_DEVS; v++)
		for (int j = 0; j < num_maps(&s->dev[v]); j++)
			need = max_u64(need, map_needs(&s->dev[v].vol.map[j], reserve, mpb_sectors));
	return need;
}

/* ---- map state (§7.3) --------------------------------------------------------- */

static bool slot_out(const struct imsm_super *s, uint32_t ord)
{
	int idx = ord_index(ord);

	return (ord & IMSM_ORD_REBUILD) || idx >= s->num_disks ||
	       (s->disk[idx].status & IMSM_DISK_FAILED);
}

static int count_out(const struct imsm_super *s, const struct imsm_map *m)
{
	int n = 0;

	for (int i = 0; i < m->num_members; i++)
		n += slot_out(s, m->disk_ord_tbl[i]);
	return n;
}

/* RAID10: both disks of a mirror pair (slots 2k, 2k+1) out. */
static bool pair_lost(const struct imsm_super *s, const struct imsm_map *m)
{
	for (int k = 0; k + 1 < m->num_members; k += 2)
		if (slot_out(s, m->disk_ord_tbl[k]) && slot_out(s, m->disk_ord_tbl[k + 1]))
			return true;
	return false;
}

uint8_t imsm_rebuild_map_state(const struct imsm_super *s, const struct imsm_map *m)
{
	int out = count_out(s, m);

	if (out == 0)
		return m->map_state == IMSM_MAP_UNINITIALIZED ? IMSM_MAP_UNINITIALIZED
							       : IMSM_MAP_NORMAL;
	switch (imsm_map_md_level(m)) {
	case 1:
		return out < m->num_members ? IMSM_MAP_DEGRADED : IMSM_MAP_FAILED;
	case 5:
		return out == 1 ? IMSM_MAP_DEGRADED : IMSM_MAP_FAILED;
	case 10:
		return pair_lost(s, m) ? IMSM_MAP_FAILED : IMSM_MAP_DEGRADED;
	default:
		return IMSM_MAP_FAILED;
	}
}

/* ---- choosing (§6.8, §7.4) ------------------------------------------------------ */

static bool gen_migr_running(const struct imsm_super *s)
{
	for (int v = 0; v < s->num_raid_devs && v < IMSM_MAX_RAID_DEVS; v++)
		if (imsm_migr_is_gen_migr(&s->dev[v]))
			return true;
	return false;
}

/* The volume may take a spare: degraded by the records, not migrating. */
static bool wants_spare(const struct imsm_super *s, int idx)
{
	const struct imsm_dev *dev;

	if (idx < 0 || idx >= s->num_raid_devs || idx >= IMSM_MAX_RAID_DEVS)
		return false;
	dev = &s->dev[idx];
	return !dev->vol.migr_state && !gen_migr_running(s) &&
	       dev->vol.map[0].map_state == IMSM_MAP_DEGRADED &&
	       imsm_rebuild_map_state(s, &dev->vol.map[0]) == IMSM_MAP_DEGRADED;
}

int imsm_rebuild_wanted_slot(const struct imsm_super *s, int idx)
{
	const struct imsm_map *m;

	if (!wants_spare(s, idx))
		return -1;
	m = &s->dev[idx].vol.map[0];
	for (int slot = 0; slot < m->num_members; slot++)
		if (slot_out(s, m->disk_ord_tbl[slot]))
			return slot;
	return -1;
}

bool imsm_dev_uses_disk(const struct imsm_dev *dev, int index)
{
	for (int j = 0; index >= 0 && j < num_maps(dev); j++)
		if (imsm_map_uses_disk(&dev->vol.map[j], (uint32_t)index))
			return true;
	return false;
}

bool imsm_disk_referenced(const struct imsm_super *s, int index)
{
	for (int v = 0; v < s->num_raid_devs && v < IMSM_MAX_RAID_DEVS; v++)
		if (imsm_dev_uses_disk(&s->dev[v], index))
			return true;
	return false;
}

bool imsm_rebuild_disk_free(const struct imsm_super *s, int index, int idx)
{
	if (index < 0 || index >= s->num_disks || idx < 0 || idx >= s->num_raid_devs ||
	    idx >= IMSM_MAX_RAID_DEVS)
		return false;
	return !(s->disk[index].status & IMSM_DISK_FAILED) && !imsm_dev_uses_disk(&s->dev[idx], index);
}

int imsm_rebuild_partner(const struct imsm_super *s, int idx, int slot)
{
	for (int v = 0; v < s->num_raid_devs && v < IMSM_MAX_RAID_DEVS; v++) {
		const struct imsm_map *m = &s->dev[v].vol.map[0];
		int index;

		if (v == idx || slot < 0 || slot >= m->num_members)
			continue;
		index = ord_index(m->disk_ord_tbl[slot]);
		if (!(m->disk_ord_tbl[slot] & IMSM_ORD_REBUILD) &&
		    imsm_rebuild_disk_free(s, index, idx))
			return index;
	}
	return -1;
}

int imsm_rebuild_check(const struct imsm_super *s, const struct imsm_activation *a)
{
	const struct imsm_map *m;
	int index;

	if (a->vol < 0 || a->vol >= s->num_raid_devs || a->vol >= IMSM_MAX_RAID_DEVS)
		return -EINVAL;
	m = &s->dev[a->vol].vol.map[0];
	if (a->slot < 0 || a->slot >= m->num_members || a->rec.serial[0] == '\0')
		return -EINVAL;
	if (!wants_spare(s, a->vol) || !slot_out(s, m->disk_ord_tbl[a->slot]))
		return -EBUSY;
	index = 0;
	while (index < s->num_disks &&
	       memcmp(s->disk[index].serial, a->rec.serial, IMSM_SERIAL_BYTES) != 0)
		index++;
	if (index < s->num_disks && !imsm_rebuild_disk_free(s, index, a->vol))
		return -EBUSY;
	if (index == s->num_disks && s->num_disks >= IMSM_MAX_DISKS)
		return -E2BIG;
	if (index == s->num_disks ? a->rec.total_blocks < imsm_spare_min_blocks(s)
				  : s->disk[index].total_blocks < imsm_spare_min_blocks(s))
		return -ENOSPC;
	return 0;
}

static int delete_record(struct imsm_super *s, int index);

/* ---- activation (§7.4 step 2) ----------------------------------------------- */

/* The table index of the new member, appended when it is not there yet. */
static int join_table(struct imsm_super *s, const struct imsm_disk *rec)
{
	int index;

	for (index = 0; index < s->num_disks; index++)
		if (memcmp(s->disk[index].serial, rec->serial, IMSM_SERIAL_BYTES) == 0)
			break;
	if (index == s->num_disks) {
		s->disk[index] = *rec;
		s->disk[index].status = 0;
		s->num_disks++;
	}
	s->disk[index].status = (s->disk[index].status | IMSM_DISK_CONFIGURED) & ~IMSM_DISK_SPARE;
	return index;
}

/* A new family tells stale copies of the replaced disk apart (§7.4). */
static void move_family(struct imsm_super *s, uint32_t delta)
{
	if (!s->orig_family_num)
		s->orig_family_num = s->family_num;
	s->family_num += delta ? delta : 1;
}

int imsm_rebuild_activate(struct imsm_super *s, const struct imsm_activation *a)
{
	struct imsm_dev *dev;
	struct imsm_map *m0;
	int r = imsm_rebuild_check(s, a), index, victim;

	if (r)
		return r;
	dev = &s->dev[a->vol];
	m0 = &dev->vol.map[0];
	victim = ord_index(m0->disk_ord_tbl[a->slot]);
	index = join_table(s, &a->rec);
	/* map[1] keeps the degraded map as it was (§6.4) */
	imsm_migr_start(dev, IMSM_MIGR_REBUILD, IMSM_MAP_NORMAL);
	m0->disk_ord_tbl[a->slot] = (uint32_t)index;
	dev->vol.map[1].disk_ord_tbl[a->slot] = (uint32_t)index | IMSM_ORD_REBUILD;
	m0->map_state = imsm_rebuild_map_state(s, m0);
	move_family(s, a->family_delta);
	if (victim < s->num_disks && !imsm_disk_referenced(s, victim))
		(void)delete_record(s, victim); /* cannot fail: checked */
	return 0;
}

/* ---- progress and end (§7.4 steps 4-5) -------------------------------------- */

bool imsm_rebuild_running(const struct imsm_dev *dev)
{
	return dev->vol.migr_state && dev->vol.migr_type == IMSM_MIGR_REBUILD;
}

int imsm_rebuild_slot(const struct imsm_dev *dev)
{
	const struct imsm_map *m0 = &dev->vol.map[0], *m1 = &dev->vol.map[1];

	if (!imsm_rebuild_running(dev))
		return -1;
	for (int slot = 0; slot < m0->num_members && slot < m1->num_members; slot++) {
		uint32_t o0 = m0->disk_ord_tbl[slot], o1 = m1->disk_ord_tbl[slot];

		if ((o1 & IMSM_ORD_REBUILD) && !(o0 & IMSM_ORD_REBUILD) &&
		    ord_index(o0) == ord_index(o1))
			return slot;
	}
	return -1;
}

static uint8_t highest_out_slot(const struct imsm_super *s, const struct imsm_map *m)
{
	for (int slot = m->num_members - 1; slot >= 0; slot--)
		if (slot_out(s, m->disk_ord_tbl[slot]))
			return (uint8_t)slot;
	return IMSM_FAILED_DISK_NONE;
}

bool imsm_rebuild_end(struct imsm_super *s, int idx)
{
	struct imsm_dev *dev;
	struct imsm_map *m0;
	uint8_t state;

	if (idx < 0 || idx >= s->num_raid_devs || idx >= IMSM_MAX_RAID_DEVS ||
	    !imsm_rebuild_running(&s->dev[idx]))
		return false;
	dev = &s->dev[idx];
	m0 = &dev->vol.map[0];
	/* map[1]'s flag on the rebuilt slot is not merged back: the member
	 * is in sync.  A member that failed meanwhile is flagged in map[0]. */
	state = imsm_rebuild_map_state(s, m0);
	imsm_migr_end(dev, state);
	m0->failed_disk_num = state == IMSM_MAP_NORMAL ? IMSM_FAILED_DISK_NONE
						       : highest_out_slot(s, m0);
	return true;
}

unsigned long long imsm_rebuild_recovery_start(const struct imsm_dev *dev, int slot)
{
	const struct imsm_map *m0 = &dev->vol.map[0];

	if (slot < 0 || slot >= m0->num_members)
		return IN_SYNC;
	if (m0->disk_ord_tbl[slot] & IMSM_ORD_REBUILD)
		return 0;
	if (imsm_rebuild_slot(dev) == slot)
		return imsm_migr_checkpoint_pos(dev);
	return IN_SYNC;
}

/* ---- deleting a record (§7.4, §2.7) ----------------------------------------- */

static void shift_ords(struct imsm_map *m, int index)
{
	for (int i = 0; i < m->num_members; i++) {
		uint32_t ord = m->disk_ord_tbl[i];

		if (ord_index(ord) > index)
			m->disk_ord_tbl[i] = (ord & ~IMSM_ORD_INDEX_MASK) | (uint32_t)(ord_index(ord) - 1);
	}
}

/* Bad-block entries (8 bytes each after an 8-byte header; byte 1 is the
 * disk ordinal): the disk's own go, those above it follow it down. */
static void shift_bbm(struct imsm_super *s, int index)
{
	uint32_t count, kept = 0;
	uint8_t *e;

	if (s->bbm_log_bytes < IMSM_BBM_HEADER_BYTES)
		return;
	count = le_get32(s->bbm_log + 4);
	for (uint32_t i = 0; i < count && i < IMSM_BBM_MAX_ENTRIES; i++) {
		e = s->bbm_log + IMSM_BBM_HEADER_BYTES + IMSM_BBM_ENTRY_BYTES * i;
		if (e[1] == index)
			continue;
		if (e[1] > index)
			e[1]--;
		memmove(s->bbm_log + IMSM_BBM_HEADER_BYTES + IMSM_BBM_ENTRY_BYTES * kept, e,
			IMSM_BBM_ENTRY_BYTES);
		kept++;
	}
	le_put32(s->bbm_log + 4, kept);
	s->bbm_log_bytes = IMSM_BBM_HEADER_BYTES + IMSM_BBM_ENTRY_BYTES * kept;
	if (kept == 0) { /* an empty log is not written (§2.7) */
		s->bbm_log_bytes = 0;
		s->attributes &= ~IMSM_ATTR_BBM;
	}
}

static int delete_record(struct imsm_super *s, int index)
{
	if (index < 0 || index >= s->num_disks)
		return -EINVAL;
	if (imsm_disk_referenced(s, index))
		return -EBUSY;
	memmove(&s->disk[index], &s->disk[index + 1],
		sizeof(s->disk[0]) * (size_t)(s->num_disks - index - 1));
	s->num_disks--;
	memset(&s->disk[s->num_disks], 0, sizeof(s->disk[0]));
	for (int v = 0; v < s->num_raid_devs && v < IMSM_MAX_RAID_DEVS; v++)
		for (int j = 0; j < num_maps(&s->dev[v]); j++)
			shift_ords(&s->dev[v].vol.map[j], index);
	shift_bbm(s, index);
	return 0;
}

int imsm_rebuild_delete_disk(struct imsm_super *s, int index)
{
	return delete_record(s, index);
}
