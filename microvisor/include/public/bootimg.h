/* SPDX-License-Identifier: MIT */
/*
 * bootimg.h: the boot image format shared by the host image builder
 * (tools/mkimage) and the microvisor.
 *
 * build/rivet.img = microvisor binary, zero-padded to an offset that is
 * 4 KiB-aligned and at least the microvisor's memory footprint (its
 * rivet_uvm_hdr.image_size, bss included), followed by the boot-module
 * archive described here. All fields are little-endian, fixed width, with
 * explicit padding. Offsets in a load record count from the archive start.
 * Everything is decided on the host: the microvisor only validates and copies.
 */
#ifndef RIVET_PUBLIC_BOOTIMG_H
#define RIVET_PUBLIC_BOOTIMG_H

#include "types.h"
#include "hypercall.h"   /* struct rivet_sched_params */

/* Header at offset 0 of the microvisor binary. */
#define RIVET_UVM_MAGIC      0x4d56555445564952ULL /* "RIVETUVM" */
struct rivet_uvm_hdr {
	uint32_t code0;      /* jump over the header */
	uint32_t code1;
	uint64_t image_size; /* bytes from load address to end of bss */
	uint64_t magic;      /* RIVET_UVM_MAGIC */
	uint64_t reserved;
};

#define RIVET_BOOTIMG_MAGIC   0x474d495445564952ULL /* "RIVETIMG" */
#define RIVET_BOOTIMG_VERSION 2   /* 2: each domain's scheduling parameters */
#define RIVET_NAME_LEN        32  /* including the terminating NUL */
#define RIVET_MAX_LOADS       16
#define RIVET_MAX_BOOT_DOMAINS 16
#define RIVET_MAX_VCPUS       8   /* per domain */

/* What to do when a domain powers off, reboots or crashes (xl.cfg on_*). */
enum rivet_action {
	RIVET_ACTION_DESTROY = 0,
	RIVET_ACTION_RESTART = 1,
	/* Left shut down for inspection until xl destroy: xl create's domains only (rivet-consoled). */
	RIVET_ACTION_PRESERVE = 2,
	/*
	 * xl create's domains only, and never passed to the microvisor (xl gives
	 * it PRESERVE): rivet-consoled renames the shut-down domain, keeps it,
	 * and creates the domain again from its record.
	 */
	RIVET_ACTION_RENAME_RESTART = 3,
};
/*
 * The toolstack's own bit beside DESTROY or RESTART (xl.cfg's
 * coredump-destroy / coredump-restart): rivet-consoled writes a core file
 * first. Never sent to the microvisor, whose DOMAIN_CREATE refuses it; boot
 * images cannot carry it (there is no one to write the file).
 */
#define RIVET_ACTION_COREDUMP 0x80

/* One blob copied into guest memory: file bytes, then zeroes to mem_size. */
struct rivet_bootimg_load {
	uint64_t gpa;
	uint64_t offset;     /* from the archive start */
	uint64_t file_size;
	uint64_t mem_size;   /* >= file_size */
};

struct rivet_bootimg_domain {
	char     name[RIVET_NAME_LEN];
	uint64_t memory_bytes; /* RAM at GPA 0x80000000, multiple of 4 KiB */
	uint64_t cpus_mask;    /* bit n: hart n may run this domain; 0 = any */
	uint64_t entry_gpa;    /* vCPU 0 starts here */
	uint64_t dtb_gpa;      /* passed in a1 to vCPU 0 */
	uint32_t nr_vcpus;     /* 1..RIVET_MAX_VCPUS */
	uint32_t nr_loads;     /* 0..RIVET_MAX_LOADS */
	uint8_t  on_poweroff;  /* enum rivet_action */
	uint8_t  on_reboot;
	uint8_t  on_crash;
	uint8_t  flags;        /* RIVET_DOMF_* of hypercall.h: Dom0 is PRIVILEGED */
	uint8_t  pad[4];
	/*
	 * As SCHED_SET for all its vCPUs would set them; policy CREDIT with
	 * weight 0: the defaults (weight 256, no cap).
	 */
	struct rivet_sched_params sched;
	struct rivet_bootimg_load loads[RIVET_MAX_LOADS];
};

struct rivet_bootimg_hdr {
	uint64_t magic;        /* RIVET_BOOTIMG_MAGIC */
	uint32_t version;      /* RIVET_BOOTIMG_VERSION */
	uint32_t nr_domains;   /* 0..RIVET_MAX_BOOT_DOMAINS */
	uint64_t total_size;   /* archive bytes, header included */
	uint64_t reserved;
	struct rivet_bootimg_domain domains[RIVET_MAX_BOOT_DOMAINS];
};

/* Guest physical memory map (design.md): every domain looks like QEMU virt. */
#define RIVET_GUEST_RAM_BASE    0x80000000ULL
#define RIVET_GUEST_KERNEL_GPA  0x80200000ULL
#define RIVET_GUEST_PLIC_BASE   0x0c000000ULL
#define RIVET_GUEST_UART_BASE   0x10000000ULL
#define RIVET_GUEST_VIRTIO_BASE 0x10001000ULL  /* slot n at BASE + n * STRIDE, PLIC source n + 1 */
#define RIVET_GUEST_VIRTIO_STRIDE 0x1000ULL
#define RIVET_GUEST_VIRTIO_SLOTS 8
/*
 * Dom0's event interrupt (docs/hypercalls.md, event channels): a source of
 * Dom0's virtual PLIC that QEMU virt leaves unused; its device tree's
 * /rivet-hypervisor node names it.
 */
#define RIVET_DOM0_EVENT_IRQ    48

#endif
