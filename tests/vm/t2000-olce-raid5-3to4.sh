#!/bin/bash
# vm-timeout: 600
# Online Capacity Expansion (issue 5, first milestone; imsm-format.md
# §6.5.1, §6.7; md-kernel-interface.md §9.3, §9.4): a container with one
# raid5 volume of 3 disks and one spare; --grow --raid-devices=4 reshapes
# the volume onto 4 disks.  The data written before reads back after, the
# array is one data member larger, and the metadata is normal at the end
# in our -E and the peer's (4 disks, no migration, no migration record).
# Mid-way (reshape held slow) both -E show the general migration with its
# migration record: unit geometry, copy area, and a checkpoint that moves.
. "$VMTEST_LIB"

make_disks 4 48
D=("${DISKS[@]:0:3}") S=${DISKS[3]}
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${D[@]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 -c 128 -z 16M --assume-clean /dev/md/imsm0
ctr=$(md_devnm /dev/md/imsm0) vol=$(md_devnm /dev/md/r5)
pattern_write /dev/md/r5 2000 32
run_expect 0 mdadm /dev/md/imsm0 --add "$S"
size0=$(blockdev --getsize64 /dev/md/r5)
note "raid5 3 disks, $size0 bytes; spare $S in $ctr"

ckpt_unit() { # DISK: the unit of "Checkpoint : U (F)", empty without one
	local c
	c=$(examine_field "$1" Checkpoint)
	echo "${c%% *}"
}
ckpt_at_least() { # DISK UNIT
	local u
	u=$(ckpt_unit "$1")
	[ -n "$u" ] && [ "$u" -ge "$2" ]
}

echo 2000 >/proc/sys/dev/raid/speed_limit_max
echo 100 >/proc/sys/dev/raid/speed_limit_min
mdadm --grow /dev/md/imsm0 --raid-devices=4 2>/tmp/grow.err &
grow=$!
wait_until 120 ckpt_at_least "${D[0]}" 3
mdadm-peer -E "${D[0]}" >/tmp/m.txt 2>&1
sed -n '/Migrate State/,/Checkpoint :/p;/Migration Record/,$p' /tmp/m.txt
grep -q 'Migrate State : general migration' /tmp/m.txt || fail "peer: no general migration"
grep -q 'Members : 4 <-- 3' /tmp/m.txt || fail "peer: maps are not 4 <-- 3"
for f in 'Blocks Per Unit : 6144' 'Dest. Depth Per Unit : 2048' \
	"Checkpoint Area pba : $(($(blockdev --getsz "${D[0]}") - 2209))" \
	'Total Number of Units : 16' 'Status : Normal'; do
	grep -q "$f\$" /tmp/m.txt || fail "peer: migration record lacks '$f'"
done
cur=$(sed -n 's/^ *Current Unit : //p' /tmp/m.txt)
chk=$(sed -n 's/^ *Checkpoint : \([0-9]*\) .*/\1/p' /tmp/m.txt)
[ -n "$cur" ] && [ -n "$chk" ] && [ "$cur" -ge "$chk" ] && [ "$chk" -ge 3 ] ||
	fail "peer: record unit '$cur', MPB checkpoint '$chk'"
note "mid-way: record unit $cur, MPB checkpoint $chk (peer's -E)"
echo 200000 >/proc/sys/dev/raid/speed_limit_max
rc=0
wait "$grow" || rc=$?
[ "$rc" = 0 ] || fail "mdadm --grow exited $rc: $(cat /tmp/grow.err)"
[ ! -s /tmp/grow.err ] || fail "mdadm --grow printed: $(cat /tmp/grow.err)"
cat /proc/mdstat
grep -q "^$vol .*raid5" /proc/mdstat || fail "the volume is gone"
[ "$(cat "/sys/block/$vol/md/raid_disks")" = 4 ] || fail "raid_disks is not 4"
grep -qx idle "/sys/block/$vol/md/sync_action" || fail "md still reshapes"
size1=$(blockdev --getsize64 /dev/md/r5)
[ "$size1" = $((size0 * 3 / 2)) ] || fail "array size $size1, expected $((size0 * 3 / 2))"
pattern_verify /dev/md/r5 2000 32
note "grown to 4 disks: $size1 bytes"

for d in "${D[@]}" "$S"; do
	for p in mdadm mdadm-peer; do
		"$p" -E "$d" >/tmp/e.txt 2>&1 || fail "$p -E $d failed"
		grep -q 'Migrate State : idle' /tmp/e.txt || fail "$p -E $d: still migrating"
		grep -q 'Map State : normal$' /tmp/e.txt || fail "$p -E $d: map not normal"
		grep -q 'Members : 4$' /tmp/e.txt || fail "$p -E $d: the volume has not 4 members"
		grep -q 'Disks : 4$' /tmp/e.txt || fail "$p -E $d: the table is not 4 disks"
	done
done
mdadm-peer -E "$S" | sed -n '/\[r5\]/,/Dirty State/p'
[ "$(examine_field "$S" 'Array Size' mdadm-peer)" = "$(examine_field "$S" 'Array Size')" ] ||
	fail "our -E and the peer's disagree on the array size"

# The critical section went through the copy area at N - 2209, one unit
# (2048 blocks per member) at a time: it holds the new layout of the last
# unit that needed it (one of the first units), the same on every member.
ckpt=$(($(blockdev --getsz "${D[0]}") - 2209))
copy_holds_unit() { # DISK UNIT
	cmp -s <(dd if="$1" bs=512 skip=$(($2 * 2048)) count=2048 iflag=direct status=none) \
		<(dd if="$1" bs=512 skip="$ckpt" count=2048 iflag=direct status=none)
}
unit=
for u in 0 1 2 3; do
	copy_holds_unit "${D[0]}" "$u" && { unit=$u; break; }
done
[ -n "$unit" ] || fail "${D[0]}: the copy area holds none of the first units"
for d in "${D[@]}" "$S"; do
	copy_holds_unit "$d" "$unit" || fail "$d: the copy area does not hold unit $unit"
done
note "the copy area held unit $unit in the new layout on every member"

# New data over the whole grown volume, then the peer assembles it.
pattern_write /dev/md/r5 2001 48
pattern_verify /dev/md/r5 2001 48
stop_all_md
run_expect 0 mdadm-peer -A /dev/md/imsm0 "${DISKS[@]}"
run_expect 0 mdadm-peer -I /dev/md/imsm0
wait_until 30 sh -c "ls /dev/md/ | grep -q r5"
pattern_verify "$(vol_path r5)" 2001 48
note "the peer assembles the grown volume; data intact"
stop_all_md
