// SPDX-License-Identifier: MIT
/*
 * fuzz_mmio_decode.c: microvisor/mmio_decode.c against a model. The input
 * is a sequence of 64-bit words; each is decoded as an instruction (its low
 * 32 bits, and its high 32 bits) and as an htinst value (the whole word, and
 * its low 32 bits), and used as the raw value of a load and the register of
 * a store.
 *
 * The model is a mask/match table of every integer load/store form (RV64I,
 * RV64C, Zcb), written independently of the decoder's switches: an
 * instruction decodes iff one row matches (and C.LWSP / C.LDSP name rd != 0),
 * to exactly that row's width, direction, sign and register. Properties on
 * top: len 2 exactly for a compressed instruction, size 1/2/4/8, reg < 32;
 * the transformed form of every decoded instruction (immediates and rs1
 * zeroed, compressed ones expanded with bit 1 clear) decodes through
 * mmio_decode_htinst to the same thing; an htinst value that decodes has
 * bit 0 set, nothing above bit 31, a zero Addr. Offset, and is itself (with
 * bit 1 set) a 32-bit instruction that decodes the same; the load value is
 * the masked raw value sign- or zero-extended; the store value is the
 * masked register.
 */
#include <string.h>

#include "fuzz.h"
#include "mmio_decode.h"

enum regfield { R_RD, R_RS2, R_CP, R_CRD, R_CRS2 };

struct form {
	const char *name;
	u32 mask, match;
	u8 len, size;
	bool store, sign;
	enum regfield reg;
};

static const struct form forms[] = {
	{ "lb",     0x707f, 0x0003, 4, 1, false, true,  R_RD },
	{ "lh",     0x707f, 0x1003, 4, 2, false, true,  R_RD },
	{ "lw",     0x707f, 0x2003, 4, 4, false, true,  R_RD },
	{ "ld",     0x707f, 0x3003, 4, 8, false, false, R_RD },
	{ "lbu",    0x707f, 0x4003, 4, 1, false, false, R_RD },
	{ "lhu",    0x707f, 0x5003, 4, 2, false, false, R_RD },
	{ "lwu",    0x707f, 0x6003, 4, 4, false, false, R_RD },
	{ "sb",     0x707f, 0x0023, 4, 1, true,  false, R_RS2 },
	{ "sh",     0x707f, 0x1023, 4, 2, true,  false, R_RS2 },
	{ "sw",     0x707f, 0x2023, 4, 4, true,  false, R_RS2 },
	{ "sd",     0x707f, 0x3023, 4, 8, true,  false, R_RS2 },
	{ "c.lw",   0xe003, 0x4000, 2, 4, false, true,  R_CP },
	{ "c.ld",   0xe003, 0x6000, 2, 8, false, false, R_CP },
	{ "c.sw",   0xe003, 0xc000, 2, 4, true,  false, R_CP },
	{ "c.sd",   0xe003, 0xe000, 2, 8, true,  false, R_CP },
	{ "c.lwsp", 0xe003, 0x4002, 2, 4, false, true,  R_CRD },
	{ "c.ldsp", 0xe003, 0x6002, 2, 8, false, false, R_CRD },
	{ "c.swsp", 0xe003, 0xc002, 2, 4, true,  false, R_CRS2 },
	{ "c.sdsp", 0xe003, 0xe002, 2, 8, true,  false, R_CRS2 },
	{ "c.lbu",  0xfc03, 0x8000, 2, 1, false, false, R_CP },
	{ "c.lhu",  0xfc43, 0x8400, 2, 2, false, false, R_CP },
	{ "c.lh",   0xfc43, 0x8440, 2, 2, false, true,  R_CP },
	{ "c.sb",   0xfc03, 0x8800, 2, 1, true,  false, R_CP },
	{ "c.sh",   0xfc43, 0x8c00, 2, 2, true,  false, R_CP },
};

static u32 reg_of(enum regfield f, u32 insn)
{
	switch (f) {
	case R_RD:   return (insn >> 7) & 31;
	case R_RS2:  return (insn >> 20) & 31;
	case R_CP:   return 8 + ((insn >> 2) & 7);
	case R_CRD:  return (insn >> 7) & 31;
	case R_CRS2: return (insn >> 2) & 31;
	}
	return 99;
}

/* The model: 0 and *want filled, or -1. */
static int model(u32 insn, struct mmio_insn *want)
{
	bool compressed = (insn & 3) != 3;
	u32 x = compressed ? insn & 0xffff : insn;
	const struct form *hit = NULL;

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		const struct form *f = &forms[i];
		if ((f->len == 2) != compressed || (x & f->mask) != f->match)
			continue;
		FUZZ_CHECK(!hit, "model: 0x%x matches both %s and %s", x, hit->name, f->name);
		hit = f;
	}
	if (!hit)
		return -1;
	u32 reg = reg_of(hit->reg, x);
	if (hit->reg == R_CRD && reg == 0)
		return -1;                              /* C.LWSP / C.LDSP rd=0: reserved */
	*want = (struct mmio_insn){ hit->len, hit->size, hit->store, hit->sign, (u8)reg };
	return 0;
}

static bool same(const struct mmio_insn *a, const struct mmio_insn *b)
{
	return a->len == b->len && a->size == b->size && a->store == b->store && a->sign == b->sign &&
	       a->reg == b->reg;
}

static void check_shape(const struct mmio_insn *m, const char *what, u64 v)
{
	FUZZ_CHECK(m->len == 2 || m->len == 4, "%s 0x%lx: len %u", what, (unsigned long)v, m->len);
	FUZZ_CHECK(m->size == 1 || m->size == 2 || m->size == 4 || m->size == 8,
		   "%s 0x%lx: size %u", what, (unsigned long)v, m->size);
	FUZZ_CHECK(m->reg < 32, "%s 0x%lx: reg %u", what, (unsigned long)v, m->reg);
	FUZZ_CHECK(!(m->store && m->sign), "%s 0x%lx: a store with sign set", what, (unsigned long)v);
	FUZZ_CHECK(!(m->size == 8 && m->sign), "%s 0x%lx: an 8-byte access with sign set", what,
		   (unsigned long)v);
}

/* The transformed instruction a hart writes to htinst for a decoded access. */
static u64 transform(const struct mmio_insn *m)
{
	u32 f3 = m->size == 1 ? 0 : m->size == 2 ? 1 : m->size == 4 ? 2 : 3;
	u32 t;

	if (m->store) {
		t = (u32)m->reg << 20 | f3 << 12 | 0x23;
	} else {
		if (!m->sign && m->size < 8)
			f3 |= 4;
		t = (u32)m->reg << 7 | f3 << 12 | 0x03;
	}
	return m->len == 2 ? t & ~2u : t;
}

static void check_insn(u32 insn)
{
	struct mmio_insn got, want, ht;
	memset(&got, 0xa5, sizeof got);
	int rc = mmio_decode(insn, &got);
	int mrc = model(insn, &want);

	FUZZ_CHECK(rc == 0 || rc == -1, "decode 0x%x returned %d", insn, rc);
	FUZZ_CHECK(rc == mrc, "decode 0x%x returned %d, the model %d", insn, rc, mrc);
	if (rc)
		return;
	check_shape(&got, "decode", insn);
	FUZZ_CHECK(same(&got, &want),
		   "decode 0x%x: len %u size %u store %d sign %d reg %u, model len %u size %u store %d sign %d reg %u",
		   insn, got.len, got.size, got.store, got.sign, got.reg, want.len, want.size, want.store,
		   want.sign, want.reg);
	FUZZ_CHECK((got.len == 2) == ((insn & 3) != 3), "decode 0x%x: len %u", insn, got.len);
	if ((insn & 3) != 3)   /* the upper half of a compressed one does not matter */
		FUZZ_CHECK(mmio_decode(insn & 0xffff, &ht) == 0 && same(&ht, &got),
			   "decode 0x%x differs from its low half", insn);
	u64 t = transform(&got);
	FUZZ_CHECK(mmio_decode_htinst(t, &ht) == 0 && same(&ht, &got),
		   "decode 0x%x: its transformed form 0x%lx does not decode the same", insn, (unsigned long)t);
}

static void check_htinst(u64 h)
{
	struct mmio_insn got, as32;
	memset(&got, 0x5a, sizeof got);
	int rc = mmio_decode_htinst(h, &got);

	FUZZ_CHECK(rc == 0 || rc == -1, "htinst 0x%lx returned %d", (unsigned long)h, rc);
	if (rc)
		return;
	check_shape(&got, "htinst", h);
	FUZZ_CHECK(h & 1, "htinst 0x%lx decoded with bit 0 clear", (unsigned long)h);
	FUZZ_CHECK(!(h >> 32), "htinst 0x%lx decoded with bits above 31", (unsigned long)h);
	FUZZ_CHECK(!((h >> 15) & 31), "htinst 0x%lx decoded with a nonzero Addr. Offset", (unsigned long)h);
	FUZZ_CHECK(got.len == ((h & 2) ? 4 : 2), "htinst 0x%lx: len %u", (unsigned long)h, got.len);
	FUZZ_CHECK(mmio_decode((u32)h | 2, &as32) == 0, "htinst 0x%lx: not a load/store as an instruction",
		   (unsigned long)h);
	as32.len = got.len;
	FUZZ_CHECK(same(&as32, &got), "htinst 0x%lx decodes unlike the instruction", (unsigned long)h);
}

static void check_values(u64 raw)
{
	static const u8 sizes[4] = { 1, 2, 4, 8 };
	for (int i = 0; i < 8; i++) {
		struct mmio_insn m = { 4, sizes[i & 3], false, i >= 4, 5 };
		unsigned bits = 8 * m.size;
		u64 mask = bits == 64 ? ~0UL : (1UL << bits) - 1;
		u64 want = raw & mask;
		if (m.sign && bits < 64)
			want = (u64)((int64_t)(want << (64 - bits)) >> (64 - bits));
		u64 got = mmio_load_value(&m, raw);
		FUZZ_CHECK(got == want, "load value size %u sign %d of 0x%lx: 0x%lx, expected 0x%lx",
			   m.size, m.sign, (unsigned long)raw, (unsigned long)got, (unsigned long)want);
		m.store = true;
		m.sign = false;
		got = mmio_store_value(&m, raw);
		FUZZ_CHECK(got == (raw & mask), "store value size %u of 0x%lx: 0x%lx", m.size,
			   (unsigned long)raw, (unsigned long)got);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };

	do {
		u64 w = fin_u64(&in);
		check_insn((u32)w);
		check_insn((u32)(w >> 32));
		check_htinst(w);
		check_htinst((u32)w);
		check_htinst((u32)w | 1);
		check_values(w);
	} while (in.left);
	return 0;
}
