// SPDX-License-Identifier: MIT
/*
 * test_sbi_hsm.c: host tests of HSM hart_start against the domain's
 * available vCPUs (DOMAIN_VCPUS, xl vcpu-set): a guest never starts more
 * than Dom0 gave it, and a vCPU that stopped past the count stays stopped.
 */
#include "test_sbi_fakes.h"
#include "../../microvisor/sbi/sbi_hsm.c"

#define RAM_ENTRY (FAKE_RAM + 0x1000)

static struct sbiret start(unsigned long hart)
{
	return ecall(&sbi_hsm, SBI_EXT_HSM, 0, hart, RAM_ENTRY, 0);
}

static long status(unsigned long hart)
{
	return ecall(&sbi_hsm, SBI_EXT_HSM, 2, hart, 0, 0).value;
}

TEST(start_below_the_count_succeeds)
{
	fake_reset(VCPU_OFF);
	dom.avail_vcpus = 2;
	CHECK_EQ(start(1).error, SBI_SUCCESS);
	CHECK_EQ(vcpus[1].state, VCPU_RUNNABLE);
	CHECK_EQ(dom.started_vcpus, 2);
}

TEST(start_at_or_past_the_count_is_refused)
{
	fake_reset(VCPU_OFF);
	dom.avail_vcpus = 2;
	CHECK_EQ(start(2).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(start(FAKE_VCPUS - 1).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vcpus[2].state, VCPU_OFF);
	CHECK_EQ(vcpus[3].state, VCPU_OFF);
	CHECK_EQ(dom.started_vcpus, 1);
	/* Still a hart of the domain: its status is STOPPED, not an invalid id. */
	CHECK_EQ(status(2), SBI_HSM_STOPPED);
	CHECK_EQ(fake_hart.kicked, 0);
}

TEST(refused_before_the_entry_is_looked_at)
{
	fake_reset(VCPU_OFF);
	dom.avail_vcpus = 1;
	/* A bad entry too: the count answers first, the same way for any address. */
	CHECK_EQ(ecall(&sbi_hsm, SBI_EXT_HSM, 0, 1, 0, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vcpus[1].state, VCPU_OFF);
}

TEST(lowering_stops_nothing_but_a_stopped_vcpu_stays_stopped)
{
	fake_reset(VCPU_OFF);
	CHECK_EQ(start(1).error, SBI_SUCCESS);
	dom.avail_vcpus = 1;   /* Dom0 lowers the count: vCPU 1 keeps running */
	CHECK_EQ(vcpus[1].state, VCPU_RUNNABLE);
	CHECK_EQ(status(1), SBI_HSM_STARTED);
	/* Past the count is refused whatever its state: a running one is not restarted. */
	CHECK_EQ(start(1).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vcpus[1].state, VCPU_RUNNABLE);
	/* The guest offlines it: HSM stop on vCPU 1 itself. */
	fake_hart.current = &vcpus[1];
	CHECK_EQ(sbi_hsm.call(&vcpus[1], 1, &vcpus[1].frame).error, SBI_NO_RETURN_ERR);
	fake_hart.current = &vcpus[0];
	CHECK_EQ(vcpus[1].state, VCPU_OFF);
	CHECK_EQ(dom.started_vcpus, 1);
	CHECK_EQ(shutdowns, 0);
	CHECK_EQ(start(1).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vcpus[1].state, VCPU_OFF);
	/* Raised again: it may start. */
	dom.avail_vcpus = 2;
	CHECK_EQ(start(1).error, SBI_SUCCESS);
	CHECK_EQ(vcpus[1].state, VCPU_RUNNABLE);
}

int main(void)
{
	check_suite = "sbi_hsm";
	RUN(start_below_the_count_succeeds);
	RUN(start_at_or_past_the_count_is_refused);
	RUN(refused_before_the_entry_is_looked_at);
	RUN(lowering_stops_nothing_but_a_stopped_vcpu_stays_stopped);
	return CHECK_DONE();
}
