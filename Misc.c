/*
 * Misc.c: upstream's misc-mode verbs that act on one device or array at a
 * time and fit no other mode file: --zero-superblock, --kill-subarray,
 * --update-subarray, --wait-clean, --action, --examine-badblocks, -X.
 *
 * Owns: checking each request against the disks and the kernel's view,
 * then doing it.  Never parses argv.
 */
#include "mdadm.h"

int mode_zero_superblock(const struct request *req)
{
	(void)req;
	return mode_not_implemented("--zero-superblock");
}

int mode_kill_subarray(const struct request *req)
{
	(void)req;
	return mode_not_implemented("--kill-subarray");
}

int mode_update_subarray(const struct request *req)
{
	(void)req;
	return mode_not_implemented("--update-subarray");
}

int mode_wait_clean(const struct request *req)
{
	(void)req;
	return mode_not_implemented("--wait-clean");
}

int mode_action(const struct request *req)
{
	(void)req;
	return mode_not_implemented("--action");
}

int mode_examine_badblocks(const struct request *req)
{
	(void)req;
	return mode_not_implemented("--examine-badblocks");
}

int mode_examine_bitmap(const struct request *req)
{
	(void)req;
	return mode_not_implemented("--examine-bitmap");
}
