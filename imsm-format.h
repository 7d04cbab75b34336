/*
 * imsm-format.h: the IMSM (Intel Matrix Storage Manager / Intel RST) on-disk
 * format as plain host-endian C structs, plus the pure helpers built on it.
 *
 * Owns: byte layout of the MPB (Metadata Parameter Block: header, disk table,
 * volume records, bad-block log), its checksum, the validator every copy read
 * from a disk goes through, and the size/placement arithmetic of
 * ../shared/spec/imsm-format.md (§1, §2, §3.1, §4, §5.3, §5.4, §10).
 *
 * Never: does I/O, prints, allocates anything but the decoded struct,
 * decides policy (which generation wins, when to bump a counter, what
 * upstream would do on a write).  The caller reads the sectors, the codec
 * turns bytes into a struct and back.
 *
 * Units.  "blocks" in a field name means the unit stored on disk: 512-byte
 * blocks on 512-byte-sector disks, 4096-byte sectors on 4Kn disks (§1.8;
 * converting is the caller's job).  The helpers of §1.5/§5 work in 512-byte
 * blocks.  Names ending in _lba are logical sectors of the disk, _bytes are
 * bytes, _kib KiB.
 *
 * Round trip: imsm_decode() followed by imsm_encode() reproduces the input
 * MPB byte for byte, including reserved fillers, unknown flag bits, bytes
 * between the last volume record and the bad-block log, and `_hi` words that
 * are ignored because attribute 2TB_DISK is clear.
 */
#ifndef IMSM_FORMAT_H
#define IMSM_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMSM_MUST_CHECK __attribute__((warn_unused_result))

/* ---- §1.2 / §1.1: fixed numbers of the format ----------------------------- */

#define IMSM_SIGNATURE "Intel Raid ISM Cfg Sig. " /* 24 bytes, trailing space */
#define IMSM_SIGNATURE_BYTES 24
#define IMSM_SIG_FIELD_BYTES 32	   /* signature + version + NUL padding */
#define IMSM_VERSION_FIELD_BYTES 8 /* bytes 24..31 of the sig field */

#define IMSM_BLOCK_BYTES 512
#define IMSM_MPB_SECTOR_CNT 2210	      /* blocks: MPB + migration area */
#define IMSM_RESERVED_SECTORS 8192	      /* blocks: 4 MiB extra reservation */
#define IMSM_DEFAULT_RESERVED_BLOCKS 10402    /* 2210 + 8192 */
#define IMSM_CKPT_AREA_BEFORE_END_BLOCKS 2209 /* RAID_DISK_RESERVED_BLOCKS_IMSM_HI */
#define IMSM_DIRTY_STRIPE_REGION_BLOCKS 2048  /* 1 MiB PPL/bitmap area per member */
#define IMSM_GEN_MIGR_AREA_BLOCKS 2048	      /* max copy area per unit per disk */
#define IMSM_MIGR_REC_SECTOR_POSITION 1	      /* migr_rec at LBA N-1 */
#define IMSM_ANCHOR_SECTOR_POSITION 2	      /* anchor at LBA N-2 */
#define IMSM_MIN_DISK_SECTORS 3		      /* §10.1 */

/* Record sizes (bytes). */
#define IMSM_HEADER_BYTES 216 /* 0x00..0xD7 */
#define IMSM_DISK_BYTES 48
#define IMSM_DEV_FIXED_BYTES 0x70 /* 80-byte dev part + 32-byte vol part */
#define IMSM_MAP_FIXED_BYTES 48
#define IMSM_ORD_BYTES 4
#define IMSM_SPARE_MPB_BYTES 264 /* header + one disk record */
#define IMSM_MPB_MAX_BYTES 65536 /* our sanity cap (§10.3) */

#define IMSM_SERIAL_BYTES 16
#define IMSM_NAME_BYTES 16
#define IMSM_MAX_DISKS 255   /* num_disks is a u8 */
#define IMSM_MAX_MEMBERS 255 /* num_members is a u8 */
#define IMSM_MAX_RAID_DEVS 2 /* §5.2 hard limit */

/* ---- §2.1 header offsets (bytes from the MPB start) ----------------------- */
enum {
	IMSM_OFF_SIG = 0x00,
	IMSM_OFF_VERSION = 0x18,
	IMSM_OFF_CHECK_SUM = 0x20,
	IMSM_OFF_MPB_SIZE = 0x24,
	IMSM_OFF_FAMILY_NUM = 0x28,
	IMSM_OFF_GENERATION_NUM = 0x2C,
	IMSM_OFF_ERROR_LOG_SIZE = 0x30,
	IMSM_OFF_ATTRIBUTES = 0x34,
	IMSM_OFF_NUM_DISKS = 0x38,
	IMSM_OFF_NUM_RAID_DEVS = 0x39,
	IMSM_OFF_ERROR_LOG_POS = 0x3A,
	IMSM_OFF_FILL = 0x3B,
	IMSM_OFF_CACHE_SIZE = 0x3C,
	IMSM_OFF_ORIG_FAMILY_NUM = 0x40,
	IMSM_OFF_PWR_CYCLE_COUNT = 0x44,
	IMSM_OFF_BBM_LOG_SIZE = 0x48,
	IMSM_OFF_NUM_RAID_DEVS_CREATED = 0x4C,
	IMSM_OFF_FILLER1 = 0x4E,
	IMSM_OFF_CREATION_TIME = 0x50,
	IMSM_OFF_FILLER = 0x58,
	IMSM_OFF_DISKS = 0xD8,
};

/* §2.2 disk record offsets (bytes from the record start). */
enum {
	IMSM_DISK_OFF_SERIAL = 0x00,
	IMSM_DISK_OFF_TOTAL_BLOCKS_LO = 0x10,
	IMSM_DISK_OFF_SCSI_ID = 0x14,
	IMSM_DISK_OFF_STATUS = 0x18,
	IMSM_DISK_OFF_OWNER_CFG_NUM = 0x1C,
	IMSM_DISK_OFF_TOTAL_BLOCKS_HI = 0x20,
	IMSM_DISK_OFF_FILLER = 0x24,
};

/* §2.3/§2.4 volume record offsets (bytes from the dev record start). */
enum {
	IMSM_DEV_OFF_VOLUME = 0x00,
	IMSM_DEV_OFF_SIZE_LOW = 0x10,
	IMSM_DEV_OFF_SIZE_HIGH = 0x14,
	IMSM_DEV_OFF_STATUS = 0x18,
	IMSM_DEV_OFF_RESERVED_BLOCKS = 0x1C,
	IMSM_DEV_OFF_MIGR_PRIORITY = 0x20,
	IMSM_DEV_OFF_NUM_SUB_VOLS = 0x21,
	IMSM_DEV_OFF_TID = 0x22,
	IMSM_DEV_OFF_CNG_MASTER_DISK = 0x23,
	IMSM_DEV_OFF_CACHE_POLICY = 0x24,
	IMSM_DEV_OFF_CNG_STATE = 0x26,
	IMSM_DEV_OFF_CNG_SUB_STATE = 0x27,
	IMSM_DEV_OFF_MY_VOL_RAID_DEV_NUM = 0x28,
	IMSM_DEV_OFF_NV_CACHE_MODE = 0x2A,
	IMSM_DEV_OFF_NV_CACHE_FLAGS = 0x2B,
	IMSM_DEV_OFF_NVC_VOL_ORIG_FAMILY_NUM = 0x2C,
	IMSM_DEV_OFF_NVC_VOL_RAID_DEV_NUM = 0x30,
	IMSM_DEV_OFF_RWH_POLICY = 0x32,
	IMSM_DEV_OFF_JD_SERIAL = 0x33,
	IMSM_DEV_OFF_FILLER1 = 0x43,
	IMSM_DEV_OFF_FILLER = 0x44,
	IMSM_DEV_OFF_CURR_MIGR_UNIT_LO = 0x50,
	IMSM_DEV_OFF_CHECKPOINT_ID = 0x54,
	IMSM_DEV_OFF_MIGR_STATE = 0x58,
	IMSM_DEV_OFF_MIGR_TYPE = 0x59,
	IMSM_DEV_OFF_DIRTY = 0x5A,
	IMSM_DEV_OFF_FS_STATE = 0x5B,
	IMSM_DEV_OFF_VERIFY_ERRORS = 0x5C,
	IMSM_DEV_OFF_BAD_BLOCKS = 0x5E,
	IMSM_DEV_OFF_CURR_MIGR_UNIT_HI = 0x60,
	IMSM_DEV_OFF_VOL_FILLER = 0x64,
	IMSM_DEV_OFF_MAP = 0x70,
};

/* §2.5 map record offsets (bytes from the map start). */
enum {
	IMSM_MAP_OFF_PBA_OF_LBA0_LO = 0x00,
	IMSM_MAP_OFF_BLOCKS_PER_MEMBER_LO = 0x04,
	IMSM_MAP_OFF_NUM_DATA_STRIPES_LO = 0x08,
	IMSM_MAP_OFF_BLOCKS_PER_STRIP = 0x0C,
	IMSM_MAP_OFF_MAP_STATE = 0x0E,
	IMSM_MAP_OFF_RAID_LEVEL = 0x0F,
	IMSM_MAP_OFF_NUM_MEMBERS = 0x10,
	IMSM_MAP_OFF_NUM_DOMAINS = 0x11,
	IMSM_MAP_OFF_FAILED_DISK_NUM = 0x12,
	IMSM_MAP_OFF_DDF = 0x13,
	IMSM_MAP_OFF_PBA_OF_LBA0_HI = 0x14,
	IMSM_MAP_OFF_BLOCKS_PER_MEMBER_HI = 0x18,
	IMSM_MAP_OFF_NUM_DATA_STRIPES_HI = 0x1C,
	IMSM_MAP_OFF_FILLER = 0x20,
	IMSM_MAP_OFF_ORD = 0x30,
};

/* §2.7 bad-block log. */
#define IMSM_BBM_SIGNATURE 0xABADB10Cu
#define IMSM_BBM_HEADER_BYTES 8 /* u32 signature, u32 entry_count */
#define IMSM_BBM_ENTRY_BYTES 8
#define IMSM_BBM_MAX_ENTRIES 254
#define IMSM_BBM_LOG_MAX_BYTES (IMSM_BBM_HEADER_BYTES + IMSM_BBM_ENTRY_BYTES * IMSM_BBM_MAX_ENTRIES)

/* §4.2 attributes. */
#define IMSM_ATTR_RAID0 0x00000001u
#define IMSM_ATTR_RAID1 0x00000002u
#define IMSM_ATTR_RAID10 0x00000004u
#define IMSM_ATTR_RAID1E 0x00000008u
#define IMSM_ATTR_RAID5 0x00000010u
#define IMSM_ATTR_RAIDCNG 0x00000020u
#define IMSM_ATTR_EXP_STRIPE_SIZE 0x00000040u
#define IMSM_ATTR_RAID10_EXT 0x00000080u
#define IMSM_ATTR_NVM 0x02000000u
#define IMSM_ATTR_2TB_DISK 0x04000000u
#define IMSM_ATTR_BBM 0x08000000u
#define IMSM_ATTR_NEVER_USE2 0x10000000u
#define IMSM_ATTR_2TB 0x20000000u
#define IMSM_ATTR_NEVER_USE 0x40000000u
#define IMSM_ATTR_CHECKSUM_VERIFY 0x80000000u
#define IMSM_ATTR_SUPPORTED 0xAC0000D7u /* upstream may activate volumes */
#define IMSM_ATTR_TOLERATED 0xEC0000D7u /* supported + ignored NEVER_USE */

/* §2.2 disk status bits. */
#define IMSM_DISK_SPARE 0x00000001u
#define IMSM_DISK_CONFIGURED 0x00000002u
#define IMSM_DISK_FAILED 0x00000004u
#define IMSM_DISK_JOURNAL 0x02000000u

/* §2.3 volume status bits (the ones anybody uses). */
#define IMSM_DEV_READ_COALESCING 0x0004u
#define IMSM_DEV_WRITE_COALESCING 0x0008u
/* rwh_policy values without a PPL or journal (§2.4) */
#define RWH_OFF 0
#define RWH_OFF_MULTIPLE 5
#define IMSM_DEV_VERIFY_AND_FIX 0x0080u
#define IMSM_DEV_CLONE_N_GO 0x0400u

/* §2.4 vol.migr_type, §2.5 map_state, ord entries, raid_level bytes. */
enum imsm_migr_type {
	IMSM_MIGR_INIT = 0,
	IMSM_MIGR_REBUILD = 1,
	IMSM_MIGR_VERIFY = 2, /* + IMSM_DEV_VERIFY_AND_FIX = repair */
	IMSM_MIGR_GEN_MIGR = 3,
	IMSM_MIGR_STATE_CHANGE = 4,
};

enum imsm_map_state {
	IMSM_MAP_NORMAL = 0,
	IMSM_MAP_UNINITIALIZED = 1,
	IMSM_MAP_DEGRADED = 2,
	IMSM_MAP_FAILED = 3,
};

#define IMSM_ORD_REBUILD 0x01000000u
#define IMSM_ORD_INDEX_MASK 0x00FFFFFFu
#define IMSM_ORD_RESERVED_MASK 0xFE000000u
#define IMSM_FAILED_DISK_NONE 0xFF

#define IMSM_LEVEL_BYTE_RAID0 0
#define IMSM_LEVEL_BYTE_RAID1 1 /* also 4-member RAID10 */
#define IMSM_LEVEL_BYTE_RAID5 5
#define IMSM_LEVEL_BYTE_RAID10 10

/* ---- decoded records ------------------------------------------------------ */

/*
 * Disk record (§2.2), 48 bytes on disk:
 *
 *   0x00 serial[16]         ASCII, NUL padded, not NUL terminated
 *   0x10 total_blocks_lo    blocks
 *   0x14 scsi_id            host<<24 | channel<<16 | target<<8 | lun
 *   0x18 status             IMSM_DISK_* bits
 *   0x1C owner_cfg_num
 *   0x20 total_blocks_hi    only meaningful with attribute 2TB_DISK
 *   0x24 filler[12]
 */
struct imsm_disk {
	char serial[IMSM_SERIAL_BYTES];
	uint64_t total_blocks;
	uint32_t scsi_id;
	uint32_t status;
	uint32_t owner_cfg_num;
	/* raw total_blocks_hi when 2TB_DISK is clear (not part of total_blocks) */
	uint32_t ignored_hi;
	uint8_t filler[12];
};

/*
 * Map record (§2.5), 48 + 4 * num_members bytes on disk:
 *
 *   0x00 pba_of_lba0_lo        blocks: first data block on every member
 *   0x04 blocks_per_member_lo  blocks: data + 1 MiB PPL/bitmap area
 *   0x08 num_data_stripes_lo   stripes (halved for RAID1/10), never converted
 *   0x0C blocks_per_strip      u16, blocks: chunk size
 *   0x0E map_state, 0x0F raid_level, 0x10 num_members, 0x11 num_domains,
 *   0x12 failed_disk_num (slot or 0xFF), 0x13 ddf (1)
 *   0x14 pba_of_lba0_hi, 0x18 blocks_per_member_hi, 0x1C num_data_stripes_hi
 *   0x20 filler[16]
 *   0x30 disk_ord_tbl[num_members]  u32: disk index (bits 0-23) | REBUILD flag
 *
 * The 64-bit fields join lo and hi; without attribute 2TB_DISK the hi words
 * are ignored (upstream zeroes them on load) and kept in ignored_*_hi only
 * so that the bytes round-trip.
 */
struct imsm_map {
	uint64_t pba_of_lba0;
	uint64_t blocks_per_member;
	uint64_t num_data_stripes;
	uint16_t blocks_per_strip;
	uint8_t map_state;
	uint8_t raid_level;
	uint8_t num_members;
	uint8_t num_domains;
	uint8_t failed_disk_num;
	uint8_t ddf;
	uint32_t ignored_pba_hi;
	uint32_t ignored_bpm_hi;
	uint32_t ignored_nds_hi;
	uint8_t filler[16];
	uint32_t disk_ord_tbl[IMSM_MAX_MEMBERS];
};

/*
 * vol part (§2.4), 32 bytes at dev offset 0x50, followed by the maps:
 *
 *   0x50 curr_migr_unit_lo   migration units     0x54 checkpoint_id
 *   0x58 migr_state (0/1)    0x59 migr_type      0x5A dirty   0x5B fs_state
 *   0x5C verify_errors u16   0x5E bad_blocks u16
 *   0x60 curr_migr_unit_hi   0x64 filler[12]
 *   0x70 map[0]; map[1] right after map[0]'s ord table iff migr_state != 0
 *
 * map[0] is the destination of a migration, map[1] its source.  map[1] is
 * meaningful (and encoded) only when migr_state != 0.
 */
struct imsm_vol {
	uint64_t curr_migr_unit;
	uint32_t checkpoint_id;
	uint8_t migr_state;
	uint8_t migr_type;
	uint8_t dirty;
	uint8_t fs_state;
	uint16_t verify_errors;
	uint16_t bad_blocks;
	uint8_t filler[12];
	struct imsm_map map[2];
};

/*
 * Volume ("dev") record (§2.3), 0x70 + map sizes bytes on disk:
 *
 *   0x00 volume[16]        name, NUL padded, not NUL terminated
 *   0x10 size_low/high     blocks: array capacity (not masked by 2TB_DISK)
 *   0x18 status            IMSM_DEV_* bits
 *   0x1C reserved_blocks   0x20 migr_priority  0x21 num_sub_vols  0x22 tid
 *   0x23 cng_master_disk   0x24 cache_policy u16  0x26 cng_state
 *   0x27 cng_sub_state     0x28 my_vol_raid_dev_num u16 (Volume ID)
 *   0x2A nv_cache_mode     0x2B nv_cache_flags  0x2C nvc_vol_orig_family_num
 *   0x30 nvc_vol_raid_dev_num u16  0x32 rwh_policy  0x33 jd_serial[16]
 *   0x43 filler1           0x44 filler[12]      0x50 vol (struct imsm_vol)
 */
struct imsm_dev {
	char volume[IMSM_NAME_BYTES];
	uint64_t size_blocks;
	uint32_t status;
	uint32_t reserved_blocks;
	uint8_t migr_priority;
	uint8_t num_sub_vols;
	uint8_t tid;
	uint8_t cng_master_disk;
	uint16_t cache_policy;
	uint8_t cng_state;
	uint8_t cng_sub_state;
	uint16_t my_vol_raid_dev_num;
	uint8_t nv_cache_mode;
	uint8_t nv_cache_flags;
	uint32_t nvc_vol_orig_family_num;
	uint16_t nvc_vol_raid_dev_num;
	uint8_t rwh_policy;
	char jd_serial[IMSM_SERIAL_BYTES];
	uint8_t filler1;
	uint8_t filler[12];
	struct imsm_vol vol;
};

/* Non-fatal findings of the validator (§10 "warn"), for the caller to report. */
enum imsm_warning {
	IMSM_WARN_VERSION_UNKNOWN = 1u << 0,  /* not one of the §4.1 strings */
	IMSM_WARN_ATTR_UNSUPPORTED = 1u << 1, /* outside IMSM_ATTR_TOLERATED: no activation */
	IMSM_WARN_SERIAL_EMPTY = 1u << 2,
	IMSM_WARN_DISK_STATUS = 1u << 3, /* no known status bit */
	IMSM_WARN_SPARE_IN_CONTAINER = 1u << 4,
	IMSM_WARN_SLACK = 1u << 5,	     /* bytes between last dev and BBM log */
	IMSM_WARN_IDLE_CHECKPOINT = 1u << 6, /* migr_state 0, curr_migr_unit != 0 */
	IMSM_WARN_NUM_DOMAINS = 1u << 7,
	IMSM_WARN_STRIP_NOT_POW2 = 1u << 8,
	IMSM_WARN_SIZE_MISMATCH = 1u << 9, /* |data * D - size| > D MiB: use size / D */
	IMSM_WARN_STATE_CHANGE = 1u << 10, /* migr_type 4: do not assemble */
};

/*
 * A whole MPB (§2.1 header, 216 bytes, then disks, devs, slack, BBM log):
 *
 *   0x00 sig[32]        "Intel Raid ISM Cfg Sig. " + version + NULs
 *   0x20 check_sum      0x24 mpb_size (bytes)  0x28 family_num
 *   0x2C generation_num 0x30 error_log_size    0x34 attributes
 *   0x38 num_disks u8   0x39 num_raid_devs u8  0x3A error_log_pos u8
 *   0x3B fill u8        0x3C cache_size (MiB)  0x40 orig_family_num
 *   0x44 pwr_cycle_count 0x48 bbm_log_size (bytes)
 *   0x4C num_raid_devs_created u16  0x4E filler1 u16
 *   0x50 creation_time u64 (Unix seconds)  0x58 filler[128]
 *   0xD8 disk[num_disks], then dev[num_raid_devs], then the BBM log in the
 *        last bbm_log_size bytes
 *
 * check_sum and mpb_size_bytes report what was read; imsm_encode()
 * recomputes both.  Allocate with imsm_super_alloc() when slack is needed.
 */
struct imsm_super {
	char version[IMSM_VERSION_FIELD_BYTES + 1]; /* e.g. "1.3.00", NUL terminated */
	uint32_t check_sum;
	uint32_t mpb_size_bytes;
	uint32_t family_num;
	uint32_t generation_num;
	uint32_t error_log_size;
	uint32_t attributes;
	uint8_t num_disks;
	uint8_t num_raid_devs;
	uint8_t error_log_pos;
	uint8_t fill;
	uint32_t cache_size;
	uint32_t orig_family_num;
	uint32_t pwr_cycle_count;
	uint16_t num_raid_devs_created;
	uint16_t filler1;
	uint64_t creation_time;
	uint8_t filler[128];
	struct imsm_disk disk[IMSM_MAX_DISKS];
	struct imsm_dev dev[IMSM_MAX_RAID_DEVS];
	uint32_t bbm_log_bytes;			 /* = bbm_log_size, 0 = no log */
	uint8_t bbm_log[IMSM_BBM_LOG_MAX_BYTES]; /* raw little-endian log */
	unsigned int warnings;			 /* enum imsm_warning, set by decode */
	bool torn;				 /* a stand-in for a copy whose checksum
						  * failed: the anchor's family and
						  * generation only (imsm_read_torn()) */
	uint32_t slack_bytes;			 /* unused bytes after the last dev */
	uint8_t slack[];			 /* kept verbatim for round trips */
};

/* ---- codec ----------------------------------------------------------------- */

/*
 * Sum of the little-endian u32 words of the first mpb_bytes bytes (whole
 * words only), skipping the check_sum word at 0x20 (§3.1).
 */
uint32_t imsm_checksum(const void *buf, size_t mpb_bytes);

/*
 * Look at an anchor sector: 0 and *ret_bytes = mpb_size if it carries the
 * signature and a size the decoder could accept (so the caller knows how
 * many more sectors to read).  -EMSGSIZE if len is too short to tell,
 * -ENODATA if there is no IMSM signature, -EINVAL for an impossible size.
 */
int imsm_peek_mpb_size(const void *buf, size_t len, uint32_t *ret_bytes) IMSM_MUST_CHECK;

/*
 * Decode and validate the MPB at the start of buf (len bytes available,
 * typically whole sectors; bytes past mpb_size are ignored).  Checks every
 * §10 invariant that one copy can be checked for (1-19 minus the device and
 * 4Kn parts) before any field is used to size or index anything, and never
 * reads outside [buf, buf + len).  Fields keep their on-disk units.
 *
 * Returns 0 and a new struct in *ret (free with imsm_free()), or
 *   -EMSGSIZE   buf too short for the header or for mpb_size
 *   -ENODATA    no IMSM signature: not an IMSM disk
 *   -EBADMSG    checksum mismatch (torn or corrupt copy)
 *   -EOPNOTSUPP well-formed but not representable: more than 2 volumes, or a
 *               general migration with different pba_of_lba0 (RST's
 *               migration optimization area; upstream refuses it too)
 *   -EINVAL     any other broken invariant
 *   -ENOMEM
 * Non-fatal findings are OR-ed into (*ret)->warnings.
 */
int imsm_decode(const void *buf, size_t len, struct imsm_super **ret) IMSM_MUST_CHECK;

/*
 * Encode s into buf: the MPB with a fresh check_sum and mpb_size, and zeros
 * from the end of the MPB up to len (so a sector-padded buffer can be written
 * as is).  s must pass the same validation as a decoded copy (-EINVAL, or
 * -ERANGE for a value >= 2^32 where 2TB_DISK is clear); -ENOSPC if len <
 * imsm_mpb_bytes(s).  On success *ret_len = mpb_size.  On failure buf is
 * untouched (everything is checked before the first byte is written).
 */
int imsm_encode(const struct imsm_super *s, void *buf, size_t len, size_t *ret_len) IMSM_MUST_CHECK;

/* Bytes the encoded MPB will take (header + disks + devs + slack + BBM). */
size_t imsm_mpb_bytes(const struct imsm_super *s);
size_t imsm_map_bytes(const struct imsm_map *m);
size_t imsm_dev_bytes(const struct imsm_dev *d);

/* A zeroed struct with room for slack_bytes of slack; -ENOMEM. */
int imsm_super_alloc(uint32_t slack_bytes, struct imsm_super **ret) IMSM_MUST_CHECK;
/* A deep copy (slack included); -ENOMEM. */
int imsm_super_dup(const struct imsm_super *s, struct imsm_super **ret) IMSM_MUST_CHECK;
void imsm_free(struct imsm_super *s);

/* ---- levels (§2.5) ----------------------------------------------------------- */

/* md level (0, 1, 5, 10) of a map, from its raid_level byte and width; -EINVAL. */
int imsm_map_md_level(const struct imsm_map *m);
/* raid_level byte for an md level and width (4-member RAID10 -> 1); -EINVAL. */
int imsm_level_byte(int md_level, unsigned int num_members, uint8_t *ret_byte) IMSM_MUST_CHECK;
/* Data members D: n (RAID0), 1 (RAID1), n-1 (RAID5), n/2 (RAID10); -EINVAL. */
int imsm_data_members(int md_level, unsigned int num_members);
/* 2 for RAID1/RAID10, else 1. */
unsigned int imsm_num_domains(int md_level);
/* Per-member data of a map: nds * bps * (2 if mirrored), saturating. */
uint64_t imsm_map_data_blocks(const struct imsm_map *m);

/* ---- where things are on a disk (§1.1, §1.3, §6.7) ------------------------- */

/* Sector positions of one disk's metadata, in logical sectors. */
struct imsm_mpb_location {
	uint64_t migr_rec_lba; /* N-1 */
	uint64_t anchor_lba;   /* N-2: MPB sector 0 */
	uint64_t ext_lba;      /* N-1-S: MPB sectors 1..S-1 (if ext_sectors) */
	uint32_t ext_sectors;  /* S-1 */
	uint32_t mpb_sectors;  /* S = ceil(mpb_bytes / sector_bytes) */
};

/*
 * For a disk of disk_sectors logical sectors of sector_bytes (512 or 4096)
 * holding an MPB of mpb_bytes: 0 and *ret, or -EINVAL (bad sector size,
 * mpb_bytes 0) or -ENOSPC (the disk is too small to hold it).
 */
int imsm_mpb_location(uint64_t disk_sectors, uint32_t sector_bytes, uint32_t mpb_bytes,
		      struct imsm_mpb_location *ret) IMSM_MUST_CHECK;

/*
 * §1.1/§6.7: first block of the general-migration copy area, N_min - 2209,
 * from the smallest member's size in 512-byte blocks; -ENOSPC if smaller.
 */
int imsm_ckpt_area_pba_blocks(uint64_t min_disk_blocks, uint64_t *ret_pba) IMSM_MUST_CHECK;

/* ---- does a copy fit the device it was read from (§1.1, §1.5, §6.7) ---------- */

enum imsm_misfit_kind {
	IMSM_MISFIT_NONE,
	IMSM_MISFIT_EXTENT,	   /* pba_of_lba0 + blocks_per_member past the limit */
	IMSM_MISFIT_COPY_AREA,	   /* the copy area of a general migration past it */
	IMSM_MISFIT_DATA_IN_AREA,  /* volume data ends inside that copy area */
};

/* The first thing of a copy that does not fit (512-byte blocks). */
struct imsm_misfit {
	enum imsm_misfit_kind kind;
	int vol;		 /* volume index */
	uint64_t end_blocks;	 /* where the extent, area or data ends */
	uint64_t limit_blocks;	 /* where it had to end by */
};

/*
 * Whether the volumes of s that use disk_index (this disk's own record;
 * negative: none, nothing to check) fit a device whose metadata (the
 * lowest MPB sector) starts at block meta_start_blocks, the device's real
 * size minus the MPB and migration record: every map's pba_of_lba0 +
 * blocks_per_member; during a general migration, the copy area
 * (N_min - 2209 from the table's sizes, GEN_MIGR_AREA blocks long) and
 * the data of every volume of this disk below that area.  0, or -EFBIG
 * and *ret the first misfit.  Pure.
 */
int imsm_check_fits(const struct imsm_super *s, int disk_index, uint64_t meta_start_blocks,
		    struct imsm_misfit *ret) IMSM_MUST_CHECK;

/* ---- reservations and placement (§1.5, §5.3), 512-byte blocks ---------------- */

/* Whether a slot of map m holds disk index idx. */
bool imsm_map_uses_disk(const struct imsm_map *m, uint32_t idx);

/* Highest pba + data over the volumes (both maps) that use disk_index; 0 if none. */
uint64_t imsm_disk_data_end_blocks(const struct imsm_super *s, unsigned int disk_index);

/*
 * Reserved space R at the end of a disk of disk_blocks: 10402 when
 * data_end_blocks is 0 (no volume yet, or planning the first volume), else
 * min(10402, max((N - end) rounded down to even, MPB blocks)).
 */
uint64_t imsm_reserved_blocks(uint64_t disk_blocks, uint64_t data_end_blocks, uint32_t mpb_bytes);

/* Minimal reservation for a spare / replacement: min(2210 + 2048, R_smallest). */
uint64_t imsm_spare_reserved_blocks(uint64_t smallest_member_reserved_blocks);

/* §5.3: pba_of_lba0 of a volume placed after prev: prev pba + data + 8192 (saturating). */
uint64_t imsm_next_volume_pba_blocks(const struct imsm_dev *prev);

/* ---- volume size (§5.4), 512-byte blocks -------------------------------------- */

/*
 * Step 1, no size requested: floor(free / 2) KiB rounded down to the chunk
 * (RAID1: to 64 KiB).  0 if chunk_kib is 0.
 */
uint64_t imsm_default_member_kib(int md_level, uint32_t chunk_kib, uint64_t free_blocks);

/* Steps 2-3: the per-member data size M in whole MiB; 0 on overflow. */
uint64_t imsm_member_data_blocks(int md_level, uint32_t bps_blocks, uint64_t member_kib);

/* Everything §5.4 derives from a request. */
struct imsm_geometry {
	uint64_t member_data_blocks; /* M */
	uint64_t size_blocks;	     /* dev.size = M * D */
	uint64_t blocks_per_member;  /* M + 2048, rounded down to the strip unless RAID1 */
	uint64_t num_data_stripes;
	unsigned int data_members; /* D */
	unsigned int num_domains;
	uint8_t raid_level; /* the on-disk byte */
};

/*
 * Geometry of a new volume: md level, members, strip size in blocks and the
 * requested per-member size in KiB.  0 and *ret, -EINVAL (level/width/strip
 * not valid), -ERANGE (less than 1 MiB per member, or overflow).
 */
int imsm_volume_geometry(int md_level, unsigned int num_members, uint32_t bps_blocks,
			 uint64_t member_kib, struct imsm_geometry *ret) IMSM_MUST_CHECK;

/* ---- version string and attributes (§4) ----------------------------------- */

enum imsm_version_policy {
	IMSM_POLICY_CURRENT, /* mdadm >= 4.4: always 1.3.00, spares attributes 0 */
	IMSM_POLICY_LEGACY,  /* mdadm <= 4.3: per-feature versions */
};

/*
 * The version string upstream writes for s (evaluated on the volumes and the
 * attributes already in s, before imsm_attributes_for() updates them).
 */
const char *imsm_version_for(const struct imsm_super *s, enum imsm_version_policy policy);

/* The attributes word upstream writes for s after a version refresh (§4.2). */
uint32_t imsm_attributes_for(const struct imsm_super *s, enum imsm_version_policy policy);

/* After a change of levels or members: the version string the volumes
 * need (it only ever goes up: "1.2.02" < "1.3.00", same shape) and the
 * attributes, as upstream's legacy policy writes them. */
void imsm_version_refresh(struct imsm_super *s);

/* Attributes that upstream lets volumes be activated with. */
bool imsm_attributes_supported(uint32_t attributes);

#endif
