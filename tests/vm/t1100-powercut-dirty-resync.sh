#!/bin/bash
# vm-timeout: 300
# vm-disks: 4x64
# vm-boots: 2
# Power cut while writing (issue 4): a raid5 volume is being written when
# the power goes, so its metadata says dirty; on the next boot our
# assembly hands md a dirty volume, md resyncs it from the start, and the
# metadata ends clean and normal.  The disks are virtio drives over host
# files that outlive the VM (run.sh: vm-disks, vm-boots, power_cut).
#  boot 1: create the container and the volume (--assume-clean), write a
#     pattern and sync it, see the volume marked clean, then write
#     continuously to another region (O_DIRECT), see our -E and the peer's
#     say dirty, cut the power mid-write.
#  boot 2: the metadata still says dirty; count the raid5 rows whose parity
#     does not match (what the cut left); our `mdadm -A --scan` assembles
#     the four drives, md's resync_start is 0 and a resync runs (recorded
#     as a repair migration); `mdadm --wait`; our -E and the peer's say
#     clean, idle, normal; the pattern reads back; with the array stopped
#     every row's parity matches (the resync repaired what the cut left).
. "$VMTEST_LIB"
use_vm_disks
[ "${#DISKS[@]}" -eq 4 ] || fail "expected 4 disks: ${DISKS[*]}"

dirty_state() { # DISK [PROGRAM]
	examine_field "$1" 'Dirty State' "${2:-mdadm}"
}

dirty_is() { # DISK clean|dirty [PROGRAM]
	[ "$(dirty_state "$1" "${3:-mdadm}")" = "$2" ]
}

slow_resync() { # KB/s
	echo 100 >/proc/sys/dev/raid/speed_limit_min
	echo "$1" >/proc/sys/dev/raid/speed_limit_max
}

now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }'; }

# bad_rows: raid5 rows (chunk-sized) whose members do not XOR to zero,
# read from the member disks with O_DIRECT (the array must be stopped).
bad_rows() {
	python3 - "$(state_get offset)" "$(state_get component_kib)" "$(state_get chunk)" "${DISKS[@]}" <<'EOF'
import mmap, os, sys
off, size, chunk = int(sys.argv[1]) * 512, int(sys.argv[2]) * 1024, int(sys.argv[3])
fds = [os.open(d, os.O_RDONLY | os.O_DIRECT) for d in sys.argv[4:]]
step = 1 << 20
bufs = [mmap.mmap(-1, step) for _ in fds]
bad = pos = 0
while pos < size:
    n = min(step, size - pos)
    acc = 0
    for fd, b in zip(fds, bufs):
        if os.preadv(fd, [b], off + pos) < n:
            sys.exit("short read")
        acc ^= int.from_bytes(b[:n], "little")
    x = acc.to_bytes(n, "little")
    bad += sum(1 for c in range(0, n, chunk) if x[c:c + chunk].count(0) != chunk)
    pos += n
print(bad)
EOF
}

writer() { # O_DIRECT writes over MiB 48..96 of the volume until the cut
	while :; do
		dd if=/dev/urandom of=/dev/md/r5 bs=1M seek=48 count=48 oflag=direct conv=notrunc status=none
	done
}

boot1() {
	run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n4 "${DISKS[@]}"
	run_expect 0 mdadm -C /dev/md/r5 -l5 -n4 -z 32M --assume-clean /dev/md/imsm0
	vol=$(md_devnm /dev/md/r5)
	state_put component_kib "$(cat "/sys/block/$vol/md/component_size")"
	state_put offset "$(cat "/sys/block/$vol/md/dev-${DISKS[0]#/dev/}/offset")"
	state_put chunk "$(cat "/sys/block/$vol/md/chunk_size")"
	note "volume $vol: component $(state_get component_kib) KiB at sector $(state_get offset), chunk $(state_get chunk)"

	pattern_write /dev/md/r5 1100 40
	wait_until 30 dirty_is "${DISKS[0]}" clean
	note "pattern synced; the metadata says clean"

	writer &
	wait_until 30 dirty_is "${DISKS[0]}" dirty
	for d in "${DISKS[@]}"; do
		dirty_is "$d" dirty || fail "$d: our -E says '$(dirty_state "$d")' while writing"
	done
	dirty_is "${DISKS[1]}" dirty mdadm-peer || fail "the peer's -E says '$(dirty_state "${DISKS[1]}" mdadm-peer)' while writing"
	w0=$(awk '{ print $5 }' "/sys/block/$vol/stat")
	wait_until 30 sh -c "[ \$(awk '{ print \$5 }' /sys/block/$vol/stat) -gt $w0 ]"
	note "writing: array_state $(cat "/sys/block/$vol/md/array_state"), our -E and the peer's say dirty"
	power_cut
}

boot2() {
	local t0 start secs rc peer_e
	[ -z "$(awk '/^md/' /proc/mdstat)" ] || fail "arrays running before our assembly: $(cat /proc/mdstat)"
	for d in "${DISKS[@]}"; do
		dirty_is "$d" dirty || fail "$d: our -E says '$(dirty_state "$d")' after the cut"
	done
	dirty_is "${DISKS[2]}" dirty mdadm-peer || fail "the peer's -E says '$(dirty_state "${DISKS[2]}" mdadm-peer)' after the cut"
	mdadm -E "${DISKS[0]}" | grep -E 'Generation|Migrate State|Map State|Dirty State'
	note "after the cut: the metadata says dirty; raid5 rows with a parity mismatch: $(bad_rows)"

	slow_resync 20 # resync_start is read before md's first checkpoint
	t0=$(now)
	run_expect 0 mdadm -A --scan
	secs=$(since "$t0")
	cat /proc/mdstat
	vol=$(md_devnm "$(vol_path r5)")
	grep -q '\[4/4\] \[UUUU\]' /proc/mdstat || fail "the volume is not assembled from all 4 drives"
	start=$(cat "/sys/block/$vol/md/resync_start")
	note "our mdadm -A --scan took ${secs}s; resync_start $start, sync_action $(cat "/sys/block/$vol/md/sync_action")"
	[ "$start" = 0 ] || fail "resync_start '$start' for a volume left dirty: expected 0"
	[ "$(cat "/sys/block/$vol/md/component_size")" = "$(state_get component_kib)" ] || fail "component size changed"
	wait_until 30 grep -qx resync "/sys/block/$vol/md/sync_action"
	wait_until 30 sh -c "mdadm -E ${DISKS[0]} | grep -q 'Migrate State : repair'"
	note "md resyncs; the metadata records a repair migration"

	slow_resync 200000
	t0=$(now)
	rc=0
	mdadm --wait "$(vol_path r5)" || rc=$?
	[ "$rc" -le 1 ] || fail "mdadm --wait exited $rc"
	note "mdadm --wait returned $rc after $(since "$t0")s"
	wait_until 60 sh -c "grep -qx idle /sys/block/$vol/md/sync_action && grep -qx none /sys/block/$vol/md/resync_start"
	wait_until 30 dirty_is "${DISKS[0]}" clean mdadm-peer
	for p in mdadm mdadm-peer; do
		peer_e=$("$p" -E "${DISKS[0]}")
		for f in 'Dirty State : clean' 'Migrate State : idle' 'Map State : normal$'; do
			grep -q "$f" <<<"$peer_e" || fail "$p -E: no '$f' after the resync"
		done
	done
	mdadm -E "${DISKS[0]}" | grep -E 'Generation|Migrate State|Map State|Dirty State'
	pattern_verify "$(vol_path r5)" 1100 40

	run_expect 0 mdadm -S "$(vol_path r5)"
	run_expect 0 mdadm -S /dev/md/imsm0
	[ "$(bad_rows)" = 0 ] || fail "$(bad_rows) raid5 rows still mismatch after the resync"
	note "after the resync every raid5 row's parity matches"
}

case $VMTEST_BOOT in
1) boot1 ;;
2) boot2 ;;
*) fail "unexpected VMTEST_BOOT=$VMTEST_BOOT" ;;
esac
