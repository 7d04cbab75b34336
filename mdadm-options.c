/*
 * mdadm-options.c: the option table (upstream mdadm's long options and
 * letters, with the mode each belongs to), the value parsers, and the one
 * line for a bad option.  Pure: no device is touched.
 */
#include "mdadm-options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define NO no_argument
#define REQ required_argument
#define OPTARG optional_argument

#define A MJ_BIT(MJ_ASSEMBLE)
#define B MJ_BIT(MJ_BUILD)
#define C MJ_BIT(MJ_CREATE)
#define F MJ_BIT(MJ_MONITOR)
#define G MJ_BIT(MJ_GROW)
#define I MJ_BIT(MJ_INCREMENTAL)
#define M MJ_BIT(MJ_MANAGE)
#define X MJ_BIT(MJ_MISC)

#define SETS(n, id, l, mj) { n, id, l, NO, EFF_SETS, mj, MODE_NONE, 0, false }
#define MISC(n, id, l, arg, mode) { n, id, l, arg, EFF_MISC, MJ_NONE, mode, 0, false }
#define MISCIF(n, id, l, arg, mode) { n, id, l, arg, EFF_MISC_IF_NONE, MJ_NONE, mode, 0, false }
#define DEVACT(n, id, notimsm) { n, id, 0, NO, EFF_MANAGE_IF_NONE, MJ_NONE, MODE_NONE, 0, notimsm }
#define GLOBAL(n, id, l, arg) { n, id, l, arg, EFF_GLOBAL, MJ_NONE, MODE_NONE, 0, false }
#define VAL(n, id, l, arg, majors) { n, id, l, arg, EFF_VALUE, MJ_NONE, MODE_NONE, majors, false }
#define VALX(n, id, l, arg, majors) { n, id, l, arg, EFF_VALUE, MJ_NONE, MODE_NONE, majors, true }

/*
 * Upstream's table, in its order (abbreviations resolve the same way).
 * Aliases share an id; the first row of an id names it in messages.
 */
const struct opt_def opt_table[] = {
	SETS("manage", OPT_MANAGE, 0, MJ_MANAGE),
	SETS("misc", OPT_MISC, 0, MJ_MISC),
	SETS("assemble", 'A', 'A', MJ_ASSEMBLE),
	SETS("build", 'B', 'B', MJ_BUILD),
	SETS("create", 'C', 'C', MJ_CREATE),
	MISC("detail", 'D', 'D', NO, MODE_DETAIL),
	MISC("examine", 'E', 'E', NO, MODE_EXAMINE),
	SETS("monitor", 'F', 'F', MJ_MONITOR),
	SETS("follow", 'F', 0, MJ_MONITOR),
	SETS("grow", 'G', 'G', MJ_GROW),
	SETS("incremental", 'I', 'I', MJ_INCREMENTAL),
	MISCIF("zero-superblock", OPT_ZERO, 0, NO, MODE_ZERO_SUPERBLOCK),
	MISC("query", 'Q', 'Q', NO, MODE_QUERY),
	MISC("examine-bitmap", 'X', 'X', NO, MODE_EXAMINE_BITMAP),
	SETS("auto-detect", OPT_AUTODETECT, 0, MJ_AUTODETECT),
	MISCIF("detail-platform", OPT_DETAIL_PLATFORM, 0, NO, MODE_DETAIL_PLATFORM),
	MISCIF("kill-subarray", OPT_KILL_SUBARRAY, 0, REQ, MODE_KILL_SUBARRAY),
	MISCIF("update-subarray", OPT_UPDATE_SUBARRAY, 0, REQ, MODE_UPDATE_SUBARRAY),
	GLOBAL("offroot", OPT_OFFROOT, 0, NO),
	MISC("examine-badblocks", OPT_EXAMINE_BB, 0, NO, MODE_EXAMINE_BADBLOCKS),

	GLOBAL("help", 'h', 'h', NO),
	GLOBAL("help-options", OPT_HELP_OPTIONS, 0, NO),
	GLOBAL("version", 'V', 'V', NO),
	GLOBAL("verbose", 'v', 'v', NO),
	GLOBAL("quiet", 'q', 'q', NO),

	VAL("chunk", OPT_CHUNK, 0, REQ, C | G | B),
	VAL("rounding", OPT_CHUNK, 0, REQ, C | G | B),
	VAL("level", 'l', 'l', REQ, C | G | B),
	VAL("parity", OPT_LAYOUT, 0, REQ, C | G | B),
	VAL("layout", OPT_LAYOUT, 0, REQ, C | G | B),
	VAL("raid-devices", 'n', 'n', REQ, C | G | B),
	VAL("raid-disks", 'n', 0, REQ, C | G | B),
	VAL("spare-devices", 'x', 'x', REQ, C),
	VAL("spare-disks", 'x', 0, REQ, C),
	VAL("size", 'z', 'z', REQ, C | G | B),
	VAL("auto", OPT_AUTO, 0, REQ, C | B | I | A),
	VAL("assume-clean", OPT_ASSUME_CLEAN, 0, NO, C | B | G),
	VALX("write-zeroes", OPT_WRITE_ZEROES, 0, NO, C),
	VAL("metadata", 'e', 'e', REQ, C | A | I | X),
	VAL("bitmap", OPT_BITMAP, 0, REQ, C | G | B | A),
	VALX("bitmap-chunk", OPT_BITMAP_CHUNK, 0, REQ, C | G | B),
	VALX("write-behind", OPT_WRITE_BEHIND, 0, OPTARG, C | G | B),
	VALX("write-mostly", OPT_WRITE_MOSTLY, 0, NO, M | B | C),
	VALX("failfast", OPT_FAILFAST, 0, NO, C | M),
	VALX("nofailfast", OPT_NOFAILFAST, 0, NO, M),
	DEVACT("re-add", OPT_READD, true),
	GLOBAL("homehost", OPT_HOMEHOST, 0, REQ),
	VALX("data-offset", OPT_DATA_OFFSET, 0, REQ, C | G),
	VALX("nodes", OPT_NODES, 0, REQ, A | G | C),
	VALX("home-cluster", OPT_HOME_CLUSTER, 0, REQ, C | A),
	VALX("write-journal", OPT_WRITE_JOURNAL, 0, REQ, C),
	VAL("consistency-policy", 'k', 'k', REQ, C | G),
	VALX("logical-block-size", OPT_LOGICAL_BLOCK_SIZE, 0, REQ, C),

	VAL("uuid", 'u', 'u', REQ, C | A),
	VALX("super-minor", OPT_SUPER_MINOR, 0, REQ, A),
	VAL("name", 'N', 'N', REQ, C | A | X),
	VAL("config", OPT_CONFIG, 0, REQ, A | I | X | F | C),
	VAL("scan", 's', 's', NO, A | X | F | I),
	VAL("force", OPT_FORCE, 0, NO, B | G | C | A | X | M),
	VAL("update", 'U', 'U', REQ, A | X),

	DEVACT("add", OPT_ADD, false),
	DEVACT("add-spare", OPT_ADD_SPARE, false),
	DEVACT("add-journal", OPT_ADD_JOURNAL, true),
	DEVACT("remove", OPT_REMOVE, false),
	DEVACT("fail", OPT_FAIL, false),
	DEVACT("set-faulty", OPT_FAIL, false),
	DEVACT("replace", OPT_REPLACE, true),
	DEVACT("with", OPT_WITH, true),
	MISCIF("run", 'R', 'R', NO, MODE_RUN),
	MISCIF("stop", 'S', 'S', NO, MODE_STOP),
	MISCIF("readonly", 'o', 'o', NO, MODE_READONLY),
	MISCIF("readwrite", 'w', 'w', NO, MODE_READWRITE),
	VAL("no-degraded", OPT_NO_DEGRADED, 0, NO, A | I),
	MISCIF("wait", OPT_WAIT, 0, NO, MODE_WAIT),
	MISCIF("wait-clean", OPT_WAIT_CLEAN, 0, NO, MODE_WAIT_CLEAN),
	MISC("action", OPT_ACTION, 0, REQ, MODE_ACTION),
	DEVACT("cluster-confirm", OPT_CLUSTER_CONFIRM, true),

	GLOBAL("brief", OPT_BRIEF, 0, NO),
	GLOBAL("no-devices", OPT_NO_DEVICES, 0, NO),
	GLOBAL("export", 'Y', 'Y', NO),
	VALX("sparc2.2", OPT_SPARC22, 0, NO, X),
	VAL("test", 't', 't', NO, X | M | F),
	GLOBAL("prefer", OPT_PREFER, 0, REQ),

	VAL("mail", OPT_MAIL, 0, REQ, F),
	VAL("program", OPT_PROGRAM, 0, REQ, F),
	VAL("alert", OPT_PROGRAM, 0, REQ, F),
	VAL("increment", OPT_INCREMENT, 0, REQ, F),
	VAL("delay", 'd', 'd', REQ, F | G | B | C),
	VAL("daemonise", OPT_DAEMONISE, 0, NO, F),
	VAL("daemonize", OPT_DAEMONISE, 0, NO, F),
	VAL("oneshot", '1', '1', NO, F),
	VAL("pid-file", 'i', 'i', REQ, F),
	VAL("syslog", 'y', 'y', NO, F),
	SETS("no-sharing", OPT_NO_SHARING, 0, MJ_MONITOR),

	VAL("backup-file", OPT_BACKUP_FILE, 0, REQ, G | A),
	VALX("invalid-backup", OPT_INVALID_BACKUP, 0, NO, A),
	VAL("array-size", 'Z', 'Z', REQ, G),
	VAL("continue", OPT_CONTINUE, 0, NO, G),
	VAL("rebuild-map", OPT_REBUILD_MAP, 0, NO, I),
	VAL("path", OPT_PATH, 0, REQ, I),
	VAL("freeze-reshape", OPT_FREEZE_RESHAPE, 0, NO, A | I),

	/* ours */
	GLOBAL("json", OPT_JSON, 0, NO),
	VAL("dry-run", OPT_DRY_RUN, 0, NO, G),
};

const size_t opt_table_len = sizeof(opt_table) / sizeof(opt_table[0]);
_Static_assert(sizeof(opt_table) / sizeof(opt_table[0]) <= OPT_TABLE_MAX, "opt_table outgrew OPT_TABLE_MAX");

/* Options that take a value may be given once only. */
static int once(const struct opt_def *o, bool already)
{
	if (already) {
		pr_err("--%s may only be given once", o->long_name);
		return EXIT_USAGE;
	}
	return 0;
}

int opt_string(const struct opt_def *o, const char **field, const char *arg)
{
	int r = once(o, *field != NULL);

	if (!r)
		*field = arg;
	return r;
}

int opt_action(const struct opt_def *o, struct request *req, const char *arg)
{
	static const char *const ok[] = { "idle", "frozen", "check", "repair" };
	int r = once(o, req->action != NULL);

	if (r)
		return r;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(arg, ok[i]) == 0) {
			req->action = arg;
			return 0;
		}
	pr_err("--action must be one of idle, frozen, check, repair, not '%s'", arg);
	return EXIT_USAGE;
}

static int parse_level(const struct opt_def *o, struct request *req, const char *arg)
{
	int r = once(o, req->level != UNSET);

	if (r)
		return r;
	req->level = level_from_name(arg);
	if (req->level == UNSET) {
		pr_err("invalid raid level: %s", arg);
		return EXIT_USAGE;
	}
	return 0;
}

static int parse_count(const struct opt_def *o, int *field, const char *arg, int min)
{
	int r = once(o, *field != UNSET);

	if (r)
		return r;
	if (util_parse_int(arg, min, 1024, field) < 0) {
		*field = UNSET;
		pr_err("invalid number of %s: %s",
		       o->id == 'n' ? "raid devices" : "spare devices", arg);
		return EXIT_USAGE;
	}
	return 0;
}

static int parse_kib(const struct opt_def *o, long long *field, const char *arg, bool allow_max)
{
	int r = once(o, *field != UNSET);

	if (r)
		return r;
	if (util_parse_kib(arg, allow_max, field) < 0) {
		pr_err("invalid --%s value: %s", o->long_name, arg);
		*field = UNSET;
		return EXIT_USAGE;
	}
	return 0;
}

static int parse_uuid(const struct opt_def *o, struct request *req, const char *arg)
{
	int r = once(o, req->uuid != NULL);

	if (r)
		return r;
	if (util_parse_uuid(arg, req->uuid_bin) < 0) {
		pr_err("bad uuid: %s", arg);
		return EXIT_USAGE;
	}
	req->uuid = arg;
	return 0;
}

static int parse_metadata(const struct opt_def *o, struct request *req, const char *arg)
{
	int r = once(o, req->metadata != NULL);

	if (r)
		return r;
	if (!metadata_find(arg)) {
		pr_err("unrecognised metadata identifier: %s (this mdadm knows %s)", arg,
		       metadata_names());
		return EXIT_USAGE;
	}
	req->metadata = arg;
	return 0;
}

/* --bitmap: only "none" describes an IMSM volume. */
static int parse_bitmap(const struct opt_def *o, struct request *req, const char *arg)
{
	int r = opt_string(o, &req->bitmap, arg);

	if (!r && strcmp(arg, "none") != 0)
		req->not_imsm = "bitmap";
	return r;
}

static int parse_policy(const struct opt_def *o, struct request *req, const char *arg)
{
	int r = opt_string(o, &req->consistency_policy, arg);

	if (r)
		return r;
	if (strcmp(arg, "resync") == 0 || strcmp(arg, "ppl") == 0)
		return 0;
	if (strcmp(arg, "bitmap") == 0 || strcmp(arg, "journal") == 0) {
		req->not_imsm = "consistency-policy";
		return 0;
	}
	pr_err("invalid consistency policy: %s", arg);
	return EXIT_USAGE;
}

/* --update's values, upstream's list: which apply to IMSM is the mode's call. */
static int parse_update(const struct opt_def *o, struct request *req, const char *arg)
{
	static const char *const known[] = {
		"sparc2.2", "super-minor", "summaries", "resync", "uuid", "name", "homehost",
		"home-cluster", "nodes", "devicesize", "bbl", "no-bbl", "force-no-bbl", "metadata",
		"revert-reshape", "layout-original", "layout-alternate", "layout-unspecified",
		"byteorder", "ppl", "no-ppl", "bitmap", "no-bitmap",
	};
	int r = once(o, req->update != NULL);

	if (r)
		return r;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(arg, known[i]) == 0) {
			req->update = arg;
			return 0;
		}
	pr_err("'--update=%s' is not an update option (name, uuid, resync, homehost, ppl, no-ppl, ...)",
	       arg);
	return EXIT_USAGE;
}

/* --delay and --increment: whole numbers in a range. */
static int parse_bounded(const struct opt_def *o, int *field, const char *arg, int min, int max)
{
	int r = once(o, *field != UNSET);

	if (r)
		return r;
	if (util_parse_int(arg, min, max, field) < 0) {
		*field = UNSET;
		pr_err("invalid --%s value: %s (a whole number from %d to %d)", o->long_name, arg,
		       min, max);
		return EXIT_USAGE;
	}
	return 0;
}

static bool store_monitor_flag(struct request *req, int id)
{
	switch (id) {
	case 'y':
		req->syslog = true;
		return true;
	case OPT_DAEMONISE:
		req->daemonise = true;
		return true;
	case '1':
		req->oneshot = true;
		return true;
	case OPT_NO_SHARING:
		req->no_sharing = true;
		return true;
	}
	return false;
}

static int store_flag(struct request *req, int id)
{
	if (store_monitor_flag(req, id))
		return 0;
	switch (id) {
	case 's':
		req->scan = true;
		break;
	case OPT_FORCE:
		req->force = true;
		break;
	case OPT_ASSUME_CLEAN:
		req->assume_clean = true;
		break;
	case OPT_CONTINUE:
		req->do_continue = true;
		break;
	case OPT_NO_DEGRADED:
		req->no_degraded = true;
		break;
	case OPT_FREEZE_RESHAPE:
		req->freeze_reshape = true;
		break;
	case OPT_REBUILD_MAP:
		req->rebuild_map = true;
		break;
	case 't':
		req->test = true;
		break;
	case OPT_DRY_RUN:
		req->dry_run = true;
		break;
	}
	/* the rest: --auto (ignored, as upstream), monitor's options (issue
	 * 13), and options IMSM has no use for (refused by run_request) */
	return 0;
}

int opt_store(struct request *req, const struct opt_def *o, const char *arg)
{
	switch (o->id) {
	case 'l':
		return parse_level(o, req, arg);
	case 'n':
		return parse_count(o, &req->raid_devices, arg, 1);
	case 'x':
		return parse_count(o, &req->spare_devices, arg, 0);
	case OPT_CHUNK:
		return parse_kib(o, &req->chunk_kib, arg, false);
	case 'z':
		return parse_kib(o, &req->size_kib, arg, true);
	case 'Z':
		return parse_kib(o, &req->array_size_kib, arg, true);
	case OPT_LAYOUT:
		return opt_string(o, &req->layout, arg);
	case 'e':
		return parse_metadata(o, req, arg);
	case OPT_BITMAP:
		return parse_bitmap(o, req, arg);
	case 'k':
		return parse_policy(o, req, arg);
	case 'u':
		return parse_uuid(o, req, arg);
	case 'N':
		return opt_string(o, &req->name, arg);
	case OPT_CONFIG:
		return opt_string(o, &req->config, arg);
	case 'U':
		return parse_update(o, req, arg);
	case OPT_BACKUP_FILE:
		return opt_string(o, &req->backup_file, arg);
	case OPT_PATH:
		return opt_string(o, &req->remove_path, arg);
	case OPT_MAIL:
		return opt_string(o, &req->mail, arg);
	case OPT_PROGRAM:
		return opt_string(o, &req->program, arg);
	case 'i':
		return opt_string(o, &req->pid_file, arg);
	case 'd':
		return parse_bounded(o, &req->delay_s, arg, 1, 86400);
	case OPT_INCREMENT:
		return parse_bounded(o, &req->increment, arg, 1, 99);
	}
	return store_flag(req, o->id);
}

/* What a short letter means in the mode chosen so far. */
int opt_short_id(enum major mj, int c)
{
	switch (c) {
	case 'a':
		return (mj == MJ_MANAGE || mj == MJ_GROW || mj == MJ_NONE) ? OPT_ADD : OPT_AUTO;
	case 'b':
		return (mj == MJ_ASSEMBLE || mj == MJ_BUILD || mj == MJ_CREATE || mj == MJ_GROW ||
			mj == MJ_INCREMENTAL || mj == MJ_MANAGE)
			       ? OPT_BITMAP
			       : OPT_BRIEF;
	case 'c':
		return (mj == MJ_CREATE || mj == MJ_GROW || mj == MJ_BUILD) ? OPT_CHUNK : OPT_CONFIG;
	case 'f':
		if (mj == MJ_MONITOR)
			return OPT_DAEMONISE;
		return (mj == MJ_MANAGE || mj == MJ_INCREMENTAL || mj == MJ_NONE) ? OPT_FAIL
										 : OPT_FORCE;
	case 'r':
		if (mj == MJ_MONITOR)
			return OPT_INCREMENT;
		return mj == MJ_INCREMENTAL ? OPT_REBUILD_MAP : OPT_REMOVE;
	case 'p':
		return mj == MJ_MONITOR ? OPT_PROGRAM : OPT_LAYOUT;
	case 'm':
		return mj == MJ_MONITOR ? OPT_MAIL : OPT_SUPER_MINOR;
	case 'W':
		return OPT_WAIT;
	}
	for (size_t i = 0; i < opt_table_len; i++)
		if (opt_table[i].letter == c)
			return opt_table[i].id;
	return 0;
}

/* ---- the one line for a bad option --------------------------------------- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			tmp = row[j];
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *opt_nearest(const char *name)
{
	const char *best = NULL;
	size_t best_d = 99, limit = (strlen(name) + 2) / 4;

	for (size_t i = 0; i < opt_table_len; i++) {
		size_t d = edit_distance(name, opt_table[i].long_name);

		if (d < best_d) {
			best_d = d;
			best = opt_table[i].long_name;
		}
	}
	return best_d <= limit ? best : NULL;
}

/* "--re" matches several options that differ: list them. */
static bool report_ambiguous(const char *name, size_t len)
{
	char list[256] = "";
	int first_id = 0, n = 0;
	bool differ = false;

	for (size_t i = 0; i < opt_table_len; i++) {
		if (strncmp(opt_table[i].long_name, name, len) != 0)
			continue;
		if (n++ == 0)
			first_id = opt_table[i].id;
		else if (opt_table[i].id != first_id)
			differ = true;
		if (strlen(list) + strlen(opt_table[i].long_name) + 5 < sizeof(list)) {
			strcat(list, n > 1 ? ", --" : "--");
			strcat(list, opt_table[i].long_name);
		}
	}
	if (!differ)
		return false;
	pr_err("option '--%.*s' is ambiguous: %s", (int)len, name, list);
	return true;
}

static int report_long(const char *arg)
{
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	char buf[64];
	const char *near;

	if (report_ambiguous(name, len))
		return EXIT_USAGE;
	snprintf(buf, sizeof(buf), "%.*s", (int)len, name);
	near = opt_nearest(buf);
	if (near)
		pr_err("unrecognized option '--%s'; did you mean '--%s'?", buf, near);
	else
		pr_err("unrecognized option '--%s'; try 'mdadm --help'", buf);
	return EXIT_USAGE;
}

static const struct opt_def *opt_by_id(int id)
{
	for (size_t i = 0; i < opt_table_len; i++)
		if (opt_table[i].id == id)
			return &opt_table[i];
	return NULL;
}

int report_bad_option(char **argv, const char *shorts, enum major mj)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	const struct opt_def *o;

	if (optopt >= 256 || (optopt > 0 && strncmp(arg, "--", 2) == 0)) {
		o = opt_by_id(optopt);
		pr_err("option --%s requires an argument", o ? o->long_name : "?");
		return EXIT_USAGE;
	}
	if (optopt == 0)
		return report_long(strncmp(arg, "--", 2) == 0 ? arg : "--?");
	if (strchr(shorts + 1, optopt) && optopt != ':') {
		o = opt_by_id(opt_short_id(mj, optopt));
		if (o)
			pr_err("option --%s (-%c) requires an argument", o->long_name, optopt);
		else
			pr_err("option -%c requires an argument", optopt);
		return EXIT_USAGE;
	}
	pr_err("invalid option -- '%c'; try 'mdadm --help'", optopt);
	return EXIT_USAGE;
}
