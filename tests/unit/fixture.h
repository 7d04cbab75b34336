/*
 * fixture.h: loading test fixtures from tests/unit/fixtures.
 *
 * Paths are relative to the unit-test source folder (UNIT_SRCDIR
 * overrides it).  The .hex format is the one the capture script writes:
 * "OFFS: 8 groups of 4 hex digits" per 16 bytes, "*" for omitted lines of
 * zeros, "#" for comments.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char fixture_srcdir[512];

static inline void fixture_init(void)
{
	char file[] = __FILE__;
	const char *env = getenv("UNIT_SRCDIR");

	snprintf(fixture_srcdir, sizeof(fixture_srcdir), "%s", env ? env : dirname(file));
}

/* Whole file as a NUL-terminated heap string, NULL if unreadable. */
static inline char *fixture_slurp(const char *rel)
{
	char path[1024];
	char *buf = NULL;
	size_t len = 0;
	FILE *f, *out;
	int c;

	snprintf(path, sizeof(path), "%s/%s", fixture_srcdir, rel);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "  cannot open %s\n", path);
		return NULL;
	}
	out = open_memstream(&buf, &len);
	while (out && (c = fgetc(f)) != EOF)
		fputc(c, out);
	if (out)
		fclose(out);
	fclose(f);
	return buf;
}

/* A .hex fixture into buf (zero-filled to cap); *ret_len is the end of the
 * last line.  -ENOENT, or -EFBIG when it does not fit. */
static inline int fixture_load_hex(const char *rel, uint8_t *buf, size_t cap, size_t *ret_len)
{
	char *text = fixture_slurp(rel), *line, *save = NULL;
	unsigned int off, w[8];
	size_t end = 0;

	if (!text)
		return -ENOENT;
	memset(buf, 0, cap);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%x: %4x %4x %4x %4x %4x %4x %4x %4x", &off, &w[0], &w[1], &w[2],
			   &w[3], &w[4], &w[5], &w[6], &w[7]) != 9)
			continue;
		if (off + 16 > cap) {
			free(text);
			return -EFBIG;
		}
		for (unsigned int i = 0; i < 8; i++) {
			buf[off + 2 * i] = (uint8_t)(w[i] >> 8);
			buf[off + 2 * i + 1] = (uint8_t)w[i];
		}
		if (off + 16 > end)
			end = off + 16;
	}
	free(text);
	*ret_len = end;
	return 0;
}

#endif
