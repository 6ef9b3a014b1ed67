/* SPDX-License-Identifier: MIT */
/*
 * vplic.h: Dom0's virtual PLIC, laid out as QEMU virt's (SiFive PLIC 1.0.0):
 * priorities at 0x0, pending words at 0x1000, enable words at 0x2000 +
 * 0x80 * context, threshold and claim/complete at 0x200000 + 0x1000 *
 * context. Context 2n is vCPU n's M-mode one (kept, never raised: a guest
 * has no M-mode), 2n + 1 its S-mode one, whose line is the vCPU's VSEIP.
 *
 * A source's request is latched (vplic_raise) until a context claims it;
 * a claimed source is not delivered again before its completion, which is
 * passed on (ops->complete) so that a host interrupt source the microvisor
 * left claimed can be completed on the host PLIC. Claim and delivery follow
 * QEMU's model: the highest priority above the context's threshold wins,
 * the lowest id among equals.
 *
 * Pure C, no locking (the caller serializes), also built for host tests.
 */
#ifndef RIVET_VPLIC_H
#define RIVET_VPLIC_H
#include "types.h"

#define VPLIC_SOURCES      96           /* ids 1..95 (riscv,ndev = 95); 0 is "none" */
#define VPLIC_WORDS        (VPLIC_SOURCES / 32)
#define VPLIC_MAX_CONTEXTS 16           /* 2 per vCPU, RIVET_MAX_VCPUS vCPUs */
#define VPLIC_PRIO_MASK    7u           /* QEMU virt: 3 priority bits */

#define VPLIC_PRIORITY_BASE  0x0ul
#define VPLIC_PENDING_BASE   0x1000ul
#define VPLIC_ENABLE_BASE    0x2000ul
#define VPLIC_ENABLE_STRIDE  0x80ul
#define VPLIC_CONTEXT_BASE   0x200000ul
#define VPLIC_CONTEXT_STRIDE 0x1000ul
#define VPLIC_THRESHOLD      0x0ul      /* within a context's page */
#define VPLIC_CLAIM          0x4ul
#define VPLIC_SIZE           0x600000ul

struct vplic_ops {
	/* Context's line is now level (called only when it changes). */
	void (*set_line)(void *ctx, unsigned context, bool level);
	/* The guest completed source, which it had claimed. */
	void (*complete)(void *ctx, unsigned source);
	void *ctx;
};

struct vplic {
	u32 priority[VPLIC_SOURCES];
	u32 pending[VPLIC_WORDS];        /* latched requests */
	u32 claimed[VPLIC_WORDS];        /* claimed, not completed yet */
	u32 enable[VPLIC_MAX_CONTEXTS][VPLIC_WORDS];
	u32 threshold[VPLIC_MAX_CONTEXTS];
	u32 exists[VPLIC_WORDS];         /* sources that can be raised; the rest read 0 */
	bool line[VPLIC_MAX_CONTEXTS];
	unsigned nr_contexts;
	struct vplic_ops ops;
};

/* nr_contexts: 2 per vCPU (at most VPLIC_MAX_CONTEXTS). Everything starts at 0. */
void vplic_init(struct vplic *p, unsigned nr_contexts, const struct vplic_ops *ops);
/* Makes source (1..VPLIC_SOURCES-1) exist: its priority becomes writable. */
void vplic_add_source(struct vplic *p, unsigned source);
/* A request from source; ignored for sources that do not exist. */
void vplic_raise(struct vplic *p, unsigned source);
/*
 * A guest access at offset off of the PLIC's window: only aligned 32-bit
 * accesses mean anything (others read 0 and are ignored, as on QEMU).
 */
u32 vplic_read(struct vplic *p, u64 off, unsigned size);
void vplic_write(struct vplic *p, u64 off, unsigned size, u32 val);
#endif
