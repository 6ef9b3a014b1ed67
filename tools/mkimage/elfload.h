/* SPDX-License-Identifier: MIT */
/*
 * elfload.h: a guest kernel file to the segments that must be copied into
 * guest RAM. An ELF64 RISC-V file is loaded by its PT_LOAD program headers
 * (at p_paddr); anything else is a raw image at RIVET_GUEST_KERNEL_GPA.
 */
#ifndef MKIMAGE_ELFLOAD_H
#define MKIMAGE_ELFLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "bootimg.h"

/* Room is kept in a domain's load records for a ramdisk and the DTB. */
#define KIMAGE_MAX_SEGS (RIVET_MAX_LOADS - 2)

struct kseg {
	uint64_t gpa;
	uint64_t file_offset; /* into the kernel file */
	uint64_t file_size;
	uint64_t mem_size;    /* >= file_size */
};

struct kimage {
	int is_elf;
	uint64_t entry_gpa;
	unsigned nr_segs;
	struct kseg segs[KIMAGE_MAX_SEGS];
};

/*
 * Parses the LEN bytes at BUF for a domain whose RAM is [ram_base,
 * ram_base + ram_size). ELF segments and the entry must lie in RAM (a raw
 * image is checked later, by layout). Returns 0, or -1 with a reason in WHY.
 */
int kimage_parse(const uint8_t *buf, size_t len, uint64_t ram_base, uint64_t ram_size,
		 struct kimage *out, char *why);

#endif
