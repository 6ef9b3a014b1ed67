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
#endif

/*
 * Zicboz cbo.zero rs1: zeroes the naturally aligned cache block holding the
 * address in rs1; it orders like a store. Named through the assembler's
 * Zicboz support so the encoding is the toolchain's, not ours.
 */
#define CBO_ZERO(addr) asm volatile(".option push\n.option arch, +zicboz\n" \
				    "cbo.zero (%0)\n.option pop" :: "r"(addr) : "memory")

/* Set once at boot before the other harts start (their start orders it), read-only after. */
static u64 cboz_block;

u64 page_zero_block(void) { return cboz_block; }

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
	if (cboz_block) {
		zero_blocks(p, bytes, cboz_block);
		return;
	}
#endif
	zero_stores(p, bytes);
}

#ifndef RIVET_HOST_BUILD
/* One page to try cbo.zero on: it must zero exactly the first block of it. */
static u8 probe_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

#define PROBE_FILL 0xa5

u64 page_zero_probe(u64 dt_block)
{
	struct hart *h = this_hart();
	cboz_block = 0;
	if (dt_block < PAGE_ZERO_MIN_BLOCK || dt_block > PAGE_ZERO_MAX_BLOCK || (dt_block & (dt_block - 1)))
		return 0;
	for (u64 i = 0; i < PAGE_SIZE; i++)
		probe_page[i] = PROBE_FILL;
	h->fault_hit = false;
	h->fault_armed = true;   /* hs_trap() skips the 4-byte instruction if it traps */
	CBO_ZERO(probe_page);
	h->fault_armed = false;
	if (h->fault_hit)
		return 0;
	for (u64 i = 0; i < PAGE_SIZE; i++)
		if (probe_page[i] != (i < dt_block ? 0 : PROBE_FILL))
			return 0;   /* the tree's block size is not what the hart zeroes */
	cboz_block = dt_block;
	return cboz_block;
}
#endif
