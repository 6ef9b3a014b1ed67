/* SPDX-License-Identifier: MIT */
/*
 * plic.h: the PLIC a DomU sees, as on QEMU's `virt` machine (QEMU's
 * sifive_plic with the virt layout), so Linux's irq-sifive-plic drives it
 * unchanged.
 *
 * Sources 1..95 (riscv,ndev = 95; source 0 does not exist), priorities 0..7.
 * Two contexts per vCPU: context 2n is vCPU n's M-mode context (in the
 * register file, wired to nothing: a guest has no M mode), context 2n+1 is
 * its S-mode context, whose output is vCPU n's external interrupt line.
 *
 * Devices drive level-triggered source lines through plic_set_irq() (a
 * struct dm_irq can point at it, see plic_irq_init()). After every change
 * the model recomputes each S context's output and calls ctx_line() only
 * when a line's level changes. The state is one fixed-size struct.
 */
#ifndef RIVET_DM_PLIC_H
#define RIVET_DM_PLIC_H
#include <stdint.h>

#include "dm_dev.h"

#define PLIC_BASE		0x0c000000ULL
#define PLIC_SIZE		0x600000ULL
#define PLIC_NR_SOURCES		96	/* source ids 0..95; 0 is "none" */
#define PLIC_NDEV		(PLIC_NR_SOURCES - 1)	/* riscv,ndev */
#define PLIC_MAX_PRIORITY	7	/* QEMU virt's num-priorities */
#define PLIC_MAX_VCPUS		8
#define PLIC_CTX_PER_VCPU	2
#define PLIC_MAX_CONTEXTS	(PLIC_MAX_VCPUS * PLIC_CTX_PER_VCPU)
#define PLIC_WORDS		((PLIC_NR_SOURCES + 31) / 32)

/* Register map (offsets inside the PLIC window). */
#define PLIC_PRIORITY_BASE	0x0
#define PLIC_PENDING_BASE	0x1000
#define PLIC_ENABLE_BASE	0x2000
#define PLIC_ENABLE_STRIDE	0x80
#define PLIC_CONTEXT_BASE	0x200000
#define PLIC_CONTEXT_STRIDE	0x1000
#define PLIC_CTX_THRESHOLD	0x0	/* inside a context's page */
#define PLIC_CTX_CLAIM		0x4	/* claim (read) / complete (write) */

/* vCPU n's contexts, and the vCPU an S context's line belongs to. */
#define PLIC_M_CONTEXT(vcpu)	((vcpu) * PLIC_CTX_PER_VCPU)
#define PLIC_S_CONTEXT(vcpu)	((vcpu) * PLIC_CTX_PER_VCPU + 1)
#define PLIC_CONTEXT_VCPU(ctx)	((ctx) / PLIC_CTX_PER_VCPU)

/* Called with an S context (2n+1) when its output line changes level. */
typedef void plic_ctx_line_fn(void *opaque, unsigned context, int level);

/* Everything the guest can observe: plain data, in the state arena (dm_state.h). */
struct plic_state {
	uint32_t nr_contexts;			/* 2 * nr_vcpus */
	uint32_t priority[PLIC_NR_SOURCES];	/* [0] stays 0 */
	uint32_t level[PLIC_WORDS];		/* the source lines as devices drive them */
	uint32_t pending[PLIC_WORDS];
	uint32_t claimed[PLIC_WORDS];		/* in service: not delivered until completed */
	uint32_t enable[PLIC_MAX_CONTEXTS][PLIC_WORDS];
	uint32_t threshold[PLIC_MAX_CONTEXTS];
	uint8_t line[PLIC_MAX_CONTEXTS];	/* last level reported per context */
};

struct plic {
	struct plic_state *st;			/* &own, or the arena's slice */
	plic_ctx_line_fn *ctx_line;
	void *opaque;
	struct plic_state own;
};

/*
 * Resets P for nr_vcpus vCPUs (clamped to 1..PLIC_MAX_VCPUS): everything 0,
 * all lines low (ctx_line is not called for this). ctx_line may be NULL.
 */
void plic_init(struct plic *p, unsigned nr_vcpus, plic_ctx_line_fn *ctx_line, void *opaque);

/*
 * A device drives source line SOURCE (1..95) to LEVEL (non-zero = high).
 * Takes the struct plic as void * so that it is a struct dm_irq's set().
 * Out-of-range sources are logged and ignored.
 */
void plic_set_irq(void *plic, unsigned source, int level);

/* Points IRQ at source SOURCE of P. */
static inline void plic_irq_init(struct dm_irq *irq, struct plic *p, unsigned source)
{
	irq->set = plic_set_irq;
	irq->ctx = p;
	irq->source = source;
}

/*
 * Moves P's state to ST (dm_state.h): fresh (RESUMED 0), the current state is
 * copied there; resumed, ST is kept, checked against P's vCPU count (0, or
 * -1 if it does not match) and bounded. ST NULL: nothing changes.
 */
int plic_bind_state(struct plic *p, struct plic_state *st, int resumed);
/*
 * After a predecessor died (its posted completions may be lost): every
 * source leaves service and is pending again exactly while its line is high
 * (a handler that was still running sees one interrupt more, never one
 * less), and every S context's output is reported again to ctx_line.
 */
void plic_recover(struct plic *p);

/* The current level of CONTEXT's output (0 for M contexts and out of range). */
int plic_ctx_level(const struct plic *p, unsigned context);

/* Guest accesses: 32-bit, 4-byte aligned; anything else reads 0 / is ignored. */
extern const struct dm_mmio_ops plic_mmio_ops;

#endif
