/*
 * test-probe.c: the signature probe of --create (probe.c) on hand-made
 * disks: each signature at its documented place is found, alone; a blank
 * disk and near misses (a boot sector without partitions, ext's magic
 * with an impossible block size, a magic one byte off) are not; short
 * buffers are never read past (ASan watches).
 */
#include <stdlib.h>

#include "probe.h"
#include "unit.h"

#define DISK_BYTES (16u << 20) /* 16 MiB */

struct disk {
	unsigned char head[PROBE_HEAD_BYTES];
	unsigned char tail[PROBE_TAIL_BYTES];
};

static struct disk *blank(void)
{
	return calloc(1, sizeof(struct disk));
}

static unsigned char *at(struct disk *d, uint64_t off)
{
	if (off < PROBE_HEAD_BYTES)
		return d->head + off;
	return d->tail + (off - (DISK_BYTES - PROBE_TAIL_BYTES));
}

static unsigned int probe(const struct disk *d)
{
	struct probe_area a = {
		.head = d->head, .head_len = sizeof(d->head),
		.tail = d->tail, .tail_len = sizeof(d->tail),
		.area_bytes = DISK_BYTES, .sector_bytes = 512,
	};

	return probe_signatures(&a);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void test_blank(void)
{
	struct disk *d = blank();

	CHECK_INT(probe(d), 0);
	free(d);
}

static void test_one(const char *name, uint64_t off, const void *bytes, size_t len,
		     unsigned int want)
{
	struct disk *d = blank();

	memcpy(at(d, off), bytes, len);
	if (probe(d) != want)
		fprintf(stderr, "  %s: found %#x, expected %#x\n", name, probe(d), want);
	CHECK_INT(probe(d), want);
	/* one byte off its place, nothing */
	memset(at(d, off), 0, len);
	memcpy(at(d, off + 1), bytes, len);
	if (want != PROBE_SWAP)
		CHECK_INT(probe(d), 0);
	free(d);
}

static void test_each_signature(void)
{
	static const unsigned char ext[2] = { 0x53, 0xef };
	static const unsigned char md[4] = { 0xfc, 0x4e, 0x2b, 0xa9 };
	static const unsigned char ddf[4] = { 0xde, 0x11, 0xde, 0x11 };
	uint64_t sectors = DISK_BYTES / 512;

	test_one("ext", 1080, ext, 2, PROBE_EXT);
	test_one("xfs", 0, "XFSB", 4, PROBE_XFS);
	test_one("btrfs", 65536 + 64, "_BHRfS_M", 8, PROBE_BTRFS);
	test_one("swap", 4096 - 10, "SWAPSPACE2", 10, PROBE_SWAP);
	test_one("gpt", 512, "EFI PART", 8, PROBE_GPT);
	test_one("md 1.1", 0, md, 4, PROBE_MD1);
	test_one("md 1.2", 4096, md, 4, PROBE_MD1);
	test_one("md 1.0", ((sectors - 16) & ~7ull) * 512, md, 4, PROBE_MD1);
	test_one("md 0.90", (DISK_BYTES & ~65535u) - 65536, md, 4, PROBE_MD090);
	test_one("imsm", DISK_BYTES - 1024, "Intel Raid ISM Cfg Sig. ", 24, PROBE_IMSM);
	test_one("ddf", DISK_BYTES - 512, ddf, 4, PROBE_DDF);
}

static void test_ext_block_size(void)
{
	struct disk *d = blank();

	d->head[1080] = 0x53;
	d->head[1081] = 0xef;
	put_le32(d->head + 1024 + 24, 2); /* 4 KiB blocks */
	CHECK_INT(probe(d), PROBE_EXT);
	put_le32(d->head + 1024 + 24, 40); /* not a block size */
	CHECK_INT(probe(d), 0);
	free(d);
}

static void test_mbr(void)
{
	struct disk *d = blank();

	d->head[510] = 0x55;
	d->head[511] = 0xaa;
	CHECK_INT(probe(d), 0); /* a boot sector with no partition */
	d->head[446 + 16 + 4] = 0x83; /* second entry: Linux */
	CHECK_INT(probe(d), PROBE_MBR);
	/* a GPT's protective MBR counts as the GPT */
	d->head[446 + 16 + 4] = 0;
	d->head[446 + 4] = 0xee;
	memcpy(d->head + 512, "EFI PART", 8);
	CHECK_INT(probe(d), PROBE_GPT);
	free(d);
}

static void test_lvm2(void)
{
	struct disk *d = blank();

	memcpy(d->head + 512, "LABELONE", 8);
	CHECK_INT(probe(d), 0); /* no type */
	memcpy(d->head + 512 + 24, "LVM2 001", 8);
	CHECK_INT(probe(d), PROBE_LVM2);
	free(d);
}

static void test_several(void)
{
	struct disk *d = blank();
	char buf[128];

	memcpy(d->head + 4096 - 10, "SWAPSPACE2", 10);
	memcpy(d->head + 512, "EFI PART", 8);
	CHECK_INT(probe(d), PROBE_SWAP | PROBE_GPT);
	CHECK_STR(probe_describe(probe(d), "/dev/x", buf, sizeof(buf)),
		  "/dev/x appears to contain swap space");
	free(d);
}

static void test_describe(void)
{
	char buf[128];

	CHECK_STR(probe_describe(PROBE_EXT, "/dev/loop0", buf, sizeof(buf)),
		  "/dev/loop0 appears to contain an ext2fs file system");
	CHECK_STR(probe_describe(PROBE_MBR, "/dev/loop0", buf, sizeof(buf)),
		  "partition table exists on /dev/loop0");
	CHECK_STR(probe_describe(PROBE_GPT | PROBE_MD1, "/dev/loop0", buf, sizeof(buf)),
		  "partition table exists on /dev/loop0");
	CHECK_STR(probe_describe(PROBE_MD1, "/dev/loop0", buf, sizeof(buf)),
		  "/dev/loop0 appears to be part of a raid array (md 1.x superblock)");
	CHECK_STR(probe_describe(PROBE_DDF, "d", buf, sizeof(buf)),
		  "d appears to be part of a raid array (DDF metadata)");
	CHECK_STR(probe_describe(PROBE_LVM2, "d", buf, sizeof(buf)),
		  "d appears to contain an LVM2 physical volume");
}

/* Short buffers, no tail, tiny areas: nothing is read out of bounds. */
static void test_short(void)
{
	unsigned char small[600];
	struct probe_area a = { .head = small, .head_len = sizeof(small), .area_bytes = 600 };

	memset(small, 0, sizeof(small));
	small[510] = 0x55;
	small[511] = 0xaa;
	small[446 + 4] = 7;
	CHECK_INT(probe_signatures(&a), PROBE_MBR);
	for (size_t n = 0; n <= sizeof(small); n++) {
		unsigned char *copy = malloc(n ? n : 1);

		memcpy(copy, small, n);
		a = (struct probe_area){ .head = copy, .head_len = n, .tail = copy, .tail_len = n,
					 .area_bytes = n, .sector_bytes = 512 };
		CHECK(probe_signatures(&a) == (n >= 512 ? PROBE_MBR : 0));
		free(copy);
	}
	a = (struct probe_area){ .area_bytes = 1ull << 40 };
	CHECK_INT(probe_signatures(&a), 0);
}

int main(void)
{
	RUN(test_blank);
	RUN(test_each_signature);
	RUN(test_ext_block_size);
	RUN(test_mbr);
	RUN(test_lvm2);
	RUN(test_several);
	RUN(test_describe);
	RUN(test_short);
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
