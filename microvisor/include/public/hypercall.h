/* SPDX-License-Identifier: MIT */
/*
 * hypercall.h: the Rivet hypercall ABI, an SBI extension in the
 * firmware-specific EID range. a7 = RIVET_SBI_EXT, a6 = function,
 * a0..a5 = arguments; returns a0 = error (SBI error codes, see sbi.h
 * below), a1 = value. See docs/hypercalls.md.
 */
#ifndef RIVET_PUBLIC_HYPERCALL_H
#define RIVET_PUBLIC_HYPERCALL_H

#include "types.h"

#define RIVET_SBI_EXT          0x0A524956UL  /* "\x0aRIV", firmware-specific range */
#define RIVET_ABI_MAJOR        0
#define RIVET_ABI_MINOR        1

enum rivet_hc {
	RIVET_HC_VERSION      = 0, /* value = (major << 16) | minor */
	RIVET_HC_CURRENT_HART = 1, /* value = physical hart running the caller */
	RIVET_HC_DOMAIN_ID    = 2, /* value = the caller's domain id */
};

/* Standard SBI error codes (SBI spec, "Binary Encoding"). */
#define SBI_SUCCESS                0
#define SBI_ERR_FAILED            -1
#define SBI_ERR_NOT_SUPPORTED     -2
#define SBI_ERR_INVALID_PARAM     -3
#define SBI_ERR_DENIED            -4
#define SBI_ERR_INVALID_ADDRESS   -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED   -7
#define SBI_ERR_ALREADY_STOPPED   -8
#define SBI_ERR_NO_SHMEM          -9

#endif
