#!/bin/bash
# vm-timeout: 300
# Peer-made raid1 and raid10 containers: we assemble both with --scan, the
# peer's data reads back, data we write under our mdmon reads back through
# the peer, and our stop leaves the volumes clean for the peer.
. "$VMTEST_LIB"

make_disks 6 48
mdadm-peer -C /dev/md/c1 -e imsm -n2 --run "${DISKS[0]}" "${DISKS[1]}" 2>/dev/null
mdadm-peer -C /dev/md/m1 -l1 -n2 -z 12M --assume-clean --run /dev/md/c1 2>/dev/null
mdadm-peer -C /dev/md/c10 -e imsm -n4 --run "${DISKS[@]:2:4}" 2>/dev/null
mdadm-peer -C /dev/md/m10 -l10 -n4 -z 8M --assume-clean --run /dev/md/c10 2>/dev/null
pattern_write /dev/md/m1 51 12
pattern_write /dev/md/m10 52 16
stop_all_md
sleep 1

run_expect 0 mdadm -A --scan
echo "$last_err"
pattern_verify "$(vol_path m1)" 51 12
pattern_verify "$(vol_path m10)" 52 16
pattern_write "$(vol_path m1)" 53 12
pattern_write "$(vol_path m10)" 54 16
for v in m1 m10; do
	run_expect 0 mdadm -S "$(vol_path $v)"
done
for c in $(awk '/^md.* : inactive/ { print $1 }' /proc/mdstat); do
	run_expect 0 mdadm -S "/dev/$c"
done
for d in "${DISKS[@]}"; do
	mdadm-peer -E "$d" | grep -q 'Dirty State : dirty' && fail "dirty on $d after our stop"
done
rm -f /dev/md/*
mdadm-peer -As 2>&1 || true
pattern_verify "$(vol_path m1)" 53 12
pattern_verify "$(vol_path m10)" 54 16
note "raid1 and raid10 round trip"
