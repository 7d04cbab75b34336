#!/bin/bash
# make demo: boot the VM, run the demo script, show what it printed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
logs=$(mktemp -d)
VMTEST_LOGDIR=$logs "$top/tests/vm/run.sh" "$top/tests/vm/demo/demo-tour.sh"
rc=$?
cat "$logs/demo-tour.log"
rm -rf "$logs"
exit $rc
