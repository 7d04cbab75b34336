#!/bin/bash
# Second stage in the guest (after switch_root): prepare a clean system,
# run one test script (once per boot, see run.sh), hand its result to the
# host, power off.
#
# The result goes to /results/<name>.rc (a host folder); the console line
# "VMTEST-RESULT <name> rc=N" is a second witness.  If this script never
# gets there (panic, hang), the host finds no .rc and reports a failure.
# A test that calls power_cut (lib.sh) never gets there either: the host
# kills the VM on its request and boots the next boot.
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^vmtest\.$1=//p"; }
name=$(arg name)
file=/repo/$(arg file)
tmpsize=$(arg tmp)
boot=$(arg boot)
boots=$(arg boots)
ndisks=$(arg disks)
timeout_s=$(arg timeout)

mount -t tmpfs -o "size=${tmpsize:-1024m}" tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/mdadm /dev/md
ln -sf /proc/self/fd /dev/fd # bash process substitution
echo 1 >/proc/sys/kernel/sysrq
hostname vmtest

# Our binaries first on PATH; the peer (Debian's mdadm 4.2) as mdadm-peer,
# and its mdmon where the peer looks for it.
ln -sf /repo/mdadm /usr/local/sbin/mdadm
ln -sf /repo/mdmon /usr/local/sbin/mdmon
ln -sf /repo/.cache/vm/peer/sbin/mdadm /usr/local/sbin/mdadm-peer
ln -sf /repo/.cache/vm/peer/sbin/mdmon /usr/sbin/mdmon
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export VMTEST_NAME=$name VMTEST_LIB=/repo/tests/vm/lib.sh HOME=/root
export IMSM_NO_PLATFORM=1 IMSM_DEVNAME_AS_SERIAL=1 MDADM_EXPERIMENTAL=1
seed=$(arg seed)
[ -z "$seed" ] || export VMTEST_SEED=$seed
export VMTEST_BOOT=${boot:-1} VMTEST_BOOTS=${boots:-1} VMTEST_STATE=/results/$name.state

# The persistent disks (run.sh: vm-disks), in the host's order: drive I
# has the serial vmtest-vdI.  A drive missing or out of order is a set-up
# failure, reported as the test's result.
disks_ready() {
	local i dev letters=abcdefghijklmnopqrstuvwxyz s
	VMTEST_DISKS=
	for ((i = 0; i < ${ndisks:-0}; i++)); do
		dev=vd${letters:i:1}
		s=$(cat "/sys/block/$dev/serial" 2>/dev/null) || return 1
		[ "$s" = "vmtest-vd$i" ] || { echo "vmtest: /dev/$dev has serial '$s', expected vmtest-vd$i"; return 2; }
		[ -b "/dev/$dev" ] || return 1
		VMTEST_DISKS+="${VMTEST_DISKS:+ }/dev/$dev"
	done
}
for _ in $(seq 100); do # up to 10 s for the drives to be probed
	disks_ready >/dev/null
	[ $? -eq 1 ] || break
	sleep 0.1
done
export VMTEST_DISKS

cd /tmp
[ "$VMTEST_BOOTS" -eq 1 ] || echo "=== boot $VMTEST_BOOT of $VMTEST_BOOTS ===" >>"/results/$name.log"
start=$(date +%s.%N)
if disks_ready >>"/results/$name.log"; then
	bash "$file" >>"/results/$name.log" 2>&1 &
	tpid=$!
	/repo/tests/vm/watchdog.sh "$tpid" "$((${timeout_s:-300} - 45))" >>"/results/$name.log" 2>&1 &
	wpid=$!
	wait "$tpid"
	rc=$?
	kill "$wpid" 2>/dev/null
else
	echo "vmtest: the vm-disks are not all there (${ndisks} expected): $(ls /sys/block | tr '\n' ' ')" >>"/results/$name.log"
	rc=98
fi
dmesg >/tmp/.vmtest-dmesg
[ "$VMTEST_BOOTS" -eq 1 ] || echo "=== boot $VMTEST_BOOT of $VMTEST_BOOTS ===" >>"/results/$name.dmesg"
cat /tmp/.vmtest-dmesg >>"/results/$name.dmesg"
if grep -q -E 'BUG:|Oops|general protection fault' /tmp/.vmtest-dmesg; then
	echo "vmtest: kernel reported a bug, failing the test" >>"/results/$name.log"
	[ "$rc" -ne 0 ] || rc=99
fi
printf "%s %s\n" "$rc" "$(awk -v s="$start" -v e="$(date +%s.%N)" "BEGIN { printf \"%.1f\", e - s }")" >"/results/$name.rc"
sync
echo "VMTEST-RESULT $name rc=$rc" >/dev/ttyS0
echo o >/proc/sysrq-trigger
sleep 10
