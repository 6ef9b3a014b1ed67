// SPDX-License-Identifier: MIT
/* test_sbi_dispatch.c: host tests of SBI routing (sbi.c), BASE (sbi_base.c) and hart-mask rules. */
#include "check.h"
#include "sbi.h"
#include "domain.h"

/* Fakes for the extensions not under test: they record what reached them. */
static unsigned long last_eid, last_fid;
static struct sbiret fake_ret;
static struct sbiret fake_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	(void)v;
	last_eid = f->x[REG_A7];
	last_fid = fid;
	return fake_ret;
}
#define FAKE(n, lo, hi) const struct sbi_ext n = { #n, lo, hi, fake_call }
FAKE(sbi_time, SBI_EXT_TIME, SBI_EXT_TIME);
FAKE(sbi_ipi, SBI_EXT_IPI, SBI_EXT_IPI);
FAKE(sbi_rfence, SBI_EXT_RFENCE, SBI_EXT_RFENCE);
FAKE(sbi_hsm, SBI_EXT_HSM, SBI_EXT_HSM);
FAKE(sbi_srst, SBI_EXT_SRST, SBI_EXT_SRST);
FAKE(sbi_dbcn, SBI_EXT_DBCN, SBI_EXT_DBCN);
FAKE(sbi_legacy, SBI_EXT_LEGACY_SET_TIMER, SBI_EXT_LEGACY_SHUTDOWN);
FAKE(sbi_rivet, RIVET_SBI_EXT, RIVET_SBI_EXT);
FAKE(sbi_pmu, SBI_EXT_PMU, SBI_EXT_PMU);
/* The PMU's firmware-event count after a successful call: not under test here. */
void vpmu_sbi_done(struct vcpu *v, unsigned long eid, unsigned long fid) { (void)v; (void)eid; (void)fid; }
/* The host can read cycle and instret: the PMU is offered. */
bool vpmu_host_counters = true;
FAKE(sbi_fwft, SBI_EXT_FWFT, SBI_EXT_FWFT);
FAKE(sbi_sta, SBI_EXT_STA, SBI_EXT_STA);
FAKE(sbi_susp, SBI_EXT_SUSP, SBI_EXT_SUSP);

static struct domain dom;
static struct vcpu vcpu;

static struct trap_frame *call(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1)
{
	struct trap_frame *f = &vcpu.frame;
	f->x[REG_A7] = eid;
	f->x[REG_A6] = fid;
	f->x[REG_A0] = a0;
	f->x[REG_A1] = a1;
	f->sepc = 0x80200000;
	vcpu.dom = &dom;
	dom.nr_vcpus = 4;
	sbi_dispatch(&vcpu);
	return f;
}

/* The trap fast path's dispatcher (entry.S): what it answers, and what it leaves to the full path. */
static struct sbiret fast(unsigned long eid, unsigned long fid)
{
	struct trap_frame *f = &vcpu.frame;
	f->x[REG_A7] = eid;
	f->x[REG_A6] = fid;
	f->x[REG_A0] = 0x77;
	f->x[REG_A1] = 0x88;
	f->sepc = 0x80200000;
	vcpu.dom = &dom;
	last_eid = 0;
	return sbi_fast_ecall(f);
}

TEST(fast_ecall_declines_slow_extensions_untouched)
{
	static const unsigned long slow[] = {
		SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_SUSP, RIVET_SBI_EXT, SBI_EXT_LEGACY_SET_TIMER,
		SBI_EXT_LEGACY_SEND_IPI, SBI_EXT_LEGACY_SHUTDOWN,
	};
	for (unsigned i = 0; i < ARRAY_SIZE(slow); i++) {
		struct sbiret r = fast(slow[i], 2);
		CHECK_EQ(r.error, SBI_FAST_DECLINED);
		CHECK_EQ(last_eid, 0);                 /* not called */
		CHECK_EQ(vcpu.frame.sepc, 0x80200000);   /* the full path takes the ecall again */
		CHECK_EQ((long)vcpu.frame.x[REG_A0], 0x77);
		CHECK_EQ((long)vcpu.frame.x[REG_A1], 0x88);
	}
}

TEST(fast_ecall_runs_fast_extensions_and_answers_unknown_ones)
{
	static const unsigned long fast_eids[] = {
		SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_PMU, SBI_EXT_FWFT, SBI_EXT_STA, SBI_EXT_DBCN,
	};
	fake_ret = SBI_RET(SBI_ERR_INVALID_PARAM, 5);
	for (unsigned i = 0; i < ARRAY_SIZE(fast_eids); i++) {
		struct sbiret r = fast(fast_eids[i], 3);
		CHECK_EQ(last_eid, fast_eids[i]);
		CHECK_EQ(last_fid, 3);
		CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM);
		CHECK_EQ(r.value, 5);
		/* Same slot (EID + 32), another EID: unknown, answered without a handler. */
		r = fast(fast_eids[i] + SBI_FAST_SLOTS, 3);
		CHECK_EQ(last_eid, 0);
		CHECK_EQ(r.error, SBI_ERR_NOT_SUPPORTED);
		CHECK_EQ(r.value, 0);
	}
	/* BASE is real here: the spec version, and a probe through the full lookup. */
	struct sbiret r = fast(SBI_EXT_BASE, 0);
	CHECK_EQ(r.error, 0);
	CHECK_EQ(r.value, (long)SBI_SPEC_VERSION);
	vcpu.frame.x[REG_A0] = SBI_EXT_HSM;
	vcpu.frame.x[REG_A7] = SBI_EXT_BASE;
	vcpu.frame.x[REG_A6] = 3;
	CHECK_EQ(sbi_fast_ecall(&vcpu.frame).value, 1);
	/* Upper bits make another EID, and an empty slot is no EID's. */
	CHECK_EQ(fast((1UL << 32) | SBI_EXT_BASE, 0).error, SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ(fast(~0UL, 0).error, SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ(fast(0x0A000000, 0).error, SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ(last_eid, 0);
}

TEST(unknown_extension_is_not_supported_and_steps_sepc)
{
	struct trap_frame *f = call(0x12345678, 0, 7, 7);
	CHECK_EQ((long)f->x[REG_A0], SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ(f->sepc, 0x80200004);
	f = call(0x0A000000, 0, 7, 7);     /* firmware range, but not Rivet's EID */
	CHECK_EQ((long)f->x[REG_A0], SBI_ERR_NOT_SUPPORTED);
}

TEST(base_calls)
{
	CHECK_EQ((long)call(SBI_EXT_BASE, 0, 0, 0)->x[REG_A1], (long)SBI_SPEC_VERSION);
	CHECK_EQ((long)call(SBI_EXT_BASE, 0, 0, 0)->x[REG_A0], 0);
	CHECK_EQ((long)call(SBI_EXT_BASE, 3, SBI_EXT_HSM, 0)->x[REG_A1], 1);
	CHECK_EQ((long)call(SBI_EXT_BASE, 3, RIVET_SBI_EXT, 0)->x[REG_A1], 1);
	CHECK_EQ((long)call(SBI_EXT_BASE, 3, 0x12345678, 0)->x[REG_A1], 0);
	CHECK_EQ((long)call(SBI_EXT_BASE, 3, 0x9, 0)->x[REG_A1], 0);   /* legacy range ends at 8 */
	CHECK_EQ((long)call(SBI_EXT_BASE, 3, SBI_EXT_SUSP, 0)->x[REG_A1], 1);
	CHECK_EQ((long)call(SBI_EXT_BASE, 99, 0, 0)->x[REG_A0], SBI_ERR_NOT_SUPPORTED);
}

TEST(ids_use_all_64_bits)
{
	/* extension_id is a long: an EID with upper bits set is another (unknown) one. */
	CHECK_EQ((long)call(SBI_EXT_BASE, 3, (1UL << 32) | SBI_EXT_HSM, 0)->x[REG_A1], 0);
	CHECK_EQ((long)call(SBI_EXT_BASE, 3, (1UL << 63) | SBI_EXT_BASE, 0)->x[REG_A1], 0);
	/* So are a7 and a6, as OpenSBI and KVM read them. */
	CHECK_EQ((long)call((1UL << 32) | SBI_EXT_BASE, 0, 0, 0)->x[REG_A0], SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ((long)call(SBI_EXT_BASE, (1UL << 32) | 0, 0, 0)->x[REG_A0], SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ((long)call((1UL << 32) | SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0)->x[REG_A0], SBI_ERR_NOT_SUPPORTED);
}

TEST(routes_to_owner_with_function_id)
{
	fake_ret = SBI_RET(SBI_SUCCESS, 42);
	struct trap_frame *f = call(SBI_EXT_HSM, 2, 1, 0);
	CHECK_EQ(last_eid, SBI_EXT_HSM);
	CHECK_EQ(last_fid, 2);
	CHECK_EQ((long)f->x[REG_A0], 0);
	CHECK_EQ((long)f->x[REG_A1], 42);
	call(SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0);
	CHECK_EQ(last_eid, SBI_EXT_LEGACY_SHUTDOWN);
}

TEST(every_eid_reaches_its_extension)
{
	/* The lookup table (EID modulo a prime): each extension at its own EID, nothing at a neighbour's. */
	static const unsigned long eids[] = {
		SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN,
		RIVET_SBI_EXT, SBI_EXT_PMU, SBI_EXT_FWFT, SBI_EXT_STA, SBI_EXT_SUSP,
	};
	fake_ret = SBI_RET(SBI_SUCCESS, 1);
	for (unsigned i = 0; i < ARRAY_SIZE(eids); i++) {
		last_eid = 0;
		CHECK_EQ((long)call(eids[i], 0, 0, 0)->x[REG_A0], 0);
		CHECK_EQ(last_eid, eids[i]);
		/* Same slot (EID + 39), another EID: unknown. */
		last_eid = 0;
		CHECK_EQ((long)call(eids[i] + 39, 0, 0, 0)->x[REG_A0], SBI_ERR_NOT_SUPPORTED);
		CHECK_EQ(last_eid, 0);
	}
	for (unsigned long eid = SBI_EXT_LEGACY_SET_TIMER; eid <= SBI_EXT_LEGACY_SHUTDOWN; eid++) {
		call(eid, 0, 0, 0);
		CHECK_EQ(last_eid, eid);
	}
}

TEST(legacy_calls_leave_a1_alone)
{
	fake_ret = SBI_RET(-1, 99);
	struct trap_frame *f = call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0x5555);
	CHECK_EQ((long)f->x[REG_A0], -1);
	CHECK_EQ((long)f->x[REG_A1], 0x5555);
}

TEST(legacy_getchar_of_byte_1_is_returned)
{
	/* 0x01 (Ctrl-A) once doubled as the no-return marker and left a0 unwritten. */
	fake_ret = SBI_RET(1, 0);
	struct trap_frame *f = call(SBI_EXT_LEGACY_GETCHAR, 0, 0x77, 0x88);
	CHECK_EQ((long)f->x[REG_A0], 1);
	CHECK_EQ((long)f->x[REG_A1], 0x88);
	fake_ret = SBI_RET(1, 0);
	f = call(SBI_EXT_HSM, 2, 0x77, 0x88);
	CHECK_EQ((long)f->x[REG_A0], 1);
	/* 0x02 (Ctrl-B) is SBI_FAST_SWITCH's value: only the IPI extension's result means a yield. */
	for (long byte = 0; byte < 256; byte++) {
		fake_ret = SBI_RET(byte, 0);
		f = call(SBI_EXT_LEGACY_GETCHAR, 0, 0x77, 0x88);
		CHECK_EQ((long)f->x[REG_A0], byte);
	}
}

TEST(no_return_keeps_registers)
{
	fake_ret = SBI_NO_RETURN;
	struct trap_frame *f = call(SBI_EXT_HSM, 1, 0x77, 0x88);
	CHECK_EQ((long)f->x[REG_A0], 0x77);
	CHECK_EQ((long)f->x[REG_A1], 0x88);
}

TEST(hart_masks)
{
	u64 out = 0;
	vcpu.dom = &dom;
	dom.nr_vcpus = 4;
	CHECK_EQ(sbi_hart_mask(&vcpu, 0, ~0UL, &out), 0);
	CHECK_EQ(out, 0xf);
	CHECK_EQ(sbi_hart_mask(&vcpu, 0x3, 1, &out), 0);
	CHECK_EQ(out, 0x6);
	CHECK_EQ(sbi_hart_mask(&vcpu, 0x3, 3, &out), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_hart_mask(&vcpu, 1UL << 63, 0, &out), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_hart_mask(&vcpu, 1, 4, &out), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_hart_mask(&vcpu, 1, 63, &out), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_hart_mask(&vcpu, ~0UL, 1, &out), SBI_ERR_INVALID_PARAM);
	/* hart_mask_base is an unsigned long: upper bits name harts that do not exist, not hart 0. */
	CHECK_EQ(sbi_hart_mask(&vcpu, 1, 1UL << 32, &out), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_hart_mask(&vcpu, 1, (1UL << 63) | 1, &out), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi_hart_mask(&vcpu, 0, 1UL << 32, &out), 0);
	CHECK_EQ(out, 0);
	/* Only all ones means every hart. */
	CHECK_EQ(sbi_hart_mask(&vcpu, 1, 0xFFFFFFFFUL, &out), SBI_ERR_INVALID_PARAM);
}

int main(void)
{
	check_suite = "sbi_dispatch";
	RUN(unknown_extension_is_not_supported_and_steps_sepc);
	RUN(base_calls);
	RUN(ids_use_all_64_bits);
	RUN(routes_to_owner_with_function_id);
	RUN(every_eid_reaches_its_extension);
	RUN(legacy_calls_leave_a1_alone);
	RUN(legacy_getchar_of_byte_1_is_returned);
	RUN(no_return_keeps_registers);
	RUN(hart_masks);
	RUN(fast_ecall_declines_slow_extensions_untouched);
	RUN(fast_ecall_runs_fast_extensions_and_answers_unknown_ones);
	return CHECK_DONE();
}
