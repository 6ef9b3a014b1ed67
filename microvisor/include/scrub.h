/* SPDX-License-Identifier: MIT */
/* scrub.h: idle harts zero free pages ahead of need, so allocations find them clean. */
#ifndef RIVET_SCRUB_H
#define RIVET_SCRUB_H
#include "types.h"

struct hart;

/*
 * The most an idle hart zeroes before it looks at its run queue again: 256
 * KiB is about 5000 instructions with cbo.zero (64-byte blocks), a few
 * microseconds of delay for a vCPU woken meanwhile.
 */
#define SCRUB_CHUNK (256UL << 10)

/* From the boot hart once the boot domains exist: scrubbing must not race their creation. */
void scrub_start(void);
/*
 * From pick_next() on an idle hart, with no lock held: zeroes one chunk of
 * free memory unless an interrupt or kick is pending. True if it did some
 * work (the caller looks at its run queue again), false if the hart may sleep.
 */
bool scrub_idle(struct hart *h);
#endif
