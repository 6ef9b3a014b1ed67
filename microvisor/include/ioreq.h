/* SPDX-License-Identifier: MIT */
/*
 * ioreq.h: ioreq servers. A device model in Dom0 serves a DomU's MMIO
 * ranges through one shared page (public/ioreq.h): a trapped access is put
 * in its vCPU's slot and the vCPU waits, or a write to a posted range goes
 * to the ring and the vCPU goes on. Dom0's event port for the server tells
 * the device model; Dom0 sending on that port tells ioreq.c to collect the
 * answers.
 *
 * Locking: d->ioreq_lock guards d->ioreq (the server and everything in it),
 * d->ioreq_dm, d->ioreq_closed, d->ioreq_ever and each vCPU's v->io. It nests
 * inside d->lock and outside domains_lock, evtchn_lock and the hart locks
 * (the order is docs/architecture.md's).
 */
#ifndef RIVET_IOREQ_H
#define RIVET_IOREQ_H
#include "types.h"
#include "public/ioreq.h"

struct domain;
struct vcpu;
struct hart;

struct ioreq_range {
	u64 start, end;               /* [start, end) */
	u32 flags;                    /* RIVET_IOREQ_RANGE_* */
};

struct ioreq_server {
	struct rivet_ioreq_page *page;   /* in Dom0's RAM (HPA); never read twice per field */
	u64 page_gpa;                 /* where Dom0 has it */
	unsigned port;                /* Dom0's event port for this server */
	bool enabled;
	u32 ring_prod;                /* our copy of ring_prod: the page's is only written */
	u32 ring_cons_seen;           /* ring_cons as last read, to tell it never goes back */
	bool unsignalled;             /* lazy writes posted that the device model was not told of */
	unsigned nr_ranges;
	struct ioreq_range ranges[RIVET_IOREQ_MAX_RANGES];
};

/* An access waiting for the device model (a vCPU has at most one); under ioreq_lock. */
struct ioreq_pending {
	bool active;
	bool issued;                  /* in the current server's slot */
	u8 len, size, reg;            /* from the decoded instruction */
	bool store, sign;
	u64 addr, data;
};

/* The trap path: what became of a load/store guest-page fault at gpa. */
enum ioreq_fault {
	IOREQ_HOLE,         /* no server takes it: the guest's fault */
	IOREQ_HANDLED,      /* posted, waiting for its answer, or its domain crashed */
	IOREQ_MISALIGNED,   /* the guest gets the address-misaligned exception */
};
int ioreq_handle_fault(struct hart *h, struct vcpu *v, u64 gpa, bool store);
/*
 * The vCPU leaves the fast path and d->ioreq_unsignalled (the caller's
 * lockless hint) is set: the device model hears of lazy writes now.
 */
void ioreq_flush(struct domain *d);
/* Dom0 sent on a server's port: collect the answers of target domain domid. */
void ioreq_notify(unsigned domid);
/* The domain's vCPUs are all off for good: the server goes, none may come. */
void ioreq_teardown(struct domain *d);

/* Hypercalls (hc/hc_ioreq.c) reach these; each returns 0 or -RIVET_E*. */
int ioreq_server_create(struct domain *d, struct domain *dm, u64 page_gpa, unsigned *port);
/* Only the server on Dom0's port `port`: -RIVET_ENOENT for another (or none). */
int ioreq_server_destroy(struct domain *d, unsigned port);
int ioreq_map(struct domain *d, u64 start, u64 len, u32 flags);
int ioreq_unmap(struct domain *d, u64 start, u64 len, u32 flags);
int ioreq_enable(struct domain *d, bool on);
int ioreq_set_irq(struct domain *d, unsigned vcpu, bool level);
#endif
