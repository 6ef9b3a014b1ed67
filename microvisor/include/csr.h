/* SPDX-License-Identifier: MIT */
/* csr.h: CSR numbers, bit fields and accessors; the only place they are spelled out. */
#ifndef RIVET_CSR_H
#define RIVET_CSR_H

#include "types.h"

/* Supervisor CSRs */
#define CSR_SSTATUS   0x100
#define CSR_SIE       0x104
#define CSR_STVEC     0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SENVCFG    0x10A
#define CSR_SSCRATCH  0x140
#define CSR_SEPC      0x141
#define CSR_SCAUSE    0x142
#define CSR_STVAL     0x143
#define CSR_SIP       0x144
#define CSR_STIMECMP  0x14D
#define CSR_SATP      0x180
#define CSR_CYCLE     0xC00
#define CSR_TIME      0xC01
#define CSR_INSTRET   0xC02

/* Hypervisor CSRs */
#define CSR_HSTATUS   0x600
#define CSR_HEDELEG   0x602
#define CSR_HIDELEG   0x603
#define CSR_HIE       0x604
#define CSR_HTIMEDELTA 0x605
#define CSR_HCOUNTEREN 0x606
#define CSR_HGEIE     0x607
#define CSR_HENVCFG   0x60A
#define CSR_HTVAL     0x643
#define CSR_HIP       0x644
#define CSR_HVIP      0x645
#define CSR_HTINST    0x64A
#define CSR_HGATP     0x680

/* Virtual supervisor CSRs */
#define CSR_VSSTATUS  0x200
#define CSR_VSIE      0x204
#define CSR_VSTVEC    0x205
#define CSR_VSSCRATCH 0x240
#define CSR_VSEPC     0x241
#define CSR_VSCAUSE   0x242
#define CSR_VSTVAL    0x243
#define CSR_VSIP      0x244
#define CSR_VSTIMECMP 0x24D
#define CSR_VSATP     0x280

/* sstatus */
#define SSTATUS_SIE   (1UL << 1)
#define SSTATUS_SPIE  (1UL << 5)
#define SSTATUS_SPP   (1UL << 8)
#define SSTATUS_FS    (3UL << 13)
#define SSTATUS_FS_OFF     (0UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_FS_CLEAN   (2UL << 13)
#define SSTATUS_FS_DIRTY   (3UL << 13)
#define SSTATUS_SUM   (1UL << 18)

/* hstatus */
#define HSTATUS_GVA   (1UL << 6)
#define HSTATUS_SPV   (1UL << 7)
#define HSTATUS_SPVP  (1UL << 8)
#define HSTATUS_HU    (1UL << 9)
#define HSTATUS_VTVM  (1UL << 20)
#define HSTATUS_VTW   (1UL << 21)
#define HSTATUS_VTSR  (1UL << 22)

/* Interrupt numbers (scause with the top bit set) and their sip/hip bits */
#define IRQ_S_SOFT    1
#define IRQ_VS_SOFT   2
#define IRQ_S_TIMER   5
#define IRQ_VS_TIMER  6
#define IRQ_S_EXT     9
#define IRQ_VS_EXT    10
#define IRQ_BIT(n)    (1UL << (n))
#define SCAUSE_IRQ    (1UL << 63)

/* Exception codes */
#define EXC_INST_MISALIGNED   0
#define EXC_INST_ACCESS       1
#define EXC_ILLEGAL_INST      2
#define EXC_BREAKPOINT        3
#define EXC_LOAD_MISALIGNED   4
#define EXC_LOAD_ACCESS       5
#define EXC_STORE_MISALIGNED  6
#define EXC_STORE_ACCESS      7
#define EXC_ECALL_U           8
#define EXC_ECALL_VS          10
#define EXC_INST_PAGE_FAULT   12
#define EXC_LOAD_PAGE_FAULT   13
#define EXC_STORE_PAGE_FAULT  15
#define EXC_SW_CHECK          18   /* Zicfilp: a landing pad check failed */
#define EXC_INST_GUEST_PAGE_FAULT  20
#define EXC_LOAD_GUEST_PAGE_FAULT  21
#define EXC_VIRTUAL_INST      22
#define EXC_STORE_GUEST_PAGE_FAULT 23

/* henvcfg */
#define ENVCFG_FIOM   (1UL << 0)
#define ENVCFG_CBIE   (3UL << 4)
#define ENVCFG_CBCFE  (1UL << 6)
#define ENVCFG_CBZE   (1UL << 7)
#define ENVCFG_LPE    (1UL << 2)    /* Zicfilp: landing pads for the lower mode */
#define ENVCFG_PMM    (3UL << 32)   /* Ssnpm: pointer masking length of the lower mode */
#define ENVCFG_PMM_PMLEN_7  (2UL << 32)
#define ENVCFG_PMM_PMLEN_16 (3UL << 32)
#define ENVCFG_ADUE   (1UL << 61)
#define ENVCFG_PBMTE  (1UL << 62)
#define ENVCFG_STCE   (1UL << 63)

/* hcounteren / scounteren */
#define COUNTEREN_CY  (1UL << 0)
#define COUNTEREN_TM  (1UL << 1)
#define COUNTEREN_IR  (1UL << 2)

/* hgatp */
#define HGATP_MODE_SHIFT 60
#define HGATP_MODE_SV39X4 8UL
#define HGATP_MODE_SV48X4 9UL
#define HGATP_VMID_SHIFT 44
#define HGATP_VMID_MASK  0x3FFFUL
#define HGATP_PPN_MASK   ((1UL << 44) - 1)

#ifndef __ASSEMBLER__
#ifndef RIVET_HOST_BUILD
#define __csr_str(x) #x
#define csr_read(csr) ({ unsigned long __v; \
	asm volatile("csrr %0, " __csr_str(csr) : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	asm volatile("csrw " __csr_str(csr) ", %0" :: "rK"(__v) : "memory"); })
#define csr_set(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	asm volatile("csrs " __csr_str(csr) ", %0" :: "rK"(__v) : "memory"); })
#define csr_clear(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	asm volatile("csrc " __csr_str(csr) ", %0" :: "rK"(__v) : "memory"); })
#define csr_swap(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	asm volatile("csrrw %0, " __csr_str(csr) ", %1" : "=r"(__v) : "rK"(__v) : "memory"); __v; })

static inline u64 time_now(void) { return csr_read(CSR_TIME); }

static inline void hfence_gvma_all(void)
{
	asm volatile(".option push\n.option arch, +h\nhfence.gvma zero, zero\n.option pop" ::: "memory");
}
static inline void hfence_gvma_vmid(unsigned long vmid)
{
	asm volatile(".option push\n.option arch, +h\nhfence.gvma zero, %0\n.option pop" :: "r"(vmid) : "memory");
}
/* Flushes VS-stage entries of the VMID currently in hgatp. */
static inline void hfence_vvma_all(void)
{
	asm volatile(".option push\n.option arch, +h\nhfence.vvma zero, zero\n.option pop" ::: "memory");
}
static inline void fence_i(void) { asm volatile("fence.i" ::: "memory"); }
static inline void wfi(void) { asm volatile("wfi" ::: "memory"); }
#endif
#endif
#endif
