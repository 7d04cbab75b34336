/*
 * test-mdmon-request.c: the checks mdmon puts every socket request
 * through (mdmon-request.c), on metadata Debian's mdadm 4.2 wrote
 * (fixtures imsm-golden-olce-r5-before: one raid5 of 3 disks; -spare: a
 * spare record; 2vol: a raid5 and a raid0).
 *
 *  - each rule refuses its bad case with its own errno, and the good case
 *    of each request type passes;
 *  - a migration start built from metadata older than mdmon's: taken when
 *    only dirty/clean changed (generation and dirty carried over),
 *    refused when a disk failed since, or a volume degraded, or it sits
 *    in another map state; a start from the same or a newer generation
 *    is taken as it is.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "imsm-format.h"
#include "imsm-reshape.h"
#include "mdmon-request.h"
#include "unit.h"

static struct imsm_super *r5, *two, *spare;

/* The three member disks (sizes from the table) and one more. */
static const struct mdmon_req_disk disks[] = {
    {.major = 7, .minor = 0, .blocks = 131072},
    {.major = 7, .minor = 1, .blocks = 131072},
    {.major = 7, .minor = 2, .blocks = 131072},
    {.major = 7, .minor = 3, .blocks = 131072},
};

static struct mdmon_disk_req disk_req(enum mdmon_req_type type, uint32_t major, uint32_t minor)
{
	struct mdmon_disk_req r = {.type = type, .major = major, .minor = minor};

	memcpy(r.magic, MDMON_REQ_MAGIC, sizeof(r.magic));
	return r;
}

static int check(const struct imsm_super *s, enum mdmon_req_type type, uint32_t major,
		 uint32_t minor)
{
	struct mdmon_disk_req r = disk_req(type, major, minor);

	return mdmon_check_disk_req(s, disks, 3, &r);
}

static void test_add_spare(void)
{
	CHECK_INT(check(r5, MDMON_REQ_ADD_SPARE, 7, 3), 0);
	CHECK_INT(check(NULL, MDMON_REQ_ADD_SPARE, 7, 3), 0);	  /* no metadata yet */
	CHECK_INT(check(r5, MDMON_REQ_ADD_SPARE, 7, 1), -EEXIST); /* in the container */
	CHECK_INT(check(r5, MDMON_REQ_ADD_SPARE, 0, 5), -EINVAL);
	CHECK_INT(check(r5, MDMON_REQ_ADD_SPARE, 4096, 0), -EINVAL);
	CHECK_INT(check(r5, MDMON_REQ_ADD_SPARE, 7, 1u << 20), -EINVAL);
}

static void test_remove_disk(void)
{
	CHECK_INT(check(r5, MDMON_REQ_REMOVE_DISK, 7, 2), 0);
	CHECK_INT(check(r5, MDMON_REQ_REMOVE_DISK, 7, 3), -ENODEV);
	CHECK_INT(check(r5, MDMON_REQ_REMOVE_DISK, 0xffffffffu, 0xffffffffu), -ENODEV);
}

static void test_unknown_type(void)
{
	CHECK_INT(check(r5, 0, 0, 0), -EPROTO);
	CHECK_INT(check(r5, 99, 0, 0), -EPROTO);
}

static void test_takeover(void)
{
	CHECK_INT(check(r5, MDMON_REQ_TAKEOVER, 0, 0), 0);
	CHECK_INT(check(r5, MDMON_REQ_TAKEOVER, 0, 10), 0);
	CHECK_INT(check(r5, MDMON_REQ_TAKEOVER, 0, 1), 0);
	CHECK_INT(check(r5, MDMON_REQ_TAKEOVER, 1, 0), -ENOENT); /* one volume */
	CHECK_INT(check(r5, MDMON_REQ_TAKEOVER, 0xffffffffu, 0), -ENOENT);
	CHECK_INT(check(two, MDMON_REQ_TAKEOVER, 1, 0), 0);
	CHECK_INT(check(two, MDMON_REQ_TAKEOVER, 2, 0), -ENOENT);
	CHECK_INT(check(r5, MDMON_REQ_TAKEOVER, 0, 5), -EINVAL);
	CHECK_INT(check(r5, MDMON_REQ_TAKEOVER, 0, 6), -EINVAL);
	CHECK_INT(check(r5, MDMON_REQ_TAKEOVER, 0, 0xffffffffu), -EINVAL);
	CHECK_INT(check(NULL, MDMON_REQ_TAKEOVER, 0, 0), -ENODATA);
}

static void test_resize(void)
{
	uint64_t member_blocks = r5->disk[0].total_blocks;
	uint32_t most_mib = (uint32_t)(member_blocks / 2048);

	CHECK_INT(check(r5, MDMON_REQ_RESIZE, 0, 16), 0);
	CHECK_INT(check(r5, MDMON_REQ_RESIZE, 0, most_mib), 0);
	CHECK_INT(check(r5, MDMON_REQ_RESIZE, 0, most_mib + 1), -EINVAL);
	CHECK_INT(check(r5, MDMON_REQ_RESIZE, 0, 0), -EINVAL);
	CHECK_INT(check(r5, MDMON_REQ_RESIZE, 0, 0xffffffffu), -EINVAL);
	CHECK_INT(check(r5, MDMON_REQ_RESIZE, 3, 16), -ENOENT);
}

/* r5 with an OLCE to 4 members begun, as mdadm sends it. */
static struct imsm_super *olce_started(void)
{
	struct imsm_olce_request rq = {.new_members = 4, .spares = &spare->disk[0], .n_spares = 1};
	struct imsm_super *s = NULL;

	CHECK_INT(imsm_olce_start(r5, &rq, &s), 0);
	return s;
}

static void test_migration_requests(void)
{
	struct imsm_super *m = olce_started();
	const struct imsm_dev *d;
	uint64_t raw;

	if (!m)
		return;
	d = &m->dev[0];
	raw = d->vol.map[0].blocks_per_member * d->vol.map[0].num_members;
	CHECK_INT(check(m, MDMON_REQ_MIGR_CHECKPOINT, 0, 0), 0);
	CHECK_INT(check(m, MDMON_REQ_MIGR_CHECKPOINT, 0, 7), 0);
	CHECK_INT(check(m, MDMON_REQ_MIGR_CHECKPOINT, 0, (uint32_t)raw), 0);
	CHECK_INT(check(m, MDMON_REQ_MIGR_CHECKPOINT, 0, (uint32_t)raw + 1), -EINVAL);
	CHECK_INT(check(m, MDMON_REQ_MIGR_CHECKPOINT, 0, 0xffffffffu), -EINVAL);
	CHECK_INT(check(m, MDMON_REQ_MIGR_CHECKPOINT, 1, 0), -ENOENT);
	CHECK_INT(check(m, MDMON_REQ_MIGR_END, 0, 0), 0);
	CHECK_INT(check(m, MDMON_REQ_MIGR_END, 2, 0), -ENOENT);
	/* nothing migrates in r5: no checkpoint, no end */
	CHECK_INT(check(r5, MDMON_REQ_MIGR_CHECKPOINT, 0, 1), -EBUSY);
	CHECK_INT(check(r5, MDMON_REQ_MIGR_END, 0, 0), -EBUSY);
	/* a migrating volume takes no takeover or resize */
	CHECK_INT(check(m, MDMON_REQ_TAKEOVER, 0, 0), -EBUSY);
	CHECK_INT(check(m, MDMON_REQ_RESIZE, 0, 16), -EBUSY);
	CHECK_INT(check(m, MDMON_REQ_OLCE_ROLLBACK, 0, 0), 0);
	CHECK_INT(check(NULL, MDMON_REQ_OLCE_ROLLBACK, 0, 0), -ENODATA);
	imsm_free(m);
}

static int check_vol(const struct imsm_super *s, enum mdmon_vol_type type, uint32_t index,
		     const char *name, size_t name_len)
{
	struct mdmon_vol_req r = {.type = type, .index = index};

	memcpy(r.magic, MDMON_VOL_MAGIC, sizeof(r.magic));
	memcpy(r.name, name, name_len);
	return mdmon_check_vol_req(s, &r);
}

static void test_volume_requests(void)
{
	CHECK_INT(check_vol(two, MDMON_VOL_KILL, 1, "", 0), 0);
	CHECK_INT(check_vol(two, MDMON_VOL_KILL, 2, "", 0), -ENOENT);
	CHECK_INT(check_vol(r5, MDMON_VOL_KILL, 1, "", 0), -ENOENT);
	CHECK_INT(check_vol(r5, MDMON_VOL_KILL, 0xffffffffu, "", 0), -ENOENT);
	CHECK_INT(check_vol(NULL, MDMON_VOL_KILL, 0, "", 0), -ENODATA);
	CHECK_INT(check_vol(r5, 3, 0, "", 0), -EPROTO);
	CHECK_INT(check_vol(r5, MDMON_VOL_RENAME, 0, "data", 4), 0);
	CHECK_INT(check_vol(r5, MDMON_VOL_RENAME, 0, "0123456789abcdef", 16), 0); /* 16: full */
	CHECK_INT(check_vol(r5, MDMON_VOL_RENAME, 0, "", 0), -EBADR);
	CHECK_INT(check_vol(r5, MDMON_VOL_RENAME, 0, "a\nb", 3), -EBADR);
	CHECK_INT(check_vol(r5, MDMON_VOL_RENAME, 0, "a\0b", 3), -EBADR); /* not NUL padded */
	CHECK_INT(check_vol(r5, MDMON_VOL_RENAME, 0, "\xff", 1), -EBADR);
	CHECK_INT(check_vol(r5, MDMON_VOL_RENAME, 1, "data", 4), -ENOENT);
}

/* ---- a migration start built from an older view ------------------------------- */

static void test_view_same_generation(void)
{
	struct imsm_super *m = olce_started();

	if (!m)
		return;
	CHECK_INT(mdmon_check_view(r5, m), 0);
	m->generation_num = r5->generation_num + 5; /* newer: as it is */
	m->dev[0].vol.dirty = 0;
	CHECK_INT(mdmon_check_view(r5, m), 0);
	mdmon_merge_view(r5, m);
	CHECK_INT(m->generation_num, r5->generation_num + 5);
	imsm_free(m);
}

/* mdmon wrote twice since mdadm read: the volume went dirty, the
 * start is still built on the same disks and maps. */
static void test_view_older_dirty_only(void)
{
	struct imsm_super *m = olce_started(), *cur = NULL;

	if (!m || imsm_super_dup(r5, &cur))
		goto out;
	cur->generation_num = m->generation_num + 2;
	cur->dev[0].vol.dirty = 1;
	m->dev[0].vol.dirty = 0;
	CHECK_INT(mdmon_check_view(cur, m), 0);
	mdmon_merge_view(cur, m);
	CHECK_INT(m->generation_num, cur->generation_num);
	CHECK_INT(m->dev[0].vol.dirty, 1);
out:
	imsm_free(cur);
	imsm_free(m);
}

/* mdmon recorded a failure after mdadm read: refused, whatever else. */
static void test_view_older_disk_failed(void)
{
	struct imsm_super *m = olce_started(), *cur = NULL;

	if (!m || imsm_super_dup(r5, &cur))
		goto out;
	cur->generation_num = m->generation_num + 1;
	cur->disk[1].status |= IMSM_DISK_FAILED;
	CHECK_INT(mdmon_check_view(cur, m), -ESTALE);
	/* the same update from a view as new as ours is mdadm's word */
	cur->generation_num = m->generation_num;
	CHECK_INT(mdmon_check_view(cur, m), 0);
out:
	imsm_free(cur);
	imsm_free(m);
}

static void test_view_older_map_changed(void)
{
	struct imsm_super *m = olce_started(), *cur = NULL;

	if (!m || imsm_super_dup(r5, &cur))
		goto out;
	cur->generation_num = m->generation_num + 1;
	cur->dev[0].vol.map[0].map_state = IMSM_MAP_DEGRADED;
	CHECK_INT(mdmon_check_view(cur, m), -ESTALE);
	cur->dev[0].vol.map[0].map_state = r5->dev[0].vol.map[0].map_state;
	cur->dev[0].vol.map[0].failed_disk_num = 2;
	CHECK_INT(mdmon_check_view(cur, m), -ESTALE);
	cur->dev[0].vol.map[0].failed_disk_num = r5->dev[0].vol.map[0].failed_disk_num;
	cur->dev[0].vol.map[0].disk_ord_tbl[1] |= IMSM_ORD_REBUILD;
	CHECK_INT(mdmon_check_view(cur, m), -ESTALE);
	cur->dev[0].vol.map[0].disk_ord_tbl[1] = r5->dev[0].vol.map[0].disk_ord_tbl[1];
	CHECK_INT(mdmon_check_view(cur, m), 0); /* all put back */
	cur->num_raid_devs = 0;
	CHECK_INT(mdmon_check_view(cur, m), -ESTALE); /* a volume went away */
out:
	imsm_free(cur);
	imsm_free(m);
}

/* generation numbers wrap: 1 is newer than 0xffffffff */
static void test_view_generation_wraps(void)
{
	struct imsm_super *m = olce_started(), *cur = NULL;

	if (!m || imsm_super_dup(r5, &cur))
		goto out;
	cur->disk[1].status |= IMSM_DISK_FAILED;
	m->generation_num = 0xffffffffu;
	cur->generation_num = 1;
	CHECK_INT(mdmon_check_view(cur, m), -ESTALE);
	m->generation_num = 1;
	cur->generation_num = 0xffffffffu;
	CHECK_INT(mdmon_check_view(cur, m), 0);
out:
	imsm_free(cur);
	imsm_free(m);
}

int main(void)
{
	fixture_init();
	r5 = golden_load_mpb("olce-r5-before");
	two = golden_load_mpb("2vol");
	spare = golden_load_mpb("olce-r5-spare");
	if (!r5 || !two || !spare) {
		printf("not ok 1 - fixtures\n0 passed, 1 failed\n");
		return 1;
	}
	RUN(test_add_spare);
	RUN(test_remove_disk);
	RUN(test_unknown_type);
	RUN(test_takeover);
	RUN(test_resize);
	RUN(test_migration_requests);
	RUN(test_volume_requests);
	RUN(test_view_same_generation);
	RUN(test_view_older_dirty_only);
	RUN(test_view_older_disk_failed);
	RUN(test_view_older_map_changed);
	RUN(test_view_generation_wraps);
	imsm_free(r5);
	imsm_free(two);
	imsm_free(spare);
	return UNIT_DONE();
}
