#!/bin/bash
# vm-timeout: 300
# Assembly refuses what it must not trust, with one line, a non-zero exit,
# no array started and no disk changed: a copy with a bad checksum, a
# truncated (oversized) MPB, a bad signature, insane counts, a disk of
# another container, a spare-only disk, and a container that is running.
. "$VMTEST_LIB"

make_disks 3 32
mdadm-peer -C /dev/md/imsm0 -e imsm -n3 --run "${DISKS[@]}" 2>/dev/null
mdadm-peer -C /dev/md/v -l5 -n3 -z 8M --assume-clean --run /dev/md/imsm0 2>/dev/null
make_disks 2 32
mdadm-peer -C /dev/md/imsm9 -e imsm -n2 --run "${DISKS[3]}" "${DISKS[4]}" 2>/dev/null
mdadm-peer -C /dev/md/w -l0 -n2 -z 8M --run /dev/md/imsm9 2>/dev/null
make_disks 1 32
mdadm -C /dev/md/imsm8 -e imsm --force -n1 "${DISKS[5]}" 2>/dev/null
stop_all_md
sleep 1

# patch DISK PYTHON-EXPR: edit the anchor (last-but-one sector) in place,
# then fix the checksum unless the expression says otherwise.
patch_anchor() {
	python3 - "$1" "$2" "${3:-fix}" <<'PY'
import struct, sys
dev, expr, fix = sys.argv[1], sys.argv[2], sys.argv[3]
with open(dev, "r+b") as f:
    f.seek(0, 2); size = f.seek(0, 2); off = size - 1024
    f.seek(off); b = bytearray(f.read(512))
    exec(expr)
    if fix == "fix":
        n = min(struct.unpack_from("<I", b, 0x24)[0], 512) // 4
        s = sum(struct.unpack_from("<%dI" % n, b, 0)) - struct.unpack_from("<I", b, 0x20)[0]
        struct.pack_into("<I", b, 0x20, s & 0xffffffff)
    f.seek(off); f.write(b)
PY
}

refused() { # description, then the command
	local what=$1 before after
	shift
	before=$(disk_sums; cat /proc/mdstat)
	run_expect 1 "$@"
	expect_one_error_line "mdadm: "
	after=$(disk_sums; cat /proc/mdstat)
	[ "$before" = "$after" ] || fail "$what: something changed"
	note "$what: $last_err"
}

cp_disk() { dd if="$1" of="$2" bs=1M status=none; }
mkdir -p /tmp/orig
cp_disk "${DISKS[0]}" /tmp/orig/d0

# A bad checksum on a copy of one sector (the 2-disk container's), which no
# cut can tear: refused.  (A two-sector copy with a bad checksum may be a
# tear: its disk is a member when the other copies list it, t1101; alone,
# -I waits with one line.)
cp_disk "${DISKS[3]}" /tmp/orig/d3
patch_anchor "${DISKS[3]}" 'b[0x30] ^= 1' nofix
refused "bad checksum" mdadm -A /dev/md/imsm9 "${DISKS[3]}" "${DISKS[4]}"
refused "bad checksum, incremental" mdadm -I "${DISKS[3]}"
cp_disk /tmp/orig/d3 "${DISKS[3]}"
patch_anchor "${DISKS[0]}" 'b[0x30] ^= 1' nofix
refused "bad checksum of a two-sector copy, incremental" mdadm -I "${DISKS[0]}"
cp_disk /tmp/orig/d0 "${DISKS[0]}"

patch_anchor "${DISKS[0]}" 'struct.pack_into("<I", b, 0x24, 0x7fffffff)'
refused "oversized mpb_size" mdadm -A /dev/md/imsm0 "${DISKS[@]:0:3}"
cp_disk /tmp/orig/d0 "${DISKS[0]}"

patch_anchor "${DISKS[0]}" 'b[0:5] = b"Xntel"'
refused "bad signature" mdadm -A /dev/md/imsm0 "${DISKS[@]:0:3}"
cp_disk /tmp/orig/d0 "${DISKS[0]}"

# (the 2-disk container's MPB fits one sector, so the fixed-up checksum
# is right and the count itself must be caught)
patch_anchor "${DISKS[3]}" 'b[0x38] = 255'
refused "insane disk count" mdadm -A /dev/md/imsm9 "${DISKS[3]}" "${DISKS[4]}"
cp_disk /tmp/orig/d3 "${DISKS[3]}"

refused "disk of another container" mdadm -A /dev/md/imsm0 "${DISKS[0]}" "${DISKS[1]}" "${DISKS[3]}"
refused "spare-only disk" mdadm -A /dev/md/imsm8 "${DISKS[5]}"
refused "no such disk" mdadm -A /dev/md/imsm0 /dev/nonexistent

# The untouched copies still assemble afterwards.
run_expect 0 mdadm -A /dev/md/imsm0 "${DISKS[@]:0:3}"
refused "already running" mdadm -A /dev/md/imsm0 "${DISKS[@]:0:3}"
note "refusals leave everything as it was"
