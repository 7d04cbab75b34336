#!/bin/bash
# vm-timeout: 300
# A failed member of a raid5 volume: mdmon records it in the metadata
# (failed disk, degraded map, the disk's record marked) before the kernel
# goes on, the volume keeps running degraded with its data intact, and the
# peer reads the same story from the remaining disks.
. "$VMTEST_LIB"

make_disks 3 48
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${DISKS[@]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 -z 12M --assume-clean /dev/md/imsm0
vol=$(md_devnm /dev/md/r5)
pattern_write /dev/md/r5 61 24
gen0=$(examine_field "${DISKS[0]}" Generation mdadm-peer)

run_expect 0 mdadm /dev/md/r5 --fail "${DISKS[1]}"
[ "$last_err" = "mdadm: set ${DISKS[1]} faulty in /dev/md/r5" ] || fail "message: $last_err"
wait_until 15 sh -c "[ ! -e /sys/block/$vol/md/dev-$(basename "${DISKS[1]}") ]"
cat /proc/mdstat
grep -q '\[3/2\] \[U_U\]' /proc/mdstat || fail "volume not running degraded"
pattern_verify /dev/md/r5 61 24
pattern_write /dev/md/r5 62 24   # writes still work degraded
# mdmon writes the metadata before it lets array_state read clean: once
# clean, no write is under way while the copies are compared below.
wait_until 30 grep -qx clean "/sys/block/$vol/md/array_state"

mdadm-peer -E "${DISKS[0]}" >/tmp/e0.txt
cat /tmp/e0.txt
grep -q 'Map State : degraded' /tmp/e0.txt || fail "map not degraded"
grep -q 'Failed disk : 1' /tmp/e0.txt || fail "failed slot not recorded"
grep -q "Serial : ${DISKS[1]}:0" /tmp/e0.txt || fail "failed disk's serial not marked"
[ "$(examine_field "${DISKS[0]}" Generation mdadm-peer)" != "$gen0" ] || fail "no metadata write"
# Both remaining members carry the same record of the failure.
for f in Generation 'Map State' 'Failed disk' 'Dirty State'; do
	[ "$(examine_field "${DISKS[0]}" "$f" mdadm-peer)" = "$(examine_field "${DISKS[2]}" "$f" mdadm-peer)" ] ||
		fail "copies disagree on $f"
done

# The failed disk stays in the container, its own copy untouched.
grep -q "$(basename "${DISKS[1]}")\[" /proc/mdstat || fail "failed disk left the container"

run_expect 0 mdadm -S /dev/md/r5
run_expect 0 mdadm -S /dev/md/imsm0
mdadm-peer -A /dev/md/imsm0 "${DISKS[0]}" "${DISKS[2]}" 2>&1 || true
mdadm-peer -I /dev/md/imsm0 2>&1 || true
cat /proc/mdstat
pattern_verify "$(vol_path r5)" 62 24
note "failure recorded; degraded volume intact for us and the peer"
