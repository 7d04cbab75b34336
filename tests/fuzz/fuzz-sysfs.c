/*
 * fuzz-sysfs.c: libFuzzer target for the parsers of sysfs.c, through its
 * public getters over a fake sysfs tree (sysfs_init() takes the root, as
 * the unit tests use it): the tree lives in a private temporary folder
 * and its attribute files hold the fuzzer's bytes.
 *
 * Input (fuzz.h parts), in this order: the array's level,
 * metadata_version, array_state, raid_disks, chunk_size, component_size,
 * layout, sync_completed and safe_mode_delay; then, five parts per member
 * (up to four members, dev-fz0 ... dev-fz3): slot, state, offset, size,
 * block/dev.  An attribute whose part is missing has no file.
 *
 * Checks: nothing crashes; each getter either fails or returns a value
 * its own contract allows (strings NUL-terminated inside their buffer, a
 * safe-mode delay that fits its seconds); sysfs_read_array()'s members are
 * sorted by slot with slot-less ones last.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "sysfs.h"

#define T "sysfs"
#define MEMBERS 4

static const char *const array_attrs[] = {
    "level",	      "metadata_version", "array_state",    "raid_disks",      "chunk_size",
    "component_size", "layout",		  "sync_completed", "safe_mode_delay",
};
static const char *const member_attrs[] = {"slot", "state", "offset", "size", "block/dev"};

static char root[PATH_MAX], md_dir[PATH_MAX];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

/* libFuzzer ends with exit(): the tree goes with it. */
static void remove_tree(void)
{
	(void)nftw(root, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void setup_tree(void)
{
	char path[PATH_MAX + 64];
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/fuzz-sysfs-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		fuzz_fail(T, "mkdtemp failed");
	snprintf(path, sizeof(path), "%s/block", root);
	(void)mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/block/md_fz", root);
	(void)mkdir(path, 0700);
	snprintf(md_dir, sizeof(md_dir), "%s/block/md_fz/md", root);
	if (mkdir(md_dir, 0700) < 0)
		fuzz_fail(T, "cannot make the fake tree");
	atexit(remove_tree);
}

/* The file at md/REL holds len bytes of p, or is absent when p is NULL. */
static void put_attr(const char *rel, const uint8_t *p, size_t len)
{
	char path[PATH_MAX + 64];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", md_dir, rel);
	if (!p) {
		(void)unlink(path);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, p, len) != (ssize_t)len)
		fuzz_fail(T, "cannot write an attribute");
	close(fd);
}

/* dev-fzK with its attributes from the input, or gone when the input has
 * no more parts. */
static void put_member(struct fuzz_in *in, int k)
{
	char rel[64], path[PATH_MAX + 64];
	bool present = in->n >= 2;

	snprintf(path, sizeof(path), "%s/dev-fz%d", md_dir, k);
	if (present) {
		(void)mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/dev-fz%d/block", md_dir, k);
		(void)mkdir(path, 0700);
	}
	for (size_t a = 0; a < sizeof(member_attrs) / sizeof(member_attrs[0]); a++) {
		const uint8_t *p = NULL;
		size_t len = 0;

		if (!present || !fuzz_part(in, &p, &len))
			p = NULL;
		snprintf(rel, sizeof(rel), "dev-fz%d/%s", k, member_attrs[a]);
		put_attr(rel, p, len);
	}
	if (!present) {
		snprintf(path, sizeof(path), "%s/dev-fz%d/block", md_dir, k);
		(void)rmdir(path);
		snprintf(path, sizeof(path), "%s/dev-fz%d", md_dir, k);
		(void)rmdir(path);
	}
}

static void put_tree(struct fuzz_in *in)
{
	for (size_t a = 0; a < sizeof(array_attrs) / sizeof(array_attrs[0]); a++) {
		const uint8_t *p = NULL;
		size_t len = 0;

		if (!fuzz_part(in, &p, &len))
			p = NULL;
		put_attr(array_attrs[a], p, len);
	}
	for (int k = 0; k < MEMBERS; k++)
		put_member(in, k);
}

static void check_getters(const struct md_sysfs *md)
{
	unsigned long long done, total, v;
	unsigned int ms;
	char buf[64];
	int n;

	if (sysfs_get_level(md, buf, sizeof(buf)) == 0 && !memchr(buf, '\0', sizeof(buf)))
		fuzz_fail(T, "a level without its NUL");
	if (sysfs_get_raid_disks(md, &n) == 0 && n < -INT_MAX)
		fuzz_fail(T, "raid_disks out of range");
	(void)sysfs_get_chunk_bytes(md, &v);
	(void)sysfs_get_component_kib(md, &v);
	(void)sysfs_get_array_state(md, buf, sizeof(buf));
	(void)sysfs_get_metadata_version(md, buf, sizeof(buf));
	(void)sysfs_get_sync_action(md, buf, sizeof(buf));
	(void)sysfs_get_sync_completed(md, &done, &total);
	if (sysfs_get_safe_mode_ms(md, &ms) == 0 && ms > 1000000u * 1000u + 999u)
		fuzz_fail(T, "a safe-mode delay past its limit");
	(void)sysfs_read_ull(md, "fz0", "offset", &v);
}

static void check_array(const struct md_sysfs *md)
{
	struct md_array_info info;

	if (sysfs_read_array(md, &info) < 0)
		return;
	if (info.n_members < 0 || info.n_members > MEMBERS)
		fuzz_fail(T, "more members than directories");
	for (int i = 0; i < info.n_members; i++) {
		const struct md_member_info *m = &info.members[i];

		if (!memchr(m->state, '\0', sizeof(m->state)) ||
		    !memchr(m->kname, '\0', sizeof(m->kname)))
			fuzz_fail(T, "a member string without its NUL");
		if (i && m->slot >= 0 &&
		    (info.members[i - 1].slot < 0 || info.members[i - 1].slot > m->slot))
			fuzz_fail(T, "members not in slot order");
	}
	sysfs_free_array(&info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct md_sysfs md;

	if (!root[0])
		setup_tree();
	put_tree(&in);
	sysfs_init(&md, root, "md_fz");
	check_getters(&md);
	check_array(&md);
	return 0;
}
