#!/usr/bin/env python3
"""Rewrite one 32-bit field of the IMSM metadata on a disk as an attacker
would, checksum fixed so that the copy is accepted (imsm-format.md sections
1, 2 and 3.1; 512-byte sectors only).  FIELD is a byte offset into the MPB
(decimal or 0x...) or one of:

    vol0-pba     volume 0, map[0].pba_of_lba0 (low word)
    vol0-bpm     volume 0, map[0].blocks_per_member (low word)
    vol0-state   volume 0, the word of migr_state, migr_type, dirty (bits
                 16-23) and fs_state
    diskI-blocks disk record I, total_blocks (low word)

    imsm-poke-u32.py DISK FIELD[=VALUE]...   prints each field's old value

(one process for several fields: process start-up is slow under TCG).
"""
import struct
import sys

from imsm_mpb import Mpb


def offset(field, num_disks):
    vol0_map0 = 0xD8 + num_disks * 48 + 0x70  # volume records follow the disks
    if field == "vol0-pba":
        return vol0_map0
    if field == "vol0-bpm":
        return vol0_map0 + 4
    if field == "vol0-state":
        return vol0_map0 - 0x18
    if field.startswith("disk") and field.endswith("-blocks"):
        return 0xD8 + int(field[4:-7]) * 48 + 0x10
    return int(field, 0)


def main():
    disk, changes = sys.argv[1], [a.partition("=") for a in sys.argv[2:]]
    m = Mpb(disk)
    for field, eq, value in changes:
        off = offset(field, m.data[0x38])
        if off + 4 > m.size:
            sys.exit("offset past the MPB")
        print(struct.unpack_from("<I", m.data, off)[0])
        if eq:
            struct.pack_into("<I", m.data, off, int(value, 0) & 0xFFFFFFFF)
    if any(eq for _, eq, _ in changes):
        m.write()
    m.close()


main()
