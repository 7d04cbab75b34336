#!/bin/bash
# bench/restripe.sh: how long level and chunk migrations take, ours against
# Debian's mdadm 4.2 ("peer") and md's native reshape of the same geometry.
# Not a test: no threshold.  See bench/README.md.
#
#   bench/restripe.sh            one VM boot, prints the figures
#   BENCH_LOGDIR=DIR ...         keep the guest's log and result file in DIR
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
logs=${BENCH_LOGDIR:-$(mktemp -d)}
mkdir -p "$logs"

VMTEST_LOGDIR=$logs "$top/tests/vm/run.sh" "$top/bench/restripe-guest.sh" >"$logs/run.out" 2>&1
res=$logs/restripe-bench.result
if [ ! -s "$res" ]; then
	cat "$logs/run.out"
	echo "restripe bench: no result (log: $logs/restripe-guest.log)"
	exit 1
fi

# shellcheck source=bench/host-lib.sh
. "$top/bench/host-lib.sh"

echo "restripe bench: 512 MiB disks (500 MiB per member), one VM boot, kernel $(get kernel), qemu TCG"
for kind in level chunk; do
	case $kind in
	level) echo "  raid0 3 disks -> raid5 4 disks (64 KiB chunk):" ;;
	chunk) echo "  raid5 3 disks, chunk 64 KiB -> 256 KiB:" ;;
	esac
	printf '    %-32s %s\n' "peer (Debian mdadm 4.2, IMSM):" "$(figure "${kind}_peer")"
	printf '    %-32s %s\n' "native (md v1.2, peer):" "$(figure "${kind}_native")"
	printf '    %-32s %s\n' "ours (IMSM):" "$(figure "${kind}_ours")"
	printf '    ratios: ours/native %s, ours/peer %s, peer/native %s\n' \
		"$(ratio "${kind}_ours" "${kind}_native")" "$(ratio "${kind}_ours" "${kind}_peer")" \
		"$(ratio "${kind}_peer" "${kind}_native")"
done
echo "  (log: $logs/restripe-guest.log)"
