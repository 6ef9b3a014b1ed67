// SPDX-License-Identifier: MIT
/* sbi_legacy.c: the SBI v0.1 calls (EIDs 0x00-0x08), which return only a0. */
#include "sbi.h"
#include "domain.h"
#include "csr.h"
#include "guest_access.h"
#include "console_input.h"

int sbi_send_ipis(struct vcpu *v, u64 targets);
int sbi_remote_fence(struct vcpu *v, u64 targets, u64 req);

/* v0.1 passes a guest virtual pointer to the hart mask; NULL means every hart. */
static int legacy_mask(struct vcpu *v, u64 va, u64 *out)
{
	u64 mask;
	if (!va)
		return sbi_hart_mask(v, 0, ~0UL, out);
	if (guest_read_va_u64(va, &mask) != 0)
		return SBI_ERR_INVALID_ADDRESS;
	return sbi_hart_mask(v, mask, 0, out);
}

static struct sbiret legacy_do(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	u64 targets;
	int err;
	(void)fid;
	switch (f->x[REG_A7]) {
	case SBI_EXT_LEGACY_SET_TIMER:
		csr_write(CSR_VSTIMECMP, f->x[REG_A0]);
		return SBI_RET(0, 0);
	case SBI_EXT_LEGACY_PUTCHAR:
		/* ch is an int; only its low byte is a character. */
		domain_console_putc(v->dom, (char)(u8)f->x[REG_A0]);
		return SBI_RET(0, 0);
	case SBI_EXT_LEGACY_GETCHAR:
		return SBI_RET(console_input_getc(v->dom), 0);
	case SBI_EXT_LEGACY_CLEAR_IPI:
		csr_clear(CSR_HVIP, IRQ_BIT(IRQ_VS_SOFT));
		return SBI_RET(0, 0);
	case SBI_EXT_LEGACY_SEND_IPI:
		if ((err = legacy_mask(v, f->x[REG_A0], &targets)) != 0)
			return SBI_RET(err, 0);
		return SBI_RET(sbi_send_ipis(v, targets), 0);
	case SBI_EXT_LEGACY_FENCE_I:
	case SBI_EXT_LEGACY_SFENCE_VMA:
	case SBI_EXT_LEGACY_SFENCE_VMA_ASID:
		if ((err = legacy_mask(v, f->x[REG_A0], &targets)) != 0)
			return SBI_RET(err, 0);
		return SBI_RET(sbi_remote_fence(v, targets, f->x[REG_A7] == SBI_EXT_LEGACY_FENCE_I ?
						VCPU_REQ_FENCE_I : VCPU_REQ_VVMA_FLUSH), 0);
	case SBI_EXT_LEGACY_SHUTDOWN:
		domain_shutdown(v->dom, SHUTDOWN_POWEROFF);
		return SBI_RET(0, 0);
	}
	return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
}

static struct sbiret legacy_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	unsigned long eid = f->x[REG_A7];   /* before the call: a shutdown may reset the frame */
	struct sbiret r = legacy_do(v, fid, f);
	if (r.error == SBI_SUCCESS)
		sbi_count_fw_event(v, eid, fid);
	return r;
}

const struct sbi_ext sbi_legacy = { "legacy", SBI_EXT_LEGACY_SET_TIMER, SBI_EXT_LEGACY_SHUTDOWN, legacy_call };
