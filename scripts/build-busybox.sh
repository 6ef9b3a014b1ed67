#!/bin/bash
# SPDX-License-Identifier: MIT
# build-busybox.sh OUT: a static riscv64 busybox from Debian's busybox source
# package (apt-get source; the deb-src entry comes from scripts/setup.sh),
# cached under $RIVET_CACHE keyed by the source version and this script.
set -eu
out=$1
cache=${RIVET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rivet}
ver=$(apt-cache showsrc busybox | awk '/^Version:/ {print $2; exit}')
[ -n "$ver" ] || { echo "busybox: no source package known to apt (is the deb-src entry there?)" >&2; exit 1; }
key=$( (echo "$ver"; cat "$0") | sha256sum | cut -c1-16)
dir=$cache/busybox-$key
mkdir -p "$cache" "$(dirname "$out")"

exec 9>"$cache/busybox.lock"
flock 9
if [ ! -f "$dir/busybox" ]; then
	echo "  BUSYBOX $ver (cache: $dir)"
	rm -rf "$dir" && mkdir -p "$dir/src"
	(cd "$dir/src" && apt-get source -q busybox >/dev/null 2>"$dir/source.log") ||
		{ cat "$dir/source.log" >&2; exit 1; }
	src=$(find "$dir/src" -maxdepth 1 -mindepth 1 -type d -name 'busybox-*' | head -1)
	bmake() { make -s -C "$src" CROSS_COMPILE=riscv64-linux-gnu- "$@"; }
	bmake defconfig >/dev/null
	# Static, and without the applets that do not build against current kernel headers.
	sed -i -e 's/^# CONFIG_STATIC is not set/CONFIG_STATIC=y/' \
	       -e 's/^CONFIG_TC=y/# CONFIG_TC is not set/' \
	       -e 's/^CONFIG_FEATURE_TC_INGRESS=y/# CONFIG_FEATURE_TC_INGRESS is not set/' "$src/.config"
	yes "" | bmake oldconfig >/dev/null 2>&1
	bmake -j"$(nproc)" busybox >"$dir/build.log" 2>&1 || { tail -30 "$dir/build.log" >&2; exit 1; }
	cp "$src/busybox" "$dir/busybox.tmp" && mv "$dir/busybox.tmp" "$dir/busybox"
fi
cp "$dir/busybox" "$out"
