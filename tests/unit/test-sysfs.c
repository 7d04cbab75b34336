/*
 * test-sysfs.c: the sysfs layer against a fake tree in a temp dir.
 *
 * Each test builds <tmp>/block/<devnm>/md/... with plain files (values as
 * the kernel prints them, newline included; §3 and §12.1 of
 * md-kernel-interface.md), runs the getters and setters on it, and removes
 * the tree.  Kernel refusals (EBUSY...) cannot be faked with plain files;
 * what is checked here is paths, parsing, and error propagation.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"
#include "unit.h"

static char root[64];

/* mkdir -p of every parent of <root>/<rel>, then write the file. */
static void put(const char *rel, const char *val)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		(void)mkdir(path, 0755); /* EEXIST is fine; a real failure shows below */
		*slash = '/';
	}
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

static void put_dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	CHECK_INT(mkdir(path, 0755), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tree_begin(void)
{
	snprintf(root, sizeof(root), "/tmp/test-sysfs-XXXXXX");
	CHECK(mkdtemp(root) != NULL);
}

static void tree_end(void)
{
	CHECK_INT(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

#define MD "block/md126/md/"

/* A raid5 member as §12.1 shows it, disks added out of order. */
static void put_raid5_member(void)
{
	put(MD "level", "raid5\n");
	put(MD "raid_disks", "3\n");
	put(MD "chunk_size", "131072\n");
	put(MD "layout", "0\n");
	put(MD "component_size", "16384\n");
	put(MD "metadata_version", "external:/md127/0\n");
	put(MD "array_state", "clean\n");
	put(MD "sync_action", "idle\n");
	put(MD "sync_completed", "none\n");
	put(MD "sync_max", "max\n");
	put(MD "resync_start", "none\n");
	put(MD "reshape_position", "none\n");
	put(MD "dev-loop2/slot", "2\n");
	put(MD "dev-loop2/state", "in_sync,external_bbl\n");
	put(MD "dev-loop2/offset", "0\n");
	put(MD "dev-loop2/size", "16384\n");
	put(MD "dev-loop2/block/dev", "7:2\n");
	put(MD "dev-loop0/slot", "0\n");
	put(MD "dev-loop0/state", "in_sync,external_bbl\n");
	put(MD "dev-loop0/offset", "0\n");
	put(MD "dev-loop0/size", "16384\n");
	put(MD "dev-loop0/block/dev", "7:0\n");
	put(MD "dev-loop1/slot", "1\n");
	put(MD "dev-loop1/state", "in_sync,external_bbl\n");
	put(MD "dev-loop1/offset", "0\n");
	put(MD "dev-loop1/size", "16384\n");
	put(MD "dev-loop1/block/dev", "7:1\n");
	put(MD "rd0", "not a dev- entry\n");
}

static void test_getters(void)
{
	struct md_sysfs md;
	unsigned long long v = 1, total = 1;
	char buf[64];
	int disks = 0;

	tree_begin();
	put_raid5_member();
	sysfs_init(&md, root, "md126");
	CHECK(sysfs_array_exists(&md));
	CHECK_INT(sysfs_get_level(&md, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "raid5");
	CHECK_INT(sysfs_get_raid_disks(&md, &disks), 0);
	CHECK_INT(disks, 3);
	CHECK_INT(sysfs_get_chunk_bytes(&md, &v), 0);
	CHECK_INT(v, 131072);
	CHECK_INT(sysfs_get_component_kib(&md, &v), 0);
	CHECK_INT(v, 16384);
	CHECK_INT(sysfs_get_array_state(&md, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "clean");
	CHECK_INT(sysfs_get_metadata_version(&md, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "external:/md127/0");
	CHECK_INT(sysfs_get_sync_action(&md, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "idle");
	CHECK_INT(sysfs_get_sync_completed(&md, &v, &total), 0);
	CHECK(v == SYSFS_NONE && total == SYSFS_NONE);
	CHECK_INT(sysfs_read_attr(&md, "loop1", "state", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "in_sync,external_bbl");
	CHECK_INT(sysfs_read_ull(&md, "loop2", "size", &v), 0);
	CHECK_INT(v, 16384);
	tree_end();
}

/* "none" and "max" read as SYSFS_NONE; other words are -EINVAL. */
static void test_none_and_numbers(void)
{
	struct md_sysfs md;
	unsigned long long v = 7;

	tree_begin();
	put_raid5_member();
	put(MD "bogus", "12abc\n");
	put(MD "huge", "18446744073709551616\n");
	put(MD "empty", "");
	sysfs_init(&md, root, "md126");
	CHECK_INT(sysfs_read_ull(&md, NULL, "resync_start", &v), 0);
	CHECK(v == SYSFS_NONE);
	CHECK_INT(sysfs_read_ull(&md, NULL, "sync_max", &v), 0);
	CHECK(v == SYSFS_NONE);
	v = 7;
	CHECK_INT(sysfs_read_ull(&md, NULL, "bogus", &v), -EINVAL);
	CHECK_INT(sysfs_read_ull(&md, NULL, "huge", &v), -ERANGE);
	CHECK_INT(sysfs_read_ull(&md, NULL, "empty", &v), -EINVAL);
	CHECK_INT(sysfs_read_ull(&md, NULL, "level", &v), -EINVAL);
	CHECK_INT(v, 7); /* untouched on failure */
	put(MD "sync_completed", "2056 / 32768\n");
	CHECK_INT(sysfs_get_sync_completed(&md, &v, &v), 0);
	put(MD "sync_completed", "delayed\n");
	v = 0;
	CHECK_INT(sysfs_get_sync_completed(&md, &v, &v), 0);
	CHECK(v == SYSFS_NONE);
	put(MD "sync_completed", "2056 / \n");
	CHECK_INT(sysfs_get_sync_completed(&md, &v, &v), -EINVAL);
	tree_end();
}

static void test_sync_completed(void)
{
	struct md_sysfs md;
	unsigned long long done = 0, total = 0;

	tree_begin();
	put(MD "sync_completed", "6144 / 16384\n");
	sysfs_init(&md, root, "md126");
	CHECK_INT(sysfs_get_sync_completed(&md, &done, &total), 0);
	CHECK_INT(done, 6144);
	CHECK_INT(total, 16384);
	tree_end();
}

/* "N (M)" while a reshape changes the value; empty raid_disks: -1. */
static void test_reshape_pairs(void)
{
	struct md_sysfs md;
	struct md_array_info info = { .n_members = 0 };
	unsigned long long chunk = 0;
	int disks = 0;

	tree_begin();
	put_raid5_member();
	put(MD "raid_disks", "4 (3)\n");
	put(MD "chunk_size", "262144 (131072)\n");
	put(MD "layout", "5 (0)\n");
	sysfs_init(&md, root, "md126");
	CHECK_INT(sysfs_get_raid_disks(&md, &disks), 0);
	CHECK_INT(disks, 4);
	CHECK_INT(sysfs_get_chunk_bytes(&md, &chunk), 0);
	CHECK_INT(chunk, 262144);
	CHECK_INT(sysfs_read_array(&md, &info), 0);
	CHECK_INT(info.layout, 5);
	sysfs_free_array(&info);
	put(MD "raid_disks", "\n");
	CHECK_INT(sysfs_get_raid_disks(&md, &disks), 0);
	CHECK_INT(disks, -1);
	put(MD "raid_disks", "4 (3\n");
	disks = 9;
	CHECK_INT(sysfs_get_raid_disks(&md, &disks), -EINVAL);
	put(MD "raid_disks", "4 3\n");
	CHECK_INT(sysfs_get_raid_disks(&md, &disks), -EINVAL);
	put(MD "raid_disks", "99999999999\n");
	CHECK_INT(sysfs_get_raid_disks(&md, &disks), -ERANGE);
	CHECK_INT(disks, 9);
	tree_end();
}

static void test_read_array(void)
{
	struct md_sysfs md;
	struct md_array_info info = { .n_members = 0 };
	int i;

	tree_begin();
	put_raid5_member();
	sysfs_init(&md, root, "md126");
	CHECK_INT(sysfs_read_array(&md, &info), 0);
	CHECK_STR(info.devnm, "md126");
	CHECK_STR(info.level, "raid5");
	CHECK_STR(info.metadata, "external:/md127/0");
	CHECK_STR(info.array_state, "clean");
	CHECK_INT(info.raid_disks, 3);
	CHECK_INT(info.chunk_bytes, 131072);
	CHECK_INT(info.component_kib, 16384);
	CHECK_INT(info.layout, 0);
	CHECK_INT(info.n_members, 3);
	for (i = 0; i < info.n_members && i < 3; i++) {
		char want[16];

		snprintf(want, sizeof(want), "loop%d", i);
		CHECK_STR(info.members[i].kname, want);
		CHECK_INT(info.members[i].slot, i);
		CHECK_STR(info.members[i].state, "in_sync,external_bbl");
		CHECK_INT(info.members[i].offset_sectors, 0);
		CHECK_INT(info.members[i].size_kib, 16384);
		CHECK_INT(info.members[i].major, 7);
		CHECK_INT(info.members[i].minor, i);
	}
	sysfs_free_array(&info);
	CHECK(info.members == NULL && info.n_members == 0);
	tree_end();
}

/* A container (§12.1): no level, empty raid_disks, every slot "none". */
static void put_container(void)
{
	static const char *const disks[] = { "sdc", "sda", "nvme0n1", "sdb" };
	char rel[128];
	size_t i;

	put("block/md127/md/level", "\n");
	put("block/md127/md/raid_disks", "\n");
	put("block/md127/md/chunk_size", "0\n");
	put("block/md127/md/layout", "0\n");
	put("block/md127/md/component_size", "0\n");
	put("block/md127/md/metadata_version", "external:imsm\n");
	put("block/md127/md/array_state", "inactive\n");
	for (i = 0; i < sizeof(disks) / sizeof(disks[0]); i++) {
		snprintf(rel, sizeof(rel), "block/md127/md/dev-%s/slot", disks[i]);
		put(rel, i == 3 ? "1\n" : "none\n"); /* one slotted, to test the order */
		snprintf(rel, sizeof(rel), "block/md127/md/dev-%s/state", disks[i]);
		put(rel, "spare,external_bbl\n");
		snprintf(rel, sizeof(rel), "block/md127/md/dev-%s/offset", disks[i]);
		put(rel, "128862\n");
		snprintf(rel, sizeof(rel), "block/md127/md/dev-%s/size", disks[i]);
		put(rel, "1105\n");
	}
	put("block/md127/md/dev-sda/block/dev", "8:0\n");
}

static void test_read_container(void)
{
	struct md_sysfs md;
	struct md_array_info info = { .n_members = 0 };

	tree_begin();
	put_container();
	sysfs_init(&md, root, "md127");
	CHECK_INT(sysfs_read_array(&md, &info), 0);
	CHECK_STR(info.level, "");
	CHECK_STR(info.metadata, "external:imsm");
	CHECK_STR(info.array_state, "inactive");
	CHECK_INT(info.raid_disks, -1);
	CHECK_INT(info.chunk_bytes, 0);
	CHECK_INT(info.component_kib, 0);
	CHECK_INT(info.n_members, 4);
	if (info.n_members == 4) {
		/* slotted first, then slot-less by name */
		CHECK_STR(info.members[0].kname, "sdb");
		CHECK_INT(info.members[0].slot, 1);
		CHECK_STR(info.members[1].kname, "nvme0n1");
		CHECK_STR(info.members[2].kname, "sda");
		CHECK_STR(info.members[3].kname, "sdc");
		CHECK_INT(info.members[3].slot, -1);
		CHECK_INT(info.members[2].major, 8);
		CHECK_INT(info.members[2].minor, 0);
		CHECK_INT(info.members[3].major, 0); /* no block/dev: 0:0 */
		CHECK_INT(info.members[3].minor, 0);
		CHECK_INT(info.members[1].offset_sectors, 128862);
		CHECK_INT(info.members[1].size_kib, 1105);
		CHECK_STR(info.members[1].state, "spare,external_bbl");
	}
	sysfs_free_array(&info);
	tree_end();
}

/* Errors come back as -errno and leave *ret alone. */
static void test_read_array_errors(void)
{
	struct md_sysfs md;
	struct md_array_info info = { .n_members = 42 };

	tree_begin();
	put_raid5_member();
	sysfs_init(&md, root, "md126");
	put(MD "dev-loop1/block/dev", "7-1\n");
	CHECK_INT(sysfs_read_array(&md, &info), -EINVAL);
	CHECK_INT(info.n_members, 42);
	put(MD "dev-loop1/block/dev", "7:1\n");
	put(MD "dev-loop1/slot", "-3\n");
	CHECK_INT(sysfs_read_array(&md, &info), -EINVAL);
	put(MD "dev-loop1/slot", "1\n");
	put_dir(MD "dev-loop9"); /* a dev- directory with no slot file */
	CHECK_INT(sysfs_read_array(&md, &info), -ENOENT);
	CHECK_INT(info.n_members, 42);
	put(MD "dev-loop9/slot", "none\n");
	put(MD "dev-loop9/state", "spare\n");
	put(MD "dev-loop9/offset", "0\n");
	put(MD "dev-loop9/size", "0\n");
	CHECK_INT(sysfs_read_array(&md, &info), 0);
	CHECK_INT(info.n_members, 4);
	if (info.n_members == 4)
		CHECK_STR(info.members[3].kname, "loop9");
	sysfs_free_array(&info);
	sysfs_init(&md, root, "md9");
	CHECK(!sysfs_array_exists(&md));
	CHECK_INT(sysfs_read_array(&md, &info), -ENOENT);
	tree_end();
}

static void test_write_read_back(void)
{
	struct md_sysfs md;
	unsigned long long v = 0;
	char buf[64];

	tree_begin();
	put_raid5_member();
	sysfs_init(&md, root, "md126");
	CHECK_INT(sysfs_set_sync_action(&md, "frozen"), 0);
	CHECK_INT(sysfs_get_sync_action(&md, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "frozen");
	CHECK_INT(sysfs_set_sync_action(&md, "idle"), 0); /* shorter: no stale bytes */
	CHECK_INT(sysfs_get_sync_action(&md, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "idle");
	CHECK_INT(sysfs_set_array_state(&md, "active"), 0);
	CHECK_INT(sysfs_get_array_state(&md, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "active");
	CHECK_INT(sysfs_write_ull(&md, NULL, "sync_max", 2048), 0);
	CHECK_INT(sysfs_read_ull(&md, NULL, "sync_max", &v), 0);
	CHECK_INT(v, 2048);
	CHECK_INT(sysfs_write_ull(&md, NULL, "sync_max", SYSFS_NONE), 0);
	CHECK_INT(sysfs_read_attr(&md, NULL, "sync_max", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "max");
	CHECK_INT(sysfs_write_ull(&md, NULL, "resync_start", SYSFS_NONE), 0);
	CHECK_INT(sysfs_read_attr(&md, NULL, "resync_start", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "none");
	CHECK_INT(sysfs_write_attr(&md, "loop0", "state", "-blocked"), 0);
	CHECK_INT(sysfs_read_attr(&md, "loop0", "state", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "-blocked");
	tree_end();
}

static void test_missing_and_errors(void)
{
	struct md_sysfs md;
	unsigned long long v = 5;
	char buf[8] = "keep";
	int disks = 5, fd;

	tree_begin();
	put_raid5_member();
	put(MD "long", "0123456789\n");
	sysfs_init(&md, root, "md126");
	CHECK_INT(sysfs_read_attr(&md, NULL, "new_level", buf, sizeof(buf)), -ENOENT);
	CHECK_INT(sysfs_read_attr(&md, "loop7", "slot", buf, sizeof(buf)), -ENOENT);
	CHECK_INT(sysfs_write_attr(&md, NULL, "new_level", "5"), -ENOENT); /* no O_CREAT */
	CHECK_INT(sysfs_read_ull(&md, NULL, "stripe_cache_size", &v), -ENOENT);
	CHECK_INT(sysfs_read_attr(&md, NULL, "long", buf, sizeof(buf)), -ERANGE);
	CHECK_STR(buf, "keep");
	CHECK_INT(sysfs_read_attr(&md, NULL, "level", buf, 0), -EINVAL);
	CHECK_INT(sysfs_read_attr(&md, NULL, "dev-loop0", buf, sizeof(buf)), -EISDIR);
	CHECK_INT(sysfs_write_attr(&md, NULL, "level", NULL), -EINVAL);
	CHECK_INT(v, 5);
	fd = sysfs_open_attr(&md, NULL, "array_state");
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK_INT(sysfs_open_attr(&md, NULL, "degraded"), -ENOENT);
	sysfs_init(&md, root, "md126-name-that-is-far-too-long-to-fit");
	CHECK_INT(sysfs_get_raid_disks(&md, &disks), -EINVAL);
	CHECK_INT(disks, 5);
	tree_end();
}

/* A value longer than a page cannot come from sysfs: refuse it. */
static void test_oversized_value(void)
{
	struct md_sysfs md;
	char *big = malloc(5000), buf[8];

	tree_begin();
	CHECK(big != NULL);
	if (big) {
		memset(big, 'x', 4999);
		big[4999] = '\0';
		put(MD "big", big);
		sysfs_init(&md, root, "md126");
		CHECK_INT(sysfs_read_attr(&md, NULL, "big", buf, sizeof(buf)), -EFBIG);
		free(big);
	}
	tree_end();
}

int main(void)
{
	RUN(test_getters);
	RUN(test_none_and_numbers);
	RUN(test_sync_completed);
	RUN(test_reshape_pairs);
	RUN(test_read_array);
	RUN(test_read_container);
	RUN(test_read_array_errors);
	RUN(test_write_read_back);
	RUN(test_missing_and_errors);
	RUN(test_oversized_value);
	return UNIT_DONE();
}
