#!/bin/bash
# vm-timeout: 400
# The misc verbs of upstream's command line, each done with our mdadm as
# an admin types it, checked with our -E and Debian's mdadm 4.2 (the
# peer), in one boot:
#   --action=check/frozen/idle on a raid5 volume; --wait-clean (one array,
#   --scan): the metadata says clean right after;
#   --examine-badblocks of a member, as the peer prints it;
#   --update-subarray=N --update=name through mdmon (a volume of the
#   container still runs), and straight to the disks (no mdmon);
#   --kill-subarray through mdmon: the second volume, then volume 0 of two
#   (the other becomes subarray 0, its data intact), then the last one
#   (every member a spare again); straight to the disks likewise;
#   --zero-superblock (and --zero) of IMSM members, of a damaged copy
#   (--force), and of a native md member; a disk without metadata is no
#   failure (upstream's status).
# Every refusal is one "mdadm: " line, the exit status upstream gives,
# nothing on stdout and no disk changed: volumes that run (or would
# change UUID), bad subarray numbers and names, --update words IMSM does
# not take here, members of running arrays for --zero-superblock (with
# --force too), actions on a container or a plain disk, -X.
. "$VMTEST_LIB"

make_disks 3 16 # A: imsm0, raid5 v0 + raid0 v1, served by mdmon
make_disks 2 12 # Z: imsm1, two raid0 volumes: no mdmon
make_disks 2 4  # B: B0 blank, B1 for a native md superblock
A=("${DISKS[@]:0:3}") Z=("${DISKS[@]:3:2}") B0=${DISKS[5]} B1=${DISKS[6]}

run_expect 0 mdadm --create /dev/md/imsm0 --metadata=imsm --raid-devices=3 "${A[@]}"
run_expect 0 mdadm --create /dev/md/v0 --level=5 --raid-devices=3 --size=3M --assume-clean /dev/md/imsm0
run_expect 0 mdadm --create /dev/md/v1 --level=0 --raid-devices=3 --size=2M /dev/md/imsm0
run_expect 0 mdadm -C /dev/md/imsm1 -e imsm -n2 "${Z[@]}"
run_expect 0 mdadm -C /dev/md/z0 -l0 -n2 -z 1M /dev/md/imsm1
run_expect 0 mdadm -C /dev/md/z1 -l0 -n2 -z 1M /dev/md/imsm1
pattern_write /dev/md/v0 11 6
pattern_write /dev/md/v1 12 6
pattern_write /dev/md/z1 13 2
C0=$(md_devnm /dev/md/imsm0) C1=$(md_devnm /dev/md/imsm1) V0=$(md_devnm /dev/md/v0)
[ -e "/run/mdadm/$C0.pid" ] || fail "no mdmon for imsm0"
[ ! -e "/run/mdadm/$C1.pid" ] || fail "mdmon runs for the raid0-only imsm1"

# ---- --action, --wait-clean -----------------------------------------------
run_expect 0 mdadm --action=check /dev/md/v0
wait_until 30 grep -qx idle "/sys/block/$V0/md/sync_action"
[ "$(cat "/sys/block/$V0/md/last_sync_action")" = check ] || fail "no check ran"
[ "$(cat "/sys/block/$V0/md/mismatch_cnt")" = 0 ] || fail "check found mismatches"
run_expect 0 mdadm --action=frozen /dev/md/v0
[ "$(cat "/sys/block/$V0/md/sync_action")" = frozen ] || fail "--action=frozen did not freeze"
run_expect 0 mdadm --action idle /dev/md/v0
[ "$(cat "/sys/block/$V0/md/sync_action")" = idle ] || fail "--action idle did not unfreeze"
pattern_write /dev/md/v0 11 6 # dirty again
run_expect 0 mdadm --wait-clean /dev/md/v0
[ "$(examine_field "${A[0]}" "Dirty State")" = clean ] || fail "ours: v0 not clean after --wait-clean"
[ "$(examine_field "${A[1]}" "Dirty State" mdadm-peer)" = clean ] || fail "peer: v0 not clean"
run_expect 0 mdadm --wait-clean --scan
note "--action and --wait-clean done"

# ---- --examine-badblocks: as the peer prints it ---------------------------
run_expect 0 mdadm --examine-badblocks "${A[0]}"
ours=$last_out
run_expect 0 mdadm-peer --examine-badblocks "${A[0]}"
[ "$ours" = "$last_out" ] || fail "examine-badblocks: ours '$ours', peer '$last_out'"
[ "$ours" = "No bad-blocks list configured on ${A[0]}" ] || fail "examine-badblocks: $ours"

# ---- refusals: nothing changes ----------------------------------------------
# Nothing changed: every byte of every disk against a copy taken by
# snapshot, and /proc/mdstat.  One cat and one cmp: under TCG a process
# costs more than comparing the 72 MiB.
snapshot() {
	blockdev --flushbufs "${DISKS[@]}"
	cat "${DISKS[@]}" >/tmp/snap
	before=$(state)
}
state() {
	blockdev --flushbufs "${DISKS[@]}"
	cat "${DISKS[@]}" | cmp -s - /tmp/snap || echo "a disk changed"
	cat /proc/mdstat
}
snapshot
failed_cases=()

refuse "delete a running volume" 2 "it is active as /dev/md/v0" \
	mdadm --kill-subarray=0 /dev/md/imsm0
refuse "rename a running volume" 2 "it is active as /dev/md/v1" \
	mdadm --update-subarray=1 --update=name --name=x /dev/md/imsm0
refuse "no such subarray" 2 "has no subarray 5" mdadm --kill-subarray=5 /dev/md/imsm0
refuse "a volume is no container" 2 "is not a container" mdadm --kill-subarray=0 /dev/md/v0
refuse "a member disk is no container" 2 "is not an md container" \
	mdadm --kill-subarray=0 "${A[0]}"
refuse "--update missing" 1 "-U/--update must be specified" \
	mdadm --update-subarray=1 -N x /dev/md/imsm0
refuse "--update=ppl" 2 "--update=ppl of an IMSM subarray is not supported" \
	mdadm --update-subarray=1 --update=ppl /dev/md/imsm0
refuse "--update=name without a name" 2 "needs the new name" \
	mdadm --update-subarray=1 --update=name /dev/md/imsm0
refuse "zero a running container's member" 2 "member of the md array /dev/$C0" \
	mdadm --zero-superblock "${A[1]}"
refuse "zero a running member, --force" 2 "member of the md array /dev/$C0" \
	mdadm --zero-superblock --force "${A[1]}"
refuse "check a container" 1 "has no sync action to set" mdadm --action=check /dev/md/imsm0
refuse "check a plain disk" 1 "is not an md array" mdadm --action=check "$B0"
refuse "an action md does not take" 2 "--action must be one of" mdadm --action=resync /dev/md/v0
refuse "--wait-clean of a directory" 2 "is not a block device" mdadm --wait-clean /tmp
refuse "-X of a member" 1 "keep no write-intent bitmap" mdadm -X "${A[0]}"
refuse "bad blocks of a blank disk" 1 "No md superblock detected on $B0" \
	mdadm --examine-badblocks "$B0"

# volume 0 stopped, volume 1 runs: deleting 0 would change 1's UUID
run_expect 0 mdadm --stop /dev/md/v0
snapshot
refuse "delete 0 under running 1" 2 "the UUID of active subarray 1 (/dev/md/v1)" \
	mdadm --kill-subarray=0 /dev/md/imsm0
run_expect 0 mdadm -I /dev/md/imsm0 # v0 again (NAME_0 when assembled anew)
V0P=$(vol_path v0)
run_expect 0 mdadm --stop /dev/md/v1
snapshot
refuse "a name with a slash" 2 "volume names are 1-16 characters" \
	mdadm --update-subarray=1 --update=name -N bad/name /dev/md/imsm0
refuse "a name taken" 2 "already has a volume of that name" \
	mdadm --update-subarray=1 --update=name -N v0 /dev/md/imsm0
run_expect 0 mdadm --stop /dev/md/z0
snapshot
refuse "delete 0 under running 1 (no mdmon)" 2 "the UUID of active subarray 1 (/dev/md/z1)" \
	mdadm --kill-subarray=0 /dev/md/imsm1
[ ${#failed_cases[@]} -eq 0 ] || fail "cases that failed: ${failed_cases[*]}"
note "refusals changed nothing"

# ---- rename and delete through mdmon (v0 still runs) -------------------------
run_expect 0 mdadm --update-subarray=1 --update=name -N data1 /dev/md/imsm0
case $last_err in *"Updated subarray-1 name from /dev/md/imsm0"*) ;; *) fail "rename: $last_err" ;; esac
for p in mdadm mdadm-peer; do
	$p -E "${A[2]}" | grep -q '^\[data1\]:' || fail "$p -E: no volume data1"
	$p -E "${A[2]}" | grep -q '^\[v1\]:' && fail "$p -E: v1 still there"
done
run_expect 0 mdadm -I /dev/md/imsm0
p=$(vol_path data1)
pattern_verify "$p" 12 6
run_expect 0 mdadm --stop "$p"
run_expect 0 mdadm --kill-subarray=1 /dev/md/imsm0
case $last_err in *"Deleted subarray-1 from /dev/md/imsm0, UUIDs may have changed"*) ;;
*) fail "kill: $last_err" ;; esac
[ "$(examine_field "${A[0]}" "RAID Devices")" = 1 ] || fail "ours: two volumes after the delete"
[ "$(examine_field "${A[0]}" "RAID Devices" mdadm-peer)" = 1 ] || fail "peer: two volumes"
pattern_verify "$V0P" 11 6

# volume 0 of two goes: the other becomes subarray 0 (mdmon runs, no volume does)
run_expect 0 mdadm -C /dev/md/w1 -l1 -n2 -z 2M --assume-clean /dev/md/imsm0
pattern_write /dev/md/w1 14 2
run_expect 0 mdadm --wait-clean /dev/md/w1
run_expect 0 mdadm -S /dev/md/w1
run_expect 0 mdadm -S "$V0P"
[ -e "/run/mdadm/$C0.pid" ] || fail "mdmon of imsm0 is gone"
run_expect 0 mdadm --kill-subarray=0 /dev/md/imsm0
for p in mdadm mdadm-peer; do
	[ "$(examine_field "${A[0]}" "RAID Devices" $p)" = 1 ] || fail "$p: not one volume left"
	$p -E "${A[0]}" | grep -A1 '^\[w1\]:' | grep -q 'Subarray : 0' ||
		fail "$p: w1 is not subarray 0"
done
run_expect 0 mdadm -I /dev/md/imsm0
p=$(vol_path w1)
pattern_verify "$p" 14 2
run_expect 0 mdadm -S "$p"
# the last one: every member gets its spare record back
run_expect 0 mdadm --kill-subarray=0 /dev/md/imsm0
for d in "${A[@]}"; do
	for p in mdadm mdadm-peer; do
		[ "$(examine_field "$d" "RAID Devices" $p)" = 0 ] || fail "$p: $d still has volumes"
		$p -E "$d" | grep -q 'State : spare' || fail "$p: $d is no spare"
	done
done
note "rename and delete through mdmon done"

# ---- rename and delete straight to the disks (imsm1, no mdmon) ---------------
run_expect 0 mdadm -S /dev/md/z1
run_expect 0 mdadm --kill-subarray=0 /dev/md/imsm1
run_expect 0 mdadm --update-subarray=0 --update=name -N zz /dev/md/imsm1
[ ! -e "/run/mdadm/$C1.pid" ] || fail "mdmon started for imsm1"
for p in mdadm mdadm-peer; do
	$p -E "${Z[1]}" | grep -A1 '^\[zz\]:' | grep -q 'Subarray : 0' ||
		fail "$p: zz is not subarray 0"
	[ "$(examine_field "${Z[0]}" "RAID Devices" $p)" = 1 ] || fail "$p: not one volume"
done
run_expect 0 mdadm -I /dev/md/imsm1
ZZ=$(vol_path zz)
pattern_verify "$ZZ" 13 2
note "rename and delete without mdmon done"

# ---- --zero-superblock ---------------------------------------------------------
run_expect 0 mdadm -S "$ZZ"
run_expect 0 mdadm -S /dev/md/imsm1
# a damaged copy (a byte under the checksum changed) needs --force
n=$(($(blockdev --getsz "${Z[0]}") - 2))
printf '\x5a' | dd of="${Z[0]}" bs=1 seek=$((n * 512 + 0x30)) conv=notrunc status=none
snapshot
refuse "zero a damaged copy" 1 "carries damaged IMSM metadata (" \
	mdadm --zero-superblock "${Z[0]}"
# every device is checked before the first is written
refuse "zero: the second of two devices runs" 2 "member of the md array /dev/$C0" \
	mdadm --zero-superblock "${Z[1]}" "${A[0]}"
[ ${#failed_cases[@]} -eq 0 ] || fail "cases that failed: ${failed_cases[*]}"
run_expect 0 mdadm -S /dev/md/imsm0
run_expect 0 mdadm --zero-superblock --force "${Z[0]}"
run_expect 0 mdadm --zero "${Z[1]}" "${A[0]}"
run_expect 0 mdadm-peer -C /dev/md/n0 -e 1.2 -l1 -n2 --run "$B1" "${A[1]}"
run_expect 0 mdadm-peer -S /dev/md/n0
run_expect 0 mdadm --zero-superblock "$B1" "${A[1]}"
for d in "${Z[@]}" "${A[0]}" "${A[1]}" "$B1"; do
	run_expect 1 mdadm -E "$d"
	run_expect 1 mdadm-peer -E "$d"
	case $last_err in *"No md superblock detected on $d"*) ;; *) fail "peer -E $d: $last_err" ;; esac
done
# the peer's tail of the disk is all zero where IMSM was
n=$(($(blockdev --getsz "${A[0]}") - 2))
[ "$(dd if="${A[0]}" bs=512 skip=$n count=2 status=none | tr -d '\0' | wc -c)" = 0 ] ||
	fail "IMSM anchor or migration record left on ${A[0]}"
run_expect 0 mdadm --zero-superblock "$B0"
[ "$last_err" = "mdadm: Unrecognised md component device - $B0" ] || fail "blank: $last_err"
run_expect 0 mdadm --zero-superblock --force "$B0"
note "zero-superblock done"
