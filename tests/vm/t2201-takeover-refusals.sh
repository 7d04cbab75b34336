#!/bin/bash
# vm-timeout: 600
# Takeovers IMSM cannot or must not do are refused before anything
# changes (issue 12): one "mdadm: " line, nothing on stdout, exit 1, every
# disk of the container unchanged (md5 read past the page cache).
#   - raid0 (2) -> raid10 with one spare; with two spares too small;
#   - raid0 of one disk -> raid10; raid0 (3) -> raid10 (6) without --force
#     (the UEFI driver boots no such raid10), and beyond the platform's 6
#     disks (IMSM_TEST_OROM) even with it; --dry-run --force prints the
#     plan and changes nothing;
#   - a raid0 next to a raid5 -> raid10; raid5 -> raid4 (IMSM has no
#     raid4), raid10 growth by disks (--raid-devices on the container);
#   - a degraded raid10 -> raid0; a resyncing raid10 -> raid0;
# and --add DEV on a raid0 volume: DEV becomes a spare of the container,
# said in one line; --add on a raid1 volume is refused (the container
# takes disks).
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh
. /repo/tests/vm/levels-lib.sh

failed_cases=()

# ---- raid0 (2) ----------------------------------------------------------------
tko_make 0 2 1
refuse_disks "raid0 -> raid10, one spare" 1 "not enough spare disks" ALL -- \
	mdadm --grow "${V[0]}" --level=10
refuse_disks "raid0 (2) -> raid1" 1 "IMSM takes over" ALL -- mdadm --grow "${V[0]}" --level=1
refuse_disks "raid0 -> raid4" 1 "raid4 cannot be recorded" ALL -- mdadm --grow "${V[0]}" --level=4
# --add on the raid0 volume: a spare of the container, in one line
make_disks 1 40
X=${DISKS[-1]}
run_expect 0 mdadm "${V[0]}" --add "$X"
expect_one_error_line "mdadm: added $X to "
case $last_err in *"raid0 ${V[0]} has none of its own"*) ;; *) fail "the line does not say why: $last_err" ;; esac
note "$last_err"
ALL+=("$X")
[ "$(spares_of_all | wc -l)" = 2 ] || fail "the added disk is not a spare: $(spares_of_all | xargs)"
run_expect 0 mdadm --grow "${V[0]}" --level=10 --dry-run
[ "$(spares_of_all | wc -l)" = 2 ] || fail "--dry-run changed something"
run_expect 0 mdadm --grow "${V[0]}" --level=10
tko_rebuilt 0
tko_check 0 10 4
note "the spare --add gave the raid0 volume made it raid10"
refuse_disks "raid10 growth by disks" 1 "." ALL -- mdadm --grow "$C" --raid-devices=6
stop_all_md

# ---- spares too small (added before the volume) ---------------------------------
make_disks 2 40
make_disks 2 12
ALL=("${DISKS[@]: -4}") C=/dev/md/small V=(/dev/md/s0)
run_expect 0 mdadm --create "$C" --metadata=imsm --raid-devices=2 "${ALL[@]:0:2}"
run_expect 0 mdadm --add "$C" "${ALL[2]}" "${ALL[3]}"
run_expect 0 mdadm --create "${V[0]}" --level=0 --raid-devices=2 --size=16M "$C"
refuse_disks "spares too small" 1 "too small" ALL -- mdadm --grow "${V[0]}" --level=10
stop_all_md

# ---- one disk, six disks, the platform ------------------------------------------
tko_make 0 1 2
refuse_disks "raid0 of one disk -> raid10" 1 "becomes raid1" ALL -- mdadm --grow "${V[0]}" --level=10
stop_all_md
tko_make 0 3 3
refuse_disks "raid10 of 6 without --force" 1 "give --force" ALL -- mdadm --grow "${V[0]}" --level=10
before=$(sums "${ALL[@]}")
run_expect 0 mdadm --grow "${V[0]}" --level=10 --force --dry-run
case $last_err in *"raid10, 6 disks"*) ;; *) fail "no plan: $last_err" ;; esac
[ "$(sums "${ALL[@]}")" = "$before" ] || fail "--dry-run changed a disk"
note "--dry-run: $last_err"
stop_all_md
tko_make 0 4 4
fake_intel_ahci
refuse_disks "raid10 of 8 on a 6-disk platform" 1 "too many disks" ALL -- \
	env -u IMSM_NO_PLATFORM IMSM_TEST_OROM=1 mdadm --grow "${V[0]}" --level=10 --force
fake_intel_ahci_off
stop_all_md

# ---- a raid0 next to a raid5 ----------------------------------------------------------
tko_make 5 3 3 0
tko_quiet ALL
refuse_disks "raid0 next to a raid5 -> raid10" 1 "every volume of the container must be a raid0" ALL -- \
	mdadm --grow "${V[1]}" --level=10
refuse_disks "raid5 -> raid4" 1 "raid4 cannot be recorded" ALL -- mdadm --grow "${V[0]}" --level=4
stop_all_md

# ---- raid10: degraded, resyncing ------------------------------------------------------
tko_make 10 4 0
run_expect 0 mdadm "${V[0]}" --fail "${ALL[1]}"
wait_until 30 sh -c "mdadm -E ${ALL[0]} | grep -q 'Map State : degraded'"
LEFT=("${ALL[0]}" "${ALL[@]:2}") # the failed disk is out of the container's writes
tko_quiet LEFT
refuse_disks "degraded raid10 -> raid0" 1 "degraded" LEFT -- mdadm --grow "${V[0]}" --level=0
stop_all_md
make_disks 4 40
ALL=("${DISKS[@]: -4}") C=/dev/md/rs V=(/dev/md/rs0)
run_expect 0 mdadm --create "$C" --metadata=imsm --raid-devices=4 "${ALL[@]}"
slow 200
run_expect 0 mdadm --create "${V[0]}" --level=10 --raid-devices=4 --size=8M "$C"
wait_until 30 grep -q resync /proc/mdstat
# (the resync writes: only the line and the exit code)
run_expect 1 mdadm --grow "${V[0]}" --level=0
expect_one_error_line "mdadm: "
printf '%s\n' "$last_err" | grep -qE "busy \(resync\)|being initialized" || fail "resyncing: $last_err"
note "resyncing raid10 -> raid0: $last_err"
[ "$(md_attr "$(md_devnm "${V[0]}")" level)" = raid10 ] || fail "the resyncing raid10 changed level"
slow 200000
stop_all_md

[ ${#failed_cases[@]} -eq 0 ] || fail "cases failed: ${failed_cases[*]}"
