# levels-lib.sh: shared steps of the takeover and size tests (sourced after lib.sh
# and olce-lib.sh).

# tko_make LEVEL DISKS SPARES [LEVEL2]: fresh disks, a container of DISKS
# of them, volume v<first>x0 of LEVEL (8 MiB per member, 64K chunk but for
# raid1), a second of LEVEL2 when given, SPARES spares added, a pattern on
# each volume.  Sets what olce_make does (C, V, VN, S0, ALL, OLCE_SEED).
tko_make() {
	local lvl=$1 n=$2 spares=$3 first=${#DISKS[@]} i l chunk
	local levels=("$lvl")
	[ $# -lt 4 ] || levels+=("$4")
	make_disks $((n + spares)) 40
	ALL=("${DISKS[@]:first:n + spares}")
	C=/dev/md/c$first V=() VN=() S0=()
	local force=()
	[ "$n" != 1 ] || force=(--force) # upstream's rule for one-disk arrays
	run_expect 0 mdadm --create "$C" --metadata=imsm --raid-devices="$n" "${force[@]}" "${ALL[@]:0:n}"
	i=0
	for l in "${levels[@]}"; do
		VN+=("v${first}x$i")
		chunk=(--chunk=64)
		[ "$l" != 1 ] || chunk=()
		[ "$n" != 1 ] || chunk+=(--force)
		run_expect 0 mdadm --create "/dev/md/${VN[i]}" --level="$l" --raid-devices="$n" \
			"${chunk[@]}" --size=8M --assume-clean "$C"
		V+=("/dev/md/${VN[i]}")
		S0+=("$(blockdev --getsize64 "${V[i]}")")
		pattern_write "${V[i]}" $((first * 10 + i)) $((S0[i] >> 20))
		i=$((i + 1))
	done
	for ((i = n; i < n + spares; i++)); do
		run_expect 0 mdadm --add "$C" "${ALL[i]}"
	done
	OLCE_SEED=$first
}

# tko_rebuilt I [DISK]: volume V[I] has no out-of-sync slot left: md idle
# and not degraded, mdmon's metadata (on DISK, default ALL[0]) normal.
tko_rebuilt() {
	local dev
	dev=$(md_devnm "${V[$1]}")
	wait_until 120 sh -c "[ \"\$(cat /sys/block/$dev/md/degraded)\" = 0 ] &&
		[ \"\$(cat /sys/block/$dev/md/sync_action)\" = idle ]" ||
		fail "${V[$1]} is not rebuilt: $(cat /proc/mdstat)"
	wait_until 30 sh -c "mdadm -E ${2:-${ALL[0]}} | grep -q 'Migrate State : rebuild' && exit 1;
		! mdadm -E ${2:-${ALL[0]}} | grep 'Map State' | grep -vq 'normal\$'" ||
		fail "${V[$1]}: the metadata is not normal: $(mdadm -E "${2:-${ALL[0]}}" | grep -E 'Map State|Migrate')"
}

# tko_check I LEVEL DISKS [DISKS-VAR]: volume V[I] runs LEVEL on DISKS in
# md, its size and pattern are as before, and our -E and the peer's of
# every member of its container (DISKS-VAR, default ALL; spares skipped)
# agree (LEVEL, DISKS members, map normal, no migration).
tko_check() {
	local dev d p
	local -n in=${4:-ALL}
	dev=$(md_devnm "${V[$1]}")
	[ "$(md_attr "$dev" level)" = "raid$2" ] || fail "${V[$1]}: level $(md_attr "$dev" level), expected raid$2"
	[ "$(md_attr "$dev" raid_disks)" = "$3" ] || fail "${V[$1]}: raid_disks $(md_attr "$dev" raid_disks), expected $3"
	[ "$(blockdev --getsize64 "${V[$1]}")" = "${S0[$1]}" ] || fail "${V[$1]}: size changed"
	pattern_verify "${V[$1]}" $((OLCE_SEED * 10 + $1)) $((S0[$1] >> 20))
	for d in "${in[@]}"; do
		[ "$(examine_field "$d" State)" = spare ] && continue
		for p in mdadm mdadm-peer; do
			"$p" -E "$d" >/tmp/e.txt 2>&1 || fail "$p -E $d failed"
			awk -v v="[${VN[$1]}]:" '$1 == v { on = 1; next } /^\[/ { on = 0 } on' /tmp/e.txt >/tmp/ev.txt
			grep -q "RAID Level : $2\$" /tmp/ev.txt || fail "$p -E $d: ${VN[$1]} not raid$2: $(grep 'RAID Level' /tmp/ev.txt)"
			grep -q "Members : $3\$" /tmp/ev.txt || fail "$p -E $d: ${VN[$1]} not $3 members"
			grep -q 'Map State : normal$' /tmp/ev.txt || fail "$p -E $d: ${VN[$1]} map not normal"
			grep 'Migrate State' /tmp/ev.txt | grep -vq ': idle$' && fail "$p -E $d: ${VN[$1]} migrating"
		done
	done
	note "${VN[$1]}: raid$2 of $3 disks in md and in both -E; size and data as before"
}

# tko_peer_reads: the peer assembles the container and reads every volume.
tko_peer_reads() {
	olce_peer_reads
}

# tko_quiet DISKS-VAR: mdmon has marked every volume clean again (after
# the last write, the safe-mode delay) and the disks no longer change.
tko_quiet() {
	local -n q=$1
	wait_until 30 sh -c "! mdadm -E ${q[0]} | grep -q 'Dirty State : dirty'" ||
		fail "a volume stays dirty"
	wait_until 60 disks_settled "${q[@]}" || fail "the disks keep changing"
}

# ---- two containers over virtio disks, across boots (t2202, t2204) ----------
# The tests set A and B (the disks of containers 1 and 2), VN (the two
# volume names) and keep size0, size1 with state_put.

# tko_vols: V and S0 of both volumes after an assembly.
tko_vols() {
	V=("$(vol_path "${VN[0]}")" "$(vol_path "${VN[1]}")")
	S0=("$(state_get size0)" "$(state_get size1)")
}

# tko_assemble: our `mdadm --assemble --scan` of a freshly booted guest;
# every pattern reads back.
tko_assemble() {
	[ -z "$(awk '/^md/' /proc/mdstat)" ] || fail "arrays running before our assembly"
	run_expect 0 mdadm --assemble --scan
	printf '%s\n' "$last_err"
	tko_vols
	olce_patterns_ok
}

# tko_peer_reads_two: the peer assembles both containers and reads both.
tko_peer_reads_two() {
	stop_all_md
	run_expect 0 mdadm-peer -A /dev/md/pa "${A[@]}"
	run_expect 0 mdadm-peer -A /dev/md/pb "${B[@]}"
	run_expect 0 mdadm-peer -I /dev/md/pa
	run_expect 0 mdadm-peer -I /dev/md/pb
	wait_until 30 sh -c "ls /dev/md/${VN[0]}* /dev/md/${VN[1]}*" >/dev/null
	tko_vols
	olce_patterns_ok
	stop_all_md
	note "the peer assembles both containers; data intact"
}
