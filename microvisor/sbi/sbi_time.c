// SPDX-License-Identifier: MIT
/*
 * sbi_time.c: SBI TIME. The deadline goes straight into vstimecmp (Sstc,
 * henvcfg.STCE), so the hart raises VSTIP itself; a guest may equally
 * write stimecmp directly.
 */
#include "sbi.h"
#include "csr.h"

static struct sbiret time_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	if (fid != 0)
		return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
	csr_write(CSR_VSTIMECMP, f->x[REG_A0]);
	sbi_count_fw_event(v, SBI_EXT_TIME, fid);
	return SBI_RET(SBI_SUCCESS, 0);
}

const struct sbi_ext sbi_time = { "time", SBI_EXT_TIME, SBI_EXT_TIME, time_call };
