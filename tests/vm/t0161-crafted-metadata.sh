#!/bin/bash
# vm-timeout: 300
# Metadata that does not fit the disk it was read from, and a stale copy of
# the migration record (issue 14; imsm-format.md §1.1, §1.5, §1.7, §6.7).
#  - A raid1 volume whose disk records were poked to claim disks twice as
#    large as they are and whose blocks_per_member then ends past the disk,
#    or just over the MPB at its end (checksum fixed, the peer accepts the
#    copy): -A and -I refuse with one line naming the disk, nothing on any
#    disk changes; -E still shows the copy with one warning line.  With
#    blocks_per_member put back (the claimed sizes stay) the same disks
#    assemble and the pattern reads back.
#  - A raid5 3 -> 4 OLCE (4 units) killed at unit 1, continued and killed
#    again further on; the first record member's copy then replaced by the one
#    it had at the first kill (stale but valid, of this migration): the
#    assembly resumes from the newer copy on the second member (held,
#    reshape_position where that copy says), writes it on both, the
#    pattern reads back; a second assembly continues it to the end.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

poke() { python3 /repo/tests/vm/tools/imsm-poke-u32.py "$@"; }

# ---- volume extents that do not fit -----------------------------------------
make_disks 2 16
A=("${DISKS[@]:0:2}")
run_expect 0 mdadm -C /dev/md/ca -e imsm -n2 --run "${A[@]}"
run_expect 0 mdadm -C /dev/md/va -l1 -n2 -z 4M --assume-clean --run /dev/md/ca
pattern_write /dev/md/va 161 4
stop_all_md
N=$(blockdev --getsz "${A[0]}")
BPM=$(poke "${A[0]}" vol0-bpm)
note "disks of $N blocks, volume va has blocks_per_member $BPM at pba 0"

# The decoder holds extents to the disk sizes the table claims: the attack
# claims disks twice as large as they are, then places the volume.
crafted_case() { # WHAT BPM
	local d before
	for d in "${A[@]}"; do
		poke "$d" disk0-blocks=$((2 * N)) disk1-blocks=$((2 * N)) vol0-bpm="$2" >/dev/null
	done
	mdadm-peer -E "${A[0]}" 2>/dev/null | grep -q 'Intel Raid ISM' ||
		fail "$1: the peer does not accept the poked copy"
	before=$(sums "${A[@]}")
	run_expect 1 mdadm -A /dev/md/ca "${A[@]}"
	expect_one_error_line "mdadm: ${A[0]}: "
	case $last_err in *"past the end of the device"*) ;; *) fail "$1: -A says $last_err" ;; esac
	grep -q '^md' /proc/mdstat && fail "$1: -A started an array"
	note "$1, -A: $last_err"
	run_expect 1 mdadm -I "${A[1]}"
	expect_one_error_line "mdadm: ${A[1]}: "
	case $last_err in *"past the end of the device"*) ;; *) fail "$1: -I says $last_err" ;; esac
	grep -q '^md' /proc/mdstat && fail "$1: -I started an array"
	note "$1, -I: $last_err"
	run_expect 0 mdadm -E "${A[0]}"
	printf '%s\n' "$last_out" | grep -q 'Magic : Intel Raid ISM Cfg Sig' || fail "$1: -E shows nothing"
	printf '%s\n' "$last_out" | grep -q "Per Dev Size : $2[ (]" ||
		fail "$1: -E does not show the volume as it is"
	expect_one_error_line "mdadm: warning: ${A[0]}: volume va ends at block $2"
	note "$1, -E: $last_err"
	[ "$(sums "${A[@]}")" = "$before" ] || fail "$1: a disk changed"
}
crafted_case "ending past the disk" $((N + 4096))
crafted_case "ending over the MPB" $((N - 1))
for d in "${A[@]}"; do poke "$d" vol0-bpm="$BPM" >/dev/null; done
run_expect 0 mdadm -A /dev/md/ca "${A[@]}"
pattern_verify "$(vol_path va)" 161 4
note "the value put back: assembled, pattern intact"
stop_all_md
for d in "${A[@]}"; do losetup -d "$d"; done

# ---- a stale copy of the migration record on the first record member -------
first=${#DISKS[@]}
make_disks 4 24
D=("${DISKS[@]:first}")
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${D[@]:0:3}"
run_expect 0 mdadm -C /dev/md/vol -l5 -n3 -c 64 -z 4M --assume-clean /dev/md/imsm0
SIZE0=$(blockdev --getsize64 /dev/md/vol)
pattern_write /dev/md/vol 1612 $((SIZE0 >> 20))
run_expect 0 mdadm /dev/md/imsm0 --add "${D[3]}"

killed_at() { # POINT CMD...: mdadm killed there, md held at its limit
	local rc=0 point=$1
	shift
	MDADM_TEST_OLCE_DIE=$point "$@" 2>/tmp/grow.err || rc=$?
	[ "$rc" = 137 ] || fail "mdadm was not killed at $point (exit $rc): $(cat /tmp/grow.err)"
	wait_until 60 md_at_sync_max "$(md_devnm /dev/md/vol)"
}
killed_at unit:1 mdadm --grow /dev/md/imsm0 --raid-devices=4
sz=$(blockdev --getsz "${D[0]}")
dd if="${D[0]}" of=/tmp/stale.rec bs=512 skip=$((sz - 1)) count=1 iflag=direct status=none
OLD=$(rec_word "${D[0]}" 0)/$(rec_word "${D[0]}" 1)
killed_at unit:3 mdadm --grow --continue /dev/md/imsm0
RS=$(rec_word "${D[1]}" 0) RU=$(rec_word "${D[1]}" 1) BPU=$(rec_word "${D[1]}" 4)
[ "$(rec_word "${D[0]}" 0)/$(rec_word "${D[0]}" 1)" = "$RS/$RU" ] || fail "the two records differ"
[ "$RU" -gt "${OLD#*/}" ] || fail "the second kill did not get past the first ($OLD, $RS/$RU)"
POS=$(((RU + RS) * BPU))
note "first kill: record $OLD (saved); second kill: record $RS/$RU, md resumes at $POS;" \
	"main checkpoint: $(examine_field "${D[0]}" Checkpoint)"
run_expect 0 mdadm -S /dev/md/vol
run_expect 0 mdadm -S /dev/md/imsm0
dd if=/tmp/stale.rec of="${D[0]}" bs=512 seek=$((sz - 1)) oflag=direct conv=notrunc status=none
[ "$(rec_word "${D[0]}" 0)/$(rec_word "${D[0]}" 1)" = "$OLD" ] || fail "the stale copy is not in place"

run_expect 0 env MDADM_NO_GROW_CONTINUE=1 mdadm -A /dev/md/imsm0 "${D[@]}"
printf '%s\n' "$last_err"
vol=$(md_devnm "$(vol_path vol)")
[ "$(md_attr "$vol" reshape_position)" = "$POS" ] ||
	fail "reshape_position $(md_attr "$vol" reshape_position), expected $POS"
for d in "${D[@]:0:2}"; do
	[ "$(rec_word "$d" 0)/$(rec_word "$d" 1)" = "0/$((POS / BPU))" ] ||
		fail "$d: record $(rec_word "$d" 0)/$(rec_word "$d" 1), expected 0/$((POS / BPU))"
done
pattern_verify "$(vol_path vol)" 1612 $((SIZE0 >> 20))
note "resumed from the second member's copy at $POS; both records rewritten"
run_expect 0 mdadm -S "$(vol_path vol)"
run_expect 0 mdadm -S /dev/md/imsm0
run_expect 0 mdadm -A /dev/md/imsm0 "${D[@]}"
printf '%s\n' "$last_err" | grep -q 'continuing the reshape of /dev/md' ||
	fail "the assembly did not continue the reshape: $last_err"
done_4() {
	[ "$(md_attr "$vol" raid_disks)" = 4 ] && [ "$(md_attr "$vol" reshape_position)" = none ] &&
		! mdadm -E "${D[0]}" 2>/dev/null | grep -q 'Migrate State : gen'
}
wait_until 120 done_4
[ "$(blockdev --getsize64 "$(vol_path vol)")" = $((SIZE0 / 2 * 3)) ] || fail "the volume did not grow"
pattern_verify "$(vol_path vol)" 1612 $((SIZE0 >> 20))
note "the reshape ended: 4 members, $(blockdev --getsize64 "$(vol_path vol)") bytes"
stop_all_md
