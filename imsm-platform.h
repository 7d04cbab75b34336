/*
 * imsm-platform.h: what the Intel platform under the disks allows
 * (imsm-format.md §5.9).
 *
 * Owns: finding Intel storage controllers in sysfs, the environment
 * switches that replace or disable platform detection (IMSM_NO_PLATFORM,
 * IMSM_TEST_OROM, IMSM_TEST_OROM_NORAID5), the capability table ("OROM")
 * as decoded numbers, and checking a volume request against its limits.
 *
 * Never: prints, writes anything, decides policy.  It returns facts (which
 * controllers, which limits, or that there are none) and whether a request
 * fits them; whether a refusal is fatal, and the default chunk size, are
 * the caller's decisions.
 *
 * Not done (FIXME): reading the real option ROM (/dev/mem) or the EFI
 * variables that hold the capability table.  A found Intel controller
 * without a table is reported as "capabilities unknown" and imposes no
 * limits.  Also not honoured: the kernel command line mdadm.imsm.test=1,
 * IMSM_TEST_AHCI_EFI / IMSM_TEST_SCU_EFI, SAS (SCU) controllers.
 */
#ifndef IMSM_PLATFORM_H
#define IMSM_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define IMSM_PLATFORM_MUST_CHECK __attribute__((warn_unused_result))

#define IMSM_PCI_VENDOR_INTEL 0x8086
#define IMSM_PLATFORM_MAX_HBAS 16

/* §5.9 rlc: RAID levels the platform can create. */
#define IMSM_RLC_RAID0 0x0001u
#define IMSM_RLC_RAID1 0x0002u
#define IMSM_RLC_RAID10 0x0004u
#define IMSM_RLC_RAID1E 0x0008u /* RAID1 over more than 2 disks */
#define IMSM_RLC_RAID5 0x0010u
#define IMSM_RLC_CNG 0x0020u

/* §5.9 attr bits beyond the rlc mirror in the low bits. */
#define IMSM_OROM_ATTR_2TB_DISK 0x04000000u
#define IMSM_OROM_ATTR_2TB 0x20000000u
#define IMSM_OROM_ATTR_CHECKSUM_VERIFY 0x80000000u

/*
 * The capability table (§5.9, 38 packed bytes in the OROM / EFI variable),
 * decoded; only numbers, no offsets, since we never read the raw table yet:
 *
 *   @0 signature[4] "$VER" / "$NVM" / "$VMD"   @4 table_ver major, minor u8
 *   @6 major/minor/hotfix/build u16             @14 len u8, @15 checksum u8
 *   @16 rlc u16   RAID levels (IMSM_RLC_*)
 *   @18 sss u16   strip sizes: bit k = 2^(k+1) KiB (bit 0 2 KiB .. bit 15 64 MiB)
 *   @20 dpa u16   disks per array        @22 tds u16  total disks
 *   @24 vpa u8    volumes per array (container)   @25 vphba u8 per controller
 *   @26 attr u32  @30 capabilities u32  @34 driver_features u32
 */
struct imsm_orom {
	char signature[5]; /* NUL terminated */
	uint16_t major_ver, minor_ver, hotfix_ver, build;
	uint16_t rlc;
	uint16_t sss;
	uint16_t dpa;
	uint16_t tds;
	uint8_t vpa;
	uint8_t vphba;
	uint32_t attr;
	uint32_t capabilities;
	uint32_t driver_features;
};

/* What kind of Intel storage controller a PCI function is. */
enum imsm_hba_type {
	IMSM_HBA_RAID, /* class 0x0104xx: SATA in RAID mode */
	IMSM_HBA_SATA, /* class 0x0106xx: AHCI */
	IMSM_HBA_NVME, /* class 0x0108xx: an Intel NVMe controller */
	IMSM_HBA_VMD,  /* Volume Management Device, by device id (any class) */
};

struct imsm_hba {
	char pci_addr[32]; /* sysfs name, "0000:00:1f.2" */
	uint16_t device_id;
	uint32_t class_code; /* 24 bits: class, subclass, prog-if */
	enum imsm_hba_type type;
};

/* Where the answer came from; decides whether limits exist. */
enum imsm_platform_source {
	IMSM_PLATFORM_DISABLED,	    /* IMSM_NO_PLATFORM=1: no platform checks */
	IMSM_PLATFORM_TEST_TABLE,   /* IMSM_TEST_OROM=1: the fake table of §5.9 */
	IMSM_PLATFORM_CAPS_UNKNOWN, /* Intel controller found, table not read */
};

struct imsm_platform {
	enum imsm_platform_source source;
	bool has_limits;	   /* orom is valid and its limits apply */
	struct imsm_orom orom;	   /* zeroed unless has_limits */
	unsigned int n_hbas;	   /* controllers in hba[], sorted by address */
	unsigned int n_hbas_found; /* may exceed IMSM_PLATFORM_MAX_HBAS */
	struct imsm_hba hba[IMSM_PLATFORM_MAX_HBAS];
};

/*
 * Find the platform.  sysroot is the sysfs mount ("/sys" when NULL); the
 * PCI functions are read from <sysroot>/bus/pci/devices/<addr>/{vendor,
 * device,class}.  Reads the environment, in this order:
 *
 *   IMSM_NO_PLATFORM=1   source DISABLED, no limits, sysfs not read;
 *   IMSM_TEST_OROM=1     needs an Intel controller; source TEST_TABLE with
 *                        RAID0/1/10/5 (no RAID5 with IMSM_TEST_OROM_NORAID5=1),
 *                        strips 4 KiB-2 MiB, dpa 6, tds 6, vpa 2, vphba 4,
 *                        attr = rlc | checksum-verify (no 2 TB);
 *   otherwise            CAPS_UNKNOWN when an Intel controller exists.
 *
 * A variable counts as set when its value reads as the number 1 (as
 * upstream's check: "1", "01", "1abc"; not "yes").  Returns 0 and fills
 * *ret, -ENODEV when no Intel storage controller exists (also under
 * IMSM_TEST_OROM), or -errno when <sysroot>/bus/pci/devices cannot be read
 * (-ENOENT when it does not exist).  *ret is untouched on failure.
 */
int imsm_platform_probe(const char *sysroot, struct imsm_platform *ret) IMSM_PLATFORM_MUST_CHECK;

/*
 * The same without IMSM_NO_PLATFORM: the controllers and tables that are
 * there (--detail-platform shows the hardware whatever the switch says,
 * as upstream's does).
 */
int imsm_platform_probe_hw(const char *sysroot, struct imsm_platform *ret)
	IMSM_PLATFORM_MUST_CHECK;

/*
 * Check a volume request against the limits of p:
 *   md_level    0, 1, 5 or 10; raid1 with more than 2 members needs RAID1E
 *   n_members   members of the new volume (> 0)
 *   chunk_kib   requested chunk, 0 = none given; not checked for raid1,
 *               whose strip is fixed by the format
 *   n_volumes   volumes the container holds with the new one (> 0)
 * Returns 0 when p has no limits or the request fits, else the first
 * violated limit in this order:
 *   -EINVAL  n_members or n_volumes < 1; level not in rlc (or not IMSM)
 *   -EDOM    chunk not a strip size of sss
 *   -E2BIG   n_members > dpa, or n_volumes > vpa
 * imsm_platform_describe() says which.
 */
int imsm_platform_check_volume(const struct imsm_platform *p, int md_level, int n_members,
			       unsigned int chunk_kib, int n_volumes) IMSM_PLATFORM_MUST_CHECK;

/*
 * One line, no newline, for the same arguments: why imsm_platform_check_volume()
 * refuses ("platform does not support raid5 (supported: raid0 raid1 raid10)",
 * "platform allows at most 6 disks per volume, 8 requested", ...), or, when it
 * accepts, what the platform is ("no platform checks (IMSM_NO_PLATFORM=1)",
 * ...).  Returns what imsm_platform_check_volume() returns; buf is always
 * NUL terminated (when len > 0), the text cut to fit.
 */
int imsm_platform_describe(const struct imsm_platform *p, int md_level, int n_members,
			   unsigned int chunk_kib, int n_volumes, char *buf, size_t len);

/* "no platform checks (IMSM_NO_PLATFORM=1)", ... */
const char *imsm_platform_source_text(enum imsm_platform_source source);

/* "RAID", "SATA", "NVMe", "VMD" */
const char *imsm_hba_type_text(enum imsm_hba_type type);

/* True when p imposes limits and kib is one of its strip sizes. */
bool imsm_platform_has_chunk(const struct imsm_platform *p, unsigned int chunk_kib);

/* Largest strip size of sss in KiB; 0 without limits or an empty mask. */
unsigned int imsm_platform_max_chunk_kib(const struct imsm_platform *p);

/*
 * §8.5 lists, each entry followed by a space: "raid0 raid1 raid5 raid10 "
 * and "4k 8k ... 1M 2M ".  Empty without limits.  Return the length the
 * full text needs (as snprintf).
 */
size_t imsm_platform_levels_text(const struct imsm_platform *p, char *buf, size_t len);
size_t imsm_platform_chunks_text(const struct imsm_platform *p, char *buf, size_t len);

/* ---- --detail-platform (imsm-platform-print.c) ------------------------------- */

#define IMSM_PLATFORM_MAX_PORTS 32

struct imsm_platform_port {
	int number;        /* "Port0" */
	bool attached;     /* a disk is behind it */
	char device[80];   /* "/dev/sda" */
	char serial[64];   /* as sysfs gives it; "" unknown */
};

struct imsm_platform_ctrl {
	struct imsm_hba hba;
	char path[4096];   /* the controller's sysfs directory, links resolved */
	bool has_caps;     /* a capability table applies to it */
	unsigned int n_ports; /* SATA (AHCI) only */
	struct imsm_platform_port ports[IMSM_PLATFORM_MAX_PORTS];
};

/* What --detail-platform shows: the controllers, and the table. */
struct imsm_platform_report {
	struct imsm_platform p;
	unsigned int n_ctrls;
	struct imsm_platform_ctrl ctrl[IMSM_PLATFORM_MAX_HBAS];
};

/*
 * Build the report from sysfs under sysroot ("/sys" when NULL), whatever
 * IMSM_NO_PLATFORM says (IMSM_TEST_OROM still gives the fake table).
 * controller, when not NULL, keeps only the controller at that path.
 * -ENODEV when no Intel storage controller exists, other -errno when sysfs
 * cannot be read.  *ret is malloc'd: free().
 */
int imsm_platform_report_build(const char *sysroot, const char *controller,
			       struct imsm_platform_report **ret) IMSM_PLATFORM_MUST_CHECK;

/* 0 when some controller has a capability table, else 1 (upstream's status). */
int imsm_platform_report_status(const struct imsm_platform_report *rep);

/* "Intel(R) Matrix Storage Manager", ... (imsm-format.md §8.5). */
const char *imsm_platform_name(const struct imsm_orom *o);

/* Upstream's text (§8.5): the table, then each controller with its ports,
 * a blank line; nothing when no controller has a table. */
void imsm_platform_print_text(FILE *f, const struct imsm_platform_report *rep);
/* The MD_FIRMWARE_TYPE / IMSM_* lines of §8.5. */
void imsm_platform_print_export(FILE *f, const struct imsm_platform_report *rep);
/* One JSON object per controller (the caller opens the array). */
struct json_out;
void imsm_platform_print_json(struct json_out *j, const struct imsm_platform_report *rep);

#endif
