#!/bin/bash
# vm-timeout: 600
# The demo (make demo): Online Capacity Expansion of an IMSM container
# with two volumes.  Our mdadm creates a container of 3 disks holding a
# raid5 and a raid0 volume, both with an ext4 file system and files of
# known checksum; a 4th disk comes in as a spare and `mdadm --grow
# --raid-devices=4` reshapes both volumes onto it while the file systems
# stay mounted.  The demo shows the progress (md's and the metadata's
# checkpoint), the new sizes, the metadata, grows the file systems into
# the new space, and has Debian's mdadm 4.2 assemble the result and check
# every file.  Then a raid0 volume of its own container, ext4 mounted,
# migrates to raid5 (the spare joins), to 256K chunks and back to raid0
# (the disk is a spare again).  Then --monitor: a failure and its rebuild
# reported, and a spare moved between containers of one POLICY domain.
# Last, a crash mid-OLCE: mdadm killed, the volume written (dirty), a
# metadata copy torn; the assembly takes the torn disk, continues the
# OLCE, and md resyncs after it; the data reads back.
# Any wrong size, metadata field, event or checksum fails the demo.
. "$VMTEST_LIB"

T0=$SECONDS
say() { printf '\n== %s   [%ss]\n' "$*" $((SECONDS - T0)); }
sub() { printf -- '-- %s\n' "$*"; }
show() { echo "\$ $*"; "$@"; }
trap 'rc=$?; [ $rc -eq 0 ] || printf "\ndemo: FAILED (exit status %s)\n" "$rc"' EXIT

C=/dev/md/imsm0
VOLS=(vol0 vol1) LEVELS=(5 0)

# Key lines of mdadm -D of a volume.
detail_brief() { # DEV
	mdadm -D "$1" | grep -E 'Raid Level|Array Size|Raid Devices|Chunk Size| State :' |
		sed 's/^ */    /'
}

# Key lines of each volume's section in mdadm -E of a disk.
examine_brief() { # DISK [PROGRAM]
	"${2:-mdadm}" -E "$1" | awk '
		/^ *Disks : / { sub(/^ */, ""); print "    " $0 }
		/^\[/ { print "    " $0 }
		/^ *(RAID Level|Members|Array Size|Migrate State|Map State|Checkpoint) : / {
			sub(/^ */, ""); print "      " $0 }'
}

# One line: each volume's reshape in /proc/mdstat, then its migration
# state and checkpoint as the metadata on the first disk records it.
progress_line() { # SECONDS
	local md e
	md=$(awk -v map="$DEVMAP" '
		BEGIN { n = split(map, a, " "); for (i = 1; i <= n; i += 2) name[a[i]] = a[i + 1] }
		/^md/ { dev = $1; lvl = $4 }
		match($0, /(reshape|resync|recovery) *= *[0-9.]+% \([0-9]+\/[0-9]+\)/) {
			if (dev in name) {
				s = substr($0, RSTART, RLENGTH); gsub(/ *= */, " ", s)
				printf "%s%s (%s) %s", sep, name[dev], lvl, s; sep = ", "
			}
		}
		/(reshape|resync|recovery) *= *DELAYED/ && dev in name {
			printf "%s%s waits", sep, name[dev]; sep = ", "
		}' /proc/mdstat)
	e=$(mdadm -E "${ALL[0]}" 2>/dev/null | awk '
		/^\[/ { v = substr($0, 2, index($0, "]") - 2) }
		/^ *Migrate State : / { sub(/^ *Migrate State : /, ""); st[v] = $0; order[++n] = v }
		/^ *Checkpoint : / { sub(/^ *Checkpoint : /, ""); ck[v] = $0 }
		END {
			for (i = 1; i <= n; i++) {
				v = order[i]; s = st[v]
				if (s == "general migration") s = "migrating, checkpoint " ck[v]
				printf "%s%s %s", (i > 1 ? "; " : ""), v, s
			}
		}')
	printf '  %3ss | md: %-40s | -E: %s\n' "$1" "${md:-idle}" "$e"
}

# VOL is in a general migration with its checkpoint at UNIT or later.
vol_migrating_past() { # VOL UNIT
	local u
	u=$(mdadm -E "${ALL[0]}" 2>/dev/null | awk -v v="[$1]:" '
		/^\[/ { in_v = ($0 == v) }
		in_v && /^ *Checkpoint : / { print $3 }')
	[ -n "$u" ] && [ "$u" -ge "$2" ]
}

# The files of a mounted volume match the checksums kept for it.
files_ok() { # VOL MOUNTPOINT
	(cd "$2" && sha256sum --quiet -c "/tmp/sums/$1") ||
		fail "$1: a file does not match its checksum"
}

# New pseudo-random files: NAME:MIB... on VOL mounted at MOUNTPOINT; their
# checksums are added to /tmp/sums/VOL.
add_files() { # VOL MOUNTPOINT NAME:MIB...
	local vol=$1 mnt=$2 f
	shift 2
	mkdir -p /tmp/sums /tmp/src
	for f in "$@"; do
		head -c "${f#*:}M" /dev/urandom >"/tmp/src/${f%%:*}"
		cp "/tmp/src/${f%%:*}" "$mnt/"
		(cd /tmp/src && sha256sum "${f%%:*}") >>"/tmp/sums/$vol"
		rm "/tmp/src/${f%%:*}"
	done
	sync
}

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

mib() { echo "$(($1 >> 20)) MiB"; }

data_disks() { # LEVEL MEMBERS
	case $1 in 0) echo "$2" ;; 5) echo $(($2 - 1)) ;; esac
}

say "The guest: Linux $(uname -r), $(mdadm --version 2>&1)"
echo "   (Debian's mdadm 4.2 is here too, as mdadm-peer, for the interop check)"

# ---------------------------------------------------------------------------
say "1. Four 64 MiB disks; a container of three of them, two volumes"
make_disks 4 64
ALL=("${DISKS[@]}") D3=("${DISKS[@]:0:3}") SPARE=${DISKS[3]}
echo "   disks: ${ALL[*]}"
echo "   (typed as for upstream mdadm: its long options and aliases; the second"
echo "    volume names the member disks, mdadm finds their container)"
show mdadm --create $C --auto=md --metadata=imsm --raid-disks=3 "${D3[@]}"
show mdadm --create /dev/md/vol0 --level=raid5 --raid-disks=3 --chunk=64 --size=16M --assume-clean $C
show mdadm --create /dev/md/vol1 --level=0 --raid-devices=3 --chunk=64 --size=16M "${D3[@]}"
show cat /proc/mdstat
for v in "${VOLS[@]}"; do
	echo "\$ mdadm -D /dev/md/$v   (key lines)"
	detail_brief "/dev/md/$v"
done
SIZE0=() DEVMAP=
for i in 0 1; do
	SIZE0+=("$(blockdev --getsize64 "/dev/md/${VOLS[i]}")")
	DEVMAP+="$(md_devnm "/dev/md/${VOLS[i]}") ${VOLS[i]} "
done

# ---------------------------------------------------------------------------
say "2. An ext4 file system on each volume, with files of known checksum"
for v in "${VOLS[@]}"; do
	mkfs.ext4 -q -L "$v" -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 "/dev/md/$v"
	mkdir -p "/mnt/$v"
	mount "/dev/md/$v" "/mnt/$v"
done
add_files vol0 /mnt/vol0 a.bin:12 b.bin:8
add_files vol1 /mnt/vol1 c.bin:32
echo "\$ df -h /mnt/vol0 /mnt/vol1"
df -h /mnt/vol0 /mnt/vol1
cat /tmp/sums/vol0 /tmp/sums/vol1 | sed 's/^\(.\{16\}\)[0-9a-f]*/   sha256 \1.../'

# ---------------------------------------------------------------------------
say "3. Add a 4th disk as a spare, then grow the container to 4 disks"
show mdadm --add $C "$SPARE"
echo "   (md's reshape speed is capped at 2 MiB/s per disk for the demo, so that"
echo "    the progress can be followed: sysctl dev.raid.speed_limit_max=2048)"
limit=$(cat /proc/sys/dev/raid/speed_limit_max)
echo 2048 >/proc/sys/dev/raid/speed_limit_max
echo "\$ mdadm --grow $C --raid-devices=4 &"
echo "   (mdadm reshapes one volume after the other and returns when both are"
echo "    done; the file systems stay mounted; every 2 s: md's progress from"
echo "    /proc/mdstat, each volume's migration and checkpoint from mdadm -E)"
mdadm --grow $C --raid-devices=4 >/tmp/grow.out 2>&1 &
grow=$!
t0=$SECONDS read_mid=
sleep 1
while kill -0 "$grow" 2>/dev/null; do
	progress_line $((SECONDS - t0))
	# Once, while vol0 is half-way: its files, read from the disks, are
	# right.  Not vol1's: a read in flight while md switches vol1 from
	# raid4 back to raid0 at its end has been seen to return wrong data
	# (the data on the disks stays right).
	if [ -z "$read_mid" ] && vol_migrating_past vol0 3; then
		drop_caches
		files_ok vol0 /mnt/vol0
		echo "         (vol0 mid-way: its files, read back from the disks, match their checksums)"
		read_mid=1
	fi
	sleep 2
done
rc=0
wait "$grow" || rc=$?
echo "$limit" >/proc/sys/dev/raid/speed_limit_max
progress_line $((SECONDS - t0))
sed 's/^/   /' /tmp/grow.out
echo "   mdadm --grow exited with status $rc after $((SECONDS - t0)) s"
[ "$rc" = 0 ] || fail "mdadm --grow failed"

# ---------------------------------------------------------------------------
say "4. The result"
show cat /proc/mdstat
printf '   %-6s %-6s %10s %10s  %s\n' volume level before after raid_disks
for i in 0 1; do
	v=${VOLS[i]} lvl=${LEVELS[i]}
	dev=$(md_devnm "/dev/md/$v")
	s1=$(blockdev --getsize64 "/dev/md/$v")
	rd=$(cat "/sys/block/$dev/md/raid_disks")
	printf '   %-6s raid%-2s %10s %10s  %s\n' "$v" "$lvl" "$(mib "${SIZE0[i]}")" "$(mib "$s1")" "$rd"
	want=$((SIZE0[i] / $(data_disks "$lvl" 3) * $(data_disks "$lvl" 4)))
	[ "$s1" = "$want" ] || fail "$v: size $s1, expected $want"
	[ "$rd" = 4 ] || fail "$v: raid_disks $rd, expected 4"
	[ "$(cat "/sys/block/$dev/md/level")" = "raid$lvl" ] ||
		fail "$v: md level $(cat "/sys/block/$dev/md/level"), expected raid$lvl"
	[ ! -e "/sys/block/$dev/md/sync_action" ] || # raid0 has none
		grep -qx idle "/sys/block/$dev/md/sync_action" || fail "$v: md still busy"
done
echo "   (raid5: 2 -> 3 data disks, x3/2; raid0: 3 -> 4 data disks, x4/3)"
echo "\$ mdadm -E ${ALL[0]}   (key lines)"
examine_brief "${ALL[0]}"
for d in "${ALL[@]}"; do
	for p in mdadm mdadm-peer; do
		"$p" -E "$d" >/tmp/e.txt 2>&1 || fail "$p -E $d failed"
		[ "$(grep -c 'Migrate State : idle$' /tmp/e.txt)" = 2 ] ||
			fail "$p -E $d: a volume is still migrating"
		[ "$(grep -c 'Map State : normal$' /tmp/e.txt)" = 2 ] ||
			fail "$p -E $d: a map is not normal"
		[ "$(grep -c 'Members : 4$' /tmp/e.txt)" = 2 ] ||
			fail "$p -E $d: a volume has not 4 members"
		grep -q 'Disks : 4$' /tmp/e.txt || fail "$p -E $d: the container is not 4 disks"
	done
done
echo "   (every disk, in our -E and the peer's: 4 disks, both volumes 4 members, idle)"
drop_caches
files_ok vol0 /mnt/vol0
files_ok vol1 /mnt/vol1
echo "   every file matches its checksum"

sub "The file systems grow into the new space (online) and take more files"
for v in "${VOLS[@]}"; do
	resize2fs "/dev/md/$v" 2>&1 | grep -i -E 'resiz|blocks long' | sed 's/^/   /'
done
add_files vol0 /mnt/vol0 d.bin:12
add_files vol1 /mnt/vol1 e.bin:16
echo "\$ df -h /mnt/vol0 /mnt/vol1"
df -h /mnt/vol0 /mnt/vol1
echo "   (vol0 now holds 32 MiB of files, vol1 48 MiB: neither would have fitted before)"

# ---------------------------------------------------------------------------
say "5. Interop: stop everything; Debian's mdadm 4.2 assembles the grown container"
for v in "${VOLS[@]}"; do umount "/mnt/$v"; done
show mdadm -S /dev/md/vol0 /dev/md/vol1
show mdadm -S $C
show mdadm-peer -A $C "${ALL[@]}"
show mdadm-peer -I $C
for v in "${VOLS[@]}"; do
	wait_until 30 test -b "/dev/md/$v" -o -b "/dev/md/${v}_0"
done
show cat /proc/mdstat
for i in 0 1; do
	v=${VOLS[i]} p=$(vol_path "${VOLS[i]}")
	s=$(blockdev --getsize64 "$p")
	want=$((SIZE0[i] / $(data_disks "${LEVELS[i]}" 3) * $(data_disks "${LEVELS[i]}" 4)))
	[ "$s" = "$want" ] || fail "peer's $p: size $s, expected $want"
	e2fsck -fn "$p" >/tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; fail "$p: e2fsck found errors"; }
	mount -o ro "$p" "/mnt/$v"
	files_ok "$v" "/mnt/$v"
	echo "   $p: $(mib "$s"), e2fsck clean, $(wc -l <"/tmp/sums/$v") files match their checksums"
	umount "/mnt/$v"
done

# ---------------------------------------------------------------------------
say "6. Back to ours, as an admin's scripts for upstream mdadm drive it"
show mdadm -Ss
echo "\$ mdadm --examine --scan >/etc/mdadm/mdadm.conf"
mkdir -p /etc/mdadm
mdadm --examine --scan >/etc/mdadm/mdadm.conf
sed 's/^/   /' /etc/mdadm/mdadm.conf
show mdadm --assemble --scan
for v in "${VOLS[@]}"; do wait_until 30 test -b "/dev/md/$v"; done
show mdadm --detail --no-devices --export /dev/md/vol0
echo "\$ mdadm --detail --json /dev/md/vol1 | python3 -m json.tool   (first lines)"
mdadm --detail --json /dev/md/vol1 | python3 -m json.tool | head -12 | sed 's/^/   /'
for v in "${VOLS[@]}"; do
	mount -o ro "/dev/md/$v" "/mnt/$v"
	files_ok "$v" "/mnt/$v"
	umount "/mnt/$v"
done
echo "   the files match their checksums once more"
show mdadm --stop --scan
grep -q '^md' /proc/mdstat && fail "arrays left after --stop --scan"

# ---------------------------------------------------------------------------
say "7. Level and chunk migrations of a live volume (raid0 -> raid5 -> 256K -> raid0)"
make_disks 4 64
M=("${DISKS[@]:4:4}")
show mdadm --create /dev/md/imsm1 --metadata=imsm --raid-devices=3 "${M[@]:0:3}"
show mdadm --create /dev/md/vol2 --level=0 --raid-devices=3 --chunk=64 --size=16M /dev/md/imsm1
show mdadm --add /dev/md/imsm1 "${M[3]}"
mkfs.ext4 -q -L vol2 -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 /dev/md/vol2
mkdir -p /mnt/vol2
mount /dev/md/vol2 /mnt/vol2
add_files vol2 /mnt/vol2 f.bin:16 g.bin:8
echo "   (ext4 mounted, 24 MiB of files; each step prints its plan, then runs"
echo "    while the file system stays mounted)"
show mdadm --grow /dev/md/vol2 --level=5 --dry-run
for step in --level=5 --chunk=256 --level=0; do
	t0=$SECONDS
	show mdadm --grow /dev/md/vol2 "$step"
	echo "   ($((SECONDS - t0)) s)"
	detail_brief /dev/md/vol2
	drop_caches
	files_ok vol2 /mnt/vol2
	echo "   the files match their checksums"
done
dev=$(md_devnm /dev/md/vol2)
[ "$(cat "/sys/block/$dev/md/level")" = raid0 ] || fail "vol2 is not raid0 again"
[ "$(cat "/sys/block/$dev/md/chunk_size")" = 262144 ] || fail "vol2's chunk is not 256K"
echo "\$ mdadm -E ${M[3]}   (the disk raid5 -> raid0 let go: a spare of imsm1 again)"
mdadm -E "${M[3]}" | grep -E 'State :|RAID Devices' | sed 's/^ */    /'
[ "$(examine_field "${M[3]}" State)" = spare ] || fail "${M[3]} is not a spare"
for p in mdadm mdadm-peer; do
	"$p" -E "${M[0]}" >/tmp/e.txt 2>&1 || fail "$p -E failed"
	grep -q 'Migrate State : idle$' /tmp/e.txt || fail "$p -E: vol2 still migrating"
	grep -q 'Chunk Size : 256 KiB$' /tmp/e.txt || fail "$p -E: chunk"
done
echo "   (our -E and the peer's: raid0, 3 members, 256 KiB chunks, idle)"
umount /mnt/vol2
show mdadm --stop --scan

# ---------------------------------------------------------------------------
say "8. Takeovers and size of a live volume (raid0 -> raid10, --size=max, raid10 -> raid0)"
make_disks 4 64
T=("${DISKS[@]:8:4}")
show mdadm --create /dev/md/imsm2 --metadata=imsm --raid-devices=2 "${T[@]:0:2}"
show mdadm --create /dev/md/vol3 --level=0 --raid-devices=2 --chunk=64 --size=12M /dev/md/imsm2
mkfs.ext4 -q -L vol3 -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 /dev/md/vol3
mkdir -p /mnt/vol3
mount /dev/md/vol3 /mnt/vol3
add_files vol3 /mnt/vol3 h.bin:12 i.bin:4
echo "   (ext4 mounted, 16 MiB of files)"
show mdadm /dev/md/vol3 --add "${T[2]}" "${T[3]}"
show mdadm --grow /dev/md/vol3 --level=10
dev=$(md_devnm /dev/md/vol3)
for _ in $(seq 600); do
	[ "$(cat "/sys/block/$dev/md/degraded")" = 0 ] &&
		[ "$(cat "/sys/block/$dev/md/sync_action")" = idle ] && break
	sleep 0.2
done
[ "$(cat "/sys/block/$dev/md/degraded")" = 0 ] || fail "vol3's mirrors were not rebuilt"
echo "   (mdmon rebuilt both mirrors from the spares)"
detail_brief /dev/md/vol3
drop_caches
files_ok vol3 /mnt/vol3
echo "   the files match their checksums"
show mdadm --grow /dev/md/vol3 --size=max
for _ in $(seq 600); do
	[ "$(cat "/sys/block/$dev/md/sync_action")" = idle ] && break
	sleep 0.2
done
show resize2fs -p /dev/md/vol3 2>&1 | grep -v '^$' | sed 's/^/    /'
df -h /mnt/vol3 | sed 's/^/    /'
detail_brief /dev/md/vol3
show mdadm --grow /dev/md/vol3 --level=0
detail_brief /dev/md/vol3
[ "$(cat "/sys/block/$dev/md/level")" = raid0 ] || fail "vol3 is not raid0 again"
drop_caches
files_ok vol3 /mnt/vol3
echo "   the files match their checksums; the mirror halves are spares again:"
for d in "${T[@]}"; do printf '    %s: %s\n' "$d" "$(examine_field "$d" State)"; done
[ "$(for d in "${T[@]}"; do examine_field "$d" State; done | grep -c '^spare$')" = 2 ] ||
	fail "the mirror halves are not spares"
for p in mdadm mdadm-peer; do
	"$p" -E "${T[0]}" >/tmp/e.txt 2>&1 || fail "$p -E failed"
	grep -q 'Map State : normal$' /tmp/e.txt || fail "$p -E: vol3 not normal"
done
echo "   (our -E and the peer's: raid0, normal)"
umount /mnt/vol3
show mdadm --stop --scan

# ---------------------------------------------------------------------------
say "9. Monitoring: mdadm --monitor reports a failure and the rebuild that follows"
make_disks 3 32
R=("${DISKS[@]:12:3}")
show mdadm --create /dev/md/imsm3 --metadata=imsm --raid-devices=2 "${R[@]:0:2}"
show mdadm --create /dev/md/mirror --level=1 --raid-devices=2 --size=8M --assume-clean /dev/md/imsm3
show mdadm /dev/md/imsm3 --add "${R[2]}"
cat >/tmp/on-event <<'EOF2'
#!/bin/sh
echo "    [$(date +%T)] $*" >>/tmp/demo-events
EOF2
chmod +x /tmp/on-event
echo "   (/tmp/on-event logs its arguments: EVENT MD [DEVICE])"
show mdadm --monitor --scan --oneshot --test --program=/tmp/on-event
cat /tmp/demo-events; : >/tmp/demo-events
show mdadm --monitor --scan --program=/tmp/on-event --delay=1 --increment=25 --daemonise --pid-file=/run/mdadm-monitor.pid
echo 2000 >/proc/sys/dev/raid/speed_limit_max
show mdadm /dev/md/mirror --fail "${R[1]}"
for _ in $(seq 300); do
	grep -q SpareActive /tmp/demo-events 2>/dev/null && break
	sleep 0.2
done
echo 200000 >/proc/sys/dev/raid/speed_limit_max
echo "   what the monitor reported (mdmon rebuilt onto the spare by itself):"
cat /tmp/demo-events
grep -q "Fail /dev/md/mirror ${R[1]}" /tmp/demo-events || fail "no Fail event"
grep -q "SpareActive /dev/md/mirror ${R[2]}" /tmp/demo-events || fail "no SpareActive event"
kill "$(cat /run/mdadm-monitor.pid)"

# ---------------------------------------------------------------------------
say "10. Spares shared by a POLICY domain: the monitor moves one between containers"
make_disks 3 32
Q=("${DISKS[@]:15:3}")
show mdadm --create /dev/md/imsm4 --metadata=imsm --raid-devices=2 "${Q[@]:0:2}"
show mdadm --create /dev/md/mirror2 --level=1 --raid-devices=2 --size=8M --assume-clean /dev/md/imsm4
show mdadm /dev/md/imsm4 --add "${Q[2]}"
sub "the mirror of imsm3 loses a disk again; imsm3 has no spare left, imsm4 has one"
show mdadm /dev/md/mirror --fail "${R[0]}"
{
	echo "POLICY domain=shelf metadata=imsm action=spare"
	mdadm --detail --scan
} >/tmp/policy.conf
echo "\$ cat /tmp/policy.conf"
sed 's/^/    /' /tmp/policy.conf
: >/tmp/demo-events
show mdadm --monitor --scan --oneshot --program=/tmp/on-event --config=/tmp/policy.conf
cat /tmp/demo-events
grep -q "MoveSpare /dev/md/imsm3 /dev/md/imsm4" /tmp/demo-events || fail "no MoveSpare event"
for _ in $(seq 300); do
	grep -q '\[2/2\] \[UU\]' <(grep -A2 "^$(md_devnm /dev/md/mirror) " /proc/mdstat) && break
	sleep 0.2
done
sub "${Q[2]} now rebuilt into /dev/md/mirror:"
detail_brief /dev/md/mirror
mdadm -D /dev/md/mirror | grep -q "${Q[2]}" || fail "${Q[2]} is not in the mirror"
show mdadm --stop --scan

# ---------------------------------------------------------------------------
say "11. A crash mid-OLCE: mdadm killed, the volume written, a metadata copy torn"
make_disks 4 32
W=("${DISKS[@]:18:4}")
show mdadm --create /dev/md/imsm5 --metadata=imsm --raid-devices=3 "${W[@]:0:3}"
show mdadm --create /dev/md/crash --level=5 --raid-devices=3 --size=12M --assume-clean /dev/md/imsm5
head -c 24M /dev/urandom >/tmp/crash.img
dd if=/tmp/crash.img of=/dev/md/crash bs=1M oflag=direct status=none
sub "24 MiB of random data written, sha256 $(sha256sum </tmp/crash.img | cut -c1-16)..."
show mdadm /dev/md/imsm5 --add "${W[3]}"
echo 2000 >/proc/sys/dev/raid/speed_limit_max
mdadm --grow /dev/md/imsm5 --raid-devices=4 2>/dev/null &
grow=$!
for _ in $(seq 300); do
	mdadm -E "${W[0]}" | grep -q 'Checkpoint : [1-9]' && break
	sleep 0.2
done
kill -9 "$grow"
wait "$grow" 2>/dev/null || true # 137: killed
echo 200000 >/proc/sys/dev/raid/speed_limit_max
sub "mdadm --grow killed (SIGKILL) at $(mdadm -E "${W[0]}" | grep -m1 'Checkpoint :' | xargs)"
dd if=/tmp/crash.img of=/dev/md/crash bs=1M skip=23 seek=23 count=1 oflag=direct status=none
sub "the last MiB written again (ahead of the reshape; a write to the unit mdadm held waits for"
sub "--grow --continue): mdmon marks the volume dirty, and it stays so while migrating"
show mdadm --stop --scan
mdadm -E "${W[0]}" | grep -E 'Dirty State|Migrate State' | sed 's/^ */    /'
n=$(blockdev --getsz "${W[1]}")
b=$(dd if="${W[1]}" bs=1 skip=$(((n - 3) * 512 + 100)) count=1 status=none | od -A n -t u1 | tr -d ' ')
printf "\\$(printf '%03o' $((b ^ 0xff)))" | dd of="${W[1]}" bs=1 seek=$(((n - 3) * 512 + 100)) conv=notrunc status=none
sub "one byte of ${W[1]}'s metadata extension sector changed, as a cut between mdmon's writes of its two sectors leaves it:"
show mdadm -E "${W[1]}" || true
show mdadm --assemble /dev/md/imsm5 "${W[@]}"
sub "the torn disk is a member all the same; the OLCE goes on in the background, then md resyncs the rows a write may have torn"
for _ in $(seq 600); do
	! mdadm -E "${W[0]}" | grep -q 'Migrate State : [^i]' &&
		[ "$(cat "/sys/block/$(md_devnm "$(vol_path crash)")/md/resync_start")" = none ] &&
		! pgrep -f 'grow --continue' >/dev/null && break
	grep -E 'reshape|resync' /proc/mdstat | head -1 | sed 's/^ */    md: /'
	sleep 1
done
detail_brief "$(vol_path crash)"
mdadm -E "${W[1]}" | grep -E 'Dirty State|Migrate State|Members' | sed 's/^ */    /'
cmp -n $((24 << 20)) /tmp/crash.img "$(vol_path crash)" || fail "the data differs after the crash"
sub "the 24 MiB read back unchanged; 4 members, clean, no migration left"
mdadm -D "$(vol_path crash)" | grep -q 'Raid Devices : 4' || fail "not 4 members"
show mdadm --stop --scan

printf '\n(%s s in the guest, after the VM boot)\ndemo: OK\n' $((SECONDS - T0))
