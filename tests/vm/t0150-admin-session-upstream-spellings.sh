#!/bin/bash
# vm-timeout: 300
# An administrator's session, typed in upstream mdadm's spellings only
# (long options, aliases, abbreviations, -Ss, -A --scan, -I as udev calls
# it), every step with OUR mdadm; after each step the peer (Debian's mdadm
# 4.2) checks the state we left: that is its only use here (interop).
#   create a container and a volume (--auto=md --raid-disks), a second
#   volume by naming the member disks, ext4-free data patterns on both,
#   --detail --export, -Ss, mdadm.conf from --examine --scan, -A --scan,
#   --update-subarray (rename), --kill-subarray, -I of each disk as udev
#   does, --zero-superblock of the freed disks, and a fresh create on them.
. "$VMTEST_LIB"

make_disks 4 16
D=("${DISKS[@]:0:3}")
X=${DISKS[3]}
peer_e() { mdadm-peer -E "$1" 2>&1; }
peer_has() { # disk text: the peer's --examine of disk shows text
	peer_e "$1" | grep -q -- "$2" || fail "peer -E $1 lacks '$2': $(peer_e "$1")"
}

note "create, as a distribution's installer writes it"
run_expect 0 mdadm --create /dev/md/imsm0 --auto=md --metadata=imsm --raid-disks=3 --run "${D[@]}"
run_expect 0 mdadm --create /dev/md/data --auto=md --level=raid5 --raid-disks=3 --chunk=64 \
	--size=4M --assume-clean --run /dev/md/imsm0
note "second volume by naming the member disks"
run_expect 0 mdadm --create /dev/md/scratch --level=0 --raid-devices=3 --size=2M --run "${D[@]}"
peer_has "${D[0]}" '\[data\]:'
peer_has "${D[0]}" '\[scratch\]:'
pattern_write /dev/md/data 150 8
pattern_write /dev/md/scratch 151 6

note "--detail --export, as udev's rules import it"
run_expect 0 mdadm --detail --no-devices --export /dev/md/data
ours=$last_out
peer=$(mdadm-peer --detail --no-devices --export /dev/md/data)
[ "$ours" = "$peer" ] || fail "--detail --export differs: $(diff <(echo "$peer") <(echo "$ours"))"
for k in MD_LEVEL MD_DEVICES MD_UUID MD_DEVNAME MD_CONTAINER MD_MEMBER; do
	grep -q "^$k=." <<<"$ours" || fail "no $k in: $ours"
done

note "mdadm.conf from --examine --scan, stop everything, assemble from it"
mkdir -p /etc/mdadm
{
	echo "DEVICE ${D[*]} $X"
	mdadm --examine --scan
} >/etc/mdadm/mdadm.conf
cat /etc/mdadm/mdadm.conf
grep -q '^ARRAY .*container=' /etc/mdadm/mdadm.conf || fail "no member ARRAY lines"
printf 'DEVICE %s\n' "$X" >/tmp/only-x.conf
run_expect 0 mdadm --examine --scan --config=/tmp/only-x.conf
[ -z "$last_out" ] || fail "--examine --scan read disks its DEVICE line leaves out: $last_out"
run_expect 0 mdadm -Ss
! grep -q ^md /proc/mdstat || fail "-Ss left arrays: $(cat /proc/mdstat)"
run_expect 0 mdadm -A --scan
wait_until 20 test -b /dev/md/data
wait_until 20 test -b /dev/md/scratch
pattern_verify /dev/md/data 150 8
pattern_verify /dev/md/scratch 151 6
[ "$(mdadm-peer -D /dev/md/data | sed -n 's/^ *UUID : //p')" = \
	"$(mdadm -D /dev/md/data | sed -n 's/^ *UUID : //p')" ] || fail "UUIDs of data differ"

note "a new identity for the container: --assemble --update=uuid"
old_uuid=$(mdadm -D /dev/md/imsm0 | sed -n 's/^ *UUID : //p')
run_expect 0 mdadm --stop --scan
run_expect 1 mdadm --assemble /dev/md/imsm0 --update=name "${D[@]}"
expect_one_error_line "mdadm: "
run_expect 0 mdadm --assemble /dev/md/imsm0 --update=uuid "${D[@]}"
new_uuid=$(mdadm -D /dev/md/imsm0 | sed -n 's/^ *UUID : //p')
[ -n "$new_uuid" ] && [ "$new_uuid" != "$old_uuid" ] || fail "UUID not changed: '$old_uuid' -> '$new_uuid'"
[ "$(mdadm-peer -D /dev/md/imsm0 | sed -n 's/^ *UUID : //p')" = "$new_uuid" ] ||
	fail "the peer sees another UUID than $new_uuid"
pattern_verify "$(vol_path data)" 150 8
pattern_verify "$(vol_path scratch)" 151 6
note "the conf follows the new UUID: written again, assembled from"
{
	echo "DEVICE ${D[*]} $X"
	mdadm --examine --scan
} >/etc/mdadm/mdadm.conf
grep -q "UUID=$new_uuid" /etc/mdadm/mdadm.conf || fail "--examine --scan lacks the new UUID"
run_expect 0 mdadm -Ss
run_expect 0 mdadm -As
wait_until 20 test -b /dev/md/data
wait_until 20 test -b /dev/md/scratch

note "rename the raid0 volume: --update-subarray (the volume stopped first)"
run_expect 0 mdadm --stop /dev/md/scratch
run_expect 0 mdadm --update-subarray=1 --update=name --name=tmp0 /dev/md/imsm0
wait_until 20 sh -c "mdadm-peer -E ${D[0]} | grep -q '\[tmp0\]:'"
note "remove it: --kill-subarray"
run_expect 0 mdadm --kill-subarray=1 /dev/md/imsm0
wait_until 20 sh -c "! mdadm-peer -E ${D[0]} | grep -q '\[tmp0\]:'"
peer_has "${D[0]}" '\[data\]:'
pattern_verify /dev/md/data 150 8

note "stop, then -I each disk as udev does"
run_expect 0 mdadm --misc --stop --scan
! grep -q ^md /proc/mdstat || fail "--stop --scan left arrays"
for d in "${D[@]}"; do
	run_expect 0 mdadm --incremental --export "$d" --offroot
done
wait_until 20 sh -c 'ls /dev/md/ | grep -q data'
pattern_verify "$(vol_path data)" 150 8
mdadm-peer -D "$(vol_path data)" | grep -q 'State : clean' || fail "the peer does not see data clean"

note "--zero-superblock of a disk outside any array; refused on a member"
run_expect 0 mdadm --create /dev/md/imsm1 -e imsm -n1 --force "$X"
run_expect 0 mdadm -S /dev/md/imsm1
run_expect 0 mdadm --zero "$X"
mdadm-peer -E "$X" 2>&1 | grep -q 'Intel Raid ISM' && fail "--zero-superblock left IMSM metadata"
run_expect 2 mdadm --zero-superblock "${D[0]}" # in use: 2, as upstream
expect_one_error_line "mdadm: "
peer_has "${D[0]}" '\[data\]:'

note "everything stopped, members zeroed, a new container on the same disks"
run_expect 0 mdadm -Ss
run_expect 0 mdadm --zero-superblock "${D[@]}"
for d in "${D[@]}"; do
	mdadm-peer -E "$d" 2>&1 | grep -q 'Intel Raid ISM' && fail "$d still carries IMSM metadata"
done
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm --raid-disks=3 --run "${D[@]}"
run_expect 0 mdadm -C /dev/md/again -l1 -n2 --size=2M --run "${D[0]}" "${D[1]}"
peer_has "${D[0]}" '\[again\]:'
run_expect 0 mdadm -Ss
note "admin session in upstream's spellings: every step ours, the peer agrees"
