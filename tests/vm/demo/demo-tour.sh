#!/bin/bash
# vm-timeout: 300
# The demo for now: the VM's md driver, our mdadm and mdmon creating an
# IMSM container with two volumes, data written through them, and Debian's
# mdadm (the interop peer) examining, assembling and reading them back.
# Capacity expansion (issue 5) turns this into the OLCE demo.
. "$VMTEST_LIB"
say() { printf '\n== %s\n' "$*"; }
show() { echo "\$ $*"; "$@"; }

say "Kernel and md personalities in the guest"
uname -r
head -1 /proc/mdstat
show mdadm --version
make_disks 3 64
say "Our mdadm creates a container and two volumes (raid5, then raid0 after it)"
show mdadm -C /dev/md/imsm0 -e imsm -n3 "${DISKS[@]}"
show mdadm -C /dev/md/vol5 -l5 -n3 -z 16M /dev/md/imsm0
show mdadm -C /dev/md/vol0 -l0 -n3 -z 8M /dev/md/imsm0
show mdadm --wait /dev/md/vol5 || true
show cat /proc/mdstat
say "Data goes in (our mdmon marks the volume dirty first, clean when idle)"
pattern_write /dev/md/vol5 1 32
pattern_write /dev/md/vol0 2 24
md5sum "$(pattern_file 1 32)" "$(pattern_file 2 24)"
show mdadm -D /dev/md/vol5
show mdadm -D --scan
show mdadm -E "${DISKS[0]}"
say "We stop; Debian's mdadm 4.2 assembles what we wrote and reads it back"
show mdadm -S /dev/md/vol5 /dev/md/vol0
show mdadm -S /dev/md/imsm0
show mdadm-peer -A /dev/md/imsm0 "${DISKS[@]}"
show mdadm-peer -I /dev/md/imsm0
pattern_verify "$(vol_path vol5)" 1 32
pattern_verify "$(vol_path vol0)" 2 24
say "A bad request is refused with one line, exit status 2"
show mdadm -C /dev/md/vol1 -l 7 -n3 "${DISKS[@]}" || echo "(exit status $?)"
