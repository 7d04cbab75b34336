/*
 * mdmon-client.h: mdadm's side of mdmon: is it running, start it, ping it
 * (md-kernel-interface.md §8), and starting the systemd units that run
 * mdmon and reshape continuations.  Returns 0 or -errno; prints only the
 * one warning line of a unit that systemd did not start (then the work is
 * done without systemd).
 */
#ifndef MDMON_CLIENT_H
#define MDMON_CLIENT_H

#include <stdbool.h>

bool mdmon_running(const char *container_devnm);

/*
 * Start mdmon for the container unless it runs or MDADM_NO_MDMON is set.
 * When systemd manages the services (systemd_start_unit), through
 * mdmon@DEVNM.service, then waits until that mdmon answers a ping;
 * otherwise, or when that failed (one warning line), forks the mdmon
 * next to this mdadm binary, or else the one on PATH, and waits until it
 * reports ready.
 */
int mdmon_start(const char *container_devnm) __attribute__((warn_unused_result));

/*
 * "systemctl start UNIT" (systemctl from PATH, its output discarded),
 * waited for, when systemd manages this system's services (its folder
 * /run/systemd/system exists, the sd_booted() test) and MDADM_NO_SYSTEMCTL
 * is not 1.  Returns 0 once systemctl started the unit; -ENOSYS when
 * systemd is not in charge (the caller does the work itself, quietly);
 * another -errno when systemctl is missing or failed, after one line
 * "warning: ...; INSTEAD" on stderr (the caller then does the work itself).
 */
int systemd_start_unit(const char *unit, const char *instead) __attribute__((warn_unused_result));

/*
 * The unit name TEMPLATE@DEVNM.service (e.g. "mdmon", "md127"); inside an
 * initramfs (/etc/initrd-release) the instance is initrd-DEVNM, as the
 * initramfs' own units are named.  Returns -ENAMETOOLONG if it is cut.
 */
int systemd_unit_name(char *buf, size_t len, const char *template_name, const char *devnm)
	__attribute__((warn_unused_result));

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
 * that only the start differs.  As mdmon_send_update(), and mdmon's
 * -errno when it refused the start: -ESTALE when the MPB was built from
 * metadata older than mdmon's and mdmon recorded something since (a disk
 * failed); nothing changed then. */
int mdmon_start_migration(const char *container_devnm, const void *mpb, size_t len)
	__attribute__((warn_unused_result));

#endif
