// SPDX-License-Identifier: MIT
/* sbi_srst.c: SBI SRST: a guest's system reset ends its own domain, never the machine. */
#include "sbi.h"
#include "domain.h"
#include "print.h"


static struct sbiret srst_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	unsigned long type = f->x[REG_A0], reason = f->x[REG_A1];
	if (fid != 0)
		return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
	if (type > SBI_SRST_WARM_REBOOT ||
	    (reason > SBI_SRST_SYSTEM_FAILURE && reason < SBI_SRST_VENDOR_REASON_MIN) || reason > 0xFFFFFFFFUL)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	if (type != SBI_SRST_SHUTDOWN) {
		domain_shutdown(v->dom, SHUTDOWN_REBOOT);
	} else if (reason == SBI_SRST_SYSTEM_FAILURE) {
		log("domain %u \"%s\" reports a system failure (SBI SRST)", v->dom->id, v->dom->name);
		domain_shutdown(v->dom, SHUTDOWN_CRASH);
	} else {
		domain_shutdown(v->dom, SHUTDOWN_POWEROFF);
	}
	/* The caller's hart takes the vCPU off on the way out of the trap. */
	return SBI_RET(SBI_SUCCESS, 0);
}

const struct sbi_ext sbi_srst = { "srst", SBI_EXT_SRST, SBI_EXT_SRST, srst_call };
