#!/bin/bash
# vm-timeout: 600
# Not a test (tests/vm/run.sh only runs tests/vm/t*.sh): a tool that makes
# golden images of an Online Capacity Expansion as the peer, Debian's mdadm
# 4.2, writes it, for tests/unit/test-imsm-reshape.c.  Run it from the top
# of the tree:
#
#   VMTEST_LOGDIR=$(mktemp -d) tests/vm/run.sh tests/vm/tools/capture-golden-olce.sh
#
# Three containers on 64 MiB loop disks, each grown by one disk with
# "mdadm-peer --grow <container> --raid-devices=N" while md is slowed down
# (speed_limit_max), then interrupted: the background mdadm that runs the
# reshape gets SIGTERM (it stops after the current unit, md waits at its
# sync_max), then volumes and container are stopped.
#
#   olce-r5   one raid5 volume, 3 -> 4 disks, 128 KiB chunk, 16 MiB/member
#   olce-r0   one raid0 volume, 2 -> 3 disks, 64 KiB chunk, 16 MiB/member
#             (the peer runs it through raid4)
#   olce-2vol raid5 (64 KiB, 4 MiB/member) + raid0 (128 KiB, 16 MiB/member),
#             3 -> 4 disks, interrupted while the second volume migrates
#             (the first one has finished: mdmon ended its migration and
#             started the second's, imsm-format.md §6.5.1)
#
# For each case NAME it writes into the log folder (/results in the guest),
# in the format of tests/unit/fixtures/*.hex:
#   golden-NAME-before.hex  the MPB of the slot-0 member before the grow
#   golden-NAME-spare.hex   the spare record of the disk that is added
#   golden-NAME-mid.hex     the MPB of the slot-0 member after the stop
#   golden-NAME-migr.hex    the migration record sector (LBA N-1) of it
#   golden-NAME-*.txt       "mdadm-peer -E" of the same disk at that time
# To refresh the fixtures copy them to tests/unit/fixtures/imsm-golden-*.
# shellcheck source=tests/vm/lib.sh
. "$VMTEST_LIB"

P=mdadm-peer
make_disks 11 64
D=("${DISKS[@]}")

quiet() { "$@" >/dev/null 2>&1 || fail "'$*' failed"; }

# to_hex FILE TITLE: the fixture text of FILE ("*" for repeated zero lines,
# the last line always written so that it gives the length).
to_hex() {
	python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
print("# " + sys.argv[2])
print("# written by Debian's mdadm 4.2, captured by tests/vm/tools/capture-golden-olce.sh")
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

# rd DEV LBA COUNT: sectors of a disk, bypassing the page cache (the
# container may be running and mdmon writes with O_DIRECT).
rd() {
	dd if="$1" bs=512 skip="$2" count="$3" iflag=direct status=none
}

# capture_mpb NAME DEV: the MPB (anchor first, then the extension sectors,
# as tests/vm/tools/capture-golden.sh stores it) and the peer's -E text.
capture_mpb() {
	local name=$1 dev=$2 n size s out=/results/golden-$1
	n=$(blockdev --getsz "$dev")
	size=$(rd "$dev" $((n - 2)) 1 | od -An -tu4 -j 36 -N4 | tr -d ' ')
	if [ -z "$size" ] || [ "$size" -eq 0 ]; then fail "$dev: no mpb_size"; fi
	s=$(((size + 511) / 512))
	rd "$dev" $((n - 2)) 1 >"$out.bin"
	[ "$s" -le 1 ] || rd "$dev" $((n - 1 - s)) $((s - 1)) >>"$out.bin"
	to_hex "$out.bin" "$name: the $size-byte MPB ($s sectors) of $dev" >"$out.hex"
	$P -E "$dev" >"$out.txt" 2>&1 || true
	note "$name: $dev, mpb_size $size"
}

# capture_migr NAME DEV: the migration record sector, LBA N-1.
capture_migr() {
	local out=/results/golden-$1 n
	n=$(blockdev --getsz "$2")
	rd "$2" $((n - 1)) 1 >"$out.bin"
	to_hex "$out.bin" "$1: the migration record sector (LBA N-1) of $2" >"$out.hex"
}

slow() { # KiB/s
	echo 100 >/proc/sys/dev/raid/speed_limit_min
	echo "$1" >/proc/sys/dev/raid/speed_limit_max
}

# unit_of DISK: "Current Unit" of the peer's migration record view, or -1
unit_of() {
	local u
	u=$(examine_field "$1" "Current Unit" $P)
	echo "${u:--1}"
}

unit_at_least() { # DISK UNIT
	[ "$(unit_of "$1")" -ge "$2" ]
}

# second_volume_migrating DISK: the peer shows a general migration in the
# second volume's block of --examine
second_volume_migrating() {
	$P -E "$1" 2>/dev/null | awk '/^\[/ { v++ } v == 2 && /Migrate State : general migration/ { f = 1 } END { exit !f }'
}

# The background mdadm that runs the reshape: the forked copy of the
# --grow command (no systemd in the guest), the only mdadm-peer left.
grow_pid() {
	pgrep -f -- "$P --grow" | head -1
}

# interrupt: SIGTERM to the reshape process, wait until it has gone.
interrupt() {
	local pid
	pid=$(grow_pid)
	[ -n "$pid" ] || fail "no background mdadm found"
	kill -TERM "$pid"
	wait_until 60 sh -c "! kill -0 $pid 2>/dev/null"
	note "reshape process $pid stopped"
	cat /proc/mdstat
}

stop_all() { # members... container
	local a
	for a in "$@"; do quiet $P -S "$a"; done
}

add_spare() { # container disk
	quiet $P --add "$1" "$2"
	wait_until 30 sh -c "$P -E $2 2>/dev/null | grep -q 'Disk Serial'"
	sleep 1
}

echo 200000 >/proc/sys/dev/raid/speed_limit_max

note "olce-r5: raid5 3 -> 4"
quiet $P -C /dev/md/c5 -e imsm -n3 --run "${D[0]}" "${D[1]}" "${D[2]}"
quiet $P -C /dev/md/r5 -l5 -n3 -c128 -z 16M --assume-clean --run /dev/md/c5
add_spare /dev/md/c5 "${D[3]}"
capture_mpb olce-r5-before "${D[0]}"
capture_mpb olce-r5-spare "${D[3]}"
slow 600
quiet $P --grow /dev/md/c5 --raid-devices=4
wait_until 120 unit_at_least "${D[0]}" 2
interrupt
stop_all /dev/md/r5 /dev/md/c5
capture_mpb olce-r5-mid "${D[0]}"
capture_migr olce-r5-migr "${D[0]}"

note "olce-r0: raid0 2 -> 3"
echo 200000 >/proc/sys/dev/raid/speed_limit_max
quiet $P -C /dev/md/c0 -e imsm -n2 --run "${D[4]}" "${D[5]}"
quiet $P -C /dev/md/r0 -l0 -n2 -c64 -z 16M --run /dev/md/c0
add_spare /dev/md/c0 "${D[6]}"
capture_mpb olce-r0-before "${D[4]}"
capture_mpb olce-r0-spare "${D[6]}"
slow 600
quiet $P --grow /dev/md/c0 --raid-devices=3
wait_until 120 unit_at_least "${D[4]}" 2
interrupt
stop_all /dev/md/r0 /dev/md/c0
capture_mpb olce-r0-mid "${D[4]}"
capture_migr olce-r0-migr "${D[4]}"

note "olce-2vol: raid5 + raid0, 3 -> 4, stopped in the second volume"
echo 200000 >/proc/sys/dev/raid/speed_limit_max
quiet $P -C /dev/md/c2 -e imsm -n3 --run "${D[7]}" "${D[8]}" "${D[9]}"
quiet $P -C /dev/md/v5 -l5 -n3 -c64 -z 4M --assume-clean --run /dev/md/c2
quiet $P -C /dev/md/v0 -l0 -n3 -c128 -z 16M --run /dev/md/c2
add_spare /dev/md/c2 "${D[10]}"
capture_mpb olce-2vol-before "${D[7]}"
capture_mpb olce-2vol-spare "${D[10]}"
slow 1500
quiet $P --grow /dev/md/c2 --raid-devices=4
wait_until 240 second_volume_migrating "${D[7]}"
slow 300
wait_until 120 unit_at_least "${D[7]}" 1
interrupt
stop_all /dev/md/v0 /dev/md/v5 /dev/md/c2
capture_mpb olce-2vol-mid "${D[7]}"
capture_migr olce-2vol-migr "${D[7]}"

grep -q '^md' /proc/mdstat && fail "arrays still running"
ls -l /results/golden-olce-*
note "golden OLCE images written"
