#!/bin/bash
# vm-timeout: 400
# scratch (demo task): raid5+raid0 OLCE 3->4; one python process reads
# the raid0 volume 1 MiB at a time (O_DIRECT) all along and logs every
# wrong MiB with md's state at that moment.
. "$VMTEST_LIB"
make_disks 4 64
A=("${DISKS[@]}")
mdadm -C /dev/md/imsm0 -e imsm -n3 "${A[@]:0:3}"
mdadm -C /dev/md/vol0 -l5 -n3 -c 64 -z 16M --assume-clean /dev/md/imsm0
mdadm -C /dev/md/vol1 -l0 -n3 -c 64 -z 16M /dev/md/imsm0
pattern_write /dev/md/vol0 1 32
pattern_write /dev/md/vol1 2 48
m1=$(md_devnm /dev/md/vol1)
mdadm --add /dev/md/imsm0 "${A[3]}"
cat >/tmp/rd.py <<'PY'
import mmap, os, sys, time
dev, pat, md, stop = sys.argv[1:5]
M = 1 << 20
ref = open(pat, "rb").read()
buf = mmap.mmap(-1, M)
def st():
    out = []
    for a in ("level", "reshape_position", "sync_action", "array_size", "raid_disks", "suspend_lo", "suspend_hi", "sync_completed"):
        try: out.append(a + "=" + open("/sys/block/%s/md/%s" % (md, a)).read().strip())
        except OSError as e: out.append(a + "=?")
    return " ".join(out)
t0 = time.time(); passes = 0; bad = 0
while True:
    done = os.path.exists(stop)
    fd = os.open(dev, os.O_RDONLY | os.O_DIRECT)
    for i in range(len(ref) // M):
        s0 = st()
        n = os.preadv(fd, [buf], i * M)
        if buf[:n] != ref[i*M:i*M+n]:
            # which 4k blocks differ
            blk = [k for k in range(0, M, 4096) if buf[k:k+4096] != ref[i*M+k:i*M+k+4096]]
            print("%.2fs BAD MiB %d (%d 4k blocks, first at +%d) before: %s | after: %s" % (time.time()-t0, i, len(blk), blk[0], s0, st()), flush=True)
            bad += 1
    os.close(fd)
    passes += 1
    if done: break
print("passes %d bad %d" % (passes, bad))
PY
python3 /tmp/rd.py /dev/md/vol1 /tmp/pat/2-48 "$m1" /tmp/stop &
r=$!
sleep 3
mdadm --grow /dev/md/imsm0 --raid-devices=4
echo "grow rc=$?"
sleep 2
touch /tmp/stop
wait $r
pattern_verify /dev/md/vol0 1 32
pattern_verify /dev/md/vol1 2 48
