#!/bin/bash
# vm-timeout: 300
# mdmon killed with SIGKILL during a resync: a new one started with
# --takeover picks the arrays up, writes proceed, the resync finishes and
# the metadata ends normal and clean.  A second --takeover retires the
# running instance with SIGTERM; it leaves every array clean.  A third
# --takeover, of an instance that is stopped (SIGSTOP), waits until it is
# gone before it monitors anything.  The peer then assembles the container
# and reads our data.
. "$VMTEST_LIB"

make_disks 3 64
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${DISKS[@]}"
ctr=$(md_devnm /dev/md/imsm0)
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 -z 12M --assume-clean /dev/md/imsm0
echo 50 >/proc/sys/dev/raid/speed_limit_max
run_expect 0 mdadm -C /dev/md/r1 -l1 -n2 -z 16M "${DISKS[0]}" "${DISKS[1]}"
r1=$(md_devnm /dev/md/r1)
grep -qx resync "/sys/block/$r1/md/sync_action" || fail "r1 not resyncing"
pattern_write /dev/md/r5 71 24

old=$(cat "/run/mdadm/$ctr.pid")
kill -9 "$old"
wait_until 5 sh -c "! kill -0 $old 2>/dev/null"
note "mdmon killed during the resync of r1"
run_expect 0 mdmon --takeover "$ctr"
new=$(cat "/run/mdadm/$ctr.pid")
[ "$new" != "$old" ] || fail "no new mdmon"
pattern_write /dev/md/r5 72 24      # would hang without a working mdmon
echo 200000 >/proc/sys/dev/raid/speed_limit_max
wait_until 120 sh -c "grep -qx idle /sys/block/$r1/md/sync_action && grep -qx none /sys/block/$r1/md/resync_start"
wait_until 20 sh -c "[ \"\$(mdadm-peer -E ${DISKS[0]} | grep -c 'Dirty State : clean')\" = 2 ]"
[ "$(mdadm-peer -E "${DISKS[0]}" | grep -c 'Map State : normal')" = 2 ] || fail "a map is not normal"
note "resync finished under the new mdmon; both volumes clean and normal"

# SIGTERM handover: the old instance drains (arrays clean) and leaves.
pattern_write /dev/md/r1 73 16
run_expect 0 mdmon --takeover "$ctr"
wait_until 10 sh -c "! kill -0 $new 2>/dev/null"
newer=$(cat "/run/mdadm/$ctr.pid")
kill -0 "$newer" || fail "no mdmon after the second takeover"
pattern_write /dev/md/r5 74 24

# A running instance that cannot leave (stopped): the successor waits for
# its process to be gone, however long, and meanwhile starts no monitor
# (one thread: nothing of its own writes the metadata); a write to a
# volume waits for a monitor.  Once the old one may run again it drains
# and leaves, and the successor serves: the write completes.
kill -STOP "$newer"
mdmon --takeover "$ctr" 2>/tmp/takeover.err &
starter=$!
wait_until 30 grep -q "waiting for the previous mdmon (pid $newer) to exit" /tmp/takeover.err
succ=$(cat "/run/mdadm/$ctr.pid")
[ "$succ" != "$newer" ] || fail "the successor wrote no pid file"
pattern_write /dev/md/r1 75 4 &
writer=$!
sleep 2 # past the 5 s after which the old code gave up waiting
[ "$(ls "/proc/$succ/task" | wc -l)" = 1 ] ||
	fail "the successor runs a monitor beside the stopped instance"
kill -0 "$starter" || fail "mdmon --takeover returned while the old instance lives"
note "successor $succ waits for the stopped $newer: $(cat /tmp/takeover.err)"
kill -CONT "$newer"
wait "$starter" || fail "mdmon --takeover failed once the old instance left"
kill -0 "$newer" 2>/dev/null && fail "the old instance still runs"
wait "$writer" || fail "the write during the takeover failed"
[ "$(ls "/proc/$succ/task" | wc -l)" = 2 ] || fail "the successor runs no monitor"
pattern_verify /dev/md/r1 75 4
note "the stopped instance left first; its successor serves"

run_expect 0 mdadm -S /dev/md/r5 /dev/md/r1
for d in "${DISKS[@]}"; do
	mdadm-peer -E "$d" | grep -q 'Dirty State : dirty' && fail "dirty on $d"
done
run_expect 0 mdadm -S /dev/md/imsm0
mdadm-peer -A /dev/md/imsm0 "${DISKS[@]}" 2>&1
mdadm-peer -I /dev/md/imsm0 2>&1
pattern_verify "$(vol_path r5)" 74 24
pattern_verify "$(vol_path r1)" 75 4
note "takeover keeps arrays served and consistent"
