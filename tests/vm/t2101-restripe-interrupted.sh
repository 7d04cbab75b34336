#!/bin/bash
# vm-timeout: 900
# Level and chunk migrations interrupted at every kind of moment resume
# from their checkpoint (issue 11): mdadm SIGKILLed (test hook
# MDADM_TEST_OLCE_DIE) in the critical section right after a unit's backup
# and after a plain checkpoint, then `mdadm --grow --continue` on the
# running volume, or stop + `mdadm -A --scan`, which resumes by itself
# (the copy area restored when the record says so); mdmon SIGKILLed
# mid-way and replaced with `mdmon --takeover`.  Every unit of a restripe
# is critical, so every stop is inside the critical section.  After each
# stop the pattern reads back through md; at the end the geometry is the
# one asked for, both -E say normal, the pattern is intact.  SIGTERM and
# SIGINT at a random moment stop mdadm at a checkpoint (one line, exit 1)
# with no write left waiting; --continue or an assembly resumes.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

# killed POINT ARGS...: mdadm --grow V[0] ARGS dies at POINT.
killed() {
	local point=$1 rc=0
	shift
	MDADM_TEST_OLCE_DIE=$point mdadm --grow "${V[0]}" "$@" 2>/tmp/grow.err || rc=$?
	[ "$rc" = 137 ] || fail "mdadm --grow $* with MDADM_TEST_OLCE_DIE=$point exited $rc: $(cat /tmp/grow.err)"
	olce_migrating || fail "killed at $point, yet no migration is recorded"
	note "mdadm --grow $* killed at $point: $(mdadm -E "${ALL[0]}" | grep -m1 'Checkpoint :' | xargs)"
	olce_patterns_ok
}

# reassembled: everything stopped, then -A --scan resumes the migration.
reassembled() {
	stop_all_md
	run_expect 0 mdadm -A --scan
	[ -z "$last_err" ] || note "$last_err"
	# upstream's names without a conf file: imsm0, NAME_0
	wait_until 30 test -b "/dev/md/${VN[0]}_0"
	V[0]=/dev/md/${VN[0]}_0 C=/dev/md/imsm0
	olce_patterns_ok
	wait_until 180 continue_done
}

# The migration the assembly continued has ended: no longer in the
# metadata, and the background `mdadm --grow --continue` (which finishes
# md's side after the metadata) is gone.
continue_done() {
	! olce_migrating && ! ps ax | grep -q '[m]dadm --grow --continue'
}

# raid0 3 -> raid5 4, killed right after unit 2's backup; --continue
olce_make 3 4 0
killed backup:2 --level=5
run_expect 0 mdadm --grow --continue "${V[0]}"
restripe_check 5 4 64

# raid5 4: chunk 64K -> 256K, killed after unit 3's checkpoint; reassembled
killed unit:3 --chunk=256
reassembled
restripe_check 5 4 256

# raid5 4 -> raid0 3, killed after unit 1's backup (record status 1):
# the assembly restores the unit from the copy area, then continues
killed backup:1 --level=0
[ "$(rec_word "${ALL[0]}" 0)" = 1 ] || fail "the record is not at 'unit in the copy area'"
reassembled
restripe_check 0 3 256
[ "$(spares_of_all | wc -l)" = 1 ] || fail "not one spare after raid5 -> raid0: $(spares_of_all | xargs)"

# raid0 3: chunk 256K -> 128K with mdmon killed mid-way and replaced
mdmon_replaced_during "${V[0]}" --chunk=128
restripe_check 0 3 128

# signalled SIGNAL ARGS...: mdadm --grow V[0] ARGS gets SIGNAL mid-way: it
# stops at a checkpoint with one line, exit 1; no write waits afterwards
# (the whole volume is rewritten with its own pattern within 20 s).
signalled() {
	local sig=$1 rc=0 grow
	shift
	echo 1000 >/proc/sys/dev/raid/speed_limit_max
	mdadm --grow "${V[0]}" "$@" 2>/tmp/grow.err &
	grow=$!
	wait_until 60 olce_migrating
	sleep 1.$((RANDOM % 10))
	kill -"$sig" "$grow"
	wait "$grow" || rc=$?
	echo 200000 >/proc/sys/dev/raid/speed_limit_max
	[ "$rc" = 1 ] || fail "mdadm --grow $* exited $rc after SIG$sig: $(cat /tmp/grow.err)"
	grep -q "stopped by signal" /tmp/grow.err || fail "no stop message: $(cat /tmp/grow.err)"
	olce_migrating || fail "SIG$sig: no migration left to resume"
	timeout 20 dd if="$(pattern_file $((OLCE_SEED * 10)) $((S0[0] >> 20)))" of="${V[0]}" bs=1M \
		oflag=direct status=none || fail "writes wait after the stop by SIG$sig"
	note "SIG$sig: $(tail -1 /tmp/grow.err); writes go on"
	olce_patterns_ok
}

# raid0 3 -> raid5 4 stopped by SIGTERM, continued
signalled TERM --level=5
run_expect 0 mdadm --grow --continue "${V[0]}"
restripe_check 5 4 128

# raid5 chunk 128K -> 64K stopped by SIGINT, resumed by an assembly
signalled INT --chunk=64
reassembled
restripe_check 5 4 64
olce_peer_reads
