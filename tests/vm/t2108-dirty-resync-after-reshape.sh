#!/bin/bash
# vm-timeout: 400
# The write hole after a migration (issue 14; what t3100 found): a raid5
# row that a write tore when the power went keeps parity that does not
# match its data unless md resyncs it.
#  1. OLCE raid5 3 -> 4 stopped mid-way (mdadm killed after unit 3's
#     checkpoint), a write makes the volume dirty (and a general migration
#     keeps it so), everything stopped; row 0 of the new layout (behind the
#     reshape's front, which md will not rewrite) gets a torn parity chunk.
#     `mdadm -A --scan` continues the OLCE and md resyncs after it: every
#     row's parity right, the pattern intact, both -E clean and normal.
#  2. The same for raid0 -> raid5, whose new member md is still filling
#     when it starts (md refuses a resync then: ours asks for it once md
#     runs).
#  3. A raid5 volume marked dirty in its metadata (as a cut leaves it) with
#     one of its three disks gone: md starts no dirty degraded raid5, and
#     ours says why in one line, exit 1, its disks unchanged; --force
#     starts it with a warning, and the pattern reads back.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh
poke() { python3 /repo/tests/vm/tools/imsm-poke-u32.py "$@"; }

# parity_rows DEVNM: stops everything and prints the count of raid5 rows
# of md volume DEVNM's members whose parity is wrong.
parity_rows() {
	local dev=$1 d devs=() off kib chunk
	kib=$(md_attr "$dev" component_size) chunk=$(md_attr "$dev" chunk_size)
	for d in /sys/block/"$dev"/md/dev-*; do
		devs+=("/dev/${d##*/dev-}")
		off=$(cat "$d/offset")
	done
	stop_all_md
	python3 /repo/tests/vm/tools/lwlog.py parity "$off" "$kib" "$chunk" "${devs[@]}"
}

resync_over() { # DEVNM
	[ "$(md_attr "$1" sync_action)" = idle ] && [ "$(md_attr "$1" resync_start)" = none ]
}

# dirty_then_torn: V[0] held mid-migration gets its first chunk again, as
# it was (md is past it), so that mdmon marks it dirty (a general migration
# keeps it so); everything stopped; then row 0 of the new layout gets a
# torn parity chunk: IMSM raid5 is left-asymmetric, so its parity is on
# slot 3, the new disk ALL[3], at the volume's start (pba 0).
dirty_then_torn() {
	dd if="$(pattern_file $((OLCE_SEED * 10)) $((S0[0] >> 20)))" of="${V[0]}" bs=64K count=1 \
		oflag=direct status=none
	stop_all_md
	[ "$(examine_field "${ALL[0]}" 'Dirty State')" = dirty ] ||
		fail "not dirty after a write mid-migration: $(mdadm -E "${ALL[0]}" | grep -i dirty)"
	dd if=/dev/urandom of="${ALL[3]}" bs=4K count=1 oflag=direct conv=notrunc status=none
	note "stopped dirty at $(mdadm -E "${ALL[0]}" | grep -m1 'Checkpoint :' | xargs); row 0's parity torn"
}

# crashed_then_assembled DEV GROW-ARGS...: mdadm --grow DEV killed after
# unit 3's checkpoint, dirty_then_torn, then `-A --scan`: the migration
# continued to its end and md's resync after it over; dev is md's name.
crashed_then_assembled() {
	local on=$1
	shift
	MDADM_TEST_OLCE_DIE=unit:3 mdadm --grow "$on" "$@" 2>/tmp/grow.err && fail "not killed"
	olce_migrating || fail "no migration after the kill: $(cat /tmp/grow.err)"
	dev=$(md_devnm "${V[0]}")
	wait_until 60 md_at_sync_max "$dev"
	dirty_then_torn
	run_expect 0 mdadm -A --scan
	wait_until 30 test -b "/dev/md/${VN[0]}_0"
	V[0]=/dev/md/${VN[0]}_0 C=/dev/md/imsm0 dev=$(md_devnm "/dev/md/${VN[0]}_0")
	wait_until 180 continue_done
	wait_until 120 resync_over "$dev"
}

continue_done() {
	! olce_migrating && ! ps ax | grep -q '[m]dadm --grow --continue'
}

# --- 1: the OLCE's torn row is resynced after the reshape --------------------------
olce_make 3 4 5
crashed_then_assembled "$C" --raid-devices=4
olce_check_grown
bad=$(parity_rows "$dev")
[ "$bad" = 0 ] || fail "$bad raid5 rows with wrong parity after the OLCE and its resync"
for d in "${ALL[@]}"; do
	[ "$(examine_field "$d" 'Dirty State')" = clean ] || fail "$d: -E not clean at the end"
done
note "OLCE continued, then resynced: every row's parity right, the volume clean"

# --- 2: raid0 -> raid5, its new member still being filled ------------------------
olce_make 3 4 0
crashed_then_assembled "${V[0]}" --level=5
restripe_check 5 4 64
bad=$(parity_rows "$dev")
[ "$bad" = 0 ] || fail "raid0 -> raid5: $bad raid5 rows with wrong parity after the migration and its resync"
note "raid0 -> raid5 continued, then resynced: every row's parity right"

# --- 3: dirty and degraded: refused with the reason, --force starts it -------------
make_disks 3 40
D=("${DISKS[@]: -3}")
run_expect 0 mdadm -C /dev/md/cd -e imsm -n3 "${D[@]}"
run_expect 0 mdadm -C /dev/md/vd -l5 -n3 -z 8M --assume-clean /dev/md/cd
pattern_write /dev/md/vd 2108 16
stop_all_md
for d in "${D[@]:0:2}"; do
	st=$(poke "$d" vol0-state)
	poke "$d" vol0-state=$((st | 1 << 16)) >/dev/null
done
[ "$(examine_field "${D[0]}" 'Dirty State')" = dirty ] || fail "the poke did not mark the volume dirty"
before=$(sums "${D[@]:0:2}")
run_expect 1 mdadm -A /dev/md/cd "${D[@]:0:2}"
want="mdadm: cannot start volume vd: it is degraded and its parity may not match (not stopped cleanly, or never initialised); --force starts it as it is"
grep -qxF "$want" <<<"$last_err" || fail "not the line '$want': $last_err"
[ "$(grep -c 'cannot' <<<"$last_err")" = 1 ] || fail "more than the one refusal: $last_err"
grep -q ' : active' /proc/mdstat && fail "a volume runs after the refusal: $(cat /proc/mdstat)"
stop_all_md
[ "$(sums "${D[@]:0:2}")" = "$before" ] || fail "the refused assembly changed the disks"
run_expect 0 mdadm -A --force /dev/md/cd "${D[@]:0:2}"
grep -q "warning: starting volume vd degraded and not clean (--force)" <<<"$last_err" ||
	fail "no --force warning: $last_err"
wait_until 30 sh -c 'ls /dev/md/vd* >/dev/null 2>&1'
pattern_verify "$(vol_path vd)" 2108 16
note "dirty degraded: refused in one line, disks unchanged; --force started it"
