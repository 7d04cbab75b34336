#!/bin/bash
# vm-timeout: 240
# mdadm --monitor, in upstream's spellings, against real md:
#  1. refusals: --scan with nowhere to report, no array named, not an md
#     device (one line each, nothing started);
#  2. --monitor --scan --oneshot --test with MAILADDR and PROGRAM from
#     mdadm.conf: one TestMessage per array to the program, a mail per
#     TestMessage and per SparesMissing (sendmail -t), nothing else;
#  3. a long-running --monitor --scan --daemonise --pid-file: a member
#     --fail'ed is reported once (Fail), found by md's wake-up: the
#     monitor sleeps in poll() and, idle, wakes up zero times even with
#     --delay=1 (the delay paces only RebuildNN); the degraded
#     raid1's container has no spare, so the monitor moves one from the
#     other container of its spare-group (MoveSpare), mdmon rebuilds onto
#     it (RebuildStarted, Rebuild25/50/75, RebuildFinished, SpareActive);
#     a second --scan monitor is refused; idle, it wakes up zero times;
#  4. stop a container and assemble it degraded: DeviceDisappeared, then
#     NewArray and DegradedArray, once each;
#  5. --oneshot on a named device prints to stdout; --syslog reaches
#     /dev/log; SIGTERM ends the daemon and removes its pid file.
. "$VMTEST_LIB"

ev=/tmp/events
cat >/tmp/prog.sh <<EOF
#!/bin/sh
echo "\$*" >>$ev
EOF
chmod +x /tmp/prog.sh
cat >/usr/sbin/sendmail <<'EOF'
#!/bin/sh
n=$(ls /tmp/mail.* 2>/dev/null | wc -l)
cat >/tmp/mail.$n
EOF
chmod +x /usr/sbin/sendmail

# events_matching REGEX: how many program calls matched
events_matching() { grep -c -E -- "$1" "$ev" 2>/dev/null || true; }
has_event() { [ "$(events_matching "$1")" -ge 1 ]; }
once() { # REGEX
	local n
	n=$(events_matching "$1")
	[ "$n" -eq 1 ] || { cat "$ev"; fail "'$1' delivered $n times, expected once"; }
}
wakeups() { cat /proc/"$1"/task/*/status | awk '/_ctxt_switches/ { n += $2 } END { print n }'; }
in_poll() { grep -qE '^(7|271) ' "/proc/$1/syscall" 2>/dev/null; }

trap '[ $? -eq 0 ] || { cat /proc/mdstat; ls -l /dev/md; cat "$ev" 2>/dev/null; }' EXIT

# ---- 1. refusals ---------------------------------------------------------------
echo "DEVICE /dev/loop*" >/tmp/empty.conf
run_expect 1 mdadm --monitor --scan --oneshot -c /tmp/empty.conf
[ "$last_err" = "mdadm: No mail address or alert command - not monitoring." ] || fail "$last_err"
run_expect 2 mdadm --monitor --oneshot -c /tmp/empty.conf
expect_one_error_line "mdadm: "
make_disks 5 16
run_expect 1 mdadm --follow --oneshot "${DISKS[0]}"
[ "$last_err" = "mdadm: ${DISKS[0]} is not an md array" ] || fail "$last_err"
run_expect 2 mdadm -F -s --increment=0 --program=/tmp/prog.sh
expect_one_error_line "mdadm: invalid --increment value"
note "refusals: one line each"

# ---- 2. two containers of one spare-group, --oneshot --test ---------------------
A=("${DISKS[@]:0:2}") B=("${DISKS[@]:2:2}") S=${DISKS[4]}
run_expect 0 mdadm -C /dev/md/ca -e imsm -n2 --run "${A[@]}"
run_expect 0 mdadm -C /dev/md/m1 -l1 -n2 -z 8M --assume-clean --run /dev/md/ca
run_expect 0 mdadm -C /dev/md/cb -e imsm -n2 --run "${B[@]}"
run_expect 0 mdadm -C /dev/md/m2 -l1 -n2 -z 8M --assume-clean --run /dev/md/cb
run_expect 0 mdadm /dev/md/cb --add "$S"
pattern_write /dev/md/m1 31 6
ca=$(md_devnm /dev/md/ca) cb=$(md_devnm /dev/md/cb) m1=$(md_devnm /dev/md/m1)
{
	echo "DEVICE /dev/loop*"
	echo "MAILADDR admin@example.org"
	echo "PROGRAM /tmp/prog.sh"
	mdadm --detail --scan | sed -E '/metadata=imsm/ s/$/ spare-group=g1/'
} >/tmp/mdadm.conf
sed -i -E '/\/dev\/md\/ca .*metadata=imsm/ s/$/ spares=1/' /tmp/mdadm.conf
cat /tmp/mdadm.conf
run_expect 0 mdadm --monitor --scan --oneshot --test -c /tmp/mdadm.conf
cat "$ev"
for md in ca m1 cb m2; do once "^TestMessage /dev/md/$md\$"; done
once "^SparesMissing /dev/md/ca\$"
[ "$(wc -l <"$ev")" -eq 5 ] || fail "events beyond the tests and the missing spare"
[ "$(ls /tmp/mail.* | wc -l)" -eq 5 ] || fail "expected 5 mails: $(ls /tmp/mail.*)"
grep -q '^Subject: SparesMissing event on /dev/md/ca:vmtest$' /tmp/mail.* || fail "no SparesMissing mail"
grep -q '^To: admin@example.org$' /tmp/mail.0 || fail "mail not to MAILADDR"
note "oneshot: TestMessage x4 and SparesMissing, by program and mail"
rm -f "$ev" /tmp/mail.*

# ---- 3. the daemon: a failure, a spare moved, the rebuild ---------------------------
run_expect 0 mdadm --monitor --scan --daemonise --pid-file=/tmp/mon.pid --delay=1 \
	--increment=25 -c /tmp/mdadm.conf
pid=$(cat /tmp/mon.pid)
[ -z "$last_out" ] || fail "the pid went to stdout too: $last_out"
wait_until 10 in_poll "$pid"
run_expect 1 mdadm --monitor --scan --oneshot -c /tmp/mdadm.conf
[ "$last_err" = "mdadm: Only one autorebuild process allowed in scan mode, aborting" ] || fail "$last_err"
run_expect 1 mdadm --monitor --scan --daemonise -c /tmp/mdadm.conf # refused before the fork
[ "$last_err" = "mdadm: Only one autorebuild process allowed in scan mode, aborting" ] || fail "$last_err"
[ -z "$last_out" ] || fail "a second daemon was started: $last_out"
[ "$(cat /run/mdadm/autorebuild.pid)" = "$pid" ] || fail "autorebuild.pid does not hold the daemon's pid"
once "^SparesMissing /dev/md/ca\$" # its first pass
rm -f "$ev" /tmp/mail.*
w0=$(wakeups "$pid")
sleep 3
w1=$(wakeups "$pid")
[ "$w1" -eq "$w0" ] || fail "the idle monitor woke up $((w1 - w0)) times in 3 s"
[ ! -s "$ev" ] || fail "events while nothing happened: $(cat "$ev")"

echo 1000 >/proc/sys/dev/raid/speed_limit_max
echo 100 >/proc/sys/dev/raid/speed_limit_min
t0=$(date +%s.%N)
run_expect 0 mdadm /dev/md/m1 --fail "${A[1]}"
wait_until 30 has_event "^Fail /dev/md/m1 ${A[1]}\$"
t1=$(date +%s.%N)
wait_until 30 has_event "^MoveSpare /dev/md/ca /dev/md/cb\$"
wait_until 30 has_event "^Rebuild50 /dev/md/m1\$"
echo 200000 >/proc/sys/dev/raid/speed_limit_max
wait_until 60 has_event "^SpareActive /dev/md/m1 $S\$"
grep -q '\[2/2\] \[UU\]' <(grep -A2 "^$m1 " /proc/mdstat) || fail "m1 is not whole again"
grep -q "${S#/dev/}\[" <(grep "^$ca " /proc/mdstat) || fail "$S is not in ca"
grep -q "${S#/dev/}\[" <(grep "^$cb " /proc/mdstat) && fail "$S is still in cb"
cat "$ev"
for e in "Fail /dev/md/m1 ${A[1]}" "MoveSpare /dev/md/ca /dev/md/cb" "RebuildStarted /dev/md/m1" \
	"Rebuild25 /dev/md/m1" "Rebuild50 /dev/md/m1" "RebuildFinished /dev/md/m1" \
	"SpareActive /dev/md/m1 $S"; do
	once "^$e\$"
done
grep -q '^Subject: Fail event on /dev/md/m1:vmtest$' /tmp/mail.* || fail "no Fail mail"
grep -q -E '^Subject: (Rebuild|Move|Spare)' /tmp/mail.* && fail "mail for an event upstream does not mail"
pattern_verify /dev/md/m1 31 6
note "Fail seen $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s after --fail; spare moved; rebuilt"

wait_until 10 in_poll "$pid"
w0=$(wakeups "$pid")
sleep 3
w1=$(wakeups "$pid")
[ "$w1" -eq "$w0" ] || fail "the idle monitor woke up $((w1 - w0)) times in 3 s"
note "idle after the rebuild: 0 wake-ups in 3 s"
rm -f "$ev"

# ---- 4. stop, then a degraded assembly ------------------------------------------------
run_expect 0 mdadm -S /dev/md/m2
run_expect 0 mdadm -S /dev/md/cb
wait_until 10 has_event "^DeviceDisappeared /dev/md/cb\$"
run_expect 0 mdadm -A /dev/md/cb --run -c /tmp/mdadm.conf "${B[0]}"
wait_until 20 has_event "^DegradedArray /dev/md/m2\$"
sleep 1
cat "$ev"
for e in "DeviceDisappeared /dev/md/m2" "DeviceDisappeared /dev/md/cb" "NewArray /dev/md/cb" \
	"NewArray /dev/md/m2" "DegradedArray /dev/md/m2"; do
	once "^$e\$"
done
[ "$(wc -l <"$ev")" -eq 5 ] || fail "unexpected events"
note "stop and degraded assembly: each event once"

# ---- 5. stdout, syslog, SIGTERM ------------------------------------------------------------
run_expect 0 mdadm --monitor --oneshot /dev/md/m2
[[ $last_out =~ ^[A-Z][a-z][a-z]\ +[0-9]+\ [0-9:]+:\ DegradedArray\ on\ /dev/md/m2\ unknown\ device$ ]] ||
	fail "stdout: $last_out"
python3 - <<'EOF' &
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
s.settimeout(20)
open("/tmp/log.ready", "w").close()
with open("/tmp/syslog", "wb") as f:
    f.write(s.recv(4096))
EOF
wait_until 10 test -e /tmp/log.ready
run_expect 0 mdadm --monitor --oneshot --syslog --test /dev/md/m1
wait
grep -a -q -E 'mdadm\[[0-9]+\]: TestMessage event detected on md device /dev/md/m1$' /tmp/syslog ||
	fail "syslog got: $(cat /tmp/syslog)"
kill -TERM "$pid"
wait_until 10 sh -c "! kill -0 $pid 2>/dev/null"
[ ! -e /tmp/mon.pid ] || fail "the pid file stayed"
note "stdout, syslog and SIGTERM"
