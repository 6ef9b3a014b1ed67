// SPDX-License-Identifier: MIT
/*
 * dw_wdt.c: the DesignWare watchdog model (dw_wdt.h).
 */
#include <string.h>

#include "dw_wdt.h"

#define NS_PER_S        1000000000LL
#define RETRY_NS        NS_PER_S   /* a stop that failed is tried again after this */

int64_t dw_wdt_period_ns(unsigned top)
{
	/* 2^(16 + top) cycles at 2^16 Hz: 2^top seconds, at most 2^15 s (fits easily). */
	return NS_PER_S << (top % DW_WDT_NUM_TOPS);
}

void dw_wdt_init(struct dw_wdt *w, int64_t (*now)(void *ctx), int (*expired)(void *ctx), void *ctx)
{
	memset(w, 0, sizeof *w);
	w->st = &w->own;
	w->now = now;
	w->expired = expired;
	w->ctx = ctx;
	w->st->seen_ns = now(ctx);
}

static int64_t clock_now(struct dw_wdt *w)
{
	int64_t t = w->now(w->ctx);
	w->st->seen_ns = t;
	return t;
}

void dw_wdt_hold(struct dw_wdt *w, int64_t ns)
{
	if (ns > 0 && (w->st->cr & DW_WDT_CR_EN) && w->st->deadline_ns <= INT64_MAX - ns)
		w->st->deadline_ns += ns;
}

void dw_wdt_bind_state(struct dw_wdt *w, struct dw_wdt_state *slice, int resumed)
{
	if (!resumed) {
		*slice = *w->st;
		w->st = slice;
		return;
	}
	w->st = slice;
	/* Read once; a damaged file cannot give a register bits it cannot hold. */
	slice->cr &= DW_WDT_CR_MASK;
	slice->torr &= DW_WDT_TORR_TOP | DW_WDT_TORR_TOP_INIT;
	slice->stat &= 1;
	slice->fired = !!slice->fired;
	int64_t seen = slice->seen_ns;
	dw_wdt_hold(w, clock_now(w) - seen);
}

/* Counting: enabled, and the domain not yet told to stop. */
static int running(const struct dw_wdt *w)
{
	return (w->st->cr & DW_WDT_CR_EN) && !w->st->fired;
}

static void reload(struct dw_wdt *w, unsigned top, int64_t now)
{
	w->st->deadline_ns = now + dw_wdt_period_ns(top);
}

int64_t dw_wdt_check(struct dw_wdt *w)
{
	struct dw_wdt_state *st = w->st;
	if (!running(w))
		return -1;
	int64_t now = clock_now(w);
	while (now >= st->deadline_ns) {
		if ((st->cr & DW_WDT_CR_RMOD) && !st->stat) {
			/* Interrupt mode's first expiry: the status bit, and one more period. */
			st->stat = 1;
			st->deadline_ns += dw_wdt_period_ns(st->torr & DW_WDT_TORR_TOP);
			continue;
		}
		st->fired = 1;
		if (w->expired(w->ctx) < 0) {
			st->fired = 0;
			st->deadline_ns = now + RETRY_NS;
			return RETRY_NS;
		}
		return -1;
	}
	return st->deadline_ns - now;
}

static uint32_t count_now(struct dw_wdt *w)
{
	struct dw_wdt_state *st = w->st;
	if (!running(w))
		return 0;
	int64_t left = st->deadline_ns - clock_now(w);
	if (left <= 0)
		return 0;
	/* left < 2^15 s: left * 2^16 < 2^61, no overflow. */
	uint64_t cycles = (uint64_t)left * DW_WDT_CLOCK_HZ / NS_PER_S;
	return cycles > UINT32_MAX ? UINT32_MAX : (uint32_t)cycles;
}

static uint64_t wdt_read(void *dev, uint64_t off, unsigned size)
{
	struct dw_wdt *w = dev;
	if (size != 4 || (off & 3))
		return 0;
	switch (off) {
	case DW_WDT_CR:           return w->st->cr;
	case DW_WDT_TORR:         return w->st->torr;
	case DW_WDT_CCVR:         return count_now(w);
	case DW_WDT_STAT:         return w->st->stat;
	case DW_WDT_EOI:          w->st->stat = 0; return 0;
	case DW_WDT_COMP_PARAMS_1: return DW_WDT_PARAMS_FIX_TOP | DW_WDT_PARAMS_WIDTH32;
	case DW_WDT_COMP_VERSION: return DW_WDT_VERSION;
	case DW_WDT_COMP_TYPE:    return DW_WDT_TYPE;
	default:                  return 0;
	}
}

static void wdt_write(void *dev, uint64_t off, unsigned size, uint64_t value)
{
	struct dw_wdt *w = dev;
	struct dw_wdt_state *st = w->st;
	uint32_t v = (uint32_t)value;
	if (size != 4 || (off & 3) || st->fired)
		return;
	switch (off) {
	case DW_WDT_CR: {
		uint32_t was = st->cr;
		st->cr = (v & DW_WDT_CR_MASK) | (was & DW_WDT_CR_EN);
		if (!(was & DW_WDT_CR_EN) && (st->cr & DW_WDT_CR_EN)) {
			st->stat = 0;
			reload(w, (st->torr & DW_WDT_TORR_TOP_INIT) >> DW_WDT_TORR_INIT_SHIFT, clock_now(w));
		}
		break;
	}
	case DW_WDT_TORR:
		/* Takes effect at the next restart, as on the hardware. */
		st->torr = v & (DW_WDT_TORR_TOP | DW_WDT_TORR_TOP_INIT);
		break;
	case DW_WDT_CRR:
		if ((v & 0xff) != DW_WDT_KICK || !(st->cr & DW_WDT_CR_EN))
			break;
		st->stat = 0;
		st->kicks++;
		reload(w, st->torr & DW_WDT_TORR_TOP, clock_now(w));
		break;
	default:
		break;
	}
}

const struct dm_mmio_ops dw_wdt_mmio_ops = { wdt_read, wdt_write };
