/* SPDX-License-Identifier: MIT */
/*
 * trapframe.h: the register state saved when a guest traps into HS-mode.
 * entry.S uses the offsets generated from this struct (asm-offsets.c), so the
 * two cannot drift. x[0] exists so that decoders can write x[rd] blindly.
 */
#ifndef RIVET_TRAPFRAME_H
#define RIVET_TRAPFRAME_H
#include "types.h"

struct trap_frame {
	u64 x[32];
	u64 sepc;
	u64 sstatus;
	u64 hstatus;
	u64 hyp_sp;   /* hart stack top the trap path switches to */
	u64 hyp_tp;   /* the hart's struct hart *, restored into tp */
};

enum {
	REG_ZERO = 0, REG_RA = 1, REG_SP = 2, REG_GP = 3, REG_TP = 4,
	REG_A0 = 10, REG_A1, REG_A2, REG_A3, REG_A4, REG_A5, REG_A6, REG_A7,
};

/*
 * The registers entry.S saves on every trap: what C code may clobber (ra,
 * t0-t6, a0-a7), sp and tp, and x0 (never read back). gp and s0-s11, and
 * sepc, sstatus and hstatus, reach the frame only on the full path (a vCPU
 * switch, MMIO decoding, anything but the fast exits): until then the
 * hart's registers and CSRs hold them.
 */
#define FRAME_PARTIAL_REGS 0xf003fcf7U
static inline bool frame_partial_has(unsigned reg)
{
	return reg < 32 && ((FRAME_PARTIAL_REGS >> reg) & 1);
}

/* guest_trap_fast()'s verdict, which entry.S acts on (anything but 0: the full path). */
enum trap_path {
	TRAP_RESUME = 0,      /* handled: the same vCPU resumes from the partial frame */
	TRAP_FULL_HANDLED,    /* handled, but the hart must schedule: save the rest, then guest_trap() */
	TRAP_FULL,            /* not handled: save the rest, then guest_trap() */
};
#endif
