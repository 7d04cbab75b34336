/*
 * create-guard.c: the checks and the undo of --create (create-guard.h).
 *
 * Upstream mdadm warns about file systems, partition tables and RAID
 * metadata on the disks and asks "Continue creating array?" unless --run;
 * it reads the answer from stdin, so `yes | mdadm --create ...` works, and
 * without an answer (EOF) it aborts.  We ask the same way, and when stdin
 * is no terminal and gives no "y", we refuse with one line.
 */
#include "create-guard.h"
#include "probe.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

int guard_probe(const struct md_disk *d, uint64_t offset_bytes, uint64_t area_bytes, bool whole,
		unsigned int *ret_sigs)
{
	size_t head_len = (size_t)min_u64(PROBE_HEAD_BYTES, area_bytes);
	size_t tail_len = whole ? (size_t)min_u64(PROBE_TAIL_BYTES, area_bytes) : 0;
	unsigned char *head = malloc(head_len + tail_len + 1);
	struct probe_area a = {
		.head = head, .head_len = head_len, .tail = tail_len ? head + head_len : NULL,
		.tail_len = tail_len, .area_bytes = area_bytes, .sector_bytes = d->sector_bytes,
	};
	int r;

	if (!head)
		return -ENOMEM;
	r = util_pread_full(d->fd, head, head_len, offset_bytes);
	if (!r && tail_len)
		r = util_pread_full(d->fd, head + head_len, tail_len,
			       offset_bytes + area_bytes - tail_len);
	if (!r)
		*ret_sigs = probe_signatures(&a);
	free(head);
	return r;
}

/* One line, or a terminal's question. */
static bool answered_yes(bool tty)
{
	char line[16];

	if (tty) {
		fprintf(stderr, "Continue creating array [y/N]? ");
		fflush(stderr);
	}
	if (!fgets(line, sizeof(line), stdin))
		return false;
	return (line[0] == 'y' || line[0] == 'Y') && (line[1] == '\n' || line[1] == '\0');
}

int guard_confirm(const struct request *req, const struct guard_finding *f, int n)
{
	bool tty = isatty(STDIN_FILENO);
	char first[PATH_MAX + 96], buf[PATH_MAX + 96];
	int found = 0;

	for (int i = 0; i < n; i++)
		if (f[i].sigs && found++ == 0)
			probe_describe(f[i].sigs, f[i].path, first, sizeof(first));
	if (!found)
		return EXIT_OK;
	if (req->run || tty) {
		for (int i = 0; i < n && req->verbose >= 0; i++)
			if (f[i].sigs)
				pr_err("%s", probe_describe(f[i].sigs, f[i].path, buf, sizeof(buf)));
		if (req->run)
			return EXIT_OK;
	}
	if (answered_yes(tty))
		return EXIT_OK;
	if (tty)
		pr_err("create aborted.");
	else if (found > 1)
		pr_err("%s (and %d more device%s); create aborted: confirm on a terminal or give --run",
		       first, found - 1, found > 2 ? "s" : "");
	else
		pr_err("%s; create aborted: confirm on a terminal or give --run", first);
	return EXIT_FAILED;
}

int guard_save(struct guard_saved *g, const struct md_disk *disks, int n)
{
	for (int i = 0; i < n && g->n < MD_MAX_MEMBERS; i++) {
		uint64_t size = disks[i].sectors * disks[i].sector_bytes;
		struct guard_tail *t = &g->t[g->n];
		int r;

		t->len = (size_t)min_u64(PROBE_TAIL_BYTES, size);
		t->offset_bytes = size - t->len;
		t->fd = disks[i].fd;
		t->bytes = malloc(t->len);
		if (!t->bytes)
			return -ENOMEM;
		r = util_pread_full(t->fd, t->bytes, t->len, t->offset_bytes);
		if (r) {
			free(t->bytes);
			t->bytes = NULL;
			return r;
		}
		g->n++;
	}
	return 0;
}

int guard_restore(const struct guard_saved *g, int n)
{
	int first = 0;

	for (int i = 0; i < n && i < g->n; i++) {
		const struct guard_tail *t = &g->t[i];
		int r = util_pwrite_full(t->fd, t->bytes, t->len, t->offset_bytes);

		if (!r && fsync(t->fd) < 0)
			r = -errno;
		if (r && !first)
			first = r;
	}
	return first;
}

void guard_free(struct guard_saved *g)
{
	for (int i = 0; i < g->n; i++)
		free(g->t[i].bytes);
	g->n = 0;
}

int guard_test_fail_disk(void)
{
	const char *v = getenv("MDADM_TEST_CREATE_FAIL");
	int n;

	if (!v || util_parse_int(v, 0, MD_MAX_MEMBERS - 1, &n) < 0)
		return -1;
	return n;
}

bool guard_test_fail_start(void)
{
	const char *v = getenv("MDADM_TEST_CREATE_FAIL");

	return v && strcmp(v, "start") == 0;
}
