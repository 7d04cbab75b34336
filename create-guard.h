/*
 * create-guard.h: what --create checks and keeps before it writes.
 *
 *  - what the disks hold where the new array goes (probe.h), and the
 *    user's word before it is overwritten: a terminal's "y", a "y" line
 *    on stdin (as upstream reads it), or --run;
 *  - the bytes its metadata writes overwrite (the last PROBE_TAIL_BYTES
 *    of each disk, where every metadata write of a create lands), so that
 *    a create failing half-way takes its writes back.
 */
#ifndef CREATE_GUARD_H
#define CREATE_GUARD_H

#include "mdadm.h"

/* What one disk holds at the start of the area the new array takes. */
struct guard_finding {
	const char *path;
	unsigned int sigs;          /* PROBE_* bits */
};

/* Probe the area [offset, offset + area_bytes) of d; whole: the area is
 * the whole disk (its tail is probed too).  0 and *ret_sigs, or -errno. */
int guard_probe(const struct md_disk *d, uint64_t offset_bytes, uint64_t area_bytes, bool whole,
		unsigned int *ret_sigs) __attribute__((warn_unused_result));

/*
 * Report the findings and ask.  EXIT_OK: go on (none, --run, or "y");
 * otherwise EXIT_FAILED after one line (no terminal) or the findings, the
 * question and "create aborted." (a terminal).
 */
int guard_confirm(const struct request *req, const struct guard_finding *f, int n);

/* The tails of the disks a create writes, kept to be written back. */
struct guard_saved {
	int n;
	struct guard_tail {
		int fd;
		uint64_t offset_bytes;
		size_t len;
		unsigned char *bytes;
	} t[MD_MAX_MEMBERS];
};

/* Keep the tail of each disk (open, read-write).  -errno on failure. */
int guard_save(struct guard_saved *g, const struct md_disk *disks, int n)
	__attribute__((warn_unused_result));
/* Write back the first n saved tails (all: g->n), synced.  The first
 * error; every tail is tried. */
int guard_restore(const struct guard_saved *g, int n) __attribute__((warn_unused_result));
void guard_free(struct guard_saved *g);

/* MDADM_TEST_CREATE_FAIL: a test makes a create fail after some writes.
 * A number N: the container's disk N (from 0) cannot be written; "start":
 * md refuses to start the new volume.  -1 / false when unset. */
int guard_test_fail_disk(void);
bool guard_test_fail_start(void);

#endif
