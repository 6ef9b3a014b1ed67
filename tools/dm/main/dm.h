/* SPDX-License-Identifier: MIT */
/*
 * dm.h: rivet-dm, the device model daemon one DomU gets in Dom0 (docs/dm.md).
 * The state of the whole daemon, and what its files offer each other:
 *   dm_main.c     command line, log, signals, setup and teardown, the loop
 *   dm_machine.c  the virt-like machine: PLIC, UART, 8 virtio slots on the
 *                 bus, the power button, the watchdog, their interrupt
 *                 wiring, the ioreq ranges
 *   dm_console.c  the UART's and the virtio console's connections to
 *                 rivet-consoled (one each: two console sources)
 *   dm_state_file.c  the state arena's file (dm_state.h, docs/dm.md "Restart")
 *   dm_net.c      the NICs: virtio-net devices over Dom0 tap devices
 * Single-threaded: nothing here locks.
 */
#ifndef RIVET_DM_H
#define RIVET_DM_H
#include <poll.h>
#include <stdint.h>

#include "dm_args.h"
#include "dm_bus.h"
#include "dm_cbuf.h"
#include "dm_ioreq.h"
#include "dm_mem.h"
#include "dm_state.h"
#include "dw_wdt.h"
#include "plic.h"
#include "uart16550.h"
#include "virtio_balloon.h"
#include "virtio_blk.h"
#include "virtio_console.h"
#include "virtio_input.h"
#include "virtio_mmio.h"
#include "virtio_net.h"
#include "xc.h"

#define DM_VIRTIO_SLOTS      8              /* the device slots: disks, NICs, the console */
#define DM_VIRTIO_BASE       0x10001000ULL
#define DM_VIRTIO_STRIDE     0x1000ULL
#define DM_VIRTIO_IRQ(n)     (1 + (n))
/*
 * The power button (virtio_input.h) in one more slot right after the
 * eight, at 0x10009000 with PLIC source 9 (both free on QEMU virt), so it
 * takes no device slot; DM_NR_SLOTS slots in all with the balloon's.
 */
#define DM_BUTTON_SLOT       DM_VIRTIO_SLOTS
/*
 * The balloon (virtio_balloon.h) in a tenth slot, at 0x1000a000; its PLIC
 * source is 11, as 10 is the UART's (both free on QEMU virt).
 */
#define DM_BALLOON_SLOT      (DM_VIRTIO_SLOTS + 1)
#define DM_BALLOON_IRQ       11
#define DM_NR_SLOTS          (DM_VIRTIO_SLOTS + 2)
#define DM_MAX_RANGES        RIVET_IOREQ_MAX_RANGES

#define DM_CON_OUT_BYTES     65536
#define DM_CON_IN_BYTES      256

enum dm_con_state { DM_CON_DOWN, DM_CON_HANDSHAKE, DM_CON_UP };

struct dm_console {
	uint32_t domid;
	const char *kind;              /* CONSOLED_SOURCE_SERIAL or _VIRTIO: the SOURCE line's, and the log's */
	int fd;                        /* -1 while down */
	enum dm_con_state state;
	int64_t since_ms;              /* when the state began (handshake timeout) */
	int64_t last_try_ms;           /* last connection attempt */
	int down_logged;               /* "not reachable" said since the last success */
	char reply[64];                /* the handshake line so far */
	unsigned reply_len;
	struct dm_cbuf out, in;        /* to consoled / to the UART */
	uint64_t dropped_logged;       /* out.dropped when we last said so */
	int64_t dropped_log_ms;
	uint8_t out_buf[DM_CON_OUT_BYTES];
	uint8_t in_buf[DM_CON_IN_BYTES];
};

struct dm_nic {
	int fd;                        /* the tap (-1: none) */
	char tap[DM_TAP_NAME_MAX + 1];
	unsigned slot;                 /* virtio slot */
	int pfd;                       /* index among dm_net_pollfds()'s entries, -1: not polled */
	struct virtio_net *dev;
	uint64_t send_errors, recv_errors;
};

struct dm_range {
	uint64_t gpa, len;
	uint32_t flags;
};

struct dm {
	struct dm_args args;
	xc_handle *xc;
	struct dm_mem mem;             /* the DomU's RAM, mapped whole (host NULL: not mapped) */
	int srv_fd;                    /* the ioreq server (-1: none) */
	uint32_t port;
	struct rivet_ioreq_page *page;
	int enabled;
	struct dm_range range[DM_MAX_RANGES];
	unsigned nr_ranges;
	int disk_fd[DM_MAX_DISKS];
	uint64_t disk_size[DM_MAX_DISKS];

	struct dm_bus bus;
	struct dm_ioreq io;
	struct plic plic;
	struct uart16550 uart;
	struct virtio_mmio slot[DM_NR_SLOTS];
	struct virtio_input button;    /* in slot DM_BUTTON_SLOT */
	struct dw_wdt wdt;             /* the watchdog, at DW_WDT_BASE */
	int64_t wdt_tick_ns;           /* the last tick's time: a pause since then holds the watchdog */
	struct virtio_balloon balloon; /* in slot DM_BALLOON_SLOT; its map is mem.holes */
	struct virtio_blk *blk[DM_MAX_DISKS];
	struct virtio_console *vcons;  /* --console: in slot vcons_slot */
	unsigned vcons_slot;
	struct dm_nic nic[DM_MAX_NICS];
	int8_t irq_level[DM_MAX_VCPUS];    /* last VSEIP level set per vCPU; -1 unknown */
	/* Read-cache slots (dm_ioreq_cache_*) of each vCPU's S-context: enable words and claim. */
	int cache_enable[DM_MAX_VCPUS][PLIC_WORDS];
	int cache_claim[DM_MAX_VCPUS];
	int cache_lsr;
	uint64_t irq_errors;

	struct dm_console con;         /* the UART's (--serial) */
	struct dm_console vcon;        /* the virtio console's (--console) */

	/* The devices' state lives here (dm_state.h); resumed: taken over from a predecessor. */
	struct dm_state state;
	int state_fd;                  /* holds the flock; -1: none */
	int was_clean;                 /* resumed after an orderly stop (nothing posted was lost) */
};

/* dm_machine.c */
/* Builds the devices and the bus (no hypercall); after the disks are open and RAM mapped. 0 or -1. */
int dm_machine_build(struct dm *dm, char *err, size_t errlen);
/*
 * Resumed: the devices carry on from the state their predecessor left,
 * after the server exists and the cache is set, before it is enabled
 * (docs/dm.md "Restart"): queues settled and run, lines driven again,
 * and after a death the PLIC's in-service sources released.
 */
void dm_machine_resume(struct dm *dm);
/* Maps the ioreq ranges (plain, then posted), recording each in dm->range. 0, or -1 with ERR. */
int dm_machine_map_ranges(struct dm *dm, char *err, size_t errlen);
/* Runs one round of device work left over by a notify; returns 1 if some is still left. */
int dm_machine_poll(struct dm *dm);
/*
 * The watchdog's clock: PAUSED says whether the domain is paused now (the
 * time since the last call then does not count). Returns the ms until it
 * must be looked at again, or -1: never.
 */
int64_t dm_machine_watchdog(struct dm *dm, int paused);
/* Puts the PLIC's cacheable registers in the ioreq page (after dm_ioreq_init, before enabling). */
void dm_machine_cache_init(struct dm *dm);
/* The UART's LSR in the read cache follows the UART (after input arrived). */
void dm_machine_cache_uart(struct dm *dm);
/* vCPU lines whose last hypercall failed are set again from the PLIC's state. */
void dm_machine_resync_irqs(struct dm *dm);
void dm_machine_free(struct dm *dm);

/* dm_net.c */
/* Attaches each --nic's tap and makes its device (before dm_machine_build). 0 or -1 with ERR. */
int dm_net_open(struct dm *dm, char *err, size_t errlen);
/* Fills PFD with the taps to read now (their guest has buffers); returns how many. */
unsigned dm_net_pollfds(struct dm *dm, struct pollfd *pfd);
/* Serves the taps dm_net_pollfds() put in PFD; 1 if some have more waiting. */
int dm_net_events(struct dm *dm, const struct pollfd *pfd);
void dm_net_close(struct dm *dm);

/* dm_console.c */
/* KIND: CONSOLED_SOURCE_SERIAL or CONSOLED_SOURCE_VIRTIO. */
void dm_console_init(struct dm_console *c, uint32_t domid, const char *kind);
/* Sends what output is buffered, waiting at most MS for the socket (the last words at a stop). */
void dm_console_flush(struct dm_console *c, int64_t ms);
/* uart_tx_fn: a byte the guest transmitted. */
void dm_console_tx(void *con, uint8_t byte);
/* The fd to poll and its events (0: nothing to poll). */
int dm_console_pollfd(struct dm_console *c, short *events);
void dm_console_event(struct dm_console *c, short revents);
/* Input bytes into the UART as it has room. */
void dm_console_feed(struct dm_console *c, struct uart16550 *u);
/* The virtio console's host side: output into C's FIFO (held back while consoled is slow). */
extern const struct virtio_console_io dm_console_virtio_io;
/* Input bytes into the virtio console's receive buffers; output that waited for room resumes. */
void dm_console_feed_virtio(struct dm_console *c, struct virtio_console *v, struct virtio_mmio *t);
/* Once a second: connect if down, handshake timeout, drop counts. */
void dm_console_tick(struct dm_console *c, int64_t now_ms);
void dm_console_close(struct dm_console *c);

/* dm_state_file.c */
/* The state file's path: --state, else <run dir>/dm/<domid>.state. */
void dm_state_file_path(const struct dm_args *a, char *buf, size_t size);
/*
 * Makes a new state file (or with --resume opens and checks the existing
 * one, *WAS_CLEAN from it), locked and mapped into dm->state. 0, or -1 with ERR.
 */
int dm_state_file_open(struct dm *dm, int *was_clean, char *err, size_t errlen);
void dm_state_file_close(struct dm *dm);

int64_t dm_now_ms(void);
int64_t dm_now_ns(void);

#endif
