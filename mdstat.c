/*
 * mdstat.c: the parser of the kernel's /proc/mdstat text.
 *
 * Owns: turning mdstat text into struct mdstat_array records (format and
 * parsing rules: md-kernel-interface.md §10), and reading the file.
 * mdstat_parse() is a pure function of its input: no I/O, no globals.
 *
 * Never: prints, touches sysfs or devices, decides anything about the
 * arrays it lists, or trusts its input.  Every copy into a fixed buffer is
 * bounded; an array entry that cannot be parsed is -EINVAL, never a crash.
 *
 * How an entry is read.  A line starting with white space continues the
 * previous one, so one array is the words from its "mdN :" line up to the
 * next line that starts in column 0.  The words then go through three
 * phases:
 *
 *   md126 : active (auto-read-only) raid5 loop2[2] loop1[1](F) loop0[0]
 *   \_ header _/    \_ level phase ___/   \_ device phase ____________/
 *         16384 blocks super external:/md127/0 level 5, 128k chunk, ...
 *         \_ "blocks" ends the device phase; the rest is the body ___/
 *
 * In the body, values are recognised by their shape and by the word
 * before them ("128k" + "chunk", "super" + version, "reshape" + "=" +
 * "36.3%").
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mdstat.h"

#ifndef must_check
#define must_check __attribute__((warn_unused_result))
#endif

#define WORD_MAX 128                   /* longer words are kept truncated */
#define MEMBERS_MAX 65536              /* far above any md array */
#define MDSTAT_FILE_MAX (64 << 20)     /* refuse absurd files */
#define MDSTAT_DEFAULT_PATH "/proc/mdstat"

/* One white-space separated word of an entry. */
struct word {
	char text[WORD_MAX]; /* NUL-terminated, truncated when len >= WORD_MAX */
	size_t len;          /* real length in the input */
};

/* Position inside one entry: [p, end). */
struct cursor {
	const char *p;
	const char *end;
};

enum phase {
	PHASE_LEVEL,   /* after "active": read-only flags, then the level */
	PHASE_DEVICES, /* kname[n](X) words, up to "N blocks" */
	PHASE_BODY,    /* super, personality status, progress */
};

struct entry_parser {
	struct mdstat_array *a;
	enum phase phase;
	struct word prev;         /* the word before the current one */
	bool want_super;          /* previous word was "super" */
	enum mdstat_sync kind;    /* "reshape" or "reshape =" just seen */
	bool after_percent;       /* previous word was the percentage */
};

/* ---- small parsers: each is bounded by an explicit length ------------- */

/* Decimal digits only, n > 0, no overflow. */
static must_check int parse_ull_n(const char *s, size_t n, unsigned long long *ret)
{
	unsigned long long v = 0;
	size_t i;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		if (v > (ULLONG_MAX - (unsigned)(s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*ret = v;
	return 0;
}

static must_check int parse_int_n(const char *s, size_t n, int *ret)
{
	unsigned long long v;
	int r;

	r = parse_ull_n(s, n, &v);
	if (r < 0)
		return r;
	if (v > INT_MAX)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}

static bool word_is(const struct word *w, const char *s)
{
	return w->len < WORD_MAX && strcmp(w->text, s) == 0;
}

/* ---- tokenizer --------------------------------------------------------- */

/* End of the entry starting at p: continuation lines begin with a blank. */
static const char *entry_end(const char *p)
{
	const char *nl;

	for (;;) {
		nl = strchr(p, '\n');
		if (!nl)
			return p + strlen(p);
		if (nl[1] != ' ' && nl[1] != '\t')
			return nl + 1;
		p = nl + 1;
	}
}

static bool next_word(struct cursor *c, struct word *w)
{
	size_t n = 0;

	while (c->p < c->end && isspace((unsigned char)*c->p))
		c->p++;
	if (c->p >= c->end)
		return false;
	while (c->p + n < c->end && !isspace((unsigned char)c->p[n]))
		n++;
	w->len = n;
	if (n >= WORD_MAX)
		n = WORD_MAX - 1;
	memcpy(w->text, c->p, n);
	w->text[n] = '\0';
	c->p += w->len;
	return true;
}

/* The bitmap line carries a "65536KB chunk" that is not the array's. */
static void skip_physical_line(struct cursor *c)
{
	while (c->p < c->end && *c->p != '\n')
		c->p++;
}

/* "md" + digit or "_", first word shorter than MDSTAT_NAME_MAX (§10.2). */
static bool is_array_line(const char *p)
{
	size_t n = 0;

	if (p[0] != 'm' || p[1] != 'd')
		return false;
	if (!isdigit((unsigned char)p[2]) && p[2] != '_')
		return false;
	while (p[n] && !isspace((unsigned char)p[n]))
		n++;
	return n < MDSTAT_NAME_MAX;
}

/* ---- members: "loop1[1](F)" ------------------------------------------- */

static must_check int parse_member_flags(const char *s, struct mdstat_member *m)
{
	for (; *s; s += 3) {
		if (s[0] != '(' || s[1] == '\0' || s[2] != ')')
			return -EINVAL;
		switch (s[1]) {
		case 'F':
			m->faulty = true;
			break;
		case 'S':
			m->spare = true;
			break;
		case 'W':
			m->write_mostly = true;
			break;
		case 'J':
			m->journal = true;
			break;
		case 'R':
			m->replacement = true;
			break;
		default:
			break; /* a flag of a newer kernel: not ours to judge */
		}
	}
	return 0;
}

static must_check int parse_member(const struct word *w, struct mdstat_member *m)
{
	const char *open, *close;
	size_t n;

	if (w->len >= WORD_MAX)
		return -EINVAL;
	open = strchr(w->text, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close)
		return -EINVAL;
	n = (size_t)(open - w->text);
	if (n == 0 || n >= sizeof(m->name))
		return -EINVAL;
	memcpy(m->name, w->text, n);
	m->name[n] = '\0';
	if (parse_int_n(open + 1, (size_t)(close - open - 1), &m->desc_nr) < 0)
		return -EINVAL;
	return parse_member_flags(close + 1, m);
}

static must_check int add_member(struct mdstat_array *a, const struct word *w)
{
	struct mdstat_member m = { 0 };
	struct mdstat_member *tmp;
	int r;

	r = parse_member(w, &m);
	if (r < 0)
		return r;
	if (a->n_members >= MEMBERS_MAX)
		return -EINVAL;
	tmp = realloc(a->members, ((size_t)a->n_members + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	tmp[a->n_members++] = m;
	a->members = tmp;
	return 0;
}

/* ---- header, level and device phases ---------------------------------- */

/* "md126" ":" then "active", "broken" or "inactive". */
static must_check int parse_header(struct cursor *c, struct entry_parser *ep)
{
	struct mdstat_array *a = ep->a;
	struct word w;

	if (!next_word(c, &w) || w.len >= sizeof(a->devnm))
		return -EINVAL;
	memcpy(a->devnm, w.text, w.len + 1);
	if (!next_word(c, &w) || !word_is(&w, ":"))
		return -EINVAL;
	if (!next_word(c, &w))
		return -EINVAL;
	if (word_is(&w, "inactive")) {
		ep->phase = PHASE_DEVICES;
		return 0;
	}
	/* "broken" (newer kernels): a personality runs on a failed array */
	if (!word_is(&w, "active") && !word_is(&w, "broken"))
		return -EINVAL;
	a->active = true;
	ep->phase = PHASE_LEVEL;
	return 0;
}

static must_check int parse_level_word(struct entry_parser *ep, const struct word *w)
{
	struct mdstat_array *a = ep->a;

	if (w->text[0] == '(') {
		if (word_is(w, "(read-only)")) {
			a->read_only = true;
		} else if (word_is(w, "(auto-read-only)")) {
			a->read_only = true;
			a->auto_read_only = true;
		}
		return 0;
	}
	/* a device where the level should be: not the kernel's format */
	if (strchr(w->text, '[') || w->len >= sizeof(a->level))
		return -EINVAL;
	memcpy(a->level, w->text, w->len + 1);
	ep->phase = PHASE_DEVICES;
	return 0;
}

static must_check int parse_body_word(struct entry_parser *ep, struct cursor *c,
				      const struct word *w);

static must_check int parse_device_word(struct entry_parser *ep, struct cursor *c,
					const struct word *w)
{
	unsigned long long kib;

	if (strchr(w->text, '['))
		return add_member(ep->a, w);
	if (word_is(w, "blocks")) {
		if (ep->prev.len >= WORD_MAX || parse_ull_n(ep->prev.text, ep->prev.len, &kib) < 0)
			return -EINVAL;
		ep->a->blocks_kib = kib;
		ep->phase = PHASE_BODY;
		return 0;
	}
	/* an array without devices prints no block count */
	if (word_is(w, "super")) {
		ep->phase = PHASE_BODY;
		return parse_body_word(ep, c, w);
	}
	return 0; /* the block count itself, checked at "blocks" */
}

/* ---- body: personality status ----------------------------------------- */

/* "128k" or "128K" before "chunk", "chunk," or "chunks". */
static void parse_chunk(struct entry_parser *ep)
{
	const struct word *p = &ep->prev;
	int kib;

	if (ep->a->chunk_kib >= 0 || p->len < 2 || p->len >= WORD_MAX)
		return;
	if (p->text[p->len - 1] != 'k' && p->text[p->len - 1] != 'K')
		return;
	if (parse_int_n(p->text, p->len - 1, &kib) == 0)
		ep->a->chunk_kib = kib;
}

static bool is_status_pattern(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != 'U' && s[i] != '_')
			return false;
	return n > 0;
}

/* "[4/3]" (raid disks / working) or "[UU_U]"; the progress bar is skipped. */
static void parse_bracket(struct mdstat_array *a, const struct word *w)
{
	const char *inner = w->text + 1, *slash;
	size_t n;
	int disks, working;

	if (w->len < 3 || w->len >= WORD_MAX || w->text[w->len - 1] != ']')
		return;
	n = w->len - 2;
	slash = memchr(inner, '/', n);
	if (slash && a->raid_disks < 0) {
		if (parse_int_n(inner, (size_t)(slash - inner), &disks) == 0 &&
		    parse_int_n(slash + 1, n - (size_t)(slash - inner) - 1, &working) == 0) {
			a->raid_disks = disks;
			a->working_disks = working;
		}
		return;
	}
	if (!a->status[0] && n < sizeof(a->status) && is_status_pattern(inner, n)) {
		memcpy(a->status, inner, n);
		a->status[n] = '\0';
	}
}

static must_check int set_metadata(struct mdstat_array *a, const struct word *w)
{
	if (w->len >= sizeof(a->metadata))
		return -EINVAL;
	memcpy(a->metadata, w->text, w->len + 1);
	return 0;
}

/* ---- body: progress ---------------------------------------------------- */

static enum mdstat_sync sync_kind(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum mdstat_sync kind;
	} kinds[] = {
		{ "resync", MDSTAT_SYNC_RESYNC },   { "recovery", MDSTAT_SYNC_RECOVERY },
		{ "recover", MDSTAT_SYNC_RECOVERY }, { "reshape", MDSTAT_SYNC_RESHAPE },
		{ "check", MDSTAT_SYNC_CHECK },     { "repair", MDSTAT_SYNC_RESYNC },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == n && strncmp(kinds[i].name, s, n) == 0)
			return kinds[i].kind;
	return MDSTAT_SYNC_NONE;
}

/* "36.3%" -> 363.  The kernel prints exactly one decimal. */
static void set_percent(struct entry_parser *ep, enum mdstat_sync kind, const char *s)
{
	size_t n = strlen(s), i = 0;
	int whole, tenth = 0;

	if (n < 2 || s[n - 1] != '%')
		return;
	n--;
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	if (parse_int_n(s, i, &whole) < 0 || whole > 100)
		return;
	if (i < n && (s[i] != '.' || i + 2 != n || !isdigit((unsigned char)s[i + 1])))
		return;
	if (i < n)
		tenth = s[i + 1] - '0';
	if (whole == 100 && tenth)
		return; /* past the end: a garbled line, not md's */
	ep->a->sync = kind;
	ep->a->sync_flag = MDSTAT_FLAG_RUNNING;
	ep->a->sync_permille = whole * 10 + tenth;
	ep->after_percent = true;
}

/* "(6016/16384)": per-device KiB done / total. */
static void set_done_total(struct mdstat_array *a, const struct word *w)
{
	const char *slash;
	unsigned long long done, total;
	size_t n;

	if (w->len < 5 || w->len >= WORD_MAX || w->text[0] != '(' || w->text[w->len - 1] != ')')
		return;
	n = w->len - 2;
	slash = memchr(w->text + 1, '/', n);
	if (!slash)
		return;
	if (parse_ull_n(w->text + 1, (size_t)(slash - w->text - 1), &done) < 0 ||
	    parse_ull_n(slash + 1, (size_t)(w->text + w->len - 1 - slash - 1), &total) < 0)
		return;
	a->sync_done_kib = done;
	a->sync_total_kib = total;
}

/* What follows "kind=": a percentage or DELAYED / PENDING / REMOTE. */
static void set_sync_value(struct entry_parser *ep, enum mdstat_sync kind, const char *v)
{
	enum mdstat_sync_flag flag;

	if (strcmp(v, "DELAYED") == 0)
		flag = MDSTAT_FLAG_DELAYED;
	else if (strcmp(v, "PENDING") == 0)
		flag = MDSTAT_FLAG_PENDING;
	else if (strcmp(v, "REMOTE") == 0)
		flag = MDSTAT_FLAG_REMOTE;
	else
		flag = MDSTAT_FLAG_RUNNING;
	if (flag == MDSTAT_FLAG_RUNNING) {
		set_percent(ep, kind, v);
		return;
	}
	ep->a->sync = kind;
	ep->a->sync_flag = flag;
}

/*
 * The kernel prints " reshape =%3u.%u%%", so the words are "reshape" "="
 * "36.3%", or "reshape" "=100.0%"; older kernels and the special states
 * glue everything: "resync=DELAYED".  "finish=" and "speed=" are not ours.
 */
static void parse_progress_word(struct entry_parser *ep, const struct word *w)
{
	enum mdstat_sync kind = ep->kind;
	bool after_percent = ep->after_percent;
	const char *eq;

	ep->kind = MDSTAT_SYNC_NONE;
	ep->after_percent = false;
	if (w->len >= WORD_MAX)
		return;
	eq = strchr(w->text, '=');
	if (!eq) {
		if (sync_kind(w->text, w->len) != MDSTAT_SYNC_NONE)
			ep->kind = sync_kind(w->text, w->len);
		else if (kind != MDSTAT_SYNC_NONE)
			set_percent(ep, kind, w->text);
		else if (after_percent)
			set_done_total(ep->a, w);
		return;
	}
	if (eq != w->text)
		kind = sync_kind(w->text, (size_t)(eq - w->text));
	if (kind == MDSTAT_SYNC_NONE)
		return;
	if (eq[1] == '\0')
		ep->kind = kind;
	else
		set_sync_value(ep, kind, eq + 1);
}

static must_check int parse_body_word(struct entry_parser *ep, struct cursor *c,
				      const struct word *w)
{
	if (ep->want_super) {
		ep->want_super = false;
		return set_metadata(ep->a, w);
	}
	if (word_is(w, "super")) {
		ep->want_super = true;
	} else if (word_is(w, "bitmap:")) {
		skip_physical_line(c);
	} else if (word_is(w, "chunk") || word_is(w, "chunk,") || word_is(w, "chunks")) {
		parse_chunk(ep);
	} else if (w->text[0] == '[') {
		parse_bracket(ep->a, w);
	} else {
		parse_progress_word(ep, w);
	}
	return 0;
}

/* ---- entries and the list ---------------------------------------------- */

static must_check int parse_word(struct entry_parser *ep, struct cursor *c, const struct word *w)
{
	int r = 0;

	switch (ep->phase) {
	case PHASE_LEVEL:
		r = parse_level_word(ep, w);
		break;
	case PHASE_DEVICES:
		r = parse_device_word(ep, c, w);
		break;
	case PHASE_BODY:
		r = parse_body_word(ep, c, w);
		break;
	}
	ep->prev = *w;
	return r;
}

static struct mdstat_array *array_new(void)
{
	struct mdstat_array *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->raid_disks = -1;
	a->working_disks = -1;
	a->chunk_kib = -1;
	a->sync_permille = -1;
	return a;
}

static must_check int parse_entry(const char *start, const char *end, struct mdstat_array **ret)
{
	struct cursor c = { .p = start, .end = end };
	struct entry_parser ep = { .a = array_new() };
	struct word w;
	int r;

	if (!ep.a)
		return -ENOMEM;
	r = parse_header(&c, &ep);
	while (r == 0 && next_word(&c, &w))
		r = parse_word(&ep, &c, &w);
	/* a running array always names its personality */
	if (r == 0 && ep.phase == PHASE_LEVEL)
		r = -EINVAL;
	if (r < 0) {
		mdstat_free(ep.a);
		return r;
	}
	*ret = ep.a;
	return 0;
}

int mdstat_parse(const char *text, struct mdstat_array **ret_list)
{
	struct mdstat_array *head = NULL, **tail = &head, *a;
	const char *p = text, *end;
	int n = 0, r;

	if (!text || !ret_list)
		return -EINVAL;
	for (; *p; p = end) {
		end = entry_end(p);
		if (!is_array_line(p))
			continue; /* Personalities, unused devices, read_ahead */
		r = parse_entry(p, end, &a);
		if (r < 0)
			goto out_free;
		*tail = a;
		tail = &a->next;
		n++;
	}
	*ret_list = head;
	return n;

out_free:
	mdstat_free(head);
	return r;
}

/* ---- file -------------------------------------------------------------- */

/* Read the whole file; /proc files report size 0, so grow as we go. */
static must_check int read_text(int fd, char **ret_text)
{
	size_t cap = 4096, have = 0;
	char *buf = NULL, *tmp;
	ssize_t n;
	int r;

	for (;;) {
		if (!buf || have + 1 >= cap) {
			if (buf)
				cap *= 2;
			if (cap > MDSTAT_FILE_MAX)
				goto out_big;
			tmp = realloc(buf, cap);
			if (!tmp)
				goto out_nomem;
			buf = tmp;
		}
		n = read(fd, buf + have, cap - have - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out_errno;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	buf[have] = '\0';
	*ret_text = buf;
	return 0;

out_errno:
	r = -errno;
	free(buf);
	return r;
out_big:
	free(buf);
	return -EFBIG;
out_nomem:
	free(buf);
	return -ENOMEM;
}

int mdstat_read_text(int fd, char **ret_text)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return read_text(fd, ret_text);
}

int mdstat_read(const char *path, struct mdstat_array **ret_list)
{
	char *text = NULL;
	int fd, r;

	fd = open(path ? path : MDSTAT_DEFAULT_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read_text(fd, &text);
	close(fd);
	if (r < 0)
		return r;
	r = mdstat_parse(text, ret_list);
	free(text);
	return r;
}

void mdstat_free(struct mdstat_array *list)
{
	struct mdstat_array *next;

	for (; list; list = next) {
		next = list->next;
		free(list->members);
		free(list);
	}
}

struct mdstat_array *mdstat_find(struct mdstat_array *list, const char *devnm)
{
	if (!devnm)
		return NULL;
	for (; list; list = list->next)
		if (strcmp(list->devnm, devnm) == 0)
			return list;
	return NULL;
}

/* "external:/md127/0" or "external:-md127/0": the text between. */
int mdstat_container_of(const struct mdstat_array *a, char *buf, size_t len)
{
	static const char prefix[] = "external:";
	const char *name;
	size_t n;

	if (!a || strncmp(a->metadata, prefix, sizeof(prefix) - 1) != 0)
		return -ENOENT;
	name = a->metadata + sizeof(prefix) - 1;
	if (name[0] != '/' && name[0] != '-')
		return -ENOENT;
	name++;
	n = strcspn(name, "/");
	if (n == 0)
		return -ENOENT;
	if (!buf || n >= len)
		return -ERANGE;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return 0;
}

bool mdstat_is_container(const struct mdstat_array *a)
{
	static const char prefix[] = "external:";
	char flag;

	if (!a || strncmp(a->metadata, prefix, sizeof(prefix) - 1) != 0)
		return false;
	flag = a->metadata[sizeof(prefix) - 1];
	return flag != '\0' && flag != '/' && flag != '-';
}
