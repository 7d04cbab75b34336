#!/bin/bash
# vm-timeout: 180
# mdmon's lifecycle on a container made by the peer: it starts, writes its
# pid file (0600) and a root-only socket, answers pings in the wire format,
# refuses a second instance, is replaced by --takeover, leaves nothing
# behind when the container stops, and sleeps (no CPU) while idle.
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
