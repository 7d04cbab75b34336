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

#define MDADM_VERSION "0.1"
#define MDADM_DATE "2026-11-24"

#define must_check __attribute__((warn_unused_result))

/* Program name for messages: "mdadm" or "mdmon", defined by each binary. */
extern const char prog_name[];

void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exit codes, documented in README.  Only main() exits. */
enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILED = 1,    /* the operation was tried and failed */
	EXIT_USAGE = 2,     /* bad or conflicting command line */
	EXIT_REFUSED = 3,   /* a safety check refused; nothing changed */
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
	MODE_COUNT,
};

/* Manage actions apply to the devices that follow them on the line. */
enum manage_action {
	MANAGE_NONE = 0,
	MANAGE_ADD,
	MANAGE_REMOVE,
	MANAGE_FAIL,
};

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
};

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
 * A metadata format handler: a table of operations.  Each hook states
 * when it is called and what it may do.  Hooks (load, validate, create,
 * write, container listing, mdmon's hooks) join as the formats grow; this
 * is the contract each must keep.  Until then the modes call the IMSM
 * layers directly (imsm-io.h, imsm-examine.h, imsm.h).
 */
struct metadata_ops {
	const char *name; /* as given to -e/--metadata */
};

extern const struct metadata_ops imsm_ops;

/* Mode entry points: each returns an enum exit_code. */
int mode_create(const struct request *req);
int mode_assemble(const struct request *req);
int mode_incremental(const struct request *req);
int mode_grow(const struct request *req);
int mode_manage(const struct request *req);
int mode_examine(const struct request *req);
int mode_detail(const struct request *req);
int mode_query(const struct request *req);
int mode_stop(const struct request *req);
int mode_wait(const struct request *req);

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
};

#include "sysfs.h"
#include "mdstat.h"
#include "util.h"
#include "md-build.h"

#endif
