/*
 * Detail.c: the describing modes: --detail, --query, --examine.
 *
 * Owns: building a description of an array (from sysfs and /proc/mdstat,
 * its UUID from the metadata handler) or of a disk (loaded and rendered
 * by its metadata handler, struct metadata_ops), and rendering it as text,
 * --export key=value lines, or --brief/--scan ARRAY lines.  Compute first,
 * render last: the gatherers never print, the printers never read.
 * Never changes anything on disk or in the kernel.
 */
#include "mdadm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SYSROOT "/sys"

/* Everything the printers need about one array. */
struct detail {
	char path[PATH_MAX];           /* as the user named it, or /dev/mdN */
	struct md_array_info info;
	struct mdstat_array *stat;     /* borrowed from the mdstat list, may be NULL */
	unsigned long long size_kib;   /* array size (0 for containers) */
	bool container;
	char container_devnm[32];      /* for members */
	char container_path[PATH_MAX]; /* for members: /dev/md/NAME or /dev/mdN */
	char container_format[64];     /* for members: "imsm" */
	const char *member_index;      /* for members: text after the container name */
	char uuid[40];                 /* from the metadata; "" when unknown */
};

static int read_size_kib(const char *devnm, unsigned long long *ret)
{
	char path[96], buf[32];
	int r;

	snprintf(path, sizeof(path), SYSROOT "/block/%s/size", devnm);
	r = util_read_small_file(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	*ret = strtoull(buf, NULL, 10) / 2;
	return 0;
}

/* A member shows its container's name and metadata format. */
static void describe_container(struct detail *d)
{
	char meta[64];
	struct md_sysfs md;

	util_md_display_path(d->container_devnm, d->container_path, sizeof(d->container_path));
	sysfs_init(&md, SYSROOT, d->container_devnm);
	if (sysfs_get_metadata_version(&md, meta, sizeof(meta)) >= 0 &&
	    strncmp(meta, "external:", 9) == 0)
		snprintf(d->container_format, sizeof(d->container_format), "%s", meta + 9);
	else
		snprintf(d->container_format, sizeof(d->container_format), "external");
}

/* "external:/md127/0" -> container "md127", member "0". */
static void split_external(struct detail *d)
{
	const char *m = d->info.metadata;
	const char *slash;
	size_t len;

	if (strncmp(m, "external:", 9) != 0)
		return;
	if (m[9] != '/' && m[9] != '-') {
		d->container = true;
		return;
	}
	slash = strchr(m + 10, '/');
	if (!slash)
		return;
	len = (size_t)(slash - (m + 10));
	if (len >= sizeof(d->container_devnm))
		return;
	memcpy(d->container_devnm, m + 10, len);
	d->container_devnm[len] = '\0';
	d->member_index = slash + 1;
	describe_container(d);
}

/* The UUID the metadata gives a container or one of its volumes. */
static void gather_uuid(const char *devnm, struct detail *d)
{
	const char *container = d->container ? devnm : d->container_devnm;
	int index = d->member_index ? atoi(d->member_index) : MD_UUID_CONTAINER;
	const struct metadata_ops *ops;
	struct super *st;

	if (!d->container && !d->member_index)
		return;
	ops = metadata_of_container(container);
	if (!ops || ops->load_container(container, &st) < 0)
		return;
	if (ops->uuid(st, index, d->uuid) < 0)
		d->uuid[0] = '\0';
	ops->free(st);
}

static int gather_detail(const char *path, const char *devnm, struct mdstat_array *stats,
			 struct detail *d)
{
	struct md_sysfs md;
	int r;

	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "%s", path);
	sysfs_init(&md, SYSROOT, devnm);
	r = sysfs_read_array(&md, &d->info);
	if (r < 0)
		return r;
	d->stat = mdstat_find(stats, devnm);
	split_external(d);
	gather_uuid(devnm, d);
	if (!d->container && read_size_kib(devnm, &d->size_kib) < 0)
		d->size_kib = 0;
	return 0;
}

static const char *metadata_shown(const struct detail *d)
{
	const char *m = d->info.metadata;

	if (d->container)
		return m + strlen("external:");
	return d->member_index ? d->container_format : m;
}

/* Role of a member as upstream words it. */
static const char *member_role(const struct md_member_info *m)
{
	if (strstr(m->state, "faulty"))
		return "faulty";
	if (m->slot < 0)
		return "spare";
	if (strstr(m->state, "in_sync"))
		return "active sync";
	return "spare rebuilding";
}

static void member_path(const struct md_member_info *m, char *buf, size_t len)
{
	if (util_devpath_of(makedev(m->major, m->minor), buf, len) < 0)
		snprintf(buf, len, "/dev/%s", m->kname);
}

static const char *sync_word(const struct mdstat_array *s)
{
	switch (s ? s->sync : MDSTAT_SYNC_NONE) {
	case MDSTAT_SYNC_RESYNC:
		return "resyncing";
	case MDSTAT_SYNC_RECOVERY:
		return "recovering";
	case MDSTAT_SYNC_RESHAPE:
		return "reshaping";
	case MDSTAT_SYNC_CHECK:
		return "checking";
	default:
		return NULL;
	}
}

static void state_text(const struct detail *d, char *buf, size_t len)
{
	const struct mdstat_array *s = d->stat;
	const char *sync = sync_word(s);
	const char *base = d->info.array_state;

	if (strcmp(base, "active-idle") == 0 || strcmp(base, "write-pending") == 0)
		base = "active";
	snprintf(buf, len, "%s%s%s%s", base,
		 s && s->working_disks >= 0 && s->working_disks < s->raid_disks ? ", degraded" : "",
		 sync ? ", " : "", sync ? sync : "");
}

static void print_field(const char *label, const char *value)
{
	printf("%18s : %s\n", label, value);
}

static void print_size_field(const char *label, unsigned long long kib)
{
	char human[64], line[128];

	util_human_size(kib * 1024, human, sizeof(human));
	snprintf(line, sizeof(line), "%llu (%s)", kib, human);
	print_field(label, line);
}

static int count_role(const struct detail *d, const char *role)
{
	int n = 0;

	for (int i = 0; i < d->info.n_members; i++)
		n += strcmp(member_role(&d->info.members[i]), role) == 0;
	return n;
}

static void print_counts(const struct detail *d)
{
	char num[16];
	int failed = count_role(d, "faulty");

	snprintf(num, sizeof(num), "%d", d->info.n_members);
	print_field("Total Devices", num);
	snprintf(num, sizeof(num), "%d", d->info.n_members - failed);
	print_field("Working Devices", num);
	if (d->container)
		return;
	snprintf(num, sizeof(num), "%d", count_role(d, "active sync"));
	print_field("Active Devices", num);
	snprintf(num, sizeof(num), "%d", failed);
	print_field("Failed Devices", num);
	snprintf(num, sizeof(num), "%d", count_role(d, "spare") + count_role(d, "spare rebuilding"));
	print_field("Spare Devices", num);
}

static void print_sync_status(const struct detail *d)
{
	static const char *const label[] = {
		[MDSTAT_SYNC_RESYNC] = "Resync Status", [MDSTAT_SYNC_RECOVERY] = "Rebuild Status",
		[MDSTAT_SYNC_RESHAPE] = "Reshape Status", [MDSTAT_SYNC_CHECK] = "Check Status",
	};
	const struct mdstat_array *s = d->stat;
	char line[32];

	if (!s || s->sync == MDSTAT_SYNC_NONE || s->sync_permille < 0)
		return;
	snprintf(line, sizeof(line), "%d%% complete", s->sync_permille / 10);
	print_field(label[s->sync], line);
}

static void print_geometry(const struct detail *d)
{
	char num[32];

	print_field("Raid Level", d->container ? "container" : d->info.level);
	if (d->container)
		return;
	print_size_field("Array Size", d->size_kib);
	if (d->info.component_kib)
		print_size_field("Used Dev Size", d->info.component_kib);
	snprintf(num, sizeof(num), "%d", d->info.raid_disks);
	print_field("Raid Devices", num);
}

static void print_members(const struct detail *d)
{
	char path[PATH_MAX], num[16];

	printf("\n    Number   Major   Minor   RaidDevice State\n");
	for (int i = 0; i < d->info.n_members; i++) {
		const struct md_member_info *m = &d->info.members[i];

		snprintf(num, sizeof(num), "%d", m->slot);
		member_path(m, path, sizeof(path));
		printf("    %5s   %5u   %5u    %5s     %-13s %s\n", m->slot < 0 ? "-" : num,
		       m->major, m->minor, m->slot < 0 ? "-" : num,
		       d->container ? "" : member_role(m), path);
	}
}

static void print_detail_text(const struct detail *d)
{
	char line[PATH_MAX + 32];

	printf("%s:\n", d->path);
	print_field("Version", metadata_shown(d));
	print_geometry(d);
	print_counts(d);
	if (!d->container) {
		state_text(d, line, sizeof(line));
		print_field("State", line);
		if (d->info.chunk_bytes) {
			snprintf(line, sizeof(line), "%lluK", d->info.chunk_bytes / 1024);
			print_field("Chunk Size", line);
		}
		print_sync_status(d);
	}
	if (d->member_index) {
		snprintf(line, sizeof(line), "%s, member %s", d->container_path, d->member_index);
		print_field("Container", line);
	}
	if (d->uuid[0])
		print_field("UUID", d->uuid);
	print_members(d);
}

static void print_detail_export(const struct detail *d)
{
	char path[PATH_MAX];

	printf("MD_LEVEL=%s\n", d->container ? "container" : d->info.level);
	printf("MD_DEVICES=%d\n", d->container ? d->info.n_members : d->info.raid_disks);
	if (!d->member_index)
		printf("MD_METADATA=%s\n", metadata_shown(d));
	else
		printf("MD_CONTAINER=%s\nMD_MEMBER=%s\n", d->container_path, d->member_index);
	if (d->uuid[0])
		printf("MD_UUID=%s\n", d->uuid);
	for (int i = 0; i < d->info.n_members; i++) {
		const struct md_member_info *m = &d->info.members[i];

		member_path(m, path, sizeof(path));
		if (m->slot < 0)
			printf("MD_DEVICE_dev_%s_ROLE=spare\n", m->kname);
		else
			printf("MD_DEVICE_dev_%s_ROLE=%d\n", m->kname, m->slot);
		printf("MD_DEVICE_dev_%s_DEV=%s\n", m->kname, path);
	}
}

static void print_detail_brief(const struct detail *d)
{
	if (d->member_index)
		printf("ARRAY %s container=%s member=%s", d->path, d->container_path,
		       d->member_index);
	else
		printf("ARRAY %s metadata=%s", d->path, metadata_shown(d));
	printf("%s%s\n", d->uuid[0] ? " UUID=" : "", d->uuid);
}

static void print_detail(const struct request *req, const struct detail *d)
{
	if (req->export)
		print_detail_export(d);
	else if (req->brief || req->scan)
		print_detail_brief(d);
	else
		print_detail_text(d);
}

/* Describe one array; reports its own errors.  Returns an exit code. */
static int detail_one(const struct request *req, const char *path, struct mdstat_array *stats)
{
	char devnm[32];
	struct detail d;
	int r;

	r = util_md_devnm(SYSROOT, path, devnm, sizeof(devnm));
	if (r < 0) {
		pr_err("%s does not appear to be an md device", path);
		return EXIT_FAILED;
	}
	r = gather_detail(path, devnm, stats, &d);
	if (r < 0) {
		pr_err("cannot read the state of %s: %s", path, strerror(-r));
		return EXIT_FAILED;
	}
	print_detail(req, &d);
	sysfs_free_array(&d.info);
	return EXIT_OK;
}

static int load_mdstat(struct mdstat_array **ret)
{
	int r = mdstat_read(NULL, ret);

	if (r < 0)
		pr_err("cannot read /proc/mdstat: %s", strerror(-r));
	return r;
}

/* --detail --scan: containers first, so an mdadm.conf made from the
 * output names each container before its volumes. */
static int detail_scan(const struct request *req, struct mdstat_array *stats)
{
	char path[PATH_MAX];
	int rc = EXIT_OK;

	for (int pass = 0; pass < 2; pass++)
		for (struct mdstat_array *a = stats; a; a = a->next) {
			if (mdstat_is_container(a) != (pass == 0))
				continue;
			util_md_display_path(a->devnm, path, sizeof(path));
			if (detail_one(req, path, stats) != EXIT_OK)
				rc = EXIT_FAILED;
		}
	return rc;
}

int mode_detail(const struct request *req)
{
	struct mdstat_array *stats;
	int rc = EXIT_OK;

	if (load_mdstat(&stats) < 0)
		return EXIT_FAILED;
	for (int i = 0; i < req->n_devs; i++)
		if (detail_one(req, req->devs[i].path, stats) != EXIT_OK)
			rc = EXIT_FAILED;
	if (req->scan && req->n_devs == 0)
		rc = detail_scan(req, stats);
	mdstat_free(stats);
	return rc;
}

static int query_one(const char *path, struct mdstat_array *stats)
{
	char devnm[32], human[64];
	struct detail d;

	if (util_md_devnm(SYSROOT, path, devnm, sizeof(devnm)) < 0 ||
	    gather_detail(path, devnm, stats, &d) < 0) {
		printf("%s: is not an md array\n", path);
		return EXIT_FAILED;
	}
	util_human_binary(d.size_kib * 1024, "", human, sizeof(human));
	printf("%s: %s %s %d devices, %d spares. Use mdadm --detail for more detail.\n", path,
	       human, d.container ? "container" : d.info.level,
	       d.container ? d.info.n_members : d.info.raid_disks, count_role(&d, "spare"));
	sysfs_free_array(&d.info);
	return EXIT_OK;
}

int mode_query(const struct request *req)
{
	struct mdstat_array *stats;
	int rc = EXIT_OK;

	if (load_mdstat(&stats) < 0)
		return EXIT_FAILED;
	for (int i = 0; i < req->n_devs; i++)
		if (query_one(req->devs[i].path, stats) != EXIT_OK)
			rc = EXIT_FAILED;
	mdstat_free(stats);
	return rc;
}

/* ---- --examine ------------------------------------------------------------------ */

/* Where reading a disk for --examine stopped. */
struct examine_failure {
	bool opened;                    /* false: the open itself failed */
	enum md_load_step step;
	const struct metadata_ops *ops; /* the handler that failed, if any */
};

/*
 * Read the copy of one disk with each handler in turn (read-only, writes
 * nothing): the first that finds one describes the disk.
 */
static int examine_load(const char *path, struct super **ret, struct examine_failure *why)
{
	struct md_disk d = { .path = path, .fd = -1 };
	int r = -ENODATA;

	why->opened = false;
	why->ops = NULL;
	d.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d.fd < 0)
		return -errno;
	why->opened = true;
	why->step = MD_LOAD_READ;
	for (size_t i = 0; r == -ENODATA && metadata_handler(i); i++) {
		why->ops = metadata_handler(i);
		r = why->ops->examine_load(&d, ret, &why->step);
	}
	close(d.fd);
	return r;
}

/* A handler's words for a bad copy, NULL for other errors. */
static const char *copy_problem(const struct examine_failure *why, int r)
{
	return why->opened && why->step == MD_LOAD_READ && why->ops ? why->ops->load_error(r) : NULL;
}

/* The one line for a disk --examine cannot show. */
static void examine_report(const char *path, const struct examine_failure *why, int r)
{
	const char *problem = copy_problem(why, r);

	if (!why->opened)
		pr_err("cannot open %s: %s", path, strerror(-r));
	else if (why->step == MD_LOAD_IDENTIFY && r == -EOPNOTSUPP)
		pr_err("cannot examine %s: 4Kn disks are not supported yet", path);
	else if (why->step == MD_LOAD_IDENTIFY)
		pr_err("cannot examine %s: %s", path, strerror(-r));
	else if (why->step == MD_LOAD_AUX)
		pr_err("cannot read the migration record of %s: %s", path, strerror(-r));
	else if (r == -ENODATA)
		pr_err("No md superblock detected on %s.", path);
	else if (problem)
		pr_err("%s: %s, copy ignored", path, problem);
	else
		pr_err("cannot read %s metadata of %s: %s", why->ops->title, path, strerror(-r));
}

static int examine_one(const struct request *req, const char *path)
{
	struct examine_failure why;
	struct super *st;
	int r;

	r = examine_load(path, &st, &why);
	if (r < 0) {
		examine_report(path, &why, r);
		return EXIT_FAILED;
	}
	if (req->export)
		st->ops->examine_export(stdout, st);
	else
		st->ops->examine_text(stdout, path, st);
	st->ops->free(st);
	return EXIT_OK;
}

/*
 * --examine --brief/--scan: one entry per container found.  Copies of one
 * group (the handler's examine_same_group()) are shown once, from the
 * copy that supersedes the others.  As upstream prints them: the
 * container found last comes first, and the group of spare records is
 * followed by an empty line.
 */
struct examine_scan {
	struct super **groups; /* one copy per container, in discovery order */
	size_t n, cap;
};

static struct super **scan_group_of(struct examine_scan *sc, const struct super *st)
{
	for (struct super **g = sc->groups; g < sc->groups + sc->n; g++)
		if ((*g)->ops == st->ops && st->ops->examine_same_group(*g, st))
			return g;
	return NULL;
}

/* Takes st over (freed here or with the scan). */
static int scan_add(struct examine_scan *sc, struct super *st)
{
	struct super **g = scan_group_of(sc, st), **grown;

	if (g && st->ops->supersedes(st, *g)) {
		st->ops->free(*g);
		*g = st;
	} else if (g) {
		st->ops->free(st);
	}
	if (g)
		return 0;
	if (sc->n == sc->cap) {
		grown = realloc(sc->groups, (sc->cap * 2 + 4) * sizeof(*grown));
		if (!grown) {
			st->ops->free(st);
			return -ENOMEM;
		}
		sc->groups = grown;
		sc->cap = sc->cap * 2 + 4;
	}
	sc->groups[sc->n++] = st;
	return 0;
}

static void scan_print_free(struct examine_scan *sc)
{
	for (size_t i = sc->n; i-- > 0;) {
		struct super *st = sc->groups[i];

		st->ops->examine_brief(stdout, st);
		if (st->ops->num_volumes(st) == 0)
			putchar('\n');
		st->ops->free(st);
	}
	free(sc->groups);
}

/*
 * Add the copy of one disk to the scan.  A disk named by the user must
 * carry valid metadata (else one error line, EXIT_FAILED); while scanning
 * /proc/partitions disks without metadata are skipped silently and
 * corrupted copies with a warning.
 */
static int scan_disk(struct examine_scan *sc, const char *path, bool named)
{
	struct examine_failure why;
	struct super *st;
	int r;

	r = examine_load(path, &st, &why);
	if (r < 0 && named) {
		examine_report(path, &why, r);
		return EXIT_FAILED;
	}
	if (r < 0) {
		if (copy_problem(&why, r))
			examine_report(path, &why, r);
		return EXIT_OK;
	}
	r = scan_add(sc, st);
	if (r < 0) {
		pr_err("cannot examine %s: %s", path, strerror(-r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* The names of /proc/partitions, in its order. */
static int read_partition_names(char (**ret)[64], size_t *ret_n)
{
	FILE *f = fopen("/proc/partitions", "re");
	char line[256], (*names)[64] = NULL, (*grown)[64];
	unsigned long long blocks;
	unsigned int maj, min;
	size_t n = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown) {
			free(names);
			fclose(f);
			return -ENOMEM;
		}
		names = grown;
		if (sscanf(line, "%u %u %llu %63s", &maj, &min, &blocks, names[n]) == 4)
			n++;
	}
	fclose(f);
	*ret = names;
	*ret_n = n;
	return 0;
}

/*
 * Every block device of /proc/partitions, as "/dev/NAME".  Upstream
 * walks its device list backwards, which decides the order of the ARRAY
 * lines; so do we.
 */
static int scan_partitions(struct examine_scan *sc)
{
	char(*names)[64] = NULL, path[80];
	int rc = EXIT_OK, r;
	size_t n = 0;

	r = read_partition_names(&names, &n);
	if (r < 0) {
		pr_err("cannot read /proc/partitions: %s", strerror(-r));
		return EXIT_FAILED;
	}
	while (n-- > 0) {
		snprintf(path, sizeof(path), "/dev/%s", names[n]);
		if (scan_disk(sc, path, false) != EXIT_OK)
			rc = EXIT_FAILED;
	}
	free(names);
	return rc;
}

static int examine_brief(const struct request *req)
{
	struct examine_scan sc = {0};
	int rc = EXIT_OK;

	if (req->n_devs == 0)
		rc = scan_partitions(&sc);
	for (int i = 0; i < req->n_devs; i++)
		if (scan_disk(&sc, req->devs[i].path, true) != EXIT_OK)
			rc = EXIT_FAILED;
	scan_print_free(&sc);
	return rc;
}

int mode_examine(const struct request *req)
{
	int rc = EXIT_OK;

	if (req->scan || req->brief)
		return examine_brief(req);
	for (int i = 0; i < req->n_devs; i++)
		if (examine_one(req, req->devs[i].path) != EXIT_OK)
			rc = EXIT_FAILED;
	return rc;
}

int mode_detail_platform(const struct request *req)
{
	(void)req;
	return mode_not_implemented("--detail-platform");
}
