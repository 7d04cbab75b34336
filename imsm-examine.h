/*
 * imsm-examine.h: what `mdadm --examine` shows about one IMSM copy.
 *
 * Owns: the UUIDs of imsm-format.md §8.6, the derived values --examine
 * needs (which table entry is the examined disk, its reservation, its slot
 * in each volume, which checkpoint factor of §6.2 applies: the arithmetic
 * is imsm-migr.c's), and the three renderings
 * of §8.1 (text), §8.2 (--brief/--scan ARRAY lines) and §8.3 (--export),
 * byte for byte as upstream prints them.
 *
 * Never: does I/O other than writing to the FILE * it is given, reads a
 * device, decides whether a copy is valid (imsm_decode() did that: only
 * valid copies get here).  Compute first, render last:
 * imsm_examine_build() computes, the imsm_examine_print_*() functions only
 * format what is in the struct.
 *
 * Units.  The decoded struct keeps on-disk units (imsm-format.h).  The
 * renderer is exact for 512-byte-sector disks; FIXME(issue 3): on 4Kn
 * disks the reservation arithmetic (imsm_reserved_blocks) needs 512-byte
 * blocks, which imsm-io does not provide yet (it refuses 4Kn).
 */
#ifndef IMSM_EXAMINE_H
#define IMSM_EXAMINE_H

#include "imsm-format.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* ---- UUIDs (§8.6) ----------------------------------------------------------- */

#define IMSM_UUID_WORDS 4
#define IMSM_UUID_TEXT_BYTES 36 /* "xxxxxxxx:xxxxxxxx:xxxxxxxx:xxxxxxxx" + NUL */
#define IMSM_UUID_CONTAINER (-1)

/* SHA-1 of len bytes (FIPS 180-4); the building block of the UUIDs. */
void imsm_sha1(const void *data, size_t len, uint8_t ret[20]);

/*
 * UUID of the container (vol_index IMSM_UUID_CONTAINER) or of volume
 * vol_index of s: SHA-1 over the 24 signature bytes, the family
 * (orig_family_num, or family_num when 0), and for a volume its index and
 * 16-byte name field; the first 16 digest bytes as four little-endian
 * words.  A copy without volumes (spare record) has the all-zero UUID.
 */
void imsm_uuid(const struct imsm_super *s, int vol_index, uint32_t ret[IMSM_UUID_WORDS]);

/* "%08x:%08x:%08x:%08x" */
void imsm_uuid_text(const uint32_t uuid[IMSM_UUID_WORDS], char ret[IMSM_UUID_TEXT_BYTES]);

/*
 * Upstream's human-readable size suffix for a byte count (§8): "" below
 * 5000 KiB, else " (X.XX MiB Y.YY MB)" below 2 GiB, GiB/GB below 2 TiB,
 * else TiB/TB; two decimals rounded half up.
 */
void imsm_human_size(uint64_t bytes, char *buf, size_t len);

/* ---- the migration record (§2.8), as far as --examine shows it ------------ */

#define IMSM_MIGR_REC_BYTES 128

struct imsm_examine_migr_rec {
	uint32_t rec_status; /* 0 normal, 1 unit data in the copy area */
	uint64_t curr_migr_unit;
	uint32_t family_num;
	uint32_t ascending_migr;
	uint32_t blocks_per_unit;
	uint32_t dest_depth_per_unit;
	uint64_t ckpt_area_pba;
	uint64_t dest_1st_member_lba;
	uint64_t num_migr_units;
	uint64_t post_migr_vol_cap;
	uint32_t ckpt_read_disk_num;
};

/*
 * Decode the first 128 bytes of the migration record sector (LBA N-1).
 * The record has no checksum; nothing is validated.  -EMSGSIZE if len <
 * 128.  FIXME: belongs to imsm-format.c / imsm-migr.c once reshape needs it.
 */
int imsm_examine_decode_migr_rec(const void *buf, size_t len,
				 struct imsm_examine_migr_rec *ret) IMSM_MUST_CHECK;

/* ---- computing what --examine shows ----------------------------------------- */

/* What the caller knows besides the decoded copy. */
struct imsm_examine_src {
	const struct imsm_super *mpb;		      /* a valid, decoded copy */
	const char *serial;			      /* the examined disk's serial (16 bytes,
							 NUL padded) or NULL when unknown */
	uint32_t sector_bytes;			      /* logical sector size of the disk */
	bool checksum_ok;			      /* stored check_sum matched */
	const struct imsm_examine_migr_rec *migr_rec; /* NULL when not read */
};

/* Where the examined disk is in its own copy's table. */
enum imsm_examine_self {
	IMSM_SELF_MEMBER, /* a CONFIGURED record: "DiskNN Serial" first */
	IMSM_SELF_SPARE,  /* a SPARE or JOURNAL record: "Disk Serial" last */
	IMSM_SELF_NONE,	  /* FAILED, not in the table, or serial unknown */
};

struct imsm_examine_vol {
	uint32_t uuid[IMSM_UUID_WORDS];
	int self_slot;	       /* slot in map[0], -1: not a member ("?") */
	bool self_out_of_sync; /* its ord entry (map[1] when migrating) is flagged */
	bool factor_known;     /* false prints "(N/A)" */
	uint64_t factor;       /* §6.2 checkpoint units -> blocks */
};

struct imsm_examine {
	const struct imsm_super *mpb;
	uint32_t sector_bytes;
	bool checksum_ok;
	enum imsm_examine_self self;
	int self_index;		  /* table index of the own record, -1 if none */
	uint64_t reserved_blocks; /* R of §1.5 for the examined disk */
	uint32_t uuid[IMSM_UUID_WORDS];
	struct imsm_examine_vol vol[IMSM_MAX_RAID_DEVS];
	const struct imsm_examine_migr_rec *migr_rec;
};

/* Compute everything the text rendering needs.  Never fails. */
void imsm_examine_build(const struct imsm_examine_src *src, struct imsm_examine *ret);

/* ---- rendering ------------------------------------------------------------------ */

/* §8.1: "<devname>:" and the full description, as upstream prints it. */
void imsm_examine_print_text(FILE *f, const char *devname, const struct imsm_examine *ex);

/*
 * §8.2: "ARRAY metadata=imsm UUID=..." and one line per volume; a copy
 * without volumes (spare record) prints the container line with the
 * all-zero UUID, as upstream does.
 */
void imsm_examine_print_brief(FILE *f, const struct imsm_super *s);

/*
 * One disk's copy as a JSON object (the caller opens the document); keys
 * documented in README, "JSON output".  Names and serials are the disk's
 * bytes, escaped by the JSON writer.
 */
struct json_out;
void imsm_examine_print_json(struct json_out *j, const char *devname, const struct imsm_examine *ex);

/* §8.3: the MD_* key=value lines of one copy. */
void imsm_examine_print_export(FILE *f, const struct imsm_super *s);

/*
 * Whether two copies describe the same container for --examine --scan
 * (grouped as upstream's examine does it, observed with mdadm 4.2): when
 * both define volumes, identical version strings and the same family
 * (orig_family_num, or family_num when 0); spare records (no volumes)
 * form one group of their own.
 */
bool imsm_examine_same_container(const struct imsm_super *a, const struct imsm_super *b);

#endif
