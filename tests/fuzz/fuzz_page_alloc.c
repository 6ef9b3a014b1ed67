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
 * overlap, alignment is honoured and nr_free is exact. Pages are also
 * given back zeroed (page_pool_free_clean) and taken for scrubbing
 * (page_pool_take_dirty); the model knows which free pages are clean, and
 * what an allocation reports as dirty (page_pool_dirty_run) must be exactly
 * its pages the model does not know clean: a page reported clean that is
 * not would be handed out with old data. Only the bitmaps are real memory:
 * the rest of the pool is poisoned so ASan catches any touch.
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
static bool clean[MAX_PAGES];           /* for free pages: known zeroed */
static u32 run[MAX_PAGES + 1];          /* free pages from i on */
static struct { u64 addr, nr; } live[MAX_LIVE];
static unsigned nr_live;

static u64 model_clean(u64 total)
{
	u64 n = 0;

	for (u64 i = 0; i < total; i++)
		n += state[i] == PG_FREE && clean[i];
	return n;
}

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
	/* What the holder will zero: exactly the pages not known clean. */
	u64 at = 0, len, next = 0;
	while ((len = page_pool_dirty_run(p, addr, nr, &at)) != 0) {
		for (u64 i = next; i < at; i++)
			FUZZ_CHECK(clean[first + i], "page %llu reported clean, but it was freed dirty",
				   (unsigned long long)(first + i));
		for (u64 i = at; i < at + len; i++)
			FUZZ_CHECK(!clean[first + i], "page %llu reported dirty, but it was clean",
				   (unsigned long long)(first + i));
		at += len;
		next = at;
	}
	for (u64 i = next; i < nr; i++)
		FUZZ_CHECK(clean[first + i], "page %llu reported clean, but it was freed dirty",
			   (unsigned long long)(first + i));
	if (nr_live < MAX_LIVE)
		live[nr_live++] = (typeof(live[0])){ addr, nr };
}

static void do_free(struct page_pool *p, u64 total, u64 addr, u64 nr, bool zeroed)
{
	bool ok = addr >= p->base && !((addr - p->base) % PAGE_SIZE) && nr &&
		  (addr - p->base) / PAGE_SIZE < total && nr <= total - (addr - p->base) / PAGE_SIZE;
	u64 first = ok ? (addr - p->base) / PAGE_SIZE : 0;

	for (u64 i = first; ok && i < first + nr; i++)
		ok = state[i] == PG_USED;
	int r = zeroed ? page_pool_free_clean(p, addr, nr) : page_pool_free(p, addr, nr);
	FUZZ_CHECK(r == (ok ? 0 : -RIVET_EINVAL), "free(%#llx, %llu) (page %lld of %llu) returned %d, expected %d",
		   (unsigned long long)addr, (unsigned long long)nr,
		   (long long)((s64)(addr - p->base) / (s64)PAGE_SIZE), (unsigned long long)total, r,
		   ok ? 0 : -RIVET_EINVAL);
	for (u64 i = first; ok && i < first + nr; i++) {
		state[i] = PG_FREE;
		clean[i] = zeroed;
	}
}

static void do_take_dirty(struct page_pool *p, struct fin *in, u64 total)
{
	u64 max = fin_u8(in) % 80, leave = fin_u8(in) % 8, nr = 0, before = p->nr_free;
	u64 addr = page_pool_take_dirty(p, max, leave, &nr);
	bool any = false;

	for (u64 i = 0; i < total; i++)
		any |= state[i] == PG_FREE && !clean[i];
	if (!addr) {
		FUZZ_CHECK(!nr, "take_dirty found nothing but says %llu pages", (unsigned long long)nr);
		FUZZ_CHECK(!any || !max || before <= leave, "take_dirty found nothing, though dirty free pages exist");
		return;
	}
	FUZZ_CHECK(nr && nr <= max && before - nr >= leave, "take_dirty took %llu pages (max %llu, leave %llu of %llu)",
		   (unsigned long long)nr, (unsigned long long)max, (unsigned long long)leave,
		   (unsigned long long)before);
	u64 first = (addr - p->base) / PAGE_SIZE;
	FUZZ_CHECK(addr >= p->base && first < total && nr <= total - first, "take_dirty returned %#llx",
		   (unsigned long long)addr);
	for (u64 i = first; i < first + nr; i++) {
		FUZZ_CHECK(state[i] == PG_FREE && !clean[i], "take_dirty took page %llu (state %u, clean %d)",
			   (unsigned long long)i, state[i], clean[i]);
		state[i] = PG_USED;
	}
	if (nr_live < MAX_LIVE)
		live[nr_live++] = (typeof(live[0])){ addr, nr };
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
	/* Two bitmaps (used, clean) of whole 64-bit words. */
	u64 bitmap_pages = (2 * ((total + 63) / 64) * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
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
	memset(clean, 0, total);   /* nothing is known clean at boot */
	nr_live = 0;
	while (in.left) {
		u8 op = fin_u8(&in) % 6;

		if (op < 2) {
			do_alloc(&pool, &in, total);
		} else if (op == 4) {
			do_take_dirty(&pool, &in, total);
		} else if ((op == 2 || op == 5) && nr_live) {
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
			do_free(&pool, total, addr, nr, op == 5);
			live[i] = live[--nr_live];
		} else {
			/* Hostile: near the pool's start (its bitmap), anywhere, unaligned, huge counts. */
			u8 how = fin_u8(&in);
			u64 addr = how & 1 ? fin_u64(&in) : abase + (u64)(s64)(int16_t)fin_u16(&in) * PAGE_SIZE;
			if (how & 2)
				addr += fin_u16(&in) % PAGE_SIZE;
			do_free(&pool, total, addr, how & 4 ? fin_u64(&in) : fin_u8(&in), how & 8);
		}
		FUZZ_CHECK(pool.nr_free == model_free(total), "nr_free is %llu, the model has %llu free",
			   (unsigned long long)pool.nr_free, (unsigned long long)model_free(total));
		FUZZ_CHECK(pool.nr_clean == model_clean(total), "nr_clean is %llu, the model has %llu",
			   (unsigned long long)pool.nr_clean, (unsigned long long)model_clean(total));
	}
	return 0;
}
