/*
 * Grow.c: --grow, changing the shape of a live array.
 *
 * Owns the dispatch of a reshape: grow_plan() turns the request and the
 * array's current geometry into a plan, grow_check() refuses what is
 * unsafe or unsupported before anything changes, then the engine in
 * olce.c runs it: for an IMSM container --raid-devices (Online Capacity
 * Expansion), for an IMSM volume --level or --chunk (a restripe, with
 * --dry-run printing its plan only), and --continue for either; takeover.c
 * the level changes that move no data (to and from raid1 and raid10).
 * Never parses argv.
 */
#include "mdadm.h"
#include "olce.h"
#include "takeover.h"

#include <errno.h>
#include <string.h>

#define SYSROOT "/sys"

/* What the user asked for, next to what the array is now. */
struct grow_plan {
	char devnm[32];
	char level[16];
	bool container;
	int old_disks, new_disks;          /* new_disks UNSET: unchanged */
	unsigned long long old_chunk_kib;
	long long new_chunk_kib;           /* UNSET: unchanged */
	int new_level;                     /* UNSET: unchanged */
	long long new_size_kib;            /* UNSET: unchanged, 0: max */
	char cont[32];                     /* an IMSM volume's container ("" if none) */
	int vol;                           /* and its index there */
};

/* "external:/CONT/N" (or frozen, "external:-CONT/N"): an IMSM volume. */
static void grow_volume_of(const char *meta, struct grow_plan *p)
{
	char cont[32];
	int vol, end = 0;

	p->cont[0] = '\0';
	if (strncmp(meta, "external:", 9) != 0 || (meta[9] != '/' && meta[9] != '-'))
		return;
	if (sscanf(meta + 10, "%31[^/]/%d%n", cont, &vol, &end) == 2 && meta[10 + end] == '\0' &&
	    vol >= 0) {
		snprintf(p->cont, sizeof(p->cont), "%s", cont);
		p->vol = vol;
	}
}

static int grow_plan(const struct request *req, struct grow_plan *ret)
{
	struct md_array_info info;
	struct md_sysfs md;
	int r;

	r = util_md_devnm(SYSROOT, req->array, ret->devnm, sizeof(ret->devnm));
	if (r < 0)
		return r;
	sysfs_init(&md, SYSROOT, ret->devnm);
	r = sysfs_read_array(&md, &info);
	if (r < 0)
		return r;
	snprintf(ret->level, sizeof(ret->level), "%s", info.level);
	ret->container = strncmp(info.metadata, "external:", 9) == 0 &&
			 info.metadata[9] != '/' && info.metadata[9] != '-';
	ret->old_disks = ret->container ? info.n_members : info.raid_disks;
	ret->old_chunk_kib = info.chunk_bytes / 1024;
	ret->new_disks = req->raid_devices;
	ret->new_chunk_kib = req->chunk_kib;
	ret->new_level = req->level;
	ret->new_size_kib = req->size_kib;
	grow_volume_of(info.metadata, ret);
	sysfs_free_array(&info);
	return 0;
}

/* Refusals that need no knowledge of the metadata format.  Returns 0 or
 * an exit code after reporting. */
static int grow_check(const struct request *req, const struct grow_plan *p)
{
	if (req->n_devs > 0) {
		pr_err("--grow --add does not apply to IMSM; hint: mdadm --add CONTAINER DEV, then mdadm --grow CONTAINER --raid-devices=N");
		return EXIT_FAILED;
	}
	if (req->dry_run && (p->cont[0] == '\0' || p->new_size_kib != UNSET ||
			     p->new_disks != UNSET || req->do_continue))
		return mode_not_implemented("--grow --dry-run except for --level or --chunk");
	if (p->new_disks == UNSET && p->new_chunk_kib == UNSET && p->new_level == UNSET &&
	    p->new_size_kib == UNSET && req->array_size_kib == UNSET && !req->do_continue) {
		pr_err("no change requested for %s: give --raid-devices, --level, --chunk, --size or --array-size",
		       req->array);
		return EXIT_USAGE;
	}
	if (p->new_chunk_kib != UNSET && (p->new_chunk_kib & (p->new_chunk_kib - 1))) {
		pr_err("invalid chunk size %lldK: must be a power of two", p->new_chunk_kib);
		return EXIT_USAGE;
	}
	return 0;
}

/* A level change that moves no data (takeover.c): to or from a mirrored
 * level, and any other pair but raid0 <-> raid5 (which restripes), for
 * the takeover checks to refuse in IMSM's words. */
static bool grow_is_takeover(const struct grow_plan *p)
{
	bool mirrored = strcmp(p->level, "raid1") == 0 || strcmp(p->level, "raid10") == 0;

	if (p->new_level == UNSET)
		return false;
	if (p->new_level == 0)
		return mirrored;
	return p->new_level != 5 || mirrored;
}

/* --level or --chunk of an IMSM volume: one at a time, nothing else with
 * them; raid5's one layout (left-asymmetric) may be named. */
static int grow_restripe(const struct request *req, const struct grow_plan *p)
{
	if (p->new_disks != UNSET || p->new_size_kib != UNSET) {
		pr_err("cannot change %s: give --level or --chunk alone (--raid-devices applies to the container)",
		       req->array);
		return EXIT_FAILED;
	}
	if (req->layout && strcmp(req->layout, "left-asymmetric") != 0 &&
	    strcmp(req->layout, "la") != 0) {
		pr_err("cannot change %s: IMSM raid5 has one layout, left-asymmetric", req->array);
		return EXIT_FAILED;
	}
	if (grow_is_takeover(p))
		return takeover_level(req->array, p->cont, p->vol, p->new_level, req->force,
				      req->dry_run);
	return olce_restripe(req->array, p->cont, p->vol, p->new_level == UNSET ? -1 : p->new_level,
			     p->new_chunk_kib == UNSET ? 0u : (unsigned int)p->new_chunk_kib,
			     req->dry_run);
}

int mode_grow(const struct request *req)
{
	struct grow_plan plan;
	int r;

	r = grow_plan(req, &plan);
	if (r < 0) {
		pr_err("cannot grow %s: %s", req->array,
		       r == -ENODEV ? "not an md device" : strerror(-r));
		return EXIT_FAILED;
	}
	r = grow_check(req, &plan);
	if (r)
		return r;
	if (plan.container && req->do_continue)
		return olce_grow(req->array, plan.devnm, UNSET, true);
	if (plan.cont[0] && req->do_continue)
		return olce_grow(req->array, plan.cont, UNSET, true);
	if (plan.cont[0] && (plan.new_level != UNSET || plan.new_chunk_kib != UNSET))
		return grow_restripe(req, &plan);
	if (plan.cont[0] && plan.new_size_kib != UNSET && plan.new_disks == UNSET &&
	    plan.new_chunk_kib == UNSET && plan.new_level == UNSET && req->array_size_kib == UNSET)
		return takeover_size(req->array, plan.cont, plan.vol, (uint64_t)plan.new_size_kib);
	if (plan.cont[0] && req->array_size_kib != UNSET && plan.new_size_kib == UNSET &&
	    plan.new_disks == UNSET && plan.new_chunk_kib == UNSET && plan.new_level == UNSET)
		return takeover_array_size(req->array, plan.cont, plan.vol,
					   (uint64_t)req->array_size_kib);
	if (req->array_size_kib != UNSET)
		return mode_not_implemented("--grow --array-size with other changes or on this array");
	if (plan.container && plan.new_disks != UNSET && plan.new_chunk_kib == UNSET &&
	    plan.new_level == UNSET && plan.new_size_kib == UNSET)
		return olce_grow(req->array, plan.devnm, plan.new_disks, false);
	return mode_not_implemented("--grow");
}
