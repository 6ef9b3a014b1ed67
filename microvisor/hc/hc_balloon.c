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
 * With RIVET_MEMORY_LIST (1.5) a call takes a list of single pages instead
 * of one range, read once into a page of the microvisor's and checked
 * there (balloon_list.c): the same steps over each page, all or nothing,
 * and one fence for the lot. The fence reaches only the harts that may hold
 * G-stage entries of the DomU, and of Dom0 when its window changed
 * (hart_shootdown_gvma_doms(), domain.h tlb_harts).
 *
 * Locks: foreign_lock (every foreign map and Dom0's window tables), then the
 * DomU's mem_lock (its G-stage table, mem_bytes), then its evtchn_lock,
 * which RECLAIM holds from its check that the event page is elsewhere until
 * the pages are unmapped (evtchn_init looks its page up under it). STA
 * records are registered under mem_lock. The fences happen with no lock
 * held (hart_shootdown_gvma_doms waits for the harts it fences).
 */
#include "hypercall.h"
#include "hart.h"
#include "mm.h"
#include "print.h"
#include "balloon_list.h"

/* Tables a split of one range's two ends can add: a 1 GiB leaf to 2 MiB, then to 4 KiB, at each. */
#define SPLIT_TABLES (2 * (GSTAGE_LEVELS - 1))

_Static_assert(RIVET_BALLOON_MAX_PAGES * sizeof(u64) <= PAGE_SIZE, "the freed leaves fit one page");

/*
 * What one call covers: n spans of len bytes, at gpa[0..n): a range is one
 * span (gpa points at one), a list n pages (gpa is the microvisor's copy).
 */
struct spans {
	u64 *gpa;
	u64 n, len, one;
	bool list;
};

static void put_spans(struct spans *s)
{
	if (s->list)
		mm_free(s->gpa, PAGE_SIZE);
	s->list = false;
}

/* Both calls' arguments, checked; a list copied out of the caller's RAM first. */
static int get_spans(struct vcpu *v, struct trap_frame *f, struct spans *s)
{
	u64 flags = f->x[REG_A3], gpa = f->x[REG_A1], nr = f->x[REG_A2];
	*s = (struct spans){ &s->one, 1, 0, gpa, false };
	if ((flags & ~RIVET_MEMORY_FLAGS) || !nr || nr > RIVET_BALLOON_MAX_PAGES)
		return -RIVET_EINVAL;
	if (!(flags & RIVET_MEMORY_LIST)) {
		s->len = nr * PAGE_SIZE;
		/* The first bound keeps gpa + len from wrapping. */
		if ((gpa & (PAGE_SIZE - 1)) || gpa >= RIVET_FOREIGN_WINDOW_BASE ||
		    gpa + s->len > RIVET_FOREIGN_WINDOW_BASE)
			return -RIVET_EINVAL;
		return 0;
	}
	_Static_assert(RIVET_BALLOON_MAX_PAGES * sizeof(u64) <= PAGE_SIZE, "a list fits one page");
	s->gpa = mm_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!s->gpa)
		return -RIVET_ENOMEM;
	s->list = true;
	s->n = nr;
	s->len = PAGE_SIZE;
	/* Read once: the caller's other vCPUs may rewrite the array meanwhile, and now it does not matter. */
	int err = domain_read_gpa(v->dom, gpa, s->gpa, nr * sizeof(u64));
	if (!err)
		err = balloon_list_check(s->gpa, nr, RIVET_BALLOON_MAX_PAGES, RIVET_FOREIGN_WINDOW_BASE);
	if (err)
		put_spans(s);
	return err;
}

/* Both calls' arguments checked and their target found (referenced), or NULL with *ERR. */
static struct domain *target(struct vcpu *v, struct trap_frame *f, struct spans *s, int *err)
{
	*err = get_spans(v, f, s);
	if (*err)
		return NULL;
	struct domain *d = hc_target(v, f->x[REG_A0], err);
	if (!d)
		put_spans(s);
	return d;
}

/* How many pieces of Dom0's windows show the spans, and the most one span has. */
static unsigned count_windows(struct domain *d, const struct spans *s, unsigned *max_per_span)
{
	unsigned total = 0;
	*max_per_span = 0;
	for (u64 i = 0; i < s->n; i++) {
		unsigned w = foreign_windows(d, s->gpa[i], s->len, NULL, NULL);
		total += w;
		if (w > *max_per_span)
			*max_per_span = w;
	}
	return total;
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

/*
 * Tables the splits around the spans may add in d's table and in windows
 * pieces of Dom0's: a range's two ends in each, or for a list of pages, each
 * page's 2 MiB and 1 GiB region in d's (balloon_list_tables()) and at most
 * two per piece of a window.
 */
static u64 split_tables(const struct spans *s, unsigned windows)
{
	if (!s->list)
		return (u64)SPLIT_TABLES * (1 + windows);
	return balloon_list_tables(s->gpa, s->n) + 2 * (u64)windows;
}

struct sbiret hc_memory_reclaim(struct vcpu *v, struct trap_frame *f)
{
	struct spans s;
	u64 budget = 0;
	int err;
	struct domain *d = target(v, f, &s, &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	struct freed fr = { mm_alloc(PAGE_SIZE, PAGE_SIZE), 0 };
	if (!fr.list) {
		put_spans(&s);
		domain_put(d);
		return SBI_RET(hc_error(-RIVET_ENOMEM), 0);
	}
	struct domain *self = v->dom;
	struct windows w = { &self->gs, d, 0 };
	unsigned nr_windows = 0, most = 0;
	foreign_lock();
	spin_lock(&d->mem_lock);
	spin_lock(&d->evtchn_lock);
	/* Every way to fail first, for every span: then nothing needs undoing. */
	for (u64 i = 0; i < s.n && !err; i++) {
		for (u64 off = 0; off < s.len && !err; off += PAGE_SIZE) {
			u64 hpa, prot;
			if (gstage_translate(&d->gs, s.gpa[i] + off, &hpa, &prot) != 0 || !(prot & PTE_OWNED))
				err = -RIVET_EFAULT;   /* not populated (reclaimed already), or not its own */
		}
		if (!err && range_in_use(d, s.gpa[i], s.gpa[i] + s.len))
			err = -RIVET_EBUSY;
	}
	if (!err)
		nr_windows = count_windows(d, &s, &most);
	/*
	 * The device model's mapping of the RAM loses the pages with the domain;
	 * a second mapper (xl dump-core reading a paused domain) may be reading
	 * them right now, and a hole would fault it: refused.
	 */
	if (!err && most > 1)
		err = -RIVET_EBUSY;
	if (!err)
		err = mm_reserve(split_tables(&s, nr_windows), &budget);
	if (!err) {
		d->gs.ctx = self->gs.ctx = &budget;
		for (u64 i = 0; i < s.n && !err; i++) {
			err = gstage_split(&d->gs, s.gpa[i]);
			if (!err)
				err = gstage_split(&d->gs, s.gpa[i] + s.len);
			if (!err)
				foreign_windows(d, s.gpa[i], s.len, split_window, &w);
			/* Cannot fail with the tables reserved; if it did, the splits made translate as before. */
			if (!err)
				err = w.err;
		}
		d->gs.ctx = self->gs.ctx = NULL;
		if (err)
			log("domain %u: MEMORY_RECLAIM failed against its own checks (%d)", d->id, err);
	}
	if (!err) {
		for (u64 i = 0; i < s.n; i++) {
			foreign_windows(d, s.gpa[i], s.len, clear_window, &w);
			d->mem_bytes -= gstage_clear_range(&d->gs, s.gpa[i], s.gpa[i] + s.len, note_leaf, &fr);
		}
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
		 * pages through its hart's TLB until those harts fenced. Harts fence
		 * in schedule(), never inside a handler that is copying to or from them.
		 */
		hart_shootdown_gvma_doms(d, nr_windows ? self : NULL);
		for (unsigned i = 0; i < fr.n; i++) {
			u64 pages = (fr.list[i] & (PAGE_SIZE - 1)) + 1;
			mm_free((void *)(uintptr_t)(fr.list[i] & ~(PAGE_SIZE - 1)), pages * PAGE_SIZE);
		}
	}
	mm_free(fr.list, PAGE_SIZE);
	put_spans(&s);
	domain_put(d);
	return SBI_RET(hc_error(err), 0);
}

struct sbiret hc_memory_restore(struct vcpu *v, struct trap_frame *f)
{
	struct spans s;
	u64 budget = 0;
	int err;
	struct domain *d = target(v, f, &s, &err);
	if (!d)
		return SBI_RET(hc_error(err), 0);
	struct domain *self = v->dom;
	struct windows w = { &self->gs, d, 0 };
	unsigned most;
	foreign_lock();
	/* The windows' tables first: after the populate nothing may fail. */
	unsigned nr_windows = count_windows(d, &s, &most);
	err = nr_windows ? mm_reserve(s.list ? 2 * (u64)nr_windows : (u64)SPLIT_TABLES * nr_windows, &budget) : 0;
	/* Refuses pages populated (-RIVET_EEXIST) or beyond max_bytes (-RIVET_ERANGE), all or nothing. */
	if (!err)
		err = s.list ? domain_populate_pages(d, s.gpa, s.n, balloon_list_tables(s.gpa, s.n))
			     : domain_populate(d, s.gpa[0], s.len);
	if (!err && nr_windows) {
		spin_lock(&d->mem_lock);
		self->gs.ctx = &budget;
		for (u64 i = 0; i < s.n; i++)
			foreign_windows(d, s.gpa[i], s.len, map_window, &w);
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
		hart_shootdown_gvma_doms(d, nr_windows ? self : NULL);
	put_spans(&s);
	domain_put(d);
	return SBI_RET(hc_error(err), 0);
}
