#!/bin/bash
# vm-timeout: 600
# Spares beyond the single raid5 (imsm-format.md §7.4):
#  1. a container without volumes (no mdmon): --add writes the disk's own
#     spare record and attaches it; --remove detaches it again.
#  2. raid10 (4 disks) and raid1 (its first 2 disks) in one container, a
#     spare waiting: one disk fails in both volumes; mdmon fails it in the
#     second md array too, the spare rebuilds both volumes (slot 1 of
#     each), the failed disk's record leaves the table (4 disks again),
#     both volumes normal for us and the peer; data intact, also through
#     the peer.
. "$VMTEST_LIB"

examine_has() { # DISK PROGRAM PATTERN
	"$2" -E "$1" 2>/dev/null | grep -q -- "$3"
}

# rebuilt DISK: both volumes idle and normal, the failed disk gone
rebuilt() {
	mdadm-peer -E "$1" >/tmp/r.txt 2>&1 || return 1
	[ "$(grep -c 'Migrate State : idle' /tmp/r.txt)" = 2 ] &&
		[ "$(grep -c 'Map State : normal$' /tmp/r.txt)" = 2 ] &&
		! grep -q "${D[1]}" /tmp/r.txt
}

container_has() { # CONTAINER DISK
	grep "^$(md_devnm "$1") " /proc/mdstat | grep -q "$(basename "$2")\["
}

# ---- 1. no volume, no mdmon ---------------------------------------------------
make_disks 3 32
run_expect 0 mdadm -C /dev/md/empty -e imsm -n2 "${DISKS[0]}" "${DISKS[1]}"
run_expect 0 mdadm /dev/md/empty --add "${DISKS[2]}"
[ "$last_err" = "mdadm: added ${DISKS[2]}" ] || fail "message: $last_err"
container_has /dev/md/empty "${DISKS[2]}" || fail "not in the container"
for p in mdadm mdadm-peer; do
	examine_has "${DISKS[2]}" "$p" 'State : spare' || fail "$p -E: not a spare"
done
run_expect 0 mdadm /dev/md/empty --remove "${DISKS[2]}"
container_has /dev/md/empty "${DISKS[2]}" && fail "still in the container"
examine_has "${DISKS[2]}" mdadm 'State : spare' || fail "the spare record went with it"
run_expect 0 mdadm -S /dev/md/empty
note "spare in and out of a container without volumes"

# ---- 2. raid10 + raid1, one spare ------------------------------------------------
make_disks 5 40
D=("${DISKS[@]:3:4}") S=${DISKS[7]}
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n4 "${D[@]}"
run_expect 0 mdadm -C /dev/md/r10 -l10 -n4 -z 8M --assume-clean /dev/md/imsm0
run_expect 0 mdadm -C /dev/md/r1 -l1 -n2 -z 8M --assume-clean /dev/md/imsm0
pattern_write /dev/md/r10 101 16
pattern_write /dev/md/r1 102 8
run_expect 0 mdadm /dev/md/imsm0 --add "$S"
examine_has "$S" mdadm-peer 'State : spare' || fail "the peer does not see a spare"
examine_has "${D[0]}" mdadm-peer 'Disks : 4$' || fail "the spare entered the members' table"

v10=$(md_devnm /dev/md/r10) v1=$(md_devnm /dev/md/r1)
run_expect 0 mdadm /dev/md/r10 --fail "${D[1]}"
# mdmon fails it in r1 too; both volumes rebuild onto the spare, and the
# failed disk's record leaves the table once both have it
wait_until 120 rebuilt "${D[0]}"
wait_until 60 sh -c "! grep -q -e recovery -e resync /proc/mdstat"
grep -A1 "^$v10 " /proc/mdstat | grep -q '\[4/4\]' || fail "raid10 is not whole"
grep -A1 "^$v1 " /proc/mdstat | grep -q '\[2/2\]' || fail "raid1 is not whole"
cat /proc/mdstat
for d in "${D[0]}" "${D[2]}" "${D[3]}" "$S"; do
	for p in mdadm mdadm-peer; do
		"$p" -E "$d" >/tmp/e.txt 2>&1
		[ "$(grep -c 'Migrate State : idle' /tmp/e.txt)" = 2 ] || fail "$p -E $d: migrating"
		[ "$(grep -c 'Map State : normal$' /tmp/e.txt)" = 2 ] || fail "$p -E $d: not normal"
		grep -q 'Disks : 4$' /tmp/e.txt || fail "$p -E $d: the table is not 4 disks"
		grep -q "${D[1]}" /tmp/e.txt && fail "$p -E $d: the failed disk is still listed"
	done
done
mdadm-peer -E "$S" | grep -E '^\[|Slots|This Slot|Map State'
# S is slot 1 of both volumes
[ "$(mdadm -E "$S" | grep -c 'This Slot : 1$')" = 2 ] || fail "the spare is not slot 1 of both"
pattern_verify /dev/md/r10 101 16
pattern_verify /dev/md/r1 102 8
note "one spare rebuilt both volumes"

run_expect 0 mdadm -S /dev/md/r10 /dev/md/r1
run_expect 0 mdadm -S /dev/md/imsm0
mdadm-peer -A /dev/md/imsm0 "${D[0]}" "${D[2]}" "${D[3]}" "$S" 2>&1
mdadm-peer -I /dev/md/imsm0 2>&1
cat /proc/mdstat
pattern_verify "$(vol_path r10)" 101 16
pattern_verify "$(vol_path r1)" 102 8
note "the peer assembles both rebuilt volumes"
