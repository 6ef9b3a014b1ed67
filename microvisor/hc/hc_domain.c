// SPDX-License-Identifier: MIT
/* hc_domain.c: Dom0's domain and vCPU control hypercalls; every argument is checked before use. */
#include "hypercall.h"
#include "hart.h"
#include "mm.h"
#include "page_zero.h"
#include "sched.h"
#include "print.h"
#include <string.h>

long hc_error(int err)
{
	switch (err) {
	case 0:              return SBI_SUCCESS;
	case -RIVET_EINVAL:  return SBI_ERR_INVALID_PARAM;
	case -RIVET_ERANGE:  return SBI_ERR_INVALID_PARAM;
	case -RIVET_EFAULT:  return SBI_ERR_INVALID_ADDRESS;
	case -RIVET_ENOMEM:  return RIVET_ERR_NO_MEMORY;
	case -RIVET_ENOENT:  return RIVET_ERR_NO_DOMAIN;
	case -RIVET_EEXIST:  return RIVET_ERR_EXISTS;
	case -RIVET_EBUSY:   return RIVET_ERR_BUSY;
	case -RIVET_ENOSPC:  return RIVET_ERR_BUSY;
	case -RIVET_EPERM:   return SBI_ERR_DENIED;
	}
	return SBI_ERR_FAILED;
}

static struct sbiret put_ret(struct domain *d, int err, long value)
{
	if (d)
		domain_put(d);
	return SBI_RET(hc_error(err), err ? 0 : value);
}

struct sbiret hc_physinfo(struct vcpu *v, struct trap_frame *f)
{
	struct rivet_physinfo pi = {
		.nr_harts = nr_harts, .max_vcpus_per_domain = RIVET_MAX_VCPUS,
		.total_bytes = mm_total_bytes(), .free_bytes = mm_free_bytes(),
		.timebase_hz = timebase_hz, .abi_version = (RIVET_ABI_MAJOR << 16) | RIVET_ABI_MINOR,
		/* Where the microvisor zeroes with cbo.zero, henvcfg.CBZE lets guests too (main.c). */
		.cboz_block_bytes = (u32)page_zero_block(),
	};
	return SBI_RET(hc_error(domain_write_gpa(v->dom, f->x[REG_A0], &pi, sizeof(pi))), 0);
}

static bool valid_name(const char *name)
{
	size_t n = strnlen(name, RIVET_NAME_MAX);
	if (!n || n == RIVET_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

struct sbiret hc_domain_create(struct vcpu *v, struct trap_frame *f)
{
	struct rivet_domain_config c;
	int err = domain_read_gpa(v->dom, f->x[REG_A0], &c, sizeof(c));
	if (err)
		return SBI_RET(hc_error(err), 0);
	if (!valid_name(c.name) || c.nr_vcpus < 1 || c.nr_vcpus > RIVET_MAX_VCPUS || !c.max_bytes ||
	    (c.max_bytes & (PAGE_SIZE - 1)) || c.flags || c.on_poweroff > RIVET_ACTION_PRESERVE ||
	    c.on_reboot > RIVET_ACTION_PRESERVE || c.on_crash > RIVET_ACTION_PRESERVE)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	struct domain_params p = {
		.name = c.name, .nr_vcpus = c.nr_vcpus, .cpus_mask = c.cpus_mask, .max_bytes = c.max_bytes,
		.on_poweroff = c.on_poweroff, .on_reboot = c.on_reboot, .on_crash = c.on_crash,
	};
	struct domain *d = domain_alloc(&p, &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	if ((err = domain_register(d, -1)) != 0) {
		domain_put(d);
		return SBI_RET(hc_error(err), 0);
	}
	log("domain %u \"%s\" created by Dom0: up to %lu MiB, %lu vCPU%s, overhead %lu KiB", d->id, d->name,
	    d->max_bytes >> 20, d->nr_vcpus, d->nr_vcpus > 1 ? "s" : "", domain_overhead_bytes(d) >> 10);
	return SBI_RET(SBI_SUCCESS, d->id);
}

struct domain *hc_target(struct vcpu *v, u64 domid, int *err)
{
	*err = -RIVET_ENOENT;
	if (domid > RIVET_DOMID_SELF)
		return NULL;
	struct domain *d = domain_get((unsigned)domid, v->dom);
	if (!d)
		return NULL;
	*err = 0;
	if (d == v->dom) {
		domain_put(d);
		*err = -RIVET_EPERM;
		return NULL;
	}
	return d;
}

struct sbiret hc_domain_destroy(struct vcpu *v, struct trap_frame *f)
{
	int err;
	u64 flags = f->x[REG_A1];
	if (flags & ~RIVET_DESTROY_FLAGS)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	struct domain *d = hc_target(v, f->x[REG_A0], &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	return put_ret(d, domain_destroy(d, flags & RIVET_DESTROY_IF_SHUTDOWN), 0);
}

static struct sbiret pause(struct vcpu *v, struct trap_frame *f, bool on)
{
	int err;
	struct domain *d = hc_target(v, f->x[REG_A0], &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	domain_pause(d, on);
	return put_ret(d, 0, 0);
}

struct sbiret hc_domain_pause(struct vcpu *v, struct trap_frame *f) { return pause(v, f, true); }
struct sbiret hc_domain_unpause(struct vcpu *v, struct trap_frame *f) { return pause(v, f, false); }

struct sbiret hc_domain_shutdown(struct vcpu *v, struct trap_frame *f)
{
	int err;
	u64 why = f->x[REG_A1];
	if (why > RIVET_SHUTDOWN_WATCHDOG)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	struct domain *d = hc_target(v, f->x[REG_A0], &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	domain_shutdown(d, (enum shutdown_reason)why);
	return put_ret(d, 0, 0);
}

static u64 ticks_to_ns(u64 ticks)
{
	return timebase_hz ? ticks / timebase_hz * 1000000000ULL + ticks % timebase_hz * 1000000000ULL / timebase_hz : 0;
}

struct sbiret hc_domain_getinfo(struct vcpu *v, struct trap_frame *f)
{
	u64 from = f->x[REG_A0];
	struct rivet_domain_info freeing = { 0 };
	struct domain *d = from < MAX_DOMAINS ? domain_get_from((unsigned)from, &freeing) : NULL;
	freeing.now_ns = ticks_to_ns(time_now());
	if (!d && freeing.state)   /* listed until its memory is back, so waiters see memory exact */
		return SBI_RET(hc_error(domain_write_gpa(v->dom, f->x[REG_A1], &freeing, sizeof(freeing))),
			       freeing.domid);
	if (!d)
		return SBI_RET(RIVET_ERR_NO_DOMAIN, 0);
	struct rivet_domain_info info = {
		.domid = d->id, .mem_bytes = d->mem_bytes, .max_bytes = d->max_bytes,
		.nr_vcpus = d->nr_vcpus, .flags = d->flags, .nr_online_vcpus = (u32)d->started_vcpus,
		.start_ns = ticks_to_ns(d->start_ticks), .now_ns = ticks_to_ns(time_now()),
		.avail_vcpus = __atomic_load_n(&d->avail_vcpus, __ATOMIC_RELAXED),
	};
	domain_name_copy(d, info.name);   /* whole: a rename cannot tear it */
	u64 ticks = 0;
	bool all_blocked = d->started_vcpus > 0;
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		ticks += d->vcpus[i]->run_ticks;
		if (d->vcpus[i]->state == VCPU_RUNNABLE)
			all_blocked = false;
	}
	info.cpu_time_ns = ticks_to_ns(ticks);
	switch (d->state) {
	case DOM_CREATED:
		info.state = RIVET_DOMSTATE_PAUSED;   /* built, waiting for VCPU_START */
		break;
	case DOM_RUNNING:
		info.state = d->paused ? RIVET_DOMSTATE_PAUSED :
			     all_blocked ? RIVET_DOMSTATE_BLOCKED : RIVET_DOMSTATE_RUNNING;
		break;
	case DOM_DYING:
	case DOM_DEAD:   /* destroyed, its memory not yet back (a foreign map may still hold it) */
		info.state = RIVET_DOMSTATE_DYING;
		break;
	default:
		info.state = RIVET_DOMSTATE_SHUTDOWN;
		info.shutdown_reason = d->reason;
		break;
	}
	int err = domain_write_gpa(v->dom, f->x[REG_A1], &info, sizeof(info));
	return put_ret(d, err, d->id);
}

/*
 * Dom0 renames a domain. The name is copied in bounded (RIVET_NAME_MAX bytes
 * from Dom0's own RAM) and checked exactly as DOMAIN_CREATE checks one, before
 * the target is even looked up; uniqueness is decided under domains_lock.
 */
struct sbiret hc_domain_rename(struct vcpu *v, struct trap_frame *f)
{
	char name[RIVET_NAME_MAX];
	int err = domain_read_gpa(v->dom, f->x[REG_A1], name, sizeof(name));
	if (err)
		return SBI_RET(hc_error(err), 0);
	if (!valid_name(name))
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	struct domain *d = hc_target(v, f->x[REG_A0], &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	char old[RIVET_NAME_LEN];
	domain_name_copy(d, old);
	err = domain_rename(d, name);
	if (!err)
		log("domain %u \"%s\" renamed \"%s\" by Dom0", d->id, old, name);
	return put_ret(d, err, 0);
}

/*
 * Dom0 sets how many vCPUs a domain may run (xl vcpu-set, maxvcpus): HSM
 * hart_start of vCPU a1 or higher fails from now on. Lowering stops nothing:
 * the guest offlines those vCPUs itself (Xen's vcpu-set relies on the guest
 * too); once one stops it cannot start again.
 */
struct sbiret hc_domain_vcpus(struct vcpu *v, struct trap_frame *f)
{
	int err;
	u64 count = f->x[REG_A1];
	struct domain *d = hc_target(v, f->x[REG_A0], &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	if (count < 1 || count > d->nr_vcpus)
		return put_ret(d, -RIVET_EINVAL, 0);
	u32 old = __atomic_exchange_n(&d->avail_vcpus, (u32)count, __ATOMIC_SEQ_CST);
	if (old != count)
		log("domain %u \"%s\" may run %lu of its %lu vCPUs (was %u)", d->id, d->name, count,
		    d->nr_vcpus, old);
	return put_ret(d, 0, 0);
}

struct sbiret hc_vcpu_start(struct vcpu *v, struct trap_frame *f)
{
	int err;
	struct domain *d = hc_target(v, f->x[REG_A0], &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	/* The toolstack starts vCPU 0; the guest brings up the others with HSM. */
	if (f->x[REG_A1] != 0)
		return put_ret(d, -RIVET_EINVAL, 0);
	/* domain_start checks the entry lies in its RAM, under its mem_lock. */
	return put_ret(d, domain_start(d, f->x[REG_A2], f->x[REG_A3]), 0);
}

struct sbiret hc_vcpu_getinfo(struct vcpu *v, struct trap_frame *f)
{
	int err;
	struct domain *d = f->x[REG_A0] > RIVET_DOMID_SELF ? NULL : domain_get((unsigned)f->x[REG_A0], v->dom);
	if (!d)
		return SBI_RET(RIVET_ERR_NO_DOMAIN, 0);
	if (f->x[REG_A1] >= d->nr_vcpus)
		return put_ret(d, -RIVET_EINVAL, 0);
	struct vcpu *t = d->vcpus[f->x[REG_A1]];
	struct rivet_vcpu_info info = {
		.hart = t->home->index, .cpu_time_ns = ticks_to_ns(t->run_ticks), .affinity = t->affinity,
	};
	info.state = t->state == VCPU_OFF ? 0 : t->home->current == t ? 1 :
		     t->state == VCPU_RUNNABLE ? 2 : 3;
	err = domain_write_gpa(v->dom, f->x[REG_A2], &info, sizeof(info));
	return put_ret(d, err, 0);
}

struct sbiret hc_vcpu_pin(struct vcpu *v, struct trap_frame *f)
{
	struct domain *d = f->x[REG_A0] > RIVET_DOMID_SELF ? NULL : domain_get((unsigned)f->x[REG_A0], v->dom);
	if (!d)
		return SBI_RET(RIVET_ERR_NO_DOMAIN, 0);
	if (f->x[REG_A1] >= d->nr_vcpus)
		return put_ret(d, -RIVET_EINVAL, 0);
	return put_ret(d, sched_pin_vcpu(d->vcpus[f->x[REG_A1]], f->x[REG_A2]), 0);
}
