/*
 * util.h: generic helpers with no better home: device lookup by number,
 * md device names, block device sizes, number parsing.  Return 0 or -errno,
 * never print.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

/* The block device number of path; -ENOTBLK when it is not a block device. */
int util_devnum(const char *path, dev_t *ret) __attribute__((warn_unused_result));

/* Kernel name of a block device ("loop0", "md127") from its number. */
int util_kname_of(dev_t dev, char *buf, size_t len) __attribute__((warn_unused_result));

/* The last component of what the symlink link points at, into buf:
 * 0, -errno, or -ENAMETOOLONG when it does not fit. */
int util_link_base(const char *link, char *buf, size_t len) __attribute__((warn_unused_result));

/* The md array holding dev ("md127" in its holders/), if any. */
bool util_md_holder(dev_t dev, char *buf, size_t len);

/* "/dev/<name>" for a device number, from sysfs uevent DEVNAME. */
int util_devpath_of(dev_t dev, char *buf, size_t len) __attribute__((warn_unused_result));

/*
 * The md kernel name behind a path: "/dev/md/imsm0", "/dev/md127", "md127"
 * all give "md127".  -ENODEV when the path is not an md device.
 */
int util_md_devnm(const char *sysroot, const char *path, char *buf, size_t len)
	__attribute__((warn_unused_result));

/*
 * The name an admin knows an md device by: the /dev/md/NAME link that
 * points to it if there is one, else /dev/<devnm>.
 */
void util_md_display_path(const char *devnm, char *buf, size_t len);

/* Size in bytes and logical sector size of an open block device. */
int util_dev_size_bytes(int fd, unsigned long long *ret) __attribute__((warn_unused_result));
int util_dev_sector_size(int fd, unsigned int *ret) __attribute__((warn_unused_result));

/*
 * Sizes as mdadm spells them: a number of KiB, or with a suffix K, M, G, T
 * (powers of 1024).  "max" gives 0 when allow_max.  -EINVAL otherwise,
 * also for 0, negatives, trailing junk and overflow.
 */
int util_parse_kib(const char *s, bool allow_max, long long *ret)
	__attribute__((warn_unused_result));

/* A decimal int in [min, max]; -EINVAL or -ERANGE. */
int util_parse_int(const char *s, int min, int max, int *ret) __attribute__((warn_unused_result));

/* A UUID as mdadm prints and takes it: 32 hex digits, any of ':' '.' '-'
 * ' ' between them ignored.  -EINVAL otherwise; ret written on success. */
int util_parse_uuid(const char *s, unsigned char ret[16]) __attribute__((warn_unused_result));

/* "32.00 MiB" (sep " ") or "32.00MiB" (sep "") */
void util_human_binary(unsigned long long bytes, const char *sep, char *buf, size_t len);
/* Human size as mdadm prints it: "32.00 MiB 33.55 MB". */
void util_human_size(unsigned long long bytes, char *buf, size_t len);

/* Read a whole small file into buf (NUL terminated, newline stripped). */
int util_read_small_file(const char *path, char *buf, size_t len)
	__attribute__((warn_unused_result));

/* Write a small value to a file (sysfs-style: O_WRONLY, no create). */
int util_write_small_file(const char *path, const char *val) __attribute__((warn_unused_result));

/* Write a value to an open sysfs file (from offset 0). */
int util_pwrite_string(int fd, const char *val) __attribute__((warn_unused_result));

/*
 * What a socket or pipe holds, up to len bytes, once it holds any within
 * timeout_ms (a signal neither ends the wait nor the read): the count,
 * -ETIMEDOUT, -ECONNRESET (closed), -errno.
 */
ssize_t util_read_some(int fd, void *buf, size_t len, int timeout_ms)
	__attribute__((warn_unused_result));

/*
 * Read exactly len bytes from a socket or pipe, waiting at most
 * timeout_ms for each part.  -ETIMEDOUT, -ECONNRESET (closed early).
 */
int util_read_full(int fd, void *buf, size_t len, int timeout_ms)
	__attribute__((warn_unused_result));
/* All len bytes at offset off of fd, retrying on EINTR and short
 * transfers; -EIO when the device ends first.  Disk I/O of every layer. */
int util_pread_full(int fd, void *buf, size_t len, uint64_t off) __attribute__((warn_unused_result));
int util_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
	__attribute__((warn_unused_result));

/* Write all of buf (retrying on EINTR and short writes). */
int util_write_full(int fd, const void *buf, size_t len) __attribute__((warn_unused_result));

/* Re-read a pollable file from offset 0 (newline stripped). */
int util_pread_string(int fd, char *buf, size_t len) __attribute__((warn_unused_result));

#endif
