#!/bin/bash
# vm-timeout: 600
# Level and chunk migrations IMSM cannot or must not do are refused
# before anything changes (issue 11): one "mdadm: " line, nothing on
# stdout, exit 1 (2 for a chunk that is no size at all, as upstream's
# parser), every disk of the container unchanged (md5 read past the page
# cache).  --dry-run prints the plan and changes nothing either.
#   - raid1: --chunk, --level=5 (no takeover makes it);
#   - raid0 --level=5 without a spare; --level with --chunk at once;
#     --chunk=96 (no power of two), --chunk=2048 (over IMSM's 1 MiB copy
#     area), --layout=right-symmetric, --level with --raid-devices;
#   - a level migration in a container of two volumes (raid5 + raid0);
#   - a degraded raid5 (a member failed, no spare);
#   - a second migration while one runs (disks change by design there:
#     only the line and the exit code), the first ends with data intact.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

make_disks 2 32 # M: raid1
make_disks 3 40 # R: raid0, then raid5 + raid0
M=("${DISKS[@]:0:2}") R=("${DISKS[@]:2:3}")

clean_on() {
	mdadm -E "$1" >/tmp/c.txt 2>&1 && ! grep -q 'Dirty State : dirty' /tmp/c.txt
}

failed_cases=()

# ---- raid1 ---------------------------------------------------------------------
run_expect 0 mdadm --create /dev/md/imsm1 --metadata=imsm --raid-devices=2 "${M[@]}"
run_expect 0 mdadm --create /dev/md/r1 --level=1 --raid-devices=2 --size=8M --assume-clean \
	/dev/md/imsm1
pattern_write /dev/md/r1 2102 8
wait_until 30 clean_on "${M[0]}"
refuse_disks "raid1 chunk" 1 "only raid0 and raid5" M -- mdadm --grow /dev/md/r1 --chunk=128
refuse_disks "raid1 to raid5" 1 "IMSM takes over raid0 -> raid10" M -- mdadm --grow /dev/md/r1 --level=5
pattern_verify /dev/md/r1 2102 8
stop_all_md

# ---- raid0 ---------------------------------------------------------------------
run_expect 0 mdadm --create /dev/md/imsm0 --metadata=imsm --raid-devices=3 "${R[@]}"
run_expect 0 mdadm --create /dev/md/r0 --level=0 --raid-devices=3 --chunk=64 --size=8M \
	/dev/md/imsm0
pattern_write /dev/md/r0 2103 24
refuse_disks "raid0 to raid5 without a spare" 1 "needs a spare disk" R -- \
	mdadm --grow /dev/md/r0 --level=5
refuse_disks "level and chunk at once" 1 "--level and --chunk together" R -- \
	mdadm --grow /dev/md/r0 --level=5 --chunk=128
refuse_disks "chunk 96K" 2 "power of two" R -- mdadm --grow /dev/md/r0 --chunk=96
refuse_disks "chunk 2048K" 1 "4K to 1024K" R -- mdadm --grow /dev/md/r0 --chunk=2048
refuse_disks "nothing changes" 1 "nothing to change" R -- mdadm --grow /dev/md/r0 --chunk=64
refuse_disks "raid5 layout" 1 "one layout" R -- \
	mdadm --grow /dev/md/r0 --level=5 --layout=right-symmetric
refuse_disks "level with raid-devices" 1 "alone" R -- \
	mdadm --grow /dev/md/r0 --level=5 --raid-devices=4

# --dry-run: the plan on stderr, exit 0, nothing changed
before=$(sums "${R[@]}")
run_expect 0 mdadm --grow /dev/md/r0 --chunk=256 --dry-run
printf '%s\n' "$last_err" | grep -q 'raid0, 3 disks, chunk 64K -> raid0, 3 disks, chunk 256K' ||
	fail "--dry-run printed no plan: $last_err"
[ "$(sums "${R[@]}")" = "$before" ] || fail "--dry-run changed a disk"
note "--dry-run: $last_err"
pattern_verify /dev/md/r0 2103 24
stop_all_md
mdadm --zero-superblock "${R[@]}"

# ---- two volumes: raid5 + raid0 --------------------------------------------------
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${R[@]}"
run_expect 0 mdadm -C /dev/md/a5 -l5 -n3 -c 64 -z 8M --assume-clean /dev/md/imsm0
run_expect 0 mdadm -C /dev/md/b0 -l0 -n3 -c 64 -z 8M /dev/md/imsm0
pattern_write /dev/md/a5 2104 16
wait_until 30 clean_on "${R[0]}"
refuse_disks "level change beside another volume" 1 "single volume" R -- \
	mdadm --grow /dev/md/a5 --level=0

# a second migration while one runs (held slow by the speed limit)
echo 200 >/proc/sys/dev/raid/speed_limit_max
mdadm --grow /dev/md/a5 --chunk=128 2>/tmp/grow.err &
grow=$!
wait_until 60 sh -c "mdadm -E ${R[0]} | grep -q 'Migrate State : general'"
run_expect 1 mdadm --grow /dev/md/b0 --chunk=128
expect_one_error_line "mdadm: "
case $last_err in *"wait for it to finish"*) ;; *) fail "second migration: $last_err" ;; esac
note "second migration: $last_err"
echo 200000 >/proc/sys/dev/raid/speed_limit_max
wait "$grow" || fail "the first migration failed: $(cat /tmp/grow.err)"
pattern_verify /dev/md/a5 2104 16

# ---- degraded raid5 ----------------------------------------------------------------
run_expect 0 mdadm --stop /dev/md/b0 # a raid0 fails with its member: out of the way
run_expect 0 mdadm /dev/md/a5 --fail "${R[2]}"
wait_until 30 sh -c "mdadm -E ${R[0]} | grep -q 'Map State : degraded'"
RD=("${R[@]:0:2}")
wait_until 60 disks_settled "${RD[@]}"
refuse_disks "degraded raid5" 1 "degraded" RD -- mdadm --grow /dev/md/a5 --chunk=256
pattern_verify /dev/md/a5 2104 16

[ "${#failed_cases[@]}" = 0 ] || fail "cases failed: ${failed_cases[*]}"
