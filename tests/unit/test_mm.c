// SPDX-License-Identifier: MIT
/* test_mm.c: host tests of the locked page pool and its reservations (microvisor/mm.c). */
#include "check.h"
#include "mm.h"
#include "errcode.h"
#include <stdlib.h>
#include <string.h>

#define POOL_BYTES (4UL << 20)   /* 1024 pages, one of them the bitmap */

TEST(reserved_pages_are_kept_from_plain_allocations)
{
	void *mem = aligned_alloc(SZ_2M, POOL_BYTES);
	CHECK_EQ(mm_init((u64)(uintptr_t)mem, (u64)(uintptr_t)mem + POOL_BYTES), 0);
	u64 free_pages = mm_free_bytes() / PAGE_SIZE, budget = 0;
	CHECK_EQ(free_pages, 1023);
	/* More than is free: refused, nothing set aside. */
	CHECK_EQ(mm_reserve(free_pages + 1, &budget), -RIVET_ENOMEM);
	CHECK_EQ(budget, 0);
	CHECK_EQ(mm_reserve(1000, &budget), 0);
	CHECK_EQ(budget, 1000);
	/* Plain allocations see only the 23 pages nobody was promised. */
	CHECK(mm_alloc(24 * PAGE_SIZE, PAGE_SIZE) == NULL);
	void *plain = mm_alloc(23 * PAGE_SIZE, PAGE_SIZE);
	CHECK(plain != NULL);
	CHECK(mm_alloc(PAGE_SIZE, PAGE_SIZE) == NULL);
	CHECK_EQ(mm_reserve(1, &(u64){ 0 }), -RIVET_ENOMEM);
	/* The budget holder gets its pages, page by page, to the last one, and no more. */
	void *big = mm_alloc_reserved(500 * PAGE_SIZE, PAGE_SIZE, &budget);
	CHECK(big != NULL);
	CHECK_EQ(budget, 500);
	int got = 0;
	while (mm_alloc_reserved(PAGE_SIZE, PAGE_SIZE, &budget))
		got++;
	CHECK_EQ(got, 500);
	CHECK_EQ(budget, 0);
	CHECK_EQ(mm_free_bytes(), 0);
	/* What is left of a budget goes back with mm_unreserve. */
	mm_free(big, 500 * PAGE_SIZE);
	CHECK_EQ(mm_reserve(100, &budget), 0);
	CHECK(mm_alloc_reserved(10 * PAGE_SIZE, PAGE_SIZE, &budget) != NULL);
	mm_unreserve(&budget);
	CHECK_EQ(budget, 0);
	CHECK(mm_alloc(490 * PAGE_SIZE, PAGE_SIZE) != NULL);
	free(mem);
}

static bool all_zero(const void *p, u64 bytes)
{
	const u64 *w = p;
	for (u64 i = 0; i < bytes / 8; i++)
		if (w[i])
			return false;
	return true;
}

TEST(allocations_read_zero_and_scrubbing_follows_frees)
{
	void *mem = aligned_alloc(SZ_2M, POOL_BYTES);
	memset(mem, 0x77, POOL_BYTES);   /* RAM as a boot finds it */
	CHECK_EQ(mm_init((u64)(uintptr_t)mem, (u64)(uintptr_t)mem + POOL_BYTES), 0);
	CHECK_EQ(mm_clean_bytes(), 0);
	CHECK(!mm_scrub(SZ_2M));   /* boot memory is zeroed when allocated, not when idle */
	u8 *a = mm_alloc(64 * PAGE_SIZE, PAGE_SIZE);
	CHECK(a && all_zero(a, 64 * PAGE_SIZE));
	memset(a, 0xee, 64 * PAGE_SIZE);
	u64 free_before = mm_free_bytes();
	mm_free(a, 64 * PAGE_SIZE);
	CHECK_EQ(mm_free_bytes(), free_before + 64 * PAGE_SIZE);
	/* Idle work: what was freed, a chunk at a time, then nothing. */
	CHECK(mm_scrub(16 * PAGE_SIZE));
	CHECK_EQ(mm_clean_bytes(), 16 * PAGE_SIZE);
	CHECK_EQ(mm_free_bytes(), free_before + 64 * PAGE_SIZE);   /* a scrub is not a leak */
	while (mm_scrub(16 * PAGE_SIZE))
		;
	CHECK_EQ(mm_clean_bytes(), 64 * PAGE_SIZE);
	CHECK(all_zero(a, 64 * PAGE_SIZE));
	CHECK(!mm_scrub(16 * PAGE_SIZE));
	/* Handed out clean; a user's data never survives into the next allocation. */
	u8 *b = mm_alloc(64 * PAGE_SIZE, PAGE_SIZE);
	CHECK(b == a && all_zero(b, 64 * PAGE_SIZE));
	CHECK_EQ(mm_clean_bytes(), 0);
	memset(b, 0xdd, 64 * PAGE_SIZE);
	mm_free(b, 64 * PAGE_SIZE);
	u8 *c = mm_alloc(64 * PAGE_SIZE, PAGE_SIZE);
	CHECK(c && all_zero(c, 64 * PAGE_SIZE));
	free(mem);
}

TEST(scrubbing_never_takes_reserved_pages)
{
	void *mem = aligned_alloc(SZ_2M, POOL_BYTES);
	CHECK_EQ(mm_init((u64)(uintptr_t)mem, (u64)(uintptr_t)mem + POOL_BYTES), 0);
	u64 all = mm_free_bytes() / PAGE_SIZE, budget = 0;
	void *a = mm_alloc(all * PAGE_SIZE, PAGE_SIZE);
	CHECK(a != NULL);
	mm_free(a, all * PAGE_SIZE);
	CHECK_EQ(mm_reserve(all, &budget), 0);
	CHECK(!mm_scrub(SZ_2M));   /* every free page is promised */
	int got = 0;
	while (mm_alloc_reserved(PAGE_SIZE, PAGE_SIZE, &budget))
		got++;
	CHECK_EQ(got, all);
	free(mem);
}

int main(void)
{
	check_suite = "mm";
	RUN(reserved_pages_are_kept_from_plain_allocations);
	RUN(allocations_read_zero_and_scrubbing_follows_frees);
	RUN(scrubbing_never_takes_reserved_pages);
	return CHECK_DONE();
}
