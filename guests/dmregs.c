// SPDX-License-Identifier: MIT
/*
 * dmregs.c: device registers across a device-model restart. Writes values
 * that are not the reset ones to the 16550's SCR, LCR, IER (and divisor
 * latch) and to the PLIC's priorities, this vCPU's S-context enable word and
 * threshold, prints what reads back ("dmregs: before: ..."), says
 * "dmregs: written", leaves the devices alone for DMREGS_WAIT_MS (Dom0 kills
 * and restarts rivet-dm meanwhile), reads everything again and prints
 * "dmregs: after: ..." in the same form, then powers off. The test compares
 * the two lines (tests/integration/dm_restart.py).
 */
#include <stdint.h>

#include "lib/guest.h"
#include "lib/print.h"

#define DMREGS_WAIT_MS 12000

#define UART_BASE          0x10000000UL
#define UART_IER           1
#define UART_LCR           3
#define UART_SCR           7
#define UART_LCR_DLAB      0x80
#define PLIC_BASE          0x0c000000UL
#define PLIC_PRIORITY(s)   (PLIC_BASE + 4UL * (s))
#define PLIC_ENABLE(c)     (PLIC_BASE + 0x2000UL + 0x80UL * (c))
#define PLIC_THRESHOLD(c)  (PLIC_BASE + 0x200000UL + 0x1000UL * (c))

static inline uint32_t rd32(unsigned long a) { return *(volatile uint32_t *)a; }
static inline void wr32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint8_t rd8(unsigned long a) { return *(volatile uint8_t *)a; }
static inline void wr8(unsigned long a, uint8_t v) { *(volatile uint8_t *)a = v; }

static void show(const char *when, unsigned ctx)
{
	uint8_t lcr = rd8(UART_BASE + UART_LCR);
	wr8(UART_BASE + UART_LCR, lcr | UART_LCR_DLAB);
	unsigned dll = rd8(UART_BASE), dlm = rd8(UART_BASE + UART_IER);
	wr8(UART_BASE + UART_LCR, lcr);
	printf("dmregs: %s: scr=%02x lcr=%02x ier=%02x div=%02x%02x prio1=%u prio10=%u enable=%08x "
	       "threshold=%u\n", when, rd8(UART_BASE + UART_SCR), lcr, rd8(UART_BASE + UART_IER), dlm, dll,
	       rd32(PLIC_PRIORITY(1)), rd32(PLIC_PRIORITY(10)), rd32(PLIC_ENABLE(ctx)),
	       rd32(PLIC_THRESHOLD(ctx)));
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned ctx = 2 * hartid + 1;

	(void)dtb;
	print_set_console(PRINT_LEGACY);
	wr8(UART_BASE + UART_SCR, 0x5a);
	wr8(UART_BASE + UART_LCR, UART_LCR_DLAB);
	wr8(UART_BASE, 0x34);                       /* divisor 0x0134 */
	wr8(UART_BASE + UART_IER, 0x01);
	wr8(UART_BASE + UART_LCR, 0x1b);            /* 8 bits, 2 stop bits, even parity */
	wr8(UART_BASE + UART_IER, 0x04);            /* line status only: nothing raises it here */
	wr32(PLIC_PRIORITY(1), 3);
	wr32(PLIC_PRIORITY(10), 5);
	wr32(PLIC_ENABLE(ctx), (1u << 1) | (1u << 10) | (1u << 7));
	wr32(PLIC_THRESHOLD(ctx), 2);
	show("before", ctx);
	printf("dmregs: written\n");
	delay_ticks(DMREGS_WAIT_MS * TICKS_PER_MS);
	show("after", ctx);
	printf("dmregs: done\n");
	guest_shutdown();
}
