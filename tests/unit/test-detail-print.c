/*
 * test-detail-print.c: the --detail renderers (Detail-print.c) on records
 * built by hand.  The expected text is Debian mdadm 4.2's output for the
 * same arrays, captured in the VM (tests/vm/t0110 compares live).
 */
#include <stdlib.h>
#include <string.h>

#include "detail.h"
#include "mdadm.h"
#include "unit.h"

static struct detail_dev rows_healthy[4];

/* /dev/md/r5: member 0 of /dev/md/imsm0, raid5 over loop0..3 */
static void make_r5(struct detail *d, struct detail_dev *rows)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "/dev/md/r5");
	snprintf(d->devnm, sizeof(d->devnm), "md126");
	d->kind = DETAIL_MEMBER;
	snprintf(d->metadata, sizeof(d->metadata), "imsm");
	snprintf(d->level, sizeof(d->level), "raid5");
	d->level_num = 5;
	d->raid_disks = 4;
	d->array_kib = 36864;
	d->used_dev_kib = 12288;
	d->chunk_bytes = d->new_chunk_bytes = 128 * 1024;
	d->new_level_num = 5;
	snprintf(d->consistency, sizeof(d->consistency), "resync");
	snprintf(d->array_state, sizeof(d->array_state), "clean");
	d->clean = true;
	d->total = d->active = d->working = 4;
	d->sync = DETAIL_SYNC_NONE;
	d->sync_percent = -1;
	snprintf(d->container_path, sizeof(d->container_path), "/dev/md/imsm0");
	snprintf(d->member, sizeof(d->member), "0");
	d->uuid_known = true;
	snprintf(d->uuid, sizeof(d->uuid), "83d5c414:1e826208:9f999fac:7261f1c7");
	snprintf(d->devname, sizeof(d->devname), "r5");
	for (int i = 0; i < 4; i++) {
		rows[i] = (struct detail_dev){.number = i, .major = 7, .minor = (unsigned)i,
					      .raid_disk = i,
					      .flags = DETAIL_DEV_ACTIVE | DETAIL_DEV_SYNC};
		snprintf(rows[i].kname, sizeof(rows[i].kname), "loop%d", i);
		snprintf(rows[i].path, sizeof(rows[i].path), "/dev/loop%d", i);
	}
	d->devs = rows;
	d->n_devs = d->n_slot_rows = 4;
}

static char *render(void (*fn)(FILE *, const struct detail *, bool), const struct detail *d,
		    bool flag)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	fn(f, d, flag);
	fclose(f);
	return buf;
}

static const char r5_text[] = "/dev/md/r5:\n"
			      "         Container : /dev/md/imsm0, member 0\n"
			      "        Raid Level : raid5\n"
			      "        Array Size : 36864 (36.00 MiB 37.75 MB)\n"
			      "     Used Dev Size : 12288 (12.00 MiB 12.58 MB)\n"
			      "      Raid Devices : 4\n"
			      "     Total Devices : 4\n"
			      "\n"
			      "             State : clean \n"
			      "    Active Devices : 4\n"
			      "   Working Devices : 4\n"
			      "    Failed Devices : 0\n"
			      "\n"
			      "            Layout : left-asymmetric\n"
			      "        Chunk Size : 128K\n"
			      "\n"
			      "Consistency Policy : resync\n"
			      "\n"
			      "\n"
			      "              UUID : 83d5c414:1e826208:9f999fac:7261f1c7\n";

static const char r5_rows[] = "    Number   Major   Minor   RaidDevice State\n"
			      "       0       7        0        0      active sync   /dev/loop0\n"
			      "       1       7        1        1      active sync   /dev/loop1\n"
			      "       2       7        2        2      active sync   /dev/loop2\n"
			      "       3       7        3        3      active sync   /dev/loop3\n";

static void test_text_healthy(void)
{
	struct detail d;
	char want[2048];
	char *out;

	make_r5(&d, rows_healthy);
	out = render(detail_print_text, &d, false);
	snprintf(want, sizeof(want), "%s%s", r5_text, r5_rows);
	CHECK_STR(out, want);
	free(out);
	out = render(detail_print_text, &d, true);
	CHECK_STR(out, r5_text);
	free(out);
	CHECK_INT(detail_test_status(&d), 0);
}

static void test_text_degraded_reshape(void)
{
	struct detail_dev rows[4];
	struct detail d;
	char *out;

	make_r5(&d, rows);
	/* slot 1 gone (removed row), a reshape 3 -> 4 at 8% */
	rows[1] = (struct detail_dev){.number = -1, .raid_disk = 1, .flags = DETAIL_DEV_REMOVED};
	d.total = d.active = d.working = 3;
	d.health = DETAIL_DEGRADED;
	d.sync = DETAIL_SYNC_RESHAPE;
	d.sync_percent = 8;
	d.reshape = true;
	d.delta_disks = 1;
	out = render(detail_print_text, &d, false);
	CHECK(strstr(out, "             State : clean, degraded, reshaping \n"));
	CHECK(strstr(out, "Consistency Policy : resync\n\n    Reshape Status : 8% complete\n"
			  "     Delta Devices : 1, (3->4)\n\n\n              UUID"));
	CHECK(strstr(out, "       -       0        0        1      removed\n"));
	free(out);
	CHECK_INT(detail_test_status(&d), 1);
}

static void test_export_and_brief(void)
{
	struct detail d;
	char *out;

	make_r5(&d, rows_healthy);
	out = render(detail_print_export, &d, true);
	CHECK_STR(out, "MD_LEVEL=raid5\nMD_DEVICES=4\nMD_CONTAINER=/dev/md/imsm0\nMD_MEMBER=0\n"
		       "MD_UUID=83d5c414:1e826208:9f999fac:7261f1c7\nMD_DEVNAME=r5\n");
	free(out);
	/* a hostile name stays one shell-safe line */
	snprintf(d.devname, sizeof(d.devname), "a$(b)\n'c");
	out = render(detail_print_export, &d, false);
	CHECK(strstr(out, "MD_DEVNAME=a__b___c\nMD_DEVICE_dev_loop0_ROLE=0\n"
			  "MD_DEVICE_dev_loop0_DEV=/dev/loop0\n"));
	free(out);
}

static void brief_v(FILE *f, const struct detail *d, bool v)
{
	detail_print_brief(f, d, v ? 1 : 0);
}

static void test_brief(void)
{
	struct detail d;
	char *out;

	make_r5(&d, rows_healthy);
	out = render(brief_v, &d, true);
	CHECK_STR(out, "ARRAY /dev/md/r5 level=raid5 num-devices=4 container=/dev/md/imsm0 "
		       "member=0 UUID=83d5c414:1e826208:9f999fac:7261f1c7\n"
		       "   devices=/dev/loop0,/dev/loop1,/dev/loop2,/dev/loop3\n");
	free(out);
	snprintf(d.path, sizeof(d.path), "/dev/md/my vol\n");
	out = render(brief_v, &d, false);
	CHECK_STR(out, "ARRAY /dev/md/my_vol? container=/dev/md/imsm0 member=0 "
		       "UUID=83d5c414:1e826208:9f999fac:7261f1c7\n");
	free(out);
}

static void json_one(FILE *f, const struct detail *d, bool no_devices)
{
	struct json_out j;

	json_init(&j, f);
	detail_print_json(&j, d, no_devices);
	json_finish(&j);
}

static void test_json(void)
{
	struct detail d;
	char *out;

	make_r5(&d, rows_healthy);
	out = render(json_one, &d, false);
	CHECK(strstr(out, "\"level\": \"raid5\",\n  \"raid_devices\": 4,\n  \"total_devices\": 4,\n"
			  "  \"array_size_kib\": 36864,\n  \"used_dev_size_kib\": 12288,\n"
			  "  \"state\": \"clean\",\n"));
	CHECK(strstr(out, "\"layout\": \"left-asymmetric\",\n  \"chunk_size_kib\": 128,\n"));
	CHECK(strstr(out, "\"sync\": null,\n  \"reshape\": null,\n"));
	CHECK(strstr(out, "\"state\": [\n        \"active\",\n        \"sync\"\n      ],\n"
			  "      \"device\": \"/dev/loop0\"\n"));
	free(out);
	snprintf(d.devname, sizeof(d.devname), "x\"\n");
	out = render(json_one, &d, true);
	CHECK(strstr(out, "\"name\": \"x\\\"\\n\",\n  \"member_arrays\": null\n}\n"));
	CHECK(!strstr(out, "\"devices\""));
	free(out);
}

static void test_enough(void)
{
	bool all[4] = {true, true, true, true}, one_out[4] = {true, false, true, true};
	bool pair_out[4] = {false, false, true, true};

	CHECK(detail_enough(5, 4, 0, all));
	CHECK(detail_enough(5, 4, 0, one_out));
	CHECK(!detail_enough(5, 4, 0, pair_out));
	CHECK(!detail_enough(0, 4, 0, one_out));
	CHECK(detail_enough(10, 4, 0x102, one_out));
	CHECK(!detail_enough(10, 4, 0x102, pair_out));
	CHECK(detail_enough(1, 2, 0, one_out + 1));
	CHECK(!detail_enough(1, 2, 0, pair_out));
	CHECK(!detail_enough(LEVEL_CONTAINER, 0, 0, all));
}

int main(void)
{
	RUN(test_text_healthy);
	RUN(test_text_degraded_reshape);
	RUN(test_export_and_brief);
	RUN(test_brief);
	RUN(test_json);
	RUN(test_enough);
	return UNIT_DONE();
}
