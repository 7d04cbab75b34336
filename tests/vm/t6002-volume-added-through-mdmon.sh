#!/bin/bash
# vm-timeout: 300
# Regression: a second volume created while mdmon manages the first must
# survive mdmon's own metadata writes.  mdadm hands the new metadata to
# mdmon as an update; mdmon merges only the new volume into its copy (its
# dirty flags stay) and writes it.  The raid0 second volume, which mdmon
# does not watch, used to vanish from disk at the next clean/dirty write.
. "$VMTEST_LIB"

make_disks 3 64
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${DISKS[@]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 -z 12M --assume-clean /dev/md/imsm0
pattern_write /dev/md/r5 81 24          # r5 is dirty in mdmon's copy now
run_expect 0 mdadm -C /dev/md/r0 -l0 -n3 -z 8M /dev/md/imsm0
pattern_write /dev/md/r0 82 24
pattern_write /dev/md/r5 83 24          # more dirty/clean writes by mdmon
wait_until 30 sh -c "! mdadm-peer -E ${DISKS[0]} | grep -q 'Dirty State : dirty'"
for d in "${DISKS[@]}"; do
	mdadm-peer -E "$d" >/tmp/e.txt
	grep -q '^\[r5\]:' /tmp/e.txt && grep -q '^\[r0\]:' /tmp/e.txt ||
		fail "a volume is missing from the metadata on $d"
	grep -q 'Dirty State : dirty' /tmp/e.txt && fail "dirty after the idle delay on $d"
done
run_expect 0 mdadm -S /dev/md/r5 /dev/md/r0
run_expect 0 mdadm -S /dev/md/imsm0
mdadm-peer -A /dev/md/imsm0 "${DISKS[@]}" 2>&1
mdadm-peer -I /dev/md/imsm0 2>&1
pattern_verify "$(vol_path r5)" 83 24
pattern_verify "$(vol_path r0)" 82 24
note "both volumes survive mdmon's writes"
