/*
 * test-misc.c: the pure parts of the misc verbs, without a VM.
 *
 *  - volume names (imsm-format.md §5.2): length, characters, leading dot,
 *    uniqueness (a rename checks every volume, its own name included);
 *  - deleting a volume from an in-memory container of two (§5.7): volume
 *    1 moves to index 0 with its fields, its UUID changes (the index is
 *    part of it, §8.6), the copy still encodes and decodes; deleting the
 *    last; refusals (no such volume, a general migration recorded);
 *  - renaming: the name field NUL padded, a 16-character name, refusals;
 *  - what erasing IMSM metadata zeroes (anchor, extension sectors,
 *    migration record) for plausible and damaged anchors;
 *  - the bad-block log read for one disk (§2.7), 4Kn units;
 *  - md's native superblock places, --action words, clean array states,
 *    a volume's index from metadata_version, subarray numbers;
 *  - safe_mode_delay parsed from a fake sysfs tree.
 */
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imsm-bbm.h"
#include "imsm-le.h"
#include "imsm-subarray.h"
#include "imsm.h"
#include "mdadm.h"
#include "misc.h"
#include "unit.h"

#define DISK_SECTORS (64 * 2048) /* 64 MiB */

static void fake_disk(struct md_disk *d, int i)
{
	memset(d, 0, sizeof(*d));
	d->path = "/dev/fake";
	d->fd = -1;
	d->major = 7;
	d->minor = (unsigned int)i;
	d->sectors = DISK_SECTORS;
	d->sector_bytes = 512;
	snprintf(d->kname, sizeof(d->kname), "loop%d", i);
	snprintf(d->id, IMSM_SERIAL_BYTES, "/dev/loop%u", (unsigned int)i % 10);
}

/* A container of three disks with a raid5 "first" and a raid0 "second". */
static struct super *two_volumes(void)
{
	struct md_disk d[3];
	const struct md_disk *m[3] = {&d[0], &d[1], &d[2]};
	struct md_volume_request r5 = {
	    .name = "first", .level = 5, .raid_disks = 3, .size_kib = 8 * 1024};
	struct md_volume_request r0 = {
	    .name = "second", .level = 0, .raid_disks = 3, .size_kib = 4 * 1024};
	struct super *one = NULL, *both = NULL;

	for (int i = 0; i < 3; i++)
		fake_disk(&d[i], i);
	CHECK_INT(imsm_ops.create_volume(NULL, m, 3, &r5, &one), 0);
	if (one)
		CHECK_INT(imsm_ops.create_volume(one, m, 3, &r0, &both), 0);
	if (one)
		imsm_ops.free(one);
	return both;
}

static void check_round_trip(const struct imsm_super *s)
{
	size_t len = imsm_mpb_bytes(s), used = 0;
	unsigned char *buf = calloc(1, len);
	struct imsm_super *back = NULL;

	CHECK(buf != NULL);
	if (!buf)
		return;
	CHECK_INT(imsm_encode(s, buf, len, &used), 0);
	CHECK_INT(imsm_decode(buf, used, &back), 0);
	if (back) {
		CHECK_INT(back->num_raid_devs, s->num_raid_devs);
		CHECK(memcmp(back->dev[0].volume, s->dev[0].volume, IMSM_NAME_BYTES) == 0);
	}
	imsm_free(back);
	free(buf);
}

static void test_names(void)
{
	struct super *st = two_volumes();
	const struct imsm_super *s = st ? imsm_mpb_of(st) : NULL;

	CHECK_INT(imsm_check_volume_name(NULL, "vol0", -1), 0);
	CHECK_INT(imsm_check_volume_name(NULL, "A-z_0.9", -1), 0);
	CHECK_INT(imsm_check_volume_name(NULL, "abcdefghijklmnop", -1), 0); /* 16 */
	CHECK_INT(imsm_check_volume_name(NULL, "abcdefghijklmnopq", -1), -EBADR);
	CHECK_INT(imsm_check_volume_name(NULL, "", -1), -EBADR);
	CHECK_INT(imsm_check_volume_name(NULL, ".hidden", -1), -EBADR);
	CHECK_INT(imsm_check_volume_name(NULL, "a/b", -1), -EBADR);
	CHECK_INT(imsm_check_volume_name(NULL, "a b", -1), -EBADR);
	CHECK_INT(imsm_check_volume_name(NULL, "caf\xc3\xa9", -1), -EBADR);
	if (!s)
		return;
	CHECK_INT(imsm_check_volume_name(s, "first", -1), -EEXIST);
	CHECK_INT(imsm_check_volume_name(s, "second", -1), -EEXIST);
	CHECK_INT(imsm_check_volume_name(s, "first", 0), 0);
	CHECK_INT(imsm_check_volume_name(s, "third", -1), 0);
	imsm_ops.free(st);
}

static void test_kill_first_of_two(void)
{
	struct super *st = two_volumes();
	char uuid_before[MD_UUID_TEXT_BYTES], uuid_after[MD_UUID_TEXT_BYTES];
	struct imsm_dev second;
	struct imsm_super *s;

	if (!st)
		return;
	s = imsm_mpb_of(st);
	second = s->dev[1];
	CHECK_INT(imsm_ops.uuid(st, 1, uuid_before), 0);
	CHECK_INT(imsm_op_kill_volume(st, 0), 0);
	CHECK_INT(s->num_raid_devs, 1);
	CHECK(memcmp(&s->dev[0], &second, sizeof(second)) == 0);
	CHECK_STR(s->dev[0].volume, "second");
	CHECK(s->dev[0].vol.map[0].pba_of_lba0 > 0);
	CHECK_INT(s->dev[0].my_vol_raid_dev_num, 2); /* the Volume ID stays */
	CHECK_INT(s->num_disks, 3);		     /* the disk table stays */
	CHECK_INT(imsm_ops.num_volumes(st), 1);
	CHECK_INT(imsm_ops.uuid(st, 0, uuid_after), 0);
	CHECK(strcmp(uuid_before, uuid_after) != 0);
	check_round_trip(s);
	/* the last one: no volume left, the caller writes spare records */
	CHECK_INT(imsm_op_kill_volume(st, 0), 0);
	CHECK_INT(s->num_raid_devs, 0);
	CHECK_INT(imsm_op_kill_volume(st, 0), -ENOENT);
	imsm_ops.free(st);
}

static void test_kill_second_of_two(void)
{
	struct super *st = two_volumes();
	struct imsm_dev first;
	struct imsm_super *s;

	if (!st)
		return;
	s = imsm_mpb_of(st);
	first = s->dev[0];
	CHECK_INT(imsm_op_kill_volume(st, 2), -ENOENT);
	CHECK_INT(imsm_op_kill_volume(st, -1), -ENOENT);
	CHECK_INT(s->num_raid_devs, 2);
	CHECK_INT(imsm_op_kill_volume(st, 1), 0);
	CHECK_INT(s->num_raid_devs, 1);
	CHECK(memcmp(&s->dev[0], &first, sizeof(first)) == 0);
	check_round_trip(s);
	imsm_ops.free(st);
}

/* A reshape's record and checkpoints follow the volume indexes. */
static void test_kill_refused_in_reshape(void)
{
	struct super *st = two_volumes();
	struct imsm_super *s;

	if (!st)
		return;
	s = imsm_mpb_of(st);
	s->dev[1].vol.migr_state = 1;
	s->dev[1].vol.migr_type = IMSM_MIGR_GEN_MIGR;
	s->dev[1].vol.map[1] = s->dev[1].vol.map[0];
	CHECK(imsm_op_reshape_recorded(st));
	CHECK_INT(imsm_op_kill_volume(st, 0), -EBUSY);
	CHECK_INT(imsm_op_kill_volume(st, 1), -EBUSY);
	CHECK_INT(s->num_raid_devs, 2);
	CHECK_STR(s->dev[0].volume, "first");
	imsm_ops.free(st);
}

static void test_rename(void)
{
	struct super *st = two_volumes();
	struct imsm_super *s;

	if (!st)
		return;
	s = imsm_mpb_of(st);
	CHECK_INT(imsm_op_rename_volume(st, 0, "second"), -EEXIST);
	CHECK_INT(imsm_op_rename_volume(st, 0, "first"), -EEXIST); /* as upstream */
	CHECK_INT(imsm_op_rename_volume(st, 0, "bad/name"), -EBADR);
	CHECK_INT(imsm_op_rename_volume(st, 2, "ok"), -ENOENT);
	CHECK_STR(s->dev[0].volume, "first");
	CHECK_INT(imsm_op_rename_volume(st, 1, "abcdefghijklmnop"), 0);
	CHECK(memcmp(s->dev[1].volume, "abcdefghijklmnop", IMSM_NAME_BYTES) == 0);
	CHECK_INT(imsm_op_rename_volume(st, 1, "x"), 0);
	CHECK(memcmp(s->dev[1].volume, "x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", IMSM_NAME_BYTES) == 0);
	check_round_trip(s);
	CHECK(strlen(imsm_volume_edit_error(-EBADR)) > 0);
	CHECK(strlen(imsm_volume_edit_error(-EBUSY)) > 0);
	imsm_ops.free(st);
}

static void anchor_with_size(unsigned char *buf, uint32_t mpb_bytes)
{
	memset(buf, 0, 512);
	memcpy(buf, IMSM_SIGNATURE, IMSM_SIGNATURE_BYTES);
	le_put32(buf + IMSM_OFF_MPB_SIZE, mpb_bytes);
}

static void test_erase_range(void)
{
	unsigned char a[512];
	uint64_t first = 0;
	uint32_t n = 0;

	anchor_with_size(a, 704); /* two sectors of MPB */
	CHECK_INT(imsm_erase_range(1000, 512, a, &first, &n), 0);
	CHECK_INT(first, 1000 - 3);
	CHECK_INT(n, 3);
	anchor_with_size(a, 264); /* a spare record */
	CHECK_INT(imsm_erase_range(1000, 512, a, &first, &n), 0);
	CHECK_INT(first, 1000 - 2);
	CHECK_INT(n, 2);
	anchor_with_size(a, 7); /* damaged size: the anchor and the record still go */
	CHECK_INT(imsm_erase_range(1000, 512, a, &first, &n), 0);
	CHECK_INT(first, 1000 - 2);
	CHECK_INT(n, 2);
	anchor_with_size(a, 65536); /* 128 sectors on a disk of 100: too large */
	CHECK_INT(imsm_erase_range(100, 512, a, &first, &n), 0);
	CHECK_INT(first, 100 - 2);
	CHECK_INT(n, 2);
	memset(a, 0, sizeof(a));
	CHECK_INT(imsm_erase_range(1000, 512, a, &first, &n), -ENODATA);
	anchor_with_size(a, 704);
	CHECK_INT(imsm_erase_range(2, 512, a, &first, &n), -ENOSPC);
}

static void put_bbm_entry(struct imsm_super *s, int i, uint8_t count_minus_1, uint8_t disk,
			  uint64_t start)
{
	uint8_t *e = s->bbm_log + IMSM_BBM_HEADER_BYTES + i * IMSM_BBM_ENTRY_BYTES;

	e[0] = count_minus_1;
	e[1] = disk;
	le_put16(e + 2, (uint16_t)(start & 0xffff));
	le_put32(e + 4, (uint32_t)(start >> 16));
}

static void test_bad_blocks(void)
{
	struct super *st = two_volumes();
	struct imsm_bad_range bb[4];
	struct imsm_super *s;

	if (!st)
		return;
	s = imsm_mpb_of(st);
	CHECK_INT(imsm_op_bad_blocks(st, 1, bb, 4), 0); /* no log */
	s->bbm_log_bytes = IMSM_BBM_HEADER_BYTES + 3 * IMSM_BBM_ENTRY_BYTES;
	le_put32(s->bbm_log, IMSM_BBM_SIGNATURE);
	le_put32(s->bbm_log + 4, 3);
	put_bbm_entry(s, 0, 7, 1, 41000); /* §2.7's example */
	put_bbm_entry(s, 1, 0, 0, 12);
	put_bbm_entry(s, 2, 255, 1, 0x123456789aULL); /* a start above 32 bits */
	CHECK_INT(imsm_op_bad_blocks(st, 1, bb, 4), 2);
	CHECK_INT(bb[0].start_blocks, 41000);
	CHECK_INT(bb[0].count_blocks, 8);
	CHECK_INT(bb[1].start_blocks, 0x123456789aLL);
	CHECK_INT(bb[1].count_blocks, 256);
	CHECK_INT(imsm_op_bad_blocks(st, 0, bb, 4), 1);
	CHECK_INT(bb[0].start_blocks, 12);
	CHECK_INT(imsm_op_bad_blocks(st, 2, bb, 4), 0);
	CHECK_INT(imsm_op_bad_blocks(st, 1, bb, 1), 2); /* counts past max */
	/* 4Kn: stored in 4096-byte units (§1.8) */
	CHECK_INT(imsm_bbm_disk_entries(s, 0, 4096, bb, 4), 1);
	CHECK_INT(bb[0].start_blocks, 96);
	CHECK_INT(bb[0].count_blocks, 8);
	/* a header that does not hold together is refused, not followed */
	le_put32(s->bbm_log + 4, 200);
	CHECK_INT(imsm_op_bad_blocks(st, 1, bb, 4), -EINVAL);
	le_put32(s->bbm_log + 4, 3);
	le_put32(s->bbm_log, 0x12345678);
	CHECK_INT(imsm_op_bad_blocks(st, 1, bb, 4), -EINVAL);
	imsm_ops.free(st);
}

static void test_native_places(void)
{
	unsigned long long off[MISC_NATIVE_SB_PLACES];
	unsigned int major[MISC_NATIVE_SB_PLACES];
	unsigned char sb[8] = {0xfc, 0x4e, 0x2b, 0xa9, 1, 0, 0, 0};
	unsigned long long size = 16ULL << 20;

	CHECK_INT(misc_native_sb_places(size, off, major), 4);
	CHECK_INT(off[0], 0);
	CHECK_INT(off[1], 4096);
	CHECK_INT(off[2], size - 8192);
	CHECK_INT(major[2], 1);
	CHECK_INT(off[3], size - 65536);
	CHECK_INT(major[3], 0);
	/* 1.0 stays 4 KiB aligned, 0.90 64 KiB aligned on an odd size */
	size = (16ULL << 20) + 3 * 512;
	CHECK_INT(misc_native_sb_places(size, off, major), 4);
	CHECK_INT(off[2], (16ULL << 20) - 8192 + 0); /* (size - 8K) & ~4K-1 */
	CHECK_INT(off[3], (16ULL << 20) - 65536);
	CHECK_INT(misc_native_sb_places(4096, off, major), 0);
	CHECK(misc_native_sb_at(sb, sizeof(sb), 1));
	CHECK(!misc_native_sb_at(sb, sizeof(sb), 0));
	CHECK(!misc_native_sb_at(sb, 4, 1));
	sb[0] = 0;
	CHECK(!misc_native_sb_at(sb, sizeof(sb), 1));
}

static void test_words(void)
{
	int idx = -1;

	CHECK(misc_action_valid("check"));
	CHECK(misc_action_valid("repair"));
	CHECK(misc_action_valid("idle"));
	CHECK(misc_action_valid("frozen"));
	CHECK(!misc_action_valid("resync"));
	CHECK(!misc_action_valid("recover"));
	CHECK(!misc_action_valid(""));
	CHECK(!misc_action_valid(NULL));
	CHECK(misc_state_is_clean("clean"));
	CHECK(misc_state_is_clean("read-auto"));
	CHECK(misc_state_is_clean("inactive"));
	CHECK(!misc_state_is_clean("active"));
	CHECK(!misc_state_is_clean("active-idle"));
	CHECK(!misc_state_is_clean("write-pending"));
	CHECK_INT(misc_member_index("external:/md127/1", "md127"), 1);
	CHECK_INT(misc_member_index("external:-md127/0", "md127"), 0);
	CHECK_INT(misc_member_index("external:/md127/0", "md12"), -1);
	CHECK_INT(misc_member_index("external:/md1270/0", "md127"), -1);
	CHECK_INT(misc_member_index("external:imsm", "md127"), -1);
	CHECK_INT(misc_member_index("1.2", "md127"), -1);
	CHECK_INT(misc_member_index("external:/md127/x", "md127"), -1);
	CHECK_INT(misc_parse_subarray("0", &idx), 0);
	CHECK_INT(idx, 0);
	CHECK_INT(misc_parse_subarray("1", &idx), 0);
	CHECK_INT(idx, 1);
	CHECK_INT(misc_parse_subarray("255", &idx), 0);
	CHECK_INT(misc_parse_subarray("256", &idx), -EINVAL);
	CHECK_INT(misc_parse_subarray("-1", &idx), -EINVAL);
	CHECK_INT(misc_parse_subarray("1x", &idx), -EINVAL);
	CHECK_INT(misc_parse_subarray("", &idx), -EINVAL);
	CHECK_INT(misc_parse_subarray(NULL, &idx), -EINVAL);
	CHECK_INT(misc_parse_subarray("0001", &idx), -EINVAL);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int safe_mode_of(const char *root, const char *text, unsigned int *ret)
{
	char path[256];
	struct md_sysfs md;
	FILE *f;

	snprintf(path, sizeof(path), "%s/block/md126/md/safe_mode_delay", root);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	fclose(f);
	sysfs_init(&md, root, "md126");
	return sysfs_get_safe_mode_ms(&md, ret);
}

static void test_safe_mode(void)
{
	char root[64] = "/tmp/test-misc-XXXXXX", path[256], back[32];
	struct md_sysfs md;
	unsigned int ms = 0;

	CHECK(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/block", root);
	CHECK_INT(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/block/md126", root);
	CHECK_INT(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/block/md126/md", root);
	CHECK_INT(mkdir(path, 0755), 0);
	CHECK_INT(safe_mode_of(root, "4.000\n", &ms), 0);
	CHECK_INT(ms, 4000);
	CHECK_INT(safe_mode_of(root, "0.004\n", &ms), 0);
	CHECK_INT(ms, 4);
	CHECK_INT(safe_mode_of(root, "0\n", &ms), 0);
	CHECK_INT(ms, 0);
	CHECK_INT(safe_mode_of(root, "1.5\n", &ms), 0);
	CHECK_INT(ms, 1500);
	CHECK_INT(safe_mode_of(root, "abc\n", &ms), -EINVAL);
	CHECK_INT(safe_mode_of(root, "1.5s\n", &ms), -EINVAL);
	sysfs_init(&md, root, "md126");
	CHECK_INT(sysfs_set_safe_mode_ms(&md, 1), 0);
	CHECK(sysfs_read_attr(&md, NULL, "safe_mode_delay", back, sizeof(back)) >= 0);
	CHECK_STR(back, "0.001");
	CHECK_INT(sysfs_set_safe_mode_ms(&md, 4000), 0);
	CHECK(sysfs_read_attr(&md, NULL, "safe_mode_delay", back, sizeof(back)) >= 0);
	CHECK_STR(back, "4.000");
	CHECK_INT(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int main(void)
{
	RUN(test_names);
	RUN(test_kill_first_of_two);
	RUN(test_kill_second_of_two);
	RUN(test_kill_refused_in_reshape);
	RUN(test_rename);
	RUN(test_erase_range);
	RUN(test_bad_blocks);
	RUN(test_native_places);
	RUN(test_words);
	RUN(test_safe_mode);
	return UNIT_DONE();
}
