// SPDX-License-Identifier: MIT
/* mm.c: the global page pool, locked, over the RAM the microvisor does not occupy itself. */
#include "mm.h"
#include "page_alloc.h"
#include "spinlock.h"
#include "errcode.h"
#include <string.h>

static struct page_pool pool;
static spinlock_t pool_lock = SPINLOCK_INIT;

int mm_init(u64 base, u64 end)
{
	return page_pool_init(&pool, base, end);
}

/*
 * Pages promised to callers of mm_reserve() (pool_lock): plain allocations
 * leave them alone, so a reserving caller's allocations cannot fail for want
 * of pages (a large block may still be unavailable; single pages never are).
 */
static u64 reserved;

static void *alloc(u64 bytes, u64 align_bytes, u64 *budget)
{
	u64 nr = ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE;
	u64 align = align_bytes > PAGE_SIZE ? align_bytes / PAGE_SIZE : 1;
	u64 addr = 0;
	spin_lock(&pool_lock);
	if (budget ? nr <= *budget : nr <= pool.nr_free - reserved)
		addr = page_pool_alloc(&pool, nr, align);
	if (addr && budget) {
		*budget -= nr;
		reserved -= nr;
	}
	spin_unlock(&pool_lock);
	if (!addr)
		return NULL;
	/* Never hand out another domain's leftovers. */
	memset((void *)(uintptr_t)addr, 0, nr * PAGE_SIZE);
	return (void *)(uintptr_t)addr;
}

void *mm_alloc(u64 bytes, u64 align_bytes)
{
	return alloc(bytes, align_bytes, NULL);
}

int mm_reserve(u64 pages, u64 *budget)
{
	int err = -RIVET_ENOMEM;
	spin_lock(&pool_lock);
	if (pages <= pool.nr_free - reserved) {
		reserved += pages;
		*budget = pages;
		err = 0;
	}
	spin_unlock(&pool_lock);
	return err;
}

void *mm_alloc_reserved(u64 bytes, u64 align_bytes, u64 *budget)
{
	return alloc(bytes, align_bytes, budget);
}

void mm_unreserve(u64 *budget)
{
	spin_lock(&pool_lock);
	reserved -= *budget;
	*budget = 0;
	spin_unlock(&pool_lock);
}

void mm_free(void *p, u64 bytes)
{
	if (!p)
		return;
	spin_lock(&pool_lock);
	page_pool_free(&pool, (u64)(uintptr_t)p, ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE);
	spin_unlock(&pool_lock);
}

/* What others can still allocate: pages promised to a populate in progress are not free. */
u64 mm_free_bytes(void)
{
	spin_lock(&pool_lock);   /* the two change together under it */
	u64 pages = pool.nr_free - reserved;
	spin_unlock(&pool_lock);
	return pages * PAGE_SIZE;
}
u64 mm_total_bytes(void) { return pool.nr_pages * PAGE_SIZE; }
