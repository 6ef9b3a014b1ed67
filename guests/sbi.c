// SPDX-License-Identifier: MIT
/*
 * sbi.c: SBI conformance guest: calls every extension and checks errors and
 * values against SBI v2.0, and that each argument is read with the width
 * the spec gives it (upper bits of uint32_t / uint8_t arguments ignored,
 * unsigned longs used whole). It also runs on bare QEMU's OpenSBI, where
 * the checks marked on_rivet are skipped.
 */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/resume.h"
#include "lib/sbi.h"
#include "lib/string.h"
#include "lib/trap.h"

#define EID_UNKNOWN       0x12345678UL
#define BASE_FID_UNKNOWN  0x100UL
#define SRST_TYPE_INVALID 0x1000UL
#define ADDR_OUTSIDE_RAM  0x1000000000UL /* 64 GiB: beyond any test domain's RAM */
#define WAIT_MS           1000
#define HI32              (1UL << 32)   /* above a uint32_t argument, or a 32-bit hart id */
#define MSB               (1UL << 63)
#define SUSPEND_RETENTIVE     0x0UL
#define SUSPEND_NON_RETENTIVE 0x80000000UL
#define SUSPEND_PLATFORM      0x10000000UL  /* first platform-specific retentive type */
#define SUSPEND_RESERVED      0x1UL
#define SRST_VENDOR_TYPE      0xF0000000UL
#define SRST_REASON_RESERVED  0x2UL
#define TIMER_FAR_TICKS       HI32          /* ~7 min ahead: only a truncated deadline is due */

static int nr_passed, nr_failed;
static int on_rivet; /* strict checks; without Rivet we are testing the bare firmware */
static volatile int timer_irqs, soft_irqs;

static void report(const char *check, int ok, struct sbiret r, const char *expected)
{
	if (ok) {
		printf("sbi: PASS %s\n", check);
		nr_passed++;
	} else {
		printf("sbi: FAIL %s: got error %ld value %ld, expected %s\n",
		       check, r.error, r.value, expected);
		nr_failed++;
	}
}

static void expect_ok(const char *check, struct sbiret r)
{
	report(check, r.error == SBI_SUCCESS, r, "error 0");
}

static void expect_error(const char *check, struct sbiret r, long error, const char *expected)
{
	report(check, r.error == error, r, expected);
}

static void skip(const char *check, const char *why)
{
	printf("sbi: SKIP %s: %s\n", check, why);
}

/* A check whose answer on bare firmware differs from the spec: run under Rivet only. */
static int rivet_only(const char *check, const char *why)
{
	if (!on_rivet)
		skip(check, why);
	return on_rivet;
}

static void on_timer(struct trap_frame *f)
{
	(void)f;
	timer_irqs++;
	sbi_set_timer(~0UL);
}

static void on_soft(struct trap_frame *f)
{
	(void)f;
	soft_irqs++;
	csr_clear(sip, SIP_SSIP);
}

/* Poll sip with interrupts masked, then let the pending one in through the trap vector. */
static int wait_pending(unsigned long sip_bit)
{
	unsigned long start = rdtime();

	while (!(csr_read(sip) & sip_bit))
		if (rdtime() - start > WAIT_MS * TICKS_PER_MS)
			return 0;
	csr_set(sstatus, SSTATUS_SIE);
	csr_clear(sstatus, SSTATUS_SIE);
	return 1;
}

static void check_base(void)
{
	static const struct { const char *name; unsigned long eid; } exts[] = {
		{ "TIME", SBI_EXT_TIME }, { "IPI", SBI_EXT_IPI },
		{ "RFENCE", SBI_EXT_RFENCE }, { "HSM", SBI_EXT_HSM },
		{ "SRST", SBI_EXT_SRST }, { "DBCN", SBI_EXT_DBCN },
	};
	char check[48];
	struct sbiret r;
	unsigned int i;

	r = sbi_get_spec_version();
	report("base get_spec_version", r.error == 0 && r.value >= 0x2000000, r,
	       "error 0 value >= 0x2000000 (v2.0)");
	expect_ok("base get_impl_id", sbi_get_impl_id());
	expect_ok("base get_impl_version", sbi_get_impl_version());
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		snprintf(check, sizeof(check), "base probe_extension %s", exts[i].name);
		r = sbi_probe_extension(exts[i].eid);
		report(check, r.error == 0 && r.value != 0, r, "error 0 value != 0");
	}
	r = sbi_probe_extension(EID_UNKNOWN);
	report("base probe_extension unknown", r.error == 0 && r.value == 0, r,
	       "error 0 value 0");
	expect_ok("base get_mvendorid", sbi_get_mvendorid());
	expect_ok("base get_marchid", sbi_get_marchid());
	expect_ok("base get_mimpid", sbi_get_mimpid());
	expect_error("base unknown function", sbi_ecall(SBI_EXT_BASE, BASE_FID_UNKNOWN, 0, 0, 0, 0, 0, 0),
		     SBI_ERR_NOT_SUPPORTED, "error -2 (NOT_SUPPORTED)");
	expect_error("unknown extension", sbi_ecall(EID_UNKNOWN, 0, 0, 0, 0, 0, 0, 0),
		     SBI_ERR_NOT_SUPPORTED, "error -2 (NOT_SUPPORTED)");
	/* extension_id is a long: with upper bits it is another, unknown, extension. */
	r = sbi_probe_extension(HI32 | SBI_EXT_HSM);
	report("base probe_extension upper bits", r.error == 0 && r.value == 0, r, "error 0 value 0");
	expect_error("base function id upper bits", sbi_ecall(SBI_EXT_BASE, HI32, 0, 0, 0, 0, 0, 0),
		     SBI_ERR_NOT_SUPPORTED, "error -2 (NOT_SUPPORTED)");
}

static void check_time(void)
{
	struct sbiret r = { 0, 0 };
	int arrived;

	csr_set(sie, SIE_STIE);
	expect_ok("time set_timer", sbi_set_timer(rdtime() + TICKS_PER_MS));
	arrived = wait_pending(SIP_STIP);
	r.value = timer_irqs;
	report("time interrupt", arrived && timer_irqs == 1, r,
	       "STIP within 1 s and one timer interrupt (value = interrupts)");
	r.value = (long)(csr_read(sip) & SIP_STIP);
	report("time stip cleared", r.value == 0, r, "sip.STIP clear after set_timer(far future)");
	/* stime_value is 64 bits: read as 32 this deadline would be due now. */
	expect_ok("time set_timer upper bits", sbi_set_timer(rdtime() + TIMER_FAR_TICKS));
	delay_ticks(TICKS_PER_MS);
	r.value = (long)(csr_read(sip) & SIP_STIP);
	report("time set_timer upper bits not due", r.value == 0, r, "sip.STIP clear 1 ms later");
	sbi_set_timer(~0UL);
	csr_clear(sie, SIE_STIE);
}

static void check_ipi(unsigned long hartid)
{
	struct sbiret r = { 0, 0 };
	int arrived;

	csr_set(sie, SIE_SSIE);
	expect_ok("ipi send_ipi self", sbi_send_ipi(1, hartid));
	arrived = wait_pending(SIP_SSIP);
	r.value = soft_irqs;
	report("ipi interrupt", arrived && soft_irqs == 1, r,
	       "SSIP within 1 s and one software interrupt (value = interrupts)");
	csr_clear(sie, SIE_SSIE);
	/* OpenSBI 1.5 silently drops harts it does not know and returns 0. */
	r = sbi_send_ipi(1UL << 63, 0);
	if (!on_rivet && r.error == SBI_SUCCESS)
		skip("ipi invalid hart mask", "firmware returned 0, SBI v2.0 says -3");
	else
		expect_error("ipi invalid hart mask", r, SBI_ERR_INVALID_PARAM,
			     "error -3 (INVALID_PARAM)");
	/* hart_mask_base is an unsigned long: with bit 32 it names no hart, not this one. */
	if (rivet_only("ipi hart_mask_base upper bits", "OpenSBI 1.5 drops unknown harts and returns 0"))
		expect_error("ipi hart_mask_base upper bits", sbi_send_ipi(1, HI32 | hartid),
			     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
}

static void check_rfence(unsigned long hartid)
{
	expect_ok("rfence remote_fence_i", sbi_remote_fence_i(1, hartid));
	expect_ok("rfence remote_sfence_vma", sbi_remote_sfence_vma(1, hartid, 0, ~0UL));
	/* asid is an unsigned long, its upper bits any value. */
	expect_ok("rfence remote_sfence_vma_asid upper bits",
		  sbi_remote_sfence_vma_asid(1, hartid, 0, ~0UL, HI32 | 1));
}

static void check_hsm(unsigned long hartid)
{
	struct sbiret r = sbi_hart_get_status(hartid);

	report("hsm get_status self", r.error == 0 && r.value == SBI_HSM_STARTED, r,
	       "error 0 value 0 (STARTED)");
	expect_error("hsm get_status invalid hart", sbi_hart_get_status(1000),
		     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
	expect_error("hsm hart_start self", sbi_hart_start(hartid, (unsigned long)secondary_entry, 0),
		     SBI_ERR_ALREADY_AVAILABLE, "error -6 (ALREADY_AVAILABLE)");
	/* Hart ids are unsigned longs: with bit 32 set they name no hart. */
	if (rivet_only("hsm get_status hart id upper bits", "OpenSBI 1.5.1 reads the hart id as 32 bits"))
		expect_error("hsm get_status hart id upper bits", sbi_hart_get_status(HI32 | hartid),
			     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
	if (rivet_only("hsm hart_start hart id upper bits", "OpenSBI 1.5.1 reads the hart id as 32 bits"))
		expect_error("hsm hart_start hart id upper bits",
			     sbi_hart_start(HI32 | hartid, (unsigned long)secondary_entry, 0),
			     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
}

/* Suspends this hart with a timer interrupt 1 ms ahead to wake it; sstatus.SIE stays off. */
static struct sbiret suspend_until_timer(unsigned long type, unsigned long resume, unsigned long opaque)
{
	struct sbiret r;

	csr_set(sie, SIE_STIE);
	sbi_set_timer(rdtime() + TICKS_PER_MS);
	r = sbi_hart_suspend(type, resume, opaque);
	sbi_set_timer(~0UL);
	csr_clear(sie, SIE_STIE);
	return r;
}

static void check_hsm_suspend(unsigned long hartid)
{
	static struct resume_ctx ctx;
	struct sbiret r;

	/* suspend_type is a uint32_t: upper bits set, these are the default types. */
	expect_ok("hsm hart_suspend retentive, bit 63 set", suspend_until_timer(MSB | SUSPEND_RETENTIVE, 0, 0));
	expect_ok("hsm hart_suspend retentive, bit 32 set", suspend_until_timer(HI32 | SUSPEND_RETENTIVE, 0, 0));
	expect_ok("hsm hart_suspend retentive", suspend_until_timer(SUSPEND_RETENTIVE, 0, 0));
	memset(&ctx, 0, sizeof(ctx));
	if (resume_save(&ctx) == 0) {
		r = suspend_until_timer(MSB | SUSPEND_NON_RETENTIVE, (unsigned long)resume_entry,
					(unsigned long)&ctx);
		report("hsm hart_suspend non-retentive, bit 63 set", 0, r, "no return, a resume at resume_addr");
	} else {
		trap_init();
		r.error = 0;
		r.value = (long)ctx.a0;
		report("hsm hart_suspend non-retentive, bit 63 set: a0 = hart id", ctx.a0 == hartid, r,
		       "value = a0 = this hart's id");
		r.value = (long)ctx.satp;
		report("hsm hart_suspend non-retentive, bit 63 set: satp 0", ctx.satp == 0, r, "value = satp = 0");
		r.value = (long)(ctx.sstatus & SSTATUS_SIE);
		report("hsm hart_suspend non-retentive, bit 63 set: sstatus.SIE 0", r.value == 0, r,
		       "value = sstatus.SIE = 0");
		/* Resumed with the timer still armed: leave it as the retentive path does. */
		sbi_set_timer(~0UL);
		csr_clear(sie, SIE_STIE);
	}
	expect_error("hsm hart_suspend reserved type, bit 32 set", sbi_hart_suspend(HI32 | SUSPEND_RESERVED, 0, 0),
		     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
	if (rivet_only("hsm hart_suspend platform type", "OpenSBI 1.5.1 answers -2; SBI v3.0 says -3"))
		expect_error("hsm hart_suspend platform type", sbi_hart_suspend(SUSPEND_PLATFORM, 0, 0),
			     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
	/* resume_addr is an unsigned long; OpenSBI lets S-mode resume anywhere and would sleep for good. */
	if (rivet_only("hsm hart_suspend non-retentive outside ram", "bare firmware allows any address"))
		expect_error("hsm hart_suspend non-retentive outside ram",
			     sbi_hart_suspend(MSB | SUSPEND_NON_RETENTIVE, ADDR_OUTSIDE_RAM, 0),
			     SBI_ERR_INVALID_ADDRESS, "error -5 (INVALID_ADDRESS)");
	r = sbi_hart_get_status(hartid);
	report("hsm get_status after suspends", r.error == 0 && r.value == SBI_HSM_STARTED, r,
	       "error 0 value 0 (STARTED)");
}

static void check_dbcn(void)
{
	static const char line[] = "sbi: dbcn write\n";
	static const char byte_line[] = "sbi: dbcn write_byte\n";
	static const char upper_line[] = "sbi: dbcn write_byte with upper bits\n";
	static char in[16];
	struct sbiret r;
	unsigned int i;

	r = sbi_debug_console_write(sizeof(line) - 1, (unsigned long)line, 0);
	report("dbcn write", r.error == 0 && r.value == (long)sizeof(line) - 1, r,
	       "error 0 value = length");
	r.error = 0;
	for (i = 0; i < sizeof(byte_line) - 1 && r.error == 0; i++)
		r = sbi_debug_console_write_byte(byte_line[i]);
	expect_ok("dbcn write_byte", r);
	/*
	 * OpenSBI 1.5 lets S-mode name any address (its root domain allows it
	 * all), takes an M-mode access fault while holding its console lock,
	 * and hangs the machine. So only ask a hypervisor.
	 */
	if (on_rivet)
		expect_error("dbcn write outside ram",
			     sbi_debug_console_write(8, ADDR_OUTSIDE_RAM, 0),
			     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
	else
		skip("dbcn write outside ram", "bare firmware may hang on it");
	/* The byte is a uint8_t: each call carries junk above it (the test checks the line). */
	r.error = 0;
	for (i = 0; i < sizeof(upper_line) - 1 && r.error == 0; i++)
		r = sbi_ecall(SBI_EXT_DBCN, 2, 0x4142434445464700UL | (unsigned char)upper_line[i], 0, 0, 0, 0, 0);
	expect_ok("dbcn write_byte upper bits", r);
	if (rivet_only("dbcn write base_addr_hi", "OpenSBI 1.5.1 answers -1; SBI v3.0 says -3"))
		expect_error("dbcn write base_addr_hi", sbi_debug_console_write(sizeof(line) - 1, (unsigned long)line, 1),
			     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
	r = sbi_debug_console_read(sizeof(in), (unsigned long)in, 0);
	report("dbcn read", r.error == 0 && r.value >= 0 && r.value <= (long)sizeof(in), r,
	       "error 0 value 0..16");
}

static void check_srst(void)
{
	expect_error("srst invalid type", sbi_system_reset(SRST_TYPE_INVALID, SBI_SRST_NO_REASON),
		     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
	/* Type and reason are uint32_t: with junk above, these are still reserved. */
	expect_error("srst invalid type, bit 32 set", sbi_system_reset(HI32 | SRST_TYPE_INVALID, SBI_SRST_NO_REASON),
		     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
	expect_error("srst vendor type", sbi_system_reset(SRST_VENDOR_TYPE, SBI_SRST_NO_REASON),
		     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
	expect_error("srst reserved reason, bit 32 set",
		     sbi_system_reset(SBI_SRST_SHUTDOWN, HI32 | SRST_REASON_RESERVED),
		     SBI_ERR_INVALID_PARAM, "error -3 (INVALID_PARAM)");
}

static void check_legacy(void)
{
	static const char line[] = "sbi: legacy putchar\n";
	static const char upper_line[] = "sbi: legacy putchar with upper bits\n";
	struct sbiret r = { 0, 0 };
	unsigned int i;

	for (i = 0; i < sizeof(line) - 1 && r.value == 0; i++)
		r = sbi_legacy_console_putchar(line[i]);
	report("legacy console_putchar", r.value == 0, r, "a0 = 0");
	/* ch is an int: only its low byte is printed (the test checks the line). */
	r.value = 0;
	for (i = 0; i < sizeof(upper_line) - 1 && r.value == 0; i++)
		r = sbi_legacy_console_putchar((int)(0x41424300U | (unsigned char)upper_line[i]));
	report("legacy console_putchar upper bits", r.value == 0, r, "a0 = 0");
}

static void check_rivet(void)
{
	struct sbiret r;

	if (!on_rivet) {
		printf("sbi: SKIP rivet\n");
		return;
	}
	r = rivet_hc_version();
	report("rivet version", r.error == 0 &&
	       r.value == ((RIVET_ABI_MAJOR << 16) | RIVET_ABI_MINOR), r,
	       "error 0 value (major << 16) | minor");
	expect_ok("rivet current_hart", rivet_hc_current_hart());
	expect_ok("rivet domain_id", rivet_hc_domain_id());
	/* A DomU must not reach the control hypercalls. */
	expect_error("rivet control call denied",
		     sbi_ecall(RIVET_SBI_EXT, RIVET_HC_DOMAIN_DESTROY, 1, 0, 0, 0, 0, 0),
		     SBI_ERR_DENIED, "SBI_ERR_DENIED (-4)");
}

int main(unsigned long hartid, unsigned long dtb)
{
	struct sbiret r;

	(void)dtb;
	print_set_console(PRINT_LEGACY);
	trap_init();
	trap_set_irq(IRQ_S_TIMER, on_timer);
	trap_set_irq(IRQ_S_SOFT, on_soft);
	printf("sbi: start on vcpu %lu\n", hartid);
	r = sbi_probe_extension(RIVET_SBI_EXT);
	on_rivet = r.error == SBI_SUCCESS && r.value != 0;

	check_base();
	check_time();
	check_ipi(hartid);
	check_rfence(hartid);
	check_hsm(hartid);
	check_hsm_suspend(hartid);
	check_dbcn();
	check_srst();
	check_legacy();
	check_rivet();

	printf("sbi: %d passed, %d failed\n", nr_passed, nr_failed);
	/*
	 * Last, as it ends the domain: a shutdown whose type and reason carry
	 * junk above their 32 bits (OpenSBI 1.5.1 refuses it, so Rivet only).
	 */
	if (on_rivet) {
		printf("sbi: srst shutdown with upper bits\n");
		r = sbi_system_reset(HI32 | SBI_SRST_SHUTDOWN, MSB | SBI_SRST_NO_REASON);
		printf("sbi: FAIL srst shutdown with upper bits: got error %ld, expected no return\n", r.error);
	}
	return 0;
}
