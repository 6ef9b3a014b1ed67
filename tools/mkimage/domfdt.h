/* SPDX-License-Identifier: MIT */
/*
 * domfdt.h: the device tree a domain boots with, shaped like QEMU virt's:
 * CPUs with their interrupt controllers, the memory node and /chosen
 * (with the domain's name in "rivet,domain-name", so its init can say it);
 * a domain with emulated devices also gets QEMU virt's /soc: the PLIC, the
 * 16550 UART (with serial) and the 8 virtio-mmio slots. So does Dom0, without
 * the UART: its PLIC is the microvisor's virtual one, its virtio-mmio slots
 * the machine's own devices (dma-ranges: see docs/architecture.md). A DomU
 * with a device model also gets its power button (a ninth slot) and its
 * watchdog ("snps,dw-wdt", with a "fixed-clock" at the root).
 */
#ifndef MKIMAGE_DOMFDT_H
#define MKIMAGE_DOMFDT_H

#include <stddef.h>
#include <stdint.h>

/* The microvisor overwrites this 4-byte value in place with the host's. */
#define DOMFDT_TIMEBASE_HZ 10000000u
#define DOMFDT_ISA         "rv64imafdc_zicntr_zicsr_zifencei_zihpm_sstc"
#define DOMFDT_ISA_CBOZ    "rv64imafdc_zicboz_zicntr_zicsr_zifencei_zihpm_sstc"
#define DOMFDT_MAX_SIZE    0x10000
/*
 * The block size a boot-image domain's tree lists Zicboz with (riscv,isa-
 * extensions "zicboz", riscv,isa "_zicboz"): mkimage cannot know the host,
 * so the microvisor fits the tree at load, dropping Zicboz where the host
 * lacks it and putting in the host's block size. xl create asks the
 * microvisor (PHYSINFO) instead.
 */
#define DOMFDT_CBOZ_BLOCK  64u
/* A block size a tree may list: a power of two of at least 16 bytes, at most a page. */
#define DOMFDT_CBOZ_OK(b)  ((b) >= 16 && (b) <= 4096 && !((b) & ((b) - 1)))

struct domfdt_params {
	unsigned nr_vcpus;
	uint64_t ram_base, ram_size;
	const char *bootargs;      /* NULL: no /chosen/bootargs */
	int has_initrd;
	uint64_t initrd_start, initrd_end;
	const char *name;          /* /chosen/rivet,domain-name; NULL: none */
	int hypervisor_node;       /* Dom0: /rivet-hypervisor, its event interrupt, and /soc */
	int devices;               /* emulated devices: /soc with the PLIC and 8 virtio-mmio slots */
	int serial;                /* with devices: the 16550 UART, /chosen/stdout-path to it */
	uint32_t cboz_block;       /* list Zicboz with this block size (DOMFDT_CBOZ_OK); 0: not */
	int power_button;          /* with devices: rivet-dm's power button in slot DOMFDT_BUTTON_SLOT */
	int watchdog;              /* with devices: rivet-dm's DesignWare watchdog and its clock */
	int balloon;               /* with devices: rivet-dm's balloon in slot DOMFDT_BALLOON_SLOT */
};

/* Where QEMU virt puts its devices (rivet-dm emulates them at the same GPAs). */
#define DOMFDT_PLIC_BASE     0x0c000000ull
#define DOMFDT_PLIC_SIZE     0x600000ull
#define DOMFDT_PLIC_NDEV     95
#define DOMFDT_UART_BASE     0x10000000ull
#define DOMFDT_UART_SIZE     0x100ull
#define DOMFDT_UART_IRQ      10
#define DOMFDT_UART_CLOCK    3686400u
#define DOMFDT_VIRTIO_BASE   0x10001000ull  /* slot n at BASE + n * SIZE, interrupt n + 1 */
#define DOMFDT_VIRTIO_SIZE   0x1000ull
#define DOMFDT_VIRTIO_SLOTS  8
#define DOMFDT_BUTTON_SLOT   DOMFDT_VIRTIO_SLOTS  /* one more slot: 0x10009000, interrupt 9 */
#define DOMFDT_BALLOON_SLOT  (DOMFDT_VIRTIO_SLOTS + 1)  /* and one more: 0x1000a000, */
#define DOMFDT_BALLOON_IRQ   11                         /* interrupt 11 (10 is the UART's) */
#define DOMFDT_STDOUT_SERIAL "/soc/serial@10000000"
/* rivet-dm's watchdog (tools/dm/dw_wdt.h), fed by a fixed clock at a rate making its periods 2^n s. */
#define DOMFDT_WDT_BASE      0x10200000ull
#define DOMFDT_WDT_SIZE      0x1000ull
#define DOMFDT_WDT_CLOCK_HZ  65536u

/*
 * Builds the tree into BUF (BUFSIZE bytes) with libfdt's sequential-write
 * API; the result is packed and its size does not depend on the initrd
 * addresses. Returns the size in bytes, or a negative libfdt error.
 */
int domfdt_build(const struct domfdt_params *p, void *buf, size_t bufsize);

#endif
