#!/bin/bash
# make demo: boot the VM and run the demo in it (tests/vm/demo/demo-olce.sh:
# Online Capacity Expansion of a two-volume IMSM container), showing its
# output as it comes.  Exits non-zero when the demo fails.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
name=demo-olce
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
t0=$(date +%s)

# What the guest has appended to the demo's log since the last call.
shown=0
show_new() {
	local f=$logs/$name.log n
	[ -f "$f" ] || return 0
	n=$(stat -c %s "$f")
	[ "$n" -gt "$shown" ] || return 0
	tail -c +$((shown + 1)) "$f" | head -c $((n - shown))
	shown=$n
}

echo "demo: booting the test VM (qemu, no KVM: about 2 minutes in all)..."
VMTEST_LOGDIR=$logs "$top/tests/vm/run.sh" "$top/tests/vm/demo/$name.sh" >"$logs/run.out" 2>&1 &
run=$!
while kill -0 "$run" 2>/dev/null; do
	show_new
	sleep 0.5
done
wait "$run"
rc=$?
show_new
if [ "$rc" -ne 0 ]; then
	echo
	echo "demo: the VM run failed; the runner said:"
	grep -v '^#   ' "$logs/run.out"
	if [ -s "$logs/$name.dmesg" ]; then
		tail -n 20 "$logs/$name.dmesg" | sed 's/^/dmesg: /'
	else
		tail -n 20 "$logs/$name.console" 2>/dev/null | sed 's/^/console: /'
	fi
fi
echo "(make demo: $(($(date +%s) - t0)) s, VM boot included)"
exit $rc
