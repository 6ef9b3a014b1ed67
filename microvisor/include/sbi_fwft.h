/* SPDX-License-Identifier: MIT */
/* sbi_fwft.h: SBI FWFT's hooks into boot and the vCPU life cycle (sbi/sbi_fwft.c). */
#ifndef RIVET_SBI_FWFT_H
#define RIVET_SBI_FWFT_H
#include "vcpu.h"
#include "hart.h"
#include "csr.h"

/*
 * This hart's part of boot (every hart, before it runs a guest): asks the
 * firmware for hardware A/D updating where the hart has Svadu, since
 * henvcfg.ADUE is read-only zero while menvcfg.ADUE is clear.
 */
void sbi_fwft_hart_setup(bool svadu);
/*
 * Boot hart, once, after sbi_fwft_hart_setup and before any vCPU is reset:
 * the hedeleg / henvcfg every guest runs with, and which features this
 * machine's harts can give (probed on this hart; the harts are alike).
 */
void sbi_fwft_init(u64 hedeleg, u64 henvcfg);
/* A hart reset of the vCPU (HSM start, domain start or reboot): reset values, no locks. */
void sbi_fwft_reset(struct vcpu *v);
/*
 * Its hedeleg and henvcfg as one word (part of switch_sig, vcpu.h): equal
 * for two vCPUs exactly when both of their values are.
 */
u64 sbi_fwft_sig(const struct vcpu *v);
/*
 * Puts its hedeleg / henvcfg on this hart h (vcpu_load, and a set by the
 * vCPU itself). Most switches are between vCPUs that agree: h's copy of
 * what it last wrote (hart.h) spares the write, and reading the CSR back.
 */
static inline void sbi_fwft_load(struct vcpu *v, struct hart *h)
{
	HART_CSR_UPDATE(h, hedeleg, CSR_HEDELEG, v->hedeleg);
	HART_CSR_UPDATE(h, henvcfg, CSR_HENVCFG, v->henvcfg);
}
#endif
