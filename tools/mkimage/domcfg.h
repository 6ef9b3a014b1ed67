/* SPDX-License-Identifier: MIT */
/*
 * domcfg.h: the keys of one parsed xl.cfg checked and turned into the
 * description of a boot-time domain (docs/config.md lists every key).
 */
#ifndef MKIMAGE_DOMCFG_H
#define MKIMAGE_DOMCFG_H

#include <stdint.h>

#include "diag.h"
#include "bootimg.h"
#include "xlcfg.h"

#define DOMCFG_DEFAULT_MEMORY_MIB 128
#define DOMCFG_MAX_MEMORY_MIB     65536
#define DOMCFG_MAX_CMDLINE        1023 /* Linux's COMMAND_LINE_SIZE on RISC-V, less the NUL */

struct domcfg {
	char name[RIVET_NAME_LEN];
	uint64_t memory_bytes;
	uint32_t nr_vcpus;
	uint64_t cpus_mask;         /* 0: any hart */
	char *kernel;               /* as written in the file, for messages */
	char *kernel_path;          /* resolved against the config's directory */
	char *ramdisk, *ramdisk_path; /* NULL: none */
	char *cmdline;              /* NULL: none */
	uint8_t on_poweroff, on_reboot, on_crash; /* enum rivet_action */
	/* Lines of the keys, 0 when absent: errors found later name them. */
	unsigned line_name, line_memory, line_kernel, line_ramdisk;
};

/*
 * Checks every entry of CFG (read from CFG_PATH, which also anchors relative
 * paths) and fills *OUT. Returns 0, or -1 with "CFG_PATH:LINE: KEY: reason"
 * in D and nothing to free.
 */
int domcfg_from_xlcfg(const struct xlcfg *cfg, const char *cfg_path, struct domcfg *out,
		      struct diag *d);

void domcfg_free(struct domcfg *dc);

#endif
