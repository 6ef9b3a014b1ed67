// SPDX-License-Identifier: MIT
/* console_input.c: routes UART input to the domain that has the focus; Ctrl-A x3 switches. */
#include "console_input.h"
#include "domain.h"
#include "uart.h"
#include "print.h"
#include "spinlock.h"

#define CTRL_A 0x01
#define INPUT_RING 256

static spinlock_t input_lock = SPINLOCK_INIT;
static unsigned focus_id;
static unsigned ctrl_a_run;
static char ring[INPUT_RING];
static unsigned head, tail;

void console_input_set_focus(unsigned domain_id)
{
	spin_lock(&input_lock);
	focus_id = domain_id;
	head = tail = 0;
	spin_unlock(&input_lock);
}

/* With input_lock held: pulls what the UART has into the ring. */
static void drain_uart(void)
{
	int c;
	while ((c = uart_getc()) >= 0) {
		if (c == CTRL_A) {
			if (++ctrl_a_run == 3 && domain_dom0()) {
				ctrl_a_run = 0;
				log("the console stays with Dom0: use xl console there to reach a domain");
			} else if (ctrl_a_run == 3) {
				ctrl_a_run = 0;
				char name[RIVET_NAME_LEN];
				unsigned next = domain_next_id(focus_id, name);
				if (next) {
					focus_id = next;
					head = tail = 0;
					log("console input now goes to domain %u \"%s\" (Ctrl-A three times switches)",
					    next, name);
				}
			}
			continue;
		}
		/* Ctrl-A once or twice then another key: the Ctrl-As were meant for the guest. */
		for (; ctrl_a_run; ctrl_a_run--)
			if (head - tail < INPUT_RING)
				ring[head++ % INPUT_RING] = CTRL_A;
		if (head - tail < INPUT_RING)
			ring[head++ % INPUT_RING] = (char)c;
	}
}

void console_input_irq(void)
{
	spin_lock(&input_lock);
	drain_uart();
	spin_unlock(&input_lock);
}

unsigned long console_input_push(struct domain *d, const char *buf, unsigned long len)
{
	unsigned long n = 0;
	spin_lock(&d->con_lock);
	while (n < len && d->in_head - d->in_tail < sizeof(d->in_ring))
		d->in_ring[d->in_head++ % sizeof(d->in_ring)] = buf[n++];
	spin_unlock(&d->con_lock);
	return n;
}

int console_input_getc(struct domain *d)
{
	int c = -1;
	struct domain *dom0 = domain_dom0();
	if (dom0 && d != dom0) {
		/* With a Dom0, a DomU's input is what Dom0's console daemon sent it. */
		spin_lock(&d->con_lock);
		if (d->in_tail != d->in_head)
			c = (unsigned char)d->in_ring[d->in_tail++ % sizeof(d->in_ring)];
		spin_unlock(&d->con_lock);
		return c;
	}
	/* A domain that asks for input has finished its prompt: show it. */
	domain_console_flush(d);
	spin_lock(&input_lock);
	drain_uart();
	if (d->id == focus_id && head != tail)
		c = (unsigned char)ring[tail++ % INPUT_RING];
	spin_unlock(&input_lock);
	return c;
}
