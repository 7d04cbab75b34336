/*
 * test-render.c: the JSON writer and the sanitisers of disk text (render.c).
 *
 * Every string that reaches JSON must come out valid (checked here by
 * expected bytes, and in the VM test by python's json module); every
 * sanitised string must stay on one line.
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "unit.h"

/* Run fn over a memory stream and return what it wrote (malloc'd). */
static char *capture_escape(const char *s, size_t len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	json_escape(f, s, len);
	fclose(f);
	return buf;
}

static void test_escape_plain(void)
{
	char *out = capture_escape("vol0", 4);

	CHECK_STR(out, "\"vol0\"");
	free(out);
}

static void test_escape_specials(void)
{
	const char in[] = "a\"b\\c\nd\te\x01\x1f\x7f/";
	char *out = capture_escape(in, sizeof(in) - 1);

	CHECK_STR(out, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\\u007f/\"");
	free(out);
}

static void test_escape_stops_at_nul_and_len(void)
{
	char *out = capture_escape("SERIAL\0\0junk", 12);

	CHECK_STR(out, "\"SERIAL\"");
	free(out);
	out = capture_escape("ABCDEFGH", 3);
	CHECK_STR(out, "\"ABC\"");
	free(out);
}

static void test_escape_utf8(void)
{
	/* valid UTF-8 passes; a lone continuation byte, an overlong form and a
	 * truncated sequence are written as \u00XX, one per byte */
	const char in[] = "\xc3\xa9|\x80|\xc0\xaf|\xe2\x82";
	char *out = capture_escape(in, sizeof(in) - 1);

	CHECK_STR(out, "\"\xc3\xa9|\\u0080|\\u00c0\\u00af|\\u00e2\\u0082\"");
	free(out);
	out = capture_escape("\xed\xa0\x80", 3); /* a surrogate: invalid */
	CHECK_STR(out, "\"\\u00ed\\u00a0\\u0080\"");
	free(out);
	out = capture_escape("\xf0\x9f\x98\x80", 4); /* U+1F600 */
	CHECK_STR(out, "\"\xf0\x9f\x98\x80\"");
	free(out);
}

static void test_writer_nesting(void)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct json_out j;

	json_init(&j, f);
	json_begin_object(&j, NULL);
	json_string(&j, "name", "r\"5");
	json_uint(&j, "size", 36864);
	json_int(&j, "slot", -1);
	json_bool(&j, "ok", true);
	json_null(&j, "none");
	json_begin_array(&j, "list");
	json_uint(&j, NULL, 1);
	json_string(&j, NULL, NULL);
	json_end_array(&j);
	json_begin_array(&j, "empty");
	json_end_array(&j);
	json_begin_object(&j, "obj");
	json_end_object(&j);
	json_end_object(&j);
	json_finish(&j);
	fclose(f);
	CHECK_STR(buf, "{\n"
		       "  \"name\": \"r\\\"5\",\n"
		       "  \"size\": 36864,\n"
		       "  \"slot\": -1,\n"
		       "  \"ok\": true,\n"
		       "  \"none\": null,\n"
		       "  \"list\": [\n"
		       "    1,\n"
		       "    null\n"
		       "  ],\n"
		       "  \"empty\": [],\n"
		       "  \"obj\": {}\n"
		       "}\n");
	free(buf);
}

static void test_safe_text(void)
{
	char out[32];

	CHECK_STR(render_safe(out, sizeof(out), "my vol\n\x1b[2J", 16, RENDER_TEXT),
		  "my vol??[2J");
	CHECK_STR(render_safe(out, sizeof(out), "my \"vol\"\t", 16, RENDER_WORD), "my__vol_?");
	CHECK_STR(render_safe(out, sizeof(out), "a$b'c;d e/f:g.h-i", 32, RENDER_EXPORT),
		  "a_b_c_d_e/f:g.h-i");
	CHECK_STR(render_safe(out, sizeof(out), "\xc3\xa9", 2, RENDER_EXPORT), "__");
	/* fixed-width field without NUL, and a small output buffer */
	CHECK_STR(render_safe(out, sizeof(out), "ABCDEFGHIJKLMNOPQRS", 16, RENDER_TEXT),
		  "ABCDEFGHIJKLMNOP");
	CHECK_STR(render_safe(out, 4, "ABCDEF", 6, RENDER_TEXT), "ABC");
	CHECK_STR(render_safe(out, sizeof(out), NULL, 6, RENDER_TEXT), "");
}

int main(void)
{
	RUN(test_escape_plain);
	RUN(test_escape_specials);
	RUN(test_escape_stops_at_nul_and_len);
	RUN(test_escape_utf8);
	RUN(test_writer_nesting);
	RUN(test_safe_text);
	return UNIT_DONE();
}
