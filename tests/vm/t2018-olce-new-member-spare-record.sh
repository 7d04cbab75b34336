#!/bin/bash
# vm-timeout: 300
# A cut right after an OLCE began, before the first copy of the new
# metadata reached the new disk: the old members' tables take it into the
# volume, its own copy is still the spare record it had.  The assembly
# must take it as the member the tables say it is, and the OLCE go on to
# its end (it said "continuing" and stayed frozen with the disk left
# out).  Made without a power cut: mdadm is killed after the first unit's
# backup (test hook), the arrays stopped, and the end of the new disk
# (its metadata) put back as it was before --grow.  Then
#  1. our -A --scan: the continuation ends the OLCE; sizes, data, both -E,
#     the peer reads it;
#  2. the same again, assembled by -I of each disk as udev would (the new
#     disk last: -I of a disk holding only a spare record joins it to the
#     running container whose table takes it).
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

# stale_new_member: a fresh container (raid5 on 3 disks, a spare), an OLCE
# begun and its mdadm killed, the arrays stopped, the new disk's metadata
# put back; sets new.
stale_new_member() {
	local tail_sectors=64 end
	olce_make 3 4 5
	new=${ALL[3]}
	end=$(($(blockdev --getsz "$new") - tail_sectors))
	dd if="$new" of=/tmp/spare-tail bs=512 skip="$end" count="$tail_sectors" iflag=direct status=none
	mdadm -E "$new" | grep -q 'Disks : 1$' || fail "$new does not hold a spare's record"
	slow 500
	olce_grow_killed backup:0
	echo 200000 >/proc/sys/dev/raid/speed_limit_max
	run_expect 0 mdadm -Ss
	dd if=/tmp/spare-tail of="$new" bs=512 seek="$end" oflag=direct conv=notrunc status=none
	mdadm -E "$new" | grep -q 'Migrate State : general' && fail "$new still records the migration"
	mdadm -E "${ALL[0]}" | grep -q 'Migrate State : general' || fail "${ALL[0]} lost the migration"
	note "$new holds its spare record again; the other disks record the OLCE"
}

# joined_and_grown WHY: $new is in md's container (else fail WHY), the
# volume comes up, its OLCE ends and the result is right.
joined_and_grown() {
	grep -q "${new#/dev/}\[" /proc/mdstat || fail "$1: $(cat /proc/mdstat)"
	wait_until 30 sh -c "ls /dev/md/${VN[0]}* >/dev/null 2>&1"
	V=("$(vol_path "${VN[0]}")")
	wait_until 120 sh -c "! mdadm -E ${ALL[0]} | grep -q 'Migrate State : general'"
	wait_until 60 sh -c "grep -qx idle /sys/block/$(md_devnm "${V[0]}")/md/sync_action"
	olce_check_grown
}

# ---- 1. -A --scan -------------------------------------------------------------
stale_new_member
run_expect 0 mdadm -A --scan
printf '%s\n' "$last_err"
joined_and_grown "$new was left out of the assembly"
note "the assembly took $new as slot 3 and the OLCE ended"
olce_peer_reads

# ---- 2. -I, disk by disk --------------------------------------------------------
stale_new_member
for d in "${ALL[@]:0:3}"; do
	run_expect 0 mdadm -I "$d"
done
[ ! -e "/dev/md/${VN[0]}" ] && [ ! -e "/dev/md/${VN[0]}_0" ] || fail "the volume started without its new member"
run_expect 0 mdadm -I "$new"
printf '%s\n' "$last_err"
joined_and_grown "-I $new did not join it"
note "-I took $new into the running container as slot 3 and the OLCE ended"
