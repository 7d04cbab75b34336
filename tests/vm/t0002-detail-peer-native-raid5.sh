#!/bin/bash
# vm-timeout: 240
# Our sysfs and mdstat layers read a real array made by the peer: a native
# raid5 while it builds (recovery onto the last disk) and after.  --detail, --export and --query agree
# with the peer; --wait returns when the resync is done; --stop stops it.
. "$VMTEST_LIB"

make_disks 3 32
mdadm-peer --create /dev/md0 --run -e 1.2 -l5 -n3 -c 64 "${DISKS[@]}" 2>/dev/null
# Hold the initial build back so --detail and --wait see it running.
echo 1000 >/sys/block/md0/md/sync_speed_max
pattern_write /dev/md0 1 16

field() { # file label -> value after " : "
	sed -n "s/^ *$2 : //p" "$1" | head -1 | sed 's/ *$//'
}
mdadm -D /dev/md0 >/tmp/ours.txt
cat /tmp/ours.txt
# md builds a new raid5 by recovering onto its last disk.
grep -q -E 'State : .*degraded, recovering' /tmp/ours.txt || fail "recovery not shown in State"
grep -q -E 'Rebuild Status : [0-9]+% complete' /tmp/ours.txt || fail "rebuild status missing"
mdadm --wait /dev/md0 &
waiter=$!
sleep 2
kill -0 $waiter 2>/dev/null || fail "--wait returned while the build was running"
echo system >/sys/block/md0/md/sync_speed_max
wait_until 60 sh -c "! kill -0 $waiter 2>/dev/null"
wait $waiter || fail "--wait after a resync exited $?"
mdadm -D /dev/md0 >/tmp/ours.txt
mdadm-peer -D /dev/md0 >/tmp/peer.txt
for f in "Raid Level" "Array Size" "Used Dev Size" "Raid Devices" "Total Devices" \
	"Active Devices" "Working Devices" "Failed Devices" "Chunk Size" "State"; do
	o=$(field /tmp/ours.txt "$f") p=$(field /tmp/peer.txt "$f")
	[ "$o" = "$p" ] || fail "$f: ours '$o', peer '$p'"
done
# the member table as the peer prints it (Number is md's descriptor
# number: a disk that was rebuilt may carry a new one)
members() { grep -E '^ +[0-9-]+ +[0-9]+ +[0-9]+ +[0-9-]+ +[a-z]' "$1"; }
[ "$(members /tmp/ours.txt)" = "$(members /tmp/peer.txt)" ] ||
	fail "member table differs: $(diff <(members /tmp/peer.txt) <(members /tmp/ours.txt))"
for i in 0 1 2; do
	grep -E "^ +[0-9]+ +7 +[0-9]+ +$i +active sync +${DISKS[$i]}$" /tmp/ours.txt >/dev/null ||
		fail "member line for slot $i wrong"
done
mdadm -D --export /dev/md0 >/tmp/ours.env
mdadm-peer -D --export /dev/md0 >/tmp/peer.env
for k in MD_LEVEL MD_DEVICES MD_METADATA; do
	o=$(grep "^$k=" /tmp/ours.env) p=$(grep "^$k=" /tmp/peer.env)
	[ "$o" = "$p" ] || fail "export $k: ours '$o', peer '$p'"
done
for d in "${DISKS[@]}"; do
	k=MD_DEVICE_dev_$(basename "$d")
	for s in ROLE DEV; do
		[ "$(grep "^${k}_$s=" /tmp/ours.env)" = "$(grep "^${k}_$s=" /tmp/peer.env)" ] ||
			fail "export ${k}_$s differs"
	done
done
run_expect 0 mdadm -Q /dev/md0
[ "$last_out" = "$(mdadm-peer -Q /dev/md0 2>/dev/null | head -1)" ] || fail "query: '$last_out'"
run_expect 1 mdadm --wait /dev/md0 # nothing to wait for: upstream's exit code
pattern_verify /dev/md0 1 16
run_expect 0 mdadm -S /dev/md0
[ "$last_err" = "mdadm: stopped /dev/md0" ] || fail "stop message: $last_err"
wait_until 10 sh -c '! grep -q "^md0 " /proc/mdstat'
mdadm-peer -A /dev/md0 "${DISKS[@]}" 2>/dev/null
pattern_verify /dev/md0 1 16
note "detail/export/query/wait/stop agree with the peer"
