// SPDX-License-Identifier: MIT
/*
 * fuzz_ptwalk.c: the walk of a guest's page table for core files
 * (tools/xl/xl_core.c, xl_core_walk) over a small fake guest RAM whose
 * tables the input writes: any satp, entries pointing anywhere (into RAM,
 * outside it, at their own table), any flag bits, RAM with a hole.
 *
 * Checked: the walk returns, reads at most XL_CORE_MAX_PTES entries, gives
 * at most the segments asked for, each page-aligned, non-empty and wholly
 * inside one RAM run; and every page of every segment translates, by a
 * separate per-address model of the Sv39/Sv48/Sv57 translation (privileged
 * spec), to exactly the guest-physical page the segment says.
 */
#include <string.h>

#include "fuzz.h"
#include "xl_core.h"

#define BASE   0x80000000ULL
#define NPAGES 16
#define PG     4096ULL

static uint8_t ram[NPAGES * PG];
static struct xl_core_mem mem[2];
static unsigned nr_mem;

/* An 8-byte read of RAM at GPA, as the model's hart would do it; 0 if not RAM. */
static int model_read(uint64_t gpa, uint64_t *v)
{
	for (unsigned i = 0; i < nr_mem; i++)
		if (gpa >= mem[i].gpa && gpa + 8 <= mem[i].gpa + mem[i].size) {
			memcpy(v, mem[i].data + (gpa - mem[i].gpa), 8);
			return 1;
		}
	return 0;
}

/* The model: VA under SATP, to a GPA; 0 where the hart would fault. */
static int model_translate(uint64_t satp, uint64_t va, uint64_t *gpa)
{
	unsigned mode = (unsigned)(satp >> 60), levels = mode == 8 ? 3 : mode == 9 ? 4 : mode == 10 ? 5 : 0;
	unsigned vabits = 12 + 9 * levels;
	uint64_t a = (satp & ((1ULL << 44) - 1)) << 12;

	if (!levels)
		return 0;
	/* Canonical: bits 63..vabits-1 all equal. */
	uint64_t top = va >> (vabits - 1);
	if (top != 0 && top != (~0ULL >> (vabits - 1)))
		return 0;
	for (int i = (int)levels - 1; i >= 0; i--) {
		uint64_t pte, vpn = (va >> (12 + 9 * i)) & 511, ppn;

		if (!model_read(a + vpn * 8, &pte))
			return 0;
		if (!(pte & 1) || ((pte & 2) == 0 && (pte & 4)) || (pte >> 54) & 0x7f)
			return 0;
		ppn = (pte >> 10) & ((1ULL << 44) - 1);
		if (!(pte & 0xa)) {   /* neither R nor X: a pointer */
			if (i == 0 || (pte & (0x10 | 0x40 | 0x80 | (3ULL << 61) | (1ULL << 63))))
				return 0;
			a = ppn << 12;
			continue;
		}
		if (pte >> 63) {
			if (i != 0 || (ppn & 0xf) != 8)
				return 0;
			*gpa = (((ppn & ~0xfULL) | ((va >> 12) & 0xf)) << 12) | (va & 0xfff);
			return 1;
		}
		uint64_t low = (1ULL << (9 * i)) - 1;
		if (ppn & low)
			return 0;
		*gpa = (ppn << 12) | (va & ((1ULL << (12 + 9 * i)) - 1));
		return 1;
	}
	return 0;
}

static int in_one_run(uint64_t gpa, uint64_t size)
{
	for (unsigned i = 0; i < nr_mem; i++)
		if (gpa >= mem[i].gpa && gpa + size >= gpa && gpa + size <= mem[i].gpa + mem[i].size)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xl_core_vseg out[64];
	struct fin in = { data, size };
	struct xl_core_walk_stats st;
	static const uint64_t modes[8] = { 0, 8, 9, 10, 8, 9, 10, 1 };
	uint64_t satp, ctl = fin_u8(&in);
	unsigned max = 1 + fin_u8(&in) % 64, hole = fin_u8(&in) % NPAGES, nr, n;

	memset(ram, 0, sizeof ram);
	/* One run, or two around a hole of one page. */
	if (ctl & 1 && hole > 0 && hole < NPAGES - 1) {
		mem[0] = (struct xl_core_mem){ BASE, hole * PG, ram };
		mem[1] = (struct xl_core_mem){ BASE + (hole + 1) * PG, (NPAGES - hole - 1) * PG, ram + (hole + 1) * PG };
		nr_mem = 2;
	} else {
		mem[0] = (struct xl_core_mem){ BASE, NPAGES * PG, ram };
		nr_mem = 1;
	}
	satp = (modes[(ctl >> 1) & 7] << 60) | (((BASE >> 12) + fin_u8(&in) % (NPAGES + 2)) & ((1ULL << 44) - 1));
	if (ctl & 0x80)
		satp = fin_u64(&in);   /* anything at all */
	/* Entries: (page, index, kind, value). Structured kinds point into (or just outside) RAM. */
	nr = fin_u8(&in) % 96;
	for (unsigned k = 0; k < nr; k++) {
		unsigned page = fin_u8(&in) % NPAGES, idx = fin_u16(&in) % 512, kind = fin_u8(&in);
		uint64_t pte;

		if (kind & 0x80) {
			pte = fin_u64(&in);
		} else {
			uint64_t target = (BASE >> 12) + fin_u8(&in) % (NPAGES + 4);
			uint64_t flags = fin_u8(&in) | ((uint64_t)(kind & 0x7) << 61);   /* N, PBMT sometimes */

			if ((kind >> 3) & 1)
				target &= ~0x1ffULL;   /* 2 MiB-aligned: a superpage candidate */
			pte = (target << 10) | flags;
		}
		memcpy(ram + page * PG + idx * 8, &pte, 8);
	}

	n = xl_core_walk(satp, mem, nr_mem, out, max, &st);
	FUZZ_CHECK(n <= max, "%u segments, %u asked", n, max);
	FUZZ_CHECK(st.ptes_read <= XL_CORE_MAX_PTES, "%llu entries read", (unsigned long long)st.ptes_read);
	for (unsigned i = 0; i < n; i++) {
		const struct xl_core_vseg *v = &out[i];

		FUZZ_CHECK(v->size && !(v->size % PG) && !(v->va % PG) && !(v->gpa % PG),
			   "segment %u: va %llx gpa %llx size %llx", i, (unsigned long long)v->va,
			   (unsigned long long)v->gpa, (unsigned long long)v->size);
		FUZZ_CHECK(in_one_run(v->gpa, v->size), "segment %u: gpa %llx size %llx not inside one RAM run", i,
			   (unsigned long long)v->gpa, (unsigned long long)v->size);
		for (uint64_t off = 0; off < v->size; off += PG) {
			uint64_t g = 0;

			FUZZ_CHECK(model_translate(satp, v->va + off, &g) && g == v->gpa + off,
				   "va %llx: segment says gpa %llx, the model %s %llx",
				   (unsigned long long)(v->va + off), (unsigned long long)(v->gpa + off),
				   g ? "says" : "faults", (unsigned long long)g);
		}
	}
	return 0;
}
