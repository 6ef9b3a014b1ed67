// SPDX-License-Identifier: MIT
/* pin.c: every vCPU reports, ten times, which physical hart runs it (Rivet hypercall), to show pinning. */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/hsm.h"
#include "lib/print.h"
#include "lib/sbi.h"

#define NR_ROUNDS   10
#define ROUND_MS    20
#define STOP_WAIT_MS 10000

static int on_rivet;

static void report_rounds(unsigned long vcpu)
{
	int round;

	for (round = 0; round < NR_ROUNDS; round++) {
		delay_ticks(ROUND_MS * TICKS_PER_MS);
		if (on_rivet) {
			struct sbiret r = rivet_hc_current_hart();

			if (r.error)
				printf("pin: FAIL vcpu %lu current_hart: error %ld\n", vcpu, r.error);
			else
				printf("pin: vcpu %lu on hart %ld\n", vcpu, r.value);
		} else {
			printf("pin: vcpu %lu on hart ?\n", vcpu);
		}
	}
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	report_rounds(hartid);
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long harts, h;
	struct sbiret r;

	(void)dtb;
	print_set_console(PRINT_DBCN);
	r = sbi_probe_extension(RIVET_SBI_EXT);
	on_rivet = r.error == SBI_SUCCESS && r.value != 0;

	harts = hsm_probe_harts() & ~(1UL << hartid);
	for (h = 0; h < GUEST_MAX_HARTS; h++) {
		if (!(harts & (1UL << h)))
			continue;
		r = sbi_hart_start(h, (unsigned long)secondary_entry, 0);
		if (r.error) {
			printf("pin: FAIL vcpu %lu hart_start: error %ld\n", h, r.error);
			harts &= ~(1UL << h);
		}
	}
	report_rounds(hartid);
	for (h = 0; h < GUEST_MAX_HARTS; h++)
		if ((harts & (1UL << h)) && hsm_wait_status(h, SBI_HSM_STOPPED, STOP_WAIT_MS))
			printf("pin: FAIL vcpu %lu did not stop\n", h);
	printf("pin: done\n");
	return 0;
}
