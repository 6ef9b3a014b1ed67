// SPDX-License-Identifier: MIT
/*
 * hc_balloon.c: ballooning (ABI 1.4), for the device model's virtio-balloon.
 * MEMORY_RECLAIM takes some 4 KiB pages from a DomU that may be running:
 * out of its G-stage table (a larger leaf split around them) and out of
 * the one foreign window of Dom0 that shows them (the device model's; with
 * two, someone else may be reading them: refused), then, once every hart
 * fenced, back to the pool, which scrubs them before anyone gets them
 * (docs/architecture.md "Memory cleanliness"). MEMORY_RESTORE gives the
 * DomU fresh zeroed pages where it has none (a populate) and maps them into
 * those windows too, so the device model's one mapping of the RAM shows them
 * again. A DomU that touches a reclaimed page takes a guest page fault, which
 * crashes it, as any access outside its RAM does.
 *
 * Locks: foreign_lock (every foreign map and Dom0's window tables), then the
 * DomU's mem_lock (its G-stage table, mem_bytes), then its evtchn_lock,
 * which RECLAIM holds from its check that the event page is elsewhere until
 * the pages are unmapped (evtchn_init looks its page up under it). STA
 * records are registered under mem_lock. The fences happen with no lock
 * held (hart_shootdown_gvma waits for every hart).
 */
#include "hypercall.h"
#include "hart.h"
#include "mm.h"
#include "print.h"

/* Tables a split of one range's two ends can add: a 1 GiB leaf to 2 MiB, then to 4 KiB, at each. */
#define SPLIT_TABLES (2 * (GSTAGE_LEVELS - 1))

_Static_assert(RIVET_BALLOON_MAX_PAGES * sizeof(u64) <= PAGE_SIZE, "the freed leaves fit one page");

static int args(struct trap_frame *f, u64 *gpa, u64 *bytes)
{
	u64 nr = f->x[REG_A2];
	*gpa = f->x[REG_A1];
	*bytes = nr * PAGE_SIZE;
	/* The first bound keeps gpa + bytes from wrapping. */
	if (!nr || nr > RIVET_BALLOON_MAX_PAGES || (*gpa & (PAGE_SIZE - 1)) ||
	    *gpa >= RIVET_FOREIGN_WINDOW_BASE || *gpa + *bytes > RIVET_FOREIGN_WINDOW_BASE)
		return -RIVET_EINVAL;
	return 0;
}

/* Both calls' arguments checked and their target found (referenced), or NULL with *ERR. */
static struct domain *target(struct vcpu *v, struct trap_frame *f, u64 *gpa, u64 *bytes, int *err)
{
	*err = args(f, gpa, bytes);
	return *err ? NULL : hc_target(v, f->x[REG_A0], err);
}

struct windows {
	struct gstage *gs;   /* Dom0's */
	struct domain *d;
	int err;
};

static void split_window(void *ctx, u64 window, u64 gpa, u64 bytes)
{
	struct windows *w = ctx;
	(void)gpa;
	if (!w->err)
		w->err = gstage_split(w->gs, window);
	if (!w->err)
		w->err = gstage_split(w->gs, window + bytes);
}

static void clear_window(void *ctx, u64 window, u64 gpa, u64 bytes)
{
	struct windows *w = ctx;
	(void)gpa;
	gstage_clear_range(w->gs, window, window + bytes, NULL, NULL);
}

/* With d's mem_lock: the window shows d's (new) pages again, page by page. */
static void map_window(void *ctx, u64 window, u64 gpa, u64 bytes)
{
	struct windows *w = ctx;
	for (u64 off = 0; off < bytes && !w->err; off += PAGE_SIZE) {
		u64 hpa;
		if (gstage_translate(&w->d->gs, gpa + off, &hpa, NULL) == 0)
			w->err = gstage_map(w->gs, window + off, hpa, PAGE_SIZE, PTE_R | PTE_W);
	}
}

struct freed {
	u64 *list;           /* hpa | (pages - 1): a leaf is page-aligned and at most 2 MiB here */
	unsigned n;
};

static int note_leaf(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte)
{
	struct freed *fr = ctx;
	(void)gpa;
	(void)pte;
	fr->list[fr->n++] = hpa | ((size >> PAGE_SHIFT) - 1);
	return 0;
}

/* With d's mem_lock and evtchn_lock: whether the microvisor itself writes into the range. */
static bool range_in_use(struct domain *d, u64 from, u64 to)
{
	if (d->event_page && d->event_gpa >= from && d->event_gpa < to)
		return true;
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		if (v->sta && v->sta_gpa >= from && v->sta_gpa < to)
			return true;
	}
	return false;
}

struct sbiret hc_memory_reclaim(struct vcpu *v, struct trap_frame *f)
{
	u64 gpa, bytes, budget = 0;
	int err;
	struct domain *d = target(v, f, &gpa, &bytes, &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	struct freed fr = { mm_alloc(PAGE_SIZE, PAGE_SIZE), 0 };
	if (!fr.list) {
		domain_put(d);
		return SBI_RET(hc_error(-RIVET_ENOMEM), 0);
	}
	struct domain *self = v->dom;
	struct windows w = { &self->gs, d, 0 };
	foreign_lock();
	spin_lock(&d->mem_lock);
	spin_lock(&d->evtchn_lock);
	/* Every way to fail first: then nothing needs undoing. */
	for (u64 off = 0; off < bytes && !err; off += PAGE_SIZE) {
		u64 hpa, prot;
		if (gstage_translate(&d->gs, gpa + off, &hpa, &prot) != 0 || !(prot & PTE_OWNED))
			err = -RIVET_EFAULT;   /* not populated (reclaimed already), or not its own */
	}
	if (!err && range_in_use(d, gpa, gpa + bytes))
		err = -RIVET_EBUSY;
	unsigned nr_windows = err ? 0 : foreign_windows(d, gpa, bytes, NULL, NULL);
	/*
	 * The device model's mapping of the RAM loses the pages with the domain;
	 * a second mapper (xl dump-core reading a paused domain) may be reading
	 * them right now, and a hole would fault it: refused.
	 */
	if (!err && nr_windows > 1)
		err = -RIVET_EBUSY;
	if (!err)
		err = mm_reserve((u64)SPLIT_TABLES * (1 + nr_windows), &budget);
	if (!err) {
		d->gs.ctx = self->gs.ctx = &budget;
		err = gstage_split(&d->gs, gpa);
		if (!err)
			err = gstage_split(&d->gs, gpa + bytes);
		if (!err)
			foreign_windows(d, gpa, bytes, split_window, &w);
		d->gs.ctx = self->gs.ctx = NULL;
		/* Cannot fail with the tables reserved; if it did, the splits made translate as before. */
		if (!err)
			err = w.err;
		if (err)
			log("domain %u: MEMORY_RECLAIM failed against its own checks (%d)", d->id, err);
	}
	if (!err) {
		foreign_windows(d, gpa, bytes, clear_window, &w);
		d->mem_bytes -= gstage_clear_range(&d->gs, gpa, gpa + bytes, note_leaf, &fr);
		__atomic_add_fetch(&d->gvma_gen, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&self->gvma_gen, 1, __ATOMIC_SEQ_CST);
	}
	spin_unlock(&d->evtchn_lock);
	spin_unlock(&d->mem_lock);
	foreign_unlock();
	if (budget)
		mm_unreserve(&budget);
	if (!err) {
		/*
		 * A vCPU of d, or a Dom0 vCPU through its window, may still reach the
		 * pages through its hart's TLB until every hart fenced. Harts fence in
		 * schedule(), never inside a handler that is copying to or from them.
		 */
		hart_shootdown_gvma();
		for (unsigned i = 0; i < fr.n; i++) {
			u64 pages = (fr.list[i] & (PAGE_SIZE - 1)) + 1;
			mm_free((void *)(uintptr_t)(fr.list[i] & ~(PAGE_SIZE - 1)), pages * PAGE_SIZE);
		}
	}
	mm_free(fr.list, PAGE_SIZE);
	domain_put(d);
	return SBI_RET(hc_error(err), 0);
}

struct sbiret hc_memory_restore(struct vcpu *v, struct trap_frame *f)
{
	u64 gpa, bytes, budget = 0;
	int err;
	struct domain *d = target(v, f, &gpa, &bytes, &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	struct domain *self = v->dom;
	struct windows w = { &self->gs, d, 0 };
	foreign_lock();
	/* The windows' tables first: after the populate nothing may fail. */
	unsigned nr_windows = foreign_windows(d, gpa, bytes, NULL, NULL);
	err = nr_windows ? mm_reserve((u64)SPLIT_TABLES * nr_windows, &budget) : 0;
	/* Refuses a range with any page populated (-RIVET_EEXIST) or beyond max_bytes (-RIVET_ERANGE). */
	if (!err)
		err = domain_populate(d, gpa, bytes);
	if (!err && nr_windows) {
		spin_lock(&d->mem_lock);
		self->gs.ctx = &budget;
		foreign_windows(d, gpa, bytes, map_window, &w);
		self->gs.ctx = NULL;
		spin_unlock(&d->mem_lock);
		/* The window was cleared by the reclaim: nothing can be there, and the tables are reserved. */
		if (w.err)
			log("domain %u: MEMORY_RESTORE's window mapping failed against its own checks (%d)",
			    d->id, w.err);
	}
	if (!err) {
		__atomic_add_fetch(&d->gvma_gen, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&self->gvma_gen, 1, __ATOMIC_SEQ_CST);
	}
	foreign_unlock();
	if (budget)
		mm_unreserve(&budget);
	/* A hart may keep a translation it found invalid: nobody faults on the new pages after this. */
	if (!err)
		hart_shootdown_gvma();
	domain_put(d);
	return SBI_RET(hc_error(err), 0);
}
