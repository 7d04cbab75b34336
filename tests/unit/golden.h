/*
 * golden.h: the captured IMSM metadata fixtures (fixtures/imsm-golden-*.hex,
 * written by the capture scripts from what the peer wrote in the VM),
 * decoded for the reshape and resume tests.  Include after fixture.h.
 */
#ifndef GOLDEN_H
#define GOLDEN_H

#include "fixture.h"
#include "imsm-format.h"
#include "imsm-reshape.h"
#include "unit.h"

#include <stdlib.h>

#define GOLDEN_MPB_MAX_BYTES 4096
#define GOLDEN_SECTOR 512

/* The bytes of fixture NAME into buf (at most cap), their count in *ret_len. */
static inline int golden_load_bytes(const char *name, uint8_t *buf, size_t cap, size_t *ret_len)
{
	char rel[256];
	int r;

	snprintf(rel, sizeof(rel), "fixtures/imsm-golden-%s.hex", name);
	r = fixture_load_hex(rel, buf, cap, ret_len);
	if (r)
		fprintf(stderr, "  cannot load %s: %d\n", rel, r);
	return r;
}

/* Fixture NAME decoded as an MPB, NULL (and a line on stderr) if it is not. */
static inline struct imsm_super *golden_load_mpb(const char *name)
{
	uint8_t buf[GOLDEN_MPB_MAX_BYTES];
	struct imsm_super *s = NULL;
	size_t len;

	if (golden_load_bytes(name, buf, sizeof(buf), &len))
		return NULL;
	if (imsm_decode(buf, len, &s)) {
		fprintf(stderr, "  %s does not decode\n", name);
		return NULL;
	}
	return s;
}

/* Fixture NAME decoded as a migration record (512-byte sectors). */
static inline int golden_load_migr(const char *name, struct imsm_migr_rec *ret)
{
	uint8_t buf[GOLDEN_SECTOR];
	size_t len;
	int r = golden_load_bytes(name, buf, sizeof(buf), &len);

	return r ? r : imsm_migr_rec_decode(buf, len, GOLDEN_SECTOR, ret);
}

/* s survives encode and decode (the validator takes it). */
static inline void golden_round_trip(const struct imsm_super *s)
{
	size_t len = imsm_mpb_bytes(s), used = 0;
	struct imsm_super *back = NULL;
	void *buf = calloc(1, len);

	CHECK(buf != NULL);
	if (!buf)
		return;
	CHECK_INT(imsm_encode(s, buf, len, &used), 0);
	CHECK_INT(imsm_decode(buf, used, &back), 0);
	imsm_free(back);
	free(buf);
}

#endif
