// SPDX-License-Identifier: MIT
/* sbi_rivet.c: the Rivet hypercall extension (microvisor/include/public/hypercall.h). */
#include "sbi.h"
#include "domain.h"
#include "hart.h"

static struct sbiret rivet_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	(void)f;
	switch (fid) {
	case RIVET_HC_VERSION:
		return SBI_RET(SBI_SUCCESS, (RIVET_ABI_MAJOR << 16) | RIVET_ABI_MINOR);
	case RIVET_HC_CURRENT_HART:
		return SBI_RET(SBI_SUCCESS, this_hart()->index);
	case RIVET_HC_DOMAIN_ID:
		return SBI_RET(SBI_SUCCESS, v->dom->id);
	}
	return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
}

const struct sbi_ext sbi_rivet = { "rivet", RIVET_SBI_EXT, RIVET_SBI_EXT, rivet_call };
