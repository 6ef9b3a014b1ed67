// SPDX-License-Identifier: MIT
/*
 * sbi_sta.c: SBI STA (steal-time accounting): a vCPU registers a 64-byte
 * record in its RAM, and the hart that loads it writes there how long it
 * waited for that hart (steal.h counts it), in nanoseconds.
 *
 * The record's host address is resolved once, at registration: it is 64-byte
 * aligned, so it never crosses a page. It is only written by the hart that
 * has the vCPU current (when loading it, sta_publish, after schedule() saw
 * its domain running with current published: the Dekker pair with
 * domain_pause / domain_quiescent; when switching it out, steal_note), or,
 * in a directed yield, the vCPU of the same domain it yielded to (steal_note,
 * after that same check). So the
 * domain is not quiescent while a write can happen, and MEMORY_RELEASE, the
 * only way a running domain's RAM goes back to the pool, refuses to free it
 * then; once it does free it, sta_forget_range has dropped every record in
 * the range before any vCPU can run again (unpausing takes the mem_lock the
 * release holds). A destroyed domain's vCPUs are reaped, never loaded again,
 * before its memory goes; a restart resets every vCPU, so its records too.
 */
#include "sbi.h"
#include "domain.h"
#include "steal.h"
#include "hart.h"
#include <string.h>

_Static_assert(sizeof(struct sbi_sta_struct) == 64, "the spec's record is 64 bytes");
#define STA_ALIGN sizeof(struct sbi_sta_struct)

/*
 * With d->mem_lock held: the host address of the record at a 64-byte aligned
 * gpa if all of it is the domain's own writable RAM, else NULL. Aligned, it
 * lies in gpa's page, so that page's mapping covers it all.
 */
static struct sbi_sta_struct *sta_resolve(struct domain *d, u64 gpa)
{
	u64 hpa, prot;
	if (gpa + sizeof(struct sbi_sta_struct) < gpa)
		return NULL;   /* wraps past the top of the address space */
	if (gstage_translate(&d->gs, gpa, &hpa, &prot) != 0 || (prot & (PTE_OWNED | PTE_W)) != (PTE_OWNED | PTE_W))
		return NULL;   /* not RAM, not its own (a foreign map can go), or read-only */
	return (struct sbi_sta_struct *)(uintptr_t)hpa;
}

static struct sbiret sta_set_shmem(struct vcpu *v, unsigned long lo, unsigned long hi, unsigned long flags)
{
	struct domain *d = v->dom;
	/* flags is an unsigned long in the spec: any bit set is an error. */
	if (flags)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	if (lo == SBI_STA_SHMEM_DISABLE && hi == SBI_STA_SHMEM_DISABLE) {
		v->sta = NULL;   /* this vCPU is current: no hart writes its record meanwhile */
		vcpu_sig_changed(v);
		return SBI_RET(SBI_SUCCESS, 0);
	}
	if (lo & (STA_ALIGN - 1))
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	/* On RV64 lo holds the whole address: hi names memory above 2^64. */
	if (hi)
		return SBI_RET(SBI_ERR_INVALID_ADDRESS, 0);
	spin_lock(&d->mem_lock);
	struct sbi_sta_struct *r = sta_resolve(d, lo);
	if (r) {
		/* The spec: zeroed before the call returns; steal counts from here. */
		memset(r, 0, sizeof(*r));
		v->sta = r;
		v->sta_gpa = lo;
		/* Counted from here: it runs, so it does not wait (left as it was when it had no record). */
		v->steal_waiting = false;
		v->sta_base = v->steal_ticks;
		v->sta_seq = 0;
	}
	spin_unlock(&d->mem_lock);
	if (r)
		vcpu_sig_changed(v);
	/* A failed call leaves an earlier registration as it was. */
	return SBI_RET(r ? SBI_SUCCESS : SBI_ERR_INVALID_ADDRESS, 0);
}

void sta_publish(struct vcpu *v)
{
	struct sbi_sta_struct *r = v->sta;
	u64 ns = steal_ticks_to_ns(v->steal_ticks - v->sta_base, timebase_hz);
	u32 seq = v->sta_seq;
	/* The spec's protocol: odd while steal changes, even again after; readers retry meanwhile. */
	__atomic_store_n(&r->sequence, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&r->steal, ns, __ATOMIC_RELAXED);
	__atomic_store_n(&r->preempted, 0, __ATOMIC_RELAXED);   /* it runs again */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&r->sequence, seq + 2, __ATOMIC_RELAXED);
	/* Ordered before this hart lets go of v (current = NULL), after which the page may be freed. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	v->sta_seq = seq + 2;
	v->sta_stale = false;
}

void sta_reset(struct vcpu *v)
{
	v->sta = NULL;
}

void sta_forget_range(struct domain *d, u64 from, u64 to)
{
	/* A record never crosses a page, and releases are whole pages: its start says it all. */
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		/* Its switch_sig keeps SWITCH_SIG_STA (only its own hart writes it): a yield then notes steal for nothing. */
		if (v->sta && v->sta_gpa >= from && v->sta_gpa < to)
			v->sta = NULL;
	}
}

static struct sbiret sta_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	if (fid == SBI_STA_SET_SHMEM)
		return sta_set_shmem(v, f->x[REG_A0], f->x[REG_A1], f->x[REG_A2]);
	return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
}

const struct sbi_ext sbi_sta = { "sta", SBI_EXT_STA, SBI_EXT_STA, sta_call };
