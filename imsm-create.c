/*
 * imsm-create.c: building new IMSM records: a spare record for a disk
 * joining a container, and the MPB with one more volume.
 *
 * Owns the creation rules of imsm-format.md §1.6 and §5 (geometry limits,
 * placement, size, initial field values, degraded creation with
 * `missing` slots).  Pure apart from the clock and the random family
 * number; never does I/O, never prints.
 *
 * Version strings and attributes follow the legacy per-feature rule
 * (imsm-format.md §11.3): every reader accepts it, and it is what older
 * RST option ROMs were written against.
 */
#include "imsm.h"
#include "imsm-le.h"
#include "imsm-subarray.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define VERSION_POLICY IMSM_POLICY_LEGACY
#define DEFAULT_CHUNK_KIB 128
#define MAX_CHUNK_KIB 1024  /* larger strips cannot migrate (§11.17) */
#define MIN_CHUNK_KIB 4
#define RAID1_STRIP_BLOCKS 128
#define RWH_RESYNC 5
#define PLACEHOLDER_SCSI_ID 0xFFFFFFFFu

static uint32_t random32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)time(NULL) * 2654435761u;
	return v;
}

/*
 * --update=uuid at assembly: a new identity is a new original family
 * number (the UUIDs are hashes of it, imsm-format.md §8.6).  IMSM keeps 32
 * bits, so a UUID the user gives is taken, as upstream takes it, only when
 * its four words are equal (its first word becomes the family number).
 */
int imsm_op_update_uuid(struct super *st, const unsigned char *uuid)
{
	struct imsm_super *s = imsm_mpb_of(st);
	uint32_t family;

	if (uuid) {
		family = le_get32(uuid);
		for (int i = 1; i < 4; i++)
			if (le_get32(uuid + 4 * i) != family)
				return -EINVAL;
	} else {
		do
			family = random32();
		while (family == 0 || family == imsm_family_of(s));
	}
	if (family == 0)
		return -EINVAL;
	s->orig_family_num = family;
	return 0;
}

static void refresh_version(struct imsm_super *s)
{
	snprintf(s->version, sizeof(s->version), "%s", imsm_version_for(s, VERSION_POLICY));
	s->attributes = imsm_attributes_for(s, VERSION_POLICY);
}

/* Checksum of the MPB as it would be written. */
static int image_checksum(const struct imsm_super *s, uint32_t *ret)
{
	size_t len = imsm_mpb_bytes(s), used;
	unsigned char *buf = calloc(1, len);
	int r;

	if (!buf)
		return -ENOMEM;
	r = imsm_encode(s, buf, len, &used);
	if (!r)
		*ret = imsm_checksum(buf, used);
	free(buf);
	return r;
}

static void set_disk_record(struct imsm_disk *rec, const struct imsm_disk_dev *d, uint32_t status)
{
	memset(rec, 0, sizeof(*rec));
	memcpy(rec->serial, d->serial, IMSM_SERIAL_BYTES);
	rec->total_blocks = imsm_disk_blocks(d);
	rec->status = status;
	/* FIXME(issue 3): scsi_id from the SCSI address; 0 for loop/virtio. */
}

int imsm_spare_record(const struct imsm_disk_dev *d, struct imsm_super **ret)
{
	struct imsm_super *s;
	uint32_t sum;
	int r;

	r = imsm_super_alloc(0, &s);
	if (r)
		return r;
	s->generation_num = 1;
	s->num_disks = 1;
	s->pwr_cycle_count = 1;
	set_disk_record(&s->disk[0], d, IMSM_DISK_SPARE);
	refresh_version(s);
	r = image_checksum(s, &sum); /* family of a spare: its own checksum (§1.6) */
	if (r) {
		imsm_free(s);
		return r;
	}
	s->family_num = sum;
	*ret = s;
	return 0;
}

/* §5.2: which widths and strips each level allows. */
static int check_geometry(const struct md_volume_request *req, unsigned int chunk_kib)
{
	int n = req->raid_disks;

	switch (req->level) {
	case 0:
		if (n < 1)
			return -EINVAL;
		break;
	case 1:
		if (n != 2)
			return -EINVAL;
		return req->chunk_kib ? -EOPNOTSUPP : 0; /* mirrors have no strips to size */
	case 5:
		if (n < 3)
			return -EINVAL;
		break;
	case 10:
		if (n < 4 || n % 2)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (chunk_kib < MIN_CHUNK_KIB || chunk_kib > MAX_CHUNK_KIB || (chunk_kib & (chunk_kib - 1)))
		return -EDOM;
	return 0;
}

static uint64_t largest_disk_blocks(const struct imsm_disk_dev *const disks[], int n)
{
	uint64_t max = 0;

	for (int i = 0; i < n; i++)
		if (disks[i] && imsm_disk_blocks(disks[i]) > max)
			max = imsm_disk_blocks(disks[i]);
	return max;
}

void imsm_placeholder_record(struct imsm_disk *rec, int k, uint64_t blocks)
{
	char serial[32];

	snprintf(serial, sizeof(serial), "missing:%d", k);
	memset(rec, 0, sizeof(*rec));
	memcpy(rec->serial, serial, strnlen(serial, IMSM_SERIAL_BYTES));
	rec->total_blocks = blocks;
	rec->scsi_id = PLACEHOLDER_SCSI_ID;
	rec->status = IMSM_DISK_CONFIGURED | IMSM_DISK_FAILED;
}

/*
 * A fresh container MPB from the member disks (§5.5): one placeholder per
 * missing slot first, then the present disks in slot order (index = slot
 * when nothing is missing).
 */
static int new_container(const struct imsm_disk_dev *const disks[], int n,
			 struct imsm_super **ret)
{
	struct imsm_super *s;
	int r = imsm_super_alloc(0, &s), k = 0;

	if (r)
		return r;
	s->generation_num = 1; /* as the spare records it grows from */
	s->pwr_cycle_count = 1;
	for (int i = 0; i < n; i++)
		if (!disks[i])
			imsm_placeholder_record(&s->disk[s->num_disks++], k++,
					largest_disk_blocks(disks, n));
	for (int i = 0; i < n; i++)
		if (disks[i])
			set_disk_record(&s->disk[s->num_disks++], disks[i], IMSM_DISK_CONFIGURED);
	*ret = s;
	return 0;
}

/* Whether slot i of the first volume stands for a disk that is out. */
static bool first_slot_out(const struct imsm_super *s, const struct imsm_map *m0, int i)
{
	uint32_t ord = m0->disk_ord_tbl[i], idx = ord & IMSM_ORD_INDEX_MASK;

	return (ord & IMSM_ORD_REBUILD) && idx < s->num_disks &&
	       (s->disk[idx].status & IMSM_DISK_FAILED);
}

/* The second volume must use the first volume's disks in the same slots;
 * a `missing` slot only where the first volume's disk is out too. */
static int check_same_disks(const struct imsm_super *s, const struct imsm_disk_dev *const disks[],
			    int n)
{
	const struct imsm_map *m0 = &s->dev[0].vol.map[0];

	if (n > m0->num_members)
		return -EXDEV;
	for (int i = 0; i < n; i++) {
		if (!disks[i] ? !first_slot_out(s, m0, i)
			      : imsm_find_disk(s, disks[i]->serial) !=
					(int)(m0->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK))
			return -EXDEV;
	}
	return 0;
}

static uint64_t smallest_disk_blocks(const struct imsm_disk_dev *const disks[], int n)
{
	uint64_t min = UINT64_MAX;

	for (int i = 0; i < n; i++)
		if (disks[i] && imsm_disk_blocks(disks[i]) < min)
			min = imsm_disk_blocks(disks[i]);
	return min;
}

static int count_missing(const struct imsm_disk_dev *const disks[], int n)
{
	int missing = 0;

	for (int i = 0; i < n; i++)
		missing += !disks[i];
	return missing;
}

/* Whether md could run the volume with these slots missing: never for
 * raid0 (upstream refuses `missing` for it), one for raid5, not both
 * disks of a raid10 mirror pair, not every raid1 disk. */
static int check_missing(const struct imsm_disk_dev *const disks[], int n, int level)
{
	int missing = count_missing(disks, n);

	if (missing == 0)
		return 0;
	if (level == 0)
		return -ENOMEDIUM;
	if (missing == n || (level == 5 && missing > 1))
		return -ENODEV;
	for (int k = 0; level == 10 && k + 1 < n; k += 2)
		if (!disks[k] && !disks[k + 1])
			return -ENODEV;
	return 0;
}

/* §5.3-5.4: placement and size.  pba is where the volume starts. */
static int plan_size(const struct imsm_disk_dev *const disks[], int n,
		     const struct md_volume_request *req,
		     uint32_t bps, uint64_t pba, struct imsm_geometry *ret)
{
	uint64_t end = smallest_disk_blocks(disks, n), free_blocks, kib;
	int r;

	if (end < IMSM_DEFAULT_RESERVED_BLOCKS + pba)
		return -ENOSPC;
	free_blocks = end - IMSM_DEFAULT_RESERVED_BLOCKS - pba;
	kib = req->size_kib ? req->size_kib
			    : imsm_default_member_kib(req->level, bps / 2, free_blocks);
	r = imsm_volume_geometry(req->level, (unsigned int)n, bps, kib, ret);
	if (r == -ERANGE || (!r && ret->member_data_blocks > free_blocks))
		return -ENOSPC;
	return r;
}

/* The record of slot i: its disk's, or for a `missing` slot the k-th
 * placeholder (the first volume's, §5.5) flagged out of sync. */
static uint32_t slot_ord(const struct imsm_super *s, const struct imsm_disk_dev *const disks[], int i)
{
	const struct imsm_map *m0 = &s->dev[0].vol.map[0];

	if (disks[i])
		return (uint32_t)imsm_find_disk(s, disks[i]->serial);
	if (s->num_raid_devs > 0)
		return m0->disk_ord_tbl[i]; /* the first volume's placeholder, flag included */
	return (uint32_t)count_missing(disks, i) | IMSM_ORD_REBUILD;
}

static void fill_map(struct imsm_map *m, const struct imsm_super *s,
		     const struct imsm_disk_dev *const disks[], int n, const struct imsm_geometry *g)
{
	for (int i = 0; i < n; i++)
		m->disk_ord_tbl[i] = slot_ord(s, disks, i);
	m->blocks_per_member = g->blocks_per_member;
	m->num_data_stripes = g->num_data_stripes;
	m->raid_level = g->raid_level;
	m->num_members = (uint8_t)n;
	m->num_domains = (uint8_t)g->num_domains;
	m->failed_disk_num = IMSM_FAILED_DISK_NONE;
	m->ddf = 1;
}

/* §5.5: a redundant volume needs its initial resync unless the user
 * vouches for it; a degraded one gets none (md cannot resync it), the
 * rebuild of its missing member makes it consistent. */
static uint8_t initial_map_state(const struct md_volume_request *req, bool degraded)
{
	if (degraded)
		return IMSM_MAP_DEGRADED;
	return req->level != 0 && !req->assume_clean ? IMSM_MAP_UNINITIALIZED : IMSM_MAP_NORMAL;
}

static void fill_dev(struct imsm_super *s, const struct md_volume_request *req,
		     const struct imsm_geometry *g, uint64_t pba, uint32_t bps, bool degraded)
{
	struct imsm_dev *dev = &s->dev[s->num_raid_devs];
	uint8_t state = initial_map_state(req, degraded);

	memset(dev, 0, sizeof(*dev));
	strncpy(dev->volume, req->name, IMSM_NAME_BYTES);
	dev->size_blocks = g->size_blocks;
	dev->status = IMSM_DEV_READ_COALESCING | IMSM_DEV_WRITE_COALESCING;
	s->num_raid_devs_created++;
	dev->my_vol_raid_dev_num = s->num_raid_devs_created;
	dev->rwh_policy = RWH_RESYNC;
	dev->vol.dirty = state == IMSM_MAP_UNINITIALIZED;
	dev->vol.map[0].pba_of_lba0 = pba;
	dev->vol.map[0].blocks_per_strip = (uint16_t)bps;
	dev->vol.map[0].map_state = state;
}

/* First volume: the container's identity is born (§3.3). */
static int set_family(struct imsm_super *s)
{
	uint32_t sum;
	int r = image_checksum(s, &sum);

	if (r)
		return r;
	s->family_num = random32() + sum;
	s->orig_family_num = s->family_num;
	s->creation_time = (uint64_t)time(NULL);
	return 0;
}

static int build_volume(struct imsm_super *s, const struct imsm_disk_dev *const disks[], int n,
			const struct md_volume_request *req, uint32_t bps)
{
	bool first = s->num_raid_devs == 0;
	uint64_t pba = first ? 0 : imsm_next_volume_pba_blocks(&s->dev[0]);
	struct imsm_geometry g;
	int r;

	r = plan_size(disks, n, req, bps, pba, &g);
	if (r)
		return r;
	fill_dev(s, req, &g, pba, bps, count_missing(disks, n) > 0);
	fill_map(&s->dev[s->num_raid_devs].vol.map[0], s, disks, n, &g);
	s->num_raid_devs++;
	refresh_version(s);
	return first ? set_family(s) : 0;
}

static int check_request(const struct imsm_super *s, const struct imsm_disk_dev *const disks[],
			 int n, const struct md_volume_request *req, unsigned int chunk_kib)
{
	int r;

	if (s && s->num_raid_devs >= IMSM_MAX_RAID_DEVS)
		return -E2BIG;
	if (n != req->raid_disks)
		return -EINVAL;
	r = check_geometry(req, chunk_kib);
	if (!r)
		r = check_missing(disks, n, req->level);
	if (!r)
		r = imsm_check_volume_name(s, req->name, -1);
	if (!r && s && s->num_raid_devs > 0)
		r = check_same_disks(s, disks, n);
	return r;
}

int imsm_add_volume(const struct imsm_super *s, const struct imsm_disk_dev *const disks[], int n,
		    const struct md_volume_request *req, struct imsm_super **ret)
{
	unsigned int chunk_kib = req->chunk_kib ? req->chunk_kib : DEFAULT_CHUNK_KIB;
	uint32_t bps = req->level == 1 ? RAID1_STRIP_BLOCKS : chunk_kib * 2;
	struct imsm_super *new;
	int r;

	r = check_request(s, disks, n, req, req->level == 1 ? DEFAULT_CHUNK_KIB : chunk_kib);
	if (r)
		return r;
	r = s && s->num_raid_devs ? imsm_super_dup(s, &new) : new_container(disks, n, &new);
	if (r)
		return r;
	r = build_volume(new, disks, n, req, bps);
	if (r) {
		imsm_free(new);
		return r;
	}
	*ret = new;
	return 0;
}

const char *imsm_add_volume_error(int err)
{
	switch (err) {
	case -EINVAL:
		return "IMSM supports raid0 (1+ disks), raid1 (2 disks), raid5 (3+ disks) "
		       "and raid10 (an even number of 4+ disks)";
	case -EDOM:
		return "IMSM chunk sizes are powers of two from 4K to 1024K";
	case -EOPNOTSUPP:
		return "raid1 has no chunk size; leave out --chunk";
	case -EBADR:
		return "volume names are 1-16 characters of A-Z a-z 0-9 . _ - and do not start "
		       "with a dot";
	case -EEXIST:
		return "the container already has a volume of that name";
	case -E2BIG:
		return "an IMSM container holds at most two volumes";
	case -EXDEV:
		return "a second volume must use the first volume's disks in the same order";
	case -ENOSPC:
		return "not enough space on the disks";
	case -ENOMEDIUM:
		return "raid0 has no redundancy: it cannot be created with missing devices";
	case -ENODEV:
		return "too many devices missing: the volume could not run";
	default:
		return strerror(-err);
	}
}
