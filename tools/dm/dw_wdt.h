/* SPDX-License-Identifier: MIT */
/*
 * dw_wdt.h: the domain's watchdog, a Synopsys DesignWare APB watchdog
 * ("snps,dw-wdt"), which Linux drives with dw_wdt and exposes as
 * /dev/watchdog. When it expires, rivet-dm stops the domain with the
 * shutdown reason RIVET_SHUTDOWN_WATCHDOG and the toolstack applies the
 * domain's on_watchdog (docs/dm.md "The watchdog"), as Xen does for its PV
 * watchdog.
 *
 * The model: a down-counter clocked at DW_WDT_CLOCK_HZ, so that the fixed
 * timeout periods (TOP i = 2^(16 + i) cycles) are 2^i seconds. CR.WDT_EN
 * once set stays set until the device is reset (the domain's next life), as
 * on the hardware; Linux's driver knows that and keeps kicking it itself
 * when userspace closes the device. Enabling loads TORR.TOP_INIT's period;
 * writing 0x76 to CRR reloads TORR.TOP's and clears the interrupt. In
 * reset mode (CR.RMOD = 0) the first expiry stops the domain; in interrupt
 * mode the first sets STAT and reloads, and the second, unless the
 * interrupt was cleared (a kick or a read of EOI), stops it. No interrupt
 * line is wired (the device tree gives none, so Linux uses reset mode).
 *
 * Time comes from the caller (nanoseconds of a monotonic clock) and
 * stands still while the domain is paused (dw_wdt_hold): a paused domain
 * cannot kick. Every register access is the guest's, hence hostile: any
 * offset and size are accepted, unknown ones read 0 and ignore writes.
 *
 * Restart (dm_state.h): all of it is plain data in *st; the deadline is in
 * CLOCK_MONOTONIC nanoseconds, which a successor rivet-dm shares.
 */
#ifndef RIVET_DM_DW_WDT_H
#define RIVET_DM_DW_WDT_H
#include <stdint.h>

#include "dm_dev.h"

#define DW_WDT_BASE            0x10200000ULL   /* free on QEMU virt */
#define DW_WDT_SIZE            0x1000ULL
#define DW_WDT_CLOCK_HZ        65536u          /* the device tree's fixed clock */

/* Registers (offsets), and their fields. */
#define DW_WDT_CR              0x00u
#define DW_WDT_CR_EN           0x01u           /* enable: set-only until reset */
#define DW_WDT_CR_RMOD         0x02u           /* 1: interrupt first, stop at the second expiry */
#define DW_WDT_CR_RPL          0x1cu           /* reset pulse length: kept, no effect */
#define DW_WDT_CR_MASK         (DW_WDT_CR_EN | DW_WDT_CR_RMOD | DW_WDT_CR_RPL)
#define DW_WDT_TORR            0x04u
#define DW_WDT_TORR_TOP        0x0fu
#define DW_WDT_TORR_TOP_INIT   0xf0u
#define DW_WDT_TORR_INIT_SHIFT 4
#define DW_WDT_CCVR            0x08u           /* current count, read-only */
#define DW_WDT_CRR             0x0cu           /* counter restart: write DW_WDT_KICK */
#define DW_WDT_KICK            0x76u
#define DW_WDT_STAT            0x10u           /* interrupt status (bit 0) */
#define DW_WDT_EOI             0x14u           /* read: clears the interrupt, gives 0 */
#define DW_WDT_COMP_PARAMS_1   0xf4u
#define DW_WDT_PARAMS_FIX_TOP  0x40u           /* the fixed periods, not a DT table */
#define DW_WDT_PARAMS_WIDTH32  0x200u          /* APB data width 32 bits */
#define DW_WDT_COMP_VERSION    0xf8u
#define DW_WDT_VERSION         0x3131302au     /* "110*", as 1.10a parts report */
#define DW_WDT_COMP_TYPE       0xfcu
#define DW_WDT_TYPE            0x44570120u     /* DW_apb_wdt's component type */

#define DW_WDT_NUM_TOPS        16u

/* What the guest can observe, and the timer: plain data, kept in the state arena. */
struct dw_wdt_state {
	uint32_t cr;
	uint32_t torr;
	uint32_t stat;         /* interrupt status */
	uint32_t fired;        /* the domain was told to stop (once per life) */
	int64_t deadline_ns;   /* when the count reaches 0; meaningful while CR.EN */
	int64_t seen_ns;       /* when the model last read the clock */
	uint64_t kicks;        /* restarts the guest did (rivet-dm's statistics) */
};

/*
 * EXPIRED(CTX): the watchdog ran out and the owner stops the domain: 0, or
 * -1 when that failed (it is tried again a second later).
 */
struct dw_wdt {
	struct dw_wdt_state *st;
	struct dw_wdt_state own;
	int64_t (*now)(void *ctx);
	int (*expired)(void *ctx);
	void *ctx;
};

/* Reset state (disabled, TOPs 0) in W's own storage. */
void dw_wdt_init(struct dw_wdt *w, int64_t (*now)(void *ctx), int (*expired)(void *ctx), void *ctx);
/*
 * Moves the state into SLICE (dm_state.h). Resumed: SLICE's is kept, its
 * fields made sane, and the time since the predecessor last looked does not
 * count (the guest's kicks meanwhile waited for a device model).
 */
void dw_wdt_bind_state(struct dw_wdt *w, struct dw_wdt_state *slice, int resumed);
/* The period of TOP value TOP in ns (TOP taken modulo 16). */
int64_t dw_wdt_period_ns(unsigned top);
/*
 * Looks at the clock: an expiry that is due happens now (interrupt mode's
 * first, or the stop). Returns the ns until the next thing can happen, or
 * -1 when nothing can (disabled, or already fired).
 */
int64_t dw_wdt_check(struct dw_wdt *w);
/* The domain was paused for NS: the count stood still (the deadline moves by NS). */
void dw_wdt_hold(struct dw_wdt *w, int64_t ns);

extern const struct dm_mmio_ops dw_wdt_mmio_ops;

#endif
