/* SPDX-License-Identifier: MIT */
/*
 * balloon_list.h: the checks of a RIVET_MEMORY_LIST list (MEMORY_RECLAIM /
 * MEMORY_RESTORE, hc_balloon.c), on the microvisor's own copy of it. No
 * state, so the host unit test builds it as is.
 */
#ifndef RIVET_BALLOON_LIST_H
#define RIVET_BALLOON_LIST_H
#include "types.h"

/*
 * Sorts gpa[0..n) in place and checks it: 1 <= n <= max, every entry page
 * aligned with its page below limit, and no entry twice. 0 or -RIVET_EINVAL.
 */
int balloon_list_check(u64 *gpa, u64 n, u64 max, u64 limit);
/*
 * For a sorted list of pages: the G-stage tables that splitting a larger
 * leaf around each page (or mapping each one page) may add, at most one
 * 4 KiB-leaf table per 2 MiB region and one 2 MiB-leaf table per 1 GiB
 * region the pages fall in.
 */
u64 balloon_list_tables(const u64 *gpa, u64 n);
#endif
