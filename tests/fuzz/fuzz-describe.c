/*
 * fuzz-describe.c: libFuzzer target for what --examine and --detail print
 * about a decoded MPB (imsm-examine.c's build and four renderings,
 * imsm-describe.c's UUIDs, Detail-print.c's four renderings, render.c).
 *
 * Input (fuzz.h parts): an MPB, the examined disk's serial (16 bytes; an
 * empty part: unknown), the migration record sector, then a flags byte
 * (bit 0: 4096-byte sectors, bit 1: checksum not verified, bits 2-3: the
 * detail's kind).
 *
 * Checks: nothing crashes, and every rendering is printable text: no
 * control byte but '\n' and '\t' anywhere in the output, whatever bytes
 * the volume names and serials hold (they come from disks; printed raw
 * they could move a terminal's cursor or fake a line of output).
 *
 * The struct detail is filled as Detail.c would fill it for a volume of
 * this MPB, with every string that can come from a disk (the /dev/md/NAME
 * path and its NAME, the container's and the member arrays' names, the
 * member devices' by-id paths) taken from the MPB's names and serials.
 */
#include "detail.h"
#include "fuzz.h"
#include "imsm-examine.h"
#include "imsm-format.h"
#include "imsm.h"
#include "mdadm.h"
#include "render.h"

#define T "describe"

static void check_examine(const struct imsm_super *s, const char *serial, uint32_t sector_bytes,
			  bool checksum_ok, const struct imsm_examine_migr_rec *rec)
{
	struct imsm_examine_src src = {s, serial, sector_bytes, checksum_ok, rec};
	struct imsm_examine ex;
	struct json_out j;
	struct fuzz_mem m;

	imsm_examine_build(&src, &ex);
	imsm_examine_print_text(fuzz_mem_begin(&m), "/dev/loop0", &ex);
	fuzz_mem_end(&m, T, "--examine");
	imsm_examine_print_brief(fuzz_mem_begin(&m), s);
	fuzz_mem_end(&m, T, "--examine --brief");
	imsm_examine_print_export(fuzz_mem_begin(&m), s);
	fuzz_mem_end(&m, T, "--examine --export");
	json_init(&j, fuzz_mem_begin(&m));
	json_begin_array(&j, "disks");
	imsm_examine_print_json(&j, "/dev/loop0", &ex);
	json_end_array(&j);
	json_finish(&j);
	fuzz_mem_end(&m, T, "--examine --json");
	if (!imsm_examine_same_container(s, s))
		fuzz_fail(T, "a copy is not in its own container group");
}

/* "PREFIX" + the raw bytes of a disk's field up to its first NUL. */
static void disk_string(char *buf, size_t len, const char *prefix, const char *field,
			size_t field_len)
{
	size_t n = strnlen(field, field_len);

	snprintf(buf, len, "%s%.*s", prefix, (int)n, field);
}

static void fill_devs(const struct imsm_super *s, const struct imsm_map *m, struct detail *d)
{
	d->n_devs = 0;
	for (unsigned int i = 0; i < m->num_members && d->n_devs < 64; i++) {
		struct detail_dev *v = &d->devs[d->n_devs++];
		uint32_t idx = m->disk_ord_tbl[i] & IMSM_ORD_INDEX_MASK;

		memset(v, 0, sizeof(*v));
		v->number = (int)i;
		v->raid_disk = (int)i;
		v->major = 7;
		v->minor = i;
		v->flags = (m->disk_ord_tbl[i] & IMSM_ORD_REBUILD)
			       ? DETAIL_DEV_ACTIVE
			       : DETAIL_DEV_ACTIVE | DETAIL_DEV_SYNC;
		snprintf(v->kname, sizeof(v->kname), "loop%u", i);
		if (idx < s->num_disks)
			disk_string(v->path, sizeof(v->path), "/dev/disk/by-id/md-",
				    s->disk[idx].serial, IMSM_SERIAL_BYTES);
	}
	d->n_slot_rows = d->n_devs;
}

static void fill_detail(const struct imsm_super *s, const struct super *st, int vol,
			enum detail_kind kind, struct detail *d)
{
	const struct imsm_dev *dev = &s->dev[vol];
	const struct imsm_map *m = &dev->vol.map[0];

	memset(d, 0, sizeof(*d));
	snprintf(d->devnm, sizeof(d->devnm), "md12%d", 6 + vol);
	d->kind = kind;
	snprintf(d->metadata, sizeof(d->metadata), "imsm");
	disk_string(d->path, sizeof(d->path), "/dev/md/", dev->volume, IMSM_NAME_BYTES);
	disk_string(d->devname, sizeof(d->devname), "", dev->volume, IMSM_NAME_BYTES);
	disk_string(d->container_path, sizeof(d->container_path), "/dev/md/", s->disk[0].serial,
		    IMSM_SERIAL_BYTES);
	snprintf(d->member, sizeof(d->member), "%d", vol);
	d->level_num = imsm_map_md_level(m);
	snprintf(d->level, sizeof(d->level), "%s",
		 d->level_num < 0 ? "" : detail_level_name(d->level_num));
	d->raid_disks = kind == DETAIL_CONTAINER ? 0 : m->num_members;
	d->array_kib = dev->size_blocks / 2;
	d->used_dev_kib = imsm_map_data_blocks(m) / 2;
	d->chunk_bytes = (unsigned long long)m->blocks_per_strip * 512;
	d->layout = d->level_num == 5 ? 0 : 0x102;
	snprintf(d->array_state, sizeof(d->array_state), "clean");
	snprintf(d->consistency, sizeof(d->consistency), "resync");
	d->total = d->active = d->working = m->num_members;
	d->health = (enum detail_health)(m->map_state % 3);
	d->sync = dev->vol.migr_state ? DETAIL_SYNC_RESHAPE : DETAIL_SYNC_NONE;
	d->sync_percent = dev->vol.migr_state ? (int)(dev->vol.curr_migr_unit % 101) : -1;
	d->reshape = dev->vol.migr_state && dev->vol.migr_type == IMSM_MIGR_GEN_MIGR;
	d->uuid_known =
	    imsm_ops.uuid(st, kind == DETAIL_CONTAINER ? MD_UUID_CONTAINER : vol, d->uuid) == 0;
	d->n_member_arrays = s->num_raid_devs;
	d->member_arrays = calloc(IMSM_MAX_RAID_DEVS, sizeof(*d->member_arrays));
	d->devs = calloc(64, sizeof(*d->devs));
	if (!d->member_arrays || !d->devs)
		fuzz_fail(T, "out of memory");
	for (int i = 0; i < s->num_raid_devs; i++)
		disk_string(d->member_arrays[i], sizeof(d->member_arrays[i]), "/dev/md/",
			    s->dev[i].volume, IMSM_NAME_BYTES);
	fill_devs(s, m, d);
}

static void check_detail(const struct imsm_super *s, int vol, enum detail_kind kind)
{
	static struct detail d;
	struct imsm_super *copy;
	struct super *st;
	struct json_out j;
	struct fuzz_mem m;

	if (imsm_super_dup(s, &copy) < 0 || imsm_handle_new(copy, &st) < 0)
		fuzz_fail(T, "out of memory");
	fill_detail(s, st, vol, kind, &d);
	detail_print_text(fuzz_mem_begin(&m), &d, false);
	fuzz_mem_end(&m, T, "--detail");
	detail_print_brief(fuzz_mem_begin(&m), &d, 0);
	fuzz_mem_end(&m, T, "--detail --brief");
	detail_print_brief(fuzz_mem_begin(&m), &d, 1);
	fuzz_mem_end(&m, T, "--detail --brief --verbose");
	detail_print_export(fuzz_mem_begin(&m), &d, false);
	fuzz_mem_end(&m, T, "--detail --export");
	json_init(&j, fuzz_mem_begin(&m));
	json_begin_array(&j, "arrays");
	detail_print_json(&j, &d, false);
	json_end_array(&j);
	json_finish(&j);
	fuzz_mem_end(&m, T, "--detail --json");
	detail_free(&d);
	imsm_ops.free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	const uint8_t *mpb = NULL, *serial = NULL, *rec_bytes = NULL;
	size_t mpb_len = 0, serial_len = 0, rec_len = 0;
	struct imsm_examine_migr_rec rec;
	char serial_buf[IMSM_SERIAL_BYTES];
	struct imsm_super *s;
	bool have_rec;
	uint8_t flags;

	if (!fuzz_part(&in, &mpb, &mpb_len))
		return 0;
	(void)fuzz_part(&in, &serial, &serial_len);
	(void)fuzz_part(&in, &rec_bytes, &rec_len);
	flags = fuzz_u8(&in);
	if (fuzz_decode_mpb(mpb, mpb_len, &s) < 0)
		return 0;
	memset(serial_buf, 0, sizeof(serial_buf));
	if (serial)
		memcpy(serial_buf, serial,
		       serial_len < sizeof(serial_buf) ? serial_len : sizeof(serial_buf));
	have_rec = rec_bytes && imsm_examine_decode_migr_rec(rec_bytes, rec_len, &rec) == 0;
	check_examine(s, serial_len ? serial_buf : NULL, (flags & 1) ? 4096 : 512, !(flags & 2),
		      have_rec ? &rec : NULL);
	for (int vol = 0; vol < s->num_raid_devs; vol++)
		check_detail(s, vol, (enum detail_kind)((flags >> 2) % 3));
	imsm_free(s);
	return 0;
}
