#!/bin/bash
# vm-timeout: 420
# An OLCE stopped by signals at random moments (issue 14): raid5 + raid0
# 3 -> 4 disks, mdadm --grow and then each `--grow --continue` get
# SIGTERM (or SIGINT, SIGHUP) after a seeded random delay.  Each stop:
# exit 1 with "stopped by signal", the migration recorded for a resume, no
# write waits afterwards, every pattern reads back.  Midway the arrays
# are stopped as a shutdown would (`mdadm -Ss`, which must not hang) and
# assembled with -A --scan; the continuation the assembly starts is
# stopped the same way.  At the end --continue finishes: geometry, both
# -E and the data are right.  The delays come from seed 11 (make test
# uses the same ones every time; where they land depends on the
# machine's speed: 3 or 4 stops, the shutdown when the migration is still
# on by then); VMTEST_SEED=N draws others, and the seed is printed so that
# a failure replays.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

seed=${VMTEST_SEED:-11}
RANDOM=$seed
note "seed $seed (VMTEST_SEED=$seed replays these moments)"
SIGS=(TERM TERM INT HUP)

# stop_at_random CMD...: CMD (a --grow) in the background gets a random
# signal after a random 0.2-2.5 s; it must stop at a checkpoint.  Returns
# 1 when the migration had already ended (nothing left to stop).
stop_at_random() {
	local sig=${SIGS[RANDOM % 4]} ms=$((200 + RANDOM % 2300)) rc=0 grow
	"$@" 2>/tmp/grow.err &
	grow=$!
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	kill -"$sig" "$grow" 2>/dev/null || true # it may have ended
	wait "$grow" || rc=$?
	if [ "$rc" = 0 ] && ! olce_migrating; then
		note "SIG$sig after ${ms} ms: the migration had ended"
		return 1
	fi
	if [ "$rc" = $((128 + $(kill -l "$sig"))) ]; then
		# before mdadm took the signal: it must have changed nothing yet
		olce_migrating && fail "SIG$sig at ${ms} ms killed mdadm with a migration recorded"
		grep -q 'external:-' /sys/block/md*/md/metadata_version && fail "SIG$sig at ${ms} ms left a volume frozen"
		note "SIG$sig after ${ms} ms: mdadm ended before it began; nothing recorded, nothing frozen"
		stop_at_random "$@"
		return
	fi
	[ "$rc" = 1 ] || fail "$* exited $rc after SIG$sig at ${ms} ms: $(cat /tmp/grow.err)"
	grep -q "stopped by signal" /tmp/grow.err || fail "no stop message: $(cat /tmp/grow.err)"
	olce_migrating || fail "SIG$sig at ${ms} ms: no migration left to resume"
	writes_go_on
	note "SIG$sig after ${ms} ms: $(mdadm -E "${ALL[0]}" | grep -m1 'Checkpoint :' | xargs)"
	olce_patterns_ok
}

# No write waits for the stopped mdadm: each volume is rewritten with its
# own pattern within 20 s.
writes_go_on() {
	local i
	local i p
	for i in "${!V[@]}"; do
		dd if="$(pattern_file $((OLCE_SEED * 10 + i)) $((S0[i] >> 20)))" of="${V[i]}" \
			bs=1M oflag=direct status=none &
		p=$!
		if ! wait_for 20 sh -c "! kill -0 $p 2>/dev/null"; then
			cat /proc/mdstat "/proc/$p/stack"
			grep -H . /sys/block/md*/md/{array_state,sync_max,reshape_position,suspend_lo,suspend_hi,sync_completed}
			fail "writes to ${V[i]} wait after the stop"
		fi
		wait "$p" || fail "dd to ${V[i]} failed"
	done
}

echo 100 >/proc/sys/dev/raid/speed_limit_min
echo 2000 >/proc/sys/dev/raid/speed_limit_max
olce_make 3 4 5 0
stops=0
if stop_at_random mdadm --grow "$C" --raid-devices=4; then
	stops=1
	for round in 1 2 3; do
		stop_at_random mdadm --grow --continue "$C" || break
		stops=$((stops + 1))
	done
fi

# A shutdown while the migration waits, then the assembly continues it.
if olce_migrating; then
	timeout 60 mdadm -Ss || fail "mdadm -Ss failed or hung with a migration stopped by a signal"
	run_expect 0 mdadm -A --scan
	wait_until 30 test -b "/dev/md/${VN[0]}_0"
	V=("/dev/md/${VN[0]}_0" "/dev/md/${VN[1]}_0") C=/dev/md/imsm0
	olce_patterns_ok
	note "stopped and assembled mid-way; data intact"
	grow=$(pgrep -f -- '--grow --continue' | head -1 || true)
	if [ -n "$grow" ]; then # the continuation the assembly started
		sleep 0.$((RANDOM % 10))
		kill -TERM "$grow" 2>/dev/null || true
		wait_until 30 sh -c "! kill -0 $grow 2>/dev/null"
		if olce_migrating; then
			writes_go_on
			stops=$((stops + 1))
			note "the assembly's continuation stopped by SIGTERM"
		fi
	fi
fi
echo 200000 >/proc/sys/dev/raid/speed_limit_max
olce_migrating && run_expect 0 mdadm --grow --continue "$C"
olce_check_grown
[ "$stops" -ge 1 ] || fail "no signal landed inside the migration"
note "$stops stops by signal; the OLCE finished with the data intact"
