/* SPDX-License-Identifier: MIT */
/*
 * xl_core.h: a guest's ELF core file (xl dump-core, on_* = coredump-*): pure
 * code over guest RAM already mapped into this process, so host tests and a
 * fuzz target can drive it. xl_dumpcore.c gathers the RAM and registers.
 *
 * The file is ELF64, ET_CORE, EM_RISCV, laid out as Linux writes a riscv64
 * process core, so gdb reads it: one PT_NOTE with, per vCPU, NT_PRSTATUS
 * (pr_pid = vCPU id + 1, pr_reg = pc, x1..x31), NT_PRFPREG (f0..f31, fcsr)
 * and a "RIVET" note with the whole struct rivet_vcpu_context (the VS CSRs);
 * then PT_LOAD segments: first the guest kernel's virtual mappings found in
 * the page table of a vCPU with paging on (p_vaddr virtual, p_paddr
 * guest-physical), then guest RAM itself (p_vaddr = p_paddr =
 * guest-physical, which is also what a guest without paging sees). The
 * virtual segments' bytes are those of the RAM segments (same file offsets).
 */
#ifndef RIVET_XL_CORE_H
#define RIVET_XL_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "bootimg.h"
#include "hypercall.h"

#define XL_CORE_PAGE        4096ULL
/* Bounds of the walk of a guest's (hostile) page table. */
#define XL_CORE_MAX_VSEGS   8192         /* virtual segments written at most */
#define XL_CORE_MAX_PTES    (1u << 21)   /* page-table entries read at most */
#define XL_CORE_MAX_MEM     1024         /* RAM runs (holes split RAM) */

/* Layout constants of Linux's riscv64 core notes (gdb reads them by size). */
#define XL_CORE_PRSTATUS_SIZE    376
#define XL_CORE_PRSTATUS_PID     32     /* pr_pid */
#define XL_CORE_PRSTATUS_REG     112    /* pr_reg: pc, x1..x31 */
#define XL_CORE_PRFPREG_SIZE     264    /* f0..f31, fcsr (4 bytes), padding */
#define XL_CORE_NT_RIVET_VCPU    0x52560001U   /* "RIVET" note: struct rivet_vcpu_context */

/* A run of guest RAM mapped into this process. */
struct xl_core_mem {
	uint64_t gpa, size;          /* page-aligned */
	const uint8_t *data;
};

/* A virtual mapping of the guest: [va, va + size) -> [gpa, gpa + size), inside one RAM run. */
struct xl_core_vseg {
	uint64_t va, gpa, size;
};

/* The walk's result beside its segments. */
struct xl_core_walk_stats {
	unsigned levels;             /* 0: satp's mode is Bare or unknown, nothing walked */
	uint64_t ptes_read;
	int truncated;               /* a bound was hit: the segments are the first ones found */
};

/*
 * Walks the guest page table SATP names (Sv39, Sv48 or Sv57; the table's
 * entries are guest-physical, read only where MEM has RAM), kernel half (the
 * upper, sign-extended addresses) first, and stores into OUT (room for MAX)
 * its leaf mappings that land in RAM, coalesced where both addresses run on.
 * Never reads outside MEM, never reads more than XL_CORE_MAX_PTES entries,
 * never recurses deeper than the mode's levels. Returns the count.
 */
unsigned xl_core_walk(uint64_t satp, const struct xl_core_mem *mem, unsigned nr_mem,
		      struct xl_core_vseg *out, unsigned max, struct xl_core_walk_stats *st);

/* What goes into one core file. */
struct xl_core_input {
	const struct rivet_vcpu_context *vcpus;
	unsigned nr_vcpus;
	const struct xl_core_mem *mem;           /* ascending, disjoint */
	unsigned nr_mem;
	const struct xl_core_vseg *vsegs;        /* each inside one of MEM */
	unsigned nr_vsegs;
};

/*
 * Writes the core to FD (at its current position, which must be 0). 0, or
 * -1 with WHY (a short reason; a write error names errno's text, so a full
 * disk says so).
 */
int xl_core_write(int fd, const struct xl_core_input *in, char *why, size_t why_size);

#endif
