# tap.sh: the TAP lines of the host checks (tests/host/run.sh adds them
# up).  Source it; $failed counts the "not ok" lines.
#     ok WHAT              ok - WHAT
#     not_ok WHAT [LINE]   not ok - WHAT, then each LINE as a "#" comment
failed=0
ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $1"
	shift
	[ $# -eq 0 ] || printf '#   %s\n' "$@"
	failed=$((failed + 1))
}
