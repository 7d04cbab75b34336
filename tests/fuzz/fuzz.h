/*
 * fuzz.h: what the libFuzzer targets of tests/fuzz share: cutting one input
 * into parts, and the checks every target makes of what it produced.
 *
 * Input layout.  A target that needs several things (an MPB and a
 * migration record, several disks' copies) reads them as parts: a
 * little-endian u16 length, then that many bytes (fewer if the input ends
 * first).  tests/fuzz/gen-seeds.c writes valid inputs in this layout; the
 * fuzzer mutates lengths and contents alike.
 *
 * A failed check prints one line "fuzz-NAME: what" and aborts, which
 * libFuzzer reports as a crash with the input saved.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imsm-format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline __attribute__((noreturn)) void fuzz_fail(const char *target, const char *what)
{
	fprintf(stderr, "fuzz-%s: %s\n", target, what);
	abort();
}

/* The next part (see above); false at the end of the input. */
static inline bool fuzz_part(struct fuzz_in *in, const uint8_t **ret, size_t *ret_len)
{
	size_t len;

	if (in->n < 2)
		return false;
	len = (size_t)in->p[0] | (size_t)in->p[1] << 8;
	in->p += 2;
	in->n -= 2;
	if (len > in->n)
		len = in->n;
	*ret = in->p;
	*ret_len = len;
	in->p += len;
	in->n -= len;
	return true;
}

/* The next byte, 0 past the end. */
static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = in->p[0];
		in->p++;
		in->n--;
	}
	return v;
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)fuzz_u8(in) << (8 * i);
	return v;
}

/*
 * Every byte of text[0..len) is printable: no control byte but '\n' and
 * '\t' (bytes >= 0x80 pass: render_safe() keeps UTF-8).  Names and serials
 * come from disks; a terminal must never receive their escape sequences.
 */
static inline void fuzz_check_printable(const char *target, const char *what, const char *text,
					size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
			fprintf(stderr, "fuzz-%s: %s: control byte 0x%02x at %zu in:\n%.*s\n",
				target, what, c, i, (int)len, text);
			abort();
		}
	}
}

/*
 * imsm_decode() of a copy of the MPB in data with its check_sum made to
 * match (the size field says how many bytes it covers), so that mutated
 * MPBs get past the checksum to the code behind it; the decoder's own
 * target (fuzz-imsm-decode) tries the input as it is too.
 */
static inline int fuzz_decode_mpb(const uint8_t *data, size_t len, struct imsm_super **ret)
{
	uint8_t *copy;
	uint32_t mpb, sum;
	int r;

	if (len < IMSM_OFF_MPB_SIZE + 4)
		return imsm_decode(data, len, ret);
	copy = malloc(len);
	if (!copy)
		fuzz_fail("common", "out of memory");
	memcpy(copy, data, len);
	mpb = (uint32_t)copy[IMSM_OFF_MPB_SIZE] | (uint32_t)copy[IMSM_OFF_MPB_SIZE + 1] << 8 |
	      (uint32_t)copy[IMSM_OFF_MPB_SIZE + 2] << 16 |
	      (uint32_t)copy[IMSM_OFF_MPB_SIZE + 3] << 24;
	sum = imsm_checksum(copy, mpb < len ? mpb : len);
	for (int i = 0; i < 4; i++)
		copy[IMSM_OFF_CHECK_SUM + i] = (uint8_t)(sum >> (8 * i));
	r = imsm_decode(copy, len, ret);
	free(copy);
	return r;
}

/* A memory FILE for a renderer; fuzz_mem_end() checks and frees it. */
struct fuzz_mem {
	FILE *f;
	char *buf;
	size_t len;
};

static inline FILE *fuzz_mem_begin(struct fuzz_mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	if (!m->f)
		fuzz_fail("common", "open_memstream failed");
	return m->f;
}

static inline void fuzz_mem_end(struct fuzz_mem *m, const char *target, const char *what)
{
	fclose(m->f);
	fuzz_check_printable(target, what, m->buf, m->len);
	free(m->buf);
}

#endif
