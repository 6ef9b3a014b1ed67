/* SPDX-License-Identifier: MIT */
/*
 * page_alloc.h: a first-fit bitmap allocator of 4 KiB pages that also knows
 * which free pages hold only zeros; pure C, also built for host tests.
 *
 * Every function here must be called under the lock that guards the pool
 * (mm.c: pool_lock), except page_pool_dirty_run, which reads only the clean
 * bits of pages its caller holds.
 */
#ifndef RIVET_PAGE_ALLOC_H
#define RIVET_PAGE_ALLOC_H
#include "types.h"

struct page_pool {
	u64 base;            /* address of page 0 */
	u64 nr_pages;
	u64 nr_free;
	u64 nr_clean;        /* free pages whose clean bit is set */
	u64 *bitmap;         /* bit set = page in use */
	/*
	 * Bit set = the page holds only zeros. Trusted for free pages only: it
	 * is set when a page comes back zeroed (page_pool_free_clean) and
	 * cleared when a page comes back used (page_pool_free). A page handed
	 * out keeps its bit until it is freed, so that its new owner can learn
	 * what it must zero (page_pool_dirty_run); nobody else reads it then.
	 * Words are read and written with relaxed atomics: an owner reads its
	 * bits without the lock while others change other bits of the word.
	 */
	u64 *clean;
	u64 hint;            /* where the next search starts */
	u64 scrub_hint;      /* where the next search for a dirty free run starts */
};

/* Manages [base, end); the bitmaps are carved from the start of the range. No page is known clean. */
int page_pool_init(struct page_pool *p, u64 base, u64 end);
/*
 * nr contiguous pages whose address is a multiple of align_pages pages; 0 on
 * failure. Prefers pages known clean; the caller must zero the others
 * (page_pool_dirty_run) before anyone else may read them.
 */
u64 page_pool_alloc(struct page_pool *p, u64 nr, u64 align_pages);
/*
 * For a range [addr, addr + nr pages) the caller was handed and has not
 * freed: the first run of pages not known clean at or after page *at of it.
 * Returns its length in pages and moves *at to its start; 0 when none is left.
 */
u64 page_pool_dirty_run(const struct page_pool *p, u64 addr, u64 nr, u64 *at);
/* Returns -RIVET_EINVAL (and frees nothing) if the range is not wholly allocated. Its pages become dirty. */
int page_pool_free(struct page_pool *p, u64 addr, u64 nr);
/* The same for pages the caller has zeroed: they come back known clean. */
int page_pool_free_clean(struct page_pool *p, u64 addr, u64 nr);
/*
 * Takes out of the pool (as an allocation) a run of free pages not known
 * clean, at most max_nr of them and never more than leave_free would allow
 * (that many free pages stay in the pool), to be zeroed and given back with
 * page_pool_free_clean. Returns its address and sets *nr; 0 if there is none.
 */
u64 page_pool_take_dirty(struct page_pool *p, u64 max_nr, u64 leave_free, u64 *nr);
#endif
