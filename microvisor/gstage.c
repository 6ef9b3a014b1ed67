// SPDX-License-Identifier: MIT
/* gstage.c: Sv39x4 G-stage page tables: map with 1 GiB / 2 MiB / 4 KiB leaves, translate, free. */
#include "gstage.h"
#include <string.h>

#define LEVEL_SHIFT(l) (PAGE_SHIFT + 9 * (l))   /* l = 0 (4 KiB) .. 2 (1 GiB) */
#define LEVEL_SIZE(l)  (1UL << LEVEL_SHIFT(l))

static unsigned index_at(u64 gpa, int level)
{
	/* The root level indexes 11 bits (x4), the others 9. */
	u64 mask = level == GSTAGE_LEVELS - 1 ? 0x7FF : 0x1FF;
	return (gpa >> LEVEL_SHIFT(level)) & mask;
}

static u64 *pte_table(u64 pte)
{
	return (u64 *)(uintptr_t)((pte >> PTE_PPN_SHIFT) << PAGE_SHIFT);
}

static u64 make_pte(u64 pa, u64 flags)
{
	return ((pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | flags | PTE_V;
}

int gstage_init(struct gstage *gs, void *root)
{
	if (!root || ((uintptr_t)root & (GSTAGE_ROOT_ALIGN - 1)))
		return -RIVET_EINVAL;
	memset(root, 0, GSTAGE_ROOT_PAGES * PAGE_SIZE);
	gs->root = root;
	gs->nr_table_pages = GSTAGE_ROOT_PAGES;
	return 0;
}

/* True when the entry for gpa at this level is a pointer to a next-level table. */
static bool table_at(const struct gstage *gs, u64 gpa, int level)
{
	const u64 *table = gs->root;
	for (int l = GSTAGE_LEVELS - 1; ; l--) {
		u64 pte = table[index_at(gpa, l)];
		if (!(pte & PTE_V) || (pte & PTE_RWX))
			return false;
		if (l == level)
			return true;
		table = pte_table(pte);
	}
}

static int map_one(struct gstage *gs, u64 gpa, u64 hpa, int leaf_level, u64 prot)
{
	u64 *table = gs->root;
	for (int level = GSTAGE_LEVELS - 1; ; level--) {
		u64 *pte = &table[index_at(gpa, level)];
		if (level == leaf_level) {
			if (*pte & PTE_V)
				return -RIVET_EEXIST;
			/*
			 * G-stage leaves must be U; A/D preset so no hardware update is
			 * needed. The fence: a walker on another hart that sees the leaf
			 * also sees the zeroed page behind it.
			 */
			__atomic_thread_fence(__ATOMIC_RELEASE);
			*pte = make_pte(hpa, prot | PTE_U | PTE_A | PTE_D);
			return 0;
		}
		if (!(*pte & PTE_V)) {
			u64 *next = gs->alloc_page(gs->ctx);
			if (!next)
				return -RIVET_ENOMEM;
			memset(next, 0, PAGE_SIZE);
			gs->nr_table_pages++;
			__atomic_thread_fence(__ATOMIC_RELEASE);   /* zeroes before the pointer, as above */
			*pte = make_pte((u64)(uintptr_t)next, 0);
		} else if (*pte & PTE_RWX) {
			return -RIVET_EEXIST;   /* a larger leaf already covers it */
		}
		table = pte_table(*pte);
	}
}

int gstage_map(struct gstage *gs, u64 gpa, u64 hpa, u64 size, u64 prot)
{
	if ((gpa | hpa | size) & (PAGE_SIZE - 1) || !size || !(prot & PTE_RWX))
		return -RIVET_EINVAL;
	if (gpa + size < gpa || gpa + size > (1UL << GSTAGE_GPA_BITS))
		return -RIVET_ERANGE;
	/* The PTE holds a 44-bit PPN: anything above would spill into other bits. */
	if (hpa + size < hpa || hpa + size > (1UL << GSTAGE_HPA_BITS))
		return -RIVET_ERANGE;
	u64 start = gpa;
	while (size) {
		int level = GSTAGE_LEVELS - 1;
		while (level > 0 && (((gpa | hpa) & (LEVEL_SIZE(level) - 1)) || size < LEVEL_SIZE(level)))
			level--;
		/*
		 * Where a table already covers the block (one clear_range emptied, or
		 * one holding other leaves), map below it with smaller leaves: tables
		 * are freed only with the whole G-stage, since a hart's walk cache may
		 * still point at them.
		 */
		while (level > 0 && table_at(gs, gpa, level))
			level--;
		int err = map_one(gs, gpa, hpa, level, prot & (PTE_RWX | PTE_OWNED));
		if (err) {
			/*
			 * All or nothing: every leaf in [start, gpa) was made by this call
			 * (an existing one would have failed it), so they all go; the
			 * table pages stay and are counted until gstage_free_tables.
			 */
			gstage_clear_range(gs, start, gpa, NULL, NULL);
			return err;
		}
		gpa += LEVEL_SIZE(level);
		hpa += LEVEL_SIZE(level);
		size -= LEVEL_SIZE(level);
	}
	return 0;
}

/* The leaf PTE covering gpa and its level, or NULL. */
static u64 *find_leaf(const struct gstage *gs, u64 gpa, int *level_out)
{
	u64 *table = gs->root;
	if (gpa >= (1UL << GSTAGE_GPA_BITS))
		return NULL;
	for (int level = GSTAGE_LEVELS - 1; level >= 0; level--) {
		u64 *pte = &table[index_at(gpa, level)];
		/* Read once: gstage_split may turn a leaf into a table meanwhile (ballooning). */
		u64 v = __atomic_load_n(pte, __ATOMIC_ACQUIRE);
		if (!(v & PTE_V))
			return NULL;
		if (v & PTE_RWX) {
			*level_out = level;
			return pte;
		}
		table = pte_table(v);
	}
	return NULL;
}

/*
 * Splits the leaf covering gpa, level by level, until gpa starts a leaf. A
 * split writes a whole new table that translates every address exactly as
 * the leaf did, then swaps the leaf for a pointer to it: a walker on another
 * hart (the domain may be running) finds the same translation either way,
 * so no fence is needed before the caller changes a piece of it.
 */
int gstage_split(struct gstage *gs, u64 gpa)
{
	int level;
	u64 *pte;
	while ((pte = find_leaf(gs, gpa, &level)) && level > 0 && (gpa & (LEVEL_SIZE(level) - 1))) {
		u64 *next = gs->alloc_page(gs->ctx);
		if (!next)
			return -RIVET_ENOMEM;
		u64 old = *pte, base = (old >> PTE_PPN_SHIFT) << PAGE_SHIFT;
		u64 flags = old & ((1UL << PTE_PPN_SHIFT) - 1) & ~PTE_V;
		for (unsigned i = 0; i < GSTAGE_PTES_PER_PAGE; i++)
			next[i] = make_pte(base + (u64)i * LEVEL_SIZE(level - 1), flags);
		gs->nr_table_pages++;
		__atomic_thread_fence(__ATOMIC_RELEASE);   /* the table's entries before the pointer to it */
		*pte = make_pte((u64)(uintptr_t)next, 0);
	}
	return 0;
}

static int walk(const u64 *table, int level, unsigned nr, u64 base,
		int (*fn)(void *, u64, u64, u64, u64), void *ctx)
{
	for (unsigned i = 0; i < nr; i++) {
		u64 pte = table[i], gpa = base + (u64)i * LEVEL_SIZE(level);
		if (!(pte & PTE_V))
			continue;
		int r;
		if (pte & PTE_RWX)
			r = fn(ctx, gpa, (pte >> PTE_PPN_SHIFT) << PAGE_SHIFT, LEVEL_SIZE(level), pte);
		else
			r = walk(pte_table(pte), level - 1, GSTAGE_PTES_PER_PAGE, gpa, fn, ctx);
		if (r)
			return r;
	}
	return 0;
}

static u64 clear(u64 *table, int level, unsigned nr, u64 base, u64 from, u64 to,
		 int (*fn)(void *, u64, u64, u64, u64), void *ctx)
{
	u64 cleared = 0;
	for (unsigned i = 0; i < nr; i++) {
		u64 pte = table[i], gpa = base + (u64)i * LEVEL_SIZE(level), end = gpa + LEVEL_SIZE(level);
		if (!(pte & PTE_V) || end <= from || gpa >= to)
			continue;
		if (!(pte & PTE_RWX)) {
			cleared += clear(pte_table(pte), level - 1, GSTAGE_PTES_PER_PAGE, gpa, from, to, fn, ctx);
		} else if (gpa >= from && end <= to) {
			if (fn)
				fn(ctx, gpa, (pte >> PTE_PPN_SHIFT) << PAGE_SHIFT, LEVEL_SIZE(level), pte);
			table[i] = 0;
			cleared += LEVEL_SIZE(level);
		}
	}
	return cleared;
}

static bool any_leaf(const u64 *table, int level, unsigned nr, u64 base, u64 from, u64 to)
{
	for (unsigned i = 0; i < nr; i++) {
		u64 pte = table[i], gpa = base + (u64)i * LEVEL_SIZE(level), end = gpa + LEVEL_SIZE(level);
		if (!(pte & PTE_V) || end <= from || gpa >= to)
			continue;
		if ((pte & PTE_RWX) || level == 0 ||
		    any_leaf(pte_table(pte), level - 1, GSTAGE_PTES_PER_PAGE, gpa, from, to))
			return true;
	}
	return false;
}

bool gstage_range_mapped(const struct gstage *gs, u64 from, u64 to)
{
	return any_leaf(gs->root, GSTAGE_LEVELS - 1, GSTAGE_PTES_PER_PAGE * GSTAGE_ROOT_PAGES, 0, from, to);
}

u64 gstage_clear_range(struct gstage *gs, u64 from, u64 to,
		       int (*fn)(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte), void *ctx)
{
	return clear(gs->root, GSTAGE_LEVELS - 1, GSTAGE_PTES_PER_PAGE * GSTAGE_ROOT_PAGES, 0, from, to, fn, ctx);
}

int gstage_for_each_leaf(const struct gstage *gs,
			 int (*fn)(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte), void *ctx)
{
	return walk(gs->root, GSTAGE_LEVELS - 1, GSTAGE_PTES_PER_PAGE * GSTAGE_ROOT_PAGES, 0, fn, ctx);
}

int gstage_translate(const struct gstage *gs, u64 gpa, u64 *hpa, u64 *prot)
{
	int level;
	const u64 *pte = find_leaf(gs, gpa, &level);
	if (!pte)
		return -RIVET_ENOENT;
	/*
	 * Read once more, once: a split leaves a leaf's translation as it was,
	 * but its entry then points at a table (and a clear empties it).
	 */
	u64 v = __atomic_load_n(pte, __ATOMIC_ACQUIRE);
	if (!(v & PTE_V))
		return -RIVET_ENOENT;
	if (!(v & PTE_RWX))
		return gstage_translate(gs, gpa, hpa, prot);   /* split meanwhile: walk the new table */
	*hpa = ((v >> PTE_PPN_SHIFT) << PAGE_SHIFT) + (gpa & (LEVEL_SIZE(level) - 1));
	if (prot)
		*prot = v & (PTE_RWX | PTE_OWNED);
	return 0;
}

static bool table_empty(const u64 *table)
{
	for (unsigned i = 0; i < GSTAGE_PTES_PER_PAGE; i++)
		if (table[i] & PTE_V)
			return false;
	return true;
}

/* Unlinks the tables under [from, to) that hold nothing, deepest first, onto *list. */
static void prune(struct gstage *gs, u64 *table, int level, unsigned nr, u64 base, u64 from, u64 to,
		  u64 *list)
{
	for (unsigned i = 0; i < nr; i++) {
		u64 pte = table[i], gpa = base + (u64)i * LEVEL_SIZE(level), end = gpa + LEVEL_SIZE(level);
		if (!(pte & PTE_V) || (pte & PTE_RWX) || end <= from || gpa >= to)
			continue;
		u64 *next = pte_table(pte);
		if (level > 1)
			prune(gs, next, level - 1, GSTAGE_PTES_PER_PAGE, gpa, from, to, list);
		if (!table_empty(next))
			continue;
		table[i] = 0;
		/* Chained through its first word: a page-aligned value has V clear, so a walk cache
		   that still points here finds no valid entry. */
		next[0] = *list;
		*list = (u64)(uintptr_t)next;
	}
}

u64 gstage_unlink_empty(struct gstage *gs, u64 from, u64 to)
{
	u64 list = 0;
	prune(gs, gs->root, GSTAGE_LEVELS - 1, GSTAGE_PTES_PER_PAGE * GSTAGE_ROOT_PAGES, 0, from, to, &list);
	return list;
}

void gstage_free_unlinked(struct gstage *gs, u64 list)
{
	while (list) {
		u64 *page = (u64 *)(uintptr_t)list;
		list = page[0];
		page[0] = 0;
		gs->free_page(gs->ctx, page);
		gs->nr_table_pages--;
	}
}

static void free_level(struct gstage *gs, u64 *table, int level, unsigned nr)
{
	for (unsigned i = 0; i < nr; i++) {
		u64 pte = table[i];
		if ((pte & PTE_V) && !(pte & PTE_RWX)) {
			u64 *next = pte_table(pte);
			if (level > 1)
				free_level(gs, next, level - 1, GSTAGE_PTES_PER_PAGE);
			gs->free_page(gs->ctx, next);
			gs->nr_table_pages--;
		}
		table[i] = 0;
	}
}

void gstage_free_tables(struct gstage *gs)
{
	free_level(gs, gs->root, GSTAGE_LEVELS - 1, GSTAGE_PTES_PER_PAGE * GSTAGE_ROOT_PAGES);
}
