/* SPDX-License-Identifier: MIT */
/* types.h: fixed-width types for the public ABI, in the microvisor, the Dom0 kernel driver and user space. */
#ifndef RIVET_PUBLIC_TYPES_H
#define RIVET_PUBLIC_TYPES_H
#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif
#endif
