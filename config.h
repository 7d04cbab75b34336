/*
 * config.h: mdadm.conf, parsed.
 *
 * The parser (conf_parse) is a pure function over text: it never prints
 * and never touches a device; what it cannot accept becomes a diagnostic
 * (file, line, words) that the mode reports once.  The loader reads the
 * files upstream mdadm reads.  Everything in the file is untrusted: a
 * name that is to become a /dev/md path goes through conf_clean_name().
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONF_UUID_TEXT_BYTES 36 /* "xxxxxxxx:xxxxxxxx:xxxxxxxx:xxxxxxxx" + NUL */
#define CONF_NAME_MAX 32	/* name= longer than this is refused, as upstream */

/* One ARRAY line that was accepted whole.  Strings are the conf's. */
struct conf_array {
	char *devname; /* "/dev/md/NAME", "/dev/mdN", "NAME", "<ignore>", or NULL */
	bool uuid_set;
	char uuid[CONF_UUID_TEXT_BYTES]; /* normalised: lower case, ':' every 8 digits */
	char *name;			 /* name=, or NULL */
	char *container;		 /* container=: a device path, or a UUID (normalised) */
	bool container_is_uuid;
	char *member;	  /* member=, or NULL */
	char *metadata;	  /* metadata=, or NULL */
	char *devices;	  /* devices= (comma-separated globs), or NULL */
	int spares;	  /* spares=; -1 when not given */
	char *spare_group; /* spare-group=: --monitor moves spares within one group */
	const char *file; /* where it was read (the conf's copy) */
	int line;
	struct conf_array *next;
};

/* Something the parser refused or skipped: "FILE:LINE: msg". */
struct conf_diag {
	const char *file;
	int line;
	char msg[200];
	struct conf_diag *next;
};

/* AUTO's verdict for one metadata format (upstream's policy words). */
enum conf_auto { CONF_AUTO_YES, CONF_AUTO_NO, CONF_AUTO_HOMEHOST };

struct conf {
	char **devices; /* DEVICE words in order: globs, "partitions", "containers" */
	int n_devices;
	struct conf_array *arrays;	     /* ARRAY lines in file order */
	char *homehost;			     /* HOMEHOST value ("" for <none>), or NULL */
	bool homehost_ignore;		     /* HOMEHOST <ignore>: names need no homehost */
	char *mailaddr, *mailfrom, *program; /* kept for --monitor */
	int monitor_delay;		     /* MONITORDELAY seconds; 0 when not given */
	char *auto_words;		     /* the first AUTO line's words, space-separated */
	bool auto_seen;
	char **policies; /* POLICY lines, words joined by one space */
	int n_policies;
	char **files; /* names of the files read (diagnostics point here) */
	int n_files;
	struct conf_diag *diags; /* in order */
	int n_diags;
	int n_refused_arrays; /* ARRAY lines refused (each has a diag) */
};

/*
 * Parse one file's text (len bytes, NUL bytes refused) into c, which may
 * already hold earlier files.  Returns 0, or -ENOMEM (c then holds what
 * was parsed so far).  Never prints.
 */
int conf_parse(struct conf *c, const char *file, const char *text, size_t len)
    __attribute__((warn_unused_result));

/*
 * Read the configuration as upstream does: path NULL means
 * /etc/mdadm/mdadm.conf (with /etc/mdadm/mdadm.conf.d/ *.conf), else
 * /etc/mdadm.conf (with /etc/mdadm.conf.d); "none" reads nothing;
 * "partitions" means "DEVICE partitions"; a directory reads its *.conf
 * in name order.  A named file that cannot be read is -errno (the
 * defaults may be missing).  c must be zeroed first; conf_free() it.
 */
int conf_load(struct conf *c, const char *path) __attribute__((warn_unused_result));
void conf_free(struct conf *c);

/* Whether AUTO (and MDADM_CONF_AUTO, read by conf_load) lets the format
 * "imsm" be auto-assembled. */
enum conf_auto conf_auto_for(const struct conf *c, const char *metadata);

/* Whether a device may be used: no DEVICE line, "partitions", or a glob
 * that matches path (fnmatch with FNM_PATHNAME, as upstream). */
bool conf_device_allowed(const struct conf *c, const char *path);

/* "a1B2...": 32 hex digits with ':' '.' ' ' '-' anywhere between; -EINVAL
 * otherwise.  ret gets the normalised text. */
int conf_parse_uuid(const char *s, char ret[CONF_UUID_TEXT_BYTES])
    __attribute__((warn_unused_result));

/*
 * A name from metadata or the conf made safe for /dev/md/NAME and the map
 * file: '/' becomes '-', every byte but [A-Za-z0-9._:+,@=-] becomes '_'
 * (what --export keeps, so that MD_DEVNAME and udev's link agree;
 * ordinary names come out as upstream's); "." and ".." become "_" and "__";
 * at most len-1 bytes.  Returns the length (0 for an empty name).
 */
size_t conf_clean_name(const char *in, size_t in_len, char *out, size_t len);

/* The short name an ARRAY devname asks for: "/dev/md/NAME" and "NAME" give
 * NAME, "/dev/mdN" gives "mdN"; NULL for "<ignore>". */
const char *conf_devname_short(const char *devname);

/* Upstream's devname_matches(): /dev/md/X, /dev/X and X compare equal, and
 * mdN matches N. */
bool conf_devname_matches(const char *a, const char *b);

#endif
