// SPDX-License-Identifier: MIT
/* vplic.c: Dom0's virtual PLIC (vplic.h): registers, claims and the lines they drive. */
#include "vplic.h"
#include <string.h>

static bool bit(const u32 *words, unsigned n) { return words[n / 32] >> (n % 32) & 1; }
static void set_bit(u32 *words, unsigned n) { words[n / 32] |= 1u << (n % 32); }
static void clear_bit(u32 *words, unsigned n) { words[n / 32] &= ~(1u << (n % 32)); }

/* The source context ctx would claim now, 0 if none. */
static unsigned best(const struct vplic *p, unsigned ctx)
{
	unsigned id = 0;
	u32 prio = p->threshold[ctx];
	for (unsigned w = 0; w < VPLIC_WORDS; w++) {
		u32 ready = p->pending[w] & ~p->claimed[w] & p->enable[ctx][w];
		/* No ctz: the microvisor links no libgcc helpers. Ascending, so ties keep the lowest id. */
		for (unsigned b = 0; ready; b++, ready >>= 1) {
			unsigned s = w * 32 + b;
			if ((ready & 1) && p->priority[s] > prio)
				id = s, prio = p->priority[s];
		}
	}
	return id;
}

/* Re-derives every context's line and reports the ones that changed. */
static void update(struct vplic *p)
{
	for (unsigned c = 0; c < p->nr_contexts; c++) {
		bool level = best(p, c) != 0;
		if (level != p->line[c]) {
			p->line[c] = level;
			p->ops.set_line(p->ops.ctx, c, level);
		}
	}
}

void vplic_init(struct vplic *p, unsigned nr_contexts, const struct vplic_ops *ops)
{
	memset(p, 0, sizeof(*p));
	p->nr_contexts = nr_contexts < VPLIC_MAX_CONTEXTS ? nr_contexts : VPLIC_MAX_CONTEXTS;
	p->ops = *ops;
}

void vplic_add_source(struct vplic *p, unsigned source)
{
	if (source && source < VPLIC_SOURCES)
		set_bit(p->exists, source);
}

void vplic_raise(struct vplic *p, unsigned source)
{
	if (!source || source >= VPLIC_SOURCES || !bit(p->exists, source) || bit(p->pending, source))
		return;
	set_bit(p->pending, source);
	update(p);
}

static unsigned claim(struct vplic *p, unsigned ctx)
{
	unsigned s = best(p, ctx);
	if (s) {
		clear_bit(p->pending, s);
		set_bit(p->claimed, s);
		update(p);
	}
	return s;
}

static void complete(struct vplic *p, u32 source)
{
	/* As QEMU: any context may complete; one that is not claimed is ignored. */
	if (source >= VPLIC_SOURCES || !bit(p->claimed, source))
		return;
	clear_bit(p->claimed, source);
	p->ops.complete(p->ops.ctx, source);
	update(p);
}

/* The context a context-page offset names, or -1. */
static int context_of(const struct vplic *p, u64 off, u64 *reg)
{
	if (off < VPLIC_CONTEXT_BASE)
		return -1;
	u64 c = (off - VPLIC_CONTEXT_BASE) / VPLIC_CONTEXT_STRIDE;
	*reg = (off - VPLIC_CONTEXT_BASE) % VPLIC_CONTEXT_STRIDE;
	return c < p->nr_contexts ? (int)c : -1;
}

/* The enable word an offset names (its context and word), or false. */
static bool enable_word(const struct vplic *p, u64 off, unsigned *ctx, unsigned *w)
{
	if (off < VPLIC_ENABLE_BASE || off >= VPLIC_CONTEXT_BASE)
		return false;
	u64 c = (off - VPLIC_ENABLE_BASE) / VPLIC_ENABLE_STRIDE, o = (off - VPLIC_ENABLE_BASE) % VPLIC_ENABLE_STRIDE;
	if (c >= p->nr_contexts || o / 4 >= VPLIC_WORDS)
		return false;
	*ctx = (unsigned)c, *w = (unsigned)(o / 4);
	return true;
}

u32 vplic_read(struct vplic *p, u64 off, unsigned size)
{
	unsigned c, w;
	u64 reg;
	if (size != 4 || (off & 3) || off >= VPLIC_SIZE)
		return 0;
	if (off < VPLIC_PENDING_BASE)
		return off / 4 < VPLIC_SOURCES ? p->priority[off / 4] : 0;
	if (off < VPLIC_ENABLE_BASE)
		return (off - VPLIC_PENDING_BASE) / 4 < VPLIC_WORDS ? p->pending[(off - VPLIC_PENDING_BASE) / 4] : 0;
	if (enable_word(p, off, &c, &w))
		return p->enable[c][w];
	int ctx = context_of(p, off, &reg);
	if (ctx < 0)
		return 0;
	if (reg == VPLIC_THRESHOLD)
		return p->threshold[ctx];
	if (reg == VPLIC_CLAIM)
		return claim(p, (unsigned)ctx);
	return 0;
}

void vplic_write(struct vplic *p, u64 off, unsigned size, u32 val)
{
	unsigned c, w;
	u64 reg;
	if (size != 4 || (off & 3) || off >= VPLIC_SIZE)
		return;
	if (off < VPLIC_PENDING_BASE) {
		unsigned s = (unsigned)(off / 4);
		if (s < VPLIC_SOURCES && bit(p->exists, s)) {
			p->priority[s] = val & VPLIC_PRIO_MASK;
			update(p);
		}
	} else if (off < VPLIC_ENABLE_BASE) {
		/* Pending bits are read-only. */
	} else if (enable_word(p, off, &c, &w)) {
		p->enable[c][w] = val & p->exists[w];
		update(p);
	} else {
		int ctx = context_of(p, off, &reg);
		if (ctx >= 0 && reg == VPLIC_THRESHOLD) {
			p->threshold[ctx] = val & VPLIC_PRIO_MASK;
			update(p);
		} else if (ctx >= 0 && reg == VPLIC_CLAIM) {
			complete(p, val);
		}
	}
}
