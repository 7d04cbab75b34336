/*
 * fuzz-imsm-decode.c: libFuzzer target for the IMSM decoder.
 *
 * Any input: imsm_decode() must not crash or read out of bounds.  Accepted
 * input: encoding the result must reproduce the input's MPB byte for byte,
 * that encoding must decode again to the same warnings, and encoding the
 * second decode must give the same bytes once more (decode -> encode ->
 * decode is a fixed point).  Built and run by tests/fuzz/run.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imsm-format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, int r)
{
	fprintf(stderr, "fuzz-imsm-decode: %s (%d)\n", what, r);
	abort();
}

static uint8_t *encode_or_die(const struct imsm_super *s, size_t *ret_len)
{
	size_t cap = imsm_mpb_bytes(s), len = 0;
	uint8_t *buf = malloc(cap);
	int r;

	if (!buf)
		fail("out of memory", 0);
	r = imsm_encode(s, buf, cap, &len);
	if (r < 0)
		fail("a decoded MPB does not encode", r);
	*ret_len = len;
	return buf;
}

static void check_one(const uint8_t *data, size_t size)
{
	struct imsm_super *s, *again;
	uint8_t *first, *second;
	size_t len, len2;
	int r;

	if (imsm_decode(data, size, &s) < 0)
		return;
	first = encode_or_die(s, &len);
	if (len != s->mpb_size_bytes || len > size || memcmp(first, data, len) != 0)
		fail("re-encoding is not byte-identical to the input", 0);
	r = imsm_decode(first, len, &again);
	if (r < 0)
		fail("an encoded MPB does not decode", r);
	if (again->warnings != s->warnings || again->check_sum != s->check_sum)
		fail("second decode differs", 0);
	second = encode_or_die(again, &len2);
	if (len2 != len || memcmp(first, second, len) != 0)
		fail("decode -> encode is not a fixed point", 0);
	free(second);
	free(first);
	imsm_free(again);
	imsm_free(s);
}

/* A copy of data with check_sum recomputed; NULL if there is no size field. */
static uint8_t *with_fixed_checksum(const uint8_t *data, size_t size)
{
	uint32_t mpb, sum;
	uint8_t *copy;

	if (size < IMSM_OFF_MPB_SIZE + 4)
		return NULL;
	copy = malloc(size);
	if (!copy)
		fail("out of memory", 0);
	memcpy(copy, data, size);
	mpb = (uint32_t)copy[IMSM_OFF_MPB_SIZE] | (uint32_t)copy[IMSM_OFF_MPB_SIZE + 1] << 8 |
	      (uint32_t)copy[IMSM_OFF_MPB_SIZE + 2] << 16 |
	      (uint32_t)copy[IMSM_OFF_MPB_SIZE + 3] << 24;
	sum = imsm_checksum(copy, mpb < size ? mpb : size);
	copy[IMSM_OFF_CHECK_SUM] = (uint8_t)sum;
	copy[IMSM_OFF_CHECK_SUM + 1] = (uint8_t)(sum >> 8);
	copy[IMSM_OFF_CHECK_SUM + 2] = (uint8_t)(sum >> 16);
	copy[IMSM_OFF_CHECK_SUM + 3] = (uint8_t)(sum >> 24);
	return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;

	check_one(data, size);
	fixed = with_fixed_checksum(data, size);
	if (fixed) {
		check_one(fixed, size);
		free(fixed);
	}
	return 0;
}
