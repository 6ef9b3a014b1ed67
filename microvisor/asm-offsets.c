// SPDX-License-Identifier: MIT
/* asm-offsets.c: emits struct offsets for entry.S; compiled to assembly only, never linked. */
#include "trapframe.h"
#include "csr.h"
#include "hart.h"
#include "sbi.h"

#define DEFINE(sym, val) asm volatile("\n.ascii \"->" #sym " %0\"" :: "i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(FRAME_X, offsetof(struct trap_frame, x));
	DEFINE(FRAME_SEPC, offsetof(struct trap_frame, sepc));
	DEFINE(FRAME_SSTATUS, offsetof(struct trap_frame, sstatus));
	DEFINE(FRAME_HSTATUS, offsetof(struct trap_frame, hstatus));
	DEFINE(FRAME_HYP_SP, offsetof(struct trap_frame, hyp_sp));
	DEFINE(FRAME_HYP_TP, offsetof(struct trap_frame, hyp_tp));
	DEFINE(FRAME_SIZE, ALIGN_UP(sizeof(struct trap_frame), 16));
	DEFINE(HART_CURRENT, offsetof(struct hart, current));
	DEFINE(HART_KICKED, offsetof(struct hart, kicked));
	DEFINE(EXC_ECALL_VS_CAUSE, EXC_ECALL_VS);
	DEFINE(TRAP_FULL_HANDLED_PATH, TRAP_FULL_HANDLED);
	DEFINE(TRAP_FULL_PATH, TRAP_FULL);
	DEFINE(SBI_FAST_DECLINED_ERR, SBI_FAST_DECLINED);
	_Static_assert(SBI_SUCCESS == 0 && SBI_FAST_SWITCH > 0, "entry.S: a switch's result is x0, a0 > 0 tells it");
	/* entry.S takes a hart's current vCPU for its frame. */
	_Static_assert(offsetof(struct vcpu, frame) == 0, "the trap frame comes first in struct vcpu");
}
