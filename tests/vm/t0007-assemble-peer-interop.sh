#!/bin/bash
# vm-timeout: 400
# Containers made by Debian's mdadm are assembled by us (from named disks,
# by --scan, and one disk at a time with -I); their volumes start, the
# peer's data reads back, data we write under our mdmon reads back through
# the peer, and the peer sees the volumes clean after our stop.
. "$VMTEST_LIB"

make_disks 4 64
mdadm-peer -C /dev/md/imsm0 -e imsm -n4 --run "${DISKS[@]}" 2>/dev/null
mdadm-peer -C /dev/md/v5 -l5 -n4 -z 12M --assume-clean --run /dev/md/imsm0 2>/dev/null
mdadm-peer -C /dev/md/v0 -l0 -n4 -z 8M --run /dev/md/imsm0 2>/dev/null
pattern_write /dev/md/v5 41 36
pattern_write /dev/md/v0 42 32
stop_all_md
sleep 1

# --- named disks --------------------------------------------------------------
run_expect 0 mdadm -A /dev/md/imsm0 "${DISKS[@]}"
echo "$last_err"
grep -q '^md.* : active .*raid5' /proc/mdstat || fail "raid5 volume not started"
grep -q '^md.* : active raid0' /proc/mdstat || fail "raid0 volume not started"
pattern_verify "$(vol_path v5)" 41 36
pattern_verify "$(vol_path v0)" 42 32
grep -q ' /dev/md/v5_0$' /run/mdadm/map || fail "no map entry for v5"
pattern_write "$(vol_path v5)" 43 36
run_expect 1 mdadm -A /dev/md/imsm0 "${DISKS[@]}"
expect_one_error_line "mdadm: /dev/md/imsm0 is already active"
run_expect 0 mdadm -S "$(vol_path v5)" "$(vol_path v0)"
run_expect 0 mdadm -S /dev/md/imsm0
for d in "${DISKS[@]}"; do
	mdadm-peer -E "$d" | grep -q 'Dirty State : dirty' && fail "a volume is dirty on $d after our stop"
done

# --- --scan ----------------------------------------------------------------
run_expect 0 mdadm -A --scan
pattern_verify "$(vol_path v5)" 43 36
pattern_verify "$(vol_path v0)" 42 32
stop_all_md
sleep 1

# --- incremental: volumes start when the last disk arrives --------------------
for i in 0 1 2; do
	run_expect 0 mdadm -I "${DISKS[$i]}"
	grep -q ' : active' /proc/mdstat && fail "a volume started with $((i + 1)) of 4 disks"
done
run_expect 0 mdadm -I "${DISKS[3]}"
grep -c ' : active' /proc/mdstat | grep -qx 2 || fail "volumes not started by the last disk"
pattern_verify "$(vol_path v5)" 43 36
stop_all_md
sleep 1

# --- the peer reads what we wrote -------------------------------------------
mdadm-peer -A /dev/md/imsm0 "${DISKS[@]}" 2>&1
mdadm-peer -I /dev/md/imsm0 2>&1
pattern_verify "$(vol_path v5)" 43 36
note "assembly of peer containers works both ways"
