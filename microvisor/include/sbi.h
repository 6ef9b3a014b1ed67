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

#define SBI_RET(e, val) ((struct sbiret){ .error = (e), .value = (val) })

/* The extension that owns eid and is offered, NULL if none. */
const struct sbi_ext *sbi_find(unsigned long eid);
/* Handles the vCPU's ecall; false (nothing done) if the extension is not fast and the frame is partial. */
bool sbi_dispatch(struct vcpu *v, bool partial_frame);

/*
 * The dispatcher's body, inline in the header so that the trap fast path
 * (trap.c) runs it without a call and a second stack frame on every ecall;
 * sbi_find() and sbi_dispatch() (sbi.c) are the out-of-line copies.
 *
 * The lookup is a division and a compare: sbi_owners (sbi.c) holds each
 * extension with one EID at its EID modulo SBI_OWNER_SLOTS, the smallest
 * modulus that gives each its own slot.
 */
#define SBI_OWNER_SLOTS 39
extern const struct sbi_ext *const sbi_owners[SBI_OWNER_SLOTS];

static inline const struct sbi_ext *sbi_find_inline(unsigned long eid)
{
	/*
	 * The legacy extensions are a range of EIDs (the only extension that
	 * is); its bounds as constants, not loaded from sbi_legacy on each call.
	 */
	_Static_assert(SBI_EXT_LEGACY_SET_TIMER == 0, "the legacy range starts at EID 0");
	if (eid <= SBI_EXT_LEGACY_SHUTDOWN)
		return &sbi_legacy;
	const struct sbi_ext *e = sbi_owners[eid % SBI_OWNER_SLOTS];
	if (!e || e->eid_min != eid)
		return NULL;
	/* Rivet offers the PMU only where it counts with HS-mode's cycle and instret. */
	if (e == &sbi_pmu && !vpmu_host_counters)
		return NULL;
	return e;
}

static inline bool sbi_dispatch_inline(struct vcpu *v, bool partial_frame)
{
	struct trap_frame *f = &v->frame;
	const struct sbi_ext *e = sbi_find_inline(f->x[REG_A7]);
	if (partial_frame && e && !e->fast)
		return false;
	/* Step past the ecall first: a handler that restarts the vCPU overwrites sepc. */
	f->sepc += 4;
	if (__builtin_expect(!e, 0)) {
		f->x[REG_A0] = SBI_ERR_NOT_SUPPORTED;
		f->x[REG_A1] = 0;
		return true;
	}
	struct sbiret r = e->call(v, f->x[REG_A6], f);
	if (r.error == SBI_NO_RETURN_ERR)
		return true;
	f->x[REG_A0] = r.error;
	/* Legacy calls return only a0; v0.2+ calls return a1 too. */
	if (e != &sbi_legacy)
		f->x[REG_A1] = r.value;
	/*
	 * Only a vCPU counting firmware events pays for the lookup. Counted
	 * after the result is in the frame, so r need not live across the call.
	 */
	if (__builtin_expect(r.error == SBI_SUCCESS && (v->pmu.started & VPMU_FW_MASK), 0))
		vpmu_sbi_done(v, f->x[REG_A7], f->x[REG_A6]);
	return true;
}

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
