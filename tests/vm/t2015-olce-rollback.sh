#!/bin/bash
# vm-timeout: 400
# When md refuses the new members or the start of the reshape (issue 5,
# flow step 4), the OLCE is rolled back: mdadm takes the new members out
# of md again (and raid4 back to raid0), mdmon writes the metadata from
# before the start and the disks' spare records again, mdadm unfreezes and
# says so in one line, exit 1.  md's refusal is forced with the test hook
# MDADM_TEST_OLCE_FAIL (add: after every new member was added; start: at
# the reshape's start).  Then: every volume as before (level, raid_disks,
# size, not frozen, the pattern), our -E and the peer's idle with the old
# member and disk counts, the spares' metadata as it was before; and the
# same spares serve a second --grow that goes through.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

rollback_case() { # FAIL OLD NEW LEVEL...
	local fail=$1 i lvl dev d p
	shift
	olce_make "$@"
	for d in "${ALL[@]:OLCE_OLD}"; do
		mdadm-peer -E "$d" >"/tmp/spare-$(basename "$d").before" 2>&1
	done
	run_expect 1 env MDADM_TEST_OLCE_FAIL="$fail" mdadm --grow "$C" --raid-devices="$OLCE_NEW"
	expect_one_error_line "mdadm: cannot grow $C: "
	printf '%s\n' "$last_err"
	grep -q 'nothing changed' <<<"$last_err" || fail "the message does not say nothing changed"
	for i in "${!V[@]}"; do
		lvl=${OLCE_LEVELS[i]} dev=$(md_devnm "${V[i]}")
		[ "$(md_attr "$dev" level)/$(md_attr "$dev" raid_disks)" = "raid$lvl/$OLCE_OLD" ] ||
			fail "${V[i]}: $(md_attr "$dev" level)/$(md_attr "$dev" raid_disks) after the rollback"
		case $(md_attr "$dev" metadata_version) in
		external:/*) ;;
		*) fail "${V[i]} stays frozen: $(md_attr "$dev" metadata_version)" ;;
		esac
		[ "$lvl" = 0 ] || [ "$(md_attr "$dev" sync_action)" = idle ] ||
			fail "${V[i]}: sync_action $(md_attr "$dev" sync_action)"
		[ "$(blockdev --getsize64 "${V[i]}")" = "${S0[i]}" ] || fail "${V[i]}: the size changed"
		for d in "${ALL[@]:OLCE_OLD}"; do
			[ ! -e "/sys/block/$dev/md/dev-$(basename "$d")" ] ||
				fail "${V[i]}: $d is still a member in md"
		done
	done
	olce_patterns_ok
	for d in "${ALL[@]:0:OLCE_OLD}"; do
		for p in mdadm mdadm-peer; do
			"$p" -E "$d" >/tmp/e.txt 2>&1 || fail "$p -E $d failed"
			grep -q 'Migrate State : general' /tmp/e.txt && fail "$p -E $d: migrating"
			[ "$(grep -c "Members : $OLCE_OLD\$" /tmp/e.txt)" = "${#V[@]}" ] ||
				fail "$p -E $d: not $OLCE_OLD members each"
			grep -q "Disks : $OLCE_OLD\$" /tmp/e.txt || fail "$p -E $d: not $OLCE_OLD disks"
		done
	done
	for d in "${ALL[@]:OLCE_OLD}"; do
		mdadm-peer -E "$d" >/tmp/spare.after 2>&1
		diff "/tmp/spare-$(basename "$d").before" /tmp/spare.after ||
			fail "$d: its metadata is not the spare record it was"
	done
	note "md refused at '$fail': rolled back, volumes and metadata as before"
	run_expect 0 mdadm --grow "$C" --raid-devices="$OLCE_NEW"
	olce_check_grown
	olce_peer_reads
}

rollback_case start 3 4 5
rollback_case add 2 4 0
rollback_case start 2 3 0 0
