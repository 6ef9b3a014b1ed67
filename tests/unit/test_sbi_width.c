// SPDX-License-Identifier: MIT
/*
 * test_sbi_width.c: host tests that every SBI function reads its arguments
 * with the width the SBI spec gives them: uint32_t types and reasons and a
 * uint8_t byte ignore the register's upper bits; unsigned longs (hart ids,
 * masks, addresses, sizes, opaque values) use all 64.
 */
#include "test_sbi_fakes.h"

/*
 * sbi_hart_mask() (inline in sbi.h; its rules are tested in
 * test_sbi_dispatch.c) checks all of a mask and a base against the
 * domain's FAKE_VCPUS vCPUs: a bit or a base that only a 64-bit read sees
 * makes a call fail, which is how the tests below tell the handlers pass
 * them whole.
 */

#include "../../microvisor/sbi/sbi_time.c"
#include "../../microvisor/sbi/sbi_ipi.c"
#include "../../microvisor/sbi/sbi_rfence.c"
#include "../../microvisor/sbi/sbi_hsm.c"
#include "../../microvisor/sbi/sbi_srst.c"
#include "../../microvisor/sbi/sbi_dbcn.c"
#include "../../microvisor/sbi/sbi_legacy.c"

#define HI32 (1UL << 32)
#define MSB  (1UL << 63)
#define RAM_ENTRY (FAKE_RAM + 0x1000)

TEST(time_set_timer_uses_all_64_bits)
{
	fake_reset(VCPU_OFF);
	struct sbiret r = ecall(&sbi_time, SBI_EXT_TIME, 0, HI32 | 5, 0, 0);
	CHECK_EQ(r.error, SBI_SUCCESS);
	CHECK_EQ(fake_csr[CSR_VSTIMECMP], HI32 | 5);
	ecall(&sbi_time, SBI_EXT_TIME, 0, 5, 0, 0);
	CHECK_EQ(fake_csr[CSR_VSTIMECMP], 5);
	ecall(&sbi_time, SBI_EXT_TIME, 0, ~0UL, 0, 0);
	CHECK_EQ(fake_csr[CSR_VSTIMECMP], ~0UL);
	/* The function id is an unsigned long too: 1 << 32 is not set_timer. */
	CHECK_EQ(ecall(&sbi_time, SBI_EXT_TIME, HI32, 7, 0, 0).error, SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ(fake_csr[CSR_VSTIMECMP], ~0UL);
}

TEST(ipi_and_rfence_pass_full_mask_and_base)
{
	fake_reset(VCPU_RUNNABLE);
	/* Bit 63 names a hart the domain lacks: read as 32 bits, the mask would be vCPU 0 alone. */
	CHECK_EQ(ecall(&sbi_ipi, SBI_EXT_IPI, 0, MSB | 1, 0, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(injected[0], 0);
	CHECK_EQ(ecall(&sbi_ipi, SBI_EXT_IPI, 0, 1, 0, 0).error, SBI_SUCCESS);
	CHECK_EQ(injected[0], IRQ_BIT(IRQ_VS_SOFT));
	/* A base with upper bits names no hart; it is not base 0. */
	CHECK_EQ(ecall(&sbi_ipi, SBI_EXT_IPI, 0, 1, HI32, 0).error, SBI_ERR_INVALID_PARAM);
	/* Every hart: vCPU 1 shares the hart, so it is yielded to (a success that switches). */
	CHECK_EQ(ecall(&sbi_ipi, SBI_EXT_IPI, 0, 1, ~0UL, 0).error, SBI_FAST_SWITCH);
	CHECK(fake_hart.yield_to == &vcpus[1]);
	for (unsigned long fid = 0; fid <= 2; fid++) {
		CHECK_EQ(ecall(&sbi_rfence, SBI_EXT_RFENCE, fid, HI32 | 1, 0, MSB).error, SBI_ERR_INVALID_PARAM);
		CHECK_EQ(ecall(&sbi_rfence, SBI_EXT_RFENCE, fid, 1, 0, MSB).error, SBI_SUCCESS);
		CHECK_EQ(ecall(&sbi_rfence, SBI_EXT_RFENCE, fid, 1, HI32, 0).error, SBI_ERR_INVALID_PARAM);
	}
	CHECK_EQ(nr_fence_i, 1);
	CHECK_EQ(nr_hfence_vvma, 2);
	/* HFENCE (3..6) needs nested H, which Rivet does not offer. */
	CHECK_EQ(ecall(&sbi_rfence, SBI_EXT_RFENCE, 3, 1, 0, 0).error, SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ(ecall(&sbi_rfence, SBI_EXT_RFENCE, HI32 | 1, 1, 0, 0).error, SBI_ERR_NOT_SUPPORTED);
}

TEST(ipi_yields_to_the_first_other_target_on_the_senders_hart)
{
	fake_reset(VCPU_RUNNABLE);
	static struct hart other_hart;
	vcpus[1].home = &other_hart;
	/* vCPU 0 itself, 1 elsewhere, then 2 and 3 here: 0, 1 and 3 are woken, 2 gets the hart. */
	CHECK_EQ(ecall(&sbi_ipi, SBI_EXT_IPI, 0, 0xf, 0, 0).error, SBI_FAST_SWITCH);   /* entry.S switches */
	CHECK(fake_hart.yield_to == &vcpus[2]);
	CHECK_EQ(fake_hart.kicked, 0);   /* a yield is not an event: the hart need not scan */
	CHECK_EQ(vcpus[2].irq_inject, 0);   /* its IPI and wake are the scheduler's (sched_yield_to) */
	CHECK_EQ(injected[2], 0);
	CHECK_EQ(injected[0], IRQ_BIT(IRQ_VS_SOFT));
	CHECK_EQ(injected[1], IRQ_BIT(IRQ_VS_SOFT));
	CHECK_EQ(injected[3], IRQ_BIT(IRQ_VS_SOFT));
	/* To itself alone: no yield. */
	fake_reset(VCPU_RUNNABLE);
	CHECK_EQ(ecall(&sbi_ipi, SBI_EXT_IPI, 0, 1, 0, 0).error, SBI_SUCCESS);
	CHECK(fake_hart.yield_to == NULL);
	CHECK_EQ(fake_hart.kicked, 0);
	CHECK_EQ(injected[0], IRQ_BIT(IRQ_VS_SOFT));
	/* A yield that also counts its firmware event (out of line) is still a switch. */
	fake_reset(VCPU_RUNNABLE);
	vcpus[0].pmu.started = VPMU_FW_MASK;
	CHECK_EQ(ecall(&sbi_ipi, SBI_EXT_IPI, 0, 2, 0, 0).error, SBI_FAST_SWITCH);
	CHECK(fake_hart.yield_to == &vcpus[1]);
	CHECK_EQ(nr_fw_events, 1);
	CHECK_EQ(injected[1], 0);
}

TEST(successful_calls_count_their_firmware_event)
{
	fake_reset(VCPU_RUNNABLE);
	/* Not counting: no event reaches the PMU (the fast path pays nothing). */
	CHECK_EQ(ecall(&sbi_ipi, SBI_EXT_IPI, 0, 1, 0, 0).error, SBI_SUCCESS);
	CHECK_EQ(nr_fw_events, 0);
	vcpus[0].pmu.started = VPMU_FW_MASK;
	CHECK_EQ(ecall(&sbi_ipi, SBI_EXT_IPI, 0, 1, 0, 0).error, SBI_SUCCESS);
	CHECK_EQ(nr_fw_events, 1);
	CHECK_EQ(fw_eid, SBI_EXT_IPI);
	CHECK_EQ(ecall(&sbi_ipi, SBI_EXT_IPI, 0, 1, HI32, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(nr_fw_events, 1);   /* a failed call is no event */
	CHECK_EQ(ecall(&sbi_time, SBI_EXT_TIME, 0, 5, 0, 0).error, SBI_SUCCESS);
	CHECK_EQ(fw_eid, SBI_EXT_TIME);
	CHECK_EQ(ecall(&sbi_rfence, SBI_EXT_RFENCE, 1, 1, 0, 0).error, SBI_SUCCESS);
	CHECK_EQ(fw_eid, SBI_EXT_RFENCE);
	CHECK_EQ(fw_fid, 1);
	CHECK_EQ(ecall(&sbi_legacy, SBI_EXT_LEGACY_SET_TIMER, 0, 5, 0, 0).error, SBI_SUCCESS);
	CHECK_EQ(fw_eid, SBI_EXT_LEGACY_SET_TIMER);
	CHECK_EQ(nr_fw_events, 4);
}

TEST(hsm_hart_ids_use_all_64_bits)
{
	fake_reset(VCPU_OFF);
	CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 2, HI32 | 1, 0, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 2, MSB, 0, 0).error, SBI_ERR_INVALID_PARAM);
	struct sbiret r = ecall(&sbi_hsm, SBI_EXT_HSM, 2, 1, 0, 0);
	CHECK_EQ(r.error, SBI_SUCCESS);
	CHECK_EQ(r.value, SBI_HSM_STOPPED);
	CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 0, HI32 | 1, RAM_ENTRY, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vcpus[1].state, VCPU_OFF);
}

TEST(hsm_start_address_and_opaque_use_all_64_bits)
{
	fake_reset(VCPU_OFF);
	/* Truncated to 32 bits this would be RAM: it is not. */
	CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 0, 1, HI32 | RAM_ENTRY, 0).error, SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(vcpus[1].state, VCPU_OFF);
	CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 0, 1, RAM_ENTRY, MSB | 7).error, SBI_SUCCESS);
	CHECK_EQ(vcpus[1].state, VCPU_RUNNABLE);
	CHECK_EQ(vcpus[1].frame.sepc, RAM_ENTRY);
	CHECK_EQ(vcpus[1].frame.x[REG_A0], 1);
	CHECK_EQ(vcpus[1].frame.x[REG_A1], MSB | 7);
	CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 0, 1, RAM_ENTRY, 0).error, SBI_ERR_ALREADY_AVAILABLE);
}

TEST(hsm_suspend_type_ignores_upper_32_bits)
{
	/* Retentive (0) with bit 63 or bit 32 set: the reported bug answered INVALID_PARAM. */
	static const unsigned long retentive[] = { 0, MSB, HI32, ~0UL << 32 };
	for (unsigned i = 0; i < sizeof(retentive) / sizeof(retentive[0]); i++) {
		fake_reset(VCPU_OFF);
		struct sbiret r = ecall(&sbi_hsm, SBI_EXT_HSM, 3, retentive[i], 0, 0);
		CHECK_EQ(r.error, SBI_NO_RETURN_ERR);
		CHECK_EQ(vcpus[0].state, VCPU_BLOCKED);
		CHECK(vcpus[0].suspended);
		/* It resumes after the ecall with a0 = 0. */
		CHECK_EQ(vcpus[0].frame.x[REG_A0], SBI_SUCCESS);
		CHECK_EQ(vcpus[0].frame.sepc, 0);
		r = ecall(&sbi_hsm, SBI_EXT_HSM, 2, 0, 0, 0);
		CHECK_EQ(r.value, SBI_HSM_SUSPENDED);
	}
	/* Non-retentive (0x80000000) with upper bits: resumes at resume_addr. */
	static const unsigned long nonret[] = { 0x80000000UL, MSB | 0x80000000UL, HI32 | 0x80000000UL };
	for (unsigned i = 0; i < sizeof(nonret) / sizeof(nonret[0]); i++) {
		fake_reset(VCPU_OFF);
		vcpus[0].csrs.vsatp = 0x8000000000012345UL;
		vcpus[0].csrs.vsstatus = SSTATUS_SIE;
		CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 3, nonret[i], RAM_ENTRY, MSB | 9).error, SBI_NO_RETURN_ERR);
		CHECK_EQ(vcpus[0].state, VCPU_BLOCKED);
		CHECK_EQ(vcpus[0].frame.sepc, RAM_ENTRY);
		CHECK_EQ(vcpus[0].frame.x[REG_A0], 0);
		CHECK_EQ(vcpus[0].frame.x[REG_A1], MSB | 9);
		CHECK(vcpus[0].frame.sstatus & SSTATUS_SPP);
		CHECK_EQ(vcpus[0].csrs.vsatp, 0);
		CHECK_EQ(vcpus[0].csrs.vsstatus & SSTATUS_SIE, 0);
	}
}

TEST(hsm_suspend_bad_types_and_addresses)
{
	/* Reserved and platform-specific types, with and without upper bits: INVALID_PARAM. */
	static const unsigned long bad[] = { 1, 0x0FFFFFFF, 0x10000000, 0x7FFFFFFF, 0x80000001,
					     0x8FFFFFFF, 0x90000000, 0xFFFFFFFF, HI32 | 1, MSB | 0x10000000 };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_reset(VCPU_OFF);
		CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 3, bad[i], RAM_ENTRY, 0).error, SBI_ERR_INVALID_PARAM);
		CHECK_EQ(vcpus[0].state, VCPU_RUNNABLE);
		CHECK(!vcpus[0].suspended);
	}
	/* resume_addr is an unsigned long: upper bits make it leave RAM. */
	fake_reset(VCPU_OFF);
	CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 3, 0x80000000, HI32 | RAM_ENTRY, 0).error,
		 SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 3, MSB | 0x80000000, 0x1000, 0).error, SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(vcpus[0].state, VCPU_RUNNABLE);
	/* A retentive suspend does not use resume_addr. */
	CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 3, 0, HI32 | RAM_ENTRY, 0).error, SBI_NO_RETURN_ERR);
}

TEST(hsm_suspend_ending_at_once_is_not_reported_suspended)
{
	fake_reset(VCPU_OFF);
	irq_already_pending = true;
	CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 3, 0, 0, 0).error, SBI_NO_RETURN_ERR);
	CHECK_EQ(vcpus[0].state, VCPU_RUNNABLE);
	CHECK(!vcpus[0].suspended);
	CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 2, 0, 0, 0).value, SBI_HSM_STARTED);
}

TEST(srst_type_and_reason_ignore_upper_32_bits)
{
	static const struct { unsigned long type, reason; int want; } ok[] = {
		{ SBI_SRST_SHUTDOWN, SBI_SRST_NO_REASON, SHUTDOWN_POWEROFF },
		{ HI32 | SBI_SRST_SHUTDOWN, MSB | SBI_SRST_NO_REASON, SHUTDOWN_POWEROFF },
		{ MSB | SBI_SRST_COLD_REBOOT, 0, SHUTDOWN_REBOOT },
		{ HI32 | SBI_SRST_WARM_REBOOT, HI32, SHUTDOWN_REBOOT },
		{ SBI_SRST_SHUTDOWN, HI32 | SBI_SRST_SYSTEM_FAILURE, SHUTDOWN_CRASH },
		/* A vendor reason is a shutdown for no reason Rivet knows. */
		{ SBI_SRST_SHUTDOWN, HI32 | 0xF0000000UL, SHUTDOWN_POWEROFF },
		{ SBI_SRST_SHUTDOWN, 0xFFFFFFFFUL, SHUTDOWN_POWEROFF },
	};
	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		fake_reset(VCPU_OFF);
		CHECK_EQ(ecall(&sbi_srst, SBI_EXT_SRST, 0, ok[i].type, ok[i].reason, 0).error, SBI_SUCCESS);
		CHECK_EQ(shutdowns, 1);
		CHECK_EQ(shutdown_why, ok[i].want);
	}
}

TEST(srst_reserved_types_and_reasons_are_invalid)
{
	static const struct { unsigned long type, reason; } bad[] = {
		{ 3, 0 }, { 0xEFFFFFFF, 0 }, { 0xF0000000, 0 }, { 0xFFFFFFFF, 0 }, { HI32 | 3, 0 },
		{ 0, 2 }, { 0, 0xDFFFFFFF }, { 0, 0xE0000000 }, { 0, HI32 | 2 }, { MSB, MSB | 0x1000 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_reset(VCPU_OFF);
		CHECK_EQ(ecall(&sbi_srst, SBI_EXT_SRST, 0, bad[i].type, bad[i].reason, 0).error,
			 SBI_ERR_INVALID_PARAM);
		CHECK_EQ(shutdowns, 0);
	}
	CHECK_EQ(ecall(&sbi_srst, SBI_EXT_SRST, HI32, 0, 0, 0).error, SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ(shutdowns, 0);
}

TEST(dbcn_write_byte_takes_the_low_byte)
{
	fake_reset(VCPU_OFF);
	CHECK_EQ(ecall(&sbi_dbcn, SBI_EXT_DBCN, 2, 0x64636261, 0, 0).error, SBI_SUCCESS);
	CHECK_EQ(ecall(&sbi_dbcn, SBI_EXT_DBCN, 2, MSB | 'b', 0, 0).error, SBI_SUCCESS);
	struct sbiret r = ecall(&sbi_dbcn, SBI_EXT_DBCN, 2, HI32 | 0x100 | 'c', 0, 0);
	CHECK_EQ(r.error, SBI_SUCCESS);
	CHECK_EQ(r.value, 0);
	CHECK_STR(console_out, "abc");
}

TEST(dbcn_write_and_read_use_all_64_bits)
{
	fake_reset(VCPU_OFF);
	memcpy(fake_ram + 0x100, "hello\nworld\n", 12);
	/* num_bytes with upper bits is huge, not 6: the write takes what one line holds. */
	struct sbiret r = ecall(&sbi_dbcn, SBI_EXT_DBCN, 0, 3, FAKE_RAM + 0x100, 0);
	CHECK_EQ(r.error, SBI_SUCCESS);
	CHECK_EQ(r.value, 3);
	r = ecall(&sbi_dbcn, SBI_EXT_DBCN, 0, HI32 | 3, FAKE_RAM + 0x103, 0);
	CHECK_EQ(r.error, SBI_SUCCESS);
	CHECK_EQ(r.value, 3);   /* "lo\n": to the line's end, not 3 bytes by chance */
	CHECK_STR(console_out, "hello\n");
	/* 4 bytes fit before the end of RAM; 4 plus 1 << 32 do not. */
	CHECK_EQ(ecall(&sbi_dbcn, SBI_EXT_DBCN, 0, 4, FAKE_RAM + FAKE_RAM_BYTES - 8, 0).error, SBI_SUCCESS);
	CHECK_EQ(ecall(&sbi_dbcn, SBI_EXT_DBCN, 0, HI32 | 4, FAKE_RAM + FAKE_RAM_BYTES - 8, 0).error,
		 SBI_ERR_INVALID_PARAM);
	/* The address low half with upper bits is outside RAM; a high half is too. */
	for (unsigned long fid = 0; fid <= 1; fid++) {
		CHECK_EQ(ecall(&sbi_dbcn, SBI_EXT_DBCN, fid, 4, HI32 | (FAKE_RAM + 0x100), 0).error,
			 SBI_ERR_INVALID_PARAM);
		CHECK_EQ(ecall(&sbi_dbcn, SBI_EXT_DBCN, fid, 4, FAKE_RAM + 0x100, 1).error, SBI_ERR_INVALID_PARAM);
		CHECK_EQ(ecall(&sbi_dbcn, SBI_EXT_DBCN, fid, 4, FAKE_RAM + 0x100, MSB).error, SBI_ERR_INVALID_PARAM);
	}
	fake_input = "typed";
	r = ecall(&sbi_dbcn, SBI_EXT_DBCN, 1, HI32 | 2, FAKE_RAM + 0x200, 0);
	CHECK_EQ(r.error, SBI_SUCCESS);
	CHECK_EQ(r.value, 5);   /* num_bytes is not 2 */
	CHECK(memcmp(fake_ram + 0x200, "typed", 5) == 0);
	CHECK_EQ(ecall(&sbi_dbcn, SBI_EXT_DBCN, HI32 | 2, 'x', 0, 0).error, SBI_ERR_NOT_SUPPORTED);
}

TEST(legacy_calls_read_their_widths)
{
	fake_reset(VCPU_RUNNABLE);
	ecall(&sbi_legacy, SBI_EXT_LEGACY_SET_TIMER, 0, HI32 | 5, 0, 0);
	CHECK_EQ(fake_csr[CSR_VSTIMECMP], HI32 | 5);
	ecall(&sbi_legacy, SBI_EXT_LEGACY_PUTCHAR, 0, 0x4142434445464700UL | 'Z', 0, 0);
	ecall(&sbi_legacy, SBI_EXT_LEGACY_PUTCHAR, 0, MSB | '\n', 0, 0);
	CHECK_STR(console_out, "Z\n");
	/* The hart-mask pointer is a full guest virtual address, and the mask a full word. */
	fake_mask_word = 1;
	CHECK_EQ(ecall(&sbi_legacy, SBI_EXT_LEGACY_SEND_IPI, 0, HI32 | FAKE_MASK_VA, 0, 0).error,
		 SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(last_va_read, HI32 | FAKE_MASK_VA);
	CHECK_EQ(ecall(&sbi_legacy, SBI_EXT_LEGACY_SEND_IPI, 0, FAKE_MASK_VA, 0, 0).error, 0);
	CHECK_EQ(injected[0], IRQ_BIT(IRQ_VS_SOFT));
	fake_mask_word = MSB | 1;   /* bit 63 names a hart the domain lacks */
	CHECK_EQ(ecall(&sbi_legacy, SBI_EXT_LEGACY_SEND_IPI, 0, FAKE_MASK_VA, 0, 0).error, SBI_ERR_INVALID_PARAM);
	fake_mask_word = 1;
	CHECK_EQ(ecall(&sbi_legacy, SBI_EXT_LEGACY_SFENCE_VMA_ASID, 0, FAKE_MASK_VA, MSB, MSB).error, 0);
	CHECK_EQ(nr_hfence_vvma, 1);
	CHECK_EQ(ecall(&sbi_legacy, SBI_EXT_LEGACY_FENCE_I, 0, 0, 0, 0).error, 0);   /* NULL: every hart */
	CHECK_EQ(nr_fence_i, 1);
	CHECK_EQ(vcpus[3].requests, VCPU_REQ_FENCE_I);
	ecall(&sbi_legacy, SBI_EXT_LEGACY_SHUTDOWN, 0, MSB, 0, 0);
	CHECK_EQ(shutdowns, 1);
	CHECK_EQ(shutdown_why, SHUTDOWN_POWEROFF);
}

int main(void)
{
	check_suite = "sbi_width";
	RUN(time_set_timer_uses_all_64_bits);
	RUN(ipi_and_rfence_pass_full_mask_and_base);
	RUN(ipi_yields_to_the_first_other_target_on_the_senders_hart);
	RUN(successful_calls_count_their_firmware_event);
	RUN(hsm_hart_ids_use_all_64_bits);
	RUN(hsm_start_address_and_opaque_use_all_64_bits);
	RUN(hsm_suspend_type_ignores_upper_32_bits);
	RUN(hsm_suspend_bad_types_and_addresses);
	RUN(hsm_suspend_ending_at_once_is_not_reported_suspended);
	RUN(srst_type_and_reason_ignore_upper_32_bits);
	RUN(srst_reserved_types_and_reasons_are_invalid);
	RUN(dbcn_write_byte_takes_the_low_byte);
	RUN(dbcn_write_and_read_use_all_64_bits);
	RUN(legacy_calls_read_their_widths);
	return CHECK_DONE();
}
