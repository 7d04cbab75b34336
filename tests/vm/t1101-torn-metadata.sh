#!/bin/bash
# vm-timeout: 300
# A metadata copy a power cut tore (issue 14; power-cut campaign seed 1206,
# cut 29): mdmon writes a multi-sector copy extension sectors first, anchor
# last, and a cut between them leaves the old anchor over new extension
# sectors, whose checksum fails.  The disk's data is as good as the
# others', and the container's other copies still list it: it is a member.
# A tear is made here by changing one byte of a disk's extension sector
# (two raid5 volumes on four disks: the copy takes two sectors).
#  1. `mdadm -A --scan` takes the torn disk with a warning; both volumes
#     run complete, data intact; mdmon's next write makes the copy whole.
#  2. udev's order, the torn disk first: its `-I` says why it waits (exit
#     1), the others' do not start the volumes (incomplete), `-IRs` takes
#     it in and starts them complete.
#  3. The torn disk's anchor names another container: not taken; the
#     volumes start degraded without it.
. "$VMTEST_LIB"

# tear DISK: one byte of the copy's first extension sector (MPB bytes
# 512..1023, sector N-3) changed.
tear() {
	local n off b
	n=$(blockdev --getsz "$1") off=$(((n - 3) * 512 + 100))
	b=$(dd if="$1" bs=1 skip="$off" count=1 status=none | od -A n -t u1 | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 0xff)))" |
		dd of="$1" bs=1 seek="$off" conv=notrunc status=none
	blockdev --flushbufs "$1"
}

both_complete() {
	[ "$(grep -c '\[4/4\]' /proc/mdstat)" = 2 ]
}

patterns_ok() {
	pattern_verify "$(vol_path t1)" 1101 16
	pattern_verify "$(vol_path t2)" 1102 16
}

make_disks 4 40
D=("${DISKS[@]}")
run_expect 0 mdadm -C /dev/md/ct -e imsm -n4 "${D[@]}"
run_expect 0 mdadm -C /dev/md/t1 -l5 -n4 -z 8M --assume-clean /dev/md/ct
run_expect 0 mdadm -C /dev/md/t2 -l5 -n4 -z 8M --assume-clean /dev/md/ct
pattern_write /dev/md/t1 1101 16
pattern_write /dev/md/t2 1102 16
stop_all_md

# --- 1: -A --scan ---------------------------------------------------------------
tear "${D[3]}"
rc=0
mdadm -E "${D[3]}" >/tmp/e.txt 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "the torn copy still examines whole: $(cat /tmp/e.txt)"
note "torn copy: -E exits $rc: $(tail -1 /tmp/e.txt)"
run_expect 0 mdadm -A --scan
grep -q "warning: ${D[3]}: its metadata copy fails its checksum" <<<"$last_err" ||
	fail "no warning about the torn copy: $last_err"
both_complete || fail "not both volumes complete: $(cat /proc/mdstat)"
patterns_ok
# a write (the pattern's own first block): mdmon marks the volume dirty,
# then clean, on every disk
dd if="$(pattern_file 1101 16)" of="$(vol_path t1)" bs=4K count=1 oflag=direct status=none
wait_until 30 sh -c "mdadm -E ${D[3]} >/dev/null 2>&1"
note "-A --scan took the torn disk; mdmon's next write made its copy whole"
stop_all_md

# --- 2: -I, the torn disk first, then -IRs ----------------------------------------
tear "${D[3]}"
run_expect 1 mdadm -I "${D[3]}"
grep -q "fails its checksum .*mdadm -IRs" <<<"$last_err" || fail "-I of the torn disk: $last_err"
for d in "${D[@]:0:3}"; do
	run_expect 0 mdadm -I "$d"
done
grep -q ' : active' /proc/mdstat && fail "-I started a volume without its fourth disk: $(cat /proc/mdstat)"
run_expect 0 mdadm -IRs
wait_until 30 both_complete
patterns_ok
note "-I waited for the rest; -IRs took the torn disk in: both volumes complete"
stop_all_md

# --- 3: a torn copy of another container ------------------------------------------
tear "${D[3]}"
n=$(blockdev --getsz "${D[3]}")
for off in 0x28 0x40; do # family_num, orig_family_num
	printf '\xde\xad\xbe\xef' | dd of="${D[3]}" bs=1 seek=$(((n - 2) * 512 + off)) conv=notrunc status=none
done
blockdev --flushbufs "${D[3]}"
run_expect 0 mdadm -A --scan
grep -q "checksum" <<<"$last_err" && fail "another container's torn copy was taken: $last_err"
[ "$(grep -c '\[4/3\]' /proc/mdstat)" = 2 ] || fail "not both degraded without it: $(cat /proc/mdstat)"
[ -z "$(ls "/sys/class/block/${D[3]#/dev/}/holders")" ] || fail "${D[3]} is held by md"
patterns_ok
note "a torn copy naming another container is left out"
