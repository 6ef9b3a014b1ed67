// SPDX-License-Identifier: MIT
/*
 * ipistorm.c: a hostile IPI storm on one hart. Four vCPUs share it (its
 * config pins them to hart 0): vCPU 0 and vCPU 1 ping-pong IPIs for
 * STORM_MS of guest time, so each IPI hands the hart to the other (Rivet's
 * directed yield); vCPU 2 sleeps in WFI and counts the IPIs it gets as a
 * second target; vCPU 3 is never started. For the first PURE_MS the two
 * only send each other single IPIs and never block or spin: the other
 * domains on the hart get their share only if a yield keeps the slice it
 * was given, and the test checks that they finish before "pure storm over".
 * After that, vCPU 0 also sends to itself, to the stopped vCPU 3, to every
 * vCPU at once and to two targets on its hart, vCPU 1 to the stopped vCPU,
 * and vCPU 0 now and then spins past a slice first, so vCPU 1 sleeps in WFI
 * when the next IPI comes. The storm must not lose an IPI either: each
 * round waits for its answer.
 */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/sbi.h"

#define STORM_MS      2000
#define PURE_MS       1500
#define SPIN_EVERY    256    /* rounds between vCPU 0's spins past a time slice, after PURE_MS */
#define SPIN_MS       15     /* longer than Rivet's 10 ms slice */

static volatile unsigned long turn;       /* whose move it is: 0 or 1 */
static volatile unsigned long started[3];
static volatile unsigned long got[3];     /* IPIs each vCPU saw */
static volatile unsigned long stop;
static volatile int pure = 1;             /* the first PURE_MS: single IPIs between 0 and 1 only */

/* Until this vCPU's IPI is pending (WFI, which blocks it), then takes it. */
static void take_ipi(unsigned long me)
{
	while (!(csr_read(sip) & SIP_SSIP))
		__asm__ volatile("wfi");
	csr_clear(sip, SIP_SSIP);
	got[me]++;
}

static void check(struct sbiret r, const char *what)
{
	if (r.error)
		printf("ipistorm: FAIL %s: error %ld\n", what, r.error);
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	csr_set(sie, SIE_SSIE);
	started[hartid] = 1;
	if (hartid == 2) {
		/* Only a second target: it answers nothing, it only counts. */
		for (;;)
			take_ipi(2);
	}
	for (unsigned long n = 0; !stop; n++) {
		take_ipi(1);
		if (turn != 1)
			continue;
		if (!pure && n % 7 == 3)
			check(sbi_send_ipi(1UL << 3, 0), "ipi to the stopped vcpu 3");
		turn = 0;
		check(sbi_send_ipi(1, 0), "ipi to vcpu 0");
	}
	guest_hart_stop();
}

int main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	print_set_console(PRINT_DBCN);
	csr_set(sie, SIE_SSIE);
	for (unsigned long h = 1; h <= 2; h++) {
		check(sbi_hart_start(h, (unsigned long)secondary_entry, 0), "hart_start");
		while (!started[h])
			;
	}
	printf("ipistorm: storm begins\n");
	unsigned long t0 = csr_read(time), rounds = 0, selfs = 0;
	while (csr_read(time) - t0 < STORM_MS * TICKS_PER_MS) {
		if (pure && csr_read(time) - t0 >= PURE_MS * TICKS_PER_MS) {
			printf("ipistorm: pure storm over\n");
			pure = 0;
		}
		turn = 1;
		switch (pure ? 0 : rounds % 5) {
		case 0:  check(sbi_send_ipi(1UL << 1, 0), "ipi to vcpu 1"); break;
		case 1:  check(sbi_send_ipi(0xf, 0), "ipi to all four"); break;           /* 3 is stopped */
		case 2:  check(sbi_send_ipi(0, -1UL), "ipi to every hart"); break;
		case 3:  check(sbi_send_ipi((1UL << 2) | (1UL << 1), 0), "ipi to 1 and 2"); break;
		default: check(sbi_send_ipi(1UL << 1, 0), "ipi to vcpu 1"); break;
		}
		/* To itself and the stopped one: answered by nobody, a yield to nobody. */
		if (!pure && rounds % 11 == 5) {
			check(sbi_send_ipi(1UL << 3, 0), "ipi to the stopped vcpu 3");
			check(sbi_send_ipi(1, 0), "ipi to itself");
			take_ipi(0);
			selfs++;
		}
		while (turn != 0)
			take_ipi(0);
		rounds++;
		/* Past a slice without yielding: vCPU 1 goes to sleep in WFI, and the next IPI wakes it. */
		if (!pure && rounds % SPIN_EVERY == 0)
			delay_ticks(SPIN_MS * TICKS_PER_MS);
	}
	stop = 1;
	turn = 1;
	check(sbi_send_ipi(1UL << 1, 0), "last ipi to vcpu 1");
	printf("ipistorm: %lu rounds, %lu to itself, vcpu 2 got %s\n", rounds, selfs,
	       got[2] ? "some" : "none");
	printf("ipistorm: done\n");
	return 0;
}
