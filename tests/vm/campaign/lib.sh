# campaign/lib.sh: the power-cut campaign in the guest (issue 14).  Sourced
# by t3000-powercut-slice.sh after lib.sh, olce-lib.sh and levels-lib.sh.
#
# The test's disks are cut into lanes of 4 (lane s: DISKS[4s..4s+3]); each
# lane holds one container with one volume (v<s>) that one migration of
# some KIND changes.  A boot does, for every lane:
#   - if the previous boot cut the power during that lane's migration:
#     read where the cut landed (our -E of the disks, before anything is
#     assembled), assemble (`mdadm -A --scan`, or `mdadm -I` of each disk
#     then `mdadm -IRs` as udev would: the plan picks), read the pattern
#     back mid-way, let the migration go on to its end (it is started
#     again only if the cut landed before the metadata recorded it), check
#     md's geometry, both -E and the pattern, and append one line to
#     $VMTEST_STATE/results;
#   - then stop everything, wipe the lane, create the next cut's start
#     (container, volume, pattern), start its migration with md slowed,
#     sleep a seeded random delay and pull the plug.
# The lanes' migrations run at once: the one with the longest delay is
# started first, so that the single cut lands DELAY seconds after the
# start of each.
#
# The plan: cut I (0-based, of the whole campaign) is of kind
# KINDS[I % #KINDS] and its delay is drawn from a generator seeded with
# (SEED, I) alone, so `CAMPAIGN_SEED=S CAMPAIGN_FIRST=I CAMPAIGN_COUNT=1`
# replays that cut's kind and delay (the timing of md under TCG is not
# replayed exactly).  Boot B (1-based) cuts I = FIRST + (B-1)*LANES + s.
# /results/campaign.conf (written by campaign/run.sh in its own log
# folder) sets SEED, KINDS, FIRST, COUNT; without it the test runs its
# fixed slice (every kind once, seed 3000).
#
# A result line: "cut I kind K delay D assembly A landed <where> ok" or
# "... FAIL <why>".  A failed check does not end the boot: the lane is
# wiped and the campaign goes on; the last boot fails if any cut failed.

CAMP_KINDS_ALL="olce5 olce0 lvl05 lvl50 chunk tko10 tko1 size rebuild"

# Seconds a kind's migration takes at CAMP_SPEED with the lanes busy at
# once, as measured on a loaded 2-core host (seed 3000's first batch: the
# reshapes of 4 MiB per member ended within 5 s, the takeovers' rebuilds
# within 7 s): the delay is drawn from 0 to 1.2 times that, so that some
# cuts land before the metadata records the migration and some after its
# end.
declare -A CAMP_SPAN=([olce5]=6 [olce0]=6 [lvl05]=6 [lvl50]=6 [chunk]=6
	[tko10]=5 [tko1]=5 [size]=8 [rebuild]=8)
CAMP_SPEED=500 # KB/s, md's speed_limit_max while a cut is due

camp_conf() {
	SEED=3000 KINDS=$CAMP_KINDS_ALL FIRST=0 COUNT=9 SABOTAGE=
	if [ -f /results/campaign.conf ]; then
		# shellcheck disable=SC1091
		. /results/campaign.conf
	fi
	read -r -a KIND_LIST <<<"$KINDS"
	LANES=$((${#DISKS[@]} / 4))
	[ "$LANES" -ge 1 ] || fail "the campaign needs at least 4 disks"
}

# camp_plan I: prints "KIND DELAY ASSEMBLY" of cut I.
camp_plan() {
	local i=$1 kind
	kind=${KIND_LIST[i % ${#KIND_LIST[@]}]}
	python3 -c 'import random, sys
r = random.Random(int(sys.argv[1]) * 1000003 + int(sys.argv[2]))
print("%.2f %s" % (r.random() * 1.2 * float(sys.argv[3]), "scan" if r.random() < 0.5 else "incr"))' \
		"$SEED" "$i" "${CAMP_SPAN[$kind]}" | sed "s/^/$kind /"
}

# camp_cut_index B S: the cut of lane S in boot B, empty when none.
camp_cut_index() {
	local i=$((FIRST + ($1 - 1) * LANES + $2))
	[ $(($1 - 1)) -ge 0 ] && [ "$i" -lt $((FIRST + COUNT)) ] && echo "$i"
	return 0
}

# lane S: sets LD (its disks), LV (its volume name), LC (container path
# at creation).
lane() {
	LD=("${DISKS[@]:$(($1 * 4)):4}") LV=v$1 LC=/dev/md/c$1
}

# vol_of NAME: the assembled volume's device, empty if none.
vol_of() {
	local p
	for p in "/dev/md/$1" "/dev/md/$1_0" "/dev/md/$1_1"; do
		[ -b "$p" ] && { echo "$p"; return 0; }
	done
	return 0
}

# ex_vol FILE NAME FIELD: FIELD of volume NAME in an -E output kept in FILE.
ex_vol() {
	awk -v n="[$2]:" -v f="$3" '
		$0 == n { p = 1; next } /^\[/ { p = 0 }
		p { k = $0; sub(/^ */, "", k); sub(/ *:.*/, "", k)
		    if (k == f) { sub(/^[^:]*: /, ""); print; exit } }' "$1"
}

# ---- the kinds ----------------------------------------------------------------
# kind_make_K: create lane LD's start and write the pattern; kind_start_K:
# the migration, in the background; kind_want_K: "LEVEL DISKS CHUNK_K
# SIZE" at the end (SIZE in bytes; "grown" for more than the start).

camp_create() { # N LEVEL CHUNK-ARGS...: container on LD[0..N-1], volume LV
	local n=$1 lvl=$2 force=()
	shift 2
	[ "$n" != 1 ] || force=(--force)
	run_expect 0 mdadm -C "$LC" -e imsm -n"$n" "${force[@]}" "${LD[@]:0:n}"
	run_expect 0 mdadm -C "/dev/md/$LV" -l"$lvl" -n"$n" "${force[@]}" "$@" -z 4M --assume-clean "$LC"
}

camp_spares() { # FROM: LD[FROM..3] added to the container
	camp_spares_upto "$1" 4
}

camp_spares_upto() { # FROM TO: LD[FROM..TO-1] added to the container
	local i
	for ((i = $1; i < $2; i++)); do run_expect 0 mdadm "$LC" --add "${LD[i]}"; done
}

kind_make_olce5() { camp_create 3 5 -c 64; }
kind_make_olce0() { camp_create 3 0 -c 64; }
kind_make_lvl05() { camp_create 3 0 -c 64; }
kind_make_lvl50() { camp_create 4 5 -c 64; }
kind_make_chunk() { camp_create 3 5 -c 64; }
kind_make_tko10() { camp_create 2 0 -c 64; }
kind_make_tko1() { camp_create 1 0; }
kind_make_size() { camp_create 3 5 -c 64; }
kind_make_rebuild() { camp_create 3 5 -c 64; }

# Spares are added after the pattern (so that no rebuild or takeover
# starts before the test means it to).
kind_spares_olce5() { camp_spares 3; }
kind_spares_olce0() { camp_spares 3; }
kind_spares_lvl05() { camp_spares 3; }
kind_spares_lvl50() { :; }
kind_spares_chunk() { :; }
kind_spares_tko10() { camp_spares 2; }
kind_spares_tko1() { camp_spares_upto 1 2; }
kind_spares_size() { :; }
kind_spares_rebuild() { camp_spares 3; }


kind_start() { # KIND VOLUME-DEV CONTAINER-DEV
	case $1 in
	olce5 | olce0) mdadm --grow "$3" --raid-devices=4 ;;
	lvl05) mdadm --grow "$2" --level=5 ;;
	lvl50) mdadm --grow "$2" --level=0 ;;
	chunk) mdadm --grow "$2" --chunk=256 ;;
	tko10) mdadm --grow "$2" --level=10 ;;
	tko1) mdadm --grow "$2" --level=1 ;;
	size) mdadm --grow "$2" --size=max ;;
	rebuild) mdadm "$2" --fail "${LD[1]}" ;;
	esac
}

kind_want() { # KIND S0: LEVEL DISKS CHUNK_K SIZE
	case $1 in
	olce5) echo "5 4 64 $(($2 / 2 * 3))" ;;
	olce0) echo "0 4 64 $(($2 / 3 * 4))" ;;
	lvl05) echo "5 4 64 $2" ;;
	lvl50) echo "0 3 64 $2" ;;
	chunk) echo "5 3 256 $2" ;;
	tko10) echo "10 4 64 $2" ;;
	tko1) echo "1 2 - $2" ;;
	size) echo "5 3 64 grown" ;;
	rebuild) echo "5 3 64 $2" ;;
	esac
}

kind_start_geometry() { # KIND: "LEVEL DISKS CHUNK_K" at the start
	case $1 in
	olce5 | chunk | size | rebuild) echo "5 3 64" ;;
	olce0 | lvl05) echo "0 3 64" ;;
	lvl50) echo "5 4 64" ;;
	tko10) echo "0 2 64" ;;
	tko1) echo "0 1" ;;
	esac
}

# ---- where a cut landed --------------------------------------------------------

# camp_landed KIND S: from our -E of the lane's first disk, before any
# assembly: "not started", "finished", "idle, map M" (recorded, nothing
# under way), or the migration, its checkpoint and (reshapes) the
# record's status: 1 = a unit in the copy area (the cut came before its
# checkpoint), 0 = at a checkpoint.
camp_landed() {
	local kind=$1 s=$2 mig ck map geo w e=/tmp/landed-e.txt
	mdadm -E "${LD[0]}" >"$e" 2>&1 || true
	mig=$(ex_vol "$e" "$LV" 'Migrate State')
	[ -n "$mig" ] || { echo "no volume on ${LD[0]}"; return 0; }
	if [ "$mig" != idle ]; then
		ck=$(ex_vol "$e" "$LV" Checkpoint)
		w="$mig unit ${ck%% *}"
		case $kind in
		olce* | lvl* | chunk) w="$w status $(rec_word "${LD[0]}" 0)" ;;
		esac
		echo "$w"
		return 0
	fi
	map=$(ex_vol "$e" "$LV" 'Map State')
	[ "$map" = normal ] || { echo "idle, map $map"; return 0; }
	case $kind in
	size)
		[ "$(ex_vol "$e" "$LV" 'Array Size')" = "$(state_get "lane$s.arraysize")" ] &&
			echo "not started" || echo "finished"
		;;
	rebuild)
		[ "$(examine_field "${LD[3]}" State)" = spare ] && echo "not started" || echo "finished"
		;;
	*)
		geo="$(ex_vol "$e" "$LV" 'RAID Level') $(ex_vol "$e" "$LV" Members)"
		w=$(kind_start_geometry "$kind")
		if [ "$kind" != tko1 ]; then
			ck=$(ex_vol "$e" "$LV" 'Chunk Size')
			geo="$geo ${ck%% *}"
		fi
		[ "$geo" = "$w" ] && echo "not started" || echo "finished"
		;;
	esac
}

# ---- a lane's cycle ----------------------------------------------------------------

# camp_patterns SEED:MIB...: the pattern files of lib.sh's pattern_file,
# made by one process (a process start costs much under TCG on a busy
# host).
camp_patterns() {
	mkdir -p /tmp/pat
	python3 -c 'import random, sys
for a in sys.argv[1:]:
    seed, mib = a.split(":")
    r = random.Random(int(seed))
    with open("/tmp/pat/%s-%s" % (seed, mib), "wb") as f:
        for _ in range(int(mib)):
            f.write(r.randbytes(1 << 20))' "$@"
}

camp_wipe() { # the lane's disks: the last 4 MiB (IMSM's metadata, the record) zeroed
	python3 -c 'import os, sys
for d in sys.argv[1:]:
    fd = os.open(d, os.O_WRONLY)
    end = os.lseek(fd, 0, os.SEEK_END)
    os.pwrite(fd, bytes(4 << 20), end - (4 << 20))
    os.fsync(fd)
    os.close(fd)' "${LD[@]}"
}

# camp_prepare S I: lane S gets cut I's start (md stopped first): the
# container and volume; camp_fill S then writes the pattern and adds the
# spares.
camp_prepare() {
	local s=$1 i=$2 kind delay asm size
	read -r kind delay asm <<<"$(camp_plan "$i")"
	# one assembly for the boot: that drawn for its first cut
	[ "$s" = 0 ] || read -r _ _ _ asm <<<"$(state_get lane0.cut)"
	lane "$s"
	camp_wipe
	"kind_make_$kind"
	size=$(blockdev --getsize64 "/dev/md/$LV")
	state_put "lane$s.cut" "$i $kind $delay $asm"
	state_put "lane$s.size" "$size"
	mdadm -E "${LD[0]}" >/tmp/prep-e.txt
	state_put "lane$s.arraysize" "$(ex_vol /tmp/prep-e.txt "$LV" 'Array Size')"
}

camp_fill() {
	local s=$1 i kind delay size
	read -r i kind delay _ <<<"$(state_get "lane$s.cut")"
	size=$(state_get "lane$s.size")
	lane "$s"
	pattern_write "/dev/md/$LV" $((30000 + i)) $((size >> 20))
	"kind_spares_$kind"
	note "lane $s: cut $i ($kind) ready, $((size >> 20)) MiB, delay ${delay}s"
}

# camp_lane_patterns S...: the pattern files of those lanes' cuts.
camp_lane_patterns() {
	local s i args=()
	for s in "$@"; do
		read -r i _ <<<"$(state_get "lane$s.cut")"
		args+=("$((30000 + i)):$(($(state_get "lane$s.size") >> 20))")
	done
	camp_patterns "${args[@]}"
}

# camp_fire S...: start the lanes' migrations so that the cut lands each
# lane's delay after its start, then cut.
camp_fire() {
	local s kind delay order=() prev=0 d
	while read -r d s; do order+=("$d $s"); done < <(
		for s in "$@"; do
			read -r _ _ delay _ <<<"$(state_get "lane$s.cut")"
			echo "$delay $s"
		done | sort -rn)
	prev=${order[0]%% *}
	sync
	slow "$CAMP_SPEED"
	for d in "${order[@]}"; do
		s=${d##* } delay=${d%% *}
		sleep "$(awk -v a="$prev" -v b="$delay" 'BEGIN { printf "%.2f", a - b }')"
		prev=$delay
		lane "$s"
		read -r _ kind _ <<<"$(state_get "lane$s.cut")"
		kind_start "$kind" "/dev/md/$LV" "$LC" >"/tmp/start$s.out" 2>&1 &
	done
	sleep "$prev"
	power_cut
}

# A loose spare (its own record names no container: levels-lib, t2202) is
# added back to the lane's container, as the admin would.
camp_readd_loose() { # CONTAINER-DEVNM
	local d n=0
	for d in "${LD[@]}"; do
		[ -e "/sys/block/$1/md/dev-$(basename "$d")" ] && continue
		[ "$(examine_field "$d" State)" = spare ] || continue
		run_expect 0 mdadm --add "/dev/$1" "$d"
		n=$((n + 1))
	done
	echo "$n"
}

camp_container_of() { # VOLUME-DEVNM
	local mv
	mv=$(cat "/sys/block/$1/md/metadata_version")
	mv=${mv#external:}
	mv=${mv#/}
	echo "${mv%%/*}"
}

# camp_done VOL CT: nothing is left to do for the lane's volume.
camp_done() {
	local m=/sys/block/$1/md a r d rs l
	# a level without the attribute reads as done there; raid0 has no
	# redundancy to sync: its resync_start stays where a dirty start put it
	read -r a 2>/dev/null <"$m/sync_action" || a=idle
	read -r r 2>/dev/null <"$m/reshape_position" || r=none
	read -r d 2>/dev/null <"$m/degraded" || d=0
	read -r rs 2>/dev/null <"$m/resync_start" || rs=none
	read -r l <"$m/level"
	[ "$l" != raid0 ] || d=0 rs=none
	case "$a $r $d $rs" in "idle none 0 none" | "none none 0 none") ;; *) return 1 ;; esac
	! pgrep -fx "mdadm --grow --continue /dev/$2" >/dev/null || return 1
	! camp_ex_member "$1" | grep -q 'Migrate State : [^i]'
}

camp_done_why() { # VOL CT: what camp_done looks at
	local f m=/sys/block/$1/md
	for f in level sync_action reshape_position degraded resync_start; do
		printf '%s=%s ' "$f" "$(cat "$m/$f" 2>/dev/null)"
	done
	pgrep -fx "mdadm --grow --continue /dev/$2" >/dev/null && printf 'continue-running '
	camp_ex_member "$1" | grep 'Migrate State' | tr -s ' ' | tr '\n' ' '
}

camp_ex_member() { # VOL [PROGRAM]: -E of the volume's first member
	local m
	for m in /sys/block/"$1"/md/dev-*; do break; done
	"${2:-mdadm}" -E "/dev/${m##*/dev-}" 2>/dev/null
}

# camp_check S: lane S after the cut: assembled, continued, checked.
camp_check() {
	local s=$1 i kind delay asm dev vol ct size want_l want_n want_c want_s n p d
	read -r i kind delay asm <<<"$(state_get "lane$s.cut")"
	size=$(state_get "lane$s.size")
	lane "$s"
	dev=$(vol_of "$LV")
	[ -n "$dev" ] || fail "volume $LV not assembled: $(cat /proc/mdstat)"
	vol=$(md_devnm "$dev")
	ct=$(camp_container_of "$vol")
	n=$(camp_readd_loose "$ct")
	[ "$n" = 0 ] || note "lane $s: $n loose spare(s) added back"
	if [ "$(cat "/tmp/landed$s")" = "not started" ]; then
		note "lane $s: the cut came before the migration was recorded: started again"
		kind_start "$kind" "$dev" "/dev/$ct" >/tmp/again.out 2>&1 ||
			fail "$kind could not start again: $(cat /tmp/again.out)"
	fi
	SECONDS=0
	until camp_done "$vol" "$ct"; do
		[ "$SECONDS" -lt 240 ] || fail "not done after 240 s: $(camp_done_why "$vol" "$ct")"
		sleep 1
	done
	read -r want_l want_n want_c want_s <<<"$(kind_want "$kind" "$size")"
	[ "$(md_attr "$vol" level)" = "raid$want_l" ] || fail "level $(md_attr "$vol" level), want raid$want_l"
	[ "$(md_attr "$vol" raid_disks)" = "$want_n" ] || fail "raid_disks $(md_attr "$vol" raid_disks), want $want_n"
	[ "$want_c" = - ] || [ "$(md_attr "$vol" chunk_size)" = $((want_c * 1024)) ] ||
		fail "chunk $(md_attr "$vol" chunk_size), want ${want_c}K"
	if [ "$want_s" = grown ]; then
		[ "$(blockdev --getsize64 "$dev")" -gt "$size" ] || fail "size $(blockdev --getsize64 "$dev") not grown"
	else
		[ "$(blockdev --getsize64 "$dev")" = "$want_s" ] || fail "size $(blockdev --getsize64 "$dev"), want $want_s"
	fi
	pattern_verify "$dev" $((30000 + i)) $((size >> 20))
	for p in mdadm mdadm-peer; do # one member: every member's copy is the same
		camp_ex_member "$vol" "$p" >/tmp/e.txt || fail "$p -E failed"
		awk -v v="[$LV]:" '$1 == v { on = 1; next } /^\[/ { on = 0 } on' /tmp/e.txt >/tmp/ev.txt
		grep -q "RAID Level : $want_l\$" /tmp/ev.txt || fail "$p -E: not raid$want_l"
		grep -q "Members : $want_n\$" /tmp/ev.txt || fail "$p -E: not $want_n members"
		grep -q 'Map State : normal$' /tmp/ev.txt || fail "$p -E: map not normal"
		grep 'Migrate State' /tmp/ev.txt | grep -vq ': idle$' && fail "$p -E: migrating"
	done
	return 0
}

# camp_result S LANDED STATUS...: one line in $VMTEST_STATE/results.
camp_result() {
	local s=$1 landed=$2 i kind delay asm
	shift 2
	read -r i kind delay asm <<<"$(state_get "lane$s.cut")"
	printf 'cut %s kind %s delay %s assembly %s landed %s %s\n' "$i" "$kind" "$delay" "$asm" \
		"$landed" "$*" >>"$VMTEST_STATE/results"
	note "RESULT lane $s: cut $i $kind delay ${delay}s ($asm), landed $landed: $*"
}

camp_assemble() { # scan|incr
	local d
	[ -z "$(awk '/^md/' /proc/mdstat)" ] || fail "arrays running before our assembly"
	if [ "$1" = scan ]; then
		mdadm -A --scan 2>&1 | sed 's/^/  /' || true
	else
		for d in "${DISKS[@]}"; do mdadm -I "$d" 2>&1 | sed 's/^/  /' || true; done
		mdadm -IRs 2>&1 | sed 's/^/  /' || true
	fi
}

# camp_sabotage: with SABOTAGE=data (campaign.conf), 64 KiB of random
# data over the data area of each lane's first disk after the cut, as a
# lost or torn write would leave: the checks must then fail unless the
# continuation rewrites that area (run.sh's CAMPAIGN_SABOTAGE shows the
# campaign can fail).
camp_sabotage() {
	local s
	[ "$SABOTAGE" = data ] || return 0
	for s in "${prev[@]}"; do
		lane "$s"
		dd if=/dev/urandom of="${LD[0]}" bs=64K seek=16 count=1 oflag=direct conv=notrunc status=none
		note "lane $s: SABOTAGE: 64 KiB of ${LD[0]} at 1 MiB overwritten"
	done
}

# camp_boot: this boot's part of the plan (see the top of the file).
camp_boot() {
	local b=$VMTEST_BOOT s i prev=() next=() asm rc fails
	camp_conf
	for ((s = 0; s < LANES; s++)); do
		[ -z "$(camp_cut_index $((b - 1)) "$s")" ] || prev+=("$s")
		[ -z "$(camp_cut_index "$b" "$s")" ] || next+=("$s")
	done
	if [ "${#prev[@]}" -gt 0 ]; then
		for s in "${prev[@]}"; do
			lane "$s"
			read -r _ kind _ asm <<<"$(state_get "lane$s.cut")"
			camp_landed "$kind" "$s" >"/tmp/landed$s"
			note "lane $s: cut landed: $(cat "/tmp/landed$s")"
		done
		camp_sabotage
		camp_assemble "$asm"
		slow 200000
		camp_lane_patterns "${prev[@]}"
		for s in "${prev[@]}"; do
			rc=0
			# errexit holds in a background subshell (not in "if ( )")
			(
				exec 2>/tmp/camp.err
				camp_check "$s"
			) &
			wait $! || rc=$?
			cat /tmp/camp.err >&2
			if [ "$rc" = 0 ]; then
				camp_result "$s" "$(cat "/tmp/landed$s")" ok
			else
				camp_result "$s" "$(cat "/tmp/landed$s")" \
					"FAIL $(grep '^FAIL: ' /tmp/camp.err | tail -1 | cut -c7-)"
				cat /proc/mdstat
			fi
		done
		stop_all_md
	fi
	if [ "${#next[@]}" -gt 0 ]; then
		for s in "${next[@]}"; do
			camp_prepare "$s" "$(camp_cut_index "$b" "$s")"
		done
		camp_lane_patterns "${next[@]}"
		for s in "${next[@]}"; do camp_fill "$s"; done
		camp_fire "${next[@]}"
	fi
	fails=$(grep -c FAIL "$VMTEST_STATE/results" 2>/dev/null) || true
	note "campaign batch over: $(grep -c . "$VMTEST_STATE/results" 2>/dev/null || echo 0) cuts checked, ${fails:-0} failed"
	[ "${fails:-0}" = 0 ] || fail "${fails} cut(s) failed"
}
