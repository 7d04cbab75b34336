#!/bin/bash
# vm-timeout: 600
# A rebuild stopped half-way (imsm-format.md §6.2, §7.4): the volume is
# stopped while md recovers onto the spare; the metadata keeps the REBUILD
# migration with the checkpoint mdmon recorded (ours and the peer's -E
# agree), the volume recorded clean.  The peer assembles it and finishes
# the rebuild from there; the metadata ends normal, and the data reads
# back even with an original member failed, i.e. from the rebuilt disk.
. "$VMTEST_LIB"

slow_recovery() {
	echo 100 >/proc/sys/dev/raid/speed_limit_min
	echo "$1" >/proc/sys/dev/raid/speed_limit_max
}

ckpt_unit() { # DISK [PROGRAM]
	local c
	c=$(examine_field "$1" Checkpoint "${2:-mdadm}")
	echo "${c%% *}"
}

ckpt_above_zero() {
	local u
	u=$(ckpt_unit "$1")
	[ -n "$u" ] && [ "$u" -gt 0 ]
}

make_disks 4 48
D=("${DISKS[@]:0:3}") S=${DISKS[3]}
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${D[@]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 -c 64 -z 16M --assume-clean /dev/md/imsm0
vol=$(md_devnm /dev/md/r5)
pattern_write /dev/md/r5 111 32
run_expect 0 mdadm /dev/md/imsm0 --add "$S"

slow_recovery 1000
run_expect 0 mdadm /dev/md/r5 --fail "${D[1]}"
wait_until 60 ckpt_above_zero "${D[0]}"
slow_recovery 100
note "rebuilding: sync_completed $(cat "/sys/block/$vol/md/sync_completed"), checkpoint $(examine_field "${D[0]}" Checkpoint)"
run_expect 0 mdadm -S /dev/md/r5

for p in mdadm mdadm-peer; do
	"$p" -E "$S" >/tmp/e.txt
	grep -q 'Migrate State : rebuild' /tmp/e.txt || fail "$p: the rebuild is not recorded"
	grep -q 'Map State : normal <-- degraded' /tmp/e.txt || fail "$p: maps wrong"
	grep -q 'Dirty State : clean' /tmp/e.txt || fail "$p: not recorded clean"
	grep -q 'This Slot : 1 (out-of-sync)' /tmp/e.txt || fail "$p: the spare is not slot 1"
done
ours=$(examine_field "$S" Checkpoint) peer=$(examine_field "$S" Checkpoint mdadm-peer)
[ "$ours" = "$peer" ] || fail "checkpoints differ: ours '$ours', peer '$peer'"
[ "${ours#* }" = "(128)" ] || fail "rebuild factor is not 128: $ours"
N=${ours%% *}
[ "$N" -gt 0 ] || fail "checkpoint 0 after a part-way rebuild"
note "stopped at checkpoint $ours"
run_expect 0 mdadm -S /dev/md/imsm0

mdadm-peer -A /dev/md/imsm0 "${D[0]}" "${D[2]}" "$S" 2>&1
mdadm-peer -I /dev/md/imsm0 2>&1
v=$(md_devnm "$(vol_path r5)")
cat /proc/mdstat
rs=$(cat "/sys/block/$v/md/dev-$(basename "$S")/recovery_start")
note "the peer resumes: recovery_start of $S is $rs (checkpoint $N x 128 = $((N * 128)))"
case $rs in [0-9]*) ;; *) fail "the rebuilding disk reads in sync: $rs" ;; esac
[ "$rs" -ge $((N * 128)) ] || fail "the rebuild restarted below the checkpoint"
slow_recovery 200000
wait_until 120 sh -c "grep -qx idle /sys/block/$v/md/sync_action && grep -q '\\[3/3\\]' /proc/mdstat"
wait_until 30 sh -c "mdadm -E $S | grep -q 'Migrate State : idle'"
mdadm -E "$S" >/tmp/e.txt
grep -q 'Map State : normal$' /tmp/e.txt || fail "not normal after the rebuild"
grep -q 'Failed disk : none' /tmp/e.txt || fail "a failed slot is left"
pattern_verify "$(vol_path r5)" 111 32
mdadm-peer "$(vol_path r5)" --fail "${D[0]}" 2>&1
wait_until 30 sh -c "[ ! -e /sys/block/$v/md/dev-$(basename "${D[0]}") ]"
pattern_verify "$(vol_path r5)" 111 32
note "the peer finished our rebuild; the rebuilt disk holds the data"
