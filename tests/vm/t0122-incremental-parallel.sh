#!/bin/bash
# vm-timeout: 420
# Parallel incremental assembly, as udev runs it at boot: every disk of a
# container gets its own "mdadm -I" at the same moment.  20 rounds of
# 4 disks (a raid5 and a raid0 volume): each round builds one container
# holding the 4 disks, both volumes run, one mdmon serves it, the map file
# has one line each, and the data reads back; then -Ss stops everything.
. "$VMTEST_LIB"

make_disks 4 16
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n4 --run "${DISKS[@]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n4 -z 2M --assume-clean --run /dev/md/imsm0
run_expect 0 mdadm -C /dev/md/r0 -l0 -n4 -z 1M --run /dev/md/imsm0
pattern_write /dev/md/r5 1221 6
pattern_write /dev/md/r0 1222 4
run_expect 0 mdadm -Ss
rm -f /run/mdadm/map


# what runs when something hangs: processes, their kernel stacks, md
hung() {
	ps -eo pid,ppid,stat,wchan:20,args >&2
	for p in $(pgrep -f 'mdadm|mdmon'); do
		echo "== $p: $(tr '\0' ' ' </proc/$p/cmdline)" >&2
		cat /proc/$p/stack >&2 2>/dev/null || true
	done
	cat /proc/mdstat >&2
	fail "$1 hangs"
}

ROUNDS=20
for round in $(seq 1 "$ROUNDS"); do
	pids=()
	for d in "${DISKS[@]}"; do
		mdadm -I "$d" >/dev/null 2>>/tmp/incr.err &
		pids+=($!)
	done
	for ((t = 0; t < 150; t++)); do
		running=0
		for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && running=1; done
		[ "$running" = 0 ] && break
		sleep 0.2
	done
	[ "$running" = 0 ] || hung "round $round: mdadm -I"
	for p in "${pids[@]}"; do
		wait "$p" || fail "round $round: an mdadm -I failed: $(cat /tmp/incr.err)"
	done
	# one container with the 4 disks, 2 volumes running, nothing else (one
	# awk: every process costs under TCG): md lines, active ones, members
	# of the inactive one (the container)
	state=$(awk '/^md/ { n++; if ($3 == "active") a++; else m = NF - 3 } END { print n, a, m }' /proc/mdstat)
	[ "$state" = "3 2 4" ] || fail "round $round: md lines, active, container members: $state; $(cat /proc/mdstat)"
	mapfile -t map </run/mdadm/map
	[ "${#map[@]}" = 3 ] || fail "round $round: map: ${map[*]}"
	pidfiles=(/run/mdadm/*.pid)
	[ "${#pidfiles[@]}" = 1 ] || fail "round $round: mdmons: ${pidfiles[*]}"
	r5=$(vol_path r5) r0=$(vol_path r0)
	if [ "$round" = 1 ] || [ "$round" = "$ROUNDS" ]; then
		note "round $round"
		pattern_verify "$r5" 1221 6
		pattern_verify "$r0" 1222 4
	else
		cmp -s -n 65536 "$r5" "$(pattern_file 1221 6)" || fail "round $round: r5 reads wrong"
	fi
	timeout -k 5 30 mdadm -Ss || hung "round $round: -Ss"
	[[ $(</proc/mdstat) != *$'\nmd'* ]] || fail "round $round: -Ss left $(cat /proc/mdstat)"
done
note "$ROUNDS rounds of 4 parallel mdadm -I: one container and both volumes each time"
[ ! -s /tmp/incr.err ] || note "mdadm -I said: $(sort -u /tmp/incr.err)"
