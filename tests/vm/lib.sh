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

# disk_sums: one checksum line per disk in DISKS, to prove "nothing changed"
# (one process for all: process start-up is slow under TCG; an unreadable
# disk gives its error line instead).
disk_sums() {
	[ ${#DISKS[@]} -gt 0 ] || return 0
	md5sum -- "${DISKS[@]}" 2>&1 || true
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

# wait_for SECONDS CMD...: like wait_until, but returns 1 on a timeout
# instead of ending the script (a benchmark still wants its other figures,
# a test may print what it waited on first).
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# refuse WHY CODE TEXT CMD...: CMD exits CODE with one error line that
# contains TEXT, prints nothing on stdout, and changes nothing: the test
# defines state() (what must not change: disk sums, /proc/mdstat) and sets
# before=$(state) and failed_cases=() first.  A failed case goes to
# failed_cases (the test fails at its end on any); the others still run.
refuse() {
	local why=$1 code=$2 text=$3
	shift 3
	if ! (
		run_expect "$code" "$@"
		expect_one_error_line "mdadm: "
		case $last_err in *"$text"*) ;; *) fail "message lacks '$text': $last_err" ;; esac
		[ -z "$last_out" ] || fail "output on stdout: $last_out"
		[ "$(state)" = "$before" ] || fail "a disk or /proc/mdstat changed"
		note "$why: $last_err"
	); then
		failed_cases+=("$why")
		before=$(state)
	fi
}

# sums DISK...: md5 of each disk as on the medium (past the page cache)
sums() {
	local DISKS=("$@")
	blockdev --flushbufs "$@"
	disk_sums
}

# disks_settled DISK...: the disks read the same twice, a second apart
# (every write to them, mdmon's metadata included, is over).
disks_settled() {
	local a
	a=$(sums "$@")
	sleep 1
	[ "$a" = "$(sums "$@")" ]
}

# refuse_disks WHY CODE REGEX DISKS-VAR -- CMD...: CMD exits CODE with one
# "mdadm: " line matching REGEX (grep -E), nothing on stdout, and the disks
# named by the array DISKS-VAR unchanged.  A failed case goes to
# failed_cases (the test fails at its end on any); the others still run.
refuse_disks() {
	local why=$1 code=$2 text=$3 set=$4 before
	local -n disks=$set
	shift 5
	before=$(sums "${disks[@]}")
	if ! (
		run_expect "$code" "$@"
		expect_one_error_line "mdadm: "
		printf '%s\n' "$last_err" | grep -qE -- "$text" ||
			fail "message does not match '$text': $last_err"
		[ -z "$last_out" ] || fail "output on stdout: $last_out"
		[ "$(sums "${disks[@]}")" = "$before" ] || fail "a disk changed"
		note "$why: $last_err"
	); then
		failed_cases+=("$why")
	fi
}

# fake_intel_ahci / fake_intel_ahci_off: IMSM_TEST_OROM's table (dpa 6)
# needs an Intel controller, which the VM lacks: a fake AHCI function
# (8086:2922, class 010601) stands in for the sysfs PCI list meanwhile.
fake_intel_ahci() {
	mkdir -p /tmp/fakepci/0000:00:1f.2
	printf '0x8086\n' >/tmp/fakepci/0000:00:1f.2/vendor
	printf '0x2922\n' >/tmp/fakepci/0000:00:1f.2/device
	printf '0x010601\n' >/tmp/fakepci/0000:00:1f.2/class
	mount --bind /tmp/fakepci /sys/bus/pci/devices
}

fake_intel_ahci_off() {
	umount /sys/bus/pci/devices
}

# md_devnm /dev/md/NAME -> md127
md_devnm() {
	basename "$(readlink -f "$1")"
}

# examine_field DISK FIELD [PROGRAM]: one --examine field of a disk.
examine_field() {
	"${3:-mdadm}" -E "$1" 2>/dev/null | sed -n "s/^ *$2 : //p" | head -1
}

# Stop everything md runs with our own mdadm -Ss (volumes first, then
# containers, as upstream) and make sure nothing is left.
stop_all_md() {
	mdadm -Ss >/dev/null 2>&1 || true
	rm -f /dev/md/* 2>/dev/null || true
	if grep -q '^md' /proc/mdstat; then
		cat /proc/mdstat >&2
		fail "mdadm -Ss left arrays running"
	fi
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

# ---- persistent disks, several boots, power cuts ----------------------------
# For tests with "# vm-disks: NxMIB" and "# vm-boots: N" (run.sh explains
# both).  The script runs once per boot; VMTEST_BOOT says which:
#     use_vm_disks
#     case $VMTEST_BOOT in
#     1) ...create, write, start a writer...; power_cut ;;
#     2) ...assemble, check what the cut left... ;;
#     esac

# use_vm_disks: appends the test's virtio disks (/dev/vda, ...) to DISKS,
# in the same order on every boot.
use_vm_disks() {
	[ -n "${VMTEST_DISKS:-}" ] || fail "use_vm_disks: the test has no '# vm-disks:' line"
	local d
	for d in $VMTEST_DISKS; do DISKS+=("$d"); done
}

# state_put KEY VALUE / state_get KEY: small values handed from one boot
# to the next (files in $VMTEST_STATE, a host folder: written through at
# once, so a power cut right after state_put keeps the value).
state_put() {
	mkdir -p "$VMTEST_STATE"
	printf '%s\n' "$2" >"$VMTEST_STATE/.$1.tmp"
	mv "$VMTEST_STATE/.$1.tmp" "$VMTEST_STATE/$1"
}

state_get() {
	[ -f "$VMTEST_STATE/$1" ] || fail "no '$1' was kept by an earlier boot"
	cat "$VMTEST_STATE/$1"
}

# slow KB/S: md's resync/reshape speed held near KB/S (so that a power
# cut or a kill lands where a test means it to).
slow() {
	echo 100 >/proc/sys/dev/raid/speed_limit_min
	echo "$1" >/proc/sys/dev/raid/speed_limit_max
}

# power_cut: pulls the plug now.  The host kills qemu (SIGKILL) as soon as
# it sees the request (within about 0.1 s): nothing is synced, no array is
# stopped, no daemon runs its exit path; background writers of the test
# keep writing until the kill.  What the guest handed to the virtio disks
# before survives, page cache and md's caches do not.  Never returns; the
# next boot runs the script with VMTEST_BOOT one higher.  This boot's
# dmesg is saved (and checked for kernel bugs) first.
power_cut() {
	[ -n "${VMTEST_NAME:-}" ] && [ -d /results ] || fail "power_cut: not in a VM test"
	local b=${VMTEST_BOOT:-1}
	note "power cut (boot $b of ${VMTEST_BOOTS:-1})"
	dmesg >/tmp/.dmesg-cut
	{
		[ "${VMTEST_BOOTS:-1}" -eq 1 ] || echo "=== boot $b of ${VMTEST_BOOTS:-1} (to the power cut) ==="
		cat /tmp/.dmesg-cut
	} >>"/results/$VMTEST_NAME.dmesg"
	if grep -q -E 'BUG:|Oops|general protection fault' /tmp/.dmesg-cut; then
		fail "kernel reported a bug before the power cut"
	fi
	echo "VMTEST-POWERCUT $VMTEST_NAME boot=$b" >/dev/ttyS0
	echo "$b" >"/results/$VMTEST_NAME.cut"
	while :; do sleep 1; done
}
