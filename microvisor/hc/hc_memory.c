// SPDX-License-Identifier: MIT
/*
 * hc_memory.c: Dom0's memory hypercalls: populate and release a DomU's RAM,
 * and map a DomU's pages into Dom0's foreign window (so the toolstack can
 * load images and the device model can reach virtqueues). A mapping holds a
 * reference on the DomU, so its memory outlives every mapping of it, and
 * MEMORY_RELEASE refuses pages that a mapping covers. FOREIGN_UNMAP returns
 * once no hart can reach the pages through Dom0's TLB entries.
 *
 * fmaps_lock guards fmaps[] and every domain's nr_fmaps; it is taken before
 * any domain's mem_lock.
 */
#include "hypercall.h"
#include "sched.h"
#include "hart.h"
#include "print.h"
#include "csr.h"
#include "mm.h"

#define MAX_FOREIGN_MAPS 256
#define MAX_HC_PAGES     (1UL << 20)   /* 4 GiB in one call */

struct foreign_map {
	u64 window_gpa, nr_pages;
	u64 target_gpa;               /* where the pages are in the target */
	struct domain *target;        /* referenced while mapped */
	bool unmapping;               /* unmapped; still counted until every hart fenced */
};
static struct foreign_map fmaps[MAX_FOREIGN_MAPS];
static spinlock_t fmaps_lock = SPINLOCK_INIT;

static struct domain *domu(struct vcpu *v, u64 domid)
{
	if (domid >= RIVET_DOMID_SELF)
		return NULL;
	struct domain *d = domain_get((unsigned)domid, v->dom);
	if (d && d == v->dom) {
		domain_put(d);
		return NULL;
	}
	return d;
}

static struct sbiret done(struct domain *d, int err)
{
	domain_put(d);
	return SBI_RET(hc_error(err), 0);
}

void foreign_lock(void)
{
	spin_lock(&fmaps_lock);
}

void foreign_unlock(void)
{
	spin_unlock(&fmaps_lock);
}

unsigned foreign_windows(struct domain *d, u64 gpa, u64 len,
			 void (*fn)(void *ctx, u64 window, u64 gpa, u64 bytes), void *ctx)
{
	unsigned n = 0;
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS; i++) {
		struct foreign_map *m = &fmaps[i];
		u64 from = m->target_gpa, to = from + m->nr_pages * PAGE_SIZE;
		/* An unmapping slot's window is cleared already: nothing of it to change. */
		if (m->target != d || m->unmapping || to <= gpa || from >= gpa + len)
			continue;
		u64 lo = from > gpa ? from : gpa, hi = to < gpa + len ? to : gpa + len;
		if (fn)
			fn(ctx, m->window_gpa + (lo - from), lo, hi - lo);
		n++;
	}
	return n;
}

struct sbiret hc_memory_populate(struct vcpu *v, struct trap_frame *f)
{
	u64 gpa = f->x[REG_A1], nr = f->x[REG_A2];
	struct domain *d = domu(v, f->x[REG_A0]);
	if (!d)
		return SBI_RET(RIVET_ERR_NO_DOMAIN, 0);
	if (!nr || nr > MAX_HC_PAGES || gpa >= RIVET_FOREIGN_WINDOW_BASE)
		return done(d, -RIVET_EINVAL);
	return done(d, domain_populate(d, gpa, nr * PAGE_SIZE));
}

struct sbiret hc_memory_release(struct vcpu *v, struct trap_frame *f)
{
	u64 gpa = f->x[REG_A1], nr = f->x[REG_A2];
	struct domain *d = domu(v, f->x[REG_A0]);
	if (!d)
		return SBI_RET(RIVET_ERR_NO_DOMAIN, 0);
	if (!nr || nr > MAX_HC_PAGES || gpa + nr * PAGE_SIZE < gpa)
		return done(d, -RIVET_EINVAL);
	/* Refused, not deferred: a page Dom0 maps stays until it unmaps (docs/hypercalls.md). */
	domain_settle(d);   /* no lock held: a hart backing out of a just-paused vCPU is waited for */
	spin_lock(&fmaps_lock);
	int err = 0;
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS && !err; i++)
		if (fmaps[i].target == d && fmaps[i].target_gpa < gpa + nr * PAGE_SIZE &&
		    gpa < fmaps[i].target_gpa + fmaps[i].nr_pages * PAGE_SIZE)
			err = -RIVET_EBUSY;
	/* domain_release also refuses while a vCPU of d could run. */
	if (!err)
		err = domain_release(d, gpa, nr * PAGE_SIZE);
	spin_unlock(&fmaps_lock);
	return done(d, err);
}

/*
 * Takes a mapping down (its slot is marked unmapping, under fmaps_lock):
 * clears its window, lets every hart fence with no lock held, then frees the
 * slot, the emptied window tables and the reference. Until then the slot
 * still counts, so MEMORY_RELEASE cannot free the pages under a stale TLB.
 */
static void retire_locked_then_unlock(struct domain *self, struct foreign_map *slot)
{
	struct domain *d = slot->target;
	u64 from = slot->window_gpa, to = from + slot->nr_pages * PAGE_SIZE;
	gstage_clear_range(&self->gs, from, to, NULL, NULL);
	u64 tables = gstage_unlink_empty(&self->gs, from, to);
	__atomic_add_fetch(&self->gvma_gen, 1, __ATOMIC_SEQ_CST);
	spin_unlock(&fmaps_lock);
	hart_shootdown_gvma();
	spin_lock(&fmaps_lock);
	*slot = (struct foreign_map){ 0 };
	d->nr_fmaps--;
	gstage_free_unlinked(&self->gs, tables);   /* no walk cache points at them any more */
	spin_unlock(&fmaps_lock);
	domain_put(d);
}

struct sbiret hc_foreign_map(struct vcpu *v, struct trap_frame *f)
{
	u64 fgpa = f->x[REG_A1], window = f->x[REG_A2], nr = f->x[REG_A3], flags = f->x[REG_A4];
	struct domain *self = v->dom;
	if ((flags & ~RIVET_FOREIGN_MAP_FLAGS) || !nr || nr > MAX_HC_PAGES || ((fgpa | window) & (PAGE_SIZE - 1)) ||
	    window < RIVET_FOREIGN_WINDOW_BASE || window >= RIVET_FOREIGN_WINDOW_END ||
	    window + nr * PAGE_SIZE > RIVET_FOREIGN_WINDOW_END)   /* the first bound stops a wrap */
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	struct domain *d = domu(v, f->x[REG_A0]);
	if (!d)
		return SBI_RET(RIVET_ERR_NO_DOMAIN, 0);
	spin_lock(&fmaps_lock);
	struct foreign_map *slot = NULL;
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS && !slot; i++)
		if (!fmaps[i].target)
			slot = &fmaps[i];
	int err = !slot ? -RIVET_ENOSPC :
		  gstage_range_mapped(&self->gs, window, window + nr * PAGE_SIZE) ? -RIVET_EEXIST : 0;
	/* Every way to fail is found before anything is mapped: then nothing needs undoing. */
	u64 budget = 0;
	if (!err)
		err = mm_reserve(nr / GSTAGE_PTES_PER_PAGE + 2 + nr / (GSTAGE_PTES_PER_PAGE * GSTAGE_PTES_PER_PAGE) + 2,
				 &budget);
	/* d's mem_lock: its pages cannot be released or replaced while we look them up and map them. */
	bool reserved = !err;
	if (reserved)
		spin_lock(&d->mem_lock);
	for (u64 i = 0; i < nr && !err; i++) {
		u64 hpa, prot;
		int hole = gstage_translate(&d->gs, fgpa + i * PAGE_SIZE, &hpa, &prot) != 0;
		if ((hole && !(flags & RIVET_FOREIGN_MAP_HOLES)) || (!hole && !(prot & PTE_OWNED)))
			err = -RIVET_EFAULT;   /* not RAM of d */
	}
	if (!err) {
		self->gs.ctx = &budget;   /* the window's tables come out of the reservation */
		*slot = (struct foreign_map){ window, nr, fgpa, d, false };   /* keeps the reference */
		d->nr_fmaps++;
		/*
		 * Each run of pages that is contiguous in host memory goes in as one
		 * mapping: gstage_map then writes 2 MiB leaves wherever the window
		 * address and the host address are both 2 MiB aligned, instead of 512
		 * 4 KiB PTEs (and their table page). A failure part-way is undone below
		 * as before: the window range is cleared whole.
		 */
		/* Holes (HOLES only) stay unmapped in the window: MEMORY_RESTORE fills them in (hc_balloon.c). */
		u64 hpa = 0;
		bool have = gstage_translate(&d->gs, fgpa, &hpa, NULL) == 0;   /* found above, same lock */
		for (u64 i = 0; i < nr && !err;) {
			u64 run = 1, next = 0;
			bool next_have = false;
			while (i + run < nr) {
				next_have = gstage_translate(&d->gs, fgpa + (i + run) * PAGE_SIZE, &next, NULL) == 0;
				if (next_have != have || (have && next != hpa + run * PAGE_SIZE))
					break;
				run++;
			}
			if (have)
				err = gstage_map(&self->gs, window + i * PAGE_SIZE, hpa, run * PAGE_SIZE, PTE_R | PTE_W);
			i += run;
			hpa = next;   /* the page that ended the run: looked up once */
			have = next_have;
		}
		self->gs.ctx = NULL;
	}
	if (reserved) {
		spin_unlock(&d->mem_lock);
		mm_unreserve(&budget);
	}
	if (err && slot && slot->target == d) {
		/* Cannot happen after the checks; if it does, the part mapped goes as an unmap would. */
		log("FOREIGN_MAP of domain %u failed against its own checks (%d)", d->id, err);
		slot->unmapping = true;
		retire_locked_then_unlock(self, slot);
		return SBI_RET(hc_error(err), 0);
	}
	spin_unlock(&fmaps_lock);
	if (err)
		return done(d, err);
	return SBI_RET(SBI_SUCCESS, 0);
}

struct sbiret hc_foreign_unmap(struct vcpu *v, struct trap_frame *f)
{
	u64 window = f->x[REG_A0], nr = f->x[REG_A1];
	struct foreign_map *slot = NULL;
	spin_lock(&fmaps_lock);
	for (unsigned i = 0; i < MAX_FOREIGN_MAPS && !slot; i++)
		if (fmaps[i].target && !fmaps[i].unmapping && fmaps[i].window_gpa == window &&
		    fmaps[i].nr_pages == nr)
			slot = &fmaps[i];
	if (!slot) {
		spin_unlock(&fmaps_lock);
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);   /* not a mapping made by FOREIGN_MAP */
	}
	slot->unmapping = true;
	/*
	 * Dom0's other vCPUs may be running with the old entries in their harts'
	 * TLBs: every hart fences before the slot goes, so that a MEMORY_RELEASE
	 * cannot free the pages meanwhile, and before the emptied window tables
	 * go back to the pool.
	 */
	retire_locked_then_unlock(v->dom, slot);
	return SBI_RET(SBI_SUCCESS, 0);
}
