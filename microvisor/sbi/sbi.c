// SPDX-License-Identifier: MIT
/* sbi.c: routes a guest ecall to the extension that owns its EID; the one place sepc advances. */
#include "sbi.h"
#include "domain.h"

/*
 * The extensions with one EID each, at their EID modulo SBI_OWNER_SLOTS
 * (sbi.h): a shared slot would be a compile error (-Woverride-init).
 */
#define OWNER(eid, ext) [(eid) % SBI_OWNER_SLOTS] = &(ext)
const struct sbi_ext *const sbi_owners[SBI_OWNER_SLOTS] = {
	OWNER(SBI_EXT_BASE, sbi_base), OWNER(SBI_EXT_TIME, sbi_time), OWNER(SBI_EXT_IPI, sbi_ipi),
	OWNER(SBI_EXT_RFENCE, sbi_rfence), OWNER(SBI_EXT_HSM, sbi_hsm), OWNER(SBI_EXT_SRST, sbi_srst),
	OWNER(SBI_EXT_DBCN, sbi_dbcn), OWNER(RIVET_SBI_EXT, sbi_rivet), OWNER(SBI_EXT_PMU, sbi_pmu),
	OWNER(SBI_EXT_FWFT, sbi_fwft), OWNER(SBI_EXT_STA, sbi_sta), OWNER(SBI_EXT_SUSP, sbi_susp),
};

const struct sbi_ext *sbi_find(unsigned long eid)
{
	return sbi_find_inline(eid);
}

bool sbi_dispatch(struct vcpu *v, bool partial_frame)
{
	return sbi_dispatch_inline(v, partial_frame);
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
