#!/bin/bash
# vm-timeout: 400
# vm-disks: 6x48
# vm-boots: 4
# Takeovers survive power cuts (issue 12): virtio drives over host files,
# the power pulled with our mdadm and mdmon running.  Container A: raid0
# of 2 disks and 2 spares; container B: raid0 of 1 disk and a spare.
#  boot 1: A --level=10, B --level=1; cut while mdmon's rebuilds run,
#     each with a checkpoint recorded.
#  boot 2: our `mdadm -A --scan`: each rebuild resumes at or past its
#     checkpoint and ends; data intact.  (After each cut the spares no
#     volume has taken yet are loose disks, as upstream's: their own
#     records name no container; the test adds them again.)  A --level=0 with mdadm killed
#     right after the metadata (md still raid10), B --level=0 killed right
#     after md's change (not unfrozen); cut.
#  boot 3: both assemble as raid0, data intact, the mirrors spares again.
#     A --level=10 killed after the metadata (md still raid0), B --level=1
#     killed after md's change; cut.
#  boot 4: both assemble degraded and mdmon rebuilds them; data intact;
#     our -E and the peer's agree; the peer assembles the result.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh
. /repo/tests/vm/levels-lib.sh
use_vm_disks
[ "${#DISKS[@]}" -eq 6 ] || fail "expected 6 disks: ${DISKS[*]}"
A=("${DISKS[@]:0:4}") B=("${DISKS[@]:4:2}") ALL=("${DISKS[@]}")
VN=(ta tb) OLCE_SEED=220


ckpt() { # DISK: the unit of mdmon's rebuild checkpoint, empty when none
	local c
	c=$(examine_field "$1" Checkpoint)
	echo "${c%% *}"
}

rebuilding_past() { # DISK: a rebuild is recorded there with a checkpoint above 0
	local u
	u=$(ckpt "$1")
	mdadm -E "$1" | grep -q 'Migrate State : rebuild' && [ -n "$u" ] && [ "$u" -gt 0 ]
}

# The recovering member of md device DEV starts at or past unit N.
resumes_at() { # DEV N
	local f rs
	for f in /sys/block/"$1"/md/dev-*/recovery_start; do
		rs=$(cat "$f")
		case $rs in [0-9]*) ;; *) continue ;; esac
		[ "$rs" -ge $(($2 * 128)) ] || fail "$1 rebuilds from $rs, below checkpoint $2 x 128"
		note "$1 resumes its rebuild at $rs (checkpoint $2 x 128 = $(($2 * 128)))"
		return 0
	done
	fail "$1: no member is recovering: $(cat /proc/mdstat)"
}


killed_at() { # STEP I LEVEL: --grow V[I] --level=LEVEL, mdadm killed after STEP
	local rc=0
	MDADM_TEST_TAKEOVER_DIE=$1 mdadm --grow "${V[$2]}" --level="$3" 2>/tmp/grow.err || rc=$?
	[ "$rc" = 137 ] || fail "--level=$3 with MDADM_TEST_TAKEOVER_DIE=$1 exited $rc: $(cat /tmp/grow.err)"
	note "${VN[$2]} --level=$3: mdadm killed after the $1 step; md $(md_attr "$(md_devnm "${V[$2]}")" level)"
}

boot1() {
	run_expect 0 mdadm --create /dev/md/ca --metadata=imsm --raid-devices=2 "${A[@]:0:2}"
	run_expect 0 mdadm --create /dev/md/ta --level=0 --raid-devices=2 --chunk=64 --size=12M /dev/md/ca
	run_expect 0 mdadm --create /dev/md/cb --metadata=imsm --raid-devices=1 --force "${B[0]}"
	run_expect 0 mdadm --create /dev/md/tb --level=0 --raid-devices=1 --force --size=12M /dev/md/cb
	state_put size0 "$(blockdev --getsize64 /dev/md/ta)"
	state_put size1 "$(blockdev --getsize64 /dev/md/tb)"
	tko_vols
	pattern_write "${V[0]}" 2200 $((S0[0] >> 20))
	pattern_write "${V[1]}" 2201 $((S0[1] >> 20))
	run_expect 0 mdadm --add /dev/md/ca "${A[@]:2}"
	run_expect 0 mdadm --add /dev/md/cb "${B[1]}"
	sync
	slow 300
	run_expect 0 mdadm --grow "${V[0]}" --level=10
	run_expect 0 mdadm --grow "${V[1]}" --level=1
	wait_until 120 rebuilding_past "${A[0]}" || fail "A: no rebuild checkpoint"
	wait_until 120 rebuilding_past "${B[0]}" || fail "B: no rebuild checkpoint"
	state_put ckptA "$(ckpt "${A[0]}")"
	state_put ckptB "$(ckpt "${B[0]}")"
	power_cut
}

# A spare that no volume had taken yet carries its own record, which names
# no container (imsm-format.md §1.6): an assembly without a config leaves
# it out, as upstream's does; the admin adds it again.
spares_in() { # DISK...: how many carry a spare record
	local d n=0
	for d in "$@"; do
		[ "$(examine_field "$d" State)" != spare ] || n=$((n + 1))
	done
	echo "$n"
}

cont_of() { # DISK: the container md device that holds it
	local h
	for h in /sys/block/"$(basename "$1")"/holders/*; do
		[ "$(cat "$h/md/metadata_version" 2>/dev/null)" = external:imsm ] && basename "$h" && return 0
	done
	fail "$1 is in no container"
}

readd_loose() { # MEMBER-DISK DISK...
	local c d
	c=$(cont_of "$1")
	shift
	for d in "$@"; do
		[ -e "/sys/block/$c/md/dev-$(basename "$d")" ] && continue
		[ "$(examine_field "$d" State)" = spare ] || fail "$d is out of its container and no spare"
		run_expect 0 mdadm --add "/dev/$c" "$d"
		note "the loose spare $d added again"
	done
}

boot2() {
	slow 300
	tko_assemble
	readd_loose "${A[0]}" "${A[@]}"
	readd_loose "${B[0]}" "${B[@]}"
	resumes_at "$(md_devnm "${V[0]}")" "$(state_get ckptA)"
	resumes_at "$(md_devnm "${V[1]}")" "$(state_get ckptB)"
	slow 200000
	tko_rebuilt 0 "${A[0]}"
	tko_rebuilt 1 "${B[0]}"
	tko_check 0 10 4 A
	tko_check 1 1 2 B
	killed_at metadata 0 0
	[ "$(md_attr "$(md_devnm "${V[0]}")" level)" = raid10 ] || fail "md left raid10 before the cut"
	killed_at md 1 0
	sync
	power_cut
}

boot3() {
	tko_assemble
	tko_check 0 0 2 A
	tko_check 1 0 1 B
	[ "$(spares_in "${A[@]}")" = 2 ] || fail "A: the mirror halves are not spares"
	[ "$(spares_in "${B[@]}")" = 1 ] || fail "B: the mirror is not a spare"
	readd_loose "${A[0]}" "${A[@]}"
	readd_loose "${B[0]}" "${B[@]}"
	killed_at metadata 0 10
	[ "$(md_attr "$(md_devnm "${V[0]}")" level)" = raid0 ] || fail "md left raid0 before the cut"
	killed_at md 1 1
	sync
	power_cut
}

boot4() {
	tko_assemble
	readd_loose "${A[0]}" "${A[@]}"
	readd_loose "${B[0]}" "${B[@]}"
	tko_rebuilt 0 "${A[0]}"
	tko_rebuilt 1 "${B[0]}"
	tko_check 0 10 4 A
	tko_check 1 1 2 B
	note "after three power cuts: raid0 -> raid10 -> raid0 -> raid10 and raid0 -> raid1 -> raid0 -> raid1, data intact"
	tko_peer_reads_two
}

"boot$VMTEST_BOOT"
