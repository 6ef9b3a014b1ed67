// SPDX-License-Identifier: MIT
/*
 * sched.c: per-hart run queues. Each vCPU is homed on one hart allowed by its
 * domain's cpus= mask; a hart round-robins over its RUNNABLE vCPUs with a
 * timer-driven slice, blocks vCPUs in WFI until an interrupt they enabled is
 * pending, and idles in WFI itself when nothing is runnable.
 */
#include "sched.h"
#include "domain.h"
#include "host_timer.h"
#include "sbi_call.h"
#include "csr.h"
#include "print.h"
#include "host_irq.h"
#include "vmid.h"
#include "steal.h"
#include "scrub.h"
#include "sched_policy.h"
#include "vcpu_switch.h"
#include "ioreq.h"

static u64 slice_ticks(void) { return timebase_hz / SLICE_HZ; }
static u64 cap_window_ticks(void) { return timebase_hz / SCHED_CAP_PERIOD_HZ; }

/*
 * A capped domain's run time in the current window, from all its vCPUs on
 * any hart: one atomic add per charge. Whichever hart first sees a new
 * window begins it; a charge racing that reset may be lost, so a domain
 * gets at most a charge more than its cap, never less.
 */
static void cap_charge(struct domain *d, u64 now, u64 ran)
{
	u64 win = sched_cap_window(now, cap_window_ticks());
	u64 seen = atomic_read(&d->cap_window);
	if (win != seen && atomic_cas(&d->cap_window, seen, win))
		__atomic_store_n(&d->cap_used, 0, __ATOMIC_SEQ_CST);
	atomic_add(&d->cap_used, ran);
}

/* Ticks D may still run in the window NOW is in; ~0 without a cap. */
static u64 cap_left(struct domain *d, u64 now)
{
	u64 cap = __atomic_load_n(&d->sched_cap, __ATOMIC_RELAXED);
	if (!cap)
		return ~0UL;
	u64 budget = sched_cap_budget((u32)cap, cap_window_ticks());
	if (sched_cap_window(now, cap_window_ticks()) != atomic_read(&d->cap_window))
		return budget;   /* nobody ran in this window yet */
	u64 used = atomic_read(&d->cap_used);
	return used < budget ? budget - used : 0;
}

/* The current vCPU v's run since it was loaded or last charged, up to now: its CPU time. */
static inline u64 charge_run_time(struct vcpu *v, u64 now)
{
	u64 ran = now - v->run_start;
	v->run_start = now;
	v->run_ticks += ran;
	return ran;
}

/* The common case, on every switch: credit without a cap or a budget (weight checked when set). */
static inline void charge_unbounded(struct vcpu *v, const struct domain *d, u64 ran)
{
	v->se.vtime += ran * SCHED_WEIGHT_DEFAULT / d->sched_weight;
}

/*
 * The current vCPU v's run since it was loaded or last charged, up to now:
 * its CPU time, its virtual time (always, so that an RTDS vCPU in extratime
 * competes by all it ran), its RTDS budget, its domain's cap. Only v's own
 * hart calls this, for its current vCPU: in a scan, and as it leaves the
 * hart (its state is saved next).
 */
static inline void charge_current(struct vcpu *v, u64 now)
{
	u64 ran = charge_run_time(v, now);
	struct domain *d = v->dom;
	if (!d->sched_bounded) {
		charge_unbounded(v, d, ran);
		return;
	}
	sched_charge_credit(&v->se, d->sched_rt ? SCHED_WEIGHT_DEFAULT : (u32)d->sched_weight, ran);
	if (d->sched_rt)
		sched_charge_rt(&v->se, ran);
	if (d->sched_cap)
		cap_charge(d, now, ran);
}

/* With v's home lock held: SCHED_SET's new RTDS parameters for v, once. */
static void sched_apply(struct vcpu *v, u64 now)
{
	u64 gen = atomic_read(&v->dom->sched_gen);
	if (v->sched_gen_seen == gen)
		return;
	v->sched_gen_seen = gen;
	u64 budget, period;
	bool extratime;
	sched_params_wanted(v, &budget, &period, &extratime);   /* whole: a writer may be at work */
	if (period && (budget != v->se.rt_budget || period != v->se.rt_period || extratime != v->se.rt_extratime))
		sched_rt_set(&v->se, budget, period, extratime, now);
}

/*
 * With v's home lock held, v runnable: how it competes now (sched_policy.h),
 * its RTDS period moved on first. *wait_until lowers to when a waiting one
 * may run again (its next period, its domain's next cap window).
 */
static enum sched_class policy_class(struct vcpu *v, u64 now, u64 *wait_until)
{
	struct domain *d = v->dom;
	bool rt = d->sched_rt;
	sched_apply(v, now);
	if (rt)
		sched_rt_refill(&v->se, now);
	bool capped_out = !rt && d->sched_cap && cap_left(d, now) == 0;
	enum sched_class c = sched_class_of(&v->se, rt, capped_out);
	/*
	 * When it may run (again), or, in extratime, when its next period makes
	 * it RTDS again, which must preempt at once rather than at a slice's end.
	 */
	if (c == SCHED_CLASS_WAIT || (rt && v->se.rt_period && c == SCHED_CLASS_CREDIT)) {
		u64 w = rt ? v->se.rt_deadline : sched_cap_window_end(now, cap_window_ticks());
		if (w < *wait_until)
			*wait_until = w;
	}
	return c;
}

/*
 * How long NEXT may run from NOW before the policy must look again: its
 * RTDS budget, or its domain's cap. A cap's budget is the whole domain's,
 * and its other vCPUs' runs on other harts are charged only when those
 * harts look again: each run takes at most its share of what is left (the
 * rest of it once that falls below SCHED_CAP_MIN_RUN), so harts running
 * the domain together overrun the cap by little, not by their number.
 */
static u64 policy_limit(struct vcpu *next, enum sched_class c, u64 now)
{
	u64 left = c == SCHED_CLASS_RT ? next->se.rt_left : cap_left(next->dom, now);
	if (left == ~0UL)
		return ~0UL;
	unsigned n = next->dom->nr_vcpus;
	if (c != SCHED_CLASS_RT && n > 1) {
		u64 least = cap_window_ticks() / SCHED_CAP_MIN_RUN_DIV;
		u64 share = left / n;
		left = share > least ? share : left < least ? left : least;
	}
	return now + left < now ? ~0UL : now + left;
}

void hart_kick(struct hart *h)
{
	/*
	 * Already kicked: its IPI is on the way, or it has not yet cleared the
	 * flag in pick_next(), after which it looks at everything anew. Either
	 * way it sees what this kick announces, so a second IPI is not needed.
	 */
	if (!(atomic_or(&h->kicked, KICK_EVENT) & KICK_EVENT) && h != this_hart())
		fw_send_ipi(h->hartid);
}

/* Inline: pick_next() asks on every switch, and the answer is almost always no. */
static inline __attribute__((always_inline)) void gvma_flush_if_asked(struct hart *h)
{
	/* A plain read first: the trap path should not pay for an atomic swap. */
	if (atomic_read(&h->gvma_flush) && atomic_xchg(&h->gvma_flush, 0))
		hfence_gvma_all();
}

void hart_serve_flush(struct hart *h)
{
	gvma_flush_if_asked(h);
	cpu_relax();
}

struct hart *vcpu_lock_home(struct vcpu *v)
{
	for (;;) {
		struct hart *h = v->home;
		spin_lock(&h->lock);
		if (v->home == h)
			return h;
		spin_unlock(&h->lock);   /* it moved meanwhile (vcpu-pin) */
	}
}

/* Two harts' locks, the lower index first (the documented order). */
static void lock_two(struct hart *a, struct hart *b)
{
	spin_lock(a->index < b->index ? &a->lock : &b->lock);
	spin_lock(a->index < b->index ? &b->lock : &a->lock);
}

static void unlock_two(struct hart *a, struct hart *b)
{
	spin_unlock(&a->lock);
	spin_unlock(&b->lock);
}

void hart_shootdown_gvma(void)
{
	struct hart *self = this_hart();
	for (unsigned i = 0; i < nr_harts; i++) {
		if (&harts[i] != self && harts[i].online) {
			atomic_or(&harts[i].gvma_flush, 1);
			hart_kick(&harts[i]);
		}
	}
	hfence_gvma_all();
	for (unsigned i = 0; i < nr_harts; i++) {
		/* Serve our own flag meanwhile: two harts may shoot down at once. */
		while (&harts[i] != self && harts[i].online && atomic_read(&harts[i].gvma_flush))
			gvma_flush_if_asked(self);
	}
}

void hart_shootdown_gvma_doms(const struct domain *a, const struct domain *b)
{
	struct hart *self = this_hart();
	/*
	 * The caller's unmap (its PTE stores) before the masks are read: a hart
	 * whose bit this misses sets it later, and fences (vmid_enter) before it
	 * walks the tables, so it cannot find the old PTEs.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	u64 mask = __atomic_load_n(&a->tlb_harts, __ATOMIC_RELAXED);
	if (b)
		mask |= __atomic_load_n(&b->tlb_harts, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < nr_harts; i++) {
		if ((mask & (1UL << i)) && &harts[i] != self && harts[i].online) {
			atomic_or(&harts[i].gvma_flush, 1);
			hart_kick(&harts[i]);
		}
	}
	hfence_gvma_all();
	for (unsigned i = 0; i < nr_harts; i++) {
		/* Serve our own flag meanwhile: two harts may shoot down at once. */
		while ((mask & (1UL << i)) && &harts[i] != self && harts[i].online &&
		       atomic_read(&harts[i].gvma_flush))
			gvma_flush_if_asked(self);
	}
}

static void take_off(struct hart *h, struct vcpu *v);

static struct hart *least_loaded(u64 cpus_mask)
{
	struct hart *best = NULL;
	for (unsigned i = 0; i < nr_harts; i++) {
		struct hart *h = &harts[i];
		if (!h->online || (cpus_mask && !(cpus_mask & (1UL << i))))
			continue;
		if (h->nr_vcpus < MAX_VCPUS_PER_HART && (!best || h->nr_vcpus < best->nr_vcpus))
			best = h;
	}
	return best;
}

int sched_pin_vcpu(struct vcpu *v, u64 mask)
{
	u64 online = 0;
	for (unsigned i = 0; i < nr_harts; i++)
		if (harts[i].online)
			online |= 1UL << i;
	if (mask && !(mask & online))
		return -RIVET_EINVAL;
	/*
	 * Decided against the home as locked: it cannot move meanwhile, so the
	 * request goes to the hart that holds the vCPU, and never names it.
	 */
	struct hart *home = vcpu_lock_home(v);
	struct hart *to = NULL;
	if (mask && !(mask & (1UL << home->index))) {
		to = least_loaded(mask);
		if (!to) {
			spin_unlock(&home->lock);
			return -RIVET_ENOSPC;   /* nothing changed, an earlier request included */
		}
	}
	v->affinity = mask;
	v->migrate_to = to;   /* NULL cancels an earlier request the new mask makes moot */
	if (to)
		atomic_or(&home->migrations, 1);
	spin_unlock(&home->lock);
	if (to)
		hart_kick(home);
	return 0;
}

/* With h->lock held: the first vCPU homed here that vcpu-pin wants elsewhere. */
static struct vcpu *next_to_move(struct hart *h)
{
	for (unsigned i = 0; i < h->nr_vcpus; i++)
		if (h->vcpus[i]->migrate_to)
			return h->vcpus[i];
	return NULL;
}

/* Moves vCPUs that vcpu-pin sent elsewhere; they keep their state. */
static void __attribute__((noinline)) migrate_away(struct hart *h)
{
	for (;;) {
		spin_lock(&h->lock);
		struct vcpu *v = next_to_move(h);
		struct hart *to = v ? v->migrate_to : NULL;
		if (v && to == h)
			v->migrate_to = NULL;   /* already here */
		spin_unlock(&h->lock);
		if (!v)
			return;
		if (to == h)
			continue;
		take_off(h, v);   /* a pointer compare: harmless if v went meanwhile */
		lock_two(h, to);
		/* Under both locks, again: v may have been removed or re-pinned since. */
		int at = -1;
		for (unsigned i = 0; i < h->nr_vcpus && at < 0; i++)
			if (h->vcpus[i] == v)
				at = (int)i;
		bool moved = false, full = false;
		if (at >= 0 && v->migrate_to == to) {
			/* The bound is checked where it is guarded: the target may have filled up. */
			full = to->nr_vcpus >= MAX_VCPUS_PER_HART;
			if (!full) {
				h->vcpus[at] = h->vcpus[--h->nr_vcpus];
				to->vcpus[to->nr_vcpus++] = v;
				v->home = to;
				/* Another hart's virtual time means nothing here: it starts at this one's floor. */
				v->se.vtime = to->vtime_floor;
				v->se.away = false;
				moved = true;
			}
			v->migrate_to = NULL;
		}
		unlock_two(h, to);
		if (full)
			log("a vCPU pinned to hart %u stays on hart %u: hart %u is full", to->index, h->index,
			    to->index);
		if (moved)
			hart_kick(to);
	}
}

int sched_add_vcpu(struct vcpu *v, u64 cpus_mask)
{
	for (;;) {
		struct hart *best = least_loaded(cpus_mask);
		if (!best)
			return -RIVET_ENOSPC;
		spin_lock(&best->lock);
		/* Counted without the lock: another hart may have filled it since. */
		if (best->nr_vcpus < MAX_VCPUS_PER_HART) {
			v->home = best;
			v->affinity = cpus_mask;
			v->state = VCPU_OFF;
			v->se.away = true;   /* rejoins this hart's virtual time when it first runs */
			best->vcpus[best->nr_vcpus++] = v;
			spin_unlock(&best->lock);
			return 0;
		}
		spin_unlock(&best->lock);
	}
}

void sched_remove_vcpu(struct vcpu *v)
{
	struct hart *h = vcpu_lock_home(v);
	for (unsigned i = 0; i < h->nr_vcpus; i++) {
		if (h->vcpus[i] == v) {
			h->vcpus[i] = h->vcpus[--h->nr_vcpus];
			break;
		}
	}
	spin_unlock(&h->lock);
}

/* With the home hart's lock held: a BLOCKED vCPU with a due interrupt runs again (inline: a yield may). */
static inline bool wake_locked(struct vcpu *v, u64 now)
{
	if (v->state != VCPU_BLOCKED || v->io_wait || !vcpu_irq_pending(v, now))
		return false;
	v->state = VCPU_RUNNABLE;
	v->suspended = false;   /* an HSM suspend ends with the interrupt */
	return true;
}

void sched_wake(struct vcpu *v)
{
	/*
	 * Only a BLOCKED vCPU needs the lock. The unlocked read is a hint: one
	 * that blocks just after it is still woken, since the kick below makes
	 * its home scan its run queue, which wakes it (scan(), wake_locked).
	 */
	struct hart *h = __atomic_load_n(&v->home, __ATOMIC_RELAXED);
	if (__atomic_load_n(&v->state, __ATOMIC_RELAXED) == VCPU_BLOCKED) {
		h = vcpu_lock_home(v);
		wake_locked(v, time_now());
		spin_unlock(&h->lock);
	}
	/* Also when it runs: its home merges irq_inject into hvip on the way back in. */
	hart_kick(h);
	struct hart *now_home = __atomic_load_n(&v->home, __ATOMIC_RELAXED);
	if (now_home != h)
		hart_kick(now_home);   /* it was being moved (vcpu-pin) meanwhile */
}

static void take_off(struct hart *h, struct vcpu *v)
{
	if (v && h->current == v) {
		charge_current(v, time_now());
		vcpu_put(v);
		/* Release: as in switch_to(), its state is saved before anyone sees it gone. */
		__atomic_store_n(&h->current, NULL, __ATOMIC_RELEASE);
	}
}

void sched_block_current(struct hart *h)
{
	struct vcpu *v = h->current;
	take_off(h, v);
	spin_lock(&h->lock);
	if (!vcpu_irq_pending(v, time_now()))
		v->state = VCPU_BLOCKED;
	spin_unlock(&h->lock);
}

void sched_block_io(struct hart *h)
{
	struct vcpu *v = h->current;
	take_off(h, v);
	spin_lock(&h->lock);
	v->io_wait = true;
	v->state = VCPU_BLOCKED;
	spin_unlock(&h->lock);
}

void sched_wake_io(struct vcpu *v)
{
	struct hart *h = vcpu_lock_home(v);
	if (v->io_wait) {
		v->io_wait = false;
		if (v->state == VCPU_BLOCKED)
			v->state = VCPU_RUNNABLE;
	}
	spin_unlock(&h->lock);
	hart_kick(h);
}

void sched_stop_current(struct hart *h)
{
	struct vcpu *v = h->current;
	take_off(h, v);
	spin_lock(&h->lock);
	v->state = VCPU_OFF;
	spin_unlock(&h->lock);
}

/* With its home's lock held: runnable, and its domain runs (not paused, not dying or created). */
static bool can_run(const struct vcpu *v)
{
	return v->state == VCPU_RUNNABLE && !v->dom->paused && v->dom->state == DOM_RUNNING;
}

/*
 * With h->lock held, one pass over the run queue, from the round-robin
 * cursor on (it breaks ties; the current vCPU comes last): vCPUs of dying
 * domains leave (their domains go to off[], told after unlock), blocked ones
 * whose interrupt is due wake, each vCPU's steal time (steal.h) learns
 * whether it waits for this hart, and the policy (sched_policy.h) chooses:
 * an RTDS vCPU with budget left before any other, the earliest deadline
 * first, else the credit vCPU with the least virtual time; the current one
 * keeps the hart until its slice ends unless an RTDS one, or one more than
 * a slice behind it (back from away), preempts it (sched_keep_current).
 * *deadline: the earliest time that can make a vCPU runnable (a blocked
 * one's timer, an RTDS period's start, a cap's next window); *limit: when the
 * chosen one's budget or cap runs out (*rt: it runs by its RTDS budget,
 * not by slices); *others: a vCPU besides the chosen
 * one could run; *rr_next: where the cursor goes if the choice is taken
 * (not when a reaped domain restarts and the caller scans again: the one
 * chosen here would lose its turn to the restarted one). One pass, since it
 * runs on every switch.
 */
static struct vcpu *scan(struct hart *h, u64 now, struct domain **off, unsigned *nr_off, u64 *deadline,
			 u64 *limit, bool *rt, bool *others, unsigned *rr_next)
{
	struct vcpu *cur = h->current, *found = NULL;
	enum sched_class found_c = SCHED_CLASS_WAIT;
	unsigned n = h->nr_vcpus, i = h->rr_next, nr_ready = 0;
	u64 slice = slice_ticks();
	*deadline = ~0UL;
	*nr_off = 0;
	*rr_next = h->rr_next;
	if (cur)
		charge_current(cur, now);   /* its run so far counts in the choice */
	for (unsigned k = 0; k < n; k++, i++) {
		if (i >= n)
			i = 0;
		struct vcpu *v = h->vcpus[i];
		if (v->dom->state == DOM_DYING && !v->reaped) {
			take_off(h, v);
			v->state = VCPU_OFF;
			v->reaped = true;
			off[(*nr_off)++] = v->dom;
		} else if (v->state == VCPU_BLOCKED && !v->io_wait && !wake_locked(v, now)) {
			/* Still blocked: its timer may wake it (one waiting for its device model has none). */
			u64 d = vcpu_wake_deadline(v);
			if (d < *deadline)
				*deadline = d;
		}
		if (v == cur)
			continue;
		enum sched_class c = can_run(v) ? policy_class(v, now, deadline) : SCHED_CLASS_WAIT;
		if (c == SCHED_CLASS_WAIT) {
			v->se.away = true;
		} else if (v->se.away) {
			/* Back (woken, started, unpaused, let go): no credit banked meanwhile. */
			sched_rejoin(&v->se, h->vtime_floor, slice / 2);
			v->se.away = false;
		}
		/* Held back by its budget or cap, it is not waiting for this hart: no steal. */
		steal_note(v, c != SCHED_CLASS_WAIT, false, now);   /* the one picked stops waiting below */
		if (c == SCHED_CLASS_WAIT)
			continue;
		nr_ready++;
		if (sched_better(&v->se, c, found ? &found->se : NULL, found_c)) {
			found = v;
			found_c = c;
			*rr_next = i + 1 < n ? i + 1 : 0;
		}
	}
	/* A current vCPU reaped above is OFF by now: it cannot run on. */
	enum sched_class cur_c = SCHED_CLASS_WAIT;
	if (cur && can_run(cur))
		cur_c = policy_class(cur, now, deadline);
	if (cur && cur_c == SCHED_CLASS_WAIT)
		cur->se.away = true;
	struct vcpu *next = found;
	enum sched_class next_c = found_c;
	if (cur_c != SCHED_CLASS_WAIT) {
		if (sched_keep_current(&cur->se, cur_c, found ? &found->se : NULL, found_c, now >= h->slice_end,
				       slice)) {
			next = cur;
			next_c = cur_c;
		}
		nr_ready++;
	}
	*others = nr_ready > 1;
	*limit = next ? policy_limit(next, next_c, now) : ~0UL;
	*rt = next_c == SCHED_CLASS_RT;
	if (next && next_c == SCHED_CLASS_CREDIT && next->se.vtime > h->vtime_floor)
		h->vtime_floor = next->se.vtime;
	if (cur)
		steal_note(cur, cur_c != SCHED_CLASS_WAIT && next != cur, true, now);   /* preempted */
	if (next)
		steal_note(next, false, false, now);
	return next;
}

static void program_timer(struct hart *h, u64 deadline)
{
	if (deadline != h->timer_programmed) {
		h->timer_programmed = deadline;
		host_timer_set(deadline);
	}
}

void sched_timer_irq(struct hart *h)
{
	/* The deadline passed: force a reprogram (which also clears STIP). */
	h->timer_programmed = 0;
}

void sched_ipi_irq(struct hart *h)
{
	(void)h;
	csr_clear(CSR_SIP, IRQ_BIT(IRQ_S_SOFT));
}

static void handle_pending_host_irqs(struct hart *h)
{
	u64 sip = csr_read(CSR_SIP);
	if (sip & IRQ_BIT(IRQ_S_TIMER))
		sched_timer_irq(h);
	if (sip & IRQ_BIT(IRQ_S_SOFT))
		sched_ipi_irq(h);
	if (sip & IRQ_BIT(IRQ_S_EXT))
		host_ext_irq();
}

/* Reaps, wakes and picks until there is a vCPU to run (idling meanwhile). */
static struct vcpu *pick_next(struct hart *h, u64 *now, u64 *deadline, u64 *limit, bool *rt, bool *others)
{
	for (;;) {
		struct domain *off[MAX_VCPUS_PER_HART];
		unsigned nr_off, rr_next;
		struct vcpu *next;

		if (atomic_read(&h->kicked))
			atomic_xchg(&h->kicked, 0);
		gvma_flush_if_asked(h);
		if (atomic_read(&h->migrations) && atomic_xchg(&h->migrations, 0))
			migrate_away(h);
		*now = time_now();
		spin_lock(&h->lock);
		next = scan(h, *now, off, &nr_off, deadline, limit, rt, others, &rr_next);
		if (!nr_off)
			h->rr_next = rr_next;
		spin_unlock(&h->lock);
		for (unsigned i = 0; i < nr_off; i++)
			domain_vcpu_off(off[i]);
		if (nr_off)
			continue;   /* a restart may have made vCPUs runnable */
		if (next)
			return next;
		/* Idle: nothing to run until an interrupt (timer or kick). */
		take_off(h, h->current);
		/* Nothing of the last vCPU may wake this hart's WFI (vcpu_put leaves both). */
		csr_write(CSR_HVIP, 0);
		csr_write(CSR_VSTIMECMP, ~0UL);
		program_timer(h, *deadline);
		if (scrub_idle(h))
			continue;   /* one chunk of free memory zeroed: look at the run queue again */
		if (!atomic_read(&h->kicked) &&
		    !(csr_read(CSR_SIP) & (IRQ_BIT(IRQ_S_TIMER) | IRQ_BIT(IRQ_S_SOFT) | IRQ_BIT(IRQ_S_EXT))))
			wfi();
		handle_pending_host_irqs(h);
	}
}

/*
 * h->current := v, with release order (below): a fence then a plain store,
 * which is what a release store is on RISC-V, without GCC's amoswap.
 */
static inline void publish_current(struct hart *h, struct vcpu *v)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	h->current = v;   /* a plain store of the volatile pointer: GCC 12 makes an atomic one an amoswap */
}

/*
 * Puts prev, the current vCPU (if any), and loads next, now: the two halves
 * of a switch. current goes from one straight to the other, never NULL in
 * between, and with release order: domain_pause() and domain_quiescent(),
 * which wait while a vCPU of theirs is some hart's current, see the old
 * one's state saved once they see it gone.
 */
static inline void switch_to(struct hart *h, struct vcpu *prev, struct vcpu *next, u64 now)
{
	if (prev) {
		charge_current(prev, now);
		vcpu_switch(prev, next);
	} else {
		vcpu_load(next);
	}
	next->run_start = now;
	publish_current(h, next);
}

/*
 * The last steps before next, just made (or still) current, runs: its
 * domain was seen running after current was published (may_enter()).
 * The flags below are read plainly, after that fence: one set later comes
 * with a kick, whose IPI traps the guest right back (or, for this hart's
 * own kicks, the software interrupt raised at the end).
 */
static inline __attribute__((always_inline)) void prepare_entry(struct hart *h, struct vcpu *next, u64 deadline)
{
	steal_loaded(next);   /* only now: its domain runs, so its memory stays */
	/* The domain unmapped memory since this vCPU last ran: drop stale G-stage entries. */
	u64 gen = __atomic_load_n(&next->dom->gvma_gen, __ATOMIC_RELAXED);
	if (next->gvma_gen_seen != gen) {
		/* The VMID in hgatp, which is the one the TLB entries carry. */
		hfence_gvma_vmid((csr_read(CSR_HGATP) >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK);
		next->gvma_gen_seen = gen;
	}
	/* A plain read first: most switches have nothing to apply, and a swap costs more. */
	u64 req = __atomic_load_n(&next->requests, __ATOMIC_RELAXED) ? atomic_xchg(&next->requests, 0) : 0;
	if (req & VCPU_REQ_VVMA_FLUSH)
		hfence_vvma_all();
	if (req & VCPU_REQ_FENCE_I)
		fence_i();
	if (req & VCPU_REQ_EXT_LINE) {
		if (atomic_read(&next->ext_line))
			csr_set(CSR_HVIP, IRQ_BIT(IRQ_VS_EXT));
		else
			csr_clear(CSR_HVIP, IRQ_BIT(IRQ_VS_EXT));
	}
	u64 irqs = __atomic_load_n(&next->irq_inject, __ATOMIC_RELAXED) ? atomic_xchg(&next->irq_inject, 0) : 0;
	if (irqs)
		csr_set(CSR_HVIP, irqs);
	program_timer(h, deadline);
	/*
	 * A kick of this hart since pick_next() cleared the flag (a VMID
	 * rollover kicks its own hart) sent no IPI, and while the flag stays
	 * set no other kick sends one either: raise our own software interrupt,
	 * so the guest traps straight back and the next pass serves it.
	 */
	if (__atomic_load_n(&h->kicked, __ATOMIC_RELAXED))
		csr_set(CSR_SIP, IRQ_BIT(IRQ_S_SOFT));
}

/*
 * True when prepare_entry(h, next, yield_deadline(h)) has nothing to do
 * after a directed yield to next (yield_from(), which then skips it):
 * the condition of each of its steps, read as it reads it, but the last
 * (this hart kicked by itself since pick_next()): the yield saw the hart
 * not kicked, and kicks nothing itself. A step added there adds its
 * condition here. Read with what the yield kept in registers (the fences
 * and CSR swaps in between would make the compiler read memory again):
 * next's domain d and switch_sig sig (no STA record: steal_loaded()), and
 * h's slice_end and timer_programmed, which only h writes, and nothing on
 * the way did (so yield_deadline(h) is what is programmed).
 */
static inline bool yield_entry_is_plain(const struct vcpu *next, const struct domain *d, u64 sig,
					u64 slice_end, u64 programmed)
{
	return !(sig & SWITCH_SIG_STA) && next->gvma_gen_seen == __atomic_load_n(&d->gvma_gen, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&next->requests, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&next->irq_inject, __ATOMIC_RELAXED) && slice_end >= programmed;
}

/* Dekker with domain_pause() / domain_quiescent(): see schedule_scan(). d: the domain of the vCPU to enter. */
static inline bool may_enter_domain(const struct domain *d)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !d->paused && d->state == DOM_RUNNING;
}

static inline bool may_enter(struct vcpu *next)
{
	return may_enter_domain(next->dom);
}

/* Picks what runs next from the whole run queue (idling until there is one), and loads it. */
static struct vcpu *__attribute__((noinline)) schedule_scan(struct hart *h)
{
	struct vcpu *next;
	u64 now, deadline, limit;
	bool rt, others;

	for (;;) {
		next = pick_next(h, &now, &deadline, &limit, &rt, &others);
		/* Its VMID first: vcpu_load and vmid_enter put it in hgatp. */
		vmid_refresh(next->dom);
		bool switched = next != h->current;
		if (switched)
			switch_to(h, h->current, next, now);
		/*
		 * An RTDS vCPU with budget runs by that budget (limit), not by
		 * slices: its slice starts only once it competes by credit.
		 */
		if (rt)
			h->slice_end = now;
		else if (switched || now >= h->slice_end)
			h->slice_end = now + slice_ticks();
		/*
		 * Dekker with domain_pause() / domain_quiescent(): they set paused
		 * (or DYING), fence, then look at every hart's current; this hart
		 * publishes current, fences, then looks at the domain. One side sees
		 * the other, so a pause that returned never has a vCPU entering.
		 */
		if (may_enter(next))
			break;
	}
	vmid_enter(h, next->dom);
	if (others && !rt && h->slice_end < deadline)
		deadline = h->slice_end;
	if (limit < deadline)
		deadline = limit;   /* its RTDS budget or its domain's cap runs out */
	prepare_entry(h, next, deadline);
	return next;
}

/*
 * The directed yield (sched_yield_to()): the current vCPU hands the rest of
 * its slice to h->yield_to, a vCPU of its own domain, at once. Its common
 * way (yield_from()) calls nothing, so it needs no stack frame and saves
 * none of the guest's callee-saved registers, which entry.S saved into the
 * frame already: everything else (an IPI to deliver elsewhere, FP or
 * counters to move, steal time, a request, a timer to reprogram, a refusal)
 * is a tail call to one of the functions below.
 */

/* The yield may not happen: the yielder's slice is over and the run queue decides. */
static inline struct vcpu *yield_refused(struct hart *h)
{
	h->slice_end = 0;
	return schedule_scan(h);
}

/* The yield's target is homed elsewhere (never: see yield_from()): it gets the IPI as any target. */
static struct vcpu *__attribute__((noinline)) yield_elsewhere(struct hart *h, struct vcpu *t)
{
	vcpu_inject_irq(t, IRQ_BIT(IRQ_VS_SOFT));
	return yield_refused(h);
}

/* Where the target's run ends: the yielder's slice, or an earlier deadline already programmed. */
static inline u64 yield_deadline(const struct hart *h)
{
	return h->slice_end < h->timer_programmed ? h->slice_end : h->timer_programmed;
}

/*
 * The end of a yield, t just made current: its domain must still run
 * (may_enter()); then the yielder waits from now, the target stops waiting,
 * and prepare_entry() does whatever t has pending.
 */
static struct vcpu *__attribute__((noinline)) yield_enter(struct hart *h, struct vcpu *cur, struct vcpu *t,
							   u64 now)
{
	if (!may_enter(t))
		return yield_refused(h);
	steal_note(cur, true, true, now);
	steal_note(t, false, false, now);
	prepare_entry(h, t, yield_deadline(h));
	return t;
}

/* A yield whose switch moves more than CSRs (FP, counters, a new hart): the two halves, then its end. */
static struct vcpu *__attribute__((noinline)) yield_switch_slow(struct hart *h, struct vcpu *cur, struct vcpu *t,
								 u64 now)
{
	switch_to(h, cur, t, now);
	return yield_enter(h, cur, t, now);
}

/*
 * Called with h->lock held, which it drops: delivers the IPI the yield
 * carries to its target t (sbi_send_ipis() left it to the yield), into its
 * saved hvip. True if t is runnable (woken by the IPI if it waited for
 * one), as cur, the current vCPU, is.
 */
static inline __attribute__((always_inline)) bool yield_deliver(struct hart *h, struct vcpu *cur, struct vcpu *t,
								 u64 now)
{
	/* Homed here and not current, so not loaded: its saved hvip takes the IPI. */
	t->csrs.hvip |= IRQ_BIT(IRQ_VS_SOFT);
	if (t->state == VCPU_BLOCKED)
		wake_locked(t, now);
	bool ready = t->state == VCPU_RUNNABLE && cur->state == VCPU_RUNNABLE;
	/* Made current without a scan: back from away, it rejoins as a scan would have it. */
	if (ready && t->se.away) {
		sched_rejoin(&t->se, h->vtime_floor, slice_ticks() / 2);
		t->se.away = false;
	}
	spin_unlock(&h->lock);
	return ready;
}

/*
 * Whether the current vCPU cur may hand t the rest of its slice at once,
 * without a look at the whole run queue: only when nothing but the two
 * vCPUs changed since the last schedule(), i.e. this hart is not kicked,
 * since anything else that could (a wake, a request, a flush, a VMID
 * rollover, a migration, a pause, a death) kicks it; and the timer already
 * programmed covers every blocked vCPU's deadline. Its domain's state is
 * left to may_enter(), after the switch. kicked is read plainly, as the
 * fast exits read it: a kick from another hart not seen yet comes with its
 * IPI, which traps the guest right back; this hart's own are seen.
 *
 * Only within the slice, which t inherits: a fresh one here would outrun
 * the timer interrupt of the old one's end, which the guest takes only
 * after this, and two vCPUs yielding to each other would keep a third off
 * the hart. Same domain (sbi_send_ipis() sends nothing else): the VMID in
 * hgatp stays right, and a rollover since the last schedule() would have
 * kicked this hart. A budget or a cap is the scan's to enforce
 * (policy_limit): a yield hands over only a slice, so none in an RTDS or
 * capped domain.
 */
static inline bool yield_allowed(struct hart *h, const struct domain *d, struct vcpu *t, u64 now, u64 slice_end,
				 u64 programmed)
{
	return !__atomic_load_n(&h->kicked, __ATOMIC_RELAXED) && t->dom == d && now < slice_end && programmed &&
	       !d->sched_bounded;
}

/*
 * The yield itself, by cur, h's current vCPU. The IPI is delivered whether
 * or not the switch then happens. The common switch (vcpu_swap_csrs()) and
 * entry (nothing for prepare_entry() to do) are done inline; anything else
 * takes the tail calls above, which do it as schedule_scan() would.
 */
static inline __attribute__((always_inline)) struct vcpu *yield_from(struct hart *h, struct vcpu *cur)
{
	struct vcpu *t = h->yield_to;
	struct domain *d = cur->dom;
	u64 now = time_now();
	h->yield_to = NULL;
	spin_lock(&h->lock);
	/*
	 * Homed here when the IPI was sent, it still is: only this hart moves
	 * its vCPUs away (migrate_away), and not in between. Checked all the
	 * same: elsewhere, or (never) current, it gets the IPI as any target.
	 * No target at all (a fast switch asked for without one, never): a
	 * plain schedule.
	 */
	if (!t || t->home != h || t == cur) {
		spin_unlock(&h->lock);
		return t ? yield_elsewhere(h, t) : schedule_scan(h);
	}
	if (!yield_deliver(h, cur, t, now))
		return yield_refused(h);
	/* This hart's own, read once: nothing below changes them before the entry (yield_entry_is_plain()). */
	u64 slice_end = h->slice_end, programmed = h->timer_programmed;
	if (!yield_allowed(h, d, t, now, slice_end, programmed))
		return yield_refused(h);
	/*
	 * The plain way: nothing to move but the VS CSRs (the hart's others
	 * already right for t, no counters, FP or new hart). Where t has an STA
	 * record, so has cur (their switch_sig are equal), and yield_enter()
	 * notes the steal of both.
	 */
	u64 sig = t->switch_sig;
	if (!vcpu_switch_sig_plain(sig, h) || !vcpu_switch_fp_plain(cur, t, h))
		return yield_switch_slow(h, cur, t, now);
	/*
	 * switch_to() for this case: yield_allowed() ruled out a cap or a
	 * budget to charge. (A SCHED_SET from another hart since then makes
	 * this one charge the old way, as when it lands during a run.)
	 */
	charge_unbounded(cur, d, charge_run_time(cur, now));
	vcpu_swap_csrs(cur, t);
	t->run_start = now;
	publish_current(h, t);
	if (may_enter_domain(d) && yield_entry_is_plain(t, d, sig, slice_end, programmed))
		return t;
	return yield_enter(h, cur, t, now);
}

/* schedule() with a yield to make: h->current yields, unless (never) there is none. */
struct vcpu *schedule_yield(struct hart *h)
{
	struct vcpu *cur = h->current;
	if (!cur) {
		struct vcpu *t = h->yield_to;
		h->yield_to = NULL;
		return t ? yield_elsewhere(h, t) : schedule_scan(h);
	}
	return yield_from(h, cur);
}

/* The hart yields after cur's exit, its device model told of posted MMIO writes first (ioreq.c). */
static struct trap_frame *__attribute__((noinline)) yield_after_flush(struct vcpu *cur)
{
	ioreq_flush(cur->dom);
	return (struct trap_frame *)schedule_yield(this_hart());
}

/*
 * entry.S's ecall_switch: a fast ecall that asked for a directed yield
 * (SBI_FAST_SWITCH); f, the current vCPU's frame, is whole (entry.S saved
 * the rest, the call's result and the stepped sepc). The frame of the vCPU
 * that runs next (its first member). yield_from() checks yield_to itself,
 * so a positive result without a yield to make is a plain schedule, never
 * a NULL target.
 */
struct trap_frame *guest_yield(struct trap_frame *f)
{
	struct vcpu *cur = container_of(f, struct vcpu, frame);
	if (__atomic_load_n(&cur->dom->ioreq_unsignalled, __ATOMIC_RELAXED))
		return yield_after_flush(cur);
	return (struct trap_frame *)yield_from(this_hart(), cur);
}

struct vcpu *schedule(struct hart *h)
{
	if (h->yield_to)
		return schedule_yield(h);
	return schedule_scan(h);
}
