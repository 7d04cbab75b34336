/*
 * test-imsm-examine.c: host tests of the IMSM --examine renderer
 * (imsm-examine.c).
 *
 * The real MPB of imsm-format.md §12.1 (fixtures/imsm-mpb-vm-2vol.hex, the
 * spec's own dump) is decoded and rendered; the text is compared with
 * expected/examine-*.txt, written by hand from §8.1-§8.3 and the §12.1
 * annotations (the vol1 UUID, absent from the spec, was computed with
 * Python's hashlib from the §8.6 rule, independently of this code).
 * Variants (degraded, initializing, general migration, BBM, spare record)
 * are built by changing the decoded struct the way §6/§7 describe, and
 * their expected text derived by the same rules.
 *
 * Expected and fixture files are found next to this source file
 * (UNIT_SRCDIR overrides), so run from the top of the tree.
 */
#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imsm-examine.h"
#include "fixture.h"
#include "unit.h"

#define FIXTURE_2VOL "fixtures/imsm-mpb-vm-2vol.hex"
#define VM_MPB_BYTES 704

/* "OFFS: 8 groups of 4 hex digits ..." lines into buf; '*' and '#' lines skipped. */
static int load_hex(const char *rel, uint8_t *buf, size_t len)
{
	size_t used;

	return fixture_load_hex(rel, buf, len, &used);
}

static struct imsm_super *load_2vol(void)
{
	uint8_t buf[1024];
	struct imsm_super *s = NULL;

	CHECK_INT(load_hex(FIXTURE_2VOL, buf, sizeof(buf)), 0);
	CHECK_INT(imsm_decode(buf, sizeof(buf), &s), 0);
	return s;
}

/* Print the first differing line to make a failure readable. */
static void show_diff(const char *got, const char *want)
{
	unsigned int line = 1;

	while (*got && *got == *want) {
		line += *got == '\n';
		got++;
		want++;
	}
	fprintf(stderr,
		"  first difference at line %u:\n    got:  \"%.60s\"\n    want: \"%.60s\"\n", line,
		got, want);
}

static void check_text(const char *got, const char *expected_file)
{
	char *want = fixture_slurp(expected_file);

	CHECK(want != NULL);
	if (!want || !got)
		return;
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "  output differs from %s\n", expected_file);
		show_diff(got, want);
		unit_failed_checks++;
	}
	free(want);
}

static void check_contains(const char *got, const char *expected_file)
{
	char *want = fixture_slurp(expected_file);

	CHECK(want != NULL);
	if (want && got && !strstr(got, want)) {
		fprintf(stderr, "  output lacks the text of %s:\n%s", expected_file, got);
		unit_failed_checks++;
	}
	free(want);
}

static void check_ends_with(const char *got, const char *expected_file)
{
	char *want = fixture_slurp(expected_file);
	size_t g = got ? strlen(got) : 0, w = want ? strlen(want) : 0;

	CHECK(want != NULL);
	if (want && got && (g < w || strcmp(got + g - w, want) != 0)) {
		fprintf(stderr, "  output does not end with %s:\n%s", expected_file, got);
		unit_failed_checks++;
	}
	free(want);
}

static char serial_buf[IMSM_SERIAL_BYTES];

static const char *serial(const char *s)
{
	memset(serial_buf, 0, sizeof(serial_buf));
	memcpy(serial_buf, s, strlen(s));
	return serial_buf;
}

static void build(const struct imsm_super *s, const char *ser, struct imsm_examine *ex)
{
	struct imsm_examine_src src = {
	    .mpb = s,
	    .serial = ser,
	    .sector_bytes = 512,
	    .checksum_ok = true,
	};

	imsm_examine_build(&src, ex);
}

/* Render the text form of s as examined on the disk with serial ser. */
static char *render(const struct imsm_super *s, const char *dev, const char *ser,
		    const struct imsm_examine_migr_rec *rec)
{
	struct imsm_examine_src src = {
	    .mpb = s,
	    .serial = ser,
	    .sector_bytes = 512,
	    .checksum_ok = true,
	    .migr_rec = rec,
	};
	struct imsm_examine ex;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	imsm_examine_build(&src, &ex);
	imsm_examine_print_text(f, dev, &ex);
	fclose(f);
	return buf;
}

static char *render_brief(const struct imsm_super *s, bool export)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (export)
		imsm_examine_print_export(f, s);
	else
		imsm_examine_print_brief(f, s);
	fclose(f);
	return buf;
}

/* ---- building blocks ----------------------------------------------------------- */

static void check_sha1(const char *msg, size_t len, const char *hex)
{
	uint8_t d[20];
	char text[41];

	imsm_sha1(msg, len, d);
	for (unsigned int i = 0; i < 20; i++)
		snprintf(text + 2 * i, 3, "%02x", d[i]);
	CHECK_STR(text, hex);
}

/* FIPS 180 examples and every padding boundary (55/56/63/64/65, 119/120). */
static void test_sha1(void)
{
	static char a[130];

	memset(a, 'a', sizeof(a));
	check_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	check_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
	check_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		   "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	check_sha1(a, 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a");
	check_sha1(a, 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699");
	check_sha1(a, 63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5");
	check_sha1(a, 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d");
	check_sha1(a, 65, "11655326c708d70319be2610e8a57d9a5b959d3b");
	check_sha1(a, 119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56");
	check_sha1(a, 120, "f34c1488385346a55709ba056ddd08280dd4c6d6");
}

/* §8.6 and §12.1: container and vol0 UUIDs given by the spec. */
static void test_uuid_spec_values(void)
{
	struct imsm_super *s = load_2vol();
	uint32_t u[IMSM_UUID_WORDS];
	char text[IMSM_UUID_TEXT_BYTES];

	if (!s)
		return;
	imsm_uuid(s, IMSM_UUID_CONTAINER, u);
	imsm_uuid_text(u, text);
	CHECK_STR(text, "1f71e046:c29bad48:8193098d:654eb5ff");
	imsm_uuid(s, 0, u);
	imsm_uuid_text(u, text);
	CHECK_STR(text, "a67e1392:1bdbd592:6f825a80:360e1183");
	/* orig_family_num wins over family_num: a rebuild keeps the UUID */
	s->family_num ^= 0x5a5a5a5a;
	imsm_uuid(s, IMSM_UUID_CONTAINER, u);
	imsm_uuid_text(u, text);
	CHECK_STR(text, "1f71e046:c29bad48:8193098d:654eb5ff");
	/* with orig 0 the current family is used */
	s->orig_family_num = 0;
	s->family_num = 0x83a4b242;
	imsm_uuid(s, 0, u);
	imsm_uuid_text(u, text);
	CHECK_STR(text, "a67e1392:1bdbd592:6f825a80:360e1183");
	/* a spare record has the zero UUID */
	s->num_raid_devs = 0;
	imsm_uuid(s, IMSM_UUID_CONTAINER, u);
	imsm_uuid_text(u, text);
	CHECK_STR(text, "00000000:00000000:00000000:00000000");
	imsm_free(s);
}

/* §8.6: digest 9c2e009c d9e5f605... prints as 9c002e9c:05f6e5d9:... */
static void test_uuid_text(void)
{
	const uint32_t u[IMSM_UUID_WORDS] = {0x9c002e9c, 0x05f6e5d9, 0, 0xffffffff};
	char text[IMSM_UUID_TEXT_BYTES];

	imsm_uuid_text(u, text);
	CHECK_STR(text, "9c002e9c:05f6e5d9:00000000:ffffffff");
}

/* §8: empty below 5000 KiB, then MiB/GiB/TiB, two decimals rounded half up. */
static void test_human_size(void)
{
	static const struct {
		uint64_t bytes;
		const char *text;
	} t[] = {
	    {0, ""},
	    {5000 * 1024ULL - 1, ""},
	    {5000 * 1024ULL, " (4.88 MiB 5.12 MB)"},
	    {251742 * 512ULL, " (122.92 MiB 128.89 MB)"},
	    {131072 * 512ULL, " (64.00 MiB 67.11 MB)"},
	    {(2ULL << 30) - 1, " (2048.00 MiB 2147.48 MB)"},
	    {2ULL << 30, " (2.00 GiB 2.15 GB)"},
	    {(2ULL << 40) - 1, " (2048.00 GiB 2199.02 GB)"},
	    {2ULL << 40, " (2.00 TiB 2.20 TB)"},
	    {3000000000000ULL, " (2.73 TiB 3.00 TB)"},
	    {UINT64_MAX, " (16777216.00 TiB 18446744.07 TB)"},
	};
	char buf[64];

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		imsm_human_size(t[i].bytes, buf, sizeof(buf));
		CHECK_STR(buf, t[i].text);
	}
}

/* ---- the §12.1 container, as §8.1-§8.3 print it ---------------------------------- */

static void test_text_2vol_disk0(void)
{
	struct imsm_super *s = load_2vol();
	char *got;

	if (!s)
		return;
	got = render(s, "/dev/sda", serial("DISK0001"), NULL);
	check_text(got, "expected/examine-vm-2vol-disk0.txt");
	free(got);
	imsm_free(s);
}

/* The same copy read from the second disk: its own block first, slot 1. */
static void test_text_2vol_disk1(void)
{
	struct imsm_super *s = load_2vol();
	char *got;

	if (!s)
		return;
	got = render(s, "/dev/sdb", serial("DISK0002"), NULL);
	check_text(got, "expected/examine-vm-2vol-disk1.txt");
	free(got);
	imsm_free(s);
}

static void test_brief_and_export_2vol(void)
{
	struct imsm_super *s = load_2vol();
	char *got;

	if (!s)
		return;
	got = render_brief(s, false);
	check_text(got, "expected/examine-vm-2vol-brief.txt");
	free(got);
	got = render_brief(s, true);
	check_text(got, "expected/examine-vm-2vol-export.txt");
	free(got);
	imsm_free(s);
}

/* §7.1: DISK0002 (index 1, slot 1 of both volumes) failed; DISK0001's copy. */
static void test_text_degraded(void)
{
	struct imsm_super *s = load_2vol();
	char *got;

	if (!s)
		return;
	memcpy(s->disk[1].serial, "DISK0002:0:0", 12);
	s->disk[1].status |= IMSM_DISK_FAILED;
	for (unsigned int v = 0; v < 2; v++) {
		s->dev[v].vol.map[0].disk_ord_tbl[1] |= IMSM_ORD_REBUILD;
		s->dev[v].vol.map[0].failed_disk_num = 1;
	}
	s->dev[0].vol.map[0].map_state = IMSM_MAP_DEGRADED;
	s->dev[1].vol.map[0].map_state = IMSM_MAP_FAILED;
	got = render(s, "/dev/sda", serial("DISK0001"), NULL);
	check_text(got, "expected/examine-vm-2vol-degraded.txt");
	free(got);
	imsm_free(s);
}

/* Start a migration of volume v the way §6.1 does: map[1] = copy of map[0]. */
static void start_migration(struct imsm_super *s, unsigned int v, uint8_t type, uint64_t unit)
{
	struct imsm_vol *vol = &s->dev[v].vol;

	vol->migr_state = 1;
	vol->migr_type = type;
	vol->curr_migr_unit = unit;
	vol->map[1] = vol->map[0];
}

/* §6.3: vol0 (RAID5, 3 disks, 64 KiB) initializing at unit 16, factor 384. */
static void test_text_init(void)
{
	struct imsm_super *s = load_2vol();
	char *got;

	if (!s)
		return;
	start_migration(s, 0, IMSM_MIGR_INIT, 16);
	s->dev[0].vol.map[1].map_state = IMSM_MAP_UNINITIALIZED;
	s->dev[0].vol.dirty = 1;
	got = render(s, "/dev/sda", serial("DISK0001"), NULL);
	check_text(got, "expected/examine-vm-2vol-init.txt");
	free(got);
	imsm_free(s);
}

/* §6.7 record of the [VM] RAID5 3->4 example, at unit 5. */
static const struct imsm_examine_migr_rec vm_rec = {
    .rec_status = 0,
    .curr_migr_unit = 5,
    .family_num = 0x83a4b242,
    .ascending_migr = 1,
    .blocks_per_unit = 6144,
    .dest_depth_per_unit = 2048,
    .ckpt_area_pba = 259935,
    .dest_1st_member_lba = 10240,
    .num_migr_units = 16,
    .post_migr_vol_cap = 98304,
    .ckpt_read_disk_num = 0,
};

/* §8.1: a general migration shows the record on slot 0/1 disks only. */
static void test_text_gen_migration(void)
{
	struct imsm_super *s = load_2vol();
	char *got;

	if (!s)
		return;
	start_migration(s, 0, IMSM_MIGR_GEN_MIGR, 5);
	got = render(s, "/dev/sda", serial("DISK0001"), &vm_rec);
	CHECK(got && strstr(got, "  Migrate State : general migration\n"));
	CHECK(got &&
	      strstr(got, "      Map State : normal <-- normal\n     Checkpoint : 5 (6144)\n"));
	check_ends_with(got, "expected/examine-migr-rec.txt");
	free(got);
	got = render(s, "/dev/sdc", serial("DISK0003"), NULL);
	CHECK(got && strstr(got, "     Checkpoint : 5 (N/A)\n"));
	check_ends_with(got, "expected/examine-migr-rec-empty.txt");
	free(got);
	imsm_free(s);
}

/* §8.1: the BBM block follows the examined disk's block when it has entries. */
static void test_text_bbm(void)
{
	static const uint8_t log[16] = {0x0c, 0xb1, 0xad, 0xab, 1, 0, 0, 0, 7, 1, 0x28, 0xa0};
	struct imsm_super *s = load_2vol();
	char *got;

	if (!s)
		return;
	s->bbm_log_bytes = sizeof(log);
	memcpy(s->bbm_log, log, sizeof(log));
	got = render(s, "/dev/sda", serial("DISK0001"), NULL);
	check_contains(got, "expected/examine-bbm.txt");
	free(got);
	s->bbm_log[4] = 0; /* an empty log is not shown */
	got = render(s, "/dev/sda", serial("DISK0001"), NULL);
	CHECK(got && !strstr(got, "Bad Block"));
	free(got);
	imsm_free(s);
}

/* §1.6 spare record: UUID zero, R = 2210, the disk shown twice. */
static struct imsm_super *spare_record(void)
{
	struct imsm_super *s = NULL;

	CHECK_INT(imsm_super_alloc(0, &s), 0);
	if (!s)
		return NULL;
	snprintf(s->version, sizeof(s->version), "1.0.00");
	s->check_sum = 0x0badf00d;
	s->mpb_size_bytes = IMSM_SPARE_MPB_BYTES;
	s->family_num = 0x12345678;
	s->generation_num = 1;
	s->attributes = IMSM_ATTR_CHECKSUM_VERIFY;
	s->num_disks = 1;
	s->pwr_cycle_count = 1;
	memcpy(s->disk[0].serial, "DISK0004", 8);
	s->disk[0].total_blocks = 262144;
	s->disk[0].scsi_id = 0x400;
	s->disk[0].status = IMSM_DISK_SPARE;
	return s;
}

static void test_spare_record(void)
{
	struct imsm_super *s = spare_record();
	char *got;

	if (!s)
		return;
	got = render(s, "/dev/sdd", serial("DISK0004"), NULL);
	check_text(got, "expected/examine-spare.txt");
	free(got);
	got = render_brief(s, false);
	check_text(got, "expected/examine-spare-brief.txt");
	free(got);
	got = render_brief(s, true);
	check_text(got, "expected/examine-spare-export.txt");
	free(got);
	imsm_free(s);
}

/* ---- derived values ---------------------------------------------------------------- */

/* §8.1: which table entry is "this disk", and R of §1.5 for each case. */
static void test_self_and_reservation(void)
{
	struct imsm_super *s = load_2vol();
	struct imsm_examine ex;

	if (!s)
		return;
	build(s, serial("DISK0003"), &ex);
	CHECK_INT(ex.self, IMSM_SELF_MEMBER);
	CHECK_INT(ex.self_index, 2);
	CHECK_INT(ex.reserved_blocks, 10402);
	CHECK_INT(ex.vol[0].self_slot, 2);
	CHECK_INT(ex.vol[1].self_slot, 2);
	/* unknown serial, or not in the table: no own block, no slot */
	build(s, NULL, &ex);
	CHECK_INT(ex.self, IMSM_SELF_NONE);
	CHECK_INT(ex.reserved_blocks, 10402);
	CHECK_INT(ex.vol[0].self_slot, -1);
	build(s, serial("DISK0009"), &ex);
	CHECK_INT(ex.self, IMSM_SELF_NONE);
	CHECK_INT(ex.self_index, -1);
	/* a disk whose own record says FAILED is not "this disk" either */
	s->disk[1].status |= IMSM_DISK_FAILED;
	build(s, serial("DISK0002"), &ex);
	CHECK_INT(ex.self, IMSM_SELF_NONE);
	CHECK_INT(ex.vol[0].self_slot, -1);
	/* data ending 5001 blocks before the end: R = 5000 (rounded down to even) */
	s->disk[0].total_blocks = 249856 + 5001;
	build(s, serial("DISK0001"), &ex);
	CHECK_INT(ex.reserved_blocks, 5000);
	imsm_free(s);
}

/* Text of a copy examined on a disk that is not in its table: '?' slots. */
static void test_text_not_in_table(void)
{
	struct imsm_super *s = load_2vol();
	char *got, *vol1;

	if (!s)
		return;
	got = render(s, "/dev/sdx", NULL, NULL);
	CHECK(got && strncmp(got, "/dev/sdx:\n", 10) == 0);
	CHECK(got && strstr(got, "   RAID Devices : 2\n\n[vol0]:\n"));
	CHECK(got && strstr(got, "      This Slot : ?\n"));
	vol1 = got ? strstr(got, "[vol1]:") : NULL;
	CHECK(vol1 && strstr(vol1, "  Disk00 Serial : DISK0001\n"));
	CHECK(got && !strstr(got, "    Disk Serial"));
	free(got);
	imsm_free(s);
}

static uint64_t factor_of(struct imsm_super *s, uint8_t type)
{
	struct imsm_examine ex;

	start_migration(s, 0, type, 0);
	build(s, serial("DISK0001"), &ex);
	CHECK(ex.vol[0].factor_known);
	return ex.vol[0].factor;
}

/* §6.2 worked examples of the checkpoint factor. */
static void test_checkpoint_factor(void)
{
	struct imsm_super *s = load_2vol();
	struct imsm_map *m;

	if (!s)
		return;
	m = &s->dev[0].vol.map[0];
	CHECK_INT(factor_of(s, IMSM_MIGR_INIT), 384);	/* RAID5 3 disks 64 KiB */
	CHECK_INT(factor_of(s, IMSM_MIGR_VERIFY), 384); /* repair/verify: same formula */
	CHECK_INT(factor_of(s, IMSM_MIGR_REBUILD), 128);
	CHECK_INT(factor_of(s, IMSM_MIGR_STATE_CHANGE), 0);
	m->num_members = 4; /* RAID5 4 disks 64 KiB */
	CHECK_INT(factor_of(s, IMSM_MIGR_INIT), 512);
	m->raid_level = IMSM_LEVEL_BYTE_RAID1; /* RAID10 4 disks 128 KiB */
	m->num_domains = 2;
	m->blocks_per_strip = 256;
	CHECK_INT(factor_of(s, IMSM_MIGR_INIT), 512);
	CHECK_INT(factor_of(s, IMSM_MIGR_REBUILD), 512);
	m->num_members = 2; /* RAID1 */
	m->blocks_per_strip = 128;
	CHECK_INT(factor_of(s, IMSM_MIGR_INIT), 512);
	CHECK_INT(factor_of(s, IMSM_MIGR_REBUILD), 512);
	imsm_free(s);
}

/* §6.4: the replacement's entry is flagged in map[1] while it rebuilds. */
static void test_rebuild_slots(void)
{
	struct imsm_super *s = load_2vol();
	char *got;

	if (!s)
		return;
	start_migration(s, 0, IMSM_MIGR_REBUILD, 3);
	s->dev[0].vol.map[1].disk_ord_tbl[1] |= IMSM_ORD_REBUILD;
	s->dev[0].vol.map[1].map_state = IMSM_MAP_DEGRADED;
	s->dev[0].vol.map[0].failed_disk_num = 1;
	s->dev[0].vol.map[1].failed_disk_num = 1;
	got = render(s, "/dev/sdb", serial("DISK0002"), NULL);
	CHECK(got && strstr(got, "          Slots : [UUU] <-- [U_U]\n"
				 "    Failed disk : 1\n      This Slot : 1 (out-of-sync)\n"));
	CHECK(got && strstr(got, "  Migrate State : rebuild\n"
				 "      Map State : normal <-- degraded\n"
				 "     Checkpoint : 3 (128)\n"));
	free(got);
	got = render(s, "/dev/sda", serial("DISK0001"), NULL);
	CHECK(got && strstr(got, "      This Slot : 0\n"));
	free(got);
	imsm_free(s);
}

/* Migrate State words: repair is VERIFY + status 0x80 (§2.4). */
static void test_migrate_words(void)
{
	static const struct {
		uint8_t type;
		uint32_t status;
		const char *line;
	} t[] = {
	    {IMSM_MIGR_VERIFY, 0x8c, "  Migrate State : repair\n"},
	    {IMSM_MIGR_VERIFY, 0x0c, "  Migrate State : check\n"},
	    {IMSM_MIGR_STATE_CHANGE, 0x0c, "  Migrate State : state change\n"},
	    {7, 0x0c, "  Migrate State : <unknown:7>\n"},
	};
	struct imsm_super *s = load_2vol();
	char *got;

	if (!s)
		return;
	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		start_migration(s, 0, t[i].type, 0);
		s->dev[0].status = t[i].status;
		got = render(s, "/dev/sda", serial("DISK0001"), NULL);
		CHECK(got && strstr(got, t[i].line));
		free(got);
	}
	imsm_free(s);
}

/* §2.3 rwh_policy words, §4.2 attribute verdict, §8.1 checksum word. */
static void test_policy_attributes_checksum(void)
{
	static const struct {
		uint8_t policy;
		const char *line;
	} t[] = {
	    {0, "     RWH Policy : off\n"},
	    {1, "     RWH Policy : PPL distributed\n"},
	    {2, "     RWH Policy : PPL journaling drive\n"},
	    {3, "     RWH Policy : Multiple distributed PPLs\n"},
	    {4, "     RWH Policy : Multiple PPLs on journaling drive\n"},
	    {6, "     RWH Policy : Write-intent bitmap\n"},
	    {9, "     RWH Policy : <unknown:9>\n"},
	};
	struct imsm_super *s = load_2vol();
	struct imsm_examine_src src = {.serial = serial("DISK0001"), .sector_bytes = 512};
	struct imsm_examine ex;
	char *got = NULL;
	size_t len = 0;
	FILE *f;

	if (!s)
		return;
	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s->dev[1].rwh_policy = t[i].policy;
		got = render(s, "/dev/sda", serial("DISK0001"), NULL);
		CHECK(got && strstr(got, t[i].line));
		free(got);
	}
	s->attributes |= IMSM_ATTR_RAID1E;
	src.mpb = s;
	src.checksum_ok = false;
	imsm_examine_build(&src, &ex);
	f = open_memstream(&got, &len);
	if (f) {
		imsm_examine_print_text(f, "/dev/sda", &ex);
		fclose(f);
	}
	CHECK(got && strstr(got, "     Attributes : 80000019 (not supported)\n"));
	CHECK(got && strstr(got, "       Checksum : ca5eb946 incorrect\n"));
	free(got);
	imsm_free(s);
}

/* --scan grouping: same version and family; spare records only among themselves. */
static void test_same_container(void)
{
	struct imsm_super *a = load_2vol(), *b = load_2vol(), *spare = spare_record();

	if (!a || !b || !spare)
		goto out;
	CHECK(imsm_examine_same_container(a, b));
	b->family_num ^= 1; /* rebuilt: family changed, orig kept */
	CHECK(imsm_examine_same_container(a, b));
	b->orig_family_num ^= 1;
	CHECK(!imsm_examine_same_container(a, b));
	b->orig_family_num ^= 1;
	snprintf(b->version, sizeof(b->version), "1.2.02");
	CHECK(!imsm_examine_same_container(a, b));
	CHECK(!imsm_examine_same_container(a, spare));
	CHECK(!imsm_examine_same_container(spare, b));
	CHECK(imsm_examine_same_container(spare, spare));
out:
	imsm_free(a);
	imsm_free(b);
	imsm_free(spare);
}

/* §2.8 field offsets, hi words joined. */
static void test_decode_migr_rec(void)
{
	uint8_t b[IMSM_MIGR_REC_BYTES] = {0};
	struct imsm_examine_migr_rec r;

	for (unsigned int i = 0; i < 16; i++)
		b[4 * i] = (uint8_t)(i + 1); /* word i holds i + 1 */
	CHECK_INT(imsm_examine_decode_migr_rec(b, sizeof(b) - 1, &r), -EMSGSIZE);
	CHECK_INT(imsm_examine_decode_migr_rec(b, sizeof(b), &r), 0);
	CHECK_INT(r.rec_status, 1);
	CHECK_INT(r.curr_migr_unit, (13ULL << 32) | 2);
	CHECK_INT(r.family_num, 3);
	CHECK_INT(r.ascending_migr, 4);
	CHECK_INT(r.blocks_per_unit, 5);
	CHECK_INT(r.dest_depth_per_unit, 6);
	CHECK_INT(r.ckpt_area_pba, (14ULL << 32) | 7);
	CHECK_INT(r.dest_1st_member_lba, (15ULL << 32) | 8);
	CHECK_INT(r.num_migr_units, (16ULL << 32) | 9);
	CHECK_INT(r.post_migr_vol_cap, (11ULL << 32) | 10);
	CHECK_INT(r.ckpt_read_disk_num, 12);
}

int main(void)
{
	/* Creation Time is local time, as ctime() prints it; the spec's is UTC */
	setenv("TZ", "UTC", 1);
	tzset();
	fixture_init();
	RUN(test_sha1);
	RUN(test_uuid_spec_values);
	RUN(test_uuid_text);
	RUN(test_human_size);
	RUN(test_text_2vol_disk0);
	RUN(test_text_2vol_disk1);
	RUN(test_brief_and_export_2vol);
	RUN(test_text_degraded);
	RUN(test_text_init);
	RUN(test_text_gen_migration);
	RUN(test_text_bbm);
	RUN(test_spare_record);
	RUN(test_self_and_reservation);
	RUN(test_text_not_in_table);
	RUN(test_checkpoint_factor);
	RUN(test_rebuild_slots);
	RUN(test_migrate_words);
	RUN(test_policy_attributes_checksum);
	RUN(test_same_container);
	RUN(test_decode_migr_rec);
	return UNIT_DONE();
}
