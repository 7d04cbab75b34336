#!/bin/bash
# vm-timeout: 400
# An interrupted raid5 -> raid0 assembled disk by disk, as udev runs
# `mdadm -I` (issue 14; power-cut campaign seed 1205, cut 21): until the
# migration ends md needs the old parity disk, whose slot the new raid0
# map no longer names.
#  1. raid5 of 4, --level=0 killed after unit 1's backup, stopped; `-I` of
#     three disks starts nothing, the parity disk's `-I` starts the volume
#     complete; the migration ends, raid0 of 3, data intact.
#  2. the same, the parity disk left out: `-IRs` starts the volume
#     degraded and the migration still ends, raid0 of 3, data intact.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

volume_runs() {
	grep -q ' : active' /proc/mdstat
}

# The migration the assembly continued has ended, its continuation gone.
continue_done() {
	! olce_migrating && ! ps ax | grep -q '[m]dadm --grow --continue'
}

# interrupted: raid5 of 4 (slot 3 on ALL[3]) at raid5 -> raid0 unit 1 in
# the copy area, everything stopped.
interrupted() {
	olce_make 4 4 5
	MDADM_TEST_OLCE_DIE=backup:1 mdadm --grow "${V[0]}" --level=0 2>/tmp/grow.err && fail "not killed"
	[ "$(rec_word "${ALL[0]}" 0)" = 1 ] || fail "the record is not at 'unit in the copy area'"
	olce_patterns_ok
	stop_all_md
}

# incr DISK...: `mdadm -I` of each, as udev; none may start the volume.
incr_none_starts() {
	local d
	for d in "$@"; do
		run_expect 0 mdadm -I "$d"
		volume_runs && fail "mdadm -I $d started the volume without the parity disk: $(cat /proc/mdstat)"
	done
	return 0
}

# ended: the volume has come up under upstream's name and its migration
# ended: raid0 of 3, 64K chunks, data intact.
ended() {
	wait_until 30 test -b "/dev/md/${VN[0]}_0"
	V[0]=/dev/md/${VN[0]}_0 C=/dev/md/imsm0
	olce_patterns_ok
	wait_until 180 continue_done
	restripe_check 0 3 64
}

# --- 1: the parity disk last ------------------------------------------------------
interrupted
incr_none_starts "${ALL[@]:0:3}"
run_expect 0 mdadm -I "${ALL[3]}"
volume_runs || fail "the fourth disk's -I did not start the volume"
grep -q '\[4/4\]' /proc/mdstat || fail "not started with 4 of 4: $(cat /proc/mdstat)"
ended
stop_all_md

# --- 2: the parity disk missing ---------------------------------------------------
interrupted
incr_none_starts "${ALL[@]:0:3}"
run_expect 0 mdadm -IRs
volume_runs || fail "-IRs did not start the degraded volume"
ended
