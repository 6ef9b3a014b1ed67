/* SPDX-License-Identifier: MIT */
/*
 * consoled_rate.h: xenconsoled's per-domain rate limit. Each read of a
 * domain's ring that returns output counts; after LIMIT of them in one
 * PERIOD the domain is not read until the period ends. Its ring then fills
 * and the microvisor drops the oldest bytes, and, the ring staying non-empty,
 * raises no more console events: a flooding domain costs Dom0 at most
 * LIMIT reads per period.
 */
#ifndef RIVET_CONSOLED_RATE_H
#define RIVET_CONSOLED_RATE_H

#include <stdint.h>

#define CONRATE_LIMIT     30    /* xenconsoled's RATE_LIMIT_ALLOWANCE */
#define CONRATE_PERIOD_MS 200   /* xenconsoled's RATE_LIMIT_PERIOD */

struct conrate {
	uint64_t start_ms;       /* the current period began here */
	unsigned events;         /* reads with output in it */
	unsigned long flood;     /* periods in a row whose allowance was used up */
};

/*
 * Whether the domain may be read at NOW_MS; starts a new period when the
 * last one is over. When a flood ends (a period passes without reaching the
 * limit) *FLOOD_OVER is how many periods it lasted, else 0. LIMIT 0: no limit.
 */
int conrate_may_read(struct conrate *r, uint64_t now_ms, unsigned limit, unsigned period_ms,
		     unsigned long *flood_over);
/* Counts one read with output; 1 when it used up the period's allowance. */
int conrate_count(struct conrate *r, unsigned limit);
/* Whether it is held now, and until when. */
int conrate_held(const struct conrate *r, unsigned limit);
uint64_t conrate_resume_ms(const struct conrate *r, unsigned period_ms);

#endif
