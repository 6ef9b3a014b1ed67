// SPDX-License-Identifier: MIT
/* sbi.c: routes a guest ecall to the extension that owns its EID; the one place sepc advances. */
#include "sbi.h"
#include "domain.h"

/* Whether this machine lets Rivet offer the extension: the PMU counts with HS-mode's cycle and instret. */
static bool sbi_offered(const struct sbi_ext *e)
{
	return e != &sbi_pmu || vpmu_host_counters;
}

/* The extension that owns eid: a direct switch, since it runs on every ecall. */
static const struct sbi_ext *sbi_owner(unsigned long eid)
{
	switch (eid) {
	case SBI_EXT_BASE:   return &sbi_base;
	case SBI_EXT_TIME:   return &sbi_time;
	case SBI_EXT_IPI:    return &sbi_ipi;
	case SBI_EXT_RFENCE: return &sbi_rfence;
	case SBI_EXT_HSM:    return &sbi_hsm;
	case SBI_EXT_SRST:   return &sbi_srst;
	case SBI_EXT_DBCN:   return &sbi_dbcn;
	case RIVET_SBI_EXT:  return &sbi_rivet;
	case SBI_EXT_PMU:    return &sbi_pmu;
	case SBI_EXT_FWFT:   return &sbi_fwft;
	case SBI_EXT_STA:    return &sbi_sta;
	case SBI_EXT_SUSP:   return &sbi_susp;
	}
	/* The legacy extensions are a range of EIDs (the only extension that is). */
	if (eid >= sbi_legacy.eid_min && eid <= sbi_legacy.eid_max)
		return &sbi_legacy;
	return NULL;
}

const struct sbi_ext *sbi_find(unsigned long eid)
{
	const struct sbi_ext *e = sbi_owner(eid);
	return e && sbi_offered(e) ? e : NULL;
}

bool sbi_dispatch(struct vcpu *v, bool partial_frame)
{
	struct trap_frame *f = &v->frame;
	const struct sbi_ext *e = sbi_find(f->x[REG_A7]);
	if (partial_frame && e && !e->fast)
		return false;
	/* Step past the ecall first: a handler that restarts the vCPU overwrites sepc. */
	f->sepc += 4;
	struct sbiret r = e ? e->call(v, f->x[REG_A6], f) : SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
	if (r.error == SBI_NO_RETURN_ERR)
		return true;
	/* Only a vCPU counting firmware events pays for the lookup. */
	if (r.error == SBI_SUCCESS && (v->pmu.started & VPMU_FW_MASK))
		vpmu_sbi_done(v, f->x[REG_A7], f->x[REG_A6]);
	f->x[REG_A0] = r.error;
	/* Legacy calls return only a0; v0.2+ calls return a1 too. */
	if (e != &sbi_legacy)
		f->x[REG_A1] = r.value;
	return true;
}

int sbi_hart_mask(struct vcpu *v, unsigned long mask, unsigned long base, u64 *out)
{
	unsigned n = v->dom->nr_vcpus;
	u64 all = n >= 64 ? ~0UL : (1UL << n) - 1;
	if (base == ~0UL) {
		*out = all;
		return 0;
	}
	if (base >= n)
		return mask ? SBI_ERR_INVALID_PARAM : (*out = 0, 0);
	u64 shifted = mask << base;
	if ((shifted >> base) != mask || (shifted & ~all))
		return SBI_ERR_INVALID_PARAM;
	*out = shifted;
	return 0;
}
