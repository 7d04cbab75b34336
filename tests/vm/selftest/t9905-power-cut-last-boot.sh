#!/bin/bash
# vm-timeout: 60
# vm-disks: 1x8
# Harness self-test: a power cut in the last (here the only) boot is a
# failure: no later boot would check what it left.
. "$VMTEST_LIB"
power_cut
