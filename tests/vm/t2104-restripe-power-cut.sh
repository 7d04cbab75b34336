#!/bin/bash
# vm-timeout: 400
# vm-disks: 4x48
# vm-boots: 5
# Level and chunk migrations survive power cuts (issue 11): virtio drives
# over host files, the power pulled with md reshaping and our mdadm and
# mdmon running (the reshape slowed so that the cut lands where meant):
#  boot 1: raid0 of 3 disks, a pattern, a spare; --level=5 in the
#     background; cut while the record says a unit is in the copy area.
#  boot 2: our `mdadm -A --scan` restores the unit and continues; the
#     pattern reads back mid-way; cut at a plain checkpoint (the
#     continuation killed right after it by the test hook, so that the cut
#     finds the record there: every unit of a restripe is backed up, and
#     the record says "in the copy area" most of the time).
#  boot 3: assemble, continue to the end: raid5 on 4 disks; --chunk=256,
#     cut in the copy-area state.
#  boot 4: assemble, to the end: chunk 256K; --level=0, cut in the
#     copy-area state.
#  boot 5: assemble, to the end: raid0 on 3 disks, 256K chunks, the fourth
#     disk a spare again; the pattern intact; our -E and the peer's normal.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh
use_vm_disks
[ "${#DISKS[@]}" -eq 4 ] || fail "expected 4 disks: ${DISKS[*]}"
ALL=("${DISKS[@]}")

rec_at() { # STATUS MIN_UNIT: the record says STATUS at MIN_UNIT or later
	[ "$(rec_word "${ALL[0]}" 0)" = "$1" ] && [ "$(rec_word "${ALL[0]}" 1)" -ge "$2" ] &&
		olce_migrating
}

pattern_ok() {
	pattern_verify "$(vol_path pc)" 2104 $(($(state_get size) >> 20))
}

assemble() { # [ENV=VALUE]: for the --grow --continue the assembly forks
	[ -z "$(awk '/^md/' /proc/mdstat)" ] || fail "arrays running before our assembly"
	run_expect 0 env "$@" mdadm -A --scan
	printf '%s\n' "$last_err"
	printf '%s\n' "$last_err" | grep -q 'continuing the reshape of /dev/md' ||
		fail "the assembly did not continue the reshape"
	pattern_ok
}

settled() { # LEVEL DISKS CHUNK_K: md and the metadata at the end
	local vol
	vol=$(md_devnm "$(vol_path pc)")
	! olce_migrating && [ "$(md_attr "$vol" level)" = "raid$1" ] &&
		[ "$(md_attr "$vol" raid_disks)" = "$2" ] &&
		[ "$(md_attr "$vol" chunk_size)" = $(($3 * 1024)) ] &&
		! ps ax | grep -q '[m]dadm --grow --continue'
}

grow_then_cut() { # ARG: --grow the volume slowly, cut in the copy-area state
	slow 300
	mdadm --grow "$(vol_path pc)" "$1" >/tmp/grow.out 2>&1 &
	cut_when "in the critical section of $1" rec_at 1 2
}

boot1() {
	run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${ALL[@]:0:3}"
	run_expect 0 mdadm -C /dev/md/pc -l0 -n3 -c 64 -z 12M /dev/md/imsm0
	state_put size "$(blockdev --getsize64 /dev/md/pc)"
	pattern_write /dev/md/pc 2104 $(($(state_get size) >> 20))
	run_expect 0 mdadm /dev/md/imsm0 --add "${ALL[3]}"
	sync
	grow_then_cut --level=5
}

boot2() {
	[ "$(rec_word "${ALL[0]}" 0)" = 1 ] || fail "the record lost status 1 in the cut"
	slow 300
	# the continuation dies (test hook) right after unit 6's checkpoint:
	# md waits there, the record says status 0
	assemble MDADM_TEST_OLCE_DIE=unit:6
	cut_when "at a checkpoint" rec_at 0 6
}

boot3() {
	assemble
	wait_until 300 settled 5 4 64
	pattern_ok
	grow_then_cut --chunk=256
}

boot4() {
	assemble
	wait_until 300 settled 5 4 256
	pattern_ok
	grow_then_cut --level=0
}

boot5() {
	assemble
	wait_until 300 settled 0 3 256
	pattern_ok
	[ "$(spares_of_all | wc -l)" = 1 ] || fail "not one spare after raid5 -> raid0: $(spares_of_all | xargs)"
	restripe_examined 0 3 256
	note "after four power cuts: raid0 -> raid5 -> chunk 256K -> raid0, data intact"
	stop_all_md
}

"boot$VMTEST_BOOT"
