/* SPDX-License-Identifier: MIT */
/* sbi_call.h: the microvisor's own calls down to the M-mode firmware (OpenSBI). */
#ifndef RIVET_SBI_CALL_H
#define RIVET_SBI_CALL_H
#include "types.h"

#define SBI_EXT_BASE    0x10
#define SBI_EXT_TIME    0x54494D45
#define SBI_EXT_IPI     0x735049
#define SBI_EXT_RFENCE  0x52464E43
#define SBI_EXT_HSM     0x48534D
#define SBI_EXT_SRST    0x53525354
#define SBI_EXT_DBCN    0x4442434E
#define SBI_EXT_LEGACY_SET_TIMER      0x00
#define SBI_EXT_LEGACY_PUTCHAR        0x01
#define SBI_EXT_LEGACY_GETCHAR        0x02
#define SBI_EXT_LEGACY_CLEAR_IPI      0x03
#define SBI_EXT_LEGACY_SEND_IPI       0x04
#define SBI_EXT_LEGACY_FENCE_I        0x05
#define SBI_EXT_LEGACY_SFENCE_VMA     0x06
#define SBI_EXT_LEGACY_SFENCE_VMA_ASID 0x07
#define SBI_EXT_LEGACY_SHUTDOWN       0x08

#define SBI_SRST_SHUTDOWN    0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_WARM_REBOOT 2

struct sbiret { long error; long value; };

#ifndef RIVET_HOST_BUILD

static inline struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0,
				      unsigned long a1, unsigned long a2)
{
	register unsigned long r0 asm("a0") = a0;
	register unsigned long r1 asm("a1") = a1;
	register unsigned long r2 asm("a2") = a2;
	register unsigned long r6 asm("a6") = fid;
	register unsigned long r7 asm("a7") = ext;
	asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ (long)r0, (long)r1 };
}

static inline void fw_set_timer(u64 deadline) { sbi_ecall(SBI_EXT_TIME, 0, deadline, 0, 0); }
static inline void fw_send_ipi(unsigned long hartid) { sbi_ecall(SBI_EXT_IPI, 0, 1, hartid, 0); }
static inline long fw_hart_start(unsigned long hartid, unsigned long addr, unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, 0, hartid, addr, opaque).error;
}
static inline void fw_shutdown(void) { sbi_ecall(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, 0, 0); }
#endif
#endif
