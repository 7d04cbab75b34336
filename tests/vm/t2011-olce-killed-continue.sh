#!/bin/bash
# vm-timeout: 900
# An OLCE whose mdadm dies (SIGKILL, through the test hook
# MDADM_TEST_OLCE_DIE) continues with `mdadm --grow --continue` on the
# running arrays (issue 5, "Resume is part of done"): killed in the
# critical section right after a backup, mid-way after a checkpoint, and
# between the two volumes of a container.  Each time the data reads back
# while the migration waits and after it ends; the final geometry and
# both -E are right.  Then mdmon is killed mid-way: mdadm waits for the
# one `mdmon --takeover` starts and finishes by itself.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

continue_to_end() {
	run_expect 0 mdadm --grow --continue "$C"
	olce_check_grown
}

# critical section: raid5 3->4, killed after unit 1's backup
olce_make 3 4 5
olce_grow_killed backup:1
olce_patterns_ok
continue_to_end

# mid-way: raid0 + raid5 3->4, killed after the checkpoint of unit 6
olce_make 3 4 0 5
olce_grow_killed unit:6
olce_patterns_ok
continue_to_end

# between the volumes: raid5 + raid0 3->4, killed once volume 0 ended
olce_make 3 4 5 0
olce_grow_killed volume:0
olce_patterns_ok
continue_to_end
olce_peer_reads

# mdmon killed mid-way, a new one started with --takeover
olce_make 3 4 5
echo 500 >/proc/sys/dev/raid/speed_limit_max
mdadm --grow "$C" --raid-devices=4 2>/tmp/grow.err &
grow=$!
ctr=$(md_devnm "$C")
wait_until 120 olce_migrating
sleep 2
kill -9 "$(cat "/run/mdadm/$ctr.pid")"
note "mdmon killed: $(mdadm -E "${ALL[0]}" | grep -m1 'Checkpoint :' | xargs)"
sleep 3
run_expect 0 mdmon --takeover "$ctr"
echo 200000 >/proc/sys/dev/raid/speed_limit_max
rc=0
wait "$grow" || rc=$?
[ "$rc" = 0 ] || fail "mdadm --grow exited $rc after mdmon was replaced: $(cat /tmp/grow.err)"
grep -q 'waiting for mdmon' /tmp/grow.err || fail "mdadm did not notice mdmon was gone"
olce_check_grown
