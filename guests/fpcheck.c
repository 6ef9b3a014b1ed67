// SPDX-License-Identifier: MIT
/*
 * fpcheck.c: FP register isolation, run as two domains sharing one hart.
 * A fresh vCPU must find every FP register and fcsr zero (nothing left by a
 * domain that ran there before); then, round after round, it fills all 32
 * with a pattern of its own, sleeps in WFI so that the other domain runs on
 * the hart, and checks that its pattern is still there.
 */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/sbi.h"

#define ROUNDS      200
#define SSTATUS_FS_INITIAL (1UL << 13)
#define FCSR_BITS   0xffUL   /* frm and fflags */

static unsigned long regs[33];   /* f0-f31, then fcsr */

static void fp_write(const unsigned long *r)
{
	__asm__ volatile(".option push\n.option arch, +d\n"
		"fld f0, 0(%0)\n fld f1, 8(%0)\n fld f2, 16(%0)\n fld f3, 24(%0)\n"
		"fld f4, 32(%0)\n fld f5, 40(%0)\n fld f6, 48(%0)\n fld f7, 56(%0)\n"
		"fld f8, 64(%0)\n fld f9, 72(%0)\n fld f10, 80(%0)\n fld f11, 88(%0)\n"
		"fld f12, 96(%0)\n fld f13, 104(%0)\n fld f14, 112(%0)\n fld f15, 120(%0)\n"
		"fld f16, 128(%0)\n fld f17, 136(%0)\n fld f18, 144(%0)\n fld f19, 152(%0)\n"
		"fld f20, 160(%0)\n fld f21, 168(%0)\n fld f22, 176(%0)\n fld f23, 184(%0)\n"
		"fld f24, 192(%0)\n fld f25, 200(%0)\n fld f26, 208(%0)\n fld f27, 216(%0)\n"
		"fld f28, 224(%0)\n fld f29, 232(%0)\n fld f30, 240(%0)\n fld f31, 248(%0)\n"
		"fscsr %1\n.option pop" : : "r"(r), "r"(r[32]) : "memory");
}

static void fp_read(unsigned long *r)
{
	unsigned long fcsr;
	__asm__ volatile(".option push\n.option arch, +d\n"
		"fsd f0, 0(%1)\n fsd f1, 8(%1)\n fsd f2, 16(%1)\n fsd f3, 24(%1)\n"
		"fsd f4, 32(%1)\n fsd f5, 40(%1)\n fsd f6, 48(%1)\n fsd f7, 56(%1)\n"
		"fsd f8, 64(%1)\n fsd f9, 72(%1)\n fsd f10, 80(%1)\n fsd f11, 88(%1)\n"
		"fsd f12, 96(%1)\n fsd f13, 104(%1)\n fsd f14, 112(%1)\n fsd f15, 120(%1)\n"
		"fsd f16, 128(%1)\n fsd f17, 136(%1)\n fsd f18, 144(%1)\n fsd f19, 152(%1)\n"
		"fsd f20, 160(%1)\n fsd f21, 168(%1)\n fsd f22, 176(%1)\n fsd f23, 184(%1)\n"
		"fsd f24, 192(%1)\n fsd f25, 200(%1)\n fsd f26, 208(%1)\n fsd f27, 216(%1)\n"
		"fsd f28, 224(%1)\n fsd f29, 232(%1)\n fsd f30, 240(%1)\n fsd f31, 248(%1)\n"
		"frcsr %0\n.option pop" : "=r"(fcsr) : "r"(r) : "memory");
	r[32] = fcsr;
}

/* The first register that differs from want (-1: none). */
static int first_diff(const unsigned long *want)
{
	unsigned long got[33];
	fp_read(got);
	for (int i = 0; i < 33; i++)
		if (got[i] != want[i]) {
			printf("fpcheck: %s%d is 0x%lx, not 0x%lx\n", i < 32 ? "f" : "fcsr", i < 32 ? i : 0,
			       got[i], want[i]);
			return i;
		}
	return -1;
}

/* Sleeps in WFI until its timer fires (the other domain runs meanwhile). */
static void nap(void)
{
	sbi_set_timer(rdtime() + TICKS_PER_MS / 10);
	while (!(csr_read(sip) & SIP_STIP))
		wfi();
	sbi_set_timer(~0UL);
}

int main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	csr_set(sstatus, SSTATUS_FS_INITIAL);
	csr_set(sie, SIE_STIE);
	if (first_diff(regs) >= 0) {   /* regs is all zero still */
		printf("fpcheck: FAIL: a fresh vCPU's FP registers are not zero\n");
		return 1;
	}
	printf("fpcheck: fresh FP registers zero\n");
	/* Each domain its own patterns: the time it got here. */
	unsigned long seed = rdtime() * 0x9e3779b97f4a7c15UL;
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < 32; i++)
			regs[i] = seed ^ ((unsigned long)round << 40) ^ (0x0101010101UL * (unsigned long)i);
		regs[32] = (seed + (unsigned long)round) & FCSR_BITS;
		fp_write(regs);
		nap();
		if (first_diff(regs) >= 0) {
			printf("fpcheck: FAIL: round %d changed the registers\n", round);
			return 1;
		}
	}
	printf("fpcheck: %d rounds, registers kept\n", ROUNDS);
	return 0;
}
