/*
 * mdmonitor-events.c: which events two passes over one array make (see
 * mdmonitor.h).  Pure: no I/O.
 *
 * The rules follow upstream mdadm's meaning of each event:
 * - first sight: DegradedArray when degraded, SparesMissing when fewer
 *   spares than the ARRAY line's spares= (the progress of a sync already
 *   under way is not news);
 * - a member that was in sync and no longer is (faulty, or gone from the
 *   volume because mdmon removed it) is a Fail; a rebuilding or spare disk
 *   that turns faulty or goes is a FailSpare; a rebuilding disk that comes
 *   into sync is a SpareActive;
 * - a sync (resync, recovery, reshape, check) starting, crossing a
 *   multiple of the increment, and ending.
 * Containers carry no member states of their own (their disks are all
 * "spare" to md): only their spare count is compared.
 */
#include "mdmonitor.h"

#include <stddef.h>
#include <string.h>

static const char *const event_names[] = {
    [MON_EV_FAIL] = "Fail",
    [MON_EV_FAIL_SPARE] = "FailSpare",
    [MON_EV_DEGRADED] = "DegradedArray",
    [MON_EV_SPARES_MISSING] = "SparesMissing",
    [MON_EV_SPARE_ACTIVE] = "SpareActive",
    [MON_EV_REBUILD_STARTED] = "RebuildStarted",
    [MON_EV_REBUILD_NN] = "Rebuild",
    [MON_EV_REBUILD_FINISHED] = "RebuildFinished",
    [MON_EV_NEW_ARRAY] = "NewArray",
    [MON_EV_DISAPPEARED] = "DeviceDisappeared",
    [MON_EV_MOVE_SPARE] = "MoveSpare",
    [MON_EV_TEST] = "TestMessage",
};

const char *mon_event_name(enum mon_event ev)
{
	if ((unsigned int)ev >= sizeof(event_names) / sizeof(event_names[0]))
		return "Unknown";
	return event_names[ev];
}

bool mon_event_mailed(enum mon_event ev)
{
	return ev == MON_EV_FAIL || ev == MON_EV_FAIL_SPARE || ev == MON_EV_DEGRADED ||
	       ev == MON_EV_SPARES_MISSING || ev == MON_EV_TEST;
}

const struct mon_disk *mon_find_disk(const struct mon_array *a, const char *name)
{
	for (int i = 0; i < a->n_disks; i++)
		if (strcmp(a->disks[i].name, name) == 0)
			return &a->disks[i];
	return NULL;
}

static void emit(const struct mon_emit *e, enum mon_event ev, int percent, const char *devnm,
		 const char *disk)
{
	e->fn(e->ctx, ev, percent, devnm, disk);
}

/* Members that left sync, spares that failed. */
static void compare_lost(const struct mon_array *old, const struct mon_array *cur,
			 const struct mon_emit *e)
{
	for (int i = 0; i < old->n_disks; i++) {
		const struct mon_disk *o = &old->disks[i];
		const struct mon_disk *n = mon_find_disk(cur, o->name);
		bool gone = !n || n->state == MON_DISK_FAULTY;

		if (o->state == MON_DISK_IN_SYNC && (!n || n->state != MON_DISK_IN_SYNC))
			emit(e, MON_EV_FAIL, -1, cur->devnm, o->name);
		else if ((o->state == MON_DISK_REBUILDING || o->state == MON_DISK_SPARE) && gone)
			emit(e, MON_EV_FAIL_SPARE, -1, cur->devnm, o->name);
	}
}

/* Rebuilt disks that came into sync. */
static void compare_gained(const struct mon_array *old, const struct mon_array *cur,
			   const struct mon_emit *e)
{
	for (int i = 0; i < cur->n_disks; i++) {
		const struct mon_disk *n = &cur->disks[i];
		const struct mon_disk *o = mon_find_disk(old, n->name);

		if (n->state == MON_DISK_IN_SYNC && o &&
		    (o->state == MON_DISK_REBUILDING || o->state == MON_DISK_SPARE))
			emit(e, MON_EV_SPARE_ACTIVE, -1, cur->devnm, n->name);
	}
}

static void compare_sync(int was, int now, int increment, const char *devnm,
			 const struct mon_emit *e)
{
	if (was < 0 && now >= 0)
		emit(e, MON_EV_REBUILD_STARTED, -1, devnm, NULL);
	if (was >= 0 && now >= 0 && now / increment > was / increment)
		emit(e, MON_EV_REBUILD_NN, now / increment * increment, devnm, NULL);
	if (was >= 0 && now < 0)
		emit(e, MON_EV_REBUILD_FINISHED, -1, devnm, NULL);
}

void mon_compare(const struct mon_array *old, const struct mon_array *cur, bool is_new,
		 int expected_spares, int increment, const struct mon_emit *e)
{
	bool short_now = expected_spares > 0 && cur->spares < expected_spares;

	if (increment < 1 || increment > 99)
		increment = 20;
	if (is_new)
		emit(e, MON_EV_NEW_ARRAY, -1, cur->devnm, NULL);
	if (!old) {
		if (cur->degraded)
			emit(e, MON_EV_DEGRADED, -1, cur->devnm, NULL);
		if (short_now)
			emit(e, MON_EV_SPARES_MISSING, -1, cur->devnm, NULL);
		return;
	}
	if (short_now && old->spares >= expected_spares)
		emit(e, MON_EV_SPARES_MISSING, -1, cur->devnm, NULL);
	compare_sync(old->sync_percent, cur->sync_percent, increment, cur->devnm, e);
	if (cur->container)
		return;
	compare_lost(old, cur, e);
	compare_gained(old, cur, e);
}
