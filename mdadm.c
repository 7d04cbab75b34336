/*
 * mdadm.c: the command line.
 *
 * Owns: the option table, parsing argv into a struct request, checking
 * options against the mode, and the mode dispatch table.  Never touches a
 * device: every mode lives in its own file and starts from the request.
 *
 * Upstream mdadm's command line is the contract: every long option and
 * alias it has, its short letters (some mean different things in
 * different modes: -c is --chunk when creating and --config elsewhere),
 * the abbreviations getopt_long allows, its rules for how the mode is
 * chosen, and exit status 2 for a bad line.  Options that exist upstream
 * but mean nothing for IMSM are accepted in their modes and refused with
 * one line when the mode runs (nothing is silently ignored but --auto,
 * --offroot and --homehost, which upstream ignores too).
 *
 * How the mode is chosen (as upstream): a mode option (-A -B -C -F -G -I,
 * --manage, --misc, and the misc actions -D -E -Q -X --examine-badblocks
 * --action) sets it; -R -S -o -w -W --wait-clean --detail-platform
 * --kill-subarray --update-subarray --zero-superblock set misc mode when
 * none is set yet and are whole-array actions in manage mode; -a -r -f
 * set manage mode when none is set; an array named first with no mode
 * before it is queried when nothing else follows.
 */
#include "mdadm.h"
#include "mdadm-options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char prog_name[] = "mdadm";

#define N_OPTS opt_table_len

static const char *const major_names[MJ_COUNT] = {
	[MJ_NONE] = "none",         [MJ_ASSEMBLE] = "assemble", [MJ_BUILD] = "build",
	[MJ_CREATE] = "create",     [MJ_MONITOR] = "monitor",   [MJ_GROW] = "grow",
	[MJ_INCREMENTAL] = "incremental", [MJ_MANAGE] = "manage", [MJ_MISC] = "misc",
	[MJ_AUTODETECT] = "auto-detect",
};

const char *major_name(enum major mj)
{
	return mj < MJ_COUNT ? major_names[mj] : "?";
}

static const struct opt_def *find_opt(int id)
{
	for (size_t i = 0; i < N_OPTS; i++)
		if (opt_table[i].id == id)
			return &opt_table[i];
	return NULL;
}

/* Parsing state beyond the request itself. */
struct parse_state {
	struct request *req;
	enum major major;
	enum mode misc_action;          /* MJ_MISC: the action given */
	const struct opt_def *misc_opt; /* ... and the option that gave it */
	enum manage_action action;      /* applies to the next device names */
	int n_before_mode;              /* devices named before any mode */
	bool help;
	bool help_options;
	bool version;
	bool not_imsm;                  /* an option that means nothing for IMSM */
	const char *not_imsm_name;
	const char *cur_name;           /* the long name just given, NULL for a letter */
};

/*
 * The short letters as getopt must see them now: which take an argument
 * depends on the mode already chosen (-b is --bitmap=X when creating and
 * --brief elsewhere, -a is --auto=X when creating, -r takes a number
 * when monitoring).  Rebuilt before each getopt_long call, as upstream.
 */
static void build_shorts(enum major mj, char *s)
{
	bool bitmap = mj == MJ_ASSEMBLE || mj == MJ_BUILD || mj == MJ_CREATE || mj == MJ_GROW ||
		      mj == MJ_INCREMENTAL || mj == MJ_MANAGE;
	bool auto_arg = mj == MJ_ASSEMBLE || mj == MJ_BUILD || mj == MJ_CREATE ||
			mj == MJ_INCREMENTAL;

	strcpy(s, "-ABCDEFGIQhVXYWZ:vqc:i:l:p:m:n:x:u:d:z:U:N:sfRSow1tye:k:");
	strcat(s, bitmap ? "b:" : "b");
	strcat(s, auto_arg ? "a:" : "a");
	strcat(s, mj == MJ_MONITOR ? "r:" : "r");
}

static void build_longs(struct option *longs)
{
	for (size_t i = 0; i < N_OPTS; i++)
		longs[i] = (struct option){ opt_table[i].long_name, opt_table[i].has_arg, NULL,
					    opt_table[i].id };
	longs[N_OPTS] = (struct option){ NULL, 0, NULL, 0 };
}

static int add_dev(struct parse_state *ps, const char *path)
{
	struct request *req = ps->req;
	struct req_dev *devs;

	devs = realloc(req->devs, sizeof(*devs) * (size_t)(req->n_devs + 1));
	if (!devs) {
		pr_err("out of memory");
		return EXIT_FAILED;
	}
	req->devs = devs;
	devs[req->n_devs++] = (struct req_dev){ path, ps->action };
	return 0;
}

/* How an option is named in messages: as the user spelled it, if long. */
static const char *opt_name(const struct parse_state *ps, const struct opt_def *o)
{
	return ps->cur_name ? ps->cur_name : o->long_name;
}

/* A device name (getopt's 1). */
static int handle_device(struct parse_state *ps, const char *arg)
{
	struct request *req = ps->req;

	if (ps->major == MJ_NONE) {
		if (req->n_devs > 0) {
			pr_err("an option must set the mode before a second device ('%s') is named",
			       arg);
			return EXIT_USAGE;
		}
		ps->n_before_mode++;
		return add_dev(ps, arg);
	}
	if (req->n_devs > 0 && ps->major == MJ_MANAGE && ps->action == MANAGE_NONE) {
		pr_err("give one of -a/-r/-f before the device '%s'", arg);
		return EXIT_USAGE;
	}
	if (req->n_devs > 0 && ps->major == MJ_GROW && ps->action == MANAGE_NONE) {
		pr_err("give -a/--add before a device to add: '%s'", arg);
		return EXIT_USAGE;
	}
	return add_dev(ps, arg);
}

/* The mode an option asks for, given the mode so far (MJ_NONE: none). */
static enum major wanted_major(const struct parse_state *ps, const struct opt_def *o)
{
	switch (o->effect) {
	case EFF_SETS:
		return o->major;
	case EFF_MISC:
		return MJ_MISC;
	case EFF_MISC_IF_NONE:
		return ps->major == MJ_NONE ? MJ_MISC : ps->major;
	case EFF_MANAGE_IF_NONE:
		return ps->major == MJ_NONE ? MJ_MANAGE : ps->major;
	default:
		return ps->major;
	}
}

static int set_major(struct parse_state *ps, const struct opt_def *o)
{
	enum major want = wanted_major(ps, o);

	if (want == MJ_NONE) {
		pr_err("--%s does not set the mode, and so cannot be the first option; try 'mdadm --help'",
		       opt_name(ps, o));
		return EXIT_USAGE;
	}
	if (want == ps->major)
		return 0;
	if (ps->major != MJ_NONE) {
		pr_err("--%s would set mdadm mode to \"%s\", but it is already set to \"%s\"",
		       opt_name(ps, o), major_name(want), major_name(ps->major));
		return EXIT_USAGE;
	}
	if (want == MJ_MISC && ps->req->n_devs > 0) {
		pr_err("no action given for '%s' in misc mode: action options come before device names",
		       ps->req->devs[0].path);
		return EXIT_USAGE;
	}
	ps->major = want;
	return 0;
}

/* A misc action (-D, -E, -S, --zero-superblock ...): one kind per command. */
static int set_misc_action(struct parse_state *ps, const struct opt_def *o)
{
	if (ps->misc_action != MODE_NONE && ps->misc_action != o->misc_mode) {
		pr_err("--%s cannot be combined with --%s", opt_name(ps, o), ps->misc_opt->long_name);
		return EXIT_USAGE;
	}
	ps->misc_action = o->misc_mode;
	ps->misc_opt = o;
	return 0;
}

/* In manage mode -R -S -o -w act on the array itself. */
static int set_array_op(struct parse_state *ps, const struct opt_def *o)
{
	unsigned int op = o->id == 'R'   ? ARRAY_OP_RUN
			  : o->id == 'S' ? ARRAY_OP_STOP
			  : o->id == 'o' ? ARRAY_OP_READONLY
					 : ARRAY_OP_READWRITE;
	unsigned int *ops = &ps->req->array_ops;

	if ((op == ARRAY_OP_RUN && (*ops & ARRAY_OP_STOP)) ||
	    (op == ARRAY_OP_STOP && (*ops & ARRAY_OP_RUN))) {
		pr_err("cannot both run and stop an array");
		return EXIT_USAGE;
	}
	*ops |= op;
	return 0;
}

static int not_valid(const struct parse_state *ps, const struct opt_def *o)
{
	pr_err("--%s is not valid in %s mode", opt_name(ps, o), major_name(ps->major));
	return EXIT_USAGE;
}

/* Options whose meaning is the same in every mode. */
static bool handle_global(struct parse_state *ps, const struct opt_def *o, const char *arg)
{
	struct request *req = ps->req;

	switch (o->id) {
	case 'h':
		ps->help = true;
		return true;
	case OPT_HELP_OPTIONS:
		ps->help_options = true;
		return true;
	case 'V':
		ps->version = true;
		return true;
	case 'v':
		req->verbose++;
		return true;
	case 'q':
		req->verbose--;
		return true;
	case OPT_BRIEF:
		req->brief = true;
		return true;
	case OPT_NO_DEVICES:
		req->no_devices = true;
		return true;
	case 'Y':
		req->export = true;
		return true;
	case OPT_JSON:
		req->json = true;
		return true;
	case OPT_HOMEHOST:
		req->homehost = arg;
		return true;
	case OPT_OFFROOT: /* upstream ignores it too */
	case OPT_PREFER:
		return true;
	}
	return false;
}

static int dispatch_action(struct parse_state *ps, const struct opt_def *o, const char *arg)
{
	struct request *req = ps->req;
	int r;

	switch (ps->major) {
	case MJ_MISC:
		r = set_misc_action(ps, o);
		if (r)
			return r;
		if (o->id == OPT_KILL_SUBARRAY || o->id == OPT_UPDATE_SUBARRAY)
			return opt_string(o, &req->subarray, arg);
		if (o->id == OPT_ACTION)
			return opt_action(o, req, arg);
		return 0;
	case MJ_MANAGE:
		if (o->id == 'R' || o->id == 'S' || o->id == 'o' || o->id == 'w')
			return set_array_op(ps, o);
		break;
	case MJ_ASSEMBLE:
	case MJ_CREATE:
	case MJ_INCREMENTAL:
	case MJ_BUILD:
		if (o->id == 'R') {
			req->run = true;
			return 0;
		}
		if (o->id == 'o' && ps->major != MJ_INCREMENTAL) {
			req->readonly = true;
			return 0;
		}
		break;
	default:
		break;
	}
	return not_valid(ps, o);
}

/* -a -r -f and their long names: the action for the devices that follow. */
static int handle_dev_action(struct parse_state *ps, const struct opt_def *o, const char *arg)
{
	struct request *req = ps->req;

	if (o->id == OPT_FAIL && ps->major == MJ_INCREMENTAL) {
		ps->action = MANAGE_FAIL;
		return 0;
	}
	if (o->id == OPT_REMOVE && ps->major == MJ_INCREMENTAL) {
		ps->action = MANAGE_FAIL; /* upstream: -I --remove is -I --fail */
		return 0;
	}
	if (o->id == OPT_ADD && ps->major == MJ_GROW) {
		ps->action = MANAGE_ADD;
		return 0;
	}
	if (ps->major != MJ_MANAGE)
		return not_valid(ps, o);
	(void)arg;
	(void)req;
	switch (o->id) {
	case OPT_ADD:
	case OPT_ADD_SPARE:
	case OPT_READD:
		ps->action = MANAGE_ADD;
		break;
	case OPT_REMOVE:
		ps->action = MANAGE_REMOVE;
		break;
	default:
		ps->action = MANAGE_FAIL;
		break;
	}
	return 0;
}

/* The option is valid in the mode chosen: store what it says. */
static int handle_in_mode(struct parse_state *ps, const struct opt_def *o, const char *arg)
{
	if (!(o->majors & MJ_BIT(ps->major)))
		return not_valid(ps, o);
	return opt_store(ps->req, o, arg);
}

static int handle_opt(struct parse_state *ps, int c, const char *arg)
{
	const struct opt_def *o;
	int r;

	if (c == 1)
		return handle_device(ps, arg);
	o = find_opt(c < 256 ? opt_short_id(ps->major, c) : c);
	if (!o)
		return EXIT_USAGE; /* cannot happen: getopt knows only our options */
	if (handle_global(ps, o, arg))
		return 0;
	if (o->not_imsm && !ps->not_imsm) {
		ps->not_imsm = true;
		ps->not_imsm_name = o->long_name;
	}
	r = set_major(ps, o);
	if (r)
		return r;
	switch (o->effect) {
	case EFF_SETS:
		return o->id == OPT_NO_SHARING ? opt_store(ps->req, o, arg) : 0;
	case EFF_MISC:
	case EFF_MISC_IF_NONE:
		return dispatch_action(ps, o, arg);
	case EFF_MANAGE_IF_NONE:
		return handle_dev_action(ps, o, arg);
	default:
		return handle_in_mode(ps, o, arg);
	}
}

/* The mode the request runs, from the major mode and the misc action. */
static int resolve_mode(struct parse_state *ps)
{
	static const enum mode of_major[MJ_COUNT] = {
		[MJ_ASSEMBLE] = MODE_ASSEMBLE, [MJ_BUILD] = MODE_BUILD,
		[MJ_CREATE] = MODE_CREATE,     [MJ_MONITOR] = MODE_MONITOR,
		[MJ_GROW] = MODE_GROW,         [MJ_INCREMENTAL] = MODE_INCREMENTAL,
		[MJ_MANAGE] = MODE_MANAGE,     [MJ_AUTODETECT] = MODE_AUTODETECT,
	};
	struct request *req = ps->req;

	if (ps->major == MJ_NONE) {
		if (req->n_devs == 0) {
			pr_err("no mode or device given; try 'mdadm --help'");
			return EXIT_USAGE;
		}
		req->mode = MODE_QUERY; /* "mdadm /dev/md0" queries, as upstream */
		return 0;
	}
	if (ps->major == MJ_MISC) {
		if (ps->misc_action == MODE_NONE) {
			pr_err("no action given in misc mode (-D, -E, -S, --zero-superblock, ...); try 'mdadm --misc --help'");
			return EXIT_USAGE;
		}
		req->mode = ps->misc_action;
		return 0;
	}
	req->mode = of_major[ps->major];
	return 0;
}

static bool mode_takes_array(enum mode mode)
{
	return mode == MODE_CREATE || mode == MODE_ASSEMBLE || mode == MODE_GROW ||
	       mode == MODE_MANAGE || mode == MODE_BUILD;
}

/* The first device of create/assemble/grow/manage names the md array. */
static int split_array(struct request *req)
{
	if (!mode_takes_array(req->mode))
		return 0;
	/* "mdadm --add md0 sdb": the first name is the array whatever action
	 * came before it (the action goes on to the devices after it) */
	if (req->n_devs == 0) {
		if (req->mode == MODE_ASSEMBLE && req->scan)
			return 0;
		pr_err("an md device must be given in %s mode", mode_name(req->mode));
		return EXIT_USAGE;
	}
	req->array = req->devs[0].path;
	memmove(req->devs, req->devs + 1, sizeof(*req->devs) * (size_t)(req->n_devs - 1));
	req->n_devs--;
	return 0;
}

/*
 * Manage mode with nothing but one whole-array action ("mdadm --manage
 * md0 --stop") runs as that action's own mode on the array.
 */
static void manage_to_array_action(struct request *req)
{
	static const struct {
		unsigned int op;
		enum mode mode;
	} map[] = {
		{ ARRAY_OP_RUN, MODE_RUN },
		{ ARRAY_OP_STOP, MODE_STOP },
		{ ARRAY_OP_READONLY, MODE_READONLY },
		{ ARRAY_OP_READWRITE, MODE_READWRITE },
	};

	if (req->mode != MODE_MANAGE || req->n_devs != 0)
		return;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (req->array_ops != map[i].op)
			continue;
		req->mode = map[i].mode;
		req->array_ops = 0;
		req->devs[0] = (struct req_dev){ req->array, MANAGE_NONE };
		req->n_devs = 1;
		req->array = NULL;
		return;
	}
}

static int check_devices(const struct request *req)
{
	switch (req->mode) {
	case MODE_MANAGE:
		if (req->n_devs == 0 && req->array_ops == 0) {
			pr_err("no devices given for --add, --remove or --fail");
			return EXIT_USAGE;
		}
		break;
	case MODE_INCREMENTAL:
		/* names after the first are other names of the same disk, as
		 * udev passes $env{DEVLINKS} */
		if (req->n_devs == 0 && !req->scan && !req->rebuild_map) {
			pr_err("--incremental needs a device, --scan or --rebuild-map");
			return EXIT_USAGE;
		}
		if (req->n_devs > 0 && req->scan) {
			pr_err("--incremental --scan takes no device");
			return EXIT_USAGE;
		}
		break;
	case MODE_EXAMINE:
	case MODE_DETAIL:
	case MODE_STOP:
	case MODE_WAIT_CLEAN:
		if (req->n_devs == 0 && !req->scan) {
			pr_err("no devices given for --%s", mode_name(req->mode));
			return EXIT_USAGE;
		}
		break;
	case MODE_QUERY:
	case MODE_WAIT:
	case MODE_ZERO_SUPERBLOCK:
	case MODE_RUN:
	case MODE_READONLY:
	case MODE_READWRITE:
	case MODE_ACTION:
	case MODE_EXAMINE_BADBLOCKS:
	case MODE_EXAMINE_BITMAP:
		if (req->n_devs == 0) {
			pr_err("no devices given for --%s", mode_name(req->mode));
			return EXIT_USAGE;
		}
		break;
	case MODE_KILL_SUBARRAY:
	case MODE_UPDATE_SUBARRAY:
		if (req->n_devs != 1) {
			pr_err("--%s takes one container", mode_name(req->mode));
			return EXIT_USAGE;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* Cross-option rules upstream checks once the line is read. */
static int check_combinations(const struct parse_state *ps)
{
	const struct request *req = ps->req;

	if (req->raid_devices == 1 && !req->force &&
	    (req->mode == MODE_CREATE || req->mode == MODE_BUILD)) {
		pr_err("'1' is an unusual number of drives for an array, so it is probably a mistake; give --force to mean it");
		return EXIT_USAGE;
	}
	if (req->name && ps->major == MJ_MISC && req->mode != MODE_UPDATE_SUBARRAY) {
		pr_err("-N/--name is only valid with --update-subarray in misc mode");
		return EXIT_USAGE;
	}
	if (req->update && req->mode == MODE_UPDATE_SUBARRAY && !req->subarray) {
		pr_err("only subarrays can be updated in misc mode");
		return EXIT_USAGE;
	}
	if (req->mode == MODE_ASSEMBLE && req->no_degraded && !req->scan) {
		pr_err("--no-degraded is only meaningful with --scan");
		return EXIT_FAILED; /* upstream's status for it */
	}
	return 0;
}

static int finish_request(struct parse_state *ps)
{
	struct request *req = ps->req;
	int r;

	if (ps->version) {
		req->mode = MODE_VERSION;
		return 0;
	}
	if (ps->help || ps->help_options) {
		req->mode = MODE_HELP;
		req->help_for = ps->help_options ? MJ_COUNT : ps->major;
		return 0;
	}
	r = resolve_mode(ps);
	if (!r)
		r = split_array(req);
	if (!r)
		manage_to_array_action(req);
	if (!r)
		r = check_devices(req);
	if (!r)
		r = check_combinations(ps);
	if (!r && ps->not_imsm)
		req->not_imsm = ps->not_imsm_name;
	return r;
}

static void init_request(struct request *req)
{
	*req = (struct request){
		.level = UNSET,
		.raid_devices = UNSET,
		.chunk_kib = UNSET,
		.size_kib = UNSET,
		.spare_devices = UNSET,
		.array_size_kib = UNSET,
		.delay_s = UNSET,
		.increment = UNSET,
	};
}

int parse_request(int argc, char **argv, struct request *ret)
{
	struct option longs[OPT_TABLE_MAX + 1];
	char shorts[96];
	struct parse_state ps = { .req = ret };
	int c, li, r = 0;

	init_request(ret);
	build_longs(longs);
	opterr = 0; /* we report, with our prefix */
	optind = 0; /* full re-initialisation, so tests may parse repeatedly */
	while (!r) {
		build_shorts(ps.major, shorts);
		li = -1;
		c = getopt_long(argc, argv, shorts, longs, &li);
		if (c == -1)
			break;
		ps.cur_name = li >= 0 ? opt_table[li].long_name : NULL;
		r = c == '?' ? report_bad_option(argv, shorts, ps.major) : handle_opt(&ps, c, optarg);
	}
	if (!r)
		r = finish_request(&ps);
	if (r)
		free_request(ret);
	return r;
}

void free_request(struct request *req)
{
	free(req->devs);
	req->devs = NULL;
	req->n_devs = 0;
}

static int mode_version(const struct request *req)
{
	(void)req;
	/* On stderr, as upstream: scripts parse "mdadm - vX.Y" from there. */
	fprintf(stderr, "mdadm - v%s - %s (%s)\n", MDADM_VERSION, MDADM_DATE, MDADM_EDITION);
	return EXIT_OK;
}

static int mode_unsupported(const struct request *req)
{
	switch (req->mode) {
	case MODE_BUILD:
		pr_err("--build makes arrays without metadata; it does not apply to IMSM");
		return EXIT_FAILED;
	case MODE_AUTODETECT:
		pr_err("--auto-detect starts the kernel's 0.90 arrays; it does not apply to IMSM");
		return EXIT_FAILED;
	default:
		return mode_not_implemented(mode_name(req->mode));
	}
}

static int (*const dispatch[MODE_COUNT])(const struct request *) = {
	[MODE_CREATE] = mode_create,
	[MODE_ASSEMBLE] = mode_assemble,
	[MODE_INCREMENTAL] = mode_incremental,
	[MODE_GROW] = mode_grow,
	[MODE_MANAGE] = mode_manage,
	[MODE_EXAMINE] = mode_examine,
	[MODE_DETAIL] = mode_detail,
	[MODE_QUERY] = mode_query,
	[MODE_STOP] = mode_stop,
	[MODE_WAIT] = mode_wait,
	[MODE_VERSION] = mode_version,
	[MODE_HELP] = mode_help,
	[MODE_ZERO_SUPERBLOCK] = mode_zero_superblock,
	[MODE_KILL_SUBARRAY] = mode_kill_subarray,
	[MODE_UPDATE_SUBARRAY] = mode_update_subarray,
	[MODE_DETAIL_PLATFORM] = mode_detail_platform,
	[MODE_WAIT_CLEAN] = mode_wait_clean,
	[MODE_RUN] = mode_run,
	[MODE_READONLY] = mode_readonly,
	[MODE_READWRITE] = mode_readwrite,
	[MODE_ACTION] = mode_action,
	[MODE_EXAMINE_BADBLOCKS] = mode_examine_badblocks,
	[MODE_EXAMINE_BITMAP] = mode_examine_bitmap,
	[MODE_BUILD] = mode_unsupported,
	[MODE_MONITOR] = mode_monitor,
	[MODE_AUTODETECT] = mode_unsupported,
};

/* A mode whose code has not landed yet says so in one line. */
int mode_not_implemented(const char *what)
{
	pr_err("%s is not implemented yet", what);
	return EXIT_FAILED;
}

int run_request(const struct request *req)
{
	char what[32];

	if (req->not_imsm && req->mode != MODE_HELP && req->mode != MODE_VERSION) {
		pr_err("--%s does not apply to IMSM arrays", req->not_imsm);
		return EXIT_FAILED;
	}
	if (dispatch[req->mode])
		return dispatch[req->mode](req);
	snprintf(what, sizeof(what), "--%s", mode_name(req->mode));
	return mode_not_implemented(what);
}

#ifndef MDADM_NO_MAIN
int main(int argc, char **argv)
{
	struct request req;
	int r;

	r = parse_request(argc, argv, &req);
	if (r)
		return r;
	r = run_request(&req);
	free_request(&req);
	return r;
}
#endif
