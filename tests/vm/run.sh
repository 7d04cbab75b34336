#!/bin/bash
# Host runner for the VM suite: one fresh VM per test (booted once, or
# several times over the same disks).
#
#   tests/vm/run.sh                    every tests/vm/t[0-9]*.sh
#   tests/vm/run.sh t0001 t0102-foo    tests by name or name prefix
#   tests/vm/run.sh path/to/test.sh    any test file inside the repository
#
# A test file may set, in its first lines:
#   # vm-timeout: SECONDS   (default 300)  per boot; the VM is killed after that
#   # vm-mem: MIB           (default 1536) guest memory
#   # vm-tmp: SIZE          (default 1024m) guest /tmp tmpfs size
#   # vm-disks: NxMIB ...   (default none) persistent disks, e.g. "4x64" or
#                           "3x64 1x128"
#   # vm-boots: N           (default 1)    boot the VM N times
# VMTEST_SEED=N reaches the guest's tests as VMTEST_SEED (a test that
# draws random moments prints its seed; this replays them).
# Several tests run at once, each in its own VM: VMTEST_JOBS of them
# (default 2 on a machine with 2 or more cores, else 1).  Under TCG a VM
# keeps about one core busy whatever its vCPU count, so with more than one
# job each VM gets one vCPU (VMTEST_SMP overrides; 2 when one job runs):
# measured on the 2-core CI machine, two tests took 102 s side by side
# against 149 s one after the other.  Results are printed as tests end.
#
# Output is TAP, then "N passed, N failed".  Logs of every test stay in
# $VMTEST_LOGDIR (default tests/vm/logs): NAME.log (the test's output),
# NAME.dmesg, NAME.console (serial console), NAME.qemu; a failure prints
# the log tail.  With several boots each file holds every boot in order,
# marked "=== boot B of N ===".
#
# Persistent disks
# ----------------
# "# vm-disks: 4x64" gives the guest four 64 MiB virtio-blk drives over
# sparse raw files in a fresh directory on the host ($VMTEST_DISKDIR,
# default $TMPDIR or /var/tmp), zero-filled before the first boot, kept
# across the test's boots, removed after the test (VMTEST_KEEP_DISKS=1
# keeps them and prints where).  The guest sees /dev/vda, /dev/vdb, ... in
# the same order on every boot (the command line is the same; guest-run.sh
# checks each drive's serial vmtest-vdI before the test starts); lib.sh's
# use_vm_disks appends them to DISKS.
#
# Several boots and power cuts
# ----------------------------
# "# vm-boots: N" runs the test script once per boot, with VMTEST_BOOT=1..N
# and VMTEST_BOOTS=N; VMTEST_STATE is a folder that stays from boot to
# boot (the host's $VMTEST_LOGDIR/NAME.state; lib.sh: state_put/state_get).
# A boot ends in one of three ways:
#   - the script exits 0: guest-run.sh syncs and powers off (a clean
#     shutdown, though md arrays still running are not stopped); the next
#     boot follows;
#   - the script calls power_cut (lib.sh): it creates /results/NAME.cut and
#     blocks; this runner polls for that file (every 0.1 s) and kills qemu
#     with SIGKILL, so the guest gets no chance to flush, stop an array or
#     write metadata on the way down (its background writers keep running
#     until the kill); the next boot follows;
#   - anything else (non-zero exit, panic, hang, timeout) fails the test
#     and no later boot runs.
# The test's result is that of its last boot; a power cut requested in
# the last boot is a failure (nothing would check what it left).
#
# Why cache=none: the drives are opened with O_DIRECT on the host, and the
# guest sees a drive with a volatile write cache, so its kernel sends
# flushes and FUA writes as it would to a real disk.  Every write qemu has
# completed is in the host file when qemu dies, and nothing the guest had
# not yet handed to its drive (page cache, md's stripe cache, queued
# requests) is: that is the power cut.  Not modelled: a drive that loses
# its own cache (writes it acknowledged but was not asked to flush); no
# qemu cache mode drops those when qemu is killed (writeback/unsafe keep
# them in the host page cache, which outlives qemu), so the drive is the
# optimistic kind.  writethrough/directsync would hide the write cache
# from the guest, which then sends no flushes: a different path.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/.cache/vm
logdir=${VMTEST_LOGDIR:-$top/tests/vm/logs}

"$top/tests/vm/setup.sh" || { echo "vm: set-up failed"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$top/mdadm" ] && [ -x "$top/mdmon" ] || make -s -C "$top" all || exit 1
mkdir -p "$logdir"

# qemu runs under timeout(1) as a backstop should this runner die; tpid
# is that timeout process, qemu's own pid is in $rundir/qemu.pid (SIGKILL
# must reach qemu itself: timeout would relay only catchable signals, and
# qemu shuts down cleanly on those).  While timeout lives, qemu is not
# reaped, so its pid is not reused.  An interrupted runner leaves neither
# qemu nor the disks of the test under way behind.
# Each job is a subshell with its own $rundir, tpid and diskdir; the main
# runner's cleanup stops the jobs, whose own cleanup then runs.
tpid= diskdir= jobs_pids=()
toprun=$(mktemp -d)
rundir=$toprun
kill_qemu() {
	local p
	[ -n "$tpid" ] && kill -0 "$tpid" 2>/dev/null || return 0
	p=$(cat "$rundir/qemu.pid" 2>/dev/null) && [ -n "$p" ] && kill -KILL "$p" 2>/dev/null
	return 0
}
cleanup() {
	local p
	for p in "${jobs_pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${jobs_pids[@]}"; do wait "$p" 2>/dev/null; done
	kill_qemu
	[ -z "$diskdir" ] || [ "${VMTEST_KEEP_DISKS:-0}" = 1 ] || rm -rf "$diskdir"
	rm -rf "$toprun"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ ${VMTEST_SEED:-0} =~ ^[0-9]+$ ]] || { echo "vm: bad VMTEST_SEED '$VMTEST_SEED' (digits)" >&2; exit 1; }
jobs_max=${VMTEST_JOBS:-$(($(nproc) >= 2 ? 2 : 1))}
[[ $jobs_max =~ ^[1-9][0-9]*$ ]] || { echo "vm: bad VMTEST_JOBS '$jobs_max'" >&2; exit 1; }

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

# make_drives "4x64 1x128" NAME: creates the disk files in a new $diskdir;
# sets drive_args (qemu options) and ndisks.  Returns 1 on a bad spec.
make_drives() {
	local tok n size j i=0
	drive_args=() ndisks=0
	[ -n "$1" ] || return 0
	diskdir=$(mktemp -d "${VMTEST_DISKDIR:-${TMPDIR:-/var/tmp}}/vmtest-$2.XXXXXX") || return 1
	for tok in $1; do
		[[ $tok =~ ^([1-9][0-9]*)x([1-9][0-9]*)$ ]] || { echo "vm: bad vm-disks '$tok' (NxMIB)" >&2; return 1; }
		n=${BASH_REMATCH[1]} size=${BASH_REMATCH[2]}
		for ((j = 0; j < n; j++, i++)); do
			truncate -s "${size}M" "$diskdir/vd$i.img" || return 1
			drive_args+=(-drive "file=$diskdir/vd$i.img,if=none,id=vd$i,format=raw,cache=none"
				-device "virtio-blk-pci,drive=vd$i,serial=vmtest-vd$i")
		done
	done
	ndisks=$i
	[ "$ndisks" -le 26 ] || { echo "vm: more than 26 disks" >&2; return 1; }
}

# boot REL NAME TIMEOUT MEM TMP BOOT BOOTS: one boot; sets boot_end to
# exited, powercut or timeout, and qrc to qemu's exit status.
boot() {
	local rel=$1 name=$2 t=$3 mem=$4 tmp=$5 b=$6 boots=$7 end
	[ "$boots" -eq 1 ] || echo "=== boot $b of $boots ===" >>"$logdir/$name.console"
	rm -f "$rundir/qemu.pid"
	timeout --signal=KILL $((t + 30)) qemu-system-x86_64 -nodefaults -no-reboot -pidfile "$rundir/qemu.pid" \
		-m "$mem" -smp "$smp" -display none -monitor none \
		-chardev "file,id=con,path=$logdir/$name.console,append=on" -serial chardev:con \
		-kernel "$cache/vmlinuz" -initrd "$cache/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1 mitigations=off rdinit=/init vmtest.name=$name vmtest.file=$rel vmtest.tmp=$tmp vmtest.boot=$b vmtest.boots=$boots vmtest.disks=$ndisks vmtest.timeout=$t${VMTEST_SEED:+ vmtest.seed=$VMTEST_SEED}" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$top,mount_tag=repo,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$logdir,mount_tag=results,security_model=none,multidevs=remap" \
		"${drive_args[@]}" \
		</dev/null >>"$logdir/$name.qemu" 2>&1 &
	tpid=$!
	end=$((SECONDS + t))
	boot_end=exited
	while kill -0 "$tpid" 2>/dev/null; do
		if [ -e "$logdir/$name.cut" ]; then boot_end=powercut
		elif [ "$SECONDS" -ge "$end" ]; then boot_end=timeout
		else sleep 0.1; continue
		fi
		kill_qemu
		break
	done
	wait "$tpid" 2>/dev/null # no "Killed" noise from the shell
	qrc=$?
	[ "$qrc" -ne 137 ] || boot_end=${boot_end/exited/timeout}
	tpid=
}

# Why a boot has no result: its part of the console tells a panic from a
# hang.
no_result_reason() { # name console-offset boot-end qemu-exit
	local c
	c=$(tail -c "+$(($2 + 1))" "$logdir/$1.console" 2>/dev/null)
	if grep -q 'Kernel panic' <<<"$c"; then echo "guest kernel panic"
	elif grep -q 'VMTEST-SETUP-FAILED' <<<"$c"; then grep -o 'VMTEST-SETUP-FAILED.*' <<<"$c" | head -1
	elif [ "$3" = timeout ]; then echo "timed out (VM killed)"
	else echo "VM ended without a result (qemu exit $4)"; fi
}

# run_boots REL NAME BOOTS: boots until the last or the first failure;
# sets reason: empty on success, why the test failed otherwise.
run_boots() {
	local rel=$1 name=$2 boots=$3 b rc off t mem tmp
	t=$(header "$top/$rel" timeout 300)
	mem=$(header "$top/$rel" mem 1536)
	tmp=$(header "$top/$rel" tmp 1024m)
	reason=
	for ((b = 1; b <= boots; b++)); do
		rm -f "$logdir/$name.rc" "$logdir/$name.cut"
		off=$(stat -c %s "$logdir/$name.console" 2>/dev/null || echo 0)
		boot "$rel" "$name" "$t" "$mem" "$tmp" "$b" "$boots"
		if [ "$boot_end" = powercut ]; then
			rm -f "$logdir/$name.cut"
			echo "vmtest: boot $b of $boots ended by a power cut (qemu killed)" >>"$logdir/$name.log"
			[ "$b" -lt "$boots" ] || { reason="power cut in the last boot"; return; }
			continue
		fi
		if [ ! -f "$logdir/$name.rc" ]; then
			reason=$(no_result_reason "$name" "$off" "$boot_end" "$qrc")
		else
			read -r rc _ <"$logdir/$name.rc"
			[ "$rc" = 0 ] || reason="exit status $rc"
		fi
		if [ -n "$reason" ]; then
			[ "$boots" -eq 1 ] || reason="$reason in boot $b of $boots"
			return
		fi
	done
}

# run_one REL: one test, its result written to $rundir/result: the TAP
# line without its number ("ok - NAME (INFO)" or "not ok - ..."), then any
# comment lines.
run_one() {
	local rel=$1 name boots t0 secs info
	name=$(basename "$rel" .sh)
	rm -rf "$logdir/$name".{log,dmesg,console,rc,qemu,cut,state}
	t0=$(date +%s)
	reason=
	boots=$(header "$top/$rel" boots 1)
	if ! [[ $boots =~ ^[1-9][0-9]?$ ]]; then reason="bad vm-boots '$boots'"
	elif ! make_drives "$(header "$top/$rel" disks "")" "$name"; then reason="cannot make the vm-disks"
	else run_boots "$rel" "$name" "$boots"
	fi
	[ "${VMTEST_KEEP_DISKS:-0}" = 1 ] && [ -n "$diskdir" ] && echo "# disks of $name kept in $diskdir" >>"$rundir/comments"
	[ "${VMTEST_KEEP_DISKS:-0}" = 1 ] || [ -z "$diskdir" ] || rm -rf "$diskdir"
	diskdir=
	secs=$(($(date +%s) - t0))
	info="${secs}s"
	[ "$boots" = 1 ] || info="$boots boots, $info"
	{
		if [ -z "$reason" ]; then
			echo "ok - $name ($info)"
		else
			echo "not ok - $name: $reason ($info)"
			echo "# log: $logdir/$name.log (console: $name.console)"
			# the first FAIL line first: a long tail can be cut short
			grep -m1 '^FAIL' "$logdir/$name.log" 2>/dev/null | sed 's/^/#   /'
			tail -n 30 "$logdir/$name.log" 2>/dev/null | sed 's/^/#   /'
		fi
		cat "$rundir/comments" 2>/dev/null
	} >"$rundir/result.tmp"
	mv "$rundir/result.tmp" "$rundir/result"
}

# start_job REL SLOT: run_one in a background subshell with its own rundir.
start_job() {
	local dir=$toprun/job$2
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	(
		rundir=$dir tpid= diskdir= jobs_pids=()
		# (a second TERM, e.g. from pkill and the main runner's cleanup
		# both, must not cut the EXIT trap short)
		trap 'trap "" TERM INT; kill_qemu; [ -z "$diskdir" ] || [ "${VMTEST_KEEP_DISKS:-0}" = 1 ] || rm -rf "$diskdir"' EXIT
		trap 'trap "" TERM; exit 143' TERM
		run_one "$1"
	) &
	jobs_pids[$2]=$!
}

# collect SLOT: print a finished job's result, numbered.
collect() {
	local dir=$toprun/job$1 line first=1
	wait "${jobs_pids[$1]}" 2>/dev/null
	unset "jobs_pids[$1]"
	count=$((count + 1))
	if [ ! -f "$dir/result" ]; then
		failed=$((failed + 1))
		echo "not ok $count - job $1 ended without a result"
		return
	fi
	while IFS= read -r line; do
		if [ "$first" = 1 ]; then
			first=0
			case $line in
			"ok - "*) passed=$((passed + 1)); echo "ok $count - ${line#ok - }" ;;
			*) failed=$((failed + 1)); echo "not ok $count - ${line#not ok - }" ;;
			esac
		else
			echo "$line"
		fi
	done <"$dir/result"
}

tests=()
if [ $# -eq 0 ]; then # every test: t<digits>-*.sh (not the t*-lib.sh they source)
	for f in "$top"/tests/vm/t[0-9]*.sh; do tests+=("${f#"$top"/}"); done
fi
for a in "$@"; do
	while read -r r; do tests+=("$r"); done < <(resolve "$a") || true
done
[ ${#tests[@]} -gt 0 ] || { echo "0 passed, 1 failed"; exit 1; }

echo "# kernel: $(cat "$cache/kernel.version"), $(qemu-system-x86_64 --version | head -1)"
echo "1..${#tests[@]}"
passed=0 failed=0 count=0
[ "${#tests[@]}" -ge "$jobs_max" ] || jobs_max=${#tests[@]}
smp=${VMTEST_SMP:-$([ "$jobs_max" -gt 1 ] && echo 1 || echo 2)}
[[ $smp =~ ^[1-9][0-9]?$ ]] || { echo "vm: bad VMTEST_SMP '$smp'" >&2; exit 1; }
next=0
while [ "$next" -lt "${#tests[@]}" ] || [ "${#jobs_pids[@]}" -gt 0 ]; do
	for ((slot = 0; slot < jobs_max; slot++)); do
		[ -z "${jobs_pids[$slot]:-}" ] || continue
		[ "$next" -lt "${#tests[@]}" ] || break
		start_job "${tests[$next]}" "$slot"
		next=$((next + 1))
	done
	ended=
	wait -n -p ended "${jobs_pids[@]}" 2>/dev/null || true
	for slot in "${!jobs_pids[@]}"; do
		[ "${jobs_pids[$slot]}" = "$ended" ] && collect "$slot"
	done
done
echo "vm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
