// SPDX-License-Identifier: MIT
/* test_page_alloc.c: host tests of the microvisor's page allocator (microvisor/page_alloc.c). */
#include "check.h"
#include "page_alloc.h"
#include "errcode.h"
#include <stdlib.h>

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

int main(void)
{
	check_suite = "page_alloc";
	RUN(bitmap_is_carved_from_the_pool);
	RUN(alignment_is_honoured);
	RUN(exhaustion_and_reuse);
	RUN(bad_frees_change_nothing);
	RUN(bitmap_pages_cannot_be_freed);
	RUN(fragmentation_first_fit);
	free(mem);
	return CHECK_DONE();
}
