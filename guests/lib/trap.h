/* SPDX-License-Identifier: MIT */
/* trap.h: the S-mode trap vector: per-cause interrupt handlers and an exception hook. */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

/* Layout shared with trap.S: x[0..31] (x[0] unused, x[2] = sp at the trap), then CSRs. */
struct trap_frame {
	unsigned long x[32];  /* offset 0 */
	unsigned long sepc;   /* 256; written back on return */
	unsigned long scause; /* 264 */
	unsigned long stval;  /* 272 */
	unsigned long pad;    /* 280; keeps the frame 16-byte aligned */
};

typedef void (*trap_irq_fn)(struct trap_frame *f);
/* Returns nonzero if it handled the exception (and moved sepc as needed). */
typedef int (*trap_exc_fn)(struct trap_frame *f);

/* Point this hart's stvec at the vector. Each hart that takes traps calls it. */
void trap_init(void);
void trap_set_irq(unsigned int irq, trap_irq_fn fn);
void trap_set_exception(trap_exc_fn fn);

/* Called by trap.S. Unhandled traps print a line and shut the guest down. */
void trap_handle(struct trap_frame *f);

#endif
