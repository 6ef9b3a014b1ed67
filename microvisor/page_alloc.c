// SPDX-License-Identifier: MIT
/*
 * page_alloc.c: first-fit bitmap allocator of 4 KiB pages for tables, vCPU
 * state and guest RAM, with a second bitmap of the free pages known to hold
 * only zeros (see page_alloc.h for who may read it when).
 */
#include "page_alloc.h"
#include "errcode.h"
#include <string.h>

#define BITS 64UL

static u64 load(const u64 *w) { return __atomic_load_n(w, __ATOMIC_RELAXED); }
static void store(u64 *w, u64 v) { __atomic_store_n(w, v, __ATOMIC_RELAXED); }

/* The microvisor has no Zbb and no libgcc: its own bit counts. x != 0. */
static u64 ctz(u64 x)
{
	u64 n = 0;
	while (!(x & 0xff))
		x >>= 8, n += 8;
	while (!(x & 1))
		x >>= 1, n++;
	return n;
}

static u64 popcount(u64 x)
{
	x -= (x >> 1) & 0x5555555555555555UL;
	x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
	return (x * 0x0101010101010101UL) >> 56;
}

/* Bits [first, first + nr) of a bitmap set or cleared, a word at a time. */
static void mark(u64 *bits, u64 first, u64 nr, bool set)
{
	u64 i = first, end = first + nr;
	while (i < end) {
		u64 lo = i % BITS, n = BITS - lo < end - i ? BITS - lo : end - i;
		u64 m = (n == BITS ? ~0UL : ((1UL << n) - 1)) << lo;
		u64 *w = &bits[i / BITS];
		store(w, set ? load(w) | m : load(w) & ~m);
		i += n;
	}
}

/* How many of the bits [first, first + nr) are set. */
static u64 count(const u64 *bits, u64 first, u64 nr)
{
	u64 i = first, end = first + nr, c = 0;
	while (i < end) {
		u64 lo = i % BITS, n = BITS - lo < end - i ? BITS - lo : end - i;
		u64 m = (n == BITS ? ~0UL : ((1UL << n) - 1)) << lo;
		c += popcount(load(&bits[i / BITS]) & m);
		i += n;
	}
	return c;
}

/* What a search looks for: a bit set in the word below means "this page will do". */
enum want { FREE, FREE_CLEAN, FREE_DIRTY, DIRTY };

static u64 fit_word(const struct page_pool *p, u64 w, enum want want)
{
	u64 used = p->bitmap[w], clean = load(&p->clean[w]);
	switch (want) {
	case FREE: return ~used;
	case FREE_CLEAN: return ~used & clean;
	case FREE_DIRTY: return ~used & ~clean;
	default: return ~clean;   /* DIRTY: pages the caller holds */
	}
}

/* How many pages from i on (stopping at limit) do (fits) or do not (!fits) fit. */
static u64 run(const struct page_pool *p, u64 i, u64 limit, enum want want, bool fits)
{
	u64 start = i;
	while (i < limit) {
		u64 w = fit_word(p, i / BITS, want);
		u64 other = (fits ? ~w : w) >> (i % BITS);   /* bits that end the run */
		if (other) {
			i += ctz(other);
			break;
		}
		i += BITS - i % BITS;
	}
	return (i < limit ? i : limit) - start;
}

/* The bitmaps fill the pool's first pages; they stay marked used for good. */
static u64 nr_bitmap_pages(u64 total)
{
	u64 words = (total + BITS - 1) / BITS;
	return ALIGN_UP(2 * words * sizeof(u64), PAGE_SIZE) / PAGE_SIZE;
}

int page_pool_init(struct page_pool *p, u64 base, u64 end)
{
	base = ALIGN_UP(base, PAGE_SIZE);
	end = ALIGN_DOWN(end, PAGE_SIZE);
	if (end <= base)
		return -RIVET_EINVAL;
	u64 total = (end - base) / PAGE_SIZE;
	u64 bitmap_pages = nr_bitmap_pages(total);
	if (bitmap_pages >= total)
		return -RIVET_ENOMEM;
	u64 words = (total + BITS - 1) / BITS;
	p->bitmap = (u64 *)(uintptr_t)base;
	p->clean = p->bitmap + words;
	/* Nothing is known clean: RAM holds what firmware or an earlier boot left. */
	memset(p->bitmap, 0, bitmap_pages * PAGE_SIZE);
	p->base = base;
	p->nr_pages = total;
	mark(p->bitmap, 0, bitmap_pages, true);
	/* The bits past the last page read as used, so no search runs off the end. */
	if (total % BITS)
		mark(p->bitmap, total, BITS - total % BITS, true);
	p->nr_free = total - bitmap_pages;
	p->nr_clean = 0;
	p->hint = bitmap_pages;
	p->scrub_hint = bitmap_pages;
	return 0;
}

static u64 search(const struct page_pool *p, u64 from, u64 to, u64 nr, u64 align_pages, enum want want)
{
	u64 i = from;
	while (i < to && to - i >= nr) {
		u64 addr = p->base + i * PAGE_SIZE;
		u64 aligned = ALIGN_UP(addr, align_pages * PAGE_SIZE);
		if (aligned != addr) {
			i += (aligned - addr) / PAGE_SIZE;
			continue;
		}
		u64 j = run(p, i, i + nr, want, true);
		if (j == nr)
			return i + 1;   /* +1 so that 0 means "not found" */
		i += j;
		i += run(p, i, to, want, false);   /* skip what does not fit */
	}
	return 0;
}

u64 page_pool_alloc(struct page_pool *p, u64 nr, u64 align_pages)
{
	if (!nr || nr > p->nr_free || !align_pages || (align_pages & (align_pages - 1)))
		return 0;
	u64 found = 0;
	/* Clean pages first: a word at a time, the search is cheap next to zeroing. */
	if (nr <= p->nr_clean) {
		found = search(p, p->hint, p->nr_pages, nr, align_pages, FREE_CLEAN);
		if (!found)
			found = search(p, 0, p->nr_pages, nr, align_pages, FREE_CLEAN);
	}
	if (!found)
		found = search(p, p->hint, p->nr_pages, nr, align_pages, FREE);
	if (!found)
		found = search(p, 0, p->nr_pages, nr, align_pages, FREE);
	if (!found)
		return 0;
	u64 first = found - 1;
	mark(p->bitmap, first, nr, true);
	p->nr_free -= nr;
	p->nr_clean -= count(p->clean, first, nr);
	p->hint = first + nr;
	return p->base + first * PAGE_SIZE;
}

u64 page_pool_dirty_run(const struct page_pool *p, u64 addr, u64 nr, u64 *at)
{
	if (addr < p->base || (addr - p->base) / PAGE_SIZE >= p->nr_pages || *at >= nr)
		return 0;
	u64 first = (addr - p->base) / PAGE_SIZE;
	if (nr > p->nr_pages - first)
		return 0;
	u64 i = first + *at, end = first + nr;
	i += run(p, i, end, DIRTY, false);
	*at = i - first;
	return run(p, i, end, DIRTY, true);
}

static int give_back(struct page_pool *p, u64 addr, u64 nr, bool clean)
{
	if (addr < p->base || (addr & (PAGE_SIZE - 1)) || !nr)
		return -RIVET_EINVAL;
	u64 first = (addr - p->base) / PAGE_SIZE;
	/* The bitmaps' pages were never handed out: freeing them would corrupt them. */
	if (first < nr_bitmap_pages(p->nr_pages) || first >= p->nr_pages || nr > p->nr_pages - first)
		return -RIVET_EINVAL;
	if (run(p, first, first + nr, FREE, false) != nr)
		return -RIVET_EINVAL;   /* some page of it is free already */
	mark(p->clean, first, nr, clean);
	mark(p->bitmap, first, nr, false);
	p->nr_free += nr;
	if (clean)
		p->nr_clean += nr;
	if (first < p->hint)
		p->hint = first;
	if (!clean && first < p->scrub_hint)
		p->scrub_hint = first;   /* idle scrubbing goes to what was freed */
	return 0;
}

int page_pool_free(struct page_pool *p, u64 addr, u64 nr)
{
	return give_back(p, addr, nr, false);
}

int page_pool_free_clean(struct page_pool *p, u64 addr, u64 nr)
{
	return give_back(p, addr, nr, true);
}

u64 page_pool_take_dirty(struct page_pool *p, u64 max_nr, u64 leave_free, u64 *nr)
{
	*nr = 0;
	if (!max_nr || p->nr_free <= leave_free || p->nr_free == p->nr_clean)
		return 0;
	if (max_nr > p->nr_free - leave_free)
		max_nr = p->nr_free - leave_free;
	/*
	 * Large blocks first: the first run of max_nr from where the last one
	 * ended, else the longest run seen in one lap of the pool.
	 */
	u64 best = 0, best_nr = 0, i = p->scrub_hint < p->nr_pages ? p->scrub_hint : 0;
	for (u64 seen = 0; seen < p->nr_pages && best_nr < max_nr;) {
		u64 skip = run(p, i, p->nr_pages, FREE_DIRTY, false);
		i += skip;
		seen += skip;
		u64 len = i < p->nr_pages ? run(p, i, i + max_nr < p->nr_pages ? i + max_nr : p->nr_pages,
						FREE_DIRTY, true) : 0;
		if (len > best_nr)
			best = i, best_nr = len;
		i += len;
		seen += len;
		if (i >= p->nr_pages)
			i = 0;
	}
	if (!best_nr)
		return 0;
	mark(p->bitmap, best, best_nr, true);
	p->nr_free -= best_nr;
	p->scrub_hint = best + best_nr;
	*nr = best_nr;
	return p->base + best * PAGE_SIZE;
}
