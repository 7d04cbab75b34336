#!/bin/bash
# vm-timeout: 600
# Container spares and rebuilds (imsm-format.md §1.6, §6.4, §7.4):
#  1. --add to a container with a running raid5: mdmon writes the disk's
#     own spare record; our -E and the peer's show it as a spare, and it
#     is in the container; the members' table does not list it.
#  2. a member fails while that spare waits: mdmon activates it by
#     itself, records the REBUILD migration (map[0] normal <-- map[1]
#     degraded) and checkpoints while md recovers; -W returns when the
#     rebuild is done and the metadata is normal again (ours and the
#     peer's), the failed disk's record gone.  The data then also reads
#     with an original member failed, i.e. from the rebuilt disk.
#  3. --remove of the failed disk from the container, then --add of it
#     (a former member) into the now degraded volume: rebuild, normal.
#  4. a spare added while mdadm holds the volume frozen waits, and mdmon
#     starts its rebuild by itself once unfrozen (md raises no event);
#     the peer assembles what our mdmon wrote; the data is intact.
. "$VMTEST_LIB"

slow_recovery() {
	echo 100 >/proc/sys/dev/raid/speed_limit_min
	echo "$1" >/proc/sys/dev/raid/speed_limit_max
}

# ckpt_unit DISK: the unit of "Checkpoint : U (F)", empty without one
ckpt_unit() {
	local c
	c=$(examine_field "$1" Checkpoint)
	echo "${c%% *}"
}

ckpt_above_zero() {
	local u
	u=$(ckpt_unit "$1")
	[ -n "$u" ] && [ "$u" -gt 0 ]
}

examine_has() { # DISK PROGRAM PATTERN
	"$2" -E "$1" 2>/dev/null | grep -q -- "$3"
}

# The volume normal and idle in both views, on every disk given.
check_normal() {
	local d p
	for d in "$@"; do
		for p in mdadm mdadm-peer; do
			"$p" -E "$d" >/tmp/e.txt 2>&1
			grep -q 'Migrate State : idle' /tmp/e.txt || fail "$p -E $d: still migrating"
			grep -q 'Map State : normal$' /tmp/e.txt || fail "$p -E $d: map not normal"
			grep -q 'Failed disk : none' /tmp/e.txt || fail "$p -E $d: a failed slot is left"
			grep -q 'Disks : 3$' /tmp/e.txt || fail "$p -E $d: the table is not 3 disks"
		done
	done
}

# in_poll PID: the process sleeps in poll()/ppoll() (x86_64 syscalls 7, 271)
in_poll() {
	grep -qE '^(7|271) ' "/proc/$1/syscall" 2>/dev/null
}

# wait_rebuild: -W started while md recovers (held at a crawl until -W
# sleeps in poll), then full speed; -W must return 0 with the rebuild done.
wait_rebuild() {
	local pid rc=0
	mdadm -W /dev/md/r5 &
	pid=$!
	wait_until 30 in_poll "$pid"
	slow_recovery 200000
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || fail "mdadm -W exited $rc"
	grep -qx idle "/sys/block/$vol/md/sync_action" || fail "-W returned while md still syncs"
}

in_container() { # DISK
	grep "^$ctr " /proc/mdstat | grep -q "$(basename "$1")\["
}

make_disks 5 48
D=("${DISKS[@]:0:3}") S1=${DISKS[3]} S2=${DISKS[4]}
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${D[@]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 -c 64 -z 16M --assume-clean /dev/md/imsm0
ctr=$(md_devnm /dev/md/imsm0) vol=$(md_devnm /dev/md/r5)
pattern_write /dev/md/r5 71 32

# ---- 1. a spare joins -------------------------------------------------------
gen0=$(examine_field "${D[0]}" Generation mdadm-peer)
run_expect 0 mdadm /dev/md/imsm0 --add "$S1"
[ "$last_err" = "mdadm: added $S1" ] || fail "message: $last_err"
in_container "$S1" || fail "$S1 is not in the container"
for p in mdadm mdadm-peer; do
	"$p" -E "$S1" >/tmp/s.txt
	grep -q 'RAID Devices : 0' /tmp/s.txt || fail "$p -E $S1: not a spare record"
	grep -q 'State : spare' /tmp/s.txt || fail "$p -E $S1: not a spare"
done
examine_has "${D[0]}" mdadm-peer 'Disks : 3$' || fail "the spare entered the members' table"
cat /proc/mdstat
note "spare $S1 in the container (members at generation $gen0)"

# ---- 2. a failure: the waiting spare takes the slot -------------------------
slow_recovery 1000
run_expect 0 mdadm /dev/md/r5 --fail "${D[1]}"
wait_until 30 examine_has "${D[0]}" mdadm 'Migrate State : rebuild'
for p in mdadm mdadm-peer; do
	"$p" -E "${D[0]}" >/tmp/e.txt
	grep -q 'Migrate State : rebuild' /tmp/e.txt || fail "$p: no rebuild recorded"
	grep -q 'Map State : normal <-- degraded' /tmp/e.txt || fail "$p: rebuild maps wrong"
done
mdadm -E "$S1" | grep -q 'This Slot : 1 (out-of-sync)' || fail "$S1 is not the rebuilding slot 1"
grep -E 'Slots|Failed disk|This Slot|Migrate|Map State|Checkpoint' <(mdadm -E "$S1")
wait_until 60 ckpt_above_zero "${D[0]}"
slow_recovery 100
note "rebuilding: sync_completed $(cat "/sys/block/$vol/md/sync_completed"), checkpoint $(examine_field "${D[0]}" Checkpoint)"
[ "$(examine_field "${D[0]}" Checkpoint)" = "$(examine_field "${D[0]}" Checkpoint mdadm-peer)" ] ||
	fail "the peer reads another checkpoint"
wait_rebuild
check_normal "${D[0]}" "${D[2]}" "$S1"
examine_has "${D[0]}" mdadm-peer "${D[1]}" && fail "the failed disk's record is still there"
grep -q '\[3/3\] \[UUU\]' /proc/mdstat || fail "the volume is not whole again"
pattern_verify /dev/md/r5 71 32
note "rebuilt onto the spare; metadata normal"

# The new member holds real data: lose an original one and read.
run_expect 0 mdadm /dev/md/r5 --fail "${D[0]}"
wait_until 30 sh -c "[ ! -e /sys/block/$vol/md/dev-$(basename "${D[0]}") ]"
pattern_verify /dev/md/r5 71 32
note "data reads back through the rebuilt member"

# ---- 3. out with the failed disks, one back in as a spare -------------------
run_expect 0 mdadm /dev/md/imsm0 --remove "${D[1]}"
[ "$last_err" = "mdadm: hot removed ${D[1]} from /dev/md/imsm0" ] || fail "message: $last_err"
in_container "${D[1]}" && fail "${D[1]} is still in the container"
run_expect 0 mdadm /dev/md/imsm0 --remove "${D[0]}"
pattern_write /dev/md/r5 72 32 # written degraded
slow_recovery 100
run_expect 0 mdadm /dev/md/imsm0 --add "${D[1]}"
examine_has "$S1" mdadm 'Migrate State : rebuild' || fail "no rebuild when --add returned"
wait_rebuild
check_normal "${D[1]}" "${D[2]}" "$S1"
pattern_verify /dev/md/r5 72 32
note "a former member came back as a spare and was rebuilt"

# ---- 4. spare added after the failure, and the peer -------------------------
run_expect 0 mdadm /dev/md/r5 --fail "${D[2]}"
wait_until 30 sh -c "[ ! -e /sys/block/$vol/md/dev-$(basename "${D[2]}") ]"
wait_until 30 examine_has "$S1" mdadm-peer 'Map State : degraded'
slow_recovery 100
# The volume frozen as mdadm freezes it for a reshape: mdmon must wait,
# then start the rebuild by itself once it is unfrozen, although md
# raises no event for that (it looks again every second while it waits).
meta=$(cat "/sys/block/$vol/md/metadata_version")
echo "external:-${meta#external:/}" >"/sys/block/$vol/md/metadata_version"
run_expect 0 mdadm /dev/md/imsm0 --add "$S2"
sleep 2
grep -qx idle "/sys/block/$vol/md/sync_action" || fail "mdmon rebuilt a volume mdadm had frozen"
examine_has "$S2" mdadm 'Migrate State : rebuild' && fail "a rebuild recorded while frozen"
echo "$meta" >"/sys/block/$vol/md/metadata_version"
wait_until 10 examine_has "$S2" mdadm 'Migrate State : rebuild'
note "a spare added while the volume was frozen: rebuilt once it was unfrozen"
wait_rebuild
check_normal "${D[1]}" "$S1" "$S2"
pattern_verify /dev/md/r5 72 32
run_expect 0 mdadm -S /dev/md/r5
run_expect 0 mdadm -S /dev/md/imsm0
mdadm-peer -A /dev/md/imsm0 "${D[1]}" "$S1" "$S2" 2>&1
mdadm-peer -I /dev/md/imsm0 2>&1
cat /proc/mdstat
grep -q '\[3/3\] \[UUU\]' /proc/mdstat || fail "the peer does not run the volume whole"
pattern_verify "$(vol_path r5)" 72 32
note "the peer assembles the rebuilt container"
