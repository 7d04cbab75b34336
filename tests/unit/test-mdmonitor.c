/*
 * test-mdmonitor.c: the events mon_compare() names between two passes,
 * and the option parsing of --monitor.
 */
#include "mdadm.h"
#include "mdmonitor.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

static char got[1024];

static void record(void *ctx, enum mon_event ev, int percent, const char *devnm, const char *disk)
{
	size_t n = strlen(got);

	(void)ctx;
	if (ev == MON_EV_REBUILD_NN)
		snprintf(got + n, sizeof(got) - n, "%s%02d %s%s%s;", mon_event_name(ev), percent,
			 devnm, disk ? " " : "", disk ? disk : "");
	else
		snprintf(got + n, sizeof(got) - n, "%s %s%s%s;", mon_event_name(ev), devnm,
			 disk ? " " : "", disk ? disk : "");
}

static const struct mon_emit rec = {record, NULL};

static struct mon_array volume(const char *states)
{
	struct mon_array a;

	memset(&a, 0, sizeof(a));
	snprintf(a.devnm, sizeof(a.devnm), "md126");
	snprintf(a.container_devnm, sizeof(a.container_devnm), "md127");
	a.sync_percent = -1;
	for (int i = 0; states[i]; i++) {
		struct mon_disk *d = &a.disks[a.n_disks++];

		snprintf(d->name, sizeof(d->name), "loop%d", i);
		d->state = states[i] == 'U'   ? MON_DISK_IN_SYNC
			   : states[i] == 'R' ? MON_DISK_REBUILDING
			   : states[i] == 'S' ? MON_DISK_SPARE
					      : MON_DISK_FAULTY;
	}
	return a;
}

/* The same array with member i gone (removed by mdmon). */
static struct mon_array drop(struct mon_array a, int i)
{
	memmove(&a.disks[i], &a.disks[i + 1], (size_t)(a.n_disks - i - 1) * sizeof(a.disks[0]));
	a.n_disks--;
	return a;
}

static void compare(const struct mon_array *old, const struct mon_array *cur, bool is_new,
		    int expected)
{
	got[0] = '\0';
	mon_compare(old, cur, is_new, expected, 20, &rec);
}

static void test_first_sight(void)
{
	struct mon_array a = volume("UU");

	compare(NULL, &a, false, -1);
	CHECK_STR(got, "");
	a.degraded = true;
	a.sync_percent = 40; /* a sync under way is not news */
	compare(NULL, &a, false, 2);
	CHECK_STR(got, "DegradedArray md126;SparesMissing md126;");
	compare(NULL, &a, true, -1);
	CHECK_STR(got, "NewArray md126;DegradedArray md126;");
}

static void test_member_fails(void)
{
	struct mon_array old = volume("UUU"), faulty = volume("UFU"), gone = drop(old, 1);

	compare(&old, &faulty, false, -1);
	CHECK_STR(got, "Fail md126 loop1;");
	/* mdmon removed it before the pass: still one Fail, named */
	compare(&old, &gone, false, -1);
	CHECK_STR(got, "Fail md126 loop1;");
	/* seen faulty, then removed: nothing more */
	compare(&faulty, &gone, false, -1);
	CHECK_STR(got, "");
}

static void test_rebuild(void)
{
	struct mon_array a = volume("UR"), b, c;

	b = a;
	b.sync_percent = 3;
	compare(&a, &b, false, -1);
	CHECK_STR(got, "RebuildStarted md126;");
	c = b;
	c.sync_percent = 19;
	compare(&b, &c, false, -1);
	CHECK_STR(got, "");
	c.sync_percent = 65; /* several steps at once: one event, the last step */
	compare(&b, &c, false, -1);
	CHECK_STR(got, "Rebuild60 md126;");
	a = volume("UU");
	compare(&c, &a, false, -1);
	CHECK_STR(got, "RebuildFinished md126;SpareActive md126 loop1;");
	b = volume("UF");
	compare(&c, &b, false, -1);
	CHECK_STR(got, "RebuildFinished md126;FailSpare md126 loop1;");
}

static void test_container_spares(void)
{
	struct mon_array a = volume("SS"), b = volume("S");

	a.container = b.container = true;
	a.spares = 2;
	b.spares = 1;
	compare(&a, &b, false, 2); /* short now, was not: once */
	CHECK_STR(got, "SparesMissing md126;");
	compare(&b, &b, false, 2);
	CHECK_STR(got, "");
	compare(&a, &b, false, -1);
	CHECK_STR(got, ""); /* containers have no member states */
}

static void test_names(void)
{
	CHECK_STR(mon_event_name(MON_EV_DISAPPEARED), "DeviceDisappeared");
	CHECK_STR(mon_event_name(MON_EV_MOVE_SPARE), "MoveSpare");
	CHECK_STR(mon_event_name(MON_EV_TEST), "TestMessage");
	CHECK(mon_event_mailed(MON_EV_FAIL) && mon_event_mailed(MON_EV_TEST));
	CHECK(!mon_event_mailed(MON_EV_REBUILD_NN) && !mon_event_mailed(MON_EV_NEW_ARRAY));
}

static int parse(struct request *req, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	for (; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	return parse_request(argc, argv, req);
}

static void test_options(void)
{
	static const char *const ok[] = {"mdadm", "--monitor", "--scan",       "-m", "root",
					 "-p",	  "/bin/true", "-y",	       "-d", "5",
					 "-r",	  "10",	       "-f",	       "-i", "/run/m.pid",
					 "-1",	  "-t",	       "--no-sharing", NULL};
	static const char *const bad[] = {"mdadm", "-F", "--increment=100", "--scan", NULL};
	static const char *const bad_delay[] = {"mdadm", "--follow", "-d", "x", "-s", NULL};
	struct request req;

	CHECK_INT(parse(&req, ok), 0);
	CHECK_INT(req.mode, MODE_MONITOR);
	CHECK_STR(req.mail, "root");
	CHECK_STR(req.program, "/bin/true");
	CHECK_STR(req.pid_file, "/run/m.pid");
	CHECK_INT(req.delay_s, 5);
	CHECK_INT(req.increment, 10);
	CHECK(req.syslog && req.daemonise && req.oneshot && req.test && req.no_sharing);
	CHECK(req.scan);
	free_request(&req);
	CHECK(parse(&req, bad) != 0);
	CHECK(parse(&req, bad_delay) != 0);
}

int main(void)
{
	RUN(test_first_sight);
	RUN(test_member_fails);
	RUN(test_rebuild);
	RUN(test_container_spares);
	RUN(test_names);
	RUN(test_options);
	return UNIT_DONE();
}
