#!/bin/bash
# vm-timeout: 480
# --add, --remove and --fail that would hurt are refused before anything
# changes: exactly one "mdadm: " line on stderr, nothing on stdout, exit 3
# (refused by a safety check), and no change to any disk (md5 of each,
# read past the page cache) nor to /proc/mdstat:
#   - adding a disk too small to replace a member of the volumes;
#   - adding a disk of another IMSM container (another family);
#   - removing from the container a disk a running volume uses (raid5
#     watched by mdmon, raid0 not);
#   - failing any member of raid0;
#   - failing a raid5 member when one is already out.
# Then the allowed ones still work and the data is intact.
. "$VMTEST_LIB"

make_disks 3 32 # A: imsm0, raid5 over the whole disks
make_disks 2 32 # B: imsm1, raid0
make_disks 2 32 # F: a stopped container (another family)
make_disks 1 28 # S: a little too small for imsm0
A=("${DISKS[@]:0:3}") B=("${DISKS[@]:3:2}") F=("${DISKS[@]:5:2}") S=${DISKS[7]}

run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${A[@]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 --assume-clean /dev/md/imsm0
run_expect 0 mdadm -C /dev/md/imsm1 -e imsm -n2 "${B[@]}"
run_expect 0 mdadm -C /dev/md/r0 -l0 -n2 -z 8M /dev/md/imsm1
run_expect 0 mdadm -C /dev/md/other -e imsm -n2 "${F[@]}"
run_expect 0 mdadm -C /dev/md/ov -l1 -n2 -z 4M --assume-clean /dev/md/other
run_expect 0 mdadm -S /dev/md/ov
run_expect 0 mdadm -S /dev/md/other
pattern_write /dev/md/r5 91 16
pattern_write /dev/md/r0 92 16
# mdmon marks r5 clean after the idle delay: then nothing writes any more
wait_until 30 sh -c "mdadm-peer -E ${A[0]} | grep -q 'Dirty State : clean'"
cat /proc/mdstat

state() {
	blockdev --flushbufs "${DISKS[@]}"
	disk_sums
	cat /proc/mdstat
}
before=$(state)

failed_cases=()

refuse "disk too small" 1 "$S is too small for /dev/md/imsm0" mdadm /dev/md/imsm0 --add "$S"
refuse "disk of another container" 1 "${F[0]} belongs to another IMSM container" \
	mdadm /dev/md/imsm0 --add "${F[0]}"
refuse "active raid5 member out of the container" 1 "it is an active member of /dev/md/r5" \
	mdadm /dev/md/imsm0 --remove "${A[1]}"
refuse "active raid0 member out of the container" 1 "it is an active member of /dev/md/r0" \
	mdadm /dev/md/imsm1 --remove "${B[0]}"
refuse "fail a raid0 member" 1 "raid0 has no redundancy" mdadm /dev/md/r0 --fail "${B[1]}"
refuse "fail a raid0 member (the other)" 1 "raid0 has no redundancy" mdadm /dev/md/r0 --fail "${B[0]}"
refuse "a disk already in the container" 1 "${A[0]} is already in /dev/md/imsm0" \
	mdadm /dev/md/imsm0 --add "${A[0]}"
refuse "--add on a volume" 2 "--add and --remove work on the container" \
	mdadm /dev/md/r5 --add "$S"

# One raid5 member may go; a second may not.
run_expect 0 mdadm /dev/md/r5 --fail "${A[1]}"
vol=$(md_devnm /dev/md/r5)
wait_until 30 sh -c "[ ! -e /sys/block/$vol/md/dev-$(basename "${A[1]}") ]"
wait_until 30 sh -c "mdadm-peer -E ${A[0]} | grep -q 'Map State : degraded'"
wait_until 30 sh -c "mdadm-peer -E ${A[0]} | grep -q 'Dirty State : clean'"
before=$(state)
refuse "fail beyond raid5's redundancy" 1 "raid5 is already degraded" \
	mdadm /dev/md/r5 --fail "${A[2]}"
refuse "fail beyond raid5's redundancy (slot 0)" 1 "raid5 is already degraded" \
	mdadm /dev/md/r5 --fail "${A[0]}"

[ ${#failed_cases[@]} -eq 0 ] || fail "cases that failed: ${failed_cases[*]}"
grep -q '\[3/2\]' /proc/mdstat || fail "raid5 is not running degraded"
pattern_verify /dev/md/r5 91 16
pattern_verify /dev/md/r0 92 16

# What is allowed still is: the failed disk leaves the container.
run_expect 0 mdadm /dev/md/imsm0 --remove "${A[1]}"
grep "^$(md_devnm /dev/md/imsm0) " /proc/mdstat | grep -q "$(basename "${A[1]}")\[" &&
	fail "the failed disk is still in the container"
note "refusals changed nothing; the data is intact"
