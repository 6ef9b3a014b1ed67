// SPDX-License-Identifier: MIT
/* page_alloc.c: first-fit bitmap allocator of 4 KiB pages for tables, vCPU state and guest RAM. */
#include "page_alloc.h"
#include "errcode.h"
#include <string.h>

static bool page_used(const struct page_pool *p, u64 i)
{
	return p->bitmap[i / 64] & (1UL << (i % 64));
}

static void mark(struct page_pool *p, u64 first, u64 nr, bool used)
{
	for (u64 i = first; i < first + nr; i++) {
		if (used)
			p->bitmap[i / 64] |= 1UL << (i % 64);
		else
			p->bitmap[i / 64] &= ~(1UL << (i % 64));
	}
}

/* The bitmap fills the pool's first pages; they stay marked used for good. */
static u64 nr_bitmap_pages(u64 total)
{
	return ALIGN_UP((total + 7) / 8, PAGE_SIZE) / PAGE_SIZE;
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
	p->bitmap = (u64 *)(uintptr_t)base;
	memset(p->bitmap, 0, bitmap_pages * PAGE_SIZE);
	p->base = base;
	p->nr_pages = total;
	mark(p, 0, bitmap_pages, true);
	p->nr_free = total - bitmap_pages;
	p->hint = bitmap_pages;
	return 0;
}

static u64 search(struct page_pool *p, u64 from, u64 to, u64 nr, u64 align_pages)
{
	u64 i = from;
	while (i + nr <= to) {
		u64 addr = p->base + i * PAGE_SIZE;
		u64 aligned = ALIGN_UP(addr, align_pages * PAGE_SIZE);
		if (aligned != addr) {
			i += (aligned - addr) / PAGE_SIZE;
			continue;
		}
		u64 j = 0;
		while (j < nr && !page_used(p, i + j))
			j++;
		if (j == nr)
			return i + 1;   /* +1 so that 0 means "not found" */
		i += j + 1;
	}
	return 0;
}

u64 page_pool_alloc(struct page_pool *p, u64 nr, u64 align_pages)
{
	if (!nr || nr > p->nr_free || !align_pages || (align_pages & (align_pages - 1)))
		return 0;
	u64 found = search(p, p->hint, p->nr_pages, nr, align_pages);
	if (!found)
		found = search(p, 0, p->nr_pages, nr, align_pages);
	if (!found)
		return 0;
	u64 first = found - 1;
	mark(p, first, nr, true);
	p->nr_free -= nr;
	p->hint = first + nr;
	return p->base + first * PAGE_SIZE;
}

int page_pool_free(struct page_pool *p, u64 addr, u64 nr)
{
	if (addr < p->base || (addr & (PAGE_SIZE - 1)) || !nr)
		return -RIVET_EINVAL;
	u64 first = (addr - p->base) / PAGE_SIZE;
	/* The bitmap's pages were never handed out: freeing them would corrupt it. */
	if (first < nr_bitmap_pages(p->nr_pages) || first >= p->nr_pages || nr > p->nr_pages - first)
		return -RIVET_EINVAL;
	for (u64 i = first; i < first + nr; i++)
		if (!page_used(p, i))
			return -RIVET_EINVAL;
	mark(p, first, nr, false);
	p->nr_free += nr;
	if (first < p->hint)
		p->hint = first;
	return 0;
}
