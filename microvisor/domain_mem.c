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
#include "print.h"
#include "steal.h"
#include <string.h>

/*
 * Maps [gpa, gpa+bytes) to fresh zeroed memory, the largest blocks first;
 * all or nothing. Every way it can fail is found before anything is
 * allocated: the range is free, and the pages for it and for the tables it
 * can need are reserved first, so no half-made populate ever has to be
 * undone while the domain's vCPUs may already touch it.
 */
int domain_populate(struct domain *d, u64 gpa, u64 bytes)
{
	if ((gpa | bytes) & (PAGE_SIZE - 1) || !bytes || gpa + bytes < gpa)
		return -RIVET_EINVAL;
	if (gpa + bytes > (1UL << GSTAGE_GPA_BITS))
		return -RIVET_ERANGE;
	spin_lock(&d->mem_lock);
	/* Mapped first: a balloon's MEMORY_RESTORE of a page that is there is told so even at the maximum. */
	if (gstage_range_mapped(&d->gs, gpa, gpa + bytes)) {
		spin_unlock(&d->mem_lock);
		return -RIVET_EEXIST;
	}
	if (bytes > d->max_bytes - d->mem_bytes) {
		spin_unlock(&d->mem_lock);
		return -RIVET_ERANGE;
	}
	/* At most one 4 KiB-leaf table per 2 MiB and one 2 MiB-leaf table per 1 GiB, ends included. */
	u64 budget, tables = bytes / SZ_2M + 2 + bytes / SZ_1G + 2;
	if (mm_reserve(bytes / PAGE_SIZE + tables, &budget) != 0) {
		spin_unlock(&d->mem_lock);
		return -RIVET_ENOMEM;
	}
	d->gs.ctx = &budget;   /* the tables gstage_map adds come out of it too */
	u64 done = 0;
	int err = 0;
	while (done < bytes) {
		u64 left = bytes - done, at = gpa + done, chunk = left;
		/* All in one block when possible (boot domains), else 2 MiB, else 4 KiB. */
		void *p = mm_alloc_reserved(chunk, left >= SZ_1G && !(at & (SZ_1G - 1)) ? SZ_1G : SZ_2M,
					    &budget);
		if (!p && left >= SZ_2M && !(at & (SZ_2M - 1)))
			p = mm_alloc_reserved(chunk = SZ_2M, SZ_2M, &budget);
		if (!p)
			p = mm_alloc_reserved(chunk = PAGE_SIZE, PAGE_SIZE, &budget);
		/* Neither can fail: pages are reserved and the range is free (checked above). */
		err = p ? gstage_map(&d->gs, at, (u64)(uintptr_t)p, chunk, PTE_RWX | PTE_OWNED)
			: -RIVET_ENOMEM;
		if (err) {
			log("domain %u: populate failed against its own checks (%d); memory kept", d->id, err);
			if (p)
				mm_free(p, chunk);
			break;
		}
		done += chunk;
	}
	d->gs.ctx = NULL;
	mm_unreserve(&budget);
	/*
	 * Unreachable unless the checks above are wrong. The pages mapped so far
	 * stay the domain's (counted), rather than be freed while a vCPU of it
	 * may hold them in its TLB.
	 */
	d->mem_bytes += done;
	spin_unlock(&d->mem_lock);
	return err;
}

/*
 * domain_populate() for pages gpa[0..n) (page aligned, below the G-stage's
 * reach, no repeats: balloon_list_check()), all or nothing: any of them
 * mapped (-RIVET_EEXIST), more than the maximum (-RIVET_ERANGE), or no
 * memory for the pages and TABLES new tables (-RIVET_ENOMEM) leave nothing.
 */
int domain_populate_pages(struct domain *d, const u64 *gpa, u64 n, u64 tables)
{
	spin_lock(&d->mem_lock);
	for (u64 i = 0; i < n; i++) {
		if (gstage_range_mapped(&d->gs, gpa[i], gpa[i] + PAGE_SIZE)) {
			spin_unlock(&d->mem_lock);
			return -RIVET_EEXIST;
		}
	}
	if (n * PAGE_SIZE > d->max_bytes - d->mem_bytes) {
		spin_unlock(&d->mem_lock);
		return -RIVET_ERANGE;
	}
	u64 budget;
	if (mm_reserve(n + tables, &budget) != 0) {
		spin_unlock(&d->mem_lock);
		return -RIVET_ENOMEM;
	}
	d->gs.ctx = &budget;
	u64 done = 0;
	int err = 0;
	for (; done < n; done++) {
		void *p = mm_alloc_reserved(PAGE_SIZE, PAGE_SIZE, &budget);
		/* Neither can fail: pages and tables are reserved, the pages free (checked above). */
		err = p ? gstage_map(&d->gs, gpa[done], (u64)(uintptr_t)p, PAGE_SIZE, PTE_RWX | PTE_OWNED)
			: -RIVET_ENOMEM;
		if (err) {
			log("domain %u: populate failed against its own checks (%d); memory kept", d->id, err);
			if (p)
				mm_free(p, PAGE_SIZE);
			break;
		}
	}
	d->gs.ctx = NULL;
	mm_unreserve(&budget);
	/* As in domain_populate(): what was mapped stays the domain's. */
	d->mem_bytes += done * PAGE_SIZE;
	spin_unlock(&d->mem_lock);
	return err;
}

static int free_owned(void *ctx, u64 gpa, u64 hpa, u64 size, u64 pte)
{
	(void)ctx;
	(void)gpa;
	if (pte & PTE_OWNED)
		mm_free((void *)(uintptr_t)hpa, size);
	return 0;
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
		sta_forget_range(d, gpa, gpa + bytes);
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
