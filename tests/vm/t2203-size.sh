#!/bin/bash
# vm-timeout: 600
# A volume's size on each disk (issue 12): --grow VOLUME --size=max|N and
# --array-size, in upstream's spellings, each with md's size, the data
# (the old pattern, then one over the whole new size), our -E and the
# peer's, and for redundant levels the resync of the new region recorded
# by mdmon and ended:
#  A. raid0 of 3 disks --size=max (md runs it as raid4 meanwhile)
#  B. raid1 --size=24M, then --size=max
#  C. raid5 --size=max
#  D. a raid5 then a raid0 in one container: the raid0 grows, the raid5's
#     placement and data stay; the raid5 is refused (another volume
#     follows it); shrinking is refused; --array-size smaller, then max.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh
. /repo/tests/vm/levels-lib.sh

# grown I: V[I] has md size BYTES, the metadata (ours and the peer's) says
# the same, no migration is left, and a new pattern over all of it reads back.
grown() { # I BYTES
	local dev=$(md_devnm "${V[$1]}") p
	wait_until 120 sh -c "[ \"\$(cat /sys/block/$dev/md/sync_action 2>/dev/null || echo idle)\" = idle ]" ||
		fail "${V[$1]}: the resync of the new region does not end"
	[ "$(blockdev --getsize64 "${V[$1]}")" = "$2" ] ||
		fail "${V[$1]}: size $(blockdev --getsize64 "${V[$1]}"), expected $2"
	wait_until 30 sh -c "! mdadm -E ${ALL[0]} | grep -q 'Migrate State : [^i]'" ||
		fail "a migration is left: $(mdadm -E "${ALL[0]}" | grep 'Migrate')"
	for p in mdadm mdadm-peer; do
		"$p" -E "${ALL[0]}" >/tmp/e.txt
		awk -v v="[${VN[$1]}]:" '$1 == v { on = 1; next } /^\[/ { on = 0 } on' /tmp/e.txt >/tmp/ev.txt
		grep -q "Array Size : $(($2 / 512)) " /tmp/ev.txt ||
			fail "$p -E: ${VN[$1]} $(grep 'Array Size' /tmp/ev.txt), expected $(($2 / 512)) sectors"
	done
	if [ "$(md_attr "$dev" level)" != raid0 ]; then
		[ "$(resyncs "$dev")" -gt "$RESYNCS" ] || fail "${V[$1]}: md did not resync the new region"
	fi
	S0[$1]=$2
	pattern_write "${V[$1]}" $((OLCE_SEED * 10 + $1)) $(($2 >> 20))
	note "${VN[$1]}: $(($2 >> 20)) MiB in md and in both -E; a pattern over all of it"
}

resyncs() { # DEVNM: md's resyncs of it so far
	dmesg | grep -c "md: resync of RAID array $1\$" || true
}

grow_to() { # I SIZE-ARG
	local old=${S0[$1]} dev
	dev=$(md_devnm "${V[$1]}")
	RESYNCS=$(resyncs "$dev")
	run_expect 0 mdadm --grow "${V[$1]}" --size="$2"
	note "$last_err"
	case $last_err in "mdadm: component size of ${V[$1]} has been set to "*K) ;; *) fail "not upstream's line: $last_err" ;; esac
	pattern_verify "${V[$1]}" $((OLCE_SEED * 10 + $1)) $((old >> 20))
}

member_mib() { # I: the data on each member, from md
	echo $(($(md_attr "$(md_devnm "${V[$1]}")" component_size) / 1024))
}

note "A. raid0 of 3 disks --size=max"
tko_make 0 3 0
grow_to 0 max
grown 0 $(($(member_mib 0) * 3 << 20))
[ "$(md_attr "$(md_devnm "${V[0]}")" level)" = raid0 ] || fail "not raid0 again"
tko_peer_reads
note "B. raid1 --size=24M, then max"
tko_make 1 2 0
grow_to 0 24M
grown 0 $((24 << 20))
grow_to 0 max
grown 0 $(($(member_mib 0) << 20))
tko_peer_reads
note "C. raid5 --size=max"
tko_make 5 3 0
grow_to 0 max
grown 0 $(($(member_mib 0) * 2 << 20))
tko_peer_reads
note "D. a raid5 and a raid0 in one container"
tko_make 5 3 0 0
tko_quiet ALL
failed_cases=()
refuse_disks "the first volume" 1 "only the last volume" ALL -- mdadm --grow "${V[0]}" --size=max
refuse_disks "shrink" 1 "do not shrink" ALL -- mdadm --grow "${V[1]}" --size=4M
grow_to 1 max
grown 1 $(($(member_mib 1) * 3 << 20))
pattern_verify "${V[0]}" $((OLCE_SEED * 10)) $((S0[0] >> 20))
run_expect 0 mdadm --grow "${V[1]}" --array-size=8M
[ "$(blockdev --getsize64 "${V[1]}")" = $((8 << 20)) ] || fail "--array-size=8M: $(blockdev --getsize64 "${V[1]}")"
run_expect 0 mdadm --grow "${V[1]}" --array-size=max
[ "$(blockdev --getsize64 "${V[1]}")" = "${S0[1]}" ] || fail "--array-size=max: $(blockdev --getsize64 "${V[1]}")"
note "--array-size 8M and back to max"
tko_peer_reads
[ ${#failed_cases[@]} -eq 0 ] || fail "cases failed: ${failed_cases[*]}"
