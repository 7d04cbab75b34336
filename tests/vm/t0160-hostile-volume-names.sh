#!/bin/bash
# vm-timeout: 240
# A plugged-in disk is attacker-controlled: volume names on disk that try
# to escape /dev/md ("../../tmp/x" plus a newline) or to break a shell,
# a map line or an --export line (spaces, quotes, $( )) are assembled by
# `mdadm -I` (as udev runs it, as root) and by `mdadm -A --scan`: nothing
# appears outside /dev/md, /run/mdadm/map stays one 4-field line per
# array, and -E, -D, --export, --examine --scan and --json output stays
# one record per line, without control characters, and parses.
. "$VMTEST_LIB"

poke=/repo/tests/vm/tools/imsm-poke-name.py
make_disks 6 12
A=("${DISKS[@]:0:3}") B=("${DISKS[@]:3:3}")
touch /tmp/marker
run_expect 0 mdadm -C /dev/md/ca -e imsm -n3 --run "${A[@]}"
run_expect 0 mdadm -C /dev/md/va -l5 -n3 -z 2M --assume-clean --run /dev/md/ca
run_expect 0 mdadm -C /dev/md/cb -e imsm -n3 --run "${B[@]}"
run_expect 0 mdadm -C /dev/md/vb -l0 -n3 -z 2M --run /dev/md/cb
pattern_write /dev/md/va 160 4
run_expect 0 mdadm -Ss

# The same hostile record on every disk of each container.
name_a=$(printf '../../tmp/x\nAB' | od -An -tx1 | tr -d ' \n')
name_b=$(printf '%s' "a b\"c'd\$(reboot)" | od -An -tx1 | tr -d ' \n')
for d in "${A[@]}"; do python3 "$poke" "$d" volume 0 "$name_a"; done
for d in "${B[@]}"; do python3 "$poke" "$d" volume 0 "$name_b"; done
mdadm-peer -E "${A[0]}" | grep -q 'Intel Raid ISM' || fail "the poked copy is not accepted by the peer"

# Output of ours: one record per line, no control characters.
no_controls() { # what text
	if printf '%s' "$2" | LC_ALL=C grep -q '[[:cntrl:]]' ; then
		printf '%s' "$2" | od -c | head >&2
		fail "$1 carries control characters"
	fi
}
check_outputs() {
	local d out
	for d in "${A[0]}" "${B[0]}"; do
		out=$(mdadm -E "$d" | tr -d '\n')
		no_controls "-E $d" "$out"
		mdadm -E --json "$d" | python3 -c 'import json,sys; json.load(sys.stdin)' ||
			fail "-E --json $d does not parse"
	done
	out=$(mdadm --examine --scan)
	[ "$(grep -c '^ARRAY' <<<"$out")" = "$(wc -l <<<"$out")" ] || fail "--examine --scan: $out"
	no_controls "--examine --scan" "$(tr -d '\n' <<<"$out")"
}
check_running() {
	local md out
	for md in $(awk '/^md/ { print $1 }' /proc/mdstat); do
		out=$(mdadm -D --export "/dev/$md")
		grep -v -q -E '^[A-Za-z0-9_]+=[A-Za-z0-9_.:/+,@=-]*$' <<<"$out" &&
			fail "--export of $md has a line that is not KEY=safe-value: $out"
		no_controls "-D /dev/$md" "$(mdadm -D "/dev/$md" | tr -d '\n')"
		mdadm -D --json "/dev/$md" | python3 -c 'import json,sys; json.load(sys.stdin)' ||
			fail "-D --json /dev/$md does not parse"
	done
	awk 'NF != 4 { bad = 1 } END { exit bad }' /run/mdadm/map || fail "map file: $(cat -A /run/mdadm/map)"
	[ ! -e /tmp/x ] || fail "a name escaped to /tmp/x"
	find /dev /tmp /run -newer /tmp/marker \( -type l -o -type b \) 2>/dev/null |
		grep -v -E '^/dev/(md/[^/]+|md[0-9]+|loop[0-9]+|disk/.*)$' |
		grep -v '^/tmp/disks' && fail "something appeared outside /dev/md"
	for l in /dev/md/*; do
		case $(readlink -f "$l") in /dev/md[0-9]*) ;; *) fail "$l points outside: $(readlink "$l")" ;; esac
	done
	ls -b /dev/md | grep -q '\\' && fail "a /dev/md name carries escaped bytes: $(ls -b /dev/md)"
	return 0
}

note "examine output"
check_outputs
note "-I of every disk, as udev runs it"
for d in "${A[@]}" "${B[@]}"; do
	run_expect 0 mdadm --incremental --export "$d" --offroot
	no_controls "-I --export" "$(tr -d '\n' <<<"$last_out")"
done
run_expect 0 mdadm -IRs
cat /proc/mdstat
ls -l /dev/md/
cat /run/mdadm/map
check_running
va=$(awk '/ raid5 / { print $1 }' /proc/mdstat)
[ -n "$va" ] || fail "the raid5 volume did not start"
pattern_verify "/dev/$va" 160 4
run_expect 0 mdadm -Ss

note "-A --scan"
run_expect 0 mdadm -A --scan
ls -l /dev/md/
check_running
run_expect 0 mdadm -Ss
note "hostile names stay inside /dev/md and every output keeps its shape"
