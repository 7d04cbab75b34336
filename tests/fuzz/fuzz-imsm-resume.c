/*
 * fuzz-imsm-resume.c: libFuzzer target for the migration record and the
 * resume of an interrupted general migration (imsm-reshape.c's record
 * codec and rule whether a record belongs to the migration, imsm-resume.c's
 * plan and writes, super-intel.c's md configuration of the resumed volume).
 *
 * Input (fuzz.h parts): an MPB, then the sector holding the migration
 * record (fewer than 128 bytes: no record could be read), then one byte
 * whose low bit picks the record's sector size (512 or 4096).
 *
 * Checks, for each volume of an accepted MPB:
 *   - imsm_resume_plan() does not crash; on success md's resume position is
 *     inside the array, a restored unit lies inside the array and the copy
 *     area, and the record it would write encodes, decodes to itself and
 *     passes imsm_migr_rec_check() (a restore writes a record that the next
 *     assembly must accept);
 *   - every step the reshape loop would plan from that record stays inside
 *     the array and moves forward;
 *   - imsm_ops.volume_md_cfg(), which reads the record back from a memory
 *     file standing for every member, fills a configuration whose members
 *     have slots md has.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "imsm-format.h"
#include "imsm-migr.h"
#include "imsm-resume.h"
#include "imsm.h"
#include "mdadm.h"

#define T "imsm-resume"

static int rec_fd = -1;
static char rec_path[64];

/* One memory file stands for every disk: its only sector is the record. */
static void put_record_sector(const uint8_t *rec, size_t len, uint32_t sector_bytes)
{
	static uint8_t sector[4096];

	if (rec_fd < 0) {
		rec_fd = memfd_create("fuzz-migr-rec", MFD_CLOEXEC);
		if (rec_fd < 0)
			fuzz_fail(T, "memfd_create failed");
		snprintf(rec_path, sizeof(rec_path), "/proc/self/fd/%d", rec_fd);
	}
	memset(sector, 0, sizeof(sector));
	memcpy(sector, rec, len < sector_bytes ? len : sector_bytes);
	if (ftruncate(rec_fd, 0) < 0 || pwrite(rec_fd, sector, sector_bytes, 0) != sector_bytes)
		fuzz_fail(T, "cannot write the record file");
}

static void check_rec_round_trip(const struct imsm_migr_rec *rec)
{
	struct imsm_migr_rec back;
	uint8_t buf[512];

	if (imsm_migr_rec_encode(rec, 512, buf, sizeof(buf)) < 0)
		fuzz_fail(T, "the record a resume writes does not encode");
	if (imsm_migr_rec_decode(buf, sizeof(buf), 512, &back) < 0 ||
	    memcmp(&back, rec, sizeof(back)) != 0)
		fuzz_fail(T, "the record a resume writes does not decode to itself");
}

static void check_steps(const struct imsm_resume *p)
{
	struct imsm_reshape_step st;
	uint64_t unit = p->rec.curr_migr_unit;

	/* a few steps from the checkpoint, as Grow's loop takes them */
	for (int i = 0; i < 4 && unit < p->rec.num_migr_units; i++) {
		if (imsm_reshape_plan_step(&p->rec, &p->geom, unit, 0, &st) < 0)
			fuzz_fail(T, "no step from a checkpoint the plan accepted");
		if (!st.units || st.suspend_hi > p->geom.array_blocks ||
		    st.suspend_lo > st.suspend_hi || (st.backup && st.units != 1))
			fuzz_fail(T, "a reshape step outside the array");
		(void)imsm_reshape_align_unit(&p->rec, &p->geom, unit);
		(void)imsm_reshape_align_sync_max(&p->geom, st.sync_max, st.suspend_lo);
		unit += st.units;
	}
}

static void check_plan(const struct imsm_resume *p)
{
	if (p->pos_blocks > p->geom.array_blocks)
		fuzz_fail(T, "md would resume past the end of the array");
	if (p->restore) {
		if (!p->write_rec ||
		    p->unit.array_start + p->unit.array_blocks > p->geom.array_blocks)
			fuzz_fail(T, "a restored unit outside the array");
		if (p->unit.dest_member_blocks > p->rec.dest_depth_per_unit)
			fuzz_fail(T, "a restored unit larger than the copy area's unit");
	}
	if (p->write_rec)
		check_rec_round_trip(&p->rec);
	if (imsm_migr_rec_check(&p->rec, &p->geom) < 0)
		fuzz_fail(T, "the plan's record fails imsm_migr_rec_check()");
	check_steps(p);
}

static void fill_disks(const struct imsm_super *s, uint32_t sector_bytes, struct md_disk *disks,
		       int *ret_n)
{
	int n = s->num_disks < MD_MAX_MEMBERS ? s->num_disks : MD_MAX_MEMBERS;

	for (int i = 0; i < n; i++) {
		memset(&disks[i], 0, sizeof(disks[i]));
		disks[i].path = rec_path;
		disks[i].fd = -1;
		disks[i].major = 7;
		disks[i].minor = (unsigned int)i;
		disks[i].sectors = 1;
		disks[i].sector_bytes = sector_bytes;
		snprintf(disks[i].kname, sizeof(disks[i].kname), "loop%d", i);
		memcpy(disks[i].id, s->disk[i].serial, IMSM_SERIAL_BYTES);
	}
	*ret_n = n;
}

static void check_cfg(const struct md_volume_cfg *c)
{
	int slots = c->raid_disks > c->new_raid_disks ? c->raid_disks : c->new_raid_disks;

	if (c->n_members < 0 || c->n_members > MD_MAX_MEMBERS || c->n_copies < 0 ||
	    c->n_copies > MD_MAX_MEMBERS || c->n_sector_writes < 0)
		fuzz_fail(T, "a volume configuration with impossible counts");
	for (int i = 0; i < c->n_members; i++)
		if (c->members[i].slot < -1 || c->members[i].slot >= slots)
			fuzz_fail(T, "a member in a slot md does not have");
	if (memchr(c->name, '\0', sizeof(c->name)) == NULL ||
	    memchr(c->refuse_why, '\0', sizeof(c->refuse_why)) == NULL)
		fuzz_fail(T, "a configuration string without its NUL");
}

static void check_md_cfg(const struct imsm_super *s, int idx, const uint8_t *rec, size_t rec_len,
			 uint32_t sector_bytes)
{
	static struct md_volume_cfg cfg;
	struct md_disk disks[MD_MAX_MEMBERS];
	struct super *st;
	struct imsm_super *copy;
	int n;

	put_record_sector(rec, rec_len, sector_bytes);
	if (imsm_super_dup(s, &copy) < 0)
		fuzz_fail(T, "out of memory");
	if (imsm_handle_new(copy, &st) < 0)
		fuzz_fail(T, "out of memory");
	fill_disks(s, sector_bytes, disks, &n);
	memset(&cfg, 0, sizeof(cfg));
	if (imsm_ops.volume_md_cfg(st, idx, disks, n, &cfg) == 0)
		check_cfg(&cfg);
	imsm_ops.free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	const uint8_t *mpb = NULL, *rec_bytes = NULL;
	size_t mpb_len = 0, rec_len = 0;
	struct imsm_migr_rec rec;
	struct imsm_resume p;
	struct imsm_super *s;
	uint32_t sector_bytes;
	bool have_rec;

	if (!fuzz_part(&in, &mpb, &mpb_len))
		return 0;
	(void)fuzz_part(&in, &rec_bytes, &rec_len);
	sector_bytes = (fuzz_u8(&in) & 1) ? 4096 : 512;
	if (fuzz_decode_mpb(mpb, mpb_len, &s) < 0)
		return 0;
	have_rec = rec_bytes && imsm_migr_rec_decode(rec_bytes, rec_len, sector_bytes, &rec) == 0;
	for (int idx = 0; idx < s->num_raid_devs; idx++) {
		if (imsm_resume_plan(s, idx, have_rec ? &rec : NULL, &p) == 0)
			check_plan(&p);
		(void)imsm_migr_blocks_per_unit(&s->dev[idx]);
		(void)imsm_migr_checkpoint_pos(&s->dev[idx]);
		check_md_cfg(s, idx, rec_bytes ? rec_bytes : (const uint8_t *)"", rec_len,
			     sector_bytes);
	}
	imsm_free(s);
	return 0;
}
