#!/bin/bash
# vm-timeout: 500
# Degraded creation with `missing` (imsm-format.md §5.5).  A raid1 over one
# disk and a `missing` slot, in a one-disk container: md runs it with one
# member and no resync; our --examine and the peer's agree line by line
# that it is degraded (placeholder "missing:0", failed, Id ffffffff); the
# data written through our assembly reads back through the peer's and
# through our own re-assembly.  A raid5 with one slot missing likewise.
# Refusals, each one line, exit 1, no disk changed: every slot missing,
# `missing` for raid0, two slots missing in a raid5, both disks of a
# raid10 mirror pair.
. "$VMTEST_LIB"

P=mdadm-peer
make_disks 3 64
D0=${DISKS[0]}

# Compare one disk's --examine text and --export with the peer's.  The
# Attributes line is worded differently by mdadm 4.2 (see t0010).
compare_examine() {
	mdadm -E "$1" >/tmp/ours.txt || fail "our -E $1 failed"
	$P -E "$1" >/tmp/peer.txt 2>/dev/null || fail "peer -E $1 failed"
	sed -i 's/^\(     Attributes : \).*/\1(normalised)/' /tmp/ours.txt /tmp/peer.txt
	diff -u /tmp/peer.txt /tmp/ours.txt || fail "examine of $1 differs from the peer's"
	mdadm -E --export "$1" >/tmp/ours.txt || fail "our -E --export $1 failed"
	$P -E --export "$1" >/tmp/peer.txt 2>/dev/null || fail "peer -E --export $1 failed"
	diff -u /tmp/peer.txt /tmp/ours.txt || fail "export of $1 differs from the peer's"
}

vol_field() { # program disk field
	"$1" -E "$2" 2>/dev/null | sed -n "s/^ *$3 : //p" | head -1
}

# Degraded, placeholder first, as both implementations read it.
expect_degraded() { # disk slots
	local prog
	for prog in mdadm $P; do
		[ "$(vol_field $prog "$1" 'Map State')" = degraded ] || fail "$prog: not degraded"
		[ "$(vol_field $prog "$1" 'Slots')" = "$2" ] || fail "$prog: slots not $2"
		[ "$(vol_field $prog "$1" 'Disk00 Serial')" = missing:0 ] || fail "$prog: placeholder"
		[ "$(vol_field $prog "$1" 'Failed disk')" = none ] || fail "$prog: failed disk"
	done
	$P -E "$1" | grep -A1 'Serial : missing:0' | grep -q 'active failed' ||
		fail "placeholder not failed"
}

# md runs the volume with members of raid_disks, nothing to resync.
expect_md_degraded() { # volume members raid_disks
	local md
	md=$(md_devnm "$1")
	grep -A1 "^$md " /proc/mdstat | grep -q "\[$3/$2\]" || fail "$1 not [$3/$2]"
	[ "$(cat /sys/block/$md/md/resync_start)" = none ] || fail "$1 has a resync pending"
	grep -qx idle "/sys/block/$md/md/sync_action" || fail "$1 is not idle"
}

run_expect 0 mdadm -C /dev/md/imsm0 -e imsm --force -n1 "$D0"

note "refusals: one line, nothing changed"
state() {
	blockdev --flushbufs "${DISKS[@]}"
	disk_sums
	cat /proc/mdstat
}
before=$(state)
refuse() { # text, then the command
	local text=$1
	shift
	run_expect 1 "$@"
	expect_one_error_line "mdadm: "
	case $last_err in *"$text"*) ;; *) fail "message lacks '$text': $last_err" ;; esac
	[ "$(state)" = "$before" ] || fail "a disk or /proc/mdstat changed: $*"
	note "$last_err"
}
refuse "every device is missing" mdadm -C /dev/md/v -l1 -n2 missing missing
refuse "raid0 has no redundancy" mdadm -C /dev/md/v -l0 -n2 "$D0" missing
refuse "too many devices missing" mdadm -C /dev/md/v -l5 -n3 "$D0" missing missing

note "raid1: one disk and a missing slot"
run_expect 0 mdadm -C /dev/md/vol -l1 -n2 -z 16M "$D0" missing
[ "$last_err" = "mdadm: array /dev/md/vol started." ] || fail "message: $last_err"
expect_md_degraded /dev/md/vol 1 2
pattern_write /dev/md/vol 41 16
expect_degraded "$D0" "[U_]"
run_expect 0 mdadm -S /dev/md/vol
run_expect 0 mdadm -S /dev/md/imsm0
compare_examine "$D0"
[ "$(vol_field $P "$D0" 'Dirty State')" = clean ] || fail "left dirty"

note "the peer assembles it and reads our data"
$P -A /dev/md/imsm0 "$D0" 2>&1
$P -I /dev/md/imsm0 2>&1
expect_md_degraded "$(vol_path vol)" 1 2
pattern_verify "$(vol_path vol)" 41 16
stop_all_md
sleep 1

note "and so do we"
run_expect 0 mdadm -A /dev/md/imsm0 "$D0"
case $last_err in *"(degraded)"*) ;; *) fail "assembly did not say degraded: $last_err" ;; esac
pattern_verify "$(vol_path vol)" 41 16
expect_md_degraded "$(vol_path vol)" 1 2
stop_all_md
sleep 1

note "raid5 with its middle slot missing; raid10 refusal"
# no container spare: nothing may rebuild the missing slot under the test
run_expect 0 mdadm -C /dev/md/imsm1 -e imsm -n2 "${DISKS[1]}" "${DISKS[2]}"
before=$(state)
refuse "too many devices missing" mdadm -C /dev/md/v -l10 -n4 missing missing "${DISKS[1]}" \
	"${DISKS[2]}"
refuse "raid0 has no redundancy" mdadm -C /dev/md/v -l0 -n3 missing "${DISKS[1]}" "${DISKS[2]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 -z 16M "${DISKS[1]}" missing "${DISKS[2]}"
expect_md_degraded /dev/md/r5 2 3
pattern_write /dev/md/r5 42 32
expect_degraded "${DISKS[1]}" "[U_U]"
run_expect 0 mdadm -S /dev/md/r5
run_expect 0 mdadm -S /dev/md/imsm1
compare_examine "${DISKS[1]}"
compare_examine "${DISKS[2]}"
$P -A /dev/md/imsm1 "${DISKS[1]}" "${DISKS[2]}" 2>&1
$P -I /dev/md/imsm1 2>&1
pattern_verify "$(vol_path r5)" 42 32
stop_all_md
note "degraded volumes made with missing are read by the peer"
