/* SPDX-License-Identifier: MIT */
/* consoled_rate.c: the per-domain read allowance (see consoled_rate.h). */
#include "consoled_rate.h"

int conrate_may_read(struct conrate *r, uint64_t now_ms, unsigned limit, unsigned period_ms,
		     unsigned long *flood_over)
{
	*flood_over = 0;
	if (!limit)
		return 1;
	/* A clock that went backwards (a monotonic one should not) also starts a period. */
	if (now_ms < r->start_ms || now_ms - r->start_ms >= period_ms) {
		if (r->events < limit && r->flood) {
			*flood_over = r->flood;
			r->flood = 0;
		}
		r->start_ms = now_ms;
		r->events = 0;
	}
	return r->events < limit;
}

int conrate_count(struct conrate *r, unsigned limit)
{
	if (!limit || r->events >= limit)
		return 0;
	if (++r->events < limit)
		return 0;
	r->flood++;
	return 1;
}

int conrate_held(const struct conrate *r, unsigned limit)
{
	return limit && r->events >= limit;
}

uint64_t conrate_resume_ms(const struct conrate *r, unsigned period_ms)
{
	return r->start_ms + period_ms;
}
