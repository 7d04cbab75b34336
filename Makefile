# Top-level build: mdadm and mdmon, unit tests, the VM suite, the demo.
#
#   make            build mdadm and mdmon
#   make install    install them and the integration files (see below)
#   make check      unit tests under AddressSanitizer + UBSan (host, no root)
#   make vmcheck    the integration suite in a qemu VM with real md
#   make test       set-up + check + vmcheck, one closing "N passed, N failed"
#   make demo       set-up + boot the VM and run the OLCE demo
#   make campaign   the power-cut campaign (tests/vm/campaign/run.sh:
#                   CAMPAIGN_CUTS per kind, CAMPAIGN_SEED; hours)
#   make fuzz       run the libFuzzer targets for a while (clang)
#
# Compiler flags: CC, CPPFLAGS, CFLAGS (default -O2 -g) and LDFLAGS are
# taken from the command line or the environment, as packagers pass them
# (dpkg-buildflags).  Warnings are errors only in our own builds: WERROR=1
# or WERROR=0 says so explicitly; without it, -Werror is on when CFLAGS
# came from nowhere (a developer's "make", and "make test", which sets
# WERROR=1 for everything it builds) and off when CFLAGS was given from
# outside, where a newer compiler's new warning must not break a
# distribution's build.  The unit tests (make check) always use -Werror.
#
# Objects are built once with the flags of the first "make"; "make install"
# only copies them (it never rebuilds with other flags, and needs no root
# with DESTDIR).  "make clean" before building with other flags.
#
#   MDMON_STATIC=1  link mdmon statically: every page it runs is locked in
#                   memory (mdmon.c, lock_memory() says what the default
#                   dynamic build locks instead)

CC ?= gcc
PKG_CONFIG ?= pkg-config
ifeq ($(origin CFLAGS),undefined)
WERROR ?= 1
else
WERROR ?= 0
endif
CFLAGS ?= -O2 -g
WARNFLAGS = -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes
BASEFLAGS = -std=gnu11 $(WARNFLAGS) -D_GNU_SOURCE -I.
UDEV_CFLAGS := $(shell $(PKG_CONFIG) --cflags libudev 2>/dev/null)
UDEV_LIBS := $(shell $(PKG_CONFIG) --libs libudev 2>/dev/null || echo -ludev)
ALL_CFLAGS = $(BASEFLAGS) $(if $(filter 1,$(WERROR)),-Werror) $(UDEV_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LIBS = $(UDEV_LIBS) -lpthread

# Where "make install" puts things: Debian's places (bookworm) by default.
# PREFIX moves the programs and man pages; udev, systemd and
# initramfs-tools read their files from fixed places, given separately.
PREFIX ?= /usr
ifeq ($(PREFIX),/usr)
SBINDIR ?= /sbin
else
SBINDIR ?= $(PREFIX)/sbin
endif
MANDIR ?= $(PREFIX)/share/man
UDEVDIR ?= /lib/udev
SYSTEMD_UNITDIR ?= /lib/systemd/system
SYSTEMD_SHUTDOWNDIR ?= /lib/systemd/system-shutdown
INITRAMFSDIR ?= /usr/share/initramfs-tools
DESTDIR ?=

# Sources shared by both binaries: the small layers and metadata handlers.
COMMON_SRCS = mdmon-request.c sysfs.c mdstat.c util.c md-build.c metadata.c render.c super-intel.c $(sort $(wildcard imsm-*.c))
# One file per mdadm mode family, plus optional ones as they appear.
MODE_SRCS = mdmonitor.c mdmonitor-events.c mdmonitor-domain.c Grow.c olce.c container.c takeover.c Manage.c Misc.c mdmon-client.c probe.c create-guard.c $(sort $(wildcard Create.c Assemble.c Detail.c Detail-print.c Examine.c config.c Subarray.c))
MDADM_SRCS = mdadm.c mdadm-options.c mdadm-help.c $(MODE_SRCS) $(COMMON_SRCS)
MDMON_SRCS = mdmon.c monitor.c managemon.c $(COMMON_SRCS)
HEADERS = $(wildcard *.h)

all: mdadm mdmon

build/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

mdadm: $(MDADM_SRCS:%.c=build/obj/%.o)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# mdmon stays small (it is locked in memory): no libudev.  Bound at start
# (-z now), so that no symbol lookup runs later, while an array waits for
# the monitor thread (mdmon.c: lock_memory).
MDMON_LINK = $(if $(filter 1,$(MDMON_STATIC)),-static,-Wl,-z,now)
mdmon: $(MDMON_SRCS:%.c=build/obj/%.o)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(MDMON_LINK) -o $@ $^ -lpthread

# ---- install ----------------------------------------------------------------
# The programs, the systemd units (their ExecStart names SBINDIR) and, by
# wildcard, whatever the tree holds of man pages, udev rules and
# initramfs-tools scripts; a folder that is absent is skipped quietly.
UNIT_FILES = $(wildcard systemd/*.service)
SHUTDOWN_FILES = $(wildcard systemd/*.shutdown)
MAN8 = $(wildcard man/*.8)
MAN5 = $(wildcard man/*.5)
UDEV_RULES = $(wildcard udev/*.rules)
INITRAMFS_HOOKS = $(wildcard initramfs-tools/hooks/*)
INITRAMFS_SCRIPTS = $(wildcard initramfs-tools/scripts/*/*)
# The tree's units, udev rules and initramfs hook name /sbin/mdadm and
# /sbin/mdmon: point them at SBINDIR.
SBIN_SED = sed -e 's:\(^\|[= "]\)/sbin/md:\1$(SBINDIR)/md:g'

install: all
	install -D -m 0755 mdadm $(DESTDIR)$(SBINDIR)/mdadm
	install -D -m 0755 mdmon $(DESTDIR)$(SBINDIR)/mdmon
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR)
	$(foreach f,$(UNIT_FILES),$(SBIN_SED) $(f) >$(DESTDIR)$(SYSTEMD_UNITDIR)/$(notdir $(f)) && \
		chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/$(notdir $(f)) &&) true
	$(if $(SHUTDOWN_FILES),install -d $(DESTDIR)$(SYSTEMD_SHUTDOWNDIR))
	$(foreach f,$(SHUTDOWN_FILES),$(SBIN_SED) $(f) >$(DESTDIR)$(SYSTEMD_SHUTDOWNDIR)/$(notdir $(f)) && \
		chmod 0755 $(DESTDIR)$(SYSTEMD_SHUTDOWNDIR)/$(notdir $(f)) &&) true
	$(if $(MAN8),install -D -m 0644 -t $(DESTDIR)$(MANDIR)/man8 $(MAN8))
	$(if $(MAN5),install -D -m 0644 -t $(DESTDIR)$(MANDIR)/man5 $(MAN5))
	$(if $(UDEV_RULES),install -d $(DESTDIR)$(UDEVDIR)/rules.d)
	$(foreach f,$(UDEV_RULES),$(SBIN_SED) $(f) >$(DESTDIR)$(UDEVDIR)/rules.d/$(notdir $(f)) && \
		chmod 0644 $(DESTDIR)$(UDEVDIR)/rules.d/$(notdir $(f)) &&) true
	$(if $(INITRAMFS_HOOKS),install -d $(DESTDIR)$(INITRAMFSDIR)/hooks)
	$(foreach f,$(INITRAMFS_HOOKS),$(SBIN_SED) $(f) >$(DESTDIR)$(INITRAMFSDIR)/hooks/$(notdir $(f)) && \
		chmod 0755 $(DESTDIR)$(INITRAMFSDIR)/hooks/$(notdir $(f)) &&) true
	$(foreach f,$(INITRAMFS_SCRIPTS),install -D -m 0755 $(f) \
		$(DESTDIR)$(INITRAMFSDIR)/$(patsubst initramfs-tools/%,%,$(f)) &&) true

# ---- unit tests: every tests/unit/test-*.c is one binary ------------------
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UNIT_CFLAGS = $(BASEFLAGS) -Werror -O1 -g $(SAN_FLAGS) $(UDEV_CFLAGS) -DMDADM_NO_MAIN
UNIT_LIB_SRCS = mdadm.c mdadm-options.c mdadm-help.c $(MODE_SRCS) $(COMMON_SRCS)
UNIT_TESTS = $(patsubst tests/unit/%.c,build/unit/%,$(wildcard tests/unit/test-*.c))

build/san/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -c -o $@ $<

build/unit/%: tests/unit/%.c tests/unit/unit.h $(UNIT_LIB_SRCS:%.c=build/san/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -Itests/unit -o $@ $< $(UNIT_LIB_SRCS:%.c=build/san/%.o) $(LIBS)

unit-build: $(UNIT_TESTS)

check: $(UNIT_TESTS)
	@tests/unit/run.sh $(UNIT_TESTS)

# ---- integration suite in the VM -------------------------------------------
setup:
	@tests/vm/setup.sh

vmcheck: all
	@tests/vm/run.sh $(T)

test:
	@WERROR=1 tests/run-all.sh

demo: setup all
	@tests/vm/demo.sh

# ---- libFuzzer targets (clang): every tests/fuzz/fuzz-*.c is one binary ----
# The library is built once more with clang and -fsanitize=fuzzer-no-link; a
# target that #includes a mode file to reach its static functions (see its
# header) is linked without that file's object.  make fuzz runs each target
# FUZZ_SECONDS (default 60); tests/fuzz/run.sh says how.
FUZZ_CC ?= clang
FUZZ_CFLAGS = -std=gnu11 -D_GNU_SOURCE -I. -DMDADM_NO_MAIN -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined $(UDEV_CFLAGS)
FUZZ_LIB_OBJS = $(UNIT_LIB_SRCS:%.c=build/fuzz/obj/%.o)
FUZZ_TARGETS = $(patsubst tests/fuzz/fuzz-%.c,build/fuzz/fuzz-%,$(wildcard tests/fuzz/fuzz-*.c))
# fuzz-assemble includes Assemble.c; fuzz-mdmon-frames includes managemon.c
# (not in the library).  Warnings show but do not stop this build: clang
# may warn where gcc, which keeps the main build -Werror-clean, does not.
FUZZ_OWN_assemble = build/fuzz/obj/Assemble.o
build/fuzz/fuzz-mdmon-frames: managemon.c

build/fuzz/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(FUZZ_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARNFLAGS) -fsanitize=fuzzer -Itests/unit -o $@ $< \
		$(filter-out $(FUZZ_OWN_$*),$(FUZZ_LIB_OBJS)) $(LIBS)

build/fuzz/gen-seeds: tests/fuzz/gen-seeds.c tests/fuzz/fuzz.h tests/unit/fixture.h $(FUZZ_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/unit -o $@ $< $(FUZZ_LIB_OBJS) $(LIBS)

fuzz-build: $(FUZZ_TARGETS) build/fuzz/gen-seeds

fuzz: fuzz-build
	@tests/fuzz/run.sh

campaign: all
	@tests/vm/campaign/run.sh

clean:
	rm -rf build mdadm mdmon tests/vm/logs

.SECONDARY:

.PHONY: all install unit-build check setup vmcheck test demo fuzz fuzz-build campaign clean
