/*
 * container.c: an IMSM container's volumes and spares for mdadm's
 * reshaping modes (see container.h).
 */
#include "container.h"
#include "imsm.h"
#include "mdstat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SYSROOT "/sys"

long cont_volume_index(const char *meta, const char *devnm)
{
	size_t n = strlen(devnm);
	char *end;
	long idx;

	if (strncmp(meta, "external:", 9) != 0 || (meta[9] != '/' && meta[9] != '-') ||
	    strncmp(meta + 10, devnm, n) != 0 || meta[10 + n] != '/')
		return -1;
	idx = strtol(meta + 11 + n, &end, 10);
	return *end || end == meta + 11 + n ? -1 : idx;
}

int cont_find_volumes(const char *cont, struct cont_vol *vols)
{
	struct mdstat_array *list = NULL;
	size_t n = strlen(cont);
	int r = mdstat_read("/proc/mdstat", &list);

	if (r < 0)
		return r;
	for (struct mdstat_array *a = list; a; a = a->next) {
		long idx = cont_volume_index(a->metadata, cont);
		struct cont_vol *v;

		if (idx < 0 || idx >= IMSM_MAX_RAID_DEVS || !a->active)
			continue;
		v = &vols[idx];
		snprintf(v->devnm, sizeof(v->devnm), "%s", a->devnm);
		snprintf(v->meta, sizeof(v->meta), "external:/%.*s/%ld", (int)n, a->metadata + 10, idx);
		sysfs_init(&v->md, SYSROOT, v->devnm);
		v->found = true;
	}
	mdstat_free(list);
	return 0;
}

int cont_sync_action(const struct md_sysfs *md, const char *action)
{
	int r = sysfs_set_sync_action(md, action);

	return r == -ENOENT ? 0 : r;
}

int cont_freeze(struct cont_vol *v)
{
	char meta[80], action[32];
	int r;

	snprintf(meta, sizeof(meta), "external:-%s", v->meta + 10);
	r = sysfs_write_attr(&v->md, NULL, "metadata_version", meta);
	if (r)
		return r;
	v->frozen = true;
	if (sysfs_get_sync_action(&v->md, action, sizeof(action)) == 0 &&
	    strcmp(action, "reshape") == 0)
		return 0;
	return cont_sync_action(&v->md, "frozen");
}

int cont_unfreeze(struct cont_vol *v)
{
	int r = sysfs_write_attr(&v->md, NULL, "metadata_version", v->meta);

	if (cont_sync_action(&v->md, "idle") < 0 && !r)
		r = -EIO;
	v->frozen = r != 0;
	return r;
}

int cont_unfreeze_all(struct cont_vol *vols)
{
	int r = 0;

	for (int i = 0; i < IMSM_MAX_RAID_DEVS; i++)
		if (vols[i].frozen && cont_unfreeze(&vols[i]) < 0)
			r = -EIO;
	return r;
}

bool cont_spare_record(const struct imsm_super *s, const struct imsm_disk_dev *d,
		       struct imsm_disk *ret)
{
	struct imsm_super *own = NULL;
	int i;

	if (imsm_find_disk(s, d->serial) >= 0 || imsm_read_mpb(d, &own) < 0)
		return false;
	i = imsm_find_disk(own, d->serial);
	if (i >= 0)
		*ret = own->disk[i];
	imsm_free(own);
	return i >= 0;
}
