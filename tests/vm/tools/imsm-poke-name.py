#!/usr/bin/env python3
"""Rewrite an IMSM field on a disk as an attacker would: a volume's name or
a disk's serial (raw bytes, up to 16), checksum fixed so that the copy is
accepted (imsm-format.md section 1 and 3.1; 512-byte sectors only).

    imsm-poke-name.py DISK volume INDEX HEXBYTES
    imsm-poke-name.py DISK serial INDEX HEXBYTES
"""
import sys

from imsm_mpb import Mpb


def main():
    disk, what, index, data = sys.argv[1], sys.argv[2], int(sys.argv[3]), bytes.fromhex(sys.argv[4])
    if len(data) > 16:
        sys.exit("at most 16 bytes")
    m = Mpb(disk)
    num_disks = m.data[0x38]
    if what == "volume":
        off = 0xD8 + num_disks * 48  # volume records follow the disk table
        if index != 0:
            sys.exit("only volume 0")
    else:
        off = 0xD8 + index * 48
    m.data[off:off + 16] = data.ljust(16, b"\0")
    m.write()
    m.close()


main()
