// SPDX-License-Identifier: MIT
/*
 * mm.c: the global page pool, locked, over the RAM the microvisor does not
 * occupy itself. Every page it hands out reads as zeros: the pool knows
 * which free pages are clean (page_alloc.h), an allocation zeroes only the
 * others, and idle harts zero free pages ahead of need (mm_scrub).
 *
 * Lock order: a caller may hold d->mem_lock (domain_mem.c) or a hart's lock
 * when it takes pool_lock; pool_lock is innermost and nothing is taken, and
 * no page is zeroed, while it is held.
 */
#include "mm.h"
#include "page_alloc.h"
#include "page_zero.h"
#include "spinlock.h"
#include "errcode.h"

static struct page_pool pool;
static spinlock_t pool_lock = SPINLOCK_INIT;

/*
 * Pages promised to callers of mm_reserve() (pool_lock): plain allocations
 * leave them alone, so a reserving caller's allocations cannot fail for want
 * of pages (a large block may still be unavailable; single pages never are).
 */
static u64 reserved;
/*
 * Pages a scrubbing hart holds out of the pool while it zeroes them
 * (pool_lock). They count as free for reservations and for what others can
 * allocate; an allocation that fails while some are out waits for them
 * (scrub_waiters stops new scrubs meanwhile), so scrubbing never makes an
 * allocation fail. A scrub leaves `reserved` pages in the pool; as
 * mm_reserve counts pages out for scrubbing, pool.nr_free may still be below
 * `reserved` until they return, which plain allocations check for and a
 * reserving caller waits out.
 */
static u64 scrubbing, scrub_waiters;
/*
 * Pages freed by their users and not yet matched by idle scrubbing
 * (pool_lock). Idle harts zero only that much: memory never handed out since
 * boot is zeroed when first allocated instead (with cbo.zero about one
 * instruction per 64 bytes). Zeroing all free RAM in idle time would cost
 * every hart's time at boot, and under QEMU -icount every hart's
 * instructions advance the one virtual clock that running domains see
 * (measured: +7% on the Linux boot figure).
 */
static u64 scrub_credit;   /* written under pool_lock; mm_scrub peeks at it without */

int mm_init(u64 base, u64 end)
{
	__atomic_store_n(&scrub_credit, 0, __ATOMIC_RELAXED);   /* a new pool: nothing freed into it yet */
	return page_pool_init(&pool, base, end);
}

/* With pool_lock held: free pages nobody was promised, those being scrubbed included. */
static u64 available(void) { return pool.nr_free + scrubbing - reserved; }

/* The pages of [addr, addr + nr pages) the pool did not know clean, zeroed. Only the holder calls it. */
static void zero_dirty(u64 addr, u64 nr)
{
	u64 at = 0, len;
	while ((len = page_pool_dirty_run(&pool, addr, nr, &at)) != 0) {
		page_zero((void *)(uintptr_t)(addr + at * PAGE_SIZE), len * PAGE_SIZE);
		at += len;
	}
}

static void *alloc(u64 bytes, u64 align_bytes, u64 *budget)
{
	u64 nr = ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE;
	u64 align = align_bytes > PAGE_SIZE ? align_bytes / PAGE_SIZE : 1;
	u64 addr = 0;
	bool waited = false;
	spin_lock(&pool_lock);
	for (;;) {
		if (budget ? nr <= *budget : pool.nr_free >= reserved && nr <= pool.nr_free - reserved)
			addr = page_pool_alloc(&pool, nr, align);
		if (addr || !scrubbing)
			break;
		/* Scrubbed pages may be what it lacks: let them come back, once. */
		if (!waited)
			scrub_waiters++;
		waited = true;
		while (scrubbing) {
			spin_unlock(&pool_lock);
			cpu_relax();
			spin_lock(&pool_lock);
		}
	}
	if (waited)
		scrub_waiters--;
	if (addr && budget) {
		*budget -= nr;
		reserved -= nr;
	}
	spin_unlock(&pool_lock);
	if (!addr)
		return NULL;
	/* Never hand out another domain's leftovers: the pages are ours, no lock needed. */
	zero_dirty(addr, nr);
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
	if (pages <= available()) {
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
	u64 nr = ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE;
	if (page_pool_free(&pool, (u64)(uintptr_t)p, nr) == 0)
		__atomic_store_n(&scrub_credit, scrub_credit + nr, __ATOMIC_RELAXED);
	spin_unlock(&pool_lock);
}

bool mm_scrub(u64 max_bytes)
{
	u64 nr = 0, addr = 0;
	/* A peek without the lock, so that an idle hart with nothing to do costs nothing. */
	if (!__atomic_load_n(&scrub_credit, __ATOMIC_RELAXED))
		return false;
	spin_lock(&pool_lock);
	/*
	 * Never reserved pages: a reserving caller's single pages must be in
	 * the pool. If reserved pages exceed what a scrub may take, take_dirty
	 * finds nothing.
	 */
	u64 max = max_bytes / PAGE_SIZE < scrub_credit ? max_bytes / PAGE_SIZE : scrub_credit;
	if (!scrub_waiters && max) {
		addr = page_pool_take_dirty(&pool, max, reserved, &nr);
		scrubbing += nr;
		/* Nothing dirty left (what was freed got allocated again): no credit either. */
		__atomic_store_n(&scrub_credit, addr ? scrub_credit - nr : 0, __ATOMIC_RELAXED);
	}
	spin_unlock(&pool_lock);
	if (!addr)
		return false;
	/* Out of the pool: nobody else can have these pages while they are zeroed. */
	page_zero((void *)(uintptr_t)addr, nr * PAGE_SIZE);
	spin_lock(&pool_lock);
	page_pool_free_clean(&pool, addr, nr);
	scrubbing -= nr;
	spin_unlock(&pool_lock);
	return true;
}

/* What others can still allocate: pages promised to a populate in progress are not free. */
u64 mm_free_bytes(void)
{
	spin_lock(&pool_lock);   /* the two change together under it */
	u64 pages = available();
	spin_unlock(&pool_lock);
	return pages * PAGE_SIZE;
}

u64 mm_clean_bytes(void)
{
	spin_lock(&pool_lock);
	u64 pages = pool.nr_clean;
	spin_unlock(&pool_lock);
	return pages * PAGE_SIZE;
}

u64 mm_total_bytes(void) { return pool.nr_pages * PAGE_SIZE; }
