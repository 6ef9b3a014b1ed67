// SPDX-License-Identifier: MIT
/* sbi_srst.c: SBI SRST: a guest's system reset ends its own domain, never the machine. */
#include "sbi.h"
#include "domain.h"
#include "print.h"

/* Reset reasons 2..0xDFFFFFFF are reserved; Rivet, the SBI implementation, defines none of its own. */
static bool reason_valid(u32 reason)
{
	return reason == SBI_SRST_NO_REASON || reason == SBI_SRST_SYSTEM_FAILURE ||
	       reason >= SBI_SRST_VENDOR_REASON_MIN;
}

static struct sbiret srst_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	/* Both are uint32_t in the spec: the upper 32 bits of a0 and a1 are not part of them. */
	u32 type = (u32)f->x[REG_A0], reason = (u32)f->x[REG_A1];
	if (fid != 0)
		return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
	/* Reserved types, and the platform-specific ones (0xF0000000 up), of which Rivet has none. */
	if (type > SBI_SRST_WARM_REBOOT || !reason_valid(reason))
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
