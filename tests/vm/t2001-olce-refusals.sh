#!/bin/bash
# vm-timeout: 600
# Online Capacity Expansion refusals (imsm-format.md §6.5.1, §6.8;
# imsm-reshape.c imsm_olce_check): `mdadm --grow CONTAINER --raid-devices=N`
# that IMSM cannot or must not do is refused before anything changes:
# exactly one "mdadm: " line on stderr, nothing on stdout, exit 1, and no
# disk of the container or its spares changed (md5 of each, read past the
# page cache).  The volume's data still reads back afterwards.
#   - a raid1 volume, a raid10 volume (4 disks), with spares enough;
#   - a spare too small (one that joined before the volume existed);
#   - N equal to, or smaller than, today's count; N=300 (over 255);
#   - N two beyond with one spare;
#   - a resync in progress (held still by the sync speed limits);
#   - a second grow while one runs (here only the one line and exit 1: the
#     disks change by design); the first, given --backup-file (accepted and
#     not needed for IMSM, as upstream), ends with the data intact;
#   - a degraded volume (a member failed with no spare to rebuild onto; a
#     spare joins while the volume is frozen, as mdadm freezes it, so
#     mdmon cannot start a rebuild);
#   - N beyond the platform's disks per array (IMSM_TEST_OROM's table, over
#     a fake Intel AHCI controller in the sysfs PCI list).
# Not tested: containers with two volumes.
. "$VMTEST_LIB"

make_disks 3 48 # A: imsm0, raid5
make_disks 1 12 # S: a spare too small for an OLCE of imsm0
make_disks 1 48 # G: a spare that fits imsm0
make_disks 3 32 # M: imsm1, raid1 (2) + spare
make_disks 5 32 # T: imsm2, raid10 (4) + spare
make_disks 3 32 # Z: imsm3, raid5 resyncing
A=("${DISKS[@]:0:3}") S=${DISKS[3]} G=${DISKS[4]}
M=("${DISKS[@]:5:3}") T=("${DISKS[@]:8:5}") Z=("${DISKS[@]:13:3}")

# clean_on DISK: mdmon marked every volume on DISK clean (no more writes)
clean_on() {
	mdadm-peer -E "$1" >/tmp/c.txt 2>&1 &&
		! grep -q 'Dirty State : dirty' /tmp/c.txt
}

failed_cases=()

# ---- raid1 and raid10: IMSM grows raid0 and raid5 only ------------------------
run_expect 0 mdadm -C /dev/md/imsm1 -e imsm -n2 "${M[0]}" "${M[1]}"
run_expect 0 mdadm -C /dev/md/r1 -l1 -n2 -z 8M --assume-clean /dev/md/imsm1
run_expect 0 mdadm /dev/md/imsm1 --add "${M[2]}"
run_expect 0 mdadm -C /dev/md/imsm2 -e imsm -n4 "${T[@]:0:4}"
run_expect 0 mdadm -C /dev/md/r10 -l10 -n4 -z 8M --assume-clean /dev/md/imsm2
run_expect 0 mdadm /dev/md/imsm2 --add "${T[4]}"
pattern_write /dev/md/r1 2011 8
pattern_write /dev/md/r10 2012 16
wait_until 30 clean_on "${M[0]}"
wait_until 30 clean_on "${T[0]}"
refuse_disks "raid1 volume" 1 "IMSM can add disks only to raid0 and raid5 volumes" M -- \
	mdadm --grow /dev/md/imsm1 --raid-devices=3
refuse_disks "raid10 volume" 1 "IMSM can add disks only to raid0 and raid5 volumes" T -- \
	mdadm --grow /dev/md/imsm2 --raid-devices=5
pattern_verify /dev/md/r1 2011 8
pattern_verify /dev/md/r10 2012 16
run_expect 0 mdadm -S /dev/md/r1
run_expect 0 mdadm -S /dev/md/imsm1
run_expect 0 mdadm -S /dev/md/r10
run_expect 0 mdadm -S /dev/md/imsm2

# ---- raid5: spares, counts ----------------------------------------------------
# S joins while the container has no volume (any size may then); the
# volume is made of the three disks named, larger than S can hold.
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${A[@]}"
run_expect 0 mdadm /dev/md/imsm0 --add "$S"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 -c 128 -z 16M --assume-clean "${A[@]}"
vol=$(md_devnm /dev/md/r5)
pattern_write /dev/md/r5 2010 32
wait_until 30 clean_on "${A[0]}"
mdadm -E "$S" | grep -q 'State : spare' || fail "$S is not a spare"
AS=("${A[@]}" "$S")
refuse_disks "spare too small" 1 "the spare disks are too small" AS -- \
	mdadm --grow /dev/md/imsm0 --raid-devices=4
refuse_disks "N equal" 1 "--raid-devices must be larger than the current number of disks" AS -- \
	mdadm --grow /dev/md/imsm0 --raid-devices=3
refuse_disks "N smaller" 1 "--raid-devices must be larger than the current number of disks" AS -- \
	mdadm --grow /dev/md/imsm0 --raid-devices=2
refuse_disks "N=300" 1 "too many disks for one IMSM volume" AS -- \
	mdadm --grow /dev/md/imsm0 --raid-devices=300

run_expect 0 mdadm /dev/md/imsm0 --remove "$S"
run_expect 0 mdadm /dev/md/imsm0 --add "$G"
AG=("${A[@]}" "$G")
refuse_disks "two more disks, one spare" 1 "not enough spare disks in the container" AG -- \
	mdadm --grow /dev/md/imsm0 --raid-devices=5

# The platform's disks per array: IMSM_TEST_OROM's table (dpa 6).
fake_intel_ahci
refuse_disks "beyond the platform (6 disks)" 1 "at most 6 on this platform" AG -- \
	env -u IMSM_NO_PLATFORM IMSM_TEST_OROM=1 mdadm --grow /dev/md/imsm0 --raid-devices=7
fake_intel_ahci_off
pattern_verify /dev/md/r5 2010 32

# ---- a resync in progress -----------------------------------------------------
# Both limits 0: md sleeps before each request after the first (t5000).
echo 0 >/proc/sys/dev/raid/speed_limit_min
echo 0 >/proc/sys/dev/raid/speed_limit_max
run_expect 0 mdadm -C /dev/md/imsm3 -e imsm -n3 "${Z[@]}"
run_expect 0 mdadm -C /dev/md/z5 -l5 -n3 -z 8M /dev/md/imsm3
zvol=$(md_devnm /dev/md/z5)
pattern_write /dev/md/z5 2013 16
wait_until 30 grep -qx resync "/sys/block/$zvol/md/sync_action"
wait_until 30 sh -c "mdadm -E ${Z[0]} | grep -q 'Migrate State : initialize'"
wait_until 60 disks_settled "${Z[@]}"
refuse_disks "resync in progress" 1 "is being initialized, resynced, rebuilt or reshaped" Z -- \
	mdadm --grow /dev/md/imsm3 --raid-devices=4
echo 100 >/proc/sys/dev/raid/speed_limit_min
echo 200000 >/proc/sys/dev/raid/speed_limit_max
wait_until 120 sh -c "grep -qx idle /sys/block/$zvol/md/sync_action &&
	grep -qx none /sys/block/$zvol/md/resync_start"
pattern_verify /dev/md/z5 2013 16
run_expect 0 mdadm -S /dev/md/z5
run_expect 0 mdadm -S /dev/md/imsm3

# ---- a second grow while one runs; --backup-file accepted ---------------------
echo 2000 >/proc/sys/dev/raid/speed_limit_max
mdadm --grow /dev/md/imsm0 --raid-devices=4 --backup-file=/tmp/x >/tmp/grow.out 2>/tmp/grow.err &
grow=$!
wait_until 120 sh -c "mdadm -E ${A[0]} | grep -q 'Migrate State : general migration'"
if ! (
	run_expect 1 mdadm --grow /dev/md/imsm0 --raid-devices=5
	expect_one_error_line "mdadm: "
	case $last_err in *"is being initialized, resynced, rebuilt or reshaped"*) ;;
	*) fail "message: $last_err" ;; esac
	[ -z "$last_out" ] || fail "output on stdout: $last_out"
	note "second grow: $last_err"
); then
	failed_cases+=("second grow")
fi
grep -q reshape "/sys/block/$vol/md/sync_action" || note "(the first grow was no longer reshaping)"
echo 200000 >/proc/sys/dev/raid/speed_limit_max
rc=0
wait "$grow" || rc=$?
[ "$rc" = 0 ] || fail "the first grow exited $rc: $(cat /tmp/grow.err)"
[ ! -s /tmp/grow.err ] && [ ! -s /tmp/grow.out ] ||
	fail "the first grow printed: $(cat /tmp/grow.out /tmp/grow.err)"
[ "$(cat "/sys/block/$vol/md/raid_disks")" = 4 ] || fail "raid_disks is not 4"
[ ! -e /tmp/x ] || note "(--backup-file /tmp/x was created)"
pattern_verify /dev/md/r5 2010 32
note "the first grow (with --backup-file) ended: 4 disks, data intact"

# ---- a degraded volume ----------------------------------------------------------
run_expect 0 mdadm /dev/md/r5 --fail "${A[1]}"
wait_until 30 sh -c "[ ! -e /sys/block/$vol/md/dev-$(basename "${A[1]}") ]"
wait_until 30 sh -c "mdadm-peer -E ${A[0]} | grep -q 'Map State : degraded'"
wait_until 30 clean_on "${A[0]}"
refuse_disks "degraded volume, no spare" 1 "a volume is degraded" AG -- \
	mdadm --grow /dev/md/imsm0 --raid-devices=5
# A spare while the volume is frozen (the "-" mdadm sets during its own
# changes): mdmon keeps it a spare, the volume stays degraded.
make_disks 1 48
P=${DISKS[16]}
meta=$(cat "/sys/block/$vol/md/metadata_version")
echo "external:-${meta#external:/}" >"/sys/block/$vol/md/metadata_version"
run_expect 0 mdadm /dev/md/imsm0 --add "$P"
wait_until 30 sh -c "mdadm -E $P | grep -q 'State : spare'"
AGP=("${A[@]}" "$G" "$P")
refuse_disks "degraded volume, a spare present" 1 "a volume is degraded" AGP -- \
	mdadm --grow /dev/md/imsm0 --raid-devices=5
echo "$meta" >"/sys/block/$vol/md/metadata_version"
grep -q '\[4/3\]' /proc/mdstat || note "(the volume is no longer [4/3])"
pattern_verify /dev/md/r5 2010 32

[ ${#failed_cases[@]} -eq 0 ] || fail "cases that failed: ${failed_cases[*]}"
note "every refusal: one line, exit 1, no disk changed; data intact"
