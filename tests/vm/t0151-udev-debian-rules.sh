#!/bin/bash
# vm-timeout: 300
# Debian's own md udev rules (from its mdadm 4.2 package: 63-md-raid-arrays,
# 64-md-raid-assembly) run against OUR mdadm as /sbin/mdadm, with udevd
# running: plugging the disks of a stopped IMSM container (loop add events)
# assembles it through `mdadm --incremental --export $devnode --offroot`,
# the md devices get their /dev/md and /dev/disk/by-id links from
# `mdadm --detail --no-devices --export`, and unplugging a disk runs
# `mdadm -If NAME --path P`.  The same plug-in with the peer's binary as
# /sbin/mdadm (the interop reference) must give the same links.
. "$VMTEST_LIB"

# udev into the guest's writable root (setup.sh unpacked it on the host).
# (merged /usr: /bin and /lib are links, so copy each top folder to where
# it really is)
for d in /repo/.cache/vm/udev/* /repo/.cache/vm/libsystemd-shared/*; do
	cp -a "$d/." "$(readlink -f "/$(basename "$d")")/"
done
cp /repo/.cache/vm/peer/lib/udev/rules.d/*.rules /lib/udev/rules.d/

# /sbin/mdadm as udev runs it: programs udev starts do not inherit this
# test's environment, so the wrapper gives them the platform switches and
# runs the binary chosen for the phase.
cat >/usr/sbin/mdadm <<'EOF'
#!/bin/bash
export IMSM_NO_PLATFORM=1 IMSM_DEVNAME_AS_SERIAL=1 MDADM_EXPERIMENTAL=1
echo "$(date +%s.%N) $(cat /run/mdadm-impl) $*" >>/tmp/udev-calls.log
exec "$(cat /run/mdadm-impl)" "$@"
EOF
chmod +x /usr/sbin/mdadm
echo /repo/mdadm >/run/mdadm-impl

mkdir -p /run/udev
/lib/systemd/systemd-udevd --daemon
udevadm trigger --action=add --subsystem-match=block >/dev/null 2>&1 || true
udevadm settle -t 30

make_disks 3 16
D=("${DISKS[@]}")
run_expect 0 mdadm --create /dev/md/imsm0 --metadata=imsm --raid-disks=3 --run "${D[@]}"
run_expect 0 mdadm --create /dev/md/vol5 --level=5 --raid-disks=3 --size=4M --assume-clean \
	--run /dev/md/imsm0
run_expect 0 mdadm --create /dev/md/vol0 --level=0 --raid-disks=3 --size=2M --run /dev/md/imsm0
udevadm settle -t 30
pattern_write /dev/md/vol5 151 8

# The links udev made for the md devices: /dev/md/* and by-id md-*.
links() {
	udevadm settle -t 30
	(
		for l in /dev/md/* /dev/disk/by-id/md-*; do
			[ -L "$l" ] && echo "$l -> $(basename "$(readlink -f "$l")" | sed 's/[0-9]*$//')"
		done
	) | sort
}
# Stop everything with our mdadm, then detach the loop devices (remove events).
unplug_all() {
	run_expect 0 mdadm --stop --scan
	udevadm settle -t 30
	! grep -q ^md /proc/mdstat || fail "arrays left after --stop --scan: $(cat /proc/mdstat)"
	for d in "${D[@]}"; do losetup -d "$d"; done
	udevadm settle -t 30
}
# Attach the same files again and announce each as a disk plugged in: a
# loop device exists before its file is attached, so attaching it is a
# "change" (which Debian's rule ignores for isw members); a hot-plugged
# disk is an "add".
plug_all() {
	local i
	for i in 0 1 2; do
		losetup "${D[$i]}" "/tmp/disks/d$i.img"
		udevadm settle -t 30
		echo add >"/sys/class/block/${D[$i]#/dev/}/uevent"
	done
	udevadm settle -t 30
	wait_until 30 sh -c 'ls /dev/md/ | grep -q vol5'
	wait_until 30 sh -c 'ls /dev/md/ | grep -q vol0'
	udevadm settle -t 30
}

note "phase 1: the peer as /sbin/mdadm"
unplug_all
echo /repo/.cache/vm/peer/sbin/mdadm >/run/mdadm-impl
plug_all
peer_links=$(links)
cat /proc/mdstat
printf 'peer links:\n%s\n' "$peer_links"
echo /repo/mdadm >/run/mdadm-impl
unplug_all

note "phase 2: ours as /sbin/mdadm"
: >/tmp/udev-calls.log
plug_all
our_links=$(links)
cat /proc/mdstat
printf 'our links:\n%s\n' "$our_links"
grep -q -- "/repo/mdadm --incremental --export /dev/loop" /tmp/udev-calls.log ||
	fail "udev did not run our mdadm --incremental: $(cat /tmp/udev-calls.log)"
grep -q -- "/repo/mdadm --detail --no-devices --export /dev/md" /tmp/udev-calls.log ||
	fail "udev did not run our mdadm --detail --export"
[ "$our_links" = "$peer_links" ] ||
	fail "links differ: $(diff <(echo "$peer_links") <(echo "$our_links"))"
v5=$(vol_path vol5)
pattern_verify "$v5" 151 8

note "phase 3: a disk unplugged: udev runs mdadm -If"
losetup -d "${D[2]}" # deferred while md holds it
echo remove >"/sys/class/block/${D[2]#/dev/}/uevent"
udevadm settle -t 30
grep -q -- "/repo/mdadm -If ${D[2]#/dev/}" /tmp/udev-calls.log ||
	fail "udev did not run our mdadm -If: $(tail -5 /tmp/udev-calls.log)"
# The raid5 volume lets the disk go (degraded); md keeps a raid0's member
# (it cannot run without it: "Device or resource busy", as upstream says).
v5n=$(md_devnm "$v5")
wait_until 30 sh -c "! grep '^$v5n ' /proc/mdstat | grep -q '${D[2]#/dev/}\\['"
cat /proc/mdstat
pattern_verify "$v5" 151 8
run_expect 0 mdadm --stop --scan
! grep -q ^md /proc/mdstat || fail "arrays left after --stop --scan"
note "Debian's udev rules give the same links with our mdadm as with the peer's"
