/* SPDX-License-Identifier: MIT */
/*
 * vpmu.h: a vCPU's virtual performance counters (SBI PMU). The cycle and
 * instret counters add up the host's cycle / instret deltas while the vCPU is
 * loaded; firmware counters count SBI calls of the vCPU. The logic here takes
 * the host's counter samples as arguments so the host unit test can drive it;
 * the glue that reads them is at the end of vpmu.c, and a vCPU's load
 * (vcpu.c) sets the hcounteren it runs with.
 */
#ifndef RIVET_VPMU_H
#define RIVET_VPMU_H
#include "types.h"
#include "csr.h"

/* Counter indexes as counter_get_info describes them. */
#define VPMU_CTR_CYCLE    0         /* CSR cycle */
#define VPMU_CTR_TIME     1         /* not a counter: time is no event (as OpenSBI and KVM) */
#define VPMU_CTR_INSTRET  2         /* CSR instret */
#define VPMU_CTR_FW_FIRST 3
#define VPMU_NR_FW        8
#define VPMU_NR_COUNTERS  (VPMU_CTR_FW_FIRST + VPMU_NR_FW)
#define VPMU_HW_MASK      ((1U << VPMU_CTR_CYCLE) | (1U << VPMU_CTR_INSTRET))
#define VPMU_FW_MASK      (((1U << VPMU_NR_FW) - 1) << VPMU_CTR_FW_FIRST)

/* SBI firmware events (event type 0xF) Rivet counts: the calls a vCPU makes. */
#define VPMU_FW_SET_TIMER            5
#define VPMU_FW_IPI_SENT             6
#define VPMU_FW_FENCE_I_SENT         8
#define VPMU_FW_SFENCE_VMA_SENT      10
#define VPMU_FW_SFENCE_VMA_ASID_SENT 12

struct vpmu {
	u64 value[VPMU_NR_COUNTERS];          /* hw: as of the last sync; fw: events counted */
	unsigned long event[VPMU_NR_COUNTERS];    /* event_idx of a configured counter */
	u32 configured, started;              /* one bit per counter index */
	u64 cycle_at, instret_at;             /* host counters at the last sync (while loaded) */
	bool used;                            /* called config/start/stop: its counter reads trap */
};

struct sbiret;

/* Back to power-on: nothing configured, reads pass through to the machine's counters. */
void vpmu_reset(struct vpmu *p);
/* The vCPU comes onto / goes off its hart, with the host's cycle and instret then. */
void vpmu_loaded(struct vpmu *p, u64 cycle, u64 instret);
/* Adds what ran since the last sample to the started hardware counters. */
void vpmu_sync(struct vpmu *p, u64 cycle, u64 instret);
/* hcounteren CY/TM/IR bits the vCPU runs with (inline: every switch asks). */
static inline u64 vpmu_hcounteren(const struct vpmu *p)
{
	/* Until the vCPU uses the SBI PMU its reads see the machine's counters, as they always did. */
	return p->used ? COUNTEREN_TM : COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR;
}

/* The SBI functions, after a vpmu_sync; each returns an SBI error, value in *out. */
long vpmu_num_counters(void);
long vpmu_get_info(unsigned long idx, unsigned long *out);
long vpmu_cfg_match(struct vpmu *p, unsigned long base, unsigned long mask, unsigned long flags,
		    unsigned long event, u64 data, unsigned long *out);
long vpmu_start(struct vpmu *p, unsigned long base, unsigned long mask, unsigned long flags, u64 ival);
long vpmu_stop(struct vpmu *p, unsigned long base, unsigned long mask, unsigned long flags);
long vpmu_fw_read(const struct vpmu *p, unsigned long idx, bool hi, unsigned long *out);

/* One firmware event of the vCPU happened (code: VPMU_FW_*). */
void vpmu_fw_count(struct vpmu *p, unsigned code);
/*
 * If insn (a trapped instruction) only reads cycle or instret (csrrs/csrrc
 * with rs1 = x0, csrrsi/csrrci with uimm 0), its counter index and rd.
 */
bool vpmu_decode_read(u32 insn, unsigned *idx, unsigned *rd);

/* The glue (vpmu.c, not in host builds). */
struct vcpu;
struct hart;
/* HS-mode can read cycle and instret (probed at boot): without them there is no SBI PMU. */
extern bool vpmu_host_counters;
/*
 * A vCPU counting cycles or instructions goes off its hart: its counters
 * take the host's. Its load samples them (vcpu.c, which also sets the
 * hcounteren it runs with).
 */
void vpmu_put(struct vcpu *v);
/* What became of a trapped counter read. */
enum vpmu_read {
	VPMU_READ_NOT_MINE,   /* not a counter read Rivet emulates: the guest's illegal instruction */
	VPMU_READ_DONE,       /* x[rd] holds the value: step past the instruction */
	VPMU_READ_RETRY,      /* the hart now lets the guest read it itself: run the instruction again */
};
/*
 * A read vpmu_decode_read() decoded, trapped from VU-mode if from_vu: the
 * caller steps sepc for DONE (the fast path's is a CSR, the full path's in
 * the frame).
 */
enum vpmu_read vpmu_emulate_decoded(struct vcpu *v, unsigned idx, unsigned rd, bool from_vu);
/* After an SBI call returned success: counts the firmware event it is. */
void vpmu_sbi_done(struct vcpu *v, unsigned long eid, unsigned long fid);
#endif
