// SPDX-License-Identifier: MIT
/* sbi_ipi.c: SBI IPI: raises VSSIP on each target vCPU of the caller's domain. */
#include "sbi.h"
#include "domain.h"
#include "csr.h"
#include "hart.h"

int sbi_send_ipis(struct vcpu *v, u64 targets)
{
	struct domain *d = v->dom;
	struct hart *h = this_hart();
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		if (!(targets & (1UL << i)))
			continue;
		struct vcpu *t = d->vcpus[i];
		vcpu_inject_irq(t, IRQ_BIT(IRQ_VS_SOFT));
		/*
		 * A sender usually waits for the answer (Linux's smp_call_function):
		 * when the target shares this hart, end the sender's slice so the
		 * target runs now instead of after it.
		 */
		if (t != v && t->home == h)
			h->slice_end = 0;
	}
	return SBI_SUCCESS;
}

static struct sbiret ipi_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	u64 targets;
	if (fid != 0)
		return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
	int err = sbi_hart_mask(v, f->x[REG_A0], f->x[REG_A1], &targets);
	if (err)
		return SBI_RET(err, 0);
	err = sbi_send_ipis(v, targets);
	if (err == SBI_SUCCESS)
		sbi_count_fw_event(v, SBI_EXT_IPI, fid);
	return SBI_RET(err, 0);
}

const struct sbi_ext sbi_ipi = { "ipi", SBI_EXT_IPI, SBI_EXT_IPI, ipi_call };
