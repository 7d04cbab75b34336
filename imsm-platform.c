/*
 * imsm-platform.c: Intel platform capabilities (see imsm-platform.h).
 *
 * Owns the sysfs scan for Intel storage controllers, the §5.9 environment
 * switches and the limit checks of a capability table.  Never prints, never
 * writes, never decides what a refusal means for the user.
 */
#include "imsm-platform.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Device ids of Intel's Volume Management Device, the ones the Linux vmd
 * driver binds to (drivers/pci/controller/vmd.c).  A VMD's class code says
 * little (RAID or "other"), so it is known by its id.
 */
static const uint16_t vmd_device_ids[] = {
    0x201d, 0x28c0, 0x467f, 0x4c3d, 0x7d0b, 0x9a0b, 0xa77f, 0xad0b, 0xb06f, 0xb60b,
};

/* Why a request does not fit; LIMIT_NONE when it does. */
enum platform_limit {
	LIMIT_NONE,
	LIMIT_ARGS,
	LIMIT_LEVEL,
	LIMIT_CHUNK,
	LIMIT_MEMBERS,
	LIMIT_VOLUMES,
};

/* ---- environment ------------------------------------------------------------- */

/* Set means "reads as the number 1", like upstream's atoi() test. */
static bool env_is_one(const char *name)
{
	const char *v = getenv(name);

	return v && strtol(v, NULL, 10) == 1;
}

/*
 * The fake table of §5.9 (IMSM_TEST_OROM): RAID0/1/10/5, strips 4 KiB to
 * 2 MiB (sss bits 1-10), 6 disks per array and in total, 2 volumes per
 * container, 4 per controller, attr = levels + checksum verify, so neither
 * 2 TB disks nor 2 TB volumes.
 */
static void platform_test_table(struct imsm_orom *o, bool no_raid5)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->signature, "$VER", 5);
	o->rlc = IMSM_RLC_RAID0 | IMSM_RLC_RAID1 | IMSM_RLC_RAID10;
	if (!no_raid5)
		o->rlc |= IMSM_RLC_RAID5;
	o->sss = 0x07FE;
	o->dpa = 6;
	o->tds = 6;
	o->vpa = 2;
	o->vphba = 4;
	o->attr = o->rlc | IMSM_OROM_ATTR_CHECKSUM_VERIFY;
}

/* ---- sysfs scan ---------------------------------------------------------------- */

/* A sysfs attribute written as hex ("0x8086"); -errno or -EINVAL. */
static int read_hex_attr(const char *dir, const char *attr, unsigned long *ret)
{
	char path[4096 + 512], buf[32], *end; /* dir is at most 4096 + 32 */
	unsigned long v;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	r = util_read_small_file(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (end == buf || errno)
		return -EINVAL;
	*ret = v;
	return 0;
}

static bool is_vmd(uint16_t device_id)
{
	for (size_t i = 0; i < sizeof(vmd_device_ids) / sizeof(vmd_device_ids[0]); i++)
		if (vmd_device_ids[i] == device_id)
			return true;
	return false;
}

/* Classify one PCI function: 0 and *ret, or -ENODEV when it is not ours. */
static int classify_pci(const char *dir, const char *name, struct imsm_hba *ret)
{
	unsigned long vendor, device, class;
	size_t n = strlen(name);

	if (n >= sizeof(ret->pci_addr)) /* not a PCI address */
		return -ENODEV;
	if (read_hex_attr(dir, "vendor", &vendor) < 0 || vendor != IMSM_PCI_VENDOR_INTEL)
		return -ENODEV;
	if (read_hex_attr(dir, "device", &device) < 0 || read_hex_attr(dir, "class", &class) < 0)
		return -ENODEV;
	if (is_vmd((uint16_t)device))
		ret->type = IMSM_HBA_VMD;
	else if ((class >> 8) == 0x0104)
		ret->type = IMSM_HBA_RAID;
	else if ((class >> 8) == 0x0106)
		ret->type = IMSM_HBA_SATA;
	else if ((class >> 8) == 0x0108)
		ret->type = IMSM_HBA_NVME;
	else
		return -ENODEV;
	memcpy(ret->pci_addr, name, n + 1);
	ret->device_id = (uint16_t)device;
	ret->class_code = (uint32_t)(class & 0xFFFFFF);
	return 0;
}

/*
 * Keep the IMSM_PLATFORM_MAX_HBAS lowest addresses in order, whatever order
 * readdir() gives: insert, and drop the last one when full.
 */
static void add_hba(struct imsm_platform *p, const struct imsm_hba *h)
{
	unsigned int i = p->n_hbas;

	p->n_hbas_found++;
	if (i == IMSM_PLATFORM_MAX_HBAS && strcmp(h->pci_addr, p->hba[i - 1].pci_addr) >= 0)
		return;
	if (i == IMSM_PLATFORM_MAX_HBAS)
		i--;
	else
		p->n_hbas++;
	while (i > 0 && strcmp(h->pci_addr, p->hba[i - 1].pci_addr) < 0) {
		p->hba[i] = p->hba[i - 1];
		i--;
	}
	p->hba[i] = *h;
}

/* Every Intel storage controller under sysroot into p; -errno if unreadable. */
static int scan_controllers(const char *sysroot, struct imsm_platform *p)
{
	char base[4096], dir[4096 + sizeof(((struct dirent *)0)->d_name) + 1];
	struct imsm_hba h;
	struct dirent *de;
	DIR *d;

	if (snprintf(base, sizeof(base), "%s/bus/pci/devices", sysroot) >= (int)sizeof(base))
		return -ENAMETOOLONG;
	d = opendir(base);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name);
		memset(&h, 0, sizeof(h));
		if (classify_pci(dir, de->d_name, &h) == 0)
			add_hba(p, &h);
	}
	closedir(d);
	return 0;
}

int imsm_platform_probe_hw(const char *sysroot, struct imsm_platform *ret)
{
	struct imsm_platform p;
	int r;

	/* built aside and copied out: *ret stays untouched on failure */
	memset(&p, 0, sizeof(p));
	r = scan_controllers(sysroot ? sysroot : "/sys", &p);
	if (r < 0)
		return r;
	if (p.n_hbas_found == 0)
		return -ENODEV;
	p.source = IMSM_PLATFORM_CAPS_UNKNOWN;
	if (env_is_one("IMSM_TEST_OROM")) {
		p.source = IMSM_PLATFORM_TEST_TABLE;
		p.has_limits = true;
		platform_test_table(&p.orom, env_is_one("IMSM_TEST_OROM_NORAID5"));
	}
	*ret = p;
	return 0;
}

int imsm_platform_probe(const char *sysroot, struct imsm_platform *ret)
{
	if (env_is_one("IMSM_NO_PLATFORM")) {
		memset(ret, 0, sizeof(*ret));
		ret->source = IMSM_PLATFORM_DISABLED;
		return 0;
	}
	return imsm_platform_probe_hw(sysroot, ret);
}

/* ---- limits -------------------------------------------------------------------- */

/* rlc bit of an md level and width; 0 when IMSM cannot do it at all. */
static unsigned int level_rlc_bit(int md_level, int n_members)
{
	switch (md_level) {
	case 0:
		return IMSM_RLC_RAID0;
	case 1:
		return n_members > 2 ? IMSM_RLC_RAID1E : IMSM_RLC_RAID1;
	case 5:
		return IMSM_RLC_RAID5;
	case 10:
		return IMSM_RLC_RAID10;
	default:
		return 0;
	}
}

/* sss bit of a chunk size: -1 unless kib is 2^(k+1), k = 0..15. */
static int chunk_sss_bit(unsigned int chunk_kib)
{
	for (int k = 0; k < 16; k++)
		if (chunk_kib == 2u << k)
			return k;
	return -1;
}

bool imsm_platform_has_chunk(const struct imsm_platform *p, unsigned int chunk_kib)
{
	int k = chunk_sss_bit(chunk_kib);

	return p->has_limits && k >= 0 && (p->orom.sss & (1u << k));
}

unsigned int imsm_platform_max_chunk_kib(const struct imsm_platform *p)
{
	if (!p->has_limits)
		return 0;
	for (int k = 15; k >= 0; k--)
		if (p->orom.sss & (1u << k))
			return 2u << k;
	return 0;
}

static enum platform_limit first_violation(const struct imsm_platform *p, int md_level,
					   int n_members, unsigned int chunk_kib, int n_volumes)
{
	unsigned int bit = level_rlc_bit(md_level, n_members);

	if (n_members < 1 || n_volumes < 1)
		return LIMIT_ARGS;
	if (!p->has_limits)
		return LIMIT_NONE;
	if (!bit || !(p->orom.rlc & bit))
		return LIMIT_LEVEL;
	/* RAID1's strip is fixed by the format: upstream skips the sss check */
	if (md_level != 1 && chunk_kib && !imsm_platform_has_chunk(p, chunk_kib))
		return LIMIT_CHUNK;
	if ((unsigned int)n_members > p->orom.dpa)
		return LIMIT_MEMBERS;
	if ((unsigned int)n_volumes > p->orom.vpa)
		return LIMIT_VOLUMES;
	return LIMIT_NONE;
}

static int limit_errno(enum platform_limit l)
{
	switch (l) {
	case LIMIT_NONE:
		return 0;
	case LIMIT_CHUNK:
		return -EDOM;
	case LIMIT_MEMBERS:
	case LIMIT_VOLUMES:
		return -E2BIG;
	case LIMIT_ARGS:
	case LIMIT_LEVEL:
	default:
		return -EINVAL;
	}
}

int imsm_platform_check_volume(const struct imsm_platform *p, int md_level, int n_members,
			       unsigned int chunk_kib, int n_volumes)
{
	return limit_errno(first_violation(p, md_level, n_members, chunk_kib, n_volumes));
}

/* ---- text ---------------------------------------------------------------------- */

const char *imsm_platform_source_text(enum imsm_platform_source source)
{
	switch (source) {
	case IMSM_PLATFORM_DISABLED:
		return "no platform checks (IMSM_NO_PLATFORM=1)";
	case IMSM_PLATFORM_TEST_TABLE:
		return "test capability table (IMSM_TEST_OROM=1)";
	case IMSM_PLATFORM_CAPS_UNKNOWN:
		return "Intel controller found, capabilities unknown";
	}
	return "unknown platform source";
}

const char *imsm_hba_type_text(enum imsm_hba_type type)
{
	switch (type) {
	case IMSM_HBA_RAID:
		return "RAID";
	case IMSM_HBA_SATA:
		return "SATA";
	case IMSM_HBA_NVME:
		return "NVMe";
	case IMSM_HBA_VMD:
		return "VMD";
	}
	return "unknown";
}

/* Append to a snprintf-style buffer; *used counts what the full text needs. */
static void put(char *buf, size_t len, size_t *used, const char *s)
{
	size_t n = strlen(s);

	if (*used < len)
		snprintf(buf + *used, len - *used, "%s", s);
	*used += n;
}

size_t imsm_platform_levels_text(const struct imsm_platform *p, char *buf, size_t len)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} levels[] = {
	    {IMSM_RLC_RAID0, "raid0 "}, {IMSM_RLC_RAID1, "raid1 "},   {IMSM_RLC_RAID1E, "raid1e "},
	    {IMSM_RLC_RAID5, "raid5 "}, {IMSM_RLC_RAID10, "raid10 "},
	};
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; p->has_limits && i < sizeof(levels) / sizeof(levels[0]); i++)
		if (p->orom.rlc & levels[i].bit)
			put(buf, len, &used, levels[i].name);
	return used;
}

size_t imsm_platform_chunks_text(const struct imsm_platform *p, char *buf, size_t len)
{
	char one[16];
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (int k = 0; p->has_limits && k < 16; k++) {
		unsigned int kib = 2u << k;

		if (!(p->orom.sss & (1u << k)))
			continue;
		if (kib >= 1024)
			snprintf(one, sizeof(one), "%uM ", kib / 1024);
		else
			snprintf(one, sizeof(one), "%uk ", kib);
		put(buf, len, &used, one);
	}
	return used;
}

/* A §8.5 list without its trailing space, for use inside a sentence. */
static void list_text(const struct imsm_platform *p, bool chunks, char *buf, size_t len)
{
	size_t n;

	if (chunks)
		imsm_platform_chunks_text(p, buf, len);
	else
		imsm_platform_levels_text(p, buf, len);
	n = strlen(buf); /* every entry ends with a space; buf is large enough */
	if (n)
		buf[n - 1] = '\0';
}

int imsm_platform_describe(const struct imsm_platform *p, int md_level, int n_members,
			   unsigned int chunk_kib, int n_volumes, char *buf, size_t len)
{
	enum platform_limit l = first_violation(p, md_level, n_members, chunk_kib, n_volumes);
	char list[128];

	if (!len)
		return limit_errno(l);
	switch (l) {
	case LIMIT_NONE:
		snprintf(buf, len, "%s %s",
			 p->has_limits ? "within the limits of the" : "no limits:",
			 imsm_platform_source_text(p->source));
		break;
	case LIMIT_ARGS:
		snprintf(buf, len, "invalid volume request: %d members, %d volumes", n_members,
			 n_volumes);
		break;
	case LIMIT_LEVEL:
		list_text(p, false, list, sizeof(list));
		snprintf(buf, len, "platform does not support raid%d with %d disks (supported: %s)",
			 md_level, n_members, list[0] ? list : "none");
		break;
	case LIMIT_CHUNK:
		list_text(p, true, list, sizeof(list));
		snprintf(buf, len,
			 "platform does not support a chunk size of %u KiB (supported: %s)",
			 chunk_kib, list[0] ? list : "none");
		break;
	case LIMIT_MEMBERS:
		snprintf(buf, len, "platform allows at most %u disks per volume, %d requested",
			 p->orom.dpa, n_members);
		break;
	case LIMIT_VOLUMES:
		snprintf(
		    buf, len,
		    "platform allows at most %u volumes per container, this would be volume %d",
		    p->orom.vpa, n_volumes);
		break;
	}
	return limit_errno(l);
}
