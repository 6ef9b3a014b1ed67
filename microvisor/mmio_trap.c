// SPDX-License-Identifier: MIT
/* mmio_trap.c: which load or store trapped, for the MMIO a guest's fault lands on. */
#include "mmio_trap.h"
#include "vcpu.h"
#include "csr.h"
#include "guest_access.h"

#define HTINST_ADDR_OFFSET(x) (((x) >> 15) & 31)   /* nonzero: a piece of a split access */

/*
 * From htinst when the hart gives a transformed load/store, else read with
 * HLVX. A pseudoinstruction (bit 0 clear) means the fault came from the
 * guest's own page-table walk, which is never emulated; a transformed one
 * with an address offset is part of a misaligned access the hart split, so
 * the fault address is not where the access starts.
 */
enum mmio_decoded mmio_trap_decode(struct vcpu *v, struct mmio_insn *m)
{
	u64 htinst = csr_read(CSR_HTINST);
	if (htinst && !(htinst & 1))
		return MMIO_UNDECODABLE;
	if (htinst && HTINST_ADDR_OFFSET(htinst))
		return MMIO_SPLIT;
	if (htinst && mmio_decode_htinst(htinst, m) == 0)
		return MMIO_DECODED;
	u32 insn;
	return guest_read_insn(v->frame.sepc, &insn) == 0 && mmio_decode(insn, m) == 0 ? MMIO_DECODED :
											  MMIO_UNDECODABLE;
}
