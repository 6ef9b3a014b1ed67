/* SPDX-License-Identifier: MIT */
/*
 * layout.h: where the ramdisk and the device tree go in a domain's RAM.
 * The DTB goes at the highest 2 MiB-aligned GPA where it fits (as QEMU virt
 * places it), else the highest 4 KiB-aligned one; the ramdisk directly below
 * the DTB's page; both above every kernel segment.
 */
#ifndef MKIMAGE_LAYOUT_H
#define MKIMAGE_LAYOUT_H

#include <stdint.h>

#define LAYOUT_PAGE  0x1000ULL
#define LAYOUT_2MIB  0x200000ULL

struct layout_seg {
	uint64_t gpa;
	uint64_t mem_size;
};

struct layout_req {
	uint64_t ram_base, ram_size;
	const struct layout_seg *kernel; /* the kernel's segments */
	unsigned nr_kernel;
	uint64_t ramdisk_size;           /* 0: no ramdisk */
	uint64_t dtb_size;
};

struct layout_res {
	uint64_t ramdisk_gpa;            /* 0 when there is no ramdisk */
	uint64_t dtb_gpa;
};

/* A pure function: 0 with *RES filled, or -1 when it does not fit in RAM. */
int layout_place(const struct layout_req *req, struct layout_res *res);

#endif
