#!/bin/bash
# vm-timeout: 900
# Level and chunk migrations between us and Debian's mdadm 4.2 (issue
# 11, interop): the metadata mid-migration means the same to both.
#  - ours begins, is SIGKILLed (test hook MDADM_TEST_OLCE_DIE), everything
#    stops, then only the peer's mdadm and mdmon touch the disks: its -A
#    and -I continue to the end.  raid0 3 -> raid5 4 killed after a
#    checkpoint; raid5 chunk 64K -> 256K killed after a backup, the unit's
#    destination then scribbled over (the peer restores it).
#  - the peer begins (its --grow, which forks), is SIGKILLed mid-way,
#    everything stops, then our `mdadm -A --scan` continues to the end:
#    a chunk migration and raid0 -> raid5.
# Each time: the pattern reads back right after the assembly and at the
# end, md runs the new geometry, both -E say normal.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

peer_assemble() {
	run_expect 0 mdadm-peer -A "$C" "${ALL[@]}"
	run_expect 0 mdadm-peer -I "$C"
	wait_until 30 test -b "/dev/md/${VN[0]}" -o -b "/dev/md/${VN[0]}_0"
	V[0]=$(vol_path "${VN[0]}")
	olce_patterns_ok
}

done_at() { # LEVEL DISKS CHUNK_K (PROGRAM): md and the metadata at the end
	local vol
	vol=$(md_devnm "${V[0]}")
	[ "$(md_attr "$vol" level)" = "raid$1" ] && [ "$(md_attr "$vol" raid_disks)" = "$2" ] &&
		[ "$(md_attr "$vol" chunk_size)" = $(($3 * 1024)) ] &&
		[ "$(md_attr "$vol" reshape_position)" = none ] &&
		! "${4:-mdadm}" -E "${ALL[0]}" 2>/dev/null | grep -q 'Migrate State : general' &&
		! ps ax | grep -q '[m]dadm.* --grow --continue'
}

# ours_then_peer POINT LEVEL DISKS CHUNK ARGS...: ours killed, the peer ends it
ours_then_peer() {
	local point=$1 level=$2 disks=$3 chunk=$4 rc=0
	shift 4
	MDADM_TEST_OLCE_DIE=$point mdadm --grow "${V[0]}" "$@" 2>/tmp/grow.err || rc=$?
	[ "$rc" = 137 ] || fail "mdadm --grow $* was not killed at $point (exit $rc): $(cat /tmp/grow.err)"
	wait_until 60 md_at_sync_max "$(md_devnm "${V[0]}")"
	stop_all_md
	[ "$(rec_word "${ALL[0]}" 0)" = 0 ] || scribble_unit "$(rec_word "${ALL[0]}" 1)" "${ALL[@]}"
	peer_assemble
	wait_until 300 done_at "$level" "$disks" "$chunk" mdadm-peer
	restripe_check "$level" "$disks" "$chunk"
	note "the peer continued our $* killed at $point"
	stop_all_md
}

# peer_then_ours LEVEL DISKS CHUNK ARGS...: the peer's --grow killed mid-way, ours ends it
peer_then_ours() {
	local level=$1 disks=$2 chunk=$3 p
	shift 3
	stop_all_md
	peer_assemble
	echo 300 >/proc/sys/dev/raid/speed_limit_max
	echo 100 >/proc/sys/dev/raid/speed_limit_min
	mdadm-peer --grow "${V[0]}" "$@" 2>&1
	wait_until 120 peer_past_unit 2
	for p in $(pgrep -f 'mdadm-peer --grow'); do kill -KILL "$p"; done
	echo 200000 >/proc/sys/dev/raid/speed_limit_max
	note "the peer's $* killed: record status $(rec_word "${ALL[0]}" 0) unit $(rec_word "${ALL[0]}" 1)"
	stop_all_md
	run_expect 0 mdadm -A --scan
	printf '%s\n' "$last_err" | grep -q 'continuing the reshape' ||
		fail "our assembly did not continue the peer's migration: $last_err"
	wait_until 30 test -b "/dev/md/${VN[0]}_0"
	V[0]=/dev/md/${VN[0]}_0 C=/dev/md/imsm0
	olce_patterns_ok
	wait_until 300 done_at "$level" "$disks" "$chunk"
	restripe_check "$level" "$disks" "$chunk"
	note "we continued the peer's $*"
}

peer_past_unit() { # U: the peer's record is at unit U or later
	olce_migrating && [ "$(rec_word "${ALL[0]}" 1)" -ge "$1" ]
}

olce_make 3 4 0
ours_then_peer unit:3 5 4 64 --level=5
olce_make 3 3 5
ours_then_peer backup:2 5 3 256 --chunk=256

olce_make 3 3 5
peer_then_ours 5 3 256 --chunk=256
olce_make 3 4 0
peer_then_ours 5 4 64 --level=5 --layout=left-asymmetric
