/*
 * config.c: mdadm.conf (see config.h).
 *
 * The file's grammar, as upstream mdadm reads it: a line that starts in
 * column 0 begins with a keyword (three letters or more of it, any case);
 * a line that starts with a blank continues the one before; words are
 * separated by blanks and may be quoted with "" or '' (not across lines);
 * a word that starts with '#' comments out the rest of the line.
 *
 * Where upstream warns about a bad word on an ARRAY line and keeps the
 * rest, we refuse the whole line: an ARRAY line with its uuid= dropped
 * could select another array than the admin meant.  Other lines keep
 * upstream's leniency (the bad word is reported and skipped).
 *
 * Owns: the parser (pure), the loader (files and directories), and the
 * questions modes ask of a parsed conf.  Never prints: modes report the
 * diagnostics.
 */
#include "config.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_FILE "/etc/mdadm/mdadm.conf"
#define CONF_FILE_ALT "/etc/mdadm.conf"
#define CONF_MAX_BYTES (4u << 20) /* a larger mdadm.conf is not one */
#define LINE_MAX_WORDS 1024

/* One logical line: its words and where it starts. */
struct conf_line {
	char *words[LINE_MAX_WORDS];
	int n;
	int line;
	bool bad; /* a quoting problem: the line is refused */
	char why[96];
};

static void diag(struct conf *c, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void diag(struct conf *c, const char *file, int line, const char *fmt, ...)
{
	struct conf_diag *d = calloc(1, sizeof(*d)), **tail = &c->diags;
	va_list ap;

	if (!d)
		return; /* out of memory: the caller's result says so */
	d->file = file;
	d->line = line;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	while (*tail)
		tail = &(*tail)->next;
	*tail = d;
	c->n_diags++;
}

/* ---- small helpers ---------------------------------------------------------- */

int conf_parse_uuid(const char *s, char ret[CONF_UUID_TEXT_BYTES])
{
	unsigned char bin[16];
	char out[CONF_UUID_TEXT_BYTES], *p = out;

	if (util_parse_uuid(s, bin) < 0)
		return -EINVAL;
	for (int i = 0; i < 16; i++)
		p += sprintf(p, "%s%02x", i && i % 4 == 0 ? ":" : "", bin[i]);
	memcpy(ret, out, CONF_UUID_TEXT_BYTES);
	return 0;
}

size_t conf_clean_name(const char *in, size_t in_len, char *out, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return 0;
	for (size_t i = 0; i < in_len && in[i] && n + 1 < len; i++) {
		unsigned char ch = (unsigned char)in[i];

		/* what --export and udev's rules keep as they are, so that the
		 * /dev/md name, the map and MD_DEVNAME agree; quotes, $, (),
		 * ;, |, spaces and control bytes never reach a path */
		if (ch == '/')
			ch = '-';
		else if (!isalnum(ch) && !strchr("._:+,@=-", ch))
			ch = '_';
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		memset(out, '_', n);
	return n;
}

const char *conf_devname_short(const char *devname)
{
	if (!devname || strcasecmp(devname, "<ignore>") == 0)
		return NULL;
	if (strncmp(devname, "/dev/md/", 8) == 0)
		return devname + 8;
	if (strncmp(devname, "/dev/", 5) == 0)
		return devname + 5;
	return devname;
}

/* "/dev/md/X" and "/dev/X" -> "X"; then "mdN" -> "N". */
static const char *devname_key(const char *s)
{
	if (strncmp(s, "/dev/md/", 8) == 0)
		s += 8;
	else if (strncmp(s, "/dev/", 5) == 0)
		s += 5;
	if (strncmp(s, "md", 2) == 0 && isdigit((unsigned char)s[2]))
		s += 2;
	return s;
}

bool conf_devname_matches(const char *a, const char *b)
{
	return strcmp(devname_key(a), devname_key(b)) == 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* A name that can become /dev/md/NAME as written: nothing to clean. */
static bool plain_name(const char *s)
{
	char buf[256];

	if (!*s || strlen(s) >= sizeof(buf))
		return false;
	return conf_clean_name(s, strlen(s), buf, sizeof(buf)) == strlen(s) && strcmp(buf, s) == 0;
}

/* The device names upstream accepts on an ARRAY line, and no name that
 * would not stay inside /dev/md. */
static bool devname_ok(const char *w)
{
	if (strcasecmp(w, "<ignore>") == 0)
		return true;
	if (strncmp(w, "/dev/md/", 8) == 0)
		return plain_name(w + 8);
	if (strncmp(w, "/dev/md_d", 9) == 0)
		return all_digits(w + 9);
	if (strncmp(w, "/dev/md", 7) == 0)
		return all_digits(w + 7);
	return w[0] != '/' && w[0] != '<' && plain_name(w);
}

/* ---- tokenizer -------------------------------------------------------------- */

/* Copy one word starting at *p (not blank); advance *p past it. */
static char *take_word(const char **p, const char *end, struct conf_line *l)
{
	const char *s = *p, *e;
	char q = 0;

	if (*s == '"' || *s == '\'') {
		q = *s++;
		e = memchr(s, q, (size_t)(end - s));
		if (!e) {
			l->bad = true;
			snprintf(l->why, sizeof(l->why), "unterminated quote");
			e = end;
		}
		*p = e < end ? e + 1 : end;
	} else {
		for (e = s; e < end && *e != ' ' && *e != '\t'; e++)
			;
		*p = e;
	}
	return strndup(s, (size_t)(e - s));
}

/* Add the words of one physical line [s, end) to l.  -ENOMEM. */
static int split_words(const char *s, const char *end, struct conf_line *l)
{
	while (s < end) {
		char *w;

		if (*s == ' ' || *s == '\t') {
			s++;
			continue;
		}
		if (*s == '#')
			break;
		if (l->n >= LINE_MAX_WORDS) {
			l->bad = true;
			snprintf(l->why, sizeof(l->why), "more than %d words", LINE_MAX_WORDS);
			break;
		}
		w = take_word(&s, end, l);
		if (!w)
			return -ENOMEM;
		l->words[l->n++] = w;
	}
	return 0;
}

static void line_clear(struct conf_line *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->words[i]);
	l->n = 0;
	l->bad = false;
	l->why[0] = '\0';
}

/* ---- keywords ------------------------------------------------------------- */

enum keyword {
	KW_DEVICE,
	KW_ARRAY,
	KW_MAILADDR,
	KW_MAILFROM,
	KW_PROGRAM,
	KW_CREATE,
	KW_HOMEHOST,
	KW_HOMECLUSTER,
	KW_AUTO,
	KW_POLICY,
	KW_PART_POLICY,
	KW_SYSFS,
	KW_MONITORDELAY,
	KW_COUNT
};

static const char *const keywords[KW_COUNT] = {
    "devices",	   "array", "mailaddr", "mailfrom",    "program", "create",	  "homehost",
    "homecluster", "auto",  "policy",	"part-policy", "sysfs",	  "monitordelay",
};

/* At least three letters of a keyword, any case; the first in table order
 * wins ("hom" is HOMEHOST), as upstream. */
static int match_keyword(const char *w)
{
	size_t len = strlen(w);

	if (len < 3)
		return -1;
	for (int k = 0; k < KW_COUNT; k++)
		if (strncasecmp(w, keywords[k], len) == 0)
			return k;
	return -1;
}

static char *join_words(const struct conf_line *l, int from)
{
	size_t len = 1;
	char *s;

	for (int i = from; i < l->n; i++)
		len += strlen(l->words[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = from; i < l->n; i++) {
		if (i > from)
			strcat(s, " ");
		strcat(s, l->words[i]);
	}
	return s;
}

static int push_string(char ***list, int *n, char *s)
{
	char **grown;

	if (!s)
		return -ENOMEM;
	grown = realloc(*list, sizeof(**list) * (size_t)(*n + 1));
	if (!grown) {
		free(s);
		return -ENOMEM;
	}
	grown[(*n)++] = s;
	*list = grown;
	return 0;
}

static int do_device(struct conf *c, const char *file, const struct conf_line *l)
{
	for (int i = 1; i < l->n; i++) {
		const char *w = l->words[i];

		if (w[0] != '/' && strcasecmp(w, "partitions") != 0 &&
		    strcasecmp(w, "containers") != 0) {
			diag(c, file, l->line, "unrecognised word on DEVICE line: %.60s, ignored",
			     w);
			continue;
		}
		if (push_string(&c->devices, &c->n_devices, strdup(w)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* First word only, as upstream (later ones are ignored). */
static int first_word(char **dst, const struct conf_line *l)
{
	if (*dst || l->n < 2)
		return 0;
	*dst = strdup(l->words[1]);
	return *dst ? 0 : -ENOMEM;
}

static int do_homehost(struct conf *c, const struct conf_line *l)
{
	for (int i = 1; i < l->n; i++) {
		const char *w = l->words[i];

		if (strcasecmp(w, "<ignore>") == 0) {
			c->homehost_ignore = true;
			continue;
		}
		if (c->homehost)
			continue;
		c->homehost = strdup(strcasecmp(w, "<none>") == 0 ? "" : w);
		if (!c->homehost)
			return -ENOMEM;
	}
	return 0;
}

static int do_monitordelay(struct conf *c, const char *file, const struct conf_line *l)
{
	int v;

	if (c->monitor_delay)
		return 0; /* the first line wins, as for MAILADDR */
	if (l->n != 2 || util_parse_int(l->words[1], 1, 86400, &v) < 0) {
		diag(c, file, l->line, "MONITORDELAY needs seconds (1 to 86400), line ignored");
		return 0;
	}
	c->monitor_delay = v;
	return 0;
}

static int do_mailfrom(struct conf *c, const struct conf_line *l)
{
	if (c->mailfrom || l->n < 2)
		return 0;
	c->mailfrom = join_words(l, 1);
	return c->mailfrom ? 0 : -ENOMEM;
}

static int do_auto(struct conf *c, const struct conf_line *l)
{
	if (c->auto_seen)
		return 0; /* only the first AUTO line counts, as upstream */
	c->auto_seen = true;
	c->auto_words = join_words(l, 1);
	return c->auto_words ? 0 : -ENOMEM;
}

/* ---- ARRAY lines ------------------------------------------------------------ */

static void free_array(struct conf_array *a)
{
	free(a->devname);
	free(a->name);
	free(a->container);
	free(a->member);
	free(a->metadata);
	free(a->devices);
	free(a->spare_group);
	free(a);
}

/* key=value word: the value if w starts with key (any case). */
static const char *value_of(const char *w, const char *key)
{
	size_t n = strlen(key);

	return strncasecmp(w, key, n) == 0 ? w + n : NULL;
}

/* Set *dst once; a second time is an error (refuses the line). */
static int set_once(char **dst, const char *v, char *why, size_t len, const char *key)
{
	if (*dst) {
		snprintf(why, len, "%s given twice", key);
		return -EINVAL;
	}
	*dst = strdup(v);
	return *dst ? 0 : -ENOMEM;
}

static int array_uuid(struct conf_array *a, const char *v, char *why, size_t len)
{
	if (a->uuid_set) {
		snprintf(why, len, "uuid given twice");
		return -EINVAL;
	}
	if (conf_parse_uuid(v, a->uuid) < 0) {
		snprintf(why, len, "bad uuid: %.40s", v);
		return -EINVAL;
	}
	a->uuid_set = true;
	return 0;
}

static int array_name(struct conf_array *a, const char *v, char *why, size_t len)
{
	if (strlen(v) > CONF_NAME_MAX || !*v) {
		snprintf(why, len, "name must be 1 to %d characters: %.40s", CONF_NAME_MAX, v);
		return -EINVAL;
	}
	return set_once(&a->name, v, why, len, "name");
}

static int array_container(struct conf_array *a, const char *v, char *why, size_t len)
{
	char uuid[CONF_UUID_TEXT_BYTES];

	if (v[0] != '/' && conf_parse_uuid(v, uuid) == 0) {
		a->container_is_uuid = true;
		v = uuid;
	} else if (v[0] != '/' || !devname_ok(v)) {
		snprintf(why, len, "container must be a UUID or an md device: %.40s", v);
		return -EINVAL;
	}
	return set_once(&a->container, v, why, len, "container");
}

static int array_member(struct conf_array *a, const char *v, char *why, size_t len)
{
	if (!all_digits(v) || strlen(v) > 3) {
		snprintf(why, len, "member must be a volume number: %.40s", v);
		return -EINVAL;
	}
	return set_once(&a->member, v, why, len, "member");
}

static int array_number(int *dst, const char *v, const char *key, char *why, size_t len)
{
	if (!all_digits(v) || strlen(v) > 6) {
		snprintf(why, len, "%s must be a number: %.40s", key, v);
		return -EINVAL;
	}
	*dst = atoi(v);
	return 0;
}

/* Words upstream reads for native arrays; harmless here, checked loosely. */
static bool ignored_key(const char *w)
{
	static const char *const keys[] = {
	    "super-minor=", "level=",  "disks=",       "num-devices=",
	    "auto=",	    "bitmap=", NULL};

	for (int i = 0; keys[i]; i++)
		if (value_of(w, keys[i]))
			return true;
	return false;
}

static int array_word(struct conf_array *a, const char *w, char *why, size_t len)
{
	const char *v;

	if (w[0] == '/' || !strchr(w, '=')) {
		if (!devname_ok(w)) {
			snprintf(why, len, "%.60s is an invalid name for an md device", w);
			return -EINVAL;
		}
		return set_once(&a->devname, w, why, len, "device name");
	}
	if ((v = value_of(w, "uuid=")))
		return array_uuid(a, v, why, len);
	if ((v = value_of(w, "name=")))
		return array_name(a, v, why, len);
	if ((v = value_of(w, "container=")))
		return array_container(a, v, why, len);
	if ((v = value_of(w, "member=")))
		return array_member(a, v, why, len);
	if ((v = value_of(w, "metadata=")))
		return set_once(&a->metadata, v, why, len, "metadata");
	if ((v = value_of(w, "devices=")))
		return set_once(&a->devices, v, why, len, "devices");
	if ((v = value_of(w, "spares=")))
		return array_number(&a->spares, v, "spares", why, len);
	if ((v = value_of(w, "spare-group=")))
		return set_once(&a->spare_group, v, why, len, "spare-group");
	if (ignored_key(w))
		return 0;
	snprintf(why, len, "unrecognised word on ARRAY line: %.60s", w);
	return -EINVAL;
}

static bool has_identity(const struct conf_array *a)
{
	return a->uuid_set || a->name || a->devices || (a->container && a->member);
}

/* A second line for the same array or the same device name would make
 * the choice ambiguous: upstream refuses to pick; we keep the first. */
static const struct conf_array *clash(const struct conf *c, const struct conf_array *a)
{
	for (const struct conf_array *o = c->arrays; o; o = o->next) {
		if (a->uuid_set && o->uuid_set && strcmp(a->uuid, o->uuid) == 0)
			return o;
		if (a->devname && o->devname && strcasecmp(a->devname, "<ignore>") != 0 &&
		    conf_devname_matches(a->devname, o->devname))
			return o;
	}
	return NULL;
}

static void append_array(struct conf *c, struct conf_array *a)
{
	struct conf_array **tail = &c->arrays;

	while (*tail)
		tail = &(*tail)->next;
	*tail = a;
}

static int do_array(struct conf *c, const char *file, const struct conf_line *l)
{
	struct conf_array *a = calloc(1, sizeof(*a));
	const struct conf_array *o;
	char why[160] = "";
	int r = 0;

	if (!a)
		return -ENOMEM;
	a->spares = -1;
	a->file = file;
	a->line = l->line;
	for (int i = 1; !r && i < l->n; i++)
		r = array_word(a, l->words[i], why, sizeof(why));
	if (r == -ENOMEM)
		goto out_free;
	if (!r && !has_identity(a)) {
		snprintf(why, sizeof(why), "ARRAY line %s has no identity information",
			 a->devname ? a->devname : "");
		r = -EINVAL;
	}
	if (!r && (o = clash(c, a)) != NULL) {
		snprintf(why, sizeof(why), "ARRAY line names the same array or device as line %d",
			 o->line);
		r = -EINVAL;
	}
	if (r) {
		diag(c, file, l->line, "%s; ARRAY line ignored", why);
		c->n_refused_arrays++;
		r = 0;
		goto out_free;
	}
	append_array(c, a);
	return 0;
out_free:
	free_array(a);
	return r;
}

/* ---- the parser --------------------------------------------------------------- */

static int dispatch(struct conf *c, const char *file, const struct conf_line *l)
{
	int k;

	if (l->n == 0)
		return 0;
	k = match_keyword(l->words[0]);
	if (l->bad) {
		diag(c, file, l->line, "%s; line ignored", l->why);
		c->n_refused_arrays += k == KW_ARRAY;
		return 0;
	}
	switch (k) {
	case KW_DEVICE:
		return do_device(c, file, l);
	case KW_ARRAY:
		return do_array(c, file, l);
	case KW_MAILADDR:
		return first_word(&c->mailaddr, l);
	case KW_MAILFROM:
		return do_mailfrom(c, l);
	case KW_PROGRAM:
		return first_word(&c->program, l);
	case KW_HOMEHOST:
		return do_homehost(c, l);
	case KW_AUTO:
		return do_auto(c, l);
	case KW_POLICY:
	case KW_PART_POLICY:
		return push_string(&c->policies, &c->n_policies, join_words(l, 0));
	case KW_CREATE:
	case KW_HOMECLUSTER:
	case KW_SYSFS:
		return 0; /* not IMSM's business: accepted, not used */
	case KW_MONITORDELAY:
		return do_monitordelay(c, file, l);
	default:
		diag(c, file, l->line, "unknown keyword %.60s, line ignored", l->words[0]);
		return 0;
	}
}

/* The file name that diagnostics and arrays point to, owned by c. */
static const char *keep_file_name(struct conf *c, const char *file)
{
	for (int i = 0; i < c->n_files; i++)
		if (strcmp(c->files[i], file) == 0)
			return c->files[i];
	if (push_string(&c->files, &c->n_files, strdup(file)) < 0)
		return NULL;
	return c->files[c->n_files - 1];
}

/* One physical line [s, e), number no: start a logical line or continue. */
static int physical_line(struct conf *c, const char *file, struct conf_line *l, const char *s,
			 const char *e, int no)
{
	bool cont = s < e && (*s == ' ' || *s == '\t');
	int r = 0;

	if (memchr(s, '\0', (size_t)(e - s))) {
		r = dispatch(c, file, l);
		line_clear(l);
		diag(c, file, no, "NUL byte in the line; line ignored");
		return r;
	}
	if (!cont) {
		r = dispatch(c, file, l);
		line_clear(l);
		l->line = no;
	} else if (l->n == 0) {
		/* a blank-led line with no keyword line before it */
		struct conf_line tmp = {.line = no};

		r = split_words(s, e, &tmp);
		if (!r && tmp.n)
			diag(c, file, no, "continuation line without a keyword line; ignored");
		line_clear(&tmp);
		return r;
	}
	return r ? r : split_words(s, e, l);
}

int conf_parse(struct conf *c, const char *file, const char *text, size_t len)
{
	struct conf_line *l = calloc(1, sizeof(*l));
	const char *p = text, *end = text + len;
	int no = 0, r = 0;

	file = l ? keep_file_name(c, file) : NULL;
	if (!l || !file) {
		free(l);
		return -ENOMEM;
	}
	while (!r && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;

		no++;
		if (e > p && e[-1] == '\r')
			e--;
		r = physical_line(c, file, l, p, e, no);
		p = nl ? nl + 1 : end;
	}
	if (!r)
		r = dispatch(c, file, l);
	line_clear(l);
	free(l);
	return r;
}

/* ---- the loader ------------------------------------------------------------- */

static int read_fd(int fd, char **ret, size_t *ret_len)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	ssize_t got;

	if (!buf)
		return -ENOMEM;
	while ((got = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)got;
		if (n == cap) {
			char *grown = cap >= CONF_MAX_BYTES ? NULL : realloc(buf, cap * 2);

			if (!grown) {
				free(buf);
				return cap >= CONF_MAX_BYTES ? -EFBIG : -ENOMEM;
			}
			buf = grown;
			cap *= 2;
		}
	}
	if (got < 0) {
		free(buf);
		return -errno;
	}
	*ret = buf;
	*ret_len = n;
	return 0;
}

static int load_file(struct conf *c, const char *path, int fd)
{
	char *text = NULL;
	size_t len = 0;
	int r = read_fd(fd, &text, &len);

	if (r)
		return r;
	r = conf_parse(c, path, text, len);
	free(text);
	return r;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of dir's *.conf files (not hidden), sorted. */
static int conf_dir_names(const char *dir, char ***ret, int *ret_n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	int n = 0, r = 0;

	if (!d)
		return -errno;
	while (!r && (de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".conf") != 0)
			continue;
		r = push_string(&names, &n, strdup(de->d_name));
	}
	closedir(d);
	if (n)
		qsort(names, (size_t)n, sizeof(*names), cmp_names);
	*ret = names;
	*ret_n = n;
	return r;
}

static int load_dir(struct conf *c, const char *dir)
{
	char **names = NULL, path[4096];
	int n = 0, r = conf_dir_names(dir, &names, &n);

	for (int i = 0; i < n; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fd = r ? -1 : open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			r = load_file(c, path, fd);
			close(fd);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

/* A file or a directory of *.conf files. */
static int load_path(struct conf *c, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (S_ISDIR(st.st_mode))
		r = load_dir(c, path);
	else if (S_ISREG(st.st_mode))
		r = load_file(c, path, fd);
	else
		r = -EINVAL;
	close(fd);
	return r;
}

static int load_defaults(struct conf *c)
{
	const char *file = CONF_FILE;
	char dir[64];
	int r = load_path(c, file);

	if (r == -ENOENT) {
		file = CONF_FILE_ALT;
		r = load_path(c, file);
	}
	if (r && r != -ENOENT)
		return r;
	snprintf(dir, sizeof(dir), "%s.d", file);
	r = load_path(c, dir);
	return r == -ENOENT || r == -ENOTDIR ? 0 : r;
}

int conf_load(struct conf *c, const char *path)
{
	const char *env = getenv("MDADM_CONF_AUTO");
	int r;

	if (path && strcmp(path, "none") == 0)
		r = 0;
	else if (path && strcmp(path, "partitions") == 0)
		r = push_string(&c->devices, &c->n_devices, strdup("partitions"));
	else if (path)
		r = load_path(c, path);
	else
		r = load_defaults(c);
	if (!r && env && *env) {
		/* upstream puts these words before the AUTO line's */
		size_t len = strlen(env) + (c->auto_words ? strlen(c->auto_words) : 0) + 2;
		char *words = malloc(len);

		if (!words)
			return -ENOMEM;
		snprintf(words, len, "%s %s", env, c->auto_words ? c->auto_words : "");
		free(c->auto_words);
		c->auto_words = words;
	}
	return r;
}

void conf_free(struct conf *c)
{
	while (c->arrays) {
		struct conf_array *a = c->arrays;

		c->arrays = a->next;
		free_array(a);
	}
	while (c->diags) {
		struct conf_diag *d = c->diags;

		c->diags = d->next;
		free(d);
	}
	for (int i = 0; i < c->n_devices; i++)
		free(c->devices[i]);
	for (int i = 0; i < c->n_policies; i++)
		free(c->policies[i]);
	for (int i = 0; i < c->n_files; i++)
		free(c->files[i]);
	free(c->devices);
	free(c->policies);
	free(c->files);
	free(c->homehost);
	free(c->mailaddr);
	free(c->mailfrom);
	free(c->program);
	free(c->auto_words);
	memset(c, 0, sizeof(*c));
}

/* ---- questions ---------------------------------------------------------------- */

/*
 * Upstream's AUTO: words in order, the first that speaks for the format
 * decides; "yes"/"no"/"+all"/"-all" decide for every format not named
 * before them and end the line; "homehost" before a "no" turns that no
 * into "only arrays of this host".  The default is yes.
 */
enum conf_auto conf_auto_for(const struct conf *c, const char *metadata)
{
	char *words = c->auto_words ? strdup(c->auto_words) : NULL, *save = NULL, *w;
	enum conf_auto verdict = CONF_AUTO_YES;
	bool homehost = false;

	for (w = words ? strtok_r(words, " \t", &save) : NULL; w;
	     w = strtok_r(NULL, " \t", &save)) {
		enum conf_auto v;

		if (strcasecmp(w, "yes") == 0 || strcasecmp(w, "no") == 0) {
			verdict = strcasecmp(w, "yes") == 0
				      ? CONF_AUTO_YES
				      : (homehost ? CONF_AUTO_HOMEHOST : CONF_AUTO_NO);
			break;
		}
		if (strcasecmp(w, "homehost") == 0) {
			homehost = true;
			continue;
		}
		if (w[0] != '+' && w[0] != '-')
			continue;
		v = w[0] == '+' ? CONF_AUTO_YES : (homehost ? CONF_AUTO_HOMEHOST : CONF_AUTO_NO);
		if (strcasecmp(w + 1, "all") == 0 || strcasecmp(w + 1, metadata) == 0) {
			verdict = v;
			break;
		}
	}
	free(words);
	return verdict;
}

bool conf_device_allowed(const struct conf *c, const char *path)
{
	if (c->n_devices == 0)
		return true;
	for (int i = 0; i < c->n_devices; i++) {
		if (strcasecmp(c->devices[i], "partitions") == 0)
			return true;
		if (fnmatch(c->devices[i], path, FNM_PATHNAME) == 0)
			return true;
	}
	return false;
}
