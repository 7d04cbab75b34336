#!/bin/bash
# The VM tests' own tools that can be checked without a VM: the replay of
# dm-log-writes logs that tests/vm/t3100 relies on (tests/vm/tools/lwlog.py's
# selftest builds a log by hand, with marks, sentinels, flushes, FUA
# writes and discards, and compares each replay with the disk it must give).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
tools=$here/../vm/tools
if out=$(python3 "$tools/lwlog.py" selftest 2>&1); then
	ok "lwlog.py replays lost and kept caches as built by hand"
else
	not_ok "lwlog.py replays lost and kept caches as built by hand" "$out"
fi
[ "$failed" -eq 0 ]
