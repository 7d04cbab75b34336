# lib.sh: helpers shared by the VM tests.  Source it first:
#     . "$VMTEST_LIB"
# Every helper that waits has a timeout; every failure ends the test with
# a message on stderr (the runner shows the log tail).
set -euo pipefail

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

note() {
	echo "--- $*"
}

# run_expect CODE CMD...: CMD must exit with CODE; its stderr is kept in
# $last_err and its stdout in $last_out.
run_expect() {
	local want=$1 rc=0
	shift
	last_out=$("$@" 2>/tmp/.stderr) || rc=$?
	last_err=$(cat /tmp/.stderr)
	[ "$rc" -eq "$want" ] ||
		fail "'$*' exited $rc, expected $want; stderr: $last_err"
}

# expect_one_error_line PREFIX: stderr of the last run_expect is exactly one
# line that starts with PREFIX (e.g. "mdadm: ").
expect_one_error_line() {
	local n
	n=$(printf '%s\n' "$last_err" | grep -c .) || true
	[ "$n" -eq 1 ] || fail "expected one error line, got $n: $last_err"
	case $last_err in "$1"*) ;; *) fail "error line lacks prefix '$1': $last_err" ;; esac
}

# make_disks N SIZE_MIB: N loop devices over tmpfs files; sets DISKS=(...)
DISKS=()
make_disks() {
	local n=$1 size=$2 i f dev
	mkdir -p /tmp/disks
	for ((i = 0; i < n; i++)); do
		f=/tmp/disks/d$i.img
		truncate -s "${size}M" "$f"
		dev=$(losetup -f --show "$f")
		DISKS+=("$dev")
	done
}

# Deterministic test pattern: a seeded byte stream (same seed, same bytes).
pattern() { # seed size_mib
	local seed=$1 mib=$2
	awk -v s="$seed" 'BEGIN { srand(s); for (i = 0; i < 65536; i++) printf "%c", 32 + int(rand() * 90) }' >/tmp/.pat_block
	for ((i = 0; i < mib * 16; i++)); do cat /tmp/.pat_block; done
}

pattern_write() { # dev seed size_mib
	pattern "$2" "$3" | dd of="$1" bs=1M iflag=fullblock oflag=direct status=none
	sync
}

pattern_verify() { # dev seed size_mib
	local want got
	want=$(pattern "$2" "$3" | md5sum | cut -d' ' -f1)
	got=$(dd if="$1" bs=1M count="$3" iflag=direct status=none | md5sum | cut -d' ' -f1)
	[ "$want" = "$got" ] || fail "data pattern mismatch on $1 (seed $2, ${3} MiB)"
	note "pattern verified on $1 (${3} MiB)"
}

# disk_sums: one checksum line per disk in DISKS, to prove "nothing changed".
disk_sums() {
	local d
	for d in "${DISKS[@]}"; do
		printf '%s %s\n' "$d" "$(md5sum <"$d" | cut -d' ' -f1)"
	done
}

# wait_until SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_until() {
	local t=$1 end
	shift
	end=$(($(date +%s) + t))
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || fail "timed out after ${t}s waiting for: $*"
		sleep 0.2
	done
}

# md_devnm /dev/md/NAME -> md127
md_devnm() {
	basename "$(readlink -f "$1")"
}
