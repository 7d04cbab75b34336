#!/bin/bash
# vm-timeout: 240
# An IMSM container and raid5 volume made by the peer (with the peer's
# mdmon): our --detail reads container and member from sysfs/mdstat, our
# --examine finds the IMSM anchor with the same magic and version as the
# peer's; --stop refuses a container with a running member.
. "$VMTEST_LIB"

make_disks 3 64
mdadm-peer -C /dev/md/imsm0 -e imsm -n3 --run "${DISKS[@]}" 2>/dev/null
mdadm-peer -C /dev/md/vol0 -l5 -n3 -z 16M --assume-clean --run /dev/md/imsm0 2>/dev/null
cat /proc/mdstat
ctr=$(md_devnm /dev/md/imsm0) vol=$(md_devnm /dev/md/vol0)
pattern_write /dev/md/vol0 2 16

mdadm -D /dev/md/imsm0 >/tmp/c.txt
cat /tmp/c.txt
grep -q 'Version : imsm' /tmp/c.txt || fail "container version"
grep -q 'Raid Level : container' /tmp/c.txt || fail "container level"
grep -q 'Total Devices : 3' /tmp/c.txt || fail "container disk count"
mdadm -D /dev/md/vol0 >/tmp/v.txt
cat /tmp/v.txt
grep -q 'Raid Level : raid5' /tmp/v.txt || fail "volume level"
grep -q 'Raid Devices : 3' /tmp/v.txt || fail "volume disks"
# upstream 4.2 names a member's container instead of a Version line
! grep -q 'Version :' /tmp/v.txt || fail "a member shows a Version line"
grep -q "Container : /dev/md/imsm0, member 0" /tmp/v.txt || fail "volume container"
mdadm -D --export /dev/md/vol0 | grep -qx "MD_CONTAINER=/dev/md/imsm0" || fail "export container"
mdadm -D --export /dev/md/vol0 | grep -qx "MD_MEMBER=0" || fail "export member"

# UUIDs agree with the peer's, in text, --export and --detail --scan.
for a in /dev/md/imsm0 /dev/md/vol0; do
	o=$(mdadm -D "$a" | sed -n 's/^ *UUID : //p') p=$(mdadm-peer -D "$a" | sed -n 's/^ *UUID : //p')
	[ -n "$o" ] && [ "$o" = "$p" ] || fail "UUID of $a: ours '$o', peer '$p'"
	mdadm -D --export "$a" | grep -qx "MD_UUID=$p" || fail "MD_UUID of $a"
done
mdadm -D --scan >/tmp/scan.txt
cat /tmp/scan.txt
head -1 /tmp/scan.txt | grep -q "^ARRAY /dev/md/imsm0 metadata=imsm UUID=$(mdadm-peer -D /dev/md/imsm0 | sed -n 's/^ *UUID : //p')$" ||
	fail "scan: container line"
grep -q "^ARRAY /dev/md/vol0 container=/dev/md/imsm0 member=0 UUID=" /tmp/scan.txt || fail "scan: volume line"

for d in "${DISKS[@]}"; do
	mdadm -E "$d" >/tmp/e.txt
	mdadm-peer -E "$d" >/tmp/pe.txt
	for f in Magic Version "MPB Sectors"; do
		o=$(sed -n "s/^ *$f : //p" /tmp/e.txt) p=$(sed -n "s/^ *$f : //p" /tmp/pe.txt)
		[ "$o" = "$p" ] || fail "examine $d $f: ours '$o', peer '$p'"
	done
	grep -q 'Checksum : [0-9a-f]* correct' /tmp/e.txt || fail "checksum of $d not correct"
done

before=$(disk_sums)
run_expect 1 mdadm -S /dev/md/imsm0
expect_one_error_line "mdadm: cannot stop container"
[ -e "/sys/block/$ctr/md" ] || fail "container was stopped anyway"
pattern_verify /dev/md/vol0 2 16
mdadm-peer -S /dev/md/vol0 2>/dev/null
mdadm-peer -S /dev/md/imsm0 2>/dev/null
[ "$before" = "$(disk_sums)" ] || note "(disks changed by the peer's clean shutdown: expected)"

# A disk without metadata, and one with a corrupted anchor.
make_disks 1 16
run_expect 1 mdadm -E "${DISKS[3]}"
expect_one_error_line "mdadm: No md superblock detected on ${DISKS[3]}"
note "container/member detail and examine agree with the peer"
