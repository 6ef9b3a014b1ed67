// SPDX-License-Identifier: MIT
/* vcpu.c: vCPU register state: reset, loading and saving the VS CSRs and FP, interrupt injection. */
#include "vcpu.h"
#include "domain.h"
#include "hart.h"
#include "sched.h"
#include "csr.h"
#include "sbi_fwft.h"
#include "vcpu_switch.h"
#include "steal.h"
#include <string.h>

u64 vcpu_boot_scounteren, vcpu_boot_senvcfg;

void vcpu_reset(struct vcpu *v, u64 pc, u64 a0, u64 a1)
{
	memset(v->frame.x, 0, sizeof(v->frame.x));
	v->frame.x[REG_A0] = a0;
	v->frame.x[REG_A1] = a1;
	v->frame.sepc = pc;
	/* Enter VS-mode with interrupts off; FS Initial so the guest may use FP. */
	v->frame.sstatus = SSTATUS_SPP | SSTATUS_FS_INITIAL;
	/* SPV: return to V=1; SPVP: HLV/HSV act as VS; VTW: WFI traps so the vCPU blocks. */
	v->frame.hstatus = HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW;
	memset(&v->csrs, 0, sizeof(v->csrs));
	v->csrs.vsstatus = SSTATUS_FS_INITIAL;
	v->csrs.vstimecmp = ~0UL;
	/* As the firmware left them on the boot hart: guests such as Linux count on its counter grants. */
	v->csrs.scounteren = vcpu_boot_scounteren;
	v->csrs.senvcfg = vcpu_boot_senvcfg;
	memset(v->fp, 0, sizeof(v->fp));
	v->fcsr = 0;
	v->fp_tag = FP_TAG_ZERO;
	v->irq_inject = 0;
	/* Atomic: (v)PLIC lines are set without the home lock; a PLIC-driven vCPU's line is applied again. */
	atomic_xchg(&v->requests, VCPU_REQ_VVMA_FLUSH | VCPU_REQ_FENCE_I |
		    (v->dom && (v->dom->ioreq_ever || v->dom->vplic) ? VCPU_REQ_EXT_LINE : 0));
	v->io_wait = false;
	v->suspended = false;
	v->resume_nonretentive = false;
	vpmu_reset(&v->pmu);
	sbi_fwft_reset(v);
	sta_reset(v);
	vcpu_sig_changed(v);
}

void vcpu_sig_changed(struct vcpu *v)
{
	v->switch_sig = sbi_fwft_sig(v) | (v->pmu.used ? SWITCH_SIG_PMU_USED : 0) |
			(v->sta ? SWITCH_SIG_STA : 0) | ((v->pmu.started & VPMU_HW_MASK) ? SWITCH_SIG_SLOW : 0);
	struct hart *h = this_hart();
	if (h->current == v)
		h->loaded_sig = SWITCH_SIG_NONE;
}

/*
 * Lazy FP. A tag names one FP register content: FP_TAG_ZERO all zeros (a
 * vCPU's after reset), any other a content saved by fp_save, never reused.
 * v->fp_tag names what v->fp holds, h->fp_tag what hart h's registers hold
 * (FP_TAG_UNKNOWN: anything). vcpu_load restores only when they differ, so
 * a vCPU finds in the registers exactly its own last content: no other
 * vCPU's values, whatever ran on the hart meanwhile. This rests on the
 * registers changing only under a loaded vCPU whose FS then reads Dirty
 * (the hart sets it on any write), which vcpu_put sees and saves under a
 * new tag; the microvisor itself uses no FP.
 */
static u64 fp_next_tag = FP_TAG_ZERO + 1;   /* atomic: any hart saves */

static void fp_save(struct vcpu *v)
{
	u64 *f = v->fp;
	asm volatile(".option push\n.option arch, +d\n"
		"fsd f0, 0(%0)\n fsd f1, 8(%0)\n fsd f2, 16(%0)\n fsd f3, 24(%0)\n"
		"fsd f4, 32(%0)\n fsd f5, 40(%0)\n fsd f6, 48(%0)\n fsd f7, 56(%0)\n"
		"fsd f8, 64(%0)\n fsd f9, 72(%0)\n fsd f10, 80(%0)\n fsd f11, 88(%0)\n"
		"fsd f12, 96(%0)\n fsd f13, 104(%0)\n fsd f14, 112(%0)\n fsd f15, 120(%0)\n"
		"fsd f16, 128(%0)\n fsd f17, 136(%0)\n fsd f18, 144(%0)\n fsd f19, 152(%0)\n"
		"fsd f20, 160(%0)\n fsd f21, 168(%0)\n fsd f22, 176(%0)\n fsd f23, 184(%0)\n"
		"fsd f24, 192(%0)\n fsd f25, 200(%0)\n fsd f26, 208(%0)\n fsd f27, 216(%0)\n"
		"fsd f28, 224(%0)\n fsd f29, 232(%0)\n fsd f30, 240(%0)\n fsd f31, 248(%0)\n"
		".option pop" : : "r"(f) : "memory");
	u64 fcsr;
	asm volatile(".option push\n.option arch, +d\nfrcsr %0\n.option pop" : "=r"(fcsr));
	v->fcsr = fcsr;
}

static void fp_restore(struct vcpu *v)
{
	const u64 *f = v->fp;
	asm volatile(".option push\n.option arch, +d\n"
		"fld f0, 0(%0)\n fld f1, 8(%0)\n fld f2, 16(%0)\n fld f3, 24(%0)\n"
		"fld f4, 32(%0)\n fld f5, 40(%0)\n fld f6, 48(%0)\n fld f7, 56(%0)\n"
		"fld f8, 64(%0)\n fld f9, 72(%0)\n fld f10, 80(%0)\n fld f11, 88(%0)\n"
		"fld f12, 96(%0)\n fld f13, 104(%0)\n fld f14, 112(%0)\n fld f15, 120(%0)\n"
		"fld f16, 128(%0)\n fld f17, 136(%0)\n fld f18, 144(%0)\n fld f19, 152(%0)\n"
		"fld f20, 160(%0)\n fld f21, 168(%0)\n fld f22, 176(%0)\n fld f23, 184(%0)\n"
		"fld f24, 192(%0)\n fld f25, 200(%0)\n fld f26, 208(%0)\n fld f27, 216(%0)\n"
		"fld f28, 224(%0)\n fld f29, 232(%0)\n fld f30, 240(%0)\n fld f31, 248(%0)\n"
		"fscsr %1\n.option pop" : : "r"(f), "r"(v->fcsr) : "memory");
}

/* The first step of a put: what follows is the microvisor's work, not the guest's. */
static inline __attribute__((always_inline)) void put_counters(struct vcpu *v)
{
	/* Only a counting vCPU pays the call. */
	if (v->pmu.started & VPMU_HW_MASK)
		vpmu_put(v);
}

/* The last step of a put, once its CSRs are saved. */
static inline __attribute__((always_inline)) void put_fp(struct vcpu *v, struct hart *h)
{
	/* Only a guest that dirtied FP pays for saving it; the hart's registers then hold the new content. */
	if ((v->frame.sstatus & SSTATUS_FS) == SSTATUS_FS_DIRTY) {
		csr_set(CSR_SSTATUS, SSTATUS_FS_INITIAL);
		fp_save(v);
		csr_clear(CSR_SSTATUS, SSTATUS_FS);
		v->frame.sstatus = (v->frame.sstatus & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
		v->fp_tag = __atomic_fetch_add(&fp_next_tag, 1, __ATOMIC_RELAXED);
		h->fp_tag = v->fp_tag;
	}
}

/*
 * Its hcounteren (whether its counter reads trap), and a sample of the host
 * counters if it counts: only for started hardware counters, since a PMU
 * call that starts or stops one syncs first (sbi_pmu.c), which takes its own
 * sample, so a vCPU not counting costs no counter reads here.
 */
static inline __attribute__((always_inline)) void load_counters(struct vcpu *v, struct hart *h)
{
	HART_CSR_UPDATE(h, hcounteren, CSR_HCOUNTEREN, vpmu_hcounteren(&v->pmu));
	if (v->pmu.started & VPMU_HW_MASK)
		vpmu_loaded(&v->pmu, csr_read(CSR_CYCLE), csr_read(CSR_INSTRET));
}

void vcpu_load_counters(struct vcpu *v)
{
	load_counters(v, this_hart());
}

/* What a load does on hart h once v's VS CSRs are in place. */
static inline __attribute__((always_inline)) void load_rest(struct vcpu *v, struct hart *h)
{
	sbi_fwft_load(v, h);
	/* UNKNOWN never matches: a vCPU that somehow skipped vcpu_reset gets its own (zero) registers. */
	if (h->fp_tag != v->fp_tag || v->fp_tag == FP_TAG_UNKNOWN) {
		/* FS is enabled for the restore only; the guest's own FS rides in frame.sstatus. */
		csr_set(CSR_SSTATUS, SSTATUS_FS_INITIAL);
		fp_restore(v);
		csr_clear(CSR_SSTATUS, SSTATUS_FS);
		h->fp_tag = v->fp_tag;
	}
	if (v->last_hart != (int)h->index) {
		/* New to this hart (or back): its TLBs may hold older translations of the VMID. */
		atomic_or(&v->requests, VCPU_REQ_VVMA_FLUSH | VCPU_REQ_FENCE_I);
		hfence_gvma_vmid(v->dom->vmid);
		v->last_hart = h->index;
		/* Where its traps land: this hart's stack and struct hart (entry.S). */
		v->frame.hyp_sp = h->stack_top;
		v->frame.hyp_tp = (u64)(uintptr_t)h;
	}
	/* Last: its counters start counting with the guest about to run. */
	load_counters(v, h);
	h->loaded_sig = v->switch_sig;
}

void vcpu_load(struct vcpu *v)
{
	const struct vcpu_csrs *c = &v->csrs;
#define LOAD_CSR(csr, field) csr_write(csr, c->field);
	VCPU_CSRS(LOAD_CSR)
#undef LOAD_CSR
	load_rest(v, this_hart());
}

void vcpu_put(struct vcpu *v)
{
	struct vcpu_csrs *c = &v->csrs;
	put_counters(v);
#define SAVE_CSR(csr, field) c->field = csr_read(csr);
	VCPU_CSRS(SAVE_CSR)
#undef SAVE_CSR
	put_fp(v, this_hart());
	/* hvip and vstimecmp keep its values: the next vcpu_load writes both, an idle hart clears them. */
}

/* A switch with more than CSRs to move: the two halves one after the other. */
static void __attribute__((noinline)) switch_in_halves(struct vcpu *prev, struct vcpu *next)
{
	vcpu_put(prev);
	vcpu_load(next);
}

void vcpu_switch(struct vcpu *prev, struct vcpu *next)
{
	struct hart *h = this_hart();
	/* A tail call, so that the common way needs no stack frame. */
	if (!vcpu_switch_is_plain(prev, next, h)) {
		switch_in_halves(prev, next);
		return;
	}
	vcpu_switch_plain(prev, next, h);
}

void vcpu_inject_irq(struct vcpu *v, u64 hvip_bits)
{
	atomic_or(&v->irq_inject, hvip_bits);
	sched_wake(v);
}

void vcpu_set_ext_line(struct vcpu *v, bool level)
{
	__atomic_store_n(&v->ext_line, level, __ATOMIC_SEQ_CST);
	/*
	 * Loaded here (current): its hvip is this hart's, so the line goes there
	 * now and its trap can take the fast way back (Dom0 claiming from its
	 * vPLIC). A request another hart left meanwhile applies ext_line, the
	 * latest level, again: harmless.
	 */
	if (this_hart()->current == v) {
		if (level)
			csr_set(CSR_HVIP, IRQ_BIT(IRQ_VS_EXT));
		else
			csr_clear(CSR_HVIP, IRQ_BIT(IRQ_VS_EXT));
		return;
	}
	vcpu_request(v, VCPU_REQ_EXT_LINE);
	if (level)
		sched_wake(v);   /* it may sleep in WFI waiting for exactly this */
}

void vcpu_request(struct vcpu *v, u64 req)
{
	atomic_or(&v->requests, req);
	/* Its own hart too (no IPI then): the flag sends the trap path to schedule(), which applies it. */
	hart_kick(v->home);
}
