#!/usr/bin/env python3
"""Rewrite one 32-bit field of the IMSM metadata on a disk as an attacker
would, checksum fixed so that the copy is accepted (imsm-format.md sections
1, 2 and 3.1; 512-byte sectors only).  FIELD is a byte offset into the MPB
(decimal or 0x...) or one of:

    vol0-pba     volume 0, map[0].pba_of_lba0 (low word)
    vol0-bpm     volume 0, map[0].blocks_per_member (low word)
    diskI-blocks disk record I, total_blocks (low word)

    imsm-poke-u32.py DISK FIELD[=VALUE]...   prints each field's old value

(one process for several fields: process start-up is slow under TCG).
"""
import os
import struct
import sys

SS = 512
SIG = b"Intel Raid ISM Cfg Sig. "


def offset(field, num_disks):
    vol0_map0 = 0xD8 + num_disks * 48 + 0x70  # volume records follow the disks
    if field == "vol0-pba":
        return vol0_map0
    if field == "vol0-bpm":
        return vol0_map0 + 4
    if field.startswith("disk") and field.endswith("-blocks"):
        return 0xD8 + int(field[4:-7]) * 48 + 0x10
    return int(field, 0)


def main():
    disk, changes = sys.argv[1], [a.partition("=") for a in sys.argv[2:]]
    fd = os.open(disk, os.O_RDWR)
    n = os.lseek(fd, 0, os.SEEK_END) // SS
    anchor = os.pread(fd, SS, (n - 2) * SS)
    if not anchor.startswith(SIG):
        sys.exit("no IMSM anchor on " + disk)
    size = struct.unpack_from("<I", anchor, 0x24)[0]
    sectors = (size + SS - 1) // SS
    ext = os.pread(fd, (sectors - 1) * SS, (n - 1 - sectors) * SS) if sectors > 1 else b""
    mpb = bytearray((anchor + ext)[:size])
    for field, eq, value in changes:
        off = offset(field, mpb[0x38])
        if off + 4 > size:
            sys.exit("offset past the MPB")
        print(struct.unpack_from("<I", mpb, off)[0])
        if eq:
            struct.pack_into("<I", mpb, off, int(value, 0) & 0xFFFFFFFF)
    if not any(eq for _, eq, _ in changes):
        os.close(fd)
        return
    struct.pack_into("<I", mpb, 0x20, 0)
    total = sum(struct.unpack_from("<%dI" % (size // 4), mpb)) & 0xFFFFFFFF
    struct.pack_into("<I", mpb, 0x20, total)
    padded = bytes(mpb) + b"\0" * (sectors * SS - size)
    if sectors > 1:
        os.pwrite(fd, padded[SS:], (n - 1 - sectors) * SS)
    os.pwrite(fd, padded[:SS], (n - 2) * SS)
    os.fsync(fd)
    os.close(fd)


main()
