// SPDX-License-Identifier: MIT
/*
 * hc_vcpu_context.c: VCPU_GETCONTEXT (public/hypercall.h), one vCPU's
 * registers for a core dump, read only while no vCPU of its domain can run:
 * then its whole state is in struct vcpu (the trap path saved the full frame
 * and vcpu_put the VS CSRs and any dirty FP before the vCPU left its hart).
 */
#include "hypercall.h"
#include "hart.h"
#include <string.h>

struct sbiret hc_vcpu_getcontext(struct vcpu *v, struct trap_frame *f)
{
	int err;
	u64 which = f->x[REG_A1];
	struct domain *d = hc_target(v, f->x[REG_A0], &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	if (which >= d->nr_vcpus) {
		domain_put(d);
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	}
	/* No lock held: a hart backing out of a vCPU of a just-paused domain is waited for. */
	domain_settle(d);
	if (!domain_quiescent(d)) {
		domain_put(d);
		return SBI_RET(RIVET_ERR_BUSY, 0);   /* it could run: its registers change under us */
	}
	struct vcpu *t = d->vcpus[which];
	struct rivet_vcpu_context c;
	memset(&c, 0, sizeof(c));
	/*
	 * home->lock: struct vcpu's saved state is read by other harts under it
	 * (vcpu.h). Off its hart, v->fp holds its FP content whatever the
	 * hart's registers hold (vcpu.c, lazy FP: a put saves a dirty FP).
	 */
	struct hart *home = vcpu_lock_home(t);
	c.pc = t->frame.sepc;
	for (unsigned i = 1; i < 32; i++)
		c.x[i] = t->frame.x[i];
	/* Its last trap came from V=1 (hstatus.SPV); sstatus.SPP says VS (1) or VU (0). */
	c.priv = (t->frame.sstatus & SSTATUS_SPP) ? 1 : 0;
	c.vsstatus = t->csrs.vsstatus;
	c.vsie = t->csrs.vsie;
	c.vstvec = t->csrs.vstvec;
	c.vsscratch = t->csrs.vsscratch;
	c.vsepc = t->csrs.vsepc;
	c.vscause = t->csrs.vscause;
	c.vstval = t->csrs.vstval;
	c.vsatp = t->csrs.vsatp;
	memcpy(c.f, t->fp, sizeof(c.f));
	c.fcsr = t->fcsr;
	spin_unlock(&home->lock);
	err = domain_write_gpa(v->dom, f->x[REG_A2], &c, sizeof(c));
	domain_put(d);
	return SBI_RET(hc_error(err), 0);
}
