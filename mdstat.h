/*
 * mdstat.h: the kernel's /proc/mdstat, parsed into plain records.
 *
 * mdstat_parse() is a pure function over the text (unit-tested on captured
 * samples); mdstat_read() only adds the file read.  Format: see
 * ../shared/spec/md-kernel-interface.md §10.
 */
#ifndef MDSTAT_H
#define MDSTAT_H

#include <stdbool.h>
#include <stddef.h>

#define MDSTAT_NAME_MAX 32

enum mdstat_sync {
	MDSTAT_SYNC_NONE = 0,
	MDSTAT_SYNC_RESYNC,   /* also shown for repair */
	MDSTAT_SYNC_RECOVERY,
	MDSTAT_SYNC_RESHAPE,
	MDSTAT_SYNC_CHECK,
};

enum mdstat_sync_flag {
	MDSTAT_FLAG_RUNNING = 0, /* a progress bar is shown */
	MDSTAT_FLAG_DELAYED,
	MDSTAT_FLAG_PENDING,
	MDSTAT_FLAG_REMOTE,
};

struct mdstat_member {
	char name[MDSTAT_NAME_MAX];  /* kernel name, e.g. "loop3" */
	int desc_nr;                 /* the [n]: descriptor number, not the slot */
	bool faulty;                 /* (F) */
	bool spare;                  /* (S) */
	bool write_mostly;           /* (W) */
	bool journal;                /* (J) */
	bool replacement;            /* (R) */
};

struct mdstat_array {
	char devnm[MDSTAT_NAME_MAX]; /* "md127" */
	bool active;                 /* "active" (possibly read-only) vs "inactive" */
	bool read_only;              /* "(read-only)" or "(auto-read-only)" */
	bool auto_read_only;
	char level[16];              /* "raid5", "" when inactive */
	char metadata[48];           /* text after "super", e.g. "external:/md127/0" */
	unsigned long long blocks_kib;
	int raid_disks;              /* N of [N/M], -1 if absent */
	int working_disks;           /* M of [N/M], -1 if absent */
	char status[64];             /* "UU_U", "" if absent */
	int chunk_kib;               /* from "128k chunk(s)", -1 if absent */
	enum mdstat_sync sync;
	enum mdstat_sync_flag sync_flag;
	int sync_permille;           /* 363 for 36.3%, -1 if absent */
	unsigned long long sync_done_kib, sync_total_kib; /* per device */
	int n_members;
	struct mdstat_member *members;
	struct mdstat_array *next;
};

/*
 * Parse mdstat text.  On success stores a list (newest array first, as the
 * kernel prints) in *ret_list and returns the number of arrays (>= 0).
 * Returns -ENOMEM or -EINVAL (unparsable array entry).
 */
int mdstat_parse(const char *text, struct mdstat_array **ret_list)
	__attribute__((warn_unused_result));

/* Read and parse /proc/mdstat (or $path when non-NULL, for tests). */
int mdstat_read(const char *path, struct mdstat_array **ret_list)
	__attribute__((warn_unused_result));

/* The whole text of an open /proc/mdstat, read again from its start (a
 * reader that polls it for changes keeps one descriptor).  Free *ret_text. */
int mdstat_read_text(int fd, char **ret_text) __attribute__((warn_unused_result));

void mdstat_free(struct mdstat_array *list);

/* The entry for devnm, or NULL. */
struct mdstat_array *mdstat_find(struct mdstat_array *list, const char *devnm);

/*
 * Container of a member: for metadata "external:/md127/0" or
 * "external:-md127/0" copies "md127" into buf.  Returns 0, or -ENOENT when
 * the array is not a member of a container.
 */
int mdstat_container_of(const struct mdstat_array *a, char *buf, size_t len)
	__attribute__((warn_unused_result));

/* True when the array is a container ("external:" not followed by / or -). */
bool mdstat_is_container(const struct mdstat_array *a);

#endif
