/* SPDX-License-Identifier: MIT */
/* mm.h: the microvisor's physical memory: one page pool for tables, vCPUs and guest RAM. */
#ifndef RIVET_MM_H
#define RIVET_MM_H
#include "types.h"
int mm_init(u64 base, u64 end);
/* Zeroed, contiguous, aligned to align_bytes; NULL when memory is short. */
void *mm_alloc(u64 bytes, u64 align_bytes);
void mm_free(void *p, u64 bytes);
/*
 * Sets pages aside for one caller: 0 and *budget = pages, or -RIVET_ENOMEM.
 * mm_alloc_reserved draws on the budget (a single page always succeeds while
 * it lasts); mm_unreserve returns what is left of it.
 */
int mm_reserve(u64 pages, u64 *budget);
void *mm_alloc_reserved(u64 bytes, u64 align_bytes, u64 *budget);
void mm_unreserve(u64 *budget);
/*
 * Idle work: zeroes at most max_bytes of free pages not known clean and
 * gives them back known clean. False when there was nothing to do.
 */
bool mm_scrub(u64 max_bytes);
u64 mm_free_bytes(void);
/* Free memory known to hold only zeros (ready to hand out without zeroing). */
u64 mm_clean_bytes(void);
u64 mm_total_bytes(void);
#endif
