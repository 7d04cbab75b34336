/*
 * util.c: generic helpers (see util.h).  Owns device-number lookups,
 * block-device size queries and number parsing.  Never prints except
 * pr_err()/pr_warn(), which are the shared reporting functions.
 */
#include "mdadm.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

void pr_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int util_read_small_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (len == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

int util_write_small_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

ssize_t util_read_some(int fd, void *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		int ready = poll(&pfd, 1, timeout_ms);
		ssize_t n;

		if (ready < 0 && errno == EINTR)
			continue; /* a signal the program only notes (a stop request) */
		if (ready <= 0)
			return -ETIMEDOUT;
		n = read(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		return n;
	}
}

int util_read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = util_read_some(fd, p, len, timeout_ms);

		if (n < 0)
			return (int)n;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int util_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -EIO : -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int util_pwrite_string(int fd, const char *val)
{
	size_t len = strlen(val);
	ssize_t n = pwrite(fd, val, len, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int util_pread_string(int fd, char *buf, size_t len)
{
	ssize_t n;

	if (len == 0)
		return -EINVAL;
	n = pread(fd, buf, len - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return (int)n;
}

int util_devnum(const char *path, dev_t *ret)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	*ret = st.st_rdev;
	return 0;
}

int util_link_base(const char *link, char *buf, size_t len)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n = readlink(link, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	memcpy(buf, base, strlen(base) + 1);
	return 0;
}

int util_kname_of(dev_t dev, char *buf, size_t len)
{
	char link[64];

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	return util_link_base(link, buf, len);
}

/* The md array holding dev ("md127" in its holders/), if any. */
bool util_md_holder(dev_t dev, char *buf, size_t len)
{
	char path[96];
	struct dirent *de;
	DIR *dir;
	bool found = false;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/holders", major(dev), minor(dev));
	dir = opendir(path);
	while (dir && !found && (de = readdir(dir)))
		if (strncmp(de->d_name, "md", 2) == 0 && strlen(de->d_name) < len) {
			strcpy(buf, de->d_name);
			found = true;
		}
	if (dir)
		closedir(dir);
	return found;
}

int util_devpath_of(dev_t dev, char *buf, size_t len)
{
	char path[64], uevent[512];
	const char *name;
	int r;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major(dev), minor(dev));
	r = util_read_small_file(path, uevent, sizeof(uevent));
	if (r < 0)
		return r;
	name = strstr(uevent, "DEVNAME=");
	if (!name)
		return -ENOENT;
	name += strlen("DEVNAME=");
	r = snprintf(buf, len, "/dev/%.*s", (int)strcspn(name, "\n"), name);
	return r < 0 || (size_t)r >= len ? -ENAMETOOLONG : 0;
}

/* A bare kernel name ("md127", "md_home") is accepted as well as a path. */
static bool looks_like_devnm(const char *s)
{
	return strncmp(s, "md", 2) == 0 && !strchr(s, '/');
}

int util_md_devnm(const char *sysroot, const char *path, char *buf, size_t len)
{
	char kname[64], mddir[PATH_MAX];
	struct stat st;
	dev_t dev = 0;
	int r;

	if (looks_like_devnm(path)) {
		if (strlen(path) >= sizeof(kname))
			return -ENAMETOOLONG;
		strcpy(kname, path);
	} else {
		r = util_devnum(path, &dev);
		if (r < 0)
			return r;
		r = util_kname_of(dev, kname, sizeof(kname));
		if (r < 0)
			return r;
	}
	snprintf(mddir, sizeof(mddir), "%s/block/%s/md", sysroot, kname);
	if (stat(mddir, &st) < 0 || !S_ISDIR(st.st_mode))
		return -ENODEV;
	if (strlen(kname) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, kname);
	return 0;
}

void util_md_display_path(const char *devnm, char *buf, size_t len)
{
	char link[PATH_MAX], target[NAME_MAX + 1];
	struct dirent *de;
	DIR *dir = opendir("/dev/md");

	snprintf(buf, len, "/dev/%s", devnm);
	while (dir && (de = readdir(dir))) {
		snprintf(link, sizeof(link), "/dev/md/%s", de->d_name);
		if (util_link_base(link, target, sizeof(target)) < 0)
			continue;
		if (strcmp(target, devnm) == 0) {
			snprintf(buf, len, "%s", link);
			break;
		}
	}
	if (dir)
		closedir(dir);
}

int util_dev_size_bytes(int fd, unsigned long long *ret)
{
	unsigned long long bytes;

	if (ioctl(fd, BLKGETSIZE64, &bytes) < 0)
		return -errno;
	*ret = bytes;
	return 0;
}

int util_dev_sector_size(int fd, unsigned int *ret)
{
	int ssz;

	if (ioctl(fd, BLKSSZGET, &ssz) < 0)
		return -errno;
	*ret = (unsigned int)ssz;
	return 0;
}

static int suffix_shift(char c)
{
	switch (toupper((unsigned char)c)) {
	case '\0':
	case 'K':
		return 0;
	case 'M':
		return 10;
	case 'G':
		return 20;
	case 'T':
		return 30;
	default:
		return -1;
	}
}

int util_parse_kib(const char *s, bool allow_max, long long *ret)
{
	unsigned long long v;
	char *end;
	int shift;

	if (allow_max && strcmp(s, "max") == 0) {
		*ret = 0;
		return 0;
	}
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v == 0)
		return -EINVAL;
	shift = suffix_shift(*end);
	if (shift < 0 || (*end && end[1]))
		return -EINVAL;
	if (v > (unsigned long long)LLONG_MAX >> shift)
		return -ERANGE;
	*ret = (long long)(v << shift);
	return 0;
}

int util_parse_int(const char *s, int min, int max, int *ret)
{
	long v;
	char *end;

	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}

/* Scale v by base until it is below base; returns the unit index (0..3). */
static int scale(double *v, double base)
{
	int i = 0;

	while (*v >= base && i < 3) {
		*v /= base;
		i++;
	}
	return i;
}

void util_human_binary(unsigned long long bytes, const char *sep, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes / 1024.0;
	int i = scale(&v, 1024.0);

	snprintf(buf, len, "%.2f%s%s", v, sep, unit[i]);
}

void util_human_size(unsigned long long bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "KB", "MB", "GB", "TB" };
	double d = (double)bytes / 1000.0;
	char bin[32];
	int j = scale(&d, 1000.0);

	util_human_binary(bytes, " ", bin, sizeof(bin));
	snprintf(buf, len, "%s %.2f %s", bin, d, unit[j]);
}

static const struct {
	const char *name;
	int level;
} level_table[] = {
	{ "linear", LEVEL_LINEAR }, { "raid0", 0 },  { "0", 0 },   { "stripe", 0 },
	{ "raid1", 1 },             { "1", 1 },      { "mirror", 1 }, { "raid4", 4 },
	{ "4", 4 },                 { "raid5", 5 },  { "5", 5 },   { "raid6", 6 },
	{ "6", 6 },                 { "raid10", 10 }, { "10", 10 }, { "container", LEVEL_CONTAINER },
};

int level_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(level_table) / sizeof(level_table[0]); i++)
		if (strcmp(level_table[i].name, name) == 0)
			return level_table[i].level;
	return UNSET;
}

const char *level_name(int level)
{
	for (size_t i = 0; i < sizeof(level_table) / sizeof(level_table[0]); i++)
		if (level_table[i].level == level)
			return level_table[i].name;
	return "unknown";
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int util_parse_uuid(const char *s, unsigned char ret[16])
{
	unsigned char out[16];
	int n = 0, v;

	for (; *s; s++) {
		if (*s == ':' || *s == '.' || *s == '-' || *s == ' ')
			continue;
		v = hex_value(*s);
		if (v < 0 || n >= 32)
			return -EINVAL;
		if (n % 2 == 0)
			out[n / 2] = (unsigned char)(v << 4);
		else
			out[n / 2] |= (unsigned char)v;
		n++;
	}
	if (n != 32)
		return -EINVAL;
	memcpy(ret, out, sizeof(out));
	return 0;
}

int util_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

int util_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}
