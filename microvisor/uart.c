// SPDX-License-Identifier: MIT
/* uart.c: polled driver for the NS16550A UART found in the host device tree. */
#include "uart.h"
#include "sbi_call.h"

#define UART_RBR 0   /* receive buffer (read) */
#define UART_THR 0   /* transmit holding (write) */
#define UART_IER 1   /* interrupt enable */
#define UART_FCR 2   /* FIFO control (write) */
#define UART_LSR 5   /* line status */
#define IER_RX_AVAILABLE 0x01
#define FCR_ENABLE_AND_CLEAR 0x07
#define LSR_DR   0x01
#define LSR_THRE 0x20

static volatile u8 *uart_base;
static unsigned uart_shift;

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
	while (!(reg_read(UART_LSR) & LSR_THRE))
		;
	reg_write(UART_THR, (u8)c);
}

int uart_getc(void)
{
	if (!uart_base || !(reg_read(UART_LSR) & LSR_DR))
		return -1;
	return reg_read(UART_RBR);
}
