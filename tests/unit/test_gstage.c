// SPDX-License-Identifier: MIT
/* test_gstage.c: host tests of the Sv39x4 G-stage table builder (microvisor/gstage.c). */
#include "check.h"
#include "gstage.h"
#include <stdlib.h>

static int pages_out;
static int pages_allowed = -1;   /* table pages left before allocation fails; -1: no limit */
static void *alloc_page(void *ctx)
{
	(void)ctx;
	if (pages_allowed == 0)
		return NULL;
	if (pages_allowed > 0)
		pages_allowed--;
	pages_out++;
	return aligned_alloc(PAGE_SIZE, PAGE_SIZE);
}
static void free_page(void *ctx, void *p) { (void)ctx; pages_out--; free(p); }

static struct gstage *new_gs(void)
{
	static struct gstage gs;
	static void *root;
	if (root)
		gstage_free_tables(&gs);   /* the previous test's tables */
	free(root);
	root = aligned_alloc(GSTAGE_ROOT_ALIGN, GSTAGE_ROOT_PAGES * PAGE_SIZE);
	gs.alloc_page = alloc_page;
	gs.free_page = free_page;
	if (gstage_init(&gs, root) != 0)
		return NULL;
	return &gs;
}

TEST(gigabyte_leaf_needs_no_tables)
{
	struct gstage *gs = new_gs();
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0x40000000UL, 1UL << 30, PTE_RWX), 0);
	CHECK_EQ(pages_out, 0);
	u64 hpa = 0, prot = 0;
	CHECK_EQ(gstage_translate(gs, 0x80001234UL, &hpa, &prot), 0);
	CHECK_EQ(hpa, 0x40001234UL);
	CHECK_EQ(prot, PTE_RWX);
	/* The leaf carries U, A and D, which the G-stage requires / would fault on. */
	u64 pte = gs->root[2];
	CHECK((pte & (PTE_U | PTE_A | PTE_D | PTE_V)) == (PTE_U | PTE_A | PTE_D | PTE_V));
}

TEST(two_megabyte_leaves)
{
	struct gstage *gs = new_gs();
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0x90200000UL, 16UL << 20, PTE_RWX), 0);
	CHECK_EQ(pages_out, 1);   /* one level-1 table holds all eight 2 MiB leaves */
	u64 hpa;
	CHECK_EQ(gstage_translate(gs, 0x80ffffffUL, &hpa, NULL), 0);
	CHECK_EQ(hpa, 0x911fffffUL);
	CHECK_EQ(gstage_translate(gs, 0x81000000UL, &hpa, NULL), -RIVET_ENOENT);
	CHECK_EQ(gstage_translate(gs, 0x7fffffffUL, &hpa, NULL), -RIVET_ENOENT);
}

TEST(unaligned_hpa_falls_back_to_4k)
{
	struct gstage *gs = new_gs();
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0x90001000UL, 4UL << 20, PTE_R | PTE_W), 0);
	CHECK_EQ(pages_out, 1 + 2);   /* a level-1 table and two level-0 tables */
	u64 hpa, prot;
	CHECK_EQ(gstage_translate(gs, 0x803ff000UL, &hpa, &prot), 0);
	CHECK_EQ(hpa, 0x903ff000UL + 0x1000UL);
	CHECK_EQ(prot, PTE_R | PTE_W);
}

TEST(mixed_sizes_and_top_of_gpa_space)
{
	struct gstage *gs = new_gs();
	/* 2 MiB + 4 KiB: one large leaf then one small one. */
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0xa0000000UL, SZ_2M + PAGE_SIZE, PTE_RWX), 0);
	u64 hpa;
	CHECK_EQ(gstage_translate(gs, 0x80200000UL, &hpa, NULL), 0);
	CHECK_EQ(hpa, 0xa0200000UL);
	CHECK_EQ(gstage_translate(gs, 0x80201000UL, &hpa, NULL), -RIVET_ENOENT);
	/* Sv39x4 reaches 2^41: the last page maps, the next byte is out of range. */
	u64 top = (1UL << GSTAGE_GPA_BITS) - PAGE_SIZE;
	CHECK_EQ(gstage_map(gs, top, 0x1000, PAGE_SIZE, PTE_R), 0);
	CHECK_EQ(gstage_translate(gs, top + 8, &hpa, NULL), 0);
	CHECK_EQ(hpa, 0x1008);
	CHECK_EQ(gstage_map(gs, top, 0x1000, 2 * PAGE_SIZE, PTE_R), -RIVET_ERANGE);
	CHECK_EQ(gstage_translate(gs, 1UL << GSTAGE_GPA_BITS, &hpa, NULL), -RIVET_ENOENT);
}

TEST(bad_arguments_and_overlaps)
{
	struct gstage *gs = new_gs();
	CHECK_EQ(gstage_map(gs, 0x80000800UL, 0, PAGE_SIZE, PTE_R), -RIVET_EINVAL);
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0x800, PAGE_SIZE, PTE_R), -RIVET_EINVAL);
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0, 0, PTE_R), -RIVET_EINVAL);
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0, PAGE_SIZE, 0), -RIVET_EINVAL);
	CHECK_EQ(gstage_map(gs, ~0UL & ~0xfffUL, 0, 2 * PAGE_SIZE, PTE_R), -RIVET_ERANGE);
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0x80000000UL, SZ_2M, PTE_RWX), 0);
	CHECK_EQ(gstage_map(gs, 0x80001000UL, 0x1000, PAGE_SIZE, PTE_R), -RIVET_EEXIST);
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0x80000000UL, SZ_2M, PTE_RWX), -RIVET_EEXIST);
	CHECK_EQ(gstage_init(gs, (void *)0x1000), -RIVET_EINVAL);   /* root must be 16 KiB aligned */
}

TEST(free_returns_every_table)
{
	struct gstage *gs = new_gs();
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0x90001000UL, 8UL << 20, PTE_RWX), 0);
	CHECK_EQ(gstage_map(gs, 0x10000000UL, 0x10000000UL, PAGE_SIZE, PTE_R | PTE_W), 0);
	CHECK(pages_out > 0);
	CHECK_EQ(gs->nr_table_pages, GSTAGE_ROOT_PAGES + (unsigned long)pages_out);
	gstage_free_tables(gs);
	CHECK_EQ(pages_out, 0);
	CHECK_EQ(gs->nr_table_pages, GSTAGE_ROOT_PAGES);
	u64 hpa;
	CHECK_EQ(gstage_translate(gs, 0x80000000UL, &hpa, NULL), -RIVET_ENOENT);
}

struct leaf { u64 gpa, hpa, size, pte; };
static struct leaf leaves[16];
static int nr_leaves;
static int collect(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte)
{
	(void)ctx;
	if (nr_leaves == 16)
		return 1;
	leaves[nr_leaves++] = (struct leaf){ gpa, hpa, size, pte };
	return 0;
}

TEST(leaves_are_walked_in_order_with_owned_bit)
{
	struct gstage *gs = new_gs();
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0x90000000UL, SZ_2M + PAGE_SIZE, PTE_RWX | PTE_OWNED), 0);
	CHECK_EQ(gstage_map(gs, 0x100000000UL, 0x1000, PAGE_SIZE, PTE_R | PTE_W), 0);
	nr_leaves = 0;
	CHECK_EQ(gstage_for_each_leaf(gs, collect, NULL), 0);
	CHECK_EQ(nr_leaves, 3);
	CHECK_EQ(leaves[0].gpa, 0x80000000UL);
	CHECK_EQ(leaves[0].size, SZ_2M);
	CHECK(leaves[0].pte & PTE_OWNED);
	CHECK_EQ(leaves[1].gpa, 0x80200000UL);
	CHECK_EQ(leaves[1].hpa, 0x90200000UL);
	CHECK_EQ(leaves[1].size, PAGE_SIZE);
	CHECK_EQ(leaves[2].gpa, 0x100000000UL);
	CHECK(!(leaves[2].pte & PTE_OWNED));
	u64 hpa, prot;
	CHECK_EQ(gstage_translate(gs, 0x80000010UL, &hpa, &prot), 0);
	CHECK_EQ(prot, PTE_RWX | PTE_OWNED);
}

static u64 cleared_bytes;
static int count_cleared(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte)
{
	(void)ctx, (void)gpa, (void)hpa, (void)pte;
	cleared_bytes += size;
	return 0;
}

TEST(clear_range_removes_whole_leaves_only)
{
	struct gstage *gs = new_gs();
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0x90000000UL, SZ_2M + 2 * PAGE_SIZE, PTE_RWX), 0);
	/* A range that cuts a 2 MiB leaf leaves it alone. */
	cleared_bytes = 0;
	CHECK_EQ(gstage_clear_range(gs, 0x80000000UL, 0x80001000UL, count_cleared, NULL), 0);
	CHECK_EQ(cleared_bytes, 0);
	u64 hpa;
	CHECK_EQ(gstage_translate(gs, 0x80000000UL, &hpa, NULL), 0);
	/* One 4 KiB leaf. */
	CHECK_EQ(gstage_clear_range(gs, 0x80201000UL, 0x80202000UL, count_cleared, NULL), PAGE_SIZE);
	CHECK_EQ(gstage_translate(gs, 0x80201000UL, &hpa, NULL), -RIVET_ENOENT);
	CHECK_EQ(gstage_translate(gs, 0x80200000UL, &hpa, NULL), 0);
	/* Everything left: the 2 MiB leaf and the other 4 KiB one; fn saw each. */
	cleared_bytes = 0;
	CHECK_EQ(gstage_clear_range(gs, 0, 1UL << GSTAGE_GPA_BITS, count_cleared, NULL), SZ_2M + PAGE_SIZE);
	CHECK_EQ(cleared_bytes, SZ_2M + PAGE_SIZE);
	nr_leaves = 0;
	gstage_for_each_leaf(gs, collect, NULL);
	CHECK_EQ(nr_leaves, 0);
	/* The range can be mapped again. */
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0xa0000000UL, SZ_2M, PTE_RWX), 0);
}

TEST(failed_map_leaves_nothing_behind)
{
	struct gstage *gs = new_gs();
	u64 hpa;
	/* An existing page in the middle: the map fails and the pages before it are gone again. */
	CHECK_EQ(gstage_map(gs, 0x80005000UL, 0x1000, PAGE_SIZE, PTE_R), 0);
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0x90000000UL, 16 * PAGE_SIZE, PTE_RWX | PTE_OWNED),
		 -RIVET_EEXIST);
	nr_leaves = 0;
	gstage_for_each_leaf(gs, collect, NULL);
	CHECK_EQ(nr_leaves, 1);
	CHECK_EQ(leaves[0].gpa, 0x80005000UL);
	CHECK_EQ(leaves[0].hpa, 0x1000);
	CHECK_EQ(gstage_translate(gs, 0x80000000UL, &hpa, NULL), -RIVET_ENOENT);
	/* Out of table pages half-way through a range that needs two leaf tables. */
	pages_allowed = 1;
	CHECK_EQ(gstage_map(gs, 0x40000000UL - SZ_2M, 0x90000000UL, SZ_2M + PAGE_SIZE, PTE_RWX),
		 -RIVET_ENOMEM);
	pages_allowed = -1;
	nr_leaves = 0;
	gstage_for_each_leaf(gs, collect, NULL);
	CHECK_EQ(nr_leaves, 1);
	CHECK_EQ(gstage_translate(gs, 0x40000000UL - SZ_2M, &hpa, NULL), -RIVET_ENOENT);
	/* The tables it made are still counted, and freed with the rest. */
	CHECK_EQ(gs->nr_table_pages, GSTAGE_ROOT_PAGES + (unsigned long)pages_out);
}

TEST(emptied_tables_still_take_a_block)
{
	struct gstage *gs = new_gs();
	u64 hpa;
	CHECK_EQ(gstage_map(gs, 0x80200000UL, 0x90200000UL, PAGE_SIZE, PTE_RWX), 0);
	unsigned long tables = gs->nr_table_pages;
	CHECK_EQ(gstage_clear_range(gs, 0x80200000UL, 0x80201000UL, NULL, NULL), PAGE_SIZE);
	/* The 4 KiB table is empty now: the block maps beneath it, in 4 KiB leaves. */
	CHECK(!gstage_range_mapped(gs, 0x80200000UL, 0x80400000UL));
	CHECK_EQ(gstage_map(gs, 0x80200000UL, 0x90200000UL, SZ_2M, PTE_RWX), 0);
	CHECK_EQ(gs->nr_table_pages, tables);
	CHECK(gstage_range_mapped(gs, 0x803ff000UL, 0x80400000UL));
	CHECK_EQ(gstage_translate(gs, 0x80300000UL, &hpa, NULL), 0);
	CHECK_EQ(hpa, 0x90300000UL);
	/* A table that still holds a leaf: the block overlaps it, and nothing of it stays. */
	CHECK_EQ(gstage_map(gs, 0x80400000UL, 0x1000, PAGE_SIZE, PTE_R), 0);
	CHECK_EQ(gstage_map(gs, 0x80400000UL, 0x90400000UL, SZ_2M, PTE_RWX), -RIVET_EEXIST);
	CHECK(!gstage_range_mapped(gs, 0x80401000UL, 0x80600000UL));
	/* Host addresses past the 44-bit PPN, or wrapping, are refused. */
	CHECK_EQ(gstage_map(gs, 0x1000000UL, ~0UL & ~(PAGE_SIZE - 1), 2 * PAGE_SIZE, PTE_R), -RIVET_ERANGE);
	CHECK_EQ(gstage_map(gs, 0x1000000UL, 1UL << 56, PAGE_SIZE, PTE_R), -RIVET_ERANGE);
}

TEST(emptied_tables_are_unlinked_then_freed)
{
	struct gstage *gs = new_gs();
	u64 hpa;
	CHECK_EQ(gstage_map(gs, 0x10000000000UL, 0x90000000UL, 2 * PAGE_SIZE, PTE_R | PTE_W), 0);
	CHECK_EQ(gstage_map(gs, 0x10000200000UL, 0x90200000UL, PAGE_SIZE, PTE_R | PTE_W), 0);
	int out = pages_out;
	CHECK_EQ(gstage_clear_range(gs, 0x10000000000UL, 0x10000002000UL, NULL, NULL), 2 * PAGE_SIZE);
	/* Only the 4 KiB table that is empty now goes; the one still mapping a page stays. */
	u64 list = gstage_unlink_empty(gs, 0x10000000000UL, 0x10000002000UL);
	CHECK(list != 0);
	CHECK_EQ(gstage_translate(gs, 0x10000200000UL, &hpa, NULL), 0);
	gstage_free_unlinked(gs, list);
	CHECK_EQ(pages_out, out - 1);
	/* The rest empties: every table but the root goes, and the range maps again. */
	gstage_clear_range(gs, 0, 1UL << GSTAGE_GPA_BITS, NULL, NULL);
	gstage_free_unlinked(gs, gstage_unlink_empty(gs, 0, 1UL << GSTAGE_GPA_BITS));
	CHECK_EQ(pages_out, 0);
	CHECK_EQ(gs->nr_table_pages, GSTAGE_ROOT_PAGES);
	CHECK_EQ(gstage_map(gs, 0x10000000000UL, 0x90000000UL, PAGE_SIZE, PTE_R), 0);
	CHECK_EQ(gstage_unlink_empty(gs, 0, 1UL << GSTAGE_GPA_BITS), 0);
}

TEST(split_carves_one_page_out_of_a_gigabyte)
{
	struct gstage *gs = new_gs();
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0x40000000UL, 1UL << 30, PTE_RWX | PTE_OWNED), 0);
	/* An address that starts a leaf already, or one nothing maps: nothing to split. */
	CHECK_EQ(gstage_split(gs, 0x80000000UL), 0);
	CHECK_EQ(gstage_split(gs, 0x1000UL), 0);
	CHECK_EQ(pages_out, 0);
	/* A 4 KiB page inside: 1 GiB -> 2 MiB leaves -> 4 KiB leaves, two tables. */
	CHECK_EQ(gstage_split(gs, 0x80345000UL), 0);
	CHECK_EQ(gstage_split(gs, 0x80346000UL), 0);
	CHECK_EQ(pages_out, 2);
	/* Every address still translates as before, with its bits. */
	u64 hpa, prot;
	for (u64 a = 0x80000000UL; a < 0xc0000000UL; a += 0x1f3000UL) {
		CHECK_EQ(gstage_translate(gs, a + 0x123, &hpa, &prot), 0);
		CHECK_EQ(hpa, a - 0x40000000UL + 0x123);
		CHECK_EQ(prot, PTE_RWX | PTE_OWNED);
	}
	/* Now exactly that page clears, and nothing else goes. */
	CHECK_EQ(gstage_clear_range(gs, 0x80345000UL, 0x80346000UL, NULL, NULL), PAGE_SIZE);
	CHECK_EQ(gstage_translate(gs, 0x80345000UL, &hpa, NULL), -RIVET_ENOENT);
	CHECK_EQ(gstage_translate(gs, 0x80344fffUL, &hpa, NULL), 0);
	CHECK_EQ(hpa, 0x40344fffUL);
	CHECK_EQ(gstage_translate(gs, 0x80346000UL, &hpa, NULL), 0);
	CHECK_EQ(hpa, 0x40346000UL);
	CHECK(gstage_range_mapped(gs, 0x80000000UL, 0x80345000UL));
	CHECK(!gstage_range_mapped(gs, 0x80345000UL, 0x80346000UL));
	/* A 2 MiB boundary inside the split gigabyte needs no further table. */
	CHECK_EQ(gstage_split(gs, 0x80800000UL), 0);
	CHECK_EQ(pages_out, 2);
	/* The page maps again with a 4 KiB leaf. */
	CHECK_EQ(gstage_map(gs, 0x80345000UL, 0x12345000UL, PAGE_SIZE, PTE_RWX | PTE_OWNED), 0);
	CHECK_EQ(gstage_translate(gs, 0x80345abcUL, &hpa, NULL), 0);
	CHECK_EQ(hpa, 0x12345abcUL);
}

TEST(split_without_a_table_page_changes_nothing)
{
	struct gstage *gs = new_gs();
	CHECK_EQ(gstage_map(gs, 0x80000000UL, 0x40000000UL, 4UL << 20, PTE_RWX), 0);
	int out = pages_out;
	pages_allowed = 0;
	CHECK_EQ(gstage_split(gs, 0x80001000UL), -RIVET_ENOMEM);
	pages_allowed = -1;
	CHECK_EQ(pages_out, out);
	u64 hpa;
	CHECK_EQ(gstage_translate(gs, 0x80001000UL, &hpa, NULL), 0);
	CHECK_EQ(hpa, 0x40001000UL);
	/* A straddling 2 MiB leaf is not cleared by a range inside it. */
	CHECK_EQ(gstage_clear_range(gs, 0x80001000UL, 0x80002000UL, NULL, NULL), 0);
}

int main(void)
{
	check_suite = "gstage";
	RUN(gigabyte_leaf_needs_no_tables);
	RUN(two_megabyte_leaves);
	RUN(unaligned_hpa_falls_back_to_4k);
	RUN(mixed_sizes_and_top_of_gpa_space);
	RUN(bad_arguments_and_overlaps);
	RUN(free_returns_every_table);
	RUN(leaves_are_walked_in_order_with_owned_bit);
	RUN(clear_range_removes_whole_leaves_only);
	RUN(failed_map_leaves_nothing_behind);
	RUN(emptied_tables_still_take_a_block);
	RUN(emptied_tables_are_unlinked_then_freed);
	RUN(split_carves_one_page_out_of_a_gigabyte);
	RUN(split_without_a_table_page_changes_nothing);
	gstage_free_tables(new_gs());   /* frees the last test's tables too */
	return CHECK_DONE();
}
