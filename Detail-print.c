/*
 * Detail-print.c: renderings of a struct detail (see detail.h): upstream
 * mdadm 4.2's --detail text, --brief/--scan ARRAY lines and --export
 * lines, byte for byte as far as IMSM containers and volumes go (compared
 * with Debian's mdadm 4.2 in tests/vm/t0110), and our JSON.
 *
 * Never reads anything: only the record.  Names that came from disks
 * (volume names behind /dev/md/NAME) go through render_safe() so a record
 * stays one line.
 *
 * JSON (--detail --json), one document: {"arrays": [ARRAY, ...]}, each
 * ARRAY an object with these keys, always present, in this order:
 *   device            the path as named (or /dev/md/NAME with --scan)
 *   devnm             md's kernel name, "md126"
 *   kind              "container", "member" (a volume of a container) or
 *                     "native" (md's own metadata)
 *   metadata          "imsm", "1.2", ...
 *   container         members: the container's path; else null
 *   member            members: the index in the container ("0"); else null
 *   level             "raid5", "container", ...; null unknown
 *   raid_devices      slots (0 for a container)
 *   total_devices     devices md holds
 *   array_size_kib    null for containers and arrays not started
 *   used_dev_size_kib md's component size; null when the text shows none
 *   state             the text's State value without its trailing space
 *                     ("clean, degraded, reshaping"); null for containers
 *   array_state       md's own word ("clean", "read-auto", "inactive")
 *   health            "optimal", "degraded" or "failed" (--test's 0, 1, 2)
 *   active_devices, working_devices, failed_devices, spare_devices
 *   layout            "left-asymmetric", "near=2", ...; null when none
 *   chunk_size_kib    null when none
 *   consistency_policy "resync", "ppl", "none", ...; null unknown
 *   sync              null, or {"action": "recovery"|"resync"|"reshape"|
 *                     "check", "state": "running"|"delayed"|"pending"|
 *                     "remote", "percent": N or null}
 *   reshape           null, or {"delta_devices", "old_raid_devices",
 *                     "new_raid_devices", "new_level", "new_layout",
 *                     "new_chunk_size_kib"}
 *   uuid              "xxxxxxxx:xxxxxxxx:xxxxxxxx:xxxxxxxx"; null unknown
 *   name              MD_DEVNAME (the NAME of /dev/md/NAME); null none
 *   member_arrays     containers: paths of the running volumes; else null
 *   devices           the member table (absent with --no-devices): objects
 *                     {"number", "major", "minor", "raid_device", "state",
 *                     "device"}; number and raid_device null for "-",
 *                     state a list of upstream's words ("active", "sync",
 *                     "removed", "faulty", "spare", "rebuilding", ...),
 *                     device null when there is none (a removed slot)
 */
#include "detail.h"
#include "mdadm.h"

#include <stdlib.h>
#include <string.h>

/* ---- names ---------------------------------------------------------------- */

const char *detail_level_name(int level)
{
	switch (level) {
	case LEVEL_LINEAR:
		return "linear";
	case LEVEL_CONTAINER:
		return "container";
	case 0:
		return "raid0";
	case 1:
		return "raid1";
	case 4:
		return "raid4";
	case 5:
		return "raid5";
	case 6:
		return "raid6";
	case 10:
		return "raid10";
	default:
		return NULL;
	}
}

const char *detail_r5_layout_name(int layout)
{
	static const char *const names[] = {
	    "left-asymmetric", "right-asymmetric", "left-symmetric", "right-symmetric",
	    "parity-first",    "parity-last",
	};

	if (layout >= 0 && layout < (int)(sizeof(names) / sizeof(names[0])))
		return names[layout];
	switch (layout) {
	case 8:
		return "ddf-zero-restart";
	case 9:
		return "ddf-N-restart";
	case 10:
		return "ddf-N-continue";
	default:
		return NULL;
	}
}

const char *detail_r6_layout_name(int layout)
{
	static const char *const names[] = {
	    "left-asymmetric-6", "right-asymmetric-6", "left-symmetric-6", "right-symmetric-6",
	    "parity-first-6",
	};

	if (layout >= 0 && layout < (int)(sizeof(names) / sizeof(names[0])))
		return names[layout];
	if (layout >= 8 && layout <= 10)
		return detail_r5_layout_name(layout);
	if (layout >= 16 && layout <= 20)
		return detail_r5_layout_name(layout - 16) ? names[layout - 16] : NULL;
	return NULL;
}

void detail_r10_layout_text(int layout, char *buf, size_t len)
{
	int near = layout & 255, far = (layout >> 8) & 255;
	const char *sep = "";
	size_t used = 0;

	buf[0] = '\0';
	if (near != 1) {
		used += (size_t)snprintf(buf, len, " near=%d", near);
		sep = ",";
	}
	if (far != 1 && used < len)
		used += (size_t)snprintf(buf + used, len - used, "%s %s=%d", sep,
					 (layout & 0x10000) ? "offset" : "far", far);
	if (near * far == 1 && used < len)
		snprintf(buf + used, len - used, "NO REDUNDANCY");
}

void detail_layout_text(int level, int layout, bool for_new, char *buf, size_t len)
{
	const char *name = NULL;

	buf[0] = '\0';
	if (level == 5 || (level == 0 && layout && !for_new))
		name = level == 5 ? detail_r5_layout_name(layout) : (layout == 1 ? "original"
								     : layout == 2 ? "alternate"
										   : NULL);
	else if (level == 6)
		name = detail_r6_layout_name(layout);
	else if (level == 10 && for_new)
		snprintf(buf, len, "near=%d, %s=%d", layout & 255,
			 (layout & 0x10000) ? "offset" : "far", (layout >> 8) & 255);
	else if (level == 10)
		detail_r10_layout_text(layout, buf, len);
	if (level == 5 || level == 6 || (level == 0 && layout && !for_new))
		snprintf(buf, len, "%s", name ? name : "-unknown-");
}

static const char *const sync_words[] = {
    [DETAIL_SYNC_RECOVERY] = "recovering",
    [DETAIL_SYNC_RESYNC] = "resyncing",
    [DETAIL_SYNC_RESHAPE] = "reshaping",
    [DETAIL_SYNC_CHECK] = "checking",
};

static const char *const sync_actions[] = {
    [DETAIL_SYNC_RECOVERY] = "recovery",
    [DETAIL_SYNC_RESYNC] = "resync",
    [DETAIL_SYNC_RESHAPE] = "reshape",
    [DETAIL_SYNC_CHECK] = "check",
};

static const char *const sync_states[] = {
    [DETAIL_SYNC_RUNNING] = "running",
    [DETAIL_SYNC_DELAYED] = "delayed",
    [DETAIL_SYNC_PENDING] = "pending",
    [DETAIL_SYNC_REMOTE] = "remote",
};

/* Upstream shows the sync action in State while it runs or waits. */
static bool sync_shown(const struct detail *d)
{
	return d->sync != DETAIL_SYNC_NONE &&
	       (d->sync_percent >= 0 || d->sync_state != DETAIL_SYNC_RUNNING);
}

/* The first word: md's word for raid0/linear, else clean or active. */
static const char *state_word(const struct detail *d)
{
	if (!d->clean)
		return "active";
	if (d->level_num == 0 || d->level_num == LEVEL_LINEAR)
		return d->array_state;
	return "clean";
}

void detail_state_text(const struct detail *d, char *buf, size_t len)
{
	static const char *const waits[] = {
	    [DETAIL_SYNC_RUNNING] = "",
	    [DETAIL_SYNC_DELAYED] = " (DELAYED)",
	    [DETAIL_SYNC_PENDING] = " (PENDING)",
	    [DETAIL_SYNC_REMOTE] = " (REMOTE)",
	};
	const char *health = d->health == DETAIL_FAILED	    ? ", FAILED"
			     : d->health == DETAIL_DEGRADED ? ", degraded"
							    : "";
	bool shown = sync_shown(d);

	snprintf(buf, len, "%s%s%s%s%s%s", state_word(d), health, shown ? ", " : "",
		 shown ? sync_words[d->sync] : "", d->array_kib ? "" : ", Not Started",
		 shown ? waits[d->sync_state] : "");
}

/* The words of a member row, each with its leading space, in upstream's order. */
static int dev_state_words(const struct detail *d, const struct detail_dev *v,
			   const char *ret[8])
{
	unsigned int f = v->flags;
	int n = 0;

	if (f & DETAIL_DEV_FAULTY)
		ret[n++] = "faulty";
	if (f & DETAIL_DEV_ACTIVE)
		ret[n++] = "active";
	if (f & DETAIL_DEV_SYNC)
		ret[n++] = "sync";
	if (f & DETAIL_DEV_REMOVED)
		ret[n++] = "removed";
	if (f & DETAIL_DEV_WRITEMOSTLY)
		ret[n++] = "writemostly";
	if (f & DETAIL_DEV_FAILFAST)
		ret[n++] = "failfast";
	if (f & DETAIL_DEV_JOURNAL)
		ret[n++] = "journal";
	if (!(f & (DETAIL_DEV_ACTIVE | DETAIL_DEV_SYNC | DETAIL_DEV_REMOVED | DETAIL_DEV_FAULTY |
		   DETAIL_DEV_JOURNAL))) {
		ret[n++] = "spare";
		if (v->raid_disk >= 0 && v->raid_disk < d->raid_disks)
			ret[n++] = "rebuilding";
	}
	return n;
}

/* raid10 near layouts name the mirror set of an in-sync device. */
static void r10_set(const struct detail *d, const struct detail_dev *v, char *buf, size_t len)
{
	int nc = d->layout & 0xff, fc = (d->layout >> 8) & 0xff, copies = nc * fc;

	buf[0] = '\0';
	if (d->level_num != 10 || (d->layout & ~0x1FFFF) || !(v->flags & DETAIL_DEV_SYNC))
		return;
	if (fc == 1 && copies > 0 && d->raid_disks % copies == 0 && copies <= 26)
		snprintf(buf, len, " set-%c", 'A' + v->raid_disk % copies);
}

void detail_dev_state_text(const struct detail *d, const struct detail_dev *v, char *buf,
			   size_t len)
{
	const char *words[8];
	int n = dev_state_words(d, v, words);
	char set[16];
	size_t used = 0;

	buf[0] = '\0';
	r10_set(d, v, set, sizeof(set));
	for (int i = 0; i < n && used < len; i++) {
		used += (size_t)snprintf(buf + used, len - used, " %s", words[i]);
		if (strcmp(words[i], "sync") == 0 && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s", set);
	}
}

/* ---- health ---------------------------------------------------------------- */

static bool r10_enough(int raid_disks, int layout, const bool *avail)
{
	int copies = (layout & 255) * ((layout >> 8) & 255), first = 0;

	if (copies <= 0 || raid_disks <= 0)
		return false;
	do {
		int cnt = 0, this = first;

		/* each group of copies starting at first needs one device */
		for (int n = 0; n < copies; n++) {
			cnt += avail[this];
			this = (this + 1) % raid_disks;
		}
		if (cnt == 0)
			return false;
		first = (first + (layout & 255)) % raid_disks;
	} while (first != 0);
	return true;
}

bool detail_enough(int level, int raid_disks, int layout, const bool *avail)
{
	int n = 0;

	for (int i = 0; i < raid_disks; i++)
		n += avail[i];
	switch (level) {
	case 10:
		return r10_enough(raid_disks, layout, avail);
	case LEVEL_LINEAR:
	case 0:
		return n == raid_disks && raid_disks > 0;
	case 1:
		return n >= 1;
	case 4:
	case 5:
		return raid_disks > 0 && n >= raid_disks - 1;
	case 6:
		return raid_disks > 0 && n >= raid_disks - 2;
	default:
		/* containers and unknown levels: upstream's enough() says no */
		return false;
	}
}

int detail_test_status(const struct detail *d)
{
	return (int)d->health;
}

/* ---- text ------------------------------------------------------------------- */

static void field(FILE *f, const char *label, const char *value)
{
	fprintf(f, "%18s : %s\n", label, value);
}

static void size_field(FILE *f, const char *label, unsigned long long kib)
{
	char human[64];

	render_human_size(kib * 1024, human, sizeof(human));
	fprintf(f, "%18s : %llu%s\n", label, kib, human);
}

static void print_head(FILE *f, const struct detail *d)
{
	char text[PATH_MAX + 32], safe[PATH_MAX];

	fprintf(f, "%s:\n", render_safe(safe, sizeof(safe), d->path, sizeof(d->path), RENDER_TEXT));
	if (d->kind == DETAIL_MEMBER) {
		render_safe(safe, sizeof(safe), d->container_path, sizeof(d->container_path),
			    RENDER_TEXT);
		snprintf(text, sizeof(text), "%s, member %s", safe, d->member);
		field(f, "Container", text);
	} else {
		field(f, "Version", d->metadata);
	}
	if (d->kind == DETAIL_CONTAINER)
		field(f, "Raid Level", "container");
	else if (d->level[0])
		field(f, "Raid Level", d->level);
	if (d->array_kib)
		size_field(f, "Array Size", d->array_kib);
	if (d->level_num >= 1 && d->level_num != LEVEL_CONTAINER)
		size_field(f, "Used Dev Size", d->used_dev_kib);
	snprintf(text, sizeof(text), "%d", d->raid_disks);
	if (d->raid_disks)
		field(f, "Raid Devices", text);
	snprintf(text, sizeof(text), "%d", d->total);
	field(f, "Total Devices", text);
	if (d->kind == DETAIL_NATIVE)
		field(f, "Persistence", "Superblock is persistent");
	fputc('\n', f);
}

static void count_field(FILE *f, const char *label, int n)
{
	char num[16];

	snprintf(num, sizeof(num), "%d", n);
	field(f, label, num);
}

static void print_counts(FILE *f, const struct detail *d)
{
	char text[128];

	if (d->raid_disks) {
		detail_state_text(d, text, sizeof(text));
		fprintf(f, "%18s : %s \n", "State", text);
	} else if (d->inactive && d->kind != DETAIL_CONTAINER) {
		field(f, "State", "inactive");
	}
	if (d->raid_disks)
		count_field(f, "Active Devices", d->active);
	if (d->working > 0)
		count_field(f, "Working Devices", d->working);
	if (d->raid_disks)
		count_field(f, "Failed Devices", d->failed);
	/* 4.2 leaves out the spares of a member: they belong to its container */
	if (d->raid_disks && d->kind != DETAIL_MEMBER)
		count_field(f, "Spare Devices", d->spare);
	fputc('\n', f);
}

static bool has_chunk(int level)
{
	return level == 0 || level == 4 || level == 5 || level == 6 || level == 10;
}

static void print_shape(FILE *f, const struct detail *d)
{
	char text[64];

	detail_layout_text(d->level_num, d->layout, false, text, sizeof(text));
	if (d->level_num == 10)
		fprintf(f, "%18s :%s\n", "Layout", text);
	else if (text[0])
		field(f, "Layout", text);
	if (has_chunk(d->level_num) && d->chunk_bytes)
		fprintf(f, "%18s : %lluK\n\n", "Chunk Size", d->chunk_bytes / 1024);
	else if (d->level_num == LEVEL_LINEAR)
		fprintf(f, "%18s : %lluK\n\n", "Rounding", d->chunk_bytes / 1024);
	if (d->raid_disks && d->consistency[0])
		fprintf(f, "%18s : %s\n\n", "Consistency Policy", d->consistency);
}

static void print_reshape(FILE *f, const struct detail *d)
{
	char text[64];
	const char *name;

	if (d->delta_disks)
		fprintf(f, "%18s : %d, (%d->%d)\n", "Delta Devices", d->delta_disks,
			d->raid_disks - d->delta_disks, d->raid_disks);
	if (d->new_level_num != d->level_num) {
		name = detail_level_name(d->new_level_num);
		field(f, "New Level", name ? name : "-unknown-");
	}
	if (d->new_level_num != d->level_num || d->new_layout != d->layout) {
		detail_layout_text(d->new_level_num, d->new_layout, true, text, sizeof(text));
		if (text[0])
			field(f, "New Layout", text);
	}
	if (d->new_chunk_bytes != d->chunk_bytes)
		fprintf(f, "%18s : %lluK\n", "New Chunksize", d->new_chunk_bytes / 1024);
	fputc('\n', f);
}

static void print_progress(FILE *f, const struct detail *d)
{
	static const char *const label[] = {
	    [DETAIL_SYNC_RECOVERY] = "Rebuild",
	    [DETAIL_SYNC_RESYNC] = "Resync",
	    [DETAIL_SYNC_RESHAPE] = "Reshape",
	    [DETAIL_SYNC_CHECK] = "Check",
	};
	bool running = d->sync != DETAIL_SYNC_NONE && d->sync_percent >= 0;

	if (running)
		fprintf(f, "    %7s Status : %d%% complete\n", label[d->sync], d->sync_percent);
	if (d->reshape)
		print_reshape(f, d);
	else if (running)
		fputc('\n', f);
}

static void print_identity(FILE *f, const struct detail *d)
{
	char safe[DETAIL_DEV_PATH_BYTES];

	if (d->uuid_known && d->kind != DETAIL_NATIVE)
		fprintf(f, "\n%18s : %s\n", "UUID", d->uuid);
	if (d->kind != DETAIL_CONTAINER)
		return;
	fprintf(f, "%18s :", "Member Arrays");
	for (int i = 0; i < d->n_member_arrays; i++)
		fprintf(f, " %s",
			render_safe(safe, sizeof(safe), d->member_arrays[i],
				    sizeof(d->member_arrays[i]), RENDER_TEXT));
	fputs("\n\n", f);
}

static void print_dev_numbers(FILE *f, const struct detail_dev *v)
{
	if (v->number < 0 && v->raid_disk < 0)
		fprintf(f, "       -   %5u    %5u        -     ", v->major, v->minor);
	else if (v->raid_disk < 0 || (v->flags & DETAIL_DEV_JOURNAL))
		fprintf(f, "   %5d   %5u    %5u        -     ", v->number, v->major, v->minor);
	else if (v->number < 0)
		fprintf(f, "       -   %5u    %5u    %5d     ", v->major, v->minor, v->raid_disk);
	else
		fprintf(f, "   %5d   %5u    %5u    %5d     ", v->number, v->major, v->minor,
			v->raid_disk);
}

static void print_devs(FILE *f, const struct detail *d)
{
	char state[96], safe[DETAIL_DEV_PATH_BYTES];

	fprintf(f, "    Number   Major   Minor   RaidDevice%s\n", d->raid_disks ? " State" : "");
	for (int i = 0; i < d->n_devs; i++) {
		const struct detail_dev *v = &d->devs[i];

		/* a blank line before the first device beyond the slots */
		if (i == d->n_slot_rows)
			fputc('\n', f);
		print_dev_numbers(f, v);
		state[0] = '\0';
		if (d->raid_disks)
			detail_dev_state_text(d, v, state, sizeof(state));
		fputs(state, f);
		if (v->path[0])
			fprintf(f, "   %s", render_safe(safe, sizeof(safe), v->path, sizeof(v->path),
						      RENDER_TEXT));
		else if (v->major || v->minor)
			fputs("   missing", f);
		fputc('\n', f);
	}
}

void detail_print_text(FILE *f, const struct detail *d, bool no_devices)
{
	print_head(f, d);
	print_counts(f, d);
	print_shape(f, d);
	print_progress(f, d);
	print_identity(f, d);
	if (!no_devices)
		print_devs(f, d);
}

/* ---- --brief / --scan ------------------------------------------------------------ */

static int cmp_paths(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "\n   devices=a,b,c": every device with a path, sorted as strings. */
static void print_brief_devices(FILE *f, const struct detail *d)
{
	const char **paths = calloc((size_t)d->n_devs + 1, sizeof(*paths));
	char safe[DETAIL_DEV_PATH_BYTES];
	int n = 0;

	if (!paths)
		return;
	for (int i = 0; i < d->n_devs; i++)
		if (d->devs[i].path[0])
			paths[n++] = d->devs[i].path;
	qsort(paths, (size_t)n, sizeof(*paths), cmp_paths);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? "," : "\n   devices=",
			render_safe(safe, sizeof(safe), paths[i], strlen(paths[i]), RENDER_WORD));
	free(paths);
}

static int brief_spares(const struct detail *d)
{
	int n = 0;

	for (int i = 0; i < d->n_devs; i++)
		n += d->devs[i].flags == 0 && (d->devs[i].major || d->devs[i].minor);
	return d->raid_disks ? n : 0;
}

void detail_print_brief(FILE *f, const struct detail *d, int verbose)
{
	char safe[PATH_MAX];
	int spares = brief_spares(d);

	fprintf(f, "%sARRAY %s", d->inactive && d->kind != DETAIL_CONTAINER ? "INACTIVE-" : "",
		render_safe(safe, sizeof(safe), d->path, sizeof(d->path), RENDER_WORD));
	if (verbose > 0 && d->raid_disks)
		fprintf(f, " level=%s num-devices=%d", d->level[0] ? d->level : "-unknown-",
			d->raid_disks);
	else if (verbose > 0 && d->kind == DETAIL_CONTAINER)
		fprintf(f, " level=container num-devices=%d", d->total);
	else if (verbose > 0)
		fprintf(f, " num-devices=%d", d->total);
	if (d->kind == DETAIL_MEMBER)
		fprintf(f, " container=%s member=%s",
			render_safe(safe, sizeof(safe), d->container_path, sizeof(d->container_path),
				    RENDER_WORD),
			d->member);
	else
		fprintf(f, " metadata=%s", d->metadata);
	if (spares)
		fprintf(f, " spares=%d", spares);
	if (d->uuid_known)
		fprintf(f, " UUID=%s", d->uuid);
	if (verbose > 0)
		print_brief_devices(f, d);
	fputc('\n', f);
}

/* ---- --export ------------------------------------------------------------------ */

/* "dev-loop0" with every non-alphanumeric byte as '_', as upstream's keys. */
static void export_key_of(const char *kname, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "dev-%s", kname);
	for (i = 0; buf[i]; i++)
		if (!((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= 'A' && buf[i] <= 'Z') ||
		      (buf[i] >= '0' && buf[i] <= '9')))
			buf[i] = '_';
}

static void export_devs(FILE *f, const struct detail *d)
{
	char key[48], safe[DETAIL_DEV_PATH_BYTES];

	for (int i = 0; i < d->n_devs; i++) {
		const struct detail_dev *v = &d->devs[i];

		if (!v->kname[0])
			continue;
		export_key_of(v->kname, key, sizeof(key));
		if (v->raid_disk >= 0)
			fprintf(f, "MD_DEVICE_%s_ROLE=%d\n", key, v->raid_disk);
		else
			fprintf(f, "MD_DEVICE_%s_ROLE=spare\n", key);
		if (v->path[0])
			fprintf(f, "MD_DEVICE_%s_DEV=%s\n", key,
				render_safe(safe, sizeof(safe), v->path, sizeof(v->path),
					    RENDER_EXPORT));
	}
}

void detail_print_export(FILE *f, const struct detail *d, bool no_devices)
{
	char safe[PATH_MAX];

	if (d->raid_disks) {
		if (d->level[0])
			fprintf(f, "MD_LEVEL=%s\n", d->level);
		fprintf(f, "MD_DEVICES=%d\n", d->raid_disks);
	} else {
		if (d->kind == DETAIL_CONTAINER)
			fprintf(f, "MD_LEVEL=container\n");
		fprintf(f, "MD_DEVICES=%d\n", d->total);
	}
	if (d->kind == DETAIL_MEMBER)
		fprintf(f, "MD_CONTAINER=%s\nMD_MEMBER=%s\n",
			render_safe(safe, sizeof(safe), d->container_path, sizeof(d->container_path),
				    RENDER_EXPORT),
			d->member);
	else
		fprintf(f, "MD_METADATA=%s\n",
			render_safe(safe, sizeof(safe), d->metadata, sizeof(d->metadata),
				    RENDER_EXPORT));
	if (d->uuid_known)
		fprintf(f, "MD_UUID=%s\n", d->uuid);
	else if (d->kind == DETAIL_CONTAINER) /* no volume yet: the zero UUID, as upstream */
		fprintf(f, "MD_UUID=00000000:00000000:00000000:00000000\n");
	if (d->devname[0])
		fprintf(f, "MD_DEVNAME=%s\n",
			render_safe(safe, sizeof(safe), d->devname, sizeof(d->devname),
				    RENDER_EXPORT));
	if (!no_devices)
		export_devs(f, d);
}

/* ---- JSON ---------------------------------------------------------------------- */

static void json_opt_kib(struct json_out *j, const char *key, bool shown, unsigned long long v)
{
	if (shown)
		json_uint(j, key, v);
	else
		json_null(j, key);
}

static void json_sync(struct json_out *j, const struct detail *d)
{
	if (!sync_shown(d) && !(d->sync != DETAIL_SYNC_NONE && d->sync_percent >= 0)) {
		json_null(j, "sync");
		return;
	}
	json_begin_object(j, "sync");
	json_string(j, "action", sync_actions[d->sync]);
	json_string(j, "state", sync_states[d->sync_state]);
	if (d->sync_percent >= 0)
		json_int(j, "percent", d->sync_percent);
	else
		json_null(j, "percent");
	json_end_object(j);
}

static void json_reshape(struct json_out *j, const struct detail *d)
{
	char text[64];

	if (!d->reshape) {
		json_null(j, "reshape");
		return;
	}
	json_begin_object(j, "reshape");
	json_int(j, "delta_devices", d->delta_disks);
	json_int(j, "old_raid_devices", d->raid_disks - d->delta_disks);
	json_int(j, "new_raid_devices", d->raid_disks);
	json_string(j, "new_level", detail_level_name(d->new_level_num));
	detail_layout_text(d->new_level_num, d->new_layout, true, text, sizeof(text));
	json_string(j, "new_layout", text[0] ? text : NULL);
	json_uint(j, "new_chunk_size_kib", d->new_chunk_bytes / 1024);
	json_end_object(j);
}

static void json_dev(struct json_out *j, const struct detail *d, const struct detail_dev *v)
{
	const char *words[8];
	int n = d->raid_disks ? dev_state_words(d, v, words) : 0;

	json_begin_object(j, NULL);
	if (v->number >= 0 && !d->inactive)
		json_int(j, "number", v->number);
	else
		json_null(j, "number");
	json_uint(j, "major", v->major);
	json_uint(j, "minor", v->minor);
	if (v->raid_disk >= 0)
		json_int(j, "raid_device", v->raid_disk);
	else
		json_null(j, "raid_device");
	json_begin_array(j, "state");
	for (int i = 0; i < n; i++)
		json_string(j, NULL, words[i]);
	json_end_array(j);
	json_string(j, "device", v->path[0] ? v->path : NULL);
	json_end_object(j);
}

static void json_identity(struct json_out *j, const struct detail *d)
{
	bool member = d->kind == DETAIL_MEMBER;
	static const char *const kinds[] = {
	    [DETAIL_NATIVE] = "native", [DETAIL_CONTAINER] = "container", [DETAIL_MEMBER] = "member"};

	json_string(j, "device", d->path);
	json_string(j, "devnm", d->devnm);
	json_string(j, "kind", kinds[d->kind]);
	json_string(j, "metadata", d->metadata);
	json_string(j, "container", member ? d->container_path : NULL);
	json_string(j, "member", member ? d->member : NULL);
	json_string(j, "level", d->kind == DETAIL_CONTAINER ? "container"
				: d->level[0]		    ? d->level
							    : NULL);
	json_int(j, "raid_devices", d->raid_disks);
	json_int(j, "total_devices", d->total);
}

static void json_state(struct json_out *j, const struct detail *d)
{
	static const char *const health[] = {"optimal", "degraded", "failed"};
	char text[128];

	json_opt_kib(j, "array_size_kib", d->array_kib != 0, d->array_kib);
	json_opt_kib(j, "used_dev_size_kib", d->level_num >= 1 && d->level_num != LEVEL_CONTAINER,
		     d->used_dev_kib);
	detail_state_text(d, text, sizeof(text));
	json_string(j, "state", d->raid_disks ? text : NULL);
	json_string(j, "array_state", d->array_state);
	json_string(j, "health", health[d->health]);
	json_int(j, "active_devices", d->active);
	json_int(j, "working_devices", d->working);
	json_int(j, "failed_devices", d->failed);
	json_int(j, "spare_devices", d->spare);
	detail_layout_text(d->level_num, d->layout, false, text, sizeof(text));
	json_string(j, "layout", text[0] ? text + (text[0] == ' ') : NULL);
	json_opt_kib(j, "chunk_size_kib", has_chunk(d->level_num) && d->chunk_bytes,
		     d->chunk_bytes / 1024);
	json_string(j, "consistency_policy", d->consistency[0] ? d->consistency : NULL);
}

void detail_print_json(struct json_out *j, const struct detail *d, bool no_devices)
{
	json_begin_object(j, NULL);
	json_identity(j, d);
	json_state(j, d);
	json_sync(j, d);
	json_reshape(j, d);
	json_string(j, "uuid", d->uuid_known ? d->uuid : NULL);
	json_string(j, "name", d->devname[0] ? d->devname : NULL);
	if (d->kind == DETAIL_CONTAINER) {
		json_begin_array(j, "member_arrays");
		for (int i = 0; i < d->n_member_arrays; i++)
			json_string(j, NULL, d->member_arrays[i]);
		json_end_array(j);
	} else {
		json_null(j, "member_arrays");
	}
	if (!no_devices) {
		json_begin_array(j, "devices");
		for (int i = 0; i < d->n_devs; i++)
			json_dev(j, d, &d->devs[i]);
		json_end_array(j);
	}
	json_end_object(j);
}

void detail_free(struct detail *d)
{
	free(d->devs);
	d->devs = NULL;
	d->n_devs = 0;
	free(d->member_arrays);
	d->member_arrays = NULL;
	d->n_member_arrays = 0;
}
