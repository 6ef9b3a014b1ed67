// SPDX-License-Identifier: MIT
/* sbi.c: routes a guest ecall to the extension that owns its EID; the one place sepc advances. */
#include "sbi.h"
#include "domain.h"

static const struct sbi_ext *const sbi_exts[] = {
	&sbi_base, &sbi_time, &sbi_ipi, &sbi_rfence, &sbi_hsm, &sbi_srst,
	&sbi_dbcn, &sbi_legacy, &sbi_rivet, &sbi_pmu, &sbi_fwft, &sbi_sta, &sbi_susp,
};

/* Whether this machine lets Rivet offer the extension: the PMU counts with HS-mode's cycle and instret. */
static bool sbi_offered(const struct sbi_ext *e)
{
	return e != &sbi_pmu || vpmu_host_counters;
}

const struct sbi_ext *sbi_find(unsigned long eid)
{
	for (unsigned i = 0; i < sizeof(sbi_exts) / sizeof(sbi_exts[0]); i++)
		if (eid >= sbi_exts[i]->eid_min && eid <= sbi_exts[i]->eid_max)
			return sbi_offered(sbi_exts[i]) ? sbi_exts[i] : NULL;
	return NULL;
}

void sbi_dispatch(struct vcpu *v)
{
	struct trap_frame *f = &v->frame;
	const struct sbi_ext *e = sbi_find(f->x[REG_A7]);
	/* Step past the ecall first: a handler that restarts the vCPU overwrites sepc. */
	f->sepc += 4;
	struct sbiret r = e ? e->call(v, f->x[REG_A6], f) : SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
	if (r.error == SBI_NO_RETURN_ERR)
		return;
	/* Only a vCPU counting firmware events pays for the lookup. */
	if (r.error == SBI_SUCCESS && (v->pmu.started & VPMU_FW_MASK))
		vpmu_sbi_done(v, f->x[REG_A7], f->x[REG_A6]);
	f->x[REG_A0] = r.error;
	/* Legacy calls return only a0; v0.2+ calls return a1 too. */
	if (e != &sbi_legacy)
		f->x[REG_A1] = r.value;
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
