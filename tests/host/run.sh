#!/bin/bash
# Host checks that need no VM (documentation, installation layout): each
# tests/host/t-*.sh prints TAP lines ("ok - ..." / "not ok - ...") and
# exits non-zero when any check failed.  Prints "host: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0
for t in "$here"/t-*.sh; do
	[ -f "$t" ] || continue
	echo "# $(basename "$t")"
	out=$(bash "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(grep -c '^ok ' <<<"$out")
	f=$(grep -c '^not ok ' <<<"$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $(basename "$t") exited $rc"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $(basename "$t") checked nothing"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
done
echo "host: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
