// SPDX-License-Identifier: MIT
/* sbi.c: routes a guest ecall to the extension that owns its EID; the one place sepc advances. */
#include "sbi.h"
#include "domain.h"

/*
 * Every extension with one EID, at its EID modulo SBI_OWNER_SLOTS (39, the
 * smallest modulus that gives each its own slot): a shared slot would be a
 * compile error (-Woverride-init). The full path's lookup.
 */
#define SBI_OWNER_SLOTS 39
#define OWNER(eid, ext) [(eid) % SBI_OWNER_SLOTS] = &(ext)
static const struct sbi_ext *const sbi_owners[SBI_OWNER_SLOTS] = {
	OWNER(SBI_EXT_BASE, sbi_base), OWNER(SBI_EXT_TIME, sbi_time), OWNER(SBI_EXT_IPI, sbi_ipi),
	OWNER(SBI_EXT_RFENCE, sbi_rfence), OWNER(SBI_EXT_HSM, sbi_hsm), OWNER(SBI_EXT_SRST, sbi_srst),
	OWNER(SBI_EXT_DBCN, sbi_dbcn), OWNER(RIVET_SBI_EXT, sbi_rivet), OWNER(SBI_EXT_PMU, sbi_pmu),
	OWNER(SBI_EXT_FWFT, sbi_fwft), OWNER(SBI_EXT_STA, sbi_sta), OWNER(SBI_EXT_SUSP, sbi_susp),
};

/* The fast ones again, at their EID modulo SBI_FAST_SLOTS (sbi.h: what a fast handler may do). */
#define FAST(eid, ext) [(eid) % SBI_FAST_SLOTS] = &(ext)
const struct sbi_ext *const sbi_fast_owners[SBI_FAST_SLOTS] = {
	FAST(SBI_EXT_BASE, sbi_base), FAST(SBI_EXT_TIME, sbi_time), FAST(SBI_EXT_IPI, sbi_ipi),
	FAST(SBI_EXT_RFENCE, sbi_rfence), FAST(SBI_EXT_PMU, sbi_pmu), FAST(SBI_EXT_FWFT, sbi_fwft),
	FAST(SBI_EXT_STA, sbi_sta), FAST(SBI_EXT_DBCN, sbi_dbcn),
};

const struct sbi_ext *sbi_find(unsigned long eid)
{
	/* The legacy extensions are a range of EIDs (the only extension that is). */
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

struct sbiret sbi_fast_ecall(struct trap_frame *f)
{
	struct vcpu *v = container_of(f, struct vcpu, frame);
	unsigned long eid = f->x[REG_A7];
	const struct sbi_ext *e = sbi_fast_owners[eid % SBI_FAST_SLOTS];
	if (__builtin_expect(e && e->eid_min == eid, 1))
		return e->call(v, f->x[REG_A6], f);   /* a tail call: its a0, a1 are the guest's */
	/* An unknown EID is answered here; a slow extension's call takes the full path. */
	if (sbi_find(eid))
		return SBI_RET(SBI_FAST_DECLINED, 0);
	return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
}

void sbi_dispatch(struct vcpu *v)
{
	struct trap_frame *f = &v->frame;
	const struct sbi_ext *e = sbi_find(f->x[REG_A7]);
	/* Step past the ecall first: a handler that restarts the vCPU overwrites sepc. */
	f->sepc += 4;
	if (!e) {
		f->x[REG_A0] = SBI_ERR_NOT_SUPPORTED;
		f->x[REG_A1] = 0;
		return;
	}
	struct sbiret r = e->call(v, f->x[REG_A6], f);
	if (r.error == SBI_NO_RETURN_ERR)
		return;
	/*
	 * An IPI call's yield (SBI_FAST_SWITCH) succeeded; the hart schedules
	 * since yield_to is set (sched_fast_resume). Only the IPI extension's:
	 * a legacy getchar's byte 2 is its result, not a yield.
	 */
	f->x[REG_A0] = e == &sbi_ipi && r.error == SBI_FAST_SWITCH ? SBI_SUCCESS : r.error;
	/* Legacy calls return only a0; v0.2+ calls return a1 too. */
	if (e != &sbi_legacy)
		f->x[REG_A1] = r.value;
}
