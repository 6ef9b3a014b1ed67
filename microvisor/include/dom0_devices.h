/* SPDX-License-Identifier: MIT */
/*
 * dom0_devices.h: the machine's devices that Dom0 drives, as in Xen: the
 * host's virtio-mmio transports, mapped at their own addresses into Dom0,
 * their interrupts delivered through Dom0's virtual PLIC (vplic.h), which
 * also carries Dom0's event interrupt. docs/architecture.md has the design.
 */
#ifndef RIVET_DOM0_DEVICES_H
#define RIVET_DOM0_DEVICES_H
#include "platform.h"

struct domain;
struct hart;
struct vcpu;

/* Boot hart, before any domain: looks at the host's devices and decides which Dom0 may drive. */
void dom0_devices_probe(const struct platform *p);
/*
 * Dom0, built but not started: maps its devices, creates its vPLIC and
 * routes their interrupts to it. Takes a reference on d until
 * dom0_devices_detach. 0 or -RIVET_ENOMEM.
 */
int dom0_devices_attach(struct domain *d);
/* Its vCPUs are off for good: no more lines to raise (no-op for other domains). */
void dom0_devices_detach(struct domain *d);
/* The DTB Dom0 boots with, in place: /soc's dma-ranges get its RAM's host address. */
void dom0_devices_patch_fdt(struct domain *d, void *fdt);
/* A host interrupt source: true if it is Dom0's (it completes it), false if not. */
bool dom0_devices_host_irq(unsigned irq);
/* An event for d: true if it went to d's vPLIC (d is Dom0), false if d has none. */
bool dom0_devices_event(struct domain *d);
/* A load/store guest-page fault of Dom0 at gpa: an enum ioreq_fault (ioreq.h). */
int dom0_devices_fault(struct vcpu *v, u64 gpa, bool store);
#endif
