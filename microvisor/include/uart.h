/* SPDX-License-Identifier: MIT */
/* uart.h: the physical 16550 UART, which the microvisor owns. */
#ifndef RIVET_UART_H
#define RIVET_UART_H
#include "types.h"
void uart_init(u64 base, unsigned reg_shift);
void uart_putc(char c);
/* Input raises the UART's PLIC line instead of waiting for a poll. */
void uart_enable_rx_irq(void);
/* Returns a received byte, or -1 when none is waiting. */
int uart_getc(void);
#endif
