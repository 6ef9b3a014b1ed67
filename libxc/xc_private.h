/* SPDX-License-Identifier: MIT */
/* xc_private.h: the handle and the one hypercall path shared by libxc's files. */
#ifndef RIVET_XC_PRIVATE_H
#define RIVET_XC_PRIVATE_H

#include "rivet_privcmd.h"
#include "xc.h"

/* One live foreign mapping: xc_unmap_foreign finds the driver offset by address. */
struct xc_mapping {
	void *addr;
	uint64_t nr_pages;
	uint64_t offset;
	struct xc_mapping *next;
};

struct xc_handle {
	const struct xc_backend *be;
	void *ctx;
	int fd;
	struct xc_mapping *maps;
	uint32_t abi;   /* RIVET_HC_VERSION's answer, once asked (xc_abi_at_least); 0 before */
};

/*
 * Issues hypercall FN with ARGS (up to 6; unused ones 0). When BUF_ARG >= 0,
 * args[BUF_ARG] becomes the address of a kernel copy of BUF (LEN bytes),
 * copied both ways. Returns the call's value (>= 0) or an XC_E* code.
 */
long xc_hypercall(xc_handle *h, uint32_t fn, const uint64_t args[6], int buf_arg, void *buf,
		  size_t len);

#endif
