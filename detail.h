/*
 * detail.h: the record `mdadm --detail` prints, between Detail.c (which
 * fills it from sysfs, /proc/mdstat and the metadata handler) and
 * Detail-print.c (which renders it as upstream's text, --brief/--scan
 * ARRAY lines, --export lines, or JSON).
 *
 * Compute first, render last (STYLE §2): every number a renderer prints is
 * in the record; the renderers read nothing else, so the text and the JSON
 * of one array always agree, and the renderers are unit-tested on records
 * built by hand (tests/unit/test-detail-print.c).
 *
 * The member table follows upstream's arrangement: one row per slot
 * (0..raid_disks-1, an empty slot as a "removed" row), a replacement
 * after its slot, then every other device (spares, faulty ones, container
 * disks).  Values are md's (the kernel's view), as upstream reads them
 * from GET_ARRAY_INFO / GET_DISK_INFO; we read the same numbers from sysfs.
 */
#ifndef DETAIL_H
#define DETAIL_H

#include "render.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#define DETAIL_DEV_PATH_BYTES 256

/* Device flags as md's GET_DISK_INFO gives them (upstream's State words). */
#define DETAIL_DEV_FAULTY 0x01u
#define DETAIL_DEV_ACTIVE 0x02u
#define DETAIL_DEV_SYNC 0x04u
#define DETAIL_DEV_REMOVED 0x08u /* a slot without a device */
#define DETAIL_DEV_WRITEMOSTLY 0x10u
#define DETAIL_DEV_FAILFAST 0x20u
#define DETAIL_DEV_JOURNAL 0x40u

struct detail_dev {
	int number;            /* md's descriptor number ("[3]" in mdstat); -1 none */
	unsigned int major, minor; /* 0:0 for a removed slot */
	int raid_disk;         /* slot; -1 none */
	unsigned int flags;    /* DETAIL_DEV_* */
	char kname[32];        /* "loop0"; "" for a removed slot */
	char path[DETAIL_DEV_PATH_BYTES]; /* "/dev/loop0"; "" when unknown */
};

enum detail_kind {
	DETAIL_NATIVE,    /* metadata md knows itself (1.2, 0.90) */
	DETAIL_CONTAINER, /* external metadata container ("external:imsm") */
	DETAIL_MEMBER,    /* a volume of a container ("external:/md127/0") */
};

/* Upstream's order of sync actions (its mdstat "resync" numbers). */
enum detail_sync {
	DETAIL_SYNC_RECOVERY,
	DETAIL_SYNC_RESYNC,
	DETAIL_SYNC_RESHAPE,
	DETAIL_SYNC_CHECK,
	DETAIL_SYNC_NONE,
};

enum detail_sync_state {
	DETAIL_SYNC_RUNNING,
	DETAIL_SYNC_DELAYED,
	DETAIL_SYNC_PENDING,
	DETAIL_SYNC_REMOTE,
};

/* Whether the volume has what it needs (upstream's --test classes). */
enum detail_health {
	DETAIL_OPTIMAL = 0,  /* every slot has an in-sync device */
	DETAIL_DEGRADED = 1, /* some slot has none, the array still has its data */
	DETAIL_FAILED = 2,   /* not enough devices to run (also: containers) */
};

struct detail {
	char path[PATH_MAX];      /* as the user named it, or /dev/md/NAME */
	char devnm[32];           /* "md126" */
	enum detail_kind kind;
	bool inactive;            /* md's array_state "inactive" (containers are) */
	char metadata[64];        /* "imsm" for containers and members, "1.2" */
	char level[16];           /* "raid5"; "" unknown */
	int level_num;            /* md level number; UNSET unknown */
	int raid_disks;           /* 0 for a container */
	unsigned long long array_kib;    /* 0: not started */
	unsigned long long used_dev_kib; /* md's component_size */
	int layout;
	unsigned long long chunk_bytes;
	char consistency[16];     /* "resync", "none", ...; "" when md says unknown */
	char array_state[32];     /* md's own word ("clean", "read-auto", ...) */
	bool clean;               /* md's in_sync (upstream's MD_SB_CLEAN) */
	int total, active, working, failed, spare; /* md's counts of its rdevs */
	enum detail_health health;

	enum detail_sync sync;
	enum detail_sync_state sync_state;
	int sync_percent;         /* -1 when md shows none */

	bool reshape;             /* md has a reshape position */
	int delta_disks;          /* raid_disks is the new count */
	int new_level_num;
	int new_layout;
	unsigned long long new_chunk_bytes;

	char container_path[PATH_MAX]; /* members: /dev/md/imsm0 */
	char member[16];          /* members: "0" */
	bool uuid_known;          /* false: a container without volumes, a native array */
	char uuid[40];
	char devname[64];         /* MD_DEVNAME: the NAME of /dev/md/NAME; "" none */

	int n_member_arrays;      /* containers: running volumes */
	char (*member_arrays)[DETAIL_DEV_PATH_BYTES];
	int n_devs;               /* rows of the member table, upstream's order */
	int n_slot_rows;          /* the first rows, one per slot (and replacement) */
	struct detail_dev *devs;
};

void detail_free(struct detail *d);

/* ---- names (Detail-print.c) ------------------------------------------------ */

/* md level number -> "raid5", "linear", ...; NULL unknown. */
const char *detail_level_name(int level);
/* raid5/raid6 layout names as upstream; NULL unknown. */
const char *detail_r5_layout_name(int layout);
const char *detail_r6_layout_name(int layout);
/* " near=2", " far=2", " near=2, offset=2": upstream's raid10 words. */
void detail_r10_layout_text(int layout, char *buf, size_t len);
/* The whole Layout value for d's level ("left-asymmetric"), "" when none
 * is printed; new_layout for the New Layout line. */
void detail_layout_text(int level, int layout, bool for_new, char *buf, size_t len);

/* "clean, degraded, reshaping" (no trailing space): the State value. */
void detail_state_text(const struct detail *d, char *buf, size_t len);

/* Upstream's State words of one member row (" active sync", " removed"). */
void detail_dev_state_text(const struct detail *d, const struct detail_dev *v, char *buf,
			   size_t len);

/*
 * Whether md has enough devices for the level (upstream's enough()):
 * avail[i] is true when slot i has an in-sync device.
 */
bool detail_enough(int level, int raid_disks, int layout, const bool *avail);

/* --detail --test's exit status: 0 optimal, 1 degraded, 2 failed. */
int detail_test_status(const struct detail *d);

/* ---- renderers (Detail-print.c): write only to f / j ------------------------- */

void detail_print_text(FILE *f, const struct detail *d, bool no_devices);
/* --brief/--scan: one ARRAY line; verbose adds level=, num-devices= and
 * the "   devices=" line. */
void detail_print_brief(FILE *f, const struct detail *d, int verbose);
void detail_print_export(FILE *f, const struct detail *d, bool no_devices);
/* One array as a JSON object (the caller opens the document). */
void detail_print_json(struct json_out *j, const struct detail *d, bool no_devices);

#endif
