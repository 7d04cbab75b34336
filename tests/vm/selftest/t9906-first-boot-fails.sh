#!/bin/bash
# vm-timeout: 60
# vm-boots: 2
# Harness self-test: a failure in boot 1 fails the test; boot 2 never runs.
. "$VMTEST_LIB"
[ "$VMTEST_BOOT" -eq 1 ] || fail "boot $VMTEST_BOOT ran after a failed boot"
fail "deliberate failure in boot 1"
