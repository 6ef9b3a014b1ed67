/* SPDX-License-Identifier: MIT */
/*
 * entry.S: the HS-mode trap vector and guest entry.
 * While a guest runs, sscratch holds its vCPU's trap frame; while the
 * microvisor runs, sscratch is 0, which is how the vector tells the two apart.
 *
 * Two depths of saving (docs/architecture.md, "The trap path"): every trap
 * from a guest saves what C code may clobber (ra, sp, tp, t0-t6, a0-a7),
 * then guest_trap_fast() handles the common exits. The callee-saved
 * registers (gp, s0-s11) are still the guest's when it returns, since C
 * preserves them and never touches gp (rivet.ld defines no
 * __global_pointer$, so nothing is relaxed to gp-relative); sepc, sstatus
 * and hstatus are still in their CSRs, since only sepc is written there,
 * for the vCPU itself (a guarded guest access that faults in HS-mode puts
 * back what its trap overwrote, guest_access.c). If it says the vCPU
 * resumes, only the first group is restored. Anything else saves the rest
 * into the frame first, making it whole, and takes the full path, which
 * returns through enter_guest.
 */
#include "asm-offsets.h"

/* What the C calling convention lets a callee clobber, plus sp and tp (x2, x4). */
.macro SAVE_CALLER_SAVED base
	.irp n, 1,4,5,6,7,10,11,12,13,14,15,16,17,28,29,30,31
	sd	x\n, FRAME_X + \n*8(\base)
	.endr
.endm

/* gp and s0-s11: preserved by C code, so saved only where the frame must be whole. */
.macro SAVE_CALLEE_SAVED base
	.irp n, 3,8,9,18,19,20,21,22,23,24,25,26,27
	sd	x\n, FRAME_X + \n*8(\base)
	.endr
.endm

.macro RESTORE_CALLER_SAVED_BUT_A0 base
	.irp n, 1,2,4,5,6,7,11,12,13,14,15,16,17,28,29,30,31
	ld	x\n, FRAME_X + \n*8(\base)
	.endr
.endm

/* The same but t0, a0 and a1: a fast ecall's resume, with the frame in t0 and the results in a0, a1. */
.macro RESTORE_CALLER_SAVED_BUT_T0_A0_A1
	.irp n, 1,2,4,6,7,12,13,14,15,16,17,28,29,30,31
	ld	x\n, FRAME_X + \n*8(t0)
	.endr
.endm

.macro RESTORE_CALLEE_SAVED base
	.irp n, 3,8,9,18,19,20,21,22,23,24,25,26,27
	ld	x\n, FRAME_X + \n*8(\base)
	.endr
.endm

/* What the full path saves besides the partial frame, sepc excepted. */
.macro SAVE_REST_BUT_SEPC base
	csrr	t0, sstatus
	sd	t0, FRAME_SSTATUS(\base)
	csrr	t0, hstatus
	sd	t0, FRAME_HSTATUS(\base)
	SAVE_CALLEE_SAVED \base
.endm

.macro SAVE_GPRS base
	SAVE_CALLER_SAVED \base
	SAVE_CALLEE_SAVED \base
.endm

	.section .text
	.balign 4
	.globl trap_vector
trap_vector:
	csrrw	sp, sscratch, sp
	beqz	sp, from_hs
	/* From a guest: sp = its trap frame, sscratch = the guest's sp. */
	SAVE_CALLER_SAVED sp
	csrrw	t0, sscratch, zero
	sd	t0, FRAME_X + 2*8(sp)
	mv	a0, sp
	ld	tp, FRAME_HYP_TP(a0)
	ld	sp, FRAME_HYP_SP(a0)
	csrr	t0, scause
	li	t1, EXC_ECALL_VS_CAUSE
	bne	t0, t1, not_ecall
	/* An SBI call: its result comes back in a0 and a1, which is where the guest wants it. */
	call	sbi_fast_ecall
	bgtz	a0, ecall_switch_or_declined
	ld	t0, HART_KICKED(tp)
	bnez	t0, ecall_kicked
	csrr	t0, sepc
	addi	t0, t0, 4
	csrw	sepc, t0
	/*
	 * The vCPU resumes: gp, s0-s11, sepc, sstatus and hstatus are live. Its
	 * frame is the hart's current vCPU's (first in struct vcpu), as when it trapped.
	 */
	ld	t0, HART_CURRENT(tp)
	csrw	sscratch, t0
	RESTORE_CALLER_SAVED_BUT_T0_A0_A1
	ld	t0, FRAME_X + 5*8(t0)
	sret

ecall_kicked:
	/*
	 * Handled, but the hart must schedule: the results and the stepped sepc
	 * go into the frame (not into the CSR, which enter_guest overwrites).
	 */
	ld	t0, HART_CURRENT(tp)
	sd	a0, FRAME_X + 10*8(t0)
	sd	a1, FRAME_X + 11*8(t0)
	csrr	t1, sepc
	addi	t1, t1, 4
	sd	t1, FRAME_SEPC(t0)
	mv	a0, t0
	li	a1, TRAP_FULL_HANDLED_PATH
	j	save_rest_but_sepc
ecall_switch_or_declined:
	li	t0, SBI_FAST_DECLINED_ERR
	bne	a0, t0, ecall_switch
	ld	a0, HART_CURRENT(tp)
	li	a1, TRAP_FULL_PATH
	j	save_rest

not_ecall:
	call	guest_trap_fast
	bnez	a0, full_path
	/* TRAP_RESUME: as above. */
	ld	a0, HART_CURRENT(tp)
	csrw	sscratch, a0
	RESTORE_CALLER_SAVED_BUT_A0 a0
	ld	a0, FRAME_X + 10*8(a0)
	sret

full_path:
	/* a1: whether the exit was handled. The rest of the frame, then guest_trap(). */
	mv	a1, a0
	ld	a0, HART_CURRENT(tp)
save_rest:
	csrr	t0, sepc
	sd	t0, FRAME_SEPC(a0)
save_rest_but_sepc:
	SAVE_REST_BUT_SEPC a0
	call	guest_trap
	j	enter_guest

ecall_switch:
	/*
	 * SBI_FAST_SWITCH: an IPI call that succeeded and asks for a directed
	 * yield. Its result (SBI_SUCCESS, a1) and the stepped sepc go into the
	 * frame, made whole, and guest_yield() switches.
	 */
	ld	a0, HART_CURRENT(tp)
	sd	zero, FRAME_X + 10*8(a0)
	sd	a1, FRAME_X + 11*8(a0)
	csrr	t1, sepc
	addi	t1, t1, 4
	sd	t1, FRAME_SEPC(a0)
	SAVE_REST_BUT_SEPC a0
	call	guest_yield
	/* fall through: a0 = the frame of the vCPU to run next */

/* void enter_guest(struct trap_frame *f): never returns; f must be whole. */
	.globl enter_guest
enter_guest:
	RESTORE_CALLEE_SAVED a0
	/* The CSRs as the frame has them: the full path may have changed any of them. */
	ld	t0, FRAME_HSTATUS(a0)
	csrw	hstatus, t0
	ld	t0, FRAME_SEPC(a0)
	csrw	sepc, t0
	ld	t0, FRAME_SSTATUS(a0)
	csrw	sstatus, t0
	csrw	sscratch, a0
	RESTORE_CALLER_SAVED_BUT_A0 a0
	ld	a0, FRAME_X + 10*8(a0)
	sret

from_hs:
	/* A trap taken in HS-mode itself (a guarded guest-memory access). */
	csrrw	sp, sscratch, sp
	addi	sp, sp, -FRAME_SIZE
	SAVE_GPRS sp
	addi	t0, sp, FRAME_SIZE
	sd	t0, FRAME_X + 2*8(sp)
	csrr	t0, sepc
	sd	t0, FRAME_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, FRAME_SSTATUS(sp)
	mv	a0, sp
	call	hs_trap
	ld	t0, FRAME_SEPC(sp)
	csrw	sepc, t0
	ld	t0, FRAME_SSTATUS(sp)
	csrw	sstatus, t0
	mv	a0, sp
	RESTORE_CALLER_SAVED_BUT_A0 a0
	RESTORE_CALLEE_SAVED a0
	ld	a0, FRAME_X + 10*8(a0)
	sret
