// SPDX-License-Identifier: MIT
/* test_vpmu.c: host tests of the virtual PMU (vpmu.c): counting only while loaded, the SBI argument checks, CSR-read decoding. */
#include "check.h"
#include "vpmu.h"
#include "csr.h"
#include "public/hypercall.h"
#include "public/sbi_abi.h"

#define EV_CYCLES  ((SBI_PMU_EVENT_TYPE_HW << SBI_PMU_EVENT_TYPE_SHIFT) | SBI_PMU_HW_CPU_CYCLES)
#define EV_INSNS   ((SBI_PMU_EVENT_TYPE_HW << SBI_PMU_EVENT_TYPE_SHIFT) | SBI_PMU_HW_INSTRUCTIONS)
#define EV_FW(c)   ((SBI_PMU_EVENT_TYPE_FW << SBI_PMU_EVENT_TYPE_SHIFT) | (c))
#define ALL        ((1UL << VPMU_NR_COUNTERS) - 1)
#define HI         (1UL << 63)

static struct vpmu p;

static void fresh(void)
{
	vpmu_reset(&p);
}

TEST(info_of_each_counter)
{
	unsigned long info = 0;
	CHECK_EQ(vpmu_num_counters(), VPMU_NR_COUNTERS);
	CHECK_EQ(vpmu_get_info(0, &info), SBI_SUCCESS);
	CHECK_EQ(info, (63UL << 12) | CSR_CYCLE);
	CHECK_EQ(vpmu_get_info(1, &info), SBI_ERR_INVALID_PARAM);   /* time: as OpenSBI and KVM */
	CHECK_EQ(vpmu_get_info(2, &info), SBI_SUCCESS);
	CHECK_EQ(info, (63UL << 12) | CSR_INSTRET);
	for (unsigned long i = VPMU_CTR_FW_FIRST; i < VPMU_NR_COUNTERS; i++) {
		CHECK_EQ(vpmu_get_info(i, &info), SBI_SUCCESS);
		CHECK_EQ(info, SBI_PMU_CTR_INFO_FW | (63UL << 12));
	}
	CHECK_EQ(vpmu_get_info(VPMU_NR_COUNTERS, &info), SBI_ERR_INVALID_PARAM);
	/* unsigned long: the upper bits are part of the index */
	CHECK_EQ(vpmu_get_info(HI | 0, &info), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_get_info(~0UL, &info), SBI_ERR_INVALID_PARAM);
}

TEST(counts_only_while_loaded_and_started)
{
	unsigned long idx = 99;
	fresh();
	vpmu_loaded(&p, 1000, 500);
	CHECK_EQ(vpmu_cfg_match(&p, 0, ALL, SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_INSNS, 0, &idx), SBI_SUCCESS);
	CHECK_EQ(idx, VPMU_CTR_INSTRET);
	vpmu_sync(&p, 1100, 600);                 /* configured, not started: nothing */
	CHECK_EQ(p.value[2], 0);
	CHECK_EQ(vpmu_start(&p, 2, 1, 0, 0), SBI_SUCCESS);
	vpmu_sync(&p, 1200, 650);                 /* +50 */
	vpmu_sync(&p, 1300, 700);                 /* put: +50 */
	vpmu_loaded(&p, 9000, 5000);              /* another vCPU ran 4300 instructions meanwhile */
	vpmu_sync(&p, 9100, 5010);                /* +10 */
	CHECK_EQ(p.value[2], 110);
	CHECK_EQ(p.value[0], 0);                  /* cycle never configured */
	CHECK_EQ(vpmu_stop(&p, 2, 1, 0), SBI_SUCCESS);
	vpmu_sync(&p, 9900, 5900);
	CHECK_EQ(p.value[2], 110);                /* stopped: frozen */
	CHECK_EQ(vpmu_start(&p, 2, 1, SBI_PMU_START_FLAG_SET_INIT_VALUE, ~0UL - 4), SBI_SUCCESS);
	vpmu_sync(&p, 9910, 5910);                /* wraps at 64 bits */
	CHECK_EQ(p.value[2], 5);
}

TEST(matching_picks_the_counter_that_counts_the_event)
{
	unsigned long idx = 99;
	fresh();
	CHECK_EQ(vpmu_cfg_match(&p, 0, ALL, 0, EV_CYCLES, 0, &idx), SBI_SUCCESS);
	CHECK_EQ(idx, 0);
	/* counter 0 is taken: another cycles event finds none */
	CHECK_EQ(vpmu_cfg_match(&p, 0, ALL, 0, EV_CYCLES, 0, &idx), SBI_ERR_NOT_SUPPORTED);
	/* a set without the instret counter cannot count instructions */
	CHECK_EQ(vpmu_cfg_match(&p, 3, 0xff, 0, EV_INSNS, 0, &idx), SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ(vpmu_cfg_match(&p, 1, 0x3, 0, EV_INSNS, 0, &idx), SBI_SUCCESS);
	CHECK_EQ(idx, 2);
	CHECK_EQ(vpmu_cfg_match(&p, 0, ALL, 0, EV_FW(VPMU_FW_SET_TIMER), 0, &idx), SBI_SUCCESS);
	CHECK_EQ(idx, VPMU_CTR_FW_FIRST);
	CHECK_EQ(vpmu_cfg_match(&p, 0, ALL, 0, EV_FW(VPMU_FW_SET_TIMER), 0, &idx), SBI_SUCCESS);
	CHECK_EQ(idx, VPMU_CTR_FW_FIRST + 1);
	/* events Rivet does not count */
	unsigned long bad[] = { 0, 3, EV_CYCLES | HI, (SBI_PMU_EVENT_TYPE_HW << 16) | 3,
				(SBI_PMU_EVENT_TYPE_HW_CACHE << 16) | 0, (SBI_PMU_EVENT_TYPE_HW_RAW << 16),
				EV_FW(0), EV_FW(7), EV_FW(0xffff), EV_FW(VPMU_FW_SET_TIMER) | HI, ~0UL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(vpmu_cfg_match(&p, 0, ALL, 0, bad[i], 0, &idx), SBI_ERR_NOT_SUPPORTED);
	/* event_data (uint64_t) is ignored for these events, whatever its bits */
	CHECK_EQ(vpmu_stop(&p, 0, 1, SBI_PMU_STOP_FLAG_RESET), SBI_ERR_ALREADY_STOPPED);
	CHECK_EQ(vpmu_cfg_match(&p, 0, 1, 0, EV_CYCLES, ~0ULL, &idx), SBI_SUCCESS);
}

TEST(counter_sets_out_of_range_are_invalid)
{
	unsigned long idx = 99;
	fresh();
	unsigned long bases[] = { VPMU_NR_COUNTERS, HI, ~0UL, ~0UL - 1 };
	for (unsigned i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		CHECK_EQ(vpmu_cfg_match(&p, bases[i], 1, 0, EV_CYCLES, 0, &idx), SBI_ERR_INVALID_PARAM);
		CHECK_EQ(vpmu_start(&p, bases[i], 1, 0, 0), SBI_ERR_INVALID_PARAM);
		CHECK_EQ(vpmu_stop(&p, bases[i], 1, 0), SBI_ERR_INVALID_PARAM);
	}
	/* base + highest bit past the last counter, or wrapping around */
	CHECK_EQ(vpmu_cfg_match(&p, 0, 1UL << VPMU_NR_COUNTERS, 0, EV_CYCLES, 0, &idx), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_cfg_match(&p, 0, ALL | HI, 0, EV_CYCLES, 0, &idx), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_cfg_match(&p, 1, ALL, 0, EV_CYCLES, 0, &idx), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_cfg_match(&p, 2, HI, 0, EV_CYCLES, 0, &idx), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_cfg_match(&p, 0, 0, 0, EV_CYCLES, 0, &idx), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_start(&p, 0, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_stop(&p, 0, 0, 0), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_start(&p, VPMU_NR_COUNTERS - 1, 2, 0, 0), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(p.configured, 0);
	/* the last counter alone is in range */
	CHECK_EQ(vpmu_cfg_match(&p, VPMU_NR_COUNTERS - 1, 1, 0, EV_FW(VPMU_FW_IPI_SENT), 0, &idx), SBI_SUCCESS);
	CHECK_EQ(idx, VPMU_NR_COUNTERS - 1);
}

TEST(reserved_flags_and_snapshots)
{
	unsigned long idx = 99;
	fresh();
	CHECK_EQ(vpmu_cfg_match(&p, 0, 1, 1UL << 8, EV_CYCLES, 0, &idx), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_cfg_match(&p, 0, 1, HI, EV_CYCLES, 0, &idx), SBI_ERR_INVALID_PARAM);
	/* the mode-inhibit flags are accepted */
	CHECK_EQ(vpmu_cfg_match(&p, 0, 1, SBI_PMU_CFG_FLAG_SET_VUINH | SBI_PMU_CFG_FLAG_SET_SINH |
				SBI_PMU_CFG_FLAG_SET_MINH, EV_CYCLES, 0, &idx), SBI_SUCCESS);
	CHECK_EQ(vpmu_start(&p, 0, 1, 1UL << 2, 0), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_start(&p, 0, 1, HI, 0), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_start(&p, 0, 1, SBI_PMU_START_FLAG_INIT_SNAPSHOT, 0), SBI_ERR_NO_SHMEM);
	CHECK_EQ(p.started, 0);
	CHECK_EQ(vpmu_start(&p, 0, 1, 0, 0), SBI_SUCCESS);
	CHECK_EQ(vpmu_stop(&p, 0, 1, 1UL << 2), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_stop(&p, 0, 1, HI), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_stop(&p, 0, 1, SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT), SBI_ERR_NO_SHMEM);
	CHECK_EQ(p.started, 1);
}

/* Linux's stop-all at boot: a set of every counter, some configured, with reset. */
TEST(stop_skips_unconfigured_counters)
{
	struct vpmu p;
	unsigned long idx;
	vpmu_reset(&p);
	CHECK_EQ(vpmu_cfg_match(&p, 0, 0x7, SBI_PMU_CFG_FLAG_AUTO_START,
				(SBI_PMU_EVENT_TYPE_HW << SBI_PMU_EVENT_TYPE_SHIFT) | SBI_PMU_HW_INSTRUCTIONS, 0, &idx),
		 SBI_SUCCESS);
	CHECK_EQ(idx, 2);
	CHECK_EQ(vpmu_stop(&p, 0, (1UL << VPMU_NR_COUNTERS) - 1, SBI_PMU_STOP_FLAG_RESET), SBI_SUCCESS);
	CHECK_EQ(p.configured, 0);
	CHECK_EQ(p.started, 0);
	/* Nothing configured in the set: nothing to stop. */
	CHECK_EQ(vpmu_stop(&p, 0, (1UL << VPMU_NR_COUNTERS) - 1, SBI_PMU_STOP_FLAG_RESET), SBI_ERR_INVALID_PARAM);
}

TEST(start_stop_states)
{
	unsigned long idx = 99;
	fresh();
	vpmu_loaded(&p, 0, 0);
	/* unconfigured counters are invalid, and nothing changes */
	CHECK_EQ(vpmu_start(&p, 0, 1, 0, 0), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_stop(&p, 0, 1, 0), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_cfg_match(&p, 0, 1, SBI_PMU_CFG_FLAG_AUTO_START, EV_CYCLES, 0, &idx), SBI_SUCCESS);
	CHECK_EQ(p.started, 1);
	CHECK_EQ(vpmu_start(&p, 0, 1, SBI_PMU_START_FLAG_SET_INIT_VALUE, 77), SBI_ERR_ALREADY_STARTED);
	CHECK_EQ(p.value[0], 0);                   /* a running counter keeps its value */
	CHECK_EQ(vpmu_start(&p, 0, 0x5, 0, 0), SBI_ERR_INVALID_PARAM);   /* instret unconfigured */
	CHECK_EQ(vpmu_cfg_match(&p, 0, ALL, 0, EV_INSNS, 0, &idx), SBI_SUCCESS);
	CHECK_EQ(vpmu_start(&p, 0, 0x5, SBI_PMU_START_FLAG_SET_INIT_VALUE, 1000), SBI_ERR_ALREADY_STARTED);
	CHECK_EQ(p.started, 0x5);
	CHECK_EQ(p.value[2], 1000);
	vpmu_sync(&p, 10, 20);
	CHECK_EQ(p.value[0], 10);
	CHECK_EQ(p.value[2], 1020);
	CHECK_EQ(vpmu_stop(&p, 0, 0x1, 0), SBI_SUCCESS);
	CHECK_EQ(vpmu_stop(&p, 0, 0x5, 0), SBI_ERR_ALREADY_STOPPED);
	CHECK_EQ(p.started, 0);
	/* a reset frees even a stopped counter; the next matching may take it again */
	CHECK_EQ(vpmu_stop(&p, 0, 0x5, SBI_PMU_STOP_FLAG_RESET), SBI_ERR_ALREADY_STOPPED);
	CHECK_EQ(p.configured, 0);
	/* skip-match names a configured counter only */
	CHECK_EQ(vpmu_cfg_match(&p, 0, 1, SBI_PMU_CFG_FLAG_SKIP_MATCH, EV_CYCLES, 0, &idx), SBI_ERR_INVALID_PARAM);
	CHECK_EQ(vpmu_cfg_match(&p, 0, 1, SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_CYCLES, 0, &idx), SBI_SUCCESS);
	CHECK_EQ(p.value[0], 0);
	CHECK_EQ(vpmu_cfg_match(&p, 0, 0x5, SBI_PMU_CFG_FLAG_SKIP_MATCH, EV_CYCLES, 0, &idx), SBI_SUCCESS);
	CHECK_EQ(idx, 0);
	CHECK_EQ(vpmu_cfg_match(&p, 0, 1, SBI_PMU_CFG_FLAG_SKIP_MATCH, EV_INSNS, 0, &idx), SBI_ERR_NOT_SUPPORTED);
}

TEST(firmware_counters)
{
	unsigned long idx = 99, v = 0;
	fresh();
	CHECK_EQ(vpmu_cfg_match(&p, 0, ALL, SBI_PMU_CFG_FLAG_AUTO_START, EV_FW(VPMU_FW_SET_TIMER), 0, &idx), SBI_SUCCESS);
	unsigned long t = idx;
	CHECK_EQ(vpmu_cfg_match(&p, 0, ALL, 0, EV_FW(VPMU_FW_IPI_SENT), 0, &idx), SBI_SUCCESS);
	unsigned long ipi = idx;
	vpmu_fw_count(&p, VPMU_FW_SET_TIMER);
	vpmu_fw_count(&p, VPMU_FW_SET_TIMER);
	vpmu_fw_count(&p, VPMU_FW_IPI_SENT);     /* its counter is not started */
	CHECK_EQ(vpmu_fw_read(&p, t, false, &v), SBI_SUCCESS);
	CHECK_EQ(v, 2);
	CHECK_EQ(vpmu_fw_read(&p, t, true, &v), SBI_SUCCESS);
	CHECK_EQ(v, 0);
	CHECK_EQ(vpmu_fw_read(&p, ipi, false, &v), SBI_SUCCESS);
	CHECK_EQ(v, 0);
	CHECK_EQ(vpmu_start(&p, ipi, 1, SBI_PMU_START_FLAG_SET_INIT_VALUE, 40), SBI_SUCCESS);
	vpmu_fw_count(&p, VPMU_FW_IPI_SENT);
	vpmu_fw_read(&p, ipi, false, &v);
	CHECK_EQ(v, 41);
	/* a free firmware counter reads its last value */
	CHECK_EQ(vpmu_stop(&p, ipi, 1, SBI_PMU_STOP_FLAG_RESET), SBI_SUCCESS);
	CHECK_EQ(vpmu_fw_read(&p, ipi, false, &v), SBI_SUCCESS);
	CHECK_EQ(v, 41);
	CHECK_EQ(vpmu_fw_read(&p, VPMU_NR_COUNTERS - 1, false, &v), SBI_SUCCESS);
	CHECK_EQ(v, 0);
	/* hardware, time, out of range: invalid for fw_read and fw_read_hi */
	unsigned long bad[] = { 0, 1, 2, VPMU_NR_COUNTERS, t | HI, ~0UL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(vpmu_fw_read(&p, bad[i], false, &v), SBI_ERR_INVALID_PARAM);
		CHECK_EQ(vpmu_fw_read(&p, bad[i], true, &v), SBI_ERR_INVALID_PARAM);
	}
}

TEST(hcounteren_follows_use)
{
	fresh();
	CHECK_EQ(vpmu_hcounteren(&p), COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR);
	p.used = true;
	CHECK_EQ(vpmu_hcounteren(&p), COUNTEREN_TM);
	vpmu_reset(&p);
	CHECK_EQ(vpmu_hcounteren(&p), COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR);
}

/* A CSR instruction: csr, rs1 (or uimm), funct3, rd. */
static unsigned insn(unsigned csr, unsigned rs1, unsigned f3, unsigned rd)
{
	return (csr << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x73;
}

TEST(decodes_counter_reads_only)
{
	unsigned idx = 99, rd = 99;
	CHECK(vpmu_decode_read(insn(CSR_CYCLE, 0, 2, 10), &idx, &rd));   /* rdcycle a0 */
	CHECK_EQ(idx, 0);
	CHECK_EQ(rd, 10);
	CHECK(vpmu_decode_read(insn(CSR_INSTRET, 0, 2, 31), &idx, &rd));
	CHECK_EQ(idx, 2);
	CHECK_EQ(rd, 31);
	CHECK(vpmu_decode_read(insn(CSR_INSTRET, 0, 3, 5), &idx, &rd));   /* csrrc t0, instret, x0 */
	CHECK(vpmu_decode_read(insn(CSR_CYCLE, 0, 6, 0), &idx, &rd));     /* csrrsi x0, cycle, 0 */
	CHECK_EQ(rd, 0);
	CHECK(vpmu_decode_read(insn(CSR_CYCLE, 0, 7, 1), &idx, &rd));
	CHECK(!vpmu_decode_read(insn(CSR_CYCLE, 1, 2, 10), &idx, &rd));   /* csrrs with rs1 != x0 writes */
	CHECK(!vpmu_decode_read(insn(CSR_CYCLE, 3, 6, 10), &idx, &rd));   /* csrrsi uimm 3 */
	CHECK(!vpmu_decode_read(insn(CSR_CYCLE, 0, 1, 10), &idx, &rd));   /* csrrw */
	CHECK(!vpmu_decode_read(insn(CSR_CYCLE, 0, 5, 10), &idx, &rd));   /* csrrwi */
	CHECK(!vpmu_decode_read(insn(CSR_TIME, 0, 2, 10), &idx, &rd));
	CHECK(!vpmu_decode_read(insn(CSR_CYCLE + 3, 0, 2, 10), &idx, &rd));   /* hpmcounter3 */
	CHECK(!vpmu_decode_read(insn(0xC80, 0, 2, 10), &idx, &rd));           /* cycleh: RV32 only */
	CHECK(!vpmu_decode_read(0x10500073, &idx, &rd));                       /* wfi */
	CHECK(!vpmu_decode_read(insn(CSR_CYCLE, 0, 2, 10) & ~0x7fU, &idx, &rd));
}

int main(void)
{
	check_suite = "vpmu";
	RUN(info_of_each_counter);
	RUN(counts_only_while_loaded_and_started);
	RUN(matching_picks_the_counter_that_counts_the_event);
	RUN(counter_sets_out_of_range_are_invalid);
	RUN(reserved_flags_and_snapshots);
	RUN(stop_skips_unconfigured_counters);
	RUN(start_stop_states);
	RUN(firmware_counters);
	RUN(hcounteren_follows_use);
	RUN(decodes_counter_reads_only);
	return CHECK_DONE();
}
