/*
 * sysfs.c: the only code that touches md's sysfs attributes.
 *
 * Owns: building the paths <root>/block/<devnm>/md/<attr> and
 * .../md/dev-<kname>/<attr>, reading a value (one trailing newline
 * stripped), writing one (a single write(), the kernel's errno returned as
 * -errno), and the small typed getters and setters of sysfs.h, which know
 * the kernel's spellings: "none", "max", an empty raid_disks, and the
 * "new (old)" pairs shown during a reshape (md-kernel-interface.md §3).
 *
 * Never: prints, retries a refused write, or decides what to write and
 * when; that is policy and belongs to the caller.  Keeps no state.
 *
 * Stack use: a read needs about 8 KiB (a path and one page of value).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"
#include "util.h"

#ifndef must_check
#define must_check __attribute__((warn_unused_result))
#endif

#define ATTR_MAX 4096          /* a sysfs value is at most one page */
#define DEFAULT_ROOT "/sys"
#define MEMBERS_MAX 4096       /* far above any md array */

void sysfs_init(struct md_sysfs *md, const char *root, const char *devnm)
{
	md->root = root ? root : DEFAULT_ROOT;
	md->devnm[0] = '\0';
	/* a name that does not fit is left empty: every call then fails */
	if (devnm && strlen(devnm) < sizeof(md->devnm))
		memcpy(md->devnm, devnm, strlen(devnm) + 1);
}

static must_check int md_path(const struct md_sysfs *md, const char *dev, const char *attr,
			      char *buf, size_t len)
{
	int n;

	if (!md || !md->devnm[0] || !attr)
		return -EINVAL;
	if (dev)
		n = snprintf(buf, len, "%s/block/%s/md/dev-%s/%s", md->root, md->devnm, dev,
			     attr);
	else
		n = snprintf(buf, len, "%s/block/%s/md/%s", md->root, md->devnm, attr);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* ---- raw values -------------------------------------------------------- */

/* Read fd to its end into buf; -EFBIG when it does not fit. Returns the length. */
static must_check int read_value(int fd, char *buf, size_t len)
{
	size_t have = 0;
	ssize_t n;

	while (have < len - 1) {
		n = read(fd, buf + have, len - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	if (have == len - 1)
		return -EFBIG;
	buf[have] = '\0';
	return (int)have;
}

int sysfs_read_attr(const struct md_sysfs *md, const char *dev, const char *attr, char *buf,
		    size_t len)
{
	char path[PATH_MAX];
	char val[ATTR_MAX + 2]; /* one spare byte to notice a longer file */
	int fd, r;

	if (!buf || len == 0)
		return -EINVAL;
	r = md_path(md, dev, attr, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read_value(fd, val, sizeof(val));
	close(fd);
	if (r < 0)
		return r;
	if (r > 0 && val[r - 1] == '\n')
		val[--r] = '\0';
	if ((size_t)r >= len)
		return -ERANGE;
	memcpy(buf, val, (size_t)r + 1);
	return 0;
}

/*
 * O_TRUNC is what a shell's "echo x > attr" does; sysfs ignores it, and it
 * keeps a fake tree in a temp dir (tests) from showing stale bytes.  One
 * write() is one "store" in the kernel, so a short write is not resumed.
 */
int sysfs_write_attr(const struct md_sysfs *md, const char *dev, const char *attr,
		     const char *val)
{
	char path[PATH_MAX];
	size_t len;
	ssize_t n;
	int fd, r;

	if (!val)
		return -EINVAL;
	r = md_path(md, dev, attr, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = strlen(val);
	do {
		n = write(fd, val, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		r = -errno;
	else
		r = (size_t)n == len ? 0 : -EIO;
	close(fd);
	return r;
}

/* The first read arms POLLPRI notification (§3.4); the value is dropped. */
int sysfs_open_attr(const struct md_sysfs *md, const char *dev, const char *attr)
{
	char path[PATH_MAX];
	char val[ATTR_MAX + 2];
	int fd, r;

	r = md_path(md, dev, attr, path, sizeof(path));
	if (r < 0)
		return r;
	/* Read-write where allowed: mdmon answers through the same descriptor. */
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read_value(fd, val, sizeof(val));
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* ---- number spellings --------------------------------------------------- */

/* Leading decimal digits of s (at least one); *ret_end after them. */
static must_check int parse_digits(const char *s, const char **ret_end, unsigned long long *ret)
{
	unsigned long long v = 0;
	const char *p;
	unsigned d;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		d = (unsigned)(*p - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (p == s)
		return -EINVAL;
	*ret_end = p;
	*ret = v;
	return 0;
}

/* "N", or "N (M)" (new, old) while a reshape changes the value: N. */
static must_check int parse_new_old(const char *s, unsigned long long *ret)
{
	unsigned long long v, old;
	const char *end, *old_end;
	int r;

	r = parse_digits(s, &end, &v);
	if (r < 0)
		return r;
	if (*end != '\0') {
		if (end[0] != ' ' || end[1] != '(')
			return -EINVAL;
		r = parse_digits(end + 2, &old_end, &old);
		if (r < 0 || strcmp(old_end, ")") != 0)
			return -EINVAL;
	}
	*ret = v;
	return 0;
}

static must_check int parse_new_old_int(const char *s, int *ret)
{
	unsigned long long v;
	bool neg = s[0] == '-';
	int r;

	r = parse_new_old(s + neg, &v);
	if (r < 0)
		return r;
	if (v > INT_MAX)
		return -ERANGE;
	*ret = neg ? -(int)v : (int)v;
	return 0;
}

static must_check int parse_ull_value(const char *s, unsigned long long *ret)
{
	const char *end;
	unsigned long long v;
	int r;

	if (strcmp(s, "none") == 0 || strcmp(s, "max") == 0) {
		*ret = SYSFS_NONE;
		return 0;
	}
	r = parse_digits(s, &end, &v);
	if (r < 0)
		return r;
	if (*end != '\0')
		return -EINVAL;
	*ret = v;
	return 0;
}

int sysfs_read_ull(const struct md_sysfs *md, const char *dev, const char *attr,
		   unsigned long long *ret)
{
	char buf[64];
	unsigned long long v;
	int r;

	r = sysfs_read_attr(md, dev, attr, buf, sizeof(buf));
	if (r < 0)
		return r;
	r = parse_ull_value(buf, &v);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

/* SYSFS_NONE is written the way the attribute spells it: "max" or "none". */
int sysfs_write_ull(const struct md_sysfs *md, const char *dev, const char *attr,
		    unsigned long long val)
{
	char buf[32];

	if (val == SYSFS_NONE)
		return sysfs_write_attr(md, dev, attr,
					attr && strcmp(attr, "sync_max") == 0 ? "max" : "none");
	snprintf(buf, sizeof(buf), "%llu", val);
	return sysfs_write_attr(md, dev, attr, buf);
}

/* An attribute read whole and parsed with parse_new_old_int(). */
static must_check int read_new_old_int(const struct md_sysfs *md, const char *attr, int *ret)
{
	char buf[64];
	int v, r;

	r = sysfs_read_attr(md, NULL, attr, buf, sizeof(buf));
	if (r < 0)
		return r;
	r = parse_new_old_int(buf, &v);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

/* ---- typed attributes of the array ------------------------------------ */

int sysfs_get_level(const struct md_sysfs *md, char *buf, size_t len)
{
	return sysfs_read_attr(md, NULL, "level", buf, len);
}

/* Empty for containers (0 disks): -1. */
int sysfs_get_raid_disks(const struct md_sysfs *md, int *ret_disks)
{
	char buf[64];
	int v, r;

	r = sysfs_read_attr(md, NULL, "raid_disks", buf, sizeof(buf));
	if (r < 0)
		return r;
	if (buf[0] == '\0') {
		*ret_disks = -1;
		return 0;
	}
	r = parse_new_old_int(buf, &v);
	if (r < 0)
		return r;
	*ret_disks = v;
	return 0;
}

/* chunk_size is in bytes; "new (old)" during a chunk migration. */
int sysfs_set_max_sectors_kb(const struct md_sysfs *md, unsigned long long kib)
{
	return sysfs_write_ull(md, NULL, "../queue/max_sectors_kb", kib);
}

int sysfs_get_chunk_bytes(const struct md_sysfs *md, unsigned long long *ret)
{
	char buf[64];
	unsigned long long v;
	int r;

	r = sysfs_read_attr(md, NULL, "chunk_size", buf, sizeof(buf));
	if (r < 0)
		return r;
	r = parse_new_old(buf, &v);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

int sysfs_get_component_kib(const struct md_sysfs *md, unsigned long long *ret)
{
	return sysfs_read_ull(md, NULL, "component_size", ret);
}

int sysfs_get_array_state(const struct md_sysfs *md, char *buf, size_t len)
{
	return sysfs_read_attr(md, NULL, "array_state", buf, len);
}

int sysfs_set_array_state(const struct md_sysfs *md, const char *state)
{
	return sysfs_write_attr(md, NULL, "array_state", state);
}

int sysfs_get_metadata_version(const struct md_sysfs *md, char *buf, size_t len)
{
	return sysfs_read_attr(md, NULL, "metadata_version", buf, len);
}

int sysfs_get_sync_action(const struct md_sysfs *md, char *buf, size_t len)
{
	return sysfs_read_attr(md, NULL, "sync_action", buf, len);
}

int sysfs_set_sync_action(const struct md_sysfs *md, const char *action)
{
	return sysfs_write_attr(md, NULL, "sync_action", action);
}

/*
 * "done / total" in sectors.  "none" (no sync thread) and "delayed"
 * (waiting for another array on the same disks) carry no position: both
 * values are SYSFS_NONE.
 */
int sysfs_get_sync_completed(const struct md_sysfs *md, unsigned long long *ret_done,
			     unsigned long long *ret_total)
{
	char buf[96];
	unsigned long long done, total;
	const char *p;
	int r;

	r = sysfs_read_attr(md, NULL, "sync_completed", buf, sizeof(buf));
	if (r < 0)
		return r;
	if (strcmp(buf, "none") == 0 || strcmp(buf, "delayed") == 0) {
		*ret_done = SYSFS_NONE;
		*ret_total = SYSFS_NONE;
		return 0;
	}
	if (parse_digits(buf, &p, &done) < 0 || strncmp(p, " / ", 3) != 0)
		return -EINVAL;
	if (parse_digits(p + 3, &p, &total) < 0 || *p != '\0')
		return -EINVAL;
	*ret_done = done;
	*ret_total = total;
	return 0;
}

bool sysfs_array_exists(const struct md_sysfs *md)
{
	char path[PATH_MAX];
	struct stat st;

	if (md_path(md, NULL, "", path, sizeof(path)) < 0)
		return false;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- members ------------------------------------------------------------ */

static must_check int read_slot(const struct md_sysfs *md, const char *kname, int *ret)
{
	unsigned long long v;
	const char *end;
	char buf[32];
	int r;

	r = sysfs_read_attr(md, kname, "slot", buf, sizeof(buf));
	if (r < 0)
		return r;
	if (strcmp(buf, "none") == 0) {
		*ret = -1;
		return 0;
	}
	r = parse_digits(buf, &end, &v);
	if (r < 0 || *end != '\0')
		return -EINVAL;
	if (v > INT_MAX)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}

/* dev-<k>/block/dev is "MAJ:MIN"; a missing link (fake trees) gives 0:0. */
static must_check int read_dev_numbers(const struct md_sysfs *md, const char *kname,
				       struct md_member_info *m)
{
	unsigned long long major, minor;
	const char *p;
	char buf[32];
	int r;

	r = sysfs_read_attr(md, kname, "block/dev", buf, sizeof(buf));
	if (r == -ENOENT) {
		m->major = m->minor = 0;
		return 0;
	}
	if (r < 0)
		return r;
	if (parse_digits(buf, &p, &major) < 0 || *p != ':')
		return -EINVAL;
	if (parse_digits(p + 1, &p, &minor) < 0 || *p != '\0')
		return -EINVAL;
	if (major > UINT_MAX || minor > UINT_MAX)
		return -ERANGE;
	m->major = (unsigned int)major;
	m->minor = (unsigned int)minor;
	return 0;
}

static must_check int read_member(const struct md_sysfs *md, const char *kname,
				  struct md_member_info *m)
{
	int r;

	if (strlen(kname) >= sizeof(m->kname))
		return -ENAMETOOLONG;
	memcpy(m->kname, kname, strlen(kname) + 1);
	r = read_slot(md, kname, &m->slot);
	if (r == 0)
		r = sysfs_read_attr(md, kname, "state", m->state, sizeof(m->state));
	if (r == 0)
		r = sysfs_read_ull(md, kname, "offset", &m->offset_sectors);
	if (r == 0)
		r = sysfs_read_ull(md, kname, "size", &m->size_kib);
	if (r == 0)
		r = read_dev_numbers(md, kname, m);
	return r;
}

/* The kernel removes dev-<k>/ when a device leaves; that is not an error. */
static bool member_vanished(const struct md_sysfs *md, const char *kname)
{
	char path[PATH_MAX];
	struct stat st;

	if (md_path(md, kname, "", path, sizeof(path)) < 0)
		return false;
	return stat(path, &st) < 0 && errno == ENOENT;
}

static must_check int add_member(const struct md_sysfs *md, struct md_array_info *info,
				 const char *kname)
{
	struct md_member_info m;
	struct md_member_info *tmp;
	int r;

	memset(&m, 0, sizeof(m));
	r = read_member(md, kname, &m);
	/* a member leaving: ENODEV while the kernel deletes its entry */
	if ((r == -ENOENT && member_vanished(md, kname)) || r == -ENODEV)
		return 0;
	if (r < 0)
		return r;
	if (info->n_members >= MEMBERS_MAX)
		return -E2BIG;
	tmp = realloc(info->members, ((size_t)info->n_members + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	tmp[info->n_members++] = m;
	info->members = tmp;
	return 0;
}

static must_check int read_members(const struct md_sysfs *md, struct md_array_info *info)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int r;

	r = md_path(md, NULL, "", path, sizeof(path));
	if (r < 0)
		return r;
	dir = opendir(path);
	if (!dir)
		return -errno;
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			r = -errno; /* 0 at the end of the directory */
			break;
		}
		if (strncmp(de->d_name, "dev-", 4) != 0)
			continue;
		r = add_member(md, info, de->d_name + 4);
		if (r < 0)
			break;
	}
	closedir(dir);
	return r;
}

/* Slot order; slot-less devices (spares, container disks) last, by name. */
static int cmp_member(const void *pa, const void *pb)
{
	const struct md_member_info *a = pa, *b = pb;

	if (a->slot != b->slot) {
		if (a->slot < 0 || b->slot < 0)
			return a->slot < 0 ? 1 : -1;
		return a->slot < b->slot ? -1 : 1;
	}
	return strcmp(a->kname, b->kname);
}

static must_check int read_array_attrs(const struct md_sysfs *md, struct md_array_info *info)
{
	int r;

	r = sysfs_get_level(md, info->level, sizeof(info->level));
	if (r == 0)
		r = sysfs_get_metadata_version(md, info->metadata, sizeof(info->metadata));
	if (r == 0)
		r = sysfs_get_array_state(md, info->array_state, sizeof(info->array_state));
	if (r == 0)
		r = sysfs_get_raid_disks(md, &info->raid_disks);
	if (r == 0)
		r = sysfs_get_chunk_bytes(md, &info->chunk_bytes);
	if (r == 0)
		r = sysfs_get_component_kib(md, &info->component_kib);
	if (r == 0)
		r = read_new_old_int(md, "layout", &info->layout);
	return r;
}

int sysfs_read_array(const struct md_sysfs *md, struct md_array_info *ret)
{
	struct md_array_info info;
	int r;

	memset(&info, 0, sizeof(info));
	if (!md || !ret)
		return -EINVAL;
	snprintf(info.devnm, sizeof(info.devnm), "%s", md->devnm);
	r = read_array_attrs(md, &info);
	if (r == 0)
		r = read_members(md, &info);
	if (r < 0) {
		free(info.members);
		return r;
	}
	if (info.n_members > 1)
		qsort(info.members, (size_t)info.n_members, sizeof(*info.members), cmp_member);
	*ret = info;
	return 0;
}

void sysfs_free_array(struct md_array_info *info)
{
	if (!info)
		return;
	free(info->members);
	info->members = NULL;
	info->n_members = 0;
}

int sysfs_uevent_change(const struct md_sysfs *md)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/block/%s/uevent", md->root, md->devnm);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return util_write_small_file(path, "change");
}

/* ---- safe mode (md-kernel-interface.md §5.4) ---------------------------- */

/*
 * safe_mode_delay in milliseconds ("S.mmm" seconds; the kernel rounds to
 * its ticks, and 0 means safe mode is off).
 */
int sysfs_get_safe_mode_ms(const struct md_sysfs *md, unsigned int *ret_ms)
{
	char buf[32];
	unsigned long long sec, frac = 0;
	const char *p;
	int digits = 0, r;

	r = sysfs_read_attr(md, NULL, "safe_mode_delay", buf, sizeof(buf));
	if (r < 0)
		return r;
	if (parse_digits(buf, &p, &sec) < 0 || sec > 1000000)
		return -EINVAL;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits++ < 3)
				frac = frac * 10 + (unsigned long long)(*p - '0');
	if (*p != '\0')
		return -EINVAL;
	while (digits++ < 3)
		frac *= 10;
	*ret_ms = (unsigned int)(sec * 1000 + frac);
	return 0;
}

int sysfs_set_safe_mode_ms(const struct md_sysfs *md, unsigned int ms)
{
	char val[32];

	snprintf(val, sizeof(val), "%u.%03u", ms / 1000, ms % 1000);
	return sysfs_write_attr(md, NULL, "safe_mode_delay", val);
}
