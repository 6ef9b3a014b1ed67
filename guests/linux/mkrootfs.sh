#!/bin/bash
# SPDX-License-Identifier: MIT
# mkrootfs.sh OUT.cpio GEN_INIT_CPIO BUSYBOX DIR...: packs a busybox root
# filesystem as a newc initramfs. DIRs are copied in order (later ones win, as
# a buildroot overlay does); guests/linux/rootfs is the base every Linux
# domain uses, Dom0 adds its own on top. Ownership is root, device nodes come
# from the list, so no privileges are needed.
set -eu
out=$1 gen=$2 busybox=$3
shift 3
list=$(mktemp)
trap 'rm -f "$list"' EXIT
{
	for d in /dev /proc /sys /tmp /run /bin /sbin /usr /usr/bin /usr/sbin /etc /root /var /var/log; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	echo "file /bin/busybox $busybox 0755 0 0"
	echo "slink /bin/sh /bin/busybox 0777 0 0"
	echo "slink /init /bin/busybox 0777 0 0"
	echo "slink /sbin/init /bin/busybox 0777 0 0"
	for top in "$@"; do
		[ -d "$top" ] || { echo "mkrootfs: $top: not a directory" >&2; exit 1; }
		(cd "$top" && find . -mindepth 1 | LC_ALL=C sort) | while read -r rel; do
			p=${rel#.}
			src=$top/$rel
			mode=$(stat -c %a "$src")
			if [ -L "$src" ]; then
				echo "slink $p $(readlink "$src") 0777 0 0"
			elif [ -d "$src" ]; then
				echo "dir $p $mode 0 0"
			elif [ -f "$src" ]; then
				echo "file $p $(cd "$(dirname "$src")" && pwd)/$(basename "$src") $mode 0 0"
			fi
		done
	done
} > "$list"
"$gen" "$list" > "$out.tmp"
mv "$out.tmp" "$out"
