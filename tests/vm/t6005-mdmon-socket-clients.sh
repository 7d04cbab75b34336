#!/bin/bash
# vm-timeout: 150
# Who mdmon's control socket serves, and for how long (issue 14):
#  - a client that is not root is hung up on at once, unserved, with one
#    line in mdmon's log, even when the socket's mode lets it connect;
#  - a root client that trickles a frame one byte per second is cut at
#    the frame's bound (3 s for the whole frame), not served byte by byte
#    for as long as it likes; a ping sent meanwhile is answered after it;
#  - a root client that sends pings and never reads the answers cannot
#    block mdmon's manager: another client's ping is answered;
#  - mdmon keeps the volume served throughout: the pattern written reads
#    back.
. "$VMTEST_LIB"

make_disks 3 16
run_expect 0 mdadm -C /dev/md/imsm0 -e imsm -n3 --run "${DISKS[@]}"
run_expect 0 mdadm -C /dev/md/r5 -l5 -n3 -z 4M --assume-clean --run /dev/md/imsm0
ctr=$(md_devnm /dev/md/imsm0)
sock=/run/mdadm/$ctr.sock
pattern_write /dev/md/r5 81 8

# mdmon in the foreground, its stderr kept: the lines it logs.
old=$(cat "/run/mdadm/$ctr.pid")
mdmon --takeover --foreground "$ctr" 2>/tmp/mdmon.log &
mon=$!
wait_until 20 sh -c "! kill -0 $old 2>/dev/null && [ \"\$(cat /run/mdadm/$ctr.pid)\" = $mon ]"
note "mdmon $mon serves $ctr in the foreground"

# One python process plays every client (each start costs seconds under
# TCG); it prints one result line per scenario, checked below.
cat >/tmp/clients.py <<'PY'
import os, socket, struct, sys, threading, time
START, END = 0x5a5aa5a5, 0xa5a55a5a
PING = struct.pack("<IiI", START, 0, END)
path = sys.argv[1]

def recv_frame(s):
    """One whole reply frame, or None when mdmon hung up first."""
    buf = b""
    try:
        while len(buf) < 8:
            b = s.recv(8 - len(buf))
            if not b:
                return None
            buf += b
        want = max(struct.unpack("<Ii", buf)[1], 0) + 4
        rest = b""
        while len(rest) < want:
            b = s.recv(want - len(rest))
            if not b:
                return None
            rest += b
    except ConnectionResetError:
        return None
    return rest[:-4]

def ping():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    try:
        s.connect(path)
        s.sendall(PING)
        return "answered" if recv_frame(s) is not None else "hung up"
    except PermissionError:
        return "no access"
    except (BrokenPipeError, ConnectionResetError):
        return "hung up"
    except socket.timeout:
        return "no answer"

def as_nobody():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        os.write(w, ping().encode())
        os._exit(0)
    os.close(w)
    os.waitpid(pid, 0)
    return os.read(r, 64).decode()

def trickle(out):  # one byte a second; how many went before the hang-up
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    sent = 0
    for byte in PING:
        try:
            s.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += 1
        time.sleep(1)
        s.setblocking(False)
        try:
            if s.recv(64) == b"":
                break
        except BlockingIOError:
            pass
        except ConnectionResetError:
            break
        s.setblocking(True)
    out.append(f"{sent} of {len(PING)}")

def deaf():  # pings and never reads; the socket stays open
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.setblocking(False)
    sent, idle_since = 0, time.monotonic()
    while sent < 5000 and time.monotonic() - idle_since < 2:
        try:
            s.send(PING)
            sent += 1
            idle_since = time.monotonic()
        except BlockingIOError:
            time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            break
    return s, sent

print("nobody, mode 0600:", as_nobody(), flush=True)
os.chmod(path, 0o666)
print("nobody, mode 0666:", as_nobody(), flush=True)
os.chmod(path, 0o600)
print("root:", ping(), flush=True)
out = []
t = threading.Thread(target=trickle, args=(out,))
t.start()
time.sleep(0.5)
print("ping behind the trickler:", ping(), flush=True)
t.join()
print("trickled bytes sent:", out[0], flush=True)
s, sent = deaf()
print("ping behind a client that reads nothing:", ping(), f"({sent} pings unread)", flush=True)
s.close()
PY
python3 /tmp/clients.py "$sock" | tee /tmp/clients.out
expect() { grep -qxF -- "$1" /tmp/clients.out || fail "expected '$1'"; }
expect "nobody, mode 0600: no access"
expect "nobody, mode 0666: hung up"
expect "root: answered"
expect "ping behind the trickler: answered"
grep -q "^ping behind a client that reads nothing: answered" /tmp/clients.out ||
	fail "a client that reads nothing held mdmon"
grep -qx "trickled bytes sent: 12 of 12" /tmp/clients.out && fail "the trickled frame was served whole"
grep -q "^trickled bytes sent: " /tmp/clients.out || fail "the trickler did not finish"
[ "$(grep -c 'refused a client of uid 65534' /tmp/mdmon.log)" = 1 ] ||
	fail "no (or more than one) log line for the refused client: $(cat /tmp/mdmon.log)"
note "$(grep 'refused a client' /tmp/mdmon.log)"
pattern_write /dev/md/r5 81 8 # the monitor still marks the volume dirty and clean

pattern_verify /dev/md/r5 81 8
kill -0 "$mon" || fail "mdmon exited"
run_expect 0 mdadm -S /dev/md/r5
run_expect 0 mdadm -S /dev/md/imsm0
wait_until 20 sh -c "! kill -0 $mon 2>/dev/null"
[ "$(grep -c . /tmp/mdmon.log)" = 1 ] || fail "mdmon logged more than the refusal: $(cat /tmp/mdmon.log)"
