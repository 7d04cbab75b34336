#!/bin/bash
# vm-timeout: 600
# Level and chunk-size migrations of an IMSM volume (issue 11), in the
# spellings admins use: --grow VOLUME --chunk=N, --level=5, --level=0.
# One volume walks raid0 3 disks 64K -> chunk 256K -> raid5 4 disks
# (the container's spare joins) -> chunk 128K -> raid0 3 disks (the
# parity disk is a spare again).  After each step: the pattern reads
# back, md runs the metadata's geometry, our -E and the peer's say normal.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

olce_make 3 4 0
VOL=${V[0]} SIZE=${S0[0]}

# check LEVEL DISKS CHUNK_K: md and both -E agree, data intact
check() {
	local dev p
	dev=$(md_devnm "$VOL")
	[ "$(md_attr "$dev" level)" = "raid$1" ] || fail "level $(md_attr "$dev" level), expected raid$1"
	[ "$(md_attr "$dev" raid_disks)" = "$2" ] || fail "raid_disks $(md_attr "$dev" raid_disks), expected $2"
	[ "$(md_attr "$dev" chunk_size)" = $(($3 * 1024)) ] || fail "chunk $(md_attr "$dev" chunk_size)"
	[ "$(blockdev --getsize64 "$VOL")" = "$SIZE" ] || fail "size changed: $(blockdev --getsize64 "$VOL")"
	pattern_verify "$VOL" $((OLCE_SEED * 10)) $((SIZE >> 20))
	for p in mdadm mdadm-peer; do
		"$p" -E "${ALL[0]}" >/tmp/e.txt 2>&1 || fail "$p -E failed"
		grep -q 'Migrate State : general' /tmp/e.txt && fail "$p -E: still migrating"
		grep -q "RAID Level : $1\$" /tmp/e.txt || fail "$p -E: not raid$1: $(grep 'RAID Level' /tmp/e.txt)"
		grep -q "Members : $2\$" /tmp/e.txt || fail "$p -E: not $2 members"
		grep -q "Chunk Size : ${3} KiB\$" /tmp/e.txt || fail "$p -E: chunk not ${3}K: $(grep 'Chunk Size' /tmp/e.txt)"
		grep -q 'Map State : normal$' /tmp/e.txt || fail "$p -E: map not normal"
	done
	note "raid$1, $2 disks, chunk ${3}K: md, data and both -E agree"
}

run_expect 0 mdadm --grow "$VOL" --chunk=256
note "$last_err"
check 0 3 256
run_expect 0 mdadm --grow "$VOL" --level=5
note "$last_err"
check 5 4 256
cat /proc/mdstat
run_expect 0 mdadm --grow "$VOL" --chunk=128
check 5 4 128
run_expect 0 mdadm --grow "$VOL" --level=0
note "$last_err"
check 0 3 128
cat /proc/mdstat
mdadm -E "${ALL[3]}"
mdadm -D "$C"
olce_peer_reads
