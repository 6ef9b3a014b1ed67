/* SPDX-License-Identifier: MIT */
/* sched.h: per-hart round-robin scheduling of vCPUs with timer preemption. */
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
/* True when the trapping vCPU may simply resume: the trap path's shortcut past schedule(). Inline: every trap asks. */
static inline bool sched_fast_resume(struct hart *h, struct vcpu *v)
{
	/*
	 * One flag stands for everything else that could stop it: a request
	 * (vcpu_request), an interrupt to inject (sched_wake), a G-stage flush or
	 * VMID rollover, a migration (vcpu-pin), its domain paused or dying each
	 * kicks its home, this hart, also when set from this hart itself. Being
	 * current, it is RUNNABLE: blocking or stopping takes it off first.
	 * Plain loads suffice: this only decides whether to look further. A kick
	 * not seen yet comes with its IPI, which traps the guest right back in.
	 */
	return h->current == v && !__atomic_load_n(&h->kicked, __ATOMIC_RELAXED) &&
	       time_now() < h->slice_end &&
	       v->gvma_gen_seen == __atomic_load_n(&v->dom->gvma_gen, __ATOMIC_RELAXED);
}
#endif
/* Picks the vCPU this hart runs next (idling until there is one) and loads it. */
struct vcpu *schedule(struct hart *h);
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
/* Host timer / IPI interrupt handling on this hart. */
void sched_timer_irq(struct hart *h);
void sched_ipi_irq(struct hart *h);
#endif
