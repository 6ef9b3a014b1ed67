/* SPDX-License-Identifier: MIT */
/* test_elfload.c: kernel files to load segments, with ELFs built here in memory. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "elfload.h"

#define RAM  0x80000000ULL
#define MIB  (1ULL << 20)

static uint8_t img[8192];
static struct kimage k;
static char why[REASON_MAX];

static void wr(uint8_t *p, uint64_t v, unsigned n)
{
	while (n--) {
		*p++ = (uint8_t)v;
		v >>= 8;
	}
}

struct seg { uint32_t type; uint64_t off, paddr, filesz, memsz; };

/* An ELF64 LE RISC-V executable with NR program headers at offset 64. */
static size_t mkelf(uint64_t entry, const struct seg *s, unsigned nr)
{
	unsigned i;

	memset(img, 0, sizeof img);
	memcpy(img, "\x7f" "ELF", 4);
	img[4] = 2;            /* ELFCLASS64 */
	img[5] = 1;            /* ELFDATA2LSB */
	img[6] = 1;            /* EV_CURRENT */
	wr(img + 16, 2, 2);    /* ET_EXEC */
	wr(img + 18, 243, 2);  /* EM_RISCV */
	wr(img + 20, 1, 4);
	wr(img + 24, entry, 8);
	wr(img + 32, 64, 8);   /* e_phoff */
	wr(img + 52, 64, 2);   /* e_ehsize */
	wr(img + 54, 56, 2);   /* e_phentsize */
	wr(img + 56, nr, 2);   /* e_phnum */
	for (i = 0; i < nr; i++) {
		uint8_t *ph = img + 64 + 56 * i;

		wr(ph, s[i].type, 4);
		wr(ph + 4, 7, 4);
		wr(ph + 8, s[i].off, 8);
		wr(ph + 16, s[i].paddr, 8);
		wr(ph + 24, s[i].paddr, 8);
		wr(ph + 32, s[i].filesz, 8);
		wr(ph + 40, s[i].memsz, 8);
	}
	return sizeof img;
}

static int parse(size_t len, uint64_t ram_mib)
{
	why[0] = '\0';
	return kimage_parse(img, len, RAM, ram_mib * MIB, &k, why);
}

TEST(valid_elf)
{
	struct seg s[] = {
		{ 1, 0x1000, 0x80000000, 0x800, 0x800 },
		{ 4, 0, 0, 0, 0x100 },                    /* PT_NOTE: ignored */
		{ 1, 0x1800, 0x80100000, 0x400, 0x10000 }, /* data + bss */
		{ 1, 0x1c00, 0x80200000, 0, 0 },           /* empty: ignored */
	};
	size_t len = mkelf(0x80000010, s, 4);

	CHECK_EQ(parse(len, 16), 0);
	CHECK_EQ(k.is_elf, 1);
	CHECK_EQ(k.entry_gpa, 0x80000010);
	CHECK_EQ(k.nr_segs, 2);
	CHECK_EQ(k.segs[0].gpa, 0x80000000);
	CHECK_EQ(k.segs[0].file_offset, 0x1000);
	CHECK_EQ(k.segs[0].file_size, 0x800);
	CHECK_EQ(k.segs[0].mem_size, 0x800);
	CHECK_EQ(k.segs[1].gpa, 0x80100000);
	CHECK_EQ(k.segs[1].file_offset, 0x1800);
	CHECK_EQ(k.segs[1].file_size, 0x400);
	CHECK_EQ(k.segs[1].mem_size, 0x10000);
}

TEST(segment_at_the_very_end_of_ram)
{
	struct seg s[] = { { 1, 0x1000, 0x80000000 + MIB - 0x1000, 0x1000, 0x1000 } };

	CHECK_EQ(parse(mkelf(0x80000000 + MIB - 0x1000, s, 1), 1), 0);
	s[0].memsz = 0x1001;
	CHECK_EQ(parse(mkelf(0x80000000 + MIB - 0x1000, s, 1), 1), -1);
	CHECK_STR(why, "segment 0 [0x800ff000, +0x1001) is outside RAM [0x80000000, 0x80100000)");
}

TEST(outside_ram)
{
	struct seg s[] = { { 1, 0x1000, 0x7ffff000, 0x10, 0x10 } };

	CHECK_EQ(parse(mkelf(0x7ffff000, s, 1), 16), -1);
	CHECK_STR(why, "segment 0 [0x7ffff000, +0x10) is outside RAM [0x80000000, 0x81000000)");
	s[0].paddr = 0x81000000;
	CHECK_EQ(parse(mkelf(0x81000000, s, 1), 16), -1);
	s[0].paddr = 0xfffffffffffff000ULL;
	s[0].memsz = 0x2000; /* wraps around */
	CHECK_EQ(parse(mkelf(0x80000000, s, 1), 16), -1);
}

TEST(entry_outside_segments)
{
	struct seg s[] = { { 1, 0x1000, 0x80000000, 0x10, 0x10 } };

	CHECK_EQ(parse(mkelf(0x80000010, s, 1), 16), -1);
	CHECK_STR(why, "entry point 0x80000010 is not inside a loadable segment");
}

TEST(wrong_class_machine_endian)
{
	struct seg s[] = { { 1, 0x1000, 0x80000000, 0x10, 0x10 } };
	size_t len = mkelf(0x80000000, s, 1);

	img[4] = 1;
	CHECK_EQ(parse(len, 16), -1);
	CHECK_STR(why, "not a 64-bit ELF (class 1)");
	img[4] = 2;
	img[5] = 2;
	CHECK_EQ(parse(len, 16), -1);
	CHECK_STR(why, "not a little-endian ELF");
	img[5] = 1;
	wr(img + 18, 62, 2);
	CHECK_EQ(parse(len, 16), -1);
	CHECK_STR(why, "not a RISC-V ELF (machine 62)");
}

TEST(truncated)
{
	struct seg s[] = { { 1, 0x1000, 0x80000000, 0x10, 0x10 } };
	size_t len;

	mkelf(0x80000000, s, 1);
	CHECK_EQ(parse(63, 16), -1);
	CHECK_STR(why, "truncated ELF header (63 bytes)");
	CHECK_EQ(parse(4, 16), -1);
	CHECK_EQ(parse(64 + 55, 16), -1);
	CHECK_STR(why, "ELF program headers extend beyond the end of the file");
	CHECK_EQ(parse(0x1000 + 0xf, 16), -1);
	CHECK_STR(why, "segment 0 extends beyond the end of the file");
	CHECK_EQ(parse(0x1000 + 0x10, 16), 0);

	s[0].off = 0xffffffffffffff00ULL; /* p_offset + p_filesz wraps */
	len = mkelf(0x80000000, s, 1);
	CHECK_EQ(parse(len, 16), -1);
	CHECK_STR(why, "segment 0 extends beyond the end of the file");
	s[0].off = 0x1000;
	s[0].filesz = 0xffffffffffffffffULL;
	s[0].memsz = 0xffffffffffffffffULL;
	len = mkelf(0x80000000, s, 1);
	CHECK_EQ(parse(len, 16), -1);
	CHECK_STR(why, "segment 0 extends beyond the end of the file");
}

TEST(bad_headers)
{
	struct seg s[] = { { 1, 0x1000, 0x80000000, 0x20, 0x10 } };
	size_t len = mkelf(0x80000000, s, 1);

	CHECK_EQ(parse(len, 16), -1);
	CHECK_STR(why, "segment 0: file size 0x20 above memory size 0x10");
	wr(img + 56, 0, 2);
	CHECK_EQ(parse(len, 16), -1);
	CHECK_STR(why, "ELF has no program headers");
	wr(img + 56, 1, 2);
	wr(img + 54, 32, 2);
	CHECK_EQ(parse(len, 16), -1);
	CHECK_STR(why, "bad ELF program header size 32");
	wr(img + 54, 56, 2);
	wr(img + 32, 0xffffffffffffffc0ULL, 8);
	CHECK_EQ(parse(len, 16), -1);
	CHECK_STR(why, "ELF program headers extend beyond the end of the file");
	wr(img + 32, 64, 8);
	wr(img + 56, 0xffff, 2);
	CHECK_EQ(parse(len, 16), -1);
	CHECK_STR(why, "ELF program headers extend beyond the end of the file");

	s[0].type = 4;
	len = mkelf(0x80000000, s, 1);
	CHECK_EQ(parse(len, 16), -1);
	CHECK_STR(why, "ELF has no loadable segment");
}

TEST(overlap_and_too_many)
{
	struct seg s[KIMAGE_MAX_SEGS + 1];
	unsigned i;

	s[0] = (struct seg){ 1, 0x1000, 0x80000000, 0x10, 0x2000 };
	s[1] = (struct seg){ 1, 0x1000, 0x80001000, 0x10, 0x10 };
	CHECK_EQ(parse(mkelf(0x80000000, s, 2), 16), -1);
	CHECK_STR(why, "segment 1 overlaps another loadable segment");
	for (i = 0; i <= KIMAGE_MAX_SEGS; i++)
		s[i] = (struct seg){ 1, 0x1000, 0x80000000 + i * 0x1000, 0x10, 0x10 };
	CHECK_EQ(parse(mkelf(0x80000000, s, KIMAGE_MAX_SEGS), 16), 0);
	CHECK_EQ(k.nr_segs, KIMAGE_MAX_SEGS);
	CHECK_EQ(parse(mkelf(0x80000000, s, KIMAGE_MAX_SEGS + 1), 16), -1);
	CHECK_STR(why, "more than 14 loadable segments");
}

TEST(raw_images)
{
	memset(img, 0x13, 100); /* RISC-V nops, no ELF magic */
	CHECK_EQ(parse(100, 16), 0);
	CHECK_EQ(k.is_elf, 0);
	CHECK_EQ(k.entry_gpa, 0x80200000);
	CHECK_EQ(k.nr_segs, 1);
	CHECK_EQ(k.segs[0].gpa, 0x80200000);
	CHECK_EQ(k.segs[0].file_offset, 0);
	CHECK_EQ(k.segs[0].file_size, 100);
	CHECK_EQ(k.segs[0].mem_size, 100);
	CHECK_EQ(parse(3, 16), 0);
	CHECK_EQ(k.segs[0].file_size, 3);
	CHECK_EQ(parse(0, 16), -1);
	CHECK_STR(why, "empty file");

	/* A Linux Image header: image_size (text + bss) is reserved in RAM. */
	memset(img, 0, 128);
	wr(img + 16, 0x200000, 8);
	wr(img + 8, 0x200000, 8);
	memcpy(img + 56, "RSC\x05", 4);
	CHECK_EQ(parse(128, 16), 0);
	CHECK_EQ(k.segs[0].file_size, 128);
	CHECK_EQ(k.segs[0].mem_size, 0x200000);
}

TEST(random_garbage_after_magic)
{
	unsigned seed = 7, round, i;

	for (round = 0; round < 20000; round++) {
		size_t len = 4 + (seed % 600);

		memcpy(img, "\x7f" "ELF", 4);
		for (i = 4; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			img[i] = (uint8_t)(seed >> 16);
		}
		if (round & 1) { /* keep it plausible so the program headers get parsed */
			img[4] = 2;
			img[5] = 1;
			wr(img + 18, 243, 2);
			wr(img + 32, 64, 8);
			wr(img + 54, 56, 2);
			wr(img + 56, seed % 12, 2);
		}
		if (parse(len, 1 + seed % 64) == 0) {
			CHECK(k.nr_segs >= 1 && k.nr_segs <= KIMAGE_MAX_SEGS);
		} else {
			CHECK(why[0] != '\0');
		}
		seed = seed * 1103515245u + 12345u;
	}
}

int main(void)
{
	check_suite = "elfload";
	RUN(valid_elf);
	RUN(segment_at_the_very_end_of_ram);
	RUN(outside_ram);
	RUN(entry_outside_segments);
	RUN(wrong_class_machine_endian);
	RUN(truncated);
	RUN(bad_headers);
	RUN(overlap_and_too_many);
	RUN(raw_images);
	RUN(random_garbage_after_magic);
	return CHECK_DONE();
}
