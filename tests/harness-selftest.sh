#!/bin/bash
# Proves the VM runner cannot report a broken test as passing: a failing
# test, a kernel panic and a hang must each be "not ok" with a reason, the
# failing test's log must be shown, the passing control must pass, and the
# runner must exit non-zero.  Prints TAP and "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$(mktemp -d)
out=$(VMTEST_LOGDIR=$logs "$top/tests/vm/run.sh" "$top"/tests/vm/selftest/t99*.sh 2>&1)
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
check "runner exits non-zero" test "$rc" -ne 0
check "failure reported" has '^not ok [0-9]+ - t9900-deliberate-failure: exit status 1'
check "failure log shown" has 'this line must appear in the failure report'
check "panic reported" has '^not ok [0-9]+ - t9901-kernel-panic: guest kernel panic'
check "hang reported" has '^not ok [0-9]+ - t9902-hang: timed out'
check "control passes" has '^ok [0-9]+ - t9903-pass'
check "closing line" has '^vm: 1 passed, 3 failed$'
rm -rf "$logs"
echo "harness: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
