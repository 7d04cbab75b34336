#!/bin/bash
# vm-timeout: 180
# mdmon's lifecycle on a container made by the peer: it starts, writes its
# pid file (0600) and a root-only socket, answers pings in the wire format,
# refuses a second instance, is replaced by --takeover, leaves nothing
# behind when the container stops, and sleeps (no CPU) while idle.
# Then how mdadm starts it, with a raid1 volume: its memory (resident
# under 2 MiB, and the monitor thread never takes a page fault through
# dirty/clean cycles: all it runs is locked before it starts); forked
# when systemd does not run; through "systemctl start mdmon@DEVNM.service"
# when /run/systemd/system exists (a fake systemctl runs the unit's
# ExecStart from the tree's systemd/ file); forked, after one warning
# line, when systemctl fails; forked with MDADM_NO_SYSTEMCTL=1; and an
# assembly of an interrupted OLCE handing its continuation to
# mdadm-grow-continue@DEVNM.service, which finishes it.
. "$VMTEST_LIB"

make_disks 2 32
mdadm-peer -C /dev/md/imsm0 -e imsm -n2 --run "${DISKS[@]}" 2>/dev/null
ctr=$(md_devnm /dev/md/imsm0)
pidf=/run/mdadm/$ctr.pid sock=/run/mdadm/$ctr.sock

ping_mdmon() { # kind: 0 = ping, -1 = ping manager; prints the reply payload
	python3 - "$sock" "$1" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(struct.pack("<Ii", 0x5a5aa5a5, int(sys.argv[2])) + struct.pack("<I", 0xa5a55a5a))
def rd(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: raise SystemExit("connection closed")
        b += c
    return b
magic, n = struct.unpack("<Ii", rd(8))
assert magic == 0x5a5aa5a5, hex(magic)
payload = rd(n) if n > 0 else b""
assert struct.unpack("<I", rd(4))[0] == 0xa5a55a5a
print(payload.rstrip(b"\0").decode().strip())
PY
}

run_expect 0 mdmon "$ctr"
pid=$(cat "$pidf")
kill -0 "$pid" || fail "mdmon not running"
[ "$(stat -c %a "$pidf")" = 600 ] || fail "pid file mode $(stat -c %a "$pidf")"
[ -S "$sock" ] || fail "no socket"
[ "$(stat -c %a "$sock")" = 700 ] || fail "socket mode $(stat -c %a "$sock")"
[ "$(ls /proc/"$pid"/task | wc -l)" = 2 ] || fail "expected two threads"
reply=$(ping_mdmon 0)
case $reply in "mdmon - v"*) ;; *) fail "ping reply '$reply'" ;; esac
[ -z "$(ping_mdmon -1)" ] || fail "manager ping reply not empty"
note "ping answered: $reply"

# Regression (a lost wake-up once hung a ping): many pings back to back.
python3 - "$sock" <<'PY' || fail "a ping in a burst of 300 hung"
import socket, struct, sys
for i in range(300):
    s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
    s.sendall(struct.pack("<IiI", 0x5a5aa5a5, 0, 0xa5a55a5a))
    b = b""
    while len(b) < 8: b += s.recv(8 - len(b))
    n = struct.unpack("<Ii", b)[1]
    while len(b) < 12 + n: b += s.recv(12 + n - len(b))
    s.close()
PY

# A garbage frame closes the connection; the daemon lives on.
python3 -c "
import socket; s = socket.socket(socket.AF_UNIX); s.connect('$sock'); s.sendall(b'garbage!garbage!')
s.settimeout(5)
try: print('closed' if s.recv(16) == b'' else 'answered')
except ConnectionResetError: print('closed')" | grep -qx closed ||
	fail "bad frame not refused"
kill -0 "$pid" || fail "mdmon died on a bad frame"

run_expect 3 mdmon "$ctr"
expect_one_error_line "mdmon: $ctr is already managed"

# Idle: no CPU time and no wake-up over 5 s (both threads sleep in poll);
# a wake-up is a context switch of one of its threads.
switches() {
	cat /proc/"$pid"/task/*/status | awk '/_ctxt_switches/ { n += $2 } END { print n }'
}
t0=$(awk '{ print $14 + $15 }' /proc/"$pid"/stat) w0=$(switches)
sleep 5
t1=$(awk '{ print $14 + $15 }' /proc/"$pid"/stat) w1=$(switches)
note "idle over 5 s: $((t1 - t0)) CPU ticks, $((w1 - w0)) wake-ups"
[ "$t0" = "$t1" ] || fail "mdmon used CPU while idle ($t0 -> $t1 ticks)"
[ "$w0" = "$w1" ] || fail "mdmon woke up $((w1 - w0)) times while idle"
rss=$(awk '/VmRSS/ { print $2 }' /proc/"$pid"/status)
note "resident memory: $rss kB (target under 2048)"
[ "$rss" -lt 2048 ] || fail "mdmon resident memory $rss kB, target under 2 MiB"

run_expect 0 mdmon --takeover "$ctr"
wait_until 10 sh -c "! kill -0 $pid 2>/dev/null"
new=$(cat "$pidf")
[ "$new" != "$pid" ] && kill -0 "$new" || fail "takeover did not leave one new instance"
ping_mdmon 0 >/dev/null || fail "new instance does not answer"

run_expect 0 mdadm -S /dev/md/imsm0
wait_until 10 sh -c "! kill -0 $new 2>/dev/null"
[ ! -e "$pidf" ] && [ ! -e "$sock" ] || fail "mdmon left its files behind"

run_expect 3 mdmon "${DISKS[0]}"
expect_one_error_line "mdmon: "
note "mdmon lifecycle ok"

# ---- how mdadm starts mdmon -------------------------------------------------
# The fake systemctl logs its arguments, fails when asked to, and else does
# what systemd does for a simple service: the unit's ExecStart (from the
# tree's systemd/ file; the program from PATH, i.e. ours), in the background.
mkdir -p /tmp/fakebin
cat >/tmp/fakebin/systemctl <<'SH'
#!/bin/bash
echo "$*" >>/tmp/systemctl.log
[ ! -e /tmp/systemctl.fail ] && [ "$1" = start ] || exit 1
unit=$2 inst=${2#*@}
inst=${inst%.service}
cmd=$(sed -n 's/^ExecStart=//p' "/repo/systemd/${unit%%@*}@.service")
set -- ${cmd//%I/$inst}
setsid "$(basename "$1")" "${@:2}" </dev/null >>"/tmp/unit-$unit.log" 2>&1 &
SH
chmod +x /tmp/fakebin/systemctl
export PATH=/tmp/fakebin:$PATH
: >/tmp/systemctl.log

mdmon_cmdline() { tr '\0' ' ' <"/proc/$(cat "$pidf")/cmdline"; }
monitor_faults() { # minor + major page faults of mdmon's monitor thread
	local pid t
	pid=$(cat "$pidf")
	for t in /proc/"$pid"/task/*; do
		[ "${t##*/}" = "$pid" ] || awk '{ print $10 + $12 }' "$t/stat"
	done
}
mdmon_answers() { ping_mdmon 0 >/dev/null 2>&1; }
reassemble() { # [VAR=VALUE...]: stop everything, assemble imsm0 again
	stop_all_md
	: >/tmp/systemctl.log
	run_expect 0 env "$@" mdadm -A /dev/md/imsm0 "${R[@]}"
	ctr=$(md_devnm /dev/md/imsm0)
	pidf=/run/mdadm/$ctr.pid sock=/run/mdadm/$ctr.sock
	wait_until 10 mdmon_answers
}
forked() {
	case $(mdmon_cmdline) in "mdmon $ctr ") ;; *) fail "mdmon runs as '$(mdmon_cmdline)'" ;; esac
}

# (a) no /run/systemd/system: mdadm forks mdmon (create, then assembly)
[ ! -e /run/systemd/system ] || fail "the guest has /run/systemd/system"
first=${#DISKS[@]}
make_disks 2 32
R=("${DISKS[@]:first}")
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n2 --run "${R[@]}"
run_expect 0 mdadm -C /dev/md/r1 -l1 -n2 -z 8M --assume-clean --run /dev/md/imsm0
ctr=$(md_devnm /dev/md/imsm0) vol=$(md_devnm /dev/md/r1)
pidf=/run/mdadm/$ctr.pid sock=/run/mdadm/$ctr.sock
wait_until 10 mdmon_answers
[ ! -s /tmp/systemctl.log ] || fail "systemctl called without systemd: $(cat /tmp/systemctl.log)"
pattern_write /dev/md/r1 6000 4
echo 0.1 >/sys/block/"$vol"/md/safe_mode_delay
for i in 1 2; do
	dd if=/dev/zero of=/dev/md/r1 bs=4k count=1 seek=$((2000 + i)) oflag=direct status=none
	wait_until 10 grep -qx clean /sys/block/"$vol"/md/array_state
done
faults=$(monitor_faults)
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$(cat "$pidf")/status")
note "with a raid1 volume, after 2 dirty/clean cycles: resident $rss kB," \
	"monitor thread page faults since it started: $faults"
[ "$faults" = 0 ] || fail "mdmon's monitor thread took $faults page faults"
[ "$rss" -lt 2048 ] || fail "mdmon resident memory $rss kB, target under 2 MiB"
reassemble
[ ! -s /tmp/systemctl.log ] || fail "systemctl called without systemd: $(cat /tmp/systemctl.log)"
forked
note "(a) no systemd: forked '$(mdmon_cmdline)'"

# (b) systemd runs: mdmon@DEVNM.service, whose mdmon answers
mkdir -p /run/systemd/system
reassemble
[ "$(cat /tmp/systemctl.log)" = "start mdmon@$ctr.service" ] ||
	fail "systemctl calls: $(cat /tmp/systemctl.log)"
case $(mdmon_cmdline) in
"@dmon --foreground --offroot --takeover $ctr ") ;;
*) fail "the unit's mdmon runs as '$(mdmon_cmdline)'" ;;
esac
[[ $last_err != *warning* ]] || fail "assembly warned: $last_err"
note "(b) systemd: '$(cat /tmp/systemctl.log)' runs '$(mdmon_cmdline)'"

# (c) systemctl fails: one warning line, then mdmon forked
touch /tmp/systemctl.fail
reassemble
[ "$(cat /tmp/systemctl.log)" = "start mdmon@$ctr.service" ] ||
	fail "systemctl calls: $(cat /tmp/systemctl.log)"
warn=$(grep warning <<<"$last_err") || fail "no warning: $last_err"
[ "$warn" = "mdadm: warning: systemctl start mdmon@$ctr.service failed (exit status 1); starting mdmon directly" ] ||
	fail "warning: $warn"
forked
note "(c) $warn"
rm /tmp/systemctl.fail

# (d) MDADM_NO_SYSTEMCTL=1: no systemctl at all
reassemble MDADM_NO_SYSTEMCTL=1
[ ! -s /tmp/systemctl.log ] || fail "systemctl called: $(cat /tmp/systemctl.log)"
forked
pattern_verify "$(vol_path r1)" 6000 4
note "(d) MDADM_NO_SYSTEMCTL=1: forked, systemctl not called"
stop_all_md

# ---- an interrupted OLCE continued by mdadm-grow-continue@DEVNM.service ----
# raid0 2 -> 3, mdadm --grow killed inside the critical section (test
# hook), everything stopped, then assembled with systemd "running".
first=${#DISKS[@]}
make_disks 3 16
G=("${DISKS[@]:first}")
run_expect 0 mdadm -C /dev/md/imsm1 -e imsm -n2 --run "${G[@]:0:2}"
run_expect 0 mdadm -C /dev/md/r0 -l0 -n2 -c 128 -z 4M --run /dev/md/imsm1
run_expect 0 mdadm /dev/md/imsm1 --add "${G[2]}"
ctr=$(md_devnm /dev/md/imsm1) vol=$(md_devnm /dev/md/r0)
pattern_write /dev/md/r0 6000 4 # r1's pattern (made once): its first half
rc=0
MDADM_TEST_OLCE_DIE=backup:1 mdadm --grow /dev/md/imsm1 --raid-devices=3 2>/tmp/grow.err || rc=$?
[ "$rc" = 137 ] || fail "mdadm --grow was not killed (exit $rc): $(cat /tmp/grow.err)"
mdadm -E "${G[0]}" | grep -q 'Migrate State : general migration' ||
	fail "mdadm --grow killed, yet no migration is recorded"
stop_all_md
: >/tmp/systemctl.log
run_expect 0 mdadm -A /dev/md/imsm1 "${G[@]}"
[[ $last_err == *"continuing the reshape of /dev/$ctr in the background (mdadm-grow-continue@$ctr.service)"* ]] ||
	fail "assembly said: $last_err"
[ "$(cat /tmp/systemctl.log)" = "start mdmon@$ctr.service
start mdadm-grow-continue@$ctr.service" ] || fail "systemctl calls: $(cat /tmp/systemctl.log)"
vol=$(md_devnm "$(vol_path r0)")
reshaped() {
	[ "$(cat /sys/block/"$vol"/md/raid_disks)" = 3 ] &&
		[ "$(cat /sys/block/"$vol"/md/reshape_position)" = none ] &&
		! pgrep -f "mdadm --grow --continue /dev/$ctr" >/dev/null
}
wait_until 60 reshaped
[ ! -s "/tmp/unit-mdadm-grow-continue@$ctr.service.log" ] ||
	fail "the continuation said: $(cat "/tmp/unit-mdadm-grow-continue@$ctr.service.log")"
[ "$(blockdev --getsize64 "$(vol_path r0)")" = $((12 << 20)) ] || fail "r0 did not grow to 12 MiB"
pattern_verify "$(vol_path r0)" 6000 4
note "the unit's mdadm --grow --continue finished the OLCE: 3 members, 12 MiB"
stop_all_md
