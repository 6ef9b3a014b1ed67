/* SPDX-License-Identifier: MIT */
/*
 * test_dm_dw_wdt.c: the watchdog model (tools/dm/dw_wdt.c) driven as
 * Linux's dw_wdt driver drives it, on a fake clock: the identification
 * registers the probe reads, start with TOP_INIT, kicks, expiry in reset
 * and interrupt mode, the enable bit that cannot be cleared, pauses, a
 * failed stop tried again, hostile accesses, and a successor resuming the
 * state (dm_state.h) without counting the time nobody served.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dw_wdt.h"

#define S 1000000000LL

static int64_t clk;
static int fired, fail_stop;
static struct dw_wdt w;

static int64_t now(void *ctx) { (void)ctx; return clk; }
static int expired(void *ctx) { (void)ctx; fired++; return fail_stop ? -1 : 0; }
static uint32_t rd(uint64_t off) { return (uint32_t)dw_wdt_mmio_ops.read(&w, off, 4); }
static void wr(uint64_t off, uint32_t v) { dw_wdt_mmio_ops.write(&w, off, 4, v); }

static void fresh(void)
{
	clk = 1000 * S;
	fired = fail_stop = 0;
	dw_wdt_init(&w, now, expired, NULL);
}

/* What dw_wdt_drv_probe and dw_wdt_start do: TOP/TOP_INIT for SECS, kick, enable in reset mode. */
static void linux_start(unsigned top)
{
	wr(DW_WDT_TORR, top | top << DW_WDT_TORR_INIT_SHIFT);
	wr(DW_WDT_CRR, DW_WDT_KICK);
	wr(DW_WDT_CR, (rd(DW_WDT_CR) & ~DW_WDT_CR_RMOD) | DW_WDT_CR_EN);
}

TEST(probe_registers)
{
	fresh();
	CHECK(rd(DW_WDT_COMP_PARAMS_1) & DW_WDT_PARAMS_FIX_TOP);
	CHECK_EQ(rd(DW_WDT_COMP_TYPE), DW_WDT_TYPE);
	CHECK_EQ(rd(DW_WDT_CR), 0);
	CHECK_EQ(rd(DW_WDT_TORR), 0);
	CHECK_EQ(rd(DW_WDT_STAT), 0);
	/* Disabled: nothing ever expires. */
	clk += 100000 * S;
	CHECK_EQ(dw_wdt_check(&w), -1);
	CHECK_EQ(fired, 0);
	for (unsigned top = 0; top < DW_WDT_NUM_TOPS; top++)
		CHECK_EQ(dw_wdt_period_ns(top), S << top);
}

TEST(expires_without_kicks)
{
	fresh();
	linux_start(5);   /* 32 s: Linux's default 30 s rounds up to it */
	CHECK(rd(DW_WDT_CR) & DW_WDT_CR_EN);
	CHECK_EQ(dw_wdt_check(&w), 32 * S);
	/* The count falls at 65536 Hz. */
	clk += 16 * S;
	CHECK_EQ(rd(DW_WDT_CCVR), 16u * 65536u);
	CHECK_EQ(dw_wdt_check(&w), 16 * S);
	clk += 16 * S - 1;
	CHECK(dw_wdt_check(&w) == 1);
	CHECK_EQ(fired, 0);
	clk += 1;
	CHECK_EQ(dw_wdt_check(&w), -1);
	CHECK_EQ(fired, 1);
	/* Once: later looks, kicks and writes change nothing. */
	clk += 100 * S;
	wr(DW_WDT_CRR, DW_WDT_KICK);
	CHECK_EQ(dw_wdt_check(&w), -1);
	CHECK_EQ(fired, 1);
	CHECK_EQ(rd(DW_WDT_CCVR), 0);
}

TEST(kicks_keep_it_alive)
{
	fresh();
	linux_start(1);   /* 2 s */
	for (int i = 0; i < 100; i++) {
		clk += S + S / 2;
		CHECK(dw_wdt_check(&w) > 0);
		wr(DW_WDT_CRR, DW_WDT_KICK);
	}
	CHECK_EQ(fired, 0);
	CHECK_EQ(w.st->kicks, 100);   /* the kick before EN was set does not count */
	/* Anything but 0x76 is not a kick. */
	clk += S + S / 2;
	wr(DW_WDT_CRR, 0x77);
	wr(DW_WDT_CRR, 0);
	clk += S;
	dw_wdt_check(&w);
	CHECK_EQ(fired, 1);
}

/* TOP_INIT decides the first period, TOP the ones after each kick; TORR changes wait for a kick. */
TEST(top_init_then_top)
{
	fresh();
	wr(DW_WDT_TORR, 2 | 6 << DW_WDT_TORR_INIT_SHIFT);
	wr(DW_WDT_CR, DW_WDT_CR_EN);
	CHECK_EQ(dw_wdt_check(&w), 64 * S);
	wr(DW_WDT_CRR, DW_WDT_KICK);
	CHECK_EQ(dw_wdt_check(&w), 4 * S);
	wr(DW_WDT_TORR, 9);
	CHECK_EQ(dw_wdt_check(&w), 4 * S);
	wr(DW_WDT_CRR, DW_WDT_KICK);
	CHECK_EQ(dw_wdt_check(&w), 512 * S);
	CHECK_EQ(rd(DW_WDT_TORR), 9);
}

TEST(enable_cannot_be_cleared)
{
	fresh();
	linux_start(0);
	wr(DW_WDT_CR, 0);
	CHECK(rd(DW_WDT_CR) & DW_WDT_CR_EN);
	/* Writing EN again does not restart the count either. */
	clk += S / 2;
	wr(DW_WDT_CR, DW_WDT_CR_EN);
	CHECK_EQ(dw_wdt_check(&w), S / 2);
	clk += S;
	dw_wdt_check(&w);
	CHECK_EQ(fired, 1);
}

/* Interrupt mode: the first expiry only sets STAT; clearing it (EOI) buys another period. */
TEST(interrupt_mode_two_stages)
{
	fresh();
	wr(DW_WDT_TORR, 1 | 1 << DW_WDT_TORR_INIT_SHIFT);
	wr(DW_WDT_CR, DW_WDT_CR_EN | DW_WDT_CR_RMOD);
	clk += 2 * S;
	CHECK_EQ(dw_wdt_check(&w), 2 * S);
	CHECK_EQ(rd(DW_WDT_STAT), 1);
	CHECK_EQ(fired, 0);
	CHECK_EQ(rd(DW_WDT_EOI), 0);
	CHECK_EQ(rd(DW_WDT_STAT), 0);
	clk += 2 * S;
	CHECK_EQ(dw_wdt_check(&w), 2 * S);
	CHECK_EQ(fired, 0);
	clk += 2 * S;
	CHECK_EQ(dw_wdt_check(&w), -1);
	CHECK_EQ(fired, 1);
	/* A late look that skipped both stages stops at once as well. */
	fresh();
	wr(DW_WDT_CR, DW_WDT_CR_EN | DW_WDT_CR_RMOD);
	clk += 1000 * S;
	CHECK_EQ(dw_wdt_check(&w), -1);
	CHECK_EQ(fired, 1);
}

TEST(pause_holds_the_count)
{
	fresh();
	linux_start(3);   /* 8 s */
	clk += 6 * S;
	dw_wdt_hold(&w, 5 * S);   /* 5 of those 6 s the domain was paused */
	CHECK_EQ(dw_wdt_check(&w), 7 * S);
	dw_wdt_hold(&w, -S);      /* nonsense is ignored */
	dw_wdt_hold(&w, INT64_MAX);
	CHECK_EQ(dw_wdt_check(&w), 7 * S);
	/* Disabled: a hold is nothing. */
	fresh();
	dw_wdt_hold(&w, 5 * S);
	linux_start(0);
	CHECK_EQ(dw_wdt_check(&w), S);
}

TEST(failed_stop_is_retried)
{
	fresh();
	linux_start(0);
	fail_stop = 1;
	clk += S;
	CHECK_EQ(dw_wdt_check(&w), S);
	CHECK_EQ(fired, 1);
	CHECK_EQ(dw_wdt_check(&w), S);
	CHECK_EQ(fired, 1);
	fail_stop = 0;
	clk += S;
	CHECK_EQ(dw_wdt_check(&w), -1);
	CHECK_EQ(fired, 2);
}

TEST(hostile_accesses)
{
	fresh();
	srand(7);
	for (int i = 0; i < 200000; i++) {
		uint64_t off = (uint64_t)rand() % (DW_WDT_SIZE + 16);
		unsigned size = 1u << (rand() % 4);
		uint64_t v = (uint64_t)rand() << 32 | (uint64_t)rand();
		if (rand() & 1)
			dw_wdt_mmio_ops.write(&w, off, size, v);
		else
			dw_wdt_mmio_ops.read(&w, off, size);
		clk += rand() % 1000;
		dw_wdt_check(&w);
		CHECK((w.st->cr & ~DW_WDT_CR_MASK) == 0);
		CHECK((w.st->torr & ~0xffu) == 0);
	}
	/* Only aligned 4-byte accesses reach a register. */
	fresh();
	dw_wdt_mmio_ops.write(&w, DW_WDT_CR, 1, DW_WDT_CR_EN);
	dw_wdt_mmio_ops.write(&w, DW_WDT_CR + 1, 4, DW_WDT_CR_EN);
	dw_wdt_mmio_ops.write(&w, DW_WDT_CR, 8, DW_WDT_CR_EN);
	CHECK_EQ(rd(DW_WDT_CR), 0);
	CHECK_EQ(dw_wdt_mmio_ops.read(&w, DW_WDT_COMP_TYPE, 2), 0);
}

/* A successor takes the state over; the time nobody served does not count against the guest. */
TEST(successor_resumes)
{
	static struct dw_wdt_state slice;
	fresh();
	dw_wdt_bind_state(&w, &slice, 0);
	linux_start(4);   /* 16 s */
	clk += 10 * S;
	CHECK_EQ(dw_wdt_check(&w), 6 * S);
	/* The process dies; 100 s later a successor resumes. */
	clk += 100 * S;
	struct dw_wdt w2;
	dw_wdt_init(&w2, now, expired, NULL);
	dw_wdt_bind_state(&w2, &slice, 1);
	CHECK_EQ(dw_wdt_check(&w2), 6 * S);
	CHECK_EQ(fired, 0);
	/* A damaged file cannot give the registers bits they cannot hold. */
	slice.cr = 0xffffffff;
	slice.torr = 0xffffffff;
	slice.stat = 77;
	dw_wdt_bind_state(&w2, &slice, 1);
	CHECK_EQ(slice.cr, DW_WDT_CR_MASK);
	CHECK_EQ(slice.torr, 0xff);
	CHECK_EQ(slice.stat, 1);
}

int main(void)
{
	check_suite = "dm_dw_wdt";
	RUN(probe_registers);
	RUN(expires_without_kicks);
	RUN(kicks_keep_it_alive);
	RUN(top_init_then_top);
	RUN(enable_cannot_be_cleared);
	RUN(interrupt_mode_two_stages);
	RUN(pause_holds_the_count);
	RUN(failed_stop_is_retried);
	RUN(hostile_accesses);
	RUN(successor_resumes);
	return CHECK_DONE();
}
