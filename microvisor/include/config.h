/* SPDX-License-Identifier: MIT */
/* config.h: compile-time limits of the microvisor. */
#ifndef RIVET_CONFIG_H
#define RIVET_CONFIG_H
#define MAX_HARTS          16
#define HART_STACK_SIZE    16384
#define MAX_DOMAINS        64
#define MAX_VCPUS_PER_HART 128     /* 16 boot domains x 8 vCPUs on one hart */
#define SLICE_HZ           100      /* scheduling time slice: 10 ms */
#define CONSOLE_LINE_MAX   160      /* a domain's console line is flushed at this length */
#define RIVET_VERSION      "0.1"
#endif
