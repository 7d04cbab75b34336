#!/bin/bash
# bench/olce.sh: how long an Online Capacity Expansion takes, ours against
# Debian's mdadm 4.2 ("peer") and against md's native reshape.  Not a test:
# no threshold, nothing fails on a slow figure.  See bench/README.md.
#
#   bench/olce.sh            one VM boot, prints the figures
#   BENCH_LOGDIR=DIR ...     keep the guest's log and result file in DIR
#
# The three reshapes run in the same boot (bench/olce-guest.sh), because
# TCG timings from different boots are too noisy to compare.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
logs=${BENCH_LOGDIR:-$(mktemp -d)}
mkdir -p "$logs"

VMTEST_LOGDIR=$logs "$top/tests/vm/run.sh" "$top/bench/olce-guest.sh" >"$logs/run.out" 2>&1
res=$logs/olce-bench.result
if [ ! -s "$res" ]; then
	cat "$logs/run.out"
	echo "olce bench: no result (log: $logs/olce-guest.log)"
	exit 1
fi

# shellcheck source=bench/host-lib.sh
. "$top/bench/host-lib.sh"

echo "olce bench: raid5 3 -> 4 disks, 512 MiB disks (500 MiB per member), 128 KiB chunk"
echo "  one VM boot, kernel $(get kernel), qemu TCG; times from --grow to the grown array"
printf '  %-34s %s\n' "peer (Debian mdadm 4.2, IMSM):" "$(figure peer)"
printf '  %-34s %s\n' "native (md v1.2 metadata, peer):" "$(figure native)"
printf '  %-34s %s\n' "ours (IMSM):" "$(figure ours)"
[ -z "$(get ours_add)" ] || echo "    (the disk was added to our container by $(get ours_add))"
printf '  ratios: ours/native %s, ours/peer %s, peer/native %s\n' \
	"$(ratio ours native)" "$(ratio ours peer)" "$(ratio peer native)"
echo "  (log: $logs/olce-guest.log)"
