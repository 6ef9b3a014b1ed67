/* SPDX-License-Identifier: MIT */
/*
 * uart16550.h: the 16550A UART a DomU sees, as on QEMU's `virt` machine
 * (QEMU's serial.c through serial-mm with register shift 0), so Linux's
 * 8250/of_serial ("ns16550a") detects a 16550A and uses it unchanged.
 *
 * Transmission is immediate: a THR write hands the byte to tx() at once
 * (in loopback mode it goes to the receiver instead), so THRE and TEMT
 * always read 1. Input arrives through uart_receive(), never more than
 * uart_rx_room() bytes: the daemon holds back the rest and offers it again
 * after the guest has read (any access may have made room).
 *
 * Receive timeout (IIR 0xC): the model has no clock. The daemon hands over
 * input in bursts, so the end of a burst is treated as the idle gap after
 * which a real 16550A reports a timeout: with the FIFOs enabled, data below
 * the trigger level shows as a character timeout at once, data at or above
 * it as "received data available". Both are masked by IER.ERBFI and drained
 * the same way by the guest.
 */
#ifndef RIVET_DM_UART16550_H
#define RIVET_DM_UART16550_H
#include <stddef.h>
#include <stdint.h>

#include "dm_dev.h"

#define UART_BASE	0x10000000ULL
#define UART_SIZE	0x100ULL
#define UART_IRQ	10		/* its PLIC source */
#define UART_CLOCK_HZ	3686400		/* the device tree's clock-frequency */
#define UART_FIFO_SIZE	16
#define UART_NR_REGS	8		/* register shift 0: offsets 0..7 */

/* Register offsets. */
#define UART_RBR	0	/* read, DLAB=0 */
#define UART_THR	0	/* write, DLAB=0 */
#define UART_DLL	0	/* DLAB=1 */
#define UART_IER	1	/* DLAB=0 */
#define UART_DLM	1	/* DLAB=1 */
#define UART_IIR	2	/* read */
#define UART_FCR	2	/* write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_IER_ERBFI	0x01	/* received data available (and timeout) */
#define UART_IER_ETBEI	0x02	/* transmitter holding register empty */
#define UART_IER_ELSI	0x04	/* receiver line status */
#define UART_IER_EDSSI	0x08	/* modem status */
#define UART_IER_MASK	0x0f

#define UART_IIR_NO_INT	0x01
#define UART_IIR_ID	0x0f	/* the cause field */
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_CTI	0x0c
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled: what 8250 autoconfig calls a 16550A */

#define UART_FCR_FE	0x01	/* FIFO enable */
#define UART_FCR_RFR	0x02	/* receiver FIFO reset (self-clearing) */
#define UART_FCR_XFR	0x04	/* transmitter FIFO reset (self-clearing) */
#define UART_FCR_DMA	0x08
#define UART_FCR_TRIG	0xc0	/* RX trigger level: 1, 4, 8, 14 bytes */
#define UART_FCR_TRIG_SHIFT	6
#define UART_FCR_KEEP	(UART_FCR_FE | UART_FCR_DMA | UART_FCR_TRIG)	/* bits that stick */

#define UART_LCR_DLAB	0x80

#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_MCR_MASK	0x1f

#define UART_LSR_DR	0x01
#define UART_LSR_OE	0x02
#define UART_LSR_PE	0x04
#define UART_LSR_FE	0x08
#define UART_LSR_BI	0x10
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_LSR_INT_ANY (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_TERI	0x04
#define UART_MSR_DDCD	0x08
#define UART_MSR_DELTA	0x0f
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

typedef void uart_tx_fn(void *opaque, uint8_t byte);

/* Everything the guest can observe: plain data, in the state arena (dm_state.h). */
struct uart16550_state {
	uint16_t divisor;
	uint8_t ier, lcr, mcr, fcr, scr;
	uint8_t lsr_err;	/* OE (the only error an emulated line can have) */
	uint8_t msr_delta;	/* MSR bits 3:0 since the last MSR read */
	uint8_t thr_ipending;	/* THRE interrupt pending (cleared by IIR read / THR write) */
	uint8_t rx[UART_FIFO_SIZE];	/* without FIFOs, only rx[rx_head] is used (RBR) */
	uint8_t rx_head, rx_count;
	uint8_t irq_level;	/* the level last driven on irq */
};

struct uart16550 {
	struct uart16550_state *st;	/* &own, or the arena's slice */
	struct dm_irq irq;
	uart_tx_fn *tx;
	void *opaque;
	struct uart16550_state own;
};

/*
 * Resets U to the power-on state (QEMU's serial_reset: divisor 12, MCR
 * OUT2, MSR DCD|DSR|CTS, FIFOs off, no interrupt). IRQ (copied; may be
 * NULL) is its interrupt line, low now; tx(opaque, byte) gets every byte
 * the guest transmits (may be NULL: bytes are dropped).
 */
void uart_init(struct uart16550 *u, const struct dm_irq *irq, uart_tx_fn *tx, void *opaque);

/*
 * Moves U's state to ST (dm_state.h): fresh (RESUMED 0), the current state
 * is copied there; resumed, ST is kept (its FIFO indices bounded). ST NULL:
 * nothing changes. uart_resume then drives the interrupt line from it.
 */
void uart_bind_state(struct uart16550 *u, struct uart16550_state *st, int resumed);
void uart_resume(struct uart16550 *u);

/* How many bytes uart_receive() would take now (0 in loopback mode). */
size_t uart_rx_room(const struct uart16550 *u);

/*
 * What a guest read of LSR would return now, without reading it; 1 if that
 * read would change nothing (no error bit for it to clear), else 0. LOOPBACK
 * is set when transmitted bytes come back as input (then a pending THR write
 * can change LSR).
 */
int uart_lsr_peek(const struct uart16550 *u, uint8_t *lsr, int *loopback);

/* Hands input to the guest; returns how many of LEN bytes were taken. */
size_t uart_receive(struct uart16550 *u, const uint8_t *buf, size_t len);

/*
 * Guest accesses: offsets 0..7 are the registers; an access of size 2, 4
 * or 8 acts on the one register at its offset with the value's low byte
 * (QEMU's serial-mm). Offsets 8..0xff and other sizes read 0 / are ignored.
 */
extern const struct dm_mmio_ops uart_mmio_ops;

#endif
