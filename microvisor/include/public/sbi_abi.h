/* SPDX-License-Identifier: MIT */
/*
 * sbi_abi.h: SBI numbers from the SBI specification (extension ids, HSM
 * states, SRST types and reasons), shared by the microvisor and the test
 * guests. Error codes are in hypercall.h.
 */
#ifndef RIVET_PUBLIC_SBI_ABI_H
#define RIVET_PUBLIC_SBI_ABI_H

#define SBI_EXT_BASE    0x10
#define SBI_EXT_TIME    0x54494D45
#define SBI_EXT_IPI     0x735049
#define SBI_EXT_RFENCE  0x52464E43
#define SBI_EXT_HSM     0x48534D
#define SBI_EXT_SRST    0x53525354
#define SBI_EXT_DBCN    0x4442434E
#define SBI_EXT_PMU     0x504D55
#define SBI_EXT_SUSP    0x53555350
#define SBI_EXT_FWFT    0x46574654
#define SBI_EXT_STA     0x535441
#define SBI_EXT_LEGACY_SET_TIMER       0x00
#define SBI_EXT_LEGACY_PUTCHAR         0x01
#define SBI_EXT_LEGACY_GETCHAR         0x02
#define SBI_EXT_LEGACY_CLEAR_IPI       0x03
#define SBI_EXT_LEGACY_SEND_IPI        0x04
#define SBI_EXT_LEGACY_FENCE_I         0x05
#define SBI_EXT_LEGACY_SFENCE_VMA      0x06
#define SBI_EXT_LEGACY_SFENCE_VMA_ASID 0x07
#define SBI_EXT_LEGACY_SHUTDOWN        0x08

#define SBI_HSM_STARTED        0
#define SBI_HSM_STOPPED        1
#define SBI_HSM_START_PENDING  2
#define SBI_HSM_STOP_PENDING   3
#define SBI_HSM_SUSPENDED      4

#define SBI_SRST_SHUTDOWN      0
#define SBI_SRST_COLD_REBOOT   1
#define SBI_SRST_WARM_REBOOT   2
#define SBI_SRST_NO_REASON     0
#define SBI_SRST_SYSTEM_FAILURE 1
#define SBI_SRST_VENDOR_REASON_MIN 0xF0000000UL


/* SUSP (system suspend) */
#define SBI_SUSP_SYSTEM_SUSPEND        0
#define SBI_SUSP_SLEEP_TYPE_SUSPEND_TO_RAM 0

/* FWFT (firmware features): functions, set flags and feature ids (SBI v3.0). */
#define SBI_FWFT_SET                   0
#define SBI_FWFT_GET                   1
#define SBI_FWFT_SET_FLAG_LOCK         (1UL << 0)
#define SBI_FWFT_MISALIGNED_EXC_DELEG  0x0
#define SBI_FWFT_LANDING_PAD           0x1
#define SBI_FWFT_SHADOW_STACK          0x2
#define SBI_FWFT_DOUBLE_TRAP           0x3
#define SBI_FWFT_PTE_AD_HW_UPDATING    0x4
#define SBI_FWFT_POINTER_MASKING_PMLEN 0x5
#define SBI_FWFT_LOCAL_RESERVED_START  0x6
#define SBI_FWFT_LOCAL_RESERVED_END    0x3FFFFFFF
#define SBI_FWFT_LOCAL_PLATFORM_START  0x40000000
#define SBI_FWFT_GLOBAL_RESERVED_START 0x80000000
#define SBI_FWFT_GLOBAL_RESERVED_END   0xBFFFFFFF
#define SBI_FWFT_GLOBAL_PLATFORM_START 0xC0000000
/* POINTER_MASKING_PMLEN: the pointer masking lengths Ssnpm defines (0 = off). */
#define SBI_FWFT_PMLEN_7               7
#define SBI_FWFT_PMLEN_16              16
#define SBI_FWFT_PLATFORM_FEATURE_BIT  (1UL << 30)
#define SBI_FWFT_GLOBAL_FEATURE_BIT    (1UL << 31)

/* PMU: functions (SBI v2.0; EVENT_GET_INFO is v3.0). */
#define SBI_PMU_NUM_COUNTERS           0
#define SBI_PMU_COUNTER_GET_INFO       1
#define SBI_PMU_COUNTER_CFG_MATCHING   2
#define SBI_PMU_COUNTER_START          3
#define SBI_PMU_COUNTER_STOP           4
#define SBI_PMU_COUNTER_FW_READ        5
#define SBI_PMU_COUNTER_FW_READ_HI     6
#define SBI_PMU_SNAPSHOT_SET_SHMEM     7
#define SBI_PMU_EVENT_GET_INFO         8
/* event_idx = type << 16 | code */
#define SBI_PMU_EVENT_TYPE_SHIFT       16
#define SBI_PMU_EVENT_TYPE_HW          0x0
#define SBI_PMU_EVENT_TYPE_HW_CACHE    0x1
#define SBI_PMU_EVENT_TYPE_HW_RAW      0x2
#define SBI_PMU_EVENT_TYPE_FW          0xF
#define SBI_PMU_HW_CPU_CYCLES          1
#define SBI_PMU_HW_INSTRUCTIONS        2
/* counter_get_info: bit 63 = firmware counter; else csr[11:0], width-1 [17:12] */
#define SBI_PMU_CTR_INFO_FW            (1UL << 63)
#define SBI_PMU_CTR_INFO_WIDTH_SHIFT   12
/* config_matching flags */
#define SBI_PMU_CFG_FLAG_SKIP_MATCH    (1UL << 0)
#define SBI_PMU_CFG_FLAG_CLEAR_VALUE   (1UL << 1)
#define SBI_PMU_CFG_FLAG_AUTO_START    (1UL << 2)
#define SBI_PMU_CFG_FLAG_SET_VUINH     (1UL << 3)
#define SBI_PMU_CFG_FLAG_SET_VSINH     (1UL << 4)
#define SBI_PMU_CFG_FLAG_SET_UINH      (1UL << 5)
#define SBI_PMU_CFG_FLAG_SET_SINH      (1UL << 6)
#define SBI_PMU_CFG_FLAG_SET_MINH      (1UL << 7)
/* start / stop flags */
#define SBI_PMU_START_FLAG_SET_INIT_VALUE   (1UL << 0)
#define SBI_PMU_START_FLAG_INIT_SNAPSHOT    (1UL << 1)
#define SBI_PMU_STOP_FLAG_RESET             (1UL << 0)
#define SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT     (1UL << 1)

/* STA (steal time accounting) */
#define SBI_STA_SET_SHMEM              0
#define SBI_STA_SHMEM_DISABLE          (~0UL)
/* The 64-byte, 64-byte aligned record a vCPU registers (little-endian, as the spec). */
struct sbi_sta_struct {
	unsigned int sequence;        /* odd while the hypervisor writes */
	unsigned int flags;
	unsigned long long steal;     /* nanoseconds runnable but not running */
	unsigned char preempted;
	unsigned char pad[47];
};
#endif
