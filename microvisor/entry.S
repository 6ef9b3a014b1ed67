/* SPDX-License-Identifier: MIT */
/*
 * trap.S: the HS-mode trap vector and guest entry.
 * While a guest runs, sscratch holds its vCPU's trap frame; while the
 * microvisor runs, sscratch is 0, which is how the vector tells the two apart.
 */
#include "asm-offsets.h"

.macro SAVE_GPRS base
	sd	x1, FRAME_X + 1*8(\base)
	.irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, FRAME_X + \n*8(\base)
	.endr
.endm

.macro RESTORE_GPRS_BUT_A0 base
	ld	x1, FRAME_X + 1*8(\base)
	.irp n, 2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, FRAME_X + \n*8(\base)
	.endr
.endm

	.section .text
	.balign 4
	.globl trap_vector
trap_vector:
	csrrw	sp, sscratch, sp
	beqz	sp, from_hs
	/* From a guest: sp = its trap frame, sscratch = the guest's sp. */
	SAVE_GPRS sp
	csrr	t0, sscratch
	sd	t0, FRAME_X + 2*8(sp)
	csrr	t0, sepc
	sd	t0, FRAME_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, FRAME_SSTATUS(sp)
	csrr	t0, hstatus
	sd	t0, FRAME_HSTATUS(sp)
	csrw	sscratch, zero
	mv	a0, sp
	ld	tp, FRAME_HYP_TP(a0)
	ld	sp, FRAME_HYP_SP(a0)
	call	guest_trap
	/* fall through: a0 = the frame of the vCPU to run next */

/* void enter_guest(struct trap_frame *f): never returns. */
	.globl enter_guest
enter_guest:
	ld	t0, FRAME_SEPC(a0)
	csrw	sepc, t0
	ld	t0, FRAME_SSTATUS(a0)
	csrw	sstatus, t0
	ld	t0, FRAME_HSTATUS(a0)
	csrw	hstatus, t0
	csrw	sscratch, a0
	RESTORE_GPRS_BUT_A0 a0
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
	RESTORE_GPRS_BUT_A0 a0
	ld	a0, FRAME_X + 10*8(a0)
	sret
