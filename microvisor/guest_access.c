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
