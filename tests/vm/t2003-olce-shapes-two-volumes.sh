#!/bin/bash
# vm-timeout: 900
# OLCE of two-volume containers (issue 5): raid0+raid0 2->4, raid0+raid5
# 3->4, raid5+raid0 3->4, raid5+raid5 3->5.  mdmon ends the first volume's
# migration and begins the second's in one commit; mdadm reshapes both.
# Checks as t2002 for every volume.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

olce_case 2 4 0 0
olce_case 3 4 0 5
olce_case 3 4 5 0
olce_case 3 5 5 5
