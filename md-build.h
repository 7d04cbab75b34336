/*
 * md-build.h: building, starting and naming md arrays through sysfs, in
 * the order the kernel requires (md-kernel-interface.md §2.2, §4).
 * Policy-free: callers decide what to build.  Returns 0 or -errno, never
 * prints.
 */
#ifndef MD_BUILD_H
#define MD_BUILD_H

#include <stdbool.h>
#include <stddef.h>

struct md_member_cfg;
struct md_volume_cfg;
struct md_sysfs;

/* Allocate a free md device, md127 counting down (§2.2). */
int md_alloc(char *ret_devnm, size_t len) __attribute__((warn_unused_result));

/* A container: external metadata, one rdev per disk with the metadata
 * range as offset/size; never started (§4.1). */
int md_build_container(const char *devnm, const char *format, const struct md_member_cfg *disks,
		       int n) __attribute__((warn_unused_result));

/*
 * How a member joins (md_add_member()).  The kernel's slot write on an
 * array that does not run yet takes the disk as in sync, and a running
 * array refuses recovery_start once the slot is set: the order differs.
 */
enum md_join {
	MD_JOIN_IN_SYNC,  /* not running yet, in sync: "insync", slot */
	MD_JOIN_RESUME,	  /* not running yet, rebuilt up to m->recovery_start:
			   * slot, then recovery_start */
	MD_JOIN_RECOVER,  /* running, a rebuild from m->recovery_start:
			   * recovery_start, then slot */
	MD_JOIN_RESHAPE,  /* running, a reshape's new member: slot only (md
			   * tracks it with the reshape front) */
};

/*
 * Member m into md array md, in the kernel's order (md-kernel-interface.md
 * §3.2): new_dev; offset before size (the kernel checks overlaps at size);
 * then as how says (no slot when m->slot < 0).  kname gets the kernel's
 * name of the disk.
 */
int md_add_member(const struct md_sysfs *md, const struct md_member_cfg *m, enum md_join how,
		  char *kname, size_t len) __attribute__((warn_unused_result));

/*
 * Member kname out of md: one in a slot gives it up first (md lets go of a
 * spare or a failed member that way), and when md keeps it (a working
 * member; a spare md holds as a recovery target) it is failed first; then
 * removed, again for up to 5 s while I/O on it drains (-EBUSY).  0 when
 * kname is no member (any more).
 */
int md_remove_member(const struct md_sysfs *md, const char *kname)
    __attribute__((warn_unused_result));

/* Add one disk to an existing container. */
int md_container_add(const char *devnm, const struct md_member_cfg *disk)
    __attribute__((warn_unused_result));

/* A member array of container: geometry (old, then reshape position and
 * new, §4.5), then devices, not started (§4.2). */
int md_build_volume(const char *container, const char *devnm, const struct md_volume_cfg *v)
    __attribute__((warn_unused_result));

/* Start a built volume: raid0 active, redundant levels readonly for mdmon
 * to decide (§4.3); then the safe-mode delay.  A resumed reshape is left
 * frozen at sync_max = its checkpoint (md-kernel-interface.md §9.4.6):
 * md runs it only once mdadm --grow --continue writes "idle". */
int md_start_volume(const char *devnm, const struct md_volume_cfg *v)
    __attribute__((warn_unused_result));

/*
 * The writes v asks for before md may see the volume (its copies, each
 * synced, then its sector writes, each synced), on the disks by number.
 * Call only for a volume that is not running.  Stops at the first error.
 */
int md_volume_writes(const struct md_volume_cfg *v) __attribute__((warn_unused_result));

/* Tear down a device that was only partly built (best effort). */
void md_teardown(const char *devnm);

/*
 * The /dev/mdN node (if missing) and the /dev/md/NAME link to it, as mdadm
 * does when udev does not.  NAME "md127" makes only the node.
 */
int md_link_name(const char *devnm, const char *name) __attribute__((warn_unused_result));
void md_unlink_name(const char *devnm);

/*
 * The /run/mdadm/map file: one line per array mdadm started (§11.5),
 * "devnm metadata uuid path", as upstream writes it.  Every change is
 * made under upstream's lock and lands atomically (map.new renamed).
 * Lines are not checked against what runs: callers do.
 */
struct map_entry {
	char devnm[32];
	char metadata[64]; /* "imsm", or "/md127/0" for a volume */
	char uuid[40];	   /* "xxxxxxxx:xxxxxxxx:xxxxxxxx:xxxxxxxx" */
	char path[256];	   /* "/dev/md/NAME" or "/dev/mdN" */
};

/* path must not hold blanks (-EINVAL): callers pass cleaned names. */
int map_add(const char *devnm, const char *metadata, const char *uuid, const char *path)
    __attribute__((warn_unused_result));
void map_remove(const char *devnm);
/* Every well-formed line; a missing file is no line.  free() *ret. */
int map_read(struct map_entry **ret, int *ret_n) __attribute__((warn_unused_result));
/* The whole file replaced by these entries (--rebuild-map). */
int map_replace(const struct map_entry *e, int n) __attribute__((warn_unused_result));

/* Allocate this md device (mdN); -EEXIST when it exists. */
int md_alloc_devnm(const char *devnm) __attribute__((warn_unused_result));

/* md_start_volume(), read-only (-o): every level starts "readonly". */
int md_start_volume_ro(const char *devnm, const struct md_volume_cfg *v)
    __attribute__((warn_unused_result));

#endif
