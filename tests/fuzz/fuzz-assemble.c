/*
 * fuzz-assemble.c: libFuzzer target for assembly's grouping of disks into
 * containers (Assemble.c: champion(), belongs(), collect_group(), over the
 * handler's same_container(), supersedes() and member_index()), and for
 * the md configuration of each volume of a group (imsm_ops.volume_md_cfg,
 * the disks a group holds).
 *
 * Assemble.c keeps its grouping static (it is a mode file, one owner per
 * job); this file includes it to reach those functions without exporting
 * them, and the Makefile links this target without Assemble.o.  Only the
 * pure functions are called: nothing here opens a device or reads /sys.
 *
 * Input (fuzz.h parts): pairs of parts, one pair per disk: the disk's copy
 * (an MPB) and its serial (16 bytes).  A copy that does not decode is a
 * disk without metadata, as read_disk() skips it.
 *
 * Checks, as assemble_groups() walks the disks:
 *   - every disk goes to at most one group, and only a disk with volumes
 *     whose serial is in the champion's table;
 *   - the champion is the copy of its group that no other copy supersedes;
 *   - each volume md would run has its members in slots it has, each member
 *     a disk of the group, no disk twice.
 */
#include "../../Assemble.c"

#include "fuzz.h"
#include "imsm-format.h"
#include "imsm.h"

#define T "assemble"

static void add_copy(struct scan *sc, const uint8_t *mpb, size_t len, const uint8_t *serial,
		     size_t serial_len)
{
	struct found *f = &sc->f[sc->n];
	struct imsm_super *s;

	if (sc->n >= MAX_DISKS || fuzz_decode_mpb(mpb, len, &s) < 0)
		return;
	memset(f, 0, sizeof(*f));
	if (imsm_handle_new(s, &f->st) < 0)
		fuzz_fail(T, "out of memory");
	snprintf(f->path, sizeof(f->path), "/dev/fuzz%d", sc->n);
	f->dev.path = f->path;
	f->dev.fd = -1;
	f->dev.major = 7;
	f->dev.minor = (unsigned int)sc->n;
	f->dev.sectors = 0; /* no record can be read: a resume is refused, not read */
	f->dev.sector_bytes = 512;
	snprintf(f->dev.kname, sizeof(f->dev.kname), "loop%d", sc->n);
	memcpy(f->dev.id, serial, serial_len < IMSM_SERIAL_BYTES ? serial_len : IMSM_SERIAL_BYTES);
	sc->n++;
}

static void check_volume(const struct group *g, const struct md_volume_cfg *c)
{
	int slots = c->raid_disks > c->new_raid_disks ? c->raid_disks : c->new_raid_disks;
	bool seen[MD_MAX_MEMBERS] = {false};

	if (c->n_members < 0 || c->n_members > MD_MAX_MEMBERS)
		fuzz_fail(T, "a volume with an impossible member count");
	for (int i = 0; i < c->n_members; i++) {
		const struct md_member_cfg *m = &c->members[i];
		int d;

		if (m->slot < -1 || m->slot >= slots)
			fuzz_fail(T, "a member in a slot md does not have");
		for (d = 0; d < g->n; d++)
			if (g->d[d].major == m->major && g->d[d].minor == m->minor)
				break;
		if (d == g->n)
			fuzz_fail(T, "a member that is not a disk of the group");
		if (seen[d])
			fuzz_fail(T, "a disk used twice in one volume");
		seen[d] = true;
	}
}

static void check_group(const struct scan *sc, int first, const struct group *g)
{
	static struct md_volume_cfg cfg;

	for (int i = first; i < sc->n; i++)
		if (same_container(g->st, sc->f[i].st) &&
		    sc->f[i].st->ops->supersedes(sc->f[i].st, g->st))
			fuzz_fail(T, "a copy of the group supersedes its champion");
	for (int i = 0; i < g->n; i++)
		if (g->st->ops->member_index(g->st, &g->d[i]) < 0)
			fuzz_fail(T, "a disk in the group that its champion does not list");
	for (int v = 0; v < num_volumes(g->st); v++) {
		memset(&cfg, 0, sizeof(cfg));
		if (g->st->ops->volume_md_cfg(g->st, v, g->d, g->n, &cfg) == 0)
			check_volume(g, &cfg);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan sc;
	static struct group g;
	struct fuzz_in in = {data, size};
	const uint8_t *mpb, *serial;
	size_t len, serial_len;
	int n_used = 0;

	sc.n = 0;
	while (fuzz_part(&in, &mpb, &len)) {
		if (!fuzz_part(&in, &serial, &serial_len))
			serial_len = 0;
		add_copy(&sc, mpb, len, serial, serial_len);
	}
	for (int i = 0; i < sc.n; i++) {
		if (sc.f[i].used || num_volumes(sc.f[i].st) == 0)
			continue;
		collect_group(&sc, i, &g);
		n_used += g.n;
		check_group(&sc, i, &g);
	}
	for (int i = 0, used = 0; i < sc.n; i++) {
		used += sc.f[i].used;
		if (i == sc.n - 1 && used != n_used)
			fuzz_fail(T, "a disk in two groups");
	}
	free_scan(&sc);
	return 0;
}
