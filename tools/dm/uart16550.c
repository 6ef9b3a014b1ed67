// SPDX-License-Identifier: MIT
/*
 * uart16550.c: the DomU 16550A model (see uart16550.h), following QEMU's
 * hw/char/serial.c where Linux's 8250 driver can tell:
 *
 * - IIR priorities: line status > RX data / timeout > THRE > modem status;
 *   IIR bits 7:6 read 11 while FIFOs are enabled (autoconfig's 16550A test),
 *   bits 5:4 read 0 (so it is not taken for a 16750 or an NS SuperIO).
 * - THRE interrupt: pending once the transmitter is empty, which is right
 *   after every THR write since transmission is immediate; cleared by
 *   reading IIR while THRE is the reported cause or by writing THR; setting
 *   or clearing IER.ETBEI re-samples it (QEMU; 8250's THRE-bug test relies
 *   on a re-enabled ETBEI re-raising it).
 * - Changing FCR's enable bit flushes both FIFOs; the reset bits flush one.
 * - RX overrun: a full FIFO keeps its contents and drops the new byte; with
 *   FIFOs off the new byte replaces RBR. Both set LSR.OE, cleared by reading
 *   LSR. Overruns only come from loopback: uart_receive() never overfills.
 * - MSR: the external modem lines are fixed at DCD|DSR|CTS (QEMU's reset
 *   value with a non-tty backend). In loopback the MCR outputs drive them
 *   (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD); changing MCR while staying
 *   in loopback sets the delta bits as the real chip does (QEMU sets none).
 *   Entering or leaving loopback sets none, so 8250's autoconfig leaves no
 *   stale modem-status interrupt behind.
 */
#include "uart16550.h"

#include <string.h>

#include "dm_log.h"

#define UART_RESET_DIVISOR	12	/* QEMU's reset value: 9600 baud at 1.8432 MHz / 16 */
#define UART_EXT_MSR		(UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)
#define BYTE_MASK		0xff
#define DIVISOR_HI_SHIFT	8

static int fifo_on(const struct uart16550 *u)
{
	return u->st->fcr & UART_FCR_FE;
}

/* The RX FIFO trigger level FCR bits 7:6 select. */
static unsigned rx_trigger(const struct uart16550 *u)
{
	static const uint8_t levels[] = { 1, 4, 8, 14 };

	return levels[(u->st->fcr & UART_FCR_TRIG) >> UART_FCR_TRIG_SHIFT];
}

/* The modem inputs as the guest sees them (status bits 7:4 of MSR). */
static uint8_t modem_inputs(uint8_t mcr)
{
	uint8_t m = 0;

	if (!(mcr & UART_MCR_LOOP))
		return UART_EXT_MSR;
	if (mcr & UART_MCR_DTR)
		m |= UART_MSR_DSR;
	if (mcr & UART_MCR_RTS)
		m |= UART_MSR_CTS;
	if (mcr & UART_MCR_OUT1)
		m |= UART_MSR_RI;
	if (mcr & UART_MCR_OUT2)
		m |= UART_MSR_DCD;
	return m;
}

/* The highest-priority pending, enabled cause: IIR bits 3:0. */
static uint8_t iir_cause(const struct uart16550 *u)
{
	if ((u->st->ier & UART_IER_ELSI) && (u->st->lsr_err & UART_LSR_INT_ANY))
		return UART_IIR_RLSI;
	if ((u->st->ier & UART_IER_ERBFI) && u->st->rx_count) {
		/* Below the trigger level the (immediate) timeout reports it. */
		if (fifo_on(u) && u->st->rx_count < rx_trigger(u))
			return UART_IIR_CTI;
		return UART_IIR_RDI;
	}
	if ((u->st->ier & UART_IER_ETBEI) && u->st->thr_ipending)
		return UART_IIR_THRI;
	if ((u->st->ier & UART_IER_EDSSI) && u->st->msr_delta)
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

/* Drives the interrupt line to "a cause is pending", on change only. */
static void update_irq(struct uart16550 *u)
{
	uint8_t level = iir_cause(u) != UART_IIR_NO_INT;

	if (level == u->st->irq_level)
		return;
	u->st->irq_level = level;
	dm_irq_set(&u->irq, level);
}

/* One byte arrives at the receiver (from outside or from loopback). */
static void rx_put(struct uart16550 *u, uint8_t byte)
{
	if (!fifo_on(u)) {
		/* A single holding register: a byte not yet read is overwritten. */
		if (u->st->rx_count)
			u->st->lsr_err |= UART_LSR_OE;
		u->st->rx[u->st->rx_head] = byte;
		u->st->rx_count = 1;
		return;
	}
	if (u->st->rx_count == UART_FIFO_SIZE) {
		u->st->lsr_err |= UART_LSR_OE;	/* the FIFO keeps its contents */
		return;
	}
	u->st->rx[(u->st->rx_head + u->st->rx_count) % UART_FIFO_SIZE] = byte;
	u->st->rx_count++;
}

static uint8_t rx_get(struct uart16550 *u)
{
	if (!u->st->rx_count)
		return 0;
	uint8_t byte = u->st->rx[u->st->rx_head];

	u->st->rx_head = (u->st->rx_head + 1) % UART_FIFO_SIZE;
	u->st->rx_count--;
	return byte;
}

static void rx_flush(struct uart16550 *u)
{
	u->st->rx_head = 0;
	u->st->rx_count = 0;
}

void uart_init(struct uart16550 *u, const struct dm_irq *irq, uart_tx_fn *tx, void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->st = &u->own;
	u->st->divisor = UART_RESET_DIVISOR;
	u->st->mcr = UART_MCR_OUT2;
	if (irq)
		u->irq = *irq;
	u->tx = tx;
	u->opaque = opaque;
}

void uart_bind_state(struct uart16550 *u, struct uart16550_state *st, int resumed)
{
	if (!st)
		return;
	if (!resumed) {
		*st = *u->st;
		u->st = st;
		return;
	}
	u->st = st;
	st->rx_head %= UART_FIFO_SIZE;
	if (st->rx_count > UART_FIFO_SIZE)
		st->rx_count = UART_FIFO_SIZE;
}

void uart_resume(struct uart16550 *u)
{
	/* Whoever listens to the line (the PLIC) may not have heard its last level. */
	u->st->irq_level = iir_cause(u) != UART_IIR_NO_INT;
	dm_irq_set(&u->irq, u->st->irq_level);
}

size_t uart_rx_room(const struct uart16550 *u)
{
	if (u->st->mcr & UART_MCR_LOOP)
		return 0;	/* the receiver hears only the transmitter */
	if (!fifo_on(u))
		return u->st->rx_count ? 0 : 1;
	return UART_FIFO_SIZE - u->st->rx_count;
}

size_t uart_receive(struct uart16550 *u, const uint8_t *buf, size_t len)
{
	size_t room = uart_rx_room(u);
	size_t n = len < room ? len : room;

	for (size_t i = 0; i < n; i++)
		rx_put(u, buf[i]);
	if (n)
		update_irq(u);
	return n;
}

static void write_thr(struct uart16550 *u, uint8_t byte)
{
	/* The byte leaves at once: the transmitter is empty again afterwards. */
	if (u->st->mcr & UART_MCR_LOOP)
		rx_put(u, byte);
	else if (u->tx)
		u->tx(u->opaque, byte);
	u->st->thr_ipending = 1;
}

static void write_fcr(struct uart16550 *u, uint8_t val)
{
	if ((val ^ u->st->fcr) & UART_FCR_FE)
		val |= UART_FCR_RFR | UART_FCR_XFR;	/* mode change flushes both */
	if (val & UART_FCR_RFR)
		rx_flush(u);
	if (val & UART_FCR_XFR)
		u->st->thr_ipending = 1;	/* the (always empty) TX FIFO is empty */
	u->st->fcr = val & UART_FCR_KEEP;
}

static void write_mcr(struct uart16550 *u, uint8_t val)
{
	uint8_t old = u->st->mcr;

	u->st->mcr = val & UART_MCR_MASK;
	if (!(old & u->st->mcr & UART_MCR_LOOP))
		return;
	uint8_t before = modem_inputs(old), now = modem_inputs(u->st->mcr);
	uint8_t changed = before ^ now;

	if (changed & UART_MSR_CTS)
		u->st->msr_delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		u->st->msr_delta |= UART_MSR_DDSR;
	if (changed & UART_MSR_DCD)
		u->st->msr_delta |= UART_MSR_DDCD;
	if ((before & UART_MSR_RI) && !(now & UART_MSR_RI))
		u->st->msr_delta |= UART_MSR_TERI;	/* trailing edge of RI only */
}

static void uart_reg_write(struct uart16550 *u, unsigned reg, uint8_t val)
{
	int dlab = u->st->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_THR:
		if (dlab)
			u->st->divisor = (uint16_t)((u->st->divisor & ~BYTE_MASK) | val);
		else
			write_thr(u, val);
		break;
	case UART_IER:
		if (dlab) {
			u->st->divisor = (uint16_t)((u->st->divisor & BYTE_MASK) | (val << DIVISOR_HI_SHIFT));
		} else {
			uint8_t changed = (u->st->ier ^ val) & UART_IER_MASK;

			u->st->ier = val & UART_IER_MASK;
			/* THRE always reads 1 here, so re-sampling it means "pending iff enabled". */
			if (changed & UART_IER_ETBEI)
				u->st->thr_ipending = !!(u->st->ier & UART_IER_ETBEI);
		}
		break;
	case UART_FCR:
		write_fcr(u, val);
		break;
	case UART_LCR:
		u->st->lcr = val;
		break;
	case UART_MCR:
		write_mcr(u, val);
		break;
	case UART_LSR:
	case UART_MSR:
		break;	/* read-only on a 16550A */
	case UART_SCR:
		u->st->scr = val;
		break;
	}
	update_irq(u);
}

int uart_lsr_peek(const struct uart16550 *u, uint8_t *lsr, int *loopback)
{
	/* Transmission is immediate: THRE and TEMT always read 1. */
	*lsr = (u->st->rx_count ? UART_LSR_DR : 0) | u->st->lsr_err | UART_LSR_THRE | UART_LSR_TEMT;
	*loopback = !!(u->st->mcr & UART_MCR_LOOP);
	return !u->st->lsr_err;
}

static uint8_t uart_reg_read(struct uart16550 *u, unsigned reg)
{
	int dlab = u->st->lcr & UART_LCR_DLAB;
	uint8_t ret = 0;

	switch (reg) {
	case UART_RBR:
		if (dlab)
			return u->st->divisor & BYTE_MASK;
		ret = rx_get(u);
		break;
	case UART_IER:
		if (dlab)
			return u->st->divisor >> DIVISOR_HI_SHIFT;
		return u->st->ier;
	case UART_IIR: {
		uint8_t cause = iir_cause(u);

		ret = cause | (fifo_on(u) ? UART_IIR_FIFO : 0);
		if (cause == UART_IIR_THRI)
			u->st->thr_ipending = 0;	/* reading it acknowledges THRE */
		break;
	}
	case UART_LCR:
		return u->st->lcr;
	case UART_MCR:
		return u->st->mcr;
	case UART_LSR: {
		int loopback;
		uart_lsr_peek(u, &ret, &loopback);
		u->st->lsr_err = 0;		/* reading LSR clears the error bits */
		break;
	}
	case UART_MSR:
		ret = modem_inputs(u->st->mcr) | u->st->msr_delta;
		u->st->msr_delta = 0;
		break;
	case UART_SCR:
		return u->st->scr;
	}
	update_irq(u);
	return ret;
}

static int access_ok(uint64_t offset, unsigned size, const char *what)
{
	if (offset < UART_NR_REGS && (size == 1 || size == 2 || size == 4 || size == 8))
		return 1;
	dm_log_guest("uart: %u-byte %s at 0x%llx ignored", size, what,
		     (unsigned long long)offset);
	return 0;
}

static uint64_t uart_read(void *dev, uint64_t offset, unsigned size)
{
	if (!access_ok(offset, size, "read"))
		return 0;
	return uart_reg_read(dev, (unsigned)offset);
}

static void uart_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
	if (!access_ok(offset, size, "write"))
		return;
	uart_reg_write(dev, (unsigned)offset, (uint8_t)(value & BYTE_MASK));
}

const struct dm_mmio_ops uart_mmio_ops = {
	.read = uart_read,
	.write = uart_write,
};
