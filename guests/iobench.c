// SPDX-License-Identifier: MIT
/*
 * iobench.c: the cost of emulated device registers, seen from the guest.
 * The same program runs on bare QEMU (QEMU's own 16550, OpenSBI's console
 * on it too) and as a DomU with serial = 'pty' (rivet-dm's 16550, each
 * access an ioreq); `make bench` prints the two side by side.
 *
 * First the reads (before the transmitted bytes keep Dom0's console path busy), then:
 *   uart tx:   UART_TX_BYTES bytes through THR as a driver with a 16-byte
 *              FIFO sends them: wait for LSR.THRE, then write up to 16.
 *              Under Rivet each THR byte is a posted write, each LSR read
 *              a synchronous round trip to rivet-dm.
 *   mmio read: MMIO_READS reads of the UART's scratch register (no side
 *              effect): under Rivet one synchronous ioreq each.
 *   ram read:  the same loop reading RAM: the guest's own instructions
 *              per iteration, to subtract from the line above.
 * instret counts every instruction the hart retires: under Rivet that
 * includes the microvisor's HS-mode work on this hart (and its idle loop
 * while the vCPU waits for its device model), not Dom0's on the others.
 * time is the machine's: under -icount it advances with every hart's
 * instructions, Dom0's included.
 */
#include <stdint.h>

#include "lib/csr.h"
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/sbi.h"

#define UART          0x10000000UL
#define UART_THR      0
#define UART_FCR      2
#define UART_LCR      3
#define UART_LSR      5
#define UART_SCR      7
#define LSR_THRE      0x20
#define UART_FIFO     16

#define UART_TX_BYTES 8192
#define MMIO_READS    2000

static inline uint8_t rd8(unsigned long a) { return *(volatile uint8_t *)a; }
static inline void wr8(unsigned long a, uint8_t v) { *(volatile uint8_t *)a = v; }

static volatile uint8_t ram_reg = 0x5a;

/* Lines of 63 dots and a newline: UART_TX_BYTES / 64 of them. */
static char tx_byte(unsigned i)
{
	return (i & 63) == 63 ? '\n' : '.';
}

int main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	print_set_console(PRINT_DBCN);
	printf("iobench: start\n");

	/* 8N1, FIFOs on and cleared; the divisor is left as the firmware (or reset) set it. */
	wr8(UART + UART_LCR, 0x03);
	wr8(UART + UART_FCR, 0x07);
	wr8(UART + UART_SCR, 0xa5);
	if (rd8(UART + UART_SCR) != 0xa5) {
		printf("iobench: FAIL uart scratch does not keep 0xa5\n");
		return 0;
	}

	unsigned sum = 0;
	for (int i = 0; i < 10; i++)
		sum += rd8(UART + UART_SCR);
	unsigned long t0 = rdtime(), i0 = csr_read(instret);
	for (int i = 0; i < MMIO_READS; i++)
		sum += rd8(UART + UART_SCR);
	unsigned long ticks = rdtime() - t0, insns = csr_read(instret) - i0;
	printf("iobench: mmio read: %u reads, %lu ticks, %lu instructions\n", MMIO_READS, ticks, insns);

	i0 = csr_read(instret);
	for (int i = 0; i < MMIO_READS; i++)
		sum += ram_reg;
	insns = csr_read(instret) - i0;
	printf("iobench: ram read: %u reads, %lu instructions\n", MMIO_READS, insns);
	t0 = rdtime();
	i0 = csr_read(instret);
	for (unsigned sent = 0; sent < UART_TX_BYTES;) {
		while (!(rd8(UART + UART_LSR) & LSR_THRE))
			;
		for (unsigned k = 0; k < UART_FIFO && sent < UART_TX_BYTES; k++, sent++)
			wr8(UART + UART_THR, (uint8_t)tx_byte(sent));
	}
	ticks = rdtime() - t0;
	insns = csr_read(instret) - i0;
	/* Let the bytes reach the console before our own lines (two paths to one log under Rivet). */
	delay_ticks(100 * TICKS_PER_MS);
	printf("iobench: uart tx: %u bytes, %lu ticks, %lu instructions\n", UART_TX_BYTES, ticks,
	       insns);

	if (sum != 0xa5u * (MMIO_READS + 10) + 0x5au * MMIO_READS)
		printf("iobench: FAIL scratch reads summed to %u\n", sum);
	printf("iobench: done\n");
	return 0;
}
