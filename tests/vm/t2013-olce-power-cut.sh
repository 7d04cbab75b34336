#!/bin/bash
# vm-timeout: 400
# vm-disks: 4x64
# vm-boots: 4
# An OLCE survives power cuts (issue 5, "Resume is part of done"): a
# container with a raid5 volume and a raid0 volume grows from 3 to 4 disks
# (virtio drives over host files, run.sh: vm-disks, vm-boots, power_cut)
# while the power goes three times, each with md reshaping and our mdadm
# and mdmon running (the reshape slowed so that the cut lands where meant):
#  boot 1: create, a pattern on each volume, --grow in the background;
#     cut while the migration record says unit 1 of volume 0 is in the
#     copy area (critical section, status 1).
#  boot 2: the record still says status 1; our `mdadm -A --scan` restores
#     the unit and continues (it forks --grow --continue); the patterns
#     read back mid-reshape; cut once the record is at unit 8 (mid-way).
#  boot 3: assemble and continue; cut right after volume 0 ended and
#     mdmon began volume 1's migration (between the two volumes).
#  boot 4: assemble, the OLCE continues to the end: both volumes on 4
#     members at their grown sizes, levels raid5 and raid0, the patterns
#     intact, our -E and the peer's normal with 4 disks.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh
use_vm_disks
[ "${#DISKS[@]}" -eq 4 ] || fail "expected 4 disks: ${DISKS[*]}"
ALL=("${DISKS[@]}")
VN=(pv0 pv1) LV=(5 0)

# vol_field DISK NAME FIELD: FIELD of volume NAME in our -E of DISK.
vol_field() {
	mdadm -E "$1" 2>/dev/null | awk -v n="[$2]:" -v f="$3" '
		$0 == n { p = 1; next } /^\[/ { p = 0 }
		p && $1 " " $2 == f { sub(/^[^:]*: /, ""); print; exit }'
}

migrating() { # NAME
	[ "$(vol_field "${ALL[0]}" "$1" 'Migrate State')" = 'general migration' ]
}

rec_at() { # STATUS MIN_UNIT: volume 0's record says STATUS at MIN_UNIT or later
	[ "$(rec_word "${ALL[0]}" 0)" = "$1" ] && [ "$(rec_word "${ALL[0]}" 1)" -ge "$2" ] &&
		migrating pv0
}

between() { # volume 0 ended, volume 1's migration began
	! migrating pv0 && migrating pv1
}

patterns_ok() {
	local i
	for i in 0 1; do
		pattern_verify "$(vol_path "${VN[i]}")" $((2013 * 10 + i)) $(($(state_get "size$i") >> 20))
	done
}

assemble() {
	[ -z "$(awk '/^md/' /proc/mdstat)" ] || fail "arrays running before our assembly"
	run_expect 0 mdadm -A --scan
	printf '%s\n' "$last_err"
	printf '%s\n' "$last_err" | grep -q 'continuing the reshape of /dev/md' ||
		fail "the assembly did not continue the reshape"
	cat /proc/mdstat
	patterns_ok
}

boot1() {
	local i
	run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${ALL[@]:0:3}"
	run_expect 0 mdadm -C /dev/md/pv0 -l5 -n3 -c 128 -z 16M --assume-clean /dev/md/imsm0
	run_expect 0 mdadm -C /dev/md/pv1 -l0 -n3 -c 128 -z 8M /dev/md/imsm0
	for i in 0 1; do
		state_put "size$i" "$(blockdev --getsize64 "/dev/md/${VN[i]}")"
		pattern_write "/dev/md/${VN[i]}" $((2013 * 10 + i)) $(($(state_get "size$i") >> 20))
	done
	run_expect 0 mdadm /dev/md/imsm0 --add "${ALL[3]}"
	sync
	slow 300 # a unit per member (1 MiB) takes about 3 s: the cut lands in it
	mdadm --grow /dev/md/imsm0 --raid-devices=4 >/tmp/grow.out 2>&1 &
	cut_when "in the critical section" rec_at 1 1
}

boot2() {
	[ "$(rec_word "${ALL[0]}" 0)" = 1 ] || fail "the record lost status 1 in the cut"
	slow 300
	assemble
	[ "$(rec_word "${ALL[0]}" 0)" = 0 ] || fail "the record still says status 1 after the assembly"
	cut_when "mid-way" rec_at 0 8
}

boot3() {
	slow 300
	assemble
	cut_when "between the volumes" between
}

boot4() {
	local i vol want d p
	migrating pv1 || fail "volume 1 is not migrating after the third cut"
	migrating pv0 && fail "volume 0 is migrating again"
	assemble
	for i in 0 1; do
		vol=$(md_devnm "$(vol_path "${VN[i]}")")
		wait_until 300 sh -c "[ \"\$(cat /sys/block/$vol/md/raid_disks)\" = 4 ] &&
			grep -qx none /sys/block/$vol/md/reshape_position"
	done
	wait_until 60 sh -c "! mdadm -E ${ALL[0]} | grep -q 'Migrate State : general'"
	cat /proc/mdstat
	for i in 0 1; do
		vol=$(md_devnm "$(vol_path "${VN[i]}")")
		want=$(($(state_get "size$i") / $(olce_data "${LV[i]}" 3) * $(olce_data "${LV[i]}" 4)))
		[ "$(blockdev --getsize64 "$(vol_path "${VN[i]}")")" = "$want" ] ||
			fail "${VN[i]}: size $(blockdev --getsize64 "$(vol_path "${VN[i]}")"), expected $want"
		[ "$(md_attr "$vol" level)" = "raid${LV[i]}" ] || fail "${VN[i]}: level $(md_attr "$vol" level)"
	done
	patterns_ok
	for d in "${ALL[@]}"; do
		for p in mdadm mdadm-peer; do
			"$p" -E "$d" >/tmp/e.txt 2>&1 || fail "$p -E $d failed"
			grep -q 'Migrate State : general' /tmp/e.txt && fail "$p -E $d: still migrating"
			[ "$(grep -c 'Map State : normal$' /tmp/e.txt)" = 2 ] || fail "$p -E $d: a map not normal"
			[ "$(grep -c 'Members : 4$' /tmp/e.txt)" = 2 ] || fail "$p -E $d: not 4 members each"
		done
	done
	note "after three power cuts: both volumes on 4 disks, data intact, metadata normal"
	stop_all_md
}

"boot$VMTEST_BOOT"
