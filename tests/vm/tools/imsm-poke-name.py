#!/usr/bin/env python3
"""Rewrite an IMSM field on a disk as an attacker would: a volume's name or
a disk's serial (raw bytes, up to 16), checksum fixed so that the copy is
accepted (imsm-format.md section 1 and 3.1; 512-byte sectors only).

    imsm-poke-name.py DISK volume INDEX HEXBYTES
    imsm-poke-name.py DISK serial INDEX HEXBYTES
"""
import os
import struct
import sys

SS = 512
SIG = b"Intel Raid ISM Cfg Sig. "


def main():
    disk, what, index, data = sys.argv[1], sys.argv[2], int(sys.argv[3]), bytes.fromhex(sys.argv[4])
    if len(data) > 16:
        sys.exit("at most 16 bytes")
    fd = os.open(disk, os.O_RDWR)
    n = os.lseek(fd, 0, os.SEEK_END) // SS
    anchor = os.pread(fd, SS, (n - 2) * SS)
    if not anchor.startswith(SIG):
        sys.exit("no IMSM anchor on " + disk)
    size = struct.unpack_from("<I", anchor, 0x24)[0]
    sectors = (size + SS - 1) // SS
    ext = os.pread(fd, (sectors - 1) * SS, (n - 1 - sectors) * SS) if sectors > 1 else b""
    mpb = bytearray((anchor + ext)[:size])
    num_disks = mpb[0x38]
    if what == "volume":
        off = 0xD8 + num_disks * 48  # volume records follow the disk table
        if index != 0:
            sys.exit("only volume 0")
    else:
        off = 0xD8 + index * 48
    mpb[off:off + 16] = data.ljust(16, b"\0")
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
