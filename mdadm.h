/*
 * mdadm.h: types shared by mdadm and mdmon.
 *
 * Owns: exit codes, the parsed command line (struct request), the mode
 * entry points, and the declarations of the small layers (sysfs, mdstat,
 * util).  Holds no logic.
 *
 * Error convention (STYLE §4): lower layers return 0 or a count on success
 * and -errno on failure and never print; mode code reports once with
 * pr_err().
 */
#ifndef MDADM_H
#define MDADM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* The command line this mdadm answers is upstream's 4.2 (what scripts and
 * libblockdev check for); MDADM_EDITION says what it really is. */
#define MDADM_VERSION "4.2"
#define MDADM_DATE "2026-12-04"
#define MDADM_EDITION "IMSM reshape edition 0.2, not upstream mdadm"
/* What our mdmon answers a version ping with: the edition tells it from
 * upstream's mdmon of the same version. */
#define MDMON_VERSION_LINE "mdmon - v" MDADM_VERSION " - " MDADM_DATE " (" MDADM_EDITION ")\n"

#define must_check __attribute__((warn_unused_result))

/* Program name for messages: "mdadm" or "mdmon", defined by each binary. */
extern const char prog_name[];

void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exit codes, documented in README.  Only main() exits. */
enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILED = 1,    /* the operation failed, or (as upstream mdadm exits)
			     * a safety check refused it: nothing changed then */
	EXIT_USAGE = 2,     /* bad or conflicting command line */
	EXIT_REFUSED = 3,   /* mdmon only, as upstream's: it will not manage
			     * the container (not one, or already managed) */
};

/* One mode per command family, as mdadm spells them. */
enum mode {
	MODE_NONE = 0,
	MODE_CREATE,
	MODE_ASSEMBLE,
	MODE_INCREMENTAL,
	MODE_GROW,
	MODE_MANAGE,    /* --add / --remove / --fail on a named array */
	MODE_EXAMINE,
	MODE_DETAIL,
	MODE_QUERY,
	MODE_STOP,
	MODE_WAIT,
	MODE_VERSION,
	MODE_HELP,
	/* misc-mode actions, each on the devices named (upstream's --misc) */
	MODE_ZERO_SUPERBLOCK, /* --zero-superblock DEV... */
	MODE_KILL_SUBARRAY,   /* --kill-subarray=N CONTAINER */
	MODE_UPDATE_SUBARRAY, /* --update-subarray=N --update=name -N NAME CONTAINER */
	MODE_DETAIL_PLATFORM, /* --detail-platform [--export|--brief|--json] */
	MODE_WAIT_CLEAN,      /* --wait-clean MD... | --scan */
	MODE_RUN,             /* -R MD: start a volume assembled but not running */
	MODE_READONLY,        /* -o MD */
	MODE_READWRITE,       /* -w MD */
	MODE_ACTION,          /* --action=check|repair|idle|frozen MD... */
	MODE_EXAMINE_BADBLOCKS, /* --examine-badblocks DEV... */
	MODE_EXAMINE_BITMAP,  /* -X: IMSM has no bitmap file; says so */
	/* modes upstream has that are not IMSM's, or not yet ours */
	MODE_BUILD,           /* -B: arrays without metadata */
	MODE_MONITOR,         /* -F/--monitor (issue 13) */
	MODE_AUTODETECT,      /* --auto-detect: the kernel's 0.90 autodetect */
	MODE_COUNT,
};

/* Manage actions apply to the devices that follow them on the line. */
enum manage_action {
	MANAGE_NONE = 0,
	MANAGE_ADD,
	MANAGE_REMOVE,
	MANAGE_FAIL,    /* also --set-faulty; in -I mode, -f: the device left */
};

/* Whole-array actions given in manage mode, applied after the devices'
 * ones ("mdadm /dev/md0 --fail D --remove D", "mdadm --manage -S md0"). */
#define ARRAY_OP_RUN       0x1u
#define ARRAY_OP_STOP      0x2u
#define ARRAY_OP_READONLY  0x4u
#define ARRAY_OP_READWRITE 0x8u

#define UNSET (-1)

/* A device named on the command line, with the manage action before it. */
struct req_dev {
	const char *path;
	enum manage_action action;
};

/*
 * The whole command line, parsed and checked for conflicts.  Numbers are
 * UNSET (-1) when not given.  Strings point into argv.
 */
struct request {
	enum mode mode;
	const char *array;          /* the md device the mode acts on, if any */
	struct req_dev *devs;       /* remaining device arguments */
	int n_devs;

	const char *metadata;       /* -e */
	int level;                  /* -l, as md level number; UNSET if not given */
	int raid_devices;           /* -n */
	long long chunk_kib;        /* -c */
	long long size_kib;         /* -z; 0 means "max" */
	const char *layout;         /* --layout, checked by the metadata handler */
	const char *backup_file;    /* --backup-file */

	bool run;                   /* -R */
	bool scan;                  /* --scan */
	bool export;                /* --export */
	bool brief;                 /* -b */
	bool force;                 /* --force */
	bool assume_clean;          /* --assume-clean */
	bool do_continue;           /* --continue */
	int verbose;                /* -v, repeatable; -q lowers it */

	const char *name;           /* -N/--name (create, assemble, update-subarray) */
	const char *uuid;           /* -u/--uuid, checked: 32 hex digits (':' '.' '-' ' '
				     * separators allowed, as upstream) */
	unsigned char uuid_bin[16]; /* the same, decoded, when uuid is set */
	const char *config;         /* -c/--config FILE (assemble, incremental, misc);
				     * NULL: /etc/mdadm/mdadm.conf then /etc/mdadm.conf;
				     * "none": no file; "partitions": DEVICE partitions */
	const char *homehost;       /* --homehost */
	const char *update;         /* -U/--update (assemble, update-subarray) */
	const char *subarray;       /* --kill-subarray= / --update-subarray= value */
	const char *action;         /* --action: check, repair, idle or frozen */
	const char *remove_path;    /* -I --path P (with -f: the device's udev path) */
	const char *bitmap;         /* -b/--bitmap in create/grow: "none" only for IMSM */
	const char *consistency_policy; /* -k/--consistency-policy */
	int spare_devices;          /* -x; UNSET when not given */
	long long array_size_kib;   /* -Z/--array-size; 0 "max"; UNSET */
	unsigned int array_ops;     /* ARRAY_OP_* given in manage mode */
	bool test;                  /* -t/--test: --detail's exit status says the state */
	bool no_devices;            /* --no-devices (detail) */
	bool no_degraded;           /* --no-degraded (assemble --scan) */
	bool readonly;              /* -o in assemble/create (start read-only) */
	bool freeze_reshape;        /* --freeze-reshape (assemble, incremental) */
	bool rebuild_map;           /* -I -r/--rebuild-map */
	bool json;                  /* --json (detail, examine, detail-platform) */
	bool dry_run;               /* --dry-run (grow): print the plan, change nothing */
	int help_for;               /* MODE_HELP: the mode asked about (enum major) */
	/* --monitor */
	const char *mail;           /* -m/--mail ADDR */
	const char *program;        /* -p/--program/--alert CMD */
	const char *pid_file;       /* -i/--pid-file FILE */
	int delay_s;                /* -d/--delay SECONDS; UNSET */
	int increment;              /* -r/--increment PERCENT; UNSET */
	bool syslog;                /* -y/--syslog */
	bool daemonise;             /* -f/--daemonise */
	bool oneshot;               /* -1/--oneshot */
	bool no_sharing;            /* --no-sharing */
	const char *not_imsm;       /* an option given that means nothing for IMSM:
				     * run_request() refuses it with one line */
};

/* The mode's name as messages spell it ("create", "zero-superblock"). */
const char *mode_name(enum mode mode);
/* --help, --help-options and MODE --help (mdadm-options.c). */
int mode_help(const struct request *req);

/*
 * Parse argv into *ret.  Returns 0, or EXIT_USAGE after printing one line
 * on stderr.  --help and --version set the mode and return 0.
 */
int parse_request(int argc, char **argv, struct request *ret) must_check;
void free_request(struct request *req);
/* Run the mode the request names; returns an enum exit_code. */
int run_request(const struct request *req);

/* Level names as md and mdadm spell them; UNSET for an unknown name. */
int level_from_name(const char *name);
const char *level_name(int level);
#define LEVEL_LINEAR (-1000) /* distinct from UNSET */
#define LEVEL_CONTAINER (-100)

/* One line "X is not implemented yet" and EXIT_FAILED. */
int mode_not_implemented(const char *what);

/*
 * How md must be told about arrays, derived from metadata.  The metadata
 * handler fills these; md-build.c turns them into sysfs writes in the
 * order the kernel requires.  Units are md's.
 */
#define MD_MAX_MEMBERS 64

struct md_member_cfg {
	unsigned int major, minor;
	int slot;                              /* -1: container disk or volume spare */
	unsigned long long offset_sectors;     /* data start on the disk */
	unsigned long long size_kib;           /* usable after offset */
	unsigned long long recovery_start;     /* sectors rebuilt; SYSFS_NONE: in sync */
};

struct md_volume_cfg {
	int index;                             /* the format's volume index */
	char name[33];                         /* for /dev/md/NAME */
	int level;                             /* md level number */
	int raid_disks;
	unsigned long long chunk_bytes;
	int layout;
	unsigned long long component_kib;
	unsigned long long array_kib;          /* 0: the kernel's own size */
	unsigned long long resync_start;       /* sectors; SYSFS_NONE when clean */
	int n_members;
	struct md_member_cfg members[MD_MAX_MEMBERS];
	int n_absent;                          /* disks the metadata names for the
						* volume that are missing or failed */

	/*
	 * A reshape md resumes (md-kernel-interface.md §4.5): level,
	 * raid_disks, chunk_bytes and layout above are the old geometry, md
	 * takes these as the new one at reshape_sectors.  sync_max_sectors
	 * holds md at the recorded checkpoint until mdadm continues.
	 */
	bool reshape;
	unsigned long long reshape_sectors;    /* array sectors, new layout */
	int new_raid_disks;
	unsigned long long new_chunk_bytes;
	int new_layout;
	unsigned long long sync_max_sectors;   /* member sectors */
	bool resync_after_reshape;             /* dirty: a resync from 0 asked once md
						* runs (frozen), done after the reshape */
	bool frozen;                           /* start with "-" (§7): mdmon must not
						* reconfigure it, mdadm continues */
	bool grow_continue;                    /* a reshape of the container is pending:
						* mdadm --grow --continue after start */
	char refuse_why[96];                   /* non-empty: md must not start the
						* volume; the reason, for one line */

	/*
	 * Writes to the member disks before md may see the volume, and never
	 * while it runs (a reshape's critical section back from its copy
	 * area, then the record saying so): every copy, synced, then every
	 * sector write, synced.
	 */
	int n_copies;
	struct md_disk_copy {
		unsigned int major, minor;
		unsigned long long from_bytes, to_bytes, len_bytes;
	} copies[MD_MAX_MEMBERS];
	int n_sector_writes;
	struct md_sector_write {
		unsigned int major, minor;
		unsigned long long offset_bytes;
		unsigned int len_bytes;        /* one logical sector, <= 4096 */
		unsigned char data[4096];
	} sector_writes[2];
};

/* ---- metadata handlers ---------------------------------------------------- */

/*
 * A disk as the modes and the metadata handlers share it.  The caller
 * owns path and fd (opened as the mode needs: exclusive for a new
 * container, read-only to examine); the handler's identify() fills the
 * rest.  Copies of the struct are cheap and borrow path and fd.
 */
#define MD_DISK_ID_BYTES 32

struct md_disk {
	const char *path;               /* as the user named it, or /dev/KNAME */
	int fd;                         /* -1 once closed */
	char kname[32];                 /* "loop0" */
	unsigned int major, minor;
	uint64_t sectors;               /* logical sectors */
	uint32_t sector_bytes;          /* logical sector size */
	char id[MD_DISK_ID_BYTES];      /* the format's identity of the disk
					 * (IMSM: the 16-byte serial, NUL
					 * padded); all zero when it has none */
};

/* What the user asked for a new volume.  Units as named. */
struct md_volume_request {
	const char *name;               /* volume name, from /dev/md/NAME */
	int level;                      /* md level number */
	int raid_disks;                 /* slots, `missing` ones included */
	unsigned int chunk_kib;         /* 0: the format's default */
	unsigned long long size_kib;    /* per member; 0: as large as fits */
	bool assume_clean;              /* skip the initial resync */
};

/* Where loading a disk's copy for --examine stopped, for the one line. */
enum md_load_step {
	MD_LOAD_IDENTIFY,               /* size and sector size of the disk */
	MD_LOAD_READ,                   /* the copy: -ENODATA none, else load_error() */
	MD_LOAD_AUX,                    /* a record the copy points to (IMSM: the
					 * migration record of a reshape) */
};

/* volume_flags(): what mdmon must know about a volume's record. */
#define MD_VOL_DIRTY     0x01u /* recorded as possibly inconsistent */
#define MD_VOL_UNINIT    0x02u /* never initialised: a full resync is due */
#define MD_VOL_DEGRADED  0x04u /* a member is out; the volume still runs */
#define MD_VOL_FAILED    0x08u /* too many members out to run */
#define MD_VOL_MIGRATING 0x10u /* some migration is recorded */
#define MD_VOL_RESYNCING 0x20u /* ... and it is an initialisation or repair resync */

#define MD_UUID_TEXT_BYTES 36 /* "xxxxxxxx:xxxxxxxx:xxxxxxxx:xxxxxxxx" + NUL */
#define MD_UUID_CONTAINER (-1)

struct metadata_ops;
struct json_out;

/*
 * One format's metadata as loaded from some disks: the copy that speaks
 * for them, and for --examine what the disk's description needs besides.
 * Modes hold it and call st->ops; only the handler looks inside priv.
 * It holds no descriptors: hooks that do I/O take the disks.
 */
struct super {
	const struct metadata_ops *ops;
	void *priv;
};

/*
 * A metadata format handler.  Conventions for every hook: 0 (or a count)
 * on success, -errno on failure; hooks never print (modes report once);
 * ret_* outputs are written only on success; a struct super returned
 * through ret is the caller's, freed with free().  "disks" are identified
 * md_disk entries.  Unless a hook says it writes, it only reads; only
 * hooks marked "mdmon" run in mdmon's monitor thread, where they may not
 * block on anything but the disks they write.
 */
struct metadata_ops {
	const char *name;               /* -e/--metadata and md's "external:NAME" */
	const char *title;              /* in messages: "IMSM" */
	unsigned long long min_disk_kib; /* smallest disk a container takes */

	/* ---- loading: every mode that reads metadata, and mdmon ---- */

	/* Fill d from d->fd: numbers, kernel name, size, sector size, id.
	 * -ENOTBLK not a block device; -EOPNOTSUPP a sector size the format
	 * cannot use; -ENODATA no id can be found for the disk. */
	int (*identify)(struct md_disk *d);
	/* The copy on one disk as it is, a spare's record included.  Checks
	 * every invariant before trusting a field (a bad copy is an error,
	 * never followed).  -ENODATA: no metadata of this format. */
	int (*load_disk)(const struct md_disk *d, struct super **ret);
	/* After load_disk() failed on a copy a cut tore (its checksum): a
	 * stand-in with no volumes that only joining() can place.  Optional. */
	int (*load_torn)(const struct md_disk *d, struct super **ret);
	/* The copy that speaks for a container, from its disks: the newest
	 * with volumes (supersedes()).  Unreadable and bad copies have no
	 * say.  -ENODATA when no disk carries one (spares only, or blank). */
	int (*load_disks)(const struct md_disk *disks, int n, struct super **ret);
	/* The same for a running container (md's devnm), reading the disks
	 * md holds.  Opens them read-only for the call. */
	int (*load_container)(const char *devnm, struct super **ret);
	void (*free)(struct super *st);
	/* Words for a load error that is about the copy itself (checksum,
	 * sizes, ...); NULL for others (I/O, -ENODATA), which strerror says. */
	const char *(*load_error)(int err);

	/* ---- questions about a loaded copy (validate before use) ---- */

	/* Volumes the copy defines; 0 for a spare's own record. */
	int (*num_volumes)(const struct super *st);
	/* Whether two copies belong to the same container (assembly's
	 * grouping key). */
	bool (*same_container)(const struct super *a, const struct super *b);
	/* The single rule for which copy speaks for a container: true when
	 * cand must replace best (best may be NULL).  Used by load_disks(),
	 * assembly, mdmon's reloads. */
	bool (*supersedes)(const struct super *cand, const struct super *best);
	/* Index of d's record in st's disk table; -ENOENT when st has none
	 * for d, -EIO when its record says failed. */
	int (*member_index)(const struct super *st, const struct md_disk *d);
	/* Whether d, whose own copy own defines no volume, is a member under
	 * st all the same: the new member of an OLCE or the target of a
	 * rebuild under way in st, whose copy may still be the spare record
	 * it had (a cut came before the migration's first copy reached it);
	 * or any member whose copy a cut tore (load_torn()). */
	bool (*joining)(const struct super *st, const struct super *own, const struct md_disk *d);
	/* The UUID text of the container (MD_UUID_CONTAINER) or of volume
	 * index; -ERANGE for a volume the copy does not define. */
	int (*uuid)(const struct super *st, int index, char ret[MD_UUID_TEXT_BYTES]);

	/* ---- describing: --examine (--detail uses uuid()) ---- */

	/* Identify d (a disk without id is examined all the same) and load
	 * its copy and what its description shows.  On failure *ret_step
	 * says which part failed.  Refuses partitions (-ENODATA). */
	int (*examine_load)(struct md_disk *d, struct super **ret, enum md_load_step *ret_step);
	/* --examine --scan shows copies of one group once, the one that
	 * supersedes() the others; spares' records form one group. */
	bool (*examine_same_group)(const struct super *a, const struct super *b);
	/* The three renderings, exactly as upstream prints them.  text needs
	 * a super from examine_load(); brief and export take any. */
	void (*examine_text)(FILE *f, const char *path, const struct super *st);
	void (*examine_brief)(FILE *f, const struct super *st);
	void (*examine_export)(FILE *f, const struct super *st);
	/* --examine --json: one object for the disk at path (the caller
	 * opens and closes the document); from examine_load()'s super. */
	void (*examine_json)(struct json_out *j, const char *path, const struct super *st);

	/* ---- md's view: create and assemble ---- */

	/* The rdev of a container disk: the metadata range md must see. */
	void (*container_member)(const struct md_disk *d, struct md_member_cfg *ret);
	/* Volume index of st as md must run it, over the disks present
	 * (matched by id): absent and failed members are left out (md runs
	 * them degraded).  -EINVAL for a volume md cannot run. */
	int (*volume_md_cfg)(const struct super *st, int index, const struct md_disk *disks, int n,
			     struct md_volume_cfg *ret);

	/* ---- creating (mdadm --create, and --add for add_disk) ---- */

	/* Check a proposed volume (req NULL: a container) against the
	 * platform's limits (the controller's option ROM).  On a refusal
	 * fills why with one line (hint included) and returns -ENODEV (no
	 * platform) or -EINVAL; other -errno when it cannot tell.  The
	 * format's own rules are create_volume()'s. */
	int (*check_geometry)(const struct md_volume_request *req, char *why, size_t len);
	/* Initialise a new container: write each disk the record of a
	 * container disk without volume.  Stops at the first failure and
	 * names its position in *ret_bad.  Writes. */
	int (*init_container)(const struct md_disk *disks, int n, int *ret_bad);
	/* A disk joins a running container as a spare: write its own record
	 * (the container's copy is updated by mdmon or write()).  Writes. */
	int (*add_disk)(const struct md_disk *d);
	/* Default members of a new volume when only the container is named
	 * (cur NULL: no volume yet): fills ret_idx[0..want) with positions in
	 * all[] in slot order and returns how many disks the volume could
	 * use; the caller refuses when that is below want.  -ENXIO when a
	 * disk the format needs (a member of the first volume) is absent. */
	int (*pick_members)(const struct super *cur, const struct md_disk *all, int n_all, int want,
			    int ret_idx[]);
	/* The copy with one more volume over members[0..n) (slot order; a
	 * NULL entry is a `missing` slot: the volume is created degraded).
	 * cur NULL: the container's first volume.  Checks every rule of the
	 * format first; cur is not changed.  create_error() words errors. */
	int (*create_volume)(const struct super *cur, const struct md_disk *const members[], int n,
			     const struct md_volume_request *req, struct super **ret);
	const char *(*create_error)(int err);
	/* Write st to every disk of disks[] that is in its table (spares keep
	 * their own record), after advancing its generation.  Tries every
	 * disk; returns the first error and its position in *ret_bad.
	 * Writes, and allocates its encode buffer: mdmon's monitor, which
	 * must not allocate, writes through its own preallocated buffer
	 * (FIXME: a variant taking the caller's buffer when mdmon switches). */
	int (*write)(struct super *st, const struct md_disk *disks, int n, int *ret_bad);
	/* --assemble --update=uuid: give the container a new identity in st
	 * (uuid NULL: a random one); the caller then write()s st to its
	 * disks.  -EINVAL when the format cannot take the given uuid. */
	int (*update_uuid)(struct super *st, const unsigned char *uuid);
	/* The update that hands a new volume to a running mdmon instead of
	 * write() (mdmon alone writes a container it monitors): a malloc'd
	 * buffer for the socket. */
	int (*encode_update)(const struct super *st, void **ret_buf, size_t *ret_len);

	/* ---- changing a volume, erasing (--kill-subarray, --update-subarray,
	 * --zero-superblock) ---- */

	/* Delete / rename volume index in st (checked first; st unchanged on
	 * failure); the caller writes st or hands the request to mdmon.
	 * volume_edit_error() words their errors. */
	int (*kill_volume)(struct super *st, int index);
	int (*rename_volume)(struct super *st, int index, const char *name);
	const char *(*volume_edit_error)(int err);
	/* Whether a reshape is recorded in the container (volume indexes must
	 * not move under it). */
	bool (*reshape_recorded)(const struct super *st);
	/* The format's metadata on the block device open at fd: 0 a copy it
	 * accepts, -ENODATA none, another -errno (load_error() words it) a
	 * damaged one.  Reads only. */
	int (*probe_fd)(int fd);
	/* Erase the format's metadata from the device open read-write at fd,
	 * so that nothing recognises it any more; synced.  Writes. */
	int (*erase_fd)(int fd);

	/* ---- mdmon: the daemon's view of a running container ---- */

	/* manager: decode an update from the socket (untrusted: checked like
	 * a copy on disk), then check it against the current copy: the same
	 * container with exactly one more volume.  Allocate freely. */
	int (*decode_update)(const void *buf, size_t len, struct super **ret);
	int (*check_update)(const struct super *cur, const struct super *upd);
	/* monitor: merge a checked update into cur: only the new volume is
	 * taken, cur's own state (dirty, checkpoints, failures) is newer.
	 * Never allocates. */
	void (*apply_update)(struct super *cur, const struct super *upd);
	/* monitor: MD_VOL_* of volume index (0 for an unknown index). */
	unsigned int (*volume_flags)(const struct super *st, int index);
	/* monitor: record the volume dirty (before md may write) or clean
	 * (writes stopped, nothing to resync).  True when the copy changed;
	 * the caller then write()s.  Never allocates; neither do the hooks
	 * below. */
	bool (*set_dirty)(struct super *st, int index, bool dirty);
	/* monitor: md reported the disk of record disk_index faulty: record
	 * it failed in every volume that uses it, before md may go on. */
	bool (*mark_failed)(struct super *st, int disk_index);
	/* monitor: md starts resyncing volume index (resync_start is a
	 * number, the array goes read-write): record the resync so that it
	 * resumes after a crash.  False when the format records none now. */
	bool (*start_resync)(struct super *st, int index);
	/* monitor: md's resync of volume index passed pos_sectors (md
	 * sectors, every request below completed): record the checkpoint
	 * when it moved by a whole unit. */
	bool (*set_checkpoint)(struct super *st, int index, unsigned long long pos_sectors);
	/* monitor: md finished resyncing all of volume index: end the
	 * recorded resync, or, when none was recorded, mark a volume that was
	 * never initialised in sync.  Call only after a resync md ran. */
	bool (*end_resync)(struct super *st, int index);
	/* manager: the recorded resync checkpoint of volume index in md
	 * sectors (0 when none), so the monitor never moves it back. */
	unsigned long long (*resync_checkpoint)(const struct super *st, int index);
};

/* The handlers, and choosing one (metadata.c). */
extern const struct metadata_ops imsm_ops;

/* The i-th handler (0, 1, ...), NULL past the last: probe them in order. */
const struct metadata_ops *metadata_handler(size_t i);
/* By -e name or md's metadata_version ("imsm", "external:imsm"); NULL if
 * no handler has that name. */
const struct metadata_ops *metadata_find(const char *name);
/* For messages: the handlers' names ("imsm"), and titles ("IMSM"). */
const char *metadata_names(void);
const char *metadata_titles(void);
/*
 * Which format's copy disk d carries: each handler identifies d and loads
 * its copy; the first that finds one wins (*ret, d identified by it).
 * -ENODATA when none does; another -errno from the handler that found a
 * copy it refuses (bad copy: its load_error() words it, *ret_ops says
 * whose), or could not identify the disk.
 */
int metadata_load_disk(struct md_disk *d, struct super **ret, const struct metadata_ops **ret_ops)
	must_check;
/* The handler of a running container, from its metadata_version. */
const struct metadata_ops *metadata_of_container(const char *devnm);

/* Mode entry points: each returns an enum exit_code. */
int mode_create(const struct request *req);
int mode_assemble(const struct request *req);
int mode_incremental(const struct request *req);
int mode_monitor(const struct request *req);
int mode_grow(const struct request *req);
int mode_manage(const struct request *req);
int mode_examine(const struct request *req);
int mode_detail(const struct request *req);
int mode_query(const struct request *req);
int mode_stop(const struct request *req);
int mode_wait(const struct request *req);
/* Misc.c */
int mode_zero_superblock(const struct request *req);
int mode_kill_subarray(const struct request *req);
int mode_update_subarray(const struct request *req);
int mode_wait_clean(const struct request *req);
int mode_action(const struct request *req);
int mode_examine_badblocks(const struct request *req);
int mode_examine_bitmap(const struct request *req);
/* Manage.c: whole-array actions, also reached from manage mode */
int mode_run(const struct request *req);
int mode_readonly(const struct request *req);
int mode_readwrite(const struct request *req);
/* Detail.c */
int mode_detail_platform(const struct request *req);

#include "sysfs.h"
#include "mdstat.h"
#include "util.h"
#include "md-build.h"

#endif
