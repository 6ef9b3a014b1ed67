// SPDX-License-Identifier: MIT
/*
 * sbi_rfence.c: SBI RFENCE. Remote fences become requests that each target
 * vCPU carries out on its hart before it next runs guest code; a full
 * hfence.vvma of the VMID covers every range and ASID form.
 */
#include "sbi.h"
#include "domain.h"
#include "csr.h"

enum { RF_FENCE_I, RF_SFENCE_VMA, RF_SFENCE_VMA_ASID };

int sbi_remote_fence(struct vcpu *v, u64 targets, u64 req)
{
	struct domain *d = v->dom;
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		if (!(targets & (1UL << i)))
			continue;
		if (d->vcpus[i] == v) {
			/* The caller: do it now, on this hart. */
			if (req & VCPU_REQ_FENCE_I)
				fence_i();
			if (req & VCPU_REQ_VVMA_FLUSH)
				hfence_vvma_all();
		} else {
			vcpu_request(d->vcpus[i], req);
		}
	}
	return SBI_SUCCESS;
}

static struct sbiret rfence_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	u64 targets, req;
	switch (fid) {
	case RF_FENCE_I:         req = VCPU_REQ_FENCE_I; break;
	case RF_SFENCE_VMA:
	case RF_SFENCE_VMA_ASID: req = VCPU_REQ_VVMA_FLUSH; break;
	default:                 return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);  /* no nested H */
	}
	int err = sbi_hart_mask(v, f->x[REG_A0], f->x[REG_A1], &targets);
	if (err)
		return SBI_RET(err, 0);
	err = sbi_remote_fence(v, targets, req);
	if (err == SBI_SUCCESS)
		sbi_count_fw_event(v, SBI_EXT_RFENCE, fid);
	return SBI_RET(err, 0);
}

const struct sbi_ext sbi_rfence = { "rfence", SBI_EXT_RFENCE, SBI_EXT_RFENCE, rfence_call };
