/*
 * imsm-examine.c: --examine for IMSM (see imsm-examine.h).
 *
 * Owns the UUID derivation (with its own SHA-1: the only hash the project
 * needs), the values derived for display, and the exact text of
 * imsm-format.md §8.1-§8.3.  Never reads a device, never validates: the
 * copy was validated by imsm_decode().  Builders compute, printers format.
 */
#include "imsm-examine.h"
#include "imsm-migr.h"
#include "render.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

/* ---- SHA-1 (FIPS 180-4 §6.1) ----------------------------------------------- */

static uint32_t rol32(uint32_t x, unsigned int n)
{
	return x << n | x >> (32 - n);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64_split(const uint8_t *lo, const uint8_t *hi)
{
	return (uint64_t)get_le32(hi) << 32 | get_le32(lo);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Round function and constant of step t (0..79). */
static uint32_t sha1_f(unsigned int t, uint32_t b, uint32_t c, uint32_t d, uint32_t *ret_k)
{
	if (t < 20) {
		*ret_k = 0x5A827999;
		return (b & c) | (~b & d);
	}
	if (t < 40) {
		*ret_k = 0x6ED9EBA1;
		return b ^ c ^ d;
	}
	if (t < 60) {
		*ret_k = 0x8F1BBCDC;
		return (b & c) | (b & d) | (c & d);
	}
	*ret_k = 0xCA62C1D6;
	return b ^ c ^ d;
}

static void sha1_block(uint32_t h[5], const uint8_t *block)
{
	uint32_t w[80], v[5], k, f, tmp;
	unsigned int t;

	for (t = 0; t < 16; t++)
		w[t] = get_be32(block + 4 * t);
	for (t = 16; t < 80; t++)
		w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	memcpy(v, h, sizeof(v));
	for (t = 0; t < 80; t++) {
		f = sha1_f(t, v[1], v[2], v[3], &k);
		tmp = rol32(v[0], 5) + f + v[4] + k + w[t];
		v[4] = v[3];
		v[3] = v[2];
		v[2] = rol32(v[1], 30);
		v[1] = v[0];
		v[0] = tmp;
	}
	for (t = 0; t < 5; t++)
		h[t] += v[t];
}

void imsm_sha1(const void *data, size_t len, uint8_t ret[20])
{
	uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
	const uint8_t *p = data;
	uint8_t tail[128] = {0};
	uint64_t bits = (uint64_t)len * 8;
	size_t rest = len % 64, tail_len = rest < 56 ? 64 : 128;

	for (size_t off = 0; off + 64 <= len; off += 64)
		sha1_block(h, p + off);
	/* the message ends with 0x80, zeros and its length in bits, big endian */
	memcpy(tail, p + len - rest, rest);
	tail[rest] = 0x80;
	for (unsigned int i = 0; i < 8; i++)
		tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
	for (size_t off = 0; off < tail_len; off += 64)
		sha1_block(h, tail + off);
	for (unsigned int i = 0; i < 20; i++)
		ret[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
}

/* ---- UUIDs (§8.6) ------------------------------------------------------------- */

void imsm_uuid(const struct imsm_super *s, int vol_index, uint32_t ret[IMSM_UUID_WORDS])
{
	/* signature | family | volume index | volume name field */
	uint8_t msg[IMSM_SIGNATURE_BYTES + 4 + 4 + IMSM_NAME_BYTES], digest[20];
	size_t len = IMSM_SIGNATURE_BYTES + 4;
	uint32_t family = s->orig_family_num ? s->orig_family_num : s->family_num;

	memset(ret, 0, IMSM_UUID_WORDS * sizeof(ret[0]));
	if (s->num_raid_devs == 0 || vol_index >= (int)s->num_raid_devs)
		return;
	memcpy(msg, IMSM_SIGNATURE, IMSM_SIGNATURE_BYTES);
	put_le32(msg + IMSM_SIGNATURE_BYTES, family);
	if (vol_index >= 0) {
		put_le32(msg + len, (uint32_t)vol_index);
		memcpy(msg + len + 4, s->dev[vol_index].volume, IMSM_NAME_BYTES);
		len += 4 + IMSM_NAME_BYTES;
	}
	imsm_sha1(msg, len, digest);
	for (unsigned int i = 0; i < IMSM_UUID_WORDS; i++)
		ret[i] = get_le32(digest + 4 * i);
}

void imsm_uuid_text(const uint32_t uuid[IMSM_UUID_WORDS], char ret[IMSM_UUID_TEXT_BYTES])
{
	snprintf(ret, IMSM_UUID_TEXT_BYTES, "%08x:%08x:%08x:%08x", uuid[0], uuid[1], uuid[2],
		 uuid[3]);
}

/* ---- sizes ------------------------------------------------------------------------ */

void imsm_human_size(uint64_t bytes, char *buf, size_t len)
{
	render_human_size(bytes, buf, len);
}

/* ---- migration record (§2.8) ----------------------------------------------------- */

int imsm_examine_decode_migr_rec(const void *buf, size_t len, struct imsm_examine_migr_rec *ret)
{
	const uint8_t *p = buf;

	if (len < IMSM_MIGR_REC_BYTES)
		return -EMSGSIZE;
	memset(ret, 0, sizeof(*ret));
	ret->rec_status = get_le32(p + 0x00);
	ret->curr_migr_unit = get_le64_split(p + 0x04, p + 0x30);
	ret->family_num = get_le32(p + 0x08);
	ret->ascending_migr = get_le32(p + 0x0C);
	ret->blocks_per_unit = get_le32(p + 0x10);
	ret->dest_depth_per_unit = get_le32(p + 0x14);
	ret->ckpt_area_pba = get_le64_split(p + 0x18, p + 0x34);
	ret->dest_1st_member_lba = get_le64_split(p + 0x1C, p + 0x38);
	ret->num_migr_units = get_le64_split(p + 0x20, p + 0x3C);
	ret->post_migr_vol_cap = get_le64_split(p + 0x24, p + 0x28);
	ret->ckpt_read_disk_num = get_le32(p + 0x2C);
	return 0;
}

/* ---- checkpoint factor (§6.2, arithmetic in imsm-migr.c) ------------------------ */

/* Fill factor/factor_known of a migrating volume. */
static void build_factor(const struct imsm_examine *ex, const struct imsm_dev *d,
			 struct imsm_examine_vol *ret)
{
	ret->factor_known = true;
	switch (d->vol.migr_type) {
	case IMSM_MIGR_INIT:
	case IMSM_MIGR_VERIFY:
	case IMSM_MIGR_REBUILD:
		ret->factor = imsm_migr_blocks_per_unit(d);
		break;
	case IMSM_MIGR_GEN_MIGR:
		/* only slot 0/1 disks carry the record the factor comes from */
		ret->factor_known = ex->migr_rec && (ret->self_slot == 0 || ret->self_slot == 1);
		ret->factor = ret->factor_known ? ex->migr_rec->blocks_per_unit : 0;
		break;
	default:
		ret->factor = 0;
		break;
	}
}

/* ---- who is the examined disk ------------------------------------------------------ */

static int find_serial(const struct imsm_super *s, const char *serial)
{
	for (unsigned int i = 0; serial && serial[0] && i < s->num_disks; i++)
		if (memcmp(s->disk[i].serial, serial, IMSM_SERIAL_BYTES) == 0)
			return (int)i;
	return -1;
}

/* Position of disk index idx in a map, -1 when it has no slot there. */
static int map_slot_of(const struct imsm_map *m, int idx)
{
	for (unsigned int i = 0; idx >= 0 && i < m->num_members; i++)
		if ((m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK) == (uint32_t)idx)
			return (int)i;
	return -1;
}

static void build_self(const struct imsm_examine_src *src, struct imsm_examine *ex)
{
	const struct imsm_super *s = src->mpb;
	int i = find_serial(s, src->serial);
	uint32_t status = i >= 0 ? s->disk[i].status : 0;
	uint64_t disk_blocks;

	ex->self_index = i;
	if (i < 0 || (status & IMSM_DISK_FAILED)) {
		ex->self = IMSM_SELF_NONE;
		ex->reserved_blocks = IMSM_DEFAULT_RESERVED_BLOCKS;
	} else if (status & (IMSM_DISK_SPARE | IMSM_DISK_JOURNAL)) {
		ex->self = IMSM_SELF_SPARE;
		ex->reserved_blocks = IMSM_MPB_SECTOR_CNT;
	} else {
		ex->self = IMSM_SELF_MEMBER;
		disk_blocks = s->disk[i].total_blocks * (src->sector_bytes / IMSM_BLOCK_BYTES);
		ex->reserved_blocks = imsm_reserved_blocks(
		    disk_blocks, imsm_disk_data_end_blocks(s, (unsigned int)i), s->mpb_size_bytes);
	}
}

static void build_vol(struct imsm_examine *ex, unsigned int v)
{
	const struct imsm_dev *d = &ex->mpb->dev[v];
	const struct imsm_map *m = &d->vol.map[d->vol.migr_state ? 1 : 0];
	struct imsm_examine_vol *ret = &ex->vol[v];
	int self = ex->self == IMSM_SELF_MEMBER ? ex->self_index : -1;

	imsm_uuid(ex->mpb, (int)v, ret->uuid);
	ret->self_slot = map_slot_of(&d->vol.map[0], self);
	/* map[1] may be narrower (capacity expansion): no entry, no flag */
	ret->self_out_of_sync = ret->self_slot >= 0 && ret->self_slot < m->num_members &&
				(m->disk_ord_tbl[ret->self_slot] & IMSM_ORD_REBUILD);
	if (d->vol.migr_state)
		build_factor(ex, d, ret);
}

void imsm_examine_build(const struct imsm_examine_src *src, struct imsm_examine *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->mpb = src->mpb;
	ret->sector_bytes = src->sector_bytes ? src->sector_bytes : IMSM_BLOCK_BYTES;
	ret->checksum_ok = src->checksum_ok;
	ret->migr_rec = src->migr_rec;
	build_self(src, ret);
	imsm_uuid(src->mpb, IMSM_UUID_CONTAINER, ret->uuid);
	for (unsigned int v = 0; v < src->mpb->num_raid_devs && v < IMSM_MAX_RAID_DEVS; v++)
		build_vol(ret, v);
}

/* ---- text rendering (§8.1) --------------------------------------------------------- */

/* "%15s : " then the value: every label of the text form is aligned so. */
static void field(FILE *f, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void field(FILE *f, const char *label, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "%15s : ", label);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* ctime()'s 24 characters in the C locale, from local time. */
static void creation_time_text(uint64_t secs, char *buf, size_t len)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	time_t t = (time_t)secs;
	struct tm tm;

	if (secs == 0 || (uint64_t)t != secs || !localtime_r(&t, &tm)) {
		snprintf(buf, len, "Unknown");
		return;
	}
	snprintf(buf, len, "%.3s %.3s%3d %.2d:%.2d:%.2d %d", days + 3 * tm.tm_wday,
		 months + 3 * tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 tm.tm_year + 1900);
}

static void print_header(FILE *f, const struct imsm_examine *ex)
{
	const struct imsm_super *s = ex->mpb;
	char text[IMSM_UUID_TEXT_BYTES > 64 ? IMSM_UUID_TEXT_BYTES : 64];

	field(f, "Magic", "%.*s", IMSM_SIGNATURE_BYTES - 1, IMSM_SIGNATURE);
	field(f, "Version", "%s", s->version);
	field(f, "Orig Family", "%08x", s->orig_family_num);
	field(f, "Family", "%08x", s->family_num);
	field(f, "Generation", "%08x", s->generation_num);
	creation_time_text(s->creation_time, text, sizeof(text));
	field(f, "Creation Time", "%.24s", text);
	field(f, "Attributes", "%08x (%s)", s->attributes,
	      imsm_attributes_supported(s->attributes) ? "supported" : "not supported");
	imsm_uuid_text(ex->uuid, text);
	field(f, "UUID", "%s", text);
	field(f, "Checksum", "%08x %s", s->check_sum, ex->checksum_ok ? "correct" : "incorrect");
	field(f, "MPB Sectors", "%u",
	      (s->mpb_size_bytes + ex->sector_bytes - 1) / ex->sector_bytes);
	field(f, "Disks", "%u", s->num_disks);
	field(f, "RAID Devices", "%u", s->num_raid_devs);
}

/* A count of blocks as "N (human)" in logical sectors of the disk. */
static void size_field(FILE *f, const struct imsm_examine *ex, const char *label, uint64_t units)
{
	char human[64];

	imsm_human_size(units * ex->sector_bytes, human, sizeof(human));
	field(f, label, "%llu%s", (unsigned long long)units, human);
}

/* Disk block: "  DiskNN Serial" for table entry i, or the "    Disk Serial" of a spare. */
static void print_disk(FILE *f, const struct imsm_examine *ex, unsigned int i, bool numbered)
{
	const struct imsm_disk *d = &ex->mpb->disk[i];
	uint64_t blocks = d->total_blocks * (ex->sector_bytes / IMSM_BLOCK_BYTES);
	uint64_t usable = blocks > ex->reserved_blocks ? blocks - ex->reserved_blocks : 0;
	char label[32], serial[IMSM_SERIAL_BYTES + 1];

	if (numbered)
		snprintf(label, sizeof(label), "Disk%02u Serial", i);
	else
		snprintf(label, sizeof(label), "Disk Serial");
	fputc('\n', f);
	field(f, label, "%s",
	      render_safe(serial, sizeof(serial), (const char *)d->serial, IMSM_SERIAL_BYTES,
			  RENDER_TEXT));
	fprintf(f, "%15s :%s%s%s%s\n", "State", d->status & IMSM_DISK_SPARE ? " spare" : "",
		d->status & IMSM_DISK_CONFIGURED ? " active" : "",
		d->status & IMSM_DISK_FAILED ? " failed" : "",
		d->status & IMSM_DISK_JOURNAL ? " journal" : "");
	field(f, "Id", "%08x", d->scsi_id);
	size_field(f, ex, "Usable Size", usable * IMSM_BLOCK_BYTES / ex->sector_bytes);
}

static void print_bbm(FILE *f, const struct imsm_super *s)
{
	uint32_t count = s->bbm_log_bytes >= IMSM_BBM_HEADER_BYTES ? get_le32(s->bbm_log + 4) : 0;

	if (count == 0)
		return;
	fprintf(f, "\nBad Block Management Log:\n");
	field(f, "Log Size", "%u", s->bbm_log_bytes);
	field(f, "Signature", "%x", get_le32(s->bbm_log));
	field(f, "Entry Count", "%u", count);
}

static const char *map_state_text(uint8_t state)
{
	static const char *const text[] = {
	    [IMSM_MAP_NORMAL] = "normal",
	    [IMSM_MAP_UNINITIALIZED] = "uninitialized",
	    [IMSM_MAP_DEGRADED] = "degraded",
	    [IMSM_MAP_FAILED] = "failed",
	};

	return state < sizeof(text) / sizeof(text[0]) ? text[state] : "unknown";
}

static void migrate_state_text(const struct imsm_dev *d, char *buf, size_t len)
{
	static const char *const text[] = {
	    [IMSM_MIGR_INIT] = "initialize",
	    [IMSM_MIGR_REBUILD] = "rebuild",
	    [IMSM_MIGR_VERIFY] = "check",
	    [IMSM_MIGR_GEN_MIGR] = "general migration",
	    [IMSM_MIGR_STATE_CHANGE] = "state change",
	};
	uint8_t t = d->vol.migr_type;

	if (!d->vol.migr_state)
		snprintf(buf, len, "idle");
	else if (imsm_migr_type(d) == IMSM_MIGR_REPAIR)
		snprintf(buf, len, "repair");
	else if (t < sizeof(text) / sizeof(text[0]))
		snprintf(buf, len, "%s", text[t]);
	else
		snprintf(buf, len, "<unknown:%u>", t);
}

static const char *rwh_policy_text(uint8_t policy, char *buf, size_t len)
{
	static const char *const text[] = {
	    "off",
	    "PPL distributed",
	    "PPL journaling drive",
	    "Multiple distributed PPLs",
	    "Multiple PPLs on journaling drive",
	    "off",
	    "Write-intent bitmap",
	};

	if (policy < sizeof(text) / sizeof(text[0]))
		return text[policy];
	snprintf(buf, len, "<unknown:%u>", policy);
	return buf;
}

/* "[UU_]": one character per slot, '_' when the ord entry is flagged. */
static void slots_text(const struct imsm_map *m, char *buf)
{
	unsigned int i;

	buf[0] = '[';
	for (i = 0; i < m->num_members; i++)
		buf[i + 1] = m->disk_ord_tbl[i] & IMSM_ORD_REBUILD ? '_' : 'U';
	buf[i + 1] = ']';
	buf[i + 2] = '\0';
}

static void print_vol_shape(FILE *f, const struct imsm_examine *ex, unsigned int v)
{
	const struct imsm_dev *d = &ex->mpb->dev[v];
	const struct imsm_map *m0 = &d->vol.map[0], *m1 = &d->vol.map[1];
	const struct imsm_examine_vol *xv = &ex->vol[v];
	char a[IMSM_MAX_MEMBERS + 3], b[IMSM_MAX_MEMBERS + 3], text[IMSM_UUID_TEXT_BYTES];
	bool two = d->vol.migr_state;

	char name[IMSM_NAME_BYTES + 1];

	/* names and serials are the disk's words: no control character gets out */
	render_safe(name, sizeof(name), (const char *)d->volume, IMSM_NAME_BYTES, RENDER_TEXT);
	fprintf(f, "\n[%s]:\n", name);
	field(f, "Subarray", "%u", v);
	imsm_uuid_text(xv->uuid, text);
	field(f, "UUID", "%s", text);
	if (two) {
		field(f, "RAID Level", "%d <-- %d", imsm_map_md_level(m0), imsm_map_md_level(m1));
		field(f, "Members", "%u <-- %u", m0->num_members, m1->num_members);
		slots_text(m0, a);
		slots_text(m1, b);
		field(f, "Slots", "%s <-- %s", a, b);
	} else {
		field(f, "RAID Level", "%d", imsm_map_md_level(m0));
		field(f, "Members", "%u", m0->num_members);
		slots_text(m0, a);
		field(f, "Slots", "%s", a);
	}
	if (m0->failed_disk_num == IMSM_FAILED_DISK_NONE)
		field(f, "Failed disk", "none");
	else
		field(f, "Failed disk", "%u", m0->failed_disk_num);
	if (xv->self_slot < 0)
		field(f, "This Slot", "?");
	else
		field(f, "This Slot", "%d%s", xv->self_slot,
		      xv->self_out_of_sync ? " (out-of-sync)" : "");
}

static void print_vol_geometry(FILE *f, const struct imsm_examine *ex, const struct imsm_dev *d)
{
	const struct imsm_map *m0 = &d->vol.map[0], *m1 = &d->vol.map[1];
	/* blocks_per_strip is in logical sectors: 512-byte blocks, or 4 KiB on 4Kn */
	unsigned long long kib0 =
	    (unsigned long long)m0->blocks_per_strip * ex->sector_bytes / 1024;
	unsigned long long kib1 =
	    (unsigned long long)m1->blocks_per_strip * ex->sector_bytes / 1024;

	field(f, "Sector Size", "%u", ex->sector_bytes);
	size_field(f, ex, "Array Size", d->size_blocks);
	size_field(f, ex, "Per Dev Size", m0->blocks_per_member);
	field(f, "Sector Offset", "%llu", (unsigned long long)m0->pba_of_lba0);
	field(f, "Num Stripes", "%llu", (unsigned long long)m0->num_data_stripes);
	if (d->vol.migr_state)
		field(f, "Chunk Size", "%llu KiB <-- %llu KiB", kib0, kib1);
	else
		field(f, "Chunk Size", "%llu KiB", kib0);
	field(f, "Reserved", "%u", d->reserved_blocks);
}

static void print_vol_state(FILE *f, const struct imsm_examine_vol *xv, const struct imsm_dev *d)
{
	const struct imsm_map *m0 = &d->vol.map[0], *m1 = &d->vol.map[1];
	char text[40];

	migrate_state_text(d, text, sizeof(text));
	field(f, "Migrate State", "%s", text);
	if (!d->vol.migr_state) {
		field(f, "Map State", "%s", map_state_text(m0->map_state));
	} else {
		field(f, "Map State", "%s <-- %s", map_state_text(m0->map_state),
		      map_state_text(m1->map_state));
		if (xv->factor_known)
			field(f, "Checkpoint", "%llu (%llu)",
			      (unsigned long long)d->vol.curr_migr_unit,
			      (unsigned long long)xv->factor);
		else
			field(f, "Checkpoint", "%llu (N/A)",
			      (unsigned long long)d->vol.curr_migr_unit);
	}
	field(f, "Dirty State", "%s", d->vol.dirty & 1 ? "dirty" : "clean");
	field(f, "RWH Policy", "%s", rwh_policy_text(d->rwh_policy, text, sizeof(text)));
	field(f, "Volume ID", "%u", d->my_vol_raid_dev_num);
}

static void migr_field(FILE *f, const char *label, unsigned long long v)
{
	fprintf(f, "%27s : %llu\n", label, v);
}

/* §8.1 migration record block, for the (only) volume in a general migration. */
static void print_migr_rec(FILE *f, const struct imsm_examine *ex, unsigned int v)
{
	const struct imsm_examine_migr_rec *r = ex->migr_rec;
	int slot = ex->vol[v].self_slot;

	fprintf(f, "\nMigration Record Information:");
	if (!r || slot < 0 || slot > 1) {
		fprintf(f, " Empty\n%30sExamine one of first two disks in array\n", "");
		return;
	}
	fprintf(f, "\n%27s : %s\n", "Status", r->rec_status == 0 ? "Normal" : "Contains Data");
	migr_field(f, "Current Unit", r->curr_migr_unit);
	migr_field(f, "Family", r->family_num);
	migr_field(f, "Ascending", r->ascending_migr);
	migr_field(f, "Blocks Per Unit", r->blocks_per_unit);
	migr_field(f, "Dest. Depth Per Unit", r->dest_depth_per_unit);
	migr_field(f, "Checkpoint Area pba", r->ckpt_area_pba);
	migr_field(f, "First member lba", r->dest_1st_member_lba);
	migr_field(f, "Total Number of Units", r->num_migr_units);
	migr_field(f, "Size of volume", r->post_migr_vol_cap);
	migr_field(f, "Record was read from", r->ckpt_read_disk_num);
}

void imsm_examine_print_text(FILE *f, const char *devname, const struct imsm_examine *ex)
{
	const struct imsm_super *s = ex->mpb;
	unsigned int i,
	    n_vols = s->num_raid_devs < IMSM_MAX_RAID_DEVS ? s->num_raid_devs : IMSM_MAX_RAID_DEVS;

	fprintf(f, "%s:\n", devname);
	print_header(f, ex);
	if (ex->self == IMSM_SELF_MEMBER)
		print_disk(f, ex, (unsigned int)ex->self_index, true);
	print_bbm(f, s);
	for (i = 0; i < n_vols; i++) {
		print_vol_shape(f, ex, i);
		print_vol_geometry(f, ex, &s->dev[i]);
		print_vol_state(f, &ex->vol[i], &s->dev[i]);
	}
	for (i = 0; i < s->num_disks; i++)
		if (ex->self != IMSM_SELF_MEMBER || (int)i != ex->self_index)
			print_disk(f, ex, i, true);
	if (ex->self == IMSM_SELF_SPARE && ex->self_index >= 0)
		print_disk(f, ex, (unsigned int)ex->self_index, false);
	for (i = 0; i < n_vols; i++)
		if (imsm_migr_is_gen_migr(&s->dev[i])) {
			print_migr_rec(f, ex, i);
			break;
		}
}

/* ---- --brief and --export (§8.2, §8.3) ------------------------------------------ */

void imsm_examine_print_brief(FILE *f, const struct imsm_super *s)
{
	uint32_t uuid[IMSM_UUID_WORDS];
	char ctr[IMSM_UUID_TEXT_BYTES], vol[IMSM_UUID_TEXT_BYTES], name[IMSM_NAME_BYTES + 1];

	imsm_uuid(s, IMSM_UUID_CONTAINER, uuid);
	imsm_uuid_text(uuid, ctr);
	fprintf(f, "ARRAY metadata=imsm UUID=%s\n", ctr);
	for (unsigned int i = 0; i < s->num_raid_devs && i < IMSM_MAX_RAID_DEVS; i++) {
		imsm_uuid(s, (int)i, uuid);
		imsm_uuid_text(uuid, vol);
		render_safe(name, sizeof(name), (const char *)s->dev[i].volume, IMSM_NAME_BYTES,
			    RENDER_WORD);
		fprintf(f, "ARRAY /dev/md/%s container=%s member=%u UUID=%s\n", name, ctr, i, vol);
	}
}

void imsm_examine_print_export(FILE *f, const struct imsm_super *s)
{
	uint32_t uuid[IMSM_UUID_WORDS];
	char text[IMSM_UUID_TEXT_BYTES];

	imsm_uuid(s, IMSM_UUID_CONTAINER, uuid);
	imsm_uuid_text(uuid, text);
	fprintf(f, "MD_METADATA=imsm\nMD_LEVEL=container\nMD_UUID=%s\n", text);
	fprintf(f, "MD_DEVICES=%u\nMD_CREATION_TIME=%llu\n", s->num_disks,
		(unsigned long long)s->creation_time);
}

bool imsm_examine_same_container(const struct imsm_super *a, const struct imsm_super *b)
{
	uint32_t fa = a->orig_family_num ? a->orig_family_num : a->family_num;
	uint32_t fb = b->orig_family_num ? b->orig_family_num : b->family_num;

	/* spare records have no container identity: they group among themselves */
	if (a->num_raid_devs == 0 || b->num_raid_devs == 0)
		return a->num_raid_devs == b->num_raid_devs;
	return strcmp(a->version, b->version) == 0 && fa == fb;
}

/* ---- JSON ---------------------------------------------------------------------------- */

static void json_uuid(struct json_out *j, const char *key, const uint32_t uuid[IMSM_UUID_WORDS])
{
	char text[IMSM_UUID_TEXT_BYTES];

	imsm_uuid_text(uuid, text);
	json_string(j, key, text);
}

static void json_hex32(struct json_out *j, const char *key, uint32_t v)
{
	char text[16];

	snprintf(text, sizeof(text), "%08x", v);
	json_string(j, key, text);
}

static void json_disk(struct json_out *j, const struct imsm_examine *ex, unsigned int i)
{
	const struct imsm_disk *d = &ex->mpb->disk[i];
	uint64_t blocks = d->total_blocks * (ex->sector_bytes / IMSM_BLOCK_BYTES);
	uint64_t usable = blocks > ex->reserved_blocks ? blocks - ex->reserved_blocks : 0;

	json_begin_object(j, NULL);
	json_uint(j, "index", i);
	json_string_n(j, "serial", (const char *)d->serial, IMSM_SERIAL_BYTES);
	json_begin_array(j, "state");
	if (d->status & IMSM_DISK_SPARE)
		json_string(j, NULL, "spare");
	if (d->status & IMSM_DISK_CONFIGURED)
		json_string(j, NULL, "active");
	if (d->status & IMSM_DISK_FAILED)
		json_string(j, NULL, "failed");
	if (d->status & IMSM_DISK_JOURNAL)
		json_string(j, NULL, "journal");
	json_end_array(j);
	json_hex32(j, "id", d->scsi_id);
	json_uint(j, "usable_size_sectors", usable * IMSM_BLOCK_BYTES / ex->sector_bytes);
	json_bool(j, "this_disk", (int)i == ex->self_index);
	json_end_object(j);
}

static void json_map(struct json_out *j, const char *key, const struct imsm_examine *ex,
		     const struct imsm_map *m)
{
	char slots[IMSM_MAX_MEMBERS + 3];

	slots_text(m, slots);
	json_begin_object(j, key);
	json_int(j, "raid_level", imsm_map_md_level(m));
	json_uint(j, "members", m->num_members);
	json_string(j, "slots", slots);
	json_string(j, "map_state", map_state_text(m->map_state));
	json_uint(j, "chunk_size_kib",
		  (unsigned long long)m->blocks_per_strip * ex->sector_bytes / 1024);
	json_end_object(j);
}

static void json_vol_state(struct json_out *j, const struct imsm_examine_vol *xv,
			   const struct imsm_dev *d)
{
	char text[40];

	migrate_state_text(d, text, sizeof(text));
	json_string(j, "migrate_state", text);
	if (d->vol.migr_state) {
		json_begin_object(j, "checkpoint");
		json_uint(j, "unit", d->vol.curr_migr_unit);
		if (xv->factor_known)
			json_uint(j, "blocks_per_unit", xv->factor);
		else
			json_null(j, "blocks_per_unit");
		json_end_object(j);
	} else {
		json_null(j, "checkpoint");
	}
	json_bool(j, "dirty", d->vol.dirty & 1);
	json_string(j, "rwh_policy", rwh_policy_text(d->rwh_policy, text, sizeof(text)));
	json_uint(j, "volume_id", d->my_vol_raid_dev_num);
}

static void json_vol(struct json_out *j, const struct imsm_examine *ex, unsigned int v)
{
	const struct imsm_dev *d = &ex->mpb->dev[v];
	const struct imsm_examine_vol *xv = &ex->vol[v];

	json_begin_object(j, NULL);
	json_uint(j, "index", v);
	json_string_n(j, "name", (const char *)d->volume, IMSM_NAME_BYTES);
	json_uuid(j, "uuid", xv->uuid);
	json_map(j, "map", ex, &d->vol.map[0]);
	if (d->vol.migr_state)
		json_map(j, "previous_map", ex, &d->vol.map[1]);
	else
		json_null(j, "previous_map");
	if (d->vol.map[0].failed_disk_num == IMSM_FAILED_DISK_NONE)
		json_null(j, "failed_disk");
	else
		json_uint(j, "failed_disk", d->vol.map[0].failed_disk_num);
	if (xv->self_slot < 0)
		json_null(j, "this_slot");
	else
		json_int(j, "this_slot", xv->self_slot);
	json_bool(j, "this_slot_out_of_sync", xv->self_out_of_sync);
	json_uint(j, "sector_size", ex->sector_bytes);
	json_uint(j, "array_size_sectors", d->size_blocks);
	json_uint(j, "per_dev_size_sectors", d->vol.map[0].blocks_per_member);
	json_uint(j, "sector_offset", d->vol.map[0].pba_of_lba0);
	json_uint(j, "num_stripes", d->vol.map[0].num_data_stripes);
	json_uint(j, "reserved", d->reserved_blocks);
	json_vol_state(j, xv, d);
	json_end_object(j);
}

void imsm_examine_print_json(struct json_out *j, const char *devname, const struct imsm_examine *ex)
{
	const struct imsm_super *s = ex->mpb;
	unsigned int n_vols = s->num_raid_devs < IMSM_MAX_RAID_DEVS ? s->num_raid_devs
								    : IMSM_MAX_RAID_DEVS;

	json_begin_object(j, NULL);
	json_string(j, "device", devname);
	json_string(j, "metadata", "imsm");
	json_string(j, "version", s->version);
	json_hex32(j, "orig_family", s->orig_family_num);
	json_hex32(j, "family", s->family_num);
	json_hex32(j, "generation", s->generation_num);
	json_uint(j, "creation_time", s->creation_time);
	json_hex32(j, "attributes", s->attributes);
	json_uuid(j, "uuid", ex->uuid);
	json_hex32(j, "checksum", s->check_sum);
	json_bool(j, "checksum_ok", ex->checksum_ok);
	json_uint(j, "mpb_sectors", (s->mpb_size_bytes + ex->sector_bytes - 1) / ex->sector_bytes);
	json_begin_array(j, "volumes");
	for (unsigned int i = 0; i < n_vols; i++)
		json_vol(j, ex, i);
	json_end_array(j);
	json_begin_array(j, "disks");
	for (unsigned int i = 0; i < s->num_disks; i++)
		json_disk(j, ex, i);
	json_end_array(j);
	json_end_object(j);
}
