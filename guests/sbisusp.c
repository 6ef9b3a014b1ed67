// SPDX-License-Identifier: MIT
/*
 * sbisusp.c: SBI SUSP (system suspend) guest: probe, every error (upper
 * bits of sleep_type ignored, reserved and platform types refused, resume
 * address outside RAM, no wake-up source, another vCPU started), then real
 * suspends to RAM woken by the timer, with the resume state checked. Runs
 * with one vCPU or more; PASS/FAIL lines as guests/sbi.c.
 */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/hsm.h"
#include "lib/print.h"
#include "lib/resume.h"
#include "lib/sbi.h"
#include "lib/string.h"
#include "lib/trap.h"

#define HI32              (1UL << 32)
#define MSB               (1UL << 63)
#define SLEEP_RESERVED    0x1UL
#define SLEEP_RESERVED_MAX 0x7FFFFFFFUL
#define SLEEP_PLATFORM    0x80000000UL
#define SLEEP_PLATFORM_MAX 0xFFFFFFFFUL
#define FID_BAD           0xbadUL
#define ADDR_OUTSIDE_RAM  0x1000000000UL /* 64 GiB: beyond any test domain's RAM */
#define SLEEP_MS          20             /* the wake-up timer's distance */
#define WAIT_MS           5000
/* Sv39 with one 1 GiB identity leaf over the domain's RAM: the suspend is made with translation on. */
#define RAM_BASE          0x80000000UL
#define GIGA_SHIFT        30
#define PTE_LEAF_RWX      0xCFUL         /* V, R, W, X, A, D */
#define PTE_PPN_SHIFT     10
#define PAGE_SHIFT        12
#define SATP_SV39         (8UL << 60)

static unsigned long pt_root[512] __attribute__((aligned(4096)));

static int nr_passed, nr_failed;
static volatile int secondary_may_stop;

static void report(const char *check, int ok, struct sbiret r, const char *expected)
{
	if (ok) {
		printf("sbisusp: PASS %s\n", check);
		nr_passed++;
	} else {
		printf("sbisusp: FAIL %s: got error %ld value %ld, expected %s\n", check, r.error, r.value,
		       expected);
		nr_failed++;
	}
}

static void expect_error(const char *check, struct sbiret r, long error, const char *expected)
{
	report(check, r.error == error, r, expected);
}

static struct sbiret susp(unsigned long fid, unsigned long type, unsigned long resume, unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_SUSP, fid, type, resume, opaque, 0, 0, 0);
}

/* Each call must fail; one that slept instead would never come back here (no timer is armed). */
static void check_errors(void)
{
	static const struct { const char *name; unsigned long type; } bad_types[] = {
		{ "sleep_type reserved", SLEEP_RESERVED },
		{ "sleep_type reserved, bit 32 set", HI32 | SLEEP_RESERVED },
		{ "sleep_type last reserved", SLEEP_RESERVED_MAX },
		{ "sleep_type platform", SLEEP_PLATFORM },
		{ "sleep_type last platform", SLEEP_PLATFORM_MAX },
		{ "sleep_type platform, bit 63 set", MSB | SLEEP_PLATFORM },
	};
	unsigned int i;

	expect_error("function 1", susp(1, 0, (unsigned long)resume_entry, 0), SBI_ERR_NOT_SUPPORTED,
		     "error -2 (NOT_SUPPORTED)");
	expect_error("function 0xbad", susp(FID_BAD, 0, (unsigned long)resume_entry, 0),
		     SBI_ERR_NOT_SUPPORTED, "error -2 (NOT_SUPPORTED)");
	expect_error("function 0 with bit 32 set", susp(HI32, 0, (unsigned long)resume_entry, 0),
		     SBI_ERR_NOT_SUPPORTED, "error -2 (NOT_SUPPORTED)");
	for (i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++)
		expect_error(bad_types[i].name, susp(0, bad_types[i].type, (unsigned long)resume_entry, 0),
			     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
	expect_error("resume_addr outside ram", susp(0, 0, ADDR_OUTSIDE_RAM, 0), SBI_ERR_INVALID_ADDRESS,
		     "error -5 (INVALID_ADDRESS)");
	/* resume_addr is an unsigned long: bit 32 takes it out of RAM. */
	expect_error("resume_addr with bit 32 set", susp(0, 0, HI32 | (unsigned long)resume_entry, 0),
		     SBI_ERR_INVALID_ADDRESS, "error -5 (INVALID_ADDRESS)");
	expect_error("resume_addr 0", susp(0, 0, 0, 0), SBI_ERR_INVALID_ADDRESS, "error -5 (INVALID_ADDRESS)");
}

/* With no interrupt enabled in sie nothing could wake the domain. */
static void check_no_wake_source(void)
{
	unsigned long sie = csr_read(sie);

	csr_clear(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
	expect_error("no wake-up source", susp(0, 0, (unsigned long)resume_entry, 0), SBI_ERR_DENIED,
		     "error -4 (DENIED)");
	csr_set(sie, SIE_SSIE);
	expect_error("only ipis enabled", susp(0, 0, (unsigned long)resume_entry, 0), SBI_ERR_DENIED,
		     "error -4 (DENIED)");
	csr_write(sie, sie);
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
	while (!__atomic_load_n(&secondary_may_stop, __ATOMIC_ACQUIRE))
		;
}

/* Another vCPU started: denied; stopped again: the suspend may go ahead. */
static void check_other_vcpu(unsigned long hartid, unsigned long harts)
{
	unsigned long other;
	struct sbiret r;

	for (other = 0; other < GUEST_MAX_HARTS; other++)
		if (other != hartid && (harts & (1UL << other)))
			break;
	if (other == GUEST_MAX_HARTS) {
		printf("sbisusp: SKIP another vcpu started: one vcpu\n");
		return;
	}
	secondary_may_stop = 0;
	r = sbi_hart_start(other, (unsigned long)secondary_entry, 0);
	report("start another vcpu", r.error == 0 && hsm_wait_status(other, SBI_HSM_STARTED, WAIT_MS) == 0, r,
	       "error 0, then STARTED");
	expect_error("another vcpu started", susp(0, 0, (unsigned long)resume_entry, 0), SBI_ERR_DENIED,
		     "error -4 (DENIED)");
	__atomic_store_n(&secondary_may_stop, 1, __ATOMIC_RELEASE);
	r.error = hsm_wait_status(other, SBI_HSM_STOPPED, WAIT_MS);
	report("another vcpu stopped again", r.error == 0, r, "STOPPED within 5 s");
}

static void paging(int on)
{
	pt_root[RAM_BASE >> GIGA_SHIFT] = ((RAM_BASE >> PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_LEAF_RWX;
	csr_write(satp, on ? SATP_SV39 | ((unsigned long)pt_root >> PAGE_SHIFT) : 0);
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* A real suspend to RAM with translation on, woken by the timer SLEEP_MS ahead. */
static void check_suspend(const char *name, unsigned long type, unsigned long hartid)
{
	static struct resume_ctx ctx;
	static unsigned long deadline;
	char check[96];
	struct sbiret r = { 0, 0 };

	memset(&ctx, 0, sizeof(ctx));
	csr_set(sie, SIE_STIE);
	deadline = rdtime() + SLEEP_MS * TICKS_PER_MS;
	sbi_set_timer(deadline);
	paging(1);
	if (resume_save(&ctx) == 0) {
		r = susp(0, type, (unsigned long)resume_entry, (unsigned long)&ctx);
		paging(0);
		snprintf(check, sizeof(check), "%s: suspended", name);
		report(check, 0, r, "no return, a resume at resume_addr");
		sbi_set_timer(~0UL);
		csr_clear(sie, SIE_STIE);
		return;
	}
	trap_init();
	r.value = (long)(rdtime() - deadline);
	snprintf(check, sizeof(check), "%s: slept until the timer", name);
	report(check, rdtime() >= deadline, r, "value = now - deadline >= 0");
	sbi_set_timer(~0UL);
	csr_clear(sie, SIE_STIE);
	r.value = (long)ctx.a0;
	snprintf(check, sizeof(check), "%s: a0 = hart id", name);
	report(check, ctx.a0 == hartid, r, "value = a0 = this hart's id");
	r.value = (long)ctx.a1;
	snprintf(check, sizeof(check), "%s: a1 = opaque", name);
	report(check, ctx.a1 == (unsigned long)&ctx, r, "value = a1 = the opaque passed");
	r.value = (long)ctx.satp;
	snprintf(check, sizeof(check), "%s: satp 0", name);
	report(check, ctx.satp == 0, r, "value = satp = 0");
	r.value = (long)(ctx.sstatus & SSTATUS_SIE);
	snprintf(check, sizeof(check), "%s: sstatus.SIE 0", name);
	report(check, r.value == 0, r, "value = sstatus.SIE = 0");
	r = sbi_hart_get_status(hartid);
	snprintf(check, sizeof(check), "%s: started again", name);
	report(check, r.error == 0 && r.value == SBI_HSM_STARTED, r, "error 0 value 0 (STARTED)");
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long harts, h;
	unsigned int nr;
	struct sbiret r;

	(void)dtb;
	print_set_console(PRINT_LEGACY);
	trap_init();
	harts = hsm_probe_harts();
	for (nr = 0, h = 0; h < GUEST_MAX_HARTS; h++)
		nr += (harts >> h) & 1;
	printf("sbisusp: start on vcpu %lu, %u vcpus\n", hartid, nr);
	r = sbi_probe_extension(SBI_EXT_SUSP);
	if (r.error || !r.value) {
		printf("sbisusp: SUSP not offered (error %ld value %ld)\n", r.error, r.value);
		return 0;
	}
	report("probe", 1, r, "");
	csr_set(sie, SIE_STIE);
	check_errors();
	check_no_wake_source();
	check_other_vcpu(hartid, harts);
	csr_clear(sie, SIE_STIE);
	check_suspend("suspend to ram", 0, hartid);
	check_suspend("suspend to ram, bit 63 set", MSB, hartid);
	check_suspend("suspend to ram, bit 32 set", HI32, hartid);
	/* The domain works on after its suspends: another vCPU still starts and stops. */
	check_other_vcpu(hartid, harts);
	printf("sbisusp: %d passed, %d failed\n", nr_passed, nr_failed);
	return 0;
}
