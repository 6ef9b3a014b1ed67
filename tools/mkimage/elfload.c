/* SPDX-License-Identifier: MIT */
/*
 * elfload.c: finds the loadable segments of a guest kernel. Every field is
 * read byte by byte as little-endian and bounds-checked against the file
 * size before use, so truncated or hostile files fail cleanly.
 */
#include <string.h>

#include "diag.h"
#include "elfload.h"

#define EI_CLASS       4
#define EI_DATA        5
#define ELFCLASS64     2
#define ELFDATA2LSB    1
#define EM_RISCV       243
#define PT_LOAD        1
#define EHDR64_SIZE    64
#define PHDR64_SIZE    56

/* The header of a RISC-V Linux "Image": its size field covers the bss too. */
#define LINUX_IMAGE_MAGIC2_OFF 56
#define LINUX_IMAGE_SIZE_OFF   16

static uint64_t rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static int parse_raw(const uint8_t *buf, size_t len, struct kimage *out, char *why)
{
	uint64_t mem_size = len;

	if (len == 0)
		return reason_set(why, "empty file");
	if (len >= 64 && !memcmp(buf + LINUX_IMAGE_MAGIC2_OFF, "RSC\x05", 4)) {
		uint64_t image_size = rd(buf + LINUX_IMAGE_SIZE_OFF, 8);

		if (image_size > mem_size)
			mem_size = image_size;
	}
	out->is_elf = 0;
	out->entry_gpa = RIVET_GUEST_KERNEL_GPA;
	out->nr_segs = 1;
	out->segs[0] = (struct kseg){ RIVET_GUEST_KERNEL_GPA, 0, len, mem_size };
	return 0;
}

int kimage_parse(const uint8_t *buf, size_t len, uint64_t ram_base, uint64_t ram_size,
		 struct kimage *out, char *why)
{
	uint64_t phoff, entry, ram_end = ram_base + ram_size;
	unsigned phentsize, phnum, i, j;
	int entry_ok = 0;

	memset(out, 0, sizeof *out);
	if (len < 4 || memcmp(buf, "\x7f" "ELF", 4))
		return parse_raw(buf, len, out, why);
	if (len < EHDR64_SIZE)
		return reason_set(why, "truncated ELF header (%zu bytes)", len);
	if (buf[EI_CLASS] != ELFCLASS64)
		return reason_set(why, "not a 64-bit ELF (class %u)", buf[EI_CLASS]);
	if (buf[EI_DATA] != ELFDATA2LSB)
		return reason_set(why, "not a little-endian ELF");
	if (rd(buf + 18, 2) != EM_RISCV)
		return reason_set(why, "not a RISC-V ELF (machine %u)", (unsigned)rd(buf + 18, 2));
	entry = rd(buf + 24, 8);
	phoff = rd(buf + 32, 8);
	phentsize = (unsigned)rd(buf + 54, 2);
	phnum = (unsigned)rd(buf + 56, 2);
	if (phnum == 0)
		return reason_set(why, "ELF has no program headers");
	if (phentsize < PHDR64_SIZE)
		return reason_set(why, "bad ELF program header size %u", phentsize);
	if (phoff > len || (uint64_t)phnum * phentsize > len - phoff)
		return reason_set(why, "ELF program headers extend beyond the end of the file");

	for (i = 0; i < phnum; i++) {
		const uint8_t *ph = buf + phoff + (uint64_t)i * phentsize;
		uint64_t off = rd(ph + 8, 8), paddr = rd(ph + 24, 8);
		uint64_t filesz = rd(ph + 32, 8), memsz = rd(ph + 40, 8);
		struct kseg *s;

		if (rd(ph, 4) != PT_LOAD || memsz == 0)
			continue;
		if (filesz > memsz)
			return reason_set(why, "segment %u: file size 0x%llx above memory size 0x%llx",
					  i, (unsigned long long)filesz, (unsigned long long)memsz);
		if (off > len || filesz > len - off)
			return reason_set(why, "segment %u extends beyond the end of the file", i);
		if (paddr < ram_base || paddr >= ram_end || memsz > ram_end - paddr)
			return reason_set(why, "segment %u [0x%llx, +0x%llx) is outside RAM [0x%llx, 0x%llx)",
					  i, (unsigned long long)paddr, (unsigned long long)memsz,
					  (unsigned long long)ram_base, (unsigned long long)ram_end);
		if (out->nr_segs == KIMAGE_MAX_SEGS)
			return reason_set(why, "more than %d loadable segments", KIMAGE_MAX_SEGS);
		for (j = 0; j < out->nr_segs; j++) {
			const struct kseg *o = &out->segs[j];

			if (paddr < o->gpa + o->mem_size && o->gpa < paddr + memsz)
				return reason_set(why, "segment %u overlaps another loadable segment", i);
		}
		s = &out->segs[out->nr_segs++];
		*s = (struct kseg){ paddr, off, filesz, memsz };
		if (entry >= paddr && entry - paddr < memsz)
			entry_ok = 1;
	}
	if (out->nr_segs == 0)
		return reason_set(why, "ELF has no loadable segment");
	if (!entry_ok)
		return reason_set(why, "entry point 0x%llx is not inside a loadable segment",
				  (unsigned long long)entry);
	out->is_elf = 1;
	out->entry_gpa = entry;
	return 0;
}
