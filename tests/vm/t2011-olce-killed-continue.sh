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
mdmon_replaced_during "$C" --raid-devices=4
olce_check_grown
