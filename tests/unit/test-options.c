/*
 * test-options.c: the command line parser (mdadm.c) and the number
 * parsers it relies on (util.c).  Each case parses a real argv and checks
 * the request, or the exit code and the single stderr line.
 */
#include "mdadm.h"
#include "unit.h"

#include <stdlib.h>
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
	char m[256];

	expect_usage("empty", CAPTURE(m, "-q"), m, "no mode");
	expect_usage("conflict", CAPTURE(m, "-C", "x", "-A"), m, "already set to \"create\"");
	expect_usage("unknown long", CAPTURE(m, "--bogus"), m, "unrecognized option '--bogus'");
	expect_usage("unknown short", CAPTURE(m, "-Z"), m, "invalid option -- 'Z'");
	expect_usage("missing arg", CAPTURE(m, "-C", "x", "-n"), m, "--raid-devices requires");
	expect_usage("bad level", CAPTURE(m, "-C", "x", "-l", "raid7"), m, "invalid raid level");
	expect_usage("bad count", CAPTURE(m, "-C", "x", "-n", "3x"), m, "invalid number");
	expect_usage("bad chunk", CAPTURE(m, "-C", "x", "-c", "0"), m, "invalid --chunk");
	expect_usage("twice", CAPTURE(m, "-C", "x", "-n2", "-n3"), m, "only be given once");
	expect_usage("wrong mode", CAPTURE(m, "-D", "-l5", "x"), m, "not valid in detail mode");
	expect_usage("no array", CAPTURE(m, "-C"), m, "an md device must be given");
	expect_usage("no devs", CAPTURE(m, "-E"), m, "no devices given");
	expect_usage("add in grow", CAPTURE(m, "-G", "x", "-a", "y"), m, "not valid in grow mode");
	expect_usage("two incr", CAPTURE(m, "-I", "a", "b"), m, "takes one device");
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
	RUN(test_levels);
	RUN(test_bad_input);
	RUN(test_parse_kib);
	RUN(test_human_size);
	return UNIT_DONE();
}
