/*
 * test-mdstat.c: the /proc/mdstat parser on captured and hand-made text.
 *
 * Fixtures are in tests/unit/fixtures/mdstat-*.txt (read relative to the
 * repository root, where "make check" runs), taken from the VM traces of
 * md-kernel-interface.md §10.1 and §12 plus native-array samples.  Every
 * field of every array is compared against a table.  Broken input
 * (truncated at every byte, mutated at random, hand-made oddities) must
 * give a list or -EINVAL, never a crash; ASan/UBSan watch for the rest.
 */
#include <errno.h>
#include <stdlib.h>

#include "mdstat.h"
#include "unit.h"

#define FIXTURES "tests/unit/fixtures/"

struct want_member {
	const char *name;
	int desc_nr;
	const char *flags; /* letters of (F)(S)(W)(J)(R) */
};

struct want_array {
	const char *devnm;
	bool active, read_only, auto_read_only;
	const char *level, *metadata;
	unsigned long long blocks_kib;
	int raid_disks, working_disks;
	const char *status;
	int chunk_kib;
	enum mdstat_sync sync;
	enum mdstat_sync_flag flag;
	int permille;
	unsigned long long done_kib, total_kib;
	const char *container; /* mdstat_container_of(), NULL for -ENOENT */
	bool is_container;
	int n_members;
	struct want_member members[6];
};

static char *load(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void check_member(const struct mdstat_member *m, const struct want_member *w)
{
	const char *f = w->flags ? w->flags : "";

	CHECK_STR(m->name, w->name);
	CHECK_INT(m->desc_nr, w->desc_nr);
	CHECK_INT(m->faulty, strchr(f, 'F') != NULL);
	CHECK_INT(m->spare, strchr(f, 'S') != NULL);
	CHECK_INT(m->write_mostly, strchr(f, 'W') != NULL);
	CHECK_INT(m->journal, strchr(f, 'J') != NULL);
	CHECK_INT(m->replacement, strchr(f, 'R') != NULL);
}

static void check_relations(const struct mdstat_array *a, const struct want_array *w)
{
	char buf[MDSTAT_NAME_MAX] = "";
	int r = mdstat_container_of(a, buf, sizeof(buf));

	if (w->container) {
		CHECK_INT(r, 0);
		CHECK_STR(buf, w->container);
	} else {
		CHECK_INT(r, -ENOENT);
	}
	CHECK_INT(mdstat_is_container(a), w->is_container);
}

static void check_array(const struct mdstat_array *a, const struct want_array *w)
{
	int before = unit_failed_checks, i;

	CHECK_STR(a->devnm, w->devnm);
	CHECK_INT(a->active, w->active);
	CHECK_INT(a->read_only, w->read_only);
	CHECK_INT(a->auto_read_only, w->auto_read_only);
	CHECK_STR(a->level, w->level);
	CHECK_STR(a->metadata, w->metadata);
	CHECK_INT(a->blocks_kib, w->blocks_kib);
	CHECK_INT(a->raid_disks, w->raid_disks);
	CHECK_INT(a->working_disks, w->working_disks);
	CHECK_STR(a->status, w->status);
	CHECK_INT(a->chunk_kib, w->chunk_kib);
	CHECK_INT(a->sync, w->sync);
	CHECK_INT(a->sync_flag, w->flag);
	CHECK_INT(a->sync_permille, w->permille);
	CHECK_INT(a->sync_done_kib, w->done_kib);
	CHECK_INT(a->sync_total_kib, w->total_kib);
	check_relations(a, w);
	CHECK_INT(a->n_members, w->n_members);
	for (i = 0; i < a->n_members && i < w->n_members; i++)
		check_member(&a->members[i], &w->members[i]);
	if (unit_failed_checks != before)
		fprintf(stderr, "  ^ in array %s\n", w->devnm);
}

/* Parse a fixture through mdstat_read() and compare the whole list. */
static void check_fixture(const char *name, const struct want_array *want, int n_want)
{
	struct mdstat_array *list = NULL, *a;
	char path[256];
	int n, i = 0;

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	n = mdstat_read(path, &list);
	CHECK_INT(n, n_want);
	for (a = list; a && i < n_want; a = a->next, i++) {
		check_array(a, &want[i]);
		CHECK(mdstat_find(list, want[i].devnm) == a);
	}
	CHECK_INT(i, n_want);
	mdstat_free(list);
}

#define N(x) ((int)(sizeof(x) / sizeof((x)[0])))

/* The container of §10.1 with four disks, all "(S)". */
#define IMSM_CONTAINER(dev, kib)                                                           \
	{ .devnm = dev, .level = "", .metadata = "external:imsm", .blocks_kib = kib,     \
	  .raid_disks = -1, .working_disks = -1, .status = "", .chunk_kib = -1,           \
	  .permille = -1, .is_container = true, .n_members = 4,                            \
	  .members = { { "loop3", 3, "S" }, { "loop2", 2, "S" }, { "loop1", 1, "S" },      \
		       { "loop0", 0, "S" } } }

static void test_imsm_olce(void)
{
	static const struct want_array want[] = {
		{ .devnm = "md126", .active = true, .level = "raid5",
		  .metadata = "external:-md127/0", .blocks_kib = 32768, .raid_disks = 4,
		  .working_disks = 4, .status = "UUUU", .chunk_kib = 128,
		  .sync = MDSTAT_SYNC_RESHAPE, .flag = MDSTAT_FLAG_RUNNING, .permille = 333,
		  .done_kib = 6016, .total_kib = 16384, .container = "md127", .n_members = 4,
		  .members = { { "loop3", 3, "" }, { "loop2", 2, "" }, { "loop1", 1, "" },
			       { "loop0", 0, "" } } },
		IMSM_CONTAINER("md127", 4420),
	};

	check_fixture("mdstat-imsm-olce.txt", want, N(want));
}

static void test_imsm_raid4_reshape(void)
{
	static const struct want_array want[] = {
		{ .devnm = "md126", .active = true, .level = "raid4",
		  .metadata = "external:-md127/0", .blocks_kib = 32768, .raid_disks = 4,
		  .working_disks = 3, .status = "UU__", .chunk_kib = 128,
		  .sync = MDSTAT_SYNC_RESHAPE, .flag = MDSTAT_FLAG_RUNNING, .permille = 363,
		  .done_kib = 6144, .total_kib = 16384, .container = "md127", .n_members = 3,
		  .members = { { "loop2", 3, "" }, { "loop1", 1, "" }, { "loop0", 0, "" } } },
		{ .devnm = "md127", .level = "", .metadata = "external:imsm", .blocks_kib = 3315,
		  .raid_disks = -1, .working_disks = -1, .status = "", .chunk_kib = -1,
		  .permille = -1, .is_container = true, .n_members = 3,
		  .members = { { "loop2", 2, "S" }, { "loop1", 1, "S" }, { "loop0", 0, "S" } } },
	};

	check_fixture("mdstat-imsm-raid4-reshape.txt", want, N(want));
}

static void test_imsm_degraded(void)
{
	static const struct want_array want[] = {
		{ .devnm = "md126", .active = true, .level = "raid5",
		  .metadata = "external:/md127/0", .blocks_kib = 16384, .raid_disks = 3,
		  .working_disks = 2, .status = "U_U", .chunk_kib = 128, .permille = -1,
		  .container = "md127", .n_members = 3,
		  .members = { { "loop2", 2, "" }, { "loop1", 1, "F" }, { "loop0", 0, "" } } },
		IMSM_CONTAINER("md127", 4420),
	};

	check_fixture("mdstat-imsm-degraded.txt", want, N(want));
}

static void test_imsm_auto_read_only(void)
{
	static const struct want_array want[] = {
		{ .devnm = "md124", .active = true, .read_only = true, .auto_read_only = true,
		  .level = "raid1", .metadata = "external:/md125/0", .blocks_kib = 8192,
		  .raid_disks = 2, .working_disks = 2, .status = "UU", .chunk_kib = -1,
		  .permille = -1, .container = "md125", .n_members = 2,
		  .members = { { "loop0", 1, "" }, { "loop1", 0, "" } } },
		{ .devnm = "md125", .level = "", .metadata = "external:imsm", .blocks_kib = 2210,
		  .raid_disks = -1, .working_disks = -1, .status = "", .chunk_kib = -1,
		  .permille = -1, .is_container = true, .n_members = 2,
		  .members = { { "loop1", 1, "S" }, { "loop0", 0, "S" } } },
	};

	check_fixture("mdstat-imsm-auto-ro.txt", want, N(want));
}

static void test_inactive_member(void)
{
	static const struct want_array want[] = {
		{ .devnm = "md101", .level = "", .metadata = "external:/md100/0",
		  .blocks_kib = 24576, .raid_disks = -1, .working_disks = -1, .status = "",
		  .chunk_kib = -1, .permille = -1, .container = "md100", .n_members = 3,
		  .members = { { "loop2", 2, "" }, { "loop1", 1, "" }, { "loop0", 0, "" } } },
		{ .devnm = "md100", .level = "", .metadata = "external:imsm", .blocks_kib = 3315,
		  .raid_disks = -1, .working_disks = -1, .status = "", .chunk_kib = -1,
		  .permille = -1, .is_container = true, .n_members = 3,
		  .members = { { "loop2", 2, "S" }, { "loop1", 1, "S" }, { "loop0", 0, "S" } } },
	};

	check_fixture("mdstat-inactive-member.txt", want, N(want));
}

static void test_imsm_two_volumes(void)
{
	static const struct want_array want[] = {
		{ .devnm = "md125", .active = true, .level = "raid10",
		  .metadata = "external:/md127/1", .blocks_kib = 16384, .raid_disks = 4,
		  .working_disks = 3, .status = "UU_U", .chunk_kib = 128,
		  .sync = MDSTAT_SYNC_RECOVERY, .flag = MDSTAT_FLAG_RUNNING, .permille = 50,
		  .done_kib = 412, .total_kib = 8192, .container = "md127", .n_members = 4,
		  .members = { { "loop3", 3, "" }, { "loop2", 2, "" }, { "loop1", 1, "" },
			       { "loop0", 0, "" } } },
		{ .devnm = "md126", .active = true, .level = "raid0",
		  .metadata = "external:/md127/0", .blocks_kib = 65536, .raid_disks = -1,
		  .working_disks = -1, .status = "", .chunk_kib = 128, .permille = -1,
		  .container = "md127", .n_members = 4,
		  .members = { { "loop3", 3, "" }, { "loop2", 2, "" }, { "loop1", 1, "" },
			       { "loop0", 0, "" } } },
		IMSM_CONTAINER("md127", 4420),
	};

	check_fixture("mdstat-imsm-two-volumes.txt", want, N(want));
}

/* Native arrays; the bitmap's "65536KB chunk" must not become the chunk. */
static void test_native_resync_delayed(void)
{
	static const struct want_array want[] = {
		{ .devnm = "md1", .active = true, .level = "raid5", .metadata = "1.2",
		  .blocks_kib = 2093056, .raid_disks = 3, .working_disks = 3, .status = "UUU",
		  .chunk_kib = 512, .sync = MDSTAT_SYNC_RESYNC, .flag = MDSTAT_FLAG_DELAYED,
		  .permille = -1, .n_members = 3,
		  .members = { { "sdb2", 1, "" }, { "sdc2", 2, "" }, { "sda2", 0, "" } } },
		{ .devnm = "md0", .active = true, .level = "raid1", .metadata = "1.2",
		  .blocks_kib = 1046528, .raid_disks = 2, .working_disks = 2, .status = "UU",
		  .chunk_kib = -1, .sync = MDSTAT_SYNC_RESYNC, .flag = MDSTAT_FLAG_RUNNING,
		  .permille = 125, .done_kib = 131072, .total_kib = 1046528, .n_members = 2,
		  .members = { { "sdb1", 1, "" }, { "sda1", 0, "" } } },
	};

	check_fixture("mdstat-native-resync.txt", want, N(want));
}

static void test_flags_and_states(void)
{
	static const struct want_array want[] = {
		{ .devnm = "md_data", .active = true, .level = "raid1", .metadata = "1.2",
		  .blocks_kib = 1046528, .raid_disks = 2, .working_disks = 1, .status = "U_",
		  .chunk_kib = -1, .sync = MDSTAT_SYNC_RECOVERY, .permille = 271,
		  .done_kib = 284160, .total_kib = 1046528, .n_members = 4,
		  .members = { { "sdd1", 2, "W" }, { "sdc1", 3, "S" }, { "sdb1", 1, "WF" },
			       { "sda1", 0, "" } } },
		{ .devnm = "md5", .active = true, .read_only = true, .level = "raid5",
		  .metadata = "1.2", .blocks_kib = 2093056, .raid_disks = 3, .working_disks = 3,
		  .status = "UUU", .chunk_kib = 64, .sync = MDSTAT_SYNC_RESYNC,
		  .flag = MDSTAT_FLAG_PENDING, .permille = -1, .n_members = 4,
		  .members = { { "nvme2n1", 3, "" }, { "nvme1n1", 1, "" }, { "nvme0n1", 0, "" },
			       { "nvme3n1", 4, "J" } } },
		{ .devnm = "md6", .active = true, .level = "raid1", .metadata = "1.2",
		  .blocks_kib = 523264, .raid_disks = 2, .working_disks = 2, .status = "UU",
		  .chunk_kib = -1, .sync = MDSTAT_SYNC_CHECK, .permille = 1000,
		  .done_kib = 523264, .total_kib = 523264, .n_members = 3,
		  .members = { { "sdf1", 2, "R" }, { "sde1", 1, "" }, { "sdg1", 0, "" } } },
		{ .devnm = "md7", .active = true, .level = "raid0", .metadata = "",
		  .blocks_kib = 2093056, .raid_disks = -1, .working_disks = -1, .status = "",
		  .chunk_kib = 64, .permille = -1, .n_members = 2,
		  .members = { { "sdh", 1, "" }, { "sdi", 0, "" } } },
		{ .devnm = "md8", .active = true, .level = "raid1", .metadata = "1.2",
		  .blocks_kib = 1046528, .raid_disks = 2, .working_disks = 2, .status = "UU",
		  .chunk_kib = -1, .sync = MDSTAT_SYNC_RESHAPE, .flag = MDSTAT_FLAG_REMOTE,
		  .permille = -1, .n_members = 2,
		  .members = { { "sdj1", 1, "" }, { "sdk1", 0, "" } } },
	};

	check_fixture("mdstat-flags.txt", want, N(want));
}

/* Parse text given inline; returns the count or -errno, list freed. */
static int parse_count(const char *text)
{
	struct mdstat_array *list = NULL;
	int r = mdstat_parse(text, &list);

	mdstat_free(list);
	return r;
}

static void test_empty_and_skipped(void)
{
	struct mdstat_array *list = (struct mdstat_array *)&list; /* must be set */

	CHECK_INT(mdstat_parse("", &list), 0);
	CHECK(list == NULL);
	CHECK_INT(parse_count("Personalities : \nunused devices: <none>\n"), 0);
	CHECK_INT(parse_count("read_ahead 1024 sectors\n\n\n"), 0);
	/* not array lines: "mdx", a name of 32+ characters, stray blanks */
	CHECK_INT(parse_count("mdx : active raid1 a[0]\n"), 0);
	CHECK_INT(parse_count("md_0123456789012345678901234567890 : active raid1 a[0]\n"), 0);
	CHECK_INT(parse_count("   md0 : active raid1 a[0]\n      1 blocks\n"), 0);
	CHECK_INT(mdstat_parse(NULL, &list), -EINVAL);
	CHECK_INT(mdstat_read(FIXTURES "no-such-file.txt", &list), -ENOENT);
}

static void test_malformed(void)
{
	struct mdstat_array *list = (struct mdstat_array *)&list;
	char long_blocks[400];

	/* a block count longer than the word buffer: 300 digits */
	snprintf(long_blocks, sizeof(long_blocks), "md0 : inactive a[0]\n      %0300d blocks\n",
		 1);

	CHECK_INT(mdstat_parse("md0\n", &list), -EINVAL);
	CHECK(list == (struct mdstat_array *)&list); /* untouched on failure */
	CHECK_INT(parse_count("md0 : \n"), -EINVAL);
	CHECK_INT(parse_count("md0 active raid1 a[0]\n"), -EINVAL);
	CHECK_INT(parse_count("md0 : running raid1 a[0]\n"), -EINVAL);
	CHECK_INT(parse_count("md0 : active\n"), -EINVAL);
	CHECK_INT(parse_count("md0 : active (read-only)\n"), -EINVAL);
	CHECK_INT(parse_count("md0 : active loop0[0]\n      1 blocks\n"), -EINVAL);
	CHECK_INT(parse_count("md0 : active raid1 loop0[\n"), -EINVAL);
	CHECK_INT(parse_count("md0 : active raid1 loop0[x]\n"), -EINVAL);
	CHECK_INT(parse_count("md0 : active raid1 [0]\n"), -EINVAL);
	CHECK_INT(parse_count("md0 : active raid1 a[0](F\n"), -EINVAL);
	CHECK_INT(parse_count("md0 : active raid1 a[99999999999]\n"), -EINVAL);
	CHECK_INT(parse_count("md0 : active raid1 a[0] b[1] blocks\n"), -EINVAL);
	CHECK_INT(parse_count("md0 : inactive a[0]\n      x1 blocks\n"), -EINVAL);
	CHECK_INT(parse_count("md0 : active raid1 a[0]\n      99999999999999999999999 blocks\n"),
		  -EINVAL);
	CHECK_INT(parse_count("md0 : active raid1 a0123456789012345678901234567890123[0]\n"),
		  -EINVAL);
	CHECK_INT(parse_count("md0 : active raid1 a[0]\n      1 blocks super "
			      "external:/md127/0123456789012345678901234567890123456789\n"),
		  -EINVAL);
	CHECK_INT(parse_count("md0 : active raid0123456789abcdef a[0]\n"), -EINVAL);
	CHECK_INT(parse_count(long_blocks), -EINVAL);
	/* a good entry before a bad one: all of it fails, nothing leaks */
	CHECK_INT(parse_count("md1 : active raid1 a[0]\n      1 blocks\n\nmd0 : bogus\n"),
		  -EINVAL);
}

/* Unknown or odd words inside an otherwise valid entry are skipped. */
static void test_tolerated(void)
{
	struct mdstat_array *list = NULL;
	int r;

	r = mdstat_parse("md0 : active raid1 a[0](X) b[1]\n"
			 "      100 blocks super 1.2 [2/x] [2/2] [UU] [UUUU] [==>..]  resync "
			 "= 50.5x% resync = 7.5% (1/) finish=1min\n"
			 "      bitmap: 0/1 pages [0KB], 4096KB chunk\n"
			 "md2 : inactive\n"
			 "       super external:imsm\n",
			 &list);
	CHECK_INT(r, 2);
	if (r != 2) {
		mdstat_free(list);
		return;
	}
	CHECK_INT(list->n_members, 2);
	CHECK_INT(list->members[0].faulty, 0);
	CHECK_INT(list->raid_disks, 2);
	CHECK_STR(list->status, "UU");
	CHECK_INT(list->chunk_kib, -1);
	CHECK_INT(list->sync, MDSTAT_SYNC_RESYNC);
	CHECK_INT(list->sync_permille, 75);
	CHECK_INT(list->sync_done_kib, 0);
	CHECK_STR(list->next->metadata, "external:imsm");
	CHECK_INT(list->next->n_members, 0);
	CHECK_INT(list->next->blocks_kib, 0);
	mdstat_free(list);
}

/* "reshape =  5.0%" pads to 3 digits; "=100.0%" is glued. */
static void test_percent_spellings(void)
{
	static const struct {
		const char *progress;
		int permille;
		enum mdstat_sync sync;
	} cases[] = {
		{ "resync =  0.0% (0/10)", 0, MDSTAT_SYNC_RESYNC },
		{ "resync = 99.9% (9/10)", 999, MDSTAT_SYNC_RESYNC },
		{ "reshape =100.0% (10/10)", 1000, MDSTAT_SYNC_RESHAPE },
		{ "recovery=12.3% (1/10)", 123, MDSTAT_SYNC_RECOVERY },
		{ "check = 42% (4/10)", 420, MDSTAT_SYNC_CHECK },
		{ "recover=REMOTE", -1, MDSTAT_SYNC_RECOVERY },
		{ "speed=5% finish=3%", -1, MDSTAT_SYNC_NONE },
	};
	struct mdstat_array *list;
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "md9 : active raid1 a[0] b[1]\n      10 blocks [2/2] [UU]\n"
			 "      [>....]  %s\n      \n",
			 cases[i].progress);
		list = NULL;
		CHECK_INT(mdstat_parse(text, &list), 1);
		if (!list)
			continue;
		CHECK_INT(list->sync_permille, cases[i].permille);
		CHECK_INT(list->sync, cases[i].sync);
		mdstat_free(list);
	}
}

static void test_container_of(void)
{
	struct mdstat_array a = { .metadata = "external:/md127/0" };
	char buf[MDSTAT_NAME_MAX] = "unchanged";

	CHECK_INT(mdstat_container_of(&a, buf, 5), -ERANGE);
	CHECK_STR(buf, "unchanged");
	CHECK_INT(mdstat_container_of(&a, buf, 6), 0);
	CHECK_STR(buf, "md127");
	snprintf(a.metadata, sizeof(a.metadata), "external:-md_foo/1");
	CHECK_INT(mdstat_container_of(&a, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "md_foo");
	CHECK(!mdstat_is_container(&a));
	snprintf(a.metadata, sizeof(a.metadata), "external://0");
	CHECK_INT(mdstat_container_of(&a, buf, sizeof(buf)), -ENOENT);
	snprintf(a.metadata, sizeof(a.metadata), "1.2");
	CHECK_INT(mdstat_container_of(&a, buf, sizeof(buf)), -ENOENT);
	CHECK(!mdstat_is_container(&a));
	snprintf(a.metadata, sizeof(a.metadata), "external:");
	CHECK(!mdstat_is_container(&a));
	CHECK(mdstat_find(NULL, "md0") == NULL);
	CHECK(mdstat_find(&a, "md0") == NULL);
}

static const char *const fixtures[] = {
	"mdstat-imsm-olce.txt",	       "mdstat-imsm-raid4-reshape.txt",
	"mdstat-imsm-degraded.txt",    "mdstat-imsm-auto-ro.txt",
	"mdstat-inactive-member.txt",  "mdstat-imsm-two-volumes.txt",
	"mdstat-native-resync.txt",    "mdstat-flags.txt",
};

/* A parse of damaged text gives a list or -EINVAL, never anything else. */
static int parse_damaged(const char *text)
{
	int r = parse_count(text);

	return r >= 0 || r == -EINVAL;
}

/* Every prefix of every fixture, as a read cut short would give. */
static void test_truncated(void)
{
	char path[256], *text, saved;
	size_t f, len, cut;
	int bad = 0;

	for (f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
		snprintf(path, sizeof(path), FIXTURES "%s", fixtures[f]);
		text = load(path);
		CHECK(text != NULL);
		if (!text)
			continue;
		len = strlen(text);
		for (cut = 0; cut <= len; cut++) {
			saved = text[cut];
			text[cut] = '\0';
			bad += !parse_damaged(text);
			text[cut] = saved;
		}
		free(text);
	}
	CHECK_INT(bad, 0);
}

/* Random byte changes (fixed seed, so a failure repeats). */
static void test_mutated(void)
{
	static const char alphabet[] = " \t\n[]()/:=%.0123456789kKUSF_-md";
	unsigned int seed = 12345;
	char path[256], *text;
	size_t f, len;
	int round, k, bad = 0;

	for (f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
		snprintf(path, sizeof(path), FIXTURES "%s", fixtures[f]);
		text = load(path);
		if (!text)
			continue;
		len = strlen(text);
		for (round = 0; round < 300; round++) {
			char *copy = strdup(text);

			for (k = 0; copy && k < 4; k++) {
				seed = seed * 1103515245u + 12345u;
				copy[(seed >> 8) % len] =
					alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
			}
			bad += copy && !parse_damaged(copy);
			free(copy);
		}
		free(text);
	}
	CHECK_INT(bad, 0);
}

int main(void)
{
	RUN(test_imsm_olce);
	RUN(test_imsm_raid4_reshape);
	RUN(test_imsm_degraded);
	RUN(test_imsm_auto_read_only);
	RUN(test_inactive_member);
	RUN(test_imsm_two_volumes);
	RUN(test_native_resync_delayed);
	RUN(test_flags_and_states);
	RUN(test_empty_and_skipped);
	RUN(test_malformed);
	RUN(test_tolerated);
	RUN(test_percent_spellings);
	RUN(test_container_of);
	RUN(test_truncated);
	RUN(test_mutated);
	return UNIT_DONE();
}
