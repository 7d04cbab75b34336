#!/bin/bash
# vm-timeout: 420
# Not a test (tests/vm/run.sh only runs tests/vm/t*.sh): a tool that makes
# golden images of IMSM metadata written by the peer, Debian's mdadm 4.2,
# for tests/unit/test-imsm-golden.c.  Run it from the top of the tree:
#
#   VMTEST_LOGDIR=$(mktemp -d) tests/vm/run.sh tests/vm/tools/capture-golden.sh
#
# For each case it writes into the log folder (/results in the guest):
#   golden-<name>.bin  the MPB of one member, exactly mpb_sectors * 512
#                      bytes: the anchor (LBA N-2) first, then the extension
#                      sectors (LBA N-1-S .. N-3) in order (imsm-format.md
#                      §1.1, §1.3); nothing else of the disk
#   golden-<name>.hex  the same bytes as text, in the format of
#                      tests/unit/fixtures/*.hex ("OFFS: 8 groups of 4 hex
#                      digits  ASCII", "*" for omitted lines of zeros)
#   golden-<name>.txt  "mdadm-peer -E" of that disk
#   golden-<name>.dev  which loop device it was (its serial, with
#                      IMSM_DEVNAME_AS_SERIAL=1)
# Every array is stopped first, so the copies are final.  To refresh the
# fixtures, copy golden-<name>.hex and .txt to
# tests/unit/fixtures/imsm-golden-<name>.hex and .txt.
# shellcheck source=tests/vm/lib.sh
. "$VMTEST_LIB"

P=mdadm-peer
make_disks 19 32
D=("${DISKS[@]}")

quiet() { "$@" >/dev/null 2>&1 || fail "'$*' failed"; }

# to_hex FILE TITLE: the fixture text of FILE; a line of zeros after another
# line of zeros becomes "*", the last line is always written (it gives the
# length).
to_hex() {
	python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
print("# " + sys.argv[2])
print("# written by Debian's mdadm 4.2, captured by tests/vm/tools/capture-golden.sh:")
print("# anchor sector first, then the extension sectors; \"*\" = lines of zeros omitted")
zero, starred = bytes(16), False
for off in range(0, len(data), 16):
    row = data[off:off + 16]
    last = off + 16 >= len(data)
    if row == zero and off > 0 and data[off - 16:off] == zero and not last:
        if not starred:
            print("*")
        starred = True
        continue
    starred = False
    words = " ".join("%02x%02x" % (row[i], row[i + 1]) for i in range(0, 16, 2))
    text = "".join(chr(c) if 32 <= c < 127 else "." for c in row)
    print("%04x: %s  %s" % (off, words, text))
PY
}

# capture NAME DISK: copy the MPB sectors and the peer's examine text.
capture() {
	local name=$1 dev=$2 n size s out=/results/golden-$1
	n=$(blockdev --getsz "$dev")
	size=$(od -An -tu4 -j $(((n - 2) * 512 + 0x24)) -N4 "$dev" | tr -d ' ')
	if [ -z "$size" ] || [ "$size" -eq 0 ]; then fail "$dev: no mpb_size"; fi
	s=$(((size + 511) / 512))
	dd if="$dev" of="$out.bin" bs=512 skip=$((n - 2)) count=1 status=none
	if [ "$s" -gt 1 ]; then
		dd if="$dev" bs=512 skip=$((n - 1 - s)) count=$((s - 1)) status=none >>"$out.bin"
	fi
	[ "$(stat -c %s "$out.bin")" -eq $((s * 512)) ] || fail "$out.bin has the wrong size"
	to_hex "$out.bin" "$name: the $size-byte MPB ($s sectors) of $dev" >"$out.hex"
	$P -E "$dev" >"$out.txt" 2>&1 || fail "peer -E $dev failed"
	echo "$dev" >"$out.dev"
	note "$name: $dev, mpb_size $size ($s sectors)"
}

peer_map_state() { # disk volume
	$P -E "$1" 2>/dev/null | sed -n "/^\[$2\]:/,/^$/p" | sed -n 's/^ *Map State : //p' | head -1
}

note "spare-only container"
quiet $P -C /dev/md/cspare -e imsm -n2 --run "${D[0]}" "${D[1]}"

note "raid0, 2 disks, 64 KiB chunk"
quiet $P -C /dev/md/c0 -e imsm -n2 --run "${D[2]}" "${D[3]}"
quiet $P -C /dev/md/r0 -l0 -n2 -c64 -z 8M --run /dev/md/c0

note "raid1, 2 disks"
quiet $P -C /dev/md/c1 -e imsm -n2 --run "${D[4]}" "${D[5]}"
quiet $P -C /dev/md/r1 -l1 -n2 -z 8M --assume-clean --run /dev/md/c1

note "raid5, 3 disks, default chunk"
quiet $P -C /dev/md/c5 -e imsm -n3 --run "${D[6]}" "${D[7]}" "${D[8]}"
quiet $P -C /dev/md/r5 -l5 -n3 -z 8M --assume-clean --run /dev/md/c5

note "raid10, 4 disks, 32 KiB chunk"
quiet $P -C /dev/md/c10 -e imsm -n4 --run "${D[9]}" "${D[10]}" "${D[11]}" "${D[12]}"
quiet $P -C /dev/md/r10 -l10 -n4 -c32 -z 8M --assume-clean --run /dev/md/c10

note "two volumes: raid5 (64 KiB) + raid0 (128 KiB, rest of the disks)"
quiet $P -C /dev/md/c2v -e imsm -n3 --run "${D[13]}" "${D[14]}" "${D[15]}"
quiet $P -C /dev/md/v5 -l5 -n3 -c64 -z 8M --assume-clean --run /dev/md/c2v
quiet $P -C /dev/md/v0 -l0 -n3 -c128 --run /dev/md/c2v

note "raid5, 3 disks, one member failed and removed"
quiet $P -C /dev/md/cdeg -e imsm -n3 --run "${D[16]}" "${D[17]}" "${D[18]}"
quiet $P -C /dev/md/rdeg -l5 -n3 -z 8M --assume-clean --run /dev/md/cdeg
quiet $P --fail /dev/md/rdeg "${D[18]}"
wait_until 30 sh -c "[ \"\$($P -E ${D[16]} 2>/dev/null | sed -n 's/^ *Map State : //p' | head -1)\" = degraded ]"
# mdmon takes the faulty disk out of the volume; then it leaves the container.
rdeg=$(md_devnm /dev/md/rdeg)
wait_until 30 sh -c "[ ! -e /sys/block/$rdeg/md/dev-${D[18]#/dev/} ]"
quiet $P --remove /dev/md/cdeg "${D[18]}"
wait_until 30 sh -c "! grep -q '${D[18]#/dev/}\[' /proc/mdstat"
sleep 1
cat /proc/mdstat

note "stop everything, so the copies no longer change"
for v in r0 r1 r5 r10 v0 v5 rdeg; do quiet $P -S /dev/md/$v; done
for c in cspare c0 c1 c5 c10 c2v cdeg; do quiet $P -S /dev/md/$c; done
grep -q '^md' /proc/mdstat && fail "arrays still running"

[ "$(peer_map_state "${D[16]}" rdeg)" = degraded ] || fail "rdeg is not degraded on disk"

capture spare "${D[0]}"
capture raid0 "${D[2]}"
capture raid1 "${D[4]}"
capture raid5 "${D[6]}"
capture raid10 "${D[9]}"
capture 2vol "${D[13]}"
capture raid5-degraded "${D[16]}"
ls -l /results/golden-*
note "golden images written"
