/* SPDX-License-Identifier: MIT */
/* plic.h: the host PLIC, used by the microvisor for its own devices (the UART). */
#ifndef RIVET_PLIC_H
#define RIVET_PLIC_H
#include "types.h"
void plic_init(u64 base, unsigned context);
/* Whether plic_init ran: without it the others do nothing (claim returns 0). */
bool plic_ready(void);
void plic_enable(unsigned irq);
/* Returns the pending interrupt with the highest priority, 0 if none. */
unsigned plic_claim(void);
void plic_complete(unsigned irq);
#endif
