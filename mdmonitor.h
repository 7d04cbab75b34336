/*
 * mdmonitor.h: `mdadm --monitor`, the watch over running arrays.
 *
 * Two halves.  mdmonitor-events.c is pure: it compares what it saw of an
 * array last time with what it sees now and names the events upstream
 * mdadm names (Fail, DegradedArray, RebuildNN, ...); unit-tested.
 * mdmonitor.c reads /proc/mdstat and sysfs into those snapshots, sleeps in
 * poll() on /proc/mdstat between passes, delivers the events (stdout,
 * syslog, a program, mail) and moves spares between containers of one
 * domain; mdmonitor-domain.c says which (spare-group, POLICY domain=, the
 * controller).
 */
#ifndef MDMONITOR_H
#define MDMONITOR_H

#include <stdbool.h>
#include <stddef.h>

#define MON_NAME_MAX 32
#define MON_MAX_DISKS 64

enum mon_disk_state {
	MON_DISK_IN_SYNC,    /* an active member */
	MON_DISK_REBUILDING, /* in a slot, not yet in sync */
	MON_DISK_SPARE,	     /* in no slot */
	MON_DISK_FAULTY,
};

struct mon_disk {
	char name[MON_NAME_MAX]; /* kernel name: "loop3", "sdb" */
	enum mon_disk_state state;
};

/* One array as one pass saw it. */
struct mon_array {
	char devnm[MON_NAME_MAX];
	bool container;
	char container_devnm[MON_NAME_MAX]; /* a volume's container, or "" */
	bool degraded;			    /* fewer working members than slots */
	int sync_percent;		    /* resync/recovery/reshape/check; -1: none */
	bool sync_waiting;		    /* DELAYED behind another array's sync */
	int spares;			    /* usable spares: a container's free disks */
	int n_disks;
	struct mon_disk disks[MON_MAX_DISKS];
};

enum mon_event {
	MON_EV_FAIL,
	MON_EV_FAIL_SPARE,
	MON_EV_DEGRADED,
	MON_EV_SPARES_MISSING,
	MON_EV_SPARE_ACTIVE,
	MON_EV_REBUILD_STARTED,
	MON_EV_REBUILD_NN, /* "Rebuild20", "Rebuild40", ... */
	MON_EV_REBUILD_FINISHED,
	MON_EV_NEW_ARRAY,
	MON_EV_DISAPPEARED,
	MON_EV_MOVE_SPARE,
	MON_EV_TEST,
};

/* Upstream's event name; "Rebuild" for MON_EV_REBUILD_NN (the caller adds
 * the percentage). */
const char *mon_event_name(enum mon_event ev);

/* True for the events upstream mails (failures, degradation, tests). */
bool mon_event_mailed(enum mon_event ev);

struct mon_emit {
	void (*fn)(void *ctx, enum mon_event ev, int percent, const char *devnm, const char *disk);
	void *ctx;
};

/*
 * The events between two passes over one array.  old is NULL the first
 * time the array is seen; is_new says it appeared while the monitor ran
 * (NewArray).  expected_spares comes from an ARRAY line's spares= (-1:
 * none).  increment is the RebuildNN step in percent (1..99).
 */
void mon_compare(const struct mon_array *old, const struct mon_array *cur, bool is_new,
		 int expected_spares, int increment, const struct mon_emit *emit);

/* The disk of a volume by kernel name, or NULL. */
const struct mon_disk *mon_find_disk(const struct mon_array *a, const char *name);

/* ---- domains (mdmonitor-domain.c) --------------------------------------------- */

#define MON_MAX_DOMAINS 16
#define MON_DOMAIN_MAX 64
#define MON_BY_PATH_MAX 128

/* A set of domain names (spare-groups and POLICY domain= values). */
struct mon_domains {
	int n;
	char name[MON_MAX_DOMAINS][MON_DOMAIN_MAX];
};

/* Adds name (no duplicates; an empty or too long name is left out). */
void mon_domains_add(struct mon_domains *d, const char *name);

/* Whether a spare in the domains spare may serve a container in target:
 * target is not empty and every one of its domains is in spare. */
bool mon_domains_cover(const struct mon_domains *spare, const struct mon_domains *target);

/* Adds to out the domain= of every POLICY line (as config.c keeps them:
 * "POLICY word ...") that applies to an IMSM whole disk known under the
 * /dev/disk/by-path names by_path. */
void mon_disk_domains(char *const *policies, int n_policies, const char *const *by_path,
		      int n_by_path, struct mon_domains *out);

/* The names in dir (/dev/disk/by-path) whose link ends in disk ("sdb"),
 * up to max; 0 when dir does not exist, -errno on other errors. */
int mon_disk_by_path(const char *dir, const char *disk, char names[][MON_BY_PATH_MAX], int max);

/* The kind of controller disk ("sdb") hangs off, by its driver: "ahci",
 * "nvme", "vmd" (a VMD domain above it), ...; "none" without a PCI
 * function above it (loop, device-mapper).  0, or -errno. */
int mon_disk_controller(const char *sysroot, const char *disk, char *buf, size_t len);

#endif
