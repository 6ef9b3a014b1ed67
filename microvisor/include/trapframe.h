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
#endif
