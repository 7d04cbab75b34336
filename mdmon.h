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
 *  - Metadata changes the manager prepares (a volume from mdadm, a spare
 *    record, a spare activation) reach the monitor as one struct
 *    mon_update in st->pending: the manager allocates and validates
 *    everything it needs, the monitor applies it to st->mpb without
 *    allocating and writes, then sets applied; the manager frees it.
 *  - The manager alone chooses and activates spares (sysfs writes that may
 *    block); the monitor only records what md does with them.
 */
#ifndef MDMON_H
#define MDMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "imsm-io.h"
#include "imsm-rebuild.h"
#include "mdadm.h"

#define MDMON_RUN_DIR "/run/mdadm"
#define MDMON_MAX_ARRAYS 16
#define MDMON_MAX_FDS 256
#define MDMON_MAX_DISKS 32 /* member disks watched per array */
#define MDMON_BAD_SPARES 16

/* Wire format of the control socket (md-kernel-interface.md §8.2). */
#define MDMON_MAGIC_START 0x5a5aa5a5u
#define MDMON_MAGIC_END 0xa5a55a5au
#define MDMON_MAX_PAYLOAD (4 << 20)
#define MDMON_PING_MANAGER (-1)

/*
 * A container disk request, the payload of an update frame that is not an
 * MPB (an MPB starts with the IMSM signature).  mdmon answers with one
 * frame whose payload is an int32_t: 0, or the -errno that refused it.
 *   ADD_SPARE    the block device major:minor joins the container as a
 *                spare: mdmon writes its spare record, adds it to the
 *                container md device and uses it for degraded volumes
 *   REMOVE_DISK  a container disk that no volume uses (a spare, or a
 *                failed member) leaves the container md device
 */
#define MDMON_REQ_MAGIC "mdmonreq"
enum mdmon_req_type {
	MDMON_REQ_ADD_SPARE = 1,
	MDMON_REQ_REMOVE_DISK = 2,
	MDMON_REQ_MIGR_CHECKPOINT = 3, /* major: volume, minor: curr_migr_unit */
	MDMON_REQ_MIGR_END = 4,	       /* major: volume (general migration ends) */
	MDMON_REQ_OLCE_ROLLBACK = 5,   /* md refused the OLCE's start: undo it */
	MDMON_REQ_TAKEOVER = 6,	       /* major: volume, minor: md level (imsm-takeover.h);
					* mdmon builds it from its own metadata */
	MDMON_REQ_RESIZE = 7,	       /* major: volume, minor: MiB per member (imsm-resize.h) */
};

struct mdmon_disk_req {
	char magic[8];
	uint32_t type;
	uint32_t major, minor;
};

/*
 * A volume request (payload starting "mdmonvol"), answered like a disk
 * request.  mdmon refuses (-EBUSY) while md runs the volume, or for KILL
 * any volume after it (its index, and so its UUID, would change).
 *   KILL    volume index leaves the container's metadata; when it was the
 *           last one every member gets its own spare record back
 *   RENAME  volume index takes name (NUL padded, checked by mdmon again)
 */
#define MDMON_VOL_MAGIC "mdmonvol"
enum mdmon_vol_type {
	MDMON_VOL_KILL = 1,
	MDMON_VOL_RENAME = 2,
};

struct mdmon_vol_req {
	char magic[8];
	uint32_t type;
	uint32_t index;
	char name[IMSM_NAME_BYTES];
};

/*
 * The start of a general migration (payload "mdmonmig" then the MPB that
 * starts it: an OLCE's or a level/chunk migration's): mdmon takes it only
 * when it is its own metadata with one migration begun
 * (imsm_olce_check_start_update()), and then replaces its copy.  A plain
 * MPB is only ever a new volume.  Acknowledged like an MPB.
 */
#define MDMON_MIGR_MAGIC "mdmonmig"
#define MDMON_MIGR_MAGIC_BYTES 8

/* A member disk of a watched array. */
struct mon_disk {
	char kname[32];       /* "loop1" */
	char serial[IMSM_SERIAL_BYTES]; /* finds its record (indexes move) */
	int slot;
	int state_fd;         /* md/dev-<kname>/state, pollable */
	bool faulty;          /* the kernel says faulty (this pass) */
	bool in_sync;         /* ... and in_sync */
	bool recorded;        /* the failure is on disk: the manager removes it */
	bool released;        /* md failed a disk the volume no longer uses (a
			       * takeover's leaving mirror): nothing to record */
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
	unsigned long long recover_pos; /* sync_completed while recovering */
	unsigned long long last_checkpoint;
	const char *reply;    /* array_state to write after the metadata */
	bool gone;            /* stopped: the manager forgets it */
	int n_disks;
	struct mon_disk disks[MDMON_MAX_DISKS];
	struct mon_array *next;
};

enum mon_update_type {
	MON_UPD_VOLUME,       /* mdadm's MPB with one more volume */
	MON_UPD_SPARE_RECORD, /* write a spare record to a joining disk */
	MON_UPD_ACTIVATE,     /* a spare takes a slot: start its rebuild */
	MON_UPD_MIGR_START,   /* mdadm's MPB that starts a migration replaces ours */
	MON_UPD_TAKEOVER,     /* the MPB after a takeover or a resize replaces ours */
	MON_UPD_OLCE_ROLLBACK, /* the MPB from before that start replaces ours */
	MON_UPD_MIGR_CHECKPOINT, /* curr_migr_unit of a general migration */
	MON_UPD_MIGR_END,     /* a general migration ends */
	MON_UPD_KILL_VOLUME,  /* volume vol leaves the metadata */
	MON_UPD_RENAME_VOLUME, /* volume vol takes name */
};

struct mon_update {
	enum mon_update_type type;
	struct imsm_super *mpb;           /* VOLUME: the update; SPARE_RECORD: the record;
					   * OLCE_*: the new MPB, swapped with the old;
					   * KILL_VOLUME: set by the monitor to the copy
					   * it dropped when no volume is left */
	const struct imsm_disk_dev *disk; /* SPARE_RECORD: where it goes */
	struct imsm_activation act;       /* ACTIVATE */
	int vol;                          /* MIGR_*, *_VOLUME: the volume */
	char name[IMSM_NAME_BYTES + 1];   /* RENAME_VOLUME */
	uint32_t unit;                    /* MIGR_CHECKPOINT */
	int result;                       /* set by the monitor: 0 or -errno */
};

/* Bytes of the monitor's write buffer: the largest MPB, and one zeroed
 * sector for the migration record. */
#define MDMON_IO_MPB_BYTES IMSM_MPB_MAX_BYTES
#define MDMON_IO_BYTES (MDMON_IO_MPB_BYTES + 4096)
/* The disks are open O_DIRECT: the buffer is aligned for any sector size. */
#define MDMON_IO_ALIGN 4096

struct mdmon_state {
	char container[32];       /* devnm of the container */
	const char *sysroot;      /* "/sys" */
	char pid_path[96];
	char sock_path[96];
	int sock_fd;
	int wake_pipe[2];         /* manager -> monitor: re-read the list now */
	int mgr_pipe[2];          /* monitor -> manager: a failure was recorded,
				   * a rebuild ended (look for spares again) */
	int mdstat_fd;            /* /proc/mdstat, pollable */

	/* The container's metadata and disks.  Loaded by the manager before
	 * the monitor starts, and (under lock) when a volume appears or the
	 * container's disks change; written to disk only by the monitor. */
	struct imsm_super *mpb;
	int n_disks;
	struct imsm_disk_dev disks[MD_MAX_MEMBERS];
	char disk_paths[MD_MAX_MEMBERS][64];

	/* Manager only: which disks[] are container spares (their own copy
	 * is a spare record, the table does not list them), and the disks
	 * whose activation failed: not tried again until mdadm adds them
	 * anew (a retry would repeat the failure at every mdstat event). */
	bool spare[MD_MAX_MEMBERS];
	/* Manager only: a volume wants a spare it has but md was not ready
	 * (frozen by mdadm, syncing, the slot not yet free).  md raises no
	 * event when mdadm unfreezes, so the manager then looks again every
	 * second instead of waiting for one. */
	bool spare_deferred;
	/* Manager only: failed members md would not let go yet (busy while
	 * a reshape runs): asked again at every pass, and every second while
	 * any is left, until md removes them or they are gone. */
	struct {
		char devnm[32], kname[32];
	} removing[MD_MAX_MEMBERS];
	int n_removing;
	dev_t bad_spares[MDMON_BAD_SPARES];
	int n_bad_spares;

	/* The monitor's write buffer (no allocation while writing), set up
	 * by the manager before the monitor starts. */
	unsigned char *io_buf;

	/* A change prepared by the manager, applied by the monitor. */
	struct mon_update *pending;
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

/* mdmon-client.c (mdadm's side) ------------------------------------------- */

/*
 * Ask the container's mdmon to add (MDMON_REQ_ADD_SPARE) or remove
 * (MDMON_REQ_REMOVE_DISK) the disk major:minor, and wait until the result
 * is on disk.  Returns 0, mdmon's -errno, or a socket error.
 */
int mdmon_disk_request(const char *container_devnm, enum mdmon_req_type type,
		       unsigned int major, unsigned int minor) __attribute__((warn_unused_result));

/*
 * Ask the container's mdmon to delete (MDMON_VOL_KILL) or rename
 * (MDMON_VOL_RENAME, name) volume index, and wait until it is on disk.
 * Returns 0, mdmon's -errno, or a socket error.
 */
int mdmon_volume_request(const char *container_devnm, enum mdmon_vol_type type, int index,
			 const char *name) __attribute__((warn_unused_result));

#endif
