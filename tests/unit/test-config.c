/*
 * test-config.c: the mdadm.conf parser on stored text, well-formed and
 * malformed, and the small questions modes ask of it.
 */
#include "config.h"
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse(struct conf *c, const char *text)
{
	memset(c, 0, sizeof(*c));
	return conf_parse(c, "/etc/mdadm/mdadm.conf", text, strlen(text));
}

static int count_arrays(const struct conf *c)
{
	int n = 0;

	for (const struct conf_array *a = c->arrays; a; a = a->next)
		n++;
	return n;
}

/* What our --examine --scan and --detail --scan print reads back. */
static void test_scan_lines(void)
{
	struct conf c;
	const struct conf_array *a;

	CHECK_INT(
	    parse(&c, "ARRAY metadata=imsm UUID=85582612:42a39ec9:ff1cc5a6:084f5d15\n"
		      "ARRAY /dev/md/vol0 container=85582612:42a39ec9:ff1cc5a6:084f5d15 "
		      "member=0 UUID=d8eb5709:e36172ed:0f6aa4e3:9cd44040\n"
		      "ARRAY /dev/md/imsm0 metadata=imsm UUID=11111111:22222222:33333333:44444444\n"
		      "ARRAY /dev/md/v1 container=/dev/md/imsm0 member=1 "
		      "UUID=AAAAAAAA:bbbbbbbb:cccccccc:dddddddd\n"),
	    0);
	CHECK_INT(c.n_diags, 0);
	CHECK_INT(count_arrays(&c), 4);
	a = c.arrays;
	CHECK(a->devname == NULL);
	CHECK(a->uuid_set);
	CHECK_STR(a->uuid, "85582612:42a39ec9:ff1cc5a6:084f5d15");
	CHECK_STR(a->metadata, "imsm");
	CHECK_INT(a->line, 1);
	a = a->next;
	CHECK_STR(a->devname, "/dev/md/vol0");
	CHECK(a->container_is_uuid);
	CHECK_STR(a->container, "85582612:42a39ec9:ff1cc5a6:084f5d15");
	CHECK_STR(a->member, "0");
	a = a->next->next;
	CHECK(!a->container_is_uuid);
	CHECK_STR(a->container, "/dev/md/imsm0");
	CHECK_STR(a->uuid, "aaaaaaaa:bbbbbbbb:cccccccc:dddddddd");
	CHECK_INT(a->line, 4);
	conf_free(&c);
}

/* Continuation lines, comments, quotes, abbreviated keywords, CRLF. */
static void test_grammar(void)
{
	struct conf c;

	CHECK_INT(parse(&c, "# a comment\n"
			    "\n"
			    "DEV /dev/loop* # trailing comment\n"
			    "  partitions\r\n"
			    "arr \"/dev/md/my vol\"\n"
			    "   uuid=01234567-89abcdef.01234567 89abcdef\n"
			    "HOMEHOST <ignore>\n"
			    "MAILADDR root@example.org other\n"
			    "MAILFROM mdadm monitor\n"
			    "PROGRAM /usr/bin/handler\n"
			    "CREATE owner=root group=disk mode=0660 auto=yes\n"
			    "POLICY domain=x metadata=imsm action=spare\n"),
		  0);
	CHECK_INT(c.n_diags, 1); /* "my vol" cannot be a /dev/md name */
	CHECK_INT(c.n_devices, 2);
	CHECK_STR(c.devices[0], "/dev/loop*");
	CHECK_STR(c.devices[1], "partitions");
	CHECK(c.homehost_ignore);
	CHECK_STR(c.mailaddr, "root@example.org");
	CHECK_STR(c.mailfrom, "mdadm monitor");
	CHECK_STR(c.program, "/usr/bin/handler");
	CHECK_INT(c.n_policies, 1);
	CHECK_STR(c.policies[0], "POLICY domain=x metadata=imsm action=spare");
	CHECK_INT(c.diags->line, 5);
	CHECK(strstr(c.diags->msg, "invalid name") != NULL);
	conf_free(&c);

	CHECK_INT(parse(&c, "ARRAY '/dev/md/quoted' uuid=0123456789abcdef0123456789ABCDEF\n"), 0);
	CHECK_INT(c.n_diags, 0);
	CHECK_STR(c.arrays->devname, "/dev/md/quoted");
	CHECK_STR(c.arrays->uuid, "01234567:89abcdef:01234567:89abcdef");
	conf_free(&c);
}

/* What --monitor reads: MONITORDELAY (first valid line wins), spare-group=. */
static void test_monitor_words(void)
{
	struct conf c;

	CHECK_INT(parse(&c, "MONITORDELAY soon\n"
			    "MONITORDELAY 90\n"
			    "MONITORDELAY 5\n"
			    "ARRAY /dev/md/imsm0 metadata=imsm spare-group=g1 spares=2 "
			    "uuid=0123456789abcdef0123456789ABCDEF\n"
			    "ARRAY /dev/md/b spare-group=a spare-group=b "
			    "uuid=1123456789abcdef0123456789ABCDEF\n"),
		  0);
	CHECK_INT(c.monitor_delay, 90);
	CHECK_INT(c.n_diags, 2); /* "soon", and spare-group given twice */
	CHECK_INT(count_arrays(&c), 1);
	CHECK_STR(c.arrays->spare_group, "g1");
	CHECK_INT(c.arrays->spares, 2);
	conf_free(&c);
}

/* A bad ARRAY line is refused whole, with its line; the others stay. */
static void test_bad_array_lines(void)
{
	static const struct {
		const char *line;
		const char *why;
	} bad[] = {
	    {"ARRAY /dev/md/a uuid=0123", "bad uuid"},
	    {"ARRAY /dev/md/a uuid=0123456789abcdef0123456789abcdef00", "bad uuid"},
	    {"ARRAY /dev/md/a uuid=0123456789abcdef0123456789abcdeg", "bad uuid"},
	    {"ARRAY /dev/md/a", "no identity"},
	    {"ARRAY /dev/md/a container=/dev/md/imsm0", "no identity"},
	    {"ARRAY /dev/sda uuid=0123456789abcdef0123456789abcdef", "invalid name"},
	    {"ARRAY /dev/md/../x uuid=0123456789abcdef0123456789abcdef", "invalid name"},
	    {"ARRAY /dev/md/a/b uuid=0123456789abcdef0123456789abcdef", "invalid name"},
	    {"ARRAY /dev/md/.. uuid=0123456789abcdef0123456789abcdef", "invalid name"},
	    {"ARRAY <x> uuid=0123456789abcdef0123456789abcdef", "invalid name"},
	    {"ARRAY /dev/md/a name=0123456789012345678901234567890123", "name must be"},
	    {"ARRAY /dev/md/a frobnicate=1 name=a", "unrecognised word"},
	    {"ARRAY /dev/md/a /dev/md/b name=a", "given twice"},
	    {"ARRAY /dev/md/a name=a name=b", "given twice"},
	    {"ARRAY /dev/md/a container=sda member=0", "container must be"},
	    {"ARRAY /dev/md/a container=/dev/md/c member=x", "member must be"},
	    {"ARRAY /dev/md/a name=a spares=many", "spares must be"},
	    {"ARRAY name=a \"/dev/md/a", "unterminated quote"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		struct conf c;

		snprintf(text, sizeof(text),
			 "ARRAY /dev/md/good uuid=ffffffff:ffffffff:ffffffff:ffffffff\n%s\n"
			 "ARRAY /dev/md/also container=/dev/md/good member=1\n",
			 bad[i].line);
		CHECK_INT(parse(&c, text), 0);
		if (count_arrays(&c) != 2)
			fprintf(stderr, "  case %zu accepted\n", i);
		CHECK_INT(count_arrays(&c), 2);
		CHECK_INT(c.n_diags, 1);
		if (c.diags) {
			CHECK_INT(c.diags->line, 2);
			CHECK_STR(c.diags->file, "/etc/mdadm/mdadm.conf");
			if (!strstr(c.diags->msg, bad[i].why))
				fprintf(stderr, "  case %zu: \"%s\"\n", i, c.diags->msg);
			CHECK(strstr(c.diags->msg, bad[i].why) != NULL);
		}
		conf_free(&c);
	}
}

/* Two lines for one array (or one device name): the first is kept. */
static void test_clashes(void)
{
	struct conf c;

	CHECK_INT(parse(&c, "ARRAY /dev/md/a uuid=11111111111111111111111111111111\n"
			    "ARRAY /dev/md/b uuid=11111111:11111111:11111111:11111111\n"
			    "ARRAY /dev/md/a uuid=22222222222222222222222222222222\n"
			    "ARRAY /dev/md127 name=x\n"
			    "ARRAY md127 name=y\n"
			    "ARRAY <ignore> name=p\n"
			    "ARRAY <ignore> name=q\n"),
		  0);
	CHECK_INT(count_arrays(&c), 4);
	CHECK_INT(c.n_diags, 3);
	CHECK_INT(c.diags->line, 2);
	CHECK(strstr(c.diags->msg, "line 1") != NULL);
	conf_free(&c);
}

/* Other malformed input: reported, the rest of the file still read. */
static void test_malformed_other(void)
{
	static const char text[] = "FROBNICATE all\n"
				   "  /dev/sda continued\n"
				   "AR name=x\n"
				   "DEVICE /dev/loop0 sda\n"
				   "ARRAY /dev/md/n\0ul name=x\n"
				   "ARRAY /dev/md/ok name=ok\n";
	struct conf c = {0};
	const struct conf_diag *d;

	CHECK_INT(conf_parse(&c, "f.conf", text, sizeof(text) - 1), 0);
	CHECK_INT(count_arrays(&c), 1);
	CHECK_STR(c.arrays->name, "ok");
	CHECK_INT(c.n_devices, 1);
	CHECK_INT(c.n_diags, 4);
	d = c.diags;
	CHECK_INT(d->line, 1);
	CHECK(strstr(d->msg, "unknown keyword FROBNICATE") != NULL);
	d = d->next;
	CHECK_INT(d->line, 3);
	CHECK(strstr(d->msg, "unknown keyword AR") != NULL);
	d = d->next;
	CHECK_INT(d->line, 4);
	CHECK(strstr(d->msg, "DEVICE line: sda") != NULL);
	d = d->next;
	CHECK_INT(d->line, 5);
	CHECK(strstr(d->msg, "NUL") != NULL);
	conf_free(&c);

	CHECK_INT(parse(&c, "  leading continuation\nARRAY /dev/md/a name=a"), 0);
	CHECK_INT(c.n_diags, 1);
	CHECK_INT(c.diags->line, 1);
	CHECK_INT(count_arrays(&c), 1);
	conf_free(&c);

	CHECK_INT(parse(&c, ""), 0);
	CHECK_INT(c.n_diags, 0);
	conf_free(&c);
}

static void test_auto(void)
{
	static const struct {
		const char *line;
		enum conf_auto imsm;
	} cases[] = {
	    {"", CONF_AUTO_YES},
	    {"AUTO -all", CONF_AUTO_NO},
	    {"AUTO +imsm -all", CONF_AUTO_YES},
	    {"AUTO -imsm +all", CONF_AUTO_NO},
	    {"AUTO +1.x -all", CONF_AUTO_NO},
	    {"AUTO homehost -all", CONF_AUTO_HOMEHOST},
	    {"AUTO no", CONF_AUTO_NO},
	    {"AUTO yes -imsm", CONF_AUTO_YES},
	    {"AUTO -ddf", CONF_AUTO_YES},
	    {"AUTO +all\nAUTO -all", CONF_AUTO_YES},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf c;

		CHECK_INT(parse(&c, cases[i].line), 0);
		if (conf_auto_for(&c, "imsm") != cases[i].imsm)
			fprintf(stderr, "  case \"%s\"\n", cases[i].line);
		CHECK_INT(conf_auto_for(&c, "imsm"), cases[i].imsm);
		conf_free(&c);
	}
}

static void test_devices(void)
{
	struct conf c;

	CHECK_INT(parse(&c, ""), 0);
	CHECK(conf_device_allowed(&c, "/dev/anything"));
	conf_free(&c);
	CHECK_INT(parse(&c, "DEVICE /dev/loop[0-3] /dev/vd*\n"), 0);
	CHECK(conf_device_allowed(&c, "/dev/loop2"));
	CHECK(conf_device_allowed(&c, "/dev/vdb"));
	CHECK(!conf_device_allowed(&c, "/dev/loop4"));
	CHECK(!conf_device_allowed(&c, "/dev/sda"));
	conf_free(&c);
	CHECK_INT(parse(&c, "DEVICE containers partitions\n"), 0);
	CHECK(conf_device_allowed(&c, "/dev/sda"));
	conf_free(&c);
}

static void test_uuid_and_names(void)
{
	char u[CONF_UUID_TEXT_BYTES], n[64];

	CHECK_INT(conf_parse_uuid("0123456789ABCDEF0123456789abcdef", u), 0);
	CHECK_STR(u, "01234567:89abcdef:01234567:89abcdef");
	CHECK_INT(conf_parse_uuid("01234567-89ab-cdef-0123-456789abcdef", u), 0);
	CHECK_INT(conf_parse_uuid("0123456789abcdef0123456789abcde", u), -EINVAL);
	CHECK_INT(conf_parse_uuid("0123456789abcdef0123456789abcdef0", u), -EINVAL);
	CHECK_INT(conf_parse_uuid("0123456789abcdef0123456789abcdez", u), -EINVAL);
	CHECK_INT(conf_parse_uuid("", u), -EINVAL);

	CHECK_INT(conf_clean_name("Volume0", 16, n, sizeof(n)), 7);
	CHECK_STR(n, "Volume0");
	conf_clean_name("a/b c\td", 16, n, sizeof(n));
	CHECK_STR(n, "a-b_c_d");
	conf_clean_name("..", 16, n, sizeof(n));
	CHECK_STR(n, "__");
	conf_clean_name(".", 16, n, sizeof(n));
	CHECK_STR(n, "_");
	conf_clean_name("a..b", 16, n, sizeof(n));
	CHECK_STR(n, "a..b");
	conf_clean_name("\x01x\x7f\xc3\xa9\n", 16, n, sizeof(n));
	CHECK_STR(n, "_x____");
	/* a 16-byte field without NUL is read to its length only */
	/* nothing a shell, a quote-less script or a map line would split on */
	conf_clean_name("a b\"c'd$(rb);|`", 16, n, sizeof(n));
	CHECK_STR(n, "a_b_c_d__rb____");
	conf_clean_name("v1.0:x+y,z@w=q-", 16, n, sizeof(n));
	CHECK_STR(n, "v1.0:x+y,z@w=q-");
	CHECK_INT(conf_clean_name("0123456789abcdefXYZ", 16, n, sizeof(n)), 16);
	CHECK_STR(n, "0123456789abcdef");
	CHECK_INT(conf_clean_name("", 16, n, sizeof(n)), 0);
	CHECK_INT(conf_clean_name("abcdef", 16, n, 4), 3);
	CHECK_STR(n, "abc");

	CHECK_STR(conf_devname_short("/dev/md/vol"), "vol");
	CHECK_STR(conf_devname_short("/dev/md127"), "md127");
	CHECK_STR(conf_devname_short("vol"), "vol");
	CHECK(conf_devname_short("<ignore>") == NULL);
	CHECK(conf_devname_matches("/dev/md/vol", "vol"));
	CHECK(conf_devname_matches("/dev/md127", "md127"));
	CHECK(conf_devname_matches("/dev/md/127", "/dev/md127"));
	CHECK(!conf_devname_matches("/dev/md/vol", "/dev/md/vol0"));
}

/* The loader: a named file, a directory of *.conf, "none", "partitions". */
static void test_load(void)
{
	char dir[] = "/tmp/test-config-XXXXXX", path[128];
	struct conf c = {0};
	FILE *f;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/b.conf", dir);
	f = fopen(path, "w");
	fputs("ARRAY /dev/md/b name=b\nBOGUS\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	f = fopen(path, "w");
	fputs("ARRAY /dev/md/a name=a\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/.hidden.conf", dir);
	f = fopen(path, "w");
	fputs("ARRAY /dev/md/h name=h\n", f);
	fclose(f);

	CHECK_INT(conf_load(&c, dir), 0);
	CHECK_INT(count_arrays(&c), 2);
	CHECK_STR(c.arrays->name, "a");
	CHECK_INT(c.n_diags, 1);
	snprintf(path, sizeof(path), "%s/b.conf", dir);
	CHECK_STR(c.diags->file, path);
	CHECK_INT(c.diags->line, 2);
	conf_free(&c);

	CHECK_INT(conf_load(&c, path), 0);
	CHECK_INT(count_arrays(&c), 1);
	conf_free(&c);

	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	CHECK_INT(conf_load(&c, path), -ENOENT);
	conf_free(&c);

	CHECK_INT(conf_load(&c, "none"), 0);
	CHECK_INT(c.n_devices, 0);
	conf_free(&c);
	CHECK_INT(conf_load(&c, "partitions"), 0);
	CHECK_INT(c.n_devices, 1);
	conf_free(&c);

	setenv("MDADM_CONF_AUTO", "-imsm", 1);
	CHECK_INT(conf_load(&c, "none"), 0);
	CHECK_INT(conf_auto_for(&c, "imsm"), CONF_AUTO_NO);
	conf_free(&c);
	unsetenv("MDADM_CONF_AUTO");

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK_INT(system(path), 0);
}

int main(void)
{
	RUN(test_scan_lines);
	RUN(test_grammar);
	RUN(test_bad_array_lines);
	RUN(test_clashes);
	RUN(test_malformed_other);
	RUN(test_auto);
	RUN(test_devices);
	RUN(test_uuid_and_names);
	RUN(test_load);
	RUN(test_monitor_words);
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
