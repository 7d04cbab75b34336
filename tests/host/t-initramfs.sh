#!/bin/bash
# initramfs-tools/: the hook and the boot scripts, on the host (where
# initramfs-tools need not be installed).
#
# The hook sources /usr/share/initramfs-tools/hook-functions as under
# mkinitramfs; here a stub stands at that path, in a private mount
# namespace (unshare: nothing changes on the host).  The stub's copy_file
# and copy_exec behave as initramfs-tools documents them (0 copied, 1
# already there, 2 no such file) but read every file below $FAKEROOT, a
# small system made per case (our binaries, rules, an mdadm.conf or not),
# and copy into $DESTDIR; libraries come from the host, as mkinitramfs's
# would.  force_load and manual_add_modules write down the modules.
#
# The local-block script runs under busybox sh (the initramfs's shell)
# with a stub mdadm and udevadm first on PATH that log their arguments,
# a private /run (its run count) and a /proc/cmdline of the case's own.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)

if [ -z "${T_INITRAMFS_NS:-}" ]; then
	T_INITRAMFS_NS=1 exec unshare --user --map-root-user --mount bash "$0" "$@"
	echo "not ok - a private mount namespace for the stubs (unshare failed)"
	exit 1
fi

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
check() { # WHAT 'SHELL CONDITION' (evaluated here, so && and || work)
	if eval "$2"; then ok "$1"; else not_ok "$1"; fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
hook=$top/initramfs-tools/hooks/mdadm
block=$top/initramfs-tools/scripts/local-block/mdadm
bottom=$top/initramfs-tools/scripts/local-bottom/mdadm

if [ ! -x "$top/mdadm" ] || [ ! -x "$top/mdmon" ]; then
	make -s -C "$top" mdadm mdmon >"$tmp/make.log" 2>&1 ||
		{ not_ok "build mdadm and mdmon" "$(tail -5 "$tmp/make.log")"; exit 1; }
fi

# ---- the stub hook-functions, at the path the hook sources ----------------
share=/usr/share/initramfs-tools
if [ -d "$share" ]; then mount -t tmpfs stub "$share"; else mount -t tmpfs stub /usr/share; fi ||
	{ not_ok "a tmpfs for the stub hook-functions"; exit 1; }
mkdir -p "$share"
cat >"$share/hook-functions" <<'EOF'
# stub of initramfs-tools' hook-functions for tests/host/t-initramfs.sh
copy_file() {
	local src=$FAKEROOT$2 target=${3:-$2}
	echo "copy_file $1 $2 ${3:-}" >>"$CALLS"
	[ -f "$src" ] || return 2
	[ ! -d "$DESTDIR/$target" ] || target=$target/${2##*/}
	[ ! -e "$DESTDIR/$target" ] || return 1
	mkdir -p "$DESTDIR/${target%/*}" && cp -pL "$src" "$DESTDIR/$target" || return 3
}
copy_exec() {
	local lib rc=0
	copy_file binary "$1" "${2:-}" || rc=$?
	[ "$rc" -eq 0 ] || return $((rc - 1))
	for lib in $(ldd "$FAKEROOT$1" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$DESTDIR$lib" ] || { mkdir -p "$DESTDIR${lib%/*}" && cp -L "$lib" "$DESTDIR$lib"; }
	done
}
manual_add_modules() {
	echo "$*" >>"$MODULES_ADDED"
}
force_load() {
	manual_add_modules "$1"
	mkdir -p "$DESTDIR/conf"
	echo "$@" >>"$DESTDIR/conf/modules"
}
EOF

# mkroot NAME: a fresh $FAKEROOT with our binaries and rules where "make
# install" puts them; sets FAKEROOT, DESTDIR (empty), CALLS, MODULES_ADDED.
mkroot() {
	export FAKEROOT=$tmp/$1/root DESTDIR=$tmp/$1/image CALLS=$tmp/$1/calls
	export MODULES_ADDED=$tmp/$1/modules verbose=n
	mkdir -p "$FAKEROOT/sbin" "$FAKEROOT/lib/udev/rules.d" "$DESTDIR"
	cp "$top/mdadm" "$top/mdmon" "$FAKEROOT/sbin/"
	cp "$top"/udev/*.rules "$FAKEROOT/lib/udev/rules.d/"
	: >"$CALLS"
	: >"$MODULES_ADDED"
}
run_hook() { # -> $hook_rc, $hook_err
	hook_rc=0
	sh "$hook" 2>"$tmp/hook.err" >"$tmp/hook.out" || hook_rc=$?
	hook_err=$(cat "$tmp/hook.err")
}
same() { cmp -s "$1" "$2"; }
words() { tr '\n' ' ' <"$1" | sed 's/ $//'; }
absent() { [ ! -e "$1" ]; }

# ---- the hook ---------------------------------------------------------------
for f in "$hook" "$block" "$bottom"; do
	name=${f#"$top"/initramfs-tools/}
	check "sh -n $name" 'sh -n "$f"'
	check "busybox sh -n $name" 'busybox sh -n "$f"'
done
check "hook prereqs: udev" '[ "$(sh "$hook" prereqs)" = udev ]'

mkroot full
mkdir -p "$FAKEROOT/etc/mdadm"
printf 'HOMEHOST <ignore>\nARRAY metadata=imsm UUID=01234567:89abcdef:01234567:89abcdef\n' \
	>"$FAKEROOT/etc/mdadm/mdadm.conf"
run_hook
check "hook runs: exit 0, nothing on stderr" '[ "$hook_rc" = 0 ] && [ -z "$hook_err" ]'
check "image: our mdadm and mdmon in /sbin, side by side" \
	'same "$DESTDIR/sbin/mdadm" "$top/mdadm" && same "$DESTDIR/sbin/mdmon" "$top/mdmon"'
missing=
for lib in $(ldd "$top/mdadm" | grep -o '/[^ ]*'); do
	[ -e "$DESTDIR$lib" ] || missing="$missing $lib"
done
check "image: mdadm's libraries (${missing:-all there})" '[ -z "$missing" ]'
rules=/lib/udev/rules.d
check "image: both rules from $rules" \
	'same "$DESTDIR$rules/63-md-raid-arrays.rules" "$top/udev/63-md-raid-arrays.rules" &&
	same "$DESTDIR$rules/64-md-raid-assembly.rules" "$top/udev/64-md-raid-assembly.rules"'
check "image: /etc/mdadm/mdadm.conf as it is" \
	'same "$DESTDIR/etc/mdadm/mdadm.conf" "$FAKEROOT/etc/mdadm/mdadm.conf"'
want="md_mod raid0 raid1 raid10 raid456"
check "image: conf/modules loads $want" '[ "$(words "$DESTDIR/conf/modules")" = "$want" ]'
check "modules added with their dependencies: $want" '[ "$(words "$MODULES_ADDED")" = "$want" ]'
check "the conf was read through hook-functions (the stub saw it)" \
	'grep -q "^copy_file config /etc/mdadm/mdadm.conf" "$CALLS"'
# (libraries aside: the host's, wherever they live)
files=$(cd "$DESTDIR" && find . -type f ! -name '*.so*' | sort | tr '\n' ' ')
check "image: nothing else ($files)" '[ "$files" = "./conf/modules ./etc/mdadm/mdadm.conf \
./lib/udev/rules.d/63-md-raid-arrays.rules ./lib/udev/rules.d/64-md-raid-assembly.rules \
./sbin/mdadm ./sbin/mdmon " ]'

# An admin's rules file in /etc replaces ours; rules under /usr/lib only.
mkroot etc-rules
mkdir -p "$FAKEROOT/etc/udev/rules.d" "$FAKEROOT/usr/lib/udev/rules.d"
echo '# the admin'"'"'s own' >"$FAKEROOT/etc/udev/rules.d/64-md-raid-assembly.rules"
mv "$FAKEROOT/lib/udev/rules.d/63-md-raid-arrays.rules" "$FAKEROOT/usr/lib/udev/rules.d/"
run_hook
r=64-md-raid-assembly.rules
check "an /etc/udev/rules.d copy goes in instead of the packaged one" \
	'same "$DESTDIR/etc/udev/rules.d/$r" "$FAKEROOT/etc/udev/rules.d/$r" &&
	absent "$DESTDIR/lib/udev/rules.d/$r"'
r=63-md-raid-arrays.rules
check "rules installed under /usr/lib/udev are found" \
	'same "$DESTDIR/usr/lib/udev/rules.d/$r" "$top/udev/$r"'
check "no mdadm.conf: none in the image, exit 0" \
	'[ "$hook_rc" = 0 ] && absent "$DESTDIR/etc/mdadm/mdadm.conf" && absent "$DESTDIR/etc/mdadm.conf"'

mkroot alt-conf
mkdir -p "$FAKEROOT/etc"
echo 'AUTO -all' >"$FAKEROOT/etc/mdadm.conf"
run_hook
check "only /etc/mdadm.conf: it goes to the same place" \
	'same "$DESTDIR/etc/mdadm.conf" "$FAKEROOT/etc/mdadm.conf" && absent "$DESTDIR/etc/mdadm"'

mkroot both-conf
mkdir -p "$FAKEROOT/etc/mdadm"
echo 'AUTO +imsm' >"$FAKEROOT/etc/mdadm/mdadm.conf"
echo 'AUTO -all' >"$FAKEROOT/etc/mdadm.conf"
run_hook
check "both confs: /etc/mdadm/mdadm.conf only (the one mdadm reads)" \
	'same "$DESTDIR/etc/mdadm/mdadm.conf" "$FAKEROOT/etc/mdadm/mdadm.conf" &&
	absent "$DESTDIR/etc/mdadm.conf"'

mkroot no-rules
rm "$FAKEROOT"/lib/udev/rules.d/*
run_hook
check "no rules installed: a warning per rule, the hook still succeeds" \
	'[ "$hook_rc" = 0 ] && [ "$(grep -c "^W: mdadm: no 6[34]-md-raid-.*\.rules" "$tmp/hook.err")" = 2 ]'

mkroot no-mdadm
rm "$FAKEROOT/sbin/mdadm"
run_hook
if [ "$hook_rc" -ne 0 ] && [ "$(printf '%s\n' "$hook_err" | grep -c .)" = 1 ] &&
	[[ $hook_err == "E: mdadm: /sbin/mdadm is missing"* ]]; then
	ok "no /sbin/mdadm: the hook fails with one line ($hook_err)"
else
	not_ok "no /sbin/mdadm: the hook fails with one line" "rc $hook_rc: $hook_err"
fi

mkroot verbose
verbose=y run_hook
check "verbose=y: says what it took" \
	'grep -qx "I: mdadm: /lib/udev/rules.d/64-md-raid-assembly.rules" "$tmp/hook.out"'

# ---- local-block ------------------------------------------------------------
stubs=$tmp/bin
mkdir -p "$stubs"
for prog in mdadm udevadm; do
	printf '#!/bin/sh\necho "%s $*" >>"$STUB_LOG"\nexit ${STUB_RC:-0}\n' "$prog" >"$stubs/$prog"
	chmod +x "$stubs/$prog"
done
mount -t tmpfs run /run || { not_ok "a private /run"; exit 1; }
echo 'BOOT_IMAGE=/vmlinuz root=/dev/md/vol0_0 ro quiet' >"$tmp/cmdline"
mount --bind "$tmp/cmdline" /proc/cmdline || { not_ok "a private /proc/cmdline"; exit 1; }
export STUB_LOG=$tmp/stub.log
count_file=/run/count.mdadm.initrd

# run_block [VAR=VALUE...]: one run of the script; its calls in $calls.
run_block() {
	: >"$STUB_LOG"
	block_rc=0
	env PATH="$stubs:$PATH" "$@" busybox sh "$block" /dev/md/vol0_0 >"$tmp/block.out" 2>&1 ||
		block_rc=$?
	calls=$(cat "$STUB_LOG")
}
scan="mdadm --quiet --assemble --scan --no-degraded"
last="mdadm --incremental --run --scan
mdadm --assemble --scan --run"
both="$scan
$last"

check "local-block prereqs: multipath" '[ "$(sh "$block" prereqs)" = multipath ]'
rm -f "$count_file"
run_block
first="udevadm trigger --action=add --subsystem-match=block
udevadm settle --timeout=10
$scan"
check "first run: every block device announced again, then a --scan of complete arrays" \
	'[ "$block_rc" = 0 ] && [ "$calls" = "$first" ] && [ "$(cat "$count_file")" = 1 ]'
run_block
check "second run: the --scan assembly only; the count goes on" \
	'[ "$calls" = "$scan" ] && [ "$(cat "$count_file")" = 2 ]'

echo 18 >"$count_file"
run_block
check "run 19 of the default 30 s wait: no degraded start yet" '[ "$calls" = "$scan" ]'
run_block
if [ "$calls" = "$both" ] && [ "$block_rc" = 0 ] && grep -q 'starting degraded' "$tmp/block.out"; then
	ok "run 20 (two thirds of 30 s): mdadm -IRs, then -A --scan --run, and says why"
else
	not_ok "run 20 (two thirds of 30 s): mdadm -IRs, then -A --scan --run" "$calls"
fi
run_block
check "run 21: the degraded start is not repeated" '[ "$calls" = "$scan" ]'

echo 19 >"$count_file"
run_block ROOTDELAY=10
check "rootdelay=10 (initramfs-tools still waits 30 s): the degraded start at run 20" \
	'[ "$calls" = "$both" ]'
echo 19 >"$count_file"
run_block ROOTDELAY=90
check "rootdelay=90: not at run 20" '[ "$calls" = "$scan" ]'
echo 59 >"$count_file"
run_block ROOTDELAY=90
check "rootdelay=90: at run 60" '[ "$calls" = "$both" ]'

echo 19 >"$count_file"
run_block STUB_RC=1
check "mdadm failing: the script still exits 0, the degraded start still tried" \
	'[ "$block_rc" = 0 ] && [ "$calls" = "$both" ]'
echo garbage >"$count_file"
run_block
check "a count file that is not a number counts as a first run" \
	'[ "$(cat "$count_file")" = 1 ] && [ "$calls" = "$first" ]'

for word in noiswmd nodmraid rd.md=0 rd.md.imsm=0; do
	echo "BOOT_IMAGE=/vmlinuz root=/dev/md/vol0_0 ro $word quiet" >"$tmp/cmdline"
	echo 19 >"$count_file"
	run_block
	check "kernel command line \"$word\": no mdadm, no udevadm, count untouched" \
		'[ "$block_rc" = 0 ] && [ -z "$calls" ] && [ "$(cat "$count_file")" = 19 ]'
done
echo 'BOOT_IMAGE=/vmlinuz root=/dev/md/vol0_0 ro rd.md=1 rd.md.uuid=x noiswmdx' >"$tmp/cmdline"
echo 5 >"$count_file"
run_block
check "rd.md=1 and look-alike words do not opt out" '[ "$calls" = "$scan" ]'

check "local-bottom removes the count" '[ -f "$count_file" ] && sh "$bottom" && absent "$count_file"'
check "local-bottom with no count: exit 0" 'sh "$bottom"'

[ "$failed" -eq 0 ]
