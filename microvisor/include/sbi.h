/* SPDX-License-Identifier: MIT */
/* sbi.h: the SBI a guest sees: one descriptor per extension, one dispatcher. */
#ifndef RIVET_SBI_H
#define RIVET_SBI_H
#include "vcpu.h"
#include "sbi_call.h"
#include "public/hypercall.h"

#define SBI_SPEC_VERSION ((3UL << 24) | 0)   /* SBI v3.0 */
#define SBI_IMPL_ID_RIVET 0x52495654UL      /* "RIVT": not a registered id */
/*
 * The handler decided where the vCPU goes next; do not touch a0/a1 or sepc.
 * An error value no call can return: no SBI error is LONG_MIN, and legacy
 * calls return a byte, 0 or -1 in that register (getchar of 0x01 included).
 */
#define SBI_NO_RETURN_ERR (-0x7fffffffffffffffL - 1)
#define SBI_NO_RETURN SBI_RET(SBI_NO_RETURN_ERR, 0)

struct sbi_ext {
	const char *name;
	unsigned long eid_min, eid_max;
	struct sbiret (*call)(struct vcpu *v, unsigned long fid, struct trap_frame *f);
	/*
	 * The trap fast path may call it on a frame holding only what the C
	 * convention clobbers (entry.S): it reads and writes no register of the
	 * caller but a0-a7 and sepc, and changes no other vCPU's frame.
	 */
	bool fast;
};

extern const struct sbi_ext sbi_base, sbi_time, sbi_ipi, sbi_rfence, sbi_hsm, sbi_srst,
	sbi_dbcn, sbi_legacy, sbi_rivet, sbi_pmu, sbi_fwft, sbi_sta, sbi_susp;

const struct sbi_ext *sbi_find(unsigned long eid);
/* Handles the vCPU's ecall; false (nothing done) if the extension is not fast and the frame is partial. */
bool sbi_dispatch(struct vcpu *v, bool partial_frame);

#define SBI_RET(e, val) ((struct sbiret){ .error = (e), .value = (val) })

/* Resolves an SBI (hart_mask, hart_mask_base) pair to a bitmap of the domain's vCPUs. */
int sbi_hart_mask(struct vcpu *v, unsigned long mask, unsigned long base, u64 *out);
/*
 * The calling vCPU (current on this hart) sleeps until an interrupt it
 * enabled in sie is pending (HSM suspend, SUSP). Retentive: the call then
 * returns 0; else it resumes at resume in S-mode with a0 = its hart id,
 * a1 = opaque, sstatus.SIE and satp 0. Returns SBI_NO_RETURN.
 */
struct sbiret sbi_suspend_current(struct vcpu *v, bool retentive, u64 resume, u64 opaque);
#endif
