/* SPDX-License-Identifier: MIT */
/* hart.h: a physical hart: its run queue (the vCPUs homed on it), stack and timer. */
#ifndef RIVET_HART_H
#define RIVET_HART_H
#include "vcpu.h"
#include "config.h"
#include "spinlock.h"

/* hart->kicked's one bit. */
#define KICK_EVENT (1UL << 0)   /* something changed for a vCPU here (hart_kick): look at them all */

struct hart {
	/*
	 * lock guards vcpus[], nr_vcpus, rr_next, vtime_floor and the state of every vCPU
	 * homed here; a vCPU's home changes only with both harts' locks held
	 * (lower index first), so vcpu_lock_home() can trust what it locked.
	 * First, so that taking it needs no address add (spin_lock's amoswap).
	 */
	spinlock_t lock;
	unsigned index;               /* 0..nr_harts-1, what cpus= masks refer to */
	unsigned long hartid;         /* the platform hart id */
	bool online;
	struct vcpu *vcpus[MAX_VCPUS_PER_HART];
	unsigned nr_vcpus;
	unsigned rr_next;             /* round-robin cursor: who wins a tie */
	u64 vtime_floor;              /* the least virtual time of its credit vCPUs, as last picked (sched_rejoin) */
	struct vcpu *volatile current;   /* loaded on this hart, or NULL; written by this hart only */
	const struct domain *last_domain;  /* with no VMID bits: whose G-stage entries the TLB may hold */
	u64 slice_end;
	u64 timer_programmed;
	/*
	 * KICK_EVENT, that this hart must schedule before it resumes its vCPU:
	 * set by any hart (atomic or), cleared by this one in pick_next().
	 */
	volatile u64 kicked;
	struct vcpu *yield_to;        /* this hart's only: a directed yield's target (sched_yield_to) */
	volatile u64 gvma_flush;      /* hfence.gvma all before running a guest again */
	volatile u64 migrations;      /* a vCPU homed here was pinned elsewhere */
	u64 stack_top;
	/*
	 * Written and read by this hart only: what it last wrote to the CSRs a
	 * switch may change (HART_CSR_UNKNOWN: nothing yet), so a vCPU's load
	 * writes one only when the value differs, without reading it back
	 * (HART_CSR_UPDATE).
	 */
	u64 hedeleg, henvcfg, hcounteren;
	/*
	 * The switch_sig (vcpu.h) of the vCPU those three were last written
	 * for, or SWITCH_SIG_NONE once that vCPU's changed while current. Only
	 * read while that vCPU is current (a directed yield from it, sched.c:
	 * to a vCPU whose switch_sig equals it, without SWITCH_SIG_SLOW, none
	 * of the three is written); every other way onto the hart writes what
	 * differs and sets it (vcpu_load(), vcpu_switch_plain()).
	 */
	u64 loaded_sig;
	/* Whose FP registers this hart holds (vcpu.c, lazy FP), this hart's only: FP_TAG_*, or a vCPU's tag. */
	u64 fp_tag;
	/* Guarded guest-memory access: a fault sets fault_hit and skips the insn. */
	volatile bool fault_armed, fault_hit;
};

/*
 * A hart's copy of a CSR it has not written yet (hart_setup): no value
 * hedeleg, henvcfg or hcounteren can hold, as each has bits that are
 * read-only zero (and Rivet writes only its own bits to hcounteren).
 */
#define HART_CSR_UNKNOWN (~0UL)
/* Writes val to csr, whose last value hart h keeps in its field copy, only if the two differ. */
#define HART_CSR_UPDATE(h, copy, csr, val) do {	\
	u64 __new = (val);				\
	if ((h)->copy != __new) {			\
		csr_write(csr, __new);			\
		(h)->copy = __new;			\
	}						\
} while (0)

extern struct hart harts[MAX_HARTS];
extern unsigned nr_harts;
extern u64 timebase_hz;

static inline struct hart *this_hart(void)
{
	struct hart *h;
	asm volatile("mv %0, tp" : "=r"(h));
	return h;
}

/* Locks v's home hart and returns it; the home cannot change until it is unlocked. */
struct hart *vcpu_lock_home(struct vcpu *v);
/* Makes another hart re-run its scheduler soon (a host IPI). */
void hart_kick(struct hart *h);
/* Serves a G-stage flush another hart asked of this one (while this one spin-waits). */
void hart_serve_flush(struct hart *h);
/* Every hart drops all G-stage TLB entries; returns when they have. No locks may be held. */
void hart_shootdown_gvma(void);
/*
 * The same for the harts that may hold G-stage entries of domain a or b (b
 * may be NULL): their tlb_harts, read after the caller's unmap. This hart
 * fences all too. No locks may be held.
 */
struct domain;
void hart_shootdown_gvma_doms(const struct domain *a, const struct domain *b);
#endif
