/* SPDX-License-Identifier: MIT */
/* host_irq.h: host device interrupts (the UART's; Dom0's devices' go on to it), taken on one hart. */
#ifndef RIVET_HOST_IRQ_H
#define RIVET_HOST_IRQ_H
#include "platform.h"
/* Routes the UART's interrupt to this hart; without a PLIC, input stays polled. */
void host_irq_init(const struct platform *p, unsigned hart_index);
void host_ext_irq(void);
#endif
