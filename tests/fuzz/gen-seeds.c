/*
 * gen-seeds.c: seed corpora for the libFuzzer targets of tests/fuzz, from
 * valid data: the MPBs and migration records captured from upstream mdadm
 * (tests/unit/fixtures/imsm-golden-*.hex), the mdstat captures, and MPBs
 * built here that need more than one 4 KiB sector (many disks, two
 * volumes, a bad-block log).
 *
 *   gen-seeds OUTDIR     writes OUTDIR/seeds-TARGET/NAME for every target
 *
 * Every MPB written is checked to decode first: a seed the decoder
 * refuses would only test the refusal.  Run from the top of the tree.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "imsm-format.h"
#include "mdmon.h"

static const char *out_dir;
static int failures;

/* A growing byte buffer for one seed. */
struct seed {
	uint8_t b[1 << 17];
	size_t n;
};

static void put(struct seed *s, const void *p, size_t len)
{
	if (s->n + len > sizeof(s->b)) {
		fprintf(stderr, "gen-seeds: seed too large\n");
		exit(1);
	}
	memcpy(s->b + s->n, p, len);
	s->n += len;
}

static void put_u8(struct seed *s, uint8_t v)
{
	put(s, &v, 1);
}

static void put_u32(struct seed *s, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	put(s, b, 4);
}

/* A fuzz.h part: u16 length, bytes. */
static void put_part(struct seed *s, const void *p, size_t len)
{
	uint8_t hdr[2] = {(uint8_t)len, (uint8_t)(len >> 8)};

	put(s, hdr, 2);
	put(s, p, len);
}

static void write_seed(const char *target, const char *name, const struct seed *s)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seeds-%s", out_dir, target);
	(void)mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/seeds-%s/%s", out_dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n) {
		fprintf(stderr, "gen-seeds: cannot write %s\n", path);
		failures++;
	}
	if (f)
		fclose(f);
}

/* ---- MPBs -------------------------------------------------------------------- */

struct mpb {
	const char *name;
	uint8_t b[65536];
	size_t len;
};

static const char *const golden[] = {
    "2vol",	      "raid0",
    "raid1",	      "raid10",
    "raid5",	      "raid5-degraded",
    "spare",	      "olce-r0-before",
    "olce-r0-mid",    "olce-r0-spare",
    "olce-r5-before", "olce-r5-mid",
    "olce-r5-spare",  "olce-2vol-before",
    "olce-2vol-mid",  "olce-2vol-spare",
};
#define N_GOLDEN (sizeof(golden) / sizeof(golden[0]))

static struct mpb mpbs[N_GOLDEN + 8];
static int n_mpbs;

static int load_hex(const char *file, uint8_t *buf, size_t cap, size_t *ret_len)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "fixtures/%s.hex", file);
	return fixture_load_hex(rel, buf, cap, ret_len);
}

static void load_golden(void)
{
	for (size_t i = 0; i < N_GOLDEN; i++) {
		struct mpb *m = &mpbs[n_mpbs];
		char file[128];
		struct imsm_super *s;

		snprintf(file, sizeof(file), "imsm-golden-%s", golden[i]);
		if (load_hex(file, m->b, sizeof(m->b), &m->len) < 0 ||
		    imsm_decode(m->b, m->len, &s) < 0) {
			fprintf(stderr, "gen-seeds: %s does not load\n", file);
			failures++;
			continue;
		}
		m->len = s->mpb_size_bytes;
		imsm_free(s);
		m->name = golden[i];
		n_mpbs++;
	}
}

/* A copy of the decoded 2vol MPB with n_disks disk records and, if
 * bbm_entries, a bad-block log: an MPB of several sectors. */
static void add_large(const char *name, unsigned int n_disks, unsigned int bbm_entries)
{
	struct mpb *m = &mpbs[n_mpbs];
	struct imsm_super *s, *check;
	size_t len;
	uint8_t *log;

	if (imsm_decode(mpbs[0].b, mpbs[0].len, &s) < 0)
		return;
	for (unsigned int i = s->num_disks; i < n_disks; i++) {
		s->disk[i] = s->disk[0];
		snprintf(s->disk[i].serial, IMSM_SERIAL_BYTES, "FUZZSPARE%04u", i);
		s->disk[i].status = IMSM_DISK_SPARE;
	}
	s->num_disks = (uint8_t)n_disks;
	if (bbm_entries) {
		log = s->bbm_log;
		memset(log, 0, sizeof(s->bbm_log));
		log[0] = 0x0c, log[1] = 0xb1, log[2] = 0xad, log[3] = 0xab;
		log[4] = (uint8_t)bbm_entries;
		for (unsigned int i = 0; i < bbm_entries; i++) {
			uint8_t *e = log + IMSM_BBM_HEADER_BYTES + i * IMSM_BBM_ENTRY_BYTES;

			e[0] = (uint8_t)(i % 8);
			e[1] = (uint8_t)(i % n_disks);
			e[2] = (uint8_t)(i * 16);
			e[4] = (uint8_t)(i / 16);
		}
		s->bbm_log_bytes = IMSM_BBM_HEADER_BYTES + IMSM_BBM_ENTRY_BYTES * bbm_entries;
		s->attributes |= IMSM_ATTR_BBM;
	}
	if (imsm_encode(s, m->b, sizeof(m->b), &len) < 0 || imsm_decode(m->b, len, &check) < 0) {
		fprintf(stderr, "gen-seeds: large MPB %s does not round-trip\n", name);
		failures++;
		imsm_free(s);
		return;
	}
	imsm_free(check);
	imsm_free(s);
	m->len = len;
	m->name = name;
	n_mpbs++;
}

/* The 2vol MPB without its second volume: what mdmon holds before mdadm
 * sends the volume (a "new volume" update). */
static void add_first_volume_only(void)
{
	struct mpb *m = &mpbs[n_mpbs];
	struct imsm_super *s;

	if (imsm_decode(mpbs[0].b, mpbs[0].len, &s) < 0)
		return;
	s->num_raid_devs = 1;
	if (imsm_encode(s, m->b, sizeof(m->b), &m->len) == 0) {
		m->name = "1vol";
		n_mpbs++;
	} else {
		fprintf(stderr, "gen-seeds: 1vol does not encode\n");
		failures++;
	}
	imsm_free(s);
}

static const struct mpb *find_mpb(const char *name)
{
	for (int i = 0; i < n_mpbs; i++)
		if (strcmp(mpbs[i].name, name) == 0)
			return &mpbs[i];
	return NULL;
}

/* ---- per target ------------------------------------------------------------------ */

static void seeds_decode(void)
{
	struct seed *sd = calloc(1, sizeof(*sd));

	for (int i = 0; i < n_mpbs; i++) {
		sd->n = 0;
		put(sd, mpbs[i].b, mpbs[i].len);
		write_seed(mpbs[i].len > 4096 ? "imsm-large" : "imsm-decode", mpbs[i].name, sd);
		if (mpbs[i].len <= 4096)
			write_seed("imsm-large", mpbs[i].name, sd);
	}
	free(sd);
}

/* A seed of m with volume 0's main checkpoint at unit and the record rec
 * (512 bytes) whose status and unit are set (unit UINT64_MAX: zeros). */
static void resume_variant(const struct mpb *m, const uint8_t *rec, uint64_t main_unit,
			   uint64_t rec_unit, uint32_t status, const char *name)
{
	struct seed *sd = calloc(1, sizeof(*sd));
	uint8_t out[65536], r[512];
	struct imsm_super *s;
	size_t len;

	if (!sd || imsm_decode(m->b, m->len, &s) < 0) {
		free(sd);
		return;
	}
	s->dev[0].vol.curr_migr_unit = main_unit;
	memcpy(r, rec, sizeof(r));
	if (rec_unit == UINT64_MAX) {
		memset(r, 0, sizeof(r));
	} else {
		for (int i = 0; i < 4; i++) {
			r[0x00 + i] = (uint8_t)(status >> (8 * i));
			r[0x04 + i] = (uint8_t)(rec_unit >> (8 * i));
			r[0x30 + i] = (uint8_t)(rec_unit >> (32 + 8 * i));
		}
	}
	if (imsm_encode(s, out, sizeof(out), &len) == 0) {
		put_part(sd, out, len);
		put_part(sd, r, sizeof(r));
		put_u8(sd, 0);
		write_seed("imsm-resume", name, sd);
	}
	imsm_free(s);
	free(sd);
}

/* The rows of imsm-resume.h's table, on the raid5 capture (16 units). */
static void seeds_resume_table(const struct mpb *m, const uint8_t *rec)
{
	uint64_t n = (uint64_t)rec[0x20] | (uint64_t)rec[0x21] << 8 | (uint64_t)rec[0x22] << 16 |
		     (uint64_t)rec[0x23] << 24;

	resume_variant(m, rec, 0, UINT64_MAX, 0, "r5-other-rec-at-0");
	resume_variant(m, rec, n, UINT64_MAX, 0, "r5-other-rec-at-end");
	resume_variant(m, rec, 5, UINT64_MAX, 0, "r5-other-rec-between");
	resume_variant(m, rec, n - 1, n - 1, 1, "r5-restore-last-unit");
	resume_variant(m, rec, n, n, 0, "r5-rec-at-end");
	resume_variant(m, rec, 4, 3, 0, "r5-main-ahead");
}

static void seeds_resume(void)
{
	static const char *const olce[] = {"r0", "r5", "2vol"};
	struct seed *sd = calloc(1, sizeof(*sd));
	uint8_t rec[4096];
	char file[128], name[128];
	size_t rec_len;

	for (size_t i = 0; i < sizeof(olce) / sizeof(olce[0]); i++) {
		const struct mpb *m;

		snprintf(file, sizeof(file), "imsm-golden-olce-%s-migr", olce[i]);
		snprintf(name, sizeof(name), "olce-%s-mid", olce[i]);
		m = find_mpb(name);
		if (!m || load_hex(file, rec, sizeof(rec), &rec_len) < 0) {
			fprintf(stderr, "gen-seeds: %s missing\n", file);
			failures++;
			continue;
		}
		sd->n = 0;
		put_part(sd, m->b, m->len);
		put_part(sd, rec, 512);
		put_u8(sd, 0);
		write_seed("imsm-resume", name, sd);
		/* the record in the copy area: a restore */
		rec[0] = 1;
		sd->n = 0;
		put_part(sd, m->b, m->len);
		put_part(sd, rec, 512);
		put_u8(sd, 0);
		snprintf(name, sizeof(name), "olce-%s-restore", olce[i]);
		write_seed("imsm-resume", name, sd);
		/* no record at all */
		sd->n = 0;
		put_part(sd, m->b, m->len);
		snprintf(name, sizeof(name), "olce-%s-norec", olce[i]);
		write_seed("imsm-resume", name, sd);
		rec[0] = 0;
		if (strcmp(olce[i], "r5") == 0)
			seeds_resume_table(m, rec);
	}
	free(sd);
}

static const char serial_of_disk0[IMSM_SERIAL_BYTES] = "";

static void seeds_describe(void)
{
	struct seed *sd = calloc(1, sizeof(*sd));
	uint8_t rec[4096];
	size_t rec_len;

	if (load_hex("imsm-golden-olce-r5-migr", rec, sizeof(rec), &rec_len) < 0)
		memset(rec, 0, sizeof(rec));
	for (int i = 0; i < n_mpbs; i++) {
		struct imsm_super *s;

		if (mpbs[i].len > 8192 || imsm_decode(mpbs[i].b, mpbs[i].len, &s) < 0)
			continue;
		sd->n = 0;
		put_part(sd, mpbs[i].b, mpbs[i].len);
		put_part(sd, s->num_disks ? s->disk[0].serial : serial_of_disk0, IMSM_SERIAL_BYTES);
		put_part(sd, rec, 128);
		put_u8(sd, 0);
		write_seed("describe", mpbs[i].name, sd);
		imsm_free(s);
	}
	free(sd);
}

/* Every disk of a golden container, each with the container's copy; and
 * the OLCE's copies before and during the migration side by side. */
static void seeds_assemble(void)
{
	static const char *const sets[][2] = {
	    {"raid5", "raid5"},
	    {"2vol", "2vol"},
	    {"olce-r5-before", "olce-r5-mid"},
	    {"raid5-degraded", "raid5"},
	};
	struct seed *sd = calloc(1, sizeof(*sd));

	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
		const struct mpb *a = find_mpb(sets[k][0]), *b = find_mpb(sets[k][1]);
		struct imsm_super *s;

		if (!a || !b || imsm_decode(a->b, a->len, &s) < 0)
			continue;
		sd->n = 0;
		for (int d = 0; d < s->num_disks; d++) {
			const struct mpb *m = d % 2 ? b : a;

			put_part(sd, m->b, m->len);
			put_part(sd, s->disk[d].serial, IMSM_SERIAL_BYTES);
		}
		write_seed("assemble", sets[k][1], sd);
		imsm_free(s);
	}
	free(sd);
}

static void put_frame(struct seed *sd, const void *payload, int32_t len)
{
	put_u32(sd, MDMON_MAGIC_START);
	put_u32(sd, (uint32_t)len);
	if (len > 0)
		put(sd, payload, (size_t)len);
	put_u32(sd, MDMON_MAGIC_END);
}

static void put_frames(struct seed *sd, const struct mpb *cur, const struct mpb *upd, bool migr)
{
	struct seed *frames = calloc(1, sizeof(*frames)), *mig = calloc(1, sizeof(*mig));
	struct mdmon_disk_req dr = {.magic = MDMON_REQ_MAGIC};
	struct mdmon_vol_req vr = {.magic = MDMON_VOL_MAGIC, .name = "renamed"};

	put_frame(frames, NULL, 0);
	for (uint32_t t = MDMON_REQ_ADD_SPARE; t <= MDMON_REQ_RESIZE; t++) {
		dr.type = t;
		dr.major = 0;
		dr.minor = 1;
		put_frame(frames, &dr, sizeof(dr));
	}
	/* takeovers to raid0 and raid10 (raid1 above) */
	dr.type = MDMON_REQ_TAKEOVER;
	dr.minor = 0;
	put_frame(frames, &dr, sizeof(dr));
	dr.minor = 10;
	put_frame(frames, &dr, sizeof(dr));
	for (uint32_t t = MDMON_VOL_KILL; t <= MDMON_VOL_RENAME; t++) {
		vr.type = t;
		put_frame(frames, &vr, sizeof(vr));
	}
	if (upd && migr) {
		put(mig, MDMON_MIGR_MAGIC, MDMON_MIGR_MAGIC_BYTES);
		put(mig, upd->b, upd->len);
		put_frame(frames, mig->b, (int32_t)mig->n);
	} else if (upd) {
		put_frame(frames, upd->b, (int32_t)upd->len);
	}
	put_part(sd, cur->b, cur->len);
	put(sd, frames->b, frames->n);
	free(frames);
	free(mig);
}

static void seeds_mdmon(void)
{
	static const char *const sets[][2] = {
	    {"olce-r5-before", "olce-r5-mid"},
	    {"olce-r0-before", "olce-r0-mid"},
	    {"olce-2vol-before", "olce-2vol-mid"},
	    {"raid0", "2vol"},
	    {"olce-r5-mid", NULL},
	    {"raid5", NULL},
	    {"raid10", NULL},
	    {"raid1", NULL},
	    {"raid0", NULL},
	    {"1vol", "2vol"},
	};
	struct seed *sd = calloc(1, sizeof(*sd));

	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
		const struct mpb *cur = find_mpb(sets[k][0]);
		const struct mpb *upd = sets[k][1] ? find_mpb(sets[k][1]) : NULL;
		char name[128];

		if (!cur)
			continue;
		sd->n = 0;
		put_frames(sd, cur, upd, k < 3);
		snprintf(name, sizeof(name), "%s-%s", sets[k][0], sets[k][1] ? sets[k][1] : "reqs");
		write_seed("mdmon-frames", name, sd);
	}
	free(sd);
}

static void seeds_mdstat(void)
{
	static const char *const files[] = {
	    "mdstat-flags",	      "mdstat-imsm-auto-ro",	   "mdstat-imsm-degraded",
	    "mdstat-imsm-olce",	      "mdstat-imsm-raid4-reshape", "mdstat-imsm-two-volumes",
	    "mdstat-inactive-member", "mdstat-native-resync",
	};
	struct seed *sd = calloc(1, sizeof(*sd));

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char rel[128], *text;

		snprintf(rel, sizeof(rel), "fixtures/%s.txt", files[i]);
		text = fixture_slurp(rel);
		if (!text) {
			failures++;
			continue;
		}
		sd->n = 0;
		put(sd, text, strlen(text));
		write_seed("mdstat", files[i], sd);
		free(text);
	}
	free(sd);
}

/* The attribute values fuzz-sysfs.c reads, in its order (see there). */
static void seeds_sysfs(void)
{
	static const char *const arrays[][9] = {
	    {"raid5", "external:/md127/0", "clean", "4", "131072", "16384", "2", "none", "0.201"},
	    {"raid5", "external:-md127/0", "active", "5 (4)", "131072", "16384", "2",
	     "6016 / 32768", "0.000"},
	    {"raid0", "external:imsm", "inactive", "0", "0", "0", "0", "delayed", "5"},
	    {"raid1", "1.2", "read-auto", "2", "65536", "1048576", "-1 (0)", "12 / 100", "10.5"},
	};
	static const char *const members[][5] = {
	    {"0", "in_sync", "0", "16384", "7:0"},
	    {"none", "spare", "4096", "none", "7:1"},
	    {"3", "faulty,blocked", "max", "1", "259:65536"},
	};
	struct seed *sd = calloc(1, sizeof(*sd));

	for (size_t k = 0; k < sizeof(arrays) / sizeof(arrays[0]); k++) {
		char name[32];

		sd->n = 0;
		for (int a = 0; a < 9; a++)
			put_part(sd, arrays[k][a], strlen(arrays[k][a]) + (k == 1 ? 1 : 0));
		for (size_t m = 0; m <= k && m < sizeof(members) / sizeof(members[0]); m++)
			for (int a = 0; a < 5; a++)
				put_part(sd, members[m][a], strlen(members[m][a]));
		snprintf(name, sizeof(name), "array%zu", k);
		write_seed("sysfs", name, sd);
	}
	free(sd);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen-seeds OUTDIR\n");
		return 2;
	}
	out_dir = argv[1];
	fixture_init();
	load_golden();
	add_large("many-disks", 200, 0);
	add_large("many-disks-bbm", 120, 254);
	add_large("bbm", 4, 40);
	add_first_volume_only();
	seeds_decode();
	seeds_resume();
	seeds_describe();
	seeds_assemble();
	seeds_mdmon();
	seeds_mdstat();
	seeds_sysfs();
	if (failures)
		fprintf(stderr, "gen-seeds: %d failures\n", failures);
	return failures ? 1 : 0;
}
