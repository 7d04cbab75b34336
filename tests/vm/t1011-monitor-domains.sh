#!/bin/bash
# vm-timeout: 240
# vm-disks: 2x32
# Where `mdadm --monitor` takes a spare from (issue 13): a container whose
# volume lost a member and has no spare of its own gets one from another
# container only when the spare is in every one of its domains (spare-group
# of the ARRAY lines, domain= of the POLICY lines that apply to its disks)
# and sits on the same kind of controller (IMSM keeps a container on one).
# Three containers: ca and cb on loop devices (no controller), cv on the
# test's two virtio disks (virtio-pci); raid1 volumes m1, m2, mv; the spare
# S in cb.  With --monitor --scan --oneshot --program:
#  1. m1 degraded, no spare-group, no POLICY: nothing moves;
#     POLICY lines that do not apply (metadata=ddf; a path= that loop
#     devices, without a by-path name, do not match; type=part): nothing;
#  2. POLICY domain=shelf metadata=imsm action=spare: S moves to ca
#     (MoveSpare), m1 is rebuilt onto it, its data intact;
#  3. mv degraded, every container in spare-group g1, a spare in cb: not
#     moved (one line on stderr naming both controllers, exit 0), the
#     spare still cb's and no disk of cb written.
. "$VMTEST_LIB"

ev=/tmp/events
printf '#!/bin/sh\necho "$*" >>%s\n' "$ev" >/tmp/prog.sh
chmod +x /tmp/prog.sh
make_disks 5 16
A=("${DISKS[@]:0:2}") B=("${DISKS[@]:2:2}") S=${DISKS[4]}
use_vm_disks
V=("${DISKS[@]:5:2}")
trap '[ $? -eq 0 ] || { cat /proc/mdstat; cat "$ev" 2>/dev/null; }' EXIT

run_expect 0 mdadm -C /dev/md/ca -e imsm -n2 --run "${A[@]}"
run_expect 0 mdadm -C /dev/md/m1 -l1 -n2 -z 8M --assume-clean --run /dev/md/ca
run_expect 0 mdadm -C /dev/md/cb -e imsm -n2 --run "${B[@]}"
run_expect 0 mdadm -C /dev/md/m2 -l1 -n2 -z 8M --assume-clean --run /dev/md/cb
run_expect 0 mdadm /dev/md/cb --add "$S"
run_expect 0 mdadm -C /dev/md/cv -e imsm -n2 --run "${V[@]}"
run_expect 0 mdadm -C /dev/md/mv -l1 -n2 -z 8M --assume-clean --run /dev/md/cv
pattern_write /dev/md/m1 1011 6
ca=$(md_devnm /dev/md/ca) cb=$(md_devnm /dev/md/cb) cv=$(md_devnm /dev/md/cv) m1=$(md_devnm /dev/md/m1)
in_container() { grep -q "${1#/dev/}\[" <(grep "^$2 " /proc/mdstat); }
conf() { # extra lines...
	echo "DEVICE /dev/loop* /dev/vd*"
	echo "PROGRAM /tmp/prog.sh"
	mdadm --detail --scan
	printf '%s\n' "$@"
}
oneshot() { # conf file: one pass, which must end well
	rm -f "$ev"
	run_expect 0 mdadm --monitor --scan --oneshot -c "$1"
}

# ---- 1. no domain, or POLICY lines that do not apply: nothing moves ----------------
run_expect 0 mdadm /dev/md/m1 --fail "${A[1]}"
wait_until 30 bash -c "! grep '^$m1 ' /proc/mdstat | grep -q '${A[1]#/dev/}\['"
conf >/tmp/none.conf
oneshot /tmp/none.conf
grep -q MoveSpare "$ev" && fail "a spare moved with no domain: $(cat "$ev")"
conf "POLICY domain=shelf metadata=ddf action=spare" \
	"POLICY domain=shelf metadata=imsm path=pci-* action=spare" \
	"POLICY domain=shelf type=part action=spare" >/tmp/other.conf
oneshot /tmp/other.conf
grep -q MoveSpare "$ev" && fail "a spare moved by a POLICY line that does not apply: $(cat "$ev")"
[ -z "$last_err" ] || fail "stderr: $last_err"
in_container "$S" "$cb" || fail "$S left cb"
note "no spare-group and no applicable POLICY line: the spare stays in cb"

# ---- 2. one POLICY domain for every IMSM disk: the spare moves -----------------------
conf "POLICY domain=shelf metadata=imsm action=spare" >/tmp/shelf.conf
oneshot /tmp/shelf.conf
grep -qx "MoveSpare /dev/md/ca /dev/md/cb" "$ev" || fail "no MoveSpare: $(cat "$ev")"
in_container "$S" "$ca" || fail "$S is not in ca"
wait_until 60 sh -c "grep -A2 '^$m1 ' /proc/mdstat | grep -q '\[2/2\] \[UU\]'"
pattern_verify /dev/md/m1 1011 6
note "POLICY domain=shelf metadata=imsm: $S moved from cb to ca, m1 rebuilt onto it, data intact"

# ---- 3. another kind of controller: refused with one line ----------------------------
run_expect 0 mdadm /dev/md/ca --remove "${A[1]}"
run_expect 0 mdadm --zero-superblock "${A[1]}"
run_expect 0 mdadm /dev/md/cb --add "${A[1]}"
run_expect 0 mdadm /dev/md/mv --fail "${V[1]}"
wait_until 30 sh -c "mdadm -D /dev/md/mv | grep -q 'degraded'"
conf | sed -E '/metadata=imsm/ s/$/ spare-group=g1/' >/tmp/g1.conf
before=$(sums "${B[@]}" "${A[1]}")
oneshot /tmp/g1.conf
expect_one_error_line "mdadm: not moving spare ${A[1]} from /dev/md/cb to /dev/md/cv: "
[ "$last_err" = "mdadm: not moving spare ${A[1]} from /dev/md/cb to /dev/md/cv: its controller (none) is not the kind the container's disks are on (virtio-pci)" ] ||
	fail "refusal: $last_err"
grep -q MoveSpare "$ev" && fail "a spare moved across controllers: $(cat "$ev")"
in_container "${A[1]}" "$cb" || fail "${A[1]} left cb"
[ "$(sums "${B[@]}" "${A[1]}")" = "$before" ] || fail "a disk of cb changed"
note "spare-group g1 across controllers: '$last_err'; nothing written"
