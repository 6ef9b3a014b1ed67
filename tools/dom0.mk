# SPDX-License-Identifier: MIT
# tools/dom0.mk: Dom0 user space (libxc, xl, rivet-consoled), static riscv64 Linux programs.
