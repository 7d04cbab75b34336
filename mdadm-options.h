/*
 * mdadm-options.h: the option table of the command line and what the
 * parser (mdadm.c) shares with it (mdadm-options.c): upstream's major
 * modes, how each option chooses one, and the value parsers.
 *
 * Only mdadm.c, mdadm-options.c and the unit tests include this.
 */
#ifndef MDADM_OPTIONS_H
#define MDADM_OPTIONS_H

#include "mdadm.h"

/* Upstream's major modes: the misc actions (-D, -E, -S ...) are one. */
enum major {
	MJ_NONE = 0,
	MJ_ASSEMBLE,
	MJ_BUILD,
	MJ_CREATE,
	MJ_MONITOR,
	MJ_GROW,
	MJ_INCREMENTAL,
	MJ_MANAGE,
	MJ_MISC,
	MJ_AUTODETECT,
	MJ_COUNT,
};

#define MJ_BIT(m) (1u << (m))

/* How an option takes part in choosing the mode. */
enum opt_effect {
	EFF_VALUE = 0,      /* a value or flag, valid in the modes of .majors */
	EFF_GLOBAL,         /* the same in every mode (-v, --brief, --export ...) */
	EFF_SETS,           /* sets .major (-C, -A, --manage ...) */
	EFF_MISC,           /* sets misc mode and is its action (-D, -E ...) */
	EFF_MISC_IF_NONE,   /* misc action, or a whole-array action in manage
			     * mode, or run/readonly in assemble/create (-R -S -o -w) */
	EFF_MANAGE_IF_NONE, /* the action of the devices that follow (-a -r -f) */
};

/* Long-only options, and the letters whose meaning depends on the mode. */
enum opt_id {
	OPT_FIRST = 256,
	OPT_MANAGE = OPT_FIRST, OPT_MISC, OPT_ZERO, OPT_AUTODETECT, OPT_DETAIL_PLATFORM,
	OPT_KILL_SUBARRAY, OPT_UPDATE_SUBARRAY, OPT_OFFROOT, OPT_EXAMINE_BB, OPT_HELP_OPTIONS,
	OPT_CHUNK, OPT_LAYOUT, OPT_AUTO, OPT_ASSUME_CLEAN, OPT_WRITE_ZEROES, OPT_BITMAP,
	OPT_BITMAP_CHUNK, OPT_WRITE_BEHIND, OPT_WRITE_MOSTLY, OPT_FAILFAST, OPT_NOFAILFAST,
	OPT_READD, OPT_HOMEHOST, OPT_DATA_OFFSET, OPT_NODES, OPT_HOME_CLUSTER, OPT_WRITE_JOURNAL,
	OPT_LOGICAL_BLOCK_SIZE, OPT_SUPER_MINOR, OPT_CONFIG, OPT_FORCE, OPT_ADD, OPT_ADD_SPARE,
	OPT_ADD_JOURNAL, OPT_REMOVE, OPT_FAIL, OPT_REPLACE, OPT_WITH, OPT_NO_DEGRADED, OPT_WAIT,
	OPT_WAIT_CLEAN, OPT_ACTION, OPT_CLUSTER_CONFIRM, OPT_BRIEF, OPT_NO_DEVICES, OPT_SPARC22,
	OPT_PREFER, OPT_MAIL, OPT_PROGRAM, OPT_INCREMENT, OPT_DAEMONISE, OPT_NO_SHARING,
	OPT_BACKUP_FILE, OPT_INVALID_BACKUP, OPT_CONTINUE, OPT_REBUILD_MAP, OPT_PATH,
	OPT_FREEZE_RESHAPE, OPT_JSON, OPT_DRY_RUN,
};

struct opt_def {
	const char *long_name;
	int id;               /* a letter when its meaning is fixed, else enum opt_id */
	int letter;           /* the short letter that always means this, or 0 */
	int has_arg;          /* getopt's no_argument, required_argument, optional_argument */
	enum opt_effect effect;
	enum major major;     /* EFF_SETS: the mode it sets */
	enum mode misc_mode;  /* EFF_MISC*: the action's mode */
	unsigned int majors;  /* EFF_VALUE: the modes it is valid in */
	bool not_imsm;        /* upstream has it, IMSM has no use for it */
};

#define OPT_TABLE_MAX 160 /* rows opt_table may have */

extern const struct opt_def opt_table[];
extern const size_t opt_table_len;

const char *major_name(enum major mj);
/* What a short letter means in mode mj (MJ_NONE: none chosen yet). */
int opt_short_id(enum major mj, int c);

/* Store an EFF_VALUE option's value in req; EXIT_USAGE after one line. */
int opt_store(struct request *req, const struct opt_def *o, const char *arg);
/* A string option given at most once. */
int opt_string(const struct opt_def *o, const char **field, const char *arg);
/* --action's value: check, repair, idle or frozen. */
int opt_action(const struct opt_def *o, struct request *req, const char *arg);

/*
 * getopt_long returned '?': the one line for argv's bad option (unknown,
 * ambiguous abbreviation with its candidates, a missing argument), with
 * a "did you mean" for a near miss.  Returns EXIT_USAGE.
 */
int report_bad_option(char **argv, const char *shorts, enum major mj);

/* The long option nearest to name (edit distance, at most 2 or a third
 * of its length), or NULL: for "did you mean". */
const char *opt_nearest(const char *name);

#endif
