#!/bin/bash
# vm-timeout: 600
# An initial resync (INIT migration, imsm-format.md §6.3) stopped half-way
# resumes from the checkpoint mdmon recorded, not from 0:
#  1. ours: create without --assume-clean, slow resync; mdmon records the
#     INIT migration and advances its checkpoint; stop mid-way; our -E and
#     the peer's -E agree on "initialize" and "Checkpoint : N (factor)";
#     our -A gives md resync_start = N * factor; the resync completes, the
#     metadata ends idle, normal and clean; the data written before the
#     stop reads back.
#  2. the peer (Debian's mdadm 4.2) continues an INIT we interrupted from
#     our checkpoint (its resync_start > 0) and completes it.
#  3. an unclean shutdown (mdmon killed while the volume is dirty) is
#     resynced as a REPAIR migration (type 2 + status 0x80), which resumes
#     from its checkpoint the same way and ends with the bit cleared.
. "$VMTEST_LIB"

FACTOR=384 # RAID5, 3 disks, 64 KiB chunk (§6.2)

slow_resync() { # MAX_KIB_S [MIN_KIB_S]
	echo "${2:-100}" >/proc/sys/dev/raid/speed_limit_min
	echo "$1" >/proc/sys/dev/raid/speed_limit_max
}

# Hold a resync still so resync_start shows where it began: with both limits
# 0 md sleeps before each request after the first.  A small limit is not
# enough: md issues requests until the first complete, which can carry it
# past its next checkpoint at once.
hold_resync() {
	slow_resync 0 0
}

# sync_done DEVNM: sectors md has resynced, 0 while no number is shown
sync_done() {
	local v
	v=$(cat "/sys/block/$1/md/sync_completed" 2>/dev/null) || v=none
	case $v in [0-9]*) echo "${v%% *}" ;; *) echo 0 ;; esac
}

sync_past() { # DEVNM SECTORS
	[ "$(sync_done "$1")" -ge "$2" ]
}

# ckpt_unit DISK [PROGRAM]: the unit of the volume's "Checkpoint : U (F)"
ckpt_unit() {
	local c
	c=$(examine_field "$1" Checkpoint "${2:-mdadm}")
	echo "${c%% *}"
}

ckpt_above() { # DISK UNIT
	local u
	u=$(ckpt_unit "$1")
	[ -n "$u" ] && [ "$u" -gt "$2" ]
}

ckpt_is() { # DISK UNIT
	[ "$(ckpt_unit "$1")" = "$2" ]
}

# vol_status DISK: the first volume's status word (imsm-format.md §2.3),
# from the anchor (LBA N-2) of a 3-disk container: 0xD8 + 3 * 48 + 0x18.
vol_status() {
	local n
	n=$(($(blockdev --getsz "$1") - 2))
	dd if="$1" bs=512 skip="$n" count=1 iflag=direct status=none | od -An -tx4 -j 384 -N 4 | tr -d ' '
}

resync_finished() { # DEVNM
	grep -qx idle "/sys/block/$1/md/sync_action" &&
		grep -qx none "/sys/block/$1/md/resync_start"
}

# show_checkpoint DISK [MIGRATION MAP1]: both --examine views of an
# interrupted INIT (or MIGRATION whose source map is MAP1); sets N.
show_checkpoint() {
	local ours peer migr=${2:-initialize} map1=${3:-uninitialized}
	mdadm -E "$1" >/tmp/ours.txt
	mdadm-peer -E "$1" >/tmp/peer.txt
	grep -E 'Migrate State|Map State|Checkpoint|Dirty State' /tmp/ours.txt
	for f in /tmp/ours.txt /tmp/peer.txt; do
		grep -q "Migrate State : $migr\$" "$f" || fail "no $migr migration in $f"
		grep -q "Map State : normal <-- $map1\$" "$f" || fail "maps wrong in $f"
		grep -q 'Dirty State : dirty' "$f" || fail "not dirty in $f"
	done
	ours=$(sed -n 's/^ *Checkpoint : //p' /tmp/ours.txt)
	peer=$(sed -n 's/^ *Checkpoint : //p' /tmp/peer.txt)
	note "checkpoint after the stop: ours '$ours', peer '$peer'"
	[ "$ours" = "$peer" ] || fail "checkpoints differ: ours '$ours', peer '$peer'"
	[ "${ours#* }" = "($FACTOR)" ] || fail "factor is not $FACTOR: $ours"
	N=${ours%% *}
	[ "$N" -gt 0 ] || fail "checkpoint is 0 after a part-way resync"
}

# ---- 1. ours: stop, show, resume, complete ----------------------------------
make_disks 3 64
slow_resync 500
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${DISKS[@]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 -c 64 -z 24M /dev/md/imsm0
vol=$(md_devnm /dev/md/r5)
total=$(($(cat "/sys/block/$vol/md/component_size") * 2))
wait_until 30 grep -qx resync "/sys/block/$vol/md/sync_action"
wait_until 30 sh -c "mdadm -E ${DISKS[0]} | grep -q 'Migrate State : initialize'"
note "INIT migration recorded while md resyncs"
pattern_write /dev/md/r5 51 32
wait_until 120 sync_past "$vol" $((total / 4))
wait_until 30 ckpt_above "${DISKS[0]}" 0
note "running: sync_completed $(cat "/sys/block/$vol/md/sync_completed"), checkpoint $(examine_field "${DISKS[0]}" Checkpoint)"

# Interrupted (frozen) between two of md's checkpoints: resync_start holds
# where it stopped, and mdmon takes the checkpoint from there.
done_before=$(sync_done "$vol")
echo frozen >"/sys/block/$vol/md/sync_action"
rs=$(cat "/sys/block/$vol/md/resync_start")
wait_until 10 ckpt_is "${DISKS[0]}" $((rs / FACTOR))
note "frozen: sync_completed was $done_before, resync_start $rs, checkpoint $(examine_field "${DISKS[0]}" Checkpoint)"
echo idle >"/sys/block/$vol/md/sync_action"
wait_until 30 grep -qx resync "/sys/block/$vol/md/sync_action"
wait_until 60 sync_past "$vol" $((rs + 2048))

run_expect 0 mdadm -S /dev/md/r5
show_checkpoint "${DISKS[0]}"
[ $((N * FACTOR)) -ge $((total / 4 - FACTOR)) ] || fail "checkpoint $N is behind the resync"
[ $((N * FACTOR)) -lt "$total" ] || fail "checkpoint $N is past the end"
for d in "${DISKS[@]}"; do
	[ "$(ckpt_unit "$d")" = "$N" ] || fail "$d has another checkpoint"
done
run_expect 0 mdadm -S /dev/md/imsm0

hold_resync
run_expect 0 mdadm -A /dev/md/imsm0 "${DISKS[@]}"
vol=$(md_devnm "$(vol_path r5)")
start=$(cat "/sys/block/$vol/md/resync_start")
note "resync_start after our assembly: $start (expected $N x $FACTOR = $((N * FACTOR)))"
[ "$start" = $((N * FACTOR)) ] || fail "resync_start $start, expected $((N * FACTOR))"
wait_until 30 grep -qx resync "/sys/block/$vol/md/sync_action"
[ "$(sync_done "$vol")" -ge $((N * FACTOR)) ] || [ "$(sync_done "$vol")" = 0 ] ||
	fail "the resync restarted below the checkpoint: $(cat "/sys/block/$vol/md/sync_completed")"
slow_resync 200000
wait_until 120 resync_finished "$vol"
wait_until 30 sh -c "mdadm-peer -E ${DISKS[0]} | grep -q 'Dirty State : clean'"
mdadm-peer -E "${DISKS[0]}" >/tmp/peer.txt
grep -q 'Migrate State : idle' /tmp/peer.txt || fail "migration not ended"
grep -q 'Map State : normal$' /tmp/peer.txt || fail "map not normal"
grep -q 'Checkpoint' /tmp/peer.txt && fail "checkpoint shown for an idle volume"
grep -E 'Migrate State|Map State|Dirty State' <(mdadm -E "${DISKS[0]}")
pattern_verify "$(vol_path r5)" 51 32
note "our INIT resumed at unit $N and completed"
run_expect 0 mdadm -S $(vol_path r5)
run_expect 0 mdadm -S /dev/md/imsm0

# ---- 2. the peer continues an INIT we started -------------------------------
make_disks 3 64
D2=("${DISKS[@]:3:3}")
slow_resync 500
run_expect 0 mdadm -C /dev/md/imsm1 -e imsm -n3 "${D2[@]}"
run_expect 0 mdadm -C /dev/md/s5 -l5 -n3 -c 64 -z 24M /dev/md/imsm1
vol=$(md_devnm /dev/md/s5)
pattern_write /dev/md/s5 52 32
wait_until 120 sync_past "$vol" $((total / 4))
run_expect 0 mdadm -S /dev/md/s5
run_expect 0 mdadm -S /dev/md/imsm1
show_checkpoint "${D2[0]}"

hold_resync
mdadm-peer -A /dev/md/imsm1 "${D2[@]}" 2>&1
mdadm-peer -I /dev/md/imsm1 2>&1
vol=$(md_devnm "$(vol_path s5)")
start=$(cat "/sys/block/$vol/md/resync_start")
note "resync_start after the peer's assembly: $start (our checkpoint $N x $FACTOR = $((N * FACTOR)))"
[ "$start" != none ] && [ "$start" -gt 0 ] || fail "the peer restarted the resync from 0"
slow_resync 200000
wait_until 120 resync_finished "$vol"
wait_until 30 sh -c "mdadm-peer -E ${D2[0]} | grep -q 'Dirty State : clean'"
mdadm -E "${D2[0]}" >/tmp/ours.txt
grep -q 'Migrate State : idle' /tmp/ours.txt || fail "the peer did not end the migration"
grep -q 'Map State : normal$' /tmp/ours.txt || fail "map not normal after the peer"
pattern_verify "$(vol_path s5)" 52 32
note "the peer continued our INIT from unit $N and completed it"
run_expect 0 mdadm -S "$(vol_path s5)"
run_expect 0 mdadm-peer -S /dev/md/imsm1

# ---- 3. REPAIR after an unclean shutdown ------------------------------------
make_disks 3 64
D3=("${DISKS[@]:6:3}")
slow_resync 200000
run_expect 0 mdadm -C /dev/md/imsm2 -e imsm -n3 "${D3[@]}"
ctr=$(md_devnm /dev/md/imsm2)
run_expect 0 mdadm -C /dev/md/t5 -l5 -n3 -c 64 -z 24M --assume-clean /dev/md/imsm2
vol=$(md_devnm "$(vol_path t5)")
wait_until 10 grep -qx read-auto "/sys/block/$vol/md/array_state"
pattern_write /dev/md/t5 53 32
kill -9 "$(cat "/run/mdadm/$ctr.pid")" # before the idle delay marks it clean
mdadm-peer -E "${D3[0]}" | grep -q 'Dirty State : dirty' || fail "not dirty at the crash"
run_expect 0 mdadm -S /dev/md/t5
run_expect 0 mdadm -S /dev/md/imsm2
mdadm-peer -E "${D3[0]}" | grep -q 'Migrate State : idle' || fail "migrating before the repair"

slow_resync 500
run_expect 0 mdadm -A /dev/md/imsm2 "${D3[@]}"
vol=$(md_devnm "$(vol_path t5)")
[ "$(cat "/sys/block/$vol/md/resync_start")" = 0 ] || fail "a dirty volume must resync from 0"
wait_until 30 sh -c "mdadm -E ${D3[0]} | grep -q 'Migrate State : repair'"
wait_until 120 sync_past "$vol" $((total / 4))
run_expect 0 mdadm -S $(vol_path t5)
show_checkpoint "${D3[0]}" repair normal
[ "$(vol_status "${D3[0]}")" = 0000008c ] || fail "repair status $(vol_status "${D3[0]}"), expected 0000008c"
run_expect 0 mdadm -S /dev/md/imsm2

hold_resync
run_expect 0 mdadm -A /dev/md/imsm2 "${D3[@]}"
vol=$(md_devnm "$(vol_path t5)")
start=$(cat "/sys/block/$vol/md/resync_start")
note "REPAIR: resync_start after our assembly: $start (expected $N x $FACTOR = $((N * FACTOR)))"
[ "$start" = $((N * FACTOR)) ] || fail "resync_start $start, expected $((N * FACTOR))"
slow_resync 200000
wait_until 120 resync_finished "$vol"
wait_until 30 sh -c "mdadm-peer -E ${D3[0]} | grep -q 'Dirty State : clean'"
mdadm-peer -E "${D3[0]}" >/tmp/peer.txt
grep -q 'Migrate State : idle' /tmp/peer.txt || fail "repair not ended"
grep -q 'Map State : normal$' /tmp/peer.txt || fail "map not normal after the repair"
[ "$(vol_status "${D3[0]}")" = 0000000c ] || fail "status $(vol_status "${D3[0]}") after the repair"
pattern_verify "$(vol_path t5)" 53 32
note "REPAIR resumed at unit $N and completed"
