/* SPDX-License-Identifier: MIT */
/* test_dm_uart.c: rivet-dm's 16550A model: what Linux's 8250 driver relies on, and hostile accesses. */
#include <stdint.h>

#include "check.h"
#include "uart16550.h"

static struct uart16550 uart;

/* The interrupt line as the PLIC would see it. */
static int irq_level, irq_calls;
static unsigned irq_source;

static void irq_set(void *ctx, unsigned source, int level)
{
	CHECK(ctx == &uart);
	irq_source = source;
	irq_level = level;
	irq_calls++;
}

/* Bytes handed to the transmit callback. */
static uint8_t txbuf[64];
static unsigned nr_tx;

static void on_tx(void *opaque, uint8_t byte)
{
	CHECK(opaque == &uart);
	if (nr_tx < sizeof(txbuf))
		txbuf[nr_tx] = byte;
	nr_tx++;
}

static void reset(void)
{
	struct dm_irq irq = { irq_set, &uart, UART_IRQ };

	uart_init(&uart, &irq, on_tx, &uart);
	irq_level = irq_calls = 0;
	irq_source = 0;
	nr_tx = 0;
}

static uint8_t rd(unsigned reg)
{
	return (uint8_t)uart_mmio_ops.read(&uart, reg, 1);
}

static void wr(unsigned reg, uint8_t v)
{
	uart_mmio_ops.write(&uart, reg, 1, v);
}

static size_t feed(const char *s, size_t n)
{
	return uart_receive(&uart, (const uint8_t *)s, n);
}

TEST(reset_state)
{
	reset();
	CHECK_EQ(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	CHECK_EQ(rd(UART_IIR), UART_IIR_NO_INT);
	CHECK_EQ(rd(UART_IER), 0);
	CHECK_EQ(rd(UART_LCR), 0);
	CHECK_EQ(rd(UART_MCR), UART_MCR_OUT2);
	CHECK_EQ(rd(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	CHECK_EQ(rd(UART_SCR), 0);
	CHECK_EQ(uart_rx_room(&uart), 1);	/* FIFOs off: one holding register */
	CHECK_EQ(irq_calls, 0);
	/* A NULL irq and tx are allowed. */
	uart_init(&uart, NULL, NULL, NULL);
	wr(UART_IER, UART_IER_ETBEI);
	wr(UART_THR, 'x');
	CHECK_EQ(rd(UART_IIR), UART_IIR_THRI);
}

TEST(scratch)
{
	reset();
	wr(UART_SCR, 0xa5);
	CHECK_EQ(rd(UART_SCR), 0xa5);
	wr(UART_SCR, 0x5a);
	CHECK_EQ(rd(UART_SCR), 0x5a);
}

TEST(dlab_divisor)
{
	reset();
	wr(UART_IER, UART_IER_ERBFI);
	wr(UART_LCR, UART_LCR_DLAB | 0x03);
	CHECK_EQ(rd(UART_DLL), 12);	/* QEMU's reset divisor */
	CHECK_EQ(rd(UART_DLM), 0);
	wr(UART_DLL, 0x01);
	wr(UART_DLM, 0x80);
	CHECK_EQ(rd(UART_DLL), 0x01);
	CHECK_EQ(rd(UART_DLM), 0x80);
	CHECK_EQ(nr_tx, 0);		/* DLL is not THR */
	CHECK_EQ(rd(UART_LCR), UART_LCR_DLAB | 0x03);
	wr(UART_LCR, 0x03);
	CHECK_EQ(rd(UART_IER), UART_IER_ERBFI);	/* DLM did not touch IER */
	wr(UART_IER, 0xff);
	CHECK_EQ(rd(UART_IER), UART_IER_MASK);
	wr(UART_LCR, UART_LCR_DLAB);
	CHECK_EQ(rd(UART_DLM), 0x80);
	CHECK_EQ(uart.st->divisor, 0x8001);
}

TEST(fifo_detection)
{
	reset();
	wr(UART_FCR, UART_FCR_FE);
	CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	wr(UART_FCR, UART_FCR_FE | 0x20);	/* the 16750's 64-byte bit does not stick */
	CHECK_EQ(rd(UART_IIR) & 0x30, 0);
	wr(UART_FCR, 0);
	CHECK_EQ(rd(UART_IIR), UART_IIR_NO_INT);
	CHECK_EQ(uart_rx_room(&uart), 1);
	wr(UART_FCR, UART_FCR_FE | UART_FCR_TRIG);
	CHECK_EQ(uart_rx_room(&uart), UART_FIFO_SIZE);
}

/* Linux 8250_port.c's autoconfig() and autoconfig_16550a(), step by step. */
TEST(linux_autoconfig)
{
	reset();
	/* IER: 0 and 0x0f must both read back */
	wr(UART_IER, 0);
	CHECK_EQ(rd(UART_IER) & 0x0f, 0);
	wr(UART_IER, 0x0f);
	CHECK_EQ(rd(UART_IER) & 0x0f, 0x0f);
	wr(UART_IER, 0);
	/* loopback test: MCR = LOOP | OUT2 | RTS must give MSR DCD | CTS */
	uint8_t save_mcr = rd(UART_MCR);
	wr(UART_MCR, UART_MCR_LOOP | 0x0a);
	CHECK_EQ(rd(UART_MSR) & 0xf0, 0x90);
	wr(UART_MCR, save_mcr);
	/* EFR (LCR 0xbf, offset 2) cleared, then FIFO type from IIR 7:6 */
	wr(UART_LCR, 0xbf);
	wr(2, 0);
	wr(UART_LCR, 0);
	wr(UART_FCR, UART_FCR_FE);
	CHECK_EQ(rd(UART_IIR) >> 6, 3);		/* 16550A */
	/* not an ST16C650V1: "EFR" under DLAB is not 0 */
	wr(UART_LCR, 0x80);
	CHECK(rd(2) != 0);
	/* no EFR: not a 16650/16850 */
	wr(UART_LCR, 0xbf);
	CHECK(rd(2) != 0);
	/* not an NS SuperIO: EXCR1 (IIR under LCR 0xe0) does not follow MCR's loop bit */
	wr(UART_LCR, 0);
	uint8_t mcr = rd(UART_MCR);
	wr(UART_LCR, 0xe0);
	uint8_t excr = rd(2);
	CHECK_EQ((excr ^ mcr) & UART_MCR_LOOP, 0);
	wr(UART_LCR, 0);
	wr(UART_MCR, mcr ^ UART_MCR_LOOP);
	wr(UART_LCR, 0xe0);
	excr = rd(2);
	wr(UART_LCR, 0);
	wr(UART_MCR, mcr);
	CHECK_EQ((excr ^ mcr) & UART_MCR_LOOP, 0);
	/* not a TI16750: IIR bit 5 never set */
	wr(UART_FCR, UART_FCR_FE | 0x20);
	uint8_t s1 = rd(UART_IIR) >> 5;
	wr(UART_FCR, UART_FCR_FE);
	wr(UART_LCR, 0x80);
	wr(UART_FCR, UART_FCR_FE | 0x20);
	uint8_t s2 = rd(UART_IIR) >> 5;
	wr(UART_FCR, UART_FCR_FE);
	wr(UART_LCR, 0);
	CHECK(!(s1 == 6 && s2 == 7));
	/* not an XScale: IER's UUE bit (0x40) does not stick */
	wr(UART_IER, 0x40);
	CHECK_EQ(rd(UART_IER) & 0x40, 0);
	wr(UART_IER, 0);
	/* the LSR safety check at startup */
	CHECK(rd(UART_LSR) != 0xff);
	CHECK_EQ(nr_tx, 0);
	CHECK_EQ(irq_level, 0);
}

TEST(loopback)
{
	reset();
	wr(UART_MCR, UART_MCR_LOOP);
	CHECK_EQ(uart_rx_room(&uart), 0);	/* the outside is disconnected */
	CHECK_EQ(feed("zz", 2), 0);
	wr(UART_THR, 'A');
	CHECK_EQ(nr_tx, 0);
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	CHECK_EQ(rd(UART_RBR), 'A');
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 0);
	/* each MCR output drives its MSR input */
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
	CHECK_EQ(rd(UART_MSR) & 0xf0, UART_MSR_DSR);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	CHECK_EQ(rd(UART_MSR) & 0xf0, UART_MSR_CTS);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1);
	CHECK_EQ(rd(UART_MSR) & 0xf0, UART_MSR_RI);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	CHECK_EQ(rd(UART_MSR) & 0xf0, UART_MSR_DCD);
	wr(UART_MCR, 0xff);
	CHECK_EQ(rd(UART_MCR), UART_MCR_MASK);
	CHECK_EQ(rd(UART_MSR) & 0xf0, 0xf0);
	/* out of loopback: bytes go out again, the fixed lines come back */
	wr(UART_MCR, UART_MCR_OUT2);
	CHECK_EQ(rd(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	wr(UART_THR, 'B');
	CHECK_EQ(nr_tx, 1);
	CHECK_EQ(txbuf[0], 'B');
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(uart_rx_room(&uart), 1);
}

TEST(loopback_modem_status)
{
	reset();
	wr(UART_MCR, UART_MCR_LOOP);
	CHECK_EQ(rd(UART_MSR), 0);	/* entering loopback sets no delta */
	wr(UART_IER, UART_IER_EDSSI);
	CHECK_EQ(irq_level, 0);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(UART_IIR), UART_IIR_MSI);
	CHECK_EQ(rd(UART_MSR), UART_MSR_DSR | UART_MSR_RI | UART_MSR_DDSR);	/* RI rose: no TERI */
	CHECK_EQ(irq_level, 0);		/* reading MSR clears the deltas */
	CHECK_EQ(rd(UART_MSR), UART_MSR_DSR | UART_MSR_RI);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);
	CHECK_EQ(rd(UART_MSR), UART_MSR_CTS | UART_MSR_DCD |
		 UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_TERI | UART_MSR_DDCD);
	wr(UART_MCR, UART_MCR_OUT2);	/* leaving loopback sets none */
	CHECK_EQ(rd(UART_IIR), UART_IIR_NO_INT);
	CHECK_EQ(rd(UART_MSR) & UART_MSR_DELTA, 0);
}

TEST(thre_interrupt)
{
	reset();
	wr(UART_IER, UART_IER_ETBEI);	/* transmitter empty: raised at once */
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(irq_source, UART_IRQ);
	CHECK_EQ(rd(UART_IIR), UART_IIR_THRI);
	CHECK_EQ(irq_level, 0);		/* reading IIR acknowledged it */
	CHECK_EQ(rd(UART_IIR), UART_IIR_NO_INT);
	wr(UART_THR, 'h');		/* sent at once: empty again */
	CHECK_EQ(nr_tx, 1);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	wr(UART_IER, 0);
	CHECK_EQ(irq_level, 0);
	/* 8250's THRE test: re-enabling ETBEI re-raises it */
	wr(UART_IER, UART_IER_ETBEI);
	CHECK_EQ(rd(UART_IIR), UART_IIR_THRI);
	wr(UART_IER, 0);
	wr(UART_IER, UART_IER_ETBEI);
	CHECK_EQ(rd(UART_IIR), UART_IIR_THRI);
	/* rewriting IER with ETBEI unchanged does not re-raise it */
	wr(UART_IER, UART_IER_ETBEI | UART_IER_ERBFI);
	CHECK_EQ(rd(UART_IIR), UART_IIR_NO_INT);
	/* a THR write clears a pending THRE before re-raising it: one cause, line stays up */
	wr(UART_THR, 'i');
	int calls = irq_calls;
	wr(UART_THR, 'j');
	CHECK_EQ(irq_calls, calls);
	CHECK_EQ(irq_level, 1);
	/* TX FIFO reset makes THRE pending too (QEMU) */
	CHECK_EQ(rd(UART_IIR), UART_IIR_THRI);
	wr(UART_FCR, UART_FCR_FE);
	CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);
	CHECK_EQ(nr_tx, 3);
	CHECK_EQ(txbuf[1], 'i');
	CHECK_EQ(txbuf[2], 'j');
}

TEST(rx_interrupt_non_fifo)
{
	reset();
	CHECK_EQ(feed("a", 1), 1);
	CHECK_EQ(irq_level, 0);		/* not enabled */
	wr(UART_IER, UART_IER_ERBFI);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(UART_IIR), UART_IIR_RDI);
	CHECK_EQ(uart_rx_room(&uart), 0);
	CHECK_EQ(feed("b", 1), 0);	/* held back, never overrun */
	CHECK_EQ(rd(UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
	CHECK_EQ(rd(UART_RBR), 'a');
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(rd(UART_IIR), UART_IIR_NO_INT);
	CHECK_EQ(rd(UART_RBR), 0);	/* empty */
	CHECK_EQ(uart_rx_room(&uart), 1);
}

TEST(rx_trigger_levels)
{
	static const struct { uint8_t fcr; unsigned trig; } t[] = {
		{ 0x00, 1 }, { 0x40, 4 }, { 0x80, 8 }, { 0xc0, 14 },
	};
	char buf[UART_FIFO_SIZE] = "0123456789abcdef";

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		reset();
		wr(UART_FCR, UART_FCR_FE | t[i].fcr);
		wr(UART_IER, UART_IER_ERBFI);
		CHECK_EQ(irq_level, 0);
		if (t[i].trig > 1) {
			/* below the trigger: the character timeout reports it */
			CHECK_EQ(feed(buf, t[i].trig - 1), t[i].trig - 1);
			CHECK_EQ(irq_level, 1);
			CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_CTI);
			CHECK_EQ(feed(buf + t[i].trig - 1, 1), 1);
		} else {
			CHECK_EQ(feed(buf, 1), 1);
		}
		CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_RDI);
		CHECK_EQ(uart_rx_room(&uart), UART_FIFO_SIZE - t[i].trig);
		for (unsigned n = 0; n < t[i].trig; n++)
			CHECK_EQ(rd(UART_RBR), buf[n]);
		CHECK_EQ(irq_level, 0);
		CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
		CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 0);
	}
}

TEST(rx_fifo_no_overflow_from_outside)
{
	char big[40];

	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (char)('A' + i);
	reset();
	wr(UART_FCR, UART_FCR_FE);
	CHECK_EQ(feed(big, sizeof(big)), UART_FIFO_SIZE);
	CHECK_EQ(uart_rx_room(&uart), 0);
	CHECK_EQ(feed(big, 1), 0);
	CHECK_EQ(rd(UART_LSR) & UART_LSR_OE, 0);
	/* the ring wraps correctly as it is drained and refilled */
	for (unsigned i = 0; i < 10; i++)
		CHECK_EQ(rd(UART_RBR), big[i]);
	CHECK_EQ(feed(big + UART_FIFO_SIZE, sizeof(big) - UART_FIFO_SIZE), 10);
	for (unsigned i = 10; i < UART_FIFO_SIZE + 10; i++)
		CHECK_EQ(rd(UART_RBR), big[i]);
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(feed(big, 0), 0);
}

TEST(overrun_in_loopback)
{
	reset();
	wr(UART_FCR, UART_FCR_FE);
	wr(UART_MCR, UART_MCR_LOOP);
	for (unsigned i = 0; i < UART_FIFO_SIZE + 2; i++)
		wr(UART_THR, (uint8_t)i);
	wr(UART_IER, UART_IER_ERBFI | UART_IER_ELSI | UART_IER_ETBEI | UART_IER_EDSSI);
	/* line status outranks received data, which outranks THRE */
	CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_RLSI);
	CHECK_EQ(rd(UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
	CHECK_EQ(rd(UART_LSR) & UART_LSR_OE, 0);	/* cleared by the read */
	CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_RDI);
	for (unsigned i = 0; i < UART_FIFO_SIZE; i++)	/* the FIFO kept the first 16 */
		CHECK_EQ(rd(UART_RBR), i);
	CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);
	CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	CHECK_EQ(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_MSI);
	CHECK_EQ(irq_level, 1);
	rd(UART_MSR);
	CHECK_EQ(irq_level, 0);

	/* without FIFOs the holding register is overwritten */
	reset();
	wr(UART_MCR, UART_MCR_LOOP);
	wr(UART_THR, 'x');
	wr(UART_THR, 'y');
	CHECK_EQ(rd(UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
	CHECK_EQ(rd(UART_RBR), 'y');
	CHECK_EQ(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}

/* The peek is what a read returns, says when a read would change something, and changes nothing. */
TEST(lsr_peek)
{
	uint8_t lsr;
	int loop;
	reset();
	CHECK_EQ(uart_lsr_peek(&uart, &lsr, &loop), 1);
	CHECK_EQ(lsr, UART_LSR_THRE | UART_LSR_TEMT);
	CHECK_EQ(loop, 0);
	CHECK_EQ(uart_receive(&uart, (const uint8_t *)"a", 1), 1);
	CHECK_EQ(uart_lsr_peek(&uart, &lsr, &loop), 1);
	CHECK_EQ(lsr, rd(UART_LSR));
	wr(UART_MCR, UART_MCR_LOOP);
	wr(UART_THR, 'x');   /* overwrites the holding register: OE */
	CHECK_EQ(uart_lsr_peek(&uart, &lsr, &loop), 0);
	CHECK_EQ(loop, 1);
	CHECK(lsr & UART_LSR_OE);
	CHECK_EQ(uart_lsr_peek(&uart, &lsr, &loop), 0);   /* peeking cleared nothing */
	CHECK_EQ(rd(UART_LSR), lsr);
	CHECK_EQ(uart_lsr_peek(&uart, &lsr, &loop), 1);   /* the read did */
}

TEST(fifo_reset)
{
	reset();
	wr(UART_FCR, UART_FCR_FE);
	CHECK_EQ(feed("abc", 3), 3);
	wr(UART_FCR, UART_FCR_FE | UART_FCR_RFR);
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(uart_rx_room(&uart), UART_FIFO_SIZE);
	CHECK_EQ(feed("abc", 3), 3);
	wr(UART_FCR, 0);		/* leaving FIFO mode flushes */
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(feed("d", 1), 1);
	wr(UART_FCR, UART_FCR_FE);	/* and so does entering it */
	CHECK_EQ(rd(UART_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(uart.st->fcr, UART_FCR_FE);
	wr(UART_FCR, 0xff);		/* only FE, DMA and the trigger stick */
	CHECK_EQ(uart.st->fcr, UART_FCR_KEEP);
}

TEST(irq_calls_on_change_only)
{
	reset();
	wr(UART_FCR, UART_FCR_FE);
	wr(UART_IER, UART_IER_ERBFI);
	CHECK_EQ(feed("a", 1), 1);
	CHECK_EQ(irq_calls, 1);
	CHECK_EQ(feed("b", 1), 1);
	CHECK_EQ(feed("cdefgh", 6), 6);
	CHECK_EQ(irq_calls, 1);
	while (rd(UART_LSR) & UART_LSR_DR)
		rd(UART_RBR);
	CHECK_EQ(irq_calls, 2);
	CHECK_EQ(irq_level, 0);
}

TEST(odd_offsets_and_sizes)
{
	static const unsigned sizes[] = { 2, 4, 8 };
	static const unsigned bad_sizes[] = { 0, 3, 5, 16 };

	reset();
	/* wider accesses act on the one register at their offset, low byte only */
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uart_mmio_ops.write(&uart, UART_SCR, sizes[i], 0x12345678ab00ull + i);
		CHECK_EQ(uart_mmio_ops.read(&uart, UART_SCR, sizes[i]), i);
	}
	uart_mmio_ops.write(&uart, UART_SCR, 4, 0x77);
	for (unsigned i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		uart_mmio_ops.write(&uart, UART_SCR, bad_sizes[i], 0x11);
		CHECK_EQ(uart_mmio_ops.read(&uart, UART_SCR, bad_sizes[i]), 0);
	}
	CHECK_EQ(rd(UART_SCR), 0x77);
	/* offsets past the 8 registers: nothing there */
	static const uint64_t offs[] = { 8, 9, 0x10, 0x17, 0xff, UART_SIZE, 0xffffffffffffffffull };
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		for (unsigned s = 1; s <= 8; s *= 2) {
			uart_mmio_ops.write(&uart, offs[i], s, 0xff);
			CHECK_EQ(uart_mmio_ops.read(&uart, offs[i], s), 0);
		}
	}
	CHECK_EQ(nr_tx, 0);
	CHECK_EQ(rd(UART_IER), 0);
	CHECK_EQ(rd(UART_LCR), 0);
	CHECK_EQ(rd(UART_MCR), UART_MCR_OUT2);
	CHECK_EQ(rd(UART_SCR), 0x77);
	/* writes to LSR and MSR are ignored */
	wr(UART_LSR, 0xff);
	wr(UART_MSR, 0xff);
	CHECK_EQ(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	CHECK_EQ(rd(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	/* a 4-byte THR write sends one byte */
	uart_mmio_ops.write(&uart, UART_THR, 4, 0x41424344);
	CHECK_EQ(nr_tx, 1);
	CHECK_EQ(txbuf[0], 0x44);
}

int main(void)
{
	check_suite = "dm_uart";
	RUN(reset_state);
	RUN(scratch);
	RUN(dlab_divisor);
	RUN(fifo_detection);
	RUN(linux_autoconfig);
	RUN(loopback);
	RUN(loopback_modem_status);
	RUN(thre_interrupt);
	RUN(rx_interrupt_non_fifo);
	RUN(rx_trigger_levels);
	RUN(rx_fifo_no_overflow_from_outside);
	RUN(overrun_in_loopback);
	RUN(fifo_reset);
	RUN(irq_calls_on_change_only);
	RUN(odd_offsets_and_sizes);
	RUN(lsr_peek);
	return CHECK_DONE();
}
