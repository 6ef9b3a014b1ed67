/* SPDX-License-Identifier: MIT */
/* sbi.h: ecall wrappers for every SBI extension a Rivet guest may use. */
#ifndef GUEST_SBI_H
#define GUEST_SBI_H

#include <public/hypercall.h>
#include <public/sbi_abi.h>

struct sbiret {
	long error;
	long value;
};

static inline struct sbiret sbi_ecall(unsigned long ext, unsigned long fid,
				      unsigned long arg0, unsigned long arg1,
				      unsigned long arg2, unsigned long arg3,
				      unsigned long arg4, unsigned long arg5)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a1 __asm__("a1") = arg1;
	register unsigned long a2 __asm__("a2") = arg2;
	register unsigned long a3 __asm__("a3") = arg3;
	register unsigned long a4 __asm__("a4") = arg4;
	register unsigned long a5 __asm__("a5") = arg5;
	register unsigned long a6 __asm__("a6") = fid;
	register unsigned long a7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1)
			 : "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a6), "r"(a7)
			 : "memory");
	return (struct sbiret){ .error = (long)a0, .value = (long)a1 };
}

/* BASE */
struct sbiret sbi_get_spec_version(void);
struct sbiret sbi_get_impl_id(void);
struct sbiret sbi_get_impl_version(void);
struct sbiret sbi_probe_extension(unsigned long eid);
struct sbiret sbi_get_mvendorid(void);
struct sbiret sbi_get_marchid(void);
struct sbiret sbi_get_mimpid(void);

/* TIME, IPI */
struct sbiret sbi_set_timer(unsigned long stime_value);
struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);

/* RFENCE */
struct sbiret sbi_remote_fence_i(unsigned long hart_mask, unsigned long base);
struct sbiret sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long base,
				    unsigned long start, unsigned long size);
struct sbiret sbi_remote_sfence_vma_asid(unsigned long hart_mask, unsigned long base,
					 unsigned long start, unsigned long size,
					 unsigned long asid);
struct sbiret sbi_remote_hfence_gvma_vmid(unsigned long hart_mask, unsigned long base,
					  unsigned long start, unsigned long size,
					  unsigned long vmid);
struct sbiret sbi_remote_hfence_gvma(unsigned long hart_mask, unsigned long base,
				     unsigned long start, unsigned long size);
struct sbiret sbi_remote_hfence_vvma_asid(unsigned long hart_mask, unsigned long base,
					  unsigned long start, unsigned long size,
					  unsigned long asid);
struct sbiret sbi_remote_hfence_vvma(unsigned long hart_mask, unsigned long base,
				     unsigned long start, unsigned long size);

/* HSM */
struct sbiret sbi_hart_start(unsigned long hartid, unsigned long start_addr,
			     unsigned long opaque);
struct sbiret sbi_hart_stop(void);
struct sbiret sbi_hart_get_status(unsigned long hartid);
struct sbiret sbi_hart_suspend(unsigned long type, unsigned long resume_addr,
			       unsigned long opaque);

/* SRST */
struct sbiret sbi_system_reset(unsigned long type, unsigned long reason);

/* DBCN */
struct sbiret sbi_debug_console_write(unsigned long num_bytes, unsigned long addr_lo,
				      unsigned long addr_hi);
struct sbiret sbi_debug_console_read(unsigned long num_bytes, unsigned long addr_lo,
				     unsigned long addr_hi);
struct sbiret sbi_debug_console_write_byte(unsigned char byte);

/* STA */
struct sbiret sbi_sta_set_shmem(unsigned long lo, unsigned long hi, unsigned long flags);

/*
 * Legacy extensions 0x00-0x08 (SBI v0.1). They return one value in a0:
 * here .value = a0, and .error = a0 when it is negative, else 0.
 */
struct sbiret sbi_legacy_set_timer(unsigned long stime_value);
struct sbiret sbi_legacy_console_putchar(int ch);
struct sbiret sbi_legacy_console_getchar(void);
struct sbiret sbi_legacy_clear_ipi(void);
struct sbiret sbi_legacy_send_ipi(const unsigned long *hart_mask);
struct sbiret sbi_legacy_remote_fence_i(const unsigned long *hart_mask);
struct sbiret sbi_legacy_remote_sfence_vma(const unsigned long *hart_mask,
					   unsigned long start, unsigned long size);
struct sbiret sbi_legacy_remote_sfence_vma_asid(const unsigned long *hart_mask,
						unsigned long start, unsigned long size,
						unsigned long asid);
struct sbiret sbi_legacy_shutdown(void);

/* PMU */
struct sbiret sbi_pmu_num_counters(void);
struct sbiret sbi_pmu_counter_get_info(unsigned long idx);
struct sbiret sbi_pmu_counter_config_matching(unsigned long base, unsigned long mask,
					      unsigned long flags, unsigned long event,
					      unsigned long long data);
struct sbiret sbi_pmu_counter_start(unsigned long base, unsigned long mask, unsigned long flags,
				    unsigned long long initial);
struct sbiret sbi_pmu_counter_stop(unsigned long base, unsigned long mask, unsigned long flags);
struct sbiret sbi_pmu_counter_fw_read(unsigned long idx);
struct sbiret sbi_pmu_counter_fw_read_hi(unsigned long idx);
struct sbiret sbi_pmu_snapshot_set_shmem(unsigned long lo, unsigned long hi, unsigned long flags);

/* Rivet hypercalls (public/hypercall.h). */
struct sbiret rivet_hc_version(void);
struct sbiret rivet_hc_current_hart(void);
struct sbiret rivet_hc_domain_id(void);

#endif
