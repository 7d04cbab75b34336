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
	echo "--- [$(awk '{ print $1 }' /proc/uptime)s] $*"
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
	local n=$1 size=$2 i f dev first=${#DISKS[@]}
	mkdir -p /tmp/disks
	for ((i = first; i < first + n; i++)); do
		f=/tmp/disks/d$i.img
		truncate -s "${size}M" "$f"
		dev=$(losetup -f --show "$f")
		DISKS+=("$dev")
	done
}

# Deterministic test pattern: seeded pseudo-random bytes, generated once
# per (seed, size) by one process (process start-up is slow under TCG) and
# kept in /tmp/pat for the later comparison.
pattern_file() { # seed size_mib -> path
	local f=/tmp/pat/$1-$2
	if [ ! -f "$f" ]; then
		mkdir -p /tmp/pat
		python3 -c 'import random, sys
r = random.Random(int(sys.argv[1]))
with open(sys.argv[3], "wb") as f:
    for _ in range(int(sys.argv[2])):
        f.write(r.randbytes(1 << 20))' "$1" "$2" "$f"
	fi
	echo "$f"
}

pattern_write() { # dev seed size_mib
	dd if="$(pattern_file "$2" "$3")" of="$1" bs=1M oflag=direct status=none
	sync
}

pattern_verify() { # dev seed size_mib
	# O_DIRECT: compare what the array returns now, not a cached copy.
	dd if="$1" bs=1M count="$3" iflag=direct status=none |
		cmp - "$(pattern_file "$2" "$3")" ||
		fail "data pattern mismatch on $1 (seed $2, ${3} MiB)"
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

# examine_field DISK FIELD [PROGRAM]: one --examine field of a disk.
examine_field() {
	"${3:-mdadm}" -E "$1" 2>/dev/null | sed -n "s/^ *$2 : //p" | head -1
}

# Stop everything md runs (members first), quietly.
stop_all_md() {
	local a
	for a in $(awk '/^md/ && !/inactive/ { print $1 }' /proc/mdstat); do
		mdadm-peer -S "/dev/$a" >/dev/null 2>&1 || true
	done
	for a in $(awk '/^md/ { print $1 }' /proc/mdstat); do
		mdadm-peer -S "/dev/$a" >/dev/null 2>&1 || true
	done
	rm -f /dev/md/* 2>/dev/null || true
}

# vol_path NAME: the device of a volume after an assembly; Debian's mdadm
# 4.2 names a re-assembled volume NAME_0 when it ran before in this boot.
vol_path() {
	local p
	for p in "/dev/md/$1" "/dev/md/$1_0" "/dev/md/$1_1"; do
		[ -b "$p" ] && { echo "$p"; return 0; }
	done
	fail "no device for volume $1"
}
