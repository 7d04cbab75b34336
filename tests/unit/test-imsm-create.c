/*
 * test-imsm-create.c: the metadata-handler table as the modes use it, on
 * IMSM (super-intel.c, imsm-create.c), without a VM.
 *
 *  - the registry finds the handler by -e name and by md's
 *    metadata_version, and every hook is set;
 *  - create_volume() of a normal and of a degraded first volume
 *    (imsm-format.md §5.5): placeholder records "missing:K" first in the
 *    table (status 0x06, scsi_id 0xffffffff, size of the largest present
 *    member), ord entries flagged out of sync, map state degraded, no
 *    initialisation, failed_disk_num 0xff; md's view runs the present
 *    member only, with no resync;
 *  - the refusals of `missing`: raid0, every slot, two raid5 slots, both
 *    disks of a raid10 pair; a second volume may leave empty only the
 *    first volume's empty slots;
 *  - the newest-copy rule (supersedes), pick_members, and write() +
 *    load_disk()/load_disks() over disk images in temporary files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsm.h"
#include "mdadm.h"
#include "unit.h"

#define DISK_SECTORS (64 * 2048) /* 64 MiB */

static void fake_disk(struct md_disk *d, int i, uint64_t sectors)
{
	memset(d, 0, sizeof(*d));
	d->path = "/dev/fake";
	d->fd = -1;
	d->major = 7;
	d->minor = (unsigned int)i;
	d->sectors = sectors;
	d->sector_bytes = 512;
	snprintf(d->kname, sizeof(d->kname), "loop%d", i);
	snprintf(d->id, IMSM_SERIAL_BYTES, "/dev/loop%d", i);
}

static struct md_volume_request vol_req(const char *name, int level, int n)
{
	return (struct md_volume_request){
		.name = name, .level = level, .raid_disks = n, .size_kib = 16 * 1024,
	};
}

/* create_volume() over members (NULL: missing); *ret NULL on failure. */
static int create(const struct super *cur, const struct md_disk *const members[], int n,
		  int level, const char *name, struct super **ret)
{
	struct md_volume_request req = vol_req(name, level, n);

	*ret = NULL;
	return imsm_ops.create_volume(cur, members, n, &req, ret);
}

static const struct imsm_map *map0(const struct super *st, int v)
{
	return &imsm_mpb_of(st)->dev[v].vol.map[0];
}

static void test_registry(void)
{
	CHECK(metadata_find("imsm") == &imsm_ops);
	CHECK(metadata_find("external:imsm") == &imsm_ops);
	CHECK(metadata_find("ddf") == NULL);
	CHECK(metadata_find("1.2") == NULL);
	CHECK(metadata_handler(0) == &imsm_ops);
	CHECK(metadata_handler(1) == NULL);
	CHECK_STR(metadata_names(), "imsm");
	CHECK_STR(metadata_titles(), "IMSM");
	/* every hook is set */
	CHECK(imsm_ops.identify != NULL);
	CHECK(imsm_ops.load_disk != NULL);
	CHECK(imsm_ops.load_disks != NULL);
	CHECK(imsm_ops.load_container != NULL);
	CHECK(imsm_ops.free != NULL);
	CHECK(imsm_ops.load_error != NULL);
	CHECK(imsm_ops.num_volumes != NULL);
	CHECK(imsm_ops.same_container != NULL);
	CHECK(imsm_ops.supersedes != NULL);
	CHECK(imsm_ops.member_index != NULL);
	CHECK(imsm_ops.uuid != NULL);
	CHECK(imsm_ops.examine_load != NULL);
	CHECK(imsm_ops.examine_same_group != NULL);
	CHECK(imsm_ops.examine_text != NULL);
	CHECK(imsm_ops.examine_brief != NULL);
	CHECK(imsm_ops.examine_export != NULL);
	CHECK(imsm_ops.container_member != NULL);
	CHECK(imsm_ops.volume_md_cfg != NULL);
	CHECK(imsm_ops.check_geometry != NULL);
	CHECK(imsm_ops.init_container != NULL);
	CHECK(imsm_ops.add_disk != NULL);
	CHECK(imsm_ops.pick_members != NULL);
	CHECK(imsm_ops.create_volume != NULL);
	CHECK(imsm_ops.create_error != NULL);
	CHECK(imsm_ops.write != NULL);
	CHECK(imsm_ops.encode_update != NULL);
	CHECK(imsm_ops.decode_update != NULL);
	CHECK(imsm_ops.check_update != NULL);
	CHECK(imsm_ops.apply_update != NULL);
	CHECK(imsm_ops.volume_flags != NULL);
	CHECK(imsm_ops.set_dirty != NULL);
	CHECK(imsm_ops.mark_failed != NULL);
	CHECK(imsm_ops.start_resync != NULL);
	CHECK(imsm_ops.set_checkpoint != NULL);
	CHECK(imsm_ops.end_resync != NULL);
	CHECK(imsm_ops.resync_checkpoint != NULL);
}

static void test_normal_raid1(void)
{
	struct md_disk d[2];
	const struct md_disk *m[2] = { &d[0], &d[1] };
	struct super *st;

	fake_disk(&d[0], 0, DISK_SECTORS);
	fake_disk(&d[1], 1, DISK_SECTORS);
	CHECK_INT(create(NULL, m, 2, 1, "r1", &st), 0);
	if (!st)
		return;
	CHECK_INT(imsm_mpb_of(st)->num_disks, 2);
	CHECK_INT(map0(st, 0)->disk_ord_tbl[0], 0);
	CHECK_INT(map0(st, 0)->disk_ord_tbl[1], 1);
	CHECK_INT(map0(st, 0)->map_state, IMSM_MAP_UNINITIALIZED);
	CHECK_INT(imsm_mpb_of(st)->dev[0].vol.dirty, 1);
	CHECK_INT(imsm_ops.volume_flags(st, 0), MD_VOL_DIRTY | MD_VOL_UNINIT);
	imsm_ops.free(st);
}

/* Encode and decode again: the validator takes what we build. */
static void check_round_trip(const struct super *st)
{
	const struct imsm_super *s = imsm_mpb_of(st);
	size_t len = imsm_mpb_bytes(s), used = 0;
	unsigned char *buf = calloc(1, len);
	struct imsm_super *back = NULL;

	CHECK(buf != NULL);
	if (!buf)
		return;
	CHECK_INT(imsm_encode(s, buf, len, &used), 0);
	CHECK_INT(imsm_decode(buf, used, &back), 0);
	if (back)
		CHECK_INT(back->num_disks, s->num_disks);
	imsm_free(back);
	free(buf);
}

static void test_degraded_raid1(void)
{
	struct md_disk d0;
	const struct md_disk *m[2] = { &d0, NULL };
	const struct imsm_super *s;
	struct md_volume_cfg cfg;
	struct super *st;

	fake_disk(&d0, 0, DISK_SECTORS);
	CHECK_INT(create(NULL, m, 2, 1, "vol", &st), 0);
	if (!st)
		return;
	s = imsm_mpb_of(st);
	CHECK_INT(s->num_disks, 2);
	CHECK_STR(s->disk[0].serial, "missing:0");
	CHECK_INT(s->disk[0].status, IMSM_DISK_CONFIGURED | IMSM_DISK_FAILED);
	CHECK_INT(s->disk[0].scsi_id, 0xffffffffu);
	CHECK_INT(s->disk[0].total_blocks, DISK_SECTORS);
	CHECK(memcmp(s->disk[1].serial, d0.id, IMSM_SERIAL_BYTES) == 0);
	CHECK_INT(s->disk[1].status, IMSM_DISK_CONFIGURED);
	CHECK_INT(map0(st, 0)->disk_ord_tbl[0], 1);
	CHECK_INT(map0(st, 0)->disk_ord_tbl[1], 0 | IMSM_ORD_REBUILD);
	CHECK_INT(map0(st, 0)->map_state, IMSM_MAP_DEGRADED);
	CHECK_INT(map0(st, 0)->failed_disk_num, IMSM_FAILED_DISK_NONE);
	CHECK_INT(s->dev[0].vol.dirty, 0);
	CHECK_INT(imsm_ops.volume_flags(st, 0), MD_VOL_DEGRADED);
	check_round_trip(st);
	CHECK_INT(imsm_ops.volume_md_cfg(st, 0, &d0, 1, &cfg), 0);
	CHECK_INT(cfg.raid_disks, 2);
	CHECK_INT(cfg.n_members, 1);
	CHECK_INT(cfg.members[0].slot, 0);
	CHECK(cfg.resync_start == SYSFS_NONE);
	/* nothing for mdmon to start: md does not resync a degraded mirror */
	CHECK(!imsm_ops.start_resync(st, 0));
	imsm_ops.free(st);
}

/* §5.5's example: raid5 [D0, D1, missing] -> missing:0 first, ord [1, 2, 0|flag]. */
static void test_degraded_raid5_order(void)
{
	struct md_disk d[2];
	const struct md_disk *m[3] = { &d[0], &d[1], NULL };
	struct super *st;

	fake_disk(&d[0], 0, DISK_SECTORS);
	fake_disk(&d[1], 1, DISK_SECTORS + 4096);
	CHECK_INT(create(NULL, m, 3, 5, "r5", &st), 0);
	if (!st)
		return;
	CHECK_INT(map0(st, 0)->disk_ord_tbl[0], 1);
	CHECK_INT(map0(st, 0)->disk_ord_tbl[1], 2);
	CHECK_INT(map0(st, 0)->disk_ord_tbl[2], IMSM_ORD_REBUILD);
	CHECK_INT(imsm_mpb_of(st)->disk[0].total_blocks, DISK_SECTORS + 4096); /* the largest */
	check_round_trip(st);
	imsm_ops.free(st);
}

static void test_missing_refusals(void)
{
	struct md_disk d[4];
	const struct md_disk *none[2] = { NULL, NULL };
	const struct md_disk *r0[2] = { &d[0], NULL };
	const struct md_disk *r5[3] = { &d[0], NULL, NULL };
	const struct md_disk *pair[4] = { NULL, NULL, &d[2], &d[3] };
	const struct md_disk *halves[4] = { NULL, &d[1], NULL, &d[3] };
	struct super *st;

	for (int i = 0; i < 4; i++)
		fake_disk(&d[i], i, DISK_SECTORS);
	CHECK_INT(create(NULL, r0, 2, 0, "v", &st), -ENOMEDIUM);
	CHECK_INT(create(NULL, none, 2, 1, "v", &st), -ENODEV);
	CHECK_INT(create(NULL, r5, 3, 5, "v", &st), -ENODEV);
	CHECK_INT(create(NULL, pair, 4, 10, "v", &st), -ENODEV);
	CHECK(st == NULL);
	CHECK_INT(create(NULL, halves, 4, 10, "v", &st), 0);
	if (st) {
		CHECK_INT(imsm_mpb_of(st)->num_disks, 4);
		CHECK_STR(imsm_mpb_of(st)->disk[1].serial, "missing:1");
		CHECK_INT(map0(st, 0)->disk_ord_tbl[2], 1 | IMSM_ORD_REBUILD);
		imsm_ops.free(st);
	}
	CHECK(strstr(imsm_ops.create_error(-ENOMEDIUM), "raid0") != NULL);
	CHECK(strstr(imsm_ops.create_error(-ENODEV), "missing") != NULL);
}

/* A second volume follows the first one's slots, `missing` included. */
static void test_second_volume_of_degraded(void)
{
	struct md_disk d0;
	const struct md_disk *m[2] = { &d0, NULL }, *swapped[2] = { NULL, &d0 };
	struct super *first, *second;

	fake_disk(&d0, 0, DISK_SECTORS);
	CHECK_INT(create(NULL, m, 2, 1, "a", &first), 0);
	if (!first)
		return;
	CHECK_INT(create(first, swapped, 2, 1, "b", &second), -EXDEV);
	CHECK_INT(create(first, m, 2, 1, "b", &second), 0);
	if (second) {
		CHECK_INT(imsm_mpb_of(second)->num_disks, 2);
		CHECK_INT(map0(second, 1)->disk_ord_tbl[0], 1);
		CHECK_INT(map0(second, 1)->disk_ord_tbl[1], IMSM_ORD_REBUILD);
		CHECK_INT(map0(second, 1)->map_state, IMSM_MAP_DEGRADED);
		CHECK(map0(second, 1)->pba_of_lba0 > 0);
		check_round_trip(second);
		imsm_ops.free(second);
	}
	imsm_ops.free(first);
}

static void test_pick_members(void)
{
	struct md_disk d[3];
	const struct md_disk *m[2] = { &d[2], &d[0] };
	struct super *st;
	int idx[3] = { -1, -1, -1 };

	for (int i = 0; i < 3; i++)
		fake_disk(&d[i], i, DISK_SECTORS);
	CHECK_INT(imsm_ops.pick_members(NULL, d, 3, 2, idx), 3);
	CHECK_INT(idx[0], 0);
	CHECK_INT(idx[1], 1);
	CHECK_INT(create(NULL, m, 2, 0, "a", &st), 0);
	if (!st)
		return;
	CHECK_INT(imsm_ops.pick_members(st, d, 3, 2, idx), 2);
	CHECK_INT(idx[0], 2);
	CHECK_INT(idx[1], 0);
	CHECK_INT(imsm_ops.pick_members(st, d, 3, 3, idx), 2);
	CHECK_INT(imsm_ops.pick_members(st, d, 2, 2, idx), -ENXIO);
	imsm_ops.free(st);
}

/* A handle over a copy of st's MPB with generation and family changed. */
static struct super *variant(const struct super *st, int gen_delta, uint32_t family)
{
	struct imsm_super *s = NULL;
	struct super *ret = NULL;

	if (imsm_super_dup(imsm_mpb_of(st), &s) || imsm_handle_new(s, &ret))
		return NULL;
	s->generation_num += (uint32_t)gen_delta;
	if (family)
		s->orig_family_num = family;
	return ret;
}

static void test_supersedes(void)
{
	struct md_disk d0;
	const struct md_disk *m[1] = { &d0 };
	struct super *a, *newer, *other, *spare;
	struct imsm_disk_dev dev;
	struct imsm_super *rec;

	fake_disk(&d0, 0, DISK_SECTORS);
	CHECK_INT(create(NULL, m, 1, 0, "a", &a), 0);
	imsm_disk_from_md(&d0, &dev);
	CHECK_INT(imsm_spare_record(&dev, &rec), 0);
	CHECK_INT(imsm_handle_new(rec, &spare), 0);
	newer = a ? variant(a, 1, 0) : NULL;
	other = a ? variant(a, 5, 0x1234) : NULL;
	CHECK(a && newer && other);
	if (!a || !newer || !other)
		return;
	CHECK(imsm_ops.supersedes(a, NULL));
	CHECK(imsm_ops.supersedes(newer, a));
	CHECK(!imsm_ops.supersedes(a, newer));
	CHECK(!imsm_ops.supersedes(a, a));
	CHECK(!imsm_ops.supersedes(other, a)); /* another container */
	CHECK(!imsm_ops.supersedes(spare, NULL));
	CHECK(imsm_ops.same_container(a, newer));
	CHECK(!imsm_ops.same_container(a, spare));
	CHECK_INT(imsm_ops.num_volumes(spare), 0);
	CHECK_INT(imsm_ops.member_index(a, &d0), 0);
	imsm_ops.free(a);
	imsm_ops.free(newer);
	imsm_ops.free(other);
	imsm_ops.free(spare);
}

/* An 8 MiB image in a temporary file stands for a disk. */
static int image_disk(struct md_disk *d, int i)
{
	char path[] = "/tmp/test-imsm-create.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (ftruncate(fd, 8 << 20) < 0) {
		close(fd);
		return -1;
	}
	fake_disk(d, i, (8 << 20) / 512);
	d->fd = fd;
	return 0;
}

static void test_write_and_load(void)
{
	struct md_disk d[2];
	const struct md_disk *m[2] = { &d[0], NULL };
	struct md_volume_request req = vol_req("img", 1, 2);
	struct super *st = NULL, *back = NULL;
	uint32_t gen;
	int bad = -1;

	if (image_disk(&d[0], 0) || image_disk(&d[1], 1)) {
		CHECK(!"temporary disk images");
		return;
	}
	req.size_kib = 2048;
	CHECK_INT(imsm_ops.create_volume(NULL, m, 2, &req, &st), 0);
	if (st) {
		gen = imsm_mpb_of(st)->generation_num;
		CHECK_INT(imsm_ops.write(st, d, 2, &bad), 0);
		CHECK_INT(imsm_ops.load_disk(&d[1], &back), -ENODATA); /* not in the table */
		CHECK_INT(imsm_ops.load_disk(&d[0], &back), 0);
		if (back) {
			CHECK_INT(imsm_mpb_of(back)->generation_num, gen + 1);
			CHECK_STR(imsm_mpb_of(back)->disk[0].serial, "missing:0");
			imsm_ops.free(back);
		}
		CHECK_INT(imsm_ops.load_disks(d, 2, &back), 0);
		if (back)
			imsm_ops.free(back);
		imsm_ops.free(st);
	}
	close(d[0].fd);
	close(d[1].fd);
}

int main(void)
{
	RUN(test_registry);
	RUN(test_normal_raid1);
	RUN(test_degraded_raid1);
	RUN(test_degraded_raid5_order);
	RUN(test_missing_refusals);
	RUN(test_second_volume_of_degraded);
	RUN(test_pick_members);
	RUN(test_supersedes);
	RUN(test_write_and_load);
	return UNIT_DONE();
}
