/*
 * render.c: JSON writer and sanitisers of disk text (see render.h).
 *
 * Owns the escaping rules; never reads a device, never decides content.
 */
#include "render.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

/* ---- sanitisers ---------------------------------------------------------- */

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static bool export_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("._:/+,@=-", c));
}

static char safe_char(unsigned char c, enum render_safe how)
{
	switch (how) {
	case RENDER_TEXT:
		return is_control(c) ? '?' : (char)c;
	case RENDER_WORD:
		if (is_control(c))
			return '?';
		return c == ' ' || c == '"' ? '_' : (char)c;
	case RENDER_EXPORT:
		return export_safe(c) ? (char)c : '_';
	}
	return '?';
}

char *render_safe(char *out, size_t out_len, const char *in, size_t in_len, enum render_safe how)
{
	size_t i;

	if (!out_len)
		return out;
	for (i = 0; i + 1 < out_len && i < in_len && in && in[i]; i++)
		out[i] = safe_char((unsigned char)in[i], how);
	out[i] = '\0';
	return out;
}

/* ---- sizes -------------------------------------------------------------------- */

/* Hundredths of bytes / unit, rounded half up, without overflowing 64 bits. */
static uint64_t hundredths(uint64_t bytes, uint64_t unit)
{
	uint64_t twice = bytes / unit * 200 + bytes % unit * 200 / unit;

	return (twice + 1) / 2;
}

void render_human_size(uint64_t bytes, char *buf, size_t len)
{
	static const struct {
		uint64_t below, bin, dec;
		const char *bin_name, *dec_name;
	} scale[] = {
	    {2ULL << 30, 1ULL << 20, 1000000ULL, "MiB", "MB"},
	    {2ULL << 40, 1ULL << 30, 1000000000ULL, "GiB", "GB"},
	    {UINT64_MAX, 1ULL << 40, 1000000000000ULL, "TiB", "TB"},
	};
	unsigned int i = 0;
	uint64_t b, d;

	if (bytes < 5000 * 1024ULL) {
		snprintf(buf, len, "%s", "");
		return;
	}
	while (bytes >= scale[i].below && i + 1 < sizeof(scale) / sizeof(scale[0]))
		i++;
	b = hundredths(bytes, scale[i].bin);
	d = hundredths(bytes, scale[i].dec);
	snprintf(buf, len, " (%llu.%02llu %s %llu.%02llu %s)", (unsigned long long)(b / 100),
		 (unsigned long long)(b % 100), scale[i].bin_name, (unsigned long long)(d / 100),
		 (unsigned long long)(d % 100), scale[i].dec_name);
}

/* ---- JSON strings -------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void escape_byte(FILE *f, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", f);
		break;
	case '\\':
		fputs("\\\\", f);
		break;
	case '\n':
		fputs("\\n", f);
		break;
	case '\r':
		fputs("\\r", f);
		break;
	case '\t':
		fputs("\\t", f);
		break;
	case '\b':
		fputs("\\b", f);
		break;
	case '\f':
		fputs("\\f", f);
		break;
	default:
		if (is_control(c) || c >= 0x80)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

void json_escape(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, u;

	while (s && n < len && p[n])
		n++;
	fputc('"', f);
	for (size_t i = 0; i < n; i += u ? u : 1) {
		u = utf8_len(p + i, n - i);
		if (u > 1)
			fwrite(p + i, 1, u, f);
		else
			escape_byte(f, p[i]);
	}
	fputc('"', f);
}

/* ---- JSON structure ---------------------------------------------------------- */

void json_init(struct json_out *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

void json_finish(struct json_out *j)
{
	fputc('\n', j->f);
}

/* Comma, new line and indentation before a member, then its key. */
static void member(struct json_out *j, const char *key)
{
	if (j->depth > 0) {
		fputs(j->first[j->depth] ? "\n" : ",\n", j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	j->first[j->depth] = false;
	if (key) {
		json_escape(j->f, key, strlen(key));
		fputs(": ", j->f);
	}
}

static void open_level(struct json_out *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
	assert(j->depth < JSON_MAX_DEPTH);
	j->depth++;
	j->first[j->depth] = true;
}

static void close_level(struct json_out *j, char c)
{
	bool empty = j->first[j->depth];

	assert(j->depth > 0);
	j->depth--;
	if (!empty) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
}

void json_begin_object(struct json_out *j, const char *key)
{
	open_level(j, key, '{');
}

void json_end_object(struct json_out *j)
{
	close_level(j, '}');
}

void json_begin_array(struct json_out *j, const char *key)
{
	open_level(j, key, '[');
}

void json_end_array(struct json_out *j)
{
	close_level(j, ']');
}

void json_string_n(struct json_out *j, const char *key, const char *val, size_t len)
{
	member(j, key);
	if (val)
		json_escape(j->f, val, len);
	else
		fputs("null", j->f);
}

void json_string(struct json_out *j, const char *key, const char *val)
{
	json_string_n(j, key, val, val ? strlen(val) : 0);
}

void json_uint(struct json_out *j, const char *key, unsigned long long val)
{
	member(j, key);
	fprintf(j->f, "%llu", val);
}

void json_int(struct json_out *j, const char *key, long long val)
{
	member(j, key);
	fprintf(j->f, "%lld", val);
}

void json_bool(struct json_out *j, const char *key, bool val)
{
	member(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_null(struct json_out *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}
