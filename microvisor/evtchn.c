// SPDX-License-Identifier: MIT
/* evtchn.c: event channel ports, their pending/mask bits in the domain's event page, and VSEIP. */
#include "evtchn.h"
#include "domain.h"
#include "mm.h"
#include "csr.h"
#include "ioreq.h"
#include "dom0_devices.h"
#include <string.h>

#define NR_PORTS RIVET_EVTCHN_PORTS
#define TABLE_BYTES (NR_PORTS * sizeof(struct evtchn))

/* With d->evtchn_lock held: the port's slot, or NULL when it is out of range / no table. */
static struct evtchn *slot(struct domain *d, unsigned port)
{
	return (port && port < NR_PORTS && d->evtchns) ? &d->evtchns[port] : NULL;
}

int evtchn_init(struct domain *d, u64 gpa)
{
	u64 hpa, prot;
	if (gpa & (PAGE_SIZE - 1))
		return -RIVET_EFAULT;
	struct evtchn *table = d->evtchns ? NULL : mm_alloc(TABLE_BYTES, PAGE_SIZE);
	/* A DomU a device model serves has its VSEIP from its PLIC (ioreq.c): no event channels. */
	spin_lock(&d->ioreq_lock);
	bool served = d->ioreq_ever;
	spin_lock(&d->evtchn_lock);
	/*
	 * Looked up under evtchn_lock: MEMORY_RECLAIM (hc_balloon.c) holds it
	 * from its check that the event page is not in its range until the range
	 * is unmapped, so the page registered here is never one being taken.
	 */
	bool ram = gstage_translate(&d->gs, gpa, &hpa, &prot) == 0 && (prot & PTE_OWNED);
	if (ram && !served && !d->evtchns)
		d->evtchns = table, table = NULL;
	if (ram && !served) {
		d->event_page = (struct rivet_event_page *)(uintptr_t)hpa;
		d->event_gpa = gpa;
	}
	spin_unlock(&d->evtchn_lock);
	spin_unlock(&d->ioreq_lock);
	if (table)
		mm_free(table, TABLE_BYTES);
	return !ram ? -RIVET_EFAULT : served ? -RIVET_EBUSY : d->evtchns ? 0 : -RIVET_ENOMEM;
}

/* d's event interrupt: Dom0's is a source of its vPLIC, anyone else's VSEIP on vCPU 0. */
static void raise_event_irq(struct domain *d)
{
	if (!dom0_devices_event(d))
		vcpu_inject_irq(d->vcpus[0], IRQ_BIT(IRQ_VS_EXT));
}

/* Sets the port pending in d's page; raises the event interrupt unless masked. */
static void set_pending(struct domain *d, unsigned port)
{
	struct rivet_event_page *pg = d->event_page;
	if (!pg)
		return;
	u64 bit = 1UL << (port % 64);
	atomic_or(&pg->pending[port / 64], bit);
	if (!(atomic_read(&pg->mask[port / 64]) & bit))
		raise_event_irq(d);
}

static int find_free(struct domain *d)
{
	for (unsigned p = 1; p < NR_PORTS; p++)
		if (d->evtchns[p].state == EVTCHN_FREE)
			return p;
	return -RIVET_ENOSPC;
}

int evtchn_alloc_unbound(struct domain *d, unsigned remote_dom)
{
	spin_lock(&d->evtchn_lock);
	int port = d->evtchns ? find_free(d) : -RIVET_EINVAL;
	if (port > 0)
		d->evtchns[port] = (struct evtchn){ .state = EVTCHN_UNBOUND, .remote_dom = (u16)remote_dom };
	spin_unlock(&d->evtchn_lock);
	return port;
}

int evtchn_bind_interdomain(struct domain *d, unsigned remote_dom, unsigned remote_port)
{
	struct domain *r = domain_get(remote_dom, d);
	if (!r || r == d) {
		if (r)
			domain_put(r);
		return -RIVET_ENOENT;
	}
	/* Two locks, always the lower domain id first. */
	struct domain *first = d->id < r->id ? d : r, *second = d->id < r->id ? r : d;
	spin_lock(&first->evtchn_lock);
	spin_lock(&second->evtchn_lock);
	int port = d->evtchns ? find_free(d) : -RIVET_EINVAL;
	struct evtchn *rs = slot(r, remote_port);
	if (port > 0 && (!rs || rs->state != EVTCHN_UNBOUND || rs->remote_dom != d->id))
		port = -RIVET_EINVAL;
	if (port > 0) {
		d->evtchns[port] = (struct evtchn){ .state = EVTCHN_INTERDOMAIN, .remote_dom = (u16)r->id,
						    .remote_port = (u16)remote_port };
		*rs = (struct evtchn){ .state = EVTCHN_INTERDOMAIN, .remote_dom = (u16)d->id,
				       .remote_port = (u16)port };
	}
	spin_unlock(&second->evtchn_lock);
	spin_unlock(&first->evtchn_lock);
	domain_put(r);
	return port;
}

int evtchn_bind_virq(struct domain *d, unsigned virq)
{
	if (virq >= RIVET_NR_VIRQS)
		return -RIVET_EINVAL;
	spin_lock(&d->evtchn_lock);
	int port = d->evtchns ? find_free(d) : -RIVET_EINVAL;
	if (port > 0 && d->virq_port[virq])
		port = -RIVET_EEXIST;
	if (port > 0) {
		d->evtchns[port] = (struct evtchn){ .state = EVTCHN_VIRQ, .virq = (u8)virq };
		d->virq_port[virq] = (u16)port;
	}
	spin_unlock(&d->evtchn_lock);
	return port;
}

int evtchn_alloc_ioreq(struct domain *d, unsigned served)
{
	spin_lock(&d->evtchn_lock);
	int port = d->evtchns ? find_free(d) : -RIVET_EINVAL;
	if (port > 0)
		d->evtchns[port] = (struct evtchn){ .state = EVTCHN_IOREQ, .remote_dom = (u16)served };
	spin_unlock(&d->evtchn_lock);
	return port;
}

void evtchn_free_ioreq(struct domain *d, unsigned port)
{
	spin_lock(&d->evtchn_lock);
	struct evtchn *s = slot(d, port);
	if (s && s->state == EVTCHN_IOREQ)
		*s = (struct evtchn){ 0 };
	spin_unlock(&d->evtchn_lock);
}

/* An orphaned IOREQ port serves nobody: remote_dom says so. */
#define IOREQ_ORPHAN RIVET_DOMID_SELF

void evtchn_orphan_ioreq(struct domain *d, unsigned port)
{
	spin_lock(&d->evtchn_lock);
	struct evtchn *s = slot(d, port);
	if (s && s->state == EVTCHN_IOREQ)
		s->remote_dom = IOREQ_ORPHAN;
	spin_unlock(&d->evtchn_lock);
}

int evtchn_free_orphan(struct domain *d, unsigned port)
{
	int err = -RIVET_ENOENT;
	spin_lock(&d->evtchn_lock);
	struct evtchn *s = slot(d, port);
	if (s && s->state == EVTCHN_IOREQ && s->remote_dom == IOREQ_ORPHAN) {
		*s = (struct evtchn){ 0 };
		err = 0;
	}
	spin_unlock(&d->evtchn_lock);
	return err;
}

void evtchn_signal(struct domain *d, unsigned port)
{
	spin_lock(&d->evtchn_lock);
	struct evtchn *s = slot(d, port);
	if (s && s->state == EVTCHN_IOREQ)
		set_pending(d, port);
	spin_unlock(&d->evtchn_lock);
}

int evtchn_send(struct domain *d, unsigned port)
{
	spin_lock(&d->evtchn_lock);
	struct evtchn *s = slot(d, port);
	if (s && s->state == EVTCHN_IOREQ) {
		/* The device model answered: the served domain's slots are collected. */
		unsigned served = s->remote_dom;
		spin_unlock(&d->evtchn_lock);
		ioreq_notify(served);
		return 0;
	}
	if (!s || s->state != EVTCHN_INTERDOMAIN) {
		spin_unlock(&d->evtchn_lock);
		return -RIVET_EINVAL;
	}
	unsigned rdom = s->remote_dom, rport = s->remote_port;
	spin_unlock(&d->evtchn_lock);
	struct domain *r = domain_get(rdom, d);
	if (!r)
		return 0;   /* the peer is going away: nobody to tell */
	spin_lock(&r->evtchn_lock);
	struct evtchn *rs = slot(r, rport);
	if (rs && rs->state == EVTCHN_INTERDOMAIN && rs->remote_dom == d->id && rs->remote_port == port)
		set_pending(r, rport);
	spin_unlock(&r->evtchn_lock);
	domain_put(r);
	return 0;
}

int evtchn_unmask(struct domain *d, unsigned port)
{
	spin_lock(&d->evtchn_lock);
	struct rivet_event_page *pg = d->event_page;
	if (!slot(d, port) || !pg) {
		spin_unlock(&d->evtchn_lock);
		return -RIVET_EINVAL;
	}
	u64 bit = 1UL << (port % 64);
	__atomic_fetch_and(&pg->mask[port / 64], ~bit, __ATOMIC_SEQ_CST);
	if (atomic_read(&pg->pending[port / 64]) & bit)
		raise_event_irq(d);
	spin_unlock(&d->evtchn_lock);
	return 0;
}

/* With d's lock held: frees the port; a linked peer goes back to unbound (for d). */
static void close_locked(struct domain *d, unsigned port, struct domain *peer)
{
	struct evtchn *s = &d->evtchns[port];
	if (s->state == EVTCHN_VIRQ)
		d->virq_port[s->virq] = 0;
	if (s->state == EVTCHN_INTERDOMAIN && peer) {
		struct evtchn *ps = slot(peer, s->remote_port);
		if (ps && ps->state == EVTCHN_INTERDOMAIN && ps->remote_dom == d->id)
			*ps = (struct evtchn){ .state = EVTCHN_UNBOUND, .remote_dom = (u16)d->id };
	}
	*s = (struct evtchn){ 0 };
}

int evtchn_close(struct domain *d, unsigned port)
{
	spin_lock(&d->evtchn_lock);
	struct evtchn *s = slot(d, port);
	if (!s || s->state == EVTCHN_FREE || s->state == EVTCHN_IOREQ) {
		spin_unlock(&d->evtchn_lock);
		return s && s->state == EVTCHN_IOREQ ? -RIVET_EBUSY : -RIVET_EINVAL;
	}
	unsigned rdom = s->state == EVTCHN_INTERDOMAIN ? s->remote_dom : RIVET_DOMID_SELF;
	spin_unlock(&d->evtchn_lock);
	struct domain *peer = rdom != RIVET_DOMID_SELF ? domain_get(rdom, d) : NULL;
	struct domain *first = (!peer || d->id < peer->id) ? d : peer;
	struct domain *second = first == d ? peer : d;
	spin_lock(&first->evtchn_lock);
	if (second)
		spin_lock(&second->evtchn_lock);
	if (d->evtchns[port].state != EVTCHN_FREE)
		close_locked(d, port, peer);
	if (second)
		spin_unlock(&second->evtchn_lock);
	spin_unlock(&first->evtchn_lock);
	if (peer)
		domain_put(peer);
	return 0;
}

void evtchn_raise_virq(unsigned virq)
{
	if (virq >= RIVET_NR_VIRQS)
		return;
	struct domain *d0 = domain_get_dom0();
	if (!d0)
		return;
	spin_lock(&d0->evtchn_lock);
	unsigned port = d0->virq_port[virq];
	if (port)
		set_pending(d0, port);
	spin_unlock(&d0->evtchn_lock);
	domain_put(d0);
}

void evtchn_forget_page(struct domain *d, u64 from, u64 to)
{
	spin_lock(&d->evtchn_lock);
	if (d->event_page && d->event_gpa >= from && d->event_gpa < to)
		d->event_page = NULL;   /* its memory is going back to the pool */
	spin_unlock(&d->evtchn_lock);
}

void evtchn_teardown(struct domain *d)
{
	if (!d->evtchns)
		return;
	/* Only d itself allocates its ports, and its vCPUs are off: the table cannot grow. */
	for (unsigned p = 1; p < NR_PORTS; p++)
		if (d->evtchns[p].state != EVTCHN_FREE)
			evtchn_close(d, p);
	spin_lock(&d->evtchn_lock);
	struct evtchn *table = d->evtchns;
	d->evtchns = NULL;
	d->event_page = NULL;
	d->event_gpa = 0;
	memset(d->virq_port, 0, sizeof(d->virq_port));
	spin_unlock(&d->evtchn_lock);
	mm_free(table, TABLE_BYTES);
}
