/*
 * test-imsm-resume.c: assembling a volume whose general migration (OLCE)
 * was interrupted (imsm-resume.c, and md's view of it in super-intel.c).
 *
 *  - the decision (imsm_resume_plan) on the metadata and migration record
 *    Debian's mdadm 4.2 left mid-way through a raid5 3 -> 4 OLCE
 *    (fixtures/imsm-golden-olce-r5-mid/-migr), varied: the record as it
 *    was, its unit in the copy area (status 1; the last unit too), another
 *    migration's record with the checkpoint at 0, at the end and between,
 *    the main checkpoint ahead of the record, inconsistent records, maps
 *    apart;
 *  - the writes it asks for (copies per present member, the record on the
 *    slot-0/1 members), with disks missing;
 *  - imsm_ops.volume_md_cfg over fake disks in temp files (the record in
 *    their last sector): md's old and new geometry, reshape position,
 *    sync_max, size, slots; nothing moved (old volume), all moved (new
 *    volume), a refusal; and the raid0 volume of the 2 -> 3 capture run
 *    as raid4 with the parity slot missing; raid5 -> raid0 without the
 *    old parity disk counted absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "golden.h"
#include "imsm-format.h"
#include "imsm-reshape.h"
#include "imsm-restripe.h"
#include "imsm-resume.h"
#include "imsm.h"
#include "mdadm.h"
#include "unit.h"

#define SECTOR 512

/* ---- fixtures --------------------------------------------------------------------- */

/* The peer's raid5 3 -> 4, mid-way: record and main checkpoint at unit 3. */
static bool load_r5(struct imsm_super **s, struct imsm_migr_rec *rec)
{
	*s = golden_load_mpb("olce-r5-mid");
	if (!*s || golden_load_migr("olce-r5-migr", rec)) {
		imsm_free(*s);
		*s = NULL;
		return false;
	}
	return true;
}

/* ---- the decision --------------------------------------------------------------- */

static void test_plan_record_as_is(void)
{
	struct imsm_migr_rec rec;
	struct imsm_resume p;
	struct imsm_super *s;

	if (!load_r5(&s, &rec))
		return;
	CHECK_INT(rec.curr_migr_unit, 3);
	CHECK_INT(s->dev[0].vol.curr_migr_unit, 3);
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), 0);
	CHECK(!p.restore);
	CHECK(!p.write_rec);
	CHECK_INT(p.pos_blocks, 3 * 6144);
	CHECK_INT(p.geom.old_data, 2);
	CHECK_INT(p.geom.new_data, 3);
	CHECK_INT(p.geom.array_blocks, 98304);
	CHECK(memcmp(&p.rec, &rec, sizeof(rec)) == 0);
	/* the main checkpoint may lag the record */
	s->dev[0].vol.curr_migr_unit = 2;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), 0);
	CHECK_INT(p.pos_blocks, 3 * 6144);
	imsm_free(s);
}

static void test_plan_restore(void)
{
	struct imsm_migr_rec rec;
	struct imsm_resume p;
	struct imsm_super *s;

	if (!load_r5(&s, &rec))
		return;
	imsm_migr_rec_set_checkpoint(&rec, 6144, IMSM_UNIT_SRC_IN_CP_AREA);
	s->dev[0].vol.curr_migr_unit = 1;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), 0);
	CHECK(p.restore);
	CHECK(p.write_rec);
	CHECK_INT(p.unit.array_start, 6144);
	CHECK_INT(p.unit.dest_member_start, 2048);
	CHECK_INT(p.unit.dest_member_blocks, 2048);
	CHECK_INT(p.rec.rec_status, IMSM_UNIT_SRC_NORMAL);
	CHECK_INT(p.rec.curr_migr_unit, 2);
	CHECK_INT(p.rec.dest_1st_member_lba, 4096);
	CHECK_INT(p.pos_blocks, 2 * 6144);
	/* the same position the record promised before the restore */
	CHECK_INT(p.pos_blocks, imsm_reshape_resume_pos(&rec, &p.geom));

	/* the last unit: md resumes at the end */
	imsm_migr_rec_set_checkpoint(&rec, 15 * 6144, IMSM_UNIT_SRC_IN_CP_AREA);
	s->dev[0].vol.curr_migr_unit = 15;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), 0);
	CHECK(p.restore);
	CHECK_INT(p.unit.dest_member_start, 15 * 2048);
	CHECK_INT(p.unit.dest_member_blocks, 2048);
	CHECK_INT(p.rec.curr_migr_unit, 16);
	CHECK_INT(p.pos_blocks, 98304);

	/* status 1 past the last unit names no unit */
	rec.curr_migr_unit = 16;
	s->dev[0].vol.curr_migr_unit = 16;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), -EUCLEAN);
	imsm_free(s);
}

static void test_plan_other_record(void)
{
	struct imsm_migr_rec rec, fresh, zero = { 0 };
	struct imsm_resume p;
	struct imsm_super *s;

	if (!load_r5(&s, &rec))
		return;
	CHECK_INT(imsm_migr_rec_init(s, 0, &fresh), 0);
	/* nothing moved yet: a fresh record is written, md starts the old volume */
	s->dev[0].vol.curr_migr_unit = 0;
	CHECK_INT(imsm_resume_plan(s, 0, &zero, &p), 0);
	CHECK(p.write_rec);
	CHECK(!p.restore);
	CHECK_INT(p.pos_blocks, 0);
	CHECK(memcmp(&p.rec, &fresh, sizeof(fresh)) == 0);
	rec.family_num ^= 1;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), 0);
	CHECK(p.write_rec);
	rec.family_num ^= 1;
	rec.num_migr_units++;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), 0);
	CHECK(p.write_rec);
	rec.num_migr_units--;
	rec.post_migr_vol_cap = 65536; /* the other volume's record */
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), 0);
	CHECK(p.write_rec);

	/* half done: refused */
	s->dev[0].vol.curr_migr_unit = 3;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), -EBADMSG);
	CHECK_INT(imsm_resume_plan(s, 0, &zero, &p), -EBADMSG);

	/* all done, the record zeroed for the end: md starts the new volume */
	s->dev[0].vol.curr_migr_unit = 16;
	CHECK_INT(imsm_resume_plan(s, 0, &zero, &p), 0);
	CHECK(!p.write_rec);
	CHECK(!p.restore);
	CHECK_INT(p.pos_blocks, 98304);
	CHECK_INT(p.rec.curr_migr_unit, 16);
	imsm_free(s);
}

static void test_plan_refusals(void)
{
	struct imsm_migr_rec rec, bad;
	struct imsm_resume p;
	struct imsm_super *s;

	if (!load_r5(&s, &rec))
		return;
	CHECK_INT(imsm_resume_plan(s, 0, NULL, &p), -ENODATA);
	CHECK_INT(imsm_resume_plan(s, 1, &rec, &p), -EINVAL);
	CHECK_INT(imsm_resume_plan(s, -1, &rec, &p), -EINVAL);
	/* the main checkpoint ahead of the record */
	s->dev[0].vol.curr_migr_unit = 4;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), -EPROTO);
	s->dev[0].vol.curr_migr_unit = 3;
	bad = rec;
	bad.curr_migr_unit = 17;
	CHECK_INT(imsm_resume_plan(s, 0, &bad, &p), -EUCLEAN);
	bad = rec;
	bad.rec_status = 7;
	CHECK_INT(imsm_resume_plan(s, 0, &bad, &p), -EUCLEAN);
	bad = rec;
	bad.ascending_migr = 0;
	CHECK_INT(imsm_resume_plan(s, 0, &bad, &p), -EOPNOTSUPP);
	s->dev[0].vol.map[1].pba_of_lba0 += 2048;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), -EXDEV);
	s->dev[0].vol.map[1].pba_of_lba0 -= 2048;
	s->dev[0].vol.migr_state = 0;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), -EINVAL);
	imsm_free(s);
}

static void test_error_texts(void)
{
	static const int errs[] = { -EXDEV, -ENODATA, -EBADMSG, -EUCLEAN, -EPROTO, -EOPNOTSUPP,
				    -EFBIG, -EINVAL };
	size_t n = sizeof(errs) / sizeof(errs[0]);

	for (size_t i = 0; i < n; i++) {
		CHECK(imsm_resume_error(errs[i]) && imsm_resume_error(errs[i])[0]);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(imsm_resume_error(errs[i]), imsm_resume_error(errs[j])) != 0);
	}
}

/* ---- the writes ---------------------------------------------------------------------- */

#define DISK_BLOCKS 131072ull

/* Disks for every disk record of s, numbered 7:index. */
static void fake_disks(const struct imsm_super *s, struct imsm_disk_dev *d, int *ret_n)
{
	for (int i = 0; i < s->num_disks; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].fd = -1;
		d[i].major = 7;
		d[i].minor = (unsigned int)i;
		d[i].sectors = DISK_BLOCKS;
		d[i].sector_bytes = SECTOR;
		memcpy(d[i].serial, s->disk[i].serial, IMSM_SERIAL_BYTES);
	}
	*ret_n = s->num_disks;
}

/* The disk index in slot of volume 0's map[0]. */
static unsigned int slot_disk(const struct imsm_super *s, int slot)
{
	return s->dev[0].vol.map[0].disk_ord_tbl[slot] & IMSM_ORD_INDEX_MASK;
}

static void test_writes(void)
{
	static struct md_volume_cfg cfg;
	struct imsm_disk_dev d[8];
	struct imsm_migr_rec rec, back;
	struct imsm_resume p;
	struct imsm_super *s;
	int n;

	if (!load_r5(&s, &rec))
		return;
	fake_disks(s, d, &n);
	imsm_migr_rec_set_checkpoint(&rec, 6144, IMSM_UNIT_SRC_IN_CP_AREA);
	s->dev[0].vol.curr_migr_unit = 1;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), 0);
	CHECK_INT(imsm_resume_writes(s, 0, &p, d, n, &cfg), 0);
	CHECK_INT(cfg.n_copies, 4);
	for (int i = 0; i < cfg.n_copies; i++) {
		CHECK_INT(cfg.copies[i].minor, slot_disk(s, i));
		CHECK_INT(cfg.copies[i].from_bytes, rec.ckpt_area_pba * 512);
		CHECK_INT(cfg.copies[i].to_bytes,
			  (s->dev[0].vol.map[0].pba_of_lba0 + 2048) * 512);
		CHECK_INT(cfg.copies[i].len_bytes, 2048 * 512);
	}
	CHECK_INT(cfg.n_sector_writes, 2);
	for (int i = 0; i < cfg.n_sector_writes; i++) {
		CHECK_INT(cfg.sector_writes[i].minor, slot_disk(s, i));
		CHECK_INT(cfg.sector_writes[i].offset_bytes, (DISK_BLOCKS - 1) * 512);
		CHECK_INT(cfg.sector_writes[i].len_bytes, 512);
		CHECK_INT(imsm_migr_rec_decode(cfg.sector_writes[i].data, 512, 512, &back), 0);
		CHECK(memcmp(&back, &p.rec, sizeof(back)) == 0);
	}

	/* slot 0's disk missing: three copies, the record on slot 1 only */
	d[slot_disk(s, 0)].serial[0] ^= 1;
	CHECK_INT(imsm_resume_writes(s, 0, &p, d, n, &cfg), 0);
	CHECK_INT(cfg.n_copies, 3);
	CHECK_INT(cfg.n_sector_writes, 1);
	CHECK_INT(cfg.sector_writes[0].minor, slot_disk(s, 1));
	/* neither record member: nowhere to say the restore was made */
	d[slot_disk(s, 1)].serial[0] ^= 1;
	CHECK_INT(imsm_resume_writes(s, 0, &p, d, n, &cfg), -ENODATA);

	/* a record as it was: nothing to write */
	CHECK_INT(golden_load_migr("olce-r5-migr", &rec), 0);
	s->dev[0].vol.curr_migr_unit = 3;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), 0);
	CHECK_INT(imsm_resume_writes(s, 0, &p, d, n, &cfg), 0);
	CHECK_INT(cfg.n_copies + cfg.n_sector_writes, 0);
	imsm_free(s);
}

/* ---- md's view through the handler, over disks in temp files -------------------------- */

struct fake_set {
	int n;
	char path[8][64];
	struct md_disk d[8];
};

/* One sparse file per disk record, the record rec (NULL: zeros) in the
 * last sector of every file. */
static bool fake_set_make(const struct imsm_super *s, const struct imsm_migr_rec *rec,
			  struct fake_set *fs)
{
	uint8_t sector[SECTOR] = { 0 };

	if (rec && imsm_migr_rec_encode(rec, SECTOR, sector, sizeof(sector)))
		return false;
	fs->n = s->num_disks;
	for (int i = 0; i < fs->n; i++) {
		int fd;

		snprintf(fs->path[i], sizeof(fs->path[i]), "/tmp/test-imsm-resume-XXXXXX");
		fd = mkstemp(fs->path[i]);
		if (fd < 0)
			return false;
		if (pwrite(fd, sector, SECTOR, (off_t)((DISK_BLOCKS - 1) * SECTOR)) != SECTOR) {
			close(fd);
			return false;
		}
		close(fd);
		memset(&fs->d[i], 0, sizeof(fs->d[i]));
		fs->d[i].path = fs->path[i];
		fs->d[i].fd = -1;
		fs->d[i].major = 7;
		fs->d[i].minor = (unsigned int)i;
		fs->d[i].sectors = DISK_BLOCKS;
		fs->d[i].sector_bytes = SECTOR;
		memcpy(fs->d[i].id, s->disk[i].serial, IMSM_SERIAL_BYTES);
	}
	return true;
}

static void fake_set_free(struct fake_set *fs)
{
	for (int i = 0; i < fs->n; i++)
		unlink(fs->path[i]);
	fs->n = 0;
}

/* volume_md_cfg of volume 0 of s (taken over) with rec on the disks, the
 * last `drop` disk records having no disk. */
static int md_cfg_without(struct imsm_super *s, const struct imsm_migr_rec *rec, int drop,
			  struct md_volume_cfg *cfg)
{
	struct fake_set fs = { 0 };
	struct super *st = NULL;
	int r = -EIO;

	if (imsm_handle_new(s, &st))
		return -ENOMEM;
	if (fake_set_make(imsm_mpb_of(st), rec, &fs) && drop <= fs.n)
		r = imsm_ops.volume_md_cfg(st, 0, fs.d, fs.n - drop, cfg);
	fake_set_free(&fs);
	imsm_ops.free(st);
	return r;
}

static int md_cfg(struct imsm_super *s, const struct imsm_migr_rec *rec, struct md_volume_cfg *cfg)
{
	return md_cfg_without(s, rec, 0, cfg);
}

static void test_md_cfg_raid5(void)
{
	static struct md_volume_cfg cfg;
	struct imsm_migr_rec rec;
	struct imsm_super *s, *copy;

	if (!load_r5(&s, &rec))
		return;
	CHECK_INT(imsm_super_dup(s, &copy), 0);
	CHECK_INT(md_cfg(copy, &rec, &cfg), 0);
	CHECK_STR(cfg.refuse_why, "");
	CHECK_STR(cfg.name, "r5");
	CHECK(cfg.reshape);
	CHECK_INT(cfg.level, 5);
	CHECK_INT(cfg.raid_disks, 3);
	CHECK_INT(cfg.new_raid_disks, 4);
	CHECK_INT(cfg.chunk_bytes, 131072);
	CHECK_INT(cfg.new_chunk_bytes, 131072);
	CHECK_INT(cfg.layout, 0);
	CHECK_INT(cfg.new_layout, 0);
	CHECK_INT(cfg.reshape_sectors, 18432);
	CHECK_INT(cfg.sync_max_sectors, 6144);
	CHECK_INT(cfg.component_kib, 16384);
	CHECK_INT(cfg.array_kib, 32768); /* the old capacity, not dev.size (49152) */
	CHECK(cfg.resync_start == SYSFS_NONE);
	CHECK(cfg.frozen);
	CHECK(cfg.grow_continue);
	CHECK_INT(cfg.n_absent, 0);
	CHECK_INT(cfg.n_members, 4);
	for (int i = 0; i < cfg.n_members; i++) {
		CHECK_INT(cfg.members[i].slot, i);
		CHECK_INT(cfg.members[i].minor, slot_disk(s, i));
		CHECK(cfg.members[i].recovery_start == SYSFS_NONE);
		CHECK_INT(cfg.members[i].size_kib, 16384);
	}
	CHECK_INT(cfg.n_copies + cfg.n_sector_writes, 0);

	/* unit 1 in the copy area: restore described, md one unit further */
	imsm_migr_rec_set_checkpoint(&rec, 6144, IMSM_UNIT_SRC_IN_CP_AREA);
	CHECK_INT(imsm_super_dup(s, &copy), 0);
	copy->dev[0].vol.curr_migr_unit = 1;
	CHECK_INT(md_cfg(copy, &rec, &cfg), 0);
	CHECK_STR(cfg.refuse_why, "");
	CHECK_INT(cfg.reshape_sectors, 12288);
	CHECK_INT(cfg.sync_max_sectors, 4096);
	CHECK_INT(cfg.n_copies, 4);
	CHECK_INT(cfg.n_sector_writes, 2);

	/* half done, the record of another migration: refused */
	rec.family_num ^= 1;
	CHECK_INT(imsm_super_dup(s, &copy), 0);
	CHECK_INT(md_cfg(copy, &rec, &cfg), 0);
	CHECK_STR(cfg.refuse_why, imsm_resume_error(-EBADMSG));
	CHECK_STR(cfg.name, "r5");

	/* nothing moved: the old volume, the new disk only named */
	CHECK_INT(imsm_super_dup(s, &copy), 0);
	copy->dev[0].vol.curr_migr_unit = 0;
	CHECK_INT(md_cfg(copy, NULL, &cfg), 0);
	CHECK_STR(cfg.refuse_why, "");
	CHECK(!cfg.reshape);
	CHECK(cfg.grow_continue);
	CHECK_INT(cfg.raid_disks, 3);
	CHECK_INT(cfg.n_members, 3);
	CHECK_INT(cfg.n_absent, 0);
	CHECK_INT(cfg.array_kib, 32768);
	CHECK_INT(cfg.n_copies, 0);
	CHECK_INT(cfg.n_sector_writes, 2); /* the fresh record */

	/* all moved: the new volume */
	CHECK_INT(imsm_super_dup(s, &copy), 0);
	copy->dev[0].vol.curr_migr_unit = 16;
	CHECK_INT(md_cfg(copy, NULL, &cfg), 0);
	CHECK_STR(cfg.refuse_why, "");
	CHECK(!cfg.reshape);
	CHECK_INT(cfg.raid_disks, 4);
	CHECK_INT(cfg.n_members, 4);
	CHECK_INT(cfg.n_copies + cfg.n_sector_writes, 0);

	/* dirty (a power cut while written): resync once the reshape is over,
	 * asked of md once it runs mid-way, at the start all moved; not before
	 * md started (the reshape rewrites every row then), nor mid-way without
	 * a member (md's resync of a degraded raid5 does nothing) */
	CHECK_INT(golden_load_migr("olce-r5-migr", &rec), 0);
	for (unsigned int unit = 0; unit <= 16; unit += 8) {
		CHECK_INT(imsm_super_dup(s, &copy), 0);
		copy->dev[0].vol.dirty = 1;
		copy->dev[0].vol.curr_migr_unit = unit;
		imsm_migr_rec_set_checkpoint(&rec, unit * 6144ULL, IMSM_UNIT_SRC_NORMAL);
		CHECK_INT(md_cfg(copy, &rec, &cfg), 0);
		CHECK_STR(cfg.refuse_why, "");
		CHECK(cfg.reshape == (unit == 8));
		CHECK(cfg.resync_start == (unit == 16 ? 0 : SYSFS_NONE));
		CHECK(cfg.resync_after_reshape == (unit == 8));
	}
	CHECK_INT(imsm_super_dup(s, &copy), 0);
	copy->dev[0].vol.dirty = 1;
	copy->dev[0].vol.curr_migr_unit = 8;
	imsm_migr_rec_set_checkpoint(&rec, 8 * 6144ULL, IMSM_UNIT_SRC_NORMAL);
	CHECK_INT(md_cfg_without(copy, &rec, 1, &cfg), 0);
	CHECK_INT(cfg.n_absent, 1);
	CHECK(cfg.reshape);
	CHECK(cfg.resync_start == SYSFS_NONE);
	CHECK(!cfg.resync_after_reshape);

	/* the pure view refuses a general migration (it has no record) */
	CHECK_INT(imsm_volume_md_cfg(s, 0, NULL, 0, &cfg), -EINVAL);
	imsm_free(s);
}

static void test_md_cfg_raid0(void)
{
	static struct md_volume_cfg cfg;
	struct imsm_migr_rec rec;
	struct imsm_super *s = golden_load_mpb("olce-r0-mid");

	if (!s || golden_load_migr("olce-r0-migr", &rec)) {
		imsm_free(s);
		CHECK(false);
		return;
	}
	CHECK_INT(md_cfg(s, &rec, &cfg), 0);
	CHECK_STR(cfg.refuse_why, "");
	CHECK(cfg.reshape);
	CHECK_INT(cfg.level, 4);
	CHECK_INT(cfg.raid_disks, 3);
	CHECK_INT(cfg.new_raid_disks, 4);
	CHECK_INT(cfg.layout, 5);
	CHECK_INT(cfg.new_layout, 5);
	CHECK_INT(cfg.chunk_bytes, 65536);
	CHECK_INT(cfg.reshape_sectors, 18432);
	CHECK_INT(cfg.sync_max_sectors, 6144);
	CHECK_INT(cfg.array_kib, 2 * cfg.component_kib);
	CHECK_INT(cfg.n_members, 3);
	CHECK_INT(cfg.n_absent, 0);
	for (int i = 0; i < cfg.n_members; i++)
		CHECK_INT(cfg.members[i].slot, i);
	/* raid4's old parity slot: the new disk, new layout only below the front */
	CHECK(cfg.members[0].recovery_start == SYSFS_NONE);
	CHECK(cfg.members[1].recovery_start == SYSFS_NONE);
	CHECK_INT(cfg.members[2].recovery_start, 6144);
	CHECK(cfg.resync_start == SYSFS_NONE);
	/* dirty: raid0 has no parity to resync */
	s = golden_load_mpb("olce-r0-mid");
	if (!s)
		return;
	s->dev[0].vol.dirty = 1;
	CHECK_INT(md_cfg(s, &rec, &cfg), 0);
	CHECK(cfg.reshape);
	CHECK(cfg.resync_start == SYSFS_NONE);
	CHECK(!cfg.resync_after_reshape);
}

/*
 * raid5 3 -> raid0 2 started: md needs map[1]'s parity disk (slot 2, no
 * slot of map[0]) until the end, so without it the volume is degraded and
 * `-I` must not start it as complete (campaign cut 21 of seed 1205).
 */
static void test_md_cfg_raid5_to_raid0_absent(void)
{
	static struct md_volume_cfg cfg;
	struct imsm_super *before = golden_load_mpb("olce-r5-before"), *s = NULL, *copy;
	struct imsm_restripe_request req = { .vol = 0, .new_level = 0, .new_chunk_blocks = 0 };

	if (!before) {
		CHECK(!"fixture");
		return;
	}
	CHECK_INT(imsm_restripe_start(before, &req, &s), 0);
	imsm_free(before);
	if (!s)
		return;
	CHECK_INT(s->dev[0].vol.map[0].num_members, 2);
	CHECK_INT(s->dev[0].vol.map[1].num_members, 3);
	/* the parity slot names the last disk record */
	CHECK_INT((int)(s->dev[0].vol.map[1].disk_ord_tbl[2] & IMSM_ORD_INDEX_MASK), 2);
	CHECK_INT(imsm_super_dup(s, &copy), 0);
	CHECK_INT(md_cfg_without(copy, NULL, 0, &cfg), 0);
	CHECK_INT(cfg.n_absent, 0);
	CHECK_INT(cfg.n_members, 3);
	CHECK_INT(imsm_super_dup(s, &copy), 0);
	CHECK_INT(md_cfg_without(copy, NULL, 1, &cfg), 0);
	CHECK_INT(cfg.n_absent, 1);
	CHECK_INT(cfg.n_members, 2);
	imsm_free(s);
}

/* ---- which copy of the record (issue 14) -------------------------------------------- */

/* imsm_resume_pick_rec() over (a, b) (NULL: unreadable): its result, the
 * copy it chose in *ret. */
static int pick(const struct imsm_super *s, const struct imsm_migr_rec *a,
		const struct imsm_migr_rec *b, struct imsm_migr_rec *ret, bool *differ)
{
	const struct imsm_migr_rec *copies[2] = { a, b };

	*differ = false;
	return imsm_resume_pick_rec(s, 0, copies, 2, ret, differ);
}

static bool same_rec(const struct imsm_migr_rec *a, const struct imsm_migr_rec *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static void test_pick_stale_and_good(void)
{
	struct imsm_migr_rec good, stale, got;
	struct imsm_resume p;
	struct imsm_super *s;
	bool differ;

	if (!load_r5(&s, &good)) {
		CHECK(false);
		return;
	}
	/* stale: the record of this migration as it was at unit 1, while the
	 * main metadata's checkpoint says 3 */
	stale = good;
	imsm_migr_rec_set_checkpoint(&stale, 6144, IMSM_UNIT_SRC_NORMAL);
	CHECK_INT(stale.curr_migr_unit, 1);
	/* what the first-that-decodes rule did: the volume refused */
	CHECK_INT(imsm_resume_plan(s, 0, &stale, &p), -EPROTO);

	CHECK_INT(pick(s, &stale, &good, &got, &differ), 0); /* stale first */
	CHECK(same_rec(&got, &good));
	CHECK(differ);
	CHECK_INT(imsm_resume_plan(s, 0, &got, &p), 0);
	CHECK_INT(p.pos_blocks, 3 * 6144);
	CHECK_INT(pick(s, &good, &stale, &got, &differ), 0); /* good first */
	CHECK(same_rec(&got, &good));
	CHECK(differ);
	CHECK_INT(pick(s, &good, &good, &got, &differ), 0);
	CHECK(same_rec(&got, &good));
	CHECK(!differ);
	CHECK_INT(pick(s, NULL, &good, &got, &differ), 0); /* slot 0 unreadable */
	CHECK(same_rec(&got, &good));
	CHECK(!differ);
	CHECK_INT(pick(s, &good, NULL, &got, &differ), 0);
	CHECK(same_rec(&got, &good));
	CHECK_INT(pick(s, NULL, NULL, &got, &differ), -ENODATA);
	imsm_free(s);
}

/* Both of this migration and not behind the main metadata: the newer in
 * the order records are written, (k, 0) < (k, 1) < (k + 1, 0). */
static void test_pick_newer(void)
{
	struct imsm_migr_rec good, a, b, got;
	struct imsm_super *s;
	bool differ;

	if (!load_r5(&s, &good)) {
		CHECK(false);
		return;
	}
	s->dev[0].vol.curr_migr_unit = 1;
	a = b = good;
	imsm_migr_rec_set_checkpoint(&a, 6144, IMSM_UNIT_SRC_NORMAL);	   /* (1, 0) */
	imsm_migr_rec_set_checkpoint(&b, 6144, IMSM_UNIT_SRC_IN_CP_AREA); /* (1, 1) */
	CHECK_INT(pick(s, &a, &b, &got, &differ), 0);
	CHECK(same_rec(&got, &b));
	CHECK_INT(pick(s, &b, &a, &got, &differ), 0);
	CHECK(same_rec(&got, &b));
	imsm_migr_rec_set_checkpoint(&a, 2 * 6144, IMSM_UNIT_SRC_NORMAL); /* (2, 0) */
	CHECK_INT(pick(s, &b, &a, &got, &differ), 0);
	CHECK(same_rec(&got, &a));
	CHECK_INT(pick(s, &a, &b, &got, &differ), 0);
	CHECK(same_rec(&got, &a));
	/* an inconsistent copy of this migration loses to a consistent one */
	a.curr_migr_unit = 99;
	CHECK_INT(pick(s, &a, &b, &got, &differ), 0);
	CHECK(same_rec(&got, &b));
	imsm_free(s);
}

/* Neither copy is this migration's: the first readable is handed on, and
 * the plan decides by the main checkpoint as before. */
static void test_pick_both_stale_or_garbage(void)
{
	struct imsm_migr_rec good, a, b, got, fresh;
	struct imsm_resume p;
	uint8_t junk[SECTOR];
	struct imsm_super *s;
	bool differ;

	if (!load_r5(&s, &good)) {
		CHECK(false);
		return;
	}
	/* both of an earlier migration (another family) */
	a = b = good;
	a.family_num ^= 1;
	b.family_num ^= 2;
	CHECK_INT(pick(s, &a, &b, &got, &differ), 0);
	CHECK(same_rec(&got, &a));
	CHECK(differ);
	CHECK_INT(imsm_resume_plan(s, 0, &got, &p), -EBADMSG); /* half done: refused */
	s->dev[0].vol.curr_migr_unit = 0;
	CHECK_INT(imsm_resume_plan(s, 0, &got, &p), 0); /* nothing moved: fresh */
	CHECK_INT(imsm_migr_rec_init(s, 0, &fresh), 0);
	CHECK(same_rec(&p.rec, &fresh));
	CHECK(p.write_rec);
	s->dev[0].vol.curr_migr_unit = 3;

	/* both garbage */
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	CHECK_INT(imsm_migr_rec_decode(junk, sizeof(junk), SECTOR, &a), 0);
	junk[5] ^= 0xff;
	CHECK_INT(imsm_migr_rec_decode(junk, sizeof(junk), SECTOR, &b), 0);
	CHECK_INT(pick(s, &a, &b, &got, &differ), 0);
	CHECK(same_rec(&got, &a));
	CHECK_INT(imsm_resume_plan(s, 0, &got, &p), -EBADMSG);
	/* garbage first, the good copy second */
	CHECK_INT(pick(s, &a, &good, &got, &differ), 0);
	CHECK(same_rec(&got, &good));
	CHECK(differ);
	/* another migration's first, a stale one of this migration second:
	 * still refused (the stale one is behind the checkpoint) */
	b = good;
	imsm_migr_rec_set_checkpoint(&b, 6144, IMSM_UNIT_SRC_NORMAL);
	CHECK_INT(pick(s, &a, &b, &got, &differ), 0);
	CHECK(same_rec(&got, &b));
	CHECK_INT(imsm_resume_plan(s, 0, &got, &p), -EPROTO);
	imsm_free(s);
}

/* Through the handler, over files: a stale record on the slot-0 disk is
 * passed over and both record members get the chosen one back. */
static void test_md_cfg_stale_first(void)
{
	static struct md_volume_cfg cfg;
	struct imsm_migr_rec good, stale, back;
	uint8_t sector[SECTOR];
	struct fake_set fs = { 0 };
	struct imsm_super *s, *copy;
	struct super *st = NULL;
	int fd;

	if (!load_r5(&s, &good)) {
		CHECK(false);
		return;
	}
	stale = good;
	imsm_migr_rec_set_checkpoint(&stale, 6144, IMSM_UNIT_SRC_NORMAL);
	CHECK_INT(imsm_migr_rec_encode(&stale, SECTOR, sector, sizeof(sector)), 0);
	CHECK_INT(imsm_super_dup(s, &copy), 0);
	CHECK_INT(imsm_handle_new(copy, &st), 0);
	CHECK(fake_set_make(imsm_mpb_of(st), &good, &fs));
	fd = open(fs.path[slot_disk(s, 0)], O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, sector, SECTOR, (off_t)((DISK_BLOCKS - 1) * SECTOR)) == SECTOR);
	if (fd >= 0)
		close(fd);
	CHECK_INT(imsm_ops.volume_md_cfg(st, 0, fs.d, fs.n, &cfg), 0);
	CHECK_STR(cfg.refuse_why, "");
	CHECK(cfg.reshape);
	CHECK_INT(cfg.reshape_sectors, 18432); /* unit 3, the good copy's */
	CHECK_INT(cfg.n_copies, 0);
	CHECK_INT(cfg.n_sector_writes, 2);
	for (int i = 0; i < cfg.n_sector_writes; i++) {
		CHECK_INT(cfg.sector_writes[i].minor, slot_disk(s, i));
		CHECK_INT(imsm_migr_rec_decode(cfg.sector_writes[i].data, SECTOR, SECTOR, &back), 0);
		CHECK(same_rec(&back, &good));
	}
	fake_set_free(&fs);
	imsm_ops.free(st);
	imsm_free(s);
}

int main(void)
{
	fixture_init();
	RUN(test_plan_record_as_is);
	RUN(test_plan_restore);
	RUN(test_plan_other_record);
	RUN(test_plan_refusals);
	RUN(test_error_texts);
	RUN(test_writes);
	RUN(test_md_cfg_raid5);
	RUN(test_md_cfg_raid0);
	RUN(test_md_cfg_raid5_to_raid0_absent);
	RUN(test_pick_stale_and_good);
	RUN(test_pick_newer);
	RUN(test_pick_both_stale_or_garbage);
	RUN(test_md_cfg_stale_first);
	return UNIT_DONE();
}
