// SPDX-License-Identifier: MIT
/* sbi_hsm.c: SBI HSM: vCPUs of a domain start, stop, suspend and report status as harts. */
#include "sbi.h"
#include "domain.h"
#include "sched.h"
#include "hart.h"
#include "csr.h"
#include "print.h"

enum { HSM_START, HSM_STOP, HSM_GET_STATUS, HSM_SUSPEND };
#define SUSPEND_RETENTIVE     0x0U
#define SUSPEND_NON_RETENTIVE 0x80000000U

static bool valid_entry(struct domain *d, u64 gpa)
{
	return domain_range_is_ram(d, gpa, 1);
}

static struct sbiret hsm_start(struct vcpu *v, unsigned long hartid, u64 addr, u64 opaque)
{
	struct domain *d = v->dom;
	if (hartid >= d->nr_vcpus)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	/*
	 * Beyond what Dom0 made available (xl vcpu-set): the spec's answer for
	 * a hart this supervisor may not start. Read once; see domain.h.
	 */
	if (hartid >= __atomic_load_n(&d->avail_vcpus, __ATOMIC_ACQUIRE))
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	if (!valid_entry(d, addr))
		return SBI_RET(SBI_ERR_INVALID_ADDRESS, 0);
	struct vcpu *t = d->vcpus[hartid];
	struct hart *home = vcpu_lock_home(t);
	if (t->state != VCPU_OFF) {
		spin_unlock(&home->lock);
		return SBI_RET(SBI_ERR_ALREADY_AVAILABLE, 0);
	}
	/*
	 * A dying domain's reaped vCPUs stay off: the reaper marks them under
	 * this lock, and one not reaped yet will be, since DYING is set first.
	 */
	if (t->reaped || d->state != DOM_RUNNING) {
		spin_unlock(&home->lock);
		return SBI_RET(SBI_ERR_FAILED, 0);
	}
	/* OFF means put: its state lives in memory and no hart touches it. */
	vcpu_reset(t, addr, hartid, opaque);
	t->state = VCPU_RUNNABLE;
	__atomic_add_fetch(&d->started_vcpus, 1, __ATOMIC_SEQ_CST);
	spin_unlock(&home->lock);
	hart_kick(home);
	return SBI_RET(SBI_SUCCESS, 0);
}

static struct sbiret hsm_status(struct vcpu *v, unsigned long hartid)
{
	struct domain *d = v->dom;
	if (hartid >= d->nr_vcpus)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	struct vcpu *t = d->vcpus[hartid];
	long st;
	struct hart *home = vcpu_lock_home(t);
	if (t->state == VCPU_OFF)
		st = SBI_HSM_STOPPED;
	else if (t->state == VCPU_BLOCKED && t->suspended)
		st = SBI_HSM_SUSPENDED;
	else
		st = SBI_HSM_STARTED;
	spin_unlock(&home->lock);
	return SBI_RET(SBI_SUCCESS, st);
}

struct sbiret sbi_suspend_current(struct vcpu *v, bool retentive, u64 resume, u64 opaque)
{
	struct trap_frame *f = &v->frame;
	struct hart *h = this_hart();
	f->x[REG_A0] = SBI_SUCCESS;
	f->x[REG_A1] = 0;
	v->suspended = true;
	sched_block_current(h);   /* saves the VS CSRs */
	/*
	 * Still RUNNABLE: an enabled interrupt was already pending, so the
	 * suspend ended at once; a later WFI must not report SUSPENDED.
	 */
	struct hart *home = vcpu_lock_home(v);
	if (v->state != VCPU_BLOCKED)
		v->suspended = false;
	spin_unlock(&home->lock);
	if (!retentive) {
		/* Resumes like a fresh start: S-mode, interrupts and translation off. */
		f->sepc = resume;
		f->x[REG_A0] = v->id;
		f->x[REG_A1] = opaque;
		f->sstatus |= SSTATUS_SPP;
		v->csrs.vsstatus &= ~SSTATUS_SIE;
		v->csrs.vsatp = 0;
	}
	return SBI_NO_RETURN;
}

/* suspend_type is a uint32_t in the spec: the caller's upper 32 bits of a0 are not part of it. */
static struct sbiret hsm_suspend(struct vcpu *v, u32 type, u64 resume, u64 opaque)
{
	/* Reserved and platform-specific types: Rivet implements none of the latter. */
	if (type != SUSPEND_RETENTIVE && type != SUSPEND_NON_RETENTIVE)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	if (type == SUSPEND_NON_RETENTIVE && !valid_entry(v->dom, resume))
		return SBI_RET(SBI_ERR_INVALID_ADDRESS, 0);
	return sbi_suspend_current(v, type == SUSPEND_RETENTIVE, resume, opaque);
}

static struct sbiret hsm_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	switch (fid) {
	case HSM_START:
		return hsm_start(v, f->x[REG_A0], f->x[REG_A1], f->x[REG_A2]);
	case HSM_STOP:
		sched_stop_current(this_hart());
		/* Nobody is left to start a vCPU again: the domain is over. */
		if (__atomic_sub_fetch(&v->dom->started_vcpus, 1, __ATOMIC_SEQ_CST) == 0) {
			log("domain %u \"%s\" stopped its last vCPU: powering it off", v->dom->id, v->dom->name);
			domain_shutdown(v->dom, SHUTDOWN_POWEROFF);
		}
		return SBI_NO_RETURN;
	case HSM_GET_STATUS:
		return hsm_status(v, f->x[REG_A0]);
	case HSM_SUSPEND:
		return hsm_suspend(v, (u32)f->x[REG_A0], f->x[REG_A1], f->x[REG_A2]);
	}
	return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
}

const struct sbi_ext sbi_hsm = { "hsm", SBI_EXT_HSM, SBI_EXT_HSM, hsm_call };
