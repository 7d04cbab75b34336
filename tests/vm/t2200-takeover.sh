#!/bin/bash
# vm-timeout: 600
# Takeovers (issue 12), in upstream's spellings: --grow VOLUME --level=N.
# Each one: data read through the new personality, md's and both -E's
# geometry, the container's spares afterwards, the peer assembling it.
#  A. raid0 (2) -> raid10 (4) from two spares, mdmon's rebuilds; back to
#     raid0 (2), the mirror halves spares again
#  B. raid1 (2) -> raid0 (1) -> raid1 (2)
#  C. a container of two raid0 volumes -> raid10: both go
#  D. raid10 next to a raid5: raid10 -> raid0, the raid5 untouched
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh
. /repo/tests/vm/levels-lib.sh

note "A. raid0 (2) <-> raid10 (4)"
tko_make 0 2 2
run_expect 0 mdadm --grow "${V[0]}" --level=10
note "$last_err"
tko_rebuilt 0
tko_check 0 10 4
[ -z "$(spares_of_all)" ] || fail "spares left: $(spares_of_all | xargs)"
run_expect 0 mdadm --grow "${V[0]}" --level=0
note "$last_err"
tko_check 0 0 2
[ "$(spares_of_all | wc -l)" = 2 ] || fail "the mirror halves are not spares: $(spares_of_all | xargs)"
mdadm --detail "$C" >/tmp/d.txt
for d in $(spares_of_all); do grep -q "$d" /tmp/d.txt || fail "$d left the container"; done
tko_peer_reads

note "B. raid1 (2) -> raid0 (1) -> raid1 (2)"
tko_make 1 2 0
run_expect 0 mdadm --grow "${V[0]}" --level=0
note "$last_err"
tko_check 0 0 1
[ "$(spares_of_all)" = "${ALL[1]}" ] || fail "the second disk is not the spare: $(spares_of_all | xargs)"
run_expect 0 mdadm --grow "${V[0]}" --level=1
note "$last_err"
tko_rebuilt 0
tko_check 0 1 2
[ -z "$(spares_of_all)" ] || fail "spares left: $(spares_of_all | xargs)"
tko_peer_reads

note "C. two raid0 volumes -> raid10"
tko_make 0 2 2 0
run_expect 0 mdadm --grow "${V[0]}" --level=10
tko_rebuilt 0
tko_rebuilt 1
tko_check 0 10 4
tko_check 1 10 4
[ -z "$(spares_of_all)" ] || fail "spares left: $(spares_of_all | xargs)"
tko_peer_reads

note "D. raid10 next to a raid5: only the raid10 becomes raid0"
tko_make 10 4 0 5
run_expect 0 mdadm --grow "${V[0]}" --level=0
tko_check 0 0 2
tko_check 1 5 4
[ -z "$(spares_of_all)" ] || fail "a disk the raid5 uses became a spare"
tko_peer_reads
