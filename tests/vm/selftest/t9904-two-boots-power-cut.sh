#!/bin/bash
# vm-timeout: 90
# vm-disks: 2x16
# vm-boots: 2
# Harness self-test: two boots over persistent disks, a power cut between.
# Boot 1 draws a random token and writes it (a) to the state folder, (b) to
# disk 0 with O_DIRECT (on the drive), (c) to disk 1 through the page cache
# only (periodic writeback held off, the device kept open so no close
# flushes it), reads (c) back from the cache, then cuts the power.  Boot 2
# must run, find the token in the state and on disk 0 (state and disks
# persist, they are not fresh) and must not find it on disk 1 (the cut
# flushed nothing: a clean shutdown syncs, which would have written it).
. "$VMTEST_LIB"
use_vm_disks
[ "${#DISKS[@]}" -eq 2 ] || fail "expected 2 disks, got: ${DISKS[*]}"
first16() { dd if="$1" bs=4096 count=1 iflag=direct status=none | head -c 16; }
drive_writes() { awk '{ print $5 }' "/sys/block/${1#/dev/}/stat"; } # completed write requests

case $VMTEST_BOOT in
1)
	token=$(od -An -tx8 -N8 /dev/urandom | tr -d ' ')
	[ "${#token}" -eq 16 ] || fail "bad token '$token'"
	[ "$(first16 "${DISKS[0]}" | tr -d '\0')" = "" ] || fail "disk 0 is not fresh"
	state_put token "$token"
	printf '%s' "$token" | dd of="${DISKS[0]}" bs=4096 conv=sync oflag=direct status=none
	# No periodic writeback for an hour (0 would mean "at once").
	echo 360000 >/proc/sys/vm/dirty_writeback_centisecs
	echo 360000 >/proc/sys/vm/dirty_expire_centisecs
	exec 7<>"${DISKS[1]}"
	printf '%s' "$token" >&7
	[ "$(head -c 16 "${DISKS[1]}")" = "$token" ] || fail "the cached write does not read back"
	[ "$(drive_writes "${DISKS[1]}")" = 0 ] || fail "the cached write reached disk 1 before the cut"
	note "token $token: on disk 0 ($(drive_writes "${DISKS[0]}") writes), in the state, in disk 1's page cache (0 writes)"
	power_cut
	;;
2)
	token=$(state_get token)
	note "boot 2 of $VMTEST_BOOTS: token from the state: $token"
	[ "$(first16 "${DISKS[0]}")" = "$token" ] || fail "the token written to disk 0 is gone"
	on1=$(first16 "${DISKS[1]}" | tr -d '\0')
	[ "$on1" != "$token" ] || fail "disk 1 has the token: the power cut flushed the page cache"
	note "disk 0 kept the token; disk 1 did not get the unsynced copy ('$on1')"
	;;
*) fail "unexpected VMTEST_BOOT=$VMTEST_BOOT" ;;
esac
