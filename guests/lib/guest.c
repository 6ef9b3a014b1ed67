// SPDX-License-Identifier: MIT
/* guest.c: shutdown, hart stop and busy-wait helpers shared by every guest. */
#include "guest.h"
#include "csr.h"
#include "sbi.h"

void delay_ticks(unsigned long ticks)
{
	unsigned long start = rdtime();

	while (rdtime() - start < ticks)
		;
}

void guest_shutdown(void)
{
	sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_NO_REASON);
	sbi_legacy_shutdown();
	for (;;)
		wfi();
}

void guest_hart_stop(void)
{
	sbi_hart_stop();
	for (;;)
		wfi();
}

/* Guests that never start secondaries need not define secondary_main. */
__attribute__((weak)) void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
}
