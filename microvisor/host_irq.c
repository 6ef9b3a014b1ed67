// SPDX-License-Identifier: MIT
/* host_irq.c: claims host PLIC interrupts on the hart that owns them and hands them to their driver. */
#include "host_irq.h"
#include "plic.h"
#include "dom0_devices.h"
#include "uart.h"
#include "console_input.h"
#include "csr.h"
#include "print.h"

static unsigned console_irq;

void host_irq_init(const struct platform *p, unsigned hart_index)
{
	if (!p->plic_base || p->plic_s_context[hart_index] < 0) {
		log("no PLIC route to this hart: console input is polled, Dom0 gets no devices");
		return;
	}
	plic_init(p->plic_base, p->plic_s_context[hart_index]);
	if (p->uart_irq) {
		plic_enable(p->uart_irq);
		console_irq = p->uart_irq;
		uart_enable_rx_irq();
	} else {
		log("no PLIC source for the UART: console input is polled");
	}
	csr_set(CSR_SIE, IRQ_BIT(IRQ_S_EXT));
}

void host_ext_irq(void)
{
	unsigned irq;
	while ((irq = plic_claim()) != 0) {
		if (irq == console_irq)
			console_input_irq();
		else if (dom0_devices_host_irq(irq))
			continue;   /* Dom0's device: Dom0 completes it */
		plic_complete(irq);
	}
}
