#!/bin/bash
# make install: where each file lands (Debian's places, PREFIX=/usr/local),
# the units as systemd-analyze verify sees them, an install by an
# unprivileged user into DESTDIR that rebuilds nothing, and the compiler
# flags (CFLAGS/CPPFLAGS/LDFLAGS from outside, -Werror only in our own
# builds) as "make -n" prints them.  TAP lines; exit 1 on any failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$top" || exit 1
# make test runs this with WERROR=1 in the environment: each check below
# says what it wants, nothing is inherited.
unset WERROR CFLAGS CPPFLAGS LDFLAGS
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
check() { # description command...
	local d=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then ok "$d"; else not_ok "$d" "$(head -c 2000 "$tmp/out")"; fi
}

units=(mdmon@.service mdadm-grow-continue@.service mdmonitor.service)

# installed DEST SBIN MAN: every file of the tree where it belongs
installed() {
	local dest=$1 sbin=$2 man=$3 f missing=()
	for f in "$sbin/mdadm" "$sbin/mdmon"; do
		[ -x "$dest$f" ] || missing+=("$f (executable)")
	done
	for f in "${units[@]}"; do
		[ -f "$dest/lib/systemd/system/$f" ] || missing+=("/lib/systemd/system/$f")
	done
	[ -x "$dest/lib/systemd/system-shutdown/mdadm.shutdown" ] ||
		missing+=("/lib/systemd/system-shutdown/mdadm.shutdown (executable)")
	for f in man/*.8; do [ ! -f "$f" ] || [ -f "$dest$man/man8/${f#man/}" ] || missing+=("$man/man8/${f#man/}"); done
	for f in man/*.5; do [ ! -f "$f" ] || [ -f "$dest$man/man5/${f#man/}" ] || missing+=("$man/man5/${f#man/}"); done
	for f in udev/*.rules; do
		[ ! -f "$f" ] || [ -f "$dest/lib/udev/rules.d/${f#udev/}" ] || missing+=("/lib/udev/rules.d/${f#udev/}")
	done
	for f in initramfs-tools/hooks/* initramfs-tools/scripts/*/*; do
		[ ! -f "$f" ] || [ -x "$dest/usr/share/initramfs-tools/${f#initramfs-tools/}" ] ||
			missing+=("/usr/share/initramfs-tools/${f#initramfs-tools/} (executable)")
	done
	[ ${#missing[@]} -eq 0 ] || { printf 'missing: %s\n' "${missing[@]}"; return 1; }
	# the units and the shutdown hook run the installed programs
	grep -q "^ExecStart=$sbin/mdmon --foreground --offroot --takeover %I\$" \
		"$dest/lib/systemd/system/mdmon@.service" &&
		grep -q "^ExecStart=$sbin/mdadm --grow --continue /dev/%I\$" \
			"$dest/lib/systemd/system/mdadm-grow-continue@.service" &&
		grep -q "^ExecStart=$sbin/mdadm --monitor --scan" "$dest/lib/systemd/system/mdmonitor.service" &&
		grep -q "^$sbin/mdadm --wait-clean --scan\$" "$dest/lib/systemd/system-shutdown/mdadm.shutdown" ||
		{ grep -H '/sbin/' "$dest"/lib/systemd/*/*; return 1; }
	# the initramfs hook copies the installed programs into the image
	grep -q "^for prog in $sbin/mdadm $sbin/mdmon; do\$" "$dest/usr/share/initramfs-tools/hooks/mdadm" ||
		{ grep -H 'sbin' "$dest/usr/share/initramfs-tools/hooks/mdadm"; return 1; }
	# so do the udev rules: every mdadm they run is the installed one
	if grep -h -o '"[^" ]*/mdadm ' "$dest"/lib/udev/rules.d/*.rules | grep -v -q "^\"$sbin/mdadm \$"; then
		grep -H 'mdadm ' "$dest"/lib/udev/rules.d/*.rules
		return 1
	fi
}

# verified DEST: systemd-analyze verify, against DEST as the root (the
# ExecStart programs are looked for there), with the system's targets
# beside the units (default dependencies name sysinit.target and others):
# exit 0 and not one warning.
verified() {
	local root=$tmp/root
	rm -rf "$root"
	mkdir -p "$root/usr/lib/systemd/system"
	cp -a "$1"/. "$root"/
	cp /lib/systemd/system/*.target "$root/usr/lib/systemd/system/"
	(cd "$root" && systemd-analyze verify --man=no --generators=no --root="$root" \
		"${units[@]/#/$root/lib/systemd/system/}") >"$tmp/verify" 2>&1
	local rc=$?
	cat "$tmp/verify"
	[ "$rc" -eq 0 ] && [ ! -s "$tmp/verify" ]
}

# ---- Debian's places (PREFIX=/usr), by an unprivileged user -----------------
make -s all >"$tmp/build" 2>&1 || { not_ok "make" "$(tail -20 "$tmp/build")"; exit 1; }
check "make install rebuilds nothing, whatever flags it is given" \
	sh -c '! make -n install CFLAGS=-O0 MDMON_STATIC=1 DESTDIR=/nonexistent | grep -E -- " -c | -o (mdadm|mdmon) "'
mkdir -p "$tmp/debian"
chmod 755 "$tmp"
if [ "$(id -u)" = 0 ]; then
	chown 65534:65534 "$tmp/debian"
	check "make install DESTDIR=... as an unprivileged user" \
		setpriv --reuid=65534 --regid=65534 --clear-groups make -s install DESTDIR="$tmp/debian"
else
	check "make install DESTDIR=..." make -s install DESTDIR="$tmp/debian"
fi
check "installed where Debian expects (/sbin, /lib/systemd, /lib/udev, /usr/share)" \
	installed "$tmp/debian" /sbin /usr/share/man
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify: the installed units" verified "$tmp/debian"
else
	not_ok "systemd-analyze verify: not installed on this host (package systemd)"
fi

# ---- PREFIX=/usr/local ---------------------------------------------------
check "make install PREFIX=/usr/local DESTDIR=..." \
	make -s install PREFIX=/usr/local DESTDIR="$tmp/local"
check "PREFIX=/usr/local: programs and man pages under it, units run them there" \
	installed "$tmp/local" /usr/local/sbin /usr/local/share/man
if [ -e "$tmp/local/sbin" ] || [ -e "$tmp/local/usr/share/man" ]; then
	not_ok "PREFIX=/usr/local: nothing in /sbin or /usr/share/man" "$(cd "$tmp/local" && find sbin usr/share/man 2>/dev/null)"
else
	ok "PREFIX=/usr/local: nothing in /sbin or /usr/share/man"
fi
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify: the units of PREFIX=/usr/local" verified "$tmp/local"
fi

# ---- compiler flags ------------------------------------------------------
# cc_lines ARGS...: the compile and link lines of a full build
cc_lines() { make -n -B "$@" mdadm mdmon 2>&1 | grep -E -- ' -c -o | -o (mdadm|mdmon) '; }
every() { # pattern lines: every line matches
	[ -n "$2" ] && ! grep -v -e "$1" <<<"$2"
}
none() { ! grep -q -e "$1" <<<"$2"; }

own=$(env -u CFLAGS -u WERROR make -n -B mdadm mdmon | grep -E -- ' -c -o | -o (mdadm|mdmon) ')
check "our own build: -Werror -O2 -g" every ' -Werror .*-O2 -g' "$own"
check "make test builds with WERROR=1" sh -c 'make -n test | grep -q "WERROR=1 tests/run-all.sh"'
outside_o1() { every " -O1" "$1" && none "-Werror" "$1" && none " -O2" "$1"; }
check "CFLAGS=-O1 on the command line: used, no -Werror" outside_o1 "$(cc_lines CFLAGS=-O1)"
check "CFLAGS=-O1 in the environment: used, no -Werror" outside_o1 "$(CFLAGS=-O1 cc_lines)"
check "CFLAGS=-O1 WERROR=1: -Werror again" every ' -Werror ' "$(cc_lines CFLAGS=-O1 WERROR=1)"
cpp_ld() {
	every "INSTALL_TEST_CPP" "$(grep -- " -c " <<<"$1")" &&
		every "-Wl,--as-needed" "$(grep -v -- " -c " <<<"$1")"
}
check "CPPFLAGS in every compile, LDFLAGS in every link" \
	cpp_ld "$(cc_lines CPPFLAGS=-DINSTALL_TEST_CPP LDFLAGS=-Wl,--as-needed)"
check "unit tests keep -Werror with CFLAGS from outside" \
	every ' -Werror ' "$(make -n -B CFLAGS=-O1 build/san/util.o | grep -- ' -c ')"
mdmon_link() {
	make -n -B mdmon | grep -q -- "-Wl,-z,now -o mdmon" &&
		make -n -B MDMON_STATIC=1 mdmon | grep -q -- "-static -o mdmon"
}
check "mdmon dynamic (bound at start) by default, static with MDMON_STATIC=1" mdmon_link
[ "$failed" -eq 0 ]
