/*
 * mdmon.h: the state both mdmon threads touch, and who may free what.
 *
 * Ownership rules:
 *  - The manager thread (managemon.c) alone creates and frees
 *    struct mon_array entries and edits the list.  It edits the list only
 *    under state->lock.
 *  - The monitor thread (monitor.c) reads the list under state->lock,
 *    copies what it needs for poll() and drops the lock before sleeping.
 *    It never allocates.
 *  - An entry taken out of the list is freed by the manager only after the
 *    monitor has completed a pass that started after the removal
 *    (mon_wait_passes()), so the monitor never touches freed memory.
 */
#ifndef MDMON_H
#define MDMON_H

#include <pthread.h>
#include <stdbool.h>

#include "imsm-io.h"
#include "mdadm.h"

#define MDMON_RUN_DIR "/run/mdadm"
#define MDMON_MAX_ARRAYS 16
#define MDMON_MAX_FDS 256
#define MDMON_MAX_DISKS 32 /* member disks watched per array */

/* Wire format of the control socket (md-kernel-interface.md §8.2). */
#define MDMON_MAGIC_START 0x5a5aa5a5u
#define MDMON_MAGIC_END 0xa5a55a5au
#define MDMON_MAX_PAYLOAD (4 << 20)
#define MDMON_PING_MANAGER (-1)

/* A member disk of a watched array. */
struct mon_disk {
	char kname[32];       /* "loop1" */
	int slot;
	int index;            /* its record in the metadata, -1 if unknown */
	int state_fd;         /* md/dev-<kname>/state, pollable */
	bool faulty;          /* the kernel says faulty (this pass) */
	bool recorded;        /* the failure is on disk: the manager removes it */
};

struct mon_array {
	char devnm[32];       /* "md126" */
	int index;            /* volume index in the metadata */
	int state_fd;         /* md/array_state, read once, pollable */
	int action_fd;        /* md/sync_action, -1 for raid0 */
	int resync_fd;        /* md/resync_start, -1 for raid0 */
	int sync_fd;          /* md/sync_completed, -1 for raid0, pollable */
	char state[32];       /* array_state seen in this pass */
	char prev_state[32];  /* ... and in the previous one */
	char action[16], prev_action[16];
	bool resync_done;     /* resync_start reads "none" */
	/* Resync positions in md sectors (SYSFS_NONE: none, or unreadable):
	 * resync_start and the "done" part of sync_completed, as read in this
	 * pass.  last_checkpoint is the position the metadata's checkpoint was
	 * last taken from; the manager sets it from the metadata when it
	 * builds the record, then only the monitor touches it. */
	unsigned long long resync_pos;
	unsigned long long sync_pos;
	unsigned long long last_checkpoint;
	const char *reply;    /* array_state to write after the metadata */
	bool gone;            /* stopped: the manager forgets it */
	int n_disks;
	struct mon_disk disks[MDMON_MAX_DISKS];
	struct mon_array *next;
};

struct mdmon_state {
	char container[32];       /* devnm of the container */
	const char *sysroot;      /* "/sys" */
	char pid_path[96];
	char sock_path[96];
	int sock_fd;
	int wake_pipe[2];         /* manager -> monitor: re-read the list now */
	int mgr_pipe[2];          /* monitor -> manager: a failure was recorded */
	int mdstat_fd;            /* /proc/mdstat, pollable */

	/* The container's metadata and disks.  Loaded by the manager before
	 * the monitor starts and when a volume appears (under lock); written
	 * to disk only by the monitor. */
	struct imsm_super *mpb;
	int n_disks;
	struct imsm_disk_dev disks[MD_MAX_MEMBERS];
	char disk_paths[MD_MAX_MEMBERS][64];

	/* A volume added by mdadm, validated by the manager, merged into mpb
	 * by the monitor (no allocation there); the manager frees it once
	 * applied is set. */
	struct imsm_super *pending;
	bool applied;

	pthread_mutex_t lock;     /* guards arrays, mpb, pending, passes, exiting */
	pthread_cond_t pass_done; /* signalled after every monitor pass */
	struct mon_array *arrays;
	unsigned long passes;     /* completed monitor passes */
	bool exiting;
};

/* monitor.c */
void *monitor_thread(void *state);
void mon_wake(struct mdmon_state *st);
void mgr_wake(struct mdmon_state *st);
/* Wait until the monitor has completed a pass that began after now. */
void mon_wait_passes(struct mdmon_state *st);

/* managemon.c */
/* One reconciliation of the container's volumes with /proc/mdstat.
 * Returns 1 while the container exists, 0 once it is gone, -errno. */
int manager_reconcile(struct mdmon_state *st);
/* Serve one client connection on the control socket until it closes. */
void manager_serve_client(struct mdmon_state *st, int fd);
/* Free every array entry (at exit, after the monitor stopped). */
void manager_free_arrays(struct mdmon_state *st);
/* (Re)load the container's disks and newest metadata; caller holds lock
 * or the monitor is not running yet. */
int manager_load_metadata(struct mdmon_state *st);
void manager_close_disks(struct mdmon_state *st);

#endif
