/* SPDX-License-Identifier: MIT */
/* sbi.h: the SBI a guest sees: one descriptor per extension, one dispatcher. */
#ifndef RIVET_SBI_H
#define RIVET_SBI_H
#include "vcpu.h"
#include "domain.h"
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
};

extern const struct sbi_ext sbi_base, sbi_time, sbi_ipi, sbi_rfence, sbi_hsm, sbi_srst,
	sbi_dbcn, sbi_legacy, sbi_rivet, sbi_pmu, sbi_fwft, sbi_sta, sbi_susp;

#define SBI_RET(e, val) ((struct sbiret){ .error = (e), .value = (val) })

/* The extension that owns eid and is offered, NULL if none. */
const struct sbi_ext *sbi_find(unsigned long eid);
/* Handles the vCPU's ecall on its whole frame: any extension, sepc stepped in the frame. */
void sbi_dispatch(struct vcpu *v);

/*
 * The fast extensions (docs/architecture.md, "The trap path"): entry.S
 * calls sbi_fast_ecall() on a partial frame, with sepc and sstatus still in
 * their CSRs, and its result goes straight into the guest's a0 and a1. Such
 * a handler reads and writes no register of the caller but a0-a7, no sepc
 * or sstatus, no other vCPU's frame; it never returns SBI_NO_RETURN or a
 * positive error but SBI_FAST_SWITCH, and is always offered (PMU answers
 * NOT_SUPPORTED itself where the host cannot count). A guarded guest access
 * (guest_access.c) puts back the CSRs its fault overwrites, so it is safe.
 *
 * sbi_fast_owners holds each at its EID modulo SBI_FAST_SLOTS (sbi.c; a
 * shared slot is a compile error), a power of two, so the lookup is a mask.
 */
#define SBI_FAST_SLOTS 32
extern const struct sbi_ext *const sbi_fast_owners[SBI_FAST_SLOTS];
/* sbi_fast_ecall()'s "not mine": no SBI error is positive, so a0 > 0 tells entry.S. */
#define SBI_FAST_DECLINED 1
/*
 * An IPI call's "done, and this hart yields" (sched_yield_to()): the guest
 * gets SBI_SUCCESS and the value; entry.S saves the rest of the frame and
 * switches (guest_yield()), rather than the sender setting its own hart's
 * kicked, which it would read back and clear at once. The full path's
 * dispatcher gives the guest SBI_SUCCESS too.
 */
#define SBI_FAST_SWITCH 2
/*
 * The trapping vCPU's ecall, if a fast extension's or an unknown EID's:
 * its result, for the guest's a0 and a1 (the caller steps sepc), or
 * SBI_FAST_SWITCH (above); else SBI_FAST_DECLINED with nothing done, and
 * the full path handles it.
 */
struct sbiret sbi_fast_ecall(struct trap_frame *f);

/*
 * After a call succeeded: counts the firmware event it is (TIME, IPI, the
 * fences), paid for only by a vCPU that counts one. The handlers call it.
 */
static inline bool sbi_counts_fw_events(const struct vcpu *v)
{
	return __builtin_expect(v->pmu.started & VPMU_FW_MASK, 0);
}
static inline void sbi_count_fw_event(struct vcpu *v, unsigned long eid, unsigned long fid)
{
	if (sbi_counts_fw_events(v))
		vpmu_sbi_done(v, eid, fid);
}

/*
 * Resolves an SBI (hart_mask, hart_mask_base) pair to a bitmap of the
 * domain's vCPUs; SBI_ERR_INVALID_PARAM if it names one the domain lacks.
 * Inline: every IPI asks, and its common call then needs no stack frame.
 */
static inline int sbi_hart_mask(struct vcpu *v, unsigned long mask, unsigned long base, u64 *out)
{
	_Static_assert(RIVET_MAX_VCPUS < 64, "a domain's vCPUs fit in a mask with bits to spare");
	unsigned long n = v->dom->nr_vcpus;
	if (base == ~0UL) {   /* every hart */
		*out = (1UL << n) - 1;
		return 0;
	}
	if (base >= n)
		return mask ? SBI_ERR_INVALID_PARAM : (*out = 0, 0);
	/* Bit i names vCPU base + i: none may be set from n - base up (a shift below 64, as n is). */
	if (mask >> (n - base))
		return SBI_ERR_INVALID_PARAM;
	*out = mask << base;
	return 0;
}
/*
 * The calling vCPU (current on this hart) sleeps until an interrupt it
 * enabled in sie is pending (HSM suspend, SUSP). Retentive: the call then
 * returns 0; else it resumes at resume in S-mode with a0 = its hart id,
 * a1 = opaque, sstatus.SIE and satp 0. Returns SBI_NO_RETURN.
 */
struct sbiret sbi_suspend_current(struct vcpu *v, bool retentive, u64 resume, u64 opaque);
#endif
