#!/bin/bash
# vm-timeout: 180
# mdmon serving a redundant volume that has gone idle after writes: it
# neither wakes up nor uses CPU (both threads sleep in poll), and its
# resident memory stays under 2 MiB.  The data written reads back.
. "$VMTEST_LIB"

make_disks 2 32
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n2 --run "${DISKS[@]}"
run_expect 0 mdadm -C /dev/md/r1 -l1 -n2 --assume-clean --run /dev/md/imsm0
vol=$(md_devnm /dev/md/r1)
ctr=$(md_devnm /dev/md/imsm0)
pid=$(cat /run/mdadm/"$ctr".pid)

pattern_write /dev/md/r1 61 4
wait_until 30 grep -qx clean "/sys/block/$vol/md/array_state"
examine_field "${DISKS[0]}" "Dirty State" | grep -q clean || fail "metadata not clean after idle"

switches() {
	cat /proc/"$pid"/task/*/status | awk '/_ctxt_switches/ { n += $2 } END { print n }'
}
sleep 1
t0=$(awk '{ print $14 + $15 }' /proc/"$pid"/stat) w0=$(switches)
sleep 5
t1=$(awk '{ print $14 + $15 }' /proc/"$pid"/stat) w1=$(switches)
rss=$(awk '/VmRSS/ { print $2 }' /proc/"$pid"/status)
note "idle volume over 5 s: $((t1 - t0)) CPU ticks, $((w1 - w0)) wake-ups, resident $rss kB"
[ "$w0" = "$w1" ] || fail "mdmon woke up $((w1 - w0)) times while the volume was idle"
[ "$t0" = "$t1" ] || fail "mdmon used CPU while idle"
[ "$rss" -lt 2048 ] || fail "mdmon resident memory $rss kB, target under 2 MiB"

pattern_verify /dev/md/r1 61 4
run_expect 0 mdadm -S /dev/md/r1
run_expect 0 mdadm -S /dev/md/imsm0
