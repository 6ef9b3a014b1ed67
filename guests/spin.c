// SPDX-License-Identifier: MIT
/*
 * spin.c: a busy guest that measures the share of its hart it gets. Machine
 * time (the time CSR, the same for every domain) is cut into intervals of
 * SPIN_INTERVAL_MS on absolute boundaries, so that domains started a little
 * apart still measure the same intervals; in each it counts the work units
 * it completes and prints "spin: interval I: N units". After SPIN_INTERVALS
 * of them it says "spin: done" and shuts its domain down. The scheduling
 * tests compare the units of domains sharing a hart: their ratio is the
 * ratio of their shares, however fast the hart itself runs.
 */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/print.h"

#define SPIN_INTERVAL_MS 250
#define SPIN_INTERVALS   8
#define SPIN_UNIT_STEPS  256

static unsigned long state = 88172645463325252UL;

/* One work unit: a few hundred instructions of xorshift, kept alive through state. */
static void unit(void)
{
	unsigned long x = state;
	for (int i = 0; i < SPIN_UNIT_STEPS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	state = x;
}

int main(unsigned long hartid, unsigned long dtb)
{
	const unsigned long len = SPIN_INTERVAL_MS * TICKS_PER_MS;
	(void)hartid;
	(void)dtb;
	print_set_console(PRINT_LEGACY);
	/* The first boundary after the next one: time to print the greeting first. */
	unsigned long edge = (csr_read(time) / len + 2) * len;
	printf("spin: from tick %lu, intervals of %d ms\n", csr_read(time), SPIN_INTERVAL_MS);
	while (csr_read(time) < edge)
		unit();
	for (int i = 0; i < SPIN_INTERVALS; i++) {
		unsigned long units = 0, end = edge + len;
		while (csr_read(time) < end) {
			unit();
			units++;
		}
		edge = end;
		printf("spin: interval %d: %lu units\n", i, units);
	}
	printf("spin: done (%lx)\n", state);
	guest_shutdown();
}
