#!/bin/bash
# vm-timeout: 120
# The guest kernel runs the real md driver with every personality we use.
. "$VMTEST_LIB"

head -1 /proc/mdstat
for p in raid0 raid1 raid10 raid4 raid5 raid6; do
	grep -q "\[$p\]" /proc/mdstat || fail "personality $p missing from /proc/mdstat"
done
[ -d /sys/module/md_mod ] || fail "md_mod not loaded"
losetup -f >/dev/null || fail "no loop device available"
note "kernel $(uname -r) with md personalities ok"
