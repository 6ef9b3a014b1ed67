// SPDX-License-Identifier: MIT
/*
 * vmid.c: VMID allocation with generations (see vmid.h). Lock order:
 * vmid_lock is a leaf; it is taken with no other lock held, from
 * schedule() and domain_alloc().
 */
#include "vmid.h"
#include "domain.h"
#include "hart.h"
#include "csr.h"
#include "spinlock.h"
#include "print.h"

static spinlock_t vmid_lock = SPINLOCK_INIT;
static unsigned vmid_width;          /* set once at boot */
static u64 vmid_next;                /* next free VMID of this generation (vmid_lock) */
static volatile u64 vmid_gen = 1;    /* written under vmid_lock, read anywhere */

void vmid_init(unsigned bits)
{
	vmid_width = bits;
	vmid_next = 1;   /* VMID 0 is left to the microvisor itself (hgatp = 0) */
}

bool vmid_stale(const struct domain *d)
{
	return vmid_width && d->vmid_version != atomic_read(&vmid_gen);
}

static u64 make_hgatp(const struct domain *d, u64 vmid)
{
	return (HGATP_MODE_SV39X4 << HGATP_MODE_SHIFT) | (vmid << HGATP_VMID_SHIFT) |
	       ((u64)(uintptr_t)d->gs.root >> PAGE_SHIFT);
}

/* With vmid_lock held: a new generation; every hart drops its G-stage TLB before its next guest. */
static void rollover(void)
{
	__atomic_add_fetch(&vmid_gen, 1, __ATOMIC_SEQ_CST);
	vmid_next = 1;
	/*
	 * This hart too: its own vCPU (say Dom0, in DOMAIN_CREATE) holds a VMID
	 * of the old generation, and the flag keeps the trap fast path from
	 * resuming it before schedule() gives it a new one.
	 */
	for (unsigned i = 0; i < nr_harts; i++) {
		if (!harts[i].online)
			continue;
		atomic_or(&harts[i].gvma_flush, 1);
		hart_kick(&harts[i]);
	}
}

/* Out of line: the check in vmid_refresh() is what nearly every switch runs. */
static void __attribute__((noinline)) vmid_assign(struct domain *d)
{
	if (!vmid_width) {
		d->hgatp = make_hgatp(d, 0);
		return;
	}
	bool rolled = false;
	spin_lock(&vmid_lock);
	if (vmid_stale(d)) {
		if (vmid_next >= (1UL << vmid_width)) {
			rollover();
			rolled = true;
		}
		u64 vmid = vmid_next++;
		d->vmid = vmid;
		d->hgatp = make_hgatp(d, vmid);
		/* Last: a hart that sees the new version also sees the VMID and the flush flags. */
		__atomic_store_n(&d->vmid_version, vmid_gen, __ATOMIC_RELEASE);
	}
	u64 gen = vmid_gen;
	spin_unlock(&vmid_lock);
	if (rolled)
		log("VMIDs used up: generation %lu begins, every hart flushed its G-stage TLB", gen);
}

void vmid_refresh(struct domain *d)
{
	if (vmid_width && !vmid_stale(d))
		return;
	vmid_assign(d);
}

static void __attribute__((noinline)) vmid_enter_slow(struct hart *h, struct domain *d)
{
	for (;;) {
		/*
		 * After a rollover another hart may have set our flush flag before
		 * it handed VMIDs out again: serve it before hgatp is written, so no
		 * entry of a VMID's previous owner survives here.
		 */
		if (atomic_read(&h->gvma_flush) && atomic_xchg(&h->gvma_flush, 0))
			hfence_gvma_all();
		if (!vmid_width && h->last_domain != d) {
			hfence_gvma_all();   /* every domain shares VMID 0 */
			h->last_domain = d;
		}
		u64 want = d->hgatp;
		/*
		 * Before this hart's first walk with d's hgatp: its bit, then a
		 * fence, so an unmap whose shootdown read the mask without it is
		 * seen by the walks (hart_shootdown_gvma_doms()). Only here: the
		 * fast path in vmid_enter() runs with an hgatp put here.
		 */
		u64 bit = 1UL << h->index;
		if (!(d->tlb_harts & bit)) {
			atomic_or(&d->tlb_harts, bit);
			hfence_gvma_all();
		}
		if (csr_read(CSR_HGATP) != want)
			csr_write(CSR_HGATP, want);
		/*
		 * Done when what is in hgatp is d's VMID of the current generation.
		 * Otherwise a rollover came in between (or another hart refreshed d
		 * after we read it): take d's VMID of now and serve the flag again.
		 */
		if (!vmid_stale(d) && d->hgatp == want)
			return;
		vmid_refresh(d);
	}
}

void vmid_enter(struct hart *h, struct domain *d)
{
	/*
	 * Most switches: no flush to serve, and d's VMID of this generation is
	 * in hgatp already (the last vCPU was of d, or d's hgatp was put there).
	 * The same checks, in the same order, as the loop's first round.
	 */
	if (vmid_width && !atomic_read(&h->gvma_flush) && csr_read(CSR_HGATP) == d->hgatp && !vmid_stale(d))
		return;
	vmid_enter_slow(h, d);
}
