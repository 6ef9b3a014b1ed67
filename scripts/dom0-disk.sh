#!/bin/sh
# SPDX-License-Identifier: MIT
# dom0-disk.sh IMAGE SIZE: makes Dom0's persistent disk on the first make run:
# a sparse raw image with an ext4 file system labelled rivet-dom0, which
# Dom0's init mounts at /var/lib/rivet. An existing image is left alone.
set -eu
img=$1
size=$2
[ -e "$img" ] && exit 0
mkdir -p "$(dirname "$img")"
rm -f "$img.new"
truncate -s "$size" "$img.new"
# mkfs.ext4 lives in /sbin, which a user's PATH may lack.
PATH=$PATH:/sbin:/usr/sbin mkfs.ext4 -q -F -L rivet-dom0 -E root_owner=0:0 "$img.new"
mv "$img.new" "$img"
echo "  DISK    $img: Dom0's /var/lib/rivet ($size, ext4), kept across runs"
