// SPDX-License-Identifier: MIT
/*
 * test_mmio_decode.c: host tests of the MMIO access decoder
 * (microvisor/mmio_decode.c). The literal encodings of the RV64I and RV64C
 * forms are what GNU as 2.40 assembles (objdump -M no-aliases); the Zcb ones
 * are assembled by hand from the Zcb encoding tables, since that assembler
 * does not know Zcb. The field encoders below cover every register.
 */
#include "check.h"
#include "mmio_decode.h"

static struct mmio_insn m;

/* Decodes insn and checks every field; 1 if it decoded as expected. */
static int is(int rc, unsigned len, unsigned size, bool store, bool sign, unsigned reg)
{
	return rc == 0 && m.len == len && m.size == size && m.store == store && m.sign == sign &&
	       m.reg == reg;
}
#define DEC(insn)    mmio_decode((insn), &m)
#define HT(htinst)   mmio_decode_htinst((htinst), &m)

static u32 enc_load(u32 funct3, u32 rd, u32 rs1, u32 imm)
{
	return (imm & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x03;
}
static u32 enc_store(u32 funct3, u32 rs2, u32 rs1, u32 imm)
{
	return ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (imm & 31) << 7 | 0x23;
}

TEST(rv64i_loads_assembled)
{
	CHECK(is(DEC(0xfff58503), 4, 1, false, true, 10));    /* lb a0,-1(a1) */
	CHECK(is(DEC(0x00241f83), 4, 2, false, true, 31));    /* lh t6,2(s0) */
	CHECK(is(DEC(0x0045a003), 4, 4, false, true, 0));     /* lw zero,4(a1) */
	CHECK(is(DEC(0xff813d83), 4, 8, false, false, 27));   /* ld s11,-8(sp) */
	CHECK(is(DEC(0x0005c783), 4, 1, false, false, 15));   /* lbu a5,0(a1) */
	CHECK(is(DEC(0x0025d083), 4, 2, false, false, 1));    /* lhu ra,2(a1) */
	CHECK(is(DEC(0x0045e283), 4, 4, false, false, 5));    /* lwu t0,4(a1) */
}

TEST(rv64i_stores_assembled)
{
	CHECK(is(DEC(0xfea58fa3), 4, 1, true, false, 10));    /* sb a0,-1(a1) */
	CHECK(is(DEC(0x01f41123), 4, 2, true, false, 31));    /* sh t6,2(s0) */
	CHECK(is(DEC(0x0005a223), 4, 4, true, false, 0));     /* sw zero,4(a1) */
	CHECK(is(DEC(0xffb13c23), 4, 8, true, false, 27));    /* sd s11,-8(sp) */
}

TEST(rv64i_every_register_and_width)
{
	static const u8 lsize[7] = { 1, 2, 4, 8, 1, 2, 4 };
	static const bool lsign[7] = { true, true, true, false, false, false, false };
	for (u32 f3 = 0; f3 < 8; f3++)
		for (u32 r = 0; r < 32; r++) {
			u32 ld = enc_load(f3, r, 31 - r, 0x800 + r);
			if (f3 == 7)
				CHECK_EQ(DEC(ld), -1);           /* LDU: RV128 only */
			else
				CHECK(is(DEC(ld), 4, lsize[f3], false, lsign[f3], r));
			u32 st = enc_store(f3, r, 31 - r, 0xfff - r);
			if (f3 > 3)
				CHECK_EQ(DEC(st), -1);           /* SQ and reserved */
			else
				CHECK(is(DEC(st), 4, 1u << f3, true, false, r));
		}
}

TEST(rvc_assembled)
{
	CHECK(is(DEC(0x5c7c), 2, 4, false, true, 15));        /* c.lw a5,124(s0) */
	CHECK(is(DEC(0x7fe0), 2, 8, false, false, 8));        /* c.ld s0,248(a5) */
	CHECK(is(DEC(0xc0c8), 2, 4, true, false, 10));        /* c.sw a0,4(s1) */
	CHECK(is(DEC(0xe60c), 2, 8, true, false, 11));        /* c.sd a1,8(a2) */
	CHECK(is(DEC(0x5ffe), 2, 4, false, true, 31));        /* c.lwsp t6,252(sp) */
	CHECK(is(DEC(0x70fe), 2, 8, false, false, 1));        /* c.ldsp ra,504(sp) */
	CHECK(is(DEC(0xc202), 2, 4, true, false, 0));         /* c.swsp zero,4(sp) */
	CHECK(is(DEC(0xfffe), 2, 8, true, false, 31));        /* c.sdsp t6,504(sp) */
}

TEST(rvc_upper_half_ignored)
{
	/* A compressed instruction in the low half: whatever follows it does not matter. */
	CHECK(is(DEC(0xffff5c7c), 2, 4, false, true, 15));
	CHECK(is(DEC(0x0003c0c8), 2, 4, true, false, 10));
	CHECK(is(DEC(0x12340000 | 0xfffe), 2, 8, true, false, 31));
}

TEST(rvc_every_register)
{
	for (u32 r = 0; r < 8; r++) {
		u32 rs1 = 7 - r;
		CHECK(is(DEC(0x4000 | rs1 << 7 | r << 2), 2, 4, false, true, 8 + r));   /* C.LW */
		CHECK(is(DEC(0x6000 | rs1 << 7 | r << 2), 2, 8, false, false, 8 + r));  /* C.LD */
		CHECK(is(DEC(0xc000 | rs1 << 7 | r << 2), 2, 4, true, false, 8 + r));   /* C.SW */
		CHECK(is(DEC(0xe000 | rs1 << 7 | r << 2), 2, 8, true, false, 8 + r));   /* C.SD */
	}
	for (u32 r = 0; r < 32; r++) {
		u32 imm = (r & 1) ? 0x107c : 0x0010;   /* offset bits 12 and 6:2 */
		if (r) {
			CHECK(is(DEC(0x4002 | r << 7 | imm), 2, 4, false, true, r));   /* C.LWSP */
			CHECK(is(DEC(0x6002 | r << 7 | imm), 2, 8, false, false, r));  /* C.LDSP */
		}
		CHECK(is(DEC(0xc002 | 0x1f80 | r << 2), 2, 4, true, false, r));       /* C.SWSP */
		CHECK(is(DEC(0xe002 | 0x1f80 | r << 2), 2, 8, true, false, r));       /* C.SDSP */
	}
}

TEST(rvc_lwsp_ldsp_rd0_reserved)
{
	CHECK_EQ(DEC(0x4002), -1);
	CHECK_EQ(DEC(0x4002 | 0x107c), -1);
	CHECK_EQ(DEC(0x6002), -1);
	CHECK_EQ(DEC(0x6002 | 0x107c), -1);
	/* The stores may name x0. */
	CHECK(is(DEC(0xc002), 2, 4, true, false, 0));
	CHECK(is(DEC(0xe002), 2, 8, true, false, 0));
}

TEST(zcb_forms)
{
	CHECK(is(DEC(0x81e8), 2, 1, false, false, 10));       /* c.lbu a0,3(a1) */
	CHECK(is(DEC(0x8000), 2, 1, false, false, 8));        /* c.lbu s0,0(s0) */
	CHECK(is(DEC(0x85a8), 2, 2, false, false, 10));       /* c.lhu a0,2(a1) */
	CHECK(is(DEC(0x85e8), 2, 2, false, true, 10));        /* c.lh a0,2(a1) */
	CHECK(is(DEC(0x89c8), 2, 1, true, false, 10));        /* c.sb a0,1(a1) */
	CHECK(is(DEC(0x8da8), 2, 2, true, false, 10));        /* c.sh a0,2(a1) */
	CHECK(is(DEC(0x8d9c), 2, 2, true, false, 15));        /* c.sh a5,2(a1) */
	CHECK_EQ(DEC(0x8de8), -1);                            /* c.sh with bit 6 set: reserved */
	for (u32 sub = 4; sub < 8; sub++)                     /* 100 1xx: not loads or stores */
		CHECK_EQ(DEC(0x8000 | sub << 10 | 0x1e8), -1);
}

TEST(not_integer_loads_or_stores)
{
	static const u32 no[] = {
		0x2588, 0xa588, 0x2522, 0xa42a,          /* c.fld, c.fsd, c.fldsp, c.fsdsp */
		0x0045a507, 0x0085b507, 0x00259507,      /* flw, fld, flh */
		0x00a5a227, 0x00a5b427,                  /* fsw, fsd */
		0x1005a52f, 0x18c5b52f, 0x00c5a52f, 0x08c5b52f,  /* lr.w, sc.d, amoadd.w, amoswap.d */
		0x0205e087, 0x020580a7,                  /* vle32.v, vse8.v */
		0x6805c573, 0x6aa5c073,                  /* hlv.w, hsv.w */
		0x0028, 0x0505, 0x0506, 0x852e, 0x6505,  /* c.addi4spn, c.addi, c.slli, c.mv, c.lui */
		0x00358513,                              /* addi */
		0x0000, 0xffff0000,                      /* the all-zero (illegal) compressed word */
		0xffffffff, 0x0000001f, 0x0000003f, 0x0000007f,  /* 48/64-bit and longer prefixes */
		0x00000013, 0x00000073, 0x0000000f,      /* nop, ecall, fence */
		0x0000601f, 0x0000007b,                  /* opcodes with low bits 11 but not LOAD/STORE */
	};
	for (unsigned i = 0; i < ARRAY_SIZE(no); i++) {
		m.len = 0xee;
		CHECK_EQ(DEC(no[i]), -1);
		CHECK_EQ(m.len, 0xee);       /* out untouched on failure */
	}
	/* Every quadrant-1 encoding is an ALU op or a jump / branch. */
	for (u32 c = 1; c < 0x10000; c += 4)
		CHECK_EQ(DEC(c), -1);
	/* LOAD / STORE opcode with low bits not 11 is a compressed instruction, not them. */
	CHECK_EQ(DEC(0x00002001), -1);   /* quadrant 1 */
}

TEST(htinst_transformed_32bit)
{
	/* lw a0,4(a1) -> imm and rs1 (Addr. Offset) zeroed: 0x00002503 */
	CHECK(is(HT(0x00002503), 4, 4, false, true, 10));
	CHECK(is(HT(0x00000503), 4, 1, false, true, 10));      /* lb */
	CHECK(is(HT(0x00001f83), 4, 2, false, true, 31));      /* lh t6 */
	CHECK(is(HT(0x00003d83), 4, 8, false, false, 27));     /* ld s11 */
	CHECK(is(HT(0x00004783), 4, 1, false, false, 15));     /* lbu a5 */
	CHECK(is(HT(0x00005083), 4, 2, false, false, 1));      /* lhu ra */
	CHECK(is(HT(0x00006283), 4, 4, false, false, 5));      /* lwu t0 */
	CHECK(is(HT(0x00002003), 4, 4, false, true, 0));       /* lw zero */
	/* sw zero,4(a1) -> 0x00002023 (not the 0x00002020 pseudoinstruction) */
	CHECK(is(HT(0x00002023), 4, 4, true, false, 0));
	CHECK(is(HT(0x00a00023), 4, 1, true, false, 10));      /* sb a0 */
	CHECK(is(HT(0x01f01023), 4, 2, true, false, 31));      /* sh t6 */
	CHECK(is(HT(0x01b03023), 4, 8, true, false, 27));      /* sd s11 */
	/* The transform of every load / store of the table. */
	for (u32 f3 = 0; f3 < 4; f3++)
		for (u32 r = 0; r < 32; r++) {
			CHECK(is(HT(enc_load(f3, r, 0, 0)), 4, 1u << f3, false, f3 < 3, r));
			CHECK(is(HT(enc_store(f3, r, 0, 0)), 4, 1u << f3, true, false, r));
		}
}

TEST(htinst_transformed_16bit)
{
	/* Bit 1 clear: a compressed instruction trapped, transformed to its 32-bit form. */
	CHECK(is(HT(0x00002781), 2, 4, false, true, 15));      /* c.lw a5 -> lw a5, bit 1 clear */
	CHECK(is(HT(0x00003401), 2, 8, false, false, 8));      /* c.ld s0 */
	CHECK(is(HT(0x00a02021), 2, 4, true, false, 10));      /* c.sw a0 */
	CHECK(is(HT(0x00b03021), 2, 8, true, false, 11));      /* c.sd a1 */
	CHECK(is(HT(0x00002f81), 2, 4, false, true, 31));      /* c.lwsp t6 */
	CHECK(is(HT(0x00003081), 2, 8, false, false, 1));      /* c.ldsp ra */
	CHECK(is(HT(0x00002021), 2, 4, true, false, 0));       /* c.swsp zero */
	CHECK(is(HT(0x01f03021), 2, 8, true, false, 31));      /* c.sdsp t6 */
	CHECK(is(HT(0x00004501), 2, 1, false, false, 10));     /* c.lbu a0 */
	CHECK(is(HT(0x00005501), 2, 2, false, false, 10));     /* c.lhu a0 */
	CHECK(is(HT(0x00001501), 2, 2, false, true, 10));      /* c.lh a0 */
	CHECK(is(HT(0x00a00021), 2, 1, true, false, 10));      /* c.sb a0 */
	CHECK(is(HT(0x00a01021), 2, 2, true, false, 10));      /* c.sh a0 */
}

TEST(htinst_rejects)
{
	static const u64 no[] = {
		0,
		0x00002000, 0x00003000, 0x00002020, 0x00003020,   /* VS-stage PT read/write pseudoinstructions */
		0x00002002, 0x00003022,                           /* bit 0 clear: not transformed */
		0x00002503ULL | (1ULL << 32), 0x8000000000002503ULL,  /* above bit 31 */
		0x0005a503, 0x00fba503, 0x00012023,               /* nonzero Addr. Offset */
		0x00007003, 0x00004023, 0x00007023,               /* reserved funct3 */
		0x00003507, 0x00a03027, 0x00002505,               /* fld, fsd, compressed flw form */
		0x0000252f, 0x00c0352f, 0x1000252f,               /* amoadd.w, amoadd.d, lr.w */
		0x6800c573, 0x6aa04073,                           /* hlv.w, hsv.w */
		0x00000013, 0x00000073, 0xffffffff,
	};
	for (unsigned i = 0; i < ARRAY_SIZE(no); i++) {
		m.len = 0xee;
		CHECK_EQ(HT(no[i]), -1);
		CHECK_EQ(m.len, 0xee);
	}
	/* The immediate fields are zero in a transformed instruction but are not checked. */
	CHECK(is(HT(0xfff02503), 4, 4, false, true, 10));
	CHECK(is(HT(0xfe002fa3), 4, 4, true, false, 0));
}

TEST(load_value_extension)
{
	struct mmio_insn lb = { 4, 1, false, true, 1 }, lbu = { 4, 1, false, false, 1 };
	struct mmio_insn lh = { 4, 2, false, true, 1 }, lhu = { 2, 2, false, false, 1 };
	struct mmio_insn lw = { 2, 4, false, true, 1 }, lwu = { 4, 4, false, false, 1 };
	struct mmio_insn ld = { 4, 8, false, false, 1 };
	CHECK_EQ(mmio_load_value(&lb, 0x80), 0xffffffffffffff80ULL);
	CHECK_EQ(mmio_load_value(&lb, 0x7f), 0x7f);
	CHECK_EQ(mmio_load_value(&lb, 0xabcdef12345678ffULL), -1LL);
	CHECK_EQ(mmio_load_value(&lbu, 0xabcdef12345678ffULL), 0xff);
	CHECK_EQ(mmio_load_value(&lbu, 0x80), 0x80);
	CHECK_EQ(mmio_load_value(&lh, 0x8000), 0xffffffffffff8000ULL);
	CHECK_EQ(mmio_load_value(&lh, 0x17fff), 0x7fff);
	CHECK_EQ(mmio_load_value(&lhu, 0xffff8000), 0x8000);
	CHECK_EQ(mmio_load_value(&lw, 0x80000000), 0xffffffff80000000ULL);
	CHECK_EQ(mmio_load_value(&lw, 0xffffffff7fffffffULL), 0x7fffffff);
	CHECK_EQ(mmio_load_value(&lwu, 0xffffffff80000000ULL), 0x80000000);
	CHECK_EQ(mmio_load_value(&ld, 0x8000000000000001ULL), 0x8000000000000001ULL);
	ld.sign = true;      /* meaningless at 8 bytes, harmless */
	CHECK_EQ(mmio_load_value(&ld, 0x8000000000000001ULL), 0x8000000000000001ULL);
	/* Through the decoder: c.lh and c.lhu of the same bytes. */
	CHECK_EQ(DEC(0x85e8), 0);
	CHECK_EQ(mmio_load_value(&m, 0xdead9abc), 0xffffffffffff9abcULL);
	CHECK_EQ(DEC(0x85a8), 0);
	CHECK_EQ(mmio_load_value(&m, 0xdead9abc), 0x9abc);
	CHECK_EQ(DEC(0x5c7c), 0);           /* c.lw */
	CHECK_EQ(mmio_load_value(&m, 0x1234567887654321ULL), 0xffffffff87654321ULL);
}

TEST(store_value_masked)
{
	struct mmio_insn s = { 4, 1, true, false, 10 };
	u64 v = 0xfedcba9876543210ULL;
	CHECK_EQ(mmio_store_value(&s, v), 0x10);
	s.size = 2;
	CHECK_EQ(mmio_store_value(&s, v), 0x3210);
	s.size = 4;
	CHECK_EQ(mmio_store_value(&s, v), 0x76543210);
	s.size = 8;
	CHECK_EQ(mmio_store_value(&s, v), v);
	CHECK_EQ(DEC(0x89c8), 0);           /* c.sb */
	CHECK_EQ(mmio_store_value(&m, 0x1ff), 0xff);
}

int main(void)
{
	check_suite = "mmio_decode";
	RUN(rv64i_loads_assembled);
	RUN(rv64i_stores_assembled);
	RUN(rv64i_every_register_and_width);
	RUN(rvc_assembled);
	RUN(rvc_upper_half_ignored);
	RUN(rvc_every_register);
	RUN(rvc_lwsp_ldsp_rd0_reserved);
	RUN(zcb_forms);
	RUN(not_integer_loads_or_stores);
	RUN(htinst_transformed_32bit);
	RUN(htinst_transformed_16bit);
	RUN(htinst_rejects);
	RUN(load_value_extension);
	RUN(store_value_masked);
	return CHECK_DONE();
}
