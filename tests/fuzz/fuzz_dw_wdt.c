// SPDX-License-Identifier: MIT
/*
 * fuzz_dw_wdt.c: fuzzer bytes as a guest's register accesses to the
 * watchdog (tools/dm/dw_wdt.c), with the clock moving, pauses, failed stops
 * and a successor resuming the state mixed in.
 *
 * Input: a sequence of actions (op 1, then its arguments), until the bytes
 * run out (at most MAX_ACTIONS).
 *
 * Beyond ASan/UBSan, the device is checked against a model written from the
 * DesignWare databook's rules (dw_wdt.h): when the domain must be stopped
 * (and never more than once per successful stop), what the count reads,
 * that the enable bit sticks, and that registers hold only their bits.
 */
#include <string.h>

#include "fuzz.h"
#include "dw_wdt.h"

#define MAX_ACTIONS 256
#define S           1000000000LL

enum { ACT_READ, ACT_WRITE, ACT_KICK, ACT_TIME, ACT_HOLD, ACT_CHECK, ACT_FAILING, ACT_RESUME, NR_ACTS };

static int64_t clk;
static int stops, fail_stop;
static struct dw_wdt w;
static struct dw_wdt_state slice;

/* The model. */
static struct {
	uint32_t cr, torr, stat;
	int fired;
	int64_t deadline;
	int64_t seen;   /* the device's last look at the clock: a successor does not count what follows */
} m;

static int running(void) { return (m.cr & DW_WDT_CR_EN) && !m.fired; }

static int64_t now(void *ctx) { (void)ctx; return clk; }
static int expired(void *ctx) { (void)ctx; if (fail_stop) return -1; stops++; return 0; }

static void model_check(void)
{
	if (running())
		m.seen = clk;
	while ((m.cr & DW_WDT_CR_EN) && !m.fired && clk >= m.deadline) {
		if ((m.cr & DW_WDT_CR_RMOD) && !m.stat) {
			m.stat = 1;
			m.deadline += dw_wdt_period_ns(m.torr & DW_WDT_TORR_TOP);
			continue;
		}
		if (fail_stop) {
			m.deadline = clk + S;
			break;
		}
		m.fired = 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };

	clk = 1000 * S;
	stops = fail_stop = 0;
	memset(&m, 0, sizeof m);
	m.seen = clk;
	dw_wdt_init(&w, now, expired, NULL);
	dw_wdt_bind_state(&w, &slice, 0);
	for (unsigned n = 0; n < MAX_ACTIONS && in.left; n++) {
		unsigned op = fin_u8(&in) % NR_ACTS;
		uint64_t off = fin_u16(&in) % (DW_WDT_SIZE + 8);
		unsigned sz = 1u << (fin_u8(&in) % 4);
		uint32_t v = fin_u32(&in);
		int64_t dt = (int64_t)(fin_u32(&in) % (200000u)) * 1000000;   /* up to 200 s */
		int reg = sz == 4 && !(off & 3) && !m.fired;

		switch (op) {
		case ACT_READ: {
			uint64_t got = dw_wdt_mmio_ops.read(&w, off, sz);
			if (sz != 4 || (off & 3)) {
				FUZZ_CHECK(got == 0, "a %u-byte read at %#llx gave %#llx", sz, (unsigned long long)off,
					   (unsigned long long)got);
				break;
			}
			if (off == DW_WDT_CR)
				FUZZ_CHECK(got == m.cr, "CR %#llx, model %#x", (unsigned long long)got, m.cr);
			if (off == DW_WDT_TORR)
				FUZZ_CHECK(got == m.torr, "TORR %#llx, model %#x", (unsigned long long)got, m.torr);
			if (off == DW_WDT_STAT)
				FUZZ_CHECK(got == m.stat, "STAT %#llx, model %#x", (unsigned long long)got, m.stat);
			if (off == DW_WDT_EOI)
				m.stat = 0;
			if (off == DW_WDT_CCVR) {
				int64_t left = running() ? m.deadline - clk : 0;
				if (running())
					m.seen = clk;
				uint64_t want = left > 0 ? (uint64_t)left * DW_WDT_CLOCK_HZ / S : 0;
				FUZZ_CHECK(got == want, "CCVR %#llx, model %#llx", (unsigned long long)got,
					   (unsigned long long)want);
			}
			break;
		}
		case ACT_WRITE:
			dw_wdt_mmio_ops.write(&w, off, sz, v);
			if (!reg)
				break;
			if (off == DW_WDT_CR) {
				uint32_t was = m.cr;
				m.cr = (v & DW_WDT_CR_MASK) | (was & DW_WDT_CR_EN);
				if (!(was & DW_WDT_CR_EN) && (m.cr & DW_WDT_CR_EN)) {
					m.stat = 0;
					m.seen = clk;
					m.deadline = clk + dw_wdt_period_ns((m.torr >> DW_WDT_TORR_INIT_SHIFT) & 0xf);
				}
			} else if (off == DW_WDT_TORR) {
				m.torr = v & 0xff;
			} else if (off == DW_WDT_CRR && (v & 0xff) == DW_WDT_KICK && (m.cr & DW_WDT_CR_EN)) {
				m.stat = 0;
				m.seen = clk;
				m.deadline = clk + dw_wdt_period_ns(m.torr & DW_WDT_TORR_TOP);
			}
			break;
		case ACT_KICK:
			dw_wdt_mmio_ops.write(&w, DW_WDT_CRR, 4, DW_WDT_KICK);
			if (running()) {
				m.stat = 0;
				m.seen = clk;
				m.deadline = clk + dw_wdt_period_ns(m.torr & DW_WDT_TORR_TOP);
			}
			break;
		case ACT_TIME:
			clk += dt;
			break;
		case ACT_HOLD:
			dw_wdt_hold(&w, dt);
			if ((m.cr & DW_WDT_CR_EN) && dt > 0)
				m.deadline += dt;
			break;
		case ACT_CHECK: {
			int64_t r = dw_wdt_check(&w);
			model_check();
			FUZZ_CHECK(stops == m.fired, "%d stops, model %d", stops, m.fired);
			if (!(m.cr & DW_WDT_CR_EN) || m.fired)
				FUZZ_CHECK(r == -1, "check gave %lld, the model has nothing to wait for", (long long)r);
			else
				FUZZ_CHECK(r == m.deadline - clk && r > 0, "check gave %lld, model %lld", (long long)r,
					   (long long)(m.deadline - clk));
			break;
		}
		case ACT_FAILING:
			fail_stop = v & 1;
			break;
		case ACT_RESUME: {
			/* A successor takes the arena over dt later: that time does not count. */
			clk += dt;
			struct dw_wdt w2;
			dw_wdt_init(&w2, now, expired, NULL);
			dw_wdt_bind_state(&w2, &slice, 1);
			w = w2;
			w.st = &slice;
			if ((m.cr & DW_WDT_CR_EN) && clk - m.seen > 0)
				m.deadline += clk - m.seen;
			m.seen = clk;
			break;
		}
		}
		FUZZ_CHECK((w.st->cr & ~DW_WDT_CR_MASK) == 0 && (w.st->torr & ~0xffu) == 0 && w.st->stat <= 1,
			   "a register holds bits it has not");
		FUZZ_CHECK(stops <= 1, "the domain was stopped %d times", stops);
	}
	return 0;
}
