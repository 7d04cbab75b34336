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
#include "config.h"
#include "detail.h"
#include "mdadm.h"
#include "imsm-platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SYSROOT "/sys"

/* ---- gathering a struct detail (detail.h) --------------------------------------- */

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

/*
 * md shows "new (old)" in raid_disks, chunk_size and layout while a
 * reshape changes them (md-kernel-interface.md §3): both numbers, the
 * same twice when there is one.  Absent or unreadable: 0 and 0.
 */
static void read_pair(const struct md_sysfs *md, const char *attr, long long *ret_new,
		      long long *ret_old)
{
	char buf[64], *end;

	*ret_new = *ret_old = 0;
	if (sysfs_read_attr(md, NULL, attr, buf, sizeof(buf)) < 0)
		return;
	*ret_new = *ret_old = strtoll(buf, &end, 10);
	if (strncmp(end, " (", 2) == 0)
		*ret_old = strtoll(end + 2, NULL, 10);
}

/* "external:imsm" a container; "external:/md127/0" or "-md127/0" a member. */
static void gather_kind(struct detail *d, const struct md_array_info *info, char *container_devnm,
			size_t len)
{
	const char *m = info->metadata, *slash;

	snprintf(d->metadata, sizeof(d->metadata), "%s", m);
	if (strncmp(m, "external:", 9) != 0)
		return;
	snprintf(d->metadata, sizeof(d->metadata), "%s", m + 9);
	if (m[9] != '/' && m[9] != '-') {
		d->kind = DETAIL_CONTAINER;
		return;
	}
	slash = strchr(m + 10, '/');
	if (!slash || (size_t)(slash - (m + 10)) >= len)
		return;
	d->kind = DETAIL_MEMBER;
	snprintf(container_devnm, len, "%.*s", (int)(slash - (m + 10)), m + 10);
	snprintf(d->member, sizeof(d->member), "%s", slash + 1);
}

/* A member shows its container's path and its container's format. */
static void gather_container(struct detail *d, const char *container_devnm)
{
	char meta[64];
	struct md_sysfs md;

	util_md_display_path(container_devnm, d->container_path, sizeof(d->container_path));
	sysfs_init(&md, SYSROOT, container_devnm);
	if (sysfs_get_metadata_version(&md, meta, sizeof(meta)) >= 0 &&
	    strncmp(meta, "external:", 9) == 0)
		snprintf(d->metadata, sizeof(d->metadata), "%s", meta + 9);
	else
		snprintf(d->metadata, sizeof(d->metadata), "external");
}

static bool state_is_clean(const char *array_state)
{
	/* md's in_sync: every state but these three has it (array_state_show) */
	return strcmp(array_state, "active") != 0 && strcmp(array_state, "active-idle") != 0 &&
	       strcmp(array_state, "write-pending") != 0;
}

static void gather_shape(struct detail *d, const struct md_sysfs *md,
			 const struct md_array_info *info)
{
	long long disks_new, disks_old, chunk_new, chunk_old, layout_new, layout_old;
	char buf[64];

	snprintf(d->level, sizeof(d->level), "%s", info->level);
	d->level_num = info->level[0] ? level_from_name(info->level) : UNSET;
	if (d->kind == DETAIL_CONTAINER)
		d->level_num = LEVEL_CONTAINER;
	snprintf(d->array_state, sizeof(d->array_state), "%s", info->array_state);
	d->inactive = strcmp(info->array_state, "inactive") == 0;
	d->clean = state_is_clean(info->array_state);
	read_pair(md, "raid_disks", &disks_new, &disks_old);
	read_pair(md, "chunk_size", &chunk_new, &chunk_old);
	read_pair(md, "layout", &layout_new, &layout_old);
	d->raid_disks = (int)disks_new;
	d->delta_disks = (int)(disks_new - disks_old);
	d->chunk_bytes = (unsigned long long)chunk_old;
	d->new_chunk_bytes = (unsigned long long)chunk_new;
	d->layout = (int)layout_old;
	d->new_layout = (int)layout_new;
	d->new_level_num = d->level_num;
	d->used_dev_kib = info->component_kib;
	if (sysfs_read_attr(md, NULL, "reshape_position", buf, sizeof(buf)) == 0)
		d->reshape = strcmp(buf, "none") != 0 && d->raid_disks > 0;
	if (d->reshape && sysfs_read_attr(md, NULL, "new_level", buf, sizeof(buf)) == 0 &&
	    buf[0] >= '0' && buf[0] <= '9')
		d->new_level_num = atoi(buf);
	if (sysfs_read_attr(md, NULL, "consistency_policy", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "unknown") != 0)
		snprintf(d->consistency, sizeof(d->consistency), "%.15s", buf);
	if (d->kind != DETAIL_CONTAINER && read_size_kib(md->devnm, &d->array_kib) < 0)
		d->array_kib = 0;
}

/* md's flags of a device, from its sysfs state words (GET_DISK_INFO's rules). */
static unsigned int dev_flags(const char *state)
{
	unsigned int f = 0;

	if (strstr(state, "faulty"))
		f |= DETAIL_DEV_FAULTY;
	else if (strstr(state, "in_sync"))
		f |= DETAIL_DEV_ACTIVE | DETAIL_DEV_SYNC;
	if (strstr(state, "journal"))
		f |= DETAIL_DEV_JOURNAL;
	if (strstr(state, "write_mostly"))
		f |= DETAIL_DEV_WRITEMOSTLY;
	if (strstr(state, "failfast"))
		f |= DETAIL_DEV_FAILFAST;
	return f;
}

static int desc_nr_of(const struct mdstat_array *s, const char *kname)
{
	for (int i = 0; s && i < s->n_members; i++)
		if (strcmp(s->members[i].name, kname) == 0)
			return s->members[i].desc_nr;
	return -1;
}

static void dev_from_member(const struct detail *d, const struct md_member_info *m,
			    const struct mdstat_array *s, struct detail_dev *ret)
{
	memset(ret, 0, sizeof(*ret));
	snprintf(ret->kname, sizeof(ret->kname), "%s", m->kname);
	ret->major = m->major;
	ret->minor = m->minor;
	ret->raid_disk = m->slot;
	ret->flags = dev_flags(m->state);
	/* an inactive array has no descriptor numbers to show (upstream: "-") */
	ret->number = d->inactive ? -1 : desc_nr_of(s, m->kname);
	if (util_devpath_of(makedev(m->major, m->minor), ret->path, sizeof(ret->path)) < 0)
		snprintf(ret->path, sizeof(ret->path), "/dev/%s", m->kname);
}

static void count_devs(struct detail *d, const struct detail_dev *devs, int n)
{
	d->total = n;
	for (int i = 0; i < n; i++) {
		bool faulty = devs[i].flags & DETAIL_DEV_FAULTY;

		d->failed += faulty;
		d->working += !faulty;
		d->active += !faulty && (devs[i].flags & DETAIL_DEV_SYNC);
		d->spare += !faulty && !(devs[i].flags & DETAIL_DEV_SYNC);
	}
}

static int cmp_number(const void *pa, const void *pb)
{
	const struct detail_dev *a = pa, *b = pb;

	if (a->number != b->number)
		return a->number < b->number ? -1 : 1;
	return strcmp(a->kname, b->kname);
}

/* Whether row r can hold device v: a slot of v's, still empty. */
static bool takes_slot(const struct detail *d, const struct detail_dev *rows, int r,
		       const struct detail_dev *v)
{
	return v->raid_disk >= 0 && v->raid_disk < d->raid_disks && !(v->flags & DETAIL_DEV_JOURNAL) &&
	       r / 2 == v->raid_disk && !rows[r].kname[0];
}

/*
 * Upstream's table: rows 2s and 2s+1 for slot s (its device and a
 * replacement), then every other device in descriptor order.  Takes devs
 * (sorted by number) and returns the rows, empty slots as "removed".
 */
static int arrange_rows(struct detail *d, const struct detail_dev *devs, int n)
{
	int n_slots = d->inactive ? 0 : 2 * d->raid_disks, extra = n_slots, out = 0;
	struct detail_dev *rows = calloc((size_t)(n_slots + n) + 1, sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		int r = 2 * devs[i].raid_disk;

		if (n_slots && (takes_slot(d, rows, r, &devs[i]) || takes_slot(d, rows, r + 1, &devs[i])))
			rows[rows[r].kname[0] ? r + 1 : r] = devs[i];
		else
			rows[extra++] = devs[i];
	}
	for (int r = 0; r < extra; r++) {
		if (r < n_slots && !rows[r].kname[0] && r % 2)
			continue; /* no replacement */
		if (r < n_slots && !rows[r].kname[0])
			rows[r] = (struct detail_dev){.number = -1, .raid_disk = r / 2,
						      .flags = DETAIL_DEV_REMOVED};
		rows[out++] = rows[r];
		if (r < n_slots)
			d->n_slot_rows = out;
	}
	d->devs = rows;
	d->n_devs = out;
	return 0;
}

static int gather_devs(struct detail *d, const struct md_array_info *info,
		       const struct mdstat_array *s)
{
	struct detail_dev *devs = calloc((size_t)info->n_members + 1, sizeof(*devs));
	int r;

	if (!devs)
		return -ENOMEM;
	for (int i = 0; i < info->n_members; i++)
		dev_from_member(d, &info->members[i], s, &devs[i]);
	count_devs(d, devs, info->n_members);
	qsort(devs, (size_t)info->n_members, sizeof(*devs), cmp_number);
	r = arrange_rows(d, devs, info->n_members);
	free(devs);
	return r;
}

static void gather_health(struct detail *d)
{
	bool *avail = calloc((size_t)d->raid_disks + 1, sizeof(*avail));
	int n = 0;

	for (int i = 0; avail && i < d->n_slot_rows; i++)
		if (d->devs[i].flags & DETAIL_DEV_SYNC) {
			n += !avail[d->devs[i].raid_disk];
			avail[d->devs[i].raid_disk] = true;
		}
	if (!avail || !detail_enough(d->level_num, d->raid_disks, d->layout, avail))
		d->health = DETAIL_FAILED;
	else
		d->health = n == d->raid_disks ? DETAIL_OPTIMAL : DETAIL_DEGRADED;
	free(avail);
}

static void gather_sync(struct detail *d, const struct mdstat_array *s)
{
	d->sync = DETAIL_SYNC_NONE;
	d->sync_percent = -1;
	if (!s)
		return;
	switch (s->sync) {
	case MDSTAT_SYNC_RESYNC:
		d->sync = DETAIL_SYNC_RESYNC;
		break;
	case MDSTAT_SYNC_RECOVERY:
		d->sync = DETAIL_SYNC_RECOVERY;
		break;
	case MDSTAT_SYNC_RESHAPE:
		d->sync = DETAIL_SYNC_RESHAPE;
		break;
	case MDSTAT_SYNC_CHECK:
		d->sync = DETAIL_SYNC_CHECK;
		break;
	default:
		return;
	}
	d->sync_state = s->sync_flag == MDSTAT_FLAG_DELAYED   ? DETAIL_SYNC_DELAYED
			: s->sync_flag == MDSTAT_FLAG_PENDING ? DETAIL_SYNC_PENDING
			: s->sync_flag == MDSTAT_FLAG_REMOTE  ? DETAIL_SYNC_REMOTE
							      : DETAIL_SYNC_RUNNING;
	if (d->sync_state == DETAIL_SYNC_RUNNING && s->sync_permille >= 0)
		d->sync_percent = s->sync_permille / 10;
}

/* The UUID the metadata gives a container or one of its volumes. */
static void gather_uuid(struct detail *d, const char *container_devnm)
{
	const char *container = d->kind == DETAIL_CONTAINER ? d->devnm : container_devnm;
	int index = d->kind == DETAIL_MEMBER ? atoi(d->member) : MD_UUID_CONTAINER;
	const struct metadata_ops *ops;
	struct super *st;

	if (d->kind == DETAIL_NATIVE)
		return;
	ops = metadata_of_container(container);
	if (!ops || ops->load_container(container, &st) < 0)
		return;
	d->uuid_known = ops->uuid(st, index, d->uuid) == 0;
	ops->free(st);
}

/* Whether md array name's metadata says it is a member of container. */
static bool is_member_of(const char *name, const char *container)
{
	char meta[64];
	size_t n = strlen(container);
	struct md_sysfs md;

	sysfs_init(&md, SYSROOT, name);
	if (sysfs_get_metadata_version(&md, meta, sizeof(meta)) < 0)
		return false;
	return strncmp(meta, "external:", 9) == 0 && (meta[9] == '/' || meta[9] == '-') &&
	       strncmp(meta + 10, container, n) == 0 && meta[10 + n] == '/';
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The running volumes of a container, by kernel name order. */
static int gather_member_arrays(struct detail *d)
{
	DIR *dir = opendir(SYSROOT "/block");
	char(*names)[DETAIL_DEV_PATH_BYTES] = NULL, (*grown)[DETAIL_DEV_PATH_BYTES];
	struct dirent *de;
	int n = 0;

	while (dir && (de = readdir(dir))) {
		if (strncmp(de->d_name, "md", 2) != 0 || !is_member_of(de->d_name, d->devnm))
			continue;
		grown = realloc(names, (size_t)(n + 1) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		snprintf(names[n++], sizeof(*names), "%s", de->d_name);
	}
	if (dir)
		closedir(dir);
	if (n)
		qsort(names, (size_t)n, sizeof(*names), cmp_names);
	for (int i = 0; i < n; i++) {
		char devnm[32];

		snprintf(devnm, sizeof(devnm), "%s", names[i]);
		util_md_display_path(devnm, names[i], sizeof(names[i]));
	}
	d->member_arrays = names;
	d->n_member_arrays = n;
	return 0;
}

/* MD_DEVNAME: the NAME of the /dev/md/NAME link md's device has. */
static void gather_devname(struct detail *d)
{
	char path[PATH_MAX];

	util_md_display_path(d->devnm, path, sizeof(path));
	if (strncmp(path, "/dev/md/", 8) == 0)
		snprintf(d->devname, sizeof(d->devname), "%.63s", path + 8);
}

static int gather_detail(const char *path, const char *devnm, struct mdstat_array *stats,
			 struct detail *d)
{
	char container_devnm[32] = "";
	struct md_array_info info;
	struct md_sysfs md;
	int r;

	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "%s", path);
	snprintf(d->devnm, sizeof(d->devnm), "%s", devnm);
	sysfs_init(&md, SYSROOT, devnm);
	r = sysfs_read_array(&md, &info);
	if (r < 0)
		return r;
	gather_kind(d, &info, container_devnm, sizeof(container_devnm));
	if (d->kind == DETAIL_MEMBER)
		gather_container(d, container_devnm);
	gather_shape(d, &md, &info);
	r = gather_devs(d, &info, mdstat_find(stats, devnm));
	sysfs_free_array(&info);
	if (r == 0 && d->kind == DETAIL_CONTAINER)
		r = gather_member_arrays(d);
	if (r < 0) {
		detail_free(d);
		return r;
	}
	gather_health(d);
	gather_sync(d, mdstat_find(stats, devnm));
	gather_uuid(d, container_devnm);
	gather_devname(d);
	return 0;
}

/* ---- --detail ------------------------------------------------------------------- */

static void print_detail(const struct request *req, const struct detail *d, struct json_out *j)
{
	if (req->json)
		detail_print_json(j, d, req->no_devices);
	else if (req->export)
		detail_print_export(stdout, d, req->no_devices);
	else if (req->brief || req->scan)
		detail_print_brief(stdout, d, req->verbose);
	else
		detail_print_text(stdout, d, req->no_devices);
}

/*
 * Describe one array; reports its own errors.  Returns an exit code:
 * without --test 0 or 1; with --test upstream's: 0 optimal, 1 degraded,
 * 2 unusable, 4 when the array cannot be read at all.
 */
static int detail_one(const struct request *req, const char *path, struct mdstat_array *stats,
		      struct json_out *j)
{
	int unreadable = req->test ? 4 : EXIT_FAILED;
	char devnm[32];
	struct detail d;
	int r;

	r = util_md_devnm(SYSROOT, path, devnm, sizeof(devnm));
	if (r < 0) {
		pr_err("%s does not appear to be an md device", path);
		return unreadable;
	}
	r = gather_detail(path, devnm, stats, &d);
	if (r < 0) {
		pr_err("cannot read the state of %s: %s", path, strerror(-r));
		return unreadable;
	}
	print_detail(req, &d, j);
	r = req->test ? detail_test_status(&d) : EXIT_OK;
	detail_free(&d);
	return r;
}

static int load_mdstat(struct mdstat_array **ret)
{
	int r = mdstat_read(NULL, ret);

	if (r < 0)
		pr_err("cannot read /proc/mdstat: %s", strerror(-r));
	return r;
}

/* Exit codes of several arrays: with --test OR-ed (upstream), else any failure. */
static int merge_rc(const struct request *req, int rc, int one)
{
	if (req->test)
		return rc | one;
	return one != EXIT_OK ? EXIT_FAILED : rc;
}

/* --detail --scan: containers first, so an mdadm.conf made from the
 * output names each container before its volumes. */
static int detail_scan(const struct request *req, struct mdstat_array *stats, struct json_out *j)
{
	char path[PATH_MAX];
	int rc = EXIT_OK;

	for (int pass = 0; pass < 2; pass++)
		for (struct mdstat_array *a = stats; a; a = a->next) {
			if (mdstat_is_container(a) != (pass == 0))
				continue;
			util_md_display_path(a->devnm, path, sizeof(path));
			rc = merge_rc(req, rc, detail_one(req, path, stats, j));
		}
	return rc;
}

int mode_detail(const struct request *req)
{
	struct mdstat_array *stats;
	struct json_out j;
	int rc = EXIT_OK;

	if (req->n_devs == 0 && !req->scan) {
		pr_err("no devices given");
		return EXIT_USAGE;
	}
	if (load_mdstat(&stats) < 0)
		return req->test ? 4 : EXIT_FAILED;
	json_init(&j, stdout);
	if (req->json) {
		json_begin_object(&j, NULL);
		json_begin_array(&j, "arrays");
	}
	for (int i = 0; i < req->n_devs; i++)
		rc = merge_rc(req, rc, detail_one(req, req->devs[i].path, stats, &j));
	if (req->scan && req->n_devs == 0)
		rc = detail_scan(req, stats, &j);
	if (req->json) {
		json_end_array(&j);
		json_end_object(&j);
		json_finish(&j);
	}
	mdstat_free(stats);
	return rc;
}

/* ---- --query ------------------------------------------------------------------- */

static int query_spares(const struct detail *d)
{
	int n = 0;

	for (int i = 0; i < d->n_devs; i++)
		n += d->devs[i].raid_disk < 0 && d->devs[i].kname[0] &&
		     !(d->devs[i].flags & DETAIL_DEV_FAULTY);
	return n;
}

static int query_one(const char *path, struct mdstat_array *stats)
{
	char devnm[32], human[64], safe[PATH_MAX];
	struct detail d;

	render_safe(safe, sizeof(safe), path, strlen(path), RENDER_TEXT);
	if (util_md_devnm(SYSROOT, path, devnm, sizeof(devnm)) < 0 ||
	    gather_detail(path, devnm, stats, &d) < 0) {
		printf("%s: is not an md array\n", safe);
		return EXIT_FAILED;
	}
	util_human_binary(d.array_kib * 1024, "", human, sizeof(human));
	printf("%s: %s %s %d devices, %d spares. Use mdadm --detail for more detail.\n", safe,
	       human, d.kind == DETAIL_CONTAINER ? "container" : d.level,
	       d.kind == DETAIL_CONTAINER ? d.total : d.raid_disks, query_spares(&d));
	detail_free(&d);
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

static int examine_one(const struct request *req, const char *path, struct json_out *j)
{
	struct examine_failure why;
	struct super *st;
	int r;

	r = examine_load(path, &st, &why);
	if (r < 0) {
		examine_report(path, &why, r);
		return EXIT_FAILED;
	}
	if (req->json)
		st->ops->examine_json(j, path, st);
	else if (req->export)
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
/* --examine --scan: the kernel's block devices that mdadm.conf's DEVICE
 * lines allow (-c FILE, or the default files; none: all of them). */
static int scan_partitions(struct examine_scan *sc, const struct conf *conf)
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
		if (!conf_device_allowed(conf, path))
			continue;
		if (scan_disk(sc, path, false) != EXIT_OK)
			rc = EXIT_FAILED;
	}
	free(names);
	return rc;
}

static int examine_brief(const struct request *req)
{
	struct examine_scan sc = {0};
	struct conf conf = {0};
	int rc = EXIT_OK, r = req->n_devs == 0 ? conf_load(&conf, req->config) : 0;

	if (r < 0) {
		pr_err("cannot read %s: %s", req->config ? req->config : "mdadm.conf", strerror(-r));
		conf_free(&conf);
		return EXIT_FAILED;
	}
	if (req->n_devs == 0)
		rc = scan_partitions(&sc, &conf);
	conf_free(&conf);
	for (int i = 0; i < req->n_devs; i++)
		if (scan_disk(&sc, req->devs[i].path, true) != EXIT_OK)
			rc = EXIT_FAILED;
	scan_print_free(&sc);
	return rc;
}

int mode_examine(const struct request *req)
{
	int rc = EXIT_OK;

	struct json_out j;

	if ((req->scan || req->brief) && !req->json)
		return examine_brief(req);
	if (req->json && req->n_devs == 0) {
		pr_err("--examine --json needs the devices to examine");
		return EXIT_USAGE;
	}
	json_init(&j, stdout);
	if (req->json) {
		json_begin_object(&j, NULL);
		json_begin_array(&j, "disks");
	}
	for (int i = 0; i < req->n_devs; i++)
		if (examine_one(req, req->devs[i].path, &j) != EXIT_OK)
			rc = EXIT_FAILED;
	if (req->json) {
		json_end_array(&j);
		json_end_object(&j);
		json_finish(&j);
	}
	return rc;
}

/* ---- --detail-platform ---------------------------------------------------------- */

/*
 * Exit status as upstream's: 0 a capability table was found, 1 Intel
 * controllers without one (or none under the path given, or metadata that
 * has no platform), 2 no Intel storage controller at all.  Upstream says
 * why only with -v; we say it always, in one line.
 */
static int platform_failure(const struct request *req, int r, int n_found)
{
	if (r == -ENODEV && !req->export) {
		pr_err("no active Intel(R) RAID controller found");
		return 2;
	}
	if (r == -ENODEV) {
		pr_err("IMSM_DETAIL_PLATFORM_ERROR=NO_INTEL_DEVICES");
		return 2;
	}
	if (r < 0) {
		pr_err("cannot look for Intel RAID controllers: %s", strerror(-r));
		return EXIT_FAILED;
	}
	if (n_found == 0 && req->n_devs)
		pr_err("no active Intel(R) RAID controller found under %s", req->devs[0].path);
	else if (req->export)
		pr_err("IMSM_DETAIL_PLATFORM_ERROR=NO_IMSM_CAPABLE_DEVICE");
	else
		pr_err("imsm capabilities not found for any Intel controller");
	return EXIT_FAILED;
}

static void platform_verbose(const struct request *req, const struct imsm_platform_report *rep)
{
	for (unsigned int i = 0; req->verbose > 0 && i < rep->n_ctrls; i++)
		pr_err("found Intel(R) %s RAID controller at %s.",
		       imsm_hba_type_text(rep->ctrl[i].hba.type), rep->ctrl[i].hba.pci_addr);
}

static void platform_json(const struct imsm_platform_report *rep)
{
	struct json_out j;

	json_init(&j, stdout);
	json_begin_object(&j, NULL);
	json_begin_array(&j, "controllers");
	imsm_platform_print_json(&j, rep);
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
}

int mode_detail_platform(const struct request *req)
{
	struct imsm_platform_report *rep = NULL;
	int r, rc;

	if (req->metadata && strcmp(req->metadata, "imsm") != 0) {
		pr_err("%s metadata is platform independent", req->metadata);
		return EXIT_FAILED;
	}
	r = imsm_platform_report_build(NULL, req->n_devs ? req->devs[0].path : NULL, &rep);
	if (r == 0)
		platform_verbose(req, rep);
	rc = r < 0 ? -1 : imsm_platform_report_status(rep);
	/* --json lists every controller, with or without a table */
	if (req->json && r == 0)
		platform_json(rep);
	if (rc != 0 && !(req->json && r == 0))
		rc = platform_failure(req, r, rep ? (int)rep->n_ctrls : 0);
	else if (req->export && !req->json)
		imsm_platform_print_export(stdout, rep);
	else if (!req->json)
		imsm_platform_print_text(stdout, rep); /* --brief: the same, as upstream */
	free(rep);
	return rc;
}
