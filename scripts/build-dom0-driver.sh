#!/bin/bash
# SPDX-License-Identifier: MIT
# build-dom0-driver.sh IMAGE OUT.ko: builds dom0/driver as an out-of-tree module
# against the cached kernel build that produced IMAGE (build-kernel.sh), so the
# module always matches the kernel Dom0 boots.
set -eu
image=$1 out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${RIVET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rivet}
obj=
for d in "$cache"/linux-*/; do
	if [ -f "$d/Image" ] && cmp -s "$d/Image" "$image"; then obj=${d%/}/obj; fi
done
[ -n "$obj" ] || { echo "build-dom0-driver: no cached kernel tree built $image" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
work=$(cd "$(dirname "$out")" && pwd)/driver-build   # kbuild wants M= absolute
rm -rf "$work" && mkdir -p "$work"
cp "$here"/dom0/driver/Kbuild "$here"/dom0/driver/*.c "$here"/dom0/driver/*.h "$work"/
cp "$here"/microvisor/include/public/*.h "$work"/
sed -i 's|-I$(src)/../../microvisor/include/public||' "$work/Kbuild"
exec 9>"$cache/linux.lock"
flock 9
kmake() { make -s -C "$obj" ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- "$@"; }
kmake modules_prepare >/dev/null
KBUILD_MODPOST_WARN=1 kmake M="$work" modules >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
cp "$work/rivet.ko" "$out"
