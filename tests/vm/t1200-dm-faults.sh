#!/bin/bash
# vm-timeout: 240
# Disk faults under md and mdmon (issue 14; md-kernel-interface.md §6.4,
# §6.7; imsm-format.md §7.1), the members device-mapper devices over loop
# devices whose tables are swapped while md runs (dmsetup suspend, load,
# resume; no udev: DM_DISABLE_UDEV=1).  A raid10 volume of 4 disks (slots
# 0+1 and 2+3 mirrored) takes b then c:
#   b. the metadata sectors alone of slot 0 fail (linear table but its
#      last sectors "error"): md never sees an error, only mdmon's dirty
#      mark after a write does; mdmon records that member failed on the
#      others and fails it in md, and the write completes;
#   c. slot 1 slow (dm-delay, 500 ms a write) while slot 3 fails under a
#      write: the failure is recorded on the slow member and on slot 2,
#      and the writes complete;
# then a raid5 of 3 disks:
#   a. a member fails mid-OLCE (3 -> 4 at a slow speed, so in its copy-area
#      units): the failure is recorded, the OLCE goes on degraded to its
#      end (mdadm rebuilds the lost member's chunks of each backed-up unit
#      from the rest of their rows, and writes the record and copy area
#      to the members left) and leaves the volume degraded, not normal,
#      the data reads back, and mdmon takes the failed member out of md
#      once md lets it (not while it reshapes).
# Each with its pattern verified after.
. "$VMTEST_LIB"

export DM_DISABLE_UDEV=1
MIB=32

# Patterns from /dev/urandom (python's seeded ones cost seconds under TCG;
# nothing here outlives the boot): pat_write DEV NAME MIB, pat_verify.
pat_write() {
	[ -f "/tmp/$2" ] || dd if=/dev/urandom of="/tmp/$2" bs=1M count="$3" status=none
	dd if="/tmp/$2" of="$1" bs=1M oflag=direct status=none || fail "cannot write $1"
}

pat_verify() {
	dd if="$1" bs=1M count="$3" iflag=direct status=none | cmp - "/tmp/$2" ||
		fail "data pattern mismatch on $1 ($2)"
	note "pattern $2 verified on $1"
}

# dm_make NAME LOOP: NAME over the whole of LOOP (linear).
dm_make() {
	dmsetup create "$1" --noudevsync --table "0 $(blockdev --getsz "$2") linear $2 0" ||
		fail "dmsetup create $1"
}

# dm_swap NAME TABLE: NAME's table replaced while md uses it.
dm_swap() {
	dmsetup suspend --noudevsync "$1" && dmsetup load "$1" --table "$2" &&
		dmsetup resume --noudevsync "$1" || fail "dmsetup could not swap $1's table"
	note "$1 ($(dm_kname "$1")): $2"
}

dm_kname() { # NAME -> dm-N (no process started: TCG makes each slow)
	local f n
	for f in /sys/block/dm-*/dm/name; do
		read -r n <"$f"
		[ "$n" = "$1" ] || continue
		f=${f%/dm/name}
		echo "${f##*/}"
		return 0
	done
	return 1
}

# dm_set PREFIX N: N dm devices PREFIX0.. over fresh loop disks; sets DM
# (their /dev/mapper paths) and LOOPS.
dm_set() {
	local first=${#DISKS[@]} i
	make_disks "$2" "$MIB"
	DM=() LOOPS=("${DISKS[@]:first:$2}")
	for ((i = 0; i < $2; i++)); do
		dm_make "$1$i" "${LOOPS[i]}"
		DM+=("/dev/mapper/$1$i")
	done
}

# recorded_failed EXAMINED NAME: EXAMINED's metadata lists dm device NAME
# failed (its serial "/dev/dm-N" marked ":0", status failed).
recorded_failed() {
	mdadm -E "$1" >/tmp/e.txt 2>&1 || return 1
	grep -A1 "Serial : /dev/$(dm_kname "$2"):0\$" /tmp/e.txt | grep -q 'State : active failed$'
}

# out_of_md VOLDEVNM NAME: md no longer uses NAME in the volume (faulty,
# or already removed by mdmon).
out_of_md() {
	local f
	f=/sys/block/$1/md/dev-$(dm_kname "$2")/state
	[ ! -e "$f" ] || grep -q faulty "$f"
}

is_clean() { # DISK: its metadata says the volume is clean
	[ "$(examine_field "$1" 'Dirty State')" = clean ]
}

# ---- b: the metadata sectors of one member fail -----------------------------
note "b: metadata writes fail on slot 0"
dm_set fb 4
run_expect 0 mdadm -C /dev/md/cb -e imsm -n4 "${DM[@]}"
run_expect 0 mdadm -C /dev/md/vb -l10 -n4 -z 2M --assume-clean /dev/md/cb
vol=$(md_devnm /dev/md/vb)
pat_write /dev/md/vb p1 4
# the clean mark on disk first: the next write to the volume must make
# mdmon write a dirty mark
wait_until 30 is_clean "${DM[1]}"
gen0=$(examine_field "${DM[1]}" Generation)
n=$(blockdev --getsz "${LOOPS[0]}")
dm_swap fb0 "0 $((n - 64)) linear ${LOOPS[0]} 0
$((n - 64)) 64 error"
pat_write /dev/md/vb p2 4
note "b: the write to the volume completed"
for i in 1 2 3; do
	wait_until 30 recorded_failed "${DM[i]}" fb0
done
grep -q 'Map State : degraded' /tmp/e.txt || fail "b: the map is not degraded"
[ "$(examine_field "${DM[1]}" Generation)" != "$gen0" ] || fail "b: no new generation"
wait_until 30 out_of_md "$vol" fb0
pat_verify /dev/md/vb p2 4
note "b: recorded failed on the others, out of md, data intact"

# ---- c: a slow member while another one fails --------------------------------
note "c: slot 1 slow (dm-delay), slot 3 fails"
dm_swap fb1 "0 $n delay ${LOOPS[1]} 0 0 ${LOOPS[1]} 0 500"
dm_swap fb3 "0 $n error"
pat_write /dev/md/vb p1 4
note "c: the write to the volume completed"
wait_until 30 out_of_md "$vol" fb3
wait_until 30 recorded_failed "${DM[1]}" fb3
wait_until 30 recorded_failed "${DM[2]}" fb3
recorded_failed "${DM[2]}" fb0 || fail "c: the failure of b is forgotten"
cat /proc/mdstat
pat_verify /dev/md/vb p1 4
note "c: recorded on the slow member and the healthy one; writes went on"
stop_all_md

# ---- a: a member fails mid-OLCE ------------------------------------------------
note "a: a member fails during an OLCE raid5 3 -> 4"
dm_set fa 4
run_expect 0 mdadm -C /dev/md/ca -e imsm -n3 "${DM[@]:0:3}"
run_expect 0 mdadm -C /dev/md/va -l5 -n3 -c 64 -z 4M --assume-clean /dev/md/ca
vol=$(md_devnm /dev/md/va)
pat_write /dev/md/va p3 8
run_expect 0 mdadm /dev/md/ca --add "${DM[3]}"
slow 200
mdadm --grow /dev/md/ca --raid-devices=4 >/tmp/grow.out 2>&1 &
grow=$!
reshape_moved() { # md reshapes the volume and has gone past its start
	local moved
	read -r moved _ <"/sys/block/$vol/md/sync_completed" || return 1
	[ "$(cat "/sys/block/$vol/md/sync_action")" = reshape ] && [ "$moved" != none ] &&
		[ "$moved" -gt 0 ]
}
wait_until 60 reshape_moved
dm_swap fa2 "0 $(blockdev --getsz "${LOOPS[2]}") error"
pos=$(cat "/sys/block/$vol/md/reshape_position")
[ "$pos" != none ] || fail "a: the reshape was over before the member failed"
note "a: the member failed with the reshape at $pos"
wait_until 30 out_of_md "$vol" fa2
for i in 0 1 3; do
	wait_until 30 recorded_failed "${DM[i]}" fa2
done
echo 200000 >/proc/sys/dev/raid/speed_limit_max
rc=0
wait "$grow" || rc=$?
note "a: mdadm --grow exited $rc: $(tr '\n' ' ' </tmp/grow.out)"
[ "$rc" = 0 ] || fail "a: the OLCE did not go on degraded"
cat /proc/mdstat
mdadm -E "${DM[0]}" >/tmp/e.txt
sed -n '/Migrate State/,/Dirty State/p' /tmp/e.txt
grep -q 'Migrate State : general migration' /tmp/e.txt && fail "a: still migrating"
grep -q 'Map State : degraded$' /tmp/e.txt || fail "a: the grown volume is not degraded"
[ "$(cat "/sys/block/$vol/md/raid_disks")" = 4 ] || fail "a: md has not 4 slots"
pat_verify /dev/md/va p3 8
# md lets no member go while it reshapes; once it stopped or finished,
# mdmon's removal of the failed one, refused until then, goes through
left_md() { [ ! -e "/sys/block/$vol/md/dev-$(dm_kname fa2)" ]; }
wait_until 30 left_md
note "a: failure recorded mid-OLCE, the OLCE went on degraded to its end, data intact, the failed member out of md"
stop_all_md
