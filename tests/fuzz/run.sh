#!/bin/bash
# Build and run the libFuzzer targets of tests/fuzz (clang), one after the
# other, each for FUZZ_SECONDS.
#
#   tests/fuzz/run.sh [--quick] [NAME...]
#
# Default (make fuzz): FUZZ_SECONDS=60 per target; each target's corpus
# grows in build/fuzz/corpus-NAME and is reused by later runs.
# --quick (make test's "fuzz" part): FUZZ_SECONDS=6 per target, from the
# seeds only, in a corpus thrown away afterwards, so that every run tests
# the same thing and nothing grows.  Neither needs the network.
#
# Targets (NAME: binary, what it fuzzes; seeds from tests/fuzz/gen-seeds.c):
#   imsm-decode   fuzz-imsm-decode, the MPB decoder, inputs up to 4 KiB
#   imsm-large    fuzz-imsm-decode again, up to 72 KiB: MPBs of several
#                 sectors (many disks, two volumes, a bad-block log)
#   imsm-resume   fuzz-imsm-resume, migration record + resume plan
#   describe      fuzz-describe, --examine and --detail renderings
#   assemble      fuzz-assemble, grouping disks into containers
#   mdmon-frames  fuzz-mdmon-frames, mdmon's request frames
#   mdstat        fuzz-mdstat, the /proc/mdstat parser
#   sysfs         fuzz-sysfs, sysfs.c's value parsers
#
# tests/fuzz/regress/NAME/ holds the inputs of past findings (see
# tests/unit/test-fuzz-findings.c): every run starts from them too.
#
# Output: per target one line "fuzz-NAME: N executions in S s, ..." (and
# the end of libFuzzer's log on a finding; logs in build/fuzz/NAME.log,
# inputs that crash in build/fuzz/crash-*), then "fuzz: N passed, N failed"
# with each target one test.  Exit status non-zero on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 1

quick=0
if [ "${1:-}" = "--quick" ]; then
	quick=1
	shift
fi
SECONDS_TO_RUN=${FUZZ_SECONDS:-$([ "$quick" = 1 ] && echo 6 || echo 60)}
OUT=build/fuzz
CLANG=${CLANG:-clang}
# the sysfs target writes a fake tree: memory is faster than a disk
[ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR=${TMPDIR:-/dev/shm}

# name binary max_len
TARGETS="imsm-decode:imsm-decode:4096
imsm-large:imsm-decode:73728
imsm-resume:imsm-resume:16384
describe:describe:16384
assemble:assemble:32768
mdmon-frames:mdmon-frames:16384
mdstat:mdstat:8192
sysfs:sysfs:4096"

give_up() { # why
	echo "fuzz: $1" >&2
	echo "fuzz: 0 passed, 1 failed"
	exit 1
}

command -v "$CLANG" >/dev/null || give_up "$CLANG not found (libFuzzer needs clang)"
mkdir -p "$OUT" || exit 1
# Debian ships libFuzzer and the sanitizer runtimes in libclang-rt-NN-dev,
# only a Recommends of clang: say so rather than fail in the build
echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return d && n < 0; }' >"$OUT/probe.c"
"$CLANG" -fsanitize=fuzzer,address,undefined -o "$OUT/probe" "$OUT/probe.c" 2>"$OUT/probe.log" ||
	give_up "$CLANG cannot link -fsanitize=fuzzer (Debian: apt-get install libclang-rt-14-dev)"
echo "# building the fuzz targets and their seeds"
make -s -j"${FUZZ_JOBS:-2}" FUZZ_CC="$CLANG" fuzz-build >"$OUT.build.log" 2>&1 ||
	{ tail -20 "$OUT.build.log"; give_up "build failed, see $OUT.build.log"; }
rm -rf "$OUT/seeds-"*
build/fuzz/gen-seeds "$OUT" || give_up "gen-seeds failed"
# the decoder also gets the unit test's hand-built MPBs
"$CLANG" -std=gnu11 -O1 -g -D_GNU_SOURCE -I. -Itests/unit \
	tests/unit/test-imsm-format.c imsm-format.c -o "$OUT/gen-imsm-seeds" &&
	"$OUT/gen-imsm-seeds" --write-seeds "$OUT/seeds-imsm-decode" ||
	give_up "the decoder's unit-test seeds failed"

# libFuzzer's own count: "Done N runs in S second(s)"
executions() { # log
	sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 executions in \2 s/p' "$1" |
		tail -1
}

passed=0 failed=0
while IFS=: read -r name bin max_len; do
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
		continue
	fi
	log=$OUT/$name.log
	if [ "$quick" = 1 ]; then
		corpus=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-corpus-XXXXXX")
	else
		corpus=$OUT/corpus-$name
		mkdir -p "$corpus"
	fi
	"$OUT/fuzz-$bin" -max_total_time="$SECONDS_TO_RUN" -max_len="$max_len" \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$OUT/" -print_final_stats=1 \
		"$corpus" "$OUT/seeds-$name" $(ls -d "tests/fuzz/regress/$name" 2>/dev/null) \
		>"$log" 2>&1
	rc=$?
	size=$(ls "$corpus" | wc -l)
	[ "$quick" = 1 ] && rm -rf "$corpus"
	runs=$(executions "$log")
	if [ "$rc" -ne 0 ] || [ -z "$runs" ]; then
		tail -30 "$log"
		echo "fuzz-$name: FAILED (exit $rc) after ${runs:-an unknown number of executions}, see $log"
		failed=$((failed + 1))
	else
		echo "fuzz-$name: $runs, corpus $size inputs, no findings"
		passed=$((passed + 1))
	fi
done <<<"$TARGETS"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
