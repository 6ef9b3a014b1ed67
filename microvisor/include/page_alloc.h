/* SPDX-License-Identifier: MIT */
/* page_alloc.h: a first-fit bitmap allocator of 4 KiB pages; pure C, also built for host tests. */
#ifndef RIVET_PAGE_ALLOC_H
#define RIVET_PAGE_ALLOC_H
#include "types.h"

struct page_pool {
	u64 base;            /* address of page 0 */
	u64 nr_pages;
	u64 nr_free;
	u64 *bitmap;         /* bit set = page in use */
	u64 hint;            /* where the next search starts */
};

/* Manages [base, end); the bitmap is carved from the start of the range. */
int page_pool_init(struct page_pool *p, u64 base, u64 end);
/* nr contiguous pages whose address is a multiple of align_pages pages; 0 on failure. */
u64 page_pool_alloc(struct page_pool *p, u64 nr, u64 align_pages);
/* Returns -RIVET_EINVAL (and frees nothing) if the range is not wholly allocated. */
int page_pool_free(struct page_pool *p, u64 addr, u64 nr);
#endif
