/* SPDX-License-Identifier: MIT */
/*
 * dm_ioreq.h: rivet-dm's side of the shared ioreq page (public/ioreq.h),
 * with no system dependency: the daemon gives it the mapped page, the bus
 * and a notify hook (xc_evtchn_notify); unit tests give it a page in memory.
 *
 * Order, as the protocol requires: the posted ring is drained, in order,
 * before any READY slot is answered (and again before each one), so a
 * posted write is always seen by the device before the synchronous access
 * that follows it. A pass answers every READY slot; the notify hook runs
 * once after a pass that answered something.
 *
 * The page is written by the microvisor while we read it. Each field is
 * read once into a local: the slot's state with acquire ordering before
 * its other fields, ring_prod with acquire ordering before the entries;
 * the answer's data is stored before the state DONE (release), ring_cons
 * after the entry was read (release), and a full fence separates our last
 * ring_cons store from the ring_prod read that decides we may sleep (the
 * microvisor signals only a ring it saw empty). The microvisor is trusted, but a
 * ring_prod more than RIVET_IOREQ_RING_SLOTS ahead, an odd size or
 * direction are still bounded: at most one ring's worth per drain, odd
 * requests answered with 0 and ignored.
 */
#ifndef RIVET_DM_IOREQ_H
#define RIVET_DM_IOREQ_H
#include <stdint.h>

#include "dm_bus.h"
#include "ioreq.h"

struct dm_ioreq {
	struct rivet_ioreq_page *page;
	unsigned nr_vcpus;              /* slots served: 1..RIVET_IOREQ_MAX_VCPUS */
	struct dm_bus *bus;
	void (*notify)(void *ctx);      /* answers are ready: tell the microvisor */
	void (*after_pass)(void *ctx);  /* optional: after each pass (feed the UART input) */
	void *ctx;
	uint32_t cons;                  /* our ring_cons (we are its only writer) */
	/* statistics (plain increments; rivet-dm logs them on SIGUSR1 and at the end) */
	uint64_t nr_sync, nr_posted, nr_bad, nr_ring_overrun;
	uint64_t nr_notify;             /* notify hook calls: answers signalled back */
	int trace;                      /* log every access (rivet-dm --trace) */
	unsigned nr_cached;             /* cache slots in use (public/ioreq.h's cache) */
};

/*
 * The page's read cache: registers without read side effects whose value
 * this process keeps in the page, so that the microvisor answers their reads
 * itself. dm_ioreq_cache_add returns the slot (or -1 when full);
 * dm_ioreq_cache_set must run before the guest can see the state it
 * describes (before answering the write that changed it, before raising an
 * interrupt). ANYRING: the value holds whatever posted writes are pending.
 */
int dm_ioreq_cache_add(struct dm_ioreq *io, uint64_t addr, unsigned size);
void dm_ioreq_cache_set(struct dm_ioreq *io, int slot, uint32_t value, int valid, int anyring);

/* ring_cons is read from the page once, here. */
void dm_ioreq_init(struct dm_ioreq *io, struct rivet_ioreq_page *page, unsigned nr_vcpus,
		   struct dm_bus *bus, void (*notify)(void *), void (*after_pass)(void *), void *ctx);
/* Consumes what the ring holds now (at most RIVET_IOREQ_RING_SLOTS entries); returns how many. */
unsigned dm_ioreq_drain(struct dm_ioreq *io);
/* One pass: drain, then answer each READY slot (draining before each); returns slots answered. */
unsigned dm_ioreq_pass(struct dm_ioreq *io);
/* 1 if a slot is READY or the ring is not empty. */
int dm_ioreq_pending(struct dm_ioreq *io);
/*
 * Passes until nothing is pending (notify after each pass that answered),
 * at most MAX_PASSES of them; returns 1 if work was left (poll again at
 * once), else 0.
 */
int dm_ioreq_serve(struct dm_ioreq *io, unsigned max_passes);

#endif
