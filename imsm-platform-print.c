/*
 * imsm-platform-print.c: `mdadm --detail-platform` for IMSM (see
 * imsm-platform.h, "report").
 *
 * Owns the report (which controllers, their paths and SATA ports, the
 * capability table that applies) and its three renderings: upstream 4.2's
 * text and --export lines (imsm-format.md §8.5), and JSON.  Reads sysfs
 * to build the report; the printers read only the report.  Never writes.
 *
 * JSON (--detail-platform --json), one document:
 *   {"controllers": [CONTROLLER, ...]}, each CONTROLLER:
 *     path          the controller's sysfs directory (upstream's I/O Controller)
 *     pci_address   "0000:00:1f.2"
 *     type          "SATA", "RAID", "NVMe" or "VMD"
 *     capabilities  null when no capability table was found, else
 *                   {"platform": "Intel(R) Matrix Storage Manager",
 *                    "version": "a.b.c.d" or null, "raid_levels": ["raid0",...],
 *                    "chunk_sizes_kib": [4, 8, ...], "volumes_2tb": bool,
 *                    "disks_2tb": bool, "max_disks": N,
 *                    "max_volumes_per_array": N, "max_volumes_per_controller": N}
 *     ports         SATA controllers: [{"port": N, "device": "/dev/sda" or
 *                   null, "serial": "..." or null}], else []
 */
#include "imsm-platform.h"
#include "render.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- building ------------------------------------------------------------------ */

static int host_number(const char *name)
{
	char *end;
	long n;

	if (strncmp(name, "host", 4) != 0 || name[4] < '0' || name[4] > '9')
		return -1;
	n = strtol(name + 4, &end, 10);
	return *end || n > 1000000 ? -1 : (int)n;
}

/* The block device (kernel name) whose sysfs path lies under dir, if any. */
static bool find_disk_under(const char *sysroot, const char *dir, char *ret, size_t len)
{
	char path[PATH_MAX + 300], real[PATH_MAX];
	size_t n = strlen(dir);
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "%s/block", sysroot);
	d = opendir(path);
	while (d && !found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/block/%s", sysroot, de->d_name);
		if (!realpath(path, real) || strncmp(real, dir, n) != 0 || real[n] != '/')
			continue;
		if (strlen(de->d_name) >= len)
			continue;
		memcpy(ret, de->d_name, strlen(de->d_name) + 1);
		found = true;
	}
	if (d)
		closedir(d);
	return found;
}

static void fill_port(const char *sysroot, const char *ctrl, int host,
		      struct imsm_platform_port *ret)
{
	char dir[PATH_MAX + 32], kname[64], path[PATH_MAX + 96];

	snprintf(dir, sizeof(dir), "%s/host%d", ctrl, host);
	if (!find_disk_under(sysroot, dir, kname, sizeof(kname)))
		return;
	ret->attached = true;
	snprintf(ret->device, sizeof(ret->device), "/dev/%s", kname);
	snprintf(path, sizeof(path), "%s/block/%s/device/serial", sysroot, kname);
	if (util_read_small_file(path, ret->serial, sizeof(ret->serial)) < 0)
		ret->serial[0] = '\0';
}

/* AHCI ports: one "hostN" directory each; port numbers from the lowest N. */
static void fill_ports(const char *sysroot, struct imsm_platform_ctrl *c)
{
	int lo = -1, hi = -1, n;
	struct dirent *de;
	DIR *d = opendir(c->path);

	while (d && (de = readdir(d))) {
		n = host_number(de->d_name);
		if (n < 0)
			continue;
		lo = lo < 0 || n < lo ? n : lo;
		hi = n > hi ? n : hi;
	}
	if (d)
		closedir(d);
	for (n = lo; lo >= 0 && n <= hi && c->n_ports < IMSM_PLATFORM_MAX_PORTS; n++) {
		struct imsm_platform_port *p = &c->ports[c->n_ports++];

		memset(p, 0, sizeof(*p));
		p->number = n - lo;
		fill_port(sysroot, c->path, n, p);
	}
}

static void fill_ctrl(const char *sysroot, const struct imsm_platform *p, unsigned int i,
		      struct imsm_platform_ctrl *c)
{
	char link[PATH_MAX + 64];

	memset(c, 0, sizeof(*c));
	c->hba = p->hba[i];
	c->has_caps = p->has_limits;
	snprintf(link, sizeof(link), "%s/bus/pci/devices/%s", sysroot, c->hba.pci_addr);
	if (!realpath(link, c->path))
		snprintf(c->path, sizeof(c->path), "%.4000s", link);
	if (c->hba.type == IMSM_HBA_SATA)
		fill_ports(sysroot, c);
}

/* Same controller: the same directory once symbolic links are resolved. */
static bool same_path(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

int imsm_platform_report_build(const char *sysroot, const char *controller,
			       struct imsm_platform_report **ret)
{
	struct imsm_platform_report *rep = calloc(1, sizeof(*rep));
	int r;

	if (!rep)
		return -ENOMEM;
	sysroot = sysroot ? sysroot : "/sys";
	r = imsm_platform_probe_hw(sysroot, &rep->p);
	if (r < 0) {
		free(rep);
		return r;
	}
	for (unsigned int i = 0; i < rep->p.n_hbas; i++) {
		fill_ctrl(sysroot, &rep->p, i, &rep->ctrl[rep->n_ctrls]);
		if (!controller || same_path(rep->ctrl[rep->n_ctrls].path, controller))
			rep->n_ctrls++;
	}
	*ret = rep;
	return 0;
}

int imsm_platform_report_status(const struct imsm_platform_report *rep)
{
	for (unsigned int i = 0; i < rep->n_ctrls; i++)
		if (rep->ctrl[i].has_caps)
			return 0;
	return 1;
}

/* ---- names ---------------------------------------------------------------------- */

#define ORM_ENTERPRISE 0x04u /* driver_features bit 2 (§5.9) */

const char *imsm_platform_name(const struct imsm_orom *o)
{
	bool enterprise = o->driver_features & ORM_ENTERPRISE;

	if (enterprise && o->major_ver >= 26)
		return "Intel(R) Graid VROC";
	if (o->capabilities == 0 && o->driver_features == 0)
		return "Intel(R) Matrix Storage Manager";
	if (enterprise && o->major_ver >= 6)
		return "Intel(R) Virtual RAID on CPU";
	return enterprise ? "Intel(R) Rapid Storage Technology enterprise"
			  : "Intel(R) Rapid Storage Technology";
}

/* Upstream's order of the level list: raid0 raid1 raid1e raid10 raid5. */
static const struct {
	unsigned int bit;
	const char *name;
} level_order[] = {
    {IMSM_RLC_RAID0, "raid0"},	 {IMSM_RLC_RAID1, "raid1"}, {IMSM_RLC_RAID1E, "raid1e"},
    {IMSM_RLC_RAID10, "raid10"}, {IMSM_RLC_RAID5, "raid5"},
};

/* "raid0 raid1 " or " raid0 raid1": each entry with a space after or before. */
static void levels_list(const struct imsm_orom *o, bool space_before, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(level_order) / sizeof(level_order[0]); i++)
		if ((o->rlc & level_order[i].bit) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s%s",
						 space_before ? " " : "", level_order[i].name,
						 space_before ? "" : " ");
}

static void chunk_name(unsigned int kib, char *buf, size_t len)
{
	if (kib >= 1024)
		snprintf(buf, len, "%uM", kib / 1024);
	else
		snprintf(buf, len, "%uk", kib);
}

static void chunks_list(const struct imsm_orom *o, bool space_before, char *buf, size_t len)
{
	char one[16];
	size_t used = 0;

	buf[0] = '\0';
	for (int k = 0; k < 16; k++) {
		if (!(o->sss & (1u << k)) || used >= len)
			continue;
		chunk_name(2u << k, one, sizeof(one));
		used += (size_t)snprintf(buf + used, len - used, "%s%s%s", space_before ? " " : "",
					 one, space_before ? "" : " ");
	}
}

static bool has_version(const struct imsm_orom *o)
{
	return o->major_ver || o->minor_ver || o->hotfix_ver || o->build;
}

/* ---- text and --export ---------------------------------------------------------- */

static void print_caps(FILE *f, const struct imsm_orom *o)
{
	char list[160];

	fprintf(f, "       Platform : %s\n", imsm_platform_name(o));
	if (has_version(o) && strcmp(o->signature, "$VMD") == 0)
		fprintf(f, "        Version : %u.%u\n", o->major_ver, o->minor_ver);
	else if (has_version(o))
		fprintf(f, "        Version : %u.%u.%u.%u\n", o->major_ver, o->minor_ver,
			o->hotfix_ver, o->build);
	levels_list(o, true, list, sizeof(list));
	fprintf(f, "    RAID Levels :%s\n", list);
	chunks_list(o, true, list, sizeof(list));
	fprintf(f, "    Chunk Sizes :%s\n", list);
	fprintf(f, "    2TB volumes :%s supported\n", o->attr & IMSM_OROM_ATTR_2TB ? "" : " not");
	fprintf(f, "      2TB disks :%s supported\n",
		o->attr & IMSM_OROM_ATTR_2TB_DISK ? "" : " not");
	fprintf(f, "      Max Disks : %u\n", o->tds);
	fprintf(f, "    Max Volumes : %u per array, %u per %s\n", o->vpa, o->vphba,
		strcmp(o->signature, "$NVM") == 0 ? "platform" : "controller");
}

static void print_ctrl(FILE *f, const struct imsm_platform_ctrl *c)
{
	char safe[160];

	fprintf(f, " I/O Controller : %s (%s)\n", c->path, imsm_hba_type_text(c->hba.type));
	for (unsigned int i = 0; i < c->n_ports; i++) {
		const struct imsm_platform_port *p = &c->ports[i];

		if (!p->attached)
			fprintf(f, "          Port%d : - no device attached -\n", p->number);
		else
			fprintf(f, "          Port%d : %s (%s)\n", p->number, p->device,
				render_safe(safe, sizeof(safe), p->serial, sizeof(p->serial),
					    RENDER_TEXT));
	}
}

void imsm_platform_print_text(FILE *f, const struct imsm_platform_report *rep)
{
	if (imsm_platform_report_status(rep) != 0)
		return;
	/* one capability table for every controller: one block */
	print_caps(f, &rep->p.orom);
	for (unsigned int i = 0; i < rep->n_ctrls; i++)
		if (rep->ctrl[i].has_caps)
			print_ctrl(f, &rep->ctrl[i]);
	fputc('\n', f);
}

void imsm_platform_print_export(FILE *f, const struct imsm_platform_report *rep)
{
	const struct imsm_orom *o = &rep->p.orom;
	char list[160];

	if (imsm_platform_report_status(rep) != 0)
		return;
	fprintf(f, "MD_FIRMWARE_TYPE=imsm\n");
	if (has_version(o))
		fprintf(f, "IMSM_VERSION=%u.%u.%u.%u\n", o->major_ver, o->minor_ver, o->hotfix_ver,
			o->build);
	levels_list(o, false, list, sizeof(list));
	fprintf(f, "IMSM_SUPPORTED_RAID_LEVELS=%s\n", list);
	chunks_list(o, false, list, sizeof(list));
	fprintf(f, "IMSM_SUPPORTED_CHUNK_SIZES=%s\n", list);
	fprintf(f, "IMSM_2TB_VOLUMES=%s\n", o->attr & IMSM_OROM_ATTR_2TB ? "yes" : "no");
	fprintf(f, "IMSM_2TB_DISKS=%s\n", o->attr & IMSM_OROM_ATTR_2TB_DISK ? "yes" : "no");
	fprintf(f, "IMSM_MAX_DISKS=%u\n", o->tds);
	fprintf(f, "IMSM_MAX_VOLUMES_PER_ARRAY=%u\n", o->vpa);
	fprintf(f, "IMSM_MAX_VOLUMES_PER_CONTROLLER=%u\n", o->vphba);
}

/* ---- JSON ------------------------------------------------------------------------ */

static void json_caps(struct json_out *j, const struct imsm_orom *o)
{
	char version[64];

	json_begin_object(j, "capabilities");
	json_string(j, "platform", imsm_platform_name(o));
	snprintf(version, sizeof(version), "%u.%u.%u.%u", o->major_ver, o->minor_ver,
		 o->hotfix_ver, o->build);
	json_string(j, "version", has_version(o) ? version : NULL);
	json_begin_array(j, "raid_levels");
	for (size_t i = 0; i < sizeof(level_order) / sizeof(level_order[0]); i++)
		if (o->rlc & level_order[i].bit)
			json_string(j, NULL, level_order[i].name);
	json_end_array(j);
	json_begin_array(j, "chunk_sizes_kib");
	for (int k = 0; k < 16; k++)
		if (o->sss & (1u << k))
			json_uint(j, NULL, 2u << k);
	json_end_array(j);
	json_bool(j, "volumes_2tb", o->attr & IMSM_OROM_ATTR_2TB);
	json_bool(j, "disks_2tb", o->attr & IMSM_OROM_ATTR_2TB_DISK);
	json_uint(j, "max_disks", o->tds);
	json_uint(j, "max_volumes_per_array", o->vpa);
	json_uint(j, "max_volumes_per_controller", o->vphba);
	json_end_object(j);
}

static void json_ctrl(struct json_out *j, const struct imsm_platform_report *rep,
		      const struct imsm_platform_ctrl *c)
{
	json_begin_object(j, NULL);
	json_string(j, "path", c->path);
	json_string(j, "pci_address", c->hba.pci_addr);
	json_string(j, "type", imsm_hba_type_text(c->hba.type));
	if (c->has_caps)
		json_caps(j, &rep->p.orom);
	else
		json_null(j, "capabilities");
	json_begin_array(j, "ports");
	for (unsigned int i = 0; i < c->n_ports; i++) {
		json_begin_object(j, NULL);
		json_int(j, "port", c->ports[i].number);
		json_string(j, "device", c->ports[i].attached ? c->ports[i].device : NULL);
		json_string(j, "serial", c->ports[i].attached && c->ports[i].serial[0]
					     ? c->ports[i].serial
					     : NULL);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

void imsm_platform_print_json(struct json_out *j, const struct imsm_platform_report *rep)
{
	for (unsigned int i = 0; rep && i < rep->n_ctrls; i++)
		json_ctrl(j, rep, &rep->ctrl[i]);
}
