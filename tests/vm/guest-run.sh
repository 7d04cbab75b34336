#!/bin/bash
# Second stage in the guest (after switch_root): prepare a clean system,
# run one test script, hand its result to the host, power off.
#
# The result goes to /results/<name>.rc (a host folder); the console line
# "VMTEST-RESULT <name> rc=N" is a second witness.  If this script never
# gets there (panic, hang), the host finds no .rc and reports a failure.
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^vmtest\.$1=//p"; }
name=$(arg name)
file=/repo/$(arg file)
tmpsize=$(arg tmp)

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

cd /tmp
start=$(date +%s.%N)
bash "$file" >"/results/$name.log" 2>&1
rc=$?
dmesg >"/results/$name.dmesg"
if grep -q -E 'BUG:|Oops|general protection fault' "/results/$name.dmesg"; then
	echo "vmtest: kernel reported a bug, failing the test" >>"/results/$name.log"
	[ "$rc" -ne 0 ] || rc=99
fi
printf "%s %s\n" "$rc" "$(awk -v s="$start" -v e="$(date +%s.%N)" "BEGIN { printf \"%.1f\", e - s }")" >"/results/$name.rc"
sync
echo "VMTEST-RESULT $name rc=$rc" >/dev/ttyS0
echo o >/proc/sysrq-trigger
sleep 10
