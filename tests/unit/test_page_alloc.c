// SPDX-License-Identifier: MIT
/* test_page_alloc.c: host tests of the microvisor's page allocator (microvisor/page_alloc.c). */
#include "check.h"
#include "page_alloc.h"
#include "errcode.h"
#include <stdlib.h>
#include <string.h>

#define POOL_BYTES (8UL << 20)

static struct page_pool pool;
static void *mem;

static void fresh(void)
{
	free(mem);
	mem = aligned_alloc(SZ_2M, POOL_BYTES);
	page_pool_init(&pool, (u64)(uintptr_t)mem, (u64)(uintptr_t)mem + POOL_BYTES);
}

TEST(bitmap_is_carved_from_the_pool)
{
	fresh();
	CHECK_EQ(pool.nr_pages, POOL_BYTES / PAGE_SIZE);
	CHECK_EQ(pool.nr_free, POOL_BYTES / PAGE_SIZE - 1);
}

TEST(alignment_is_honoured)
{
	fresh();
	u64 a = page_pool_alloc(&pool, 1, 1);
	u64 b = page_pool_alloc(&pool, 512, 512);
	CHECK(a != 0 && b != 0);
	CHECK_EQ(b % SZ_2M, 0);
	CHECK(b >= a + PAGE_SIZE);
	u64 c = page_pool_alloc(&pool, 4, 4);
	CHECK_EQ(c % (4 * PAGE_SIZE), 0);
}

TEST(exhaustion_and_reuse)
{
	fresh();
	u64 free0 = pool.nr_free;
	u64 big = page_pool_alloc(&pool, free0, 1);
	CHECK(big != 0);
	CHECK_EQ(pool.nr_free, 0);
	CHECK_EQ(page_pool_alloc(&pool, 1, 1), 0);
	CHECK_EQ(page_pool_free(&pool, big, free0), 0);
	CHECK_EQ(pool.nr_free, free0);
	CHECK_EQ(page_pool_alloc(&pool, free0, 1), big);
}

TEST(bad_frees_change_nothing)
{
	fresh();
	u64 a = page_pool_alloc(&pool, 2, 1);
	u64 before = pool.nr_free;
	CHECK_EQ(page_pool_free(&pool, a + 1, 1), -RIVET_EINVAL);          /* unaligned */
	CHECK_EQ(page_pool_free(&pool, a, 3), -RIVET_EINVAL);              /* third page not ours */
	CHECK_EQ(page_pool_free(&pool, pool.base - PAGE_SIZE, 1), -RIVET_EINVAL);
	CHECK_EQ(page_pool_free(&pool, a, ~0UL), -RIVET_EINVAL);           /* overflowing count */
	CHECK_EQ(pool.nr_free, before);
	CHECK_EQ(page_pool_free(&pool, a, 2), 0);
	CHECK_EQ(page_pool_free(&pool, a, 2), -RIVET_EINVAL);              /* double free */
}

/* Found by tests/fuzz/fuzz_page_alloc.c: the bitmap's page could be freed, then handed out. */
TEST(bitmap_pages_cannot_be_freed)
{
	fresh();
	u64 before = pool.nr_free;
	CHECK_EQ(page_pool_free(&pool, pool.base, 1), -RIVET_EINVAL);
	CHECK_EQ(pool.nr_free, before);
	u64 a = page_pool_alloc(&pool, 1, 1);
	CHECK_EQ(page_pool_free(&pool, pool.base, (a - pool.base) / PAGE_SIZE + 1), -RIVET_EINVAL);
	CHECK_EQ(pool.nr_free, before - 1);
}

TEST(fragmentation_first_fit)
{
	fresh();
	u64 p[8];
	for (int i = 0; i < 8; i++)
		p[i] = page_pool_alloc(&pool, 1, 1);
	page_pool_free(&pool, p[2], 1);
	page_pool_free(&pool, p[3], 1);
	CHECK_EQ(page_pool_alloc(&pool, 2, 1), p[2]);
	CHECK_EQ(page_pool_alloc(&pool, 0, 1), 0);
	CHECK_EQ(page_pool_alloc(&pool, 1, 3), 0);   /* alignment must be a power of two */
}

/* What the pool believes: free pages whose clean bit is set, counted from the bitmaps. */
static u64 clean_free_pages(void)
{
	u64 n = 0;
	for (u64 i = 0; i < pool.nr_pages; i++)
		if (!(pool.bitmap[i / 64] >> (i % 64) & 1) && (pool.clean[i / 64] >> (i % 64) & 1))
			n++;
	return n;
}

/* What mm.c does with an allocation: zero the pages the pool does not know clean. */
static void zero_dirty(u64 addr, u64 nr)
{
	u64 at = 0, len;
	while ((len = page_pool_dirty_run(&pool, addr, nr, &at)) != 0) {
		memset((void *)(uintptr_t)(addr + at * PAGE_SIZE), 0, len * PAGE_SIZE);
		at += len;
	}
}

static bool all_zero(u64 addr, u64 nr)
{
	const u64 *w = (const u64 *)(uintptr_t)addr;
	for (u64 i = 0; i < nr * PAGE_SIZE / 8; i++)
		if (w[i])
			return false;
	return true;
}

TEST(nothing_is_clean_at_boot)
{
	fresh();
	CHECK_EQ(pool.nr_clean, 0);
	CHECK_EQ(clean_free_pages(), 0);
	u64 a = page_pool_alloc(&pool, 16, 1), at = 0;
	CHECK_EQ(page_pool_dirty_run(&pool, a, 16, &at), 16);
	CHECK_EQ(at, 0);
}

TEST(freed_pages_are_dirty_scrubbed_ones_clean)
{
	fresh();
	u64 a = page_pool_alloc(&pool, 8, 1), at = 0;
	CHECK_EQ(page_pool_free_clean(&pool, a, 8), 0);
	CHECK_EQ(pool.nr_clean, 8);
	/* The same pages back, all clean: nothing to zero. */
	CHECK_EQ(page_pool_alloc(&pool, 8, 1), a);
	CHECK_EQ(pool.nr_clean, 0);
	CHECK_EQ(page_pool_dirty_run(&pool, a, 8, &at), 0);
	/* Used and freed plainly: dirty again, also the bits it kept while handed out. */
	CHECK_EQ(page_pool_free(&pool, a, 8), 0);
	CHECK_EQ(pool.nr_clean, 0);
	CHECK_EQ(page_pool_alloc(&pool, 8, 1), a);
	at = 0;
	CHECK_EQ(page_pool_dirty_run(&pool, a, 8, &at), 8);
}

TEST(dirty_runs_of_a_mixed_allocation)
{
	fresh();
	u64 a = page_pool_alloc(&pool, 8, 1);
	/* Pages 2-3 and 6 come back zeroed, the rest used. */
	CHECK_EQ(page_pool_free(&pool, a, 2), 0);
	CHECK_EQ(page_pool_free_clean(&pool, a + 2 * PAGE_SIZE, 2), 0);
	CHECK_EQ(page_pool_free(&pool, a + 4 * PAGE_SIZE, 2), 0);
	CHECK_EQ(page_pool_free_clean(&pool, a + 6 * PAGE_SIZE, 1), 0);
	CHECK_EQ(page_pool_free(&pool, a + 7 * PAGE_SIZE, 1), 0);
	CHECK_EQ(pool.nr_clean, 3);
	CHECK_EQ(page_pool_alloc(&pool, 8, 1), a);   /* no 8 clean in a row: first fit */
	CHECK_EQ(pool.nr_clean, 0);
	u64 at = 0;
	CHECK_EQ(page_pool_dirty_run(&pool, a, 8, &at), 2);
	CHECK_EQ(at, 0);
	at += 2;
	CHECK_EQ(page_pool_dirty_run(&pool, a, 8, &at), 2);
	CHECK_EQ(at, 4);
	at += 2;
	CHECK_EQ(page_pool_dirty_run(&pool, a, 8, &at), 1);
	CHECK_EQ(at, 7);
	at += 1;
	CHECK_EQ(page_pool_dirty_run(&pool, a, 8, &at), 0);
	/* Ranges that are not the pool's answer nothing. */
	at = 0;
	CHECK_EQ(page_pool_dirty_run(&pool, pool.base - PAGE_SIZE, 1, &at), 0);
	CHECK_EQ(page_pool_dirty_run(&pool, a, ~0UL, &at), 0);
	CHECK_EQ(page_pool_dirty_run(&pool, pool.base + pool.nr_pages * PAGE_SIZE, 1, &at), 0);
}

TEST(clean_pages_are_preferred)
{
	fresh();
	u64 a = page_pool_alloc(&pool, 4, 1);
	u64 b = page_pool_alloc(&pool, 4, 1);
	CHECK_EQ(page_pool_free(&pool, a, 4), 0);         /* dirty, and first in line */
	CHECK_EQ(page_pool_free_clean(&pool, b, 4), 0);
	CHECK_EQ(page_pool_alloc(&pool, 4, 1), b);
	u64 at = 0;
	CHECK_EQ(page_pool_dirty_run(&pool, b, 4, &at), 0);
	/* None clean left: any free pages, all to be zeroed. */
	u64 c = page_pool_alloc(&pool, 4, 1);
	at = 0;
	CHECK_EQ(page_pool_dirty_run(&pool, c, 4, &at), 4);
}

TEST(scrub_takes_only_free_dirty_pages)
{
	fresh();
	u64 free0 = pool.nr_free, nr = 0;
	u64 a = page_pool_alloc(&pool, free0, 1);
	CHECK_EQ(page_pool_take_dirty(&pool, 64, 0, &nr), 0);   /* nothing free */
	CHECK_EQ(nr, 0);
	CHECK_EQ(page_pool_free(&pool, a + 100 * PAGE_SIZE, 10), 0);
	CHECK_EQ(page_pool_free_clean(&pool, a + 200 * PAGE_SIZE, 10), 0);
	/* Capped by max_nr, then the rest; never the clean pages. */
	u64 s = page_pool_take_dirty(&pool, 4, 0, &nr);
	CHECK_EQ(s, a + 100 * PAGE_SIZE);
	CHECK_EQ(nr, 4);
	u64 t = page_pool_take_dirty(&pool, 64, 0, &nr);
	CHECK_EQ(t, a + 104 * PAGE_SIZE);
	CHECK_EQ(nr, 6);
	CHECK_EQ(page_pool_take_dirty(&pool, 64, 0, &nr), 0);
	CHECK_EQ(pool.nr_free, 10);
	/* Taken pages are allocated: a second take or a plain free of a free page fails. */
	CHECK_EQ(page_pool_free_clean(&pool, s, 4), 0);
	CHECK_EQ(page_pool_free_clean(&pool, s, 4), -RIVET_EINVAL);
	CHECK_EQ(page_pool_free_clean(&pool, t, 6), 0);
	CHECK_EQ(pool.nr_clean, 20);
	CHECK_EQ(clean_free_pages(), 20);
}

TEST(scrub_leaves_what_it_is_told_to)
{
	fresh();
	u64 free0 = pool.nr_free, nr = 0;
	/* Two pages must stay free (a reservation): of 10 dirty free pages it takes 8. */
	u64 a = page_pool_alloc(&pool, free0 - 10, 1);
	CHECK(a != 0);
	CHECK(page_pool_take_dirty(&pool, 64, 2, &nr) != 0);
	CHECK_EQ(nr, 8);
	CHECK_EQ(pool.nr_free, 2);
	CHECK_EQ(page_pool_take_dirty(&pool, 64, 2, &nr), 0);
	CHECK_EQ(page_pool_take_dirty(&pool, 64, 5, &nr), 0);   /* fewer free than that already */
}

TEST(scrub_prefers_large_runs)
{
	fresh();
	u64 free0 = pool.nr_free, nr = 0;
	u64 a = page_pool_alloc(&pool, free0, 1);
	CHECK_EQ(page_pool_free(&pool, a + 10 * PAGE_SIZE, 3), 0);     /* small, first */
	CHECK_EQ(page_pool_free(&pool, a + 300 * PAGE_SIZE, 64), 0);   /* large, later */
	CHECK_EQ(page_pool_take_dirty(&pool, 64, 0, &nr), a + 300 * PAGE_SIZE);
	CHECK_EQ(nr, 64);
	CHECK_EQ(page_pool_take_dirty(&pool, 64, 0, &nr), a + 10 * PAGE_SIZE);
	CHECK_EQ(nr, 3);
}

TEST(bad_clean_frees_change_nothing)
{
	fresh();
	u64 a = page_pool_alloc(&pool, 4, 1);
	u64 before = pool.nr_free;
	CHECK_EQ(page_pool_free_clean(&pool, a, 5), -RIVET_EINVAL);       /* fifth page is free */
	CHECK_EQ(page_pool_free_clean(&pool, a, ~0UL), -RIVET_EINVAL);    /* wraps */
	CHECK_EQ(page_pool_free_clean(&pool, a + 8, 1), -RIVET_EINVAL);   /* unaligned */
	CHECK_EQ(page_pool_free_clean(&pool, pool.base, 1), -RIVET_EINVAL);   /* the bitmaps */
	CHECK_EQ(page_pool_free_clean(&pool, ~0UL & ~(PAGE_SIZE - 1), 2), -RIVET_EINVAL);
	CHECK_EQ(pool.nr_free, before);
	CHECK_EQ(pool.nr_clean, 0);
	CHECK_EQ(clean_free_pages(), 0);
}

/*
 * Random allocations, frees and scrubs over real memory: every allocation,
 * once its dirty runs are zeroed as mm.c does, must read all zeros, and the
 * pool's count of clean pages must match its bits.
 */
TEST(no_allocation_ever_sees_old_data)
{
	fresh();
	memset((char *)mem + PAGE_SIZE, 0x5a, POOL_BYTES - PAGE_SIZE);   /* what a boot leaves */
	struct { u64 addr, nr; } held[64] = { 0 };
	unsigned seed = 12;
	for (int step = 0; step < 20000; step++) {
		seed = seed * 1103515245 + 12345;
		unsigned r = seed >> 8, k = r % 64;
		if (!held[k].addr && r % 3) {
			u64 nr = 1 + (r >> 6) % 40, align = 1UL << ((r >> 12) % 4);
			u64 a = page_pool_alloc(&pool, nr, align);
			if (a) {
				zero_dirty(a, nr);
				CHECK(all_zero(a, nr));
				memset((void *)(uintptr_t)a, 0xc3, nr * PAGE_SIZE);   /* the user dirties it */
				held[k].addr = a;
				held[k].nr = nr;
			}
		} else if (held[k].addr) {
			/* Freed as used, or zeroed by its user and given back clean. */
			if (r & 0x400) {
				memset((void *)(uintptr_t)held[k].addr, 0, held[k].nr * PAGE_SIZE);
				CHECK_EQ(page_pool_free_clean(&pool, held[k].addr, held[k].nr), 0);
			} else {
				CHECK_EQ(page_pool_free(&pool, held[k].addr, held[k].nr), 0);
			}
			held[k].addr = 0;
		} else {
			u64 nr, s = page_pool_take_dirty(&pool, 1 + r % 100, r % 7, &nr);
			if (s) {
				memset((void *)(uintptr_t)s, 0, nr * PAGE_SIZE);
				CHECK_EQ(page_pool_free_clean(&pool, s, nr), 0);
			}
		}
		if (step % 1000 == 0)
			CHECK_EQ(pool.nr_clean, clean_free_pages());
	}
	CHECK_EQ(pool.nr_clean, clean_free_pages());
}

int main(void)
{
	check_suite = "page_alloc";
	RUN(bitmap_is_carved_from_the_pool);
	RUN(alignment_is_honoured);
	RUN(exhaustion_and_reuse);
	RUN(bad_frees_change_nothing);
	RUN(bitmap_pages_cannot_be_freed);
	RUN(fragmentation_first_fit);
	RUN(nothing_is_clean_at_boot);
	RUN(freed_pages_are_dirty_scrubbed_ones_clean);
	RUN(dirty_runs_of_a_mixed_allocation);
	RUN(clean_pages_are_preferred);
	RUN(scrub_takes_only_free_dirty_pages);
	RUN(scrub_leaves_what_it_is_told_to);
	RUN(scrub_prefers_large_runs);
	RUN(bad_clean_frees_change_nothing);
	RUN(no_allocation_ever_sees_old_data);
	free(mem);
	return CHECK_DONE();
}
