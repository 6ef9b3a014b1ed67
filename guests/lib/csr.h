/* SPDX-License-Identifier: MIT */
/* csr.h: S-mode CSR accessors and the bit fields the guests use. */
#ifndef GUEST_CSR_H
#define GUEST_CSR_H

#define __csr_str(x) #x
#define csr_str(x) __csr_str(x)

#define csr_read(csr) ({ unsigned long __v; \
	__asm__ volatile("csrr %0, " csr_str(csr) : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) \
	__asm__ volatile("csrw " csr_str(csr) ", %0" :: "rK"(val) : "memory")
#define csr_set(csr, val) \
	__asm__ volatile("csrs " csr_str(csr) ", %0" :: "rK"(val) : "memory")
#define csr_clear(csr, val) \
	__asm__ volatile("csrc " csr_str(csr) ", %0" :: "rK"(val) : "memory")

#define CSR_STIMECMP   0x14d   /* Sstc; spelled as a number for older assemblers */

#define SSTATUS_SIE    (1UL << 1)
#define SIE_SSIE       (1UL << 1)
#define SIE_STIE       (1UL << 5)
#define SIE_SEIE       (1UL << 9)
#define SIP_SSIP       SIE_SSIE
#define SIP_STIP       SIE_STIE

#define SCAUSE_INTR    (1UL << 63)
#define IRQ_S_SOFT     1
#define IRQ_S_TIMER    5
#define IRQ_S_EXT      9
#define EXC_ILLEGAL_INSN 2

static inline unsigned long rdtime(void)
{
	unsigned long t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static inline void wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

/* Waits, with sie.SSIE set and interrupts off, for an IPI (sip.SSIP), and takes it. */
static inline void wait_ipi(void)
{
	while (!(csr_read(sip) & SIP_SSIP))
		__asm__ volatile("wfi");
	csr_clear(sip, SIP_SSIP);
}

#endif
