#!/bin/bash
# vm-timeout: 60
# Harness self-test: the control case, which passes.
. "$VMTEST_LIB"
note "pass"
