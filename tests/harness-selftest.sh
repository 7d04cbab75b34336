#!/bin/bash
# Proves the VM runner cannot report a broken test as passing: a failing
# test, a kernel panic and a hang must each be "not ok" with a reason, the
# failing test's log must be shown, the passing control must pass, and the
# runner must exit non-zero.  For tests over persistent disks and several
# boots (run.sh: vm-disks, vm-boots): a two-boot test with a power cut
# between must pass, and its log must show that boot 2 ran and that the cut
# lost unsynced data while synced data and the state survived; a power cut
# in the last boot and a failure in boot 1 of 2 must fail (boot 2 not run);
# the disk files must be gone afterwards.  Prints TAP and "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$(mktemp -d)
disks=$(mktemp -d)
out=$(VMTEST_LOGDIR=$logs VMTEST_DISKDIR=$disks "$top/tests/vm/run.sh" "$top"/tests/vm/selftest/t99*.sh 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
passed=0 failed=0
check() { # description, then a command
	local d=$1
	shift
	if "$@"; then passed=$((passed + 1)); echo "ok - $d"
	else failed=$((failed + 1)); echo "not ok - $d"; fi
}
has() { printf '%s\n' "$out" | grep -q -E -- "$1"; }
logged() { grep -q -E -- "$2" "$logs/$1.log" 2>/dev/null; }
check "runner exits non-zero" test "$rc" -ne 0
check "failure reported" has '^not ok [0-9]+ - t9900-deliberate-failure: exit status 1'
check "failure log shown" has 'this line must appear in the failure report'
check "panic reported" has '^not ok [0-9]+ - t9901-kernel-panic: guest kernel panic'
check "hang reported" has '^not ok [0-9]+ - t9902-hang: timed out'
check "control passes" has '^ok [0-9]+ - t9903-pass'
check "two boots with a power cut pass" has '^ok [0-9]+ - t9904-two-boots-power-cut \(2 boots'
check "boot 1 ended by the power cut" logged t9904-two-boots-power-cut '^vmtest: boot 1 of 2 ended by a power cut'
check "boot 2 ran" logged t9904-two-boots-power-cut '^=== boot 2 of 2 ===$'
check "boot 2 found the synced data, not the unsynced" logged t9904-two-boots-power-cut 'disk 0 kept the token; disk 1 did not get'
check "power cut in the last boot fails" has '^not ok [0-9]+ - t9905-power-cut-last-boot: power cut in the last boot'
check "failed boot 1 of 2 fails" has '^not ok [0-9]+ - t9906-first-boot-fails: exit status 1 in boot 1 of 2'
check "no boot after a failed boot" bash -c "! grep -q 'boot 2 of 2' '$logs/t9906-first-boot-fails.log'"
check "disk files removed" test -z "$(ls -A "$disks")"
check "closing line" has '^vm: 2 passed, 5 failed$'
rm -rf "$logs" "$disks"
echo "harness: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
