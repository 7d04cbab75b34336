#!/bin/bash
# vm-timeout: 600
# vm-disks: 12x16
# vm-boots: 4
# The power-cut campaign's fixed slice (issue 14, "Proof at scale"): every
# kind of migration cut once at a seeded random moment, each cut followed
# by a boot, our assembly, the migration continued to its end and a full
# data check (campaign/lib.sh tells how; `make campaign` runs the full
# count with campaign/run.sh).  Three lanes of 4 drives run three
# migrations at once, so 9 cuts take 3 boots, and a fourth checks the
# last three.  Kinds: OLCE of raid5 and raid0 (3 -> 4 disks), raid0 ->
# raid5 and raid5 -> raid0, chunk 64K -> 256K, the takeovers raid0 ->
# raid10 and raid0(1) -> raid1 (mdmon rebuilds), --size=max (resync of the
# new region), a spare's rebuild after a failure.  Seed 3000; a failure
# names its cut, kind, delay and where the cut landed.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh
. /repo/tests/vm/levels-lib.sh
. /repo/tests/vm/campaign/lib.sh
use_vm_disks
camp_boot
