// SPDX-License-Identifier: MIT
/* test_sbi_susp.c: host tests of SBI SUSP (sbi_susp.c): argument widths, every error, the resume state. */
#include "test_sbi_fakes.h"
#include "../../microvisor/sbi/sbi_hsm.c"
#include "../../microvisor/sbi/sbi_susp.c"

#define HI32 (1UL << 32)
#define MSB  (1UL << 63)
#define RESUME (FAKE_RAM + 0x2000)

static struct sbiret suspend(unsigned long type, unsigned long resume, unsigned long opaque)
{
	return ecall(&sbi_susp, SBI_EXT_SUSP, SBI_SUSP_SYSTEM_SUSPEND, type, resume, opaque);
}

/* The caller went to sleep and resumes at RESUME as after a non-retentive suspend. */
static void check_suspended(unsigned long opaque)
{
	CHECK_EQ(vcpus[0].state, VCPU_BLOCKED);
	CHECK(vcpus[0].suspended);
	CHECK_EQ(vcpus[0].frame.sepc, RESUME);
	CHECK_EQ(vcpus[0].frame.x[REG_A0], 0);
	CHECK_EQ(vcpus[0].frame.x[REG_A1], opaque);
	CHECK(vcpus[0].frame.sstatus & SSTATUS_SPP);
	CHECK_EQ(vcpus[0].csrs.vsatp, 0);
	CHECK_EQ(vcpus[0].csrs.vsstatus & SSTATUS_SIE, 0);
}

static void check_not_suspended(void)
{
	CHECK_EQ(vcpus[0].state, VCPU_RUNNABLE);
	CHECK(!vcpus[0].suspended);
	CHECK_EQ(vcpus[0].frame.sepc, 0);
}

TEST(other_functions_are_not_supported)
{
	static const unsigned long fids[] = { 1, 0xbad, HI32, MSB };
	for (unsigned i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		fake_reset(VCPU_OFF);
		CHECK_EQ(ecall(&sbi_susp, SBI_EXT_SUSP, fids[i], 0, RESUME, 0).error, SBI_ERR_NOT_SUPPORTED);
		check_not_suspended();
	}
}

TEST(suspend_to_ram_with_upper_bits_set_and_clear)
{
	static const unsigned long types[] = { 0, HI32, MSB, ~0UL << 32 };
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		fake_reset(VCPU_OFF);
		vcpus[0].csrs.vsatp = 0x8000000000012345UL;
		vcpus[0].csrs.vsstatus = SSTATUS_SIE;
		CHECK_EQ(suspend(types[i], RESUME, MSB | 0x5ee).error, SBI_NO_RETURN_ERR);
		check_suspended(MSB | 0x5ee);
		/* The domain's own HSM view while it sleeps. */
		CHECK_EQ(hsm_status(&vcpus[0], 0).value, SBI_HSM_SUSPENDED);
	}
}

TEST(reserved_and_platform_types_are_invalid)
{
	static const unsigned long types[] = { 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, HI32 | 1, MSB | 0x80000000 };
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		fake_reset(VCPU_OFF);
		CHECK_EQ(suspend(types[i], RESUME, 0).error, SBI_ERR_INVALID_PARAM);
		check_not_suspended();
	}
}

TEST(resume_address_outside_ram_is_invalid)
{
	static const unsigned long addrs[] = { 0, 0x1000, FAKE_RAM - 1, FAKE_RAM + FAKE_RAM_BYTES, HI32 | RESUME,
					       MSB | RESUME, ~0UL };
	for (unsigned i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		fake_reset(VCPU_OFF);
		CHECK_EQ(suspend(0, addrs[i], 0).error, SBI_ERR_INVALID_ADDRESS);
		check_not_suspended();
	}
}

TEST(another_vcpu_not_stopped_is_denied)
{
	static const enum vcpu_state busy[] = { VCPU_RUNNABLE, VCPU_BLOCKED };
	for (unsigned i = 0; i < sizeof(busy) / sizeof(busy[0]); i++) {
		for (unsigned t = 1; t < FAKE_VCPUS; t++) {
			fake_reset(VCPU_OFF);
			vcpus[t].state = busy[i];
			CHECK_EQ(suspend(0, RESUME, 0).error, SBI_ERR_DENIED);
			check_not_suspended();
		}
	}
	/* Any vCPU may be the one left: vCPU 2 while vCPU 0 runs is denied, alone it sleeps. */
	fake_reset(VCPU_OFF);
	struct vcpu *v2 = &vcpus[2];
	v2->state = VCPU_RUNNABLE;
	v2->frame.sstatus = SSTATUS_SPP;
	v2->frame.x[REG_A1] = RESUME;
	fake_hart.current = v2;
	CHECK_EQ(sbi_susp.call(v2, SBI_SUSP_SYSTEM_SUSPEND, &v2->frame).error, SBI_ERR_DENIED);
	vcpus[0].state = VCPU_OFF;
	CHECK_EQ(sbi_susp.call(v2, SBI_SUSP_SYSTEM_SUSPEND, &v2->frame).error, SBI_NO_RETURN_ERR);
	CHECK_EQ(v2->state, VCPU_BLOCKED);
	CHECK_EQ(v2->frame.sepc, RESUME);
	CHECK_EQ(v2->frame.x[REG_A0], 2);
}

/*
 * Three vCPUs: the caller's scan saw vCPU 1 stopped, then vCPU 2 (still
 * running) started vCPU 1 and stopped itself: every state reads OFF but two
 * vCPUs are started, so the domain may not sleep.
 */
TEST(a_vcpu_started_behind_the_scan_is_denied)
{
	fake_reset(VCPU_OFF);
	dom.started_vcpus = 2;
	CHECK_EQ(suspend(0, RESUME, 0).error, SBI_ERR_DENIED);
	check_not_suspended();
}

TEST(no_wake_up_source_is_denied)
{
	static const u64 vsie[] = { 0, IRQ_BIT(IRQ_S_SOFT) };
	for (unsigned i = 0; i < sizeof(vsie) / sizeof(vsie[0]); i++) {
		fake_reset(VCPU_OFF);
		fake_csr[CSR_VSIE] = vsie[i];
		CHECK_EQ(suspend(0, RESUME, 0).error, SBI_ERR_DENIED);
		check_not_suspended();
	}
	fake_reset(VCPU_OFF);
	fake_csr[CSR_VSIE] = IRQ_BIT(IRQ_S_EXT);
	CHECK_EQ(suspend(0, RESUME, 3).error, SBI_NO_RETURN_ERR);
	check_suspended(3);
}

TEST(only_s_mode_may_suspend)
{
	fake_reset(VCPU_OFF);
	vcpus[0].frame.sstatus = 0;
	CHECK_EQ(suspend(0, RESUME, 0).error, SBI_ERR_FAILED);
	CHECK_EQ(vcpus[0].state, VCPU_RUNNABLE);
}

TEST(pending_interrupt_resumes_at_once)
{
	fake_reset(VCPU_OFF);
	irq_already_pending = true;
	CHECK_EQ(suspend(0, RESUME, 4).error, SBI_NO_RETURN_ERR);
	CHECK_EQ(vcpus[0].state, VCPU_RUNNABLE);
	CHECK(!vcpus[0].suspended);
	CHECK_EQ(vcpus[0].frame.sepc, RESUME);
	CHECK_EQ(vcpus[0].frame.x[REG_A1], 4);
}

int main(void)
{
	check_suite = "sbi_susp";
	RUN(other_functions_are_not_supported);
	RUN(suspend_to_ram_with_upper_bits_set_and_clear);
	RUN(reserved_and_platform_types_are_invalid);
	RUN(resume_address_outside_ram_is_invalid);
	RUN(another_vcpu_not_stopped_is_denied);
	RUN(a_vcpu_started_behind_the_scan_is_denied);
	RUN(no_wake_up_source_is_denied);
	RUN(only_s_mode_may_suspend);
	RUN(pending_interrupt_resumes_at_once);
	return CHECK_DONE();
}
