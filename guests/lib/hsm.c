// SPDX-License-Identifier: MIT
/* hsm.c: finds which hart ids exist and waits for HSM state changes, with a bound. */
#include "hsm.h"
#include "csr.h"
#include "guest.h"
#include "sbi.h"

unsigned long hsm_probe_harts(void)
{
	unsigned long mask = 0, h;

	for (h = 0; h < GUEST_MAX_HARTS; h++)
		if (sbi_hart_get_status(h).error == SBI_SUCCESS)
			mask |= 1UL << h;
	return mask;
}

int hsm_wait_status(unsigned long hartid, long status, unsigned long timeout_ms)
{
	unsigned long start = rdtime();

	do {
		struct sbiret r = sbi_hart_get_status(hartid);

		if (r.error == SBI_SUCCESS && r.value == status)
			return 0;
	} while (rdtime() - start < timeout_ms * TICKS_PER_MS);
	return -1;
}
