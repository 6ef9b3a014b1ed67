/* SPDX-License-Identifier: MIT */
/*
 * test_balloon_list.c: the checks of a RIVET_MEMORY_LIST list
 * (microvisor/balloon_list.c) on hostile lists: the count, alignment, the
 * limit and wrap-around, repeats anywhere in the list; the sort; and the
 * tables a list's splits may need.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "balloon_list.h"
#include "errcode.h"

#define LIMIT 0x10000000000ULL   /* the foreign window's base */
#define MAX   512

TEST(good_lists_come_back_sorted)
{
	u64 l[5] = { 0x80005000, 0x80001000, LIMIT - 4096, 0, 0x80003000 };
	CHECK_EQ(balloon_list_check(l, 5, MAX, LIMIT), 0);
	const u64 want[5] = { 0, 0x80001000, 0x80003000, 0x80005000, LIMIT - 4096 };
	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ(l[i], want[i]);
	u64 one = 0x80000000;
	CHECK_EQ(balloon_list_check(&one, 1, MAX, LIMIT), 0);
}

TEST(bad_lists_are_refused)
{
	u64 l[MAX + 1];
	for (unsigned i = 0; i <= MAX; i++)
		l[i] = 0x80000000ULL + 4096ULL * i;
	CHECK_EQ(balloon_list_check(l, 0, MAX, LIMIT), -RIVET_EINVAL);
	CHECK_EQ(balloon_list_check(l, MAX + 1, MAX, LIMIT), -RIVET_EINVAL);
	CHECK_EQ(balloon_list_check(l, MAX, MAX, LIMIT), 0);
	const u64 bad[] = { 0x80000008, 0x80000fff, LIMIT, LIMIT + 4096, ~0ULL & ~4095ULL, ~0ULL, 1ULL << 63 };
	for (unsigned b = 0; b < sizeof bad / sizeof bad[0]; b++) {
		u64 m[3] = { 0x80000000, bad[b], 0x80002000 };
		CHECK_EQ(balloon_list_check(m, 3, MAX, LIMIT), -RIVET_EINVAL);
	}
	/* Repeats: side by side, far apart, first and last. */
	u64 r1[3] = { 0x80000000, 0x80000000, 0x80001000 };
	CHECK_EQ(balloon_list_check(r1, 3, MAX, LIMIT), -RIVET_EINVAL);
	u64 r2[4] = { 0x80009000, 0x80001000, 0x80005000, 0x80009000 };
	CHECK_EQ(balloon_list_check(r2, 4, MAX, LIMIT), -RIVET_EINVAL);
	for (unsigned i = 0; i < MAX; i++)
		l[i] = 0x80000000ULL + 4096ULL * ((i * 7919u) % MAX);   /* a permutation */
	CHECK_EQ(balloon_list_check(l, MAX, MAX, LIMIT), 0);
	l[MAX - 1] = l[0];
	l[0] = 0x80000000ULL + 4096ULL * 3;
	CHECK_EQ(balloon_list_check(l, MAX, MAX, LIMIT), -RIVET_EINVAL);
	/* A limit below one page takes nothing. */
	u64 z = 0;
	CHECK_EQ(balloon_list_check(&z, 1, MAX, 4095), -RIVET_EINVAL);
}

TEST(sorting_a_large_random_list)
{
	static u64 l[MAX];
	srand(7);
	for (unsigned round = 0; round < 50; round++) {
		for (unsigned i = 0; i < MAX; i++)
			l[i] = ((u64)rand() << 12 ^ (u64)rand() << 24) % (LIMIT / 4096) * 4096;
		int r = balloon_list_check(l, MAX, MAX, LIMIT);
		int dup = 0;
		for (unsigned i = 1; i < MAX; i++) {
			CHECK(l[i - 1] <= l[i]);
			dup |= l[i - 1] == l[i];
		}
		CHECK_EQ(r, dup ? -RIVET_EINVAL : 0);
	}
}

TEST(tables_per_region)
{
	/* Three pages in one 2 MiB region, one in another in the same 1 GiB, one in the next 1 GiB. */
	const u64 l[5] = { 0x80000000, 0x80001000, 0x801ff000, 0x80200000, 0xc0000000 };
	CHECK_EQ(balloon_list_tables(l, 1), 2);
	CHECK_EQ(balloon_list_tables(l, 3), 2);
	CHECK_EQ(balloon_list_tables(l, 4), 3);
	CHECK_EQ(balloon_list_tables(l, 5), 5);
	CHECK_EQ(balloon_list_tables(l, 0), 0);
}

int main(void)
{
	RUN(good_lists_come_back_sorted);
	RUN(bad_lists_are_refused);
	RUN(sorting_a_large_random_list);
	RUN(tables_per_region);
	return CHECK_DONE();
}
