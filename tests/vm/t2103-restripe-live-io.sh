#!/bin/bash
# vm-timeout: 600
# A chunk migration is critical unit by unit, and the application keeps
# working through it (issue 11): writes are held only inside the unit
# being moved, never for the whole volume.  While a raid5 volume migrates
# from 64K to 256K chunks (held slow by md's speed limit), a writer
# replaces the second half's pattern and a reader checks the first half
# again and again; both finish while the migration still runs; at the end
# both halves hold what was last written.  Then a container of two volumes
# (raid5 + raid0) migrates each volume's chunk in turn, the other volume
# untouched and readable throughout.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

# half_ok DEV SEED MIB SKIP_MIB: MIB MiB at SKIP_MIB hold pattern SEED
half_ok() {
	dd if="$1" bs=1M skip="$4" count="$3" iflag=direct status=none |
		cmp -s - "$(pattern_file "$2" "$3")"
}

olce_make 3 3 5
VOL=${V[0]} HALF=$((S0[0] >> 21))
pattern_write "$VOL" 71 "$HALF"           # first half: 71
pattern_file 72 "$HALF" >/dev/null        # the second half gets 72 while migrating
slow 300 # about 30 s for the migration: room for a slow guest's writer and reader
mdadm --grow "$VOL" --chunk=256 2>/tmp/grow.err &
grow=$!
wait_until 60 olce_migrating
dd if="$(pattern_file 72 "$HALF")" of="$VOL" bs=1M seek="$HALF" oflag=direct status=none
olce_migrating || fail "the writes waited for the whole migration"
note "second half rewritten during the migration ($(mdadm -E "${ALL[0]}" | grep -m1 'Checkpoint :' | xargs))"
reads=0
while olce_migrating && [ "$reads" -lt 3 ]; do
	half_ok "$VOL" 71 "$HALF" 0 || fail "the first half read back wrong during the migration"
	reads=$((reads + 1))
done
[ "$reads" -ge 1 ] || fail "no read finished while migrating"
olce_migrating || fail "the reads waited for the whole migration"
note "$reads reads of the first half right during the migration"
echo 200000 >/proc/sys/dev/raid/speed_limit_max
wait "$grow" || fail "mdadm --grow failed: $(cat /tmp/grow.err)"
half_ok "$VOL" 71 "$HALF" 0 || fail "first half wrong after the migration"
half_ok "$VOL" 72 "$HALF" "$HALF" || fail "second half (written during) wrong after the migration"
[ "$(md_attr "$(md_devnm "$VOL")" chunk_size)" = 262144 ] || fail "chunk not 256K"
note "both halves right after the migration"
stop_all_md

# two volumes: raid5 + raid0, each volume's chunk in turn
olce_make 3 3 5 0
run_expect 0 mdadm --grow "${V[0]}" --chunk=128
pattern_verify "${V[1]}" $((OLCE_SEED * 10 + 1)) $((S0[1] >> 20))
run_expect 0 mdadm --grow "${V[1]}" --chunk=256
olce_patterns_ok
[ "$(md_attr "$(md_devnm "${V[0]}")" chunk_size)" = 131072 ] || fail "volume 0 chunk"
[ "$(md_attr "$(md_devnm "${V[1]}")" chunk_size)" = 262144 ] || fail "volume 1 chunk"
for p in mdadm mdadm-peer; do
	"$p" -E "${ALL[0]}" >/tmp/e.txt 2>&1 || fail "$p -E failed"
	grep -q 'Migrate State : general' /tmp/e.txt && fail "$p -E: still migrating"
	[ "$(grep -c 'Map State : normal$' /tmp/e.txt)" = 2 ] || fail "$p -E: a map is not normal"
	grep -q 'Chunk Size : 128 KiB' /tmp/e.txt && grep -q 'Chunk Size : 256 KiB' /tmp/e.txt ||
		fail "$p -E: chunks not 128K and 256K"
done
note "two volumes: chunks 128K and 256K, both -E normal"
olce_peer_reads
