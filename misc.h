/*
 * misc.h: the pure parts of the misc-mode verbs (Misc.c, Subarray.c),
 * exposed for the unit tests.  Never print, no I/O.
 */
#ifndef MISC_H
#define MISC_H

#include <stdbool.h>
#include <stddef.h>

/*
 * md's native superblocks (not IMSM's): where each version keeps one on
 * a device of size_bytes, for --zero-superblock.  Fills ret_offsets
 * (bytes) and ret_major (0 for 0.90, 1 for 1.x) and returns how many
 * places fit the device (up to MISC_NATIVE_SB_PLACES):
 *   1.1 at 0, 1.2 at 4 KiB, 1.0 8 KiB before the end (4 KiB aligned),
 *   0.90 in the last whole 64 KiB block but one.
 */
#define MISC_NATIVE_SB_PLACES 4
#define MISC_MD_SB_MAGIC 0xa92b4efcu
int misc_native_sb_places(unsigned long long size_bytes,
			  unsigned long long ret_offsets[MISC_NATIVE_SB_PLACES],
			  unsigned int ret_major[MISC_NATIVE_SB_PLACES]);

/* Whether the bytes at a place hold that version's superblock (magic and
 * major version, little-endian); len is what was read there. */
bool misc_native_sb_at(const void *buf, size_t len, unsigned int major);

/* --action words md's sync_action takes from us. */
bool misc_action_valid(const char *action);

/* array_state words in which --wait-clean has nothing left to wait for. */
bool misc_state_is_clean(const char *array_state);

/*
 * The volume index of metadata_version "external:/md127/1" (or
 * "external:-md127/1") when its container is container_devnm; -1
 * otherwise.
 */
int misc_member_index(const char *metadata_version, const char *container_devnm);

/* A subarray index as --kill-subarray= and --update-subarray= give it:
 * decimal digits only, 0..255; -EINVAL otherwise. */
int misc_parse_subarray(const char *s, int *ret) __attribute__((warn_unused_result));

#endif
