#!/bin/bash
# Host set-up for the VM suite.  Idempotent and quiet when nothing is missing.
#
#  1. installs the host packages the build and the VM need (apt-get, as root);
#  2. fetches Debian's kernel package and mdadm package (the interop peer)
#     into .cache/vm without installing them on the host;
#  3. builds the initramfs: static busybox + the md/9p/virtio modules
#     (virtio_blk for the persistent test disks, run.sh vm-disks) + our
#     /init, which mounts the host's root read-only over 9p under a tmpfs
#     overlay and switches into it (so the guest has bash, util-linux, ...).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/.cache/vm
mkdir -p "$cache"

host_packages="qemu-system-x86 cpio busybox-static libudev-dev pkg-config gcc make
	util-linux python3-minimal diffutils gawk groff-base man-db dmsetup clang libclang-rt-14-dev"

install_missing() {
	local missing=()
	for p in $host_packages; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q "${missing[@]}" >/dev/null
}

# The versioned image package moves with security updates: resolve it now.
kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

fetch_deb() { # name dest-dir
	local name=$1 dest=$2 tmp
	[ -d "$dest" ] && return 0
	tmp=$(mktemp -d "$cache/dl.XXXXXX")
	(cd "$tmp" && apt-get download -q "$name" >/dev/null 2>&1) || {
		apt-get update -q >/dev/null && (cd "$tmp" && apt-get download -q "$name" >/dev/null)
	}
	dpkg-deb -x "$tmp"/*.deb "$tmp/x"
	mv "$tmp/x" "$dest"
	rm -rf "$tmp"
}

# Copy module $1 and, first, everything it depends on (from .modinfo).
declare -A mod_seen
mod_order=()
add_module() {
	local name=$1 file deps d
	[ -n "${mod_seen[$name]:-}" ] && return 0
	file=$(find "$moddir" -name "$name.ko" -print -quit)
	[ -n "$file" ] || file=$(find "$moddir" -name "${name//_/-}.ko" -print -quit)
	[ -n "$file" ] || { echo "setup: module $name not in kernel package" >&2; return 1; }
	mod_seen[$name]=1
	deps=$(grep -a -o 'depends=[^[:cntrl:]]*' "$file" | head -1 | cut -d= -f2)
	for d in ${deps//,/ }; do add_module "$d"; done
	cp "$file" "$initdir/mods/"
	mod_order+=("$(basename "$file" .ko)")
}

# crc32c_generic is a soft dependency of libcrc32c (raid456 needs it).
# device-mapper's targets inject faults under md (dm-mod has "error";
# flakey, delay and log-writes are their own modules).
wanted_modules="virtio_pci virtio_blk 9pnet_virtio 9p overlay loop brd ext4 md-mod
	raid0 raid1 raid10 crc32c_generic raid456 linear dm-mod dm-flakey dm-delay dm-log-writes"

# Built in a private folder and renamed into place: other runners may be
# booting the old initrd or building their own at the same time.
build_initrd() {
	initdir=$(mktemp -d "$cache/initrd-build.XXXXXX")
	chmod 0755 "$initdir"
	mkdir -p "$initdir"/{bin,mods,proc,sys,dev,newroot,lower,upper}
	cp /bin/busybox "$initdir/bin/busybox"
	for m in $wanted_modules; do add_module "$m"; done
	printf '%s\n' "${mod_order[@]}" >"$initdir/mods/order"
	install -m 0755 "$top/tests/vm/initramfs-init" "$initdir/init"
	(cd "$initdir" && find . | cpio -o -H newc --quiet | gzip -1) >"$initdir.gz"
	mv "$initdir.gz" "$cache/initrd.gz"
	rm -rf "$initdir"
}

install_missing
kpkg=$(kernel_package)
[ -n "$kpkg" ] || { echo "setup: cannot resolve linux-image-amd64" >&2; exit 1; }
fetch_deb "$kpkg" "$cache/$kpkg"
fetch_deb mdadm "$cache/peer"
# udev for the guest (tests of Debian's md udev rules against our binary):
# unpacked here, copied into the guest's writable root by the test.
fetch_deb udev "$cache/udev"
fetch_deb libsystemd-shared "$cache/libsystemd-shared"
kver=${kpkg#linux-image-}
moddir=$cache/$kpkg/lib/modules/$kver
stamp="$kpkg $(sha1sum "$top/tests/vm/initramfs-init" "$0" | sha1sum | cut -c1-12)"
if [ ! -f "$cache/initrd.gz" ] || [ "$(cat "$cache/initrd.stamp" 2>/dev/null)" != "$stamp" ]; then
	build_initrd
	echo "$stamp" >"$cache/initrd.stamp.$$"
	mv "$cache/initrd.stamp.$$" "$cache/initrd.stamp"
fi
ln -sfn "$kpkg/boot/vmlinuz-$kver" "$cache/vmlinuz"
echo "$kpkg" >"$cache/kernel.version"
