#!/bin/bash
# vm-timeout: 900
# OLCE of two-volume containers (issue 5): raid0+raid0 2->4, raid0+raid5
# 3->4, raid5+raid0 3->4, raid5+raid5 3->5.  mdmon ends the first volume's
# migration and begins the second's in one commit; mdadm reshapes both.
# Checks as t2002 for every volume.  raid5+raid0 runs as a user would:
# --grow in the background, then `mdadm --wait` on the FIRST volume,
# which returns only once the second one is grown too (and back to raid0
# at its new size); a --wait on a container whose OLCE nobody drives
# says so in one line after ten quiet seconds.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

olce_case 2 4 0 0
olce_case 3 4 0 5

olce_make 3 4 5 0
echo 4000 >/proc/sys/dev/raid/speed_limit_max # seconds per volume: --wait has to wait
mdadm --grow "$C" --raid-devices=4 2>/tmp/grow.err &
grow=$!
wait_until 30 olce_migrating
run_expect 0 mdadm --wait "${V[0]}"
echo 200000 >/proc/sys/dev/raid/speed_limit_max
olce_check_grown
rc=0
wait "$grow" || rc=$?
[ "$rc" = 0 ] || fail "mdadm --grow exited $rc: $(cat /tmp/grow.err)"
olce_peer_reads

olce_make 3 4 5 0
olce_grow_killed unit:2
run_expect 1 mdadm --wait "${V[0]}"
expect_one_error_line "mdadm: cannot wait for ${V[0]}: "
grep -q 'held at its checkpoint' <<<"$last_err" || fail "--wait does not say why: $last_err"
run_expect 0 mdadm --grow --continue "$C"
olce_check_grown

olce_case 3 5 5 5
