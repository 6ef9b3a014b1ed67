/* SPDX-License-Identifier: MIT */
/* sched.h: per-hart run queues of vCPUs, timer preemption, and the policy's parameters (sched_policy.h). */
#ifndef RIVET_SCHED_H
#define RIVET_SCHED_H
#include "hart.h"
#include "domain.h"
#include "csr.h"

/* Puts a vCPU in the run queue of the least-loaded hart allowed by mask. */
int sched_add_vcpu(struct vcpu *v, u64 cpus_mask);
void sched_remove_vcpu(struct vcpu *v);
/* Not in host builds: they have no time CSR (csr.h), and no host test resumes a vCPU. */
#ifndef RIVET_HOST_BUILD
/*
 * True when the vCPU whose exit the full path just handled may simply resume
 * (trap.c), without schedule(). Inline: most full exits ask.
 */
static inline bool sched_fast_resume(struct hart *h, struct vcpu *v)
{
	/*
	 * Not kicked (the trap path's one flag: docs/architecture.md, "The trap
	 * path"), no directed yield asked (the legacy IPI call, sbi_send_ipis()),
	 * and what a full exit itself may have changed: it blocked or
	 * stopped (then it is no longer current), its slice, its domain's
	 * memory (gvma_gen). Plain loads suffice: a kick not seen yet comes with
	 * its IPI, which traps the guest right back in.
	 */
	return h->current == v && !__atomic_load_n(&h->kicked, __ATOMIC_RELAXED) && !h->yield_to &&
	       time_now() < h->slice_end &&
	       v->gvma_gen_seen == __atomic_load_n(&v->dom->gvma_gen, __ATOMIC_RELAXED);
}
#endif
/* Picks the vCPU this hart runs next (idling until there is one) and loads it. */
struct vcpu *schedule(struct hart *h);
/*
 * A directed yield (sbi_ipi.c): the current vCPU just sent an IPI to t, a
 * vCPU of its own domain homed on this hart, and waits for the answer; t
 * gets the rest of its slice at once. Leaves the IPI itself (t's VSSIP) and
 * t's wake to schedule(), which the trap path runs next (SBI_FAST_SWITCH, or
 * on the full path sched_fast_resume()): it delivers the IPI whether or
 * not the yield then happens. Only this hart reads or writes yield_to.
 */
static inline void sched_yield_to(struct hart *h, struct vcpu *t)
{
	h->yield_to = t;
}
/* schedule() for a hart whose current vCPU asked for a directed yield (h->yield_to). */
struct vcpu *schedule_yield(struct hart *h);
/* Current vCPU waits for an interrupt (WFI, HSM suspend). */
void sched_block_current(struct hart *h);
/* Current vCPU waits for its device model's answer (ioreq.c): only sched_wake_io ends that. */
void sched_block_io(struct hart *h);
void sched_wake_io(struct vcpu *v);
/* Current vCPU stops (HSM stop). */
void sched_stop_current(struct hart *h);
/* Wakes a BLOCKED vCPU if an interrupt is now pending for it. */
void sched_wake(struct vcpu *v);
/* Restricts v to the harts in mask (0 = any), moving it if its home is not one. */
int sched_pin_vcpu(struct vcpu *v, u64 mask);
/*
 * sched_params.c: D's scheduling parameters (public/hypercall.h, struct
 * rivet_sched_params) for VCPU or RIVET_SCHED_ALL_VCPUS: set (0, or
 * -RIVET_EINVAL with nothing changed) and read back.
 */
int sched_params_set(struct domain *d, u64 vcpu, const struct rivet_sched_params *p);
int sched_params_get(struct domain *d, u64 vcpu, struct rivet_sched_params *p);
/* With V's home hart's lock held: SCHED_SET's latest RTDS values for V, read whole. */
void sched_params_wanted(const struct vcpu *v, u64 *budget, u64 *period, bool *extratime);
/* Host timer / IPI interrupt handling on this hart. */
void sched_timer_irq(struct hart *h);
void sched_ipi_irq(struct hart *h);
#endif
