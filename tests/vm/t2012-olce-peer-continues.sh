#!/bin/bash
# vm-timeout: 600
# Debian's mdadm 4.2 continues an OLCE that ours began and that was
# interrupted (issue 5: the metadata during a migration stays readable by
# the peer, which assembles the container and continues to the end).
# Our mdadm --grow is SIGKILLed (test hook MDADM_TEST_OLCE_DIE), md runs
# to the limit ours set, everything is stopped; then only the peer's
# mdadm and mdmon touch the disks: -A of the container, -I of its volume,
# which continues the reshape by itself (its assembly forks its --grow
# --continue, as ours does).  Two points: inside the critical section (unit 1
# backed up, the record says it is in the copy area; its destination
# is then overwritten with random data: the peer restores it) and mid-way (a plain checkpoint).  Each time: 4 members, the grown
# size, the pattern intact (also right after the peer's assembly), our -E
# and the peer's normal.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

# The peer's assembly of every disk of the case; V are its volume paths.
peer_assemble() {
	local i
	run_expect 0 mdadm-peer -A "$C" "${ALL[@]}"
	printf '%s\n' "$last_err"
	run_expect 0 mdadm-peer -I "$C"
	printf '%s\n' "$last_err"
	for i in "${!VN[@]}"; do
		wait_until 30 test -b "/dev/md/${VN[i]}" -o -b "/dev/md/${VN[i]}_0"
		V[i]=$(vol_path "${VN[i]}")
	done
	cat /proc/mdstat
}

peer_done() { # DEVNM
	[ "$(md_attr "$1" raid_disks)" = "$OLCE_NEW" ] &&
		[ "$(md_attr "$1" reshape_position)" = none ] &&
		! mdadm-peer -E "${ALL[0]}" 2>/dev/null | grep -q 'Migrate State : general'
}

peer_continues() { # POINT
	local vol
	olce_make 3 4 5
	olce_grow_killed "$1"
	vol=$(md_devnm "${V[0]}")
	wait_until 60 md_at_sync_max "$vol"
	note "md held at $(md_attr "$vol" reshape_position); record status" \
		"$(rec_word "${ALL[0]}" 0) unit $(rec_word "${ALL[0]}" 1)"
	stop_all_md
	pgrep -x mdmon >/dev/null && fail "an mdmon still runs after the stop"
	[ "$(rec_word "${ALL[0]}" 0)" = 0 ] || scribble_unit "$(rec_word "${ALL[0]}" 1)" "${ALL[@]}"
	peer_assemble
	olce_patterns_ok
	vol=$(md_devnm "${V[0]}")
	note "the peer assembled: $(md_attr "$vol" raid_disks) disks," \
		"reshape_position $(md_attr "$vol" reshape_position), $(md_attr "$vol" sync_action)"
	wait_until 300 peer_done "$vol"
	olce_check_grown
	note "the peer continued our OLCE killed at $1 to the end"
	stop_all_md
}

peer_continues backup:1
peer_continues unit:6
