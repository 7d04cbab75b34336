#!/bin/bash
# make test: set-up, build, unit tests (sanitizers), the harness self-test,
# a bounded fuzz run (each libFuzzer target a few seconds from its seeds),
# and the VM suite.  Ends with one line "N passed, N failed" summing all
# parts; exit status non-zero if anything failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
passed=0 failed=0

# Adds "<part>: N passed, N failed" from a part's output to the totals; a
# part that printed no such line counts as one failure.
tally() { # part-name output-file exit-code
	local line p f
	line=$(grep -E "^$1: [0-9]+ passed, [0-9]+ failed" "$2" | tail -1)
	if [ -z "$line" ]; then
		echo "# $1 printed no result (exit $3): counted as one failure"
		failed=$((failed + 1))
		return
	fi
	p=${line#*: }; p=${p%% passed*}
	f=${line#*passed, }; f=${f%% failed*}
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
}

part() { # name command...
	local name=$1 out rc
	shift
	out=$(mktemp)
	echo "### $name"
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	tally "$name" "$out" "$rc"
	rm -f "$out"
}

echo "### set-up"
if ! tests/vm/setup.sh || ! make -s all; then
	echo "set-up or build failed"
	echo "0 passed, 1 failed"
	exit 1
fi
part unit make -s check
part host tests/host/run.sh
part harness tests/harness-selftest.sh
part fuzz tests/fuzz/run.sh --quick
part vm tests/vm/run.sh
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
