/* SPDX-License-Identifier: MIT */
/*
 * vcpu_switch.h: the common vCPU switch, inline, so that the directed yield
 * (sched.c) can do it without a call and so without a stack frame: the
 * VS-level CSRs swapped with one csrrw each, when there is nothing else to
 * move. vcpu.c does the rest (FP, counters, a new hart) and the halves.
 */
#ifndef RIVET_VCPU_SWITCH_H
#define RIVET_VCPU_SWITCH_H
#include "hart.h"
#include "sbi_fwft.h"

/*
 * The VS-level CSRs a vCPU takes with it, in one list for the three ways
 * they move: loaded, saved, or both at once in a switch (csrrw writes the
 * next vCPU's value and reads the last one's in one instruction). Every one
 * of them can change while the guest runs (hvip through sip.SSIP, vstimecmp
 * through stimecmp), so each is saved on every put. hgatp is not here:
 * vmid_enter() writes it, once the VMID is known to be current.
 */
#define VCPU_CSRS(X) \
	X(CSR_VSSTATUS, vsstatus) X(CSR_VSIE, vsie) X(CSR_VSTVEC, vstvec) X(CSR_VSSCRATCH, vsscratch) \
	X(CSR_VSEPC, vsepc) X(CSR_VSCAUSE, vscause) X(CSR_VSTVAL, vstval) X(CSR_VSATP, vsatp) \
	X(CSR_HVIP, hvip) X(CSR_VSTIMECMP, vstimecmp) X(CSR_SCOUNTEREN, scounteren) X(CSR_SENVCFG, senvcfg)

/*
 * The part of vcpu_switch_is_plain() besides counters: prev did not dirty
 * FP (nothing to save), next's FP content is already in the registers, and
 * h is the hart next last ran on.
 */
static inline bool vcpu_switch_fp_plain(const struct vcpu *prev, const struct vcpu *next, const struct hart *h)
{
	return (prev->frame.sstatus & SSTATUS_FS) != SSTATUS_FS_DIRTY && h->fp_tag == next->fp_tag &&
	       next->fp_tag != FP_TAG_UNKNOWN && next->last_hart == (int)h->index;
}

/*
 * True if a switch from prev to next on h only moves CSRs
 * (vcpu_switch_plain()): neither counts (no counter samples), and
 * vcpu_switch_fp_plain().
 */
static inline bool vcpu_switch_is_plain(const struct vcpu *prev, const struct vcpu *next, const struct hart *h)
{
	return !((prev->pmu.started | next->pmu.started) & VPMU_HW_MASK) && vcpu_switch_fp_plain(prev, next, h);
}

/*
 * True, for next's switch_sig, if h already holds all next needs of hedeleg, henvcfg and
 * hcounteren, and neither next nor the current vCPU (whose switch_sig
 * loaded_sig is, hart.h) counts: with vcpu_switch_fp_plain(), a switch
 * that only swaps the VS CSRs. Both have an STA record, or neither.
 */
static inline bool vcpu_switch_sig_plain(u64 next_sig, const struct hart *h)
{
	return next_sig == h->loaded_sig && !(next_sig & SWITCH_SIG_SLOW);
}

/* The VS CSRs swapped: prev's saved, next's loaded, one csrrw each. */
static inline __attribute__((always_inline)) void vcpu_swap_csrs(struct vcpu *prev, struct vcpu *next)
{
	struct vcpu_csrs *out = &prev->csrs;
	const struct vcpu_csrs *in = &next->csrs;
#define SWAP_CSR(csr, field) out->field = csr_swap(csr, in->field);
	VCPU_CSRS(SWAP_CSR)
#undef SWAP_CSR
}

/*
 * vcpu_put(prev) and vcpu_load(next) on h, this hart, where
 * vcpu_switch_is_plain() holds: the VS CSRs swapped, then what load_rest()
 * (vcpu.c) does besides FP, a new hart and counter samples.
 */
static inline __attribute__((always_inline)) void vcpu_switch_plain(struct vcpu *prev, struct vcpu *next,
								     struct hart *h)
{
	vcpu_swap_csrs(prev, next);
	sbi_fwft_load(next, h);
	HART_CSR_UPDATE(h, hcounteren, CSR_HCOUNTEREN, vpmu_hcounteren(&next->pmu));
	h->loaded_sig = next->switch_sig;
}
#endif
