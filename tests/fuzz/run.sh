#!/bin/bash
# Build and run the libFuzzer targets for ${FUZZ_SECONDS:-60} seconds each.
#
# fuzz-imsm-decode: seeds are valid MPBs written by the IMSM unit test
# (test-imsm-format --write-seeds).  The corpus grows in
# build/fuzz/corpus-imsm-decode and is reused by later runs; crashes are
# written to build/fuzz/ as crash-*.
#
# Output: libFuzzer's log in build/fuzz/imsm-decode.log, then one line with
# the execution count.  Exit status is libFuzzer's (non-zero on a finding).
set -u
cd "$(dirname "$0")/../.." || exit 1

CLANG=${CLANG:-clang}
SECONDS_TO_RUN=${FUZZ_SECONDS:-60}
OUT=build/fuzz
CORPUS=$OUT/corpus-imsm-decode
SEEDS=$OUT/seeds-imsm-decode
mkdir -p "$OUT" "$CORPUS" "$SEEDS" || exit 1

if ! command -v "$CLANG" >/dev/null; then
	echo "fuzz: $CLANG not found (libFuzzer needs clang)" >&2
	exit 1
fi

echo "# building seed generator and fuzz-imsm-decode"
"$CLANG" -std=gnu11 -O1 -g -D_GNU_SOURCE -I. -Itests/unit \
	tests/unit/test-imsm-format.c imsm-format.c -o "$OUT/gen-imsm-seeds" || exit 1
"$OUT/gen-imsm-seeds" --write-seeds "$SEEDS" || exit 1
"$CLANG" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1 \
	-I. -D_GNU_SOURCE tests/fuzz/fuzz-imsm-decode.c imsm-format.c \
	-o "$OUT/fuzz-imsm-decode" || exit 1

echo "# running fuzz-imsm-decode for ${SECONDS_TO_RUN}s"
"$OUT/fuzz-imsm-decode" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 \
	-artifact_prefix="$OUT/" -print_final_stats=1 \
	"$CORPUS" "$SEEDS" >"$OUT/imsm-decode.log" 2>&1
rc=$?

runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 executions in \2 s/p' \
	"$OUT/imsm-decode.log" | tail -1)
[ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	"$OUT/imsm-decode.log" | tail -1)" executions"
if [ "$rc" -ne 0 ]; then
	tail -40 "$OUT/imsm-decode.log"
	echo "fuzz-imsm-decode: FAILED after $runs (exit $rc), see $OUT/imsm-decode.log"
	exit "$rc"
fi
echo "fuzz-imsm-decode: $runs, corpus $(ls "$CORPUS" | wc -l) files, no findings"
