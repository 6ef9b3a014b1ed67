// SPDX-License-Identifier: MIT
/*
 * domain_mem.c: a domain's guest-physical memory. Pages come from the page
 * pool and are mapped OWNED in its G-stage table; reads and writes by GPA go
 * through that table, so a buffer anywhere in the domain's RAM works and
 * nothing outside it does.
 *
 * TLB rule: unmapping bumps d->gvma_gen and each vCPU fences its hart before
 * it runs with a newer generation (vcpu_load / schedule); memory is only
 * freed while none of the domain's vCPUs can run (never started, shut
 * down, or paused, which waits until they are off their harts; unpausing
 * and starting take mem_lock, so they wait for a release in progress) and
 * nobody maps it (hc_memory.c checks Dom0's foreign maps), so a stale
 * entry never reaches reused memory.
 *
 * Populate and release are all-or-nothing and run under d->mem_lock, which
 * also keeps mem_bytes within max_bytes when two Dom0 vCPUs race.
 */
#include "domain.h"
#include "mm.h"
#include "hart.h"
#include <string.h>

static int free_owned(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte);

/* Maps [gpa, gpa+bytes) to fresh zeroed memory, the largest blocks first; all or nothing. */
int domain_populate(struct domain *d, u64 gpa, u64 bytes)
{
	if ((gpa | bytes) & (PAGE_SIZE - 1) || !bytes || gpa + bytes < gpa)
		return -RIVET_EINVAL;
	if (gpa + bytes > (1UL << GSTAGE_GPA_BITS))
		return -RIVET_ERANGE;
	spin_lock(&d->mem_lock);
	if (bytes > d->max_bytes - d->mem_bytes) {
		spin_unlock(&d->mem_lock);
		return -RIVET_ERANGE;
	}
	/* Checked before anything is allocated, so that this failure costs nothing (not even tables). */
	if (gstage_range_mapped(&d->gs, gpa, gpa + bytes)) {
		spin_unlock(&d->mem_lock);
		return -RIVET_EEXIST;
	}
	u64 done = 0;
	int err = 0;
	while (done < bytes) {
		u64 left = bytes - done, at = gpa + done, chunk = left;
		/* All in one block when possible (boot domains), else 2 MiB, else 4 KiB. */
		void *p = mm_alloc(chunk, left >= SZ_1G && !(at & (SZ_1G - 1)) ? SZ_1G : SZ_2M);
		if (!p && left >= SZ_2M && !(at & (SZ_2M - 1)))
			p = mm_alloc(chunk = SZ_2M, SZ_2M);
		if (!p)
			p = mm_alloc(chunk = PAGE_SIZE, PAGE_SIZE);
		if (!p) {
			err = -RIVET_ENOMEM;
			break;
		}
		/* gstage_map maps all of it or nothing, so the chunk is ours alone to free. */
		err = gstage_map(&d->gs, at, (u64)(uintptr_t)p, chunk, PTE_RWX | PTE_OWNED);
		if (err) {
			mm_free(p, chunk);
			break;
		}
		done += chunk;
	}
	/*
	 * Every leaf in [gpa, gpa+done) was made here (an existing one fails the
	 * map), and no vCPU has seen them yet: undo them all.
	 */
	if (err && done)
		gstage_clear_range(&d->gs, gpa, gpa + done, free_owned, NULL);
	if (!err)
		d->mem_bytes += bytes;
	spin_unlock(&d->mem_lock);
	return err;
}

struct range { u64 from, to; int err; u64 freed; };

static int check_owned(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte)
{
	struct range *r = ctx;
	(void)hpa;
	if (gpa < r->to && gpa + size > r->from &&
	    (!(pte & PTE_OWNED) || gpa < r->from || gpa + size > r->to))
		return -RIVET_EINVAL;   /* foreign, or a block that sticks out of the range */
	return 0;
}

static int free_owned(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte)
{
	(void)ctx;
	(void)gpa;
	if (pte & PTE_OWNED)
		mm_free((void *)(uintptr_t)hpa, size);
	return 0;
}

int domain_release(struct domain *d, u64 gpa, u64 bytes)
{
	struct range r = { gpa, gpa + bytes, 0, 0 };
	if ((gpa | bytes) & (PAGE_SIZE - 1) || !bytes || gpa + bytes < gpa)
		return -RIVET_EINVAL;
	spin_lock(&d->mem_lock);
	int err = gstage_for_each_leaf(&d->gs, check_owned, &r);
	if (!err && !domain_quiescent(d))
		err = -RIVET_EBUSY;   /* a vCPU of it could still reach the pages */
	if (!err) {
		evtchn_forget_page(d, gpa, gpa + bytes);
		d->mem_bytes -= gstage_clear_range(&d->gs, gpa, gpa + bytes, free_owned, NULL);
		__atomic_add_fetch(&d->gvma_gen, 1, __ATOMIC_SEQ_CST);
		/* No vCPU of d runs, and each fences (walk caches too) before it runs again. */
		gstage_free_unlinked(&d->gs, gstage_unlink_empty(&d->gs, gpa, gpa + bytes));
	}
	spin_unlock(&d->mem_lock);
	return err;
}

/* At teardown, after every hart fenced the VMID: all owned memory back to the pool. */
void domain_free_memory(struct domain *d)
{
	d->mem_bytes -= gstage_clear_range(&d->gs, 0, 1UL << GSTAGE_GPA_BITS, free_owned, NULL);
}

/* Copies between buf and the domain's own RAM, page by page through its G-stage table. */
static int copy_gpa(struct domain *d, u64 gpa, void *buf, u64 len, bool to_guest)
{
	u8 *b = buf;
	while (len) {
		u64 hpa, prot, n = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
		if (n > len)
			n = len;
		if (gstage_translate(&d->gs, gpa, &hpa, &prot) != 0 || !(prot & PTE_OWNED))
			return -RIVET_EFAULT;
		void *p = (void *)(uintptr_t)hpa;
		if (to_guest)
			memcpy(p, b, n);
		else
			memcpy(b, p, n);
		gpa += n;
		b += n;
		len -= n;
	}
	return 0;
}

int domain_read_gpa(struct domain *d, u64 gpa, void *buf, u64 len)
{
	return copy_gpa(d, gpa, buf, len, false);
}

int domain_write_gpa(struct domain *d, u64 gpa, const void *buf, u64 len)
{
	return copy_gpa(d, gpa, (void *)buf, len, true);
}

bool domain_range_is_ram(struct domain *d, u64 gpa, u64 len)
{
	if (gpa + len < gpa)
		return false;
	for (u64 a = ALIGN_DOWN(gpa, PAGE_SIZE); a < gpa + len || a == ALIGN_DOWN(gpa, PAGE_SIZE); a += PAGE_SIZE) {
		u64 hpa, prot;
		if (gstage_translate(&d->gs, a, &hpa, &prot) != 0 || !(prot & PTE_OWNED))
			return false;
		if (a + PAGE_SIZE >= gpa + len)
			break;
	}
	return true;
}
