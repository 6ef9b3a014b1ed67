// SPDX-License-Identifier: MIT
/* uart.c: polled driver for the NS16550A UART found in the host device tree. */
#include "uart.h"
#include "sbi_call.h"
#include "csr.h"
#include "hart.h"

#define UART_RBR 0   /* receive buffer (read) */
#define UART_THR 0   /* transmit holding (write) */
#define UART_IER 1   /* interrupt enable */
#define UART_FCR 2   /* FIFO control (write) */
#define UART_LSR 5   /* line status */
#define IER_RX_AVAILABLE 0x01
#define FCR_ENABLE_AND_CLEAR 0x07
#define LSR_DR   0x01
#define LSR_THRE 0x20

/*
 * A byte takes 87 us at 115200 baud: a UART that has not taken one in 10 ms
 * is wedged (say, hardware flow control with nothing attached). We stop
 * waiting for it then, and until it is ready again, so a dead UART cannot
 * keep the console lock, and every hart that prints, forever.
 */
#define TX_WAIT_PER_SECOND 100

static volatile u8 *uart_base;
static unsigned uart_shift;
static bool tx_stuck;

static u8 reg_read(unsigned reg) { return uart_base[reg << uart_shift]; }
static void reg_write(unsigned reg, u8 v) { uart_base[reg << uart_shift] = v; }

void uart_init(u64 base, unsigned reg_shift)
{
	uart_base = (volatile u8 *)(uintptr_t)base;
	uart_shift = reg_shift;
	if (uart_base)
		reg_write(UART_FCR, FCR_ENABLE_AND_CLEAR);   /* 16 bytes of slack on input */
}

void uart_enable_rx_irq(void)
{
	if (uart_base)
		reg_write(UART_IER, IER_RX_AVAILABLE);
}

void uart_putc(char c)
{
	if (!uart_base) {
		/* Before the DTB is parsed: the firmware's console. */
		sbi_ecall(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0, 0);
		return;
	}
	if (tx_stuck) {
		tx_stuck = !(reg_read(UART_LSR) & LSR_THRE);
	} else {
		u64 start = time_now();
		u64 limit = timebase_hz ? timebase_hz / TX_WAIT_PER_SECOND : ~0UL;
		while (!(reg_read(UART_LSR) & LSR_THRE))
			if (time_now() - start > limit) {
				tx_stuck = true;
				break;
			}
	}
	reg_write(UART_THR, (u8)c);
}

int uart_getc(void)
{
	if (!uart_base || !(reg_read(UART_LSR) & LSR_DR))
		return -1;
	return reg_read(UART_RBR);
}
