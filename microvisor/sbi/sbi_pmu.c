// SPDX-License-Identifier: MIT
/*
 * sbi_pmu.c: SBI PMU: a vCPU configures, starts, stops and reads its own
 * virtual counters (vpmu.c): cycle, instret and firmware counters. Every
 * argument is unsigned long or uint64_t in the spec: 64 bits on RV64, so all
 * of each register counts. Snapshot memory is not offered.
 */
#include "sbi.h"
#include "vpmu.h"
#include "csr.h"
#include "hart.h"

/* Brings the started counters up to now; the first configuring call makes counter reads trap. */
static struct vpmu *pmu_sync(struct vcpu *v, bool configures)
{
	struct vpmu *p = &v->pmu;
	vpmu_sync(p, csr_read(CSR_CYCLE), csr_read(CSR_INSTRET));
	if (configures && !p->used) {
		p->used = true;
		vcpu_load_counters(v);
	}
	return p;
}

static struct sbiret pmu_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	unsigned long a0 = f->x[REG_A0], a1 = f->x[REG_A1], a2 = f->x[REG_A2], a3 = f->x[REG_A3];
	unsigned long out = 0;
	long err;
	/* Not offered (sbi_find): as an unknown extension would answer, from the fast path too. */
	if (!vpmu_host_counters)
		return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
	switch (fid) {
	case SBI_PMU_NUM_COUNTERS:
		return SBI_RET(SBI_SUCCESS, vpmu_num_counters());
	case SBI_PMU_COUNTER_GET_INFO:
		err = vpmu_get_info(a0, &out);
		return SBI_RET(err, out);
	/* These three may start or stop counters, and the first makes it a user: its switch_sig changes. */
	case SBI_PMU_COUNTER_CFG_MATCHING:
		/* RV64: event_data (uint64_t) is a4 alone. */
		err = vpmu_cfg_match(pmu_sync(v, true), a0, a1, a2, a3, f->x[REG_A4], &out);
		vcpu_sig_changed(v);
		return SBI_RET(err, out);
	case SBI_PMU_COUNTER_START:
		/* RV64: initial_value (uint64_t) is a3 alone. */
		err = vpmu_start(pmu_sync(v, true), a0, a1, a2, a3);
		vcpu_sig_changed(v);
		return SBI_RET(err, 0);
	case SBI_PMU_COUNTER_STOP:
		err = vpmu_stop(pmu_sync(v, true), a0, a1, a2);
		vcpu_sig_changed(v);
		return SBI_RET(err, 0);
	case SBI_PMU_COUNTER_FW_READ:
	case SBI_PMU_COUNTER_FW_READ_HI:
		err = vpmu_fw_read(&v->pmu, a0, fid == SBI_PMU_COUNTER_FW_READ_HI, &out);
		return SBI_RET(err, out);
	case SBI_PMU_SNAPSHOT_SET_SHMEM:
		/* Optional in the spec; Linux falls back to plain calls. */
		return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
	}
	/* event_get_info (SBI v3.0) and unknown functions: optional, Linux 6.12 does without it. */
	return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
}

const struct sbi_ext sbi_pmu = { "pmu", SBI_EXT_PMU, SBI_EXT_PMU, pmu_call };
