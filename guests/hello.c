// SPDX-License-Identifier: MIT
/* hello.c: the smallest guest: a greeting, five paced lines, shutdown. Built twice (hello, hello2). */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/sbi.h"

#ifndef HELLO_NAME
#define HELLO_NAME "hello"
#endif

int main(unsigned long hartid, unsigned long dtb)
{
	int n;

	(void)dtb;
#ifdef HELLO_DBCN
	print_set_console(PRINT_DBCN);
#else
	print_set_console(PRINT_LEGACY);
#endif
#ifdef HELLO_STAMP
	/* The first line carries the time since the machine's reset: make bench reads it. */
	printf(HELLO_NAME " from vcpu %lu at tick %lu\n", hartid, csr_read(time));
#else
	printf(HELLO_NAME " from vcpu %lu\n", hartid);
#endif
	for (n = 1; n <= 5; n++) {
		delay_ticks(10 * TICKS_PER_MS);
		printf(HELLO_NAME ": %d\n", n);
	}
	printf(HELLO_NAME ": done\n");
#ifdef HELLO_REBOOT
	/* Ask for a cold reboot: the domain's on_reboot decides what follows. */
	printf(HELLO_NAME ": rebooting\n");
	sbi_system_reset(SBI_SRST_COLD_REBOOT, 0);
	printf(HELLO_NAME ": FAIL reboot returned\n");
#endif
#ifdef HELLO_HART_STOP
	/* Stop the only vCPU: with nobody left to start it, the domain is over. */
	printf(HELLO_NAME ": stopping my only vcpu\n");
	sbi_hart_stop();
	printf(HELLO_NAME ": FAIL hart_stop returned\n");
#endif
	return 0;
}
