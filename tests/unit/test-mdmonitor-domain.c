/*
 * test-mdmonitor-domain.c: which containers `mdadm --monitor` may move a
 * spare between: domain sets, POLICY lines, /dev/disk/by-path names and
 * the controller a disk hangs off (on a sysfs tree made up here).
 */
#include "mdmonitor.h"
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/test-mdmonitor-domain-XXXXXX";

/* mkdir -p ROOT/rel */
static void mkdirs(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	for (char *p = path + strlen(tmp) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	mkdir(path, 0755);
}

static void link_at(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	CHECK(symlink(target, path) == 0);
}

static struct mon_domains set(const char *a, const char *b)
{
	struct mon_domains d = {0};

	mon_domains_add(&d, a);
	mon_domains_add(&d, b);
	return d;
}

static void test_cover(void)
{
	struct mon_domains none = {0}, g = set("g1", NULL), gs = set("g1", "shelf");
	struct mon_domains d = {0};
	char big[MON_DOMAIN_MAX + 8];

	CHECK(!mon_domains_cover(&gs, &none)); /* a container in no domain takes nothing */
	CHECK(mon_domains_cover(&g, &g));
	CHECK(mon_domains_cover(&gs, &g));
	CHECK(!mon_domains_cover(&g, &gs)); /* the spare is not in shelf */
	mon_domains_add(&d, "g1");
	mon_domains_add(&d, "g1");
	mon_domains_add(&d, "");
	mon_domains_add(&d, NULL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mon_domains_add(&d, big);
	CHECK_INT(d.n, 1);
	for (int i = 0; i < MON_MAX_DOMAINS + 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "d%d", i);
		mon_domains_add(&d, name);
	}
	CHECK_INT(d.n, MON_MAX_DOMAINS);
}

static void test_policy_lines(void)
{
	char *lines[] = {
	    "POLICY domain=shelf metadata=imsm action=spare",
	    "POLICY domain=native metadata=1.2 action=spare",
	    "POLICY domain=front path=pci-0000:00:1f.2-ata-[12]* action=spare",
	    "PART-POLICY domain=parts metadata=imsm",
	    "POLICY domain=parted type=part",
	    "policy DOMAIN=any type=disk",
	    "POLICY action=spare path=pci-*",
	    "POLICY domain=toolong path=" /* a path over the word's bound */
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	};
	const char *ata1[] = {"pci-0000:00:1f.2-ata-1", "pci-0000:00:1f.2-ata-1.0"};
	const char *ata3[] = {"pci-0000:00:1f.2-ata-3"};
	struct mon_domains d = {0};

	mon_disk_domains(lines, 8, ata1, 2, &d);
	CHECK_INT(d.n, 3);
	CHECK_STR(d.name[0], "shelf");
	CHECK_STR(d.name[1], "front");
	CHECK_STR(d.name[2], "any");
	memset(&d, 0, sizeof(d));
	mon_disk_domains(lines, 8, ata3, 1, &d);
	CHECK_INT(d.n, 2); /* not front */
	memset(&d, 0, sizeof(d));
	mon_disk_domains(lines, 8, NULL, 0, &d); /* a loop device: no by-path name */
	CHECK_INT(d.n, 2);
	CHECK_STR(d.name[0], "shelf");
	CHECK_STR(d.name[1], "any");
}

static void test_by_path(void)
{
	char dir[512], names[4][MON_BY_PATH_MAX];

	mkdirs("dev/disk/by-path");
	link_at("../../sdb", "dev/disk/by-path/pci-0000:00:1f.2-ata-1");
	link_at("../../sdb", "dev/disk/by-path/pci-0000:00:1f.2-ata-1.0");
	link_at("../../sdc", "dev/disk/by-path/pci-0000:00:1f.2-ata-2");
	link_at("../../sdb1", "dev/disk/by-path/pci-0000:00:1f.2-ata-1-part1");
	snprintf(dir, sizeof(dir), "%s/dev/disk/by-path", tmp);
	CHECK_INT(mon_disk_by_path(dir, "sdb", names, 4), 2);
	CHECK(strncmp(names[0], "pci-0000:00:1f.2-ata-1", 22) == 0);
	CHECK(strncmp(names[1], "pci-0000:00:1f.2-ata-1", 22) == 0);
	CHECK_INT(mon_disk_by_path(dir, "sdc", names, 4), 1);
	CHECK_STR(names[0], "pci-0000:00:1f.2-ata-2");
	CHECK_INT(mon_disk_by_path(dir, "sdb", names, 1), 1); /* bounded */
	CHECK_INT(mon_disk_by_path(dir, "loop0", names, 4), 0);
	snprintf(dir, sizeof(dir), "%s/dev/disk/by-nothing", tmp);
	CHECK_INT(mon_disk_by_path(dir, "sdb", names, 4), 0); /* no udev: no names */
}

/* A disk at sysfs path rel, with class/block/NAME pointing at it. */
static void disk_at(const char *rel, const char *name)
{
	char target[512], link[128], dir[512];

	snprintf(dir, sizeof(dir), "sys/%s", rel);
	mkdirs(dir);
	snprintf(target, sizeof(target), "../../%s", rel);
	snprintf(link, sizeof(link), "sys/class/block/%s", name);
	link_at(target, link);
}

static void test_controller(void)
{
	char sys[512], buf[64];

	mkdirs("sys/class/block");
	mkdirs("sys/bus/pci/drivers");
	/* SATA behind AHCI */
	disk_at("devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda", "sda");
	link_at("../../../bus/pci/drivers/ahci", "sys/devices/pci0000:00/0000:00:1f.2/driver");
	/* NVMe in a VMD domain: its own function's driver is nvme, VMD's above */
	disk_at("devices/pci0000:00/0000:00:0e.0/pci10000:00/10000:00:02.0/10000:01:00.0/nvme/"
		"nvme0/nvme0n1",
		"nvme0n1");
	link_at("../../../bus/pci/drivers/vmd", "sys/devices/pci0000:00/0000:00:0e.0/driver");
	link_at("../../../../../bus/pci/drivers/pcieport",
		"sys/devices/pci0000:00/0000:00:0e.0/pci10000:00/10000:00:02.0/driver");
	link_at(
	    "../../../../../../bus/pci/drivers/nvme",
	    "sys/devices/pci0000:00/0000:00:0e.0/pci10000:00/10000:00:02.0/10000:01:00.0/driver");
	/* NVMe behind a root port */
	disk_at("devices/pci0000:00/0000:00:1d.0/0000:02:00.0/nvme/nvme1/nvme1n1", "nvme1n1");
	link_at("../../../bus/pci/drivers/pcieport", "sys/devices/pci0000:00/0000:00:1d.0/driver");
	link_at("../../../../bus/pci/drivers/nvme",
		"sys/devices/pci0000:00/0000:00:1d.0/0000:02:00.0/driver");
	/* a loop device */
	disk_at("devices/virtual/block/loop0", "loop0");

	snprintf(sys, sizeof(sys), "%s/sys", tmp);
	CHECK_INT(mon_disk_controller(sys, "sda", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "ahci");
	CHECK_INT(mon_disk_controller(sys, "nvme0n1", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "vmd");
	CHECK_INT(mon_disk_controller(sys, "nvme1n1", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "nvme");
	CHECK_INT(mon_disk_controller(sys, "loop0", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "none");
	CHECK_INT(mon_disk_controller(sys, "sdz", buf, sizeof(buf)), -ENOENT);
	CHECK_INT(mon_disk_controller(sys, "../block/sda", buf, sizeof(buf)), -EINVAL);
	CHECK_INT(mon_disk_controller(sys, "", buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_cover);
	RUN(test_policy_lines);
	RUN(test_by_path);
	RUN(test_controller);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
	}
	return UNIT_DONE();
}
