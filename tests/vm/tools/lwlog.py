#!/usr/bin/env python3
"""Replays dm-log-writes logs as disks that lose their volatile cache (t3100).

The kernel's log-writes target (Documentation/admin-guide/device-mapper/
log-writes.rst) keeps, on a log device, every write to the device under it
in the order it became durable: a plain write is logged only once a FLUSH
that follows its completion has completed; a FUA write when it completes;
a FLUSH as one entry after the writes it covered; a mark ("dmsetup message
DEV 0 mark NAME") at once.  On-disk layout, little-endian, sectors of the
super's sectorsize (512 here):
    sector 0        super: u64 magic 0x6a736677736872, u64 version 1,
                    u64 nr_entries, u32 sectorsize
    then nr_entries entries, each one sector of header (u64 sector,
    u64 nr_sectors, u64 flags, u64 data_len; a mark's name follows the
    header in the same sector) and, unless it is a DISCARD, nr_sectors
    sectors of the data written.
    flags: 1 FLUSH, 2 FUA, 4 DISCARD, 8 MARK, 16 METADATA
So the entries before a mark are exactly what was durable at the mark: a
disk whose cache is lost by a power cut at that moment holds the disk's
first state (zeros here) with them applied.  A drive that keeps its cache
(the control) holds also the writes it had completed before the mark; the
log has them only in the batch of the next FLUSH, mixed with writes
completed after the mark.  To tell them apart the marker writes a
sentinel at each mark, in an area past the end of the disk the test uses
(SENTINEL_SECTOR, on the log-writes device itself, while the device above
it is suspended): its batch lists the writes completed before the mark
first, then the sentinel (whose data names the mark), then the later
ones.  So "kept" is the same moment on every disk as "lost" is.  (A
batch is logged as one run: its plain writes and DISCARDs, then the FLUSH
entry, which may carry data; FUA writes and marks come between batches.)

One process serves the whole test (a python start costs seconds under
TCG): it reads commands on stdin and answers one line each on stdout.

    lwlog.py serve --size BYTES --sentinel SECTOR --seed N --per-phase K
                   [--steps S,...] IMG0=LOG0 ...

At start it indexes every log (the marks must be the same, in the same
order, on every log), picks the marks to check and prints
    plan MARK...
Mark names are SEQ.PHASE or SEQ.PHASE.STEP: K marks of each phase, chosen
with random.Random(N), plus every mark of a STEP in S, in log order.
Commands:
    image MARK lost|kept    write each IMG file: its log replayed to MARK,
                            losing (lost) or keeping (kept) the cache;
                            MARKs of "lost" in log order -> "ok MARK";
                            "kept" after "lost" of the same MARK answers
                            "same MARK" (nothing written) when no disk
                            held a completed write unflushed at the mark
    parity OFF_SECT SIZE_KIB CHUNK_BYTES DEV...
                            raid5 rows (chunk-sized) of the members whose
                            XOR is not zero, read with O_DIRECT -> "ok N"
    quit
An error answers "err TEXT" (and the command changes nothing it could
avoid changing).

    lwlog.py parity OFF_SECT SIZE_KIB CHUNK_BYTES DEV...

prints the count of raid5 rows with wrong parity, as the command above
(t2108 uses it too).

    lwlog.py marker INTERVAL SENTINEL_SECTOR TOP=LOGDEV...

puts the marks: one every INTERVAL seconds, and one on each command.  A
mark is one moment on every disk: every TOP (the device-mapper device the
test uses, over its log-writes device LOGDEV) is suspended (in-flight
writes complete, new ones wait), each LOGDEV gets its sentinel write at
SENTINEL_SECTOR and then the mark, and the TOPs are resumed.  So a write
caused by another (on any device) never precedes a mark that its cause
follows.  Marks are named SEQ.PHASE (periodic, and at a phase's start) or
SEQ.PHASE.STEP.  Prints "ready", then answers each command:
    phase NAME      the phase from now on; one mark -> "ok SEQ"
    mark STEP       one mark -> "ok SEQ"
    quit            a FLUSH on every LOGDEV (so that the last sentinels
                    are logged) -> "ok SEQ", and exits
It puts them with device-mapper's ioctls itself (six dmsetup runs per mark
would cost seconds under TCG).

    lwlog.py selftest       checks the replay on a log made up here
"""
import fcntl
import mmap
import os
import random
import select
import struct
import sys
import tempfile
import time

MAGIC = 0x6A736677736872
FLUSH, FUA, DISCARD, MARK = 1, 2, 4, 8
SENTINEL = b"lwlog sentinel "
SENTINEL_BYTES = 4096
SUPER = struct.Struct("<QQQI")
ENTRY = struct.Struct("<QQQQ")


class Log:
    """The index of one log: entries as (flags, sector, nr, data offset)."""

    def __init__(self, path, sentinel):
        self.path = path
        self.f = open(path, "rb")
        magic, version, n, ss = SUPER.unpack(self.f.read(SUPER.size))
        if magic != MAGIC or version != 1 or ss != 512:
            raise ValueError(f"{path}: not a log-writes log of 512-byte sectors")
        self.entries, self.marks, self.sentinels = [], {}, {}
        pos = ss
        for i in range(n):
            self.f.seek(pos)
            hdr = self.f.read(ss)
            if len(hdr) < ss:
                raise ValueError(f"{path}: entry {i} past the end")
            sector, nr, flags, dlen = ENTRY.unpack_from(hdr)
            self.entries.append((flags, sector, nr, pos + ss))
            if flags & MARK:
                name = hdr[ENTRY.size:ENTRY.size + dlen].decode()
                self.marks[name] = i
            elif sector == sentinel and not flags & DISCARD and nr:
                data = self.f.read(ss)
                if data.startswith(SENTINEL):
                    self.sentinels[data[len(SENTINEL):].split(b"\0")[0].decode()] = i
            pos += ss
            if not flags & (DISCARD | MARK):
                pos += nr * ss
        self.names = sorted(self.marks, key=self.marks.get)

    def apply(self, img, first, last):
        """Entries [first, last) onto the bytearray img (the sentinels, past
        its end, left out)."""
        for flags, sector, nr, off in self.entries[first:last]:
            if flags & MARK or nr == 0 or sector * 512 >= len(img):
                continue
            a, b = sector * 512, (sector + nr) * 512
            if b > len(img):
                raise ValueError(f"{self.path}: a write past the disk's end")
            if flags & DISCARD:
                img[a:b] = bytes(b - a)
            else:
                self.f.seek(off)
                img[a:b] = self.f.read(b - a)

    def writes(self, first, last):
        """Whether entries [first, last) change the disk."""
        return any(e[2] and not e[0] & MARK for e in self.entries[first:last])

    def unflushed(self, name):
        """(first, last): the entries of the writes completed but not yet
        durable at mark NAME: those before its sentinel in its batch."""
        if name not in self.sentinels:
            raise ValueError(f"{self.path}: no sentinel of mark {name} (no FLUSH after it)")
        last = first = self.sentinels[name]
        while first > self.marks[name] + 1 and not self.entries[first - 1][0] & (FLUSH | FUA | MARK):
            first -= 1
        return first, last


class Disk:
    def __init__(self, img_path, log_path, size, sentinel):
        self.img_path, self.log = img_path, Log(log_path, sentinel)
        self.img, self.at = bytearray(size), 0

    def write(self, data):
        with open(self.img_path, "r+b") as f:
            f.write(data)

    def to_mark(self, name, keep):
        i = self.log.marks[name]
        if i < self.at:
            raise ValueError(f"mark {name} is behind the replay")
        self.log.apply(self.img, self.at, i)
        self.at = i
        if not keep:
            self.write(self.img)
            return
        kept = bytearray(self.img)
        self.log.apply(kept, *self.log.unflushed(name))
        self.write(kept)


def plan(names, seed, per_phase, steps):
    rnd = random.Random(seed)
    phases = {}
    for n in names:
        parts = n.split(".")
        if len(parts) >= 2:
            phases.setdefault(parts[1], []).append(n)
    chosen = {n for n in names if n.split(".")[2:] and n.split(".")[2] in steps}
    for members in phases.values():
        chosen.update(rnd.sample(members, min(per_phase, len(members))))
    return [n for n in names if n in chosen]


def parity(off_sect, size_kib, chunk, devs):
    fds = [os.open(d, os.O_RDONLY | os.O_DIRECT) for d in devs]
    step, bad, pos = 1 << 20, 0, 0
    size, off = size_kib * 1024, off_sect * 512
    bufs = [mmap.mmap(-1, step) for _ in fds]
    try:
        while pos < size:
            n = min(step, size - pos)
            acc = 0
            for fd, b in zip(fds, bufs):
                if os.preadv(fd, [b], off + pos) < n:
                    raise ValueError("short read")
                acc ^= int.from_bytes(b[:n], "little")
            x = acc.to_bytes(n, "little")
            bad += sum(1 for c in range(0, n, chunk) if x[c:c + chunk].count(0) != chunk)
            pos += n
    finally:
        for fd in fds:
            os.close(fd)
    return bad


def command(disks, words):
    if words[0] == "image" and len(words) == 3 and words[2] == "kept":
        i = [d.log.marks[words[1]] for d in disks]
        if all(d.at == j and not d.log.writes(*d.log.unflushed(words[1])) for d, j in zip(disks, i)):
            return f"same {words[1]}"
    if words[0] == "image" and len(words) == 3 and words[2] in ("lost", "kept"):
        for d in disks:
            d.to_mark(words[1], words[2] == "kept")
        return f"ok {words[1]}"
    if words[0] == "parity" and len(words) >= 5:
        return f"ok {parity(int(words[1]), int(words[2]), int(words[3]), words[4:])}"
    raise ValueError(f"bad command: {' '.join(words)}")


def serve(args):
    opts, pairs, steps = {}, [], []
    while args:
        a = args.pop(0)
        if a in ("--size", "--sentinel", "--seed", "--per-phase"):
            opts[a] = int(args.pop(0))
        elif a == "--steps":
            steps = args.pop(0).split(",")
        else:
            pairs.append(a.split("=", 1))
    disks = [Disk(img, log, opts["--size"], opts["--sentinel"]) for img, log in pairs]
    names = disks[0].log.names
    for d in disks[1:]:
        if d.log.names != names:
            sys.exit(f"lwlog: {d.log.path}: its marks differ from {disks[0].log.path}'s")
    print("plan " + " ".join(plan(names, opts["--seed"], opts["--per-phase"], steps)), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        try:
            print(command(disks, words), flush=True)
        except (ValueError, KeyError, OSError) as e:
            print(f"err {e}", flush=True)


def selftest():
    """A log of one disk's history; replays must match by hand."""
    d = tempfile.mkdtemp()
    log, img = os.path.join(d, "log"), os.path.join(d, "img")
    ents = []

    def ent(flags, sector=0, data=b"", name=b""):
        hdr = ENTRY.pack(sector, len(data) // 512, flags, len(name)) + name
        ents.append(hdr.ljust(512, b"\0") + data)

    def sentinel(name):
        ent(0, 8, (SENTINEL + name + b"\0").ljust(SENTINEL_BYTES, b"\0"))

    a, b, c, e, z = b"A" * 1024, b"B" * 512, b"C" * 512, b"E" * 512, bytes(512)
    ent(MARK, name=b"0.pre")
    sentinel(b"0.pre")        # no write was waiting for a flush
    ent(0, 2, a)              # written, then covered by a flush
    ent(FLUSH)
    ent(FUA, 0, b)            # durable at once
    ent(MARK, name=b"1.x")
    ent(0, 4, c)              # completed before 1.x, flushed after it
    sentinel(b"1.x")
    ent(0, 5, e)              # completed after 1.x, same flush
    ent(FLUSH)
    ent(MARK, name=b"2.x.step")
    ent(MARK, name=b"3.x")
    ent(FUA, 7, c)            # after both marks, durable at once: in neither
    ents.append(ENTRY.pack(2, 2, DISCARD, 0).ljust(512, b"\0"))  # before 2
    sentinel(b"2.x.step")
    ent(0, 6, c)              # between 2 and 3
    sentinel(b"3.x")
    ent(0, 6, e)              # after 3
    ent(FLUSH)
    ent(MARK, name=b"4.x")    # its sentinel is never flushed
    with open(log, "wb") as f:
        f.write(SUPER.pack(MAGIC, 1, len(ents), 512).ljust(512, b"\0"))
        f.write(b"".join(ents))
    with open(img, "wb") as f:
        f.truncate(8 * 512)
    disk = Disk(img, log, 8 * 512, 8)
    want = [
        ("0.pre", False, z * 8),
        ("1.x", False, b + z + a + z * 4),
        ("1.x", True, b + z + a + c + z * 3),
        ("2.x.step", False, b + z + a + c + e + z * 2),
        ("2.x.step", True, b + z * 3 + c + e + z * 2),
        ("3.x", True, b + z * 3 + c + e + c + z),
        ("3.x", False, b + z + a + c + e + z * 2),
    ]
    if command([disk], ["image", "0.pre", "kept"]) != "same 0.pre":
        sys.exit("lwlog selftest: 0.pre: nothing was waiting, yet kept is not the same")
    for name, keep, data in want:
        if keep and command([disk], ["image", name, "kept"]) != f"ok {name}":
            sys.exit(f"lwlog selftest: {name}: kept said to be the same")
        disk.to_mark(name, keep)
        with open(img, "rb") as f:
            got = f.read()
        if got != data:
            sys.exit(f"lwlog selftest: {name} {'kept' if keep else 'lost'}: wrong image")
    try:
        disk.to_mark("4.x", True)
        sys.exit("lwlog selftest: 4.x kept without its sentinel")
    except ValueError:
        pass
    if (plan(disk.log.names, 1, 0, ["step"]) != ["2.x.step"] or
            len(plan(disk.log.names, 1, 5, [])) != 5):
        sys.exit("lwlog selftest: wrong plan")
    print("lwlog selftest: ok")


# struct dm_ioctl (linux/dm-ioctl.h): version[3], data_size, data_start,
# target_count, open_count, flags, event_nr, padding, dev, name[128], ...
DM_HDR = struct.Struct("<3IIIIiIIIQ128s")
DM_HDR_BYTES = 312
DM_DEV_SUSPEND, DM_TARGET_MSG = 0xC138FD06, 0xC138FD0E
DM_SUSPEND_FLAG, DM_SKIP_LOCKFS_FLAG = 1 << 1, 1 << 10


class Marker:
    def __init__(self, sentinel, pairs):
        self.fd = os.open("/dev/mapper/control", os.O_RDWR)
        self.tops = [top for top, _ in pairs]
        self.logs = [(name, os.open(f"/dev/mapper/{name}", os.O_RDWR | os.O_DIRECT))
                     for _, name in pairs]
        self.at, self.buf = sentinel * 512, mmap.mmap(-1, SENTINEL_BYTES)
        self.seq, self.phase = 0, "pre"

    def ioctl(self, req, name, flags, payload=b""):
        size = DM_HDR_BYTES + len(payload)
        buf = bytearray(size)
        DM_HDR.pack_into(buf, 0, 4, 0, 0, size, DM_HDR_BYTES, 0, 0, flags, 0, 0, 0,
                         name.encode())
        buf[DM_HDR_BYTES:] = payload
        fcntl.ioctl(self.fd, req, buf, True)

    def mark(self, step=None):
        self.seq += 1
        name = f"{self.seq}.{self.phase}" + (f".{step}" if step else "")
        held = []
        self.buf[:] = (SENTINEL + name.encode() + b"\0").ljust(SENTINEL_BYTES, b"\0")
        try:
            for n in self.tops:
                self.ioctl(DM_DEV_SUSPEND, n, DM_SUSPEND_FLAG | DM_SKIP_LOCKFS_FLAG)
                held.append(n)
            msg = struct.pack("<Q", 0) + f"mark {name}".encode() + b"\0"
            for n, fd in self.logs:
                if os.pwritev(fd, [self.buf], self.at) != SENTINEL_BYTES:
                    raise OSError(f"{n}: short sentinel write")
                self.ioctl(DM_TARGET_MSG, n, 0, msg)
        finally:
            for n in held:
                self.ioctl(DM_DEV_SUSPEND, n, 0)
        return self.seq

    def flush(self):
        for _, fd in self.logs:
            os.fsync(fd)


def marker(args):
    interval, m = float(args[0]), Marker(int(args[1]), [a.split("=", 1) for a in args[2:]])
    print("ready", flush=True)
    pending, due = b"", time.monotonic() + interval
    while True:
        if not select.select([0], [], [], max(0, due - time.monotonic()))[0]:
            m.mark()
            due = time.monotonic() + interval
            continue
        chunk = os.read(0, 4096)
        if not chunk:
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            words = line.decode().split()
            if words[:1] == ["phase"] and len(words) == 2:
                m.phase = words[1]
                print(f"ok {m.mark()}", flush=True)
            elif words[:1] == ["mark"] and len(words) == 2:
                print(f"ok {m.mark(words[1])}", flush=True)
            elif words == ["quit"]:
                m.flush()
                print(f"ok {m.seq}", flush=True)
                return
            else:
                print(f"err bad command: {line.decode()}", flush=True)


def main():
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2:])
    elif sys.argv[1:2] == ["marker"] and len(sys.argv) > 4:
        marker(sys.argv[2:])
    elif sys.argv[1:2] == ["parity"] and len(sys.argv) > 5:
        print(parity(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]))
    elif sys.argv[1:] == ["selftest"]:
        selftest()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
