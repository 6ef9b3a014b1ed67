// SPDX-License-Identifier: MIT
/* test_mm.c: host tests of the locked page pool and its reservations (microvisor/mm.c). */
#include "check.h"
#include "mm.h"
#include "errcode.h"
#include <stdlib.h>

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

int main(void)
{
	check_suite = "mm";
	RUN(reserved_pages_are_kept_from_plain_allocations);
	return CHECK_DONE();
}
