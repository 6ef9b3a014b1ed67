/* SPDX-License-Identifier: MIT */
/* guest_access.h: reads through the guest's own translation (HLV), safe against bad pointers. */
#ifndef RIVET_GUEST_ACCESS_H
#define RIVET_GUEST_ACCESS_H
#include "types.h"
/* Reads a u64 at a guest virtual address as the vCPU in the hart would; -RIVET_EFAULT on a fault. */
int guest_read_va_u64(u64 va, u64 *out);
/* The instruction at a guest virtual pc (16 or 32 bits), fetched as the hart would; -RIVET_EFAULT on a fault. */
int guest_read_insn(u64 va, u32 *insn);
#endif
