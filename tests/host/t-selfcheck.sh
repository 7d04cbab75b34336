#!/bin/bash
# The host runner's own contract: a check script that fails is counted.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/h"
cp "$here/run.sh" "$tmp/h/run.sh"
printf '#!/bin/bash\necho "ok - a"\necho "not ok - b"\nexit 1\n' >"$tmp/h/t-x.sh"
printf '#!/bin/bash\nexit 3\n' >"$tmp/h/t-y.sh"
out=$(bash "$tmp/h/run.sh" 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && grep -q '^host: 1 passed, 2 failed$' <<<"$out"; then
	echo "ok - host runner counts failures and silent crashes"
else
	echo "not ok - host runner counts failures and silent crashes (rc $rc)"
	printf '# %s\n' "$out"
	exit 1
fi
