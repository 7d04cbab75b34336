#!/bin/bash
# vm-timeout: 300
# --detail of an IMSM container and its volumes (issue 10, drop-in for
# upstream 4.2): our text is the peer's line for line (volumes; the
# container's unordered lists as sets), --export key by key, -Dsv with
# devices=, --no-devices, --test's exit codes (0 healthy, 1 degraded, 2
# container, 4 no array), --json valid and equal to the text; during an
# OLCE (4 -> 5 disks) Reshape Status and Delta Devices as the peer's;
# --detail-platform over a faked AHCI controller (IMSM_TEST_OROM) in text,
# --export, --brief and --json as the peer's; --examine --json.
. "$VMTEST_LIB"

make_disks 5 48
D=("${DISKS[@]:0:4}") S=${DISKS[4]}
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n4 "${D[@]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n4 -c 128 -z 12M --assume-clean /dev/md/imsm0
run_expect 0 mdadm -C /dev/md/r0 -l0 -n4 -c 64 -z 8M /dev/md/imsm0
# the peer's map must know our arrays for it to print MD_DEVNAME
mdadm-peer --incremental --rebuild-map 2>/dev/null || true
# md starts a redundant volume read-auto; a write makes both tools see "clean"
pattern_write /dev/md/r5 110 4

same() { # WHAT FILE FILE
	diff -u "$2" "$3" >/tmp/diff.txt || { cat /tmp/diff.txt; fail "$1 differs from the peer's"; }
}
# join "   devices=" lines to their ARRAY line, sort: scan order is not ours to match
records() { sed -e ':a;N;$!ba;s/\n   devices=/ devices=/g' "$1" | sort; }

# ---- text ------------------------------------------------------------------
for v in r5 r0; do
	mdadm -D /dev/md/$v >/tmp/o.txt
	mdadm-peer -D /dev/md/$v >/tmp/p.txt
	same "-D $v" /tmp/p.txt /tmp/o.txt
	mdadm -D --no-devices /dev/md/$v >/tmp/o.txt
	mdadm-peer -D --no-devices /dev/md/$v >/tmp/p.txt
	same "-D --no-devices $v" /tmp/p.txt /tmp/o.txt
done
cat /tmp/o.txt
# the container: member rows and Member Arrays come in sysfs order upstream
ctr_norm() {
	sed -n '1,/Member Arrays/p' "$1" | sed 's/\(Member Arrays :\).*/\1/'
	sed -n 's/^ *Member Arrays ://p' "$1" | tr ' ' '\n' | sed '/^$/d' | sort
	sed -n '/Member Arrays/,$p' "$1" | sed '1d' | grep -v '^ *-  ' || true
	grep '^ *-  ' "$1" | sort || true
}
mdadm -D /dev/md/imsm0 >/tmp/o.txt
mdadm-peer -D /dev/md/imsm0 >/tmp/p.txt
cat /tmp/o.txt
same "-D container" <(ctr_norm /tmp/p.txt) <(ctr_norm /tmp/o.txt)

# ---- --export, --brief -v, --test ----------------------------------------------
for a in imsm0 r5 r0; do
	for opt in "" --no-devices; do
		mdadm -D --export $opt /dev/md/$a | sort >/tmp/o.txt
		mdadm-peer -D --export $opt /dev/md/$a | sort >/tmp/p.txt
		same "-D --export $opt $a" /tmp/p.txt /tmp/o.txt
	done
	mdadm -Dbv /dev/md/$a >/tmp/o.txt
	mdadm-peer -Dbv /dev/md/$a >/tmp/p.txt
	same "-Dbv $a" /tmp/p.txt /tmp/o.txt
done
grep -qx 'MD_DEVNAME=r5' <(mdadm -D --export /dev/md/r5) || fail "no MD_DEVNAME"
mdadm -Dsv >/tmp/o.txt
mdadm-peer -Dsv >/tmp/p.txt
cat /tmp/o.txt
grep -q "^   devices=${D[0]},${D[1]},${D[2]},${D[3]}$" /tmp/o.txt || fail "-Dsv: no devices= line"
same "-Dsv" <(records /tmp/p.txt) <(records /tmp/o.txt)
same "-Ds" <(mdadm-peer -Ds | sort) <(mdadm -Ds | sort)
run_expect 0 mdadm -D --test /dev/md/r5
run_expect 0 mdadm -D --test /dev/md/r0
run_expect 2 mdadm -D --test /dev/md/imsm0 # upstream: a container is never "enough"
run_expect 4 mdadm -D --test /dev/md/nosuch
expect_one_error_line "mdadm: "
run_expect 1 mdadm -D /dev/md/nosuch
expect_one_error_line "mdadm: "

# ---- --json: valid, and the values of the text -----------------------------------
CHECK="python3 /repo/tests/vm/tools/detail-json-check.py"
for a in imsm0 r5 r0; do
	mdadm -D --json /dev/md/$a >/tmp/$a.json
	mdadm -D /dev/md/$a >/tmp/$a.txt
done
mdadm -Ds --json >/tmp/scan.json
mdadm -E --json "${D[0]}" "${D[1]}" >/tmp/e.json
$CHECK --pair /tmp/imsm0.json /tmp/imsm0.txt --pair /tmp/r5.json /tmp/r5.txt \
	--pair /tmp/r0.json /tmp/r0.txt --scan /tmp/scan.json 3 \
	--examine /tmp/e.json "$(examine_field "${D[0]}" UUID mdadm-peer)" ||
	fail "--json disagrees with the text"
note "text, export, brief, test and json agree with the peer"

# ---- --detail-platform ----------------------------------------------------------
run_expect 2 mdadm --detail-platform # qemu's PIIX has no Intel RAID/AHCI function
expect_one_error_line "mdadm: "
run_expect 2 mdadm-peer --detail-platform
# An AHCI function of Intel's, faked under /sys/bus/pci in a mount namespace:
# both tools find it through sysfs, IMSM_TEST_OROM gives it the test table.
F=/tmp/fakepci R=/tmp/fakepci/real/0000:00:1f.2
mkdir -p $R/host0 $F/bus/pci $F/devices $F/drivers/ahci
echo 0x8086 >$R/vendor; echo 0x2822 >$R/device; echo 0x010601 >$R/class
ln -s $F/bus/pci $R/subsystem
ln -s $R $F/devices/0000:00:1f.2
ln -s $R $F/drivers/ahci/0000:00:1f.2
cat >/tmp/plat.sh <<'EOF'
mount --bind /tmp/fakepci /sys/bus/pci || exit 9
for t in mdadm mdadm-peer; do
	for o in "" --export --brief; do
		IMSM_TEST_OROM=1 $t --detail-platform $o >/tmp/plat.$t$o 2>/dev/null
		echo "$t $o rc=$?" >>/tmp/plat.rc
	done
done
IMSM_TEST_OROM=1 mdadm --detail-platform --json >/tmp/plat.json
IMSM_TEST_OROM=1 IMSM_TEST_OROM_NORAID5=1 mdadm --detail-platform >/tmp/plat.nor5
IMSM_TEST_OROM=1 IMSM_TEST_OROM_NORAID5=1 mdadm-peer --detail-platform >/tmp/plat.peer-nor5
mdadm --detail-platform >/tmp/plat.nocaps 2>/tmp/plat.nocaps.err; echo "nocaps rc=$?" >>/tmp/plat.rc
EOF
rm -f /tmp/plat.rc
unshare -m bash /tmp/plat.sh || fail "platform run failed"
cat /tmp/plat.rc /tmp/plat.mdadm
for o in "" --export --brief; do
	grep -qx "mdadm $o rc=0" /tmp/plat.rc || fail "--detail-platform $o: $(cat /tmp/plat.rc)"
	same "--detail-platform $o" "/tmp/plat.mdadm-peer$o" "/tmp/plat.mdadm$o"
done
same "--detail-platform (no raid5)" /tmp/plat.peer-nor5 /tmp/plat.nor5
grep -qx "nocaps rc=1" /tmp/plat.rc || fail "no table: $(cat /tmp/plat.rc)"
[ "$(wc -l </tmp/plat.nocaps.err)" = 1 ] || fail "no table: $(cat /tmp/plat.nocaps.err)"
$CHECK --platform /tmp/plat.json || fail "--detail-platform --json"
note "--detail-platform agrees with the peer"

# ---- an OLCE of both volumes, 4 -> 5 disks: -D mid-way ---------------------------
run_expect 0 mdadm /dev/md/imsm0 --add "$S"
echo 300 >/proc/sys/dev/raid/speed_limit_max
echo 50 >/proc/sys/dev/raid/speed_limit_min
mdadm --grow /dev/md/imsm0 --raid-devices=5 2>/tmp/grow.err &
grow=$!
reshaping() { grep -q reshape /proc/mdstat; }
wait_until 60 reshaping
sleep 1
mdadm -D /dev/md/r5 >/tmp/o.txt
mdadm-peer -D /dev/md/r5 >/tmp/p.txt
cat /tmp/o.txt
grep -q "^    Reshape Status : [0-9]*% complete$" /tmp/o.txt || fail "no Reshape Status"
grep -q "^     Delta Devices : 1, (4->5)$" /tmp/o.txt || fail "no Delta Devices"
grep -q "^             State : .*reshaping $" /tmp/o.txt || fail "State does not say reshaping"
same "-D mid-reshape (but the percentage)" <(grep -v 'Reshape Status' /tmp/p.txt) \
	<(grep -v 'Reshape Status' /tmp/o.txt)
mdadm -D --json /dev/md/r5 >/tmp/reshape.json
echo 200000 >/proc/sys/dev/raid/speed_limit_max
wait "$grow" || fail "grow failed: $(cat /tmp/grow.err)"
pattern_verify /dev/md/r5 110 4
note "Reshape Status and Delta Devices as the peer's"

# ---- degraded: --fail, then --test says 1 -----------------------------------------
run_expect 0 mdadm /dev/md/r5 --fail "${D[1]}"
vol=$(md_devnm /dev/md/r5)
degraded() { grep -A1 "^$vol " /proc/mdstat | grep -q '\[U*_U*\]'; }
wait_until 30 degraded
run_expect 1 mdadm -D --test /dev/md/r5
run_expect 1 mdadm-peer -D --test /dev/md/r5
mdadm -D /dev/md/r5 >/tmp/o.txt
mdadm-peer -D /dev/md/r5 >/tmp/p.txt
cat /tmp/o.txt
same "-D degraded" /tmp/p.txt /tmp/o.txt
grep -q "State : clean, degraded $" /tmp/o.txt || fail "State does not say degraded"
grep -qE "^ +- +0 +0 +1 +removed$" /tmp/o.txt || fail "no removed row"
mdadm -D --json /dev/md/r5 >/tmp/r5.json
$CHECK --pair /tmp/r5.json /tmp/o.txt --health /tmp/r5.json degraded --reshape /tmp/reshape.json ||
	fail "--json of the reshaping or degraded volume"
note "degraded: --test 1, removed slot, json health"
stop_all_md
