// SPDX-License-Identifier: MIT
/* plic.c: routes one host interrupt source to one hart's S-mode context of the platform PLIC. */
#include "plic.h"

#define PLIC_PRIORITY(irq)     (4UL * (irq))
#define PLIC_ENABLE(ctx, irq)  (0x2000UL + 0x80UL * (ctx) + 4UL * ((irq) / 32))
#define PLIC_THRESHOLD(ctx)    (0x200000UL + 0x1000UL * (ctx))
#define PLIC_CLAIM(ctx)        (0x200004UL + 0x1000UL * (ctx))

static u64 plic_base;
static unsigned plic_ctx;

static volatile u32 *reg(u64 off) { return (volatile u32 *)(uintptr_t)(plic_base + off); }

void plic_init(u64 base, unsigned context)
{
	plic_base = base;
	plic_ctx = context;
	*reg(PLIC_THRESHOLD(context)) = 0;
}

bool plic_ready(void) { return plic_base != 0; }

void plic_enable(unsigned irq)
{
	if (!plic_base)
		return;
	*reg(PLIC_PRIORITY(irq)) = 1;
	*reg(PLIC_ENABLE(plic_ctx, irq)) |= 1U << (irq % 32);
}

unsigned plic_claim(void) { return plic_base ? *reg(PLIC_CLAIM(plic_ctx)) : 0; }
void plic_complete(unsigned irq)
{
	if (plic_base)
		*reg(PLIC_CLAIM(plic_ctx)) = irq;
}
