// SPDX-License-Identifier: MIT
/*
 * bench.c: micro-benchmarks of the microvisor seen from a guest: instructions
 * per null SBI call, and per vCPU switch in an IPI ping-pong between two
 * vCPUs that share one hart (its config pins both to hart 0), without and
 * then with SBI STA records registered (what the steal-time update adds), and
 * per read of an SBI PMU counter (last: once the guest uses the PMU, Rivet
 * traps its instret reads, which until then measured the whole machine).
 * Given more vCPUs (benchscan*.cfg), it parks the others in WFI with no
 * interrupt enabled, so that each switch's scan of the run queue visits
 * them too: the scheduler's decision cost.
 */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/sbi.h"

#define NULL_CALLS   2000
#define PINGPONGS    500
#define PMU_READS    2000
#define EV_INSTRUCTIONS ((SBI_PMU_EVENT_TYPE_HW << SBI_PMU_EVENT_TYPE_SHIFT) | SBI_PMU_HW_INSTRUCTIONS)
#define CTR_INSTRET  2

static volatile unsigned long turn;      /* whose move it is: 0 or 1 */
static volatile unsigned long pong_ready;
static volatile unsigned long want_sta;  /* vCPU 1 registers its record at its next move */
static struct sbi_sta_struct sta_rec[2] __attribute__((aligned(64)));

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	if (hartid >= 2) {
		/* Parked: blocked for good (nothing enabled), but on the run queue. */
		for (;;)
			__asm__ volatile("wfi");
	}
	csr_set(sie, SIE_SSIE);
	pong_ready = 1;
	for (;;) {
		wait_ipi();
		if (turn != 1)
			continue;
		if (want_sta == 1)
			want_sta = sbi_sta_set_shmem((unsigned long)&sta_rec[1], 0, 0).error ? 3 : 2;
		turn = 0;
		sbi_send_ipi(1, 0);
	}
}

/* Instructions per instret read with the PMU counting: a trapped, emulated read under Rivet. */
static void pmu_read_cost(void)
{
	struct sbiret r = sbi_pmu_counter_config_matching(CTR_INSTRET, 1, SBI_PMU_CFG_FLAG_CLEAR_VALUE |
							  SBI_PMU_CFG_FLAG_AUTO_START, EV_INSTRUCTIONS, 0);
	if (r.error) {
		printf("bench: pmu counter read: skipped (error %ld)\n", r.error);
		return;
	}
	unsigned long first = csr_read(instret), last = first;
	for (int i = 0; i < PMU_READS; i++)
		last = csr_read(instret);
	/* The loop's own csrr, addi and bne included. */
	printf("bench: pmu counter read: %lu instructions\n", (last - first) / PMU_READS);
}

/* PINGPONGS round trips of IPIs between vCPU 0 and vCPU 1: instructions and ticks in all. */
static void pingpong(unsigned long *insns, unsigned long *ticks)
{
	unsigned long i0 = csr_read(instret), t0 = csr_read(time);

	for (int i = 0; i < PINGPONGS; i++) {
		turn = 1;
		sbi_send_ipi(2, 0);
		while (turn != 0)
			wait_ipi();
	}
	*insns = csr_read(instret) - i0;
	*ticks = csr_read(time) - t0;
}

int main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	print_set_console(PRINT_DBCN);
	for (int i = 0; i < 10; i++)
		sbi_get_spec_version();
	unsigned long i0 = csr_read(instret);
	for (int i = 0; i < NULL_CALLS; i++)
		sbi_get_spec_version();
	unsigned long per_call = (csr_read(instret) - i0) / NULL_CALLS;
	printf("bench: null sbi call: %lu instructions\n", per_call);

	csr_set(sie, SIE_SSIE);
	if (sbi_hart_start(1, (unsigned long)secondary_entry, 0).error) {
		printf("bench: ipi ping-pong: skipped (no second vcpu)\n");
		pmu_read_cost();
		return 0;
	}
	while (!pong_ready)
		;
	unsigned parked = 0;
	while (sbi_hart_start(2 + parked, (unsigned long)secondary_entry, 0).error == 0)
		parked++;
	if (parked)
		printf("bench: %u more vcpus parked\n", parked);
	unsigned long insns, ticks;
	pingpong(&insns, &ticks);   /* warm-up, as before the figure with steal time */
	pingpong(&insns, &ticks);
	/* Each round trip switches vCPUs twice. */
	printf("bench: vcpu switch: %lu instructions (%lu ticks per round trip)\n",
	       insns / (2 * PINGPONGS), ticks / PINGPONGS);

	struct sbiret r = sbi_probe_extension(SBI_EXT_STA);
	if (r.error || !r.value || sbi_sta_set_shmem((unsigned long)&sta_rec[0], 0, 0).error) {
		printf("bench: vcpu switch with steal time: skipped (no STA)\n");
	} else {
		want_sta = 1;
		pingpong(&insns, &ticks);   /* a warm-up round in which vCPU 1 registers */
		if (want_sta != 2) {
			printf("bench: vcpu switch with steal time: vCPU 1 could not register\n");
		} else {
			pingpong(&insns, &ticks);
			printf("bench: vcpu switch with steal time: %lu instructions (%lu ticks per round trip)\n",
			       insns / (2 * PINGPONGS), ticks / PINGPONGS);
		}
	}
	pmu_read_cost();
	printf("bench: done\n");
	return 0;
}
