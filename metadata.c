/*
 * metadata.c: the registry of metadata handlers, and choosing one.
 *
 * Owns: the list of handlers (one today, IMSM) and the three ways a mode
 * picks one: by the name given to -e, by the metadata_version of a
 * running container, or by probing a disk.  Never knows any format: it
 * only calls the handlers' hooks (mdadm.h), and never prints.
 */
#include "mdadm.h"

#include <errno.h>
#include <string.h>

#define SYSROOT "/sys"

static const struct metadata_ops *const handlers[] = {
	&imsm_ops,
};

#define N_HANDLERS (sizeof(handlers) / sizeof(handlers[0]))

const struct metadata_ops *metadata_handler(size_t i)
{
	return i < N_HANDLERS ? handlers[i] : NULL;
}

const struct metadata_ops *metadata_find(const char *name)
{
	if (strncmp(name, "external:", 9) == 0)
		name += 9;
	for (size_t i = 0; i < N_HANDLERS; i++)
		if (strcmp(handlers[i]->name, name) == 0)
			return handlers[i];
	return NULL;
}

/* FIXME: with a second handler, join the names (and titles below). */
const char *metadata_names(void)
{
	return handlers[0]->name;
}

const char *metadata_titles(void)
{
	return handlers[0]->title;
}

int metadata_load_disk(struct md_disk *d, struct super **ret, const struct metadata_ops **ret_ops)
{
	int r = -ENODATA;

	for (size_t i = 0; i < N_HANDLERS && r == -ENODATA; i++) {
		r = handlers[i]->identify(d);
		if (!r)
			r = handlers[i]->load_disk(d, ret);
		if (r != -ENODATA)
			*ret_ops = handlers[i];
	}
	return r;
}

const struct metadata_ops *metadata_of_container(const char *devnm)
{
	char meta[64];
	struct md_sysfs md;

	sysfs_init(&md, SYSROOT, devnm);
	if (sysfs_get_metadata_version(&md, meta, sizeof(meta)) < 0)
		return NULL;
	return metadata_find(meta);
}
