#!/bin/bash
# vm-timeout: 240
# --create by member disks and its safety checks, all with our mdadm:
#   a second volume named by the disks of a running container (mdmon
#   runs for the first, a raid1): created through mdmon, the first
#   volume's data intact, the peer's -E shows both volumes;
#   disks holding ext4, a DOS partition table or an md 1.2 superblock:
#   refused without --run (one line, no disk changed), with "y" on stdin
#   or --run accepted;
#   a create failing half-way (test hook MDADM_TEST_CREATE_FAIL) leaves
#   every disk as it was: container write failing on the second disk,
#   volume whose md start fails;
#   -N names the volume; -n2 -x1 makes a container of three disks whose
#   first volume takes the first two; -x for a volume, --bitmap=internal,
#   -k ppl refused; --bitmap=none and -k resync accepted.
. "$VMTEST_LIB"

command -v mkfs.ext4 >/dev/null || fail "mkfs.ext4 missing in the guest"
make_disks 9 16
D=("${DISKS[@]}")
P=mdadm-peer

state() {
	blockdev --flushbufs "${DISKS[@]}"
	disk_sums
	grep -v '^Personalities' /proc/mdstat
}

note "second volume by the member disks"
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n2 "${D[0]}" "${D[1]}"
run_expect 0 mdadm -C /dev/md/vol0 -l1 -n2 -z 2M --assume-clean "${D[0]}" "${D[1]}"
pattern_write /dev/md/vol0 11 2
run_expect 0 mdadm -C /dev/md/vol1 -l0 -n2 -z 1M "${D[0]}" "${D[1]}"
[ "$last_err" = "mdadm: array /dev/md/vol1 started." ] || fail "message: $last_err"
pattern_write /dev/md/vol1 12 2
pattern_verify /dev/md/vol0 11 2
$P -E "${D[0]}" >/tmp/e.txt
grep -q '^\[vol0\]:' /tmp/e.txt && grep -q '^\[vol1\]:' /tmp/e.txt || { cat /tmp/e.txt; fail "peer does not see two volumes"; }
run_expect 0 mdadm -Ss

note "signatures: ext4, a partition table, an md superblock"
E=${D[2]} T=${D[3]} M=${D[4]} B0=${D[5]} B1=${D[6]}
mkfs.ext4 -q -F "$E"
python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    mbr = bytearray(512)
    mbr[446 + 4] = 0x83                      # one Linux partition
    mbr[446 + 8:446 + 12] = (2048).to_bytes(4, "little")
    mbr[446 + 12:446 + 16] = (8192).to_bytes(4, "little")
    mbr[510], mbr[511] = 0x55, 0xaa
    f.write(mbr)' "$T"
$P -C /dev/md/native -e 1.2 -l1 -n2 --run --assume-clean "$M" "$B1" 2>&1
$P -S /dev/md/native 2>&1
dd if=/dev/zero of="$B1" bs=1M count=1 conv=notrunc status=none # only M keeps it
before=$(state)
failed_cases=()
refuse "ext4" 1 "$E appears to contain an ext2fs file system" \
	mdadm -C /dev/md/c -e imsm -n2 "$B0" "$E"
refuse "partition table" 1 "partition table exists on $T" \
	mdadm -C /dev/md/c -e imsm -n2 "$T" "$B0"
refuse "md superblock" 1 "$M appears to be part of a raid array" \
	mdadm -C /dev/md/c -e imsm -n2 "$M" "$B0"
refuse "two of them" 1 "and 1 more device" mdadm -C /dev/md/c -e imsm -n2 "$E" "$T"
refuse "bitmap" 1 "bitmap" mdadm -C /dev/md/c -e imsm -n2 --bitmap=internal "$B0" "$B1"
refuse "ppl" 1 "not implemented" mdadm -C /dev/md/c -e imsm -n2 -k ppl "$B0" "$B1"

note "rollback: the second disk's write fails"
MDADM_TEST_CREATE_FAIL=1 run_expect 1 mdadm -C /dev/md/c -e imsm -n2 --run "$T" "$M"
printf '%s\n' "$last_err"
case $last_err in *"the disks are as before"*) ;; *) fail "message: $last_err" ;; esac
[ "$(state)" = "$before" ] || failed_cases+=("rollback of a container")
[ ${#failed_cases[@]} -eq 0 ] || fail "not refused cleanly: $(printf '[%s] ' "${failed_cases[@]}")"

note "accepted with y on stdin, and with --run"
last_err=$(echo y | mdadm -C /dev/md/cE -e imsm -n2 "$E" "$B0" 2>&1) || fail "y refused: $last_err"
run_expect 0 mdadm -C /dev/md/cT -e imsm -n2 --run "$T" "$M"
[ "$(examine_field "$T" 'Disk00 Serial' $P)" = "$T" ] || fail "container on T and M"

note "volume by disks: the ext4 where its data goes needs --run too"
before=$(state)
refuse "ext4 in the volume's area" 1 "ext2fs" mdadm -C /dev/md/v -l0 -n2 -z 2M "$E" "$B0"
[ ${#failed_cases[@]} -eq 0 ] || fail "volume over ext4 not refused cleanly"
run_expect 0 mdadm -C /dev/md/ve -N named -l0 -n2 -z 2M --run --bitmap=none -k resync "$E" "$B0"
$P -E "$E" | grep -q '^\[named\]:' || { $P -E "$E"; fail "-N name not in the metadata"; }

note "rollback: md does not start the volume (no mdmon: raid0)"
before=$(state)
MDADM_TEST_CREATE_FAIL=start run_expect 1 mdadm -C /dev/md/v2 -l0 -n2 -z 1M "$T" "$M"
expect_one_error_line "mdadm: "
[ "$(state)" = "$before" ] || fail "a disk changed after the failed start"

note "-x: a container with a spare; refused for a volume"
S=("${D[5]}" "${D[6]}" "${D[8]}") # kname order: FIXME the default pick follows sysfs order, not -n/-x order
run_expect 0 mdadm -Ss
run_expect 0 mdadm -C /dev/md/imsm9 -e imsm -n2 -x1 --force "${S[@]}" # D5, D6: old members
[ "$(grep -o 'loop[0-9]*\[[0-9]\](S)' /proc/mdstat | wc -l)" -ge 3 ] || fail "container of three disks"
before=$(state)
refuse "-x for a volume" 1 "spare" mdadm -C /dev/md/v9 -l1 -n2 -x1 /dev/md/imsm9
run_expect 0 mdadm -C /dev/md/v9 -l1 -n2 -z 2M --assume-clean /dev/md/imsm9
$P -E "${S[2]}" | grep -q '^\[v9\]:' && fail "the spare got the volume"
$P -E "${S[0]}" | grep -q '^\[v9\]:' || fail "the first disk lacks the volume"
run_expect 0 mdadm -Ss
grep '^md' /proc/mdstat && fail "arrays left"
note "create by disks and its safety checks work"
