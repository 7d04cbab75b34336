/*
 * mdmonitor-domain.c: where `mdadm --monitor` may take a spare from
 * (see mdmonitor.h).
 *
 * A container's domains are its spare-group (the ARRAY line of it or of
 * one of its volumes) and the domain= of every POLICY line that applies
 * to one of its disks.  A spare may go to a container when it is in every
 * one of the container's domains (its own container's spare-group and
 * the POLICY lines that apply to it), as upstream's domain test has it;
 * a container in no domain takes from nobody.  On top of that the
 * platform must allow it: IMSM keeps a container's disks on one kind of
 * controller, so a spare on another kind (AHCI, VMD, NVMe, or none at all
 * for loop and device-mapper disks) is refused with one line.
 *
 * A POLICY line applies to a disk when its metadata= (if any) is imsm, its
 * type= (if any) is disk, and its path= (if any) matches one of the
 * disk's names under /dev/disk/by-path (a glob, as upstream).
 */
#include "mdmonitor.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void mon_domains_add(struct mon_domains *d, const char *name)
{
	if (!name || !name[0] || strlen(name) >= sizeof(d->name[0]))
		return;
	for (int i = 0; i < d->n; i++)
		if (strcmp(d->name[i], name) == 0)
			return;
	if (d->n < MON_MAX_DOMAINS)
		snprintf(d->name[d->n++], sizeof(d->name[0]), "%s", name);
}

bool mon_domains_cover(const struct mon_domains *spare, const struct mon_domains *target)
{
	if (target->n == 0)
		return false;
	for (int i = 0; i < target->n; i++) {
		bool found = false;

		for (int k = 0; k < spare->n && !found; k++)
			found = strcmp(spare->name[k], target->name[i]) == 0;
		if (!found)
			return false;
	}
	return true;
}

/* The value of WORD= in a POLICY line's word, or NULL. */
static const char *word_value(const char *word, const char *key)
{
	size_t n = strlen(key);

	return strncasecmp(word, key, n) == 0 && word[n] == '=' ? word + n + 1 : NULL;
}

struct policy_words {
	char domain[MON_DOMAIN_MAX], metadata[32], type[16], path[256];
};

/* The words of one "POLICY ..." line; false for other lines (PART-POLICY)
 * and for words too long to be meant. */
static bool policy_words(const char *line, struct policy_words *p)
{
	char buf[1024], *save = NULL, *w;
	bool first = true;

	memset(p, 0, sizeof(*p));
	if (strlen(line) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", line);
	for (w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save), first = false) {
		struct {
			const char *key;
			char *to;
			size_t len;
		} keys[] = {{"domain", p->domain, sizeof(p->domain)},
			    {"metadata", p->metadata, sizeof(p->metadata)},
			    {"type", p->type, sizeof(p->type)},
			    {"path", p->path, sizeof(p->path)}};

		if (first) {
			if (strcasecmp(w, "policy") != 0)
				return false;
			continue;
		}
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			const char *v = word_value(w, keys[k].key);

			if (!v)
				continue;
			if (strlen(v) >= keys[k].len)
				return false;
			snprintf(keys[k].to, keys[k].len, "%s", v);
		}
	}
	return true;
}

void mon_disk_domains(char *const *policies, int n_policies, const char *const *by_path,
		      int n_by_path, struct mon_domains *out)
{
	for (int i = 0; i < n_policies; i++) {
		struct policy_words p;
		bool match;

		if (!policy_words(policies[i], &p) || !p.domain[0])
			continue;
		if (p.metadata[0] && strcasecmp(p.metadata, "imsm") != 0)
			continue;
		if (p.type[0] && strcasecmp(p.type, "disk") != 0)
			continue;
		match = !p.path[0];
		for (int k = 0; k < n_by_path && !match; k++)
			match = fnmatch(p.path, by_path[k], 0) == 0;
		if (match)
			mon_domains_add(out, p.domain);
	}
}

int mon_disk_by_path(const char *dir, const char *disk, char names[][MON_BY_PATH_MAX], int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) && n < max) {
		char link[PATH_MAX], base[NAME_MAX + 1];

		if (e->d_name[0] == '.' || strlen(e->d_name) >= MON_BY_PATH_MAX)
			continue;
		if (snprintf(link, sizeof(link), "%s/%s", dir, e->d_name) >= (int)sizeof(link))
			continue;
		if (util_link_base(link, base, sizeof(base)) == 0 && strcmp(base, disk) == 0)
			memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	return n;
}

/* A PCI function's name in sysfs: DOMAIN:BUS:DEV.FN (VMD's domains have
 * five hex digits). */
static bool is_pci_function(const char *name)
{
	regex_t re;
	bool yes;

	if (regcomp(&re, "^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$",
		    REG_EXTENDED | REG_NOSUB))
		return false;
	yes = regexec(&re, name, 0, NULL, 0) == 0;
	regfree(&re);
	return yes;
}

/* The driver bound to the device at sysfs path dir, into buf ("" if none). */
static void driver_of(const char *dir, char *buf, size_t len)
{
	char link[PATH_MAX];

	if (snprintf(link, sizeof(link), "%s/driver", dir) >= (int)sizeof(link) ||
	    util_link_base(link, buf, len) < 0)
		buf[0] = '\0';
}

int mon_disk_controller(const char *sysroot, const char *disk, char *buf, size_t len)
{
	char link[PATH_MAX], *path, *slash;
	bool found = false;

	if (!disk[0] || strchr(disk, '/') ||
	    snprintf(link, sizeof(link), "%s/class/block/%s", sysroot, disk) >= (int)sizeof(link))
		return -EINVAL;
	path = realpath(link, NULL);
	if (!path)
		return -errno;
	snprintf(buf, len, "none");
	/* Up from the disk: the nearest PCI function's driver names the
	 * controller, unless a VMD domain holds it further up. */
	while ((slash = strrchr(path, '/')) && slash != path) {
		char drv[64] = "";

		if (is_pci_function(slash + 1))
			driver_of(path, drv, sizeof(drv));
		if (drv[0] && (!found || strcmp(drv, "vmd") == 0)) {
			snprintf(buf, len, "%s", drv);
			found = true;
		}
		*slash = '\0';
	}
	free(path);
	return 0;
}
