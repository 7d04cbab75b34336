#!/bin/bash
# vm-timeout: 300
# We create an IMSM container with one raid0 volume, then a container with
# two raid0 volumes; Debian's mdadm examines them with the values we meant
# (family, generation, level, sizes, chunk, members), assembles them, and
# reads back the data we wrote through our arrays.
. "$VMTEST_LIB"

make_disks 3 64

peer_field() { examine_field "$1" "$2" mdadm-peer; }

# --- one volume, 2 disks, 64K chunk, explicit size ---------------------------
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n2 "${DISKS[0]}" "${DISKS[1]}"
[ "$last_err" = "mdadm: container /dev/md/imsm0 prepared." ] || fail "message: $last_err"
[ "$(peer_field "${DISKS[0]}" 'Disk00 Serial')" = "${DISKS[0]}" ] || fail "spare serial"
[ "$(peer_field "${DISKS[0]}" 'RAID Devices')" = 0 ] || fail "container is not spares only"
run_expect 0 mdadm -C /dev/md/r0 -l0 -n2 -c 64 -z 20M /dev/md/imsm0
grep -q "^md126 : active raid0" /proc/mdstat || fail "volume not running"
pattern_write /dev/md/r0 11 40
for d in "${DISKS[0]}" "${DISKS[1]}"; do
	[ "$(peer_field "$d" 'RAID Level')" = 0 ] || fail "$d level"
	[ "$(peer_field "$d" 'Members')" = 2 ] || fail "$d members"
	[ "$(peer_field "$d" 'Chunk Size')" = "64 KiB" ] || fail "$d chunk"
	[ "$(peer_field "$d" 'Per Dev Size')" = "43008 (21.00 MiB 22.02 MB)" ] || fail "$d per-dev size"
	[ "$(peer_field "$d" 'Array Size')" = "81920 (40.00 MiB 41.94 MB)" ] || fail "$d array size"
	[ "$(peer_field "$d" 'Generation')" = 00000002 ] || fail "$d generation"
	[ "$(peer_field "$d" 'Checksum' | cut -d' ' -f2)" = correct ] || fail "$d checksum"
done
fam0=$(peer_field "${DISKS[0]}" Family) fam1=$(peer_field "${DISKS[1]}" Family)
[ "$fam0" = "$fam1" ] && [ "$fam0" = "$(peer_field "${DISKS[0]}" 'Orig Family')" ] ||
	fail "family numbers differ: $fam0 $fam1"
run_expect 0 mdadm -S /dev/md/r0
run_expect 0 mdadm -S /dev/md/imsm0
[ ! -e /dev/md/r0 ] && [ ! -e /dev/md/imsm0 ] || fail "stop left /dev/md links"
mdadm-peer -A /dev/md/imsm0 "${DISKS[0]}" "${DISKS[1]}" 2>&1
mdadm-peer -I /dev/md/imsm0 2>&1
pattern_verify "$(vol_path r0)" 11 40
stop_all_md

# --- two volumes on 3 disks (the second placed after the first) -----------
run_expect 0 mdadm -C /dev/md/imsm1 -e imsm -n3 --force "${DISKS[@]}"
run_expect 0 mdadm -C /dev/md/va -l0 -n3 -z 12M /dev/md/imsm1
run_expect 0 mdadm -C /dev/md/vb -l0 -n3 /dev/md/imsm1
pattern_write /dev/md/va 12 36
pattern_write /dev/md/vb 13 64
mdadm-peer -E "${DISKS[2]}" >/tmp/e.txt
grep -q '^\[va\]:' /tmp/e.txt && grep -q '^\[vb\]:' /tmp/e.txt || fail "peer does not see both volumes"
# vb starts after va's data plus the 4 MiB gap: 12 MiB + 4 MiB = 32768 blocks.
[ "$(sed -n '/^\[vb\]/,$p' /tmp/e.txt | sed -n 's/^ *Sector Offset : //p')" = 32768 ] ||
	fail "second volume placement"
[ "$(peer_field "${DISKS[2]}" 'RAID Devices')" = 2 ] || fail "raid device count"
[ "$(peer_field "${DISKS[2]}" 'Generation')" = 00000003 ] || fail "generation after 2 volumes"
run_expect 0 mdadm -S /dev/md/va /dev/md/vb
run_expect 0 mdadm -S /dev/md/imsm1
mdadm-peer -A /dev/md/imsm1 "${DISKS[@]}" 2>&1
mdadm-peer -I /dev/md/imsm1 2>&1
pattern_verify "$(vol_path va)" 12 36
pattern_verify "$(vol_path vb)" 13 64
note "peer reads and assembles what we created"
