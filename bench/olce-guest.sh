#!/bin/bash
# vm-timeout: 1800
# vm-mem: 3072
# vm-tmp: 2400m
# The guest half of bench/olce.sh (not a test; run it through bench/olce.sh).
# One boot, three reshapes of the same geometry, one after the other on
# fresh loop disks (tmpfs files, 512 MiB each):
#
#   peer    Debian's mdadm 4.2: IMSM container, raid5 over 3 disks (128 KiB
#           chunk, 500 MiB per member, --assume-clean), one disk added,
#           "--grow <container> --raid-devices=4"
#   native  the same with md's own v1.2 metadata, through the peer
#   ours    the same IMSM steps with our mdadm (first in PATH); when any step
#           is refused, "ours" is reported as not available with the reason
#
# Before each reshape the volume is filled with random data, which is
# compared again after.  The time measured runs
# from the --grow command to the moment md reports the new geometry with the
# reshape over and the new size in place (polled every 0.2 s).
#
# Results go to /results/olce-bench.result as key=value lines for the host.
# shellcheck source=tests/vm/lib.sh
. "$VMTEST_LIB"
set +e

P=mdadm-peer
DISK_MIB=512
MEMBER=500M
MEMBER_KIB=512000
OUT=/results/olce-bench.result
: >"$OUT"
# shellcheck source=bench/guest-lib.sh
. /repo/bench/guest-lib.sh

# done_reshaping DEVNM DISKS SECTORS: md shows the new width, no reshape
# and the grown size.
done_reshaping() {
	local md=/sys/block/$1/md rd
	rd=$(cat "$md/raid_disks" 2>/dev/null)
	[ "$rd" = "$2" ] || return 1
	[ "$(cat "$md/sync_action" 2>/dev/null)" = idle ] || return 1
	[ "$(cat "$md/reshape_position" 2>/dev/null)" = none ] || return 1
	[ "$(cat "/sys/block/$1/size")" -ge "$3" ]
}

# measure NAME PROG VOLUME GROW-TARGET GROW-ARGS...: fill, grow, wait,
# verify; records NAME_s (seconds) or NAME=unavailable:reason.
measure() {
	local name=$1 prog=$2 vol=$3 target=$4 devnm mib t0 t1 err
	shift 4
	devnm=$(md_devnm "$vol")
	mib=$((2 * MEMBER_KIB / 1024)) # the old array: 2 data disks
	note "$name: filling $vol ($mib MiB)"
	fill "$vol" "$mib" || { result "$name" "unavailable:cannot write the volume"; return; }
	same_data "$vol" "$mib" || { result "$name" "unavailable:data reads back wrong"; return; }
	note "$name: --grow $target $*"
	t0=$(now)
	if ! err=$("$prog" --grow "$target" "$@" 2>&1); then
		result "$name" "unavailable:$(printf '%s\n' "$err" | head -1)"
		return
	fi
	if ! wait_for 1500 done_reshaping "$devnm" 4 $((3 * MEMBER_KIB * 2)); then
		result "$name" "unavailable:no end of the reshape after 1500 s"
		cat /proc/mdstat
		return
	fi
	t1=$(now)
	result "${name}_s" "$(elapsed "$t0" "$t1")"
	cat /proc/mdstat
	if same_data "$vol" "$mib"; then result "${name}_data" ok; else result "${name}_data" MISMATCH; fi
}

# add_disk PROG CONTAINER: the fourth disk joins the container; when PROG
# cannot do it (ours, before issue 5's --add to containers), the peer does
# and the result file says so.
add_disk() {
	if [ "$1" = $P ]; then
		step "add a disk" $P --add "$2" "${D[3]}"
	elif ! "$1" --add "$2" "${D[3]}" >/tmp/add.log 2>&1; then
		result ours_add "peer ($(grep . /tmp/add.log | tail -1))"
		step "add a disk" $P --add "$2" "${D[3]}"
	fi
}

setup_imsm() { # PROG container volume
	local prog=$1
	step "create container" "$prog" -C "$2" -e imsm -n3 --run "${D[0]}" "${D[1]}" "${D[2]}" &&
		step "create volume" "$prog" -C "$3" -l5 -n3 -c128 -z "$MEMBER" --assume-clean \
			--run "$2" &&
		add_disk "$prog" "$2" &&
		step "spare record on the added disk" wait_for 30 sh -c \
			"$P -E ${D[3]} 2>/dev/null | grep -q 'Intel Raid'"
}

echo 2000000 >/proc/sys/dev/raid/speed_limit_max
result kernel "$(uname -r)"

note "peer: IMSM OLCE by Debian's mdadm 4.2"
fresh_disks
t0=$(now)
if setup_imsm $P /dev/md/pc /dev/md/pv; then
	result peer_setup_s "$(elapsed "$t0" "$(now)")"
	measure peer $P /dev/md/pv /dev/md/pc --raid-devices=4
else
	result peer "unavailable:$why"
fi
stop_all_md

note "native: md v1.2 reshape through the peer"
fresh_disks
t0=$(now)
if step "create" $P -C /dev/md/nv -e1.2 -l5 -n3 -c128 -z "$MEMBER" --assume-clean --run \
	"${D[0]}" "${D[1]}" "${D[2]}" &&
	step "add a disk" $P --add /dev/md/nv "${D[3]}"; then
	result native_setup_s "$(elapsed "$t0" "$(now)")"
	measure native $P /dev/md/nv /dev/md/nv --raid-devices=4
else
	result native "unavailable:$why"
fi
stop_all_md

note "ours: IMSM OLCE by our mdadm"
fresh_disks
t0=$(now)
if setup_imsm mdadm /dev/md/oc /dev/md/ov; then
	result ours_setup_s "$(elapsed "$t0" "$(now)")"
	measure ours mdadm /dev/md/ov /dev/md/oc --raid-devices=4
else
	result ours "unavailable:$why"
fi
stop_all_md
cat "$OUT"
