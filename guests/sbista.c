// SPDX-License-Identifier: MIT
/*
 * sbista.c: SBI STA (steal time) guest. vCPU 0 checks set_shmem's errors,
 * then reads its record while vCPU 1, pinned to the same hart (sbista.cfg),
 * spins, blocks in WFI or is stopped: steal must grow only while vCPU 0 is
 * runnable and vCPU 1 holds the hart. One PASS/FAIL line per check.
 */
#include "lib/csr.h"
#include "lib/fdt.h"
#include "lib/guest.h"
#include "lib/hsm.h"
#include "lib/print.h"
#include "lib/sbi.h"

#define RAM_BASE        0x80000000UL
#define ADDR_OUTSIDE    0x1000000000UL   /* 64 GiB: beyond any test domain's RAM */
#define ADDR_MMIO       0x10000000UL     /* the UART: a device, not RAM */
#define NS_PER_TICK     (1000000000UL / TIMEBASE_HZ)
#define NS_PER_MS       1000000UL
#define SPIN_MS         300
#define WFI_MS          200
#define QUIET_NS        (2 * NS_PER_MS)  /* what a wake-up or a mode change may add */
#define STOP_WAIT_MS    2000

/* What vCPU 1 does. */
enum { V1_SPIN = 1, V1_WFI, V1_REGISTER, V1_STOP };

static struct sbi_sta_struct rec0 __attribute__((aligned(64)));
static struct sbi_sta_struct rec1 __attribute__((aligned(64)));
static volatile int mode1, ack1;
static volatile long reg1_error = 1;
static int nr_passed, nr_failed;

static void check(const char *what, int ok, long got, long expected)
{
	if (ok) {
		printf("sta: PASS %s\n", what);
		nr_passed++;
	} else {
		printf("sta: FAIL %s: got %ld, expected %ld\n", what, got, expected);
		nr_failed++;
	}
}

static void expect_error(const char *what, struct sbiret r, long error)
{
	check(what, r.error == error && (error || r.value == 0), r.error, error);
}

static inline void rmb(void) { __asm__ volatile("fence r, r" ::: "memory"); }

/* The reader's side of the spec's protocol: retry while odd or changed. */
static unsigned long read_steal(const volatile struct sbi_sta_struct *r, unsigned *seq)
{
	unsigned s1, s2;
	unsigned long steal;

	do {
		s1 = r->sequence;
		rmb();
		steal = r->steal;
		rmb();
		s2 = r->sequence;
	} while ((s1 & 1) || s1 != s2);
	if (seq)
		*seq = s1;
	return steal;
}

static void spin_ms(unsigned long ms)
{
	delay_ticks(ms * TICKS_PER_MS);
}

/* Blocks in WFI until the timer ms from now (vCPU 0: STIE enabled, SIE off, so no trap). */
static void wfi_ms(unsigned long ms)
{
	unsigned long end = rdtime() + ms * TICKS_PER_MS;

	sbi_set_timer(end);
	while (rdtime() < end)
		wfi();
	sbi_set_timer(~0UL);
}

/* Tells vCPU 1 what to do next and waits (runnable) until it says it does. */
static void set_mode1(int mode)
{
	mode1 = mode;
	sbi_send_ipi(1UL << 1, 0);   /* out of WFI, if it is there */
	while (ack1 != mode)
		;
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
	csr_set(sie, SIE_SSIE);   /* vCPU 0's IPIs end a WFI; SIE stays off: no trap */
	for (;;) {
		int m = mode1;

		/* Registers once, then spins. */
		if (m == V1_REGISTER && reg1_error == 1)
			reg1_error = sbi_sta_set_shmem((unsigned long)&rec1, 0, 0).error;
		ack1 = m;
		if (m == V1_STOP)
			guest_hart_stop();
		if (m == V1_WFI) {
			wfi();
			csr_clear(sip, SIP_SSIP);
		}
	}
}

static void check_errors(unsigned long dtb)
{
	unsigned long rec = (unsigned long)&rec0, ram_end = fdt_ram_end(dtb, RAM_BASE, 0);
	static const unsigned long bad_flags[] = { 1, 1UL << 31, 1UL << 32, 1UL << 63, ~0UL };
	static const unsigned long bad_hi[] = { 1, 1UL << 32, 1UL << 63 };
	unsigned i;

	expect_error("function 1 is not supported", sbi_ecall(SBI_EXT_STA, 1, rec, 0, 0, 0, 0, 0),
		     SBI_ERR_NOT_SUPPORTED);
	for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		printf("sta: flags 0x%lx\n", bad_flags[i]);
		expect_error("flags must be zero", sbi_sta_set_shmem(rec, 0, bad_flags[i]), SBI_ERR_INVALID_PARAM);
		expect_error("flags must be zero to disable", sbi_sta_set_shmem(~0UL, ~0UL, bad_flags[i]),
			     SBI_ERR_INVALID_PARAM);
	}
	expect_error("8-byte aligned record", sbi_sta_set_shmem(rec + 8, 0, 0), SBI_ERR_INVALID_PARAM);
	expect_error("32-byte aligned record", sbi_sta_set_shmem(rec + 32, 0, 0), SBI_ERR_INVALID_PARAM);
	expect_error("lo all ones, hi 0", sbi_sta_set_shmem(~0UL, 0, 0), SBI_ERR_INVALID_PARAM);
	for (i = 0; i < sizeof(bad_hi) / sizeof(bad_hi[0]); i++) {
		printf("sta: hi 0x%lx\n", bad_hi[i]);
		expect_error("hi must be zero on RV64", sbi_sta_set_shmem(rec, bad_hi[i], 0), SBI_ERR_INVALID_ADDRESS);
	}
	expect_error("aligned lo with hi all ones", sbi_sta_set_shmem(~63UL, ~0UL, 0), SBI_ERR_INVALID_ADDRESS);
	expect_error("record outside RAM", sbi_sta_set_shmem(ADDR_OUTSIDE, 0, 0), SBI_ERR_INVALID_ADDRESS);
	expect_error("record at 0", sbi_sta_set_shmem(0, 0, 0), SBI_ERR_INVALID_ADDRESS);
	expect_error("record on a device", sbi_sta_set_shmem(ADDR_MMIO, 0, 0), SBI_ERR_INVALID_ADDRESS);
	expect_error("record wrapping past the top", sbi_sta_set_shmem(~63UL, 0, 0), SBI_ERR_INVALID_ADDRESS);
	expect_error("record just below RAM", sbi_sta_set_shmem(RAM_BASE - 64, 0, 0), SBI_ERR_INVALID_ADDRESS);
	if (ram_end) {
		/* The DTB may live at the top of RAM: it was read above, and is not needed again. */
		expect_error("last record of RAM", sbi_sta_set_shmem(ram_end - 64, 0, 0), SBI_SUCCESS);
		expect_error("record just past RAM", sbi_sta_set_shmem(ram_end, 0, 0), SBI_ERR_INVALID_ADDRESS);
	} else {
		printf("sta: SKIP RAM's end: no memory node in the DTB\n");
	}
	expect_error("disable", sbi_sta_set_shmem(~0UL, ~0UL, 0), SBI_SUCCESS);
	expect_error("disable twice", sbi_sta_set_shmem(~0UL, ~0UL, 0), SBI_SUCCESS);
}

static void check_register(void)
{
	volatile unsigned char *b = (volatile unsigned char *)&rec0;
	int zero = 1;
	unsigned i;

	for (i = 0; i < sizeof(rec0); i++)
		b[i] = 0xff;
	expect_error("register", sbi_sta_set_shmem((unsigned long)&rec0, 0, 0), SBI_SUCCESS);
	for (i = 0; i < sizeof(rec0); i++)
		zero &= b[i] == 0;
	check("record zeroed on registration", zero, 0, 0);
}

/* Steal (ns) that vCPU 0 accrues over f(ms), per the record. */
static unsigned long steal_over(void (*f)(unsigned long), unsigned long ms)
{
	unsigned long before = read_steal(&rec0, 0);

	f(ms);
	return read_steal(&rec0, 0) - before;
}

static void check_steal(void)
{
	unsigned long s, start, elapsed;
	unsigned seq, seq2;
	struct sbiret r;

	s = steal_over(spin_ms, SPIN_MS);
	printf("sta: alone, spinning %d ms: steal %lu us\n", SPIN_MS, s / 1000);
	check("no steal running alone", s <= QUIET_NS, s, QUIET_NS);
	s = steal_over(wfi_ms, WFI_MS);
	printf("sta: alone, in WFI %d ms: steal %lu us\n", WFI_MS, s / 1000);
	check("no steal blocked in WFI alone", s <= QUIET_NS, s, QUIET_NS);

	mode1 = V1_SPIN;
	r = sbi_hart_start(1, (unsigned long)secondary_entry, 0);
	expect_error("start vCPU 1 on the same hart", r, SBI_SUCCESS);
	if (r.error)
		return;
	while (ack1 != V1_SPIN)
		;
	read_steal(&rec0, &seq);
	start = rdtime();
	s = steal_over(spin_ms, SPIN_MS);
	elapsed = (rdtime() - start) * NS_PER_TICK;
	read_steal(&rec0, &seq2);
	printf("sta: sharing the hart, spinning %lu ms: steal %lu ms\n", elapsed / NS_PER_MS, s / NS_PER_MS);
	/* Round-robin with one other busy vCPU: about half; well inside a quarter to three quarters. */
	check("steal grows while vCPU 1 holds the hart", s >= elapsed / 4 && s <= elapsed * 3 / 4, s, elapsed / 2);
	check("sequence advanced and even", seq2 > seq && !(seq2 & 1), seq2, seq + 2);
	check("not preempted while it reads", rec0.preempted == 0, rec0.preempted, 0);
	check("flags stay zero", rec0.flags == 0, rec0.flags, 0);

	s = steal_over(wfi_ms, WFI_MS);
	printf("sta: in WFI %d ms while vCPU 1 spins: steal %lu us\n", WFI_MS, s / 1000);
	/* Only the wait after the timer fires counts, at most about one slice; never the blocked time. */
	check("blocked time is not steal", s < WFI_MS * NS_PER_MS / 4, s, 0);

	set_mode1(V1_WFI);
	s = steal_over(spin_ms, SPIN_MS);
	printf("sta: spinning while vCPU 1 is in WFI: steal %lu us\n", s / 1000);
	check("no steal while the other vCPU blocks", s <= QUIET_NS, s, QUIET_NS);

	expect_error("disable", sbi_sta_set_shmem(~0UL, ~0UL, 0), SBI_SUCCESS);
	read_steal(&rec0, &seq);
	set_mode1(V1_SPIN);
	spin_ms(SPIN_MS / 3);
	read_steal(&rec0, &seq2);
	check("a disabled record is left alone", seq2 == seq, seq2, seq);
}

/* HSM stop and start reset vCPU 1: its registration does not survive that. */
static void check_reset(void)
{
	unsigned long s;
	unsigned seq, seq2;

	set_mode1(V1_REGISTER);
	expect_error("vCPU 1 registers", (struct sbiret){ reg1_error, 0 }, SBI_SUCCESS);
	spin_ms(SPIN_MS / 3);
	set_mode1(V1_STOP);   /* it runs, so its record catches up, and stops */
	check("vCPU 1 stops", !hsm_wait_status(1, SBI_HSM_STOPPED, STOP_WAIT_MS), 0, 0);
	s = read_steal(&rec1, &seq);
	printf("sta: vCPU 1 waited %lu ms for vCPU 0\n", s / NS_PER_MS);
	check("vCPU 1's own steal grows", s >= SPIN_MS / 12 * NS_PER_MS, s, SPIN_MS / 6 * NS_PER_MS);
	mode1 = V1_SPIN;
	ack1 = 0;
	expect_error("vCPU 1 starts again", sbi_hart_start(1, (unsigned long)secondary_entry, 0), SBI_SUCCESS);
	while (ack1 != V1_SPIN)
		;
	spin_ms(SPIN_MS / 3);
	set_mode1(V1_WFI);
	read_steal(&rec1, &seq2);
	check("a reset vCPU's old record is left alone", seq2 == seq, seq2, seq);
	set_mode1(V1_STOP);
	hsm_wait_status(1, SBI_HSM_STOPPED, STOP_WAIT_MS);
}

int main(unsigned long hartid, unsigned long dtb)
{
	struct sbiret r;

	print_set_console(PRINT_DBCN);
	printf("sta: start on vcpu %lu\n", hartid);
	r = sbi_probe_extension(SBI_EXT_STA);
	if (r.error || !r.value) {
		printf("sta: SKIP STA not available (probe %ld/%ld)\n", r.error, r.value);
		printf("sta: %d passed, %d failed\n", nr_passed, nr_failed);
		return 0;
	}
	csr_set(sie, SIE_STIE);   /* the timer ends vCPU 0's WFIs; SIE stays off: no trap */
	check_errors(dtb);
	check_register();
	check_steal();
	check_reset();
	printf("sta: %d passed, %d failed\n", nr_passed, nr_failed);
	return 0;
}
