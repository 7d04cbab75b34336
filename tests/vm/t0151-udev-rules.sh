#!/bin/bash
# vm-timeout: 300
# udev with md rules, udevd running, our mdadm as /sbin/mdadm: hot-plug of
# IMSM disks (loop devices announced with "add") assembles the container
# and its volumes, the md devices get their /dev/md and by-id links, and
# an unplugged disk leaves its arrays.  One boot, four phases:
#   1. Debian's rules (its mdadm 4.2 package: 63-md-raid-arrays,
#      64-md-raid-assembly), the peer's binary as /sbin/mdadm: the
#      reference links;
#   2. Debian's rules, our binary: the same links (udev runs
#      `mdadm --incremental --export $devnode --offroot` and
#      `mdadm --detail --no-devices --export`);
#   3. Debian's rules, our binary, a disk unplugged: `mdadm -If NAME`;
#   4. OUR rules (udev/*.rules) in place of Debian's: the kernel-command-
#      line opt-outs, then the same plug-in gives the same links as 1,
#      a file system's by-uuid link, a relabel followed (watch), a second
#      "add" of every disk changing nothing, a partition's links, a
#      stopped volume losing its links, and an unplugged disk leaving the
#      volume and the container.
. "$VMTEST_LIB"

# udev into the guest's writable root (setup.sh unpacked it on the host).
# (merged /usr: /bin and /lib are links, so copy each top folder to where
# it really is)
for d in /repo/.cache/vm/udev/* /repo/.cache/vm/libsystemd-shared/*; do
	cp -a "$d/." "$(readlink -f "/$(basename "$d")")/"
done
rules=/lib/udev/rules.d
cp /repo/.cache/vm/peer/lib/udev/rules.d/*.rules $rules/

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

# The guest's root is the host's, which may be a container's: udev would
# then take the kernel command line from PID 1's arguments instead of
# /proc/cmdline (systemd's container detection finds /.dockerenv), and
# phase 4 changes the command line.  This guest is a VM: say so.
rm -f /.dockerenv /run/.containerenv
[ "$(systemd-detect-virt --container || true)" = none ] ||
	fail "the guest still looks like a container: $(systemd-detect-virt --container)"
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
mkfs.ext4 -q -F /dev/md/vol0
fs_uuid=$(blkid -o value -s UUID /dev/md/vol0)
[ -n "$fs_uuid" ] || fail "no file system UUID on /dev/md/vol0"

# The links udev made for the md devices: /dev/md/*, by-id md-*, and the
# by-uuid links that point at an md device.
links() {
	udevadm settle -t 30
	(
		for l in /dev/md/* /dev/disk/by-id/md-* /dev/disk/by-uuid/*; do
			[ -L "$l" ] || continue
			t=$(basename "$(readlink -f "$l")")
			case $t in md*) echo "$l -> ${t%%[0-9]*}" ;; esac
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
# plug I: attach disk I's file again and announce it as a disk plugged in:
# a loop device exists before its file is attached, so attaching it is a
# "change" (which both rule sets ignore for isw members); a hot-plugged
# disk is an "add".
plug() {
	losetup "${D[$1]}" "/tmp/disks/d$1.img"
	udevadm settle -t 30
	echo add >"/sys/class/block/${D[$1]#/dev/}/uevent"
}
plug_all() {
	local i
	for i in 0 1 2; do plug $i; done
	udevadm settle -t 30
	wait_until 30 sh -c 'ls /dev/md/ | grep -q vol5'
	wait_until 30 sh -c 'ls /dev/md/ | grep -q vol0'
	udevadm settle -t 30
}

note "phase 1: the peer as /sbin/mdadm"
unplug_all
# the disks as they are now, for phase 4 (phase 3 fails one of them)
mkdir -p /tmp/saved
cp --sparse=always /tmp/disks/d[012].img /tmp/saved/
echo /repo/.cache/vm/peer/sbin/mdadm >/run/mdadm-impl
plug_all
peer_links=$(links)
cat /proc/mdstat
printf 'peer links:\n%s\n' "$peer_links"
grep -q "^/dev/disk/by-uuid/$fs_uuid -> md$" <<<"$peer_links" ||
	fail "no by-uuid link for vol0's file system with Debian's rules"
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

note "phase 4: our rules in place of Debian's"
# The unplugged disk's loop device goes once md has let it go.
wait_until 30 sh -c "! losetup '${D[2]}' >/dev/null 2>&1"
losetup -d "${D[0]}" "${D[1]}"
udevadm settle -t 30
cp --sparse=always /tmp/saved/d[012].img /tmp/disks/
rm -f $rules/01-md-raid-creating.rules $rules/63-md-raid-arrays.rules \
	$rules/64-md-raid-assembly.rules $rules/69-md-clustered-confirm-device.rules
cp /repo/udev/*.rules $rules/
udevadm control --reload
: >/tmp/udev-calls.log

# The opt-outs: udev reads /proc/cmdline at each event, so a file bound
# over it is the kernel command line from now on.
cmdline() {
	umount /proc/cmdline 2>/dev/null || true
	echo "$(cat /proc/cmdline) $*" >/tmp/cmdline
	mount --bind /tmp/cmdline /proc/cmdline
}
nothing_assembled() { # WHY
	udevadm settle -t 30
	! grep -q ^md /proc/mdstat || fail "$1: an array was assembled: $(cat /proc/mdstat)"
	! grep -q -- --incremental /tmp/udev-calls.log ||
		fail "$1: udev ran mdadm -I: $(cat /tmp/udev-calls.log)"
}
cmdline noiswmd
plug 0
nothing_assembled noiswmd
cmdline nodmraid
echo add >"/sys/class/block/${D[0]#/dev/}/uevent"
nothing_assembled nodmraid
# rd.md=0 counts in an initramfs only (it means "leave it to the real
# system"); /etc/initrd-release is how an initramfs is known.
cmdline rd.md=0
touch /etc/initrd-release
echo add >"/sys/class/block/${D[0]#/dev/}/uevent"
nothing_assembled "rd.md=0 in an initramfs"
rm /etc/initrd-release
losetup -d "${D[0]}"
udevadm settle -t 30
note "noiswmd, nodmraid, rd.md=0 in an initramfs: nothing assembled"

# Outside an initramfs rd.md=0 changes nothing: this plug-in runs with it.
plug_all
umount /proc/cmdline
rule_links=$(links)
cat /proc/mdstat
printf 'links with our rules:\n%s\n' "$rule_links"
grep -q -- "/repo/mdadm --incremental --export ${D[0]} --offroot" /tmp/udev-calls.log ||
	fail "our rules did not run mdadm --incremental: $(cat /tmp/udev-calls.log)"
[ "$rule_links" = "$peer_links" ] ||
	fail "links differ from Debian's rules with the peer: $(diff <(echo "$peer_links") <(echo "$rule_links"))"
v5=$(vol_path vol5)
v0=$(vol_path vol0)
[ "$(readlink -f "/dev/disk/by-uuid/$fs_uuid")" = "$(readlink -f "$v0")" ] ||
	fail "/dev/disk/by-uuid/$fs_uuid does not lead to $v0"
uuid5=$(mdadm --detail --export "$v5" | sed -n 's/^MD_UUID=//p')
[ "$(readlink -f "/dev/disk/by-id/md-uuid-$uuid5")" = "$(readlink -f "$v5")" ] ||
	fail "/dev/disk/by-id/md-uuid-$uuid5 does not lead to $v5"
[ "$(cat "/sys/block/$(md_devnm /dev/md/imsm0)/md/metadata_version")" = external:imsm ] ||
	fail "/dev/md/imsm0 does not lead to the IMSM container"
want=$(udevadm info --query=property --name="$v5" | sed -n 's/^SYSTEMD_WANTS=//p')
[ "$want" = "mdmon@$(md_devnm /dev/md/imsm0).service" ] ||
	fail "the raid5 volume wants '$want', not its container's mdmon unit"
udevadm info --query=property --name="$v0" | grep -q '^SYSTEMD_WANTS=' &&
	fail "the raid0 volume asks for mdmon"
pattern_verify "$v5" 151 8
note "our rules: the same links as Debian's with the peer, by-uuid of the file system, $want for the raid5 volume"

# watch: a tool that writes the volume and closes it makes udev look again.
e2label "$v0" t0151
udevadm settle -t 30
wait_until 10 test -L /dev/disk/by-label/t0151
[ "$(readlink -f /dev/disk/by-label/t0151)" = "$(readlink -f "$v0")" ] ||
	fail "by-label link of the relabelled file system is not $v0"
note "relabelled: by-label link followed"

# A second "add" of the disks and md devices (as an admin's udevadm
# trigger, or initramfs-tools' local-block script on its first run, sends
# to every block device) changes nothing: each disk is in its container
# already.
arrays() { grep '^md' /proc/mdstat | sort; }
before=$(arrays)
n_inc=$(grep -c -- --incremental /tmp/udev-calls.log)
udevadm trigger --action=add --subsystem-match=block --sysname-match='md*' \
	"${D[@]/#\/dev\//--sysname-match=}"
udevadm settle -t 30
[ "$(grep -c -- --incremental /tmp/udev-calls.log)" -ge $((n_inc + 3)) ] ||
	fail "the second add did not reach mdadm -I for each disk: $(tail -8 /tmp/udev-calls.log)"
[ "$(arrays)" = "$before" ] || fail "a second add changed the arrays: $(cat /proc/mdstat)"
[ "$(links)" = "$rule_links" ] || fail "a second add changed the links: $(links)"
note "a second add of every disk and md device: nothing changed; what mdadm -I says to it:"
rc=0
mdadm --incremental --export "${D[0]}" --offroot || rc=$?
echo "(exit status $rc)"

# A partition of a volume gets the volume's names with its number (the
# rules take the volume's properties for it, without asking mdadm).
uuid0=$(mdadm --detail --export "$v0" | sed -n 's/^MD_UUID=//p')
# (no sfdisk in the guest: an MBR by hand, one Linux partition from
# sector 2048, 8192 sectors, then the kernel reads it)
printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x08\x00\x00\x00\x20\x00\x00' |
	dd of="$v0" bs=1 seek=446 conv=notrunc status=none
printf '\x55\xaa' | dd of="$v0" bs=1 seek=510 conv=notrunc status=none
blockdev --flushbufs --rereadpt "$v0"
p1=/dev/$(md_devnm "$v0")p1
wait_until 10 test -b "$p1"
udevadm settle -t 30
[ "$(readlink -f "${v0}p1")" = "$p1" ] || fail "no ${v0}p1 link to $p1: $(ls -l /dev/md)"
[ "$(readlink -f "/dev/disk/by-id/md-uuid-$uuid0-part1")" = "$p1" ] ||
	fail "no by-id md-uuid-...-part1 link to $p1: $(ls -l /dev/disk/by-id)"
note "partition of a volume: ${v0}p1 and md-uuid-$uuid0-part1"

# A stopped volume loses its links; the container and the other volume
# keep theirs.  (And md lets a raid0's member go only with the raid0
# stopped: phase 3 showed it kept.)
run_expect 0 mdadm --stop "$v0"
udevadm settle -t 30
[ ! -e "$v0" ] && [ ! -e "${v0}p1" ] && [ ! -e "/dev/disk/by-id/md-uuid-$uuid0" ] ||
	fail "links of the stopped volume left: $(links)"
[ -L /dev/md/imsm0 ] && [ -L "$v5" ] || fail "links of the running arrays lost: $(links)"
note "stopped volume: its links gone"

# Unplugged: udev runs our mdadm -If; mdmon takes the disk out of the
# raid5 volume (degraded), then the container lets it go.
cont=$(md_devnm /dev/md/imsm0)
losetup -d "${D[2]}" # deferred while md holds it
echo remove >"/sys/class/block/${D[2]#/dev/}/uevent"
udevadm settle -t 30
grep -q -- "/repo/mdadm -If ${D[2]#/dev/}" /tmp/udev-calls.log ||
	fail "our rules did not run mdadm -If: $(tail -5 /tmp/udev-calls.log)"
wait_until 30 test ! -e "/sys/block/$cont/md/dev-${D[2]#/dev/}"
note "unplugged: out of the container"
cat /proc/mdstat
! mdadm --detail /dev/md/imsm0 | grep -q "${D[2]}" ||
	fail "mdadm -D still lists ${D[2]} in the container: $(mdadm --detail /dev/md/imsm0)"
grep -A1 "^$(md_devnm "$v5") " /proc/mdstat | grep -q '\[3/2\]' ||
	fail "volume $v5 is not degraded [3/2]: $(cat /proc/mdstat)"
pattern_verify "$v5" 151 8
run_expect 0 mdadm --stop --scan
! grep -q ^md /proc/mdstat || fail "arrays left after --stop --scan"
note "our udev rules give Debian's links, and -If takes the disk out of the container"
