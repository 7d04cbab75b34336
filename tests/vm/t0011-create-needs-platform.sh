#!/bin/bash
# vm-timeout: 120
# Without an Intel RAID controller (the VM has none) create refuses, with
# one line and a hint, and touches no disk, unless IMSM_NO_PLATFORM=1.
# IMSM_TEST_OROM alone does not invent a controller.
. "$VMTEST_LIB"

make_disks 2 32
before=$(disk_sums)
run_expect 1 env -u IMSM_NO_PLATFORM mdadm -C /dev/md/imsm0 -e imsm -n2 "${DISKS[@]}"
expect_one_error_line "mdadm: no IMSM-capable (Intel) RAID controller found; hint: IMSM_NO_PLATFORM=1"
run_expect 1 env -u IMSM_NO_PLATFORM IMSM_TEST_OROM=1 mdadm -C /dev/md/imsm0 -e imsm -n2 "${DISKS[@]}"
expect_one_error_line "mdadm: no IMSM-capable"
[ "$before" = "$(disk_sums)" ] || fail "a refused create changed a disk"
grep -q '^md' /proc/mdstat && fail "an array appeared"
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n2 "${DISKS[@]}"
note "platform check refuses without a controller, passes with IMSM_NO_PLATFORM=1"
