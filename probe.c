/*
 * probe.c: signatures on a disk before --create overwrites it (probe.h).
 *
 * Where each one lives (offsets in bytes from the start of the area, or
 * from its end):
 *
 *   ext2/3/4   le16 0xEF53 at 1080 (superblock at 1024, s_magic at +56)
 *   xfs        "XFSB" at 0
 *   btrfs      "_BHRfS_M" at 65536 + 64
 *   swap       "SWAPSPACE2" (or "SWAP-SPACE") in the last 10 bytes of
 *              the first page: 4096 - 10 (also tried for 8, 16, 64 KiB
 *              pages)
 *   GPT        "EFI PART" at the start of LBA 1 (512 or 4096 bytes)
 *   MBR        0x55 0xAA at 510 and a partition entry (16 bytes each from
 *              446) with a non-zero type
 *   LVM2       "LABELONE" at the start of one of the first 4 sectors, with
 *              "LVM2 001" 24 bytes further
 *   md 1.1/1.2 le32 0xa92b4efc at 0 / 4096; md 1.0 at ((sectors - 16) &
 *              ~7) * 512 from the start, i.e. 8-12 KiB before the end
 *   md 0.90    the same magic at (size & ~64K) - 64K
 *   IMSM       "Intel Raid ISM Cfg Sig. " at the start of the second last
 *              sector
 *   DDF        be32 0xDE11DE11 at the start of the last sector (anchor)
 */
#include "probe.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MD_SB_MAGIC 0xa92b4efcu
#define DDF_MAGIC 0xde11de11u

/* len bytes at off from the start, or NULL when the head has none. */
static const unsigned char *at_head(const struct probe_area *a, uint64_t off, size_t len)
{
	if (!a->head || off > a->head_len || len > a->head_len - off)
		return NULL;
	return a->head + off;
}

/* len bytes at off from the start, looked up in the tail. */
static const unsigned char *at_tail(const struct probe_area *a, uint64_t off, size_t len)
{
	uint64_t tail_start;

	if (!a->tail || a->tail_len > a->area_bytes)
		return NULL;
	tail_start = a->area_bytes - a->tail_len;
	if (off < tail_start || off - tail_start > a->tail_len ||
	    len > a->tail_len - (off - tail_start))
		return NULL;
	return a->tail + (off - tail_start);
}

static bool has_bytes(const unsigned char *p, const char *what, size_t len)
{
	return p && memcmp(p, what, len) == 0;
}

static uint32_t le32_at(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32_at(const unsigned char *p)
{
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

static bool md_magic(const unsigned char *p)
{
	return p && le32_at(p) == MD_SB_MAGIC;
}

/* ext's magic, and a block size (1 KiB << s_log_block_size) it can have. */
static bool is_ext(const struct probe_area *a)
{
	const unsigned char *sb = at_head(a, 1024, 1024);

	return sb && sb[56] == 0x53 && sb[57] == 0xef && le32_at(sb + 24) <= 6;
}

static bool is_swap(const struct probe_area *a)
{
	static const uint64_t pages[] = { 4096, 8192, 16384, 65536 };

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		const unsigned char *p = at_head(a, pages[i] - 10, 10);

		if (has_bytes(p, "SWAPSPACE2", 10) || has_bytes(p, "SWAP-SPACE", 10))
			return true;
	}
	return false;
}

static bool is_gpt(const struct probe_area *a)
{
	return has_bytes(at_head(a, 512, 8), "EFI PART", 8) ||
	       has_bytes(at_head(a, 4096, 8), "EFI PART", 8);
}

static bool is_mbr(const struct probe_area *a)
{
	const unsigned char *p = at_head(a, 0, 512);

	if (!p || p[510] != 0x55 || p[511] != 0xaa)
		return false;
	for (int i = 0; i < 4; i++)
		if (p[446 + 16 * i + 4] != 0)
			return true;
	return false;
}

static bool is_lvm2(const struct probe_area *a)
{
	for (uint64_t s = 0; s < 4; s++)
		if (has_bytes(at_head(a, s * 512, 8), "LABELONE", 8) &&
		    has_bytes(at_head(a, s * 512 + 24, 8), "LVM2 001", 8))
			return true;
	return false;
}

static bool is_md1(const struct probe_area *a)
{
	uint64_t sectors = a->area_bytes / 512;

	if (md_magic(at_head(a, 0, 4)) || md_magic(at_head(a, 4096, 4)))
		return true;
	return sectors > 16 && md_magic(at_tail(a, ((sectors - 16) & ~7ull) * 512, 4));
}

static bool is_md090(const struct probe_area *a)
{
	uint64_t off = a->area_bytes & ~65535ull;

	return off >= 65536 && md_magic(at_tail(a, off - 65536, 4));
}

static bool is_imsm(const struct probe_area *a)
{
	uint64_t ss = a->sector_bytes ? a->sector_bytes : 512;

	return a->area_bytes >= 2 * ss &&
	       has_bytes(at_tail(a, a->area_bytes - 2 * ss, 24), "Intel Raid ISM Cfg Sig. ", 24);
}

static bool is_ddf(const struct probe_area *a)
{
	uint64_t ss = a->sector_bytes ? a->sector_bytes : 512;
	const unsigned char *p = a->area_bytes >= ss ? at_tail(a, a->area_bytes - ss, 4) : NULL;

	return p && be32_at(p) == DDF_MAGIC;
}

unsigned int probe_signatures(const struct probe_area *a)
{
	unsigned int sigs = 0;

	sigs |= is_ext(a) ? PROBE_EXT : 0;
	sigs |= has_bytes(at_head(a, 0, 4), "XFSB", 4) ? PROBE_XFS : 0;
	sigs |= has_bytes(at_head(a, 65536 + 64, 8), "_BHRfS_M", 8) ? PROBE_BTRFS : 0;
	sigs |= is_swap(a) ? PROBE_SWAP : 0;
	sigs |= is_mbr(a) && !is_gpt(a) ? PROBE_MBR : 0;
	sigs |= is_gpt(a) ? PROBE_GPT : 0;
	sigs |= is_lvm2(a) ? PROBE_LVM2 : 0;
	sigs |= is_md090(a) ? PROBE_MD090 : 0;
	sigs |= is_md1(a) ? PROBE_MD1 : 0;
	sigs |= is_imsm(a) ? PROBE_IMSM : 0;
	sigs |= is_ddf(a) ? PROBE_DDF : 0;
	return sigs;
}

char *probe_describe(unsigned int sigs, const char *dev, char *buf, size_t len)
{
	static const char *const what[] = {
		"an ext2fs file system", "an xfs file system", "a btrfs file system",
		"swap space", "", "", "an LVM2 physical volume",
	};
	static const char *const raid[] = {
		"md 0.90 superblock", "md 1.x superblock", "IMSM metadata", "DDF metadata",
	};
	int bit = sigs ? __builtin_ctz(sigs) : -1;

	if (bit < 0)
		snprintf(buf, len, "%s holds nothing known", dev);
	else if (sigs & (1u << bit) & (PROBE_MBR | PROBE_GPT))
		snprintf(buf, len, "partition table exists on %s", dev);
	else if (bit < 7)
		snprintf(buf, len, "%s appears to contain %s", dev, what[bit]);
	else
		snprintf(buf, len, "%s appears to be part of a raid array (%s)", dev, raid[bit - 7]);
	return buf;
}
