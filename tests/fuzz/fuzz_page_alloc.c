// SPDX-License-Identifier: MIT
/*
 * fuzz_page_alloc.c: microvisor/page_alloc.c against a model. The input
 * chooses the pool's bounds, then a sequence of allocations (any count,
 * any alignment, powers of two or not) and frees (whole blocks, parts of
 * them, and hostile ranges: the bitmap's own pages, unaligned, out of the
 * pool, wrapping counts). The model is one state per page: free, used or
 * bitmap. Checked after every step: the result is what the model predicts
 * (an allocation fails only when no aligned free run exists; a free
 * succeeds exactly when every page in it is allocated), no two blocks
 * overlap, alignment is honoured and nr_free is exact. Only the bitmap is
 * real memory: the rest of the pool is poisoned so ASan catches any touch.
 */
#include <sanitizer/asan_interface.h>
#include <string.h>

#include "fuzz.h"
#include "page_alloc.h"
#include "errcode.h"

#define MAX_PAGES  (3 * 32768 + 4096)   /* up to 4 bitmap pages */
#define ARENA      (2UL << 20)          /* room for the base's offset and 4 bitmap pages */
#define MAX_LIVE   1024

enum { PG_FREE, PG_USED, PG_BITMAP };

static u8 state[MAX_PAGES];
static u32 run[MAX_PAGES + 1];          /* free pages from i on */
static struct { u64 addr, nr; } live[MAX_LIVE];
static unsigned nr_live;

static u64 model_free(u64 total)
{
	u64 n = 0;

	for (u64 i = 0; i < total; i++)
		n += state[i] == PG_FREE;
	return n;
}

/* Is there an aligned run of nr free pages anywhere? */
static bool model_fits(u64 base, u64 total, u64 nr, u64 align)
{
	unsigned __int128 a = (unsigned __int128)align * PAGE_SIZE, rem = base % a;
	unsigned __int128 first = rem ? (a - rem) / PAGE_SIZE : 0;

	if (nr > total)
		return false;
	run[total] = 0;
	for (u64 i = total; i-- > 0;)
		run[i] = state[i] == PG_FREE ? run[i + 1] + 1 : 0;
	for (unsigned __int128 i = first; i + nr <= total; i += align)
		if (run[(u64)i] >= nr)
			return true;
	return false;
}

static u64 pick_nr(struct fin *in, u64 total)
{
	u8 k = fin_u8(in);

	if ((k & 0xc0) == 0xc0)
		return fin_u64(in);
	if (k & 0x80)
		return fin_u16(in) % (total + 2);
	return k & 0x3f;
}

static u64 pick_align(struct fin *in)
{
	u8 a = fin_u8(in);

	if (a == 255)
		return fin_u64(in);
	if (a >= 240)
		return a - 237;                 /* 3..17: mostly not powers of two */
	return 1UL << (a < 200 ? a % 12 : a % 64);
}

static void do_alloc(struct page_pool *p, struct fin *in, u64 total)
{
	u64 nr = pick_nr(in, total), align = pick_align(in);
	bool valid = nr && align && !(align & (align - 1));
	bool fits = valid && model_fits(p->base, total, nr, align);
	u64 addr = page_pool_alloc(p, nr, align);

	if (!addr) {
		FUZZ_CHECK(!fits, "alloc(%llu, %llu) failed though an aligned free run exists",
			   (unsigned long long)nr, (unsigned long long)align);
		return;
	}
	FUZZ_CHECK(valid, "alloc(%llu, %llu) succeeded with a bad count or alignment",
		   (unsigned long long)nr, (unsigned long long)align);
	FUZZ_CHECK(addr >= p->base && !((addr - p->base) % PAGE_SIZE), "alloc returned %#llx, not a pool page",
		   (unsigned long long)addr);
	u64 first = (addr - p->base) / PAGE_SIZE;
	FUZZ_CHECK(first < total && nr <= total - first, "alloc(%llu) at %#llx runs past the pool",
		   (unsigned long long)nr, (unsigned long long)addr);
	FUZZ_CHECK(!((unsigned __int128)addr % ((unsigned __int128)align * PAGE_SIZE)),
		   "alloc(%llu, align %llu) returned %#llx", (unsigned long long)nr,
		   (unsigned long long)align, (unsigned long long)addr);
	for (u64 i = first; i < first + nr; i++) {
		FUZZ_CHECK(state[i] == PG_FREE, "alloc(%llu) at %#llx overlaps page %llu (state %u)",
			   (unsigned long long)nr, (unsigned long long)addr, (unsigned long long)i, state[i]);
		state[i] = PG_USED;
	}
	if (nr_live < MAX_LIVE)
		live[nr_live++] = (typeof(live[0])){ addr, nr };
}

static void do_free(struct page_pool *p, u64 total, u64 addr, u64 nr)
{
	bool ok = addr >= p->base && !((addr - p->base) % PAGE_SIZE) && nr &&
		  (addr - p->base) / PAGE_SIZE < total && nr <= total - (addr - p->base) / PAGE_SIZE;
	u64 first = ok ? (addr - p->base) / PAGE_SIZE : 0;

	for (u64 i = first; ok && i < first + nr; i++)
		ok = state[i] == PG_USED;
	int r = page_pool_free(p, addr, nr);
	FUZZ_CHECK(r == (ok ? 0 : -RIVET_EINVAL), "free(%#llx, %llu) (page %lld of %llu) returned %d, expected %d",
		   (unsigned long long)addr, (unsigned long long)nr,
		   (long long)((s64)(addr - p->base) / (s64)PAGE_SIZE), (unsigned long long)total, r,
		   ok ? 0 : -RIVET_EINVAL);
	for (u64 i = first; ok && i < first + nr; i++)
		state[i] = PG_FREE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 *arena;
	struct fin in = { data, size };
	struct page_pool pool;

	if (!arena)
		arena = aligned_alloc(ARENA, ARENA);
	ASAN_UNPOISON_MEMORY_REGION(arena, ARENA);

	/* Bounds: a base off 2 MiB alignment by whole pages and maybe bytes, any size. */
	u64 want = fin_u8(&in) & 7 ? fin_u16(&in) % 4096 : fin_u32(&in) % MAX_PAGES;
	u64 base = (u64)(uintptr_t)arena + (fin_u8(&in) % 16) * PAGE_SIZE;
	if (fin_u8(&in) & 1)
		base += fin_u16(&in) % PAGE_SIZE;
	u64 end = ALIGN_UP(base, PAGE_SIZE) + want * PAGE_SIZE + fin_u16(&in) % PAGE_SIZE;

	u64 abase = ALIGN_UP(base, PAGE_SIZE), total = want;
	u64 bitmap_pages = (total + 8 * PAGE_SIZE - 1) / (8 * PAGE_SIZE);
	int expect = !total ? -RIVET_EINVAL : bitmap_pages >= total ? -RIVET_ENOMEM : 0;
	int r = page_pool_init(&pool, base, end);
	FUZZ_CHECK(r == expect, "init of %llu pages returned %d, expected %d", (unsigned long long)total, r, expect);
	if (r)
		return 0;
	FUZZ_CHECK(pool.base == abase && pool.nr_pages == total, "pool at %#llx of %llu pages, expected %#llx, %llu",
		   (unsigned long long)pool.base, (unsigned long long)pool.nr_pages,
		   (unsigned long long)abase, (unsigned long long)total);
	/* Everything past the bitmap is the allocator's to hand out, never to touch. */
	u64 bm_end = abase + bitmap_pages * PAGE_SIZE;
	ASAN_POISON_MEMORY_REGION((void *)(uintptr_t)bm_end, (u64)(uintptr_t)arena + ARENA - bm_end);

	memset(state, PG_FREE, total);
	memset(state, PG_BITMAP, bitmap_pages);
	nr_live = 0;
	while (in.left) {
		u8 op = fin_u8(&in) % 4;

		if (op < 2) {
			do_alloc(&pool, &in, total);
		} else if (op == 2 && nr_live) {
			/* A live block, whole or in part (the API frees pages, not blocks). */
			unsigned i = fin_u16(&in) % nr_live;
			u64 addr = live[i].addr, nr = live[i].nr;
			u8 how = fin_u8(&in) % 4;

			if (how == 1 && nr > 1)
				nr = 1 + fin_u16(&in) % (nr - 1);
			else if (how == 2 && nr > 1) {
				u64 skip = 1 + fin_u16(&in) % (nr - 1);
				addr += skip * PAGE_SIZE;
				nr -= skip;
			} else if (how == 3) {
				nr++;
			}
			do_free(&pool, total, addr, nr);
			live[i] = live[--nr_live];
		} else {
			/* Hostile: near the pool's start (its bitmap), anywhere, unaligned, huge counts. */
			u8 how = fin_u8(&in);
			u64 addr = how & 1 ? fin_u64(&in) : abase + (u64)(s64)(int16_t)fin_u16(&in) * PAGE_SIZE;
			if (how & 2)
				addr += fin_u16(&in) % PAGE_SIZE;
			do_free(&pool, total, addr, how & 4 ? fin_u64(&in) : fin_u8(&in));
		}
		FUZZ_CHECK(pool.nr_free == model_free(total), "nr_free is %llu, the model has %llu free",
			   (unsigned long long)pool.nr_free, (unsigned long long)model_free(total));
	}
	return 0;
}
