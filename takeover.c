/*
 * takeover.c: takeovers of IMSM volumes, mdadm's side (see takeover.h).
 */
#include "takeover.h"
#include "container.h"
#include "imsm-io.h"
#include "imsm-platform.h"
#include "imsm-resize.h"
#include "imsm-takeover.h"
#include "imsm.h"
#include "mdadm.h"
#include "mdmon-client.h"
#include "mdmon.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSROOT "/sys"
#define TKO_MAX_DISKS MD_MAX_MEMBERS

struct tko {
	const char *array;
	char cont[32];
	struct imsm_super *cur;
	struct imsm_disk_dev disks[TKO_MAX_DISKS];
	char paths[TKO_MAX_DISKS][64];
	int n_disks;
	struct imsm_disk spares[TKO_MAX_DISKS];
	unsigned int n_spares;
	struct cont_vol vols[IMSM_MAX_RAID_DEVS];
	struct imsm_takeover_request rq;
};

static void tko_close(struct tko *t)
{
	for (int i = 0; i < t->n_disks; i++)
		close(t->disks[i].fd);
	imsm_free(t->cur);
}

static int tko_open_disks(struct tko *t)
{
	struct md_array_info info;
	struct md_sysfs c;
	int r;

	sysfs_init(&c, SYSROOT, t->cont);
	r = sysfs_read_array(&c, &info);
	if (r)
		return r;
	for (int i = 0; !r && i < info.n_members && t->n_disks < TKO_MAX_DISKS; i++) {
		snprintf(t->paths[t->n_disks], sizeof(t->paths[0]), "/dev/%s", info.members[i].kname);
		r = imsm_disk_open(&t->disks[t->n_disks], t->paths[t->n_disks], O_RDONLY);
		if (!r)
			t->n_disks++;
	}
	sysfs_free_array(&info);
	return r;
}

static int tko_load(struct tko *t)
{
	int r = imsm_load_container(t->cont, &t->cur);

	if (!r)
		r = tko_open_disks(t);
	for (int i = 0; !r && i < t->n_disks; i++)
		if (cont_spare_record(t->cur, &t->disks[i], &t->spares[t->n_spares]))
			t->n_spares++;
	return r ? r : cont_find_volumes(t->cont, t->vols);
}

/* What the platform (its option ROM, or none) allows. */
static void tko_platform(struct imsm_takeover_request *rq)
{
	struct imsm_platform p;

	if (imsm_platform_probe(NULL, &p) < 0 || !p.has_limits)
		return;
	rq->max_members = p.orom.dpa;
	rq->no_raid1 = !(p.orom.rlc & IMSM_RLC_RAID1);
	rq->no_raid10 = !(p.orom.rlc & IMSM_RLC_RAID10);
}

/* Test hook: MDADM_TEST_TAKEOVER_DIE=metadata or md: SIGKILL right after
 * that step (the volumes stay frozen, as a crash would leave them). */
static void tko_maybe_die(const char *step)
{
	const char *want = getenv("MDADM_TEST_TAKEOVER_DIE");

	if (want && strcmp(want, step) == 0)
		raise(SIGKILL);
}

/* ---- checks and the plan --------------------------------------------------------- */

static bool tko_mirrored(const struct tko *t)
{
	return t->rq.new_level == 1 || t->rq.new_level == 10;
}

/* The volumes the takeover changes: all of them to a mirrored level. */
static bool tko_touches(const struct tko *t, int i)
{
	return tko_mirrored(t) || i == t->rq.vol;
}

/* Every volume running and idle, no other mdmon serving the container. */
static int tko_busy_or_foreign(const struct tko *t)
{
	char action[32];

	for (int i = 0; i < t->cur->num_raid_devs; i++) {
		const struct cont_vol *v = &t->vols[i];

		if (!v->found) {
			pr_err("cannot change %s: volume %d is not running", t->array, i);
			return EXIT_FAILED;
		}
		if (sysfs_get_sync_action(&v->md, action, sizeof(action)) == 0 &&
		    strcmp(action, "idle") != 0) {
			pr_err("cannot change %s: /dev/%s is busy (%s); wait for it to end", t->array,
			       v->devnm, action);
			return EXIT_FAILED;
		}
	}
	if (mdmon_running(t->cont) && !mdmon_is_ours(t->cont)) {
		pr_err("cannot change %s: another mdmon serves the container; run mdmon --takeover %s first",
		       t->array, t->array);
		return EXIT_FAILED;
	}
	return 0;
}

static int tko_refuse(const struct tko *t)
{
	int r = imsm_takeover_check(t->cur, &t->rq);

	if (r) {
		pr_err("cannot change %s: %s", t->array, imsm_takeover_error(r));
		return EXIT_FAILED;
	}
	return tko_busy_or_foreign(t);
}

static const char *tko_path_of(const struct tko *t, const struct imsm_super *s, uint32_t ord)
{
	uint32_t idx = ord & IMSM_ORD_INDEX_MASK;

	for (int i = 0; idx < s->num_disks && i < t->n_disks; i++)
		if (memcmp(t->disks[i].serial, s->disk[idx].serial, IMSM_SERIAL_BYTES) == 0)
			return t->paths[i];
	return "a missing disk";
}

static void tko_print_plan(const struct tko *t)
{
	const struct imsm_map *m = &t->cur->dev[t->rq.vol].vol.map[0];
	unsigned int n = m->num_members;
	int from = imsm_map_md_level(m);

	if (tko_mirrored(t)) {
		pr_err("%s: raid%d, %u disk%s -> raid%d, %u disks%s; mdmon rebuilds the new mirrors from %u of the container's %u spare%s",
		       t->array, from, n, n == 1 ? "" : "s", t->rq.new_level, 2 * n,
		       t->cur->num_raid_devs > 1 ? " (every volume of the container)" : "", n,
		       t->n_spares, t->n_spares == 1 ? "" : "s");
		return;
	}
	pr_err("%s: raid%d, %u disks -> raid0, %u disk%s; the size stays %llu KiB", t->array, from,
	       n, n / 2, n / 2 == 1 ? "" : "s",
	       (unsigned long long)t->cur->dev[t->rq.vol].size_blocks / 2);
	for (unsigned int k = 1; k < n; k += 2)
		pr_err("%s: %s leaves the volume%s", t->array, tko_path_of(t, t->cur, m->disk_ord_tbl[k]),
		       t->cur->num_raid_devs > 1 ? "" : " and becomes a spare of the container");
}

/* ---- md around the metadata ------------------------------------------------------- */

static int tko_freeze(struct tko *t)
{
	int r = 0;

	for (int i = 0; !r && i < t->cur->num_raid_devs; i++)
		if (tko_touches(t, i))
			r = cont_freeze(&t->vols[i]);
	return r;
}

/* raid0 -> raid10 (old slot k is slot 2k); a one-disk raid0 -> raid1
 * through a two-disk raid5, the one md personality that takes over both. */
static int tko_md_mirrored(struct tko *t)
{
	int r = 0;

	for (int i = 0; !r && i < t->cur->num_raid_devs; i++) {
		const struct md_sysfs *md = &t->vols[i].md;

		if (t->rq.new_level == 1)
			r = sysfs_write_attr(md, NULL, "level", "raid5");
		if (!r)
			r = sysfs_write_attr(md, NULL, "level", level_name(t->rq.new_level));
		if (!r)
			r = cont_sync_action(md, "frozen");
	}
	return r;
}

/* The odd slots leave md, then raid0 (md takes over a raid10 missing one
 * disk per pair, a raid1 missing all but one). */
static int tko_md_raid0(struct tko *t)
{
	const struct md_sysfs *md = &t->vols[t->rq.vol].md;
	struct md_array_info info;
	int r = sysfs_read_array(md, &info);

	if (r)
		return r;
	for (int i = 0; !r && i < info.n_members; i++)
		if (info.members[i].slot >= 0 && info.members[i].slot % 2 == 1)
			r = md_remove_member(md, info.members[i].kname);
	sysfs_free_array(&info);
	return r ? r : sysfs_write_attr(md, NULL, "level", "raid0");
}

static void tko_say_failure(const struct tko *t, const char *what, int r, bool committed)
{
	if (!committed)
		pr_err("cannot change %s: %s: %s; nothing changed", t->array, what, strerror(-r));
	else
		pr_err("cannot change %s: %s: %s; the metadata records raid%d: stop and assemble the container to finish it",
		       t->array, what, strerror(-r), t->rq.new_level);
}

static int tko_run(struct tko *t)
{
	const char *what = "cannot start mdmon";
	bool committed = false;
	int r = mdmon_running(t->cont) ? 0 : mdmon_start(t->cont);

	if (!r) {
		what = "cannot freeze";
		r = tko_freeze(t);
	}
	if (!r) {
		what = "mdmon refused the new metadata";
		r = mdmon_disk_request(t->cont, MDMON_REQ_TAKEOVER, (unsigned int)t->rq.vol,
				       (unsigned int)t->rq.new_level);
		committed = !r;
	}
	if (committed) {
		tko_maybe_die("metadata");
		what = "md refused the level change";
		r = tko_mirrored(t) ? tko_md_mirrored(t) : tko_md_raid0(t);
	}
	if (!r) {
		tko_maybe_die("md");
		what = "mdmon did not answer";
		r = mdmon_ping(t->cont);
	}
	if (cont_unfreeze_all(t->vols) < 0 && !r) {
		what = "cannot unfreeze";
		r = -EIO;
	}
	if (r)
		tko_say_failure(t, what, r, committed);
	else if (tko_mirrored(t))
		pr_err("%s: raid%d now; mdmon rebuilds its mirrors (see /proc/mdstat)", t->array,
		       t->rq.new_level);
	return r ? EXIT_FAILED : 0;
}

/* The container's metadata, disks, spares and volumes; one line when
 * they cannot be read. */
static int tko_open(struct tko *t, const char *array, const char *devnm)
{
	int r;

	memset(t, 0, sizeof(*t));
	t->array = array;
	snprintf(t->cont, sizeof(t->cont), "%s", devnm);
	r = tko_load(t);
	if (r) {
		pr_err("cannot change %s: %s", array, strerror(-r));
		tko_close(t);
	}
	return r;
}

int takeover_level(const char *array, const char *devnm, int vol, int new_level, bool force,
		   bool dry_run)
{
	struct tko t;
	int rc;

	if (tko_open(&t, array, devnm) < 0)
		return EXIT_FAILED;
	t.rq = (struct imsm_takeover_request){ .vol = vol, .new_level = new_level,
					       .spares = t.spares, .n_spares = t.n_spares,
					       .force = force };
	tko_platform(&t.rq);
	rc = tko_refuse(&t);
	if (!rc)
		tko_print_plan(&t);
	if (!rc && !dry_run)
		rc = tko_run(&t);
	tko_close(&t);
	return rc;
}

/* ---- a volume's size on each disk (--grow --size, --array-size) ------------------ */

/* array_size pinned to what md shows now: md then waits for our value. */
static int size_pin(const struct md_sysfs *md)
{
	unsigned long long sectors;
	int r = sysfs_read_ull(md, NULL, "../size", &sectors);

	return r ? r : sysfs_write_ull(md, NULL, "array_size", sectors / 2);
}

/* Every member's usable size, then the array's component size. */
static int size_md_members(const struct md_sysfs *md, unsigned long long kib)
{
	struct md_array_info info;
	int r = sysfs_read_array(md, &info);

	if (r)
		return r;
	for (int i = 0; !r && i < info.n_members; i++)
		if (info.members[i].slot >= 0)
			r = sysfs_write_ull(md, info.members[i].kname, "size", kib);
	sysfs_free_array(&info);
	return r ? r : sysfs_write_ull(md, NULL, "component_size", kib);
}

/* raid0 cannot change size: md runs it as raid4, its parity slot
 * missing, meanwhile (md-kernel-interface.md §9.5). */
static int size_md_level(struct tko *t, bool back)
{
	const struct md_sysfs *md = &t->vols[t->rq.vol].md;
	int r;

	if (imsm_map_md_level(&t->cur->dev[t->rq.vol].vol.map[0]) != 0)
		return 0;
	r = sysfs_write_attr(md, NULL, "level", back ? "raid0" : "raid4");
	if (!r && !back)
		r = cont_sync_action(md, "frozen");
	return r;
}

/*
 * md first (larger members, the array held at its size), then the
 * metadata (a redundant volume dirty: the new region has no parity or
 * mirror yet), then the array's new size; md resyncs the region when
 * unfrozen, mdmon records that as a REPAIR migration with checkpoints.
 */
static int size_run(struct tko *t, uint64_t kib)
{
	const struct imsm_map *m = &t->cur->dev[t->rq.vol].vol.map[0];
	const struct md_sysfs *md = &t->vols[t->rq.vol].md;
	int dm = imsm_data_members(imsm_map_md_level(m), m->num_members);
	const char *what = "cannot start mdmon";
	bool committed = false;
	int r = mdmon_running(t->cont) ? 0 : mdmon_start(t->cont);

	if (!r) {
		what = "cannot freeze";
		r = cont_freeze(&t->vols[t->rq.vol]);
	}
	if (!r) {
		what = "md refused the new size";
		r = size_pin(md);
	}
	if (!r)
		r = size_md_level(t, false);
	if (!r)
		r = size_md_members(md, kib);
	if (!r) {
		what = "mdmon refused the new metadata";
		r = mdmon_disk_request(t->cont, MDMON_REQ_RESIZE, (unsigned int)t->rq.vol,
				       (unsigned int)(kib / 1024));
		committed = !r;
	}
	if (committed) {
		tko_maybe_die("metadata");
		what = "md refused the new size";
		r = sysfs_write_ull(md, NULL, "array_size", kib * (uint64_t)dm);
	}
	if (!r)
		r = size_md_level(t, true);
	if (!r)
		tko_maybe_die("md");
	if (cont_unfreeze(&t->vols[t->rq.vol]) < 0 && !r) {
		what = "cannot unfreeze";
		r = -EIO;
	}
	if (r && committed)
		pr_err("cannot grow %s: %s: %s; the metadata records %llu KiB per disk: stop and assemble the container to finish it",
		       t->array, what, strerror(-r), (unsigned long long)kib);
	else if (r)
		pr_err("cannot grow %s: %s: %s; the metadata is unchanged", t->array, what, strerror(-r));
	else
		pr_err("component size of %s has been set to %lluK", t->array, (unsigned long long)kib);
	return r ? EXIT_FAILED : 0;
}

static int size_refuse(struct tko *t, uint64_t want_kib, uint64_t *kib)
{
	int r = imsm_resize_check(t->cur, t->rq.vol, want_kib, kib);

	if (r) {
		pr_err("cannot grow %s: %s", t->array, imsm_resize_error(r));
		return EXIT_FAILED;
	}
	return tko_busy_or_foreign(t);
}

int takeover_size(const char *array, const char *devnm, int vol, uint64_t size_kib)
{
	uint64_t kib = 0;
	struct tko t;
	int rc;

	if (tko_open(&t, array, devnm) < 0)
		return EXIT_FAILED;
	t.rq.vol = vol;
	rc = size_refuse(&t, size_kib, &kib);
	if (!rc && kib * 2 == imsm_map_data_blocks(&t.cur->dev[vol].vol.map[0]))
		pr_err("component size of %s unchanged at %lluK", array, (unsigned long long)kib);
	else if (!rc)
		rc = size_run(&t, kib);
	tko_close(&t);
	return rc;
}

int takeover_array_size(const char *array, const char *devnm, int vol, uint64_t size_kib)
{
	uint64_t max;
	struct tko t;
	int r;

	if (tko_open(&t, array, devnm) < 0)
		return EXIT_FAILED;
	r = vol < t.cur->num_raid_devs && t.vols[vol].found ? 0 : -ENODEV;
	max = r ? 0 : t.cur->dev[vol].size_blocks / 2;
	if (!r && size_kib > max) {
		pr_err("cannot set the array size of %s to %lluK: the metadata gives it %lluK (grow it with --size)",
		       array, (unsigned long long)size_kib, (unsigned long long)max);
		tko_close(&t);
		return EXIT_FAILED;
	}
	if (!r)
		r = sysfs_write_ull(&t.vols[vol].md, NULL, "array_size", size_kib ? size_kib : max);
	if (r)
		pr_err("cannot set the array size of %s: %s", array, strerror(-r));
	tko_close(&t);
	return r ? EXIT_FAILED : 0;
}
