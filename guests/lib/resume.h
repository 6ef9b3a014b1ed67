/* SPDX-License-Identifier: MIT */
/*
 * resume.h: coming back into C after an SBI non-retentive resume (HSM
 * hart_suspend 0x80000000, SUSP system_suspend), which starts the hart
 * afresh at an address with only a0 (hart id) and a1 (opaque) defined.
 */
#ifndef GUEST_RESUME_H
#define GUEST_RESUME_H

/* Layout shared with resume.S. */
struct resume_ctx {
	unsigned long regs[16];   /* 0: ra, sp, gp, tp, s0..s11 as resume_save saw them */
	unsigned long a0, a1;     /* 128: what the hart resumed with */
	unsigned long satp;       /* 144 */
	unsigned long sstatus;    /* 152 */
};

/*
 * Returns 0. Pass resume_entry as the resume address and ctx as opaque:
 * the hart then returns from this call a second time, with 1, on the
 * stack it had, after noting a0, a1, satp and sstatus in ctx. stvec is not
 * restored (the spec leaves it undefined): call trap_init() again.
 */
int resume_save(struct resume_ctx *ctx) __attribute__((returns_twice));
extern char resume_entry[];

#endif
