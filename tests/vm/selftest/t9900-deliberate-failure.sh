#!/bin/bash
# vm-timeout: 60
# Harness self-test: a failing test must be reported as failed, with its log.
. "$VMTEST_LIB"
echo "this line must appear in the failure report"
fail "deliberate failure"
