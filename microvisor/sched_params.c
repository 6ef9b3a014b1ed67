// SPDX-License-Identifier: MIT
/*
 * sched_params.c: a domain's scheduling policy and parameters
 * (public/hypercall.h, struct rivet_sched_params), set by SCHED_SET and by
 * boot-image configs. The harts read them without a lock (sched.c); the
 * RTDS values of a vCPU reach its home hart through dom->sched_gen, which
 * the hart compares in its next scan (sched_apply), so a hart never sees
 * half of a budget/period pair.
 */
#include "sched.h"
#include "domain.h"
#include "errcode.h"
#include "hart.h"

/* Serializes the writers: two toolstacks setting one domain leave one whole setting. */
static spinlock_t sched_params_lock = SPINLOCK_INIT;

static u64 us_to_ticks(u64 us)
{
	/* us is at most RIVET_SCHED_RTDS_PERIOD_MAX_US: no overflow below a 1.8 THz timebase. */
	return us * timebase_hz / 1000000;
}

static u64 ticks_to_us(u64 ticks)
{
	return ticks * 1000000 / timebase_hz;
}

static bool rtds_ok(const struct rivet_sched_params *p)
{
	return p->period_us >= RIVET_SCHED_RTDS_PERIOD_MIN_US && p->period_us <= RIVET_SCHED_RTDS_PERIOD_MAX_US &&
	       p->budget_us >= RIVET_SCHED_RTDS_BUDGET_MIN_US && p->budget_us <= p->period_us &&
	       p->extratime <= 1;
}

static bool credit_ok(const struct rivet_sched_params *p)
{
	return p->weight >= SCHED_WEIGHT_MIN && p->weight <= RIVET_SCHED_WEIGHT_MAX &&
	       p->cap <= 100 * nr_harts;
}

/* With sched_params_lock held: V's next RTDS values, for its hart to apply. */
static void want_rt(struct vcpu *v, u64 budget_us, u64 period_us, bool extratime)
{
	v->rt_want_budget = us_to_ticks(budget_us);
	v->rt_want_period = us_to_ticks(period_us);
	v->rt_want_extratime = extratime;
}

/* With sched_params_lock held: the harts of D's vCPUs look again (sched_apply). */
static void publish(struct domain *d)
{
	atomic_add(&d->sched_gen, 1);
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		hart_kick(__atomic_load_n(&d->vcpus[i]->home, __ATOMIC_RELAXED));
}

int sched_params_set(struct domain *d, u64 vcpu, const struct rivet_sched_params *p)
{
	bool all = vcpu == RIVET_SCHED_ALL_VCPUS;
	if (!all && vcpu >= d->nr_vcpus)
		return -RIVET_EINVAL;
	if (p->policy == RIVET_SCHED_CREDIT) {
		if (!all || !credit_ok(p))
			return -RIVET_EINVAL;
		spin_lock(&sched_params_lock);
		d->sched_weight = p->weight;
		d->sched_cap = p->cap;
		d->sched_rt = 0;
		d->sched_bounded = p->cap != 0;
		publish(d);
		spin_unlock(&sched_params_lock);
		return 0;
	}
	if (p->policy != RIVET_SCHED_RTDS || !rtds_ok(p))
		return -RIVET_EINVAL;
	spin_lock(&sched_params_lock);
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		if (all || i == vcpu)
			want_rt(v, p->budget_us, p->period_us, p->extratime);
		else if (!d->sched_rt)   /* becoming RTDS: the others get Xen's defaults */
			want_rt(v, RIVET_SCHED_RTDS_BUDGET_DEFAULT_US, RIVET_SCHED_RTDS_PERIOD_DEFAULT_US, false);
	}
	/* The values first, then the policy that makes the harts use them (both before the gen). */
	__atomic_store_n(&d->sched_rt, 1, __ATOMIC_RELEASE);
	d->sched_cap = 0;   /* a cap is credit's: an RTDS domain is held by its budgets */
	d->sched_bounded = 1;
	publish(d);
	spin_unlock(&sched_params_lock);
	return 0;
}

int sched_params_get(struct domain *d, u64 vcpu, struct rivet_sched_params *p)
{
	if (vcpu == RIVET_SCHED_ALL_VCPUS)
		vcpu = 0;
	if (vcpu >= d->nr_vcpus)
		return -RIVET_EINVAL;
	struct vcpu *t = d->vcpus[vcpu];
	spin_lock(&sched_params_lock);
	*p = (struct rivet_sched_params){
		.policy = d->sched_rt ? RIVET_SCHED_RTDS : RIVET_SCHED_CREDIT,
		.weight = (u32)d->sched_weight, .cap = (u32)d->sched_cap,
		.extratime = d->sched_rt && t->rt_want_extratime,
		.period_us = d->sched_rt ? ticks_to_us(t->rt_want_period) : 0,
		.budget_us = d->sched_rt ? ticks_to_us(t->rt_want_budget) : 0,
	};
	spin_unlock(&sched_params_lock);
	return 0;
}

void sched_params_wanted(const struct vcpu *v, u64 *budget, u64 *period, bool *extratime)
{
	/* Inside v's home lock: the documented order (a hart's lock, then this one). */
	spin_lock(&sched_params_lock);
	*budget = v->rt_want_budget;
	*period = v->rt_want_period;
	*extratime = v->rt_want_extratime;
	spin_unlock(&sched_params_lock);
}
