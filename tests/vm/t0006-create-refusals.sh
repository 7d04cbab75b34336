#!/bin/bash
# vm-timeout: 480
# Every bad --create is refused before anything is written: exactly one
# "mdadm: " line on stderr, nothing on stdout, a non-zero exit, and no
# change to any disk (md5 of each, read past the page cache) nor to
# /proc/mdstat.  Containers: a disk too small, 4Kn, in use (native md
# member, mounted, in another container), given twice (same path or a
# symlink), missing, not a block device, -n not matching, a name in use,
# old metadata without --force.  Volumes: levels and widths IMSM forbids,
# chunks it forbids, bad names, too large, disks outside any container or
# of two containers, a third volume.  Afterwards correct creates succeed
# on the same disks (and --force overwrites old metadata).
. "$VMTEST_LIB"

command -v mkfs.ext4 >/dev/null || fail "mkfs.ext4 missing in the guest (e2fsprogs)"

# Small disks: every case reads all of them (some seconds under TCG).
make_disks 5 8  # D0-D4: container imsm0, no volume
make_disks 2 14 # D5-D6: container imsm1 with two volumes
make_disks 2 8  # F0-F1: blank
make_disks 2 8  # N0-N1: a native raid1
make_disks 1 8  # E: a mounted ext4
make_disks 2 8  # M0-M1: a stopped IMSM container
make_disks 1 4  # S: too small
D=("${DISKS[@]:0:5}")
F0=${DISKS[7]} F1=${DISKS[8]} N0=${DISKS[9]} N1=${DISKS[10]} E=${DISKS[11]}
M0=${DISKS[12]} M1=${DISKS[13]} S=${DISKS[14]}
truncate -s 8M /tmp/disks/k.img
K=$(losetup -f --show --sector-size 4096 /tmp/disks/k.img)
DISKS+=("$K")
[ "$(blockdev --getss "$K")" = 4096 ] || fail "$K is not a 4Kn device"
ln -s "$F0" /tmp/alias-f0
ln -s "${D[0]}" /tmp/alias-d0

# --- the things to collide with ----------------------------------------------
mdadm-peer -C /dev/md/native -e 1.2 -l1 -n2 --assume-clean --run "$N0" "$N1" 2>&1
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$E"
mkdir -p /tmp/mnt
mount "$E" /tmp/mnt
run_expect 0 mdadm -C /dev/md/old -e imsm -n2 "$M0" "$M1"
run_expect 0 mdadm -C /dev/md/oldv -l0 -n2 -z 1M /dev/md/old
run_expect 0 mdadm -S /dev/md/oldv
run_expect 0 mdadm -S /dev/md/old
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n5 "${D[@]}"
run_expect 0 mdadm -C /dev/md/imsm1 -e imsm -n2 "${DISKS[5]}" "${DISKS[6]}"
run_expect 0 mdadm -C /dev/md/va -l0 -n2 -z 1M /dev/md/imsm1
run_expect 0 mdadm -C /dev/md/vb -l0 -n2 -z 1M /dev/md/imsm1
sync
cat /proc/mdstat

# state: what must not change.  --flushbufs drops cached pages, so that a
# write md made below the page cache is seen too.
state() {
	blockdev --flushbufs "${DISKS[@]}"
	disk_sums
	cat /proc/mdstat
}
t0=$(date +%s)
before=$(state)
note "state of ${#DISKS[@]} disks taken in $(($(date +%s) - t0))s"

failed_cases=()

# --- containers ----------------------------------------------------------------
C="mdadm -C /dev/md/new -e imsm"
refuse "disk too small" 1 "too small" $C -n2 "$F0" "$S"
refuse "4Kn disk" 1 "4096-byte sectors" $C -n2 "$F0" "$K"
refuse "member of a native raid1" 1 "in use" $C -n2 "$F0" "$N0"
refuse "mounted" 1 "in use" $C -n2 "$F0" "$E"
refuse "disk of another container" 1 "in use" $C -n2 "$F0" "${D[0]}"
refuse "same path twice" 1 "given twice" $C -n2 "$F0" "$F0"
refuse "same disk by a symlink" 1 "/tmp/alias-f0 is given twice (as $F0)" $C -n2 "$F0" /tmp/alias-f0
refuse "nonexistent path" 1 "cannot open /dev/nonexistent" $C -n2 "$F0" /dev/nonexistent
refuse "not a block device" 1 "not a block device" $C -n2 "$F0" /tmp/disks/k.img
refuse "-n above the device count" 2 "--raid-devices=3" $C -n3 "$F0" "$F1"
refuse "-n1 without --force" 2 "unusual number of drives" $C -n1 "$F0" "$F1"
refuse "-n below the device count" 2 "--raid-devices=1" $C --force -n1 "$F0" "$F1"
refuse "container name in use" 1 "already exists" mdadm -C /dev/md/imsm0 -e imsm -n2 "$F0" "$F1"
refuse "IMSM metadata without --force" 1 "carries IMSM metadata" $C -n2 "$M0" "$M1"
refuse "IMSM metadata on one disk" 1 "$M1 already carries IMSM" $C -n2 "$F0" "$M1"

# --- volumes -------------------------------------------------------------------
V="mdadm -C /dev/md/v"
LEVELS="IMSM supports raid0"
CHUNKS="chunk sizes are powers of two"
NAMES="volume names are 1-16 characters"
refuse "raid1 on 3 disks" 1 "$LEVELS" $V -l1 -n3 /dev/md/imsm0
refuse "raid5 on 2 disks" 1 "$LEVELS" $V -l5 -n2 /dev/md/imsm0
refuse "raid5 on 2 listed disks" 1 "$LEVELS" $V -l5 -n2 "${D[0]}" "${D[1]}"
refuse "raid10 on 3 disks" 1 "$LEVELS" $V -l10 -n3 /dev/md/imsm0
refuse "raid10 on 5 disks" 1 "$LEVELS" $V -l10 -n5 /dev/md/imsm0
refuse "raid6" 1 "$LEVELS" $V -l6 -n4 /dev/md/imsm0
refuse "raid4" 1 "$LEVELS" $V -l4 -n3 /dev/md/imsm0
refuse "linear" 1 "$LEVELS" $V -l linear -n2 /dev/md/imsm0
refuse "chunk not a power of two" 1 "$CHUNKS" $V -l0 -n2 -c 96 /dev/md/imsm0
refuse "chunk 2M" 1 "$CHUNKS" $V -l0 -n2 -c 2M /dev/md/imsm0
refuse "chunk 2K" 1 "$CHUNKS" $V -l5 -n3 -c 2K /dev/md/imsm0
refuse "chunk for raid1" 1 "raid1 has no chunk size" $V -l1 -n2 -c 64 /dev/md/imsm0
refuse "name of 17 characters" 1 "$NAMES" mdadm -C /dev/md/abcdefghijklmnopq -l0 -n2 /dev/md/imsm0
refuse "name with a colon" 1 "$NAMES" mdadm -C /dev/md/bad:name -l0 -n2 /dev/md/imsm0
refuse "name with a space" 1 "$NAMES" mdadm -C "/dev/md/bad name" -l0 -n2 /dev/md/imsm0
refuse "name with a leading dot" 1 "$NAMES" mdadm -C /dev/md/.vol -l0 -n2 /dev/md/imsm0
refuse "-z larger than the disks (raid0)" 1 "not enough space" $V -l0 -n2 -z 100M /dev/md/imsm0
refuse "-z larger than the disks (raid1)" 1 "not enough space" $V -l1 -n2 -z 6M /dev/md/imsm0
refuse "disks in no container" 1 "not an IMSM container" $V -l0 -n2 "$F0" "$F1"
refuse "native raid1 members" 1 "not an IMSM container" $V -l1 -n2 "$N0" "$N1"
refuse "native raid1 as the container" 1 "not an IMSM container" $V -l0 -n2 /dev/md/native
refuse "nonexistent container" 1 "cannot open /dev/md/nonexistent" $V -l0 -n2 /dev/md/nonexistent
refuse "nonexistent second disk" 1 "cannot open /dev/nonexistent" $V -l0 -n2 "${D[0]}" /dev/nonexistent
refuse "-n above the listed disks" 2 "--raid-devices=3" $V -l0 -n3 "${D[0]}" "${D[1]}"
refuse "-n below the listed disks" 2 "--raid-devices=1" $V -l0 --force -n1 "${D[0]}" "${D[1]}"
refuse "-n above the container's disks" 1 "has 5 disks" $V -l0 -n6 /dev/md/imsm0
refuse "container and its disk" 2 "alone" $V -l0 -n2 /dev/md/imsm0 "${D[0]}"
refuse "listed disk twice" 1 "given twice" $V -l0 -n2 "${D[0]}" "${D[0]}"
refuse "listed disk twice by a symlink" 1 "/tmp/alias-d0 is given twice (as ${D[0]})" \
	$V -l0 -n2 "${D[0]}" /tmp/alias-d0
refuse "disk outside the container" 1 "$F0 is not in the same" $V -l0 -n2 "${D[0]}" "$F0"
refuse "disks of two containers" 1 "not in the same" $V -l0 -n2 "${D[0]}" "${DISKS[5]}"
refuse "third volume" 1 "at most two volumes" $V -l0 -n2 -z 1M /dev/md/imsm1
refuse "volume name in use" 1 "already exists" mdadm -C /dev/md/va -l0 -n2 /dev/md/imsm0

[ ${#failed_cases[@]} -eq 0 ] ||
	fail "${#failed_cases[@]} case(s) not refused cleanly: $(printf '[%s] ' "${failed_cases[@]}")"
note "every bad request refused, nothing changed"

# --- the same disks take correct requests --------------------------------------
run_expect 0 mdadm -C /dev/md/fresh -e imsm -n2 "$F0" "$F1"
[ "$(examine_field "$F0" 'Disk00 Serial' mdadm-peer)" = "$F0" ] || fail "fresh container metadata"
run_expect 0 mdadm -C /dev/md/again -e imsm -n2 --force "$M0" "$M1"
[ "$(examine_field "$M0" 'RAID Devices' mdadm-peer)" = 0 ] || fail "--force left the old volume"
run_expect 0 mdadm -C /dev/md/v -l0 -n5 -c 64 -z 1M /dev/md/imsm0
[ "$last_err" = "mdadm: array /dev/md/v started." ] || fail "message: $last_err"
pattern_write /dev/md/v 61 5
pattern_verify /dev/md/v 61 5
mdadm -E "${D[4]}" | grep -q '\[v\]' || fail "our --examine does not show volume v"
[ "$(examine_field "${D[4]}" 'Chunk Size' mdadm-peer)" = "64 KiB" ] || fail "chunk of v"
run_expect 0 mdadm -S /dev/md/v /dev/md/va /dev/md/vb
run_expect 0 mdadm -S /dev/md/imsm0 /dev/md/imsm1 /dev/md/fresh /dev/md/again
umount /tmp/mnt
note "correct creates succeed on the disks the refused ones named"
