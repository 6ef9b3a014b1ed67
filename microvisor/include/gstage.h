/* SPDX-License-Identifier: MIT */
/* gstage.h: builds and walks Sv39x4 G-stage tables; pure C, also built for host tests. */
#ifndef RIVET_GSTAGE_H
#define RIVET_GSTAGE_H
#include "types.h"
#include "errcode.h"

#define PTE_V   (1UL << 0)
#define PTE_R   (1UL << 1)
#define PTE_W   (1UL << 2)
#define PTE_X   (1UL << 3)
#define PTE_U   (1UL << 4)
#define PTE_G   (1UL << 5)
#define PTE_A   (1UL << 6)
#define PTE_D   (1UL << 7)
#define PTE_RWX (PTE_R | PTE_W | PTE_X)
/* Software bit (RSW): the page belongs to this domain, not mapped from another. */
#define PTE_OWNED (1UL << 8)
#define PTE_PPN_SHIFT 10

#define GSTAGE_LEVELS       3           /* Sv39x4 */
#define GSTAGE_ROOT_PAGES   4           /* 16 KiB root, 2048 entries */
#define GSTAGE_ROOT_ALIGN   (4 * PAGE_SIZE)
#define GSTAGE_GPA_BITS     41
#define GSTAGE_HPA_BITS     56          /* 44-bit PPN */
#define GSTAGE_PTES_PER_PAGE 512

/*
 * Table pages come from alloc_page(ctx): a zeroed 4 KiB page, returned as a
 * pointer whose value is also its physical address (the microvisor runs with
 * satp = Bare; host tests run identity too).
 */
struct gstage {
	u64 *root;                        /* GSTAGE_ROOT_PAGES pages */
	void *(*alloc_page)(void *ctx);
	void (*free_page)(void *ctx, void *page);
	void *ctx;
	unsigned long nr_table_pages;     /* root included */
};

int gstage_init(struct gstage *gs, void *root);
/*
 * Maps [gpa, gpa+size) to [hpa, ...) with the largest leaves alignment
 * allows. All or nothing: on failure (-RIVET_EEXIST where something is
 * mapped already, -RIVET_ENOMEM without table pages) no leaf of it is left;
 * table pages it added stay until gstage_free_tables. Where a table already
 * covers a block, smaller leaves are used beneath it.
 */
int gstage_map(struct gstage *gs, u64 gpa, u64 hpa, u64 size, u64 prot);
/*
 * Removes every leaf wholly inside [from, to), calling fn for it first (fn's
 * result is ignored); leaves that straddle a boundary stay. Returns how many
 * bytes were unmapped.
 */
u64 gstage_clear_range(struct gstage *gs, u64 from, u64 to,
		       int (*fn)(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte), void *ctx);
/*
 * Splits the leaf that covers gpa (if any) into smaller ones until one
 * starts at gpa, so that clear_range can take [gpa, ...) out of a larger
 * block. Needs at most GSTAGE_LEVELS - 1 table pages; 0, or -RIVET_ENOMEM
 * (the tables made so far stay: they translate as before).
 */
int gstage_split(struct gstage *gs, u64 gpa);
/* True when some leaf lies (partly) in [from, to). */
bool gstage_range_mapped(const struct gstage *gs, u64 from, u64 to);
/* Calls fn for every leaf in GPA order; stops and returns fn's first non-zero result. */
int gstage_for_each_leaf(const struct gstage *gs,
			 int (*fn)(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte), void *ctx);
/* Returns 0 and the HPA, or -RIVET_ENOENT if gpa is unmapped. */
int gstage_translate(const struct gstage *gs, u64 gpa, u64 *hpa, u64 *prot);
/*
 * Unlinks every table under [from, to) that maps nothing (after clear_range)
 * and returns them as a list for gstage_free_unlinked. Between the two, every
 * hart that may have walked this table must fence (hfence.gvma), since its
 * walk cache may still point at them.
 */
u64 gstage_unlink_empty(struct gstage *gs, u64 from, u64 to);
void gstage_free_unlinked(struct gstage *gs, u64 list);
/* Frees every non-root table page (the root belongs to the caller). */
void gstage_free_tables(struct gstage *gs);
#endif
