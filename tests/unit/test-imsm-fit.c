/*
 * test-imsm-fit.c: metadata that does not fit the device it was read from
 * (issue 14; imsm-format.md §1.1, §1.5, §6.7): imsm_check_fits() and
 * imsm_read_mpb() over crafted images in temp files, whose size stands for
 * the block device's (the size the metadata claims is never trusted).
 *
 *  - the peer's raid1 and the mid-OLCE raid5 as captured: they fit;
 *  - a volume extent (pba_of_lba0 + blocks_per_member) past the end, onto
 *    the MPB at the end (and exactly up to it: fits), within what the disk
 *    record claims but past the real device;
 *  - the copy area of a general migration past the device (the table's
 *    sizes say the disks are larger) and volume data inside the copy area;
 *  - imsm_read_mpb_unchecked() (--examine) still takes such a copy, and the
 *    misfit reads in words;
 *  - the restore of an interrupted OLCE on a device smaller than the table
 *    says: refused (-EFBIG) rather than copies past the end;
 *  - md's view of a volume from a copy that fits the disk it came from but
 *    not another member: the volume is refused, naming that member;
 *  - a copy a cut tore: read as a stand-in (imsm_read_torn()).
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
#include "imsm-io.h"
#include "imsm-reshape.h"
#include "imsm-resume.h"
#include "imsm.h"
#include "mdadm.h"
#include "unit.h"

#define SECTOR 512

struct image {
	char path[64];
	struct imsm_disk_dev d;
};

/* A sparse file of sectors sectors standing for disk index of s, s's MPB
 * written at its end as imsm_write_mpb() puts it. */
static bool image_make(const struct imsm_super *s, int index, uint64_t sectors, struct image *img)
{
	memset(img, 0, sizeof(*img));
	snprintf(img->path, sizeof(img->path), "/tmp/test-imsm-fit-XXXXXX");
	img->d.fd = mkstemp(img->path);
	if (img->d.fd < 0)
		return false;
	img->d.path = img->path;
	img->d.sectors = sectors;
	img->d.sector_bytes = SECTOR;
	memcpy(img->d.serial, s->disk[index].serial, IMSM_SERIAL_BYTES);
	if (ftruncate(img->d.fd, (off_t)(sectors * SECTOR)) < 0 ||
	    imsm_write_mpb(&img->d, s, true) != 0) {
		close(img->d.fd);
		unlink(img->path);
		return false;
	}
	return true;
}

static void image_free(struct image *img)
{
	close(img->d.fd);
	unlink(img->path);
}

/* imsm_read_mpb() of s written on a device of sectors: its result; the
 * unchecked read must take the copy whatever it is. */
static int read_back(const struct imsm_super *s, int index, uint64_t sectors)
{
	struct imsm_super *got = NULL;
	struct image img;
	int r;

	if (!image_make(s, index, sectors, &img)) {
		CHECK(!"image written");
		return -EIO;
	}
	r = imsm_read_mpb(&img.d, &got);
	imsm_free(got);
	got = NULL;
	CHECK_INT(imsm_read_mpb_unchecked(&img.d, &got), 0);
	imsm_free(got);
	image_free(&img);
	return r;
}

/* ---- volume extents -------------------------------------------------------------- */

static void test_extents(void)
{
	struct imsm_super *s = golden_load_mpb("raid1");
	struct imsm_map *m;
	struct imsm_misfit mf;
	uint64_t n, bpm;

	CHECK(s != NULL);
	if (!s)
		return;
	m = &s->dev[0].vol.map[0];
	bpm = m->blocks_per_member;
	n = s->disk[0].total_blocks;
	CHECK_INT(n, 65536);
	CHECK_INT(read_back(s, 0, n), 0);
	CHECK_INT(read_back(s, 1, n), 0);
	/* a one-sector MPB: the anchor at N-2 is the lowest metadata sector */
	CHECK_INT(imsm_check_fits(s, 0, n - 2, &mf), 0);
	/* the decoder already holds extents to the sizes the table claims:
	 * the attack claims larger disks than the devices are */
	s->disk[0].total_blocks = s->disk[1].total_blocks = 2 * n;
	CHECK_INT(read_back(s, 0, n), 0);

	/* past the end of the disk */
	m->blocks_per_member = n + 4096;
	CHECK_INT(read_back(s, 0, n), -EFBIG);
	CHECK_INT(imsm_check_fits(s, 0, n - 2, &mf), -EFBIG);
	CHECK_INT(mf.kind, IMSM_MISFIT_EXTENT);
	CHECK_INT(mf.vol, 0);
	CHECK_INT(mf.end_blocks, n + 4096);
	CHECK_INT(mf.limit_blocks, n - 2);
	/* a disk not in the table (no record of its own) has nothing to check */
	CHECK_INT(imsm_check_fits(s, -1, n - 2, &mf), 0);

	/* over the anchor by one block; exactly up to it fits */
	m->blocks_per_member = n - 1;
	CHECK_INT(read_back(s, 1, n), -EFBIG);
	m->blocks_per_member = n - 2;
	CHECK_INT(read_back(s, 1, n), 0);

	/* pba_of_lba0 pushes it out (and no 64-bit wrap hides it) */
	m->blocks_per_member = bpm;
	m->pba_of_lba0 = n - bpm;
	CHECK_INT(read_back(s, 0, n), -EFBIG);
	m->pba_of_lba0 = n - 2 - bpm;
	CHECK_INT(read_back(s, 0, n), 0);
	m->pba_of_lba0 = 0;

	/* on a device as large as the table claims it fits */
	m->blocks_per_member = n + 4096;
	CHECK_INT(read_back(s, 0, n), -EFBIG);
	CHECK_INT(read_back(s, 0, 2 * n), 0);
	imsm_free(s);
}

/* A two-sector MPB: the limit is the extension sector, N-3. */
static void test_extents_two_sector_mpb(void)
{
	struct imsm_super *s = golden_load_mpb("olce-r5-mid");
	struct imsm_misfit mf;
	uint64_t n;

	CHECK(s != NULL);
	if (!s)
		return;
	n = s->disk[0].total_blocks;
	CHECK_INT(n, 131072);
	CHECK_INT((imsm_mpb_bytes(s) + SECTOR - 1) / SECTOR, 2);
	CHECK_INT(read_back(s, 0, n), 0);
	for (int i = 0; i < s->num_disks; i++)
		s->disk[i].total_blocks = 2 * n;
	s->dev[0].vol.map[1].blocks_per_member = n - 2; /* the source map, onto N-3 */
	CHECK_INT(read_back(s, 0, n), -EFBIG);
	CHECK_INT(imsm_check_fits(s, 0, n - 3, &mf), -EFBIG);
	CHECK_INT(mf.kind, IMSM_MISFIT_EXTENT);
	CHECK_INT(mf.limit_blocks, n - 3);
	s->dev[0].vol.map[1].blocks_per_member = n - 3;
	for (int i = 0; i < s->num_disks; i++)
		s->disk[i].total_blocks = n; /* the copy area where it belongs */
	CHECK_INT(imsm_check_fits(s, 0, n - 3, &mf), 0);
	imsm_free(s);
}

/* A copy a cut tore (the old anchor over new extension sectors): the
 * checksum fails, imsm_read_torn() gives the anchor's family and
 * generation in a stand-in with no volumes; a whole copy is -EEXIST, a
 * copy without the signature -ENODATA. */
static void test_torn_copy(void)
{
	struct imsm_super *s = golden_load_mpb("olce-r5-mid"), *got = NULL;
	unsigned char b;
	struct image img;
	uint64_t n;

	if (!s || !image_make(s, 0, s->disk[0].total_blocks, &img)) {
		imsm_free(s);
		CHECK(!"image");
		return;
	}
	n = img.d.sectors;
	CHECK_INT(imsm_read_torn(&img.d, &got), -EEXIST);
	CHECK(pread(img.d.fd, &b, 1, (off_t)((n - 3) * SECTOR + 100)) == 1);
	b ^= 0xff;
	CHECK(pwrite(img.d.fd, &b, 1, (off_t)((n - 3) * SECTOR + 100)) == 1);
	CHECK_INT(imsm_read_mpb(&img.d, &got), -EBADMSG);
	CHECK_INT(imsm_read_torn(&img.d, &got), 0);
	if (got) {
		CHECK(got->torn);
		CHECK_INT(got->num_raid_devs, 0);
		CHECK_INT(got->num_disks, 0);
		CHECK_INT(got->family_num, s->family_num);
		CHECK_INT(got->orig_family_num, s->orig_family_num);
		CHECK_INT(got->generation_num, s->generation_num);
		imsm_free(got);
		got = NULL;
	}
	CHECK(pwrite(img.d.fd, "\0", 1, (off_t)((n - 2) * SECTOR)) == 1); /* the signature */
	CHECK_INT(imsm_read_torn(&img.d, &got), -ENODATA);
	image_free(&img);
	imsm_free(s);

	/* a one-sector copy cannot tear: a bad checksum is damage */
	s = golden_load_mpb("raid1");
	if (!s || !image_make(s, 0, s->disk[0].total_blocks, &img)) {
		imsm_free(s);
		CHECK(!"image");
		return;
	}
	CHECK_INT((imsm_mpb_bytes(s) + SECTOR - 1) / SECTOR, 1);
	n = img.d.sectors;
	CHECK(pread(img.d.fd, &b, 1, (off_t)((n - 2) * SECTOR + 0x30)) == 1);
	b ^= 1;
	CHECK(pwrite(img.d.fd, &b, 1, (off_t)((n - 2) * SECTOR + 0x30)) == 1);
	CHECK_INT(imsm_read_torn(&img.d, &got), -EBADMSG);
	image_free(&img);
	imsm_free(s);
	imsm_free(got);
}

/* ---- the copy area of a general migration ------------------------------------------ */

static void test_copy_area(void)
{
	struct imsm_super *s = golden_load_mpb("olce-r5-mid");
	struct imsm_misfit mf;
	uint64_t n;

	CHECK(s != NULL);
	if (!s)
		return;
	n = s->disk[0].total_blocks;
	CHECK_INT(imsm_check_fits(s, 0, n - 3, &mf), 0);
	/* the table says the disks are 4x larger: the area lands past the device */
	for (int i = 0; i < s->num_disks; i++)
		s->disk[i].total_blocks = 4 * n;
	CHECK_INT(read_back(s, 0, n), -EFBIG);
	CHECK_INT(imsm_check_fits(s, 0, n - 3, &mf), -EFBIG);
	CHECK_INT(mf.kind, IMSM_MISFIT_COPY_AREA);
	CHECK_INT(mf.end_blocks, 4 * n - 2209 + 2048);
	CHECK_INT(mf.limit_blocks, n - 3);
	/* on a device that large it is where it belongs */
	CHECK_INT(read_back(s, 0, 4 * n), 0);

	/* the table says the disks are small: volume data ends inside the area
	 * (blocks_per_member cut to the data so that the decoder takes it) */
	for (int j = 0; j < 2; j++)
		s->dev[0].vol.map[j].blocks_per_member =
		    imsm_map_data_blocks(&s->dev[0].vol.map[j]);
	CHECK_INT(s->dev[0].vol.map[0].blocks_per_member, 32768);
	for (int i = 0; i < s->num_disks; i++)
		s->disk[i].total_blocks = 34000;
	CHECK_INT(read_back(s, 0, n), -EFBIG);
	CHECK_INT(imsm_check_fits(s, 0, n - 3, &mf), -EFBIG);
	CHECK_INT(mf.kind, IMSM_MISFIT_DATA_IN_AREA);
	CHECK_INT(mf.vol, 0);
	CHECK_INT(mf.limit_blocks, 34000 - 2209);
	CHECK_INT(mf.end_blocks, 32768);

	/* smaller than the area's offset: no area at all */
	for (int i = 0; i < s->num_disks; i++)
		s->disk[i].total_blocks = 2000;
	CHECK_INT(imsm_check_fits(s, 0, n - 3, &mf), -EFBIG);
	CHECK_INT(mf.kind, IMSM_MISFIT_COPY_AREA);
	imsm_free(s);
}

/* A volume that does not migrate has no copy area to fit. */
static void test_no_copy_area_when_idle(void)
{
	struct imsm_super *s = golden_load_mpb("raid1");
	struct imsm_misfit mf;

	CHECK(s != NULL);
	if (!s)
		return;
	for (int i = 0; i < s->num_disks; i++)
		s->disk[i].total_blocks = 4 * 65536;
	CHECK_INT(imsm_check_fits(s, 0, 65536 - 2, &mf), 0);
	imsm_free(s);
}

static void test_words(void)
{
	struct imsm_super *s = golden_load_mpb("raid1");
	struct imsm_misfit mf = {
	    .kind = IMSM_MISFIT_EXTENT, .vol = 0, .end_blocks = 69632, .limit_blocks = 65534};
	char buf[200];

	CHECK(s != NULL);
	if (!s)
		return;
	imsm_misfit_text(s, &mf, buf, sizeof(buf));
	CHECK_STR(buf, "volume r1 ends at block 69632, past the metadata at 65534");
	/* an attacker's name stays on one line, printable */
	memcpy(s->dev[0].volume, "a\nb\033[2Jcdefghijklm", IMSM_NAME_BYTES);
	imsm_misfit_text(s, &mf, buf, sizeof(buf));
	CHECK_STR(buf, "volume a?b?[2Jcdefghijk ends at block 69632, past the metadata at 65534");
	memcpy(s->dev[0].volume, "r1", 3);
	mf.kind = IMSM_MISFIT_COPY_AREA;
	imsm_misfit_text(s, &mf, buf, sizeof(buf));
	CHECK(strstr(buf, "copy area of volume r1") != NULL);
	mf.kind = IMSM_MISFIT_DATA_IN_AREA;
	mf.vol = 7; /* no such volume: no read past the table */
	imsm_misfit_text(s, &mf, buf, sizeof(buf));
	CHECK(strstr(buf, "inside the migration copy area") != NULL);
	CHECK(imsm_read_error(-EFBIG) != NULL);
	CHECK(strstr(imsm_read_error(-EFBIG), "past the end of the device") != NULL);
	imsm_free(s);
}

/* ---- the restore of an interrupted OLCE ------------------------------------------- */

static void test_restore_bounded(void)
{
	static struct md_volume_cfg cfg;
	struct imsm_super *s = golden_load_mpb("olce-r5-mid");
	struct imsm_disk_dev d[8];
	struct imsm_migr_rec rec;
	struct imsm_resume p;

	CHECK(s != NULL);
	if (!s || golden_load_migr("olce-r5-migr", &rec)) {
		CHECK(!"olce-r5-migr loads");
		imsm_free(s);
		return;
	}
	for (int i = 0; i < s->num_disks; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].fd = -1;
		d[i].major = 7;
		d[i].minor = (unsigned int)i;
		d[i].sectors = s->disk[i].total_blocks;
		d[i].sector_bytes = SECTOR;
		memcpy(d[i].serial, s->disk[i].serial, IMSM_SERIAL_BYTES);
	}
	imsm_migr_rec_set_checkpoint(&rec, 6144, IMSM_UNIT_SRC_IN_CP_AREA);
	s->dev[0].vol.curr_migr_unit = 1;
	CHECK_INT(imsm_resume_plan(s, 0, &rec, &p), 0);
	CHECK(p.restore);
	CHECK_INT(imsm_resume_writes(s, 0, &p, d, s->num_disks, &cfg), 0);
	CHECK_INT(cfg.n_copies, 4);
	/* one member smaller than its record says: the copy area is past it */
	d[2].sectors = 65536;
	CHECK_INT(imsm_resume_writes(s, 0, &p, d, s->num_disks, &cfg), -EFBIG);
	/* the area just below that member's MPB still fits */
	d[2].sectors = rec.ckpt_area_pba + 2048 + 3;
	CHECK_INT(imsm_resume_writes(s, 0, &p, d, s->num_disks, &cfg), 0);
	d[2].sectors = rec.ckpt_area_pba + 2048 + 2;
	CHECK_INT(imsm_resume_writes(s, 0, &p, d, s->num_disks, &cfg), -EFBIG);
	CHECK(strstr(imsm_resume_error(-EFBIG), "past the space before the metadata") != NULL);
	imsm_free(s);
}

/* ---- the copy md is configured from, against every member -------------------------- */

/* Disk 1 is really smaller than the champion copy (read from disk 0, and
 * fitting there) claims: the volume is not started. */
static void test_md_cfg_every_member(void)
{
	static struct md_volume_cfg cfg;
	struct imsm_super *s = golden_load_mpb("raid1");
	struct super *st = NULL;
	struct md_disk d[2];
	uint64_t n;

	CHECK(s != NULL);
	if (!s)
		return;
	n = s->disk[0].total_blocks;
	s->disk[0].total_blocks = s->disk[1].total_blocks = 2 * n;
	s->dev[0].vol.map[0].blocks_per_member = n + 4096;
	for (int i = 0; i < 2; i++) {
		memset(&d[i], 0, sizeof(d[i]));
		d[i].fd = -1;
		d[i].major = 7;
		d[i].minor = (unsigned int)i;
		d[i].sectors = 2 * n;
		d[i].sector_bytes = SECTOR;
		snprintf(d[i].kname, sizeof(d[i].kname), "loop%d", i);
		memcpy(d[i].id, s->disk[i].serial, IMSM_SERIAL_BYTES);
	}
	CHECK_INT(imsm_handle_new(s, &st), 0);
	CHECK_INT(imsm_ops.volume_md_cfg(st, 0, d, 2, &cfg), 0);
	CHECK_STR(cfg.refuse_why, "");
	d[1].sectors = n;
	CHECK_INT(imsm_ops.volume_md_cfg(st, 0, d, 2, &cfg), 0);
	CHECK_STR(cfg.refuse_why,
		  "on loop1 volume r1 ends at block 69632, past the metadata at 65534");
	imsm_ops.free(st);
}

int main(void)
{
	fixture_init();
	RUN(test_extents);
	RUN(test_extents_two_sector_mpb);
	RUN(test_torn_copy);
	RUN(test_copy_area);
	RUN(test_no_copy_area_when_idle);
	RUN(test_words);
	RUN(test_restore_bounded);
	RUN(test_md_cfg_every_member);
	return UNIT_DONE();
}
