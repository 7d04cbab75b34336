#!/bin/bash
# vm-timeout: 480
# Our --examine agrees with the peer's (Debian mdadm 4.2) on every disk of
# IMSM containers the peer made: raid0, raid1, raid5, raid10; one and two
# volumes per container; a spare-only container; a container spare; a raid1
# rebuilt onto its spare (family changed, failed record dropped, a stale
# copy left on the failed disk).  Text, --brief/--scan and --export are
# compared.  Then corrupted copies (bad checksum, huge mpb_size, bad
# signature, insane num_disks with a fixed-up checksum) give one error line
# and exit 1, and nothing we run changes a byte on any disk.
#
# Differences we normalise (each is legitimate, nothing else is):
#  * "Attributes :" -- mdadm 4.2 prints "All supported" / "not supported";
#    current upstream and we print "<hex> (supported)" (imsm-format.md §8.1).
#    We check our hex against the attributes word on the disk and our
#    verdict against the peer's.
# Differences in behaviour we check separately (not compared):
#  * corrupted copies: the peer says "No md superblock detected"; we name
#    the problem ("checksum mismatch", "invalid").  Both exit 1.
#  * --brief with a named disk that has no IMSM copy: the peer is silent
#    and exits 0; we print the error line and exit 1.
#  * a disk with no serial: the peer cannot examine it; we show the copy
#    without "this disk" (IMSM_DEVNAME_AS_SERIAL unset, "This Slot : ?").
. "$VMTEST_LIB"

P=mdadm-peer
# make_disks reuses its file names: call it once only.
make_disks 18 64
D=("${DISKS[@]}")

quiet() { "$@" >/dev/null 2>&1 || fail "'$*' failed"; }

note "containers and volumes made by the peer"
# C0: raid5 + raid0 on 3 disks (two volumes)
quiet $P -C /dev/md/imsm0 -e imsm -n3 --run "${D[0]}" "${D[1]}" "${D[2]}"
quiet $P -C /dev/md/r5a -l5 -n3 -c64 -z 8M --assume-clean --run /dev/md/imsm0
quiet $P -C /dev/md/r0a -l0 -n3 -c128 -z 8M --run /dev/md/imsm0
# C1: raid1 on 2 disks, then a container spare, then a failure and rebuild
quiet $P -C /dev/md/imsm1 -e imsm -n2 --run "${D[3]}" "${D[4]}"
quiet $P -C /dev/md/r1 -l1 -n2 -z 4M --assume-clean --run /dev/md/imsm1
# C2: raid10 + raid5 on 4 disks (two volumes)
quiet $P -C /dev/md/imsm2 -e imsm -n4 --run "${D[6]}" "${D[7]}" "${D[8]}" "${D[9]}"
quiet $P -C /dev/md/r10 -l10 -n4 -z 4M --assume-clean --run /dev/md/imsm2
quiet $P -C /dev/md/r5b -l5 -n4 -z 4M --assume-clean --run /dev/md/imsm2
# C3: raid0 on 2 disks (one volume, version 1.0.00 with 4.2)
quiet $P -C /dev/md/imsm3 -e imsm -n2 --run "${D[10]}" "${D[11]}"
quiet $P -C /dev/md/r0b -l0 -n2 -z 4M --run /dev/md/imsm3
# C4: a container without volumes: spare records only
quiet $P -C /dev/md/imsm4 -e imsm -n2 --run "${D[12]}" "${D[13]}"
# C5: raid5 on 4 disks, the victims of the corruption tests
quiet $P -C /dev/md/imsm5 -e imsm -n4 --run "${D[14]}" "${D[15]}" "${D[16]}" "${D[17]}"
quiet $P -C /dev/md/r5c -l5 -n4 -z 4M --assume-clean --run /dev/md/imsm5

note "raid1: add a spare, fail a member, wait for the rebuild"
quiet $P --add /dev/md/imsm1 "${D[5]}"
quiet $P --fail /dev/md/r1 "${D[4]}"
r1=$(md_devnm /dev/md/r1)
rebuilt() {
	local st
	st=$(grep -A2 "^$r1 " /proc/mdstat)
	printf '%s\n' "$st" | grep -q '\[UU\]' && ! printf '%s\n' "$st" | grep -q recovery
}
wait_until 60 rebuilt
sleep 1
cat /proc/mdstat

note "stop everything (ours, as an admin would), so the copies no longer change"
# Not an interop step: the copies were written by the peer and its mdmon.
mdadm -Ss || fail "mdadm -Ss failed"
grep -q '^md' /proc/mdstat && fail "arrays still running: $(cat /proc/mdstat)"

# The attributes word of a disk's copy: u32 at 0x34 of the anchor (LBA N-2).
attributes_of() {
	local n
	n=$(($(blockdev --getsz "$1") - 2))
	od -An -tx4 -j $((n * 512 + 0x34)) -N4 "$1" | tr -d ' '
}

# Compare one disk's text; the only normalised line is Attributes.
compare_text() {
	local d=$1 attr ours peer
	mdadm -E "$d" >/tmp/ours.txt 2>/tmp/ours.err || fail "our -E $d failed: $(cat /tmp/ours.err)"
	$P -E "$d" >/tmp/peer.txt 2>/dev/null || fail "peer -E $d failed"
	[ -s /tmp/ours.err ] && fail "our -E $d wrote to stderr: $(cat /tmp/ours.err)"
	attr=$(attributes_of "$d")
	ours=$(sed -n 's/^     Attributes : //p' /tmp/ours.txt)
	peer=$(sed -n 's/^     Attributes : //p' /tmp/peer.txt)
	case "$peer" in
	"All supported") [ "$ours" = "$attr (supported)" ] || fail "$d attributes: '$ours', disk $attr" ;;
	"not supported") [ "$ours" = "$attr (not supported)" ] || fail "$d attributes: '$ours'" ;;
	*) fail "$d: peer attributes line '$peer'" ;;
	esac
	sed -i 's/^\(     Attributes : \).*/\1(normalised)/' /tmp/ours.txt /tmp/peer.txt
	diff -u /tmp/peer.txt /tmp/ours.txt || fail "examine of $d differs from the peer's"
}

compare_export() {
	mdadm -E --export "$1" >/tmp/ours.txt || fail "our -E --export $1 failed"
	$P -E --export "$1" >/tmp/peer.txt 2>/dev/null || fail "peer -E --export $1 failed"
	diff -u /tmp/peer.txt /tmp/ours.txt || fail "export of $1 differs"
}

compare_brief() { # args for both
	mdadm "$@" >/tmp/ours.txt || fail "our mdadm $* failed"
	$P "$@" >/tmp/peer.txt 2>/dev/null || fail "peer mdadm $* failed"
	diff -u /tmp/peer.txt /tmp/ours.txt || fail "mdadm $* differs from the peer's"
}

before=$(disk_sums)

note "text and export of every disk"
for d in "${D[@]}"; do
	compare_text "$d"
	compare_export "$d"
done
note "examine of all 18 disks agrees (text and --export)"
cat /tmp/ours.txt
# what the disks show, to be sure the interesting states were covered
mdadm -E "${D[4]}" | grep -q 'Disk01 Serial' || fail "stale raid1 copy lost its second disk"
mdadm -E "${D[3]}" | grep -q "Disk01 Serial : ${D[5]}" || fail "spare did not replace it"
mdadm -E "${D[3]}" | grep -q 'Orig Family' || fail "no Orig Family"
[ "$(mdadm -E "${D[3]}" | sed -n 's/^ *Family : //p')" != \
  "$(mdadm -E "${D[3]}" | sed -n 's/^ *Orig Family : //p')" ] || fail "rebuild kept the family"
mdadm -E "${D[12]}" | grep -q '    Disk Serial' || fail "spare record not shown as spare"

note "--brief of named disks, container by container and all at once"
compare_brief -Eb "${D[0]}" "${D[1]}" "${D[2]}"
compare_brief -Eb "${D[3]}" "${D[4]}" "${D[5]}"
compare_brief -Eb "${D[6]}" "${D[9]}"
compare_brief -Eb "${D[10]}"
compare_brief -Eb "${D[12]}" "${D[13]}"
compare_brief -Eb "${D[@]}"
compare_brief -E --scan
cat /tmp/ours.txt
cp /tmp/peer.txt /tmp/scan-before.txt
c5_uuid=$(mdadm -Eb "${D[14]}" | sed -n '1s/^ARRAY metadata=imsm UUID=//p')
[ -n "$c5_uuid" ] || fail "no container UUID for C5"

note "a disk without a serial is still examined"
IMSM_DEVNAME_AS_SERIAL=0 mdadm -E "${D[0]}" >/tmp/ours.txt || fail "-E without a serial failed"
grep -q '      This Slot : ?' /tmp/ours.txt || fail "no '?' slot without a serial"
grep -q '  Disk00 Serial' /tmp/ours.txt || fail "table disks missing without a serial"

note "a disk without metadata"
run_expect 1 mdadm -E /dev/ram0
expect_one_error_line "mdadm: No md superblock detected on /dev/ram0."
run_expect 1 mdadm -E --export /dev/ram0
expect_one_error_line "mdadm: No md superblock detected on /dev/ram0."
run_expect 1 mdadm -Eb /dev/ram0
expect_one_error_line "mdadm: No md superblock detected on /dev/ram0."
[ -z "$last_out" ] || fail "output for a disk without metadata: $last_out"

[ "$before" = "$(disk_sums)" ] || fail "examining changed a disk"

note "corrupted copies on the raid5 disks of C5"
# edit DEV OFFSET(in the anchor) PYTHON-EXPR-ON-b [fix checksum]
edit_anchor() {
	python3 - "$@" <<'EOF'
import os, struct, sys
dev, what = sys.argv[1], sys.argv[2]
fd = os.open(dev, os.O_RDWR)
n = os.lseek(fd, 0, os.SEEK_END) // 512
anchor = (n - 2) * 512
os.lseek(fd, anchor, os.SEEK_SET)
b = bytearray(os.read(fd, 512))
size = struct.unpack_from('<I', b, 0x24)[0]
if what == 'checksum':            # one byte of the reserved filler
	b[0x60] ^= 0x01
elif what == 'mpb_size':          # far beyond any sane MPB
	struct.pack_into('<I', b, 0x24, 0x7ffffff0)
elif what == 'signature':
	b[0] ^= 0x20
elif what == 'num_disks':         # table larger than the MPB, checksum fixed up
	b[0x38] = 0xff
	ext = b''
	if size > 512:
		os.lseek(fd, (n - 3) * 512, os.SEEK_SET)
		ext = os.read(fd, 512)
	full = bytes(b) + ext
	words = struct.unpack_from('<%dI' % (size // 4), full)
	struct.pack_into('<I', b, 0x20, (sum(words) - words[8]) & 0xffffffff)
os.lseek(fd, anchor, os.SEEK_SET)
os.write(fd, bytes(b))
os.fsync(fd)
os.close(fd)
EOF
}
edit_anchor "${D[14]}" checksum
edit_anchor "${D[15]}" mpb_size
edit_anchor "${D[16]}" signature
edit_anchor "${D[17]}" num_disks
before=$(disk_sums)

check_bad() { # dev expected-line
	local mode
	for mode in "-E" "-E --export" "-Eb"; do
		# shellcheck disable=SC2086
		run_expect 1 mdadm $mode "$1"
		expect_one_error_line "$2"
		[ "$last_err" = "$2" ] || fail "mdadm $mode $1: '$last_err', expected '$2'"
		[ -z "$last_out" ] || fail "mdadm $mode $1 printed fields of an invalid copy: $last_out"
	done
	note "peer on $1: $($P -E "$1" 2>&1 | head -1)"
}
check_bad "${D[14]}" "mdadm: ${D[14]}: IMSM metadata checksum mismatch, copy ignored"
check_bad "${D[15]}" \
	"mdadm: ${D[15]}: IMSM metadata is invalid (a size, count or index is out of range), copy ignored"
check_bad "${D[16]}" "mdadm: No md superblock detected on ${D[16]}."
check_bad "${D[17]}" \
	"mdadm: ${D[17]}: IMSM metadata is invalid (a size, count or index is out of range), copy ignored"

# The peer's --scan aborts on the insane num_disks copy (malloc() assertion
# in mdadm 4.2): expect its scan from before the damage, without C5.
note "--scan skips the broken copies (with a warning) and agrees on the rest"
mdadm -E --scan >/tmp/ours.txt 2>/tmp/ours.err || fail "our -E --scan failed"
last_err=$(cat /tmp/ours.err)
grep -v "$c5_uuid" /tmp/scan-before.txt >/tmp/peer.txt
diff -u /tmp/peer.txt /tmp/ours.txt || fail "scan with broken copies differs"
printf '%s\n' "$last_err"
for d in "${D[14]}" "${D[15]}" "${D[17]}"; do
	printf '%s\n' "$last_err" | grep -q "^mdadm: $d: IMSM metadata .*, copy ignored$" ||
		fail "no warning for $d during --scan"
done
[ "$(printf '%s\n' "$last_err" | grep -c .)" -eq 3 ] || fail "unexpected --scan warnings: $last_err"

[ "$before" = "$(disk_sums)" ] || fail "examining corrupted copies changed a disk"
note "examine agrees with the peer; corrupted copies refused, disks untouched"
