// SPDX-License-Identifier: MIT
/* timer.c: timer guest: ten SBI set_timer ticks taken as interrupts, then the same with Sstc stimecmp. */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/sbi.h"
#include "lib/trap.h"

#define NR_TICKS       10
#define NR_SSTC_TICKS  3
#define TICK_MS        10

static volatile int nr_ticks;
static volatile int use_sstc;
static volatile int sstc_missing;
static int nr_errors;

static void on_timer(struct trap_frame *f)
{
	(void)f;
	nr_ticks++;
	if (use_sstc)
		csr_write(CSR_STIMECMP, ~0UL);
	else
		sbi_set_timer(~0UL);
}

/* Only the stimecmp probe may fault: csrr is a 4-byte instruction, skip it. */
static int on_exception(struct trap_frame *f)
{
	if (f->scause != EXC_ILLEGAL_INSN)
		return 0;
	sstc_missing = 1;
	f->sepc += 4;
	return 1;
}

/* wfi with SIE clear still wakes on a pending, enabled STIP; then let it in. */
static void wait_ticks(int target)
{
	while (nr_ticks < target) {
		wfi();
		csr_set(sstatus, SSTATUS_SIE);
		csr_clear(sstatus, SSTATUS_SIE);
	}
}

static void one_tick(const char *label, int n)
{
	unsigned long start = rdtime();
	unsigned long deadline = start + TICK_MS * TICKS_PER_MS;
	unsigned long end;

	if (use_sstc) {
		csr_write(CSR_STIMECMP, deadline);
	} else {
		struct sbiret r = sbi_set_timer(deadline);

		if (r.error) {
			printf("timer: FAIL set_timer: error %ld\n", r.error);
			nr_errors++;
			return;
		}
	}
	wait_ticks(nr_ticks + 1);
	end = rdtime();
	if (end < deadline) {
		printf("timer: FAIL %stick %d early: %lu of %lu ticks elapsed\n", label, n,
		       end - start, deadline - start);
		nr_errors++;
	} else {
		printf("timer: %stick %d\n", label, n);
	}
}

int main(unsigned long hartid, unsigned long dtb)
{
	int n;

	(void)hartid;
	(void)dtb;
	print_set_console(PRINT_LEGACY);
	trap_init();
	trap_set_irq(IRQ_S_TIMER, on_timer);
	trap_set_exception(on_exception);
	csr_set(sie, SIE_STIE);

	for (n = 1; n <= NR_TICKS; n++)
		one_tick("", n);
	if (!nr_errors)
		printf("timer: %d ticks ok\n", NR_TICKS);

	(void)csr_read(CSR_STIMECMP);
	if (sstc_missing) {
		printf("timer: sstc not available\n");
	} else {
		int errors = nr_errors;

		use_sstc = 1;
		for (n = 1; n <= NR_SSTC_TICKS; n++)
			one_tick("sstc ", n);
		if (nr_errors == errors)
			printf("timer: sstc %d ticks ok\n", NR_SSTC_TICKS);
	}
	printf("timer: done\n");
	return 0;
}
