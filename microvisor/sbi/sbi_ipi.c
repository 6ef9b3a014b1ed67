// SPDX-License-Identifier: MIT
/* sbi_ipi.c: SBI IPI: raises VSSIP on each target vCPU of the caller's domain. */
#include "sbi.h"
#include "domain.h"
#include "csr.h"
#include "hart.h"
#include "sched.h"

/*
 * A sender usually waits for the answer (Linux's smp_call_function): the
 * first target besides itself that shares this hart gets the rest of its
 * slice now (sched_yield_to). Homed here, it stays so until this hart moves
 * it; homed elsewhere, sched_wake() finds it wherever it goes (wake_targets).
 * *targets holds only the domain's vCPUs (sbi_hart_mask), so no round goes
 * past the last of them. True if it yielded; *targets is then left to wake.
 */
static inline __attribute__((always_inline)) bool yield_to_first_sharer(struct vcpu *v, u64 *targets)
{
	struct vcpu *const *slot = v->dom->vcpus;
	struct hart *h = this_hart();
	/* m: the targets from *slot's vCPU up, bit: its bit in targets. */
	for (u64 m = *targets, bit = 1; m; m >>= 1, bit <<= 1, slot++) {
		struct vcpu *t = *slot;
		if ((m & 1) && t != v && __atomic_load_n(&t->home, __ATOMIC_RELAXED) == h) {
			sched_yield_to(h, t);   /* which delivers its IPI */
			*targets ^= bit;
			return true;
		}
	}
	return false;
}

/* The targets that get no yield: each woken wherever it is (sched_wake). */
static void __attribute__((noinline)) wake_targets(struct domain *d, u64 targets)
{
	for (unsigned i = 0; targets >> i; i++)
		if ((targets >> i) & 1)
			vcpu_inject_irq(d->vcpus[i], IRQ_BIT(IRQ_VS_SOFT));
}

int sbi_send_ipis(struct vcpu *v, u64 targets)
{
	yield_to_first_sharer(v, &targets);
	if (targets)
		wake_targets(v->dom, targets);
	return SBI_SUCCESS;
}

/*
 * The rest of an IPI call with targets left to wake or a firmware event to
 * count: out of line, so that a call whose one target was yielded to calls
 * nothing (and needs no stack frame). done: its result, SBI_SUCCESS or,
 * after a yield, SBI_FAST_SWITCH.
 */
static struct sbiret __attribute__((noinline)) ipi_finish(struct vcpu *v, u64 targets, long done)
{
	wake_targets(v->dom, targets);
	sbi_count_fw_event(v, SBI_EXT_IPI, 0);
	return SBI_RET(done, 0);
}

static struct sbiret ipi_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	u64 targets;
	if (fid != 0)
		return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
	int err = sbi_hart_mask(v, f->x[REG_A0], f->x[REG_A1], &targets);
	if (err)
		return SBI_RET(err, 0);
	/* A yield: the call succeeded, and the trap path switches (sbi.h). */
	long done = yield_to_first_sharer(v, &targets) ? SBI_FAST_SWITCH : SBI_SUCCESS;
	if (targets || sbi_counts_fw_events(v))
		return ipi_finish(v, targets, done);
	return SBI_RET(done, 0);
}

const struct sbi_ext sbi_ipi = { "ipi", SBI_EXT_IPI, SBI_EXT_IPI, ipi_call };
