#!/bin/bash
# vm-timeout: 240
# mdadm.conf drives our assembly: the ARRAY lines of our --examine --scan
# and --detail --scan assemble the same arrays with the same names and
# UUIDs (as Debian's mdadm reads them back); a hand-written conf renames
# them; -A MD takes MD from the conf; -u, -o, --no-degraded; malformed
# files give one "mdadm: FILE:LINE: ..." line and nothing wrongly assembled.
. "$VMTEST_LIB"

# Our -Ss, in one go: volumes, then their containers.
stop_ours() {
	run_expect 0 mdadm -Ss
	! grep -q '^md' /proc/mdstat || fail "arrays left after -Ss: $(cat /proc/mdstat)"
}

make_disks 4 16
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n4 "${DISKS[@]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n4 -z 3M --assume-clean /dev/md/imsm0
run_expect 0 mdadm -C /dev/md/r0 -l0 -n4 -z 2M /dev/md/imsm0
pattern_write /dev/md/r5 1201 9
pattern_write /dev/md/r0 1202 8

peer_uuid() { mdadm-peer -D --export "$1" | sed -n 's/^MD_UUID=//p'; }
CU=$(peer_uuid /dev/md/imsm0)
U5=$(peer_uuid /dev/md/r5)
U0=$(peer_uuid /dev/md/r0)
[ -n "$CU" ] && [ -n "$U5" ] && [ -n "$U0" ] || fail "the peer shows no UUIDs"
mdadm --examine --scan >/tmp/examine.conf
mdadm --detail --scan >/tmp/detail.conf
cat /tmp/examine.conf /tmp/detail.conf
stop_ours

# Every array up, named, with the peer's UUIDs, data intact, map lines real.
check_up() { # container r5-name r0-name
	local c=$1 v5=$2 v0=$3
	[ -b "/dev/md/$c" ] || fail "no /dev/md/$c: $(ls /dev/md)"
	[ "$(peer_uuid "/dev/md/$c")" = "$CU" ] || fail "container UUID differs"
	[ "$(peer_uuid "/dev/md/$v5")" = "$U5" ] || fail "/dev/md/$v5 UUID differs"
	[ "$(peer_uuid "/dev/md/$v0")" = "$U0" ] || fail "/dev/md/$v0 UUID differs"
	pattern_verify "/dev/md/$v5" 1201 9
	pattern_verify "/dev/md/$v0" 1202 8
	grep -q "^$(md_devnm "/dev/md/$c") imsm $CU /dev/md/$c\$" /run/mdadm/map ||
		fail "map line of the container: $(cat /run/mdadm/map)"
	grep -q "^$(md_devnm "/dev/md/$v5") /md[0-9]*/0 $U5 /dev/md/$v5\$" /run/mdadm/map ||
		fail "map line of $v5: $(cat /run/mdadm/map)"
}

running() { awk '/^md/ { n++ } END { print n + 0 }' /proc/mdstat; }

# --- --examine --scan lines ------------------------------------------------------
run_expect 0 mdadm -A --scan -c /tmp/examine.conf
echo "$last_err"
check_up imsm0 r5 r0
stop_ours
[ "$(running)" = 0 ] || fail "arrays left after -Ss"

# --- --detail --scan lines -------------------------------------------------------
run_expect 0 mdadm -A --scan --config=/tmp/detail.conf
check_up imsm0 r5 r0
stop_ours

# --- hand-written, renamed, in the default place ---------------------------------
mkdir -p /etc/mdadm
cat >/etc/mdadm/mdadm.conf <<EOF
# renamed by hand
DEVICE /dev/loop*
HOMEHOST <ignore>
MAILADDR root
ARRAY /dev/md/store metadata=imsm UUID=$CU
ARRAY /dev/md/fast container=/dev/md/store member=1
   UUID=$U0
ARRAY /dev/md/safe container=$CU member=0
EOF
run_expect 0 mdadm -As
echo "$last_err"
check_up store safe fast
[ ! -e /dev/md/r5 ] && [ ! -e /dev/md/r5_0 ] || fail "a volume kept its own name"
stop_ours

# --- -A MD from the conf: only that volume (and its container) -------------------
run_expect 0 mdadm -A /dev/md/safe
[ -b /dev/md/safe ] && [ -b /dev/md/store ] || fail "-A /dev/md/safe: $(ls /dev/md)"
[ ! -e /dev/md/fast ] || fail "-A /dev/md/safe started fast too"
run_expect 0 mdadm -A --scan /dev/md/fast
check_up store safe fast
run_expect 1 mdadm -A /dev/md/nosuch
expect_one_error_line "mdadm: /dev/md/nosuch not identified in config file"
stop_ours

# --- -u UUID without a conf: the volume so named only, foreign name ------------
run_expect 0 mdadm -A --scan -c none -u "$U0"
[ -b /dev/md/r0_0 ] || fail "-u: $(ls /dev/md)"
[ "$(running)" = 2 ] || fail "-u started more than the container and r0: $(cat /proc/mdstat)"
pattern_verify /dev/md/r0_0 1202 8
stop_ours

# --- -o: read-only, mdmon keeps off ----------------------------------------------
run_expect 0 mdadm -A --scan -o
for v in safe fast; do
	d=$(md_devnm /dev/md/$v)
	grep -qx readonly "/sys/block/$d/md/array_state" || fail "$v not read-only"
	grep -q '^external:-' "/sys/block/$d/md/metadata_version" || fail "$v not blocked"
done
pattern_verify /dev/md/safe 1201 9
stop_ours

# --- --no-degraded: a volume missing a disk stays down ---------------------------
cat >/tmp/three.conf <<EOF
DEVICE ${DISKS[0]} ${DISKS[1]} ${DISKS[2]}
ARRAY /dev/md/store metadata=imsm UUID=$CU
EOF
run_expect 0 mdadm -As -c /tmp/three.conf --no-degraded
[ "$(running)" = 1 ] || fail "--no-degraded started a volume: $(cat /proc/mdstat)"
stop_ours
run_expect 0 mdadm -As -c /tmp/three.conf
[ "$(running)" = 2 ] || fail "the degraded raid5 did not start: $(cat /proc/mdstat)"
pattern_verify "$(vol_path r5)" 1201 9
stop_ours

# --- malformed files ---------------------------------------------------------------
before_sums=$(disk_sums)
bad() { # file line-fragment code cmd...: one line FILE:LINE, nothing runs
	local file=$1 frag=$2 code=$3
	shift 3
	run_expect "$code" "$@"
	expect_one_error_line "mdadm: $file:"
	case $last_err in *"$frag"*) ;; *) fail "message lacks '$frag': $last_err" ;; esac
	[ "$(running)" = 0 ] || fail "something was assembled: $(cat /proc/mdstat)"
	note "refused: $last_err"
}
# a file that still assembles: its one diagnostic first, then progress lines
first_line_is() {
	[ "$(printf '%s\n' "$last_err" | grep -c "^mdadm: /tmp/.*conf:")" = 1 ] ||
		fail "expected one diagnostic: $last_err"
	case $(printf '%s\n' "$last_err" | head -1) in "$1"*) ;; *) fail "first line: $last_err" ;; esac
}
printf 'ARRAY /dev/md/store metadata=imsm UUID=%s\n' "${CU:0:20}" >/tmp/bad1.conf
bad /tmp/bad1.conf "1: bad uuid" 1 mdadm -As -c /tmp/bad1.conf
printf 'DEVICE /dev/loop*\nARRAY /dev/md/../evil metadata=imsm UUID=%s\n' "$CU" >/tmp/bad2.conf
bad /tmp/bad2.conf "2: /dev/md/../evil is an invalid name" 1 mdadm -As -c /tmp/bad2.conf
[ ! -e /dev/evil ] && [ ! -e /dev/md/evil ] || fail "a link escaped /dev/md"
printf 'ARRAY /dev/md/store metadata=imsm UUID=%s frob=1\n' "$CU" >/tmp/bad3.conf
bad /tmp/bad3.conf "1: unrecognised word on ARRAY line: frob=1" 1 mdadm -As -c /tmp/bad3.conf
printf 'ARRAY /dev/md/store\n  metadata=imsm\n' >/tmp/bad4.conf
bad /tmp/bad4.conf "1: ARRAY line /dev/md/store has no identity" 1 mdadm -As -c /tmp/bad4.conf
printf 'ARRAY /dev/md/a metadata=imsm UUID=%s\n\0\nARRAY /dev/md/b name=x\n' "$CU" >/tmp/bad5.conf
run_expect 0 mdadm -As -c /tmp/bad5.conf
first_line_is "mdadm: /tmp/bad5.conf:2: NUL byte"
[ -b /dev/md/a ] || fail "the good line of a file with a NUL byte was not used"
stop_ours
# a bad line among good ones: reported, the good ones assembled as written
cp /etc/mdadm/mdadm.conf /tmp/mixed.conf
echo "FROBNICATE yes" >>/tmp/mixed.conf
run_expect 0 mdadm -As -c /tmp/mixed.conf
first_line_is "mdadm: /tmp/mixed.conf:9: unknown keyword FROBNICATE"
check_up store safe fast
stop_ours
run_expect 1 mdadm -As -c /tmp/missing.conf
expect_one_error_line "mdadm: cannot read /tmp/missing.conf"
[ "$(running)" = 0 ] || fail "assembled without a conf"
run_expect 1 mdadm -As --update=name
expect_one_error_line "mdadm: --update=name not understood for imsm metadata"
[ "$(running)" = 0 ] || fail "assembled with --update"
[ "$(disk_sums)" = "$before_sums" ] || fail "a refused assembly changed a disk"

# --- the peer reads our conf the same way ------------------------------------------
mdadm-peer -As -c /etc/mdadm/mdadm.conf 2>&1 || true
mdadm-peer -I /dev/md/store 2>&1 || true
check_up store safe fast
note "conf assembly: examine/detail round trip, renames, -A MD, -u, -o, --no-degraded, malformed files"
