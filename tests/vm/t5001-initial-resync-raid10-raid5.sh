#!/bin/bash
# vm-timeout: 300
# Volumes created without --assume-clean are resynced: a raid10 and a
# raid5 in one container (the second waits for the first).  Once mdmon has
# recorded the end, both our --examine and the peer's say every volume is
# normal, clean and not migrating, and the data written during the
# resync reads back, also through the peer's assembly.
. "$VMTEST_LIB"

make_disks 4 40
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n4 "${DISKS[@]}"
echo 0 >/proc/sys/dev/raid/speed_limit_min # held until the data is written
echo 0 >/proc/sys/dev/raid/speed_limit_max
run_expect 0 mdadm -C /dev/md/r10 -l10 -n4 -z 8M /dev/md/imsm0
run_expect 0 mdadm -C /dev/md/r5 -l5 -n4 -z 8M /dev/md/imsm0
r10=$(md_devnm /dev/md/r10) r5=$(md_devnm /dev/md/r5)
pattern_write /dev/md/r10 81 12
pattern_write /dev/md/r5 82 20
wait_until 20 grep -qx resync "/sys/block/$r10/md/sync_action"
[ "$(cat /sys/block/"$r5"/md/resync_start)" = 0 ] || fail "r5 resync not pending"
note "resync held: r10 $(cat /sys/block/"$r10"/md/sync_completed), r5 pending"
echo 1000 >/proc/sys/dev/raid/speed_limit_min
echo 200000 >/proc/sys/dev/raid/speed_limit_max

# -W exits 1 when there is nothing (left) to wait for, as upstream's
mdadm -W /dev/md/r10 /dev/md/r5 || true
for v in "$r10" "$r5"; do
	wait_until 120 grep -qx none "/sys/block/$v/md/resync_start"
done
wait_until 30 sh -c "mdadm -E ${DISKS[0]} | grep -c 'Dirty State : clean' | grep -qx 2"

for prog in mdadm mdadm-peer; do
	for d in "${DISKS[@]}"; do
		"$prog" -E "$d" >/tmp/e.txt 2>&1 || fail "$prog -E $d failed"
		[ "$(grep -c 'Map State : normal$' /tmp/e.txt)" = 2 ] || fail "$prog: $d maps not normal"
		[ "$(grep -c 'Migrate State : idle' /tmp/e.txt)" = 2 ] || fail "$prog: $d still migrating"
		[ "$(grep -c 'Dirty State : clean' /tmp/e.txt)" = 2 ] || fail "$prog: $d not clean"
	done
	note "$prog -E: both volumes normal, idle, clean on all disks"
done
pattern_verify /dev/md/r10 81 12
pattern_verify /dev/md/r5 82 20

run_expect 0 mdadm -S /dev/md/r10
run_expect 0 mdadm -S /dev/md/r5
run_expect 0 mdadm -S /dev/md/imsm0
mdadm-peer -A /dev/md/imsm0 "${DISKS[@]}" 2>&1
mdadm-peer -I /dev/md/imsm0 2>&1
wait_until 20 test -b "$(vol_path r5)"
pattern_verify "$(vol_path r10)" 81 12
pattern_verify "$(vol_path r5)" 82 20
[ "$(cat /sys/block/"$(md_devnm "$(vol_path r5)")"/md/resync_start)" = none ] ||
	fail "the peer resyncs again"
mdadm-peer -S --scan 2>&1
