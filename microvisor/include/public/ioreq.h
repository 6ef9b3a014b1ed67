/* SPDX-License-Identifier: MIT */
/*
 * ioreq.h: the page a DomU's device model shares with the microvisor (ABI
 * 1.1). Included unchanged by the microvisor, the Dom0 driver, libxc and
 * rivet-dm; docs/hypercalls.md describes the protocol.
 *
 * One page, in the device model's (Dom0's) RAM, given by IOREQ_CREATE:
 *  - one synchronous slot per vCPU. The microvisor fills addr/size/dir
 *    (and data for a write), then sets state READY and signals the server's
 *    event port; the vCPU waits. The device model answers by writing data
 *    (for a read) and then state DONE, and notifies the port. The microvisor
 *    then writes the value to the guest register, sets the slot NONE and
 *    resumes the vCPU.
 *  - one ring of posted writes: writes inside a RIVET_IOREQ_RANGE_POSTED
 *    range need no answer; the microvisor appends them (ring_prod) without
 *    stopping the vCPU, and signals the port when the ring was empty (for a
 *    LAZY range: later, see RIVET_IOREQ_RANGE_LAZY). The device model
 *    consumes them in order (ring_cons) and must drain the
 *    ring before it answers a READY slot. A full ring falls back to the
 *    synchronous slot.
 * Everything here is hostile input to both sides: the microvisor reads each
 * field once, and a state it did not expect (DONE with no request, NONE
 * while it waits, an unknown value, ring_cons outside the ring) crashes the
 * served DomU (its on_crash), nothing else.
 */
#ifndef RIVET_PUBLIC_IOREQ_H
#define RIVET_PUBLIC_IOREQ_H

#include "types.h"

#define RIVET_IOREQ_MAX_VCPUS   8      /* = RIVET_MAX_VCPUS */
#define RIVET_IOREQ_RING_SLOTS  64     /* a power of two */
#define RIVET_IOREQ_MAX_RANGES  32     /* per server, posted ones included */
#define RIVET_IOREQ_CACHE_SLOTS 48     /* reads the microvisor answers itself */
/* Emulated ranges must lie below guest RAM (GPA 0x8000_0000). */
#define RIVET_IOREQ_MMIO_END    0x80000000ULL

/* Flags of IOREQ_MAP / IOREQ_UNMAP. */
#define RIVET_IOREQ_RANGE_POSTED (1U << 0)  /* writes here are posted; lies inside a plain range */
/*
 * With POSTED: the device model need not hear of these writes at once (a
 * UART's transmit bytes): it is told when the ring is half full, with the
 * vCPU's next synchronous request, or at the vCPU's next exit (WFI, its time
 * slice's end, any trap that is not handled on the fast path).
 */
#define RIVET_IOREQ_RANGE_LAZY   (1U << 1)

/* state of struct rivet_ioreq */
#define RIVET_IOREQ_NONE   0   /* no request */
#define RIVET_IOREQ_READY  1   /* a request, for the device model */
#define RIVET_IOREQ_DONE   2   /* answered, for the microvisor */

/* dir */
#define RIVET_IOREQ_READ   0
#define RIVET_IOREQ_WRITE  1

struct rivet_ioreq {
	uint64_t addr;     /* guest-physical address of the access */
	uint64_t data;     /* write: the value, zero-extended; read: the answer */
	uint8_t  state;    /* RIVET_IOREQ_NONE / READY / DONE */
	uint8_t  dir;      /* RIVET_IOREQ_READ / WRITE */
	uint8_t  size;     /* 1, 2, 4 or 8 bytes */
	uint8_t  pad[5];
	uint64_t pad2;
};

struct rivet_ioreq_posted {
	uint64_t addr;
	uint64_t data;     /* zero-extended */
	uint8_t  size;     /* 1, 2, 4 or 8 */
	uint8_t  vcpu;     /* who wrote it */
	uint8_t  pad[6];
	uint64_t pad2;
};

/*
 * A register whose reads have no side effect and whose value the device
 * model keeps here: a read of exactly `addr` with exactly the size in `word`
 * is answered by the microvisor from `word`, without the device model, when
 * VALID is set and, unless ANYRING is set, the posted ring is empty (a posted
 * write might change the value). The device model fills the slots from the
 * first, sets `addr` once, and changes the value only with one store of
 * `word`, before anything that lets the guest see the new state (answering
 * the write that changed it, raising an interrupt). An `addr` of 0 ends the
 * list. Values are 32 bits, zero-extended, then extended as the load says.
 */
struct rivet_ioreq_cached {
	uint64_t addr;
	uint64_t word;     /* RIVET_IOREQ_CACHED_WORD(value, size, flags) */
};
#define RIVET_IOREQ_CACHED_VALID   (1ULL << 40)
#define RIVET_IOREQ_CACHED_ANYRING (1ULL << 41)
#define RIVET_IOREQ_CACHED_WORD(value, size, flags) \
	((uint64_t)(uint32_t)(value) | ((uint64_t)(uint8_t)(size) << 32) | (flags))
#define RIVET_IOREQ_CACHED_SIZE(word)  ((unsigned)(((word) >> 32) & 0xff))

struct rivet_ioreq_page {
	struct rivet_ioreq vcpu[RIVET_IOREQ_MAX_VCPUS];   /* offset 0 */
	struct rivet_ioreq_cached cache[RIVET_IOREQ_CACHE_SLOTS];   /* offset 256 */
	uint32_t ring_prod;   /* entries ever posted: written by the microvisor only */
	uint32_t ring_cons;   /* entries ever consumed: written by the device model only */
	uint8_t  pad1[1024 - 8];
	struct rivet_ioreq_posted ring[RIVET_IOREQ_RING_SLOTS];   /* offset 2048 */
};

_Static_assert(sizeof(struct rivet_ioreq) == 32, "ioreq slot layout");
_Static_assert(sizeof(struct rivet_ioreq_posted) == 32, "posted entry layout");
_Static_assert(sizeof(struct rivet_ioreq_page) <= 4096, "ioreq page fits a page");
_Static_assert(__builtin_offsetof(struct rivet_ioreq_page, cache) == 256, "cache at 256");
_Static_assert(__builtin_offsetof(struct rivet_ioreq_page, ring_prod) == 1024, "ring_prod at 1024");
_Static_assert(__builtin_offsetof(struct rivet_ioreq_page, ring) == 2048, "ring at 2048");

#endif
