/* SPDX-License-Identifier: MIT */
/* mm.h: the microvisor's physical memory: one page pool for tables, vCPUs and guest RAM. */
#ifndef RIVET_MM_H
#define RIVET_MM_H
#include "types.h"
int mm_init(u64 base, u64 end);
/* Zeroed, contiguous, aligned to align_bytes; NULL when memory is short. */
void *mm_alloc(u64 bytes, u64 align_bytes);
void mm_free(void *p, u64 bytes);
u64 mm_free_bytes(void);
u64 mm_total_bytes(void);
#endif
