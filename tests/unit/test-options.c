/*
 * test-options.c: the command line parser (mdadm.c) and the number
 * parsers it relies on (util.c).  Each case parses a real argv and checks
 * the request, or the exit code and the single stderr line.
 */
#include "mdadm.h"
#include "mdadm-options.h"
#include "unit.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARGV(...) ((char *[]){ "mdadm", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "mdadm", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(req, ...) parse_request(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), req)

/* Parse with stderr captured; returns the exit code, message in buf. */
static int parse_capture(int argc, char **argv, char *buf, size_t len)
{
	struct request req;
	FILE *tmp = tmpfile();
	int saved = dup(2), r;
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), 2);
	r = parse_request(argc, argv, &req);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	if (r == 0)
		free_request(&req);
	return r;
}

#define CAPTURE(buf, ...) parse_capture(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), buf, sizeof(buf))

static void test_create_volume(void)
{
	struct request req;

	CHECK_INT(PARSE(&req, "-C", "/dev/md/vol0", "-l5", "-n", "3", "--chunk=128", "-z", "1G",
			"--assume-clean", "/dev/loop0", "/dev/loop1", "/dev/loop2"),
		  0);
	CHECK_INT(req.mode, MODE_CREATE);
	CHECK_STR(req.array, "/dev/md/vol0");
	CHECK_INT(req.level, 5);
	CHECK_INT(req.raid_devices, 3);
	CHECK_INT(req.chunk_kib, 128);
	CHECK_INT(req.size_kib, 1024 * 1024);
	CHECK(req.assume_clean);
	CHECK_INT(req.n_devs, 3);
	CHECK_STR(req.devs[2].path, "/dev/loop2");
	free_request(&req);
}

static void test_long_spellings(void)
{
	struct request req;

	CHECK_INT(PARSE(&req, "--create", "/dev/md/imsm0", "--metadata=imsm", "--raid-devices=4",
			"--run", "a", "b", "c", "d"),
		  0);
	CHECK_STR(req.metadata, "imsm");
	CHECK_INT(req.raid_devices, 4);
	CHECK(req.run);
	CHECK_INT(req.level, UNSET);
	free_request(&req);
	CHECK_INT(PARSE(&req, "--grow", "/dev/md/imsm0", "--raid-devices=5", "--backup-file",
			"/root/b", "--layout", "left-asymmetric"),
		  0);
	CHECK_INT(req.mode, MODE_GROW);
	CHECK_STR(req.backup_file, "/root/b");
	CHECK_STR(req.layout, "left-asymmetric");
	free_request(&req);
}

static void test_manage_actions(void)
{
	struct request req;

	CHECK_INT(PARSE(&req, "/dev/md0", "--add", "/dev/sdb", "/dev/sdc", "-f", "/dev/sdd", "-r",
			"/dev/sde"),
		  0);
	CHECK_INT(req.mode, MODE_MANAGE);
	CHECK_STR(req.array, "/dev/md0");
	CHECK_INT(req.n_devs, 4);
	CHECK_INT(req.devs[0].action, MANAGE_ADD);
	CHECK_INT(req.devs[1].action, MANAGE_ADD);
	CHECK_INT(req.devs[2].action, MANAGE_FAIL);
	CHECK_INT(req.devs[3].action, MANAGE_REMOVE);
	free_request(&req);
	/* an action before the array applies to the devices after it */
	CHECK_INT(PARSE(&req, "--add", "/dev/md/imsm0", "/dev/sdb", "/dev/sdc"), 0);
	CHECK_INT(req.mode, MODE_MANAGE);
	CHECK_STR(req.array, "/dev/md/imsm0");
	CHECK_INT(req.n_devs, 2);
	CHECK_INT(req.devs[1].action, MANAGE_ADD);
	free_request(&req);
	CHECK_INT(PARSE(&req, "-a", "/dev/md/imsm0", "/dev/sdb"), 0);
	CHECK_STR(req.array, "/dev/md/imsm0");
	CHECK_INT(req.devs[0].action, MANAGE_ADD);
	free_request(&req);
	/* -f means --force while assembling */
	CHECK_INT(PARSE(&req, "-A", "/dev/md0", "-f", "/dev/sda"), 0);
	CHECK(req.force);
	CHECK_INT(req.devs[0].action, MANAGE_NONE);
	free_request(&req);
}

static void test_misc_modes(void)
{
	struct request req;

	CHECK_INT(PARSE(&req, "-D", "--export", "/dev/md126", "/dev/md127"), 0);
	CHECK_INT(req.mode, MODE_DETAIL);
	CHECK(req.export);
	CHECK(req.array == NULL);
	CHECK_INT(req.n_devs, 2);
	free_request(&req);
	CHECK_INT(PARSE(&req, "--examine", "--scan"), 0);
	CHECK(req.scan);
	free_request(&req);
	CHECK_INT(PARSE(&req, "/dev/md0"), 0);
	CHECK_INT(req.mode, MODE_QUERY);
	free_request(&req);
	CHECK_INT(PARSE(&req, "-V"), 0);
	CHECK_INT(req.mode, MODE_VERSION);
	free_request(&req);
	CHECK_INT(PARSE(&req, "--assemble", "--scan"), 0);
	CHECK(req.array == NULL);
	free_request(&req);
}


/* Every alias and spelling upstream's scripts use, in the mode they belong to. */
static void test_upstream_aliases(void)
{
	struct request req;

	CHECK_INT(PARSE(&req, "--create", "/dev/md/vol0", "--auto=md", "--raid-disks=3",
			"--level=raid5", "--rounding=64", "--parity=left-asymmetric", "-N", "data",
			"--homehost=any", "--bitmap=none", "-k", "resync", "a", "b", "c"),
		  0);
	CHECK_INT(req.raid_devices, 3);
	CHECK_INT(req.chunk_kib, 64);
	CHECK_STR(req.layout, "left-asymmetric");
	CHECK_STR(req.name, "data");
	CHECK_STR(req.homehost, "any");
	CHECK(req.not_imsm == NULL);
	free_request(&req);
	/* -a is --auto when creating, -b --bitmap, -c --chunk */
	CHECK_INT(PARSE(&req, "-C", "/dev/md/imsm0", "-amd", "-e", "imsm", "-n2", "-x1", "-b", "none",
			"a", "b", "c"),
		  0);
	CHECK_INT(req.spare_devices, 1);
	CHECK_INT(req.n_devs, 3);
	free_request(&req);
	CHECK_INT(PARSE(&req, "-C", "v", "-l0", "-n2", "-c", "128", "a", "b"), 0);
	CHECK_INT(req.chunk_kib, 128);
	free_request(&req);
	/* ... and -c is --config elsewhere, -b --brief */
	CHECK_INT(PARSE(&req, "-Ebsc", "partitions"), 0);
	CHECK_INT(req.mode, MODE_EXAMINE);
	CHECK(req.brief && req.scan);
	CHECK_STR(req.config, "partitions");
	free_request(&req);
	CHECK_INT(PARSE(&req, "--spare-disks=2", "-C", "x", "-e", "imsm", "-n2", "a", "b"), 2);
	CHECK_INT(PARSE(&req, "--bitmap=internal", "-C", "x"), 2);
	CHECK_INT(PARSE(&req, "-C", "x", "--bitmap=internal", "-l1", "-n2", "a", "b"), 0);
	CHECK_STR(req.not_imsm, "bitmap");
	free_request(&req);
	CHECK_INT(PARSE(&req, "-C", "x", "--write-journal=/dev/j", "-l5", "-n3", "a", "b", "c"), 0);
	CHECK_STR(req.not_imsm, "write-journal");
	free_request(&req);
}

/* getopt_long's abbreviations, as upstream's test suite writes them. */
static void test_abbreviations(void)
{
	struct request req;

	CHECK_INT(PARSE(&req, "--zero", "/dev/sda", "/dev/sdb"), 0);
	CHECK_INT(req.mode, MODE_ZERO_SUPERBLOCK);
	CHECK_INT(req.n_devs, 2);
	free_request(&req);
	CHECK_INT(PARSE(&req, "--cre", "/dev/md0", "--lev=1", "--raid-d=2", "--assu", "a", "b"), 0);
	CHECK_INT(req.mode, MODE_CREATE);
	CHECK_INT(req.level, 1);
	CHECK(req.assume_clean);
	free_request(&req);
	CHECK_INT(PARSE(&req, "--detail", "--sc", "--verb"), 0);
	CHECK_INT(req.mode, MODE_DETAIL);
	CHECK(req.scan);
	CHECK_INT(req.verbose, 1);
	free_request(&req);
}

/* Misc mode: its actions and the whole-array actions of manage mode. */
static void test_misc_actions(void)
{
	struct request req;

	CHECK_INT(PARSE(&req, "-Ss"), 0);
	CHECK_INT(req.mode, MODE_STOP);
	CHECK(req.scan);
	free_request(&req);
	CHECK_INT(PARSE(&req, "--misc", "--stop", "/dev/md126", "/dev/md127"), 0);
	CHECK_INT(req.mode, MODE_STOP);
	CHECK_INT(req.n_devs, 2);
	free_request(&req);
	CHECK_INT(PARSE(&req, "--manage", "/dev/md/vol0", "--stop"), 0);
	CHECK_INT(req.mode, MODE_STOP);
	CHECK_STR(req.devs[0].path, "/dev/md/vol0");
	free_request(&req);
	CHECK_INT(PARSE(&req, "--manage", "/dev/md/vol0", "-o"), 0);
	CHECK_INT(req.mode, MODE_READONLY);
	free_request(&req);
	CHECK_INT(PARSE(&req, "-w", "/dev/md/vol0"), 0);
	CHECK_INT(req.mode, MODE_READWRITE);
	free_request(&req);
	CHECK_INT(PARSE(&req, "/dev/md0", "--fail", "/dev/sda", "--remove", "/dev/sda", "--readwrite"),
		  0);
	CHECK_INT(req.mode, MODE_MANAGE);
	CHECK_INT(req.array_ops, ARRAY_OP_READWRITE);
	CHECK_INT(req.devs[1].action, MANAGE_REMOVE);
	free_request(&req);
	CHECK_INT(PARSE(&req, "/dev/md0", "--set-faulty", "/dev/sda", "--remove", "detached"), 0);
	CHECK_INT(req.devs[0].action, MANAGE_FAIL);
	CHECK_STR(req.devs[1].path, "detached");
	free_request(&req);
	CHECK_INT(PARSE(&req, "--kill-subarray=1", "/dev/md/imsm0"), 0);
	CHECK_INT(req.mode, MODE_KILL_SUBARRAY);
	CHECK_STR(req.subarray, "1");
	free_request(&req);
	CHECK_INT(PARSE(&req, "--update-subarray=0", "--update=name", "-N", "new", "/dev/md/imsm0"),
		  0);
	CHECK_INT(req.mode, MODE_UPDATE_SUBARRAY);
	CHECK_STR(req.update, "name");
	CHECK_STR(req.name, "new");
	free_request(&req);
	CHECK_INT(PARSE(&req, "--action=check", "/dev/md/vol0"), 0);
	CHECK_INT(req.mode, MODE_ACTION);
	CHECK_STR(req.action, "check");
	free_request(&req);
	CHECK_INT(PARSE(&req, "--detail-platform", "-e", "imsm", "--export"), 0);
	CHECK_INT(req.mode, MODE_DETAIL_PLATFORM);
	free_request(&req);
	CHECK_INT(PARSE(&req, "--wait-clean", "--scan"), 0);
	CHECK_INT(req.mode, MODE_WAIT_CLEAN);
	free_request(&req);
	CHECK_INT(PARSE(&req, "-Dsv", "--no-devices", "--test", "--json"), 0);
	CHECK(req.no_devices && req.test && req.json);
	free_request(&req);
}

/* Assembly and incremental spellings of udev, initramfs and systemd. */
static void test_assemble_incremental(void)
{
	struct request req;

	CHECK_INT(PARSE(&req, "-A", "--scan", "-c", "/etc/m.conf", "--no-degraded",
			"--freeze-reshape", "--offroot", "-u", "12345678:9abcdef0.12345678-9ABCDEF0"),
		  0);
	CHECK_STR(req.config, "/etc/m.conf");
	CHECK(req.no_degraded && req.freeze_reshape);
	CHECK_INT(req.uuid_bin[0], 0x12);
	CHECK_INT(req.uuid_bin[15], 0xf0);
	free_request(&req);
	CHECK_INT(PARSE(&req, "--incremental", "--export", "/dev/sda", "--offroot"), 0);
	CHECK_INT(req.mode, MODE_INCREMENTAL);
	CHECK(req.export);
	free_request(&req);
	CHECK_INT(PARSE(&req, "-If", "sda", "--path", "pci-0000:00:1f.2-ata-1"), 0);
	CHECK_INT(req.devs[0].action, MANAGE_FAIL);
	CHECK_STR(req.remove_path, "pci-0000:00:1f.2-ata-1");
	free_request(&req);
	CHECK_INT(PARSE(&req, "-IRs"), 0);
	CHECK(req.run && req.scan);
	free_request(&req);
	CHECK_INT(PARSE(&req, "--incremental", "--export", "/dev/sda", "--offroot",
			"/dev/disk/by-id/ata-X", "/dev/disk/by-path/pci-0"),
		  0);
	CHECK_INT(req.n_devs, 3);
	free_request(&req);
	CHECK_INT(PARSE(&req, "-Ir"), 0);
	CHECK(req.rebuild_map);
	free_request(&req);
}

static void test_help_version(void)
{
	struct request req;

	CHECK_INT(PARSE(&req, "--create", "--help"), 0);
	CHECK_INT(req.mode, MODE_HELP);
	CHECK_INT(req.help_for, 3); /* MJ_CREATE */
	free_request(&req);
	CHECK_INT(PARSE(&req, "--misc", "-h"), 0);
	CHECK_INT(req.help_for, 8); /* MJ_MISC */
	free_request(&req);
	CHECK_INT(PARSE(&req, "-V"), 0);
	CHECK_INT(req.mode, MODE_VERSION);
	free_request(&req);
}

static void test_parse_uuid(void)
{
	unsigned char u[16];

	CHECK_INT(util_parse_uuid("0123456789abcdef0123456789ABCDEF", u), 0);
	CHECK_INT(u[1], 0x23);
	CHECK_INT(util_parse_uuid("01234567-89ab-cdef-0123-456789abcdef", u), 0);
	CHECK(util_parse_uuid("0123456789abcdef0123456789abcde", u) < 0);
	CHECK(util_parse_uuid("0123456789abcdef0123456789abcdef0", u) < 0);
	CHECK(util_parse_uuid("0123456789abcdef0123456789abcdeg", u) < 0);
	CHECK(util_parse_uuid("", u) < 0);
}

/* A value each option accepts, for the sweep below. */
static const char *sample_value(int id)
{
	switch (id) {
	case 'l': return "5";
	case 'n': return "3";
	case 'x': return "1";
	case 'e': return "imsm";
	case 'k': return "resync";
	case 'u': return "01234567:89abcdef:01234567:89abcdef";
	case 'U': return "name";
	case 'z': case 'Z': case OPT_CHUNK: case OPT_DATA_OFFSET: return "64";
	case OPT_BITMAP: return "none";
	case OPT_ACTION: return "check";
	case OPT_KILL_SUBARRAY: case OPT_UPDATE_SUBARRAY: return "0";
	case 'd': case OPT_INCREMENT: case OPT_NODES: case OPT_WRITE_BEHIND: return "2";
	case OPT_LOGICAL_BLOCK_SIZE: return "512";
	default: return "x";
	}
}

/* The mode options of a line on which o is valid (NULL: o sets it itself). */
static const char *const *mode_for(const struct opt_def *o)
{
	static const char *const by_major[MJ_COUNT][3] = {
		[MJ_ASSEMBLE] = { "-A", "/dev/md0" }, [MJ_BUILD] = { "-B", "/dev/md0" },
		[MJ_CREATE] = { "-C", "/dev/md0" },   [MJ_MONITOR] = { "-F" },
		[MJ_GROW] = { "-G", "/dev/md0" },     [MJ_INCREMENTAL] = { "-I" },
		[MJ_MANAGE] = { "--manage", "/dev/md0" }, [MJ_MISC] = { "-D" },
	};

	if (o->effect != EFF_VALUE)
		return NULL;
	for (int mj = 1; mj < MJ_COUNT; mj++)
		if (o->majors & MJ_BIT(mj))
			return by_major[mj];
	return NULL;
}

/*
 * Every long option and alias of the table is recognised, and accepted in
 * a mode it belongs to: whatever else the line lacks, the parser never
 * answers "unrecognized", "ambiguous" or "not valid" for it.
 */
static void test_every_option_recognised(void)
{
	char m[512], opt[96];

	for (size_t i = 0; i < opt_table_len; i++) {
		const struct opt_def *o = &opt_table[i];
		const char *const *mode = mode_for(o);
		char *argv[8] = { "mdadm" };
		int argc = 1, r;

		for (int j = 0; mode && j < 2 && mode[j]; j++)
			argv[argc++] = (char *)mode[j];
		if (o->has_arg == required_argument)
			snprintf(opt, sizeof(opt), "--%s=%s", o->long_name, sample_value(o->id));
		else
			snprintf(opt, sizeof(opt), "--%s", o->long_name);
		argv[argc++] = opt;
		argv[argc++] = "/dev/loop0";
		argv[argc] = NULL;
		r = parse_capture(argc, argv, m, sizeof(m));
		if (r != 0 && (strstr(m, "unrecognized") || strstr(m, "ambiguous") ||
			       strstr(m, "not valid"))) {
			fprintf(stderr, "  --%s: %s", o->long_name, m);
			CHECK(false);
		}
	}
}

/* Aliases mean the same: the request is the same field for field. */
static void test_aliases_equal(void)
{
	struct request a, b;

	CHECK_INT(PARSE(&a, "-C", "v", "--raid-disks=3", "--spare-disks=1", "--parity=la", "--rounding=8",
			"-l5", "x", "y", "z"),
		  0);
	CHECK_INT(PARSE(&b, "-C", "v", "--raid-devices=3", "--spare-devices=1", "--layout=la",
			"--chunk=8", "-l5", "x", "y", "z"),
		  0);
	CHECK_INT(a.raid_devices, b.raid_devices);
	CHECK_INT(a.spare_devices, b.spare_devices);
	CHECK_STR(a.layout, b.layout);
	CHECK_INT(a.chunk_kib, b.chunk_kib);
	free_request(&a);
	free_request(&b);
	CHECK_INT(PARSE(&a, "--follow", "--scan", "--daemonize", "--alert=/bin/true"), 0);
	CHECK_INT(PARSE(&b, "--monitor", "--scan", "--daemonise", "--program=/bin/true"), 0);
	CHECK_INT(a.mode, b.mode);
	CHECK_INT(a.mode, MODE_MONITOR);
	free_request(&a);
	free_request(&b);
}

static void test_levels(void)
{
	CHECK_INT(level_from_name("raid10"), 10);
	CHECK_INT(level_from_name("mirror"), 1);
	CHECK_INT(level_from_name("0"), 0);
	CHECK_INT(level_from_name("container"), LEVEL_CONTAINER);
	CHECK_INT(level_from_name("raid7"), UNSET);
	CHECK_STR(level_name(5), "raid5");
}

static void expect_usage(const char *what, int got, const char *msg, const char *want)
{
	if (got != EXIT_USAGE || !strstr(msg, want) || strncmp(msg, "mdadm: ", 7) != 0 ||
	    strchr(msg, '\n') != msg + strlen(msg) - 1) {
		fprintf(stderr, "  %s: exit %d, message \"%s\", expected \"%s\"\n", what, got, msg,
			want);
		unit_failed_checks++;
	}
}

static void test_bad_input(void)
{
	char m[512];

	expect_usage("empty", CAPTURE(m, "-q"), m, "no mode");
	expect_usage("conflict", CAPTURE(m, "-C", "x", "-A"), m, "already set to \"create\"");
	expect_usage("unknown long", CAPTURE(m, "--bogus"), m, "unrecognized option '--bogus'");
	expect_usage("unknown short", CAPTURE(m, "-J"), m, "invalid option -- 'J'");
	expect_usage("missing arg", CAPTURE(m, "-C", "x", "-n"), m, "--raid-devices (-n) requires");
	expect_usage("missing long arg", CAPTURE(m, "-C", "x", "--level"), m, "--level requires");
	expect_usage("bad level", CAPTURE(m, "-C", "x", "-l", "raid7"), m, "invalid raid level");
	expect_usage("bad count", CAPTURE(m, "-C", "x", "-n", "3x"), m, "invalid number");
	expect_usage("bad chunk", CAPTURE(m, "-C", "x", "-c", "0"), m, "invalid --chunk");
	expect_usage("twice", CAPTURE(m, "-C", "x", "-n2", "-n3"), m, "only be given once");
	expect_usage("wrong mode", CAPTURE(m, "-D", "-l5", "x"), m, "--level is not valid in misc mode");
	expect_usage("no array", CAPTURE(m, "-C"), m, "an md device must be given");
	expect_usage("no devs", CAPTURE(m, "-E"), m, "no devices given");
	expect_usage("first not mode", CAPTURE(m, "--scan"), m, "does not set the mode");
	expect_usage("alias named", CAPTURE(m, "--raid-disks=3"), m, "--raid-disks does not set");
	expect_usage("misc after dev", CAPTURE(m, "/dev/md0", "-S"), m, "no action given for");
	expect_usage("two misc", CAPTURE(m, "-D", "-E", "x"), m, "cannot be combined");
	expect_usage("second dev", CAPTURE(m, "/dev/md0", "/dev/md1"), m, "before a second device");
	expect_usage("manage no action", CAPTURE(m, "--manage", "/dev/md0", "/dev/sda"), m,
		     "give one of -a/-r/-f");
	expect_usage("ambiguous", CAPTURE(m, "--re", "x"), m, "'--re' is ambiguous: --re-add");
	expect_usage("did you mean", CAPTURE(m, "--raid-devise=3"), m,
		     "did you mean '--raid-devices'?");
	expect_usage("far miss", CAPTURE(m, "--frob"), m, "try 'mdadm --help'");
	expect_usage("one disk", CAPTURE(m, "-C", "x", "-l0", "-n1", "a"), m, "unusual number");
	expect_usage("bad uuid", CAPTURE(m, "-A", "x", "-u", "12:34"), m, "bad uuid: 12:34");
	expect_usage("bad action", CAPTURE(m, "--action=scrub", "x"), m, "idle, frozen, check");
	expect_usage("bad update", CAPTURE(m, "-A", "x", "--update=frob"), m, "not an update option");
	expect_usage("bad metadata", CAPTURE(m, "-C", "x", "-e", "ddf"), m, "unrecognised metadata");
	expect_usage("name in misc", CAPTURE(m, "-D", "-N", "x", "y"), m, "--update-subarray");
	expect_usage("run and stop", CAPTURE(m, "--manage", "x", "-R", "-S"), m, "both run and stop");
	expect_usage("incr scan dev", CAPTURE(m, "-I", "--scan", "x"), m, "takes no device");
	/* one line each */
	CAPTURE(m, "--re", "x");
	CHECK(strchr(m, '\n') == m + strlen(m) - 1);
}

static void test_parse_kib(void)
{
	long long v = 7;

	CHECK_INT(util_parse_kib("64", false, &v), 0);
	CHECK_INT(v, 64);
	CHECK_INT(util_parse_kib("64K", false, &v), 0);
	CHECK_INT(v, 64);
	CHECK_INT(util_parse_kib("3M", false, &v), 0);
	CHECK_INT(v, 3 * 1024);
	CHECK_INT(util_parse_kib("2g", false, &v), 0);
	CHECK_INT(v, 2 * 1024 * 1024);
	CHECK_INT(util_parse_kib("1T", false, &v), 0);
	CHECK_INT(v, 1024LL * 1024 * 1024);
	CHECK_INT(util_parse_kib("max", true, &v), 0);
	CHECK_INT(v, 0);
	v = 7;
	CHECK(util_parse_kib("max", false, &v) < 0);
	CHECK(util_parse_kib("0", false, &v) < 0);
	CHECK(util_parse_kib("-4", false, &v) < 0);
	CHECK(util_parse_kib("4KB", false, &v) < 0);
	CHECK(util_parse_kib("", false, &v) < 0);
	CHECK(util_parse_kib("99999999999999999999", false, &v) < 0);
	CHECK(util_parse_kib("9007199254740993T", false, &v) < 0);
	CHECK_INT(v, 7); /* untouched on failure */
}

static void test_human_size(void)
{
	char buf[64];

	util_human_size(32 * 1024 * 1024ULL, buf, sizeof(buf));
	CHECK_STR(buf, "32.00 MiB 33.55 MB");
	util_human_binary(129024 * 1024ULL, "", buf, sizeof(buf));
	CHECK_STR(buf, "126.00MiB");
	util_human_size(3ULL << 40, buf, sizeof(buf));
	CHECK_STR(buf, "3.00 TiB 3.30 TB");
}

int main(void)
{
	RUN(test_create_volume);
	RUN(test_long_spellings);
	RUN(test_manage_actions);
	RUN(test_misc_modes);
	RUN(test_upstream_aliases);
	RUN(test_abbreviations);
	RUN(test_misc_actions);
	RUN(test_assemble_incremental);
	RUN(test_help_version);
	RUN(test_parse_uuid);
	RUN(test_every_option_recognised);
	RUN(test_aliases_equal);
	RUN(test_levels);
	RUN(test_bad_input);
	RUN(test_parse_kib);
	RUN(test_human_size);
	return UNIT_DONE();
}
