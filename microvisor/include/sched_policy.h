/* SPDX-License-Identifier: MIT */
/*
 * sched_policy.h: what decides which vCPU a hart runs (docs/architecture.md
 * "Scheduling policy"), as plain arithmetic on times, so that it also builds
 * for the host and is unit tested there (tests/unit/test_sched_policy.c).
 * sched.c owns the run queues and the locking; it asks these functions.
 *
 * Two policies, chosen per domain:
 * - credit (Xen's credit2 meaning): each vCPU's run time is charged to its
 *   virtual time scaled by SCHED_WEIGHT_DEFAULT / weight, and the runnable
 *   vCPU with the least virtual time runs next, a slice at a time: a
 *   weight-512 vCPU's virtual time grows half as fast as a weight-256 one's,
 *   so it gets twice the hart when both are busy. A cap (percent of one
 *   hart) limits the whole domain's run time in each SCHED_CAP_PERIOD
 *   window, across all its harts: once spent, its vCPUs wait for the next
 *   window even if the hart would idle.
 * - RTDS (Xen's RTDS meaning): each vCPU has a budget and a period; the
 *   budget is refilled at the start of each period and spent while it runs.
 *   A vCPU with budget left runs before any credit vCPU, the earliest
 *   deadline (end of its period) first; with the budget spent it waits for
 *   its next period, or with extratime runs as a credit vCPU of the default
 *   weight meanwhile.
 */
#ifndef RIVET_SCHED_POLICY_H
#define RIVET_SCHED_POLICY_H
#include "types.h"

#define SCHED_WEIGHT_DEFAULT 256u       /* Xen's default weight */
#define SCHED_WEIGHT_MIN     1u
#define SCHED_WEIGHT_MAX     65535u
#define SCHED_CAP_PERIOD_HZ  100u       /* a cap is enforced per 10 ms window */
#define SCHED_CAP_MIN_RUN_DIV 100u      /* a capped run is at least window / this (100 us) */

/* A vCPU's scheduling state; sched.c guards it with the home hart's lock. */
struct sched_entity {
	u64 vtime;          /* credit: run time in ticks, scaled by SCHED_WEIGHT_DEFAULT / weight */
	u64 rt_budget;      /* RTDS: ticks per period (0: not set) */
	u64 rt_period;      /* RTDS: ticks */
	u64 rt_deadline;    /* RTDS: the end of the current period */
	u64 rt_left;        /* RTDS: budget left in it */
	bool rt_extratime;  /* RTDS: may run as a credit vCPU once the budget is spent */
	bool away;          /* was not competing (blocked, off, new, paused, held back): rejoins first */
};

/* How a runnable vCPU competes right now. */
enum sched_class {
	SCHED_CLASS_RT,        /* RTDS with budget left: by deadline, before everything else */
	SCHED_CLASS_CREDIT,    /* credit, or RTDS in extratime: by virtual time */
	SCHED_CLASS_WAIT,      /* RTDS without budget or extratime, or its domain's cap spent */
};

/* Credit: RAN ticks of run time into the virtual time, at WEIGHT (clamped to the legal range). */
void sched_charge_credit(struct sched_entity *se, u32 weight, u64 ran);
/* RTDS: RAN ticks of run time off the budget (never below zero). */
void sched_charge_rt(struct sched_entity *se, u64 ran);
/*
 * RTDS: at NOW, moves the period on to the one NOW lies in (a full budget
 * again) if the current one is over. A period missed entirely is not owed.
 */
void sched_rt_refill(struct sched_entity *se, u64 now);
/* RTDS: new BUDGET and PERIOD (ticks, 0 < budget <= period), a fresh period from NOW. */
void sched_rt_set(struct sched_entity *se, u64 budget, u64 period, bool extratime, u64 now);
/* The class of a runnable vCPU of an RTDS domain (RT) or not, whose domain's cap is (not) spent. */
enum sched_class sched_class_of(const struct sched_entity *se, bool rt, bool capped_out);
/* True when A should run before B (same class): RT by deadline, credit by virtual time. */
bool sched_before(const struct sched_entity *a, const struct sched_entity *b, enum sched_class c);
/* True when V (class C, not WAIT) is a better choice than BEST so far (class BEST_C; NULL: none yet). */
bool sched_better(const struct sched_entity *v, enum sched_class c, const struct sched_entity *best,
		  enum sched_class best_c);
/*
 * Whether the running vCPU CUR (class CUR_C, not WAIT) keeps the hart
 * against the best other one FOUND (class FOUND_C; NULL: none): it does
 * unless FOUND is RTDS and CUR is not, or both are RTDS and FOUND's deadline
 * is earlier, or both are credit and either CUR's slice is over and FOUND
 * has no more virtual time than CUR (a tie goes to the other: round-robin
 * among equals), or FOUND is more than a SLICE behind CUR: one that was held
 * back (a sleeper that woke, a capped domain's new window) need not wait
 * for the slice to end.
 */
bool sched_keep_current(const struct sched_entity *cur, enum sched_class cur_c,
			const struct sched_entity *found, enum sched_class found_c, bool slice_over, u64 slice);
/*
 * A vCPU that was away (blocked, stopped, new, its domain paused, held back
 * by a budget or a cap) rejoins a hart whose credit vCPUs have reached
 * virtual time FLOOR: it may be at most BEHIND (sched.c: half a slice)
 * behind, so a long absence earns no monopoly afterwards, only a prompt
 * turn. Only on the way back: one that waits its turn keeps its lag.
 */
static inline void sched_rejoin(struct sched_entity *se, u64 floor, u64 behind)
{
	/* Inline: a directed yield may do it, and that path calls nothing (sched.c). */
	u64 least = floor > behind ? floor - behind : 0;
	if (se->vtime < least)
		se->vtime = least;
}

/*
 * Caps: the budget of a domain capped at CAP percent of one hart, in ticks
 * per window of WINDOW ticks (0: no cap). At most 100 * harts percent.
 */
u64 sched_cap_budget(u32 cap, u64 window);
/* The window NOW lies in (its index) and where it ends. */
static inline u64 sched_cap_window(u64 now, u64 window) { return now / window; }
static inline u64 sched_cap_window_end(u64 now, u64 window) { return (now / window + 1) * window; }

#endif
