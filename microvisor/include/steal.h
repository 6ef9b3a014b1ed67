/* SPDX-License-Identifier: MIT */
/*
 * steal.h: steal time, how long each vCPU was runnable but kept off its hart
 * by another vCPU, and its publication in the SBI STA record (sbi_sta.c).
 *
 * A vCPU waits while it is RUNNABLE, its domain RUNNING and not paused, and
 * its hart runs something else (or is on its way to it). The home hart sees
 * every start and end of a wait in pick(), since whatever makes a vCPU
 * runnable, or its domain run again, kicks that hart: blocked (WFI, HSM
 * suspend), stopped, paused and dying vCPUs never wait. A directed yield
 * (sched.c) notes the two vCPUs it switches between.
 *
 * Only a vCPU with a record registered is counted: nothing else reads its
 * steal time, and a registration counts from then on (sta_set_shmem), so
 * the others' switches pay two loads for it.
 */
#ifndef RIVET_STEAL_H
#define RIVET_STEAL_H
#include "vcpu.h"
#include "public/sbi_abi.h"

struct domain;

#define NSEC_PER_SEC 1000000000UL

/*
 * ticks of a hz clock in nanoseconds, rounded down. Exact with no
 * intermediate overflow for hz below 2^64 / 10^9 (18 GHz): the remainder is
 * below hz before it is scaled. (The result itself fits for 584 years.)
 */
static inline u64 steal_ticks_to_ns(u64 ticks, u64 hz)
{
	return ticks / hz * NSEC_PER_SEC + ticks % hz * NSEC_PER_SEC / hz;
}

/*
 * On v's home hart (only that hart touches these fields), each time it
 * picks (with its lock held) or yields: whether v waits now. preempting: v
 * was that hart's current vCPU and is switched out, while its domain runs,
 * so its record may be written (the domain cannot lose its memory while one
 * of its vCPUs is on a hart; see sbi_sta.c); the spec's advisory flag goes up.
 */
static inline void steal_note(struct vcpu *v, bool waits, bool preempting, u64 now)
{
	if (!v->sta || waits == v->steal_waiting)
		return;
	v->steal_waiting = waits;
	if (waits) {
		v->steal_since = now;
		if (preempting) {
			__atomic_store_n(&v->sta->preempted, 1, __ATOMIC_RELAXED);
			v->sta_stale = true;   /* the flag goes down when it runs again */
		}
		return;
	}
	/* A vCPU that became runnable and was picked in the same pick waited for nothing. */
	if (now != v->steal_since) {
		v->steal_ticks += now - v->steal_since;
		v->sta_stale = true;
	}
}

/* Writes the steal time into v's record (the spec's sequence protocol) and clears preempted. */
void sta_publish(struct vcpu *v);

/*
 * On the hart that just made v current and saw its domain running (after
 * schedule()'s fence with domain_pause): the record is up to date before the
 * guest runs. Costs one load for a vCPU with no record, two when there is
 * nothing to write.
 */
static inline void steal_loaded(struct vcpu *v)
{
	if (v->sta && v->sta_stale)
		sta_publish(v);
}

/* vcpu_reset: a reset vCPU has no record registered (as KVM's vCPU reset). */
void sta_reset(struct vcpu *v);
/* MEMORY_RELEASE of [from, to), d quiescent and its mem_lock held: records there are dropped. */
void sta_forget_range(struct domain *d, u64 from, u64 to);
#endif
