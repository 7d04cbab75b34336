#!/bin/bash
# watchdog.sh PID SECONDS (guest): if the test PID still runs after
# SECONDS (guest-run.sh picks a little less than the VM's timeout), print
# what md, mdadm and mdmon are doing, so that a hang leaves a trace in the
# test's log before the host kills the VM.
pid=$1 after=$2
[ "$after" -gt 0 ] || exit 0
sleep "$after"
kill -0 "$pid" 2>/dev/null || exit 0
echo "=== vmtest watchdog: the test still runs after ${after}s; state follows ==="
cat /proc/mdstat
for d in /sys/block/md*/md; do
	[ -d "$d" ] || continue
	echo "--- ${d#/sys/block/}"
	for a in metadata_version level raid_disks array_state sync_action sync_completed \
		sync_min sync_max reshape_position suspend_lo suspend_hi array_size; do
		printf '%s=%s ' "$a" "$(cat "$d/$a" 2>/dev/null)"
	done
	echo
done
for p in /proc/[0-9]*; do
	c="$(cat "$p/comm" 2>/dev/null) $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
	case "$c" in mdadm* | mdmon* | md[0-9]*) ;; *) continue ;; esac
	for t in "$p"/task/*; do
		echo "--- pid ${p#/proc/} task ${t##*/}: $c"
		echo "state: $(sed -n 's/^State:\t//p' "$t/status" 2>/dev/null) wchan: $(cat "$t/wchan" 2>/dev/null)"
		cat "$t/stack" 2>/dev/null
	done
done
echo w >/proc/sysrq-trigger
sleep 1
dmesg | tail -150
echo "=== vmtest watchdog: end ==="
