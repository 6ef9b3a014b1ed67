// SPDX-License-Identifier: MIT
/* sbi.c: routes a guest ecall to the extension that owns its EID; the one place sepc advances. */
#include "sbi.h"
#include "domain.h"

/* Whether this machine lets Rivet offer the extension: the PMU counts with HS-mode's cycle and instret. */
static bool sbi_offered(const struct sbi_ext *e)
{
	return e != &sbi_pmu || vpmu_host_counters;
}

/*
 * The extensions with one EID each, at their EID modulo OWNER_SLOTS: the
 * smallest modulus that gives each its own slot (a shared one would be a
 * compile error: -Woverride-init). A lookup is a division and a compare,
 * since it runs on every ecall.
 */
#define OWNER_SLOTS 39
#define OWNER(eid, ext) [(eid) % OWNER_SLOTS] = &(ext)
static const struct sbi_ext *const owners[OWNER_SLOTS] = {
	OWNER(SBI_EXT_BASE, sbi_base), OWNER(SBI_EXT_TIME, sbi_time), OWNER(SBI_EXT_IPI, sbi_ipi),
	OWNER(SBI_EXT_RFENCE, sbi_rfence), OWNER(SBI_EXT_HSM, sbi_hsm), OWNER(SBI_EXT_SRST, sbi_srst),
	OWNER(SBI_EXT_DBCN, sbi_dbcn), OWNER(RIVET_SBI_EXT, sbi_rivet), OWNER(SBI_EXT_PMU, sbi_pmu),
	OWNER(SBI_EXT_FWFT, sbi_fwft), OWNER(SBI_EXT_STA, sbi_sta), OWNER(SBI_EXT_SUSP, sbi_susp),
};

/* The extension that owns eid, NULL if none does. */
static const struct sbi_ext *sbi_owner(unsigned long eid)
{
	/* The legacy extensions are a range of EIDs (the only extension that is). */
	if (eid <= sbi_legacy.eid_max)
		return eid >= sbi_legacy.eid_min ? &sbi_legacy : NULL;
	const struct sbi_ext *e = owners[eid % OWNER_SLOTS];
	return e && e->eid_min == eid ? e : NULL;
}

/* Inline: the dispatcher calls it on every ecall. */
static inline const struct sbi_ext *find(unsigned long eid)
{
	const struct sbi_ext *e = sbi_owner(eid);
	return e && sbi_offered(e) ? e : NULL;
}

const struct sbi_ext *sbi_find(unsigned long eid)
{
	return find(eid);
}

bool sbi_dispatch(struct vcpu *v, bool partial_frame)
{
	struct trap_frame *f = &v->frame;
	const struct sbi_ext *e = find(f->x[REG_A7]);
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
