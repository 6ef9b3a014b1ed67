// SPDX-License-Identifier: MIT
/*
 * page_zero.c: zeroing whole pages. Guest RAM is zeroed before a domain may
 * see it (mm.c, scrubbing on idle harts), so this is on the path of every
 * domain's creation; a store loop costs about three instructions per 8
 * bytes, cbo.zero one per cache block (64 bytes on QEMU).
 */
#include "page_zero.h"
#ifndef RIVET_HOST_BUILD
#include "hart.h"
#include "spinlock.h"
#endif

/*
 * Zicboz cbo.zero rs1: zeroes the naturally aligned cache block holding the
 * address in rs1; it orders like a store. Named through the assembler's
 * Zicboz support so the encoding is the toolchain's, not ours.
 */
#define CBO_ZERO(addr) asm volatile(".option push\n.option arch, +zicboz\n" \
				    "cbo.zero (%0)\n.option pop" :: "r"(addr) : "memory")

/*
 * Set by the boot hart's probe before the other harts start (their start
 * orders it); cleared, never set, by a later hart whose own check fails.
 * Relaxed atomics: a hart that still sees the old value uses cbo.zero on
 * its own hart, which its check proved works.
 */
static u64 cboz_block;

u64 page_zero_block(void) { return __atomic_load_n(&cboz_block, __ATOMIC_RELAXED); }

/* Eight stores a round: 64 bytes for about ten instructions. */
static void zero_stores(u64 *w, u64 bytes)
{
	for (u64 *end = w + bytes / sizeof(u64); w < end; w += 8) {
		w[0] = 0; w[1] = 0; w[2] = 0; w[3] = 0;
		w[4] = 0; w[5] = 0; w[6] = 0; w[7] = 0;
	}
}

#ifndef RIVET_HOST_BUILD
static void zero_blocks(u8 *p, u64 bytes, u64 block)
{
	/* Four blocks a round: a page holds at least four of any block size accepted. */
	for (u8 *end = p + bytes; p < end; p += 4 * block) {
		CBO_ZERO(p);
		CBO_ZERO(p + block);
		CBO_ZERO(p + 2 * block);
		CBO_ZERO(p + 3 * block);
	}
}
#endif

void page_zero(void *p, u64 bytes)
{
#ifndef RIVET_HOST_BUILD
	u64 block = page_zero_block();
	if (block) {
		zero_blocks(p, bytes, block);
		return;
	}
#endif
	zero_stores(p, bytes);
}

#ifndef RIVET_HOST_BUILD
/* One page to try cbo.zero on: it must zero exactly the first block of it. */
static u8 probe_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

#define PROBE_FILL 0xa5

/* Harts check at once at bring-up; the page is shared. */
static spinlock_t probe_lock = SPINLOCK_INIT;

/* On this hart: does one guarded cbo.zero zero exactly the first block bytes of a page? */
static bool block_works(u64 block)
{
	struct hart *h = this_hart();
	spin_lock(&probe_lock);
	for (u64 i = 0; i < PAGE_SIZE; i++)
		probe_page[i] = PROBE_FILL;
	h->fault_hit = false;
	h->fault_armed = true;   /* hs_trap() skips the 4-byte instruction if it traps */
	CBO_ZERO(probe_page);
	h->fault_armed = false;
	bool ok = !h->fault_hit;
	for (u64 i = 0; ok && i < PAGE_SIZE; i++)
		if (probe_page[i] != (i < block ? 0 : PROBE_FILL))
			ok = false;   /* the tree's block size is not what the hart zeroes */
	spin_unlock(&probe_lock);
	return ok;
}

u64 page_zero_probe(u64 dt_block)
{
	cboz_block = 0;
	if (dt_block < PAGE_ZERO_MIN_BLOCK || dt_block > PAGE_ZERO_MAX_BLOCK || (dt_block & (dt_block - 1)))
		return 0;
	if (!block_works(dt_block))
		return 0;
	cboz_block = dt_block;
	return cboz_block;
}

bool page_zero_check_hart(void)
{
	u64 block = page_zero_block();
	if (!block || block_works(block))
		return true;
	__atomic_store_n(&cboz_block, 0, __ATOMIC_RELAXED);
	return false;
}
#endif
