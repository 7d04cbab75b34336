/*
 * mdadm.c: the command line.
 *
 * Owns: the option table, parsing argv into a struct request, checking
 * options against the mode, and the mode dispatch table.  Never touches a
 * device: every mode lives in its own file and starts from the request.
 *
 * Spellings follow upstream mdadm so that admins' habits and scripts keep
 * working.  A bad or conflicting option gives one line on stderr and exit
 * status 2 (EXIT_USAGE).
 */
#include "mdadm.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char prog_name[] = "mdadm";

/* Long-only options get ids above the char range. */
enum opt_id {
	OPT_LAYOUT = 256,
	OPT_BACKUP_FILE,
	OPT_ASSUME_CLEAN,
	OPT_CONTINUE,
	OPT_FORCE,
};

#define M(mode) (1u << (mode))
#define M_ANY 0u
#define M_MISC (M(MODE_EXAMINE) | M(MODE_DETAIL) | M(MODE_QUERY) | M(MODE_STOP) | M(MODE_WAIT))
#define M_BUILD (M(MODE_CREATE) | M(MODE_GROW))

/*
 * One row per option.  sets_mode != MODE_NONE makes the option a mode
 * selector; modes is the set of modes in which the option is valid (M_ANY:
 * everywhere).
 */
struct opt_def {
	const char *long_name;
	int id;           /* short letter, or enum opt_id */
	int has_arg;
	enum mode sets_mode;
	unsigned int modes;
};

static const struct opt_def opt_table[] = {
	{ "create", 'C', no_argument, MODE_CREATE, M_ANY },
	{ "assemble", 'A', no_argument, MODE_ASSEMBLE, M_ANY },
	{ "incremental", 'I', no_argument, MODE_INCREMENTAL, M_ANY },
	{ "grow", 'G', no_argument, MODE_GROW, M_ANY },
	{ "examine", 'E', no_argument, MODE_EXAMINE, M_ANY },
	{ "detail", 'D', no_argument, MODE_DETAIL, M_ANY },
	{ "query", 'Q', no_argument, MODE_QUERY, M_ANY },
	{ "stop", 'S', no_argument, MODE_STOP, M_ANY },
	{ "wait", 'W', no_argument, MODE_WAIT, M_ANY },
	{ "version", 'V', no_argument, MODE_VERSION, M_ANY },
	{ "help", 'h', no_argument, MODE_HELP, M_ANY },
	{ "add", 'a', no_argument, MODE_NONE, M(MODE_MANAGE) },
	{ "remove", 'r', no_argument, MODE_NONE, M(MODE_MANAGE) },
	{ "fail", 'f', no_argument, MODE_NONE, M(MODE_MANAGE) },
	{ "force", OPT_FORCE, no_argument, MODE_NONE, M(MODE_CREATE) | M(MODE_ASSEMBLE) },
	{ "metadata", 'e', required_argument, MODE_NONE,
	  M(MODE_CREATE) | M(MODE_ASSEMBLE) | M(MODE_INCREMENTAL) | M(MODE_EXAMINE) },
	{ "level", 'l', required_argument, MODE_NONE, M_BUILD },
	{ "raid-devices", 'n', required_argument, MODE_NONE, M_BUILD },
	{ "chunk", 'c', required_argument, MODE_NONE, M_BUILD },
	{ "size", 'z', required_argument, MODE_NONE, M_BUILD },
	{ "layout", OPT_LAYOUT, required_argument, MODE_NONE, M_BUILD },
	{ "backup-file", OPT_BACKUP_FILE, required_argument, MODE_NONE,
	  M(MODE_GROW) | M(MODE_ASSEMBLE) },
	{ "assume-clean", OPT_ASSUME_CLEAN, no_argument, MODE_NONE, M(MODE_CREATE) },
	{ "continue", OPT_CONTINUE, no_argument, MODE_NONE, M(MODE_GROW) },
	{ "run", 'R', no_argument, MODE_NONE,
	  M(MODE_CREATE) | M(MODE_ASSEMBLE) | M(MODE_INCREMENTAL) },
	{ "scan", 's', no_argument, MODE_NONE,
	  M(MODE_ASSEMBLE) | M(MODE_INCREMENTAL) | M(MODE_EXAMINE) | M(MODE_DETAIL) |
		  M(MODE_STOP) | M(MODE_WAIT) },
	{ "export", 'Y', no_argument, MODE_NONE, M(MODE_EXAMINE) | M(MODE_DETAIL) },
	{ "brief", 'b', no_argument, MODE_NONE, M_MISC | M(MODE_ASSEMBLE) },
	{ "verbose", 'v', no_argument, MODE_NONE, M_ANY },
	{ "quiet", 'q', no_argument, MODE_NONE, M_ANY },
};

#define N_OPTS (sizeof(opt_table) / sizeof(opt_table[0]))

static const char *const mode_names[MODE_COUNT] = {
	[MODE_NONE] = "none",         [MODE_CREATE] = "create", [MODE_ASSEMBLE] = "assemble",
	[MODE_INCREMENTAL] = "incremental", [MODE_GROW] = "grow", [MODE_MANAGE] = "manage",
	[MODE_EXAMINE] = "examine",   [MODE_DETAIL] = "detail", [MODE_QUERY] = "query",
	[MODE_STOP] = "stop",         [MODE_WAIT] = "wait",     [MODE_VERSION] = "version",
	[MODE_HELP] = "help",
};

static const struct opt_def *find_opt(int id)
{
	for (size_t i = 0; i < N_OPTS; i++)
		if (opt_table[i].id == id)
			return &opt_table[i];
	return NULL;
}

/* Build getopt's tables from opt_table.  "-" keeps non-options in order. */
static void build_getopt(struct option *longs, char *shorts)
{
	char *s = shorts;

	*s++ = '-';
	for (size_t i = 0; i < N_OPTS; i++) {
		longs[i] = (struct option){ opt_table[i].long_name, opt_table[i].has_arg, NULL,
					    opt_table[i].id };
		if (opt_table[i].id < 256) {
			*s++ = (char)opt_table[i].id;
			if (opt_table[i].has_arg)
				*s++ = ':';
		}
	}
	*s = '\0';
	longs[N_OPTS] = (struct option){ NULL, 0, NULL, 0 };
}

/* Parsing state beyond the request itself. */
struct parse_state {
	struct request *req;
	enum manage_action action;       /* applies to the next device names */
	const struct opt_def *seen[N_OPTS]; /* checked once the mode is known */
	int n_seen;
};

static int set_mode(struct parse_state *ps, const struct opt_def *o)
{
	struct request *req = ps->req;

	if (req->mode != MODE_NONE && req->mode != o->sets_mode) {
		pr_err("--%s would set mdadm mode to \"%s\", but it is already set to \"%s\"",
		       o->long_name, mode_names[o->sets_mode], mode_names[req->mode]);
		return EXIT_USAGE;
	}
	req->mode = o->sets_mode;
	return 0;
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

/* Options that take a value may be given once only. */
static int once(const struct opt_def *o, bool already)
{
	if (already) {
		pr_err("--%s may only be given once", o->long_name);
		return EXIT_USAGE;
	}
	return 0;
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

static int parse_count(const struct opt_def *o, struct request *req, const char *arg)
{
	int r = once(o, req->raid_devices != UNSET);

	if (r)
		return r;
	if (util_parse_int(arg, 1, 1024, &req->raid_devices) < 0) {
		pr_err("invalid number of raid devices: %s", arg);
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

static int parse_string(const struct opt_def *o, const char **field, const char *arg)
{
	int r = once(o, *field != NULL);

	if (r)
		return r;
	*field = arg;
	return 0;
}

/* -a/-r/-f: manage actions for the devices that follow; -f is --force
 * for assemble and create, as in mdadm. */
static int set_action(struct parse_state *ps, int id)
{
	struct request *req = ps->req;

	if (id == 'f' && (req->mode == MODE_ASSEMBLE || req->mode == MODE_CREATE)) {
		req->force = true;
		return 0;
	}
	if (req->mode == MODE_NONE)
		req->mode = MODE_MANAGE;
	ps->action = id == 'a' ? MANAGE_ADD : id == 'r' ? MANAGE_REMOVE : MANAGE_FAIL;
	return 0;
}

static int handle_value_opt(struct parse_state *ps, const struct opt_def *o, const char *arg)
{
	struct request *req = ps->req;

	switch (o->id) {
	case 'e':
		return parse_string(o, &req->metadata, arg);
	case 'l':
		return parse_level(o, req, arg);
	case 'n':
		return parse_count(o, req, arg);
	case 'c':
		return parse_kib(o, &req->chunk_kib, arg, false);
	case 'z':
		return parse_kib(o, &req->size_kib, arg, true);
	case OPT_LAYOUT:
		return parse_string(o, &req->layout, arg);
	case OPT_BACKUP_FILE:
		return parse_string(o, &req->backup_file, arg);
	}
	return 0;
}

static int handle_flag_opt(struct parse_state *ps, const struct opt_def *o)
{
	struct request *req = ps->req;

	switch (o->id) {
	case 'a':
	case 'r':
	case 'f':
		return set_action(ps, o->id);
	case OPT_FORCE:
		req->force = true;
		break;
	case OPT_ASSUME_CLEAN:
		req->assume_clean = true;
		break;
	case OPT_CONTINUE:
		req->do_continue = true;
		break;
	case 'R':
		req->run = true;
		break;
	case 's':
		req->scan = true;
		break;
	case 'Y':
		req->export = true;
		break;
	case 'b':
		req->brief = true;
		break;
	case 'v':
		req->verbose++;
		break;
	case 'q':
		req->verbose--;
		break;
	}
	return 0;
}

static int handle_opt(struct parse_state *ps, int c, const char *arg)
{
	const struct opt_def *o;

	if (c == 1)
		return add_dev(ps, arg);
	o = find_opt(c);
	if (!o)
		return EXIT_USAGE; /* getopt already printed why */
	if (o->modes != M_ANY && ps->n_seen < (int)N_OPTS)
		ps->seen[ps->n_seen++] = o;
	if (o->sets_mode != MODE_NONE)
		return set_mode(ps, o);
	if (o->has_arg)
		return handle_value_opt(ps, o, arg);
	return handle_flag_opt(ps, o);
}

/* Once the mode is known, every option given must be valid in it. */
static int check_modes(const struct parse_state *ps)
{
	enum mode mode = ps->req->mode;

	for (int i = 0; i < ps->n_seen; i++) {
		const struct opt_def *o = ps->seen[i];

		if (o->modes & M(mode))
			continue;
		if (o->id == 'f' && (mode == MODE_ASSEMBLE || mode == MODE_CREATE))
			continue;
		pr_err("--%s is not valid in %s mode", o->long_name, mode_names[mode]);
		return EXIT_USAGE;
	}
	return 0;
}

static bool mode_takes_array(enum mode mode)
{
	return mode == MODE_CREATE || mode == MODE_ASSEMBLE || mode == MODE_GROW ||
	       mode == MODE_MANAGE;
}

/* The first device of create/assemble/grow/manage names the md array. */
static int split_array(struct request *req)
{
	if (!mode_takes_array(req->mode))
		return 0;
	/* "mdadm --add ARRAY DEV": the action before the array applies to DEV */
	if (req->n_devs == 0 ||
	    (req->devs[0].action != MANAGE_NONE && req->mode != MODE_MANAGE)) {
		if (req->mode == MODE_ASSEMBLE && req->scan)
			return 0;
		pr_err("an md device must be given in %s mode", mode_names[req->mode]);
		return EXIT_USAGE;
	}
	req->array = req->devs[0].path;
	memmove(req->devs, req->devs + 1, sizeof(*req->devs) * (size_t)(req->n_devs - 1));
	req->n_devs--;
	return 0;
}

static int check_devices(const struct request *req)
{
	switch (req->mode) {
	case MODE_MANAGE:
		if (req->n_devs == 0) {
			pr_err("no devices given for --add, --remove or --fail");
			return EXIT_USAGE;
		}
		break;
	case MODE_INCREMENTAL:
		if (req->n_devs > 1) {
			pr_err("--incremental takes one device");
			return EXIT_USAGE;
		}
		break;
	case MODE_EXAMINE:
	case MODE_DETAIL:
	case MODE_QUERY:
	case MODE_STOP:
	case MODE_WAIT:
		if (req->n_devs == 0 && !req->scan) {
			pr_err("no devices given for --%s", mode_names[req->mode]);
			return EXIT_USAGE;
		}
		break;
	default:
		break;
	}
	return 0;
}

static int finish_request(struct parse_state *ps)
{
	struct request *req = ps->req;
	int r;

	if (req->mode == MODE_VERSION || req->mode == MODE_HELP)
		return 0;
	if (req->mode == MODE_NONE) {
		if (req->n_devs == 0) {
			pr_err("no mode or device given; try 'mdadm --help'");
			return EXIT_USAGE;
		}
		req->mode = MODE_QUERY; /* "mdadm /dev/md0" queries, as upstream */
	}
	r = check_modes(ps);
	if (!r)
		r = split_array(req);
	if (!r)
		r = check_devices(req);
	return r;
}

/* getopt returned '?': optopt is 0 for an unknown long option, else the
 * option whose argument is missing or the unknown letter. */
static int report_bad_option(char **argv)
{
	const struct opt_def *o = optopt ? find_opt(optopt) : NULL;

	if (!optopt)
		pr_err("unrecognized option '%s'; try 'mdadm --help'", argv[optind - 1]);
	else if (o && o->has_arg)
		pr_err("option --%s requires an argument", o->long_name);
	else
		pr_err("invalid option -- '%c'; try 'mdadm --help'", optopt);
	return EXIT_USAGE;
}

static void init_request(struct request *req)
{
	*req = (struct request){
		.level = UNSET,
		.raid_devices = UNSET,
		.chunk_kib = UNSET,
		.size_kib = UNSET,
	};
}

int parse_request(int argc, char **argv, struct request *ret)
{
	struct option longs[N_OPTS + 1];
	char shorts[2 * N_OPTS + 2];
	struct parse_state ps = { .req = ret };
	int c, r = 0;

	init_request(ret);
	build_getopt(longs, shorts);
	opterr = 0; /* we report, with our prefix */
	optind = 0; /* full re-initialisation, so tests may parse repeatedly */
	while (!r && (c = getopt_long(argc, argv, shorts, longs, NULL)) != -1)
		r = c == '?' ? report_bad_option(argv) : handle_opt(&ps, c, optarg);
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

static const char usage_text[] =
	"Usage: mdadm --create md-device --level=L --raid-devices=N devices...\n"
	"       mdadm --create md-container -e imsm --raid-devices=N devices...\n"
	"       mdadm --assemble md-device devices...  |  mdadm --assemble --scan\n"
	"       mdadm --incremental device\n"
	"       mdadm --grow md-device options...\n"
	"       mdadm md-device --add|--remove|--fail devices...\n"
	"       mdadm --examine|--detail|--query|--stop|--wait devices...\n"
	"\n"
	"Modes:    -C --create  -A --assemble  -I --incremental  -G --grow\n"
	"          -E --examine  -D --detail  -Q --query  -S --stop  -W --wait\n"
	"Manage:   -a --add  -r --remove  -f --fail\n"
	"Options:  -e --metadata=imsm  -l --level=L  -n --raid-devices=N  -c --chunk=KiB\n"
	"          -z --size=KiB|max  --layout=L  --backup-file=F  --assume-clean\n"
	"          --continue  -R --run  -s --scan  -Y --export  -b --brief  --force\n"
	"          -v --verbose  -q --quiet  -V --version  -h --help\n"
	"\n"
	"Sizes take K, M, G or T suffixes (powers of 1024).  Exit status: 0 success,\n"
	"1 failure, 2 usage error, 3 refused by a safety check (nothing changed).\n";

static int mode_help(const struct request *req)
{
	(void)req;
	fputs(usage_text, stdout);
	return EXIT_OK;
}

static int mode_version(const struct request *req)
{
	(void)req;
	printf("mdadm - v%s - %s (IMSM reshape edition)\n", MDADM_VERSION, MDADM_DATE);
	return EXIT_OK;
}

static int (*const dispatch[MODE_COUNT])(const struct request *) = {
	[MODE_CREATE] = mode_create,   [MODE_ASSEMBLE] = mode_assemble,
	[MODE_INCREMENTAL] = mode_incremental, [MODE_GROW] = mode_grow,
	[MODE_MANAGE] = mode_manage,
	[MODE_EXAMINE] = mode_examine, [MODE_DETAIL] = mode_detail,
	[MODE_QUERY] = mode_query,     [MODE_STOP] = mode_stop,
	[MODE_WAIT] = mode_wait,       [MODE_VERSION] = mode_version,
	[MODE_HELP] = mode_help,
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

	if (dispatch[req->mode])
		return dispatch[req->mode](req);
	snprintf(what, sizeof(what), "--%s", mode_names[req->mode]);
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
