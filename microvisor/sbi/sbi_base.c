// SPDX-License-Identifier: MIT
/* sbi_base.c: SBI BASE: spec version, implementation, extension probing, machine ids. */
#include "sbi.h"

enum { BASE_SPEC_VERSION, BASE_IMPL_ID, BASE_IMPL_VERSION, BASE_PROBE_EXT,
       BASE_MVENDORID, BASE_MARCHID, BASE_MIMPID };

static struct sbiret base_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	(void)v;
	switch (fid) {
	case BASE_SPEC_VERSION: return SBI_RET(SBI_SUCCESS, SBI_SPEC_VERSION);
	case BASE_IMPL_ID:      return SBI_RET(SBI_SUCCESS, SBI_IMPL_ID_RIVET);
	case BASE_IMPL_VERSION: return SBI_RET(SBI_SUCCESS, (RIVET_ABI_MAJOR << 16) | RIVET_ABI_MINOR);
	case BASE_PROBE_EXT:    return SBI_RET(SBI_SUCCESS, sbi_find(f->x[REG_A0]) ? 1 : 0);
	/* The guest sees no particular vendor or micro-architecture. */
	case BASE_MVENDORID:
	case BASE_MARCHID:
	case BASE_MIMPID:       return SBI_RET(SBI_SUCCESS, 0);
	}
	return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
}

const struct sbi_ext sbi_base = { "base", SBI_EXT_BASE, SBI_EXT_BASE, base_call };
