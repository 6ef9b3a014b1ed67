// SPDX-License-Identifier: MIT
/*
 * ioreq.c: a DomU's MMIO served by a device model in Dom0 (ioreq.h,
 * public/ioreq.h). The shared page is in Dom0's RAM and the device model
 * writes it at will: each field is read once, and a state this side did not
 * lead to crashes the served DomU, never anything else. The microvisor's
 * own record of each access (v->io) is what completes it; the page supplies
 * only a read's value.
 *
 * A vCPU that waits for an answer is off its hart and BLOCKED with io_wait
 * before its slot turns READY, so whoever collects the answer may write its
 * registers; interrupts do not wake it, only the answer or its domain's end.
 */
#include "ioreq.h"
#include "domain.h"
#include "vcpu.h"
#include "sched.h"
#include "hart.h"
#include "evtchn.h"
#include "mm.h"
#include "print.h"
#include "mmio_trap.h"
#include <string.h>

#define RING_SLOTS RIVET_IOREQ_RING_SLOTS
_Static_assert(RIVET_IOREQ_MAX_VCPUS == RIVET_MAX_VCPUS, "one ioreq slot per vCPU");
_Static_assert((RING_SLOTS & (RING_SLOTS - 1)) == 0, "ring indices wrap at 2^32");

/*
 * With the lock held: the plain (posted = false) or posted range of s that
 * holds [addr, addr + size), or NULL.
 */
static const struct ioreq_range *find(const struct ioreq_server *s, u64 addr, u64 size, bool posted)
{
	for (unsigned i = 0; i < s->nr_ranges; i++) {
		const struct ioreq_range *r = &s->ranges[i];
		if (!!(r->flags & RIVET_IOREQ_RANGE_POSTED) == posted && addr >= r->start && addr < r->end &&
		    size <= r->end - addr)
			return r;
	}
	return NULL;
}

/*
 * With the lock held: the value the device model keeps for a read of
 * exactly [addr, addr + size), if it keeps one that holds now (public/ioreq.h).
 */
static bool cached(const struct ioreq_server *s, u64 addr, u8 size, u64 *val)
{
	struct rivet_ioreq_page *pg = s->page;
	bool ring_empty = __atomic_load_n(&pg->ring_cons, __ATOMIC_RELAXED) == s->ring_prod;
	for (unsigned i = 0; i < RIVET_IOREQ_CACHE_SLOTS; i++) {
		u64 a = __atomic_load_n(&pg->cache[i].addr, __ATOMIC_RELAXED);
		if (!a)
			return false;
		if (a != addr)
			continue;
		u64 w = __atomic_load_n(&pg->cache[i].word, __ATOMIC_ACQUIRE);
		if (!(w & RIVET_IOREQ_CACHED_VALID) || RIVET_IOREQ_CACHED_SIZE(w) != size ||
		    (!ring_empty && !(w & RIVET_IOREQ_CACHED_ANYRING)))
			return false;
		*val = (u32)w;
		return true;
	}
	return false;
}

/* With the lock held: tells the device model to look at the page. */
static void signal_dm(struct domain *d, struct ioreq_server *s)
{
	s->unsignalled = false;
	evtchn_signal(d->ioreq_dm, s->port);
}

/*
 * With the lock held: puts v's pending access in its slot and signals the
 * device model. False if the slot is not free, which only a device model
 * that wrote it itself can cause.
 */
static bool issue(struct domain *d, struct ioreq_server *s, struct vcpu *v)
{
	struct rivet_ioreq *slot = &s->page->vcpu[v->id];
	if (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) != RIVET_IOREQ_NONE)
		return false;
	slot->addr = v->io.addr;
	slot->data = v->io.data;
	slot->dir = v->io.store ? RIVET_IOREQ_WRITE : RIVET_IOREQ_READ;
	slot->size = v->io.size;
	memset(slot->pad, 0, sizeof(slot->pad));
	slot->pad2 = 0;
	__atomic_store_n(&slot->state, RIVET_IOREQ_READY, __ATOMIC_RELEASE);
	v->io.issued = true;
	signal_dm(d, s);
	return true;
}

/*
 * With the lock held: appends a write to the ring. 1 posted, 0 the ring is
 * full, -1 the device model moved ring_cons where it cannot be.
 */
static int post(struct domain *d, struct ioreq_server *s, struct vcpu *v, u64 addr, u8 size, u64 data,
		bool lazy)
{
	struct rivet_ioreq_page *pg = s->page;
	u32 prod = s->ring_prod;
	u32 cons = __atomic_load_n(&pg->ring_cons, __ATOMIC_ACQUIRE);
	/* Between what it last consumed and what we produced, never backwards. */
	if (cons - s->ring_cons_seen > prod - s->ring_cons_seen)
		return -1;
	s->ring_cons_seen = cons;
	if (prod - cons == RING_SLOTS)
		return 0;
	struct rivet_ioreq_posted *e = &pg->ring[prod % RING_SLOTS];
	e->addr = addr;
	e->data = data;
	e->size = size;
	e->vcpu = (u8)v->id;
	memset(e->pad, 0, sizeof(e->pad));
	e->pad2 = 0;
	s->ring_prod = prod + 1;
	__atomic_store_n(&pg->ring_prod, prod + 1, __ATOMIC_RELEASE);
	/*
	 * Dekker with the device model, which stores ring_cons, fences and reads
	 * ring_prod: if it had consumed everything before this entry it may be
	 * asleep, so it is told; otherwise it will still see the new ring_prod.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (lazy && prod + 1 - cons < RING_SLOTS / 2) {
		/* Told later (ioreq_flush): one wake-up for a burst, not one per write. */
		s->unsignalled = true;
		__atomic_store_n(&d->ioreq_unsignalled, true, __ATOMIC_RELAXED);
	} else if (__atomic_load_n(&pg->ring_cons, __ATOMIC_RELAXED) == prod || s->unsignalled) {
		signal_dm(d, s);
	}
	return 1;
}

int ioreq_handle_fault(struct hart *h, struct vcpu *v, u64 gpa, bool store)
{
	struct domain *d = v->dom;
	if (!__atomic_load_n(&d->ioreq, __ATOMIC_RELAXED))
		return IOREQ_HOLE;   /* no device model: every hole is the guest's fault */
	struct mmio_insn m;
	enum mmio_decoded dec = mmio_trap_decode(v, &m);
	bool decoded = dec == MMIO_DECODED;
	const char *bad = NULL;

	spin_lock(&d->ioreq_lock);
	struct ioreq_server *s = d->ioreq;
	if (!s || !s->enabled || !find(s, gpa, 1, false)) {
		spin_unlock(&d->ioreq_lock);
		return IOREQ_HOLE;
	}
	/*
	 * Misaligned: the hart may have split it, so gpa need not be where it
	 * starts. The guest gets the misaligned exception (Linux then emulates
	 * it with aligned accesses), as on a hart without misaligned MMIO.
	 */
	if (dec == MMIO_SPLIT || (decoded && m.store == store && (gpa & (m.size - 1)))) {
		spin_unlock(&d->ioreq_lock);
		return IOREQ_MISALIGNED;
	}
	if (!decoded || m.store != store)
		bad = "an MMIO access by an instruction the microvisor cannot emulate";
	else if (!find(s, gpa, m.size, false))
		bad = "an MMIO access across the end of a device";
	if (bad) {
		spin_unlock(&d->ioreq_lock);
		domain_crash(d, bad, gpa, v->frame.sepc);
		return IOREQ_HANDLED;
	}
	u64 data = store ? mmio_store_value(&m, v->frame.x[m.reg]) : 0;
	const struct ioreq_range *pr = store ? find(s, gpa, m.size, true) : NULL;
	if (pr) {
		int r = post(d, s, v, gpa, m.size, data, pr->flags & RIVET_IOREQ_RANGE_LAZY);
		if (r > 0) {
			spin_unlock(&d->ioreq_lock);
			v->frame.sepc += m.len;
			return IOREQ_HANDLED;
		}
		if (r < 0) {
			spin_unlock(&d->ioreq_lock);
			domain_crash(d, "its device model broke the posted-write ring", gpa, v->frame.sepc);
			return IOREQ_HANDLED;
		}
		/* Full: this one waits for its answer like a read. */
	}
	u64 raw;
	if (!store && cached(s, gpa, m.size, &raw)) {
		spin_unlock(&d->ioreq_lock);
		if (m.reg)
			v->frame.x[m.reg] = mmio_load_value(&m, raw);
		v->frame.sepc += m.len;
		return IOREQ_HANDLED;
	}
	v->io = (struct ioreq_pending){ .active = true, .len = m.len, .size = m.size, .reg = m.reg,
					.store = store, .sign = m.sign, .addr = gpa, .data = data };
	/* Off the hart and blocked before the slot is READY: see the top of the file. */
	sched_block_io(h);
	bool ok = issue(d, s, v);
	spin_unlock(&d->ioreq_lock);
	if (!ok)
		domain_crash(d, "its device model wrote a request slot the microvisor had not filled", gpa,
			     v->frame.sepc);
	return IOREQ_HANDLED;
}

/* With the lock held: v's answer arrived; its registers take it. */
static void complete(struct vcpu *v, u64 raw)
{
	struct mmio_insn m = { .len = v->io.len, .size = v->io.size, .store = v->io.store,
			       .sign = v->io.sign, .reg = v->io.reg };
	if (!m.store && m.reg)
		v->frame.x[m.reg] = mmio_load_value(&m, raw);
	v->frame.sepc += m.len;
	v->io = (struct ioreq_pending){ 0 };
}

/*
 * With the lock held: completes the accesses whose slots are DONE, putting
 * their vCPUs in wake[]; returns why the page is broken, or NULL.
 */
static const char *collect_locked(struct domain *d, struct ioreq_server *s, struct vcpu **wake,
				  unsigned *nr_wake)
{
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		struct rivet_ioreq *slot = &s->page->vcpu[i];
		u8 st = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
		if (st == RIVET_IOREQ_READY && v->io.issued)
			continue;   /* not answered yet */
		if (st == RIVET_IOREQ_NONE && !v->io.issued)
			continue;   /* nothing asked */
		if (st != RIVET_IOREQ_DONE || !v->io.issued)
			return st == RIVET_IOREQ_DONE ? "its device model answered a request nobody made" :
			       st == RIVET_IOREQ_NONE ? "its device model took back a request unanswered" :
			       st == RIVET_IOREQ_READY ? "its device model made up a request" :
							 "its device model wrote an unknown request state";
		u64 raw = __atomic_load_n(&slot->data, __ATOMIC_RELAXED);
		__atomic_store_n(&slot->state, RIVET_IOREQ_NONE, __ATOMIC_RELEASE);
		complete(v, raw);
		wake[(*nr_wake)++] = v;
	}
	return NULL;
}

static void wake_all(struct vcpu **wake, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sched_wake_io(wake[i]);
}

void ioreq_notify(unsigned domid)
{
	struct domain *d = domid < RIVET_DOMID_SELF ? domain_get(domid, NULL) : NULL;
	if (!d)
		return;
	struct vcpu *wake[RIVET_MAX_VCPUS];
	unsigned nr_wake = 0;
	const char *bad = NULL;

	spin_lock(&d->ioreq_lock);
	if (d->ioreq)
		bad = collect_locked(d, d->ioreq, wake, &nr_wake);
	spin_unlock(&d->ioreq_lock);
	wake_all(wake, nr_wake);
	if (bad)
		domain_crash(d, bad, 0, 0);
	domain_put(d);
}

/*
 * Server pages in use (HPA), by served domain id: one page serves one
 * server and is never Dom0's event page. pages_lock is a leaf lock.
 */
static u64 server_pages[MAX_DOMAINS];
static spinlock_t pages_lock = SPINLOCK_INIT;

static bool page_claim(unsigned id, u64 hpa, struct domain *dm)
{
	bool ok = (u64)(uintptr_t)dm->event_page != hpa && id < MAX_DOMAINS;
	spin_lock(&pages_lock);
	for (unsigned i = 0; ok && i < MAX_DOMAINS; i++)
		ok = server_pages[i] != hpa;
	if (ok)
		server_pages[id] = hpa;
	spin_unlock(&pages_lock);
	return ok;
}

static void page_unclaim(unsigned id)
{
	spin_lock(&pages_lock);
	server_pages[id] = 0;
	spin_unlock(&pages_lock);
}

/*
 * With the lock held: the server leaves d. Its port in Dom0 is freed when
 * Dom0 destroyed the server; when the domain ends it stays, orphaned, until
 * Dom0's IOREQ_DESTROY frees it, so that Dom0 never finds its port number
 * handed to someone else behind its back.
 */
static struct ioreq_server *detach_locked(struct domain *d, bool orphan)
{
	struct ioreq_server *s = d->ioreq;
	if (!s)
		return NULL;
	d->ioreq = NULL;
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i])   /* a domain whose creation failed half-way has gaps */
			d->vcpus[i]->io.issued = false;   /* a new server gets them again (ioreq_enable) */
	if (orphan)
		evtchn_orphan_ioreq(d->ioreq_dm, s->port);
	else
		evtchn_free_ioreq(d->ioreq_dm, s->port);
	page_unclaim(d->id);
	return s;
}

static void release(struct ioreq_server *s, struct domain *dm)
{
	mm_free(s, sizeof(*s));
	domain_put(dm);
}

void ioreq_teardown(struct domain *d)
{
	spin_lock(&d->ioreq_lock);
	d->ioreq_closed = true;
	struct domain *dm = d->ioreq_dm;
	struct ioreq_server *s = detach_locked(d, true);
	d->ioreq_dm = NULL;
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i])
			d->vcpus[i]->io = (struct ioreq_pending){ 0 };
	spin_unlock(&d->ioreq_lock);
	if (s)
		release(s, dm);
}

int ioreq_server_create(struct domain *d, struct domain *dm, u64 page_gpa, unsigned *port)
{
	u64 hpa, prot;
	if ((page_gpa & (PAGE_SIZE - 1)) || gstage_translate(&dm->gs, page_gpa, &hpa, &prot) != 0 ||
	    !(prot & PTE_OWNED))
		return -RIVET_EFAULT;
	struct ioreq_server *s = mm_alloc(sizeof(*s), 8);
	if (!s)
		return -RIVET_ENOMEM;
	memset(s, 0, sizeof(*s));
	s->page = (struct rivet_ioreq_page *)(uintptr_t)hpa;
	s->page_gpa = page_gpa;
	int p = evtchn_alloc_ioreq(dm, d->id);
	if (p < 0) {
		mm_free(s, sizeof(*s));
		return p;
	}
	s->port = (unsigned)p;

	spin_lock(&d->ioreq_lock);
	/* A DomU's VSEIP is its PLIC's or its event channels', never both. */
	int err = d->ioreq_closed ? -RIVET_ENOENT : (d->ioreq || d->event_page) ? -RIVET_EBUSY : 0;
	if (!err && !page_claim(d->id, hpa, dm))
		err = -RIVET_EBUSY;
	if (!err) {
		memset(s->page, 0, sizeof(*s->page));
		d->ioreq = s;
		d->ioreq_dm = dm;
		d->ioreq_ever = true;
		domain_ref(dm);   /* the server signals Dom0 until it goes */
	}
	spin_unlock(&d->ioreq_lock);
	if (err) {
		evtchn_free_ioreq(dm, s->port);
		mm_free(s, sizeof(*s));
		return err;
	}
	*port = s->port;
	return 0;
}

int ioreq_server_destroy(struct domain *d, unsigned port)
{
	struct vcpu *wake[RIVET_MAX_VCPUS];
	unsigned nr_wake = 0;
	const char *bad = NULL;

	/*
	 * A domain that could still run would fault on the ranges as they go,
	 * or wait in an access nobody answers: it stops first, while they are
	 * still there (a vCPU of it on another hart must not find them gone).
	 */
	spin_lock(&d->ioreq_lock);
	bool served = d->ioreq && d->ioreq->port == port && d->ioreq->enabled;
	spin_unlock(&d->ioreq_lock);
	bool paused = served && domain_pause_if_alive(d);

	spin_lock(&d->ioreq_lock);
	struct ioreq_server *s = d->ioreq;
	if (!s || s->port != port) {
		spin_unlock(&d->ioreq_lock);
		return -RIVET_ENOENT;   /* not this server: a later one of a domain with the same id */
	}
	/* Answers it gave before it went count: a read with side effects is not done twice. */
	bad = collect_locked(d, s, wake, &nr_wake);
	struct domain *dm = d->ioreq_dm;
	detach_locked(d, false);
	d->ioreq_dm = NULL;
	spin_unlock(&d->ioreq_lock);
	wake_all(wake, nr_wake);
	release(s, dm);
	if (bad)
		domain_crash(d, bad, 0, 0);
	else if (paused)
		log("domain %u \"%s\" paused: its device model went away", d->id, d->name);
	return 0;
}

void ioreq_flush(struct domain *d)
{
	spin_lock(&d->ioreq_lock);
	d->ioreq_unsignalled = false;
	if (d->ioreq && d->ioreq->unsignalled)
		signal_dm(d, d->ioreq);
	spin_unlock(&d->ioreq_lock);
}

int ioreq_map(struct domain *d, u64 start, u64 len, u32 flags)
{
	u64 end = start + len;
	const u32 known = RIVET_IOREQ_RANGE_POSTED | RIVET_IOREQ_RANGE_LAZY;
	if (!len || end < start || end > RIVET_IOREQ_MMIO_END || (flags & ~known) ||
	    flags == RIVET_IOREQ_RANGE_LAZY)
		return -RIVET_EINVAL;
	spin_lock(&d->ioreq_lock);
	struct ioreq_server *s = d->ioreq;
	int err = !s ? -RIVET_ENOENT : s->nr_ranges == RIVET_IOREQ_MAX_RANGES ? -RIVET_ENOSPC : 0;
	/* Plain ranges do not overlap; a posted one lies in a plain one and overlaps no posted one. */
	for (unsigned i = 0; !err && i < s->nr_ranges; i++) {
		const struct ioreq_range *r = &s->ranges[i];
		if (!r->flags == !flags && start < r->end && r->start < end)
			err = -RIVET_EEXIST;
	}
	if (!err && flags && !find(s, start, len, false))
		err = -RIVET_EINVAL;
	if (!err)
		s->ranges[s->nr_ranges++] = (struct ioreq_range){ .start = start, .end = end, .flags = flags };
	spin_unlock(&d->ioreq_lock);
	return err;
}

int ioreq_unmap(struct domain *d, u64 start, u64 len, u32 flags)
{
	spin_lock(&d->ioreq_lock);
	struct ioreq_server *s = d->ioreq;
	int err = -RIVET_ENOENT;
	for (unsigned i = 0; s && i < s->nr_ranges && err; i++) {
		struct ioreq_range *r = &s->ranges[i];
		if (r->start != start || r->end - r->start != len || r->flags != flags)
			continue;
		err = 0;
		/* A plain range goes only once no posted range lies in it. */
		for (unsigned j = 0; !flags && j < s->nr_ranges && !err; j++)
			if (s->ranges[j].flags && s->ranges[j].start >= r->start && s->ranges[j].end <= r->end)
				err = -RIVET_EBUSY;
		if (!err)
			*r = s->ranges[--s->nr_ranges];
	}
	spin_unlock(&d->ioreq_lock);
	return err;
}

int ioreq_enable(struct domain *d, bool on)
{
	bool bad = false;
	spin_lock(&d->ioreq_lock);
	struct ioreq_server *s = d->ioreq;
	if (s) {
		s->enabled = on;
		/* Accesses a gone device model left unanswered go to this one. */
		for (unsigned i = 0; on && i < d->nr_vcpus && !bad; i++) {
			struct vcpu *v = d->vcpus[i];
			if (v->io.active && !v->io.issued)
				bad = !issue(d, s, v);
		}
	}
	spin_unlock(&d->ioreq_lock);
	if (bad)
		domain_crash(d, "its device model wrote a request slot the microvisor had not filled", 0, 0);
	return s ? 0 : -RIVET_ENOENT;
}

int ioreq_set_irq(struct domain *d, unsigned vcpu, bool level)
{
	if (vcpu >= d->nr_vcpus)
		return -RIVET_EINVAL;
	if (!__atomic_load_n(&d->ioreq, __ATOMIC_RELAXED))
		return -RIVET_ENOENT;   /* its VSEIP belongs to its event channels */
	vcpu_set_ext_line(d->vcpus[vcpu], level);
	return 0;
}
