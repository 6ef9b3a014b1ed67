// SPDX-License-Identifier: MIT
/*
 * sbi_susp.c: SBI SUSP, system suspend to RAM for a domain. With every
 * other vCPU of the domain stopped, the caller's vCPU sleeps until an
 * interrupt it enabled in sie is pending (its timer, an event channel or
 * device interrupt), then resumes at resume_addr as after an HSM
 * non-retentive suspend. The domain's memory stays as it is.
 */
#include "sbi.h"
#include "domain.h"
#include "hart.h"
#include "csr.h"

/*
 * The sie bits of the interrupts that can wake the domain: its timer, and
 * external (event channels, device models). Not IPIs: only its own vCPUs,
 * all stopped, could send one.
 */
#define SUSP_WAKE_IRQS (IRQ_BIT(IRQ_S_TIMER) | IRQ_BIT(IRQ_S_EXT))

/* True if every vCPU of v's domain but v is in HSM STOPPED. */
static bool others_stopped(struct vcpu *v)
{
	struct domain *d = v->dom;
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = d->vcpus[i];
		if (t == v)
			continue;
		struct hart *home = vcpu_lock_home(t);
		bool off = t->state == VCPU_OFF;
		spin_unlock(&home->lock);
		if (!off)
			return false;
	}
	/*
	 * The scan above sees one vCPU at a time: with three or more, one it
	 * passed may have been started since by one it had not reached yet.
	 * Only a started vCPU can start another (Dom0 starts only vCPU 0 of a
	 * domain never started), and a starter counts itself until it stops, so
	 * a count of one, the caller, means none other runs or can run again.
	 */
	return __atomic_load_n(&d->started_vcpus, __ATOMIC_SEQ_CST) == 1;
}

static struct sbiret system_suspend(struct vcpu *v, u32 sleep_type, u64 resume, u64 opaque)
{
	struct trap_frame *f = &v->frame;
	/* Reserved types (1..0x7FFFFFFF) and platform-specific ones, of which Rivet has none. */
	if (sleep_type != SBI_SUSP_SLEEP_TYPE_SUSPEND_TO_RAM)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	/* Only the guest kernel suspends its system (KVM's rule too; a VU-mode ecall is the guest's own). */
	if (!(f->sstatus & SSTATUS_SPP))
		return SBI_RET(SBI_ERR_FAILED, 0);
	if (!domain_range_is_ram(v->dom, resume, 1))
		return SBI_RET(SBI_ERR_INVALID_ADDRESS, 0);
	if (!others_stopped(v))
		return SBI_RET(SBI_ERR_DENIED, 0);
	/* No interrupt enabled: nothing could ever wake the domain, so it may not sleep. */
	if (!(csr_read(CSR_VSIE) & SUSP_WAKE_IRQS))
		return SBI_RET(SBI_ERR_DENIED, 0);
	return sbi_suspend_current(v, false, resume, opaque);
}

static struct sbiret susp_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	if (fid != SBI_SUSP_SYSTEM_SUSPEND)
		return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
	/* sleep_type is a uint32_t in the spec: a0's upper 32 bits are not part of it. */
	return system_suspend(v, (u32)f->x[REG_A0], f->x[REG_A1], f->x[REG_A2]);
}

const struct sbi_ext sbi_susp = { "susp", SBI_EXT_SUSP, SBI_EXT_SUSP, susp_call };
