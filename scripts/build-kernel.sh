#!/bin/bash
# SPDX-License-Identifier: MIT
# build-kernel.sh OUT: builds a riscv64 Linux Image from Debian's linux-source-6.12
# (tinyconfig + guests/linux/kernel.config) and copies it to OUT. The build is
# cached under $RIVET_CACHE, keyed by the source package version, the fragment
# and this script, so a second run takes a second and a fresh machine builds it.
set -eu
out=$1
here=$(cd "$(dirname "$0")/.." && pwd)
frag=$here/guests/linux/kernel.config
tarball=/usr/src/linux-source-6.12.tar.xz
cache=${RIVET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rivet}
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( (echo "$ver"; cat "$frag" "$0") | sha256sum | cut -c1-16)
dir=$cache/linux-$key
mkdir -p "$cache" "$(dirname "$out")"

exec 9>"$cache/linux.lock"
flock 9
if [ ! -f "$dir/Image" ]; then
	src=$cache/src/linux-source-6.12_$ver
	if [ ! -f "$src/.extracted" ]; then
		echo "  EXTRACT linux-source-6.12 $ver"
		rm -rf "$src" && mkdir -p "$src"
		tar -xJf "$tarball" -C "$src" --strip-components=1
		touch "$src/.extracted"
	fi
	echo "  KERNEL  tinyconfig + $(basename "$frag") (cache: $dir)"
	rm -rf "$dir" && mkdir -p "$dir/obj"
	kmake() { make -s -C "$src" O="$dir/obj" ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- "$@"; }
	kmake tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$dir/obj" "$dir/obj/.config" "$frag" >/dev/null
	kmake olddefconfig >/dev/null
	# A fragment line that did not survive olddefconfig is a silent config bug: say so.
	missing=$(grep -E '^CONFIG_[A-Z0-9_]+=y' "$frag" | while read -r line; do
		grep -qx "$line" "$dir/obj/.config" || echo "$line"; done)
	if [ -n "$missing" ]; then
		echo "kernel config: these fragment lines did not take effect:" $missing >&2
		exit 1
	fi
	kmake -j"$(nproc)" Image >"$dir/build.log" 2>&1 || { tail -30 "$dir/build.log" >&2; exit 1; }
	cp "$dir/obj/arch/riscv/boot/Image" "$dir/Image.tmp" && mv "$dir/Image.tmp" "$dir/Image"
	# The object tree stays for modules (Dom0's driver) and incremental rebuilds.
fi
cp "$dir/Image" "$out"
