#!/bin/bash
# vm-timeout: 900
# Our mdmon and the peer's (Debian's mdadm 4.2 and its mdmon) hand a
# container over to each other, in both directions:
#  A. ours -> peer: an initial resync our mdmon recorded part-way is
#     assembled by the peer, continues under the peer's mdmon from our
#     checkpoint and completes; a failure our mdmon recorded is assembled
#     by the peer as a degraded volume.
#  B. peer -> ours: `mdmon --takeover` (ours) replaces the peer's mdmon in
#     the middle of a resync: the peer's instance leaves, ours serves the
#     volume (writes, dirty/clean, checkpoints from where the peer's
#     stood, the 4 s safe-mode delay back after the peer's exit dropped
#     it to 1 ms), the resync completes, our --stop leaves it clean and
#     the peer assembles it again.
#  C. ours -> peer: the peer's `mdmon --takeover` replaces ours in the
#     middle of a resync and completes it.
# Both sides name their files /run/mdadm/<container devnm>.{pid,sock}.
. "$VMTEST_LIB"

OURS=$(readlink -f "$(command -v mdmon)")
PEER=$(readlink -f /usr/sbin/mdmon)
[ "$OURS" != "$PEER" ] || fail "cannot tell our mdmon from the peer's"

slow_resync() { # MAX_KIB_S [MIN_KIB_S]
	echo "${2:-100}" >/proc/sys/dev/raid/speed_limit_min
	echo "$1" >/proc/sys/dev/raid/speed_limit_max
}

mdmon_pid() { cat "/run/mdadm/$1.pid" 2>/dev/null; }

# mdmon_is CTR ours|peer: the container's pid file names a live mdmon of
# that implementation, and its socket is there, root-only.
mdmon_is() {
	local pid want exe
	pid=$(mdmon_pid "$1")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || fail "no live mdmon in /run/mdadm/$1.pid"
	exe=$(readlink -f "/proc/$pid/exe")
	case $2 in ours) want=$OURS ;; *) want=$PEER ;; esac
	[ "$exe" = "$want" ] || fail "mdmon of $1 is $exe, expected $2 ($want)"
	[ -S "/run/mdadm/$1.sock" ] || fail "no socket /run/mdadm/$1.sock"
	[ "$(stat -c %a "/run/mdadm/$1.sock")" = 700 ] || fail "socket mode $(stat -c %a "/run/mdadm/$1.sock")"
}

gone() { ! kill -0 "$1" 2>/dev/null; }

elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

sync_done() { # DEVNM: sectors resynced, 0 while no number is shown
	local v
	v=$(cat "/sys/block/$1/md/sync_completed" 2>/dev/null) || v=none
	case $v in [0-9]*) echo "${v%% *}" ;; *) echo 0 ;; esac
}

sync_past() { [ "$(sync_done "$1")" -ge "$2" ]; }

resync_finished() { # DEVNM
	grep -qx idle "/sys/block/$1/md/sync_action" &&
		grep -qx none "/sys/block/$1/md/resync_start"
}

# ckpt DISK [PROGRAM]: the unit of "Checkpoint : U (F)", empty when none
ckpt() {
	local c
	c=$(examine_field "$1" Checkpoint "${2:-mdadm}")
	echo "${c%% *}"
}

ckpt_above() { # DISK UNIT [PROGRAM]
	local u
	u=$(ckpt "$1" "${3:-mdadm}")
	[ -n "$u" ] && [ "$u" -gt "$2" ]
}

# vol_field DISK VOLUME FIELD PROGRAM: one field of that volume in -E
vol_field() {
	"$4" -E "$1" 2>/dev/null | sed -n "/^\[$2\]:/,/^\$/p" | sed -n "s/^ *$3 : //p"
}
# expect_vol DISK VOLUME FIELD VALUE: our -E and the peer's both say so
expect_vol() {
	local p v
	for p in mdadm mdadm-peer; do
		v=$(vol_field "$1" "$2" "$3" "$p")
		[ "$v" = "$4" ] || fail "$p -E $1: $2 '$3' is '$v', expected '$4'"
	done
}
vol_clean_on() { [ "$(vol_field "$1" "$2" 'Dirty State' mdadm-peer)" = clean ]; }

# Interrupted INIT: both -E agree on the migration and the checkpoint;
# sets N (unit) and F (its size in md sectors).
show_init_checkpoint() { # disk volume
	local ours peer
	expect_vol "$1" "$2" 'Migrate State' initialize
	expect_vol "$1" "$2" 'Map State' 'normal <-- uninitialized'
	ours=$(vol_field "$1" "$2" Checkpoint mdadm)
	peer=$(vol_field "$1" "$2" Checkpoint mdadm-peer)
	[ "$ours" = "$peer" ] || fail "checkpoints differ: ours '$ours', peer '$peer'"
	N=${ours%% *}
	F=${ours#*(}
	F=${F%)}
	[ -n "$N" ] && [ "$N" -gt 0 ] || fail "no checkpoint after a part-way resync: '$ours'"
	note "checkpoint of $2: $ours"
}

same_generation() {
	local g0 d
	g0=$(examine_field "$1" Generation mdadm-peer)
	for d in "$@"; do
		[ "$(examine_field "$d" Generation mdadm-peer)" = "$g0" ] || fail "generations differ on $d"
	done
}

# ---- A1. ours -> peer: the peer continues a resync our mdmon recorded --------
make_disks 2 48
A=("${DISKS[@]:0:2}")
slow_resync 400
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n2 "${A[@]}"
ctr=$(md_devnm /dev/md/imsm0)
run_expect 0 mdadm -C /dev/md/m1 -l1 -n2 -z 24M /dev/md/imsm0
mdmon_is "$ctr" ours
vol=$(md_devnm /dev/md/m1)
total=$(($(cat "/sys/block/$vol/md/component_size") * 2))
wait_until 30 grep -qx resync "/sys/block/$vol/md/sync_action"
pattern_write /dev/md/m1 91 24
wait_until 120 sync_past "$vol" $((total / 4))
wait_until 30 ckpt_above "${A[0]}" 0
run_expect 0 mdadm -S /dev/md/m1
run_expect 0 mdadm -S /dev/md/imsm0
wait_until 10 sh -c "[ ! -e /run/mdadm/$ctr.pid ]"
show_init_checkpoint "${A[0]}" m1
[ "$(ckpt "${A[1]}")" = "$N" ] || fail "the two disks disagree on the checkpoint"

# Held (limits 0: md sleeps before each request after the first), so
# resync_start still shows where the resync began.  A small limit is not
# enough: md issues requests until the first ones complete, which can
# carry it past its next checkpoint (1/16 of the volume) at once.
slow_resync 0 0
mdadm-peer -A /dev/md/imsm0 "${A[@]}" 2>&1
mdadm-peer -I /dev/md/imsm0 2>&1
ctr=$(md_devnm /dev/md/imsm0)
vol=$(md_devnm "$(vol_path m1)")
mdmon_is "$ctr" peer
start=$(cat "/sys/block/$vol/md/resync_start")
note "resync_start after the peer's assembly: $start (our checkpoint $N x $F = $((N * F)))"
[ "$start" = $((N * F)) ] || fail "the peer resumed at $start, not at our checkpoint $((N * F))"
slow_resync 200000
wait_until 120 resync_finished "$vol"
wait_until 30 vol_clean_on "${A[0]}" m1
for d in "${A[@]}"; do
	expect_vol "$d" m1 'Migrate State' idle
	expect_vol "$d" m1 'Map State' normal
	expect_vol "$d" m1 'Dirty State' clean
done
same_generation "${A[@]}"
pattern_verify "$(vol_path m1)" 91 24
note "A1: the peer's mdmon completed the resync our mdmon recorded"
mdadm-peer -S "$(vol_path m1)" 2>&1
mdadm-peer -S /dev/md/imsm0 2>&1

# ---- A2. ours -> peer: a failure our mdmon recorded ---------------------------
make_disks 3 48
B=("${DISKS[@]:2:3}")
run_expect 0 mdadm -C /dev/md/imsm1 -e imsm -n3 "${B[@]}"
ctr=$(md_devnm /dev/md/imsm1)
run_expect 0 mdadm -C /dev/md/f5 -l5 -n3 -z 12M --assume-clean /dev/md/imsm1
vol=$(md_devnm /dev/md/f5)
pattern_write /dev/md/f5 92 24
run_expect 0 mdadm /dev/md/f5 --fail "${B[1]}"
wait_until 15 sh -c "[ ! -e /sys/block/$vol/md/dev-$(basename "${B[1]}") ]"
pattern_write /dev/md/f5 93 24
run_expect 0 mdadm -S /dev/md/f5
run_expect 0 mdadm -S /dev/md/imsm1
for d in "${B[0]}" "${B[2]}"; do
	expect_vol "$d" f5 'Map State' degraded
	expect_vol "$d" f5 'Failed disk' 1
	expect_vol "$d" f5 'Dirty State' clean
done

mdadm-peer -A /dev/md/imsm1 "${B[@]}" 2>&1
mdadm-peer -I /dev/md/imsm1 2>&1
cat /proc/mdstat
ctr=$(md_devnm /dev/md/imsm1)
vol=$(md_devnm "$(vol_path f5)")
mdmon_is "$ctr" peer
grep -A1 "^$vol " /proc/mdstat | grep -q '\[3/2\]' || fail "the peer did not run f5 degraded"
pattern_verify "$(vol_path f5)" 93 24
pattern_write "$(vol_path f5)" 94 24 # served by the peer's mdmon
wait_until 30 vol_clean_on "${B[0]}" f5
expect_vol "${B[0]}" f5 'Map State' degraded
pattern_verify "$(vol_path f5)" 94 24
note "A2: the peer runs our recorded failure degraded"
# our mdadm stops what the peer's mdmon serves; that mdmon then leaves
pid=$(mdmon_pid "$ctr")
run_expect 0 mdadm -S "$(vol_path f5)"
run_expect 0 mdadm -S /dev/md/imsm1
wait_until 10 gone "$pid"
[ ! -e "/run/mdadm/$ctr.pid" ] || fail "the peer's mdmon left its pid file"
expect_vol "${B[0]}" f5 'Dirty State' clean

# ---- B. peer -> ours: our mdmon takes over in the middle of a resync ----------
make_disks 3 48
C=("${DISKS[@]:5:3}")
slow_resync 400
mdadm-peer -C /dev/md/imsm2 -e imsm -n3 --run "${C[@]}" 2>&1
mdadm-peer -C /dev/md/p5 -l5 -n3 -z 16M --run /dev/md/imsm2 2>&1
ctr=$(md_devnm /dev/md/imsm2)
vol=$(md_devnm /dev/md/p5)
mdmon_is "$ctr" peer
[ "$(stat -c %a "/run/mdadm/$ctr.pid")" = 600 ] || fail "peer's pid file mode"
[ "$(cat "/run/mdadm/$ctr.pid")" = "$(mdmon_pid "$ctr")" ] || fail "pid file content"
old=$(mdmon_pid "$ctr")
total=$(($(cat "/sys/block/$vol/md/component_size") * 2))
wait_until 30 grep -qx resync "/sys/block/$vol/md/sync_action"
pattern_write /dev/md/p5 95 32
wait_until 120 sync_past "$vol" $((total / 5))
wait_until 30 ckpt_above "${C[0]}" 0 mdadm-peer
P=$(ckpt "${C[0]}" mdadm-peer)
note "the peer's mdmon recorded checkpoint $P"

t0=$(date +%s.%N)
run_expect 0 mdmon --takeover "$ctr"
wait_until 15 gone "$old"
note "the peer's mdmon left $(elapsed "$t0") s after our --takeover started"
mdmon_is "$ctr" ours
[ "$(stat -c %a "/run/mdadm/$ctr.pid")" = 600 ] || fail "our pid file mode"
new=$(mdmon_pid "$ctr")
[ "$(cat "/sys/block/$vol/md/safe_mode_delay")" = 4.000 ] ||
	fail "safe_mode_delay $(cat "/sys/block/$vol/md/safe_mode_delay") after the takeover"
T=$(ckpt "${C[0]}")
[ -n "$T" ] && [ "$T" -ge "$P" ] || fail "checkpoint went back from $P to '$T' at the takeover"
note "our mdmon ($new) replaced the peer's ($old); checkpoint $T"
pattern_write /dev/md/p5 96 32 # hangs unless our mdmon answers
expect_vol "${C[0]}" p5 'Dirty State' dirty
wait_until 120 ckpt_above "${C[0]}" "$T"
note "the resync advances under our mdmon: checkpoint $(ckpt "${C[0]}")"
slow_resync 200000
wait_until 120 resync_finished "$vol"
wait_until 30 vol_clean_on "${C[0]}" p5
for d in "${C[@]}"; do
	expect_vol "$d" p5 'Migrate State' idle
	expect_vol "$d" p5 'Map State' normal
	expect_vol "$d" p5 'Dirty State' clean
done
pattern_verify /dev/md/p5 96 32
pattern_write /dev/md/p5 97 32
expect_vol "${C[0]}" p5 'Dirty State' dirty
wait_until 30 vol_clean_on "${C[0]}" p5
kill -0 "$new" || fail "our mdmon left"
run_expect 0 mdadm -S /dev/md/p5
run_expect 0 mdadm -S /dev/md/imsm2
wait_until 10 gone "$new"
[ ! -e "/run/mdadm/$ctr.pid" ] && [ ! -e "/run/mdadm/$ctr.sock" ] || fail "our mdmon left its files"
same_generation "${C[@]}"
expect_vol "${C[1]}" p5 'Dirty State' clean

mdadm-peer -A /dev/md/imsm2 "${C[@]}" 2>&1
mdadm-peer -I /dev/md/imsm2 2>&1
ctr=$(md_devnm /dev/md/imsm2)
vol=$(md_devnm "$(vol_path p5)")
mdmon_is "$ctr" peer
grep -qx none "/sys/block/$vol/md/resync_start" || fail "the peer sees a resync to do"
pattern_verify "$(vol_path p5)" 97 32
note "B: the peer re-assembles what our mdmon took over and finished"
mdadm-peer -S "$(vol_path p5)" 2>&1
mdadm-peer -S /dev/md/imsm2 2>&1

# ---- C. ours -> peer: the peer's mdmon takes over in the middle of a resync ---
make_disks 2 48
D=("${DISKS[@]:8:2}")
slow_resync 400
run_expect 0 mdadm -C /dev/md/imsm3 -e imsm -n2 "${D[@]}"
run_expect 0 mdadm -C /dev/md/q1 -l1 -n2 -z 24M /dev/md/imsm3
ctr=$(md_devnm /dev/md/imsm3)
vol=$(md_devnm /dev/md/q1)
mdmon_is "$ctr" ours
ours=$(mdmon_pid "$ctr")
total=$(($(cat "/sys/block/$vol/md/component_size") * 2))
wait_until 30 grep -qx resync "/sys/block/$vol/md/sync_action"
pattern_write /dev/md/q1 98 24
wait_until 120 sync_past "$vol" $((total / 5))
wait_until 30 ckpt_above "${D[0]}" 0
Q=$(ckpt "${D[0]}")

t0=$(date +%s.%N)
/usr/sbin/mdmon --takeover "$ctr" 2>&1 || fail "the peer's mdmon --takeover failed"
wait_until 15 gone "$ours"
note "our mdmon left $(elapsed "$t0") s after the peer's --takeover started"
mdmon_is "$ctr" peer
T=$(ckpt "${D[0]}" mdadm-peer)
[ -n "$T" ] && [ "$T" -ge "$Q" ] || fail "checkpoint went back from $Q to '$T' at the takeover"
note "the peer's mdmon replaced ours ($ours); checkpoint $Q -> $T"
pattern_write /dev/md/q1 99 24
wait_until 120 ckpt_above "${D[0]}" "$T" mdadm-peer
slow_resync 200000
wait_until 120 resync_finished "$vol"
wait_until 30 vol_clean_on "${D[0]}" q1
for d in "${D[@]}"; do
	expect_vol "$d" q1 'Migrate State' idle
	expect_vol "$d" q1 'Map State' normal
	expect_vol "$d" q1 'Dirty State' clean
done
pattern_verify /dev/md/q1 99 24
mdadm-peer -S /dev/md/q1 2>&1
mdadm-peer -S /dev/md/imsm3 2>&1
run_expect 0 mdadm -A /dev/md/imsm3 "${D[@]}"
mdmon_is "$(md_devnm /dev/md/imsm3)" ours
pattern_verify "$(vol_path q1)" 99 24
note "C: the peer's mdmon took over ours and completed the resync"
