/* SPDX-License-Identifier: MIT */
/*
 * domplan.h: where a domain's boot modules go in its RAM, shared by mkimage
 * (boot-time domains) and xl create (domains made at run time): the device
 * tree is measured, the kernel's segments, the ramdisk and the tree are
 * placed by layout, then the tree is rebuilt with the initrd's addresses.
 */
#ifndef MKIMAGE_DOMPLAN_H
#define MKIMAGE_DOMPLAN_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "domcfg.h"
#include "elfload.h"
#include "layout.h"

struct domplan_req {
	const char *cfg_path;         /* names the config in messages */
	unsigned line_memory;         /* the line "memory" errors name; 0: none */
	const struct domcfg *dc;
	const struct kimage *k;
	size_t ramdisk_len;           /* 0 with no ramdisk */
	int hypervisor_node;          /* Dom0: see struct domfdt_params */
	int devices_ok;               /* xl create: a device model can serve disk/serial; mkimage: 0 */
	int set_timebase;             /* 0: leave DOMFDT_TIMEBASE_HZ for the microvisor */
	uint64_t timebase_hz;         /* with set_timebase: must be 1..UINT32_MAX */
	uint32_t cboz_block;          /* with set_timebase: the host's Zicboz block for domains, 0: none */
};

struct domplan {
	size_t dtb_len;
	struct layout_res lay;        /* the ramdisk's and the tree's GPAs */
};

/*
 * A pure function: builds the device tree into DTB (DTB_SIZE bytes, at most
 * DOMFDT_MAX_SIZE needed) and places everything. Returns 0 with *OUT filled,
 * or -1 with "CFG_PATH[:LINE][: memory]: reason" in D.
 */
int domplan_build(const struct domplan_req *req, void *dtb, size_t dtb_size, struct domplan *out,
		  struct diag *d);

#endif
