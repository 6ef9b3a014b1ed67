// SPDX-License-Identifier: MIT
/* smp.c: HSM lifecycle guest: starts, pings, stops and restarts every other vCPU, one at a time. */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/hsm.h"
#include "lib/print.h"
#include "lib/sbi.h"
#include "lib/trap.h"

#define OPAQUE_BASE 0x1234UL
#define WAIT_MS     5000

static volatile unsigned long expected_hart = ~0UL;
static volatile int nr_starts[GUEST_MAX_HARTS];
static volatile int ready[GUEST_MAX_HARTS];    /* first start: SSIE on, waiting for the IPI */
static volatile int nr_ipis[GUEST_MAX_HARTS];
static volatile int finished[GUEST_MAX_HARTS]; /* about to hart_stop, per start */
static volatile int nr_errors;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("smp: FAIL %s\n", msg);
	__atomic_fetch_add(&nr_errors, 1, __ATOMIC_RELAXED);
}

static void on_soft(struct trap_frame *f)
{
	(void)f;
	csr_clear(sip, SIP_SSIP);
	nr_ipis[this_hart()]++;
}

static int wait_flag(volatile int *flag, int value)
{
	unsigned long start = rdtime();

	while (*flag < value)
		if (rdtime() - start > WAIT_MS * TICKS_PER_MS)
			return -1;
	return 0;
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	int start = ++nr_starts[hartid];

	trap_init();
	if (hartid != expected_hart)
		fail("vcpu %lu entered with a0=%lu, expected %lu", hartid, hartid, expected_hart);
	if (opaque != OPAQUE_BASE + hartid)
		fail("vcpu %lu entered with a1=0x%lx, expected 0x%lx", hartid, opaque,
		     OPAQUE_BASE + hartid);

	if (start == 1) {
		printf("smp: vcpu %lu up opaque=0x%lx\n", hartid, opaque);
		csr_set(sie, SIE_SSIE);
		__atomic_store_n(&ready[hartid], 1, __ATOMIC_RELEASE);
		/* wfi with SIE clear still wakes on a pending SSIP, so no lost wake-up. */
		while (!nr_ipis[hartid]) {
			wfi();
			csr_set(sstatus, SSTATUS_SIE);
			csr_clear(sstatus, SSTATUS_SIE);
		}
		csr_clear(sie, SIE_SSIE);
		printf("smp: vcpu %lu got ipi\n", hartid);
	} else {
		printf("smp: vcpu %lu restarted\n", hartid);
	}
	__atomic_store_n(&finished[hartid], start, __ATOMIC_RELEASE);
}

static void start_hart(unsigned long h)
{
	struct sbiret r = sbi_hart_start(h, (unsigned long)secondary_entry, OPAQUE_BASE + h);

	if (r.error)
		fail("vcpu %lu hart_start: error %ld", h, r.error);
}

static void test_hart(unsigned long h)
{
	struct sbiret r = sbi_hart_get_status(h);

	if (r.error || r.value != SBI_HSM_STOPPED) {
		fail("vcpu %lu status before start: error %ld value %ld, expected STOPPED",
		     h, r.error, r.value);
		return;
	}
	expected_hart = h;
	start_hart(h);
	if (hsm_wait_status(h, SBI_HSM_STARTED, WAIT_MS))
		fail("vcpu %lu never reached STARTED", h);
	if (wait_flag(&ready[h], 1)) {
		fail("vcpu %lu never ran", h);
		return;
	}
	r = sbi_hart_start(h, (unsigned long)secondary_entry, OPAQUE_BASE + h);
	if (r.error != SBI_ERR_ALREADY_AVAILABLE)
		fail("vcpu %lu second hart_start: error %ld, expected %d", h, r.error,
		     SBI_ERR_ALREADY_AVAILABLE);
	r = sbi_send_ipi(1, h);
	if (r.error)
		fail("vcpu %lu send_ipi: error %ld", h, r.error);
	if (wait_flag(&finished[h], 1) || hsm_wait_status(h, SBI_HSM_STOPPED, WAIT_MS)) {
		fail("vcpu %lu did not stop after its ipi", h);
		return;
	}

	start_hart(h);
	if (wait_flag(&finished[h], 2) || hsm_wait_status(h, SBI_HSM_STOPPED, WAIT_MS))
		fail("vcpu %lu did not restart and stop", h);
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long harts, h;
	int nr = 0;

	(void)dtb;
	print_set_console(PRINT_DBCN);
	trap_init();
	trap_set_irq(IRQ_S_SOFT, on_soft);

	harts = hsm_probe_harts();
	for (h = 0; h < GUEST_MAX_HARTS; h++)
		nr += (harts >> h) & 1;
	printf("smp: boot vcpu %lu, %d vcpus\n", hartid, nr);
	if (!(harts & (1UL << hartid)))
		fail("boot vcpu %lu not found by hart_get_status", hartid);

	for (h = 0; h < GUEST_MAX_HARTS; h++)
		if (h != hartid && (harts & (1UL << h)))
			test_hart(h);

	if (nr_errors)
		printf("smp: FAIL %d errors\n", nr_errors);
	else
		printf("smp: all %d vcpus ok\n", nr);
	return 0;
}
