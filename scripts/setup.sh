#!/bin/bash
# SPDX-License-Identifier: MIT
# setup.sh: installs the Debian packages Rivet builds and runs with.
# Backports and deb-src entries are derived from the machine's own
# /etc/apt/sources.list.d/debian.sources (same URIs, other suites), so no
# archive host is ever written in this repository.
set -eu

# clang-14 and libclang-rt-14-dev (libFuzzer, ASan/UBSan runtimes): make fuzz.
# gdb-multiarch: the core-dump test opens a guest's core file with it.
PKGS_BASE="make gcc libc6-dev gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  gcc-riscv64-unknown-elf device-tree-compiler xz-utils cpio bc flex bison
  libssl-dev libelf-dev python3 dpkg-dev e2fsprogs
  clang-14 libclang-rt-14-dev gdb-multiarch"
PKGS_BPO="qemu-system-misc opensbi linux-source-6.12"

need=""
for p in $PKGS_BASE $PKGS_BPO; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
# QEMU must be the backports one (>= 9) where available: H + Sstc + Svadu.
[ -z "$need" ] && exit 0

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
src=/etc/apt/sources.list.d/debian.sources
bpo=/etc/apt/sources.list.d/rivet-backports.sources
if [ -f "$src" ] && [ ! -f "$bpo" ]; then
	# First stanza that names the plain "bookworm" suite: the main archive.
	awk -v RS= '/Suites:[^\n]*bookworm( |$|\n)/ && !done {print; done=1}' "$src" |
	awk '
		/^Types:/   { print "Types: deb deb-src"; next }
		/^Suites:/  { print "Suites: bookworm bookworm-backports"; next }
		/^#/        { next }
		{ print }' | $SUDO tee "$bpo" >/dev/null
	# The stock stanza already serves "deb bookworm"; keep only deb-src there
	# plus both types for backports, without duplicating entries.
	$SUDO sed -i 's/^Suites: bookworm bookworm-backports$/Suites: bookworm-backports/' "$bpo"
	printf '\n' | $SUDO tee -a "$bpo" >/dev/null
	awk -v RS= '/Suites:[^\n]*bookworm( |$|\n)/ && !done {print; done=1}' "$src" |
	awk '
		/^Types:/   { print "Types: deb-src"; next }
		/^Suites:/  { print "Suites: bookworm"; next }
		/^#/        { next }
		{ print }' | $SUDO tee -a "$bpo" >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends $PKGS_BASE >/dev/null
$SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports $PKGS_BPO >/dev/null
