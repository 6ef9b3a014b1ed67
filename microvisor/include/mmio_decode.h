/* SPDX-License-Identifier: MIT */
/*
 * mmio_decode.h: decodes the integer load or store that a guest-page fault
 * on an emulated MMIO region trapped on, from the instruction itself or from
 * htinst. Pure C, also built for host tests and the fuzzer.
 *
 * Decoded: RV64I LB LH LW LD LBU LHU LWU SB SH SW SD; RV64C C.LW C.LD C.SW
 * C.SD C.LWSP C.LDSP C.SWSP C.SDSP; Zcb C.LBU C.LHU C.LH C.SB C.SH.
 * Everything else is -1: FP and vector loads/stores, AMOs, LR/SC, HLV/HSV,
 * reserved encodings (LOAD funct3 7, STORE funct3 4..7, C.LWSP/C.LDSP with
 * rd = x0, the reserved Zcb slots), instructions longer than 32 bits.
 */
#ifndef RIVET_MMIO_DECODE_H
#define RIVET_MMIO_DECODE_H
#include "types.h"

struct mmio_insn {
	u8 len;     /* 2 or 4: bytes to step sepc past the instruction */
	u8 size;    /* access width in bytes: 1, 2, 4 or 8 */
	bool store;
	bool sign;  /* loads: sign-extend the value (LB, LH, LW; C.LW, C.LH) */
	u8 reg;     /* x-register: rd for a load, rs2 for a store (0..31) */
};

/*
 * insn: a 32-bit instruction, or a 16-bit compressed one in the low half
 * (bits 1:0 != 11; the upper half is ignored then). 0, or -1 if it is not an
 * integer load/store the microvisor emulates. A load into x0 decodes (reg 0):
 * the caller must then drop the value, not write x0.
 */
int mmio_decode(u32 insn, struct mmio_insn *out);

/*
 * htinst as the hart reports it on a guest-page fault: a transformed
 * load/store (bit 0 set; bit 1 clear means the trapping instruction was
 * 16-bit, so len is 2), decoded as the 32-bit form with bit 1 set. -1 for 0,
 * for pseudoinstructions (bit 0 clear: the implicit VS-stage page-table
 * accesses 0x00002000 / 0x00003000 / 0x00002020 / 0x00003020), for bits set
 * above bit 31, for anything that is not an integer load/store, and for a
 * nonzero Addr. Offset field (bits 19:15): that marks one part of a
 * misaligned access the hart split, whose faulting address is not the start
 * of the access; the caller should treat it as unemulable. The immediate
 * fields, zero in a transformed instruction, are not looked at.
 */
int mmio_decode_htinst(u64 htinst, struct mmio_insn *out);

/* The register value for a load: raw masked to size, then sign- or zero-extended. */
u64 mmio_load_value(const struct mmio_insn *m, u64 raw);

/* The bytes a store writes: reg masked to size. */
u64 mmio_store_value(const struct mmio_insn *m, u64 regval);
#endif
