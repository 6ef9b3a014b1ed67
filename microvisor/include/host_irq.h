/* SPDX-License-Identifier: MIT */
/* host_irq.h: the microvisor's own device interrupts (today: UART input), taken on one hart. */
#ifndef RIVET_HOST_IRQ_H
#define RIVET_HOST_IRQ_H
#include "platform.h"
/* Routes the UART's interrupt to this hart; without a PLIC, input stays polled. */
void host_irq_init(const struct platform *p, unsigned hart_index);
void host_ext_irq(void);
#endif
