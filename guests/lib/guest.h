/* SPDX-License-Identifier: MIT */
/* guest.h: what the runtime offers every guest: entry points, time, shutdown. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#define GUEST_MAX_HARTS    8        /* start.S has a stack for hart ids 0..7 */
#define GUEST_STACK_BYTES  16384
#define TIMEBASE_HZ        10000000UL /* QEMU virt, and every Rivet domain */
#define TICKS_PER_MS       (TIMEBASE_HZ / 1000)
#define TICKS_PER_US       (TIMEBASE_HZ / 1000000)

/* Boot vCPU: a0 = hart (vCPU) id, a1 = DTB address. */
int main(unsigned long hartid, unsigned long dtb);

/* Harts started by SBI HSM at secondary_entry land here: a0 = hart id, a1 = opaque. */
void secondary_main(unsigned long hartid, unsigned long opaque);
extern char secondary_entry[];

/* start.S keeps the hart id in tp; nothing else uses it (no TLS). */
static inline unsigned long this_hart(void)
{
	unsigned long id;

	__asm__ volatile("mv %0, tp" : "=r"(id));
	return id;
}

/* Spin on the time CSR, without interrupts. */
void delay_ticks(unsigned long ticks);

/* SRST shutdown, then legacy shutdown, then wfi forever. */
void guest_shutdown(void) __attribute__((noreturn));

/* HSM hart_stop; wfi forever if it returns. */
void guest_hart_stop(void) __attribute__((noreturn));

#endif
