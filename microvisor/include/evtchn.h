/* SPDX-License-Identifier: MIT */
/*
 * evtchn.h: event channels. Each domain has ports 1..RIVET_EVTCHN_PORTS-1
 * with pending and mask bits in an event page it registers; a port is
 * unbound (waiting for a given domain to bind), interdomain (linked to a
 * port of another domain) or a virq (microvisor events for Dom0). A pending,
 * unmasked port raises the domain's event interrupt: VSEIP on its vCPU 0, or
 * for Dom0 source RIVET_DOM0_EVENT_IRQ of its virtual PLIC.
 */
#ifndef RIVET_EVTCHN_H
#define RIVET_EVTCHN_H
#include "types.h"
#include "public/hypercall.h"

struct domain;

/* IOREQ: Dom0's end of an ioreq server (remote_dom = the served domain); only ioreq.c opens and closes it. */
enum evtchn_state { EVTCHN_FREE, EVTCHN_UNBOUND, EVTCHN_INTERDOMAIN, EVTCHN_VIRQ, EVTCHN_IOREQ };

struct evtchn {
	u8 state;          /* enum evtchn_state */
	u8 virq;
	u16 remote_dom;    /* UNBOUND: who may bind; INTERDOMAIN: the peer */
	u16 remote_port;
	u16 pad;
};

int evtchn_init(struct domain *d, u64 page_gpa);
/* Returns the new port (> 0) or a negative RIVET_E* code. */
int evtchn_alloc_unbound(struct domain *d, unsigned remote_dom);
int evtchn_bind_interdomain(struct domain *d, unsigned remote_dom, unsigned remote_port);
int evtchn_bind_virq(struct domain *d, unsigned virq);
int evtchn_send(struct domain *d, unsigned port);
int evtchn_close(struct domain *d, unsigned port);
int evtchn_unmask(struct domain *d, unsigned port);
/* An IOREQ port of d for the server of domain `served`; the port or a negative RIVET_E* code. */
int evtchn_alloc_ioreq(struct domain *d, unsigned served);
void evtchn_free_ioreq(struct domain *d, unsigned port);
/* The served domain ended: the port stays Dom0's, serving nobody, until evtchn_free_orphan. */
void evtchn_orphan_ioreq(struct domain *d, unsigned port);
int evtchn_free_orphan(struct domain *d, unsigned port);
/* Sets an IOREQ port of d pending (raising d's event interrupt unless masked). */
void evtchn_signal(struct domain *d, unsigned port);
/* Raises a virq on Dom0, if Dom0 bound it. */
void evtchn_raise_virq(unsigned virq);
/* The event page lies in [from, to), which is being released: stop using it. */
void evtchn_forget_page(struct domain *d, u64 from, u64 to);
/* At teardown: closes every port (peers go back to unbound). */
void evtchn_teardown(struct domain *d);
#endif
