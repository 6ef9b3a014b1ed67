/* SPDX-License-Identifier: MIT */
/* resume.S: resume_save / resume_entry (resume.h): a setjmp that an SBI non-retentive resume longjmps to. */
#define CTX_A0      128
#define CTX_A1      136
#define CTX_SATP    144
#define CTX_SSTATUS 152

	.section .text
	.globl resume_save
resume_save:
	sd	ra, 0(a0)
	sd	sp, 8(a0)
	sd	gp, 16(a0)
	sd	tp, 24(a0)
	sd	s0, 32(a0)
	sd	s1, 40(a0)
	sd	s2, 48(a0)
	sd	s3, 56(a0)
	sd	s4, 64(a0)
	sd	s5, 72(a0)
	sd	s6, 80(a0)
	sd	s7, 88(a0)
	sd	s8, 96(a0)
	sd	s9, 104(a0)
	sd	s10, 112(a0)
	sd	s11, 120(a0)
	li	a0, 0
	ret

	/* a0 = hart id, a1 = the resume_ctx given as opaque. */
	.balign 4
	.globl resume_entry
resume_entry:
	sd	a0, CTX_A0(a1)
	sd	a1, CTX_A1(a1)
	csrr	t0, satp
	sd	t0, CTX_SATP(a1)
	csrr	t0, sstatus
	sd	t0, CTX_SSTATUS(a1)
	ld	ra, 0(a1)
	ld	sp, 8(a1)
	ld	gp, 16(a1)
	ld	tp, 24(a1)
	ld	s0, 32(a1)
	ld	s1, 40(a1)
	ld	s2, 48(a1)
	ld	s3, 56(a1)
	ld	s4, 64(a1)
	ld	s5, 72(a1)
	ld	s6, 80(a1)
	ld	s7, 88(a1)
	ld	s8, 96(a1)
	ld	s9, 104(a1)
	ld	s10, 112(a1)
	ld	s11, 120(a1)
	li	a0, 1
	ret
