#!/bin/bash
# vm-timeout: 240
# Incremental assembly as udev runs it: Debian's mdadm -I on the disks
# first, then ours on the same disks: the same /dev/md names (imsm0,
# NAME_0 for the foreign volumes) and the same map lines (UUID, path).
# Then --export, --rebuild-map, -IRs (volumes left down by -I started
# degraded) and -If (a disk that left: failed in each volume, out of
# the container).
. "$VMTEST_LIB"

# Our -Ss, in one go: volumes, then their containers.
stop_ours() {
	run_expect 0 mdadm -Ss
	! grep -q '^md' /proc/mdstat || fail "arrays left after -Ss: $(cat /proc/mdstat)"
}

make_disks 3 16
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${DISKS[@]}"
run_expect 0 mdadm -C /dev/md/vol -l5 -n3 -z 3M --assume-clean /dev/md/imsm0
run_expect 0 mdadm -C /dev/md/data -l5 -n3 -z 2M --assume-clean /dev/md/imsm0
pattern_write /dev/md/vol 1211 6
pattern_write /dev/md/data 1212 4
stop_ours

# map lines without the devnm and metadata (md numbers may differ): uuid path
map_view() { awk '{ print $3, $4 }' /run/mdadm/map | sort; }
names() { ls /dev/md | sort | tr '\n' ' '; }

# --- the peer's names ----------------------------------------------------------
rm -f /run/mdadm/map
for d in "${DISKS[@]}"; do
	mdadm-peer -I "$d" 2>&1
done
PEER_NAMES=$(names)
PEER_MAP=$(map_view)
note "peer: $PEER_NAMES"
printf '%s\n' "$PEER_MAP"
stop_all_md
rm -f /run/mdadm/map

# --- ours, disk by disk ------------------------------------------------------------
for i in 0 1; do
	run_expect 0 mdadm -I "${DISKS[$i]}"
	grep -q ' : active' /proc/mdstat && fail "a volume started with $((i + 1)) of 3 disks"
done
run_expect 0 mdadm -I "${DISKS[2]}"
echo "$last_err"
[ "$(names)" = "$PEER_NAMES" ] || fail "names: ours '$(names)', peer's '$PEER_NAMES'"
[ "$(map_view)" = "$PEER_MAP" ] || fail "map: ours $(map_view), peer's $PEER_MAP"
pattern_verify /dev/md/vol_0 1211 6
pattern_verify /dev/md/data_0 1212 4
# the peer reads our map file the same way
mdadm-peer -D /dev/md/vol_0 >/dev/null || fail "the peer cannot describe our volume"

# --- --rebuild-map gives the same file ------------------------------------------
cp /run/mdadm/map /tmp/map.before
rm -f /run/mdadm/map
run_expect 0 mdadm -I --rebuild-map
sort /tmp/map.before >/tmp/a
sort /run/mdadm/map >/tmp/b
cmp -s /tmp/a /tmp/b || fail "rebuilt map differs: $(cat /tmp/b) vs $(cat /tmp/a)"
run_expect 0 mdadm -Ir
cmp -s /tmp/a <(sort /run/mdadm/map) || fail "-Ir map differs"
stop_ours

# --- udev's form: --export --offroot, then -IRs for what waits -------------------
rm -f /run/mdadm/map
for i in 0 1; do
	run_expect 0 mdadm --incremental --export "${DISKS[$i]}" --offroot
	printf '%s\n' "$last_out"
	printf '%s\n' "$last_out" | grep -qx 'MD_DEVNAME=imsm0' || fail "--export: $last_out"
	printf '%s\n' "$last_out" | grep -qx "MD_DEVICE=$(md_devnm /dev/md/imsm0)" ||
		fail "--export MD_DEVICE: $last_out"
done
grep -q ' : active' /proc/mdstat && fail "a degraded volume started without -R"
run_expect 0 mdadm -IRs
echo "$last_err"
[ "$(grep -c ' : active' /proc/mdstat)" = 2 ] || fail "-IRs did not start both: $(cat /proc/mdstat)"
pattern_verify /dev/md/vol_0 1211 6
stop_ours

# --- -If: the disk left -----------------------------------------------------------
for d in "${DISKS[@]}"; do run_expect 0 mdadm -I "$d"; done
C=$(md_devnm /dev/md/imsm0)
K=${DISKS[2]#/dev/}
run_expect 0 mdadm -If "$K" --path pci-0000:00:1f.2-ata-3
echo "$last_err"
[ ! -e "/sys/block/$C/md/dev-$K" ] || fail "$K still in the container"
for v in vol_0 data_0; do
	m=$(md_devnm /dev/md/$v)
	[ ! -e "/sys/block/$m/md/dev-$K" ] || fail "$K still in $v"
	grep -A1 "^$m " /proc/mdstat | grep -q '\[3/2\]' || fail "$v not degraded: $(cat /proc/mdstat)"
done
pattern_verify /dev/md/vol_0 1211 6
run_expect 0 mdadm -If "$K"
run_expect 1 mdadm -If /tmp/x/loop9
expect_one_error_line "mdadm: Cannot remove \"/tmp/x/loop9\""
stop_ours
note "incremental names and map as the peer's; --export, --rebuild-map, -IRs, -If"
