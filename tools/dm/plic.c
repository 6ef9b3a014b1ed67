// SPDX-License-Identifier: MIT
/*
 * plic.c: the DomU PLIC model (see plic.h), following QEMU's sifive_plic:
 *
 * - Priorities and thresholds are WARL: 7 + 1 is a power of two, so a write
 *   keeps only the low bits, as QEMU does.
 * - A source's pending bit follows its line: raising it makes the source
 *   pending, lowering it withdraws a request not yet claimed (QEMU sets the
 *   pending bit to the line's level).
 * - Claim takes the highest-priority pending, enabled, not-in-service
 *   source above the context's threshold (ties: lowest id), clears its
 *   pending bit and marks it in service. Complete ends service for any
 *   valid source id, whichever context writes it and whether or not that
 *   context has it enabled: that is QEMU's rule (the PLIC spec would ignore
 *   a complete for a source the context has not enabled; Linux's driver
 *   works either way). Unlike QEMU, a line still high at completion makes
 *   the source pending again at once, so a level source that stays
 *   asserted is not lost even if its device does not drive the line again.
 * - While a source is in service its gateway holds any new request back
 *   (spec); completion re-samples the line.
 * - Only 32-bit aligned accesses are valid (QEMU: .valid min = max = 4,
 *   other sizes fault the guest); here they are logged and read 0 / ignored.
 */
#include "plic.h"

#include <string.h>

#include "dm_log.h"

#define ACCESS_SIZE	4
#define BITS_PER_WORD	32

/* WARL priorities keep the low bits: only right if 7 + 1 is a power of two. */
_Static_assert((PLIC_MAX_PRIORITY & (PLIC_MAX_PRIORITY + 1)) == 0, "priority mask");

/* Source 0 does not exist: its enable and pending bits are hardwired to 0. */
static uint32_t valid_mask(unsigned word)
{
	return word == 0 ? ~(uint32_t)1 : ~(uint32_t)0;
}

static int test_bit(const uint32_t *map, unsigned n)
{
	return (map[n / BITS_PER_WORD] >> (n % BITS_PER_WORD)) & 1;
}

static void assign_bit(uint32_t *map, unsigned n, int val)
{
	uint32_t bit = (uint32_t)1 << (n % BITS_PER_WORD);

	if (val)
		map[n / BITS_PER_WORD] |= bit;
	else
		map[n / BITS_PER_WORD] &= ~bit;
}

static int is_s_context(unsigned context)
{
	return context % PLIC_CTX_PER_VCPU == 1;
}

/* The source CONTEXT would claim now, 0 if none. */
static unsigned best_source(const struct plic *p, unsigned context)
{
	uint32_t best_prio = p->st->threshold[context];
	unsigned best = 0;

	for (unsigned w = 0; w < PLIC_WORDS; w++) {
		uint32_t cand = p->st->pending[w] & ~p->st->claimed[w] & p->st->enable[context][w] & valid_mask(w);

		while (cand) {
			unsigned bit = (unsigned)__builtin_ctz(cand);
			unsigned src = w * BITS_PER_WORD + bit;

			cand &= cand - 1;
			/* Strictly greater: priority 0 never wins, ties keep the lowest id. */
			if (src < PLIC_NR_SOURCES && p->st->priority[src] > best_prio) {
				best_prio = p->st->priority[src];
				best = src;
			}
		}
	}
	return best;
}

/* Recomputes every S context's output and reports the ones that changed. */
static void update(struct plic *p)
{
	for (unsigned c = 0; c < p->st->nr_contexts; c++) {
		if (!is_s_context(c))
			continue;	/* M contexts are wired to nothing */
		uint8_t lvl = best_source(p, c) != 0;

		if (lvl == p->st->line[c])
			continue;
		p->st->line[c] = lvl;
		if (p->ctx_line)
			p->ctx_line(p->opaque, c, lvl);
	}
}

void plic_init(struct plic *p, unsigned nr_vcpus, plic_ctx_line_fn *ctx_line, void *opaque)
{
	if (nr_vcpus < 1)
		nr_vcpus = 1;
	if (nr_vcpus > PLIC_MAX_VCPUS)
		nr_vcpus = PLIC_MAX_VCPUS;
	memset(p, 0, sizeof(*p));
	p->st = &p->own;
	p->st->nr_contexts = nr_vcpus * PLIC_CTX_PER_VCPU;
	p->ctx_line = ctx_line;
	p->opaque = opaque;
}

int plic_bind_state(struct plic *p, struct plic_state *st, int resumed)
{
	if (!st)
		return 0;
	if (!resumed) {
		*st = *p->st;
		p->st = st;
		return 0;
	}
	if (st->nr_contexts != p->st->nr_contexts)
		return -1;
	p->st = st;
	/* Written by our own code only, but a damaged file must not make us index out of range. */
	for (unsigned i = 0; i < PLIC_NR_SOURCES; i++)
		st->priority[i] &= PLIC_MAX_PRIORITY;
	for (unsigned c = 0; c < PLIC_MAX_CONTEXTS; c++)
		st->threshold[c] &= PLIC_MAX_PRIORITY;
	return 0;
}

void plic_recover(struct plic *p)
{
	for (unsigned w = 0; w < PLIC_WORDS; w++) {
		p->st->claimed[w] = 0;
		p->st->pending[w] = p->st->level[w] & valid_mask(w);
	}
	/* Report every output afresh: whoever listens may have lost the old levels. */
	for (unsigned c = 0; c < p->st->nr_contexts; c++) {
		p->st->line[c] = is_s_context(c) && best_source(p, c) != 0;
		if (is_s_context(c) && p->ctx_line)
			p->ctx_line(p->opaque, c, p->st->line[c]);
	}
}

void plic_set_irq(void *plic, unsigned source, int level)
{
	struct plic *p = plic;

	if (source == 0 || source >= PLIC_NR_SOURCES) {
		dm_log("plic: set_irq on nonexistent source %u", source);
		return;
	}
	level = !!level;
	assign_bit(p->st->level, source, level);
	if (!level)
		assign_bit(p->st->pending, source, 0);
	else if (!test_bit(p->st->claimed, source))
		assign_bit(p->st->pending, source, 1);
	update(p);
}

int plic_ctx_level(const struct plic *p, unsigned context)
{
	if (context >= p->st->nr_contexts)
		return 0;
	return p->st->line[context];
}

static uint32_t claim(struct plic *p, unsigned context)
{
	unsigned src = best_source(p, context);

	if (src) {
		assign_bit(p->st->pending, src, 0);
		assign_bit(p->st->claimed, src, 1);
	}
	update(p);
	return src;
}

static void complete(struct plic *p, uint64_t value)
{
	if (value == 0 || value >= PLIC_NR_SOURCES) {
		dm_log_guest("plic: complete of invalid source %llu", (unsigned long long)value);
		return;
	}
	unsigned src = (unsigned)value;

	if (!test_bit(p->st->claimed, src))
		return;		/* not in service: nothing to end */
	assign_bit(p->st->claimed, src, 0);
	if (test_bit(p->st->level, src))
		assign_bit(p->st->pending, src, 1);	/* level still asserted */
	update(p);
}

/* Decoded guest access: which register OFFSET names. */
enum plic_reg { REG_NONE, REG_PRIORITY, REG_PENDING, REG_ENABLE, REG_THRESHOLD, REG_CLAIM };

struct plic_decoded {
	enum plic_reg reg;
	unsigned index;		/* source, pending word, or context */
	unsigned word;		/* enable word */
};

static struct plic_decoded decode(const struct plic *p, uint64_t offset)
{
	struct plic_decoded d = { REG_NONE, 0, 0 };

	if (offset < PLIC_PRIORITY_BASE + (uint64_t)PLIC_NR_SOURCES * ACCESS_SIZE) {
		d.reg = REG_PRIORITY;
		d.index = (unsigned)((offset - PLIC_PRIORITY_BASE) / ACCESS_SIZE);
	} else if (offset >= PLIC_PENDING_BASE &&
		   offset < PLIC_PENDING_BASE + (uint64_t)PLIC_WORDS * ACCESS_SIZE) {
		d.reg = REG_PENDING;
		d.index = (unsigned)((offset - PLIC_PENDING_BASE) / ACCESS_SIZE);
	} else if (offset >= PLIC_ENABLE_BASE &&
		   offset < PLIC_ENABLE_BASE + (uint64_t)p->st->nr_contexts * PLIC_ENABLE_STRIDE) {
		uint64_t rel = offset - PLIC_ENABLE_BASE;

		d.index = (unsigned)(rel / PLIC_ENABLE_STRIDE);
		d.word = (unsigned)(rel % PLIC_ENABLE_STRIDE / ACCESS_SIZE);
		if (d.word < PLIC_WORDS)
			d.reg = REG_ENABLE;
	} else if (offset >= PLIC_CONTEXT_BASE &&
		   offset < PLIC_CONTEXT_BASE + (uint64_t)p->st->nr_contexts * PLIC_CONTEXT_STRIDE) {
		uint64_t rel = offset - PLIC_CONTEXT_BASE;

		d.index = (unsigned)(rel / PLIC_CONTEXT_STRIDE);
		if (rel % PLIC_CONTEXT_STRIDE == PLIC_CTX_THRESHOLD)
			d.reg = REG_THRESHOLD;
		else if (rel % PLIC_CONTEXT_STRIDE == PLIC_CTX_CLAIM)
			d.reg = REG_CLAIM;
	}
	return d;
}

static int access_ok(uint64_t offset, unsigned size, const char *what)
{
	if (size == ACCESS_SIZE && offset % ACCESS_SIZE == 0)
		return 1;
	dm_log_guest("plic: %u-byte %s at 0x%llx ignored (32-bit aligned only)",
		     size, what, (unsigned long long)offset);
	return 0;
}

static uint64_t plic_read(void *dev, uint64_t offset, unsigned size)
{
	struct plic *p = dev;

	if (!access_ok(offset, size, "read"))
		return 0;
	struct plic_decoded d = decode(p, offset);

	switch (d.reg) {
	case REG_PRIORITY:
		return p->st->priority[d.index];
	case REG_PENDING:
		return p->st->pending[d.index] & valid_mask(d.index);
	case REG_ENABLE:
		return p->st->enable[d.index][d.word];
	case REG_THRESHOLD:
		return p->st->threshold[d.index];
	case REG_CLAIM:
		return claim(p, d.index);
	case REG_NONE:
		break;
	}
	dm_log_guest("plic: read of unimplemented offset 0x%llx", (unsigned long long)offset);
	return 0;
}

static void plic_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	struct plic *p = dev;

	if (!access_ok(offset, size, "write"))
		return;
	struct plic_decoded d = decode(p, offset);
	uint32_t v = (uint32_t)value;

	switch (d.reg) {
	case REG_PRIORITY:
		if (d.index == 0) {
			dm_log_guest("plic: source 0 has no priority to write");
			return;
		}
		p->st->priority[d.index] = v & PLIC_MAX_PRIORITY;
		update(p);
		return;
	case REG_PENDING:
		dm_log_guest("plic: write to read-only pending word at 0x%llx",
			     (unsigned long long)offset);
		return;
	case REG_ENABLE:
		p->st->enable[d.index][d.word] = v & valid_mask(d.word);
		update(p);
		return;
	case REG_THRESHOLD:
		p->st->threshold[d.index] = v & PLIC_MAX_PRIORITY;
		update(p);
		return;
	case REG_CLAIM:
		complete(p, v);
		return;
	case REG_NONE:
		break;
	}
	dm_log_guest("plic: write of unimplemented offset 0x%llx", (unsigned long long)offset);
}

const struct dm_mmio_ops plic_mmio_ops = {
	.read = plic_read,
	.write = plic_write,
};
