/* SPDX-License-Identifier: MIT */
/* platform.h: what the host device tree says about the machine. */
#ifndef RIVET_PLATFORM_H
#define RIVET_PLATFORM_H
#include "config.h"
#include "types.h"

#define PLATFORM_MAX_VIRTIO 16

struct platform {
	u64 ram_base, ram_size;
	u64 timebase_hz;
	unsigned nr_harts;
	unsigned long hartids[MAX_HARTS];
	unsigned harts_ignored;          /* beyond MAX_HARTS or without MMU */
	u64 uart_base;
	unsigned uart_reg_shift;
	unsigned uart_irq;               /* PLIC source, 0 if unknown */
	u64 plic_base;                   /* 0 if none found */
	u32 plic_phandle;                /* what interrupt-parent names it by */
	int plic_s_context[MAX_HARTS];   /* each hart's S-mode PLIC context, -1 if none */
	bool has_sstc, has_svadu;        /* from riscv,isa(-extensions) of the first hart */
	u64 cboz_block;                  /* Zicboz cbo.zero block size of every hart, 0 if any lacks it */
	/* The machine's virtio-mmio transports (QEMU virt: 8), Dom0's to drive. */
	struct platform_mmio { u64 base, size; unsigned irq; /* PLIC source, 0 if not the PLIC's */ } virtio[PLATFORM_MAX_VIRTIO];
	unsigned nr_virtio;
	u64 dtb_base, dtb_size;
};

/* Returns 0, or a negative RIVET_E* with *why set to a short reason. */
int platform_parse(const void *dtb, struct platform *p, const char **why);
#endif
