#!/bin/bash
# vm-timeout: 300
# An OLCE after a disk was replaced: a rebuilt member comes last in the
# container's disk table, so the volumes' slots no longer name disks
# 0, 1, 2 in order (it was refused: "the container's disk list does not
# match the volumes' slot order").  Two raid5 volumes on 3 disks and two
# spares; slot 1 fails, mdmon rebuilds both volumes onto a spare, the
# failed disk is removed; then --grow --raid-devices=4 takes the other
# spare: sizes, data, our -E and the peer's agree, and the peer assembles
# the result and reads it.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

olce_make 3 5 5 5
failed=${ALL[1]}
run_expect 0 mdadm "${V[0]}" --fail "$failed"
rebuilt() { # every volume whole again, md idle
	local v d
	for v in "${V[@]}"; do
		d=$(md_devnm "$v")
		[ "$(cat "/sys/block/$d/md/degraded")" = 0 ] &&
			grep -qx idle "/sys/block/$d/md/sync_action" || return 1
	done
	! mdadm -E "${ALL[0]}" | grep -q 'Migrate State : rebuild'
}
wait_until 120 rebuilt
run_expect 0 mdadm "$C" --remove "$failed"
spare=
for d in "${ALL[3]}" "${ALL[4]}"; do
	mdadm -D "${V[0]}" | grep -q "$d\$" || spare=$d
done
[ -n "$spare" ] || fail "both spares went into the volumes"
ALL=("${ALL[0]}" "${ALL[2]}" "${ALL[3]}" "${ALL[4]}")
OLCE_NEW=4
olce_patterns_ok
slot1=$(mdadm -D "${V[0]}" | awk '$4 == 1 { print $NF }')
note "$failed failed, both volumes rebuilt onto $slot1 (slot 1, the last disk of the table), $spare left a spare"

run_expect 0 mdadm --grow "$C" --raid-devices=4
olce_check_grown
mdadm -D "${V[1]}" | awk '$4 == 1 { print $NF }' | grep -qx "$slot1" || fail "slot 1 moved"
mdadm -D "${V[1]}" | awk '$4 == 3 { print $NF }' | grep -qx "$spare" || fail "$spare is not slot 3"
olce_peer_reads
