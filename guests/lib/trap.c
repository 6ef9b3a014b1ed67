// SPDX-License-Identifier: MIT
/* trap.c: routes S-mode interrupts to registered handlers and reports unexpected exceptions. */
#include "trap.h"
#include "csr.h"
#include "guest.h"
#include "print.h"

#define NR_IRQS 16

extern char trap_vector[];

static trap_irq_fn irq_handlers[NR_IRQS];
static trap_exc_fn exc_handler;

_Static_assert(sizeof(struct trap_frame) == 288, "trap.S FRAME_BYTES");
_Static_assert(__builtin_offsetof(struct trap_frame, sepc) == 256, "trap.S SEPC");

void trap_init(void)
{
	csr_write(stvec, (unsigned long)trap_vector);
}

void trap_set_irq(unsigned int irq, trap_irq_fn fn)
{
	if (irq < NR_IRQS)
		irq_handlers[irq] = fn;
}

void trap_set_exception(trap_exc_fn fn)
{
	exc_handler = fn;
}

void trap_handle(struct trap_frame *f)
{
	if (f->scause & SCAUSE_INTR) {
		unsigned long irq = f->scause & ~SCAUSE_INTR;

		if (irq < NR_IRQS && irq_handlers[irq]) {
			irq_handlers[irq](f);
			return;
		}
		printf("trap: unexpected interrupt scause=0x%lx sepc=0x%lx\n",
		       f->scause, f->sepc);
		guest_shutdown();
	}
	if (exc_handler && exc_handler(f))
		return;
	printf("trap: unexpected exception scause=0x%lx sepc=0x%lx stval=0x%lx\n",
	       f->scause, f->sepc, f->stval);
	guest_shutdown();
}
