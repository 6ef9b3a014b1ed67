// SPDX-License-Identifier: MIT
/*
 * mmio_decode.c: the integer loads and stores of RV64I, RV64C and Zcb, as
 * far as MMIO emulation needs them: width, direction, sign extension, the
 * x-register and the instruction's length. Encodings from the RISC-V
 * unprivileged spec (RV64I LOAD/STORE, the C extension's CL/CS/CI/CSS
 * formats, Zcb) and the privileged spec's transformed instructions for
 * htinst.
 */
#include "mmio_decode.h"

#define OP_LOAD   0x03
#define OP_STORE  0x23

static int set(struct mmio_insn *out, u8 len, u8 size, bool store, bool sign, u32 reg)
{
	out->len = len;
	out->size = size;
	out->store = store;
	out->sign = sign;
	out->reg = (u8)(reg & 31);
	return 0;
}

/* A 32-bit LOAD or STORE; len is what goes into out (4, or 2 for a transformed 16-bit one). */
static int decode32(u32 insn, u8 len, struct mmio_insn *out)
{
	u32 funct3 = (insn >> 12) & 7;

	switch (insn & 0x7f) {
	case OP_LOAD: {
		u32 rd = (insn >> 7) & 31;
		switch (funct3) {
		case 0: return set(out, len, 1, false, true, rd);   /* LB */
		case 1: return set(out, len, 2, false, true, rd);   /* LH */
		case 2: return set(out, len, 4, false, true, rd);   /* LW */
		case 3: return set(out, len, 8, false, false, rd);  /* LD */
		case 4: return set(out, len, 1, false, false, rd);  /* LBU */
		case 5: return set(out, len, 2, false, false, rd);  /* LHU */
		case 6: return set(out, len, 4, false, false, rd);  /* LWU */
		default: return -1;                                  /* reserved (LDU of RV128) */
		}
	}
	case OP_STORE: {
		u32 rs2 = (insn >> 20) & 31;
		if (funct3 > 3)
			return -1;                                   /* reserved (SQ of RV128) */
		return set(out, len, (u8)(1u << funct3), true, false, rs2);  /* SB SH SW SD */
	}
	default:
		return -1;
	}
}

static int decode16(u32 c, struct mmio_insn *out)
{
	u32 funct3 = (c >> 13) & 7;
	u32 rp = 8 + ((c >> 2) & 7);    /* rd' / rs2' of CL / CS, bits 4:2 */

	switch (c & 3) {
	case 0:
		switch (funct3) {
		case 2: return set(out, 2, 4, false, true, rp);     /* C.LW */
		case 3: return set(out, 2, 8, false, false, rp);    /* C.LD */
		case 6: return set(out, 2, 4, true, false, rp);     /* C.SW */
		case 7: return set(out, 2, 8, true, false, rp);     /* C.SD */
		case 4:                                              /* Zcb loads / stores */
			switch ((c >> 10) & 7) {
			case 0: return set(out, 2, 1, false, false, rp);             /* C.LBU */
			case 1: return set(out, 2, 2, false, (c >> 6) & 1, rp);      /* C.LHU / C.LH */
			case 2: return set(out, 2, 1, true, false, rp);              /* C.SB */
			case 3:
				if ((c >> 6) & 1)
					return -1;                   /* reserved */
				return set(out, 2, 2, true, false, rp);              /* C.SH */
			default: return -1;
			}
		default: return -1;     /* C.ADDI4SPN, C.FLD, C.FSD, reserved */
		}
	case 2: {
		u32 rd = (c >> 7) & 31;
		u32 rs2 = (c >> 2) & 31;
		switch (funct3) {
		case 2: return rd ? set(out, 2, 4, false, true, rd) : -1;   /* C.LWSP; rd=0 reserved */
		case 3: return rd ? set(out, 2, 8, false, false, rd) : -1;  /* C.LDSP; rd=0 reserved */
		case 6: return set(out, 2, 4, true, false, rs2);            /* C.SWSP */
		case 7: return set(out, 2, 8, true, false, rs2);            /* C.SDSP */
		default: return -1;     /* C.SLLI, C.FLDSP, C.JR/MV/ADD..., C.FSDSP */
		}
	}
	default:
		return -1;              /* quadrant 1: no loads or stores */
	}
}

int mmio_decode(u32 insn, struct mmio_insn *out)
{
	if ((insn & 3) != 3)
		return decode16(insn & 0xffff, out);
	/* Bits 4:2 = 111 would mean a longer instruction; LOAD and STORE have 000 there. */
	return decode32(insn, 4, out);
}

int mmio_decode_htinst(u64 htinst, struct mmio_insn *out)
{
	/* 0, pseudoinstructions (bit 0 clear) and anything wider than an instruction. */
	if (!(htinst & 1) || (htinst >> 32))
		return -1;
	/* Addr. Offset (the rs1 field): nonzero only for part of a split misaligned access. */
	if ((htinst >> 15) & 31)
		return -1;
	return decode32((u32)htinst | 2, (htinst & 2) ? 4 : 2, out);
}

static u64 size_mask(u8 size)
{
	return size >= 8 ? ~0UL : (1UL << (8 * size)) - 1;
}

u64 mmio_load_value(const struct mmio_insn *m, u64 raw)
{
	u64 mask = size_mask(m->size);
	u64 v = raw & mask;

	if (m->sign && m->size < 8 && (v & ((mask >> 1) + 1)))
		v |= ~mask;
	return v;
}

u64 mmio_store_value(const struct mmio_insn *m, u64 regval)
{
	return regval & size_mask(m->size);
}
