# bench/guest-lib.sh: helpers shared by the guest halves of the benchmarks
# (sourced after tests/vm/lib.sh; the script sets OUT and DISK_MIB first).

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
result() { echo "$1=$2" >>"$OUT"; note "result: $1=$2"; }

# fresh_disks: four new loop disks of DISK_MIB MiB (the old ones gone); D=(...)
fresh_disks() {
	local d
	for d in "${DISKS[@]}"; do losetup -d "$d" 2>/dev/null; done
	rm -f /tmp/disks/*.img
	DISKS=()
	make_disks 4 "$DISK_MIB"
	D=("${DISKS[@]}")
}

# fill DEV MIB: the volume gets copies of one random 64 MiB block (made
# once; dd and cmp are cheap in the guest, hashing and Python are not).
RAND=/tmp/rand64
fill() {
	local i n
	[ -s "$RAND" ] || head -c 64M /dev/urandom >"$RAND" || return 1
	for ((i = 0; i < $2; i += 64)); do
		n=$(($2 - i < 64 ? $2 - i : 64))
		dd if="$RAND" of="$1" bs=1M count="$n" seek="$i" oflag=direct conv=notrunc \
			status=none || return 1
	done
}

# same_data DEV MIB: the volume still holds what fill() wrote (read past
# the page cache).
same_data() {
	local i n
	for ((i = 0; i < $2; i += 64)); do
		n=$(($2 - i < 64 ? $2 - i : 64))
		dd if="$1" bs=1M count="$n" skip="$i" iflag=direct status=none |
			cmp -s - <(head -c "$((n << 20))" "$RAND") || return 1
	done
}

# step WHAT CMD...: run a set-up step; on failure remember WHAT and the
# last line it printed in $why.
why=
step() {
	local what=$1 out
	shift
	if ! out=$("$@" 2>&1); then
		why="$what: $(printf '%s\n' "$out" | grep . | tail -1)"
		return 1
	fi
}
