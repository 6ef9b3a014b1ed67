// SPDX-License-Identifier: MIT
/* sbi.c: one function per SBI call, numbered as in the SBI v2.0 specification. */
#include "sbi.h"

#define ECALL0(e, f)                   sbi_ecall(e, f, 0, 0, 0, 0, 0, 0)
#define ECALL1(e, f, a)                sbi_ecall(e, f, a, 0, 0, 0, 0, 0)
#define ECALL2(e, f, a, b)             sbi_ecall(e, f, a, b, 0, 0, 0, 0)
#define ECALL3(e, f, a, b, c)          sbi_ecall(e, f, a, b, c, 0, 0, 0)
#define ECALL4(e, f, a, b, c, d)       sbi_ecall(e, f, a, b, c, d, 0, 0)
#define ECALL5(e, f, a, b, c, d, g)    sbi_ecall(e, f, a, b, c, d, g, 0)

struct sbiret sbi_get_spec_version(void)  { return ECALL0(SBI_EXT_BASE, 0); }
struct sbiret sbi_get_impl_id(void)       { return ECALL0(SBI_EXT_BASE, 1); }
struct sbiret sbi_get_impl_version(void)  { return ECALL0(SBI_EXT_BASE, 2); }
struct sbiret sbi_probe_extension(unsigned long eid) { return ECALL1(SBI_EXT_BASE, 3, eid); }
struct sbiret sbi_get_mvendorid(void)     { return ECALL0(SBI_EXT_BASE, 4); }
struct sbiret sbi_get_marchid(void)       { return ECALL0(SBI_EXT_BASE, 5); }
struct sbiret sbi_get_mimpid(void)        { return ECALL0(SBI_EXT_BASE, 6); }

struct sbiret sbi_set_timer(unsigned long stime_value)
{
	return ECALL1(SBI_EXT_TIME, 0, stime_value);
}

struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return ECALL2(SBI_EXT_IPI, 0, hart_mask, hart_mask_base);
}

struct sbiret sbi_remote_fence_i(unsigned long hart_mask, unsigned long base)
{
	return ECALL2(SBI_EXT_RFENCE, 0, hart_mask, base);
}

struct sbiret sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long base,
				    unsigned long start, unsigned long size)
{
	return ECALL4(SBI_EXT_RFENCE, 1, hart_mask, base, start, size);
}

struct sbiret sbi_remote_sfence_vma_asid(unsigned long hart_mask, unsigned long base,
					 unsigned long start, unsigned long size,
					 unsigned long asid)
{
	return ECALL5(SBI_EXT_RFENCE, 2, hart_mask, base, start, size, asid);
}

struct sbiret sbi_remote_hfence_gvma_vmid(unsigned long hart_mask, unsigned long base,
					  unsigned long start, unsigned long size,
					  unsigned long vmid)
{
	return ECALL5(SBI_EXT_RFENCE, 3, hart_mask, base, start, size, vmid);
}

struct sbiret sbi_remote_hfence_gvma(unsigned long hart_mask, unsigned long base,
				     unsigned long start, unsigned long size)
{
	return ECALL4(SBI_EXT_RFENCE, 4, hart_mask, base, start, size);
}

struct sbiret sbi_remote_hfence_vvma_asid(unsigned long hart_mask, unsigned long base,
					  unsigned long start, unsigned long size,
					  unsigned long asid)
{
	return ECALL5(SBI_EXT_RFENCE, 5, hart_mask, base, start, size, asid);
}

struct sbiret sbi_remote_hfence_vvma(unsigned long hart_mask, unsigned long base,
				     unsigned long start, unsigned long size)
{
	return ECALL4(SBI_EXT_RFENCE, 6, hart_mask, base, start, size);
}

struct sbiret sbi_hart_start(unsigned long hartid, unsigned long start_addr,
			     unsigned long opaque)
{
	return ECALL3(SBI_EXT_HSM, 0, hartid, start_addr, opaque);
}

struct sbiret sbi_hart_stop(void)
{
	return ECALL0(SBI_EXT_HSM, 1);
}

struct sbiret sbi_hart_get_status(unsigned long hartid)
{
	return ECALL1(SBI_EXT_HSM, 2, hartid);
}

struct sbiret sbi_hart_suspend(unsigned long type, unsigned long resume_addr,
			       unsigned long opaque)
{
	return ECALL3(SBI_EXT_HSM, 3, type, resume_addr, opaque);
}

struct sbiret sbi_system_reset(unsigned long type, unsigned long reason)
{
	return ECALL2(SBI_EXT_SRST, 0, type, reason);
}

struct sbiret sbi_debug_console_write(unsigned long num_bytes, unsigned long addr_lo,
				      unsigned long addr_hi)
{
	return ECALL3(SBI_EXT_DBCN, 0, num_bytes, addr_lo, addr_hi);
}

struct sbiret sbi_debug_console_read(unsigned long num_bytes, unsigned long addr_lo,
				     unsigned long addr_hi)
{
	return ECALL3(SBI_EXT_DBCN, 1, num_bytes, addr_lo, addr_hi);
}

struct sbiret sbi_debug_console_write_byte(unsigned char byte)
{
	return ECALL1(SBI_EXT_DBCN, 2, byte);
}

struct sbiret sbi_sta_set_shmem(unsigned long lo, unsigned long hi, unsigned long flags)
{
	return ECALL3(SBI_EXT_STA, SBI_STA_SET_SHMEM, lo, hi, flags);
}

static struct sbiret legacy(unsigned long eid, unsigned long a0, unsigned long a1,
			    unsigned long a2, unsigned long a3)
{
	struct sbiret r = sbi_ecall(eid, 0, a0, a1, a2, a3, 0, 0);

	r.value = r.error;
	if (r.error > 0)
		r.error = 0;
	return r;
}

struct sbiret sbi_legacy_set_timer(unsigned long stime_value)
{
	return legacy(0x00, stime_value, 0, 0, 0);
}

struct sbiret sbi_legacy_console_putchar(int ch)
{
	return legacy(0x01, (unsigned char)ch, 0, 0, 0);
}

struct sbiret sbi_legacy_console_getchar(void)
{
	return legacy(0x02, 0, 0, 0, 0);
}

struct sbiret sbi_legacy_clear_ipi(void)
{
	return legacy(0x03, 0, 0, 0, 0);
}

struct sbiret sbi_legacy_send_ipi(const unsigned long *hart_mask)
{
	return legacy(0x04, (unsigned long)hart_mask, 0, 0, 0);
}

struct sbiret sbi_legacy_remote_fence_i(const unsigned long *hart_mask)
{
	return legacy(0x05, (unsigned long)hart_mask, 0, 0, 0);
}

struct sbiret sbi_legacy_remote_sfence_vma(const unsigned long *hart_mask,
					   unsigned long start, unsigned long size)
{
	return legacy(0x06, (unsigned long)hart_mask, start, size, 0);
}

struct sbiret sbi_legacy_remote_sfence_vma_asid(const unsigned long *hart_mask,
						unsigned long start, unsigned long size,
						unsigned long asid)
{
	return legacy(0x07, (unsigned long)hart_mask, start, size, asid);
}

struct sbiret sbi_legacy_shutdown(void)
{
	return legacy(0x08, 0, 0, 0, 0);
}

struct sbiret rivet_hc_version(void)      { return ECALL0(RIVET_SBI_EXT, RIVET_HC_VERSION); }
struct sbiret rivet_hc_current_hart(void) { return ECALL0(RIVET_SBI_EXT, RIVET_HC_CURRENT_HART); }
struct sbiret rivet_hc_domain_id(void)    { return ECALL0(RIVET_SBI_EXT, RIVET_HC_DOMAIN_ID); }

/* PMU: every argument is unsigned long or uint64_t, one register each on RV64. */
struct sbiret sbi_pmu_num_counters(void)
{
	return sbi_ecall(SBI_EXT_PMU, SBI_PMU_NUM_COUNTERS, 0, 0, 0, 0, 0, 0);
}

struct sbiret sbi_pmu_counter_get_info(unsigned long idx)
{
	return sbi_ecall(SBI_EXT_PMU, SBI_PMU_COUNTER_GET_INFO, idx, 0, 0, 0, 0, 0);
}

struct sbiret sbi_pmu_counter_config_matching(unsigned long base, unsigned long mask,
					      unsigned long flags, unsigned long event,
					      unsigned long long data)
{
	return sbi_ecall(SBI_EXT_PMU, SBI_PMU_COUNTER_CFG_MATCHING, base, mask, flags, event, data, 0);
}

struct sbiret sbi_pmu_counter_start(unsigned long base, unsigned long mask, unsigned long flags,
				    unsigned long long initial)
{
	return sbi_ecall(SBI_EXT_PMU, SBI_PMU_COUNTER_START, base, mask, flags, initial, 0, 0);
}

struct sbiret sbi_pmu_counter_stop(unsigned long base, unsigned long mask, unsigned long flags)
{
	return sbi_ecall(SBI_EXT_PMU, SBI_PMU_COUNTER_STOP, base, mask, flags, 0, 0, 0);
}

struct sbiret sbi_pmu_counter_fw_read(unsigned long idx)
{
	return sbi_ecall(SBI_EXT_PMU, SBI_PMU_COUNTER_FW_READ, idx, 0, 0, 0, 0, 0);
}

struct sbiret sbi_pmu_counter_fw_read_hi(unsigned long idx)
{
	return sbi_ecall(SBI_EXT_PMU, SBI_PMU_COUNTER_FW_READ_HI, idx, 0, 0, 0, 0, 0);
}

struct sbiret sbi_pmu_snapshot_set_shmem(unsigned long lo, unsigned long hi, unsigned long flags)
{
	return sbi_ecall(SBI_EXT_PMU, SBI_PMU_SNAPSHOT_SET_SHMEM, lo, hi, flags, 0, 0, 0);
}
