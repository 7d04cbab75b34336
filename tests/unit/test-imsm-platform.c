/*
 * test-imsm-platform.c: host tests of imsm-platform.c.
 *
 * Each test builds a fake sysfs tree in a mkdtemp() directory (PCI
 * functions as <root>/bus/pci/devices/<addr>/{vendor,device,class}, as real
 * directories or, like the kernel's, as symlinks into <root>/devices) and
 * sets the environment switches of imsm-format.md §5.9 itself, so that
 * every branch of the probe and every limit of the capability table is
 * taken at least once.
 */
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imsm-platform.h"
#include "unit.h"

/* ---- fake sysfs ------------------------------------------------------------------- */

static void env_reset(void)
{
	unsetenv("IMSM_NO_PLATFORM");
	unsetenv("IMSM_TEST_OROM");
	unsetenv("IMSM_TEST_OROM_NORAID5");
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void mkdir_p(const char *path)
{
	char tmp[1024];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	mkdir(tmp, 0755);
}

/* A root with an empty <root>/bus/pci/devices; "" on failure. */
static char *make_root(char *buf, size_t len)
{
	char devs[1024];

	snprintf(buf, len, "/tmp/imsm-platform-XXXXXX");
	if (!mkdtemp(buf)) {
		CHECK(!"mkdtemp failed");
		buf[0] = '\0';
		return buf;
	}
	snprintf(devs, sizeof(devs), "%s/bus/pci/devices", buf);
	mkdir_p(devs);
	return buf;
}

/* One PCI function; a NULL value leaves that attribute file out. */
static void add_pci(const char *root, const char *addr, const char *vendor, const char *device,
		    const char *class)
{
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", root, addr);
	mkdir_p(dir);
	if (vendor)
		write_file(dir, "vendor", vendor);
	if (device)
		write_file(dir, "device", device);
	if (class)
		write_file(dir, "class", class);
}

/* The kernel's layout: the function lives in devices/, bus/ has a symlink. */
static void add_pci_linked(const char *root, const char *addr, const char *vendor,
			   const char *device, const char *class)
{
	char dir[1024], link[1024], target[1024];

	snprintf(dir, sizeof(dir), "%s/devices/pci0000:00/%s", root, addr);
	mkdir_p(dir);
	write_file(dir, "vendor", vendor);
	write_file(dir, "device", device);
	write_file(dir, "class", class);
	snprintf(link, sizeof(link), "%s/bus/pci/devices/%s", root, addr);
	snprintf(target, sizeof(target), "../../../devices/pci0000:00/%s", addr);
	CHECK_INT(symlink(target, link), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_root(const char *root)
{
	if (root[0])
		CHECK_INT(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* A root with one Intel AHCI controller, the most common platform. */
static char *make_ahci_root(char *buf, size_t len)
{
	make_root(buf, len);
	add_pci(buf, "0000:00:17.0", "0x8086\n", "0xa352\n", "0x010601\n");
	return buf;
}

/* ---- probe: controllers ---------------------------------------------------------- */

static void test_no_intel_controller(void)
{
	char root[64];
	struct imsm_platform p;

	env_reset();
	make_root(root, sizeof(root));
	CHECK_INT(imsm_platform_probe(root, &p), -ENODEV);		     /* empty bus */
	add_pci(root, "0000:00:03.0", "0x1af4\n", "0x1001\n", "0x010000\n"); /* virtio */
	add_pci(root, "0000:00:02.0", "0x1b36\n", "0x000d\n", "0x010802\n"); /* non-Intel NVMe */
	add_pci(root, "0000:00:19.0", "0x8086\n", "0x15b8\n", "0x020000\n"); /* Intel NIC */
	add_pci(root, "0000:00:1f.0", "0x8086\n", "0xa305\n", "0x060100\n"); /* Intel ISA */
	memset(&p, 0x5A, sizeof(p));
	CHECK_INT(imsm_platform_probe(root, &p), -ENODEV);
	CHECK_INT(p.n_hbas, 0x5A5A5A5A); /* untouched on failure */

	/* IMSM_TEST_OROM needs a real Intel controller too */
	setenv("IMSM_TEST_OROM", "1", 1);
	CHECK_INT(imsm_platform_probe(root, &p), -ENODEV);
	env_reset();
	remove_root(root);
}

static void test_missing_sysfs(void)
{
	char root[64], bad[128];
	struct imsm_platform p;

	env_reset();
	make_root(root, sizeof(root));
	snprintf(bad, sizeof(bad), "%s/nonexistent", root);
	CHECK_INT(imsm_platform_probe(bad, &p), -ENOENT);
	/* a sysroot longer than any path */
	{
		char huge[5000];

		memset(huge, 'a', sizeof(huge) - 1);
		huge[0] = '/';
		huge[sizeof(huge) - 1] = '\0';
		CHECK_INT(imsm_platform_probe(huge, &p), -ENAMETOOLONG);
	}
	/* the default root: whatever this host has, but a defined answer */
	{
		int r = imsm_platform_probe(NULL, &p);

		CHECK(r == 0 || r == -ENODEV || r == -ENOENT);
	}
	remove_root(root);
}

static void test_ahci_caps_unknown(void)
{
	char root[64], text[200];
	struct imsm_platform p;

	env_reset();
	make_ahci_root(root, sizeof(root));
	CHECK_INT(imsm_platform_probe(root, &p), 0);
	CHECK_INT(p.source, IMSM_PLATFORM_CAPS_UNKNOWN);
	CHECK(!p.has_limits);
	CHECK_INT(p.n_hbas, 1);
	CHECK_INT(p.n_hbas_found, 1);
	CHECK_STR(p.hba[0].pci_addr, "0000:00:17.0");
	CHECK_INT(p.hba[0].type, IMSM_HBA_SATA);
	CHECK_INT(p.hba[0].device_id, 0xa352);
	CHECK_INT(p.hba[0].class_code, 0x010601);
	CHECK_INT(p.orom.rlc, 0);
	/* no table: no limits at all, whatever is asked */
	CHECK_INT(imsm_platform_check_volume(&p, 5, 40, 3, 9), 0);
	CHECK_INT(imsm_platform_check_volume(&p, 6, 4, 64, 1), 0);
	CHECK(!imsm_platform_has_chunk(&p, 64));
	CHECK_INT(imsm_platform_max_chunk_kib(&p), 0);
	CHECK_INT(imsm_platform_levels_text(&p, text, sizeof(text)), 0);
	CHECK_STR(text, "");
	CHECK_INT(imsm_platform_chunks_text(&p, text, sizeof(text)), 0);
	CHECK_STR(text, "");
	CHECK_INT(imsm_platform_describe(&p, 5, 40, 3, 9, text, sizeof(text)), 0);
	CHECK_STR(text, "no limits: Intel controller found, capabilities unknown");
	remove_root(root);
}

static void test_controller_types(void)
{
	char root[64];
	struct imsm_platform p;

	env_reset();
	make_root(root, sizeof(root));
	add_pci(root, "0000:00:1f.2", "0x8086\n", "0x2822\n", "0x010400\n");  /* RST RAID */
	add_pci(root, "0000:00:17.0", "0x8086\n", "0xa352\n", "0x010601\n");  /* AHCI */
	add_pci(root, "0000:3b:00.0", "0x8086\n", "0x0a54\n", "0x010802\n");  /* Intel NVMe */
	add_pci(root, "0000:5d:05.5", "0x8086\n", "0x201d\n", "0x010400\n");  /* VMD, RAID class */
	add_pci(root, "10000:e0:00.0", "0x8086\n", "0x9a0b\n", "0x010400\n"); /* VMD domain */
	add_pci(root, "0000:00:0e.0", "0x8086\n", "0xa77f\n", "0x088000\n");  /* VMD, other class */
	CHECK_INT(imsm_platform_probe(root, &p), 0);
	CHECK_INT(p.n_hbas, 6);
	CHECK_INT(p.n_hbas_found, 6);
	/* sorted by address, whatever readdir() said */
	CHECK_STR(p.hba[0].pci_addr, "0000:00:0e.0");
	CHECK_INT(p.hba[0].type, IMSM_HBA_VMD);
	CHECK_INT(p.hba[0].class_code, 0x088000);
	CHECK_STR(p.hba[1].pci_addr, "0000:00:17.0");
	CHECK_INT(p.hba[1].type, IMSM_HBA_SATA);
	CHECK_STR(p.hba[2].pci_addr, "0000:00:1f.2");
	CHECK_INT(p.hba[2].type, IMSM_HBA_RAID);
	CHECK_STR(p.hba[3].pci_addr, "0000:3b:00.0");
	CHECK_INT(p.hba[3].type, IMSM_HBA_NVME);
	CHECK_STR(p.hba[4].pci_addr, "0000:5d:05.5");
	CHECK_INT(p.hba[4].type, IMSM_HBA_VMD);
	CHECK_STR(p.hba[5].pci_addr, "10000:e0:00.0");
	CHECK_INT(p.hba[5].type, IMSM_HBA_VMD);
	CHECK_INT(p.hba[5].device_id, 0x9a0b);
	remove_root(root);
}

/* The kernel's bus/pci/devices holds symlinks; broken entries are skipped. */
static void test_symlinks_and_broken_entries(void)
{
	char root[64], long_name[80];
	struct imsm_platform p;

	env_reset();
	make_root(root, sizeof(root));
	add_pci_linked(root, "0000:00:1f.2", "0x8086\n", "0x2822\n", "0x010400\n");
	add_pci(root, "0000:00:01.0", NULL, "0x2822\n", "0x010400\n");	    /* no vendor */
	add_pci(root, "0000:00:02.0", "0x8086\n", NULL, "0x010400\n");	    /* no device */
	add_pci(root, "0000:00:03.0", "0x8086\n", "0x2822\n", NULL);	    /* no class */
	add_pci(root, "0000:00:04.0", "intel\n", "0x2822\n", "0x010400\n"); /* garbage */
	add_pci(root, "0000:00:05.0", "0x8086\n", "0x2822\n", "zzz\n");	    /* garbage */
	add_pci(root, "0000:00:06.0", "0x18086000000000000000\n", "0x2822\n", "0x010400\n");
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	add_pci(root, long_name, "0x8086\n", "0x2822\n", "0x010400\n"); /* not an address */
	CHECK_INT(imsm_platform_probe(root, &p), 0);
	CHECK_INT(p.n_hbas, 1);
	CHECK_INT(p.n_hbas_found, 1);
	CHECK_STR(p.hba[0].pci_addr, "0000:00:1f.2");
	CHECK_INT(p.hba[0].type, IMSM_HBA_RAID);
	remove_root(root);
}

/*
 * More controllers than fit: the lowest addresses are kept, all are counted.
 * Created in a scrambled order (7 is prime to 48), so that whatever order
 * readdir() returns, some arrive after the table is full both below and
 * above its last entry.
 */
static void test_many_controllers(void)
{
	char root[64], addr[32];
	struct imsm_platform p;
	const unsigned int n = 48;

	env_reset();
	make_root(root, sizeof(root));
	for (unsigned int i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "0000:%02x:00.0", (i * 7) % n);
		add_pci(root, addr, "0x8086\n", "0x2822\n", "0x010400\n");
	}
	CHECK_INT(imsm_platform_probe(root, &p), 0);
	CHECK_INT(p.n_hbas, IMSM_PLATFORM_MAX_HBAS);
	CHECK_INT(p.n_hbas_found, n);
	for (unsigned int i = 0; i < p.n_hbas; i++) {
		snprintf(addr, sizeof(addr), "0000:%02x:00.0", i);
		CHECK_STR(p.hba[i].pci_addr, addr);
	}
	remove_root(root);
}

/* ---- probe: environment ---------------------------------------------------------- */

static void test_no_platform(void)
{
	char root[64], text[200];
	struct imsm_platform p;

	env_reset();
	make_root(root, sizeof(root));
	setenv("IMSM_NO_PLATFORM", "1", 1);
	/* no controllers, and not even a sysfs: detection is skipped */
	CHECK_INT(imsm_platform_probe("/nonexistent-sysfs", &p), 0);
	CHECK_INT(p.source, IMSM_PLATFORM_DISABLED);
	CHECK(!p.has_limits);
	CHECK_INT(p.n_hbas, 0);
	CHECK_INT(imsm_platform_check_volume(&p, 5, 32, 3, 7), 0);
	CHECK_INT(imsm_platform_describe(&p, 5, 32, 3, 7, text, sizeof(text)), 0);
	CHECK_STR(text, "no limits: no platform checks (IMSM_NO_PLATFORM=1)");

	/* it wins over IMSM_TEST_OROM */
	setenv("IMSM_TEST_OROM", "1", 1);
	CHECK_INT(imsm_platform_probe(root, &p), 0);
	CHECK_INT(p.source, IMSM_PLATFORM_DISABLED);

	/* only "reads as 1" counts, as upstream's atoi() */
	unsetenv("IMSM_TEST_OROM");
	setenv("IMSM_NO_PLATFORM", "01", 1);
	CHECK_INT(imsm_platform_probe(root, &p), 0);
	setenv("IMSM_NO_PLATFORM", "1abc", 1);
	CHECK_INT(imsm_platform_probe(root, &p), 0);
	setenv("IMSM_NO_PLATFORM", "0", 1);
	CHECK_INT(imsm_platform_probe(root, &p), -ENODEV);
	setenv("IMSM_NO_PLATFORM", "yes", 1);
	CHECK_INT(imsm_platform_probe(root, &p), -ENODEV);
	setenv("IMSM_NO_PLATFORM", "", 1);
	CHECK_INT(imsm_platform_probe(root, &p), -ENODEV);
	env_reset();
	remove_root(root);
}

static void test_test_orom_table(void)
{
	char root[64], text[200];
	struct imsm_platform p;

	env_reset();
	make_ahci_root(root, sizeof(root));
	setenv("IMSM_TEST_OROM", "1", 1);
	CHECK_INT(imsm_platform_probe(root, &p), 0);
	CHECK_INT(p.source, IMSM_PLATFORM_TEST_TABLE);
	CHECK(p.has_limits);
	CHECK_INT(p.n_hbas, 1);
	CHECK_STR(p.orom.signature, "$VER");
	CHECK_INT(p.orom.rlc, IMSM_RLC_RAID0 | IMSM_RLC_RAID1 | IMSM_RLC_RAID10 | IMSM_RLC_RAID5);
	CHECK_INT(p.orom.sss, 0x07FE); /* 4 KiB (bit 1) .. 2 MiB (bit 10) */
	CHECK_INT(p.orom.dpa, 6);
	CHECK_INT(p.orom.tds, 6);
	CHECK_INT(p.orom.vpa, 2);
	CHECK_INT(p.orom.vphba, 4);
	CHECK_INT(p.orom.attr, 0x80000017u);
	CHECK(!(p.orom.attr & (IMSM_OROM_ATTR_2TB | IMSM_OROM_ATTR_2TB_DISK)));
	CHECK_INT(p.orom.major_ver, 0);
	CHECK_INT(imsm_platform_max_chunk_kib(&p), 2048);
	CHECK_INT(imsm_platform_levels_text(&p, text, sizeof(text)), 25);
	CHECK_STR(text, "raid0 raid1 raid5 raid10 ");
	CHECK_INT(imsm_platform_chunks_text(&p, text, sizeof(text)), 39);
	CHECK_STR(text, "4k 8k 16k 32k 64k 128k 256k 512k 1M 2M ");
	CHECK_INT(imsm_platform_describe(&p, 5, 3, 128, 1, text, sizeof(text)), 0);
	CHECK_STR(text, "within the limits of the test capability table (IMSM_TEST_OROM=1)");
	env_reset();
	remove_root(root);
}

static void test_test_orom_noraid5(void)
{
	char root[64], text[200];
	struct imsm_platform p;

	env_reset();
	make_ahci_root(root, sizeof(root));
	/* NORAID5 alone changes nothing: there is no table to take RAID5 from */
	setenv("IMSM_TEST_OROM_NORAID5", "1", 1);
	CHECK_INT(imsm_platform_probe(root, &p), 0);
	CHECK_INT(p.source, IMSM_PLATFORM_CAPS_UNKNOWN);
	CHECK(!p.has_limits);

	setenv("IMSM_TEST_OROM", "1", 1);
	CHECK_INT(imsm_platform_probe(root, &p), 0);
	CHECK_INT(p.source, IMSM_PLATFORM_TEST_TABLE);
	CHECK_INT(p.orom.rlc, IMSM_RLC_RAID0 | IMSM_RLC_RAID1 | IMSM_RLC_RAID10);
	CHECK_INT(p.orom.attr, 0x80000007u);
	CHECK_INT(imsm_platform_check_volume(&p, 5, 3, 128, 1), -EINVAL);
	CHECK_INT(imsm_platform_check_volume(&p, 10, 4, 128, 1), 0);
	CHECK_INT(imsm_platform_levels_text(&p, text, sizeof(text)), 19);
	CHECK_STR(text, "raid0 raid1 raid10 ");
	CHECK_INT(imsm_platform_describe(&p, 5, 3, 128, 1, text, sizeof(text)), -EINVAL);
	CHECK_STR(text,
		  "platform does not support raid5 with 3 disks (supported: raid0 raid1 raid10)");
	env_reset();
	remove_root(root);
}

/* ---- limits ------------------------------------------------------------------------ */

/* The test table without a sysfs tree: the limit checks only read the struct. */
static struct imsm_platform test_table(void)
{
	struct imsm_platform p;
	char root[64];

	env_reset();
	memset(&p, 0, sizeof(p));
	make_ahci_root(root, sizeof(root));
	setenv("IMSM_TEST_OROM", "1", 1);
	CHECK_INT(imsm_platform_probe(root, &p), 0);
	env_reset();
	remove_root(root);
	return p;
}

static void test_limit_levels(void)
{
	struct imsm_platform p = test_table();

	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 128, 1), 0);
	CHECK_INT(imsm_platform_check_volume(&p, 1, 2, 0, 1), 0);
	CHECK_INT(imsm_platform_check_volume(&p, 5, 3, 64, 1), 0);
	CHECK_INT(imsm_platform_check_volume(&p, 10, 4, 64, 1), 0);
	/* raid1 over more than two disks is RAID1E, not in this table */
	CHECK_INT(imsm_platform_check_volume(&p, 1, 3, 0, 1), -EINVAL);
	/* levels IMSM cannot do at all */
	CHECK_INT(imsm_platform_check_volume(&p, 6, 4, 64, 1), -EINVAL);
	CHECK_INT(imsm_platform_check_volume(&p, 4, 3, 64, 1), -EINVAL);
	CHECK_INT(imsm_platform_check_volume(&p, -1, 2, 64, 1), -EINVAL);
	/* a table that has RAID1E, and one without RAID0 */
	p.orom.rlc |= IMSM_RLC_RAID1E;
	CHECK_INT(imsm_platform_check_volume(&p, 1, 3, 0, 1), 0);
	p.orom.rlc &= (uint16_t)~IMSM_RLC_RAID0;
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 128, 1), -EINVAL);
}

static void test_limit_chunks(void)
{
	struct imsm_platform p = test_table();

	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 4, 1), 0);
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 2048, 1), 0);
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 0, 1), 0); /* none given */
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 2, 1), -EDOM);
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 4096, 1), -EDOM);
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 96, 1), -EDOM);	     /* not 2^n */
	CHECK_INT(imsm_platform_check_volume(&p, 5, 3, 1, 1), -EDOM);	     /* below bit 0 */
	CHECK_INT(imsm_platform_check_volume(&p, 5, 3, 1u << 20, 1), -EDOM); /* past bit 15 */
	/* raid1's strip is fixed by the format: the chunk is not checked */
	CHECK_INT(imsm_platform_check_volume(&p, 1, 2, 3, 1), 0);
	CHECK(imsm_platform_has_chunk(&p, 64));
	CHECK(!imsm_platform_has_chunk(&p, 65));
	/* the largest strip of another mask, and an empty mask */
	p.orom.sss = 0x8001;
	CHECK_INT(imsm_platform_max_chunk_kib(&p), 65536);
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 65536, 1), 0);
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 2, 1), 0);
	p.orom.sss = 0;
	CHECK_INT(imsm_platform_max_chunk_kib(&p), 0);
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 64, 1), -EDOM);
}

static void test_limit_members_and_volumes(void)
{
	struct imsm_platform p = test_table();

	CHECK_INT(imsm_platform_check_volume(&p, 5, 6, 64, 1), 0); /* dpa 6 */
	CHECK_INT(imsm_platform_check_volume(&p, 5, 7, 64, 1), -E2BIG);
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 64, 2), 0); /* vpa 2 */
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 64, 3), -E2BIG);
	/* nonsense requests, with and without limits */
	CHECK_INT(imsm_platform_check_volume(&p, 0, 0, 64, 1), -EINVAL);
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 64, 0), -EINVAL);
	p.has_limits = false;
	CHECK_INT(imsm_platform_check_volume(&p, 0, -1, 64, 1), -EINVAL);
	CHECK_INT(imsm_platform_check_volume(&p, 0, 2, 64, -3), -EINVAL);
}

/* The first violated limit wins: level, chunk, members, volumes. */
static void test_limit_order(void)
{
	struct imsm_platform p = test_table();

	CHECK_INT(imsm_platform_check_volume(&p, 6, 9, 3, 5), -EINVAL);
	CHECK_INT(imsm_platform_check_volume(&p, 5, 9, 3, 5), -EDOM);
	CHECK_INT(imsm_platform_check_volume(&p, 5, 9, 64, 5), -E2BIG);
	CHECK_INT(imsm_platform_check_volume(&p, 5, 3, 64, 5), -E2BIG);
	CHECK_INT(imsm_platform_check_volume(&p, 0, 0, 3, 5), -EINVAL);
}

/* ---- text ------------------------------------------------------------------------- */

static void check_describe(const struct imsm_platform *p, int level, int n, unsigned int chunk,
			   int vols, int want_rc, const char *want)
{
	char text[200];

	memset(text, 'x', sizeof(text));
	CHECK_INT(imsm_platform_describe(p, level, n, chunk, vols, text, sizeof(text)), want_rc);
	CHECK_STR(text, want);
	CHECK_INT(imsm_platform_check_volume(p, level, n, chunk, vols), want_rc);
}

static void test_describe(void)
{
	struct imsm_platform p = test_table();
	char small[12];

	check_describe(&p, 6, 4, 64, 1, -EINVAL,
		       "platform does not support raid6 with 4 disks "
		       "(supported: raid0 raid1 raid5 raid10)");
	check_describe(&p, 1, 3, 0, 1, -EINVAL,
		       "platform does not support raid1 with 3 disks "
		       "(supported: raid0 raid1 raid5 raid10)");
	check_describe(&p, 0, 2, 8192, 1, -EDOM,
		       "platform does not support a chunk size of 8192 KiB "
		       "(supported: 4k 8k 16k 32k 64k 128k 256k 512k 1M 2M)");
	check_describe(&p, 5, 8, 64, 1, -E2BIG,
		       "platform allows at most 6 disks per volume, 8 requested");
	check_describe(&p, 0, 2, 64, 3, -E2BIG,
		       "platform allows at most 2 volumes per container, this would be volume 3");
	check_describe(&p, 0, 0, 64, 1, -EINVAL, "invalid volume request: 0 members, 1 volumes");

	/* empty masks still give a readable sentence */
	p.orom.rlc = 0;
	check_describe(&p, 0, 2, 64, 1, -EINVAL,
		       "platform does not support raid0 with 2 disks (supported: none)");
	p.orom.rlc = IMSM_RLC_RAID0;
	p.orom.sss = 0;
	check_describe(&p, 0, 2, 64, 1, -EDOM,
		       "platform does not support a chunk size of 64 KiB (supported: none)");

	/* cut to fit, always terminated; len 0 writes nothing */
	CHECK_INT(imsm_platform_describe(&p, 0, 2, 64, 1, small, sizeof(small)), -EDOM);
	CHECK_STR(small, "platform do");
	small[0] = '!';
	CHECK_INT(imsm_platform_describe(&p, 0, 2, 64, 1, small, 0), -EDOM);
	CHECK_INT(small[0], '!');
}

static void test_list_text_truncation(void)
{
	struct imsm_platform p = test_table();
	char small[8];

	p.orom.rlc |= IMSM_RLC_RAID1E | IMSM_RLC_CNG;
	CHECK_INT(imsm_platform_levels_text(&p, small, sizeof(small)), 32);
	CHECK_STR(small, "raid0 r");
	CHECK_INT(imsm_platform_chunks_text(&p, small, sizeof(small)), 39);
	CHECK_STR(small, "4k 8k 1");
	CHECK_INT(imsm_platform_levels_text(&p, NULL, 0), 32);
	CHECK_INT(imsm_platform_chunks_text(&p, NULL, 0), 39);
	p.orom.sss = 0xFFFF;
	CHECK_INT(imsm_platform_chunks_text(&p, NULL, 0), 60); /* 2k .. 64M */
}

static void test_names(void)
{
	CHECK_STR(imsm_platform_source_text(IMSM_PLATFORM_DISABLED),
		  "no platform checks (IMSM_NO_PLATFORM=1)");
	CHECK_STR(imsm_platform_source_text(IMSM_PLATFORM_TEST_TABLE),
		  "test capability table (IMSM_TEST_OROM=1)");
	CHECK_STR(imsm_platform_source_text(IMSM_PLATFORM_CAPS_UNKNOWN),
		  "Intel controller found, capabilities unknown");
	CHECK_STR(imsm_platform_source_text((enum imsm_platform_source)42),
		  "unknown platform source");
	CHECK_STR(imsm_hba_type_text(IMSM_HBA_RAID), "RAID");
	CHECK_STR(imsm_hba_type_text(IMSM_HBA_SATA), "SATA");
	CHECK_STR(imsm_hba_type_text(IMSM_HBA_NVME), "NVMe");
	CHECK_STR(imsm_hba_type_text(IMSM_HBA_VMD), "VMD");
	CHECK_STR(imsm_hba_type_text((enum imsm_hba_type)42), "unknown");
}

int main(void)
{
	RUN(test_no_intel_controller);
	RUN(test_missing_sysfs);
	RUN(test_ahci_caps_unknown);
	RUN(test_controller_types);
	RUN(test_symlinks_and_broken_entries);
	RUN(test_many_controllers);
	RUN(test_no_platform);
	RUN(test_test_orom_table);
	RUN(test_test_orom_noraid5);
	RUN(test_limit_levels);
	RUN(test_limit_chunks);
	RUN(test_limit_members_and_volumes);
	RUN(test_limit_order);
	RUN(test_describe);
	RUN(test_list_text_truncation);
	RUN(test_names);
	return UNIT_DONE();
}
