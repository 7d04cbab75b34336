/*
 * Detail.c: the describing modes: --detail, --query, --examine.
 *
 * Owns: building a description of an array (from sysfs and /proc/mdstat)
 * or of a disk (from its metadata handler), and rendering it as text,
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
	const char *member_index;      /* for members: text after the container name */
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
	if (!d->container && read_size_kib(devnm, &d->size_kib) < 0)
		d->size_kib = 0;
	return 0;
}

static const char *metadata_shown(const struct detail *d)
{
	const char *m = d->info.metadata;

	if (d->container)
		return m + strlen("external:");
	return strncmp(m, "external:", 9) == 0 ? "external" : m;
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
	char line[128];

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
		snprintf(line, sizeof(line), "/dev/%s, member %s", d->container_devnm,
			 d->member_index);
		print_field("Container", line);
	}
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
		printf("MD_CONTAINER=/dev/%s\nMD_MEMBER=%s\n", d->container_devnm, d->member_index);
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
		printf("ARRAY %s container=/dev/%s member=%s\n", d->path, d->container_devnm,
		       d->member_index);
	else
		printf("ARRAY %s metadata=%s\n", d->path, metadata_shown(d));
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

int mode_detail(const struct request *req)
{
	struct mdstat_array *stats, *a;
	char path[64];
	int rc = EXIT_OK;

	if (load_mdstat(&stats) < 0)
		return EXIT_FAILED;
	for (int i = 0; i < req->n_devs; i++)
		if (detail_one(req, req->devs[i].path, stats) != EXIT_OK)
			rc = EXIT_FAILED;
	for (a = req->scan && req->n_devs == 0 ? stats : NULL; a; a = a->next) {
		snprintf(path, sizeof(path), "/dev/%s", a->devnm);
		if (detail_one(req, path, stats) != EXIT_OK)
			rc = EXIT_FAILED;
	}
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

static void print_probe(const char *path, const struct metadata_probe *p)
{
	char line[64];
	bool ok = p->checksum_stored == p->checksum_computed;

	printf("%s:\n", path);
	printf("%15s : %s\n", "Magic", p->magic);
	printf("%15s : %s\n", "Version", p->version);
	snprintf(line, sizeof(line), "%08x %s", p->checksum_stored, ok ? "correct" : "incorrect");
	printf("%15s : %s\n", "Checksum", line);
	printf("%15s : %u\n", "MPB Sectors", (p->mpb_size_bytes + p->sector_size - 1) / p->sector_size);
}

static int examine_one(const char *path)
{
	struct metadata_probe probe;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("cannot open %s: %s", path, strerror(errno));
		return EXIT_FAILED;
	}
	r = imsm_ops.probe(fd, &probe);
	close(fd);
	if (r == -ENOENT) {
		pr_err("No md superblock detected on %s.", path);
		return EXIT_FAILED;
	}
	if (r < 0) {
		pr_err("cannot read metadata of %s: %s", path, strerror(-r));
		return EXIT_FAILED;
	}
	print_probe(path, &probe);
	return EXIT_OK;
}

int mode_examine(const struct request *req)
{
	int rc = EXIT_OK;

	if (req->scan || req->export)
		return mode_not_implemented("--examine --scan/--export");
	for (int i = 0; i < req->n_devs; i++)
		if (examine_one(req->devs[i].path) != EXIT_OK)
			rc = EXIT_FAILED;
	return rc;
}
