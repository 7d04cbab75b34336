/*
 * probe.h: what a disk holds before --create overwrites it.
 *
 * A pure function over buffers the caller read (no I/O, no printing):
 * the start of the area a new array would write (head) and, for a whole
 * disk, its last bytes (tail).  It finds the common signatures upstream
 * mdadm warns about (file systems, partition tables, other RAID
 * metadata) plus a few more users lose data to (swap, LVM2, btrfs, xfs).
 * Create.c decides what to do (ask, refuse, or go on with --run).
 */
#ifndef PROBE_H
#define PROBE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of the head and tail the probe looks at: btrfs's superblock at
 * 64 KiB + 64 bytes is the farthest from the start, md 0.90's (up to
 * 128 KiB before the end, 64 KiB aligned) the farthest from the end. */
#define PROBE_HEAD_BYTES (68u * 1024)
#define PROBE_TAIL_BYTES (128u * 1024)

struct probe_area {
	const unsigned char *head; /* bytes from the start of the area */
	size_t head_len;
	const unsigned char *tail; /* the area's last tail_len bytes; NULL: none */
	size_t tail_len;
	uint64_t area_bytes;       /* size of the area (whole disk: its size) */
	unsigned int sector_bytes; /* logical sector size: 512 or 4096 */
};

/* One bit per signature found. */
enum probe_sig {
	PROBE_EXT = 1u << 0,       /* ext2/3/4 */
	PROBE_XFS = 1u << 1,
	PROBE_BTRFS = 1u << 2,
	PROBE_SWAP = 1u << 3,
	PROBE_MBR = 1u << 4,       /* a DOS partition table with an entry */
	PROBE_GPT = 1u << 5,
	PROBE_LVM2 = 1u << 6,
	PROBE_MD090 = 1u << 7,     /* md superblocks */
	PROBE_MD1 = 1u << 8,       /* 1.0, 1.1 or 1.2 */
	PROBE_IMSM = 1u << 9,
	PROBE_DDF = 1u << 10,
};

/* The signatures found in the area, as PROBE_* bits; 0 for none. */
unsigned int probe_signatures(const struct probe_area *a);

/* One sentence for the first (lowest) bit of sigs, upstream's words where
 * it has them: "DEV appears to contain an ext2fs file system", "partition
 * table exists on DEV", "DEV appears to be part of a raid array (md 1.x
 * superblock)".  Returns buf. */
char *probe_describe(unsigned int sigs, const char *dev, char *buf, size_t len);

#endif
