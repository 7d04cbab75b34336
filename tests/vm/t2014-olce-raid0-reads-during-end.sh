#!/bin/bash
# vm-timeout: 240
# Reads of a raid0 volume stay right across its OLCE, and never stall it.
# md takes the volume over to raid4 for the reshape and back to raid0 at
# the end: a read that md split for raid4 (up to 1 MiB) and held while the
# level became raid0 went to raid0, which maps everything past its first
# chunk boundary onto one member (6.1: a 1 MiB read got 896 KiB of other
# chunks); mdadm now limits raid4's requests to one chunk.  And a read of
# an old row that straddles md's position waits for md to move on: had
# md been held there while mdadm moved the suspend window, both waited for
# good; mdadm now moves the window only while md stands at the end of an
# old row (one window over the critical section, aligned limits after).
# Two readers per raid0 volume read it 1 MiB at a time with O_DIRECT from
# before the grow until after it, the reshape slowed so that they read
# while it runs, and compare every read with the pattern; one wrong read
# fails the test.  Cases: raid0 3->4 (units end inside old rows), raid5 +
# raid0 3->4.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

cat >/tmp/olce-reader.py <<'PY'
import mmap, os, sys, time
dev, pat, devnm, stop = sys.argv[1:5]
M = 1 << 20
ref = open(pat, "rb").read()
buf = mmap.mmap(-1, M)
seen = {}
wrong = across = 0
def attr(name):
    try:
        return open("/sys/block/%s/md/%s" % (devnm, name)).read().strip()
    except OSError:
        return "none"
while True:
    last = os.path.exists(stop)
    fd = os.open(dev, os.O_RDONLY | os.O_DIRECT)
    for i in range(len(ref) // M):
        lvl = attr("level") + ("+reshape" if attr("reshape_position") != "none" else "")
        seen[lvl] = seen.get(lvl, 0) + 1
        n = os.preadv(fd, [buf], i * M)
        if attr("level") != lvl.split("+")[0]:
            across += 1
        if n == M and buf[:] == ref[i * M:(i + 1) * M]:
            continue
        wrong += 1
        bad = [k for k in range(0, n, 4096) if buf[k:k + 4096] != ref[i * M + k:i * M + k + 4096]]
        print("wrong read at MiB %d (level %s before it, %s after): %d bytes, %d of 256 4k blocks wrong, first at +%d"
              % (i, lvl, attr("level"), n, len(bad) + (M - n) // 4096, bad[0] if bad else n), flush=True)
    os.close(fd)
    if last:
        break
print("reads by level: %s; across a level change %d; wrong %d"
      % (" ".join("%s=%d" % kv for kv in sorted(seen.items())), across, wrong))
sys.exit(1 if wrong else 0)
PY

# reads_during_grow: OLCE_OLD -> OLCE_NEW of the container olce_make
# made, two readers on each raid0 volume from before to after it.
reads_during_grow() {
	local i pids=() rc=0 p
	rm -f /tmp/stop
	for i in "${!V[@]}"; do
		[ "${OLCE_LEVELS[i]}" = 0 ] || continue
		for p in a b; do
			python3 /tmp/olce-reader.py "${V[i]}" "$(pattern_file $((OLCE_SEED * 10 + i)) $((S0[i] >> 20)))" \
				"$(md_devnm "${V[i]}")" /tmp/stop >"/tmp/reader-$i$p.out" 2>&1 &
			pids+=($!)
		done
	done
	echo 3000 >/proc/sys/dev/raid/speed_limit_max
	run_expect 0 mdadm --grow "$C" --raid-devices="$OLCE_NEW"
	echo 200000 >/proc/sys/dev/raid/speed_limit_max
	touch /tmp/stop
	for p in "${pids[@]}"; do
		wait "$p" || rc=1
	done
	for i in /tmp/reader-*.out; do
		note "reader ${i#/tmp/reader-}: $(tail -1 "$i")"
	done
	[ "$rc" = 0 ] || { cat /tmp/reader-*.out; fail "a reader got wrong data during the OLCE of ${OLCE_LEVELS[*]}"; }
	grep -q 'raid4=[1-9]' /tmp/reader-*.out || fail "no reader read while a volume was raid4"
	grep -q 'raid4+reshape=[1-9]' /tmp/reader-*.out || fail "no reader read while md reshaped"
	rm -f /tmp/reader-*.out
	olce_check_grown
}

olce_make 3 4 0
reads_during_grow

olce_make 3 4 5 0
reads_during_grow
