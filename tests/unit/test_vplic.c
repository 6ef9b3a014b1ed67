// SPDX-License-Identifier: MIT
/* test_vplic.c: host tests of Dom0's virtual PLIC (microvisor/vplic.c). */
#include "check.h"
#include "vplic.h"

static struct vplic p;
static int lines[VPLIC_MAX_CONTEXTS], line_calls;
static unsigned completed[8], nr_completed;

static void set_line(void *ctx, unsigned c, bool level) { (void)ctx; lines[c] = level; line_calls++; }
static void complete(void *ctx, unsigned s) { (void)ctx; if (nr_completed < 8) completed[nr_completed++] = s; }

#define PRIO(s)      (VPLIC_PRIORITY_BASE + 4ul * (s))
#define ENABLE(c, w) (VPLIC_ENABLE_BASE + VPLIC_ENABLE_STRIDE * (c) + 4ul * (w))
#define THRESH(c)    (VPLIC_CONTEXT_BASE + VPLIC_CONTEXT_STRIDE * (c) + VPLIC_THRESHOLD)
#define CLAIM(c)     (VPLIC_CONTEXT_BASE + VPLIC_CONTEXT_STRIDE * (c) + VPLIC_CLAIM)

static void setup(unsigned nr_contexts)
{
	static const struct vplic_ops ops = { set_line, complete, NULL };
	memset(lines, 0, sizeof(lines));
	line_calls = 0, nr_completed = 0;
	vplic_init(&p, nr_contexts, &ops);
	vplic_add_source(&p, 1);
	vplic_add_source(&p, 8);
	vplic_add_source(&p, 48);
}

TEST(raise_claim_complete)
{
	setup(4);
	vplic_write(&p, PRIO(8), 4, 1);
	vplic_write(&p, ENABLE(1, 0), 4, 1u << 8);
	CHECK_EQ(lines[1], 0);
	vplic_raise(&p, 8);
	CHECK_EQ(lines[1], 1);
	CHECK_EQ(lines[3], 0);   /* not enabled there */
	CHECK_EQ(vplic_read(&p, VPLIC_PENDING_BASE, 4), 1u << 8);
	CHECK_EQ(vplic_read(&p, CLAIM(1), 4), 8);
	CHECK_EQ(lines[1], 0);
	CHECK_EQ(vplic_read(&p, VPLIC_PENDING_BASE, 4), 0);
	/* Raised again while claimed: latched, not delivered before the completion. */
	vplic_raise(&p, 8);
	CHECK_EQ(lines[1], 0);
	CHECK_EQ(vplic_read(&p, CLAIM(1), 4), 0);
	vplic_write(&p, CLAIM(1), 4, 8);
	CHECK_EQ(nr_completed, 1);
	CHECK_EQ(completed[0], 8);
	CHECK_EQ(lines[1], 1);
	CHECK_EQ(vplic_read(&p, CLAIM(1), 4), 8);
	vplic_write(&p, CLAIM(1), 4, 8);
	/* Completing what is not claimed does nothing. */
	vplic_write(&p, CLAIM(1), 4, 8);
	vplic_write(&p, CLAIM(1), 4, 1);
	vplic_write(&p, CLAIM(1), 4, 0xffffffffu);
	CHECK_EQ(nr_completed, 2);
}

TEST(priority_threshold_and_ties)
{
	setup(2);
	vplic_write(&p, PRIO(1), 4, 2);
	vplic_write(&p, PRIO(8), 4, 2);
	vplic_write(&p, PRIO(48), 4, 5);
	vplic_write(&p, ENABLE(1, 0), 4, 0xffffffffu);
	vplic_write(&p, ENABLE(1, 1), 4, 0xffffffffu);
	CHECK_EQ(vplic_read(&p, ENABLE(1, 0), 4), (1u << 1) | (1u << 8));   /* only sources that exist */
	CHECK_EQ(vplic_read(&p, ENABLE(1, 1), 4), 1u << 16);
	vplic_raise(&p, 8);
	vplic_raise(&p, 1);
	vplic_raise(&p, 48);
	vplic_write(&p, THRESH(1), 4, 5);
	CHECK_EQ(lines[1], 0);   /* nothing above 5 */
	vplic_write(&p, THRESH(1), 4, 0);
	CHECK_EQ(lines[1], 1);
	CHECK_EQ(vplic_read(&p, CLAIM(1), 4), 48);
	CHECK_EQ(vplic_read(&p, CLAIM(1), 4), 1);    /* equal priorities: the lowest id */
	CHECK_EQ(vplic_read(&p, CLAIM(1), 4), 8);
	CHECK_EQ(vplic_read(&p, CLAIM(1), 4), 0);
	CHECK_EQ(lines[1], 0);
	/* Priority 0 never interrupts; priorities are 3 bits. */
	vplic_write(&p, PRIO(1), 4, 0xf8);
	CHECK_EQ(vplic_read(&p, PRIO(1), 4), 0);
}

TEST(hostile_accesses)
{
	setup(2);
	/* Sources that do not exist, sizes other than 4, misaligned and far offsets. */
	vplic_write(&p, PRIO(2), 4, 7);
	CHECK_EQ(vplic_read(&p, PRIO(2), 4), 0);
	vplic_raise(&p, 2);
	vplic_raise(&p, 0);
	vplic_raise(&p, VPLIC_SOURCES);
	vplic_raise(&p, 0xffffffffu);
	CHECK_EQ(vplic_read(&p, VPLIC_PENDING_BASE, 4), 0);
	vplic_write(&p, PRIO(8), 2, 7);
	vplic_write(&p, PRIO(8) + 1, 4, 7);
	CHECK_EQ(vplic_read(&p, PRIO(8), 4), 0);
	vplic_write(&p, PRIO(8), 4, 7);
	CHECK_EQ(vplic_read(&p, PRIO(8), 8), 0);
	CHECK_EQ(vplic_read(&p, PRIO(8), 1), 0);
	/* Contexts beyond the vCPUs', and the whole window's end, read 0 and ignore writes. */
	vplic_write(&p, ENABLE(2, 0), 4, ~0u);
	vplic_write(&p, ENABLE(VPLIC_MAX_CONTEXTS, 0), 4, ~0u);
	CHECK_EQ(vplic_read(&p, ENABLE(2, 0), 4), 0);
	CHECK_EQ(vplic_read(&p, CLAIM(2), 4), 0);
	CHECK_EQ(vplic_read(&p, ENABLE(1, VPLIC_WORDS), 4), 0);
	CHECK_EQ(vplic_read(&p, VPLIC_SIZE - 4, 4), 0);
	CHECK_EQ(vplic_read(&p, VPLIC_SIZE, 4), 0);
	CHECK_EQ(vplic_read(&p, ~0ul - 3, 4), 0);
	vplic_write(&p, ~0ul - 3, 4, 8);
	vplic_write(&p, VPLIC_PENDING_BASE, 4, ~0u);   /* pending is read-only */
	CHECK_EQ(vplic_read(&p, VPLIC_PENDING_BASE, 4), 0);
	CHECK_EQ(line_calls, 0);
	/* More contexts than it keeps: capped. */
	setup(1000);
	CHECK_EQ(p.nr_contexts, VPLIC_MAX_CONTEXTS);
}

TEST(lines_change_only_on_change)
{
	setup(4);
	vplic_write(&p, PRIO(48), 4, 1);
	vplic_write(&p, ENABLE(1, 1), 4, 1u << 16);
	vplic_write(&p, ENABLE(3, 1), 4, 1u << 16);
	vplic_raise(&p, 48);
	CHECK_EQ(line_calls, 2);
	CHECK(lines[1] && lines[3]);
	vplic_raise(&p, 48);   /* already pending */
	CHECK_EQ(line_calls, 2);
	/* The other context claims it: both lines drop. */
	CHECK_EQ(vplic_read(&p, CLAIM(3), 4), 48);
	CHECK(!lines[1] && !lines[3]);
	CHECK_EQ(line_calls, 4);
	/* Disabling while pending lowers the line; enabling raises it again. */
	vplic_write(&p, CLAIM(3), 4, 48);
	vplic_raise(&p, 48);
	vplic_write(&p, ENABLE(1, 1), 4, 0);
	vplic_write(&p, ENABLE(3, 1), 4, 0);
	CHECK(!lines[1] && !lines[3]);
	vplic_write(&p, ENABLE(1, 1), 4, 1u << 16);
	CHECK(lines[1]);
}

int main(void)
{
	check_suite = "vplic";
	RUN(raise_claim_complete);
	RUN(priority_threshold_and_ties);
	RUN(hostile_accesses);
	RUN(lines_change_only_on_change);
	return CHECK_DONE();
}
