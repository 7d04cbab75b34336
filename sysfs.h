/*
 * sysfs.h: the only door to md's sysfs attributes.
 *
 * Every attribute gets a small typed getter or setter.  Paths are built
 * from a root (normally "/sys"; tests point it at a fake tree in a temp
 * dir) and the md kernel name ("md127").  Units follow the kernel and are
 * named in each function (spec: md-kernel-interface.md §3).  All functions
 * return 0 (or a count) on success and -errno on failure, never print, and
 * leave ret_* untouched on failure.
 */
#ifndef SYSFS_H
#define SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#define SYSFS_NONE (~0ULL) /* "none" positions */

struct md_sysfs {
	const char *root;   /* "/sys" */
	char devnm[32];     /* "md127" */
};

void sysfs_init(struct md_sysfs *md, const char *root, const char *devnm);

/* Ask udev to look at the array again ("change" to block/<devnm>/uevent):
 * after a container took a disk, so its rules see the finished state. */
int sysfs_uevent_change(const struct md_sysfs *md) __attribute__((warn_unused_result));

/* Raw access to md/<attr> (dev is NULL) or md/dev-<dev>/<attr>. */
int sysfs_read_attr(const struct md_sysfs *md, const char *dev, const char *attr, char *buf,
		    size_t len) __attribute__((warn_unused_result));
int sysfs_write_attr(const struct md_sysfs *md, const char *dev, const char *attr,
		     const char *val) __attribute__((warn_unused_result));
/* Open md/<attr> for poll(POLLPRI), read-write when the file allows it;
 * the value is read once as the kernel requires before polling. */
int sysfs_open_attr(const struct md_sysfs *md, const char *dev, const char *attr)
	__attribute__((warn_unused_result));

/* Numbers: "none" reads as SYSFS_NONE, "max" (sync_max) too. */
int sysfs_read_ull(const struct md_sysfs *md, const char *dev, const char *attr,
		   unsigned long long *ret) __attribute__((warn_unused_result));
int sysfs_write_ull(const struct md_sysfs *md, const char *dev, const char *attr,
		    unsigned long long val) __attribute__((warn_unused_result));

/* Typed attributes of the array. */
int sysfs_get_level(const struct md_sysfs *md, char *buf, size_t len)
	__attribute__((warn_unused_result));
int sysfs_get_raid_disks(const struct md_sysfs *md, int *ret_disks)
	__attribute__((warn_unused_result));
int sysfs_get_chunk_bytes(const struct md_sysfs *md, unsigned long long *ret)
	__attribute__((warn_unused_result));
int sysfs_get_component_kib(const struct md_sysfs *md, unsigned long long *ret)
	__attribute__((warn_unused_result));
/* The largest request the block layer hands the array (its queue's
 * max_sectors_kb); a personality sets its own again when it starts. */
int sysfs_set_max_sectors_kb(const struct md_sysfs *md, unsigned long long kib)
	__attribute__((warn_unused_result));
int sysfs_get_array_state(const struct md_sysfs *md, char *buf, size_t len)
	__attribute__((warn_unused_result));
int sysfs_set_array_state(const struct md_sysfs *md, const char *state)
	__attribute__((warn_unused_result));
int sysfs_get_metadata_version(const struct md_sysfs *md, char *buf, size_t len)
	__attribute__((warn_unused_result));
int sysfs_get_sync_action(const struct md_sysfs *md, char *buf, size_t len)
	__attribute__((warn_unused_result));
int sysfs_set_sync_action(const struct md_sysfs *md, const char *action)
	__attribute__((warn_unused_result));
/* sync_completed as done/total sectors; both SYSFS_NONE when "none". */
int sysfs_get_sync_completed(const struct md_sysfs *md, unsigned long long *ret_done,
			     unsigned long long *ret_total) __attribute__((warn_unused_result));

/* One member device of an array, from md/dev-<kname>/. */
struct md_member_info {
	char kname[32];                /* "loop0" */
	int slot;                      /* -1 for "none" */
	char state[128];               /* comma list as the kernel prints it */
	unsigned long long offset_sectors;
	unsigned long long size_kib;
	unsigned int major, minor;     /* from dev-<kname>/block/dev */
};

/* Everything mdadm --detail needs that sysfs knows. */
struct md_array_info {
	char devnm[32];
	char level[16];
	char metadata[64];
	char array_state[32];
	int raid_disks;                /* -1 when empty (containers) */
	unsigned long long chunk_bytes;
	unsigned long long component_kib;
	int layout;
	int n_members;
	struct md_member_info *members; /* sorted by slot, slot-less last */
};

/* Read the array and its dev-* entries.  Free with sysfs_free_array(). */
int sysfs_read_array(const struct md_sysfs *md, struct md_array_info *ret)
	__attribute__((warn_unused_result));
void sysfs_free_array(struct md_array_info *info);

/* True when /sys/block/<devnm>/md exists. */
bool sysfs_array_exists(const struct md_sysfs *md);

/* safe_mode_delay in milliseconds; 0: safe mode off.  The kernel rounds
 * what it is given to its ticks (0.001 reads back as 0.004 at HZ=250). */
int sysfs_get_safe_mode_ms(const struct md_sysfs *md, unsigned int *ret_ms)
	__attribute__((warn_unused_result));
int sysfs_set_safe_mode_ms(const struct md_sysfs *md, unsigned int ms)
	__attribute__((warn_unused_result));

#endif
