// SPDX-License-Identifier: MIT
/*
 * sbipmu.c: SBI PMU guest: probe, num_counters, get_info of each counter,
 * config_matching / start / stop / fw_read with good and hostile arguments,
 * and a measured loop whose instret count must not include the other vCPU,
 * which spins on the same hart meanwhile, and an IPI ping-pong in which
 * both vCPUs count, each its own instructions only (on one hart the
 * switches are Rivet's directed yields between two counting vCPUs). One
 * PASS/FAIL line per check; the figures go on "sbipmu: loop" and "sbipmu:
 * pingpong" lines for the test to judge (they mean instructions only under
 * QEMU -icount). Built with -DSBIPMU_SPIN it is pmuspin, which only spins.
 */
#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/hsm.h"
#include "lib/print.h"
#include "lib/sbi.h"
#include "lib/trap.h"

#define EV_HW(code)      ((SBI_PMU_EVENT_TYPE_HW << SBI_PMU_EVENT_TYPE_SHIFT) | (code))
#define EV_FW(code)      ((SBI_PMU_EVENT_TYPE_FW << SBI_PMU_EVENT_TYPE_SHIFT) | (code))
#define EV_CYCLES        EV_HW(SBI_PMU_HW_CPU_CYCLES)
#define EV_INSNS         EV_HW(SBI_PMU_HW_INSTRUCTIONS)
#define FW_SET_TIMER     5
#define FW_IPI_SENT      6
#define CTR_CYCLE        0
#define CTR_INSTRET      2
#define INFO_CSR(i)      ((i) & 0xfff)
#define INFO_WIDTH(i)    (((i) >> SBI_PMU_CTR_INFO_WIDTH_SHIFT) & 0x3f)
#define CSR_CYCLE_NUM    0xc00
#define BIT63            (1UL << 63)
#define LOOP_ITERS       15000000UL   /* 2 instructions each: three 10 ms slices under -icount */
#define PP_ROUNDS        200
#define PP_SPIN          5000UL       /* vCPU 1's loop each turn: 10000 instructions, all its own */
#define STOP_WAIT_MS     10000
/* "Just after": without -icount QEMU's counters tick with the host's clock, so allow 2^36. */
#define NEAR             (1UL << 36)

/* A success carrying a figure, for the report of a check that is not a call. */
#define SBI_RET_OK(v)    ((struct sbiret){ .error = 0, .value = (long)(v) })

static int nr_passed, nr_failed, on_rivet;
static unsigned long nr_ctrs, valid_mask;
static volatile int spinner_go, spinner_stop;
static volatile unsigned long pp_turn;        /* 1: vCPU 1's move, 0: vCPU 0's, 2: the end */
static volatile unsigned long pp_insns1;      /* vCPU 1's own count over the ping-pong */

static void check(const char *what, int ok, struct sbiret r)
{
	if (ok) {
		printf("sbipmu: PASS %s\n", what);
		nr_passed++;
	} else {
		printf("sbipmu: FAIL %s: got error %ld value 0x%lx\n", what, r.error, (unsigned long)r.value);
		nr_failed++;
	}
}

static void expect_err(const char *what, struct sbiret r, long err)
{
	check(what, r.error == err, r);
}

static unsigned long rdcycle(void)   { return csr_read(cycle); }
static unsigned long rdinstret(void) { return csr_read(instret); }

/* 2 * n instructions: addi and bnez. */
static void measured_loop(unsigned long n)
{
	__asm__ volatile("1: addi %0, %0, -1\n bnez %0, 1b" : "+r"(n));
}

static void check_info(void)
{
	struct sbiret r = sbi_probe_extension(SBI_EXT_PMU);
	check("probe PMU", r.error == 0 && r.value == 1, r);
	r = sbi_pmu_num_counters();
	check("num_counters >= 3", r.error == 0 && r.value >= 3 && r.value <= 64, r);
	nr_ctrs = (unsigned long)r.value;
	if (nr_ctrs > 64)
		nr_ctrs = 0;
	for (unsigned long i = 0; i < nr_ctrs; i++) {
		r = sbi_pmu_counter_get_info(i);
		if (r.error == 0)
			valid_mask |= 1UL << i;
	}
	r = sbi_pmu_counter_get_info(CTR_CYCLE);
	check("get_info 0: cycle CSR, 64 bits", r.error == 0 && !((unsigned long)r.value & BIT63) &&
	      INFO_CSR(r.value) == CSR_CYCLE_NUM && INFO_WIDTH(r.value) == 63, r);
	r = sbi_pmu_counter_get_info(1);
	expect_err("get_info 1 (time) invalid", r, SBI_ERR_INVALID_PARAM);
	r = sbi_pmu_counter_get_info(CTR_INSTRET);
	check("get_info 2: instret CSR, 64 bits", r.error == 0 && !((unsigned long)r.value & BIT63) &&
	      INFO_CSR(r.value) == CSR_CYCLE_NUM + 2 && INFO_WIDTH(r.value) == 63, r);
	/* Every other index up to num_counters answers (Rivet: firmware counters). */
	unsigned long want = (nr_ctrs >= 64 ? ~0UL : (1UL << nr_ctrs) - 1) & ~2UL;
	check("get_info answers every index but 1", valid_mask == want, SBI_RET_OK(valid_mask));
	if (on_rivet)
		for (unsigned long i = 3; i < nr_ctrs; i++) {
			r = sbi_pmu_counter_get_info(i);
			if (r.error || !((unsigned long)r.value & BIT63)) {
				check("get_info 3..: firmware counters", 0, r);
				break;
			}
		}
	expect_err("get_info num_counters invalid", sbi_pmu_counter_get_info(nr_ctrs), SBI_ERR_INVALID_PARAM);
	/* OpenSBI reads the index as 32 bits; the spec types it unsigned long. */
	if (on_rivet)
		expect_err("get_info upper bits are index bits", sbi_pmu_counter_get_info(BIT63),
			   SBI_ERR_INVALID_PARAM);
	expect_err("get_info ~0 invalid", sbi_pmu_counter_get_info(~0UL), SBI_ERR_INVALID_PARAM);
}

static void check_hw_counters(void)
{
	struct sbiret r;
	unsigned long a, b;

	r = sbi_pmu_counter_config_matching(0, valid_mask, SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_CYCLES, 0);
	check("config_matching cycles -> counter 0", r.error == 0 && r.value == CTR_CYCLE, r);
	r = sbi_pmu_counter_config_matching(0, valid_mask, SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_INSNS, 0);
	check("config_matching instructions -> counter 2", r.error == 0 && r.value == CTR_INSTRET, r);

	/* OpenSBI leaves cycle and instret running and answers already started. */
	r = sbi_pmu_counter_start(CTR_CYCLE, 1, 0, 0);
	check("start cycle", r.error == 0 || (!on_rivet && r.error == SBI_ERR_ALREADY_STARTED), r);
	a = rdcycle();
	measured_loop(1000);
	b = rdcycle();
	check("cycle counts while started", b > a, SBI_RET_OK(b - a));
	expect_err("start again: already started", sbi_pmu_counter_start(CTR_CYCLE, 1, 0, 0),
		   SBI_ERR_ALREADY_STARTED);
	expect_err("stop cycle", sbi_pmu_counter_stop(CTR_CYCLE, 1, 0), SBI_SUCCESS);
	a = rdcycle();
	measured_loop(1000);
	b = rdcycle();
	if (on_rivet)
		check("stopped cycle stays", a == b, SBI_RET_OK(b - a));
	expect_err("stop again: already stopped", sbi_pmu_counter_stop(CTR_CYCLE, 1, 0),
		   SBI_ERR_ALREADY_STOPPED);

	/* An initial value with the upper bits set: the counters are 64 bits wide. */
	r = sbi_pmu_counter_start(CTR_INSTRET, 1, SBI_PMU_START_FLAG_SET_INIT_VALUE, 0xfff0000000000000ULL);
	check("start instret with an initial value", r.error == 0 ||
	      (!on_rivet && r.error == SBI_ERR_ALREADY_STARTED), r);
	a = rdinstret();
	if (on_rivet)
		check("instret counts on from the initial value",
		      a >= 0xfff0000000000000UL && a < 0xfff0000000000000UL + NEAR, SBI_RET_OK(a));
	/* Both counters at once, with instret already running. */
	r = sbi_pmu_counter_start(0, 0x5, SBI_PMU_START_FLAG_SET_INIT_VALUE, 0);
	expect_err("start {cycle, instret}: one already started", r, SBI_ERR_ALREADY_STARTED);
	a = rdcycle();
	b = rdinstret();
	if (on_rivet) {
		check("cycle started from the initial value 0", a < NEAR, SBI_RET_OK(a));
		check("instret kept its value", b >= 0xfff0000000000000UL, SBI_RET_OK(b));
	}
	expect_err("stop {cycle, instret}", sbi_pmu_counter_stop(0, 0x5, 0), SBI_SUCCESS);
	expect_err("stop with reset (stopped)", sbi_pmu_counter_stop(0, 0x5, SBI_PMU_STOP_FLAG_RESET),
		   SBI_ERR_ALREADY_STOPPED);
	if (on_rivet) {
		expect_err("start after reset: unconfigured", sbi_pmu_counter_start(0, 1, 0, 0),
			   SBI_ERR_INVALID_PARAM);
		expect_err("stop unconfigured", sbi_pmu_counter_stop(0, 1, 0), SBI_ERR_INVALID_PARAM);
		r = sbi_pmu_counter_config_matching(0, 1, SBI_PMU_CFG_FLAG_SKIP_MATCH, EV_CYCLES, 0);
		expect_err("skip_match of a free counter", r, SBI_ERR_INVALID_PARAM);
	}
	/* Auto-start, then reconfigure in place with skip_match. */
	r = sbi_pmu_counter_config_matching(0, valid_mask, SBI_PMU_CFG_FLAG_AUTO_START |
					    SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_CYCLES, 0);
	check("config_matching with auto-start", r.error == 0 && r.value == CTR_CYCLE, r);
	a = rdcycle();
	measured_loop(1000);
	check("auto-started cycle counts", rdcycle() > a, SBI_RET_OK(a));
	r = sbi_pmu_counter_config_matching(CTR_CYCLE, 1, SBI_PMU_CFG_FLAG_SKIP_MATCH, EV_CYCLES, 0);
	check("skip_match names the configured counter", r.error == 0 && r.value == CTR_CYCLE, r);
	expect_err("stop with reset", sbi_pmu_counter_stop(CTR_CYCLE, 1, SBI_PMU_STOP_FLAG_RESET), SBI_SUCCESS);
}

static void check_errors(void)
{
	expect_err("config base = num_counters", sbi_pmu_counter_config_matching(nr_ctrs, 1, 0, EV_CYCLES, 0),
		   SBI_ERR_INVALID_PARAM);
	expect_err("config mask past the last counter",
		   sbi_pmu_counter_config_matching(0, 1UL << nr_ctrs, 0, EV_CYCLES, 0), SBI_ERR_INVALID_PARAM);
	expect_err("config base 2 mask bit 63 (wraps)",
		   sbi_pmu_counter_config_matching(2, BIT63, 0, EV_CYCLES, 0), SBI_ERR_INVALID_PARAM);
	/* OpenSBI: mask 0 succeeds, base ~0 and unknown events get other errors. */
	if (on_rivet) {
		expect_err("config mask 0", sbi_pmu_counter_config_matching(0, 0, 0, EV_CYCLES, 0),
			   SBI_ERR_INVALID_PARAM);
		expect_err("config base ~0 (wraps)", sbi_pmu_counter_config_matching(~0UL, 3, 0, EV_CYCLES, 0),
			   SBI_ERR_INVALID_PARAM);
		expect_err("config unknown hw event", sbi_pmu_counter_config_matching(0, valid_mask, 0,
			   EV_HW(0x7ff), 0), SBI_ERR_NOT_SUPPORTED);
		expect_err("config event type 0xe", sbi_pmu_counter_config_matching(0, valid_mask, 0, 0xe0001, 0),
			   SBI_ERR_NOT_SUPPORTED);
		expect_err("config event with bit 63", sbi_pmu_counter_config_matching(0, valid_mask, 0,
			   EV_CYCLES | BIT63, 0), SBI_ERR_NOT_SUPPORTED);
		expect_err("config reserved flag", sbi_pmu_counter_config_matching(0, valid_mask, 1UL << 8,
			   EV_CYCLES, 0), SBI_ERR_INVALID_PARAM);
		expect_err("config cycles on the instret counter only",
			   sbi_pmu_counter_config_matching(CTR_INSTRET, 1, 0, EV_CYCLES, 0), SBI_ERR_NOT_SUPPORTED);
		expect_err("start reserved flag", sbi_pmu_counter_start(0, 1, 1UL << 2, 0), SBI_ERR_INVALID_PARAM);
		expect_err("start init snapshot: no shmem", sbi_pmu_counter_start(0, 1,
			   SBI_PMU_START_FLAG_INIT_SNAPSHOT, 0), SBI_ERR_NO_SHMEM);
		expect_err("stop take snapshot: no shmem", sbi_pmu_counter_stop(0, 1,
			   SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT), SBI_ERR_NO_SHMEM);
		expect_err("snapshot_set_shmem not supported", sbi_pmu_snapshot_set_shmem(0x80000000UL, 0, 0),
			   SBI_ERR_NOT_SUPPORTED);
	}
	expect_err("start base ~0 (wraps)", sbi_pmu_counter_start(~0UL, 1, 0, 0), SBI_ERR_INVALID_PARAM);
	expect_err("start mask past the last counter", sbi_pmu_counter_start(0, 1UL << nr_ctrs, 0, 0),
		   SBI_ERR_INVALID_PARAM);
	expect_err("stop base ~0 (wraps)", sbi_pmu_counter_stop(~0UL, 1, 0), SBI_ERR_INVALID_PARAM);
	expect_err("stop mask bit 63", sbi_pmu_counter_stop(0, BIT63, 0), SBI_ERR_INVALID_PARAM);
	expect_err("fw_read of a hw counter", sbi_pmu_counter_fw_read(CTR_CYCLE), SBI_ERR_INVALID_PARAM);
	expect_err("fw_read num_counters", sbi_pmu_counter_fw_read(nr_ctrs), SBI_ERR_INVALID_PARAM);
	expect_err("fw_read ~0", sbi_pmu_counter_fw_read(~0UL), SBI_ERR_INVALID_PARAM);
	expect_err("unknown function", sbi_ecall(SBI_EXT_PMU, 0x100, 0, 0, 0, 0, 0, 0), SBI_ERR_NOT_SUPPORTED);
}

static void check_fw_counters(void)
{
	struct sbiret r;
	unsigned long t, ipi;

	r = sbi_pmu_counter_config_matching(0, valid_mask, SBI_PMU_CFG_FLAG_AUTO_START |
					    SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_FW(FW_SET_TIMER), 0);
	check("config_matching fw set_timer", r.error == 0 && r.value > CTR_INSTRET, r);
	t = (unsigned long)r.value;
	r = sbi_pmu_counter_config_matching(0, valid_mask, SBI_PMU_CFG_FLAG_AUTO_START |
					    SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_FW(FW_IPI_SENT), 0);
	check("config_matching fw ipi_sent", r.error == 0 && r.value > CTR_INSTRET && r.value != (long)t, r);
	ipi = (unsigned long)r.value;
	for (int i = 0; i < 3; i++)
		sbi_set_timer(~0UL);
	sbi_send_ipi(1, this_hart());
	csr_clear(sip, SIP_SSIP);
	r = sbi_pmu_counter_fw_read(t);
	check("fw_read set_timer counts 3", r.error == 0 && r.value == 3, r);
	r = sbi_pmu_counter_fw_read(ipi);
	if (on_rivet)   /* one per call; OpenSBI counts elsewhere */
		check("fw_read ipi_sent counts 1", r.error == 0 && r.value == 1, r);
	r = sbi_pmu_counter_fw_read_hi(t);
	check("fw_read_hi is 0 on RV64", r.error == 0 && r.value == 0, r);
	expect_err("stop fw counters", sbi_pmu_counter_stop(t, 1, 0), SBI_SUCCESS);
	sbi_set_timer(~0UL);
	r = sbi_pmu_counter_fw_read(t);
	check("stopped fw counter stays", r.error == 0 && r.value == 3, r);
	r = sbi_pmu_counter_start(t, 1, SBI_PMU_START_FLAG_SET_INIT_VALUE, 100);
	sbi_set_timer(~0UL);
	r = sbi_pmu_counter_fw_read(t);
	check("fw counter from an initial value", r.error == 0 && r.value == 101, r);
	sbi_pmu_counter_stop(t, 1, SBI_PMU_STOP_FLAG_RESET);
	sbi_pmu_counter_stop(ipi, 1, SBI_PMU_STOP_FLAG_RESET);
	if (on_rivet) {   /* OpenSBI refuses it; KVM answers, as Rivet does */
		r = sbi_pmu_counter_fw_read(t);
		check("fw_read of a reset counter: its last value", r.error == 0 && r.value == 101, r);
	}
}

/* vCPU 1 in the ping-pong: counts its own instructions, and spins PP_SPIN each turn. */
static void pingpong_secondary(void)
{
	sbi_pmu_counter_config_matching(0, valid_mask, SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_INSNS, 0);
	sbi_pmu_counter_start(0, 0x4, SBI_PMU_START_FLAG_SET_INIT_VALUE, 0);
	csr_set(sie, SIE_SSIE);
	spinner_go = 1;
	for (;;) {
		wait_ipi();
		if (pp_turn == 2)
			break;
		if (pp_turn != 1)
			continue;
		measured_loop(PP_SPIN);
		pp_turn = 0;
		sbi_send_ipi(1, 0);
	}
	pp_insns1 = rdinstret();
	sbi_pmu_counter_stop(0, 0x4, SBI_PMU_STOP_FLAG_RESET);
	spinner_stop = 1;
}

/* The other vCPU: spins while the first measures, on the same hart (cpus = "0"); or plays the ping-pong. */
void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	if (opaque == 1) {
		pingpong_secondary();
		return;
	}
	spinner_go = 1;
	while (!spinner_stop)
		;
}

/*
 * Both vCPUs count instructions while they hand the hart to each other by
 * IPIs, PP_ROUNDS times: vCPU 0 does almost nothing each round, vCPU 1
 * spins PP_SPIN. A switch that did not sample the counters would give one
 * the other's instructions.
 */
static void measure_pingpong(void)
{
	spinner_go = spinner_stop = 0;
	if (sbi_hart_start(1, (unsigned long)secondary_entry, 1).error)
		return;
	unsigned long start = rdtime();
	while (!spinner_go && rdtime() - start < 1000 * TICKS_PER_MS)
		;
	if (!spinner_go)
		return;
	sbi_pmu_counter_config_matching(0, valid_mask, SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_INSNS, 0);
	sbi_pmu_counter_start(0, 0x4, SBI_PMU_START_FLAG_SET_INIT_VALUE, 0);
	csr_set(sie, SIE_SSIE);
	for (int i = 0; i < PP_ROUNDS; i++) {
		pp_turn = 1;
		sbi_send_ipi(2, 0);
		while (pp_turn != 0)
			wait_ipi();
	}
	unsigned long insns0 = rdinstret();
	sbi_pmu_counter_stop(0, 0x4, SBI_PMU_STOP_FLAG_RESET);
	pp_turn = 2;
	sbi_send_ipi(2, 0);
	start = rdtime();
	while (!spinner_stop && rdtime() - start < 1000 * TICKS_PER_MS)
		;
	csr_clear(sie, SIE_SSIE);
	printf("sbipmu: pingpong rounds=%d spin=%lu insns0=%lu insns1=%lu\n", PP_ROUNDS, 2 * PP_SPIN,
	       insns0, pp_insns1);
	hsm_wait_status(1, SBI_HSM_STOPPED, STOP_WAIT_MS);
}

static void measure_loop(void)
{
	unsigned long t0, t1, i0, c0, insns, cycles;
	struct sbiret r;
	int spinning = 0;

	r = sbi_hart_start(1, (unsigned long)secondary_entry, 0);
	if (r.error == 0) {
		unsigned long start = rdtime();
		while (!spinner_go && rdtime() - start < 1000 * TICKS_PER_MS)
			;
		spinning = spinner_go;
	}
	sbi_pmu_counter_config_matching(0, valid_mask, SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_INSNS, 0);
	sbi_pmu_counter_config_matching(0, valid_mask, SBI_PMU_CFG_FLAG_CLEAR_VALUE, EV_CYCLES, 0);
	t0 = rdtime();
	r = sbi_pmu_counter_start(0, 0x5, SBI_PMU_START_FLAG_SET_INIT_VALUE, 0);
	measured_loop(LOOP_ITERS);
	i0 = rdinstret();
	c0 = rdcycle();
	t1 = rdtime();
	sbi_pmu_counter_stop(0, 0x5, SBI_PMU_STOP_FLAG_RESET);
	insns = i0;
	cycles = c0;
	spinner_stop = 1;
	check("start for the measured loop", r.error == 0, r);
	printf("sbipmu: loop insns=%lu expected=%lu cycles=%lu ticks=%lu spinner=%d\n",
	       insns, 2 * LOOP_ITERS, cycles, t1 - t0, spinning);
	/* The spinner returns from secondary_main, which stops its hart. */
	if (spinning && hsm_wait_status(1, SBI_HSM_STOPPED, STOP_WAIT_MS) != 0)
		printf("sbipmu: FAIL the spinning vCPU did not stop\n");
}

int main(unsigned long hartid, unsigned long dtb)
{
	struct sbiret r;

	(void)hartid;
	(void)dtb;
#ifdef SBIPMU_SPIN
	/* pmuspin: a busy domain for another's counts to leave out (linux_sbi_pmu.py). */
	printf("pmuspin: spinning\n");
	for (;;)
		;
#endif
	r = sbi_probe_extension(RIVET_SBI_EXT);
	on_rivet = r.error == SBI_SUCCESS && r.value != 0;
	check_info();
	if (nr_ctrs) {
		check_hw_counters();
		check_errors();
		check_fw_counters();
		measure_loop();
		measure_pingpong();
	}
	printf("sbipmu: %d passed, %d failed\n", nr_passed, nr_failed);
	return 0;
}
