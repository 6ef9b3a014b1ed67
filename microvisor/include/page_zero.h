/* SPDX-License-Identifier: MIT */
/*
 * page_zero.h: zeroing whole pages as fast as the hart allows: Zicboz
 * cbo.zero (one instruction per cache block) where the hart has it, else an
 * unrolled store loop.
 */
#ifndef RIVET_PAGE_ZERO_H
#define RIVET_PAGE_ZERO_H
#include "types.h"

/* Block sizes page_zero accepts from the device tree (Zicboz allows any power of two). */
#define PAGE_ZERO_MIN_BLOCK 16
#define PAGE_ZERO_MAX_BLOCK (PAGE_SIZE / 4)   /* page_zero does four blocks a round */

/*
 * At boot, on the boot hart, before anything is allocated: dt_block is the
 * host device tree's riscv,cboz-block-size (0 if absent). Runs one guarded
 * cbo.zero and uses it from then on only if it neither trapped (menvcfg.CBZE
 * clear, or no Zicboz) nor zeroed other than exactly dt_block bytes. Returns
 * the block size in use, 0 for the store loop.
 */
u64 page_zero_probe(u64 dt_block);
/*
 * On every other hart as it comes up: the boot hart's probe, again on this
 * hart (firmware may set menvcfg.CBZE on some harts only). If it fails,
 * every hart zeroes with stores from then on; false then.
 */
bool page_zero_check_hart(void);
/* The cbo.zero block size in use (0: the store loop); every hart may use it. */
u64 page_zero_block(void);
/* Zeroes [p, p + bytes); p page-aligned, bytes a multiple of PAGE_SIZE. */
void page_zero(void *p, u64 bytes);
#endif
