# olce-lib.sh: shared steps of the OLCE tests (sourced after lib.sh).

# Data members of a volume of LEVEL with N members.
olce_data() { # LEVEL N
	case $1 in 0) echo "$2" ;; 5) echo $(($2 - 1)) ;; *) fail "olce_data: level $1" ;; esac
}

# olce_make OLD NEW LEVEL...: fresh disks, a container of OLD of them
# with one volume per LEVEL (8 MiB per member, OLCE_CHUNK or 64 KiB chunk),
# NEW - OLD spares added, a pattern on each volume.  Sets C (container path),
# V (volume paths), VN (their names), S0 (array sizes), ALL (every disk).
olce_make() {
	local old=$1 new=$2 first=${#DISKS[@]} i lvl
	shift 2
	OLCE_LEVELS=("$@") OLCE_OLD=$old OLCE_NEW=$new
	make_disks "$new" 40
	ALL=("${DISKS[@]:first:new}")
	C=/dev/md/c$first V=() VN=() S0=()
	run_expect 0 mdadm -C "$C" -e imsm -n"$old" "${ALL[@]:0:old}"
	i=0
	for lvl in "$@"; do
		VN+=("v${first}x$i")
		run_expect 0 mdadm -C "/dev/md/${VN[i]}" -l"$lvl" -n"$old" -c "${OLCE_CHUNK:-64}" -z 8M \
			--assume-clean "$C"
		V+=("/dev/md/${VN[i]}")
		S0+=("$(blockdev --getsize64 "${V[i]}")")
		pattern_write "${V[i]}" $((first * 10 + i)) $((S0[i] >> 20))
		i=$((i + 1))
	done
	for ((i = old; i < new; i++)); do
		run_expect 0 mdadm "$C" --add "${ALL[i]}"
	done
	OLCE_SEED=$first
}

# olce_check_grown: every volume has NEW members, its size grew by the
# ratio of data members, its pattern reads back, md is idle and at the
# metadata's level, and our -E and the peer's say normal with NEW disks.
olce_check_grown() {
	local i lvl dev want d p
	for i in "${!V[@]}"; do
		lvl=${OLCE_LEVELS[i]}
		dev=$(md_devnm "${V[i]}")
		want=$((S0[i] / $(olce_data "$lvl" "$OLCE_OLD") * $(olce_data "$lvl" "$OLCE_NEW")))
		[ "$(blockdev --getsize64 "${V[i]}")" = "$want" ] ||
			fail "${V[i]}: size $(blockdev --getsize64 "${V[i]}"), expected $want"
		[ "$(cat "/sys/block/$dev/md/raid_disks")" = "$OLCE_NEW" ] ||
			fail "${V[i]}: raid_disks $(cat "/sys/block/$dev/md/raid_disks")"
		[ "$(cat "/sys/block/$dev/md/level")" = "raid$lvl" ] ||
			fail "${V[i]}: level $(cat "/sys/block/$dev/md/level")"
		pattern_verify "${V[i]}" $((OLCE_SEED * 10 + i)) $((S0[i] >> 20))
	done
	for d in "${ALL[@]}"; do
		for p in mdadm mdadm-peer; do
			"$p" -E "$d" >/tmp/e.txt 2>&1 || fail "$p -E $d failed"
			grep -q 'Migrate State : general' /tmp/e.txt && fail "$p -E $d: still migrating"
			[ "$(grep -c 'Map State : normal$' /tmp/e.txt)" = "${#V[@]}" ] ||
				fail "$p -E $d: not every map is normal"
			[ "$(grep -c "Members : $OLCE_NEW\$" /tmp/e.txt)" = "${#V[@]}" ] ||
				fail "$p -E $d: not every volume has $OLCE_NEW members"
			grep -q "Disks : $OLCE_NEW\$" /tmp/e.txt || fail "$p -E $d: not $OLCE_NEW disks"
		done
	done
	note "${OLCE_LEVELS[*]}: $OLCE_OLD -> $OLCE_NEW disks, sizes and data right, metadata normal"
}

# olce_peer_reads: the peer assembles the grown container and reads the data.
olce_peer_reads() {
	local i
	stop_all_md
	run_expect 0 mdadm-peer -A "$C" "${ALL[@]}"
	run_expect 0 mdadm-peer -I "$C"
	for i in "${!V[@]}"; do
		wait_until 30 test -b "/dev/md/${VN[i]}" -o -b "/dev/md/${VN[i]}_0"
		pattern_verify "$(vol_path "${VN[i]}")" $((OLCE_SEED * 10 + i)) $((S0[i] >> 20))
	done
	stop_all_md
	note "the peer assembles the grown container; data intact"
}

# olce_case OLD NEW LEVEL...: make, grow, check, let the peer read.
olce_case() {
	olce_make "$@"
	run_expect 0 mdadm --grow "$C" --raid-devices="$2"
	olce_check_grown
	olce_peer_reads
}

# olce_migrating: our -E of the first disk shows a general migration.
olce_migrating() {
	mdadm -E "${ALL[0]}" | grep -q 'Migrate State : general migration'
}

# olce_grow_killed POINT: --grow to NEW with the test hook that makes
# mdadm SIGKILL itself at POINT (olce.c: backup:K, unit:K, volume:I).
olce_grow_killed() {
	local rc=0
	MDADM_TEST_OLCE_DIE=$1 mdadm --grow "$C" --raid-devices="$OLCE_NEW" 2>/tmp/grow.err || rc=$?
	[ "$rc" = 137 ] || fail "mdadm --grow with MDADM_TEST_OLCE_DIE=$1 exited $rc: $(cat /tmp/grow.err)"
	olce_migrating || fail "killed at $1, yet no migration is recorded"
	note "mdadm killed at $1: $(mdadm -E "${ALL[0]}" | grep -m1 'Checkpoint :' | xargs)"
}

# olce_patterns_ok: every volume's pattern reads back (mid-migration too).
olce_patterns_ok() {
	local i
	for i in "${!V[@]}"; do
		pattern_verify "${V[i]}" $((OLCE_SEED * 10 + i)) $((S0[i] >> 20))
	done
}

# The u32 at word W (0 status, 1 unit) of DISK's migration record.
rec_word() { # DISK W
	dd if="$1" bs=512 skip=$(($(blockdev --getsz "$1") - 1)) count=1 status=none |
		od -A n -t u4 -j $(($2 * 4)) -N 4 | tr -d ' '
}

# cut_when WHAT CMD...: power cut as soon as CMD succeeds (2 minutes at
# most), naming the migration record's status and unit.  md is slowed to a
# crawl first: the cut takes a second or more to land under load (the
# guest saves its dmesg, the host sees the request), and mdadm must not
# move past the moment CMD saw meanwhile.
cut_when() {
	local what=$1
	shift
	wait_until 120 "$@"
	echo 1 >/proc/sys/dev/raid/speed_limit_min
	echo 1 >/proc/sys/dev/raid/speed_limit_max
	note "cut $what: record status $(rec_word "${ALL[0]}" 0) unit $(rec_word "${ALL[0]}" 1)"
	power_cut
}

md_attr() { # DEVNM ATTR
	cat "/sys/block/$1/md/$2"
}

# md reached the limit mdadm set before it died, and waits there.
md_at_sync_max() { # DEVNM
	local max done
	max=$(md_attr "$1" sync_max) done=$(md_attr "$1" sync_completed)
	[ "${done%% *}" = "$max" ]
}

# scribble_unit U DISK...: unit U's destination rows (the record's depth
# per member) overwritten with random data on every DISK, as md may have
# left them half written when the power went.
scribble_unit() {
	local u=$1 depth d
	shift
	depth=$(rec_word "$1" 5)
	for d in "$@"; do
		dd if=/dev/urandom of="$d" bs=512 seek=$((u * depth)) count="$depth" oflag=direct \
			conv=notrunc status=none
	done
	note "unit $u's destination overwritten with random data on every disk"
}

# restripe_check LEVEL DISKS CHUNK_K: the first volume of olce_make (V[0])
# runs that geometry in md and in our -E and the peer's, no migration is
# left, its size is as before, its pattern reads back.
restripe_check() {
	local dev
	dev=$(md_devnm "${V[0]}")
	[ "$(md_attr "$dev" level)" = "raid$1" ] || fail "level $(md_attr "$dev" level), expected raid$1"
	[ "$(md_attr "$dev" raid_disks)" = "$2" ] || fail "raid_disks $(md_attr "$dev" raid_disks), expected $2"
	[ "$(md_attr "$dev" chunk_size)" = $(($3 * 1024)) ] || fail "chunk $(md_attr "$dev" chunk_size)"
	[ "$(blockdev --getsize64 "${V[0]}")" = "${S0[0]}" ] || fail "size changed: $(blockdev --getsize64 "${V[0]}")"
	pattern_verify "${V[0]}" $((OLCE_SEED * 10)) $((S0[0] >> 20))
	restripe_examined "$@"
	note "raid$1, $2 disks, chunk ${3}K: md, data and both -E agree"
}

# The disks of ALL that hold only a spare record.
spares_of_all() {
	local d
	for d in "${ALL[@]}"; do
		[ "$(examine_field "$d" State)" = spare ] && echo "$d"
	done
	return 0
}

# restripe_examined LEVEL DISKS CHUNK_K: our -E of the first member in ALL
# and the peer's show the one volume with that geometry, no migration, map
# normal.
restripe_examined() {
	local p d
	for d in "${ALL[@]}"; do
		[ "$(examine_field "$d" State)" = spare ] || break
	done
	for p in mdadm mdadm-peer; do
		"$p" -E "$d" >/tmp/e.txt 2>&1 || fail "$p -E failed"
		grep -q 'Migrate State : general' /tmp/e.txt && fail "$p -E: still migrating"
		grep -q "RAID Level : $1\$" /tmp/e.txt || fail "$p -E: not raid$1: $(grep 'RAID Level' /tmp/e.txt)"
		grep -q "Members : $2\$" /tmp/e.txt || fail "$p -E: not $2 members"
		grep -q "Chunk Size : ${3} KiB\$" /tmp/e.txt || fail "$p -E: chunk not ${3}K: $(grep 'Chunk Size' /tmp/e.txt)"
		grep -q 'Map State : normal$' /tmp/e.txt || fail "$p -E: map not normal"
	done
}


# mdmon_replaced_during TARGET ARGS...: `mdadm --grow TARGET ARGS` runs
# slowly; mid-way mdmon is SIGKILLed and a new one started with --takeover;
# mdadm notices, waits for it and ends with status 0.
mdmon_replaced_during() {
	local ctr rc=0 grow
	echo 500 >/proc/sys/dev/raid/speed_limit_max
	mdadm --grow "$@" 2>/tmp/grow.err &
	grow=$!
	ctr=$(md_devnm "$C")
	wait_until 120 olce_migrating
	sleep 2
	kill -9 "$(cat "/run/mdadm/$ctr.pid")"
	note "mdmon killed: $(mdadm -E "${ALL[0]}" | grep -m1 'Checkpoint :' | xargs)"
	sleep 3
	run_expect 0 mdmon --takeover "$ctr"
	echo 200000 >/proc/sys/dev/raid/speed_limit_max
	wait "$grow" || rc=$?
	[ "$rc" = 0 ] || fail "mdadm --grow exited $rc after mdmon was replaced: $(cat /tmp/grow.err)"
	grep -q 'waiting for mdmon' /tmp/grow.err || fail "mdadm did not notice mdmon was gone"
}
