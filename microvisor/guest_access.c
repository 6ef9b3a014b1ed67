// SPDX-License-Identifier: MIT
/*
 * guest_access.c: HLV loads of guest virtual addresses. A fault during the
 * access traps to HS-mode itself; hs_trap() sees fault_armed, records the
 * fault and skips the load, so a hostile pointer costs only an error code.
 */
#include "guest_access.h"
#include "hart.h"
#include "errcode.h"

int guest_read_va_u64(u64 va, u64 *out)
{
	struct hart *h = this_hart();
	u64 val = 0;
	if (va & 7)
		return -RIVET_EFAULT;
	h->fault_hit = false;
	h->fault_armed = true;
	asm volatile(".option push\n.option arch, +h\n"
		     "hlv.d %0, (%1)\n.option pop" : "+r"(val) : "r"(va) : "memory");
	h->fault_armed = false;
	if (h->fault_hit)
		return -RIVET_EFAULT;
	*out = val;
	return 0;
}

/* One halfword with execute permission (HLVX), as the hart would fetch it. */
static int fetch_u16(u64 va, u64 *out)
{
	struct hart *h = this_hart();
	u64 val = 0;
	h->fault_hit = false;
	h->fault_armed = true;
	asm volatile(".option push\n.option arch, +h\n"
		     "hlvx.hu %0, (%1)\n.option pop" : "+r"(val) : "r"(va) : "memory");
	h->fault_armed = false;
	if (h->fault_hit)
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
