#!/bin/bash
# vm-timeout: 240
# Whole-array actions with our mdadm, data checked around each:
#   -o / -w on a raid5 volume (mdmon keeps it read-only: the "-" flag)
#   and, in manage form, on a raid0 volume; -o refused while the volume
#   is open (one line, nothing changed);
#   --fail detached / --remove detached with nothing detached: no-ops;
#   --remove failed on a container takes out the disk a volume failed;
#   -R on a container assembled incrementally without one disk starts
#   its raid5 volume degraded;
#   -Ss with two containers and three volumes: all stopped, silent,
#   exit 0; --stop --scan -v says "stopped /dev/mdN" for each; with a
#   volume held open: exit 1, that volume and its container stay, the
#   rest stop; mdadm --manage VOLUME --stop.
. "$VMTEST_LIB"

make_disks 5 16
D=("${DISKS[@]}")
P=mdadm-peer

assemble_all() {
	run_expect 0 mdadm -A /dev/md/imsm0 "${D[0]}" "${D[1]}" "${D[2]}"
	run_expect 0 mdadm -A /dev/md/imsm1 "${D[3]}" # D4 was removed as failed
}

state_of() { cat "/sys/block/$(md_devnm "$1")/md/array_state"; }

run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${D[0]}" "${D[1]}" "${D[2]}"
run_expect 0 mdadm -C /dev/md/vol0 -l5 -n3 -z 4M --assume-clean /dev/md/imsm0
run_expect 0 mdadm -C /dev/md/vol1 -l0 -n3 -z 2M /dev/md/imsm0
run_expect 0 mdadm -C /dev/md/imsm1 -e imsm -n2 "${D[3]}" "${D[4]}"
run_expect 0 mdadm -C /dev/md/vol2 -l1 -n2 -z 4M --assume-clean /dev/md/imsm1
pattern_write /dev/md/vol0 1 8
pattern_write /dev/md/vol1 2 6
pattern_write /dev/md/vol2 3 4

note "-o / -w on the raid5 volume"
run_expect 0 mdadm -o /dev/md/vol0
[ -z "$last_err" ] || fail "-o said: $last_err"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(state_of /dev/md/vol0)" = readonly ] || fail "vol0 left read-only: $(state_of /dev/md/vol0)"
	sleep 0.2
done
grep -q 'super external:-' /proc/mdstat || fail "no '-' flag on vol0"
if dd if=/dev/zero of=/dev/md/vol0 bs=4k count=1 oflag=direct status=none 2>/dev/null; then
	fail "a read-only volume took a write"
fi
pattern_verify /dev/md/vol0 1 8
run_expect 0 mdadm -w /dev/md/vol0
wait_until 10 sh -c "[ \"\$(cat /sys/block/$(md_devnm /dev/md/vol0)/md/array_state)\" != readonly ]"
pattern_write /dev/md/vol0 4 8
pattern_verify /dev/md/vol0 4 8

note "-o / -w on the raid0 volume, manage form"
run_expect 0 mdadm --manage /dev/md/vol1 --readonly
[ "$(state_of /dev/md/vol1)" = readonly ] || fail "vol1 not read-only"
pattern_verify /dev/md/vol1 2 6
run_expect 0 mdadm --manage /dev/md/vol1 --readwrite
[ "$(state_of /dev/md/vol1)" != readonly ] || fail "vol1 still read-only"
pattern_write /dev/md/vol1 5 6
pattern_verify /dev/md/vol1 5 6

note "-o refused while the volume is open"
exec 3</dev/md/vol2
run_expect 1 mdadm -o /dev/md/vol2
expect_one_error_line "mdadm: "
case $last_err in *"in use"*) ;; *) fail "message: $last_err" ;; esac
[ "$(state_of /dev/md/vol2)" != readonly ] || fail "vol2 went read-only"
grep -q 'external:-' /proc/mdstat && fail "a '-' flag was left behind"
exec 3<&-

note "--fail/--remove detached: nothing detached, nothing done"
run_expect 0 mdadm /dev/md/vol2 --fail detached
run_expect 0 mdadm /dev/md/vol2 --remove detached
run_expect 0 mdadm /dev/md/imsm1 --remove detached
[ -z "$last_err" ] || fail "detached said: $last_err"
run_expect 2 mdadm /dev/md/vol2 --fail failed
expect_one_error_line "mdadm: "

note "--remove failed on the container"
run_expect 0 mdadm /dev/md/vol2 --fail "${D[4]}"
wait_until 15 sh -c "[ ! -e /sys/block/$(md_devnm /dev/md/vol2)/md/dev-$(basename "${D[4]}") ]"
wait_until 15 sh -c "$P -E ${D[3]} | grep -q 'Map State : degraded'"
run_expect 0 mdadm /dev/md/imsm1 --remove failed
[ "$last_err" = "mdadm: hot removed ${D[4]} from /dev/md/imsm1" ] || fail "message: $last_err"
grep -q "$(basename "${D[4]}")\[" /proc/mdstat && fail "failed disk still in the container"
pattern_verify /dev/md/vol2 3 4
run_expect 0 mdadm /dev/md/imsm1 --remove failed
[ -z "$last_err" ] || fail "second --remove failed said: $last_err"

note "-Ss: two containers, three volumes"
run_expect 0 mdadm -Ss
[ -z "$last_err$last_out" ] || fail "-Ss said: $last_err $last_out"
grep '^md' /proc/mdstat && fail "arrays left after -Ss"

note "-R on a container missing a disk"
run_expect 0 mdadm -I "${D[0]}"
run_expect 0 mdadm -I "${D[1]}"
cat /proc/mdstat
c=$(awk '/^md/ { print $1; exit }' /proc/mdstat)
[ -n "$c" ] || fail "no container"
grep -q 'external:/' /proc/mdstat && fail "a volume started without all its disks"
run_expect 0 mdadm -R "/dev/$c"
cat /proc/mdstat
grep -q 'raid5.*\[3/2\]\|\[3/2\]' /proc/mdstat || fail "vol0 not started degraded"
pattern_verify "$(vol_path vol0)" 4 8
run_expect 0 mdadm --stop --scan
grep '^md' /proc/mdstat && fail "arrays left"

note "--stop --scan -v names each array"
assemble_all
cat /proc/mdstat
n=$(grep -c '^md' /proc/mdstat)
run_expect 0 mdadm --stop --scan -v
printf '%s\n' "$last_err"
[ "$(printf '%s\n' "$last_err" | grep -c '^mdadm: stopped /dev/md[0-9]*$')" -eq "$n" ] ||
	fail "expected $n 'stopped' lines"
grep '^md' /proc/mdstat && fail "arrays left"

note "-Ss with a volume held open, then --manage --stop"
assemble_all
exec 3<"$(vol_path vol2)"
run_expect 1 mdadm -Ss
printf '%s\n' "$last_err"
case $last_err in *"in use"*) ;; *) fail "no in-use line: $last_err" ;; esac
[ "$(grep -c '^md' /proc/mdstat)" -eq 2 ] || { cat /proc/mdstat; fail "expected the open volume and its container"; }
exec 3<&-
run_expect 0 mdadm --manage "$(vol_path vol2)" --stop
case $last_err in "mdadm: stopped /dev/md/vol2"*) ;; *) fail "message: $last_err" ;; esac
run_expect 0 mdadm -Ss
grep '^md' /proc/mdstat && fail "arrays left"
$P -E "${D[0]}" | grep -c 'Map State : normal' | grep -qx 2 || fail "peer: vol0/vol1 not normal"
note "stop, run, read-only, read-write and keywords work"
