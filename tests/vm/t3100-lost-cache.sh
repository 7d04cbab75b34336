#!/bin/bash
# vm-timeout: 600
# Power cuts that also lose what the disks held in their volatile caches
# (issue 14): writes a disk acknowledged but was not asked to flush are
# gone.  run.sh's power cuts cannot model that (qemu keeps every completed
# write); device-mapper's log-writes target can: it logs each disk's writes
# in the order they became durable (at the FLUSH after them, or at once
# for FUA), so replaying a log up to a moment gives the disk as a cut that
# drops its cache at that moment leaves it (tools/lwlog.py explains the
# log and the replay).
#  1. Four members, each a linear device over the first 24 MiB of a
#     log-writes device over (25 MiB data loop, log loop); the last MiB
#     takes the marker's sentinels.  With our mdadm and mdmon: create a container and a raid5
#     volume on three; write pattern A (O_DIRECT, fsync) so that mdmon
#     marks the volume dirty, then clean; --add the fourth as a spare;
#     OLCE 3 -> 4 (slowed) while pattern C is written; --fail a member,
#     write pattern B on the degraded volume, --remove the failed disk,
#     zero it, --add it back: mdmon rebuilds onto it (slowed).  A
#     background loop puts
#     a mark on every log every ~0.4 s, and the script one at each step;
#     every mark is put with all four members suspended, so that it is one
#     moment on all of them (a write on one disk caused by a write on
#     another never precedes the mark while its cause follows it).
#  2. For a seeded sample of marks (LC_PER_PHASE per phase, default 1,
#     seed LC_SEED), the marks right after each command returned and one
#     mark each while md reshapes and while it rebuilds, the
#     members are rebuilt from the logs on the same dm devices (same names,
#     so the same serials), losing the caches ("lost") and, as a control,
#     keeping every write completed before the mark ("kept"; the sentinels
#     tell them apart from later ones in the log, tools/lwlog.py says how).  Each must:
#     before our create's metadata was durable, make `mdadm -A --scan`
#     (a DEVICE line naming the four) find
#     nothing and say so in one line; after `mdadm -C` returned, assemble
#     the container and the volume (an interrupted rebuild or OLCE goes on
#     in the background), unless the volume is a degraded raid5 cut while
#     dirty, which md refuses to start and so must our assembly; read back every pattern whose write and fsync
#     ended before the mark, while md still works and once it is idle;
#     end with every slot filled, no migration, and every raid5 row's
#     parity right.
# Printed at the end: how many prefixes were checked per phase.
. "$VMTEST_LIB"
export DM_DISABLE_UDEV=1
LC=/tmp/lc TOOL=/repo/tests/vm/tools/lwlog.py
SEED=${LC_SEED:-3100} PER_PHASE=${LC_PER_PHASE:-1}
DATA_MIB=24 LOG_MIB=96 NDISK=4
mkdir -p "$LC"

# ---- members: linear over log-writes over (data, log) ------------------------
# lwI is the member, lwbI its log-writes device; sectors from SENTINEL on
# of lwbI are the marker's.
SENTINEL=$((DATA_MIB * 2048))
LWN=() LW=() DATA_LOOP=() LOG_LOOP=()
for ((i = 0; i < NDISK; i++)); do
	truncate -s "$((DATA_MIB + 1))M" "$LC/data$i"
	truncate -s "${LOG_MIB}M" "$LC/log$i"
	DATA_LOOP+=("$(losetup -f --show "$LC/data$i")")
	LOG_LOOP+=("$(losetup -f --show "$LC/log$i")")
	dmsetup create "lwb$i" --noudevsync \
		--table "0 $((SENTINEL + 2048)) log-writes ${DATA_LOOP[i]} ${LOG_LOOP[i]}"
	dmsetup create "lw$i" --noudevsync --table "0 $SENTINEL linear /dev/mapper/lwb$i 0"
	LWN+=("lw$i=lwb$i") LW+=("/dev/mapper/lw$i")
done
note "members: ${LW[*]} ($(dmsetup info -c --noheadings -o blkdevname "${LW[@]##*/}" | xargs))"

# The marks: lwlog.py marker puts one every 0.4 s, and one per command
# (mark STEP after a step, phase NAME as a phase begins); STEP_<step> is
# the step's mark number.
coproc MARKER { python3 "$TOOL" marker 0.4 "$SENTINEL" "${LWN[@]}"; }
read -r -t 120 -u "${MARKER[0]}" word || fail "lwlog.py marker did not start"
[ "$word" = ready ] || fail "lwlog.py marker: $word"
say() { # COMMAND...: $seq is the answer
	local w
	echo "$*" >&"${MARKER[1]}"
	read -r -t 60 -u "${MARKER[0]}" w seq || fail "lwlog.py marker did not answer '$*'"
	[ "$w" = ok ] || fail "lwlog.py marker: '$*': $w $seq"
}
mark() { # STEP
	say mark "$1"
	eval "STEP_$1=$seq"
}
phase() { # NAME
	say phase "$1"
}

# Pattern X lives at MiB PAT_OFF[X] of the volume, PAT_MIB MiB long.
declare -A PAT_OFF=([A]=0 [B]=4 [C]=8)
PAT_MIB=4
pat_seed() { echo $((3100 + $(printf '%d' "'$1"))); }
pat_write() { # X: written with O_DIRECT, then fsync (a FLUSH on every member)
	dd if="$(pattern_file "$(pat_seed "$1")" "$PAT_MIB")" of=/dev/md/r5 bs=1M \
		seek="${PAT_OFF[$1]}" oflag=direct conv=fsync,notrunc status=none
}
pat_ok() { # X DEV
	dd if="$2" bs=1M skip="${PAT_OFF[$1]}" count="$PAT_MIB" iflag=direct status=none |
		cmp -s - "$(pattern_file "$(pat_seed "$1")" "$PAT_MIB")"
}

# ---- 1. the operations, logged ------------------------------------------------
# lib.sh's pattern files, the three made by one python (a start costs
# seconds under TCG)
mkdir -p /tmp/pat
python3 -c 'import random, sys
for seed in sys.argv[2:]:
    with open(f"/tmp/pat/{seed}-{sys.argv[1]}", "wb") as f:
        r = random.Random(int(seed))
        for _ in range(int(sys.argv[1])):
            f.write(r.randbytes(1 << 20))' "$PAT_MIB" "$(pat_seed A)" "$(pat_seed B)" "$(pat_seed C)"
slow 2000
sleep 1 # a few periodic marks before anything is written

phase create
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 "${LW[@]:0:3}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 -c 64 -z 8M --assume-clean /dev/md/imsm0
mark created
vol=$(md_devnm /dev/md/r5)
note "created: container and raid5 volume $vol on ${LW[*]:0:3}"

phase write
pat_write A
mark doneA
wait_until 30 sh -c "mdadm -E ${LW[0]} | grep -q 'Dirty State : clean'"
mark clean
note "pattern A written and flushed; the volume was marked dirty, then clean"

phase add
run_expect 0 mdadm /dev/md/imsm0 --add "${LW[3]}"
mark added

phase olce
mdadm --grow /dev/md/imsm0 --raid-devices=4 2>"$LC/grow.err" &
grow=$!
olce_started() {
	mdadm -E "${LW[0]}" | grep -q 'Migrate State : general' || ! kill -0 "$grow" 2>/dev/null
}
wait_until 60 olce_started
mark reshaping
pat_write C
mark doneC
rc=0
wait "$grow" || rc=$?
[ "$rc" = 0 ] || fail "mdadm --grow exited $rc: $(cat "$LC/grow.err"; cat /proc/mdstat)"
mark grown
[ "$(cat "/sys/block/$vol/md/raid_disks")" = 4 ] || fail "the OLCE did not give 4 disks"
note "OLCE 3 -> 4 done"


phase rebuild
run_expect 0 mdadm /dev/md/r5 --fail "${LW[1]}"
pat_write B
mark doneB
run_expect 0 mdadm /dev/md/imsm0 --remove "${LW[1]}"
run_expect 0 mdadm --zero-superblock "${LW[1]}"
run_expect 0 mdadm /dev/md/imsm0 --add "${LW[1]}"
mark readded
rebuild_seen() { # the metadata records the rebuild, or it is over
	mdadm -E "${LW[0]}" | grep -q 'Migrate State : rebuild' ||
		[ "$(cat "/sys/block/$vol/md/degraded")" = 0 ]
}
wait_until 60 rebuild_seen
mark recovering
wait_until 120 sh -c "grep -qx idle /sys/block/$vol/md/sync_action && [ \$(cat /sys/block/$vol/md/degraded) = 0 ]"
wait_until 30 sh -c "mdadm -E ${LW[0]} | grep -q 'Migrate State : idle'"
mark rebuilt
for x in A B C; do pat_ok "$x" /dev/md/r5 || fail "pattern $x differs on the live volume"; done
note "${LW[1]} failed, pattern B written degraded, ${LW[1]} zeroed and added back, rebuilt;" \
	"patterns A B C read back on the live volume"

say quit
wait "$MARKER_PID" || fail "lwlog.py marker failed"
slow 200000
stop_all_md
note "$seq marks put"

# ---- 2. the prefixes -----------------------------------------------------------
# The same dm devices, now linear over image loops the replay writes.
IMG_LOOP=()
for ((i = 0; i < NDISK; i++)); do
	truncate -s "${DATA_MIB}M" "$LC/img$i"
	IMG_LOOP+=("$(losetup -f --show "$LC/img$i")")
	dmsetup reload "lw$i" --noudevsync --table "0 $SENTINEL linear ${IMG_LOOP[i]} 0"
	dmsetup resume "lw$i" --noudevsync
	dmsetup remove "lwb$i" --noudevsync
done

echo "DEVICE ${LW[*]}" >"$LC/mdadm.conf"
args=()
for ((i = 0; i < NDISK; i++)); do args+=("$LC/img$i=$LC/log$i"); done
coproc LWLOG { python3 "$TOOL" serve --size $((DATA_MIB << 20)) --sentinel "$SENTINEL" --seed "$SEED" \
	--per-phase "$PER_PHASE" --steps created,added,reshaping,grown,recovering,rebuilt "${args[@]}"; }
read -r -t 120 -u "${LWLOG[0]}" word plan || fail "lwlog.py gave no plan"
[ "$word" = plan ] || fail "lwlog.py: $word $plan"
note "seed $SEED, $PER_PHASE per phase: checking ${plan}"

ask() { # COMMAND...: one answer of lwlog.py in $word (ok, same) and $answer
	echo "$*" >&"${LWLOG[1]}"
	read -r -t 120 -u "${LWLOG[0]}" word answer || fail "lwlog.py did not answer '$*'"
	[ "$word" = ok ] || [ "$word" = same ] || fail "lwlog.py: '$*': $word $answer"
}

mdmon_gone() { ! grep -qsx mdmon /proc/[0-9]*/comm; }
# dirty_degraded: the replayed metadata says the volume is degraded and
# dirty (a cut while it was written with a member failed)
dirty_degraded() {
	mdadm -E "${LW[0]}" 2>/dev/null | grep -q 'Map State : degraded' &&
		mdadm -E "${LW[0]}" 2>/dev/null | grep -q 'Dirty State : dirty'
}
continue_gone() { ! grep -qsa -- '--continue' /proc/[0-9]*/cmdline; }

# settled DEVNM: nothing left to do: md idle with no resync pending (a
# dirty volume resyncs after its reshape), every slot filled, the metadata
# not migrating, no background --grow --continue.
settled() {
	grep -qx idle "/sys/block/$1/md/sync_action" &&
		grep -qx none "/sys/block/$1/md/resync_start" &&
		[ "$(cat "/sys/block/$1/md/degraded")" = 0 ] &&
		! mdadm -E "${LW[0]}" 2>/dev/null | grep -q 'Migrate State : [^i]' &&
		continue_gone
}

# prefix_fail TEXT: what md, mdmon and the metadata say, the four images
# kept (gzip) in /results/NAME.prefix/ for a post-mortem, then fail.
prefix_fail() {
	local i
	{
		cat /proc/mdstat
		grep -H . /sys/block/md12[0-9]/md/{sync_action,degraded,raid_disks,reshape_position,sync_completed} 2>/dev/null
		grep -a -l -- '--continue' /proc/[0-9]*/cmdline 2>/dev/null
		mdadm -E "${LW[0]}"
	} >&2 || true
	if [ -d /results ]; then
		mdadm -Ss >/dev/null 2>&1 || true
		ask image "$cur_mark" "$cur_mode" # the members again, as replayed
		mkdir -p "/results/$VMTEST_NAME.prefix"
		for ((i = 0; i < NDISK; i++)); do gzip -c "$LC/img$i" >"/results/$VMTEST_NAME.prefix/img$i.gz"; done
		echo "$why: the replayed members are in $VMTEST_NAME.prefix/" >&2
	fi
	fail "$why: $*"
}

# wait_settled DEVNM: settled within 120 s, or prefix_fail
wait_settled() {
	local end=$(($(date +%s) + 120))
	until settled "$1"; do
		[ "$(date +%s)" -lt "$end" ] || prefix_fail "md or the metadata did not settle in 120 s"
		sleep 0.2
	done
}

declare -A CHECKED=()
why= # what the current prefix is, for failure messages

# wanted SEQ: the patterns whose write and fsync ended before mark SEQ.
wanted() {
	local w=
	[ "$STEP_doneA" -lt "$1" ] && w+=" A"
	[ "$STEP_doneB" -lt "$1" ] && w+=" B"
	[ "$STEP_doneC" -lt "$1" ] && w+=" C"
	echo "$w"
}

check_prefix() { # MARK lost|kept
	local m=$1 mode=$2 seq=${1%%.*} ph rc=0 v dev x off kib chunk devs d busy
	ph=${m#*.} ph=${ph%%.*}
	why="prefix $m ($mode cache)" cur_mark=$m cur_mode=$mode
	blockdev --flushbufs "${LW[@]}" "${IMG_LOOP[@]}"
	mdadm -A --scan -c "$LC/mdadm.conf" >"$LC/a.out" 2>"$LC/a.err" || rc=$?
	if ! grep -q '^md' /proc/mdstat; then
		[ "$seq" -lt "$STEP_created" ] ||
			fail "$why: nothing assembled after mdadm -C returned (exit $rc): $(cat "$LC/a.err")"
		[ "$rc" != 0 ] && [ "$(grep -c . "$LC/a.err")" = 1 ] && grep -q '^mdadm: ' "$LC/a.err" ||
			fail "$why: no array, yet exit $rc and stderr: $(cat "$LC/a.err")"
		note "$why: nothing to assemble: $(cat "$LC/a.err")"
		CHECKED[$ph.$mode]=$((${CHECKED[$ph.$mode]:-0} + 1))
		return 0
	fi
	if [ "$rc" != 0 ] && dirty_degraded; then
		# md starts no raid5 that is both degraded and dirty (a write
		# cut mid-stripe leaves its parity stale, and the lost member's
		# data would be rebuilt from it): the refusal is md's rule
		grep -q "cannot start volume .*: it is degraded and its parity may not match .*--force" \
			"$LC/a.err" || fail "$why: $(cat "$LC/a.err")"
		note "$why: a dirty degraded raid5, refused as md refuses it: $(tail -1 "$LC/a.err")"
		# --force starts it as it is, with a warning
		rc=0
		mdadm -A --scan --force -c "$LC/mdadm.conf" >"$LC/a.out" 2>"$LC/a.err" || rc=$?
		[ "$rc" = 0 ] && grep -q ' raid5 ' /proc/mdstat ||
			fail "$why: mdadm -A --scan --force exited $rc: $(cat "$LC/a.err")"
		grep -q "warning: starting volume .* degraded and not clean (--force)" "$LC/a.err" ||
			fail "$why: no warning from --force: $(cat "$LC/a.err")"
		stop_all_md
		wait_until 30 mdmon_gone
		CHECKED[$ph.$mode]=$((${CHECKED[$ph.$mode]:-0} + 1))
		return 0
	fi
	[ "$rc" = 0 ] || fail "$why: mdadm -A exited $rc: $(cat "$LC/a.err")"
	if ! grep -q ' raid5 ' /proc/mdstat; then
		[ "$seq" -lt "$STEP_created" ] || fail "$why: no volume after mdadm -C returned"
		note "$why: the container without its volume (cut inside mdadm -C)"
		stop_all_md
		wait_until 30 mdmon_gone
		CHECKED[$ph.$mode]=$((${CHECKED[$ph.$mode]:-0} + 1))
		return 0
	fi
	wait_until 30 sh -c 'ls /dev/md/r5* >/dev/null 2>&1'
	v=$(vol_path r5) dev=$(md_devnm "$v")
	busy=$(cat "/sys/block/$dev/md/sync_action")
	if ! settled "$dev"; then
		for x in $(wanted "$seq"); do
			pat_ok "$x" "$v" || fail "$why: pattern $x differs while md works ($(cat "/sys/block/$dev/md/sync_action"))"
		done
		wait_settled "$dev"
	fi
	for x in $(wanted "$seq"); do
		pat_ok "$x" "$v" || fail "$why: pattern $x differs once md is idle"
	done
	kib=$(cat "/sys/block/$dev/md/component_size") chunk=$(cat "/sys/block/$dev/md/chunk_size")
	devs=()
	for d in /sys/block/"$dev"/md/dev-*; do
		devs+=("/dev/${d##*/dev-}")
		off=$(cat "$d/offset")
	done
	[ "${#devs[@]}" = "$(cat "/sys/block/$dev/md/raid_disks")" ] ||
		fail "$why: ${#devs[@]} members for $(cat "/sys/block/$dev/md/raid_disks") slots"
	note "$why: assembled ($busy at first) on ${#devs[@]} members; patterns$(wanted "$seq") intact"
	stop_all_md
	wait_until 30 mdmon_gone
	ask parity "$off" "$kib" "$chunk" "${devs[@]}"
	[ "$answer" = 0 ] || fail "$why: $answer raid5 rows with wrong parity"
	CHECKED[$ph.$mode]=$((${CHECKED[$ph.$mode]:-0} + 1))
}

same=0
for m in $plan; do
	ph=${m#*.} ph=${ph%%.*}
	ask image "$m" lost
	check_prefix "$m" lost
	ask image "$m" kept
	if [ "$word" = same ]; then
		same=$((same + 1))
		CHECKED[$ph.kept]=$((${CHECKED[$ph.kept]:-0} + 1))
	else
		check_prefix "$m" kept
	fi
done
echo quit >&"${LWLOG[1]}"
wait "$LWLOG_PID" 2>/dev/null || true

summary=
for ph in pre create write add olce rebuild; do
	summary+=" $ph ${CHECKED[$ph.lost]:-0}+${CHECKED[$ph.kept]:-0}"
	[ "${CHECKED[$ph.lost]:-0}" -gt 0 ] || fail "no prefix of phase $ph was checked"
done
note "prefixes checked per phase (lost+kept cache):$summary;" \
	"$same kept the same as lost (no completed write waited for a flush at the mark)"
