#!/bin/bash
# vm-timeout: 900
# OLCE of one-volume containers (issue 5): raid0 2->3, 2->4, 3->4 (md
# cannot reshape raid0: raid4 with the parity slot missing for the
# reshape, raid0 again at the end) and raid5 3->5 (raid5 3->4 is t2000).
# Each: pattern before, --grow --raid-devices=N, then sizes grown by the
# ratio of data members, level and raid_disks right, pattern intact, our
# -E and the peer's normal with N members, and the peer assembles and
# reads the data.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

olce_case 2 3 0
olce_case 2 4 0
olce_case 3 4 0
olce_case 3 5 5
