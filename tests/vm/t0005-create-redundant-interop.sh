#!/bin/bash
# vm-timeout: 400
# Redundant volumes we create run under our mdmon: writes mark them dirty
# on disk first, idle marks them clean, an initial resync ends with the
# volume normal, --stop leaves them clean.  Debian's mdadm then examines
# them (clean, normal, same generation on every disk), assembles them
# with its own mdmon and reads back our data.
. "$VMTEST_LIB"

make_disks 4 64
peer_vol_field() { # disk volume field
	mdadm-peer -E "$1" 2>/dev/null | sed -n "/^\[$2\]:/,/^$/p" | sed -n "s/^ *$3 : //p"
}
expect_clean() { # volume disks...
	local v=$1 d
	shift
	for d in "$@"; do
		[ "$(peer_vol_field "$d" "$v" 'Dirty State')" = clean ] || fail "$v dirty on $d"
		[ "$(peer_vol_field "$d" "$v" 'Map State')" = normal ] || fail "$v not normal on $d"
	done
}
same_generation() {
	local g0 d
	g0=$(examine_field "$1" Generation mdadm-peer)
	for d in "$@"; do
		[ "$(examine_field "$d" Generation mdadm-peer)" = "$g0" ] || fail "generations differ"
	done
}

run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n4 "${DISKS[@]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 -z 16M --assume-clean /dev/md/imsm0
ctr=$(md_devnm /dev/md/imsm0)
[ -f "/run/mdadm/$ctr.pid" ] || fail "mdadm did not start mdmon"
wait_until 10 grep -qx read-auto "/sys/block/$(md_devnm /dev/md/r5)/md/array_state"
pattern_write /dev/md/r5 31 32
[ "$(peer_vol_field "${DISKS[0]}" r5 'Dirty State')" = dirty ] || fail "not dirty while written"
wait_until 15 sh -c "[ \"\$(mdadm-peer -E ${DISKS[0]} | sed -n 's/^ *Dirty State : //p')\" = clean ]"
note "dirty while writing, clean after the idle delay"

# A second volume on the first two disks, initialised by a resync (held
# back at first so that its uninitialized state can be seen).
echo 50 >/proc/sys/dev/raid/speed_limit_max
run_expect 0 mdadm -C /dev/md/r1 -l1 -n2 -z 8M "${DISKS[0]}" "${DISKS[1]}"
r1=$(md_devnm /dev/md/r1)
# (once the resync runs, the INIT migration shows "normal <-- uninitialized")
case "$(peer_vol_field "${DISKS[0]}" r1 'Map State')" in
uninitialized | "normal <-- uninitialized") ;;
*) fail "r1 not uninitialized" ;;
esac
grep -qx resync "/sys/block/$r1/md/sync_action" || fail "r1 is not resyncing"
echo 200000 >/proc/sys/dev/raid/speed_limit_max
wait_until 120 sh -c "grep -qx idle /sys/block/$r1/md/sync_action && grep -qx none /sys/block/$r1/md/resync_start"
pattern_write /dev/md/r1 32 8
run_expect 0 mdadm -S /dev/md/r5 /dev/md/r1
expect_clean r5 "${DISKS[0]}" "${DISKS[1]}" "${DISKS[2]}"
expect_clean r1 "${DISKS[0]}" "${DISKS[1]}"
same_generation "${DISKS[0]}" "${DISKS[1]}" "${DISKS[2]}"
run_expect 0 mdadm -S /dev/md/imsm0
wait_until 10 sh -c "[ ! -e /run/mdadm/$ctr.pid ]"
note "stopped clean; mdmon gone with the container"

mdadm-peer -A /dev/md/imsm0 "${DISKS[@]}" 2>&1
mdadm-peer -I /dev/md/imsm0 2>&1
pattern_verify "$(vol_path r5)" 31 32
pattern_verify "$(vol_path r1)" 32 8
stop_all_md
sleep 1

# raid10 over four disks, created without --assume-clean.
run_expect 0 mdadm -C /dev/md/imsm1 -e imsm -n4 --force "${DISKS[@]}"
run_expect 0 mdadm -C /dev/md/r10 -l10 -n4 -z 12M /dev/md/imsm1
r10=$(md_devnm /dev/md/r10)
wait_until 120 sh -c "grep -qx idle /sys/block/$r10/md/sync_action && grep -qx none /sys/block/$r10/md/resync_start"
pattern_write /dev/md/r10 33 24
run_expect 0 mdadm -S /dev/md/r10
expect_clean r10 "${DISKS[@]}"
[ "$(peer_vol_field "${DISKS[3]}" r10 'RAID Level')" = 10 ] || fail "r10 level"
run_expect 0 mdadm -S /dev/md/imsm1
mdadm-peer -A /dev/md/imsm1 "${DISKS[@]}" 2>&1
mdadm-peer -I /dev/md/imsm1 2>&1
pattern_verify "$(vol_path r10)" 33 24
note "raid5, raid1 and raid10 made by us are read by the peer"
