#!/bin/bash
# vm-timeout: 900
# The shapes of level and chunk migrations (issue 11), each on fresh disks
# (8 MiB per member), the pattern verified at the end, md and both -E
# agreeing on the new geometry:
#   raid0 5 disks -> raid5 6 (the spare joins);
#   raid5 3 -> raid0 2 and raid5 5 -> raid0 4 (the last disk a spare again);
#   raid5 chunk 4K -> 256K on 3 and on 6 disks, 64K -> 256K on 6 disks;
#   raid0 chunk 128K -> 64K on 4 disks (a smaller chunk).
# (raid0 3 -> raid5 4, raid5 4 -> raid0 3, raid0 64K -> 256K and raid5
# 64K -> 256K on 3 disks run in t2100, t2101, t2103.)
. "$VMTEST_LIB"
. /repo/tests/vm/olce-lib.sh

# shape OLD NEW LEVEL CHUNK_K ARG END_LEVEL END_DISKS END_CHUNK_K
shape() {
	OLCE_CHUNK=$4 olce_make "$1" "$2" "$3"
	run_expect 0 mdadm --grow "${V[0]}" "$5"
	restripe_check "$6" "$7" "$8"
	if [ "$6" = 0 ] && [ "$3" = 5 ]; then
		[ "$(spares_of_all | wc -l)" = 1 ] ||
			fail "not one spare after raid5 -> raid0: $(spares_of_all | xargs)"
	fi
	stop_all_md
}

shape 5 6 0 64 --level=5 5 6 64
shape 3 3 5 64 --level=0 0 2 64
shape 5 5 5 64 --level=0 0 4 64
shape 3 3 5 4 --chunk=256 5 3 256
shape 6 6 5 4 --chunk=256 5 6 256
shape 6 6 5 64 --chunk=256 5 6 256
shape 4 4 0 128 --chunk=64 0 4 64
