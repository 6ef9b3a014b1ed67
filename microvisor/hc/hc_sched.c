// SPDX-License-Identifier: MIT
/* hc_sched.c: SCHED_GET and SCHED_SET (public/hypercall.h) over sched_params.c. */
#include "hypercall.h"
#include "sched.h"

struct sbiret hc_sched_set(struct vcpu *v, struct trap_frame *f)
{
	struct rivet_sched_params p;
	struct domain *d = f->x[REG_A0] > RIVET_DOMID_SELF ? NULL : domain_get((unsigned)f->x[REG_A0], v->dom);
	if (!d)
		return SBI_RET(RIVET_ERR_NO_DOMAIN, 0);
	/* Read once into our own copy: the caller may change its page meanwhile. */
	int err = domain_read_gpa(v->dom, f->x[REG_A2], &p, sizeof(p));
	if (!err)
		err = sched_params_set(d, f->x[REG_A1], &p);
	domain_put(d);
	return SBI_RET(hc_error(err), 0);
}

struct sbiret hc_sched_get(struct vcpu *v, struct trap_frame *f)
{
	struct domain *d = f->x[REG_A0] > RIVET_DOMID_SELF ? NULL : domain_get((unsigned)f->x[REG_A0], v->dom);
	if (!d)
		return SBI_RET(RIVET_ERR_NO_DOMAIN, 0);
	struct rivet_sched_params p;
	int err = sched_params_get(d, f->x[REG_A1], &p);
	if (!err)
		err = domain_write_gpa(v->dom, f->x[REG_A2], &p, sizeof(p));
	domain_put(d);
	return SBI_RET(hc_error(err), 0);
}
