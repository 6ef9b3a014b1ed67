// SPDX-License-Identifier: MIT
/*
 * vpmu.c: a vCPU's virtual performance counters, in software. QEMU's harts
 * have no Sscofpmf (no mode filtering, no overflow interrupt), so instead of
 * lending guests machine counters Rivet keeps per-vCPU totals: the cycle and
 * instret counters add the host's deltas between samples taken while the vCPU
 * is loaded (vcpu_load, every PMU call or trapped read, vcpu_put), so another
 * vCPU's time on the same hart is not in them. Only the vCPU's own hart
 * touches this state (while it is current, or while it is off): no locks.
 */
#include "vpmu.h"
#include "csr.h"
#include "public/hypercall.h"
#include "public/sbi_abi.h"
#include <string.h>

#define EVENT_TYPE(e)    ((e) >> SBI_PMU_EVENT_TYPE_SHIFT)
#define EVENT_CODE_MASK  ((1UL << SBI_PMU_EVENT_TYPE_SHIFT) - 1)
#define EVENT_HW(code)   ((SBI_PMU_EVENT_TYPE_HW << SBI_PMU_EVENT_TYPE_SHIFT) | (code))
#define EVENT_FW(code)   ((SBI_PMU_EVENT_TYPE_FW << SBI_PMU_EVENT_TYPE_SHIFT) | (unsigned long)(code))
/* counter_get_info's width field: one less than the counter's bits; all are 64-bit. */
#define INFO_WIDTH_64    (63UL << SBI_PMU_CTR_INFO_WIDTH_SHIFT)

/* Flags this implementation knows; any other bit is reserved, so the call is refused. */
#define CFG_FLAGS   (SBI_PMU_CFG_FLAG_SKIP_MATCH | SBI_PMU_CFG_FLAG_CLEAR_VALUE | \
		     SBI_PMU_CFG_FLAG_AUTO_START | SBI_PMU_CFG_FLAG_SET_VUINH | SBI_PMU_CFG_FLAG_SET_VSINH | \
		     SBI_PMU_CFG_FLAG_SET_UINH | SBI_PMU_CFG_FLAG_SET_SINH | SBI_PMU_CFG_FLAG_SET_MINH)
#define START_FLAGS (SBI_PMU_START_FLAG_SET_INIT_VALUE | SBI_PMU_START_FLAG_INIT_SNAPSHOT)
#define STOP_FLAGS  (SBI_PMU_STOP_FLAG_RESET | SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT)

void vpmu_reset(struct vpmu *p)
{
	memset(p, 0, sizeof(*p));
}

void vpmu_loaded(struct vpmu *p, u64 cycle, u64 instret)
{
	p->cycle_at = cycle;
	p->instret_at = instret;
}

void vpmu_sync(struct vpmu *p, u64 cycle, u64 instret)
{
	if (p->started & (1U << VPMU_CTR_CYCLE))
		p->value[VPMU_CTR_CYCLE] += cycle - p->cycle_at;
	if (p->started & (1U << VPMU_CTR_INSTRET))
		p->value[VPMU_CTR_INSTRET] += instret - p->instret_at;
	p->cycle_at = cycle;
	p->instret_at = instret;
}

long vpmu_num_counters(void)
{
	return VPMU_NR_COUNTERS;
}

long vpmu_get_info(unsigned long idx, unsigned long *out)
{
	if (idx == VPMU_CTR_CYCLE || idx == VPMU_CTR_INSTRET) {
		*out = INFO_WIDTH_64 | (CSR_CYCLE + idx);
		return SBI_SUCCESS;
	}
	if (idx >= VPMU_CTR_FW_FIRST && idx < VPMU_NR_COUNTERS) {
		*out = SBI_PMU_CTR_INFO_FW | INFO_WIDTH_64;
		return SBI_SUCCESS;
	}
	return SBI_ERR_INVALID_PARAM;   /* time (1), or past the last counter */
}

/* Lowest set bit of a non-zero x (the microvisor links no libgcc for the builtins). */
static unsigned lowest_bit(u64 x)
{
	unsigned i = 0;
	while (!(x & 1))
		x >>= 1, i++;
	return i;
}

/* The counters (base + each set bit of mask) as a bitmap of indexes; false if one does not exist. */
static bool counter_set(unsigned long base, unsigned long mask, u32 *set)
{
	/* base < N first, so base + bit (bit <= 63) cannot wrap around. */
	if (!mask || base >= VPMU_NR_COUNTERS)
		return false;
	if (mask >> (VPMU_NR_COUNTERS - base))
		return false;
	*set = (u32)(mask << base);
	return true;
}

static bool fw_event_counted(unsigned long code)
{
	switch (code) {
	case VPMU_FW_SET_TIMER:
	case VPMU_FW_IPI_SENT:
	case VPMU_FW_FENCE_I_SENT:
	case VPMU_FW_SFENCE_VMA_SENT:
	case VPMU_FW_SFENCE_VMA_ASID_SENT:
		return true;
	}
	return false;
}

/* The counters that can count event (0 if none can): fixed ones for hw, any firmware counter for fw. */
static u32 counters_for(unsigned long event)
{
	if (event == EVENT_HW(SBI_PMU_HW_CPU_CYCLES))
		return 1U << VPMU_CTR_CYCLE;
	if (event == EVENT_HW(SBI_PMU_HW_INSTRUCTIONS))
		return 1U << VPMU_CTR_INSTRET;
	if (EVENT_TYPE(event) == SBI_PMU_EVENT_TYPE_FW && fw_event_counted(event & EVENT_CODE_MASK))
		return VPMU_FW_MASK;
	return 0;
}

long vpmu_cfg_match(struct vpmu *p, unsigned long base, unsigned long mask, unsigned long flags,
		    unsigned long event, u64 data, unsigned long *out)
{
	u32 set, fit;
	unsigned idx;
	/* event_data selects among raw and platform events, none of which Rivet offers. */
	(void)data;
	if ((flags & ~CFG_FLAGS) || !counter_set(base, mask, &set))
		return SBI_ERR_INVALID_PARAM;
	fit = counters_for(event);
	if (flags & SBI_PMU_CFG_FLAG_SKIP_MATCH) {
		/* The caller names the counter it configured before: the lowest one of the set. */
		idx = (unsigned)lowest_bit(set);
		if (!(p->configured & (1U << idx)))
			return SBI_ERR_INVALID_PARAM;
		if (!(fit & (1U << idx)))
			return SBI_ERR_NOT_SUPPORTED;
	} else {
		u32 free = set & fit & ~p->configured;
		if (!free)
			return SBI_ERR_NOT_SUPPORTED;
		idx = (unsigned)lowest_bit(free);
	}
	/*
	 * The mode-inhibit flags are accepted and have no effect, as OpenSBI does
	 * on a hart without Sscofpmf: counting cannot tell VS from VU without a
	 * trap on every switch. Linux, seeing no Sscofpmf, never asks for them.
	 */
	p->configured |= 1U << idx;
	p->event[idx] = event;
	if (flags & SBI_PMU_CFG_FLAG_CLEAR_VALUE)
		p->value[idx] = 0;
	if (flags & SBI_PMU_CFG_FLAG_AUTO_START)
		p->started |= 1U << idx;
	*out = idx;
	return SBI_SUCCESS;
}

long vpmu_start(struct vpmu *p, unsigned long base, unsigned long mask, unsigned long flags, u64 ival)
{
	u32 set;
	if ((flags & ~START_FLAGS) || !counter_set(base, mask, &set))
		return SBI_ERR_INVALID_PARAM;
	/* Snapshot memory is never set up (snapshot_set_shmem is not supported). */
	if (flags & SBI_PMU_START_FLAG_INIT_SNAPSHOT)
		return SBI_ERR_NO_SHMEM;
	/* An unconfigured counter in the set is an invalid one: nothing changes. */
	if (set & ~p->configured)
		return SBI_ERR_INVALID_PARAM;
	u32 starting = set & ~p->started;
	if (flags & SBI_PMU_START_FLAG_SET_INIT_VALUE)
		for (unsigned i = 0; i < VPMU_NR_COUNTERS; i++)
			if (starting & (1U << i))
				p->value[i] = ival;
	p->started |= starting;
	return starting == set ? SBI_SUCCESS : SBI_ERR_ALREADY_STARTED;
}

long vpmu_stop(struct vpmu *p, unsigned long base, unsigned long mask, unsigned long flags)
{
	u32 set;
	if ((flags & ~STOP_FLAGS) || !counter_set(base, mask, &set))
		return SBI_ERR_INVALID_PARAM;
	if (flags & SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT)
		return SBI_ERR_NO_SHMEM;
	/*
	 * Unconfigured counters in the set are skipped, as OpenSBI and KVM do:
	 * Linux stops (and resets) every counter at boot, configured or not,
	 * and a kernel kexec'ed into the vCPU must get its predecessor's free.
	 * A set with no configured counter at all names nothing to stop.
	 */
	set &= p->configured;
	if (!set)
		return SBI_ERR_INVALID_PARAM;
	bool all_running = (set & p->started) == set;
	p->started &= ~set;
	/* A reset frees the counters even when they were stopped already (Linux stops, then resets). */
	if (flags & SBI_PMU_STOP_FLAG_RESET) {
		p->configured &= ~set;
		for (unsigned i = 0; i < VPMU_NR_COUNTERS; i++)
			if (set & (1U << i))
				p->event[i] = 0;
	}
	return all_running ? SBI_SUCCESS : SBI_ERR_ALREADY_STOPPED;
}

long vpmu_fw_read(const struct vpmu *p, unsigned long idx, bool hi, unsigned long *out)
{
	/* A firmware counter not configured (now) reads its last value, as KVM answers. */
	if (idx < VPMU_CTR_FW_FIRST || idx >= VPMU_NR_COUNTERS)
		return SBI_ERR_INVALID_PARAM;
	/* RV64: the whole 64-bit value fits fw_read; fw_read_hi answers 0, as the spec says. */
	*out = hi ? 0 : p->value[idx];
	return SBI_SUCCESS;
}

void vpmu_fw_count(struct vpmu *p, unsigned code)
{
	u32 on = p->started & VPMU_FW_MASK;
	for (unsigned i = VPMU_CTR_FW_FIRST; on && i < VPMU_NR_COUNTERS; i++)
		if ((on & (1U << i)) && p->event[i] == EVENT_FW(code))
			p->value[i]++;
}

/* Fields of a SYSTEM-opcode (CSR) instruction. */
#define INSN_OPCODE(i)  ((i) & 0x7f)
#define INSN_RD(i)      (((i) >> 7) & 0x1f)
#define INSN_FUNCT3(i)  (((i) >> 12) & 7)
#define INSN_RS1(i)     (((i) >> 15) & 0x1f)
#define INSN_CSR(i)     ((i) >> 20)
#define OPCODE_SYSTEM   0x73
enum { F3_CSRRS = 2, F3_CSRRC = 3, F3_CSRRSI = 6, F3_CSRRCI = 7 };

bool vpmu_decode_read(u32 insn, unsigned *idx, unsigned *rd)
{
	unsigned f3 = INSN_FUNCT3(insn), csr = INSN_CSR(insn);
	if (INSN_OPCODE(insn) != OPCODE_SYSTEM)
		return false;
	/* Set/clear with x0 (or uimm 0) writes nothing: a read. csrrw always writes. */
	if (f3 != F3_CSRRS && f3 != F3_CSRRC && f3 != F3_CSRRSI && f3 != F3_CSRRCI)
		return false;
	if (INSN_RS1(insn) != 0)
		return false;
	if (csr != CSR_CYCLE && csr != CSR_INSTRET)
		return false;
	*idx = csr - CSR_CYCLE;
	*rd = INSN_RD(insn);
	return true;
}

#ifndef RIVET_HOST_BUILD
/* The glue: host counter samples, hcounteren, the trapped read. */
#include "vcpu.h"
#include "hart.h"
#include "config.h"

/* RFENCE function ids (SBI spec) whose sent side Rivet counts. */
enum { RFENCE_FENCE_I, RFENCE_SFENCE_VMA, RFENCE_SFENCE_VMA_ASID };

bool vpmu_host_counters;

void vpmu_put(struct vcpu *v)
{
	if (v->pmu.started & VPMU_HW_MASK)
		vpmu_sync(&v->pmu, csr_read(CSR_CYCLE), csr_read(CSR_INSTRET));
}

enum vpmu_read vpmu_emulate_decoded(struct vcpu *v, unsigned idx, unsigned rd, bool from_vu)
{
	/* From VU-mode the guest kernel's own scounteren decides first, as on a bare hart. */
	if (from_vu && !(csr_read(CSR_SCOUNTEREN) & (1UL << idx)))
		return VPMU_READ_NOT_MINE;
	if (!v->pmu.used) {
		/*
		 * Reset while loaded (the hart still has its old hcounteren): pass
		 * through again and retry the read. Written whatever the cache says,
		 * so the retry cannot trap here forever.
		 */
		struct hart *h = this_hart();
		h->hcounteren = vpmu_hcounteren(&v->pmu);
		csr_write(CSR_HCOUNTEREN, h->hcounteren);
		h->loaded_sig = SWITCH_SIG_NONE;
		return VPMU_READ_RETRY;
	}
	vpmu_sync(&v->pmu, csr_read(CSR_CYCLE), csr_read(CSR_INSTRET));
	v->frame.x[rd] = v->pmu.value[idx];
	v->frame.x[REG_ZERO] = 0;
	return VPMU_READ_DONE;
}

void vpmu_sbi_done(struct vcpu *v, unsigned long eid, unsigned long fid)
{
	unsigned code;
	if (!(v->pmu.started & VPMU_FW_MASK))
		return;
	switch (eid) {
	case SBI_EXT_TIME:
	case SBI_EXT_LEGACY_SET_TIMER:     code = VPMU_FW_SET_TIMER; break;
	case SBI_EXT_IPI:
	case SBI_EXT_LEGACY_SEND_IPI:      code = VPMU_FW_IPI_SENT; break;
	case SBI_EXT_LEGACY_FENCE_I:       code = VPMU_FW_FENCE_I_SENT; break;
	case SBI_EXT_LEGACY_SFENCE_VMA:    code = VPMU_FW_SFENCE_VMA_SENT; break;
	case SBI_EXT_LEGACY_SFENCE_VMA_ASID: code = VPMU_FW_SFENCE_VMA_ASID_SENT; break;
	case SBI_EXT_RFENCE:
		if (fid == RFENCE_FENCE_I)
			code = VPMU_FW_FENCE_I_SENT;
		else if (fid == RFENCE_SFENCE_VMA)
			code = VPMU_FW_SFENCE_VMA_SENT;
		else if (fid == RFENCE_SFENCE_VMA_ASID)
			code = VPMU_FW_SFENCE_VMA_ASID_SENT;
		else
			return;
		break;
	default:
		return;
	}
	vpmu_fw_count(&v->pmu, code);
}
#endif
