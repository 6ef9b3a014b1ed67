/* SPDX-License-Identifier: MIT */
/*
 * dm_args.h: rivet-dm's command line (the contract with xl):
 *   rivet-dm --domid ID --name NAME --vcpus N --ram-base GPA --ram-size BYTES
 *            [--serial] [--disk rw:PATH | --disk ro:PATH]...
 *            [--nic tap=NAME,mac=XX:XX:XX:XX:XX:XX[,offload=on|off]]... [--console] --ready-fd FD
 *            [--log PATH] [--foreground] [--trace]
 *            [--instance ID] [--state PATH] [--resume] [--mem-target BYTES]
 * Numbers are decimal or 0x-hex, with overflow checks. Every option but
 * --disk at most once. Checked here: domid 1..RIVET_DOMID_SELF-1, NAME a
 * domain name (1-31 of [A-Za-z0-9_.-]), 1..8 vCPUs, RAM base and size
 * multiples of 4 KiB, size > 0, no wrap, RAM not over the emulated devices
 * [DM_ARGS_MMIO_LO, DM_ARGS_MMIO_HI), at most DM_MAX_DEVICES disks, NICs
 * and the console together (the virtio slots: disks first, then NICs, in
 * the order given, then the console); a NIC's tap name 1-15 characters,
 * its MAC unicast; the balloon's first target (xl's memory, when maxmem
 * is more: the RAM is maxmem) a multiple of 4 KiB, at most the RAM size,
 * which is at most 2^32 pages.
 */
#ifndef RIVET_DM_ARGS_H
#define RIVET_DM_ARGS_H
#include <stddef.h>
#include <stdint.h>

#define DM_MAX_DEVICES  8               /* virtio slots */
#define DM_MAX_DISKS    DM_MAX_DEVICES
#define DM_MAX_NICS     DM_MAX_DEVICES
#define DM_TAP_NAME_MAX 15              /* IFNAMSIZ less the NUL */
#define DM_MAX_VCPUS    8
#define DM_ARGS_MMIO_LO 0x0c000000ULL   /* the PLIC */
#define DM_ARGS_MMIO_HI 0x10201000ULL   /* past the watchdog (dw_wdt.h) */

struct dm_disk_arg {
	const char *path;   /* points into argv */
	int readonly;
};

struct dm_nic_arg {
	char tap[DM_TAP_NAME_MAX + 1];
	uint8_t mac[6];
	int offload;        /* checksum/TSO offloads offered (default on) */
};

struct dm_args {
	uint32_t domid;
	const char *name;
	unsigned vcpus;
	uint64_t ram_base, ram_size;
	int serial;
	int console;         /* a virtio console, in the slot after the disks and NICs */
	struct dm_disk_arg disk[DM_MAX_DISKS];
	unsigned nr_disks;
	struct dm_nic_arg nic[DM_MAX_NICS];
	unsigned nr_nics;
	int ready_fd;        /* -1 until given */
	const char *log;     /* NULL: /var/log/rivet/dm/NAME.log */
	int foreground;
	int trace;            /* log every access served (debugging a guest's driver) */
	uint64_t instance;   /* xl's id of this life of the domain (0 when not given) */
	const char *state;   /* NULL: $RIVET_RUN_DIR/dm/DOMID.state (dm_state_file.c) */
	int resume;          /* take over the state a predecessor left (docs/dm.md "Restart") */
	uint64_t mem_target; /* bytes: the balloon's first target (default: ram_size) */
};

/*
 * 0, or -1 with a one-line reason in ERR. a->ready_fd is set whenever
 * --ready-fd itself parsed, even when something else failed, so the caller
 * can report there.
 */
int dm_args_parse(int argc, char **argv, struct dm_args *a, char *err, size_t errlen);
/* Unsigned decimal or 0x-hex, whole string, no sign, no overflow: 0 or -1. */
int dm_parse_u64(const char *s, uint64_t *v);
/* A MAC as six colon-separated hex pairs: 0, or -1 with the reason in WHY (80 bytes). */
int dm_parse_mac(const char *s, uint8_t mac[6], char *why, size_t whylen);

#endif
