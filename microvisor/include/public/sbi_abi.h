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

#endif
