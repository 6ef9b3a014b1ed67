// SPDX-License-Identifier: MIT
/*
 * hc_ioreq.c: Dom0's ioreq-server hypercalls (public/hypercall.h, ABI 1.1).
 * Arguments are checked here; ioreq.c does the work under the target's
 * ioreq_lock. Dom0 cannot serve itself or another privileged domain.
 */
#include "hypercall.h"

static struct sbiret ret(struct domain *d, int err, long value)
{
	domain_put(d);
	return err ? SBI_RET(hc_error(err), 0) : SBI_RET(SBI_SUCCESS, value);
}

/* A DomU the caller may serve, referenced; NULL with *err set otherwise. */
static struct domain *served(struct vcpu *v, u64 domid, int *err)
{
	struct domain *d = hc_target(v, domid, err);
	if (d && (d->flags & RIVET_DOMF_PRIVILEGED)) {
		domain_put(d);
		*err = -RIVET_EPERM;
		return NULL;
	}
	return d;
}

struct sbiret hc_ioreq_create(struct vcpu *v, struct trap_frame *f)
{
	int err;
	unsigned port = 0;
	struct domain *d = served(v, f->x[REG_A0], &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	return ret(d, ioreq_server_create(d, v->dom, f->x[REG_A1], &port), port);
}

static struct sbiret range_call(struct vcpu *v, struct trap_frame *f, bool map)
{
	int err;
	u64 flags = f->x[REG_A3];
	if (flags > (RIVET_IOREQ_RANGE_POSTED | RIVET_IOREQ_RANGE_LAZY))
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	struct domain *d = served(v, f->x[REG_A0], &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	u64 gpa = f->x[REG_A1], len = f->x[REG_A2];
	return ret(d, map ? ioreq_map(d, gpa, len, (u32)flags) : ioreq_unmap(d, gpa, len, (u32)flags), 0);
}

struct sbiret hc_ioreq_map(struct vcpu *v, struct trap_frame *f) { return range_call(v, f, true); }
struct sbiret hc_ioreq_unmap(struct vcpu *v, struct trap_frame *f) { return range_call(v, f, false); }

struct sbiret hc_ioreq_enable(struct vcpu *v, struct trap_frame *f)
{
	int err;
	if (f->x[REG_A1] > 1)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	struct domain *d = served(v, f->x[REG_A0], &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	return ret(d, ioreq_enable(d, f->x[REG_A1]), 0);
}

struct sbiret hc_ioreq_destroy(struct vcpu *v, struct trap_frame *f)
{
	int err;
	u64 port = f->x[REG_A1];
	if (!port || port >= RIVET_EVTCHN_PORTS)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	struct domain *d = served(v, f->x[REG_A0], &err);
	if (d) {
		err = ioreq_server_destroy(d, (unsigned)port);
		domain_put(d);
	}
	/* The domain ended first (or has another server now): its port waits for this call. */
	if (err == -RIVET_ENOENT)
		err = evtchn_free_orphan(v->dom, (unsigned)port);
	return SBI_RET(hc_error(err), 0);
}

struct sbiret hc_ioreq_set_irq(struct vcpu *v, struct trap_frame *f)
{
	int err;
	if (f->x[REG_A1] >= RIVET_MAX_VCPUS || f->x[REG_A2] > 1)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	struct domain *d = served(v, f->x[REG_A0], &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	return ret(d, ioreq_set_irq(d, (unsigned)f->x[REG_A1], f->x[REG_A2]), 0);
}
