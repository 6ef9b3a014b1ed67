/* SPDX-License-Identifier: MIT */
/*
 * domcfg.h: the keys of one parsed xl.cfg checked and turned into the
 * description of a boot-time domain (docs/config.md lists every key).
 */
#ifndef MKIMAGE_DOMCFG_H
#define MKIMAGE_DOMCFG_H

#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "bootimg.h"
#include "xlcfg.h"

#define DOMCFG_DEFAULT_MEMORY_MIB 128
/*
 * What guest-physical space holds above RAM's base (0x80000000) with the
 * microvisor's 41-bit G-stage (Sv39x4): 2 TiB - 2 GiB. Whether the machine
 * has that much is for the microvisor to say when it populates (xl create
 * then says how much is free).
 */
#define DOMCFG_MAX_MEMORY_MIB     2095104
#define DOMCFG_MAX_CMDLINE        1023 /* Linux's COMMAND_LINE_SIZE on RISC-V, less the NUL */

/*
 * Emulated devices (served by rivet-dm in Dom0): virtio-mmio slots as QEMU
 * virt has them. Disk i in vdev order goes to slot i; later device kinds
 * (NICs) follow the disks: domcfg_disk_slot() is the one place that says so.
 */
#define DOMCFG_VIRTIO_SLOTS 8
#define DOMCFG_MAX_DISKS    DOMCFG_VIRTIO_SLOTS
#define DOMCFG_VDEV_MAX     8    /* "xvdz" and its NUL, with room */
#define DOMCFG_MAX_VIFS     DOMCFG_VIRTIO_SLOTS
#define DOMCFG_IFNAME_MAX   16   /* a Linux interface name and its NUL (IFNAMSIZ) */
#define DOMCFG_DEFAULT_BRIDGE "rbr0"
#define DOMCFG_MAC_BYTES    6

struct domcfg_disk {
	char *target;               /* as written in the config, for messages */
	char *path;                 /* resolved against the config's directory */
	char vdev[DOMCFG_VDEV_MAX]; /* xvdX, vdX, sdX or hdX */
	unsigned index;             /* X - 'a': the order of the disks */
	int readonly;               /* access=ro */
	unsigned line;              /* of the disk key */
};

/* One NIC (xl-network-configuration(5)): a virtio-net device on a tap in a Dom0 bridge. */
struct domcfg_vif {
	uint8_t mac[DOMCFG_MAC_BYTES];
	int has_mac;                /* 0: xl generates one (00:16:3e:...) */
	char bridge[DOMCFG_IFNAME_MAX];   /* default DOMCFG_DEFAULT_BRIDGE */
	char vifname[DOMCFG_IFNAME_MAX];  /* "": xl's vif<domid>.<devid> */
	char ip[64];                /* informational, as in Xen with a bridge */
	unsigned line;
};

#define DOMCFG_MAX_WARNINGS 8

struct domcfg {
	char name[RIVET_NAME_LEN];
	uint64_t memory_bytes;      /* memory: the domain's (first) target */
	/*
	 * maxmem (Xen's meaning: the most it may ever have; 0 when not given,
	 * then memory). Above memory, the domain is built with maxmem of RAM and
	 * its device model's balloon takes the difference back as it boots
	 * (domcfg_ram_bytes; docs/config.md).
	 */
	uint64_t maxmem_bytes;
	uint32_t nr_vcpus;          /* the domain's vCPUs: maxvcpus if given, else vcpus */
	uint32_t online_vcpus;      /* vcpus: those it may run from boot (<= nr_vcpus) */
	uint32_t max_vcpus_given;   /* maxvcpus as written; 0 when absent */
	unsigned line_maxvcpus;     /* 0 when absent */
	uint64_t cpus_mask;         /* 0: any hart; with a per-vCPU list, the union (what creation homes them by) */
	/*
	 * cpus = ["LIST", "LIST", ...]: vCPU i may run on vcpu_masks[i] (0: any
	 * hart), for the first nr_vcpu_masks vCPUs; the others run anywhere.
	 * xl create pins them; boot images have one mask for all.
	 */
	unsigned nr_vcpu_masks;
	uint64_t vcpu_masks[RIVET_MAX_VCPUS];
	unsigned line_cpus;
	unsigned line_preserve;     /* the last on_* = "preserve" or "rename-restart" (xl create only) */
	unsigned line_coredump;     /* the last on_* = "coredump-*" (xl create only) */
	char *kernel;               /* as written in the file, for messages */
	char *kernel_path;          /* resolved against the config's directory */
	char *ramdisk, *ramdisk_path; /* NULL: none */
	char *cmdline;              /* NULL: none */
	uint8_t on_poweroff, on_reboot, on_crash; /* enum rivet_action */
	uint8_t on_watchdog;        /* the device model's watchdog expired (xl create only) */
	unsigned nr_disks;          /* in vdev order: disks[i] is in virtio slot domcfg_disk_slot(i) */
	struct domcfg_disk disks[DOMCFG_MAX_DISKS];
	int serial;                 /* serial = 'pty': a 16550 UART */
	int vconsole;               /* console = 'virtio': a virtio console after the disks and vifs */
	int dm_restart;             /* on_dm_crash = "restart" (Rivet's key; default "pause") */
	/*
	 * Scheduling: cpu_weight and cap (the credit policy), or period, slice
	 * and extratime (which make the domain RTDS; microseconds). 0 / -1 when
	 * not given; domcfg_sched() turns them into what SCHED_SET takes.
	 */
	uint32_t cpu_weight, cap;
	int has_cap;
	uint64_t rt_period_us, rt_slice_us;
	int rt_extratime;
	unsigned line_sched;        /* the last scheduling key's line */
	unsigned nr_vifs;           /* in config order: vifs[i] is DEVID i, in slot domcfg_vif_slot() */
	struct domcfg_vif vifs[DOMCFG_MAX_VIFS];
	/* Lines of the keys, 0 when absent: errors found later name them. */
	unsigned line_name, line_memory, line_kernel, line_ramdisk, line_disk, line_serial, line_vif;
	unsigned line_console;
	unsigned line_maxmem;
	/*
	 * What Xen's xl accepts with only a warning (an unknown key, cmdline
	 * beside extra or root), as "FILE:LINE: KEY: reason": all are counted,
	 * the first DOMCFG_MAX_WARNINGS kept, for the caller to print.
	 */
	unsigned nr_warnings;
	char warnings[DOMCFG_MAX_WARNINGS][DIAG_MAX];
};

/*
 * Checks every entry of CFG (read from CFG_PATH, which also anchors relative
 * paths) and fills *OUT. Returns 0, or -1 with "CFG_PATH:LINE: KEY: reason"
 * in D and nothing to free.
 */
int domcfg_from_xlcfg(const struct xlcfg *cfg, const char *cfg_path, struct domcfg *out,
		      struct diag *d);

void domcfg_free(struct domcfg *dc);

/* "warning: ..." on F for each of DC's warnings (and how many were not kept). */
void domcfg_print_warnings(const struct domcfg *dc, FILE *f);

/* DC's scheduling keys as SCHED_SET takes them into *P: 1, or 0 when none was given (*P zeroed). */
int domcfg_sched(const struct domcfg *dc, struct rivet_sched_params *p);

/* A domain with any disk, a serial port or a virtio console has devices: a PLIC, and rivet-dm serves it. */
static inline int domcfg_has_devices(const struct domcfg *dc)
{
	return dc->nr_disks > 0 || dc->serial || dc->vconsole || dc->nr_vifs > 0;
}

/* The RAM the domain is built with: maxmem when given, else memory. */
static inline uint64_t domcfg_ram_bytes(const struct domcfg *dc)
{
	return dc->maxmem_bytes > dc->memory_bytes ? dc->maxmem_bytes : dc->memory_bytes;
}

/* The virtio-mmio slot of disk I (in vdev order). */
static inline unsigned domcfg_disk_slot(unsigned i)
{
	return i;
}

/* The virtio-mmio slot of vif I: after the disks. */
static inline unsigned domcfg_vif_slot(const struct domcfg *dc, unsigned i)
{
	return dc->nr_disks + i;
}

/*
 * Parses one Xen vif spec (xl-network-configuration(5)) into *OUT; 0, or -1
 * with the key and the reason in WHY (REASON_MAX).
 */
int domcfg_parse_vif(const char *spec, struct domcfg_vif *out, char *why);
/* "00:16:3e:01:02:03" (either case) into MAC: 0, or -1 with the reason in WHY. */
int domcfg_parse_mac(const char *s, uint8_t mac[DOMCFG_MAC_BYTES], char *why);

/*
 * Parses one Xen disk spec (xl-disk-configuration(5)) into *OUT (target and
 * vdev filled, path left NULL); 0, or -1 with the reason in WHY (REASON_MAX).
 */
int domcfg_parse_disk(const char *spec, struct domcfg_disk *out, char *why);
/* "xvdb", "vdb", "sdb", "hdb" -> 1; -1 for anything else. */
int domcfg_vdev_index(const char *vdev);

#endif
