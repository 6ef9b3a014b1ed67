// SPDX-License-Identifier: MIT
/*
 * sched_policy.c: the arithmetic of the credit and RTDS policies (see
 * sched_policy.h). No locks, no CSRs: sched.c calls these under the home
 * hart's lock.
 */
#include "sched_policy.h"

static u32 clamp_weight(u32 w)
{
	return w < SCHED_WEIGHT_MIN ? SCHED_WEIGHT_MIN : w > SCHED_WEIGHT_MAX ? SCHED_WEIGHT_MAX : w;
}

void sched_charge_credit(struct sched_entity *se, u32 weight, u64 ran)
{
	/*
	 * ran is bounded by a slice in practice; a vCPU that ran for years at
	 * weight 1 still fits: 2^64 ticks / 256 at 10 MHz is over 200 years.
	 */
	se->vtime += ran * SCHED_WEIGHT_DEFAULT / clamp_weight(weight);
}

void sched_charge_rt(struct sched_entity *se, u64 ran)
{
	se->rt_left = ran < se->rt_left ? se->rt_left - ran : 0;
}

void sched_rt_refill(struct sched_entity *se, u64 now)
{
	if (!se->rt_period || now < se->rt_deadline)
		return;
	/* The period NOW is in: its deadline is the first one after NOW. */
	u64 behind = now - se->rt_deadline;
	se->rt_deadline = now + (se->rt_period - behind % se->rt_period);
	se->rt_left = se->rt_budget;
}

void sched_rt_set(struct sched_entity *se, u64 budget, u64 period, bool extratime, u64 now)
{
	se->rt_budget = budget;
	se->rt_period = period;
	se->rt_extratime = extratime;
	se->rt_deadline = now + period;
	se->rt_left = budget;
}

enum sched_class sched_class_of(const struct sched_entity *se, bool rt, bool capped_out)
{
	/* RTDS values not applied yet (sched.c's sched_apply): credit meanwhile. */
	if (rt && se->rt_period) {
		if (se->rt_left)
			return SCHED_CLASS_RT;
		return se->rt_extratime ? SCHED_CLASS_CREDIT : SCHED_CLASS_WAIT;
	}
	return capped_out ? SCHED_CLASS_WAIT : SCHED_CLASS_CREDIT;
}

bool sched_before(const struct sched_entity *a, const struct sched_entity *b, enum sched_class c)
{
	return c == SCHED_CLASS_RT ? a->rt_deadline < b->rt_deadline : a->vtime < b->vtime;
}

bool sched_better(const struct sched_entity *v, enum sched_class c, const struct sched_entity *best,
		  enum sched_class best_c)
{
	return !best || c < best_c || (c == best_c && sched_before(v, best, c));
}

bool sched_keep_current(const struct sched_entity *cur, enum sched_class cur_c,
			const struct sched_entity *found, enum sched_class found_c, bool slice_over, u64 slice)
{
	if (!found || cur_c < found_c)
		return true;
	if (found_c < cur_c)
		return false;
	if (cur_c == SCHED_CLASS_RT)
		return !sched_before(found, cur, cur_c);
	if (found->vtime + slice < cur->vtime)
		return false;
	return !slice_over || sched_before(cur, found, cur_c);
}

u64 sched_cap_budget(u32 cap, u64 window)
{
	return cap ? window * cap / 100 : 0;
}
