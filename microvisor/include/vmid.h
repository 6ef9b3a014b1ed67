/* SPDX-License-Identifier: MIT */
/*
 * vmid.h: VMIDs with generations, as KVM and Xen allocate them. A domain's
 * VMID is valid while its vmid_version equals the global one; when the
 * VMIDs of a generation run out, the generation rolls over, every hart
 * drops all G-stage TLB entries, and each domain takes a fresh VMID the next
 * time one of its vCPUs is scheduled. A hart with no VMID bits gives every
 * domain VMID 0 and fences whenever it switches domains.
 */
#ifndef RIVET_VMID_H
#define RIVET_VMID_H
#include "types.h"

struct domain;
struct hart;

void vmid_init(unsigned bits);
/* True when d's VMID belongs to an older generation. */
bool vmid_stale(const struct domain *d);
/* Gives d a VMID of the current generation if it has none; updates d->hgatp. */
void vmid_refresh(struct domain *d);
/*
 * Before h runs a vCPU of d: serves a rollover's flush and puts d's VMID of
 * the current generation in hgatp (refreshing it as often as needed).
 */
void vmid_enter(struct hart *h, struct domain *d);
#endif
