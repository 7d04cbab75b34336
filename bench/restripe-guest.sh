#!/bin/bash
# vm-timeout: 3000
# vm-mem: 3072
# vm-tmp: 2400m
# The guest half of bench/restripe.sh (not a test; run it through
# bench/restripe.sh).  One boot, two kinds of migration, each three ways
# on fresh loop disks (tmpfs files, 512 MiB each, 500 MiB per member):
#
#   level   raid0 over 3 disks (64 KiB chunk) -> raid5 over 4
#   chunk   raid5 over 3 disks, 64 KiB -> 256 KiB chunk
#
#   peer    Debian's mdadm 4.2 on IMSM (a fourth disk added as a spare for
#           the level change; --layout=left-asymmetric, which it wants)
#   native  the same geometry change with md's own v1.2 metadata, through
#           the peer (md moves the data offset: no user-space backups)
#   ours    our mdadm on IMSM
#
# The volume is filled with random data before and compared after; the
# time runs from --grow to md showing the new geometry with no reshape.
# Results: /results/restripe-bench.result, key=value lines for the host.
# shellcheck source=tests/vm/lib.sh
. "$VMTEST_LIB"
set +e

P=mdadm-peer
DISK_MIB=512
MEMBER=500M
MEMBER_KIB=512000
OUT=/results/restripe-bench.result
: >"$OUT"
# shellcheck source=bench/guest-lib.sh
. /repo/bench/guest-lib.sh

# done_reshaping DEVNM LEVEL CHUNK_BYTES: md runs LEVEL with CHUNK, no
# reshape, no mdadm of ours or the peer's still finishing.
done_reshaping() {
	local md=/sys/block/$1/md
	[ "$(cat "$md/level" 2>/dev/null)" = "$2" ] || return 1
	[ "$(cat "$md/chunk_size" 2>/dev/null)" = "$3" ] || return 1
	[ "$(cat "$md/reshape_position" 2>/dev/null)" = none ] || return 1
	! ps ax | grep -q '[m]dadm.* --grow'
}

# measure NAME PROG VOLUME DATA_MIB LEVEL CHUNK_BYTES GROW-ARGS...
measure() {
	local name=$1 prog=$2 vol=$3 mib=$4 level=$5 chunk=$6 devnm t0 t1 err
	shift 6
	devnm=$(md_devnm "$vol")
	fill "$vol" "$mib" || { result "$name" "unavailable:cannot write the volume"; return; }
	note "$name: --grow $vol $*"
	t0=$(now)
	if ! err=$("$prog" --grow "$vol" "$@" 2>&1); then
		result "$name" "unavailable:$(printf '%s\n' "$err" | head -1)"
		return
	fi
	if ! wait_for 2500 done_reshaping "$devnm" "$level" "$chunk"; then
		result "$name" "unavailable:no end of the reshape after 2500 s"
		cat /proc/mdstat
		return
	fi
	t1=$(now)
	result "${name}_s" "$(elapsed "$t0" "$t1")"
	if same_data "$vol" "$mib"; then result "${name}_data" ok; else result "${name}_data" MISMATCH; fi
}

# imsm PROG LEVEL SPARE: container and volume of 3 disks (+ the fourth as a spare)
imsm() {
	step "create container" "$1" -C /dev/md/bc -e imsm -n3 --run "${D[@]:0:3}" &&
		step "create volume" "$1" -C /dev/md/bv -l"$2" -n3 -c64 -z "$MEMBER" --assume-clean \
			--run /dev/md/bc &&
		{ [ "$3" = 0 ] || step "add a spare" "$1" --add /dev/md/bc "${D[3]}"; }
}

run_kind() { # KIND LEVEL SPARE DATA_MIB NEW_LEVEL NEW_CHUNK PEER-ARGS / OURS-ARGS / NATIVE-ARGS
	local kind=$1 level=$2 spare=$3 mib=$4 nlevel=$5 nchunk=$6
	local -n pargs=$7 oargs=$8 nargs=$9
	note "$kind: peer"
	fresh_disks
	if imsm $P "$level" "$spare"; then
		measure "${kind}_peer" $P /dev/md/bv "$mib" "$nlevel" "$nchunk" "${pargs[@]}"
	else
		result "${kind}_peer" "unavailable:$why"
	fi
	stop_all_md
	note "$kind: native"
	fresh_disks
	# md's raid0 takes no spare: the fourth disk comes with the grow (--add)
	if step "create" $P -C /dev/md/nv -e1.2 -l"$level" -n3 -c64 -z "$MEMBER" --assume-clean \
		--run "${D[@]:0:3}"; then
		[ "$spare" = 0 ] || nargs+=(--add "${D[3]}")
		measure "${kind}_native" $P /dev/md/nv "$mib" "$nlevel" "$nchunk" "${nargs[@]}"
	else
		result "${kind}_native" "unavailable:$why"
	fi
	stop_all_md
	note "$kind: ours"
	fresh_disks
	if imsm mdadm "$level" "$spare"; then
		measure "${kind}_ours" mdadm /dev/md/bv "$mib" "$nlevel" "$nchunk" "${oargs[@]}"
	else
		result "${kind}_ours" "unavailable:$why"
	fi
	stop_all_md
}

echo 2000000 >/proc/sys/dev/raid/speed_limit_max
result kernel "$(uname -r)"

L_PEER=(--level=5 --layout=left-asymmetric) L_OURS=(--level=5)
L_NATIVE=(--level=5 --raid-devices=4 --layout=left-asymmetric)
run_kind level 0 1 $((3 * MEMBER_KIB / 1024)) raid5 65536 L_PEER L_OURS L_NATIVE
C_ARGS=(--chunk=256)
run_kind chunk 5 0 $((2 * MEMBER_KIB / 1024)) raid5 262144 C_ARGS C_ARGS C_ARGS
cat "$OUT"
