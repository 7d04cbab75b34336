/*
 * imsm-format.c: pure encode/decode/checksum of the IMSM MPB, the validator
 * of ../shared/spec/imsm-format.md §10, and the §1/§4/§5 arithmetic.
 *
 * Owns: every byte offset of the MPB (nobody else casts structs over disk
 * buffers), and the decision whether one copy is well formed.
 *
 * Never: does I/O, prints, keeps state between calls, or applies write
 * policy (generation bumps, family changes, which copy wins).  Errors are
 * returned as -errno; non-fatal findings go into imsm_super.warnings.
 *
 * Reading discipline: imsm_decode() first proves the envelope (signature,
 * mpb_size against len, checksum), then walks the variable-size records with
 * a cursor that is compared against the end of the volume area before every
 * read, and only then runs the semantic checks on the decoded struct.  The
 * same semantic checks guard imsm_encode(), so we never write what we would
 * refuse to read.
 */
#include "imsm-le.h"
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "imsm-format.h"

#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))

static const char *const imsm_known_versions[] = {
    "1.0.00", "1.1.00", "1.2.00", "1.2.01", "1.2.02", "1.2.04", "1.2.06", "1.3.00", "2.0.00",
};

/*
 * A split 64-bit field.  Without 2TB_DISK the hi word is not part of the
 * value (upstream zeroes it on load) but is kept in *ignored for the round
 * trip.
 */
static uint64_t get_split(const uint8_t *lo, const uint8_t *hi, bool hi_valid, uint32_t *ignored)
{
	*ignored = hi_valid ? 0 : le_get32(hi);
	return le_get32(lo) | (hi_valid ? (uint64_t)le_get32(hi) << 32 : 0);
}

static void put_split(uint8_t *lo, uint8_t *hi, uint64_t v, bool hi_valid, uint32_t ignored)
{
	le_put32(lo, (uint32_t)v);
	le_put32(hi, hi_valid ? (uint32_t)(v >> 32) : ignored);
}

static bool hi_words_valid(const struct imsm_super *s)
{
	return s->attributes & IMSM_ATTR_2TB_DISK;
}

/* ---- checksum (§3.1) ------------------------------------------------------- */

uint32_t imsm_checksum(const void *buf, size_t mpb_bytes)
{
	const uint8_t *p = buf;
	uint32_t sum = 0;
	size_t off;

	for (off = 0; off + 4 <= mpb_bytes; off += 4)
		if (off != IMSM_OFF_CHECK_SUM)
			sum += le_get32(p + off);
	return sum;
}

/* ---- sizes ------------------------------------------------------------------ */

size_t imsm_map_bytes(const struct imsm_map *m)
{
	return IMSM_MAP_FIXED_BYTES + (size_t)IMSM_ORD_BYTES * m->num_members;
}

size_t imsm_dev_bytes(const struct imsm_dev *d)
{
	size_t n = IMSM_DEV_FIXED_BYTES + imsm_map_bytes(&d->vol.map[0]);

	if (d->vol.migr_state)
		n += imsm_map_bytes(&d->vol.map[1]);
	return n;
}

/* Volumes the struct can hold, even if num_raid_devs claims more. */
static unsigned int num_devs(const struct imsm_super *s)
{
	return s->num_raid_devs < IMSM_MAX_RAID_DEVS ? s->num_raid_devs : IMSM_MAX_RAID_DEVS;
}

size_t imsm_mpb_bytes(const struct imsm_super *s)
{
	size_t n = IMSM_HEADER_BYTES + (size_t)IMSM_DISK_BYTES * s->num_disks;
	unsigned int i;

	for (i = 0; i < num_devs(s); i++)
		n += imsm_dev_bytes(&s->dev[i]);
	return n + s->slack_bytes + s->bbm_log_bytes;
}

/* ---- allocation -------------------------------------------------------------- */

int imsm_super_alloc(uint32_t slack_bytes, struct imsm_super **ret)
{
	struct imsm_super *s = calloc(1, sizeof(*s) + slack_bytes);

	if (!s)
		return -ENOMEM;
	s->slack_bytes = slack_bytes;
	*ret = s;
	return 0;
}

int imsm_super_dup(const struct imsm_super *s, struct imsm_super **ret)
{
	struct imsm_super *c = malloc(sizeof(*s) + s->slack_bytes);

	if (!c)
		return -ENOMEM;
	memcpy(c, s, sizeof(*s) + s->slack_bytes);
	*ret = c;
	return 0;
}

void imsm_free(struct imsm_super *s)
{
	free(s);
}

/* ---- levels (§2.5, §5.4) ---------------------------------------------------- */

int imsm_map_md_level(const struct imsm_map *m)
{
	unsigned int n = m->num_members;
	bool even4 = n >= 4 && n % 2 == 0;

	switch (m->raid_level) {
	case IMSM_LEVEL_BYTE_RAID0:
		return n >= 1 ? 0 : -EINVAL;
	case IMSM_LEVEL_BYTE_RAID1:
		/* 4-member RAID10 is stored as level 1 for UEFI (§11.1) */
		if (n == 2)
			return 1;
		return even4 ? 10 : -EINVAL;
	case IMSM_LEVEL_BYTE_RAID5:
		return n >= 3 ? 5 : -EINVAL;
	case IMSM_LEVEL_BYTE_RAID10:
		return even4 ? 10 : -EINVAL;
	default:
		return -EINVAL;
	}
}

int imsm_data_members(int md_level, unsigned int num_members)
{
	unsigned int n = num_members;

	if (n < 1 || n > IMSM_MAX_MEMBERS)
		return -EINVAL;
	switch (md_level) {
	case 0:
		return (int)n;
	case 1:
		return n == 2 ? 1 : -EINVAL;
	case 5:
		return n >= 3 ? (int)n - 1 : -EINVAL;
	case 10:
		return n >= 4 && n % 2 == 0 ? (int)n / 2 : -EINVAL;
	default:
		return -EINVAL;
	}
}

int imsm_level_byte(int md_level, unsigned int num_members, uint8_t *ret_byte)
{
	if (imsm_data_members(md_level, num_members) < 0)
		return -EINVAL;
	if (md_level == 10)
		*ret_byte = num_members == 4 ? IMSM_LEVEL_BYTE_RAID1 : IMSM_LEVEL_BYTE_RAID10;
	else
		*ret_byte = (uint8_t)md_level;
	return 0;
}

unsigned int imsm_num_domains(int md_level)
{
	return md_level == 1 || md_level == 10 ? 2 : 1;
}

static bool map_is_mirrored(const struct imsm_map *m)
{
	return m->raid_level == IMSM_LEVEL_BYTE_RAID1 || m->raid_level == IMSM_LEVEL_BYTE_RAID10;
}

/* nds * bps * (2 if mirrored); -EOVERFLOW if it does not fit 64 bits. */
static int map_data_checked(const struct imsm_map *m, uint64_t *ret_blocks)
{
	uint64_t data;

	if (__builtin_mul_overflow(m->num_data_stripes, (uint64_t)m->blocks_per_strip, &data))
		return -EOVERFLOW;
	if (map_is_mirrored(m) && __builtin_mul_overflow(data, 2, &data))
		return -EOVERFLOW;
	*ret_blocks = data;
	return 0;
}

uint64_t imsm_map_data_blocks(const struct imsm_map *m)
{
	uint64_t data;

	return map_data_checked(m, &data) ? UINT64_MAX : data;
}

/* ---- envelope: signature, version field, size, checksum -------------------- */

int imsm_peek_mpb_size(const void *buf, size_t len, uint32_t *ret_bytes)
{
	const uint8_t *p = buf;
	uint32_t mpb;

	if (len < IMSM_SIGNATURE_BYTES)
		return -EMSGSIZE;
	if (memcmp(p + IMSM_OFF_SIG, IMSM_SIGNATURE, IMSM_SIGNATURE_BYTES) != 0)
		return -ENODATA;
	if (len < IMSM_OFF_MPB_SIZE + 4)
		return -EMSGSIZE;
	mpb = le_get32(p + IMSM_OFF_MPB_SIZE);
	if (mpb < IMSM_SPARE_MPB_BYTES || mpb % 4 || mpb > IMSM_MPB_MAX_BYTES)
		return -EINVAL;
	*ret_bytes = mpb;
	return 0;
}

/* Bytes 24..31 of sig: printable ASCII, then only NULs (§10.2). */
static bool version_field_ok(const uint8_t *v)
{
	unsigned int i = 0;

	while (i < IMSM_VERSION_FIELD_BYTES && v[i] >= 0x20 && v[i] < 0x7f)
		i++;
	for (; i < IMSM_VERSION_FIELD_BYTES; i++)
		if (v[i])
			return false;
	return true;
}

static int check_envelope(const uint8_t *p, size_t len, uint32_t *ret_bytes)
{
	uint32_t mpb;
	int r;

	r = imsm_peek_mpb_size(p, len, &mpb);
	if (r < 0)
		return r;
	if (mpb > len)
		return -EMSGSIZE;
	/* mpb >= 264 > 32, so the whole sig field is inside buf */
	if (!version_field_ok(p + IMSM_OFF_VERSION))
		return -EINVAL;
	if (imsm_checksum(p, mpb) != le_get32(p + IMSM_OFF_CHECK_SUM))
		return -EBADMSG;
	*ret_bytes = mpb;
	return 0;
}

/* ---- decoding the records (no semantic checks yet) -------------------------- */

static void get_header_fields(const uint8_t *p, struct imsm_super *s)
{
	memcpy(s->version, p + IMSM_OFF_VERSION, IMSM_VERSION_FIELD_BYTES);
	s->version[IMSM_VERSION_FIELD_BYTES] = '\0';
	s->check_sum = le_get32(p + IMSM_OFF_CHECK_SUM);
	s->mpb_size_bytes = le_get32(p + IMSM_OFF_MPB_SIZE);
	s->family_num = le_get32(p + IMSM_OFF_FAMILY_NUM);
	s->generation_num = le_get32(p + IMSM_OFF_GENERATION_NUM);
	s->error_log_size = le_get32(p + IMSM_OFF_ERROR_LOG_SIZE);
	s->attributes = le_get32(p + IMSM_OFF_ATTRIBUTES);
	s->num_disks = p[IMSM_OFF_NUM_DISKS];
	s->num_raid_devs = p[IMSM_OFF_NUM_RAID_DEVS];
	s->error_log_pos = p[IMSM_OFF_ERROR_LOG_POS];
	s->fill = p[IMSM_OFF_FILL];
	s->cache_size = le_get32(p + IMSM_OFF_CACHE_SIZE);
	s->orig_family_num = le_get32(p + IMSM_OFF_ORIG_FAMILY_NUM);
	s->pwr_cycle_count = le_get32(p + IMSM_OFF_PWR_CYCLE_COUNT);
	s->num_raid_devs_created = le_get16(p + IMSM_OFF_NUM_RAID_DEVS_CREATED);
	s->filler1 = le_get16(p + IMSM_OFF_FILLER1);
	s->creation_time = le_get64(p + IMSM_OFF_CREATION_TIME);
	memcpy(s->filler, p + IMSM_OFF_FILLER, sizeof(s->filler));
}

/*
 * Header fields, then the counts that size the rest (§10.5-7): the disk table
 * fits, at most two volumes, and the BBM log lies after the disk table.
 */
static int get_header(const uint8_t *p, uint32_t mpb, struct imsm_super *s, uint32_t *ret_bbm_bytes)
{
	uint32_t disks_end, bbm;

	get_header_fields(p, s);
	disks_end = IMSM_OFF_DISKS + IMSM_DISK_BYTES * s->num_disks;
	if (s->num_disks == 0 || disks_end > mpb)
		return -EINVAL;
	if (s->num_raid_devs > IMSM_MAX_RAID_DEVS)
		return -EOPNOTSUPP;
	bbm = le_get32(p + IMSM_OFF_BBM_LOG_SIZE);
	if (bbm > mpb - disks_end || bbm > IMSM_BBM_LOG_MAX_BYTES)
		return -EINVAL;
	*ret_bbm_bytes = bbm;
	return 0;
}

static void get_disk(const uint8_t *p, bool hi_valid, struct imsm_disk *d)
{
	memcpy(d->serial, p + IMSM_DISK_OFF_SERIAL, IMSM_SERIAL_BYTES);
	d->total_blocks = get_split(p + IMSM_DISK_OFF_TOTAL_BLOCKS_LO,
				    p + IMSM_DISK_OFF_TOTAL_BLOCKS_HI, hi_valid, &d->ignored_hi);
	d->scsi_id = le_get32(p + IMSM_DISK_OFF_SCSI_ID);
	d->status = le_get32(p + IMSM_DISK_OFF_STATUS);
	d->owner_cfg_num = le_get32(p + IMSM_DISK_OFF_OWNER_CFG_NUM);
	memcpy(d->filler, p + IMSM_DISK_OFF_FILLER, sizeof(d->filler));
}

static void get_map_fields(const uint8_t *p, bool hi_valid, struct imsm_map *m)
{
	unsigned int i;

	m->pba_of_lba0 = get_split(p + IMSM_MAP_OFF_PBA_OF_LBA0_LO, p + IMSM_MAP_OFF_PBA_OF_LBA0_HI,
				   hi_valid, &m->ignored_pba_hi);
	m->blocks_per_member =
	    get_split(p + IMSM_MAP_OFF_BLOCKS_PER_MEMBER_LO, p + IMSM_MAP_OFF_BLOCKS_PER_MEMBER_HI,
		      hi_valid, &m->ignored_bpm_hi);
	m->num_data_stripes =
	    get_split(p + IMSM_MAP_OFF_NUM_DATA_STRIPES_LO, p + IMSM_MAP_OFF_NUM_DATA_STRIPES_HI,
		      hi_valid, &m->ignored_nds_hi);
	m->blocks_per_strip = le_get16(p + IMSM_MAP_OFF_BLOCKS_PER_STRIP);
	m->map_state = p[IMSM_MAP_OFF_MAP_STATE];
	m->raid_level = p[IMSM_MAP_OFF_RAID_LEVEL];
	m->num_members = p[IMSM_MAP_OFF_NUM_MEMBERS];
	m->num_domains = p[IMSM_MAP_OFF_NUM_DOMAINS];
	m->failed_disk_num = p[IMSM_MAP_OFF_FAILED_DISK_NUM];
	m->ddf = p[IMSM_MAP_OFF_DDF];
	memcpy(m->filler, p + IMSM_MAP_OFF_FILLER, sizeof(m->filler));
	for (i = 0; i < m->num_members; i++)
		m->disk_ord_tbl[i] = le_get32(p + IMSM_MAP_OFF_ORD + IMSM_ORD_BYTES * i);
}

/* One map at *pos; the fixed part must fit before num_members is read. */
static int get_map(const uint8_t *p, uint32_t *pos, uint32_t end, bool hi_valid, struct imsm_map *m)
{
	uint32_t at = *pos, bytes;

	if (end - at < IMSM_MAP_FIXED_BYTES)
		return -EINVAL;
	bytes = IMSM_MAP_FIXED_BYTES + IMSM_ORD_BYTES * p[at + IMSM_MAP_OFF_NUM_MEMBERS];
	if (end - at < bytes)
		return -EINVAL;
	get_map_fields(p + at, hi_valid, m);
	*pos = at + bytes;
	return 0;
}

static void get_dev_fields(const uint8_t *p, struct imsm_dev *d)
{
	memcpy(d->volume, p + IMSM_DEV_OFF_VOLUME, IMSM_NAME_BYTES);
	d->size_blocks = le_get64(p + IMSM_DEV_OFF_SIZE_LOW);
	d->status = le_get32(p + IMSM_DEV_OFF_STATUS);
	d->reserved_blocks = le_get32(p + IMSM_DEV_OFF_RESERVED_BLOCKS);
	d->migr_priority = p[IMSM_DEV_OFF_MIGR_PRIORITY];
	d->num_sub_vols = p[IMSM_DEV_OFF_NUM_SUB_VOLS];
	d->tid = p[IMSM_DEV_OFF_TID];
	d->cng_master_disk = p[IMSM_DEV_OFF_CNG_MASTER_DISK];
	d->cache_policy = le_get16(p + IMSM_DEV_OFF_CACHE_POLICY);
	d->cng_state = p[IMSM_DEV_OFF_CNG_STATE];
	d->cng_sub_state = p[IMSM_DEV_OFF_CNG_SUB_STATE];
	d->my_vol_raid_dev_num = le_get16(p + IMSM_DEV_OFF_MY_VOL_RAID_DEV_NUM);
	d->nv_cache_mode = p[IMSM_DEV_OFF_NV_CACHE_MODE];
	d->nv_cache_flags = p[IMSM_DEV_OFF_NV_CACHE_FLAGS];
	d->nvc_vol_orig_family_num = le_get32(p + IMSM_DEV_OFF_NVC_VOL_ORIG_FAMILY_NUM);
	d->nvc_vol_raid_dev_num = le_get16(p + IMSM_DEV_OFF_NVC_VOL_RAID_DEV_NUM);
	d->rwh_policy = p[IMSM_DEV_OFF_RWH_POLICY];
	memcpy(d->jd_serial, p + IMSM_DEV_OFF_JD_SERIAL, IMSM_SERIAL_BYTES);
	d->filler1 = p[IMSM_DEV_OFF_FILLER1];
	memcpy(d->filler, p + IMSM_DEV_OFF_FILLER, sizeof(d->filler));
}

static void get_vol_fields(const uint8_t *p, struct imsm_vol *v)
{
	v->curr_migr_unit = le_get32(p + IMSM_DEV_OFF_CURR_MIGR_UNIT_LO) |
			    (uint64_t)le_get32(p + IMSM_DEV_OFF_CURR_MIGR_UNIT_HI) << 32;
	v->checkpoint_id = le_get32(p + IMSM_DEV_OFF_CHECKPOINT_ID);
	v->migr_state = p[IMSM_DEV_OFF_MIGR_STATE];
	v->migr_type = p[IMSM_DEV_OFF_MIGR_TYPE];
	v->dirty = p[IMSM_DEV_OFF_DIRTY];
	v->fs_state = p[IMSM_DEV_OFF_FS_STATE];
	v->verify_errors = le_get16(p + IMSM_DEV_OFF_VERIFY_ERRORS);
	v->bad_blocks = le_get16(p + IMSM_DEV_OFF_BAD_BLOCKS);
	memcpy(v->filler, p + IMSM_DEV_OFF_VOL_FILLER, sizeof(v->filler));
}

/* One dev record at *pos (§10.12): fixed part, map[0], map[1] if migrating. */
static int get_dev(const uint8_t *p, uint32_t *pos, uint32_t end, bool hi_valid, struct imsm_dev *d)
{
	uint32_t at = *pos;
	int r;

	if (end - at < IMSM_DEV_FIXED_BYTES)
		return -EINVAL;
	get_dev_fields(p + at, d);
	get_vol_fields(p + at, &d->vol);
	at += IMSM_DEV_FIXED_BYTES;
	r = get_map(p, &at, end, hi_valid, &d->vol.map[0]);
	if (r < 0)
		return r;
	if (d->vol.migr_state) {
		r = get_map(p, &at, end, hi_valid, &d->vol.map[1]);
		if (r < 0)
			return r;
	}
	*pos = at;
	return 0;
}

/* Keep bytes between the last dev and the BBM log verbatim (§10.13). */
static int attach_slack(const uint8_t *p, uint32_t bytes, struct imsm_super **sp)
{
	struct imsm_super *s;

	if (!bytes)
		return 0;
	s = realloc(*sp, sizeof(*s) + bytes);
	if (!s)
		return -ENOMEM;
	s->slack_bytes = bytes;
	memcpy(s->slack, p, bytes);
	*sp = s;
	return 0;
}

/* Everything after the envelope.  May replace *sp (slack). */
static int get_body(const uint8_t *p, uint32_t mpb, struct imsm_super **sp)
{
	struct imsm_super *s = *sp;
	uint32_t bbm, at, end;
	bool hi_valid;
	unsigned int i;
	int r;

	r = get_header(p, mpb, s, &bbm);
	if (r < 0)
		return r;
	hi_valid = hi_words_valid(s);
	at = IMSM_OFF_DISKS;
	for (i = 0; i < s->num_disks; i++, at += IMSM_DISK_BYTES)
		get_disk(p + at, hi_valid, &s->disk[i]);
	/* get_header() proved at <= end */
	end = mpb - bbm;
	for (i = 0; i < s->num_raid_devs; i++) {
		r = get_dev(p, &at, end, hi_valid, &s->dev[i]);
		if (r < 0)
			return r;
	}
	memcpy(s->bbm_log, p + end, bbm);
	s->bbm_log_bytes = bbm;
	return attach_slack(p + at, end - at, sp);
}

/* ---- semantic validation (§10), shared by decode and encode --------------- */

static bool version_known(const char *v)
{
	size_t i;

	for (i = 0; i < sizeof(imsm_known_versions) / sizeof(imsm_known_versions[0]); i++)
		if (strcmp(v, imsm_known_versions[i]) == 0)
			return true;
	return false;
}

static bool version_string_ok(const char *v)
{
	size_t i, n = strnlen(v, IMSM_VERSION_FIELD_BYTES + 1);

	if (n > IMSM_VERSION_FIELD_BYTES)
		return false;
	for (i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] >= 0x7f)
			return false;
	return true;
}

static int check_header(const struct imsm_super *s, unsigned int *warn)
{
	if (!version_string_ok(s->version))
		return -EINVAL;
	if (!version_known(s->version))
		*warn |= IMSM_WARN_VERSION_UNKNOWN;
	if (s->num_disks == 0)
		return -EINVAL;
	if (s->num_raid_devs > IMSM_MAX_RAID_DEVS)
		return -EOPNOTSUPP;
	/* a record without volumes is a spare record: exactly one disk */
	if (s->num_raid_devs == 0 && s->num_disks != 1)
		return -EINVAL;
	if (!imsm_attributes_supported(s->attributes))
		*warn |= IMSM_WARN_ATTR_UNSUPPORTED;
	if (s->slack_bytes)
		*warn |= IMSM_WARN_SLACK;
	return 0;
}

/* §10.7: empty, or signature + entry_count matching the size. */
static int check_bbm(const struct imsm_super *s)
{
	uint32_t bytes = s->bbm_log_bytes, count;

	if (bytes == 0)
		return 0;
	if (bytes < IMSM_BBM_HEADER_BYTES || bytes > IMSM_BBM_LOG_MAX_BYTES)
		return -EINVAL;
	if (le_get32(s->bbm_log) != IMSM_BBM_SIGNATURE)
		return -EINVAL;
	count = le_get32(s->bbm_log + 4);
	if (count > IMSM_BBM_MAX_ENTRIES ||
	    bytes != IMSM_BBM_HEADER_BYTES + IMSM_BBM_ENTRY_BYTES * count)
		return -EINVAL;
	return 0;
}

static bool serial_empty(const char *serial)
{
	unsigned int i;

	for (i = 0; i < IMSM_SERIAL_BYTES; i++)
		if (serial[i])
			return false;
	return true;
}

/* §10.9-11 for disk i. */
static int check_disk(const struct imsm_super *s, unsigned int i, unsigned int *warn)
{
	const uint32_t known =
	    IMSM_DISK_SPARE | IMSM_DISK_CONFIGURED | IMSM_DISK_FAILED | IMSM_DISK_JOURNAL;
	const struct imsm_disk *d = &s->disk[i];
	unsigned int j;

	if (d->total_blocks == 0)
		return -EINVAL;
	if (!hi_words_valid(s) && d->total_blocks >> 32)
		return -ERANGE;
	for (j = 0; j < i; j++)
		if (memcmp(s->disk[j].serial, d->serial, IMSM_SERIAL_BYTES) == 0)
			return -EINVAL;
	if (serial_empty(d->serial))
		*warn |= IMSM_WARN_SERIAL_EMPTY;
	if (!(d->status & known))
		*warn |= IMSM_WARN_DISK_STATUS;
	if (s->num_raid_devs && (d->status & IMSM_DISK_SPARE))
		*warn |= IMSM_WARN_SPARE_IN_CONTAINER;
	return 0;
}

/*
 * §10.16 and §10.19: flag bits clear, index in the table, no index twice in
 * one map, and every referenced disk CONFIGURED or FAILED.
 */
static int check_ords(const struct imsm_super *s, const struct imsm_map *m)
{
	uint32_t seen[(IMSM_MAX_DISKS + 31) / 32] = {0};
	unsigned int i;

	for (i = 0; i < m->num_members; i++) {
		uint32_t ord = m->disk_ord_tbl[i], idx = ord & IMSM_ORD_INDEX_MASK;

		if ((ord & IMSM_ORD_RESERVED_MASK) || idx >= s->num_disks)
			return -EINVAL;
		if (seen[idx / 32] & (1u << idx % 32))
			return -EINVAL;
		seen[idx / 32] |= 1u << idx % 32;
		if (!(s->disk[idx].status & (IMSM_DISK_CONFIGURED | IMSM_DISK_FAILED)))
			return -EINVAL;
	}
	return 0;
}

/*
 * §10.18 for one map: data fits blocks_per_member, and the volume area ends
 * below the lowest MPB sector of every member.  mpb_bytes is counted in
 * 512-byte sectors, the most sectors it can take, so on 4Kn disks this is at
 * most a few sectors stricter than needed; no writer comes that close.
 */
static int check_map_fit(const struct imsm_super *s, const struct imsm_map *m, size_t mpb_bytes)
{
	uint64_t data, end, mpb_sectors = DIV_ROUND_UP(mpb_bytes, IMSM_BLOCK_BYTES);
	unsigned int i;

	if (map_data_checked(m, &data) < 0 || data > m->blocks_per_member)
		return -EINVAL;
	if (__builtin_add_overflow(m->pba_of_lba0, m->blocks_per_member, &end))
		return -EINVAL;
	for (i = 0; i < m->num_members; i++) {
		uint64_t total = s->disk[m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK].total_blocks;

		/* lowest MPB sector is N - S - 1 (§1.1) */
		if (total < mpb_sectors + 1 || end > total - mpb_sectors - 1)
			return -EINVAL;
	}
	return 0;
}

/* §10.15 and the rest of §10.16/18 for one map. */
static int check_map(const struct imsm_super *s, const struct imsm_map *m, size_t mpb_bytes,
		     unsigned int *warn)
{
	int level = imsm_map_md_level(m), r;

	if (level < 0)
		return level;
	if (m->num_domains != imsm_num_domains(level))
		*warn |= IMSM_WARN_NUM_DOMAINS;
	if (m->map_state > IMSM_MAP_FAILED || m->blocks_per_strip == 0)
		return -EINVAL;
	if (m->blocks_per_strip & (m->blocks_per_strip - 1))
		*warn |= IMSM_WARN_STRIP_NOT_POW2;
	if (m->failed_disk_num != IMSM_FAILED_DISK_NONE && m->failed_disk_num >= m->num_members)
		return -EINVAL;
	if (!hi_words_valid(s) &&
	    (m->pba_of_lba0 | m->blocks_per_member | m->num_data_stripes) >> 32)
		return -ERANGE;
	r = check_ords(s, m);
	if (r < 0)
		return r;
	return check_map_fit(s, m, mpb_bytes);
}

/* §10.18 tolerance: md uses size / D when data * D is off by more than D MiB. */
static bool size_mismatch(const struct imsm_dev *d)
{
	const struct imsm_map *m = &d->vol.map[0];
	int dm = imsm_data_members(imsm_map_md_level(m), m->num_members);
	uint64_t data, slack;

	if (dm <= 0 || map_data_checked(m, &data) < 0 ||
	    __builtin_mul_overflow(data, (uint64_t)dm, &data))
		return true;
	slack = (uint64_t)dm * IMSM_DIRTY_STRIPE_REGION_BLOCKS;
	return data > d->size_blocks ? data - d->size_blocks > slack
				     : d->size_blocks - data > slack;
}

/* §10.14, §10.17 and the per-map checks of one volume. */
static int check_dev(const struct imsm_super *s, const struct imsm_dev *d, size_t mpb_bytes,
		     unsigned int *warn)
{
	const struct imsm_vol *v = &d->vol;
	unsigned int i;
	int r;

	if (v->migr_state > 1 || v->migr_type > IMSM_MIGR_STATE_CHANGE)
		return -EINVAL;
	if (!v->migr_state && v->curr_migr_unit)
		*warn |= IMSM_WARN_IDLE_CHECKPOINT;
	if (v->migr_state && v->migr_type == IMSM_MIGR_STATE_CHANGE)
		*warn |= IMSM_WARN_STATE_CHANGE;
	for (i = 0; i <= v->migr_state; i++) {
		r = check_map(s, &v->map[i], mpb_bytes, warn);
		if (r < 0)
			return r;
	}
	if (v->migr_state && v->migr_type == IMSM_MIGR_GEN_MIGR) {
		if (v->map[0].pba_of_lba0 != v->map[1].pba_of_lba0)
			return -EOPNOTSUPP;
		/* fewer members only as raid5 -> raid0 (one slot, the parity, less) */
		if (v->map[0].num_members < v->map[1].num_members &&
		    (v->map[0].raid_level != IMSM_LEVEL_BYTE_RAID0 ||
		     v->map[1].raid_level != IMSM_LEVEL_BYTE_RAID5 ||
		     v->map[0].num_members + 1 != v->map[1].num_members))
			return -EINVAL;
	}
	if (size_mismatch(d))
		*warn |= IMSM_WARN_SIZE_MISMATCH;
	return 0;
}

bool imsm_map_uses_disk(const struct imsm_map *m, uint32_t idx)
{
	unsigned int i;

	for (i = 0; i < m->num_members; i++)
		if ((m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK) == idx)
			return true;
	return false;
}

/* Data ranges [pba, pba + data) of two validated maps overlap on a common disk. */
static bool maps_collide(const struct imsm_map *a, const struct imsm_map *b)
{
	uint64_t a_end = a->pba_of_lba0 + imsm_map_data_blocks(a);
	uint64_t b_end = b->pba_of_lba0 + imsm_map_data_blocks(b);
	unsigned int i;

	if (a->pba_of_lba0 >= b_end || b->pba_of_lba0 >= a_end)
		return false;
	for (i = 0; i < a->num_members; i++)
		if (imsm_map_uses_disk(b, a->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK))
			return true;
	return false;
}

static bool is_gen_migr(const struct imsm_dev *d)
{
	return d->vol.migr_state && d->vol.migr_type == IMSM_MIGR_GEN_MIGR;
}

/* Cross-volume rules: one general migration at most, no shared blocks. */
static int check_volumes(const struct imsm_super *s)
{
	const struct imsm_vol *a = &s->dev[0].vol, *b = &s->dev[1].vol;
	unsigned int i, j;

	if (s->num_raid_devs < 2)
		return 0;
	if (is_gen_migr(&s->dev[0]) && is_gen_migr(&s->dev[1]))
		return -EINVAL;
	for (i = 0; i <= a->migr_state; i++)
		for (j = 0; j <= b->migr_state; j++)
			if (maps_collide(&a->map[i], &b->map[j]))
				return -EINVAL;
	return 0;
}

static int validate(const struct imsm_super *s, size_t mpb_bytes, unsigned int *ret_warn)
{
	unsigned int warn = 0, i;
	int r;

	r = check_header(s, &warn);
	if (!r)
		r = check_bbm(s);
	for (i = 0; !r && i < s->num_disks; i++)
		r = check_disk(s, i, &warn);
	for (i = 0; !r && i < s->num_raid_devs; i++)
		r = check_dev(s, &s->dev[i], mpb_bytes, &warn);
	if (!r)
		r = check_volumes(s);
	if (r < 0)
		return r;
	*ret_warn = warn;
	return 0;
}

int imsm_decode(const void *buf, size_t len, struct imsm_super **ret)
{
	struct imsm_super *s;
	unsigned int warn;
	uint32_t mpb;
	int r;

	r = check_envelope(buf, len, &mpb);
	if (r < 0)
		return r;
	r = imsm_super_alloc(0, &s);
	if (r < 0)
		return r;
	r = get_body(buf, mpb, &s);
	if (!r)
		r = validate(s, mpb, &warn);
	if (r < 0) {
		imsm_free(s);
		return r;
	}
	s->warnings = warn;
	*ret = s;
	return 0;
}

/* ---- encoding ------------------------------------------------------------- */

static void put_header(const struct imsm_super *s, uint8_t *p, uint32_t mpb)
{
	memcpy(p + IMSM_OFF_SIG, IMSM_SIGNATURE, IMSM_SIGNATURE_BYTES);
	memset(p + IMSM_OFF_VERSION, 0, IMSM_VERSION_FIELD_BYTES);
	memcpy(p + IMSM_OFF_VERSION, s->version, strlen(s->version));
	le_put32(p + IMSM_OFF_CHECK_SUM, 0);
	le_put32(p + IMSM_OFF_MPB_SIZE, mpb);
	le_put32(p + IMSM_OFF_FAMILY_NUM, s->family_num);
	le_put32(p + IMSM_OFF_GENERATION_NUM, s->generation_num);
	le_put32(p + IMSM_OFF_ERROR_LOG_SIZE, s->error_log_size);
	le_put32(p + IMSM_OFF_ATTRIBUTES, s->attributes);
	p[IMSM_OFF_NUM_DISKS] = s->num_disks;
	p[IMSM_OFF_NUM_RAID_DEVS] = s->num_raid_devs;
	p[IMSM_OFF_ERROR_LOG_POS] = s->error_log_pos;
	p[IMSM_OFF_FILL] = s->fill;
	le_put32(p + IMSM_OFF_CACHE_SIZE, s->cache_size);
	le_put32(p + IMSM_OFF_ORIG_FAMILY_NUM, s->orig_family_num);
	le_put32(p + IMSM_OFF_PWR_CYCLE_COUNT, s->pwr_cycle_count);
	le_put32(p + IMSM_OFF_BBM_LOG_SIZE, s->bbm_log_bytes);
	le_put16(p + IMSM_OFF_NUM_RAID_DEVS_CREATED, s->num_raid_devs_created);
	le_put16(p + IMSM_OFF_FILLER1, s->filler1);
	le_put64(p + IMSM_OFF_CREATION_TIME, s->creation_time);
	memcpy(p + IMSM_OFF_FILLER, s->filler, sizeof(s->filler));
}

static void put_disk(const struct imsm_disk *d, bool hi_valid, uint8_t *p)
{
	memcpy(p + IMSM_DISK_OFF_SERIAL, d->serial, IMSM_SERIAL_BYTES);
	put_split(p + IMSM_DISK_OFF_TOTAL_BLOCKS_LO, p + IMSM_DISK_OFF_TOTAL_BLOCKS_HI,
		  d->total_blocks, hi_valid, d->ignored_hi);
	le_put32(p + IMSM_DISK_OFF_SCSI_ID, d->scsi_id);
	le_put32(p + IMSM_DISK_OFF_STATUS, d->status);
	le_put32(p + IMSM_DISK_OFF_OWNER_CFG_NUM, d->owner_cfg_num);
	memcpy(p + IMSM_DISK_OFF_FILLER, d->filler, sizeof(d->filler));
}

/* Returns the bytes written. */
static size_t put_map(const struct imsm_map *m, bool hi_valid, uint8_t *p)
{
	unsigned int i;

	put_split(p + IMSM_MAP_OFF_PBA_OF_LBA0_LO, p + IMSM_MAP_OFF_PBA_OF_LBA0_HI, m->pba_of_lba0,
		  hi_valid, m->ignored_pba_hi);
	put_split(p + IMSM_MAP_OFF_BLOCKS_PER_MEMBER_LO, p + IMSM_MAP_OFF_BLOCKS_PER_MEMBER_HI,
		  m->blocks_per_member, hi_valid, m->ignored_bpm_hi);
	put_split(p + IMSM_MAP_OFF_NUM_DATA_STRIPES_LO, p + IMSM_MAP_OFF_NUM_DATA_STRIPES_HI,
		  m->num_data_stripes, hi_valid, m->ignored_nds_hi);
	le_put16(p + IMSM_MAP_OFF_BLOCKS_PER_STRIP, m->blocks_per_strip);
	p[IMSM_MAP_OFF_MAP_STATE] = m->map_state;
	p[IMSM_MAP_OFF_RAID_LEVEL] = m->raid_level;
	p[IMSM_MAP_OFF_NUM_MEMBERS] = m->num_members;
	p[IMSM_MAP_OFF_NUM_DOMAINS] = m->num_domains;
	p[IMSM_MAP_OFF_FAILED_DISK_NUM] = m->failed_disk_num;
	p[IMSM_MAP_OFF_DDF] = m->ddf;
	memcpy(p + IMSM_MAP_OFF_FILLER, m->filler, sizeof(m->filler));
	for (i = 0; i < m->num_members; i++)
		le_put32(p + IMSM_MAP_OFF_ORD + IMSM_ORD_BYTES * i, m->disk_ord_tbl[i]);
	return imsm_map_bytes(m);
}

static void put_dev_fields(const struct imsm_dev *d, uint8_t *p)
{
	memcpy(p + IMSM_DEV_OFF_VOLUME, d->volume, IMSM_NAME_BYTES);
	le_put64(p + IMSM_DEV_OFF_SIZE_LOW, d->size_blocks);
	le_put32(p + IMSM_DEV_OFF_STATUS, d->status);
	le_put32(p + IMSM_DEV_OFF_RESERVED_BLOCKS, d->reserved_blocks);
	p[IMSM_DEV_OFF_MIGR_PRIORITY] = d->migr_priority;
	p[IMSM_DEV_OFF_NUM_SUB_VOLS] = d->num_sub_vols;
	p[IMSM_DEV_OFF_TID] = d->tid;
	p[IMSM_DEV_OFF_CNG_MASTER_DISK] = d->cng_master_disk;
	le_put16(p + IMSM_DEV_OFF_CACHE_POLICY, d->cache_policy);
	p[IMSM_DEV_OFF_CNG_STATE] = d->cng_state;
	p[IMSM_DEV_OFF_CNG_SUB_STATE] = d->cng_sub_state;
	le_put16(p + IMSM_DEV_OFF_MY_VOL_RAID_DEV_NUM, d->my_vol_raid_dev_num);
	p[IMSM_DEV_OFF_NV_CACHE_MODE] = d->nv_cache_mode;
	p[IMSM_DEV_OFF_NV_CACHE_FLAGS] = d->nv_cache_flags;
	le_put32(p + IMSM_DEV_OFF_NVC_VOL_ORIG_FAMILY_NUM, d->nvc_vol_orig_family_num);
	le_put16(p + IMSM_DEV_OFF_NVC_VOL_RAID_DEV_NUM, d->nvc_vol_raid_dev_num);
	p[IMSM_DEV_OFF_RWH_POLICY] = d->rwh_policy;
	memcpy(p + IMSM_DEV_OFF_JD_SERIAL, d->jd_serial, IMSM_SERIAL_BYTES);
	p[IMSM_DEV_OFF_FILLER1] = d->filler1;
	memcpy(p + IMSM_DEV_OFF_FILLER, d->filler, sizeof(d->filler));
}

static void put_vol_fields(const struct imsm_vol *v, uint8_t *p)
{
	le_put32(p + IMSM_DEV_OFF_CURR_MIGR_UNIT_LO, (uint32_t)v->curr_migr_unit);
	le_put32(p + IMSM_DEV_OFF_CHECKPOINT_ID, v->checkpoint_id);
	p[IMSM_DEV_OFF_MIGR_STATE] = v->migr_state;
	p[IMSM_DEV_OFF_MIGR_TYPE] = v->migr_type;
	p[IMSM_DEV_OFF_DIRTY] = v->dirty;
	p[IMSM_DEV_OFF_FS_STATE] = v->fs_state;
	le_put16(p + IMSM_DEV_OFF_VERIFY_ERRORS, v->verify_errors);
	le_put16(p + IMSM_DEV_OFF_BAD_BLOCKS, v->bad_blocks);
	le_put32(p + IMSM_DEV_OFF_CURR_MIGR_UNIT_HI, (uint32_t)(v->curr_migr_unit >> 32));
	memcpy(p + IMSM_DEV_OFF_VOL_FILLER, v->filler, sizeof(v->filler));
}

/* Returns the bytes written. */
static size_t put_dev(const struct imsm_dev *d, bool hi_valid, uint8_t *p)
{
	size_t at = IMSM_DEV_FIXED_BYTES;

	put_dev_fields(d, p);
	put_vol_fields(&d->vol, p);
	at += put_map(&d->vol.map[0], hi_valid, p + at);
	if (d->vol.migr_state)
		at += put_map(&d->vol.map[1], hi_valid, p + at);
	return at;
}

int imsm_encode(const struct imsm_super *s, void *buf, size_t len, size_t *ret_len)
{
	bool hi_valid = hi_words_valid(s);
	size_t mpb = imsm_mpb_bytes(s), at;
	uint8_t *p = buf;
	unsigned int warn, i;
	int r;

	if (mpb > IMSM_MPB_MAX_BYTES || mpb % 4)
		return -EINVAL;
	r = validate(s, mpb, &warn);
	if (r < 0)
		return r;
	if (len < mpb)
		return -ENOSPC;
	put_header(s, p, (uint32_t)mpb);
	at = IMSM_OFF_DISKS;
	for (i = 0; i < s->num_disks; i++, at += IMSM_DISK_BYTES)
		put_disk(&s->disk[i], hi_valid, p + at);
	for (i = 0; i < s->num_raid_devs; i++)
		at += put_dev(&s->dev[i], hi_valid, p + at);
	memcpy(p + at, s->slack, s->slack_bytes);
	at += s->slack_bytes;
	memcpy(p + at, s->bbm_log, s->bbm_log_bytes);
	le_put32(p + IMSM_OFF_CHECK_SUM, imsm_checksum(p, mpb));
	memset(p + mpb, 0, len - mpb);
	*ret_len = mpb;
	return 0;
}

/* ---- where things are on a disk (§1.1, §6.7) -------------------------------- */

int imsm_mpb_location(uint64_t disk_sectors, uint32_t sector_bytes, uint32_t mpb_bytes,
		      struct imsm_mpb_location *ret)
{
	uint64_t sectors;

	if ((sector_bytes != 512 && sector_bytes != 4096) || mpb_bytes == 0)
		return -EINVAL;
	sectors = DIV_ROUND_UP((uint64_t)mpb_bytes, sector_bytes);
	/* §10.3: S <= N - 2, and a disk has at least 3 sectors */
	if (disk_sectors < IMSM_MIN_DISK_SECTORS || sectors > disk_sectors - 2)
		return -ENOSPC;
	ret->migr_rec_lba = disk_sectors - IMSM_MIGR_REC_SECTOR_POSITION;
	ret->anchor_lba = disk_sectors - IMSM_ANCHOR_SECTOR_POSITION;
	ret->ext_lba = disk_sectors - 1 - sectors;
	ret->ext_sectors = (uint32_t)sectors - 1;
	ret->mpb_sectors = (uint32_t)sectors;
	return 0;
}

int imsm_ckpt_area_pba_blocks(uint64_t min_disk_blocks, uint64_t *ret_pba)
{
	if (min_disk_blocks < IMSM_CKPT_AREA_BEFORE_END_BLOCKS)
		return -ENOSPC;
	*ret_pba = min_disk_blocks - IMSM_CKPT_AREA_BEFORE_END_BLOCKS;
	return 0;
}

/* ---- does a copy fit its device ---------------------------------------------- */

/* End of the data of map m: pba + data, saturating. */
static uint64_t map_end_blocks(const struct imsm_map *m)
{
	uint64_t end;

	if (__builtin_add_overflow(m->pba_of_lba0, imsm_map_data_blocks(m), &end))
		return UINT64_MAX;
	return end;
}

static int misfit(enum imsm_misfit_kind kind, int vol, uint64_t end, uint64_t limit,
		  struct imsm_misfit *ret)
{
	*ret = (struct imsm_misfit){ .kind = kind, .vol = vol, .end_blocks = end,
				     .limit_blocks = limit };
	return -EFBIG;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* The copy area of general migration d: from the smallest map[0] member
 * the table lists; -ENOSPC when that is smaller than the area's offset. */
static int copy_area_of(const struct imsm_super *s, const struct imsm_dev *d, uint64_t *ret_pba)
{
	const struct imsm_map *m = &d->vol.map[0];
	uint64_t min = UINT64_MAX;

	for (unsigned int i = 0; i < m->num_members; i++) {
		uint32_t idx = m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK;

		if (idx < s->num_disks && s->disk[idx].total_blocks < min)
			min = s->disk[idx].total_blocks;
	}
	return imsm_ckpt_area_pba_blocks(min, ret_pba);
}

/* The maps of volume v that use disk: their extents below limit. */
static int check_extents(const struct imsm_vol *v, int vol, uint32_t disk, uint64_t limit,
			 struct imsm_misfit *ret)
{
	for (unsigned int j = 0; j <= (v->migr_state ? 1u : 0u); j++) {
		const struct imsm_map *m = &v->map[j];
		uint64_t end = add_sat(m->pba_of_lba0, m->blocks_per_member);

		if (imsm_map_uses_disk(m, disk) && end > limit)
			return misfit(IMSM_MISFIT_EXTENT, vol, end, limit, ret);
	}
	return 0;
}

/* General migration vol: its copy area below limit, and no data of this
 * disk reaching into it. */
static int check_copy_area(const struct imsm_super *s, int vol, uint32_t disk, uint64_t limit,
			   struct imsm_misfit *ret)
{
	uint64_t pba, end, data_end;

	if (!imsm_map_uses_disk(&s->dev[vol].vol.map[0], disk))
		return 0;
	if (copy_area_of(s, &s->dev[vol], &pba))
		return misfit(IMSM_MISFIT_COPY_AREA, vol, IMSM_GEN_MIGR_AREA_BLOCKS, 0, ret);
	end = add_sat(pba, IMSM_GEN_MIGR_AREA_BLOCKS);
	if (end > limit)
		return misfit(IMSM_MISFIT_COPY_AREA, vol, end, limit, ret);
	for (unsigned int i = 0; i < num_devs(s); i++) {
		const struct imsm_vol *v = &s->dev[i].vol;

		for (unsigned int j = 0; j <= (v->migr_state ? 1u : 0u); j++) {
			data_end = map_end_blocks(&v->map[j]);
			if (imsm_map_uses_disk(&v->map[j], disk) && data_end > pba)
				return misfit(IMSM_MISFIT_DATA_IN_AREA, (int)i, data_end, pba, ret);
		}
	}
	return 0;
}

int imsm_check_fits(const struct imsm_super *s, int disk_index, uint64_t meta_start_blocks,
		    struct imsm_misfit *ret)
{
	uint32_t disk = (uint32_t)disk_index;
	int r = 0;

	if (disk_index < 0)
		return 0;
	for (unsigned int i = 0; !r && i < num_devs(s); i++)
		r = check_extents(&s->dev[i].vol, (int)i, disk, meta_start_blocks, ret);
	for (unsigned int i = 0; !r && i < num_devs(s); i++)
		if (is_gen_migr(&s->dev[i]))
			r = check_copy_area(s, (int)i, disk, meta_start_blocks, ret);
	return r;
}

/* ---- reservations and placement (§1.5, §5.3) -------------------------------- */

uint64_t imsm_disk_data_end_blocks(const struct imsm_super *s, unsigned int disk_index)
{
	uint64_t end = 0;
	unsigned int i, j;

	for (i = 0; i < num_devs(s); i++) {
		const struct imsm_vol *v = &s->dev[i].vol;

		for (j = 0; j <= (v->migr_state ? 1u : 0u); j++)
			if (imsm_map_uses_disk(&v->map[j], disk_index) &&
			    map_end_blocks(&v->map[j]) > end)
				end = map_end_blocks(&v->map[j]);
	}
	return end;
}

uint64_t imsm_reserved_blocks(uint64_t disk_blocks, uint64_t data_end_blocks, uint32_t mpb_bytes)
{
	uint64_t mpb_blocks = DIV_ROUND_UP((uint64_t)mpb_bytes, IMSM_BLOCK_BYTES), rem;

	if (data_end_blocks == 0)
		return IMSM_DEFAULT_RESERVED_BLOCKS;
	rem = data_end_blocks < disk_blocks ? (disk_blocks - data_end_blocks) & ~1ull : 0;
	if (rem < mpb_blocks)
		rem = mpb_blocks;
	return rem < IMSM_DEFAULT_RESERVED_BLOCKS ? rem : IMSM_DEFAULT_RESERVED_BLOCKS;
}

uint64_t imsm_spare_reserved_blocks(uint64_t smallest_member_reserved_blocks)
{
	const uint64_t min = IMSM_MPB_SECTOR_CNT + IMSM_GEN_MIGR_AREA_BLOCKS;

	return smallest_member_reserved_blocks < min ? smallest_member_reserved_blocks : min;
}

uint64_t imsm_next_volume_pba_blocks(const struct imsm_dev *prev)
{
	uint64_t end = map_end_blocks(&prev->vol.map[0]);

	return end > UINT64_MAX - IMSM_RESERVED_SECTORS ? UINT64_MAX : end + IMSM_RESERVED_SECTORS;
}

/* ---- volume size (§5.4) ---------------------------------------------------- */

uint64_t imsm_default_member_kib(int md_level, uint32_t chunk_kib, uint64_t free_blocks)
{
	/* RAID1 has no chunk; upstream rounds to its fixed 64 KiB strip */
	uint64_t unit = md_level == 1 ? 64 : chunk_kib;

	if (unit == 0)
		return 0;
	return free_blocks / 2 / unit * unit;
}

uint64_t imsm_member_data_blocks(int md_level, uint32_t bps_blocks, uint64_t member_kib)
{
	uint64_t per;

	if (member_kib > UINT64_MAX / 2)
		return 0;
	per = member_kib * 2;
	if (md_level != 1) {
		if (bps_blocks == 0)
			return 0;
		per = per / bps_blocks * bps_blocks;
	}
	return per / IMSM_DIRTY_STRIPE_REGION_BLOCKS * IMSM_DIRTY_STRIPE_REGION_BLOCKS;
}

int imsm_volume_geometry(int md_level, unsigned int num_members, uint32_t bps_blocks,
			 uint64_t member_kib, struct imsm_geometry *ret)
{
	struct imsm_geometry g = {0};
	int dm = imsm_data_members(md_level, num_members);

	if (dm < 0 || bps_blocks == 0 || bps_blocks > UINT16_MAX ||
	    imsm_level_byte(md_level, num_members, &g.raid_level) < 0)
		return -EINVAL;
	g.data_members = (unsigned int)dm;
	g.num_domains = imsm_num_domains(md_level);
	g.member_data_blocks = imsm_member_data_blocks(md_level, bps_blocks, member_kib);
	if (g.member_data_blocks < IMSM_DIRTY_STRIPE_REGION_BLOCKS ||
	    __builtin_mul_overflow(g.member_data_blocks, (uint64_t)dm, &g.size_blocks) ||
	    g.member_data_blocks > UINT64_MAX - IMSM_DIRTY_STRIPE_REGION_BLOCKS)
		return -ERANGE;
	g.blocks_per_member = g.member_data_blocks + IMSM_DIRTY_STRIPE_REGION_BLOCKS;
	if (md_level != 1)
		g.blocks_per_member = g.blocks_per_member / bps_blocks * bps_blocks;
	g.num_data_stripes = g.size_blocks / g.data_members / g.num_domains / bps_blocks;
	*ret = g;
	return 0;
}

/* ---- version string and attributes (§4) ------------------------------------ */

void imsm_version_refresh(struct imsm_super *s)
{
	const char *v = imsm_version_for(s, IMSM_POLICY_LEGACY);

	if (strcmp(v, s->version) > 0)
		snprintf(s->version, sizeof(s->version), "%s", v);
	s->attributes = imsm_attributes_for(s, IMSM_POLICY_LEGACY);
}

/* Legacy rule 2 of §4.1 for the only volume. */
static const char *legacy_single_volume_version(const struct imsm_dev *d)
{
	const struct imsm_map *m = &d->vol.map[0];
	int level = imsm_map_md_level(m);

	if (m->num_members >= 5)
		return "1.2.04";
	if (d->status == IMSM_DEV_CLONE_N_GO)
		return "1.2.06";
	if (level == 5)
		return "1.2.02";
	if (m->num_members >= 3)
		return "1.2.01";
	if (level == 1)
		return "1.1.00";
	return "1.0.00";
}

const char *imsm_version_for(const struct imsm_super *s, enum imsm_version_policy policy)
{
	if (policy == IMSM_POLICY_CURRENT)
		return "1.3.00";
	if (s->num_raid_devs == 0)
		return "1.0.00";
	if (s->num_raid_devs > 1 || (s->attributes & ~IMSM_ATTR_CHECKSUM_VERIFY))
		return "1.3.00";
	return legacy_single_volume_version(&s->dev[0]);
}

/* Level, RAID10_EXT and 2TB bits of the volumes (§4.2). */
static uint32_t volume_attributes(const struct imsm_super *s)
{
	uint32_t a = 0;
	unsigned int i;

	for (i = 0; i < num_devs(s); i++) {
		const struct imsm_map *m = &s->dev[i].vol.map[0];

		switch (imsm_map_md_level(m)) {
		case 0:
			a |= IMSM_ATTR_RAID0;
			break;
		case 1:
			a |= IMSM_ATTR_RAID1;
			break;
		case 5:
			a |= IMSM_ATTR_RAID5;
			break;
		case 10:
			a |= IMSM_ATTR_RAID10 | (m->num_members > 4 ? IMSM_ATTR_RAID10_EXT : 0);
			break;
		}
		if (s->dev[i].size_blocks >> 32)
			a |= IMSM_ATTR_2TB;
	}
	return a;
}

static bool has_big_disk(const struct imsm_super *s)
{
	unsigned int i;

	for (i = 0; i < s->num_disks; i++)
		if (s->disk[i].total_blocks >> 32)
			return true;
	return false;
}

uint32_t imsm_attributes_for(const struct imsm_super *s, enum imsm_version_policy policy)
{
	uint32_t a = s->attributes | (has_big_disk(s) ? IMSM_ATTR_2TB_DISK : 0);

	if (s->num_raid_devs == 0) /* spare record: written fresh */
		return (a & IMSM_ATTR_2TB_DISK) |
		       (policy == IMSM_POLICY_LEGACY ? IMSM_ATTR_CHECKSUM_VERIFY : 0);
	/* legacy mdadm set level bits only together with version 1.3.00 */
	if (policy == IMSM_POLICY_CURRENT || strcmp(imsm_version_for(s, policy), "1.3.00") == 0)
		a |= volume_attributes(s);
	a |= IMSM_ATTR_CHECKSUM_VERIFY;
	if (s->bbm_log_bytes)
		return a | IMSM_ATTR_BBM;
	return a & ~IMSM_ATTR_BBM;
}

bool imsm_attributes_supported(uint32_t attributes)
{
	return (attributes & ~IMSM_ATTR_TOLERATED) == 0;
}
