/*
 * fuzz-mdstat.c: libFuzzer target for the /proc/mdstat parser
 * (mdstat.c: mdstat_parse() and the helpers callers use on its result).
 *
 * Input: the text as read (a NUL inside cuts it, as it would the string
 * mdstat_read_text() returns).  Also parsed through mdstat_read() from a
 * memory file, the path mdadm and mdmon take.
 *
 * Checks: nothing crashes; every string of the result is NUL-terminated
 * inside its field; counts and percentages are in range; every array is
 * found again by its name; a container's name (mdstat_container_of) fits
 * and names an array-like "mdN" or "md_NAME" without a '/'.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "mdstat.h"

#define T "mdstat"

#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

static void check_array(struct mdstat_array *list, const struct mdstat_array *a)
{
	char parent[MDSTAT_NAME_MAX];

	if (!TERMINATED(a->devnm) || !TERMINATED(a->level) || !TERMINATED(a->metadata) ||
	    !TERMINATED(a->status))
		fuzz_fail(T, "an array string without its NUL");
	if (a->n_members < 0 || (a->n_members && !a->members))
		fuzz_fail(T, "an impossible member count");
	for (int i = 0; i < a->n_members; i++)
		if (!TERMINATED(a->members[i].name))
			fuzz_fail(T, "a member name without its NUL");
	if (a->sync_permille < -1 || a->sync_permille > 1000)
		fuzz_fail(T, "a sync percentage out of range");
	if (mdstat_find(list, a->devnm) == NULL)
		fuzz_fail(T, "an array not found by its own name");
	if (mdstat_container_of(a, parent, sizeof(parent)) == 0 &&
	    (strlen(parent) >= sizeof(parent) || strchr(parent, '/')))
		fuzz_fail(T, "a container name with a '/'");
	(void)mdstat_is_container(a);
}

static void check_list(struct mdstat_array *list)
{
	for (const struct mdstat_array *a = list; a; a = a->next)
		check_array(list, a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct mdstat_array *list;
	char *text = malloc(size + 1);

	if (!text)
		fuzz_fail(T, "out of memory");
	memcpy(text, data, size);
	text[size] = '\0';
	if (mdstat_parse(text, &list) >= 0) {
		check_list(list);
		mdstat_free(list);
	}
	free(text);
	if (fd < 0) {
		fd = memfd_create("fuzz-mdstat", MFD_CLOEXEC);
		if (fd < 0)
			fuzz_fail(T, "memfd_create failed");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		fuzz_fail(T, "cannot write the mdstat file");
	if (mdstat_read(path, &list) >= 0) {
		check_list(list);
		mdstat_free(list);
	}
	return 0;
}
