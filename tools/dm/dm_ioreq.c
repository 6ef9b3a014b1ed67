// SPDX-License-Identifier: MIT
/* dm_ioreq.c: processing the shared ioreq page (dm_ioreq.h). */
#include "dm_ioreq.h"

#include "dm_log.h"

void dm_ioreq_init(struct dm_ioreq *io, struct rivet_ioreq_page *page, unsigned nr_vcpus,
		   struct dm_bus *bus, void (*notify)(void *), void (*after_pass)(void *), void *ctx)
{
	*io = (struct dm_ioreq){ .page = page, .bus = bus, .notify = notify,
				 .after_pass = after_pass, .ctx = ctx };
	io->nr_vcpus = nr_vcpus > RIVET_IOREQ_MAX_VCPUS ? RIVET_IOREQ_MAX_VCPUS : nr_vcpus;
	io->cons = __atomic_load_n(&page->ring_cons, __ATOMIC_RELAXED);
}

int dm_ioreq_cache_add(struct dm_ioreq *io, uint64_t addr, unsigned size)
{
	if (!addr || io->nr_cached >= RIVET_IOREQ_CACHE_SLOTS || (size != 1 && size != 2 && size != 4))
		return -1;
	unsigned slot = io->nr_cached++;
	struct rivet_ioreq_cached *c = &io->page->cache[slot];
	__atomic_store_n(&c->word, RIVET_IOREQ_CACHED_WORD(0, size, 0), __ATOMIC_RELAXED);
	__atomic_store_n(&c->addr, addr, __ATOMIC_RELEASE);
	return (int)slot;
}

void dm_ioreq_cache_set(struct dm_ioreq *io, int slot, uint32_t value, int valid, int anyring)
{
	if (slot < 0 || (unsigned)slot >= io->nr_cached)
		return;
	struct rivet_ioreq_cached *c = &io->page->cache[slot];
	unsigned size = RIVET_IOREQ_CACHED_SIZE(__atomic_load_n(&c->word, __ATOMIC_RELAXED));
	uint64_t flags = (valid ? RIVET_IOREQ_CACHED_VALID : 0) | (anyring ? RIVET_IOREQ_CACHED_ANYRING : 0);
	/* One store: the microvisor sees the old word or the new one, never a mix. */
	__atomic_store_n(&c->word, RIVET_IOREQ_CACHED_WORD(value, size, flags), __ATOMIC_RELEASE);
}

static int size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

unsigned dm_ioreq_drain(struct dm_ioreq *io)
{
	struct rivet_ioreq_page *p = io->page;
	uint32_t prod = __atomic_load_n(&p->ring_prod, __ATOMIC_ACQUIRE);
	uint32_t cons = io->cons;
	unsigned n = 0;

	if (prod == cons)
		return 0;
	if (prod - cons > RIVET_IOREQ_RING_SLOTS) {
		/* Cannot happen with a correct microvisor: consume a ring's worth at a time. */
		if (io->nr_ring_overrun++ == 0)
			dm_log("ioreq ring: ring_prod %u is more than %u past ring_cons %u",
			       prod, RIVET_IOREQ_RING_SLOTS, cons);
	}
	while (cons != prod && n < RIVET_IOREQ_RING_SLOTS) {
		const volatile struct rivet_ioreq_posted *e =
			&p->ring[cons & (RIVET_IOREQ_RING_SLOTS - 1)];
		uint64_t addr = e->addr, data = e->data;
		unsigned size = e->size;

		cons++;
		n++;
		/* The entry is in locals: the slot may be reused from here. */
		__atomic_store_n(&p->ring_cons, cons, __ATOMIC_RELEASE);
		io->cons = cons;
		if (!size_ok(size)) {
			io->nr_bad++;
			continue;
		}
		if (io->trace)
			dm_log("posted write %#llx/%u = %#llx", (unsigned long long)addr, size,
			       (unsigned long long)data);
		dm_bus_write(io->bus, addr, size, data);
	}
	io->nr_posted += n;
	return n;
}

static void answer(struct dm_ioreq *io, struct rivet_ioreq *s)
{
	volatile struct rivet_ioreq *vs = s;
	uint64_t addr = vs->addr, data = vs->data;
	unsigned size = vs->size, dir = vs->dir;

	if (!size_ok(size) || dir > RIVET_IOREQ_WRITE) {
		io->nr_bad++;
		if (dir == RIVET_IOREQ_READ)
			vs->data = 0;
	} else if (dir == RIVET_IOREQ_READ) {
		vs->data = dm_bus_read(io->bus, addr, size);
	} else {
		dm_bus_write(io->bus, addr, size, data);
	}
	io->nr_sync++;
	if (io->trace)
		dm_log("%s %#llx/%u = %#llx", dir == RIVET_IOREQ_READ ? "read" : "write",
		       (unsigned long long)addr, size, (unsigned long long)vs->data);
	__atomic_store_n(&s->state, RIVET_IOREQ_DONE, __ATOMIC_RELEASE);
}

unsigned dm_ioreq_pass(struct dm_ioreq *io)
{
	unsigned answered = 0;

	dm_ioreq_drain(io);
	for (unsigned v = 0; v < io->nr_vcpus; v++) {
		struct rivet_ioreq *s = &io->page->vcpu[v];
		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != RIVET_IOREQ_READY)
			continue;
		/* Posted writes made before this request are the device's first. */
		dm_ioreq_drain(io);
		answer(io, s);
		answered++;
	}
	return answered;
}

int dm_ioreq_pending(struct dm_ioreq *io)
{
	/*
	 * Dekker with the microvisor, which stores ring_prod, fences, and
	 * signals only if it then reads ring_cons == its old ring_prod: our
	 * ring_cons store must be visible before we read ring_prod here, or
	 * both sides could miss the entry and we would sleep on it.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&io->page->ring_prod, __ATOMIC_ACQUIRE) != io->cons)
		return 1;
	for (unsigned v = 0; v < io->nr_vcpus; v++)
		if (__atomic_load_n(&io->page->vcpu[v].state, __ATOMIC_ACQUIRE) == RIVET_IOREQ_READY)
			return 1;
	return 0;
}

int dm_ioreq_serve(struct dm_ioreq *io, unsigned max_passes)
{
	for (unsigned i = 0; i < max_passes; i++) {
		if (dm_ioreq_pass(io) && io->notify) {
			io->nr_notify++;
			io->notify(io->ctx);
		}
		if (io->after_pass)
			io->after_pass(io->ctx);
		/* Re-check: a request may have come after the event we consumed. */
		if (!dm_ioreq_pending(io))
			return 0;
	}
	return 1;
}
