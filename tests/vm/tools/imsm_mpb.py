"""The IMSM metadata of a disk, read and written back as an attacker's
tool needs it (imsm-format.md sections 1, 2 and 3.1; 512-byte sectors
only): imsm-poke-name.py and imsm-poke-u32.py share it."""
import os
import struct
import sys

SS = 512
SIG = b"Intel Raid ISM Cfg Sig. "


class Mpb:
    """The MPB of DISK (anchor at N-2, extension sectors below it), open
    for writing; exits with one line when the disk has none."""

    def __init__(self, disk):
        self.fd = os.open(disk, os.O_RDWR)
        self.n = os.lseek(self.fd, 0, os.SEEK_END) // SS
        anchor = os.pread(self.fd, SS, (self.n - 2) * SS)
        if not anchor.startswith(SIG):
            sys.exit("no IMSM anchor on " + disk)
        self.size = struct.unpack_from("<I", anchor, 0x24)[0]
        self.sectors = (self.size + SS - 1) // SS
        ext = b""
        if self.sectors > 1:
            ext = os.pread(self.fd, (self.sectors - 1) * SS, (self.n - 1 - self.sectors) * SS)
        self.data = bytearray((anchor + ext)[:self.size])

    def write(self):
        """Checksum fixed, extension sectors first, the anchor last."""
        mpb = self.data
        struct.pack_into("<I", mpb, 0x20, 0)
        total = sum(struct.unpack_from("<%dI" % (self.size // 4), mpb)) & 0xFFFFFFFF
        struct.pack_into("<I", mpb, 0x20, total)
        padded = bytes(mpb) + b"\0" * (self.sectors * SS - self.size)
        if self.sectors > 1:
            os.pwrite(self.fd, padded[SS:], (self.n - 1 - self.sectors) * SS)
        os.pwrite(self.fd, padded[:SS], (self.n - 2) * SS)
        os.fsync(self.fd)

    def close(self):
        os.close(self.fd)
