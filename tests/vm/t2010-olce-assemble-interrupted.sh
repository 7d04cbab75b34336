#!/bin/bash
# vm-timeout: 1200
# Assembling a container whose OLCE was interrupted (imsm-format.md §6.7
# "Recovery on assembly"; md-kernel-interface.md §4.5, §9.4.6).  mdadm
# --grow is killed (test hook MDADM_TEST_OLCE_DIE) at two points of a
# raid5 3 -> 4 OLCE: inside the critical section (unit 1 backed up, record
# status 1) and mid-way (a plain checkpoint).  Volume and container are
# stopped, then assembled with MDADM_NO_GROW_CONTINUE=1 so that the held
# state can be looked at, through -A DISKS, -A --scan and -I:
#  - md runs the reshape from the record's position: raid_disks "4 (3)",
#    reshape_position = unit x 6144 (one unit further after a restore),
#    frozen with sync_max holding md there, the "-" flag, the old size;
#  - status 1: unit 1's destination, scribbled over to stand for what md
#    may have half written, comes back from the copy area and the record
#    says status 0 at unit 2 (on both record members); a second assembly
#    restores nothing more;
#  - the pattern reads back through the array across reshape_position;
#  - md does not move past the checkpoint while nobody continues.
# Then an assembly without the variable continues the reshape in the
# background (mdadm --grow --continue) to the end: 4 members, the grown
# size, the metadata normal in our -E and the peer's, the pattern intact.
# The same for a raid0 volume 2 -> 3 (md reshapes it as raid4); for a
# second volume whose migration mdmon began but whose record was not yet
# written (a fresh one is written, the volume starts as it was); and for
# an OLCE Debian's mdadm 4.2 ran and that was killed (interop).  A record
# of another migration while the checkpoint is mid-way is refused.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

# olce_setup LEVEL OLD NEW: a container of OLD disks with one volume, a
# pattern on it, NEW - OLD spares.  Sets D (all disks), SIZE0, DATA0/1.
olce_setup() {
	local level=$1 old=$2 new=$3 first=${#DISKS[@]}
	make_disks "$new" 48
	D=("${DISKS[@]:first}")
	run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n"$old" "${D[@]:0:old}"
	run_expect 0 mdadm -C /dev/md/vol -l"$level" -n"$old" -c 128 -z 16M --assume-clean \
		/dev/md/imsm0
	SIZE0=$(blockdev --getsize64 "$(vol_path vol)")
	pattern_write "$(vol_path vol)" "$SEED" $((SIZE0 >> 20))
	for d in "${D[@]:old}"; do
		run_expect 0 mdadm /dev/md/imsm0 --add "$d"
	done
	DATA0=$((level == 5 ? old - 1 : old)) DATA1=$((level == 5 ? new - 1 : new))
	note "raid$level on $old disks, $SIZE0 bytes, seed $SEED"
}

# olce_kill POINT NEW: the OLCE dies at POINT; md runs on to its limit;
# everything is stopped.  Sets RS/RU (record status, unit) and POS.
olce_kill() {
	local rc=0 vol
	vol=$(md_devnm "$(vol_path vol)")
	MDADM_TEST_OLCE_DIE=$1 mdadm --grow /dev/md/imsm0 --raid-devices="$2" \
		2>/tmp/grow.err || rc=$?
	[ "$rc" = 137 ] || fail "mdadm --grow was not killed at $1 (exit $rc): $(cat /tmp/grow.err)"
	wait_until 60 md_at_sync_max "$vol"
	RS=$(rec_word "${D[0]}" 0) RU=$(rec_word "${D[0]}" 1)
	[ "$(rec_word "${D[1]}" 0)/$(rec_word "${D[1]}" 1)" = "$RS/$RU" ] ||
		fail "the two record members disagree"
	BPU=$(rec_word "${D[0]}" 4) DEPTH=$(rec_word "${D[0]}" 5)
	POS=$(((RU + RS) * BPU))
	note "killed at $1: record status $RS unit $RU; md at $(md_attr "$vol" reshape_position)," \
		"sync_max $(md_attr "$vol" sync_max); md must resume at $POS"
	run_expect 0 mdadm -S "$(vol_path vol)"
	run_expect 0 mdadm -S /dev/md/imsm0
	grep -q '^md' /proc/mdstat && fail "arrays left after the stop"
	return 0
}

copy_area_restored() { # U: destination == copy area on every disk
	local d ckpt
	for d in "${D[@]}"; do
		ckpt=$(($(blockdev --getsz "$d") - 2209))
		cmp -s <(dd if="$d" bs=512 skip=$(($1 * DEPTH)) count="$DEPTH" iflag=direct \
			status=none) <(dd if="$d" bs=512 skip="$ckpt" count="$DEPTH" iflag=direct \
			status=none) ||
			fail "$d: unit $1's destination is not the copy area"
	done
}

# check_held MD_LEVEL: the volume runs the reshape from POS, held.
check_held() {
	local vol lvl=$1 old_slots=$((DATA0 + 1)) new_slots=$((DATA1 + 1))
	vol=$(md_devnm "$(vol_path vol)")
	cat /proc/mdstat
	[ "$(md_attr "$vol" level)" = "raid$lvl" ] || fail "level $(md_attr "$vol" level)"
	[ "$(md_attr "$vol" raid_disks)" = "$new_slots ($old_slots)" ] ||
		fail "raid_disks '$(md_attr "$vol" raid_disks)', expected '$new_slots ($old_slots)'"
	[ "$(md_attr "$vol" reshape_position)" = "$POS" ] ||
		fail "reshape_position $(md_attr "$vol" reshape_position), expected $POS"
	[ "$(md_attr "$vol" sync_max)" = $((POS / DATA1)) ] ||
		fail "sync_max $(md_attr "$vol" sync_max), expected $((POS / DATA1))"
	case $(md_attr "$vol" metadata_version) in
	external:-*) ;;
	*) fail "not frozen: $(md_attr "$vol" metadata_version)" ;;
	esac
	[ "$(md_attr "$vol" sync_action)" = frozen ] || fail "sync_action $(md_attr "$vol" sync_action)"
	[ "$(blockdev --getsize64 "$(vol_path vol)")" = "$SIZE0" ] || fail "array size changed"
	[ "$(rec_word "${D[0]}" 0)" = 0 ] || fail "the record still says status $(rec_word "${D[0]}" 0)"
	[ "$(rec_word "${D[0]}" 1)" = $((POS / BPU)) ] ||
		fail "the record is at unit $(rec_word "${D[0]}" 1), expected $((POS / BPU))"
	[ "$(rec_word "${D[1]}" 0)/$(rec_word "${D[1]}" 1)" = "0/$((POS / BPU))" ] ||
		fail "the second record member differs"
	pattern_verify "$(vol_path vol)" "$SEED" $((SIZE0 >> 20))
	sleep 2
	[ "$(md_attr "$vol" reshape_position)" = "$POS" ] ||
		fail "md moved past the checkpoint: $(md_attr "$vol" reshape_position)"
	note "held at $POS: raid_disks $(md_attr "$vol" raid_disks)," \
		"array_state $(md_attr "$vol" array_state), $(md_attr "$vol" metadata_version)"
}

# Done with a case: its disks leave (so that --scan finds only the next).
retire_disks() {
	local d
	stop_all_md
	for d in "${D[@]}"; do
		losetup -d "$d"
	done
}

stop_both() {
	run_expect 0 mdadm -S "$(vol_path vol)"
	run_expect 0 mdadm -S /dev/md/imsm0
}

assemble_held() { # how: named|scan|incremental
	case $1 in
	# upstream's spelling for "assemble, do not continue the reshape"
	named) run_expect 0 mdadm --assemble --freeze-reshape /dev/md/imsm0 "${D[@]}" ;;
	scan) run_expect 0 mdadm -A --scan --freeze-reshape ;;
	incremental) # as an initramfs does before the root is mounted
		for d in "${D[@]}"; do
			run_expect 0 mdadm --incremental --freeze-reshape "$d"
		done
		;;
	esac
	printf '%s\n' "$last_err"
	printf '%s\n' "$last_err" | grep -q -E 'held at its checkpoint|left frozen \(--freeze-reshape\)' ||
		fail "assembly ($1) did not say the reshape is held"
}

# The reshape continued by the assembly, to the end.
finish_done() { # DEVNM NEW
	[ "$(md_attr "$1" raid_disks)" = "$2" ] && [ "$(md_attr "$1" reshape_position)" = none ] &&
		mdadm -E "${D[0]}" >/tmp/fin.txt 2>&1 && ! grep -q 'Migrate State : gen' /tmp/fin.txt &&
		case $(md_attr "$1" metadata_version) in external:/*) true ;; *) false ;; esac
}

assemble_and_finish() { # how NEW LEVEL
	local vol d p
	case $1 in
	named) run_expect 0 mdadm -A /dev/md/imsm0 "${D[@]}" ;;
	scan) run_expect 0 mdadm -A --scan ;;
	esac
	printf '%s\n' "$last_err"
	printf '%s\n' "$last_err" | grep -q 'continuing the reshape of /dev/md' ||
		fail "the assembly did not continue the reshape"
	vol=$(md_devnm "$(vol_path vol)")
	wait_until 300 finish_done "$vol" "$2"
	cat /proc/mdstat
	[ "$(md_attr "$vol" level)" = "raid$3" ] || fail "level $(md_attr "$vol" level) at the end"
	[ "$(blockdev --getsize64 "$(vol_path vol)")" = $((SIZE0 / DATA0 * DATA1)) ] ||
		fail "size $(blockdev --getsize64 "$(vol_path vol)"), expected $((SIZE0 / DATA0 * DATA1))"
	pattern_verify "$(vol_path vol)" "$SEED" $((SIZE0 >> 20))
	for d in "${D[@]}"; do
		for p in mdadm mdadm-peer; do
			"$p" -E "$d" >/tmp/e.txt 2>&1 || fail "$p -E $d failed"
			grep -q 'Migrate State : idle' /tmp/e.txt || fail "$p -E $d: still migrating"
			grep -q 'Map State : normal$' /tmp/e.txt || fail "$p -E $d: map not normal"
			grep -q "Members : $2\$" /tmp/e.txt || fail "$p -E $d: not $2 members"
		done
	done
	note "continued after assembly ($1): $2 members, $(blockdev --getsize64 "$(vol_path vol)") bytes"
}

# A record of another migration while the checkpoint is mid-way: the
# volume is refused with one line, nothing is written; the record back.
refuse_foreign_record() {
	local d sz n
	for d in "${D[@]:0:2}"; do
		sz=$(blockdev --getsz "$d")
		dd if="$d" of="/tmp/rec-$(basename "$d")" bs=512 skip=$((sz - 1)) count=1 status=none
		printf '\377' | dd of="$d" bs=1 seek=$(((sz - 1) * 512 + 8)) conv=notrunc status=none
	done
	disk_sums >/tmp/sums.before
	run_expect 1 mdadm -A /dev/md/imsm0 "${D[@]}"
	printf '%s\n' "$last_err"
	n=$(printf '%s\n' "$last_err" | grep -c '^mdadm: cannot start volume vol: ') || true
	[ "$n" = 1 ] || fail "expected one refusal line, got: $last_err"
	printf '%s\n' "$last_err" | grep -q 'migration record does not belong' ||
		fail "the refusal does not say why: $last_err"
	grep -q '^md.*raid' /proc/mdstat && fail "a volume was started"
	run_expect 0 mdadm -S /dev/md/imsm0
	disk_sums >/tmp/sums.after
	cmp -s /tmp/sums.before /tmp/sums.after || fail "the refused assembly wrote to the disks"
	for d in "${D[@]:0:2}"; do
		sz=$(blockdev --getsz "$d")
		dd if="/tmp/rec-$(basename "$d")" of="$d" bs=512 seek=$((sz - 1)) conv=notrunc \
			status=none
	done
	note "a foreign record with the checkpoint at unit $RU: refused, nothing written"
}

# ---- raid5 3 -> 4, killed inside the critical section ---------------------
SEED=2010
olce_setup 5 3 4
olce_kill backup:1 4
[ "$RS/$RU" = 1/1 ] || fail "expected the record at status 1 unit 1, got $RS/$RU"
scribble_unit 1 "${D[@]}"
assemble_held named
copy_area_restored 1
check_held 5
stop_both
assemble_held scan
check_held 5
stop_both
assemble_and_finish named 4 5
retire_disks

# ---- raid5 3 -> 4, killed mid-way ------------------------------------------
SEED=2011
olce_setup 5 3 4
olce_kill unit:6 4
[ "$RS" = 0 ] && [ "$RU" -ge 6 ] && [ "$RU" -lt 16 ] || fail "record at status $RS unit $RU"
refuse_foreign_record
assemble_held incremental
check_held 5
stop_both
assemble_and_finish scan 4 5
retire_disks

# ---- raid0 2 -> 3 (raid4 in md), killed inside the critical section -------
SEED=2012
olce_setup 0 2 3
olce_kill backup:1 3
[ "$RS/$RU" = 1/1 ] || fail "expected the record at status 1 unit 1, got $RS/$RU"
scribble_unit 1 "${D[@]}"
assemble_held named
copy_area_restored 1
check_held 4
d2=$(basename "${D[2]}")
[ "$(md_attr "$(md_devnm "$(vol_path vol)")" "dev-$d2/recovery_start")" = $((POS / DATA1)) ] ||
	fail "the new disk in raid4's parity slot is not rebuilt from the front"
stop_both
assemble_and_finish named 3 0
retire_disks

# ---- two volumes: the second one's migration begun, its record not yet ---
# mdadm dies right after volume 0 ended (mdmon began volume 1's migration
# in the same commit, the record was zeroed before): the assembly writes
# volume 1 a fresh record and starts it as it was, raid0 on 3 disks.
SEED=2013
first=${#DISKS[@]}
make_disks 4 48
D=("${DISKS[@]:first}")
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${D[@]:0:3}"
run_expect 0 mdadm -C /dev/md/vol -l5 -n3 -c 128 -z 12M --assume-clean /dev/md/imsm0
run_expect 0 mdadm -C /dev/md/vol1 -l0 -n3 -c 128 -z 8M /dev/md/imsm0
SIZE0=$(blockdev --getsize64 "$(vol_path vol)") SIZE1=$(blockdev --getsize64 "$(vol_path vol1)")
pattern_write "$(vol_path vol)" 2013 $((SIZE0 >> 20))
pattern_write "$(vol_path vol1)" 2014 $((SIZE1 >> 20))
run_expect 0 mdadm /dev/md/imsm0 --add "${D[3]}"
rc=0
MDADM_TEST_OLCE_DIE=volume:0 mdadm --grow /dev/md/imsm0 --raid-devices=4 2>/tmp/grow.err || rc=$?
[ "$rc" = 137 ] || fail "mdadm --grow was not killed at volume:0 (exit $rc): $(cat /tmp/grow.err)"
mdadm -E "${D[0]}" >/tmp/e.txt
grep -q 'Migrate State : general migration' /tmp/e.txt || fail "volume 1 is not migrating"
[ "$(rec_word "${D[0]}" 0)/$(rec_word "${D[0]}" 2)" = 0/0 ] || fail "the record is not zeroed"
run_expect 0 mdadm -S "$(vol_path vol)"
run_expect 0 mdadm -S "$(vol_path vol1)"
run_expect 0 mdadm -S /dev/md/imsm0
run_expect 0 env MDADM_NO_GROW_CONTINUE=1 mdadm -A /dev/md/imsm0 "${D[@]}"
printf '%s\n' "$last_err"
cat /proc/mdstat
v1=$(md_devnm "$(vol_path vol1)")
[ "$(md_attr "$v1" level)/$(md_attr "$v1" raid_disks)" = raid0/3 ] ||
	fail "volume 1 is $(md_attr "$v1" level)/$(md_attr "$v1" raid_disks), expected raid0/3"
[ "$(md_attr "$(md_devnm "$(vol_path vol)")" raid_disks)" = 4 ] || fail "volume 0 is not on 4 disks"
for d in "${D[@]:0:2}"; do
	[ "$(rec_word "$d" 0)/$(rec_word "$d" 1)" = 0/0 ] || fail "$d: record not at unit 0"
	[ "$(rec_word "$d" 2)" != 0 ] || fail "$d: no fresh record (family 0)"
	[ "$(rec_word "$d" 8)" -gt 0 ] || fail "$d: the fresh record has no units"
done
pattern_verify "$(vol_path vol)" 2013 $((SIZE0 >> 20))
pattern_verify "$(vol_path vol1)" 2014 $((SIZE1 >> 20))
note "volume 1 as it was, a fresh record on its record members"
run_expect 0 mdadm -S "$(vol_path vol)"
run_expect 0 mdadm -S "$(vol_path vol1)"
run_expect 0 mdadm -S /dev/md/imsm0
run_expect 0 mdadm -A /dev/md/imsm0 "${D[@]}"
printf '%s\n' "$last_err" | grep -q 'continuing the reshape of /dev/md' ||
	fail "the assembly did not continue the reshape"
DATA0=3 DATA1=4
wait_until 300 finish_done "$(md_devnm "$(vol_path vol1)")" 4
cat /proc/mdstat
[ "$(md_attr "$v1" level)" = raid0 ] || fail "volume 1 is $(md_attr "$v1" level) at the end"
[ "$(blockdev --getsize64 "$(vol_path vol1)")" = $((SIZE1 / 3 * 4)) ] || fail "volume 1 did not grow"
pattern_verify "$(vol_path vol)" 2013 $((SIZE0 >> 20))
pattern_verify "$(vol_path vol1)" 2014 $((SIZE1 >> 20))
for d in "${D[@]}"; do
	for p in mdadm mdadm-peer; do
		"$p" -E "$d" >/tmp/e.txt 2>&1 || fail "$p -E $d failed"
		grep -q 'Migrate State : general' /tmp/e.txt && fail "$p -E $d: still migrating"
		[ "$(grep -c 'Members : 4$' /tmp/e.txt)" = 2 ] || fail "$p -E $d: not 4 members each"
	done
done
note "both volumes on 4 disks after the assembly continued the second one"
retire_disks

# ---- the peer's OLCE, killed mid-way, resumed by us ----------------------
SEED=2015
olce_setup 5 3 4
run_expect 0 mdadm -S "$(vol_path vol)"
run_expect 0 mdadm -S /dev/md/imsm0
rm -f /dev/md/*
run_expect 0 mdadm-peer -A /dev/md/imsm0 "${D[@]}"
run_expect 0 mdadm-peer -I /dev/md/imsm0
wait_until 30 sh -c "ls /dev/md/ | grep -q vol"
peer_ckpt_at_least() { # UNIT
	local c
	c=$(examine_field "${D[0]}" Checkpoint mdadm-peer)
	[ -n "$c" ] && [ "${c%% *}" -ge "$1" ]
}
echo 300 >/proc/sys/dev/raid/speed_limit_max
echo 100 >/proc/sys/dev/raid/speed_limit_min
mdadm-peer --grow /dev/md/imsm0 --raid-devices=4 2>&1
wait_until 120 peer_ckpt_at_least 2
for p in $(pgrep -f 'mdadm-peer --grow'); do
	kill -KILL "$p"
done
vol=$(md_devnm "$(vol_path vol)")
wait_until 60 md_at_sync_max "$vol"
echo 200000 >/proc/sys/dev/raid/speed_limit_max
RS=$(rec_word "${D[0]}" 0) RU=$(rec_word "${D[0]}" 1)
BPU=$(rec_word "${D[0]}" 4) DEPTH=$(rec_word "${D[0]}" 5)
POS=$(((RU + RS) * BPU))
[ "$RU" -lt 16 ] || fail "the peer finished before it was killed"
note "the peer killed: record status $RS unit $RU; md at $(md_attr "$vol" reshape_position)"
run_expect 0 mdadm-peer -S "$(vol_path vol)"
run_expect 0 mdadm-peer -S /dev/md/imsm0
rm -f /dev/md/*
assemble_held named
check_held 5
stop_both
assemble_and_finish named 4 5
retire_disks
