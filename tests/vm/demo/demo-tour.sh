#!/bin/bash
# vm-timeout: 240
# The demo for now: the VM's md driver, our mdadm and mdmon answering, and
# our tools reading an IMSM container that Debian's mdadm created.  The
# OLCE demo replaces this once capacity expansion lands (issue 5).
. "$VMTEST_LIB"
say() { printf '\n== %s\n' "$*"; }
show() { echo "\$ $*"; "$@"; }

say "Kernel and md personalities in the guest"
uname -r
head -1 /proc/mdstat
say "Our tools"
show mdadm --version
show mdmon --version
say "Debian's mdadm 4.2 (the interop peer) creates an IMSM container and a raid5 volume"
make_disks 3 32
mdadm-peer -C /dev/md/imsm0 -e imsm -n3 --run "${DISKS[@]}" 2>&1
mdadm-peer -C /dev/md/vol0 -l5 -n3 -z 12M --assume-clean --run /dev/md/imsm0 2>&1
show cat /proc/mdstat
say "Our mdadm reads them through sysfs and /proc/mdstat"
show mdadm -D /dev/md/imsm0
show mdadm -D /dev/md/vol0
show mdadm -D --export /dev/md/vol0
show mdadm -E "${DISKS[0]}"
say "A bad request is refused with one line, exit status 2"
show mdadm -C /dev/md/vol1 -l 7 -n3 "${DISKS[@]}" || echo "(exit status $?)"
