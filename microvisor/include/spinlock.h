/* SPDX-License-Identifier: MIT */
/* spinlock.h: test-and-test-and-set spinlock and the atomics the microvisor uses. */
#ifndef RIVET_SPINLOCK_H
#define RIVET_SPINLOCK_H
#include "types.h"

typedef struct { volatile int locked; } spinlock_t;
#define SPINLOCK_INIT { 0 }

#if defined(__riscv)
/*
 * Test-and-test-and-set in the RISC-V mappings of an acquiring swap and a
 * releasing store (the unprivileged spec's memory-model table), written out
 * because GCC 12 widens both: it sign-extends the swap's old value before
 * the test, keeps a second 1 for the retry, and makes the release an
 * amoswap behind its fence, each with an address add. Uncontended: li,
 * amoswap, branch.
 */
static inline void spin_lock(spinlock_t *l)
{
	unsigned long old;
	__asm__ volatile("1:	amoswap.w.aq	%0, %2, %1\n"
			 "	beqz	%0, 3f\n"
			 "2:	lw	%0, %1\n"
			 "	bnez	%0, 2b\n"
			 "	j	1b\n"
			 "3:"
			 : "=&r"(old), "+A"(l->locked) : "r"(1) : "memory");
}
static inline void spin_unlock(spinlock_t *l)
{
	/* iorw, ow: device accesses in the critical section (the UART, the PLIC) go before the release too. */
	__asm__ volatile("fence iorw, ow\n\tsw zero, %0" : "=m"(l->locked) : : "memory");
}
#else
static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			;
}
static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
#endif
/* In a spin-wait loop: makes the compiler read memory again. */
static inline void cpu_relax(void) { __asm__ volatile("" ::: "memory"); }
static inline u64 atomic_or(volatile u64 *p, u64 v) { return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST); }
static inline u64 atomic_xchg(volatile u64 *p, u64 v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }
static inline u64 atomic_read(volatile u64 *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline u64 atomic_add(volatile u64 *p, u64 v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
/* True, and *P is NEW, when *P was OLD. */
static inline bool atomic_cas(volatile u64 *p, u64 old, u64 new)
{
	return __atomic_compare_exchange_n(p, &old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
#endif
