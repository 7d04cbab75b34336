#!/bin/bash
# vm-timeout: 600
# Level and chunk-size migrations of an IMSM volume (issue 11), in the
# spellings admins use: --grow VOLUME --chunk=N, --level=5, --level=0.
# One volume walks raid0 3 disks 64K -> chunk 256K -> raid5 4 disks
# (the container's spare joins) -> chunk 128K -> raid0 3 disks (the
# parity disk is a spare again).  After each step: the pattern reads
# back, md runs the metadata's geometry, our -E and the peer's say normal.
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

olce_make 3 4 0

run_expect 0 mdadm --grow "${V[0]}" --chunk=256
note "$last_err"
restripe_check 0 3 256
run_expect 0 mdadm --grow "${V[0]}" --level=5
note "$last_err"
restripe_check 5 4 256
run_expect 0 mdadm --grow "${V[0]}" --chunk=128
restripe_check 5 4 128
run_expect 0 mdadm --grow "${V[0]}" --level=0
note "$last_err"
restripe_check 0 3 128
[ "$(spares_of_all)" = "${ALL[3]}" ] || fail "the disk that joined is not the spare: $(spares_of_all | xargs)"
mdadm -D "$C" | grep -q "${ALL[3]}" || fail "the spare left the container"
note "the disk that joined as parity is a spare of the container again"
olce_peer_reads
