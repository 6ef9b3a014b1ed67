/* SPDX-License-Identifier: MIT */
/* test_dm_plic.c: rivet-dm's PLIC model, including hostile accesses. */
#include <stdint.h>

#include "check.h"
#include "plic.h"

static struct plic plic;

/* Every ctx_line() call, in order. */
#define MAX_EVENTS 64
static struct { unsigned ctx; int level; } ev[MAX_EVENTS];
static unsigned nr_ev;

static void on_line(void *opaque, unsigned context, int level)
{
	CHECK(opaque == &plic);
	if (nr_ev < MAX_EVENTS) {
		ev[nr_ev].ctx = context;
		ev[nr_ev].level = level;
	}
	nr_ev++;
}

static void reset(unsigned nr_vcpus)
{
	plic_init(&plic, nr_vcpus, on_line, &plic);
	nr_ev = 0;
}

static uint64_t rd(uint64_t off)
{
	return plic_mmio_ops.read(&plic, off, 4);
}

static void wr(uint64_t off, uint64_t v)
{
	plic_mmio_ops.write(&plic, off, 4, v);
}

#define PRIO(src)	(PLIC_PRIORITY_BASE + 4 * (src))
#define PEND(word)	(PLIC_PENDING_BASE + 4 * (word))
#define ENABLE(ctx, w)	(PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * (ctx) + 4 * (w))
#define THRESH(ctx)	(PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (ctx) + PLIC_CTX_THRESHOLD)
#define CLAIM(ctx)	(PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (ctx) + PLIC_CTX_CLAIM)

static const unsigned S0 = PLIC_S_CONTEXT(0), M0 = PLIC_M_CONTEXT(0);

/* Enables SRC on CTX, keeping its other enables. */
static void enable(unsigned ctx, unsigned src)
{
	wr(ENABLE(ctx, src / 32), rd(ENABLE(ctx, src / 32)) | (1u << (src % 32)));
}

TEST(reset_state)
{
	reset(2);
	CHECK_EQ(nr_ev, 0);
	CHECK_EQ(plic.st->nr_contexts, 4);
	for (unsigned s = 0; s < PLIC_NR_SOURCES; s++)
		CHECK_EQ(rd(PRIO(s)), 0);
	CHECK_EQ(rd(PEND(0)), 0);
	CHECK_EQ(rd(ENABLE(S0, 0)), 0);
	CHECK_EQ(rd(THRESH(S0)), 0);
	CHECK_EQ(rd(CLAIM(S0)), 0);
	CHECK_EQ(plic_ctx_level(&plic, S0), 0);
	CHECK_EQ(PLIC_NDEV, 95);
	CHECK_EQ(PLIC_S_CONTEXT(3), 7);
	CHECK_EQ(PLIC_CONTEXT_VCPU(7), 3);
	/* nr_vcpus is clamped to 1..8 */
	plic_init(&plic, 0, NULL, NULL);
	CHECK_EQ(plic.st->nr_contexts, 2);
	plic_init(&plic, 100, NULL, NULL);
	CHECK_EQ(plic.st->nr_contexts, PLIC_MAX_CONTEXTS);
}

TEST(priorities_warl)
{
	reset(1);
	wr(PRIO(10), 3);
	CHECK_EQ(rd(PRIO(10)), 3);
	wr(PRIO(10), 0xf);	/* only the low 3 bits stick (QEMU: value % 8) */
	CHECK_EQ(rd(PRIO(10)), 7);
	wr(PRIO(10), 9);
	CHECK_EQ(rd(PRIO(10)), 1);
	wr(PRIO(95), 0xffffffff);
	CHECK_EQ(rd(PRIO(95)), 7);
	wr(PRIO(0), 5);		/* source 0 does not exist */
	CHECK_EQ(rd(PRIO(0)), 0);
	wr(PRIO(96), 5);	/* past the last source */
	CHECK_EQ(rd(PRIO(96)), 0);
	wr(THRESH(S0), 0xfffffff9);
	CHECK_EQ(rd(THRESH(S0)), 1);
	CHECK_EQ(nr_ev, 0);
}

TEST(pending_follows_line)
{
	reset(1);
	plic_set_irq(&plic, 10, 1);
	CHECK_EQ(rd(PEND(0)), 1u << 10);
	plic_set_irq(&plic, 95, 1);
	CHECK_EQ(rd(PEND(2)), 1u << 31);
	wr(PEND(0), 0);		/* read-only */
	CHECK_EQ(rd(PEND(0)), 1u << 10);
	plic_set_irq(&plic, 10, 0);	/* a withdrawn level request */
	CHECK_EQ(rd(PEND(0)), 0);
	CHECK_EQ(rd(PEND(3)), 0);	/* no fourth word */
	CHECK_EQ(nr_ev, 0);	/* nothing enabled, no priority: no line */
}

TEST(enables_per_context)
{
	reset(2);
	wr(ENABLE(S0, 0), 0xffffffff);
	CHECK_EQ(rd(ENABLE(S0, 0)), 0xfffffffe);	/* source 0's bit is hardwired 0 */
	wr(ENABLE(S0, 2), 0x80000000);
	CHECK_EQ(rd(ENABLE(S0, 2)), 0x80000000);
	CHECK_EQ(rd(ENABLE(M0, 0)), 0);
	CHECK_EQ(rd(ENABLE(PLIC_S_CONTEXT(1), 0)), 0);
	wr(ENABLE(S0, 3), 0xffffffff);		/* no fourth word */
	CHECK_EQ(rd(ENABLE(S0, 3)), 0);
	wr(ENABLE(4, 0), 0xffffffff);		/* context 4 does not exist with 2 vCPUs */
	CHECK_EQ(rd(ENABLE(4, 0)), 0);

	/* A source reaches only the contexts that enabled it. */
	wr(PRIO(33), 1);
	plic_set_irq(&plic, 33, 1);
	CHECK_EQ(nr_ev, 0);
	enable(PLIC_S_CONTEXT(1), 33);
	CHECK_EQ(nr_ev, 1);
	CHECK_EQ(ev[0].ctx, PLIC_S_CONTEXT(1));
	CHECK_EQ(ev[0].level, 1);
	CHECK_EQ(plic_ctx_level(&plic, S0), 0);
	CHECK_EQ(rd(CLAIM(S0)), 0);
	CHECK_EQ(rd(CLAIM(PLIC_S_CONTEXT(1))), 33);
	CHECK_EQ(nr_ev, 2);
	CHECK_EQ(ev[1].level, 0);
}

TEST(claim_order)
{
	reset(1);
	wr(PRIO(5), 1);
	wr(PRIO(9), 3);
	wr(PRIO(7), 3);
	wr(PRIO(40), 2);
	enable(S0, 5);
	enable(S0, 7);
	enable(S0, 9);
	enable(S0, 40);
	plic_set_irq(&plic, 9, 1);
	plic_set_irq(&plic, 5, 1);
	plic_set_irq(&plic, 40, 1);
	plic_set_irq(&plic, 7, 1);
	CHECK_EQ(nr_ev, 1);	/* one rise, however many sources */
	/* highest priority first, ties by lowest id */
	CHECK_EQ(rd(CLAIM(S0)), 7);
	CHECK_EQ(rd(CLAIM(S0)), 9);
	CHECK_EQ(rd(CLAIM(S0)), 40);
	CHECK_EQ(plic_ctx_level(&plic, S0), 1);
	CHECK_EQ(rd(CLAIM(S0)), 5);
	CHECK_EQ(plic_ctx_level(&plic, S0), 0);
	CHECK_EQ(nr_ev, 2);
	CHECK_EQ(rd(CLAIM(S0)), 0);	/* nothing left */
	CHECK_EQ(rd(PEND(0)), 0);	/* claimed sources are no longer pending */
	CHECK_EQ(rd(PEND(1)), 0);
}

TEST(threshold)
{
	reset(1);
	wr(PRIO(3), 3);
	enable(S0, 3);
	wr(THRESH(S0), 3);
	plic_set_irq(&plic, 3, 1);
	CHECK_EQ(nr_ev, 0);		/* priority must exceed the threshold */
	CHECK_EQ(rd(CLAIM(S0)), 0);
	CHECK_EQ(rd(PEND(0)), 1u << 3);	/* a claim of nothing leaves it pending */
	wr(THRESH(S0), 2);
	CHECK_EQ(nr_ev, 1);
	CHECK_EQ(plic_ctx_level(&plic, S0), 1);
	wr(THRESH(S0), 7);
	CHECK_EQ(nr_ev, 2);
	CHECK_EQ(plic_ctx_level(&plic, S0), 0);
	wr(THRESH(S0), 0);
	CHECK_EQ(rd(CLAIM(S0)), 3);
}

TEST(priority_zero_never)
{
	reset(1);
	enable(S0, 4);
	plic_set_irq(&plic, 4, 1);
	CHECK_EQ(nr_ev, 0);
	CHECK_EQ(rd(CLAIM(S0)), 0);
	wr(PRIO(4), 1);
	CHECK_EQ(nr_ev, 1);
	wr(PRIO(4), 0);		/* masking by priority drops the line again */
	CHECK_EQ(nr_ev, 2);
	CHECK_EQ(ev[1].level, 0);
	CHECK_EQ(rd(CLAIM(S0)), 0);
}

TEST(complete_and_level_reraise)
{
	reset(1);
	wr(PRIO(10), 1);
	enable(S0, 10);
	plic_set_irq(&plic, 10, 1);
	CHECK_EQ(plic_ctx_level(&plic, S0), 1);
	CHECK_EQ(rd(CLAIM(S0)), 10);
	CHECK_EQ(plic_ctx_level(&plic, S0), 0);	/* in service: not delivered again */
	plic_set_irq(&plic, 10, 1);		/* the device insists */
	CHECK_EQ(plic_ctx_level(&plic, S0), 0);
	CHECK_EQ(rd(CLAIM(S0)), 0);
	wr(CLAIM(S0), 10);			/* complete while still asserted */
	CHECK_EQ(plic_ctx_level(&plic, S0), 1);
	CHECK_EQ(rd(PEND(0)), 1u << 10);
	CHECK_EQ(rd(CLAIM(S0)), 10);
	plic_set_irq(&plic, 10, 0);		/* device serviced */
	wr(CLAIM(S0), 10);
	CHECK_EQ(plic_ctx_level(&plic, S0), 0);
	CHECK_EQ(rd(PEND(0)), 0);
	CHECK_EQ(rd(CLAIM(S0)), 0);
	CHECK_EQ(nr_ev, 4);	/* up, down (claim), up (complete), down (claim) */

	/* Completing again, or completing what was never claimed, changes nothing. */
	wr(CLAIM(S0), 10);
	plic_set_irq(&plic, 11, 1);
	wr(PRIO(11), 1);
	wr(CLAIM(S0), 11);
	CHECK_EQ(rd(PEND(0)), 1u << 11);
	CHECK_EQ(nr_ev, 4);
	/* Invalid ids are ignored. */
	wr(CLAIM(S0), 0);
	wr(CLAIM(S0), 96);
	wr(CLAIM(S0), 0xffffffff);
	CHECK_EQ(nr_ev, 4);
}

TEST(complete_any_context)
{
	/* QEMU's rule: any context may complete any valid source. */
	reset(2);
	wr(PRIO(20), 2);
	enable(S0, 20);
	plic_set_irq(&plic, 20, 1);
	CHECK_EQ(rd(CLAIM(S0)), 20);
	wr(CLAIM(PLIC_S_CONTEXT(1)), 20);
	CHECK_EQ(plic_ctx_level(&plic, S0), 1);
	CHECK_EQ(rd(CLAIM(S0)), 20);
	/* An in-service source is not delivered to another context either. */
	enable(PLIC_S_CONTEXT(1), 20);
	CHECK_EQ(plic_ctx_level(&plic, PLIC_S_CONTEXT(1)), 0);
	CHECK_EQ(rd(CLAIM(PLIC_S_CONTEXT(1))), 0);
}

TEST(m_contexts_never_drive)
{
	reset(2);
	wr(PRIO(1), 7);
	enable(M0, 1);
	enable(PLIC_M_CONTEXT(1), 1);
	plic_set_irq(&plic, 1, 1);
	CHECK_EQ(nr_ev, 0);
	CHECK_EQ(plic_ctx_level(&plic, M0), 0);
	CHECK_EQ(rd(CLAIM(PLIC_M_CONTEXT(1))), 1);	/* the register file still works */
	CHECK_EQ(nr_ev, 0);
	wr(CLAIM(M0), 1);
	CHECK_EQ(rd(PEND(0)), 1u << 1);
	enable(S0, 1);
	CHECK_EQ(nr_ev, 1);
	CHECK_EQ(ev[0].ctx, S0);
}

TEST(callback_on_change_only)
{
	reset(2);
	wr(PRIO(2), 1);
	wr(PRIO(3), 1);
	enable(S0, 2);
	enable(S0, 3);
	enable(PLIC_S_CONTEXT(1), 3);
	plic_set_irq(&plic, 2, 1);
	CHECK_EQ(nr_ev, 1);
	plic_set_irq(&plic, 2, 1);
	plic_set_irq(&plic, 3, 1);	/* context 1 already high; context 3 rises */
	CHECK_EQ(nr_ev, 2);
	CHECK_EQ(ev[1].ctx, PLIC_S_CONTEXT(1));
	plic_set_irq(&plic, 2, 0);	/* context 1 still has 3 */
	CHECK_EQ(nr_ev, 2);
	plic_set_irq(&plic, 3, 0);
	CHECK_EQ(nr_ev, 4);
	CHECK_EQ(ev[2].level, 0);
	CHECK_EQ(ev[3].level, 0);
	wr(PRIO(3), 5);			/* nothing pending: no change */
	CHECK_EQ(nr_ev, 4);
}

TEST(dm_irq_glue)
{
	struct dm_irq irq;

	reset(1);
	plic_irq_init(&irq, &plic, 10);
	wr(PRIO(10), 1);
	enable(S0, 10);
	dm_irq_set(&irq, 1);
	CHECK_EQ(plic_ctx_level(&plic, S0), 1);
	dm_irq_set(&irq, 0);
	CHECK_EQ(plic_ctx_level(&plic, S0), 0);
}

TEST(bad_sources)
{
	reset(1);
	wr(ENABLE(S0, 0), 0xffffffff);
	wr(PRIO(1), 1);
	plic_set_irq(&plic, 0, 1);
	plic_set_irq(&plic, 96, 1);
	plic_set_irq(&plic, 0xffffffffu, 1);
	CHECK_EQ(rd(PEND(0)), 0);
	CHECK_EQ(nr_ev, 0);
}

TEST(odd_sizes_and_offsets)
{
	static const unsigned sizes[] = { 0, 1, 2, 3, 8, 16 };

	reset(1);
	wr(PRIO(10), 1);
	enable(S0, 10);
	plic_set_irq(&plic, 10, 1);
	CHECK_EQ(nr_ev, 1);
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* Not a claim: reads 0 and leaves the source pending. */
		CHECK_EQ(plic_mmio_ops.read(&plic, CLAIM(S0), sizes[i]), 0);
		plic_mmio_ops.write(&plic, PRIO(10), sizes[i], 5);
		plic_mmio_ops.write(&plic, THRESH(S0), sizes[i], 7);
	}
	CHECK_EQ(rd(PRIO(10)), 1);
	CHECK_EQ(rd(THRESH(S0)), 0);
	CHECK_EQ(plic_mmio_ops.read(&plic, CLAIM(S0) + 1, 4), 0);	/* unaligned */
	CHECK_EQ(plic_mmio_ops.read(&plic, PRIO(10) + 2, 4), 0);
	plic_mmio_ops.write(&plic, PRIO(10) + 1, 4, 7);
	CHECK_EQ(rd(PRIO(10)), 1);
	CHECK_EQ(nr_ev, 1);

	/* Reserved and out-of-window offsets. */
	static const uint64_t offs[] = {
		0x180, 0xffc, 0x100c, 0x1ffc, 0x2000 + PLIC_ENABLE_STRIDE * 2,
		0x1ffffc, PLIC_CONTEXT_BASE + 8, PLIC_CONTEXT_BASE + 0xffc,
		PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * 2,
		PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (PLIC_MAX_CONTEXTS + 5) + 4,
		PLIC_SIZE - 4, PLIC_SIZE, 0x7ffffffc, 0xfffffffffffffffcull,
	};
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		CHECK_EQ(rd(offs[i]), 0);
		wr(offs[i], 0xffffffff);
	}
	CHECK_EQ(rd(PEND(0)), 1u << 10);
	CHECK_EQ(nr_ev, 1);
	CHECK_EQ(rd(CLAIM(S0)), 10);
}

int main(void)
{
	check_suite = "dm_plic";
	RUN(reset_state);
	RUN(priorities_warl);
	RUN(pending_follows_line);
	RUN(enables_per_context);
	RUN(claim_order);
	RUN(threshold);
	RUN(priority_zero_never);
	RUN(complete_and_level_reraise);
	RUN(complete_any_context);
	RUN(m_contexts_never_drive);
	RUN(callback_on_change_only);
	RUN(dm_irq_glue);
	RUN(bad_sources);
	RUN(odd_sizes_and_offsets);
	return CHECK_DONE();
}
