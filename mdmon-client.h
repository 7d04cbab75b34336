/*
 * mdmon-client.h: mdadm's side of mdmon: is it running, start it, ping it
 * (md-kernel-interface.md §8).  Returns 0 or -errno, never prints.
 */
#ifndef MDMON_CLIENT_H
#define MDMON_CLIENT_H

#include <stdbool.h>

bool mdmon_running(const char *container_devnm);

/*
 * Start mdmon for the container unless it runs or MDADM_NO_MDMON is set:
 * the mdmon next to this mdadm binary first, then the one on PATH.  Waits
 * until the daemon reports ready.
 */
int mdmon_start(const char *container_devnm) __attribute__((warn_unused_result));

/* Ping: returns once mdmon has completed a pass after the ping arrived. */
int mdmon_ping(const char *container_devnm) __attribute__((warn_unused_result));

/*
 * Hand a metadata update to mdmon and wait until it is on disk: mdmon
 * validates it, the monitor applies and writes it.  -EPROTO / -ECONNRESET
 * when mdmon refused it.
 */
/*
 * True when the mdmon serving the container is ours (its ping reply names
 * us).  Another mdmon (e.g. Debian's) acknowledges updates it cannot
 * decode and drops them, so metadata updates go only to ours.
 */
bool mdmon_is_ours(const char *container_devnm);

int mdmon_send_update(const char *container_devnm, const void *buf, size_t len)
	__attribute__((warn_unused_result));

/* An encoded MPB that starts a general migration, sent as such
 * (MDMON_MIGR_MAGIC): mdmon replaces its metadata with it once it checked
 * that only the start differs.  As mdmon_send_update(). */
int mdmon_start_migration(const char *container_devnm, const void *mpb, size_t len)
	__attribute__((warn_unused_result));

#endif
