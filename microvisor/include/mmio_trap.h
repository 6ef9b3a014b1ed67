/* SPDX-License-Identifier: MIT */
/* mmio_trap.h: the load or store a guest-page fault on emulated MMIO trapped on. */
#ifndef RIVET_MMIO_TRAP_H
#define RIVET_MMIO_TRAP_H
#include "mmio_decode.h"

struct vcpu;

enum mmio_decoded {
	MMIO_DECODED,
	MMIO_UNDECODABLE,   /* not an integer load/store, or the guest's own page-table walk */
	MMIO_SPLIT,         /* a piece of a misaligned access the hart split */
};

/* Decodes the instruction that trapped on the current hart (htinst, else HLVX). */
enum mmio_decoded mmio_trap_decode(struct vcpu *v, struct mmio_insn *m);
#endif
