/*
 * render.h: the last step of the describing modes (--detail, --examine,
 * --detail-platform): a JSON writer and the sanitisers for text that came
 * from a disk.
 *
 * Owns: JSON syntax (commas, nesting, indentation, string escaping) and
 * the rules that keep one record on one line whatever a name or serial on
 * disk holds.  Never decides what is printed: the modes build a record
 * first and call these to write it (STYLE §2, "compute first, render last").
 *
 * Everything read from a disk is attacker-controlled: a volume name or a
 * serial may hold quotes, newlines, escape sequences or invalid UTF-8.
 *   - JSON strings escape '"', '\\' and every control character (U+0000 to
 *     U+001F and U+007F) as \uXXXX (or \n, \t ... ), pass valid UTF-8
 *     through and write each byte of an invalid UTF-8 sequence as \u00XX
 *     (its Latin-1 reading), so the document is always valid UTF-8 JSON.
 *   - Text (--examine, --detail) replaces each control character with '?'
 *     so a name cannot start a new line or move the cursor.
 *   - Words (ARRAY lines of --brief/--scan) also replace white space and
 *     '"' with '_' so the line still splits into its words.
 *   - --export values keep only [A-Za-z0-9] and "._:/+,@=-" and replace
 *     every other byte with '_': the lines are read by udev's IMPORT and
 *     by shells (eval), where a quote or '$' would be interpreted.
 */
#ifndef RENDER_H
#define RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- sanitisers ---------------------------------------------------------- */

enum render_safe {
	RENDER_TEXT,   /* control characters -> '?' */
	RENDER_WORD,   /* ... and white space, '"' -> '_' */
	RENDER_EXPORT, /* only [A-Za-z0-9._:/+,@=-], others -> '_' */
};

/*
 * Copy at most in_len bytes of in (stopping at a NUL: on-disk fields are
 * NUL padded) into out as the rule says; out is always NUL terminated
 * (when out_len > 0), cut to fit.  Returns out.
 */
char *render_safe(char *out, size_t out_len, const char *in, size_t in_len, enum render_safe how);

/*
 * Upstream's human-readable size suffix for a byte count: "" below 5000
 * KiB, else " (X.XX MiB Y.YY MB)" below 2 GiB, GiB/GB below 2 TiB, else
 * TiB/TB; two decimals rounded half up, integer arithmetic only.
 */
void render_human_size(uint64_t bytes, char *buf, size_t len);

/* ---- JSON writer ------------------------------------------------------------- */

#define JSON_MAX_DEPTH 16

/*
 * A JSON document being written to f, pretty-printed with two spaces per
 * level, keys in the order they are written.  Inside an object every
 * value has a key; inside an array (or at the top) key must be NULL.
 * Nesting deeper than JSON_MAX_DEPTH is a programming error (asserted).
 */
struct json_out {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH + 1]; /* no member written yet at this level */
};

void json_init(struct json_out *j, FILE *f);
/* Ends the document with a newline (after the top-level value). */
void json_finish(struct json_out *j);

void json_begin_object(struct json_out *j, const char *key);
void json_end_object(struct json_out *j);
void json_begin_array(struct json_out *j, const char *key);
void json_end_array(struct json_out *j);

/* A string value; NULL writes null. */
void json_string(struct json_out *j, const char *key, const char *val);
/* At most len bytes of val, stopping at a NUL (fixed-width disk fields). */
void json_string_n(struct json_out *j, const char *key, const char *val, size_t len);
void json_uint(struct json_out *j, const char *key, unsigned long long val);
void json_int(struct json_out *j, const char *key, long long val);
void json_bool(struct json_out *j, const char *key, bool val);
void json_null(struct json_out *j, const char *key);

/* The quoted, escaped form of len bytes of s (stopping at a NUL). */
void json_escape(FILE *f, const char *s, size_t len);

#endif
