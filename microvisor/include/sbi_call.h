/* SPDX-License-Identifier: MIT */
/* sbi_call.h: the microvisor's own calls down to the M-mode firmware (OpenSBI). */
#ifndef RIVET_SBI_CALL_H
#define RIVET_SBI_CALL_H
#include "types.h"

#include "public/sbi_abi.h"

/* Two registers' worth, so that handlers return it in a0/a1 on the trap fast path. */
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
	return (struct sbiret){ .error = (long)r0, .value = (long)r1 };
}

static inline void fw_set_timer(u64 deadline) { sbi_ecall(SBI_EXT_TIME, 0, deadline, 0, 0); }
static inline void fw_send_ipi(unsigned long hartid) { sbi_ecall(SBI_EXT_IPI, 0, 1, hartid, 0); }
static inline long fw_hart_start(unsigned long hartid, unsigned long addr, unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, 0, hartid, addr, opaque).error;
}
static inline void fw_shutdown(void) { sbi_ecall(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, 0, 0); }
static inline void fw_reboot(void) { sbi_ecall(SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, 0, 0); }
#endif
#endif
