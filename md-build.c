/*
 * md-build.c: building md arrays through sysfs (see md-build.h).
 *
 * Owns the kernel's ordering rules: array-level attributes before devices,
 * offset before size, slot after size, start last; and the naming of
 * devices without udev.  Also runs the disk writes a volume's cfg asks
 * for before md sees it (the restore of a reshape's critical section),
 * without knowing what they mean.  Never reads metadata, never prints.
 */
#include "mdadm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SYSROOT "/sys"
#define MAP_DIR "/run/mdadm"
#define MAP_FILE MAP_DIR "/map"
#define MAP_NEW MAP_DIR "/map.new"
#define MAP_LOCK MAP_DIR "/map.lock"

static int write_ull(const struct md_sysfs *md, const char *dev, const char *attr,
		     unsigned long long v)
{
	return sysfs_write_ull(md, dev, attr, v);
}

int md_alloc_devnm(const char *devnm)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), SYSROOT "/block/%s", devnm);
	if (stat(path, &st) == 0)
		return -EEXIST;
	return util_write_small_file(SYSROOT "/module/md_mod/parameters/new_array", devnm);
}

int md_alloc(char *ret_devnm, size_t len)
{
	char devnm[16], path[64];
	struct stat st;
	int r;

	for (int n = 127; n >= 0; n--) {
		snprintf(devnm, sizeof(devnm), "md%d", n);
		snprintf(path, sizeof(path), SYSROOT "/block/%s", devnm);
		if (stat(path, &st) == 0)
			continue;
		r = util_write_small_file(SYSROOT "/module/md_mod/parameters/new_array", devnm);
		if (r == -EEXIST)
			continue;
		if (r < 0)
			return r;
		if (strlen(devnm) >= len)
			return -ENAMETOOLONG;
		strcpy(ret_devnm, devnm);
		return 0;
	}
	return -ENOSPC;
}

int md_add_member(const struct md_sysfs *md, const struct md_member_cfg *m, enum md_join how,
		  char *kname, size_t len)
{
	char val[32];
	int r;

	snprintf(val, sizeof(val), "%u:%u", m->major, m->minor);
	r = sysfs_write_attr(md, NULL, "new_dev", val);
	if (!r)
		r = util_kname_of(makedev(m->major, m->minor), kname, len);
	if (!r)
		r = write_ull(md, kname, "offset", m->offset_sectors);
	if (!r)
		r = write_ull(md, kname, "size", m->size_kib);
	if (r || m->slot < 0)
		return r;
	if (how == MD_JOIN_IN_SYNC)
		r = sysfs_write_attr(md, kname, "state", "insync");
	else if (how == MD_JOIN_RECOVER)
		r = write_ull(md, kname, "recovery_start", m->recovery_start);
	if (!r)
		r = write_ull(md, kname, "slot", (unsigned long long)m->slot);
	if (!r && how == MD_JOIN_RESUME)
		r = write_ull(md, kname, "recovery_start", m->recovery_start);
	return r;
}

/* A member mdmon removed meanwhile (it saw the failure): ENOENT once its
 * directory is gone, ENODEV while the kernel deletes it. */
static bool member_gone(int r)
{
	return r == -ENOENT || r == -ENODEV;
}

int md_remove_member(const struct md_sysfs *md, const char *kname)
{
	char slot[16];
	int r = sysfs_read_attr(md, kname, "slot", slot, sizeof(slot));

	if (r < 0)
		return member_gone(r) ? 0 : r;
	if (strcmp(slot, "none") != 0 && sysfs_write_attr(md, kname, "slot", "none") < 0)
		r = sysfs_write_attr(md, kname, "state", "faulty");
	for (int i = 0; !r || (r == -EBUSY && i < 50); i++) {
		r = sysfs_write_attr(md, kname, "state", "remove");
		if (r != -EBUSY)
			break;
		usleep(100 * 1000);
	}
	return member_gone(r) ? 0 : r;
}

int md_container_add(const char *devnm, const struct md_member_cfg *disk)
{
	struct md_sysfs md;
	char kname[32];

	sysfs_init(&md, SYSROOT, devnm);
	return md_add_member(&md, disk, MD_JOIN_IN_SYNC, kname, sizeof(kname));
}

int md_build_container(const char *devnm, const char *format, const struct md_member_cfg *disks,
		       int n)
{
	struct md_sysfs md;
	char meta[48];
	int r;

	sysfs_init(&md, SYSROOT, devnm);
	snprintf(meta, sizeof(meta), "external:%s", format);
	r = sysfs_write_attr(&md, NULL, "metadata_version", meta);
	for (int i = 0; !r && i < n; i++)
		r = md_container_add(devnm, &disks[i]);
	return r;
}

/* §4.5 step 3-4: the position first (it resets any pending change), then
 * the new geometry; raid_disks then reads "new (old)". */
static int set_reshape(const struct md_sysfs *md, const struct md_volume_cfg *v)
{
	int r = write_ull(md, NULL, "reshape_position", v->reshape_sectors);

	if (!r)
		r = write_ull(md, NULL, "chunk_size", v->new_chunk_bytes);
	if (!r)
		r = write_ull(md, NULL, "layout", (unsigned long long)v->new_layout);
	if (!r)
		r = write_ull(md, NULL, "raid_disks", (unsigned long long)v->new_raid_disks);
	return r;
}

static int set_geometry(const struct md_sysfs *md, const char *container,
			const struct md_volume_cfg *v)
{
	char val[64];
	int r;

	snprintf(val, sizeof(val), "external:%c%s/%d", v->frozen ? '-' : '/', container, v->index);
	r = sysfs_write_attr(md, NULL, "metadata_version", val);
	if (!r)
		r = sysfs_write_attr(md, NULL, "level", level_name(v->level));
	if (!r)
		r = write_ull(md, NULL, "raid_disks", (unsigned long long)v->raid_disks);
	if (!r)
		r = write_ull(md, NULL, "chunk_size", v->chunk_bytes);
	if (!r)
		r = write_ull(md, NULL, "layout", (unsigned long long)v->layout);
	if (!r)
		r = write_ull(md, NULL, "component_size", v->component_kib);
	if (!r && v->array_kib)
		r = write_ull(md, NULL, "array_size", v->array_kib);
	if (!r && v->level != 0)
		r = sysfs_write_ull(md, NULL, "resync_start", v->resync_start);
	if (!r && v->reshape)
		r = set_reshape(md, v);
	return r;
}

static int add_member(const struct md_sysfs *md, const struct md_member_cfg *m)
{
	char kname[32];

	return md_add_member(md, m, m->recovery_start == SYSFS_NONE ? MD_JOIN_IN_SYNC
								    : MD_JOIN_RESUME,
			     kname, sizeof(kname));
}

int md_build_volume(const char *container, const char *devnm, const struct md_volume_cfg *v)
{
	struct md_sysfs md;
	int r;

	sysfs_init(&md, SYSROOT, devnm);
	r = set_geometry(&md, container, v);
	for (int i = 0; !r && i < v->n_members; i++)
		r = add_member(&md, &v->members[i]);
	return r;
}

/*
 * A resumed reshape may not run past the recorded checkpoint before mdadm
 * guards it, and md starts it as soon as the array is writable (mdmon may
 * make it so).  Frozen first: md then starts nothing until mdadm writes
 * "idle", and the reshape thread raid5 starts at run even on a read-only
 * array is reaped (sync_min refuses writes while it is there).  Then
 * sync_min/sync_max, which exist only once the array runs, and a dirty
 * volume's resync (md takes resync_start on a running array only frozen).
 */
static int hold_reshape(const struct md_sysfs *md, const struct md_volume_cfg *v)
{
	unsigned long long min = SYSFS_NONE;
	int r = sysfs_set_sync_action(md, "frozen");

	if (!r && (sysfs_read_ull(md, NULL, "sync_min", &min) < 0 || min != 0))
		r = write_ull(md, NULL, "sync_min", 0);
	if (!r)
		r = write_ull(md, NULL, "sync_max", v->sync_max_sectors);
	/* md keeps it through the reshape and resyncs once that is over */
	if (!r && v->resync_after_reshape)
		r = write_ull(md, NULL, "resync_start", 0);
	return r;
}

static int start_volume(const char *devnm, const struct md_volume_cfg *v, bool ro)
{
	struct md_sysfs md;
	int r;

	sysfs_init(&md, SYSROOT, devnm);
	r = sysfs_set_array_state(&md, v->level == 0 && !ro ? "active" : "readonly");
	if (!r && v->reshape)
		r = hold_reshape(&md, v);
	if (!r && v->level != 0)
		r = sysfs_write_attr(&md, NULL, "safe_mode_delay", "4.000");
	return r;
}

int md_start_volume(const char *devnm, const struct md_volume_cfg *v)
{
	return start_volume(devnm, v, false);
}

int md_start_volume_ro(const char *devnm, const struct md_volume_cfg *v)
{
	return start_volume(devnm, v, true);
}

/* ---- writes before md sees a volume ------------------------------------ */

static int open_disk(unsigned int major, unsigned int minor, int *ret_fd)
{
	char path[PATH_MAX];
	int r = util_devpath_of(makedev(major, minor), path, sizeof(path)), fd;

	if (r < 0)
		return r;
	/* O_DIRECT: nothing stale stays cached for md's members */
	fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

/* One copy on one disk, in pieces of at most 1 MiB, then synced. */
static int copy_range(const struct md_disk_copy *c, void *buf, size_t buf_len)
{
	unsigned long long done = 0;
	int fd, r = open_disk(c->major, c->minor, &fd);

	if (r)
		return r;
	while (!r && done < c->len_bytes) {
		size_t len = c->len_bytes - done < buf_len ? c->len_bytes - done : buf_len;

		r = util_pread_full(fd, buf, len, c->from_bytes + done);
		if (!r)
			r = util_pwrite_full(fd, buf, len, c->to_bytes + done);
		done += len;
	}
	if (!r && fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int write_sector(const struct md_sector_write *w, void *buf)
{
	int fd, r;

	if (w->len_bytes > sizeof(w->data))
		return -EINVAL;
	r = open_disk(w->major, w->minor, &fd);
	if (r)
		return r;
	memcpy(buf, w->data, w->len_bytes);
	r = util_pwrite_full(fd, buf, w->len_bytes, w->offset_bytes);
	if (!r && fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

#define COPY_BUF_BYTES (1u << 20)

int md_volume_writes(const struct md_volume_cfg *v)
{
	void *buf = NULL;
	int r = 0;

	if (!v->n_copies && !v->n_sector_writes)
		return 0;
	if (posix_memalign(&buf, 4096, COPY_BUF_BYTES))
		return -ENOMEM;
	/* every copy synced before any record says it was made */
	for (int i = 0; !r && i < v->n_copies; i++)
		r = copy_range(&v->copies[i], buf, COPY_BUF_BYTES);
	for (int i = 0; !r && i < v->n_sector_writes; i++)
		r = write_sector(&v->sector_writes[i], buf);
	free(buf);
	return r;
}

void md_teardown(const char *devnm)
{
	struct md_sysfs md;

	sysfs_init(&md, SYSROOT, devnm);
	/* Best effort: undoing a failed build; the caller reports the cause. */
	if (sysfs_set_array_state(&md, "clear") < 0)
		return;
}

static int make_node(const char *devnm)
{
	char path[64], num[32], sys[96];
	unsigned int maj, min;

	snprintf(path, sizeof(path), "/dev/%s", devnm);
	if (access(path, F_OK) == 0)
		return 0;
	snprintf(sys, sizeof(sys), SYSROOT "/block/%s/dev", devnm);
	if (util_read_small_file(sys, num, sizeof(num)) < 0 ||
	    sscanf(num, "%u:%u", &maj, &min) != 2)
		return -ENODEV;
	if (mknod(path, S_IFBLK | 0600, makedev(maj, min)) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int md_link_name(const char *devnm, const char *name)
{
	char link[PATH_MAX], target[64];
	int r = make_node(devnm);

	if (r || strcmp(name, devnm) == 0)
		return r;
	(void)mkdir("/dev/md", 0755);
	snprintf(link, sizeof(link), "/dev/md/%s", name);
	snprintf(target, sizeof(target), "../%s", devnm);
	(void)unlink(link); /* a stale link from an earlier array */
	return symlink(target, link) < 0 ? -errno : 0;
}

void md_unlink_name(const char *devnm)
{
	char link[PATH_MAX], path[PATH_MAX];

	util_md_display_path(devnm, path, sizeof(path));
	if (strncmp(path, "/dev/md/", 8) == 0) {
		snprintf(link, sizeof(link), "%s", path);
		(void)unlink(link);
	}
}

/* ---- the map file (md-kernel-interface.md §11.5) -------------------------- */

/*
 * Every change: take the lock (flock on map.lock; a lock file its previous
 * owner unlinked is stale, take a new one), read, change, write map.new,
 * rename it over map, then unlink and close the lock.  Readers see the old
 * file or the new one, never half of one.
 */
static int map_lock(void)
{
	for (int tries = 0; tries < 100; tries++) {
		struct stat st;
		int fd;

		(void)mkdir(MAP_DIR, 0755);
		fd = open(MAP_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX) < 0) {
			close(fd);
			return -errno;
		}
		if (fstat(fd, &st) == 0 && st.st_nlink > 0)
			return fd;
		close(fd);
	}
	return -EDEADLK;
}

static void map_unlock(int fd)
{
	(void)unlink(MAP_LOCK); /* only the owner unlinks, before closing */
	close(fd);
}

static bool map_parse_line(const char *line, struct map_entry *e)
{
	memset(e, 0, sizeof(*e));
	return sscanf(line, "%31s %63s %39s %255s", e->devnm, e->metadata, e->uuid, e->path) == 4;
}

int map_read(struct map_entry **ret, int *ret_n)
{
	struct map_entry *list = NULL, e;
	char line[512];
	FILE *f = fopen(MAP_FILE, "re");
	int n = 0;

	if (!f && errno != ENOENT)
		return -errno;
	while (f && fgets(line, sizeof(line), f)) {
		struct map_entry *grown;

		if (!map_parse_line(line, &e))
			continue;
		grown = realloc(list, sizeof(*list) * (size_t)(n + 1));
		if (!grown) {
			free(list);
			fclose(f);
			return -ENOMEM;
		}
		list = grown;
		list[n++] = e;
	}
	if (f)
		fclose(f);
	*ret = list;
	*ret_n = n;
	return 0;
}

static int map_write_locked(const struct map_entry *e, int n)
{
	FILE *f = fopen(MAP_NEW, "we");
	int r = 0;

	if (!f)
		return -errno;
	for (int i = 0; i < n; i++)
		if (e[i].devnm[0])
			fprintf(f, "%s %s %s %s\n", e[i].devnm, e[i].metadata, e[i].uuid,
				e[i].path);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0)
		r = -errno;
	if (fclose(f) != 0 && !r)
		r = -errno;
	if (!r && rename(MAP_NEW, MAP_FILE) < 0)
		r = -errno;
	if (r)
		(void)unlink(MAP_NEW);
	return r;
}

int map_replace(const struct map_entry *e, int n)
{
	int fd = map_lock(), r;

	if (fd < 0)
		return fd;
	r = map_write_locked(e, n);
	map_unlock(fd);
	return r;
}

/* Under the lock: drop devnm's line, then add e (if any). */
static int map_change(const char *devnm, const struct map_entry *add)
{
	struct map_entry *list = NULL;
	int fd = map_lock(), n = 0, r;

	if (fd < 0)
		return fd;
	r = map_read(&list, &n);
	for (int i = 0; !r && i < n; i++)
		if (strcmp(list[i].devnm, devnm) == 0)
			list[i].devnm[0] = '\0';
	if (!r && add) {
		struct map_entry *grown = realloc(list, sizeof(*list) * (size_t)(n + 1));

		if (!grown)
			r = -ENOMEM;
		else {
			list = grown;
			list[n++] = *add;
		}
	}
	if (!r)
		r = map_write_locked(list, n);
	free(list);
	map_unlock(fd);
	return r;
}

int map_add(const char *devnm, const char *metadata, const char *uuid, const char *path)
{
	struct map_entry e;

	memset(&e, 0, sizeof(e));
	if (strlen(devnm) >= sizeof(e.devnm) || strlen(metadata) >= sizeof(e.metadata) ||
	    strlen(uuid) >= sizeof(e.uuid) || strlen(path) >= sizeof(e.path) ||
	    strpbrk(path, " \t\n"))
		return -EINVAL;
	strcpy(e.devnm, devnm);
	strcpy(e.metadata, metadata);
	strcpy(e.uuid, uuid);
	strcpy(e.path, path);
	return map_change(devnm, &e);
}

void map_remove(const char *devnm)
{
	/* Best effort: a stale line names an array that no longer runs,
	 * which every reader checks. */
	(void)map_change(devnm, NULL);
}
