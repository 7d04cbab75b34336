# Top-level build: mdadm and mdmon, unit tests, the VM suite, the demo.
#
#   make            build mdadm and mdmon
#   make install    install both (DESTDIR, PREFIX aware)
#   make check      unit tests under AddressSanitizer + UBSan (host, no root)
#   make vmcheck    the integration suite in a qemu VM with real md
#   make test       set-up + check + vmcheck, one closing "N passed, N failed"
#   make demo       set-up + boot the VM and run the OLCE demo
#   make fuzz       run the libFuzzer targets for a while (clang)

CC ?= gcc
PKG_CONFIG ?= pkg-config
OPTFLAGS ?= -O2 -g
WARNFLAGS = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes
BASEFLAGS = -std=gnu11 $(WARNFLAGS) -D_GNU_SOURCE -I.
UDEV_CFLAGS := $(shell $(PKG_CONFIG) --cflags libudev 2>/dev/null)
UDEV_LIBS := $(shell $(PKG_CONFIG) --libs libudev 2>/dev/null || echo -ludev)
ALL_CFLAGS = $(BASEFLAGS) $(OPTFLAGS) $(UDEV_CFLAGS) $(CFLAGS)
LIBS = $(UDEV_LIBS) -lpthread

PREFIX ?= /usr
SBINDIR ?= /sbin
DESTDIR ?=

# Sources shared by both binaries: the small layers and metadata handlers.
COMMON_SRCS = sysfs.c mdstat.c util.c md-build.c metadata.c render.c super-intel.c $(sort $(wildcard imsm-*.c))
# One file per mdadm mode family, plus optional ones as they appear.
MODE_SRCS = mdmonitor.c mdmonitor-events.c Grow.c olce.c container.c takeover.c Manage.c Misc.c mdmon-client.c probe.c create-guard.c $(sort $(wildcard Create.c Assemble.c Detail.c Detail-print.c Examine.c config.c Subarray.c))
MDADM_SRCS = mdadm.c mdadm-options.c mdadm-help.c $(MODE_SRCS) $(COMMON_SRCS)
MDMON_SRCS = mdmon.c monitor.c managemon.c $(COMMON_SRCS)
HEADERS = $(wildcard *.h)

all: mdadm mdmon

build/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

mdadm: $(MDADM_SRCS:%.c=build/obj/%.o)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

# mdmon stays small (it is locked in memory): no libudev, and linked
# statically, so mlockall pins only the parts of glibc it uses (about
# 1.4 MiB resident instead of 2.7 MiB with libc.so mapped whole).
mdmon: $(MDMON_SRCS:%.c=build/obj/%.o)
	$(CC) $(ALL_CFLAGS) -static -o $@ $^ -lpthread

install: mdadm mdmon
	install -D -m 0755 mdadm $(DESTDIR)$(SBINDIR)/mdadm
	install -D -m 0755 mdmon $(DESTDIR)$(SBINDIR)/mdmon

# ---- unit tests: every tests/unit/test-*.c is one binary ------------------
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UNIT_CFLAGS = $(BASEFLAGS) -O1 -g $(SAN_FLAGS) $(UDEV_CFLAGS) -DMDADM_NO_MAIN
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
	@tests/run-all.sh

demo: setup all
	@tests/vm/demo.sh

fuzz:
	@tests/fuzz/run.sh

clean:
	rm -rf build mdadm mdmon tests/vm/logs

.SECONDARY:

.PHONY: all install unit-build check setup vmcheck test demo fuzz clean
