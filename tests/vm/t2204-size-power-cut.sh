#!/bin/bash
# vm-timeout: 400
# vm-disks: 5x48
# vm-boots: 3
# A volume's growth survives power cuts (issue 12): virtio drives over
# host files, our mdadm and mdmon running.  Container A: a raid5 of 3
# disks; container B: a raid1 of 2.
#  boot 1: A --size=max with md's resync slowed; cut once mdmon recorded
#     the resync of the new region (a REPAIR migration) with a checkpoint.
#  boot 2: our `mdadm -A --scan`: A at its new size resumes the resync at
#     or past the old end (not from 0) and ends; data intact.  B
#     --size=max with mdadm killed right after the metadata step (md not
#     yet at the new size); cut.
#  boot 3: B assembles at the new size and resyncs (the metadata marked
#     it dirty: its new region has no mirror yet); data intact; our -E and
#     the peer's agree; the peer assembles both.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh
. /repo/tests/vm/levels-lib.sh
use_vm_disks
[ "${#DISKS[@]}" -eq 5 ] || fail "expected 5 disks: ${DISKS[*]}"
A=("${DISKS[@]:0:3}") B=("${DISKS[@]:3:2}") ALL=("${DISKS[@]}")
VN=(sa sb) OLCE_SEED=230


repairing() { # DISK: a REPAIR migration with a checkpoint above 0 is recorded
	local c
	c=$(examine_field "$1" Checkpoint)
	mdadm -E "$1" | grep -q 'Migrate State : repair' && [ "${c%% *}" -gt 0 ] 2>/dev/null
}


settled() { # I: md idle, no migration recorded, metadata clean
	local dev
	dev=$(md_devnm "${V[$1]}")
	[ "$(cat /sys/block/$dev/md/sync_action)" = idle ] &&
		[ "$(cat /sys/block/$dev/md/resync_start)" = none ] &&
		! mdadm -E "${ALL[$((3 * $1))]}" | grep -q 'Migrate State : [^i]'
}

boot1() {
	run_expect 0 mdadm --create /dev/md/ca --metadata=imsm --raid-devices=3 "${A[@]}"
	run_expect 0 mdadm --create /dev/md/sa --level=5 --raid-devices=3 --chunk=64 --size=12M --assume-clean /dev/md/ca
	run_expect 0 mdadm --create /dev/md/cb --metadata=imsm --raid-devices=2 "${B[@]}"
	run_expect 0 mdadm --create /dev/md/sb --level=1 --raid-devices=2 --size=12M --assume-clean /dev/md/cb
	state_put size0 "$(blockdev --getsize64 /dev/md/sa)"
	state_put size1 "$(blockdev --getsize64 /dev/md/sb)"
	state_put old_sectors "$(($(md_attr "$(md_devnm /dev/md/sa)" component_size) * 2))"
	tko_vols
	pattern_write "${V[0]}" 2300 $((S0[0] >> 20))
	pattern_write "${V[1]}" 2301 $((S0[1] >> 20))
	sync
	slow 300
	run_expect 0 mdadm --grow "${V[0]}" --size=max
	note "$last_err"
	wait_until 120 repairing "${A[0]}" || fail "no REPAIR migration with a checkpoint: $(mdadm -E "${A[0]}" | grep -E 'Migrate|Checkpoint')"
	note "recorded: $(examine_field "${A[0]}" Checkpoint); md at $(cat "/sys/block/$(md_devnm "${V[0]}")/md/sync_completed")"
	power_cut
}

boot2() {
	local dev rs
	slow 300
	tko_assemble
	dev=$(md_devnm "${V[0]}")
	rs=$(cat "/sys/block/$dev/md/resync_start")
	case $rs in [0-9]*) ;; *) fail "the resync of the new region was not resumed: resync_start $rs" ;; esac
	[ "$rs" -ge "$(state_get old_sectors)" ] || fail "the resync restarts at $rs, below the old end $(state_get old_sectors)"
	note "A resumes its resync at $rs (the old end is $(state_get old_sectors))"
	slow 200000
	wait_until 120 settled 0 || fail "A's resync did not end: $(cat /proc/mdstat)"
	[ "$(blockdev --getsize64 "${V[0]}")" -gt "${S0[0]}" ] || fail "A did not keep its new size"
	olce_patterns_ok
	local rc=0
	MDADM_TEST_TAKEOVER_DIE=metadata mdadm --grow "${V[1]}" --size=max 2>/tmp/grow.err || rc=$?
	[ "$rc" = 137 ] || fail "--size with MDADM_TEST_TAKEOVER_DIE=metadata exited $rc: $(cat /tmp/grow.err)"
	[ "$(blockdev --getsize64 "${V[1]}")" = "${S0[1]}" ] || fail "B's md size changed before the cut"
	note "B --size=max: mdadm killed after the metadata step"
	power_cut
}

boot3() {
	local dev
	tko_assemble
	dev=$(md_devnm "${V[1]}")
	[ "$(blockdev --getsize64 "${V[1]}")" -gt "${S0[1]}" ] || fail "B is not at the metadata's new size"
	wait_until 120 settled 1 || fail "B's resync did not end: $(cat /proc/mdstat)"
	dmesg | grep -q "md: resync of RAID array $dev\$" || fail "B was not resynced"
	olce_patterns_ok
	for p in mdadm mdadm-peer; do
		"$p" -E "${B[0]}" | grep -q 'Map State : normal$' || fail "$p -E: B not normal"
		"$p" -E "${A[0]}" | grep -q 'Map State : normal$' || fail "$p -E: A not normal"
	done
	note "after two power cuts both volumes are at their new sizes, resynced, data intact"
	tko_peer_reads_two
}

"boot$VMTEST_BOOT"
