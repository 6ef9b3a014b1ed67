// SPDX-License-Identifier: MIT
/*
 * guest_access.c: HLV loads of guest virtual addresses. A fault during the
 * access traps to HS-mode itself; hs_trap() sees fault_armed, records the
 * fault and skips the load, so a hostile pointer costs only an error code.
 * That trap overwrites sepc, sstatus and hstatus (SPV), which may still hold
 * the guest's own trap (the fast path keeps them in the CSRs, entry.S): a
 * fault puts them back, so a guarded access is safe from any trap handler.
 */
#include "guest_access.h"
#include "hart.h"
#include "errcode.h"
#include "csr.h"

/* What the guest's trap left in the CSRs that a fault in HS-mode overwrites. */
struct trap_csrs {
	u64 sepc, sstatus, hstatus;
};

static inline void guard_arm(struct hart *h, struct trap_csrs *saved)
{
	saved->sepc = csr_read(CSR_SEPC);
	saved->sstatus = csr_read(CSR_SSTATUS);
	saved->hstatus = csr_read(CSR_HSTATUS);
	h->fault_hit = false;
	h->fault_armed = true;
}

/* True if the access faulted; the CSRs are the guest trap's again either way. */
static inline bool guard_disarm(struct hart *h, const struct trap_csrs *saved)
{
	h->fault_armed = false;
	if (!h->fault_hit)
		return false;
	csr_write(CSR_SEPC, saved->sepc);
	csr_write(CSR_SSTATUS, saved->sstatus);
	csr_write(CSR_HSTATUS, saved->hstatus);
	return true;
}

int guest_read_va_u64(u64 va, u64 *out)
{
	struct hart *h = this_hart();
	struct trap_csrs saved;
	u64 val = 0;
	if (va & 7)
		return -RIVET_EFAULT;
	guard_arm(h, &saved);
	asm volatile(".option push\n.option arch, +h\n"
		     "hlv.d %0, (%1)\n.option pop" : "+r"(val) : "r"(va) : "memory");
	if (guard_disarm(h, &saved))
		return -RIVET_EFAULT;
	*out = val;
	return 0;
}

/* One halfword with execute permission (HLVX), as the hart would fetch it. */
static int fetch_u16(u64 va, u64 *out)
{
	struct hart *h = this_hart();
	struct trap_csrs saved;
	u64 val = 0;
	guard_arm(h, &saved);
	asm volatile(".option push\n.option arch, +h\n"
		     "hlvx.hu %0, (%1)\n.option pop" : "+r"(val) : "r"(va) : "memory");
	if (guard_disarm(h, &saved))
		return -RIVET_EFAULT;
	*out = val;
	return 0;
}

int guest_read_insn(u64 va, u32 *insn)
{
	u64 lo, hi = 0;
	if ((va & 1) || fetch_u16(va, &lo))
		return -RIVET_EFAULT;
	/* Low bits 11: a 32-bit instruction, whose upper half may be on the next page. */
	if ((lo & 3) == 3 && fetch_u16(va + 2, &hi))
		return -RIVET_EFAULT;
	*insn = (u32)(lo | (hi << 16));
	return 0;
}
