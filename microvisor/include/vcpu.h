/* SPDX-License-Identifier: MIT */
/* vcpu.h: a virtual hart: its trap frame, its VS-level CSRs and FP state while it is off the hart. */
#ifndef RIVET_VCPU_H
#define RIVET_VCPU_H
#include "trapframe.h"
#include "ioreq.h"
#include "vpmu.h"
#include "csr.h"
#include "spinlock.h"
#include "sched_policy.h"

struct domain;
struct hart;
struct sbi_sta_struct;

enum vcpu_state {
	VCPU_OFF,        /* HSM STOPPED, or its domain is not running */
	VCPU_RUNNABLE,   /* may run (and may be running: hart->current) */
	VCPU_BLOCKED,    /* in WFI or an HSM suspend, until an interrupt is pending */
};

/* FP register contents (vcpu.c, lazy FP): a hart's that may hold anything, and all zeros. */
#define FP_TAG_UNKNOWN 0
#define FP_TAG_ZERO    1

/* Bits of vcpu->requests, set by other harts, consumed before the vCPU runs. */
#define VCPU_REQ_VVMA_FLUSH  (1UL << 0)   /* hfence.vvma for this VMID */
#define VCPU_REQ_FENCE_I     (1UL << 1)
#define VCPU_REQ_EXT_LINE    (1UL << 2)   /* hvip.VSEIP := ext_line (its device model's PLIC) */

struct vcpu_csrs {
	u64 vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
	u64 hvip, vstimecmp;
	/* Not banked for VS-mode: the guest reaches the real ones, so they travel with it. */
	u64 scounteren, senvcfg;
};

struct vcpu {
	struct trap_frame frame;      /* first: trap.S finds the vCPU from it */
	struct domain *dom;
	unsigned id;                  /* vCPU id within the domain = its SBI hart id */
	struct hart *home;            /* the hart whose run queue holds it */
	enum vcpu_state state;        /* guarded by home->lock */
	bool suspended;               /* blocked by HSM suspend (status SUSPENDED) */
	bool resume_nonretentive;     /* on wake, resume at resume_addr */
	bool reaped;                  /* taken off by its hart while the domain dies */
	bool io_wait;                 /* guarded by home->lock: BLOCKED until its MMIO access is answered */
	struct ioreq_pending io;      /* that access (dom->ioreq_lock) */
	volatile u64 ext_line;        /* VSEIP level its (v)PLIC set: atomic stores, no lock; applied via VCPU_REQ_EXT_LINE */
	u64 resume_addr, resume_opaque;
	/*
	 * Valid while not loaded on a hart. Written by its home hart (a put; a
	 * directed yield adds its IPI to hvip under home->lock), or by a reset
	 * of a vCPU that is off (home->lock); other harts read it under home->lock.
	 */
	struct vcpu_csrs csrs;
	u64 fp[32], fcsr;
	u64 fp_tag;                   /* names the content of fp[] and fcsr (vcpu.c, lazy FP) */
	volatile u64 irq_inject;      /* hvip bits to raise, set by any hart */
	volatile u64 requests;        /* VCPU_REQ_* */
	int last_hart;                /* hart index it last ran on, -1 if never */
	u64 gvma_gen_seen;            /* its domain's gvma_gen when this hart last fenced for it */
	u64 affinity;                 /* harts it may run on (0 = any), from cpus= or vcpu-pin */
	struct hart *volatile migrate_to;   /* set by vcpu-pin; its home hart moves it */
	u64 run_ticks;                /* time spent running, in timebase ticks */
	u64 run_start;                /* when it was last loaded, or last charged (sched.c) */
	/*
	 * Scheduling policy (sched_policy.h): se is written by its home hart
	 * only, under home->lock except the charge of the running vCPU (which
	 * only its hart touches). SCHED_SET leaves new RTDS parameters in
	 * rt_want_* (under sched_params_lock) and bumps dom->sched_gen; the home
	 * hart reads them whole (sched_params_wanted, that lock inside its own)
	 * and applies them (sched_gen_seen) in its next scan.
	 */
	struct sched_entity se;
	u64 sched_gen_seen;
	u64 rt_want_budget, rt_want_period;   /* ticks; written under sched_params_lock (hc_sched.c) */
	bool rt_want_extratime;
	/* SBI PMU: its virtual counters (vpmu.c), sampled on load / put; touched by its own hart only. */
	struct vpmu pmu;
	/* SBI FWFT (sbi/sbi_fwft.c): its firmware features, from one hart reset to the next. */
	u64 hedeleg;                  /* while it runs: MISALIGNED_EXC_DELEG */
	u64 henvcfg;                  /* while it runs: PTE_AD_HW_UPDATING, LANDING_PAD, POINTER_MASKING_PMLEN */
	u32 fwft_locked;              /* bit n: feature n locked */
	/*
	 * Steal time (steal.h, sbi_sta.c). steal_* and sta_stale are written by
	 * the home hart only: in pick() (under home->lock), in a directed yield,
	 * and when the vCPU registers a record. sta and sta_* change on the
	 * vCPU itself (set_shmem, on that same hart), while it is off (reset), or
	 * while its domain cannot run (MEMORY_RELEASE); the hart that loads it
	 * reads them.
	 */
	bool steal_waiting;           /* runnable, its domain running, but not on its hart */
	bool sta_stale;               /* steal_ticks grew since the record was last written */
	u64 steal_since;              /* when steal_waiting last became true */
	u64 steal_ticks;              /* all its waiting so far, in timebase ticks */
	struct sbi_sta_struct *sta;   /* its SBI STA record (host address), NULL if none registered */
	u64 sta_gpa;                  /* where the guest put it */
	u64 sta_base;                 /* steal_ticks when registered: the record counts from there */
	u32 sta_seq;                  /* the record's sequence as last written */
	/*
	 * What a switch to it needs on a hart besides its VS CSRs, as one word
	 * (vcpu_sig_changed()): its FWFT features (sbi_fwft_sig(): so its
	 * hedeleg and henvcfg), whether it uses the SBI PMU (its hcounteren),
	 * whether it has an STA record, and SWITCH_SIG_SLOW for counting, which
	 * a plain switch does not do.
	 * Written by the hart it is current on (its own SBI calls) and by
	 * vcpu_reset() (of a vCPU that is off, under its home lock); read by
	 * its home hart while it is runnable there and not current (the yield),
	 * when nothing else writes it.
	 */
	u64 switch_sig;
};

/* switch_sig's own bits, apart from every bit sbi_fwft_sig() may set (checked there). */
#define SWITCH_SIG_PMU_USED   (1UL << 8)    /* vpmu_hcounteren(): its counter reads trap */
#define SWITCH_SIG_STA        (1UL << 9)    /* an SBI STA record to keep (steal.h) */
#define SWITCH_SIG_SLOW       (1UL << 10)   /* hardware counters started: sampled on put and load */
#define SWITCH_SIG_OWN        (SWITCH_SIG_PMU_USED | SWITCH_SIG_STA | SWITCH_SIG_SLOW)
/* A hart's loaded_sig (hart.h) that no vCPU's switch_sig equals (bit 63 is no feature's, nor its own). */
#define SWITCH_SIG_NONE       (~0UL)

/*
 * After any change of what switch_sig sums up (FWFT, PMU use or counting,
 * an STA record, a reset): recomputes it, and if v is this hart's current
 * vCPU, makes the hart's next switch take the whole way (loaded_sig).
 */
void vcpu_sig_changed(struct vcpu *v);

/* scounteren / senvcfg as the firmware handed them over (read at boot): a fresh vCPU's values. */
extern u64 vcpu_boot_scounteren, vcpu_boot_senvcfg;
/* Resets register state so that the vCPU starts at pc in VS-mode with a0, a1. */
void vcpu_reset(struct vcpu *v, u64 pc, u64 a0, u64 a1);
/* Loads / saves the VS CSRs and FP state on the current hart. */
void vcpu_load(struct vcpu *v);
void vcpu_put(struct vcpu *v);
/* Its counter state on this hart anew, for the loaded vCPU v whose SBI PMU use changed (sbi_pmu.c). */
void vcpu_load_counters(struct vcpu *v);
/* vcpu_put(prev) and vcpu_load(next) in one: a switch (each CSR saved and loaded by one csrrw). */
void vcpu_switch(struct vcpu *prev, struct vcpu *next);
/* Raises VS interrupt bits (hvip positions) and wakes the vCPU wherever it is. */
void vcpu_inject_irq(struct vcpu *v, u64 hvip_bits);
/* Sets its VSEIP level (an interrupt controller's output) and wakes it for a raised one. */
void vcpu_set_ext_line(struct vcpu *v, bool level);
/* Asks the vCPU to fence before it next runs, and kicks it off its hart. */
void vcpu_request(struct vcpu *v, u64 req);
/*
 * True if an interrupt the guest enabled in vsie is pending (for WFI).
 * Inline, as the next one: the scheduler asks for each blocked vCPU on
 * every switch, and each wake asks too.
 */
static inline bool vcpu_irq_pending(struct vcpu *v, u64 now)
{
	u64 pend = v->csrs.hvip | atomic_read(&v->irq_inject);
	if (atomic_read(&v->requests) & VCPU_REQ_EXT_LINE)
		pend = (pend & ~IRQ_BIT(IRQ_VS_EXT)) | (atomic_read(&v->ext_line) ? IRQ_BIT(IRQ_VS_EXT) : 0);
	if (now >= v->csrs.vstimecmp)
		pend |= IRQ_BIT(IRQ_VS_TIMER);
	/* vsie holds the VS bits at their S positions (SSIE = 1, STIE = 5, SEIE = 9). */
	return (pend >> 1) & v->csrs.vsie;
}

/* Guest timer deadline while blocked, ~0 if none can wake it. */
static inline u64 vcpu_wake_deadline(struct vcpu *v)
{
	return (v->csrs.vsie & IRQ_BIT(IRQ_S_TIMER)) ? v->csrs.vstimecmp : ~0UL;
}
#endif
