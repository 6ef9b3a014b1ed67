// SPDX-License-Identifier: MIT
/* test_sbi_sta.c: host tests of SBI STA (sbi_sta.c) and the steal-time arithmetic (steal.h). */
#include "check.h"
#include "sbi.h"
#include "domain.h"
#include "steal.h"
#include <string.h>

u64 timebase_hz = 10000000;   /* QEMU virt's 10 MHz */

/*
 * The domain's G-stage, faked: 4 pages of RAM at RAM_GPA backed by ram[],
 * the third read-only, the fourth a foreign mapping (not OWNED), and one
 * page at the very top of the address space (which no real table maps) to
 * show the wrap check is the code's own.
 */
#define RAM_GPA  0x80000000UL
#define TOP_GPA  (~0UL - PAGE_SIZE + 1)
static u8 ram[4 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static u8 top[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

int gstage_translate(const struct gstage *gs, u64 gpa, u64 *hpa, u64 *prot)
{
	(void)gs;
	u64 p = PTE_RWX | PTE_OWNED;
	if (gpa >= TOP_GPA) {
		*hpa = (u64)(uintptr_t)top + (gpa - TOP_GPA);
	} else if (gpa >= RAM_GPA && gpa < RAM_GPA + sizeof(ram)) {
		u64 page = (gpa - RAM_GPA) / PAGE_SIZE;
		if (page == 2)
			p = PTE_R | PTE_X | PTE_OWNED;
		if (page == 3)
			p = PTE_RWX;
		*hpa = (u64)(uintptr_t)ram + (gpa - RAM_GPA);
	} else {
		return -RIVET_ENOENT;
	}
	if (prot)
		*prot = p;
	return 0;
}

static struct domain dom;
static struct vcpu vcpu0, vcpu1;

/* vcpu.c's: a registration that took, or one dropped by the guest, is told. */
void vcpu_sig_changed(struct vcpu *v)
{
	v->switch_sig = v->sta ? SWITCH_SIG_STA : 0;
}

static struct sbiret set_shmem(struct vcpu *v, unsigned long lo, unsigned long hi, unsigned long flags)
{
	struct trap_frame f = { 0 };
	f.x[REG_A0] = lo;
	f.x[REG_A1] = hi;
	f.x[REG_A2] = flags;
	f.x[REG_A6] = SBI_STA_SET_SHMEM;
	f.x[REG_A7] = SBI_EXT_STA;
	return sbi_sta.call(v, SBI_STA_SET_SHMEM, &f);
}

static void setup(void)
{
	memset(&dom, 0, sizeof(dom));
	memset(&vcpu0, 0, sizeof(vcpu0));
	memset(&vcpu1, 0, sizeof(vcpu1));
	memset(ram, 0xaa, sizeof(ram));
	dom.nr_vcpus = 2;
	dom.vcpus[0] = &vcpu0;
	dom.vcpus[1] = &vcpu1;
	vcpu0.dom = vcpu1.dom = &dom;
	vcpu1.id = 1;
}

static struct sbi_sta_struct *rec_at(u64 gpa) { return (struct sbi_sta_struct *)(ram + (gpa - RAM_GPA)); }

TEST(registers_and_zeroes_the_record)
{
	setup();
	struct sbiret r = set_shmem(&vcpu0, RAM_GPA + 64, 0, 0);
	CHECK_EQ(r.error, SBI_SUCCESS);
	CHECK_EQ(r.value, 0);
	CHECK(vcpu0.sta == rec_at(RAM_GPA + 64));
	CHECK_EQ(vcpu0.sta_gpa, RAM_GPA + 64);
	const u8 *b = (const u8 *)rec_at(RAM_GPA + 64);
	for (unsigned i = 0; i < 64; i++)
		CHECK_EQ(b[i], 0);
	/* Not a byte more. */
	CHECK_EQ(b[-1], 0xaa);
	CHECK_EQ(b[64], 0xaa);
	/* The last record of a writable page, and of the second page. */
	CHECK_EQ(set_shmem(&vcpu1, RAM_GPA + 2 * PAGE_SIZE - 64, 0, 0).error, SBI_SUCCESS);
	CHECK(vcpu1.sta == rec_at(RAM_GPA + 2 * PAGE_SIZE - 64));
	/* Its switch_sig says so (a yield between the two then notes steal), and stops saying so when dropped. */
	CHECK_EQ(vcpu1.switch_sig, SWITCH_SIG_STA);
	CHECK_EQ(set_shmem(&vcpu1, SBI_STA_SHMEM_DISABLE, SBI_STA_SHMEM_DISABLE, 0).error, SBI_SUCCESS);
	CHECK_EQ(vcpu1.switch_sig, 0);
	/* A refused one keeps the earlier registration, and what its switch_sig said. */
	CHECK_EQ(set_shmem(&vcpu0, RAM_GPA + 1, 0, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK(vcpu0.sta == rec_at(RAM_GPA + 64));
	CHECK_EQ(vcpu0.switch_sig, SWITCH_SIG_STA);
}

TEST(flags_must_be_zero_in_all_64_bits)
{
	setup();
	unsigned long bad[] = { 1, 2, 1UL << 31, 1UL << 32, 1UL << 63, ~0UL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(set_shmem(&vcpu0, RAM_GPA, 0, bad[i]).error, SBI_ERR_INVALID_PARAM);
		/* Also on a disable: flags are checked first, as KVM does. */
		CHECK_EQ(set_shmem(&vcpu0, ~0UL, ~0UL, bad[i]).error, SBI_ERR_INVALID_PARAM);
	}
	CHECK(vcpu0.sta == NULL);
}

TEST(alignment_is_64_bytes_of_lo)
{
	setup();
	unsigned long off[] = { 1, 4, 8, 16, 32, 63, 65 };
	for (unsigned i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		CHECK_EQ(set_shmem(&vcpu0, RAM_GPA + off[i], 0, 0).error, SBI_ERR_INVALID_PARAM);
	/* All ones in lo alone is not a disable: it is misaligned. */
	CHECK_EQ(set_shmem(&vcpu0, ~0UL, 0, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(set_shmem(&vcpu0, ~0UL, 1, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK(vcpu0.sta == NULL);
}

TEST(hi_nonzero_is_an_address_beyond_rv64)
{
	setup();
	unsigned long hi[] = { 1, 1UL << 32, 1UL << 63, ~0UL };
	for (unsigned i = 0; i < sizeof(hi) / sizeof(hi[0]); i++)
		CHECK_EQ(set_shmem(&vcpu0, RAM_GPA, hi[i], 0).error, SBI_ERR_INVALID_ADDRESS);
	/* ~0 in hi with an aligned lo is no disable either. */
	CHECK_EQ(set_shmem(&vcpu0, ~0UL & ~63UL, ~0UL, 0).error, SBI_ERR_INVALID_ADDRESS);
	CHECK(vcpu0.sta == NULL);
}

TEST(record_must_be_the_domains_writable_ram)
{
	setup();
	CHECK_EQ(set_shmem(&vcpu0, 0, 0, 0).error, SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(set_shmem(&vcpu0, RAM_GPA - 64, 0, 0).error, SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(set_shmem(&vcpu0, RAM_GPA + sizeof(ram), 0, 0).error, SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(set_shmem(&vcpu0, RAM_GPA + 2 * PAGE_SIZE, 0, 0).error, SBI_ERR_INVALID_ADDRESS);   /* read-only */
	CHECK_EQ(set_shmem(&vcpu0, RAM_GPA + 3 * PAGE_SIZE, 0, 0).error, SBI_ERR_INVALID_ADDRESS);   /* foreign */
	/* The last aligned record of the address space wraps past its top, even where mapped. */
	CHECK_EQ(set_shmem(&vcpu0, ~0UL - 63, 0, 0).error, SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(set_shmem(&vcpu0, ~0UL - 127, 0, 0).error, SBI_SUCCESS);   /* the fake's top page, no wrap */
	CHECK(vcpu0.sta == (struct sbi_sta_struct *)(top + PAGE_SIZE - 128));
	CHECK(ram[2 * PAGE_SIZE] == 0xaa && ram[3 * PAGE_SIZE] == 0xaa);
}

TEST(failed_call_keeps_the_registration_and_disable_drops_it)
{
	setup();
	CHECK_EQ(set_shmem(&vcpu0, RAM_GPA, 0, 0).error, SBI_SUCCESS);
	CHECK_EQ(set_shmem(&vcpu0, RAM_GPA + 8, 0, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(set_shmem(&vcpu0, RAM_GPA + 3 * PAGE_SIZE, 0, 0).error, SBI_ERR_INVALID_ADDRESS);
	CHECK(vcpu0.sta == rec_at(RAM_GPA));
	CHECK_EQ(set_shmem(&vcpu0, ~0UL, ~0UL, 0).error, SBI_SUCCESS);
	CHECK(vcpu0.sta == NULL);
	/* Disabling with nothing registered succeeds too. */
	CHECK_EQ(set_shmem(&vcpu0, ~0UL, ~0UL, 0).error, SBI_SUCCESS);
}

TEST(other_functions_are_not_supported)
{
	setup();
	struct trap_frame f = { 0 };
	CHECK_EQ(sbi_sta.call(&vcpu0, 1, &f).error, SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ(sbi_sta.call(&vcpu0, 1UL << 32, &f).error, SBI_ERR_NOT_SUPPORTED);
	CHECK(sbi_sta.eid_min == SBI_EXT_STA && sbi_sta.eid_max == SBI_EXT_STA);
}

/* What a guest reads, with the spec's sequence check. */
static u64 read_steal(const struct sbi_sta_struct *r, u32 *seq)
{
	*seq = r->sequence;
	CHECK_EQ(*seq & 1, 0);
	return r->steal;
}

TEST(only_waiting_counts_and_reaches_the_record_when_loaded)
{
	setup();
	u32 seq;
	/* Waiting before registration is not counted at all (steal.h: nothing would read it). */
	steal_note(&vcpu0, true, false, 1000);
	steal_note(&vcpu0, false, false, 1500);
	CHECK_EQ(vcpu0.steal_ticks, 0);
	CHECK_EQ(set_shmem(&vcpu0, RAM_GPA, 0, 0).error, SBI_SUCCESS);
	struct sbi_sta_struct *r = rec_at(RAM_GPA);
	steal_loaded(&vcpu0);   /* nothing new: nothing written (the call zeroed the record) */
	CHECK_EQ(read_steal(r, &seq), 0);
	CHECK_EQ(seq, 0);
	CHECK(!vcpu0.sta_stale);

	/* Switched out while runnable: preempted goes up at once, steal at the next load. */
	steal_note(&vcpu0, true, true, 2000);
	CHECK_EQ(r->preempted, 1);
	CHECK_EQ(read_steal(r, &seq), 0);
	steal_note(&vcpu0, true, false, 2100);   /* still waiting: no change */
	steal_note(&vcpu0, false, false, 2250);  /* picked */
	CHECK(vcpu0.sta_stale);
	CHECK_EQ(read_steal(r, &seq), 0);
	steal_loaded(&vcpu0);
	CHECK_EQ(read_steal(r, &seq), 25000);    /* 250 ticks at 10 MHz */
	CHECK_EQ(seq, 2);
	CHECK_EQ(r->preempted, 0);
	CHECK_EQ(r->flags, 0);

	/* Not waiting (blocked, paused, stopped: the caller says waits = false) adds nothing. */
	steal_note(&vcpu0, false, false, 9000);
	steal_loaded(&vcpu0);
	CHECK_EQ(read_steal(r, &seq), 25000);
	CHECK_EQ(seq, 2);

	/* Woken but kept waiting by another vCPU (not current: no preempted flag). */
	steal_note(&vcpu0, true, false, 10000);
	CHECK_EQ(r->preempted, 0);
	steal_note(&vcpu0, false, false, 10001);
	steal_loaded(&vcpu0);
	CHECK_EQ(read_steal(r, &seq), 25100);
	CHECK_EQ(seq, 4);

	/* Runnable and picked at once: nothing to write. */
	steal_note(&vcpu0, true, false, 30000);
	steal_note(&vcpu0, false, false, 30000);
	CHECK(!vcpu0.sta_stale);
	CHECK_EQ(vcpu0.steal_ticks, 251);

	/* Re-registering starts the record at zero again. */
	CHECK_EQ(set_shmem(&vcpu0, RAM_GPA + 128, 0, 0).error, SBI_SUCCESS);
	steal_note(&vcpu0, true, true, 20000);
	steal_note(&vcpu0, false, false, 20007);
	steal_loaded(&vcpu0);
	CHECK_EQ(read_steal(rec_at(RAM_GPA + 128), &seq), 700);
	CHECK_EQ(seq, 2);
	CHECK_EQ(read_steal(r, &seq), 25100);    /* the old one is left alone */
}

TEST(reset_and_release_drop_records)
{
	setup();
	CHECK_EQ(set_shmem(&vcpu0, RAM_GPA + PAGE_SIZE - 64, 0, 0).error, SBI_SUCCESS);
	CHECK_EQ(set_shmem(&vcpu1, RAM_GPA + PAGE_SIZE, 0, 0).error, SBI_SUCCESS);
	sta_forget_range(&dom, RAM_GPA + PAGE_SIZE, RAM_GPA + 2 * PAGE_SIZE);
	CHECK(vcpu0.sta != NULL);
	CHECK(vcpu1.sta == NULL);
	sta_forget_range(&dom, RAM_GPA, RAM_GPA + PAGE_SIZE);
	CHECK(vcpu0.sta == NULL);
	/* With no record, nothing is written. */
	memset(ram, 0xaa, sizeof(ram));
	steal_note(&vcpu0, true, true, 1);
	steal_note(&vcpu0, false, false, 2);
	steal_loaded(&vcpu0);
	CHECK_EQ(ram[PAGE_SIZE - 64], 0xaa);
	CHECK_EQ(set_shmem(&vcpu1, RAM_GPA, 0, 0).error, SBI_SUCCESS);
	/* Dropped while it waits, then registered again: that old wait does not count. */
	steal_note(&vcpu1, true, true, 100);
	sta_reset(&vcpu1);
	CHECK(vcpu1.sta == NULL);
	CHECK_EQ(set_shmem(&vcpu1, RAM_GPA, 0, 0).error, SBI_SUCCESS);
	steal_note(&vcpu1, true, true, 5000);
	steal_note(&vcpu1, false, false, 5010);
	steal_loaded(&vcpu1);
	u32 seq;
	CHECK_EQ(read_steal(rec_at(RAM_GPA), &seq), 1000);   /* 10 ticks, not 4910 */
}

static u64 ref_ns(u64 ticks, u64 hz)
{
	return (u64)((unsigned __int128)ticks * NSEC_PER_SEC / hz);
}

TEST(ticks_to_ns_is_exact_without_overflow)
{
	CHECK_EQ(steal_ticks_to_ns(0, 10000000), 0);
	CHECK_EQ(steal_ticks_to_ns(1, 10000000), 100);
	CHECK_EQ(steal_ticks_to_ns(10000000, 10000000), NSEC_PER_SEC);
	CHECK_EQ(steal_ticks_to_ns(3, 1000000000), 3);
	CHECK_EQ(steal_ticks_to_ns(1, 3), 333333333);
	/* ticks * 10^9 overflows 64 bits from 1.8e10 ticks on (30 minutes at 10 MHz). */
	CHECK_EQ(steal_ticks_to_ns(20000000000UL, 10000000), 2000000000000UL);
	u64 hz[] = { 1, 3, 32768, 1000000, 10000000, 24000000, 1000000000, 4000000000UL, 17000000000UL };
	u64 x = 0x9e3779b97f4a7c15UL;
	for (unsigned i = 0; i < sizeof(hz) / sizeof(hz[0]); i++) {
		/* The largest ticks whose nanoseconds still fit in 64 bits, and random ones below. */
		u64 max = (u64)(((unsigned __int128)~0UL * hz[i]) / NSEC_PER_SEC);
		CHECK_EQ(steal_ticks_to_ns(max, hz[i]), ref_ns(max, hz[i]));
		for (unsigned k = 0; k < 1000; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			u64 t = x % (max ? max : 1);
			CHECK_EQ(steal_ticks_to_ns(t, hz[i]), ref_ns(t, hz[i]));
		}
	}
}

int main(void)
{
	check_suite = "sbi_sta";
	RUN(registers_and_zeroes_the_record);
	RUN(flags_must_be_zero_in_all_64_bits);
	RUN(alignment_is_64_bytes_of_lo);
	RUN(hi_nonzero_is_an_address_beyond_rv64);
	RUN(record_must_be_the_domains_writable_ram);
	RUN(failed_call_keeps_the_registration_and_disable_drops_it);
	RUN(other_functions_are_not_supported);
	RUN(only_waiting_counts_and_reaches_the_record_when_loaded);
	RUN(reset_and_release_drop_records);
	RUN(ticks_to_ns_is_exact_without_overflow);
	return CHECK_DONE();
}
