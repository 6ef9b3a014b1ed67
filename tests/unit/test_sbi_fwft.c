// SPDX-License-Identifier: MIT
/*
 * test_sbi_fwft.c: host tests of SBI FWFT (sbi_fwft.c): feature ids, values
 * and flags as the spec types them, the errors, lock rules, resets, probing
 * and what reaches hedeleg / henvcfg. The hart is a model: its CSRs keep the
 * bits the modelled hardware implements (WARL), and it counts writes.
 */
#include "check.h"
#include "csr.h"
#include "sbi_call.h"
#include "public/hypercall.h"
#include "hart.h"

/* The modelled hart: which bits it implements, what it holds, what was done to it. */
static u64 hw_hedeleg_bits, hw_henvcfg_bits;
static bool hw_pmlen7, hw_pmlen16;
static u64 hart_hedeleg, hart_henvcfg;
static int nr_hedeleg_writes, nr_henvcfg_writes, nr_vvma, nr_fw_fwft_calls;

static u64 model_csr_read(int csr)
{
	return csr == CSR_HEDELEG ? hart_hedeleg : csr == CSR_HENVCFG ? hart_henvcfg : 0;
}

static void model_csr_write(int csr, u64 val)
{
	if (csr == CSR_HEDELEG) {
		hart_hedeleg = val & hw_hedeleg_bits;
		nr_hedeleg_writes++;
	} else if (csr == CSR_HENVCFG) {
		u64 pmm = val & ENVCFG_PMM;
		/* PMM is WARL: an encoding the hart lacks leaves 0. */
		if (!(pmm == ENVCFG_PMM_PMLEN_7 && hw_pmlen7) && !(pmm == ENVCFG_PMM_PMLEN_16 && hw_pmlen16))
			pmm = 0;
		hart_henvcfg = (val & hw_henvcfg_bits & ~ENVCFG_PMM) | pmm;
		nr_henvcfg_writes++;
	}
}

static struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0,
			       unsigned long a1, unsigned long a2)
{
	if (ext == SBI_EXT_FWFT && fid == SBI_FWFT_SET && a0 == SBI_FWFT_PTE_AD_HW_UPDATING &&
	    a1 == 1 && a2 == 0)
		nr_fw_fwft_calls++;
	return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
}

static void hfence_vvma_all(void)
{
	nr_vvma++;
}

/* The hart whose copy of hedeleg / henvcfg (hart.h) sbi_fwft_load keeps. */
static struct hart fake_hart;
#define this_hart() (&fake_hart)
#define csr_read(c) model_csr_read(c)
#define csr_write(c, v) model_csr_write(c, v)
#include "../../microvisor/sbi/sbi_fwft.c"

#define BASE_DELEG  (IRQ_BIT(EXC_ILLEGAL_INST) | IRQ_BIT(EXC_ECALL_U))
#define MIS         (IRQ_BIT(EXC_LOAD_MISALIGNED) | IRQ_BIT(EXC_STORE_MISALIGNED))
#define UPPER       (0xdeadbeefUL << 32)

static struct vcpu va, vb;

/* vcpu.c's, as far as FWFT goes: each set that took is told. */
static unsigned nr_sig_changed;
void vcpu_sig_changed(struct vcpu *v)
{
	nr_sig_changed++;
	v->switch_sig = sbi_fwft_sig(v);
}

/* A hart like QEMU's rv64 (Svadu; no Zicfilp, Ssnpm), or with them; both vCPUs reset. */
static void machine(bool svadu, bool lpe, bool pmlen7, bool pmlen16)
{
	hw_hedeleg_bits = BASE_DELEG | MIS | (lpe ? IRQ_BIT(EXC_SW_CHECK) : 0);
	hw_henvcfg_bits = ENVCFG_STCE | (svadu ? ENVCFG_ADUE : 0) | (lpe ? ENVCFG_LPE : 0);
	hw_pmlen7 = pmlen7;
	hw_pmlen16 = pmlen16;
	sbi_fwft_init(BASE_DELEG, ENVCFG_STCE);
	sbi_fwft_reset(&va);
	sbi_fwft_reset(&vb);
	/* A hart that has run no vCPU yet (as hart_setup leaves it): the first load writes both. */
	fake_hart.hedeleg = fake_hart.henvcfg = HART_CSR_UNKNOWN;
	sbi_fwft_load(&va, &fake_hart);   /* va is the hart's current vCPU: the caller of every call below */
	nr_hedeleg_writes = nr_henvcfg_writes = nr_vvma = 0;
}

static struct sbiret call(struct vcpu *v, unsigned long fid, unsigned long a0, unsigned long a1,
			  unsigned long a2)
{
	v->frame.x[REG_A0] = a0;
	v->frame.x[REG_A1] = a1;
	v->frame.x[REG_A2] = a2;
	return sbi_fwft.call(v, fid, &v->frame);
}

static struct sbiret set(unsigned long feature, unsigned long value, unsigned long flags)
{
	return call(&va, SBI_FWFT_SET, feature, value, flags);
}

static struct sbiret get(unsigned long feature)
{
	return call(&va, SBI_FWFT_GET, feature, 0, 0);
}

TEST(reserved_and_platform_ids_are_denied)
{
	static const unsigned long ids[] = { 6, 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000,
					     0xbfffffff, 0xc0000000, 0xffffffff, UPPER | 6 };
	machine(true, false, false, false);
	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
		CHECK_EQ(get(ids[i]).error, SBI_ERR_DENIED);
		CHECK_EQ(get(ids[i]).value, 0);
		CHECK_EQ(set(ids[i], 1, 0).error, SBI_ERR_DENIED);
		CHECK_EQ(set(ids[i], 1, SBI_FWFT_SET_FLAG_LOCK).error, SBI_ERR_DENIED);
	}
}

TEST(unknown_function)
{
	machine(true, false, false, false);
	CHECK_EQ(call(&va, 2, 0, 0, 0).error, SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ(call(&va, UPPER | SBI_FWFT_GET, 0, 0, 0).error, SBI_ERR_NOT_SUPPORTED);
}

TEST(defined_features_without_hardware_are_not_supported)
{
	machine(false, false, false, false);
	static const unsigned long ids[] = { SBI_FWFT_PTE_AD_HW_UPDATING, SBI_FWFT_LANDING_PAD,
					     SBI_FWFT_SHADOW_STACK, SBI_FWFT_DOUBLE_TRAP,
					     SBI_FWFT_POINTER_MASKING_PMLEN };
	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
		CHECK_EQ(get(ids[i]).error, SBI_ERR_NOT_SUPPORTED);
		CHECK_EQ(set(ids[i], 0, 0).error, SBI_ERR_NOT_SUPPORTED);
		/* The feature is checked first: bad flags or values do not change the answer. */
		CHECK_EQ(set(ids[i], 2, 2).error, SBI_ERR_NOT_SUPPORTED);
	}
	CHECK_EQ(get(SBI_FWFT_MISALIGNED_EXC_DELEG).error, SBI_SUCCESS);
	CHECK_EQ(hart_henvcfg & ENVCFG_ADUE, 0);
}

TEST(reset_values_are_zero)
{
	machine(true, true, true, true);
	for (unsigned long id = 0; id <= SBI_FWFT_POINTER_MASKING_PMLEN; id++) {
		struct sbiret r = get(id);
		if (id == SBI_FWFT_SHADOW_STACK || id == SBI_FWFT_DOUBLE_TRAP) {
			CHECK_EQ(r.error, SBI_ERR_NOT_SUPPORTED);
			continue;
		}
		CHECK_EQ(r.error, SBI_SUCCESS);
		CHECK_EQ(r.value, 0);
	}
	CHECK_EQ(va.hedeleg & MIS, 0);
	CHECK_EQ(va.henvcfg, ENVCFG_STCE);
}

TEST(values_and_flags_full_width)
{
	static const unsigned long bad_values[] = { 2, 0xffffffff, 1UL << 32, (1UL << 32) | 1, ~0UL };
	static const unsigned long bad_flags[] = { 2, 1UL << 32, (1UL << 32) | 1, ~0UL };
	static const unsigned long ids[] = { SBI_FWFT_MISALIGNED_EXC_DELEG, SBI_FWFT_PTE_AD_HW_UPDATING,
					     SBI_FWFT_LANDING_PAD };
	machine(true, true, false, false);
	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
		for (unsigned j = 0; j < ARRAY_SIZE(bad_values); j++)
			CHECK_EQ(set(ids[i], bad_values[j], 0).error, SBI_ERR_INVALID_PARAM);
		for (unsigned j = 0; j < ARRAY_SIZE(bad_flags); j++)
			CHECK_EQ(set(ids[i], 1, bad_flags[j]).error, SBI_ERR_INVALID_PARAM);
		/* Nothing changed, nothing locked. */
		CHECK_EQ(get(ids[i]).value, 0);
		CHECK_EQ(va.fwft_locked, 0);
	}
}

TEST(feature_id_upper_half_ignored)
{
	machine(true, false, false, false);
	CHECK_EQ(set(UPPER | SBI_FWFT_MISALIGNED_EXC_DELEG, 1, 0).error, SBI_SUCCESS);
	CHECK_EQ(get(SBI_FWFT_MISALIGNED_EXC_DELEG).value, 1);
	CHECK_EQ(get(UPPER | SBI_FWFT_MISALIGNED_EXC_DELEG).value, 1);
	CHECK_EQ(set(SBI_FWFT_MISALIGNED_EXC_DELEG, 0, 0).error, SBI_SUCCESS);
	CHECK_EQ(get(UPPER | SBI_FWFT_MISALIGNED_EXC_DELEG).value, 0);
	CHECK_EQ(set((1UL << 63) | SBI_FWFT_PTE_AD_HW_UPDATING, 1, 0).error, SBI_SUCCESS);
	CHECK_EQ(get(SBI_FWFT_PTE_AD_HW_UPDATING).value, 1);
}

TEST(misaligned_deleg_reaches_hedeleg)
{
	machine(true, false, false, false);
	CHECK_EQ(hart_hedeleg, BASE_DELEG);
	CHECK_EQ(set(SBI_FWFT_MISALIGNED_EXC_DELEG, 1, 0).error, SBI_SUCCESS);
	CHECK_EQ(hart_hedeleg, BASE_DELEG | MIS);
	CHECK_EQ(nr_vvma, 0);   /* hedeleg alone: no TLB to drop */
	CHECK_EQ(set(SBI_FWFT_MISALIGNED_EXC_DELEG, 0, 0).error, SBI_SUCCESS);
	CHECK_EQ(hart_hedeleg, BASE_DELEG);
}

TEST(ad_updating_reaches_henvcfg_and_flushes)
{
	machine(true, false, false, false);
	CHECK_EQ(set(SBI_FWFT_PTE_AD_HW_UPDATING, 1, 0).error, SBI_SUCCESS);
	CHECK_EQ(hart_henvcfg, ENVCFG_STCE | ENVCFG_ADUE);
	CHECK_EQ(nr_vvma, 1);
	CHECK_EQ(set(SBI_FWFT_PTE_AD_HW_UPDATING, 1, 0).error, SBI_SUCCESS);
	CHECK_EQ(nr_vvma, 1);   /* unchanged: nothing to flush */
	CHECK_EQ(set(SBI_FWFT_PTE_AD_HW_UPDATING, 0, 0).error, SBI_SUCCESS);
	CHECK_EQ(hart_henvcfg, ENVCFG_STCE);
	CHECK_EQ(nr_vvma, 2);
}

TEST(lock_rules)
{
	machine(true, false, false, false);
	CHECK_EQ(set(SBI_FWFT_MISALIGNED_EXC_DELEG, 1, SBI_FWFT_SET_FLAG_LOCK).error, SBI_SUCCESS);
	CHECK_EQ(set(SBI_FWFT_MISALIGNED_EXC_DELEG, 0, 0).error, SBI_ERR_DENIED_LOCKED);
	CHECK_EQ(set(SBI_FWFT_MISALIGNED_EXC_DELEG, 1, 0).error, SBI_ERR_DENIED_LOCKED);
	CHECK_EQ(set(SBI_FWFT_MISALIGNED_EXC_DELEG, 0, SBI_FWFT_SET_FLAG_LOCK).error, SBI_ERR_DENIED_LOCKED);
	CHECK_EQ(set(UPPER | SBI_FWFT_MISALIGNED_EXC_DELEG, 0, 0).error, SBI_ERR_DENIED_LOCKED);
	/* Flags are checked before the lock, as KVM and OpenSBI do. */
	CHECK_EQ(set(SBI_FWFT_MISALIGNED_EXC_DELEG, 0, 2).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(get(SBI_FWFT_MISALIGNED_EXC_DELEG).error, SBI_SUCCESS);
	CHECK_EQ(get(SBI_FWFT_MISALIGNED_EXC_DELEG).value, 1);
	CHECK_EQ(hart_hedeleg, BASE_DELEG | MIS);
	/* One feature's lock is not another's, nor another vCPU's. */
	CHECK_EQ(set(SBI_FWFT_PTE_AD_HW_UPDATING, 1, 0).error, SBI_SUCCESS);
	CHECK_EQ(call(&vb, SBI_FWFT_SET, SBI_FWFT_MISALIGNED_EXC_DELEG, 1, 0).error, SBI_SUCCESS);
	/* A failed set with the lock flag does not lock. */
	CHECK_EQ(set(SBI_FWFT_PTE_AD_HW_UPDATING, 2, SBI_FWFT_SET_FLAG_LOCK).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(set(SBI_FWFT_PTE_AD_HW_UPDATING, 0, 0).error, SBI_SUCCESS);
}

TEST(hart_reset_ends_values_and_locks)
{
	machine(true, false, false, false);
	CHECK_EQ(set(SBI_FWFT_MISALIGNED_EXC_DELEG, 1, SBI_FWFT_SET_FLAG_LOCK).error, SBI_SUCCESS);
	CHECK_EQ(set(SBI_FWFT_PTE_AD_HW_UPDATING, 1, SBI_FWFT_SET_FLAG_LOCK).error, SBI_SUCCESS);
	sbi_fwft_reset(&va);
	CHECK_EQ(get(SBI_FWFT_MISALIGNED_EXC_DELEG).value, 0);
	CHECK_EQ(get(SBI_FWFT_PTE_AD_HW_UPDATING).value, 0);
	CHECK_EQ(set(SBI_FWFT_MISALIGNED_EXC_DELEG, 1, 0).error, SBI_SUCCESS);
	CHECK_EQ(set(SBI_FWFT_PTE_AD_HW_UPDATING, 1, 0).error, SBI_SUCCESS);
}

TEST(load_writes_only_what_differs)
{
	machine(true, false, false, false);
	sbi_fwft_load(&vb, &fake_hart);   /* same values as va, which the hart holds */
	CHECK_EQ(nr_hedeleg_writes, 0);
	CHECK_EQ(nr_henvcfg_writes, 0);
	CHECK_EQ(call(&vb, SBI_FWFT_SET, SBI_FWFT_MISALIGNED_EXC_DELEG, 1, 0).error, SBI_SUCCESS);
	CHECK_EQ(nr_hedeleg_writes, 1);
	CHECK_EQ(nr_henvcfg_writes, 0);
	sbi_fwft_load(&va, &fake_hart);
	CHECK_EQ(hart_hedeleg, BASE_DELEG);
	CHECK_EQ(nr_hedeleg_writes, 2);
	CHECK_EQ(nr_henvcfg_writes, 0);
	CHECK_EQ(set(SBI_FWFT_PTE_AD_HW_UPDATING, 1, 0).error, SBI_SUCCESS);
	sbi_fwft_load(&vb, &fake_hart);
	CHECK_EQ(hart_hedeleg, BASE_DELEG | MIS);
	CHECK_EQ(hart_henvcfg, ENVCFG_STCE);
	CHECK_EQ(nr_hedeleg_writes, 3);
	CHECK_EQ(nr_henvcfg_writes, 2);
}

TEST(landing_pad_delegates_sw_check)
{
	machine(true, true, false, false);
	CHECK_EQ(va.hedeleg, BASE_DELEG | IRQ_BIT(EXC_SW_CHECK));
	CHECK_EQ(set(SBI_FWFT_LANDING_PAD, 1, 0).error, SBI_SUCCESS);
	CHECK_EQ(get(SBI_FWFT_LANDING_PAD).value, 1);
	CHECK_EQ(hart_henvcfg, ENVCFG_STCE | ENVCFG_LPE);
	machine(true, false, false, false);
	CHECK_EQ(va.hedeleg, BASE_DELEG);
}

TEST(pointer_masking_picks_the_shortest_pmlen_at_least_asked)
{
	machine(true, false, true, true);
	static const unsigned long ask[] = { 0, 1, 7, 8, 16 }, got[] = { 0, 7, 7, 16, 16 };
	for (unsigned i = 0; i < ARRAY_SIZE(ask); i++) {
		CHECK_EQ(set(SBI_FWFT_POINTER_MASKING_PMLEN, ask[i], 0).error, SBI_SUCCESS);
		CHECK_EQ(get(SBI_FWFT_POINTER_MASKING_PMLEN).value, got[i]);
	}
	CHECK_EQ(set(SBI_FWFT_POINTER_MASKING_PMLEN, 17, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(set(SBI_FWFT_POINTER_MASKING_PMLEN, (1UL << 32) | 7, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(get(SBI_FWFT_POINTER_MASKING_PMLEN).value, 16);
	CHECK_EQ(hart_henvcfg & ENVCFG_PMM, ENVCFG_PMM_PMLEN_16);
	machine(true, false, false, true);   /* PMLEN 16 only */
	CHECK_EQ(set(SBI_FWFT_POINTER_MASKING_PMLEN, 3, 0).error, SBI_SUCCESS);
	CHECK_EQ(get(SBI_FWFT_POINTER_MASKING_PMLEN).value, 16);
	machine(true, false, true, false);   /* PMLEN 7 only */
	CHECK_EQ(set(SBI_FWFT_POINTER_MASKING_PMLEN, 8, 0).error, SBI_ERR_INVALID_PARAM);
}

/*
 * sbi_fwft_sig(), a part of switch_sig: a directed yield skips the hart's
 * hedeleg / henvcfg writes when two vCPUs' signatures are equal, so equal
 * must mean equal values, for every combination of the features.
 */
TEST(signature_equal_exactly_when_values_are)
{
	machine(true, true, true, true);
	static const unsigned long pmlen[] = { 0, SBI_FWFT_PMLEN_7, SBI_FWFT_PMLEN_16 };
	u64 sig[24], deleg[24], envcfg[24];
	unsigned n = 0;
	for (unsigned mis = 0; mis < 2; mis++)
		for (unsigned ad = 0; ad < 2; ad++)
			for (unsigned lp = 0; lp < 2; lp++)
				for (unsigned pm = 0; pm < ARRAY_SIZE(pmlen); pm++) {
					sbi_fwft_reset(&va);
					nr_sig_changed = 0;
					CHECK_EQ(set(SBI_FWFT_MISALIGNED_EXC_DELEG, mis, 0).error, SBI_SUCCESS);
					CHECK_EQ(set(SBI_FWFT_PTE_AD_HW_UPDATING, ad, 0).error, SBI_SUCCESS);
					CHECK_EQ(set(SBI_FWFT_LANDING_PAD, lp, 0).error, SBI_SUCCESS);
					CHECK_EQ(set(SBI_FWFT_POINTER_MASKING_PMLEN, pmlen[pm], 0).error, SBI_SUCCESS);
					CHECK_EQ(nr_sig_changed, 4);
					CHECK_EQ(va.switch_sig, sbi_fwft_sig(&va));
					CHECK_EQ(va.switch_sig & SWITCH_SIG_OWN, 0);
					sig[n] = va.switch_sig;
					deleg[n] = va.hedeleg;
					envcfg[n] = va.henvcfg;
					n++;
				}
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++)
			CHECK_EQ(sig[i] == sig[j], deleg[i] == deleg[j] && envcfg[i] == envcfg[j]);
	/* A refused set changes nothing, and tells nothing. */
	sbi_fwft_reset(&va);
	nr_sig_changed = 0;
	CHECK_EQ(set(SBI_FWFT_LANDING_PAD, 2, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(nr_sig_changed, 0);
	CHECK_EQ(sbi_fwft_sig(&va), 0);
}

TEST(firmware_asked_for_ad_updating_only_with_svadu)
{
	nr_fw_fwft_calls = 0;
	sbi_fwft_hart_setup(false);
	CHECK_EQ(nr_fw_fwft_calls, 0);
	sbi_fwft_hart_setup(true);
	CHECK_EQ(nr_fw_fwft_calls, 1);
}

int main(void)
{
	check_suite = "sbi_fwft";
	RUN(reserved_and_platform_ids_are_denied);
	RUN(unknown_function);
	RUN(defined_features_without_hardware_are_not_supported);
	RUN(reset_values_are_zero);
	RUN(values_and_flags_full_width);
	RUN(feature_id_upper_half_ignored);
	RUN(misaligned_deleg_reaches_hedeleg);
	RUN(ad_updating_reaches_henvcfg_and_flushes);
	RUN(lock_rules);
	RUN(hart_reset_ends_values_and_locks);
	RUN(load_writes_only_what_differs);
	RUN(landing_pad_delegates_sw_check);
	RUN(pointer_masking_picks_the_shortest_pmlen_at_least_asked);
	RUN(firmware_asked_for_ad_updating_only_with_svadu);
	RUN(signature_equal_exactly_when_values_are);
	return CHECK_DONE();
}
