#!/bin/bash
# Host runner for the VM suite: one fresh VM boot per test.
#
#   tests/vm/run.sh                    every tests/vm/t[0-9]*.sh
#   tests/vm/run.sh t0001 t0102-foo    tests by name or name prefix
#   tests/vm/run.sh path/to/test.sh    any test file inside the repository
#
# A test file may set, in its first lines:
#   # vm-timeout: SECONDS   (default 300)  the VM is killed after that
#   # vm-mem: MIB           (default 1536) guest memory
#   # vm-tmp: SIZE          (default 1024m) guest /tmp tmpfs size
# Output is TAP, then "N passed, N failed".  Logs of every test stay in
# $VMTEST_LOGDIR (default tests/vm/logs): NAME.log (the test's output),
# NAME.dmesg, NAME.console (serial console); a failure prints the log tail.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/.cache/vm
logdir=${VMTEST_LOGDIR:-$top/tests/vm/logs}

"$top/tests/vm/setup.sh" || { echo "vm: set-up failed"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$top/mdadm" ] && [ -x "$top/mdmon" ] || make -s -C "$top" all || exit 1
mkdir -p "$logdir"

header() { # file key default
	local v
	v=$(head -n 15 "$1" | sed -n "s/^# vm-$2: *//p" | head -1)
	echo "${v:-$3}"
}

resolve() { # name-or-prefix-or-path -> repo-relative paths
	local a=$1 f
	if [ -f "$a" ]; then
		f=$(realpath "$a")
		case $f in "$top"/*) echo "${f#"$top"/}" ;; *) echo "vm: $a is outside the repository" >&2; return 1 ;; esac
		return 0
	fi
	set -- "$top"/tests/vm/"$a"*.sh
	[ -f "$1" ] || { echo "vm: no test matches '$a'" >&2; return 1; }
	for f in "$@"; do echo "${f#"$top"/}"; done
}

boot() { # rel-path name timeout mem tmp
	local rel=$1 name=$2 t=$3 mem=$4 tmp=$5
	timeout --signal=KILL "$t" qemu-system-x86_64 -nodefaults -no-reboot \
		-m "$mem" -smp 2 -display none -monitor none \
		-serial "file:$logdir/$name.console" \
		-kernel "$cache/vmlinuz" -initrd "$cache/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1 rdinit=/init vmtest.name=$name vmtest.file=$rel vmtest.tmp=$tmp" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$top,mount_tag=repo,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$logdir,mount_tag=results,security_model=none,multidevs=remap" \
		</dev/null >"$logdir/$name.qemu" 2>&1 &
	wait $! 2>/dev/null # no "Killed" noise from the shell on a timeout
}

# Why a test has no result: the console tells a panic from a hang.
no_result_reason() { # name timeout-exit
	local c=$logdir/$1.console
	if grep -q 'Kernel panic' "$c" 2>/dev/null; then echo "guest kernel panic"
	elif grep -q 'VMTEST-SETUP-FAILED' "$c" 2>/dev/null; then grep -o 'VMTEST-SETUP-FAILED.*' "$c" | head -1
	elif [ "$2" -eq 137 ]; then echo "timed out (VM killed)"
	else echo "VM ended without a result (qemu exit $2)"; fi
}

run_one() { # rel-path
	local rel=$1 name rc qrc t0 secs reason
	name=$(basename "$rel" .sh)
	rm -f "$logdir/$name".{log,dmesg,console,rc,qemu}
	t0=$(date +%s)
	boot "$rel" "$name" "$(header "$top/$rel" timeout 300)" "$(header "$top/$rel" mem 1536)" \
		"$(header "$top/$rel" tmp 1024m)"
	qrc=$?
	secs=$(($(date +%s) - t0))
	count=$((count + 1))
	if [ -f "$logdir/$name.rc" ]; then
		read -r rc _ <"$logdir/$name.rc"
		if [ "$rc" = 0 ]; then
			echo "ok $count - $name (${secs}s)"
			passed=$((passed + 1)); return
		fi
		reason="exit status $rc"
	else
		reason=$(no_result_reason "$name" "$qrc")
	fi
	failed=$((failed + 1))
	echo "not ok $count - $name: $reason (${secs}s)"
	echo "# log: $logdir/$name.log (console: $name.console)"
	tail -n 30 "$logdir/$name.log" 2>/dev/null | sed 's/^/#   /'
}

tests=()
if [ $# -eq 0 ]; then set -- t; fi
for a in "$@"; do
	while read -r r; do tests+=("$r"); done < <(resolve "$a") || true
done
[ ${#tests[@]} -gt 0 ] || { echo "0 passed, 1 failed"; exit 1; }

echo "# kernel: $(cat "$cache/kernel.version"), $(qemu-system-x86_64 --version | head -1)"
echo "1..${#tests[@]}"
passed=0 failed=0 count=0
for r in "${tests[@]}"; do run_one "$r"; done
echo "vm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
