// SPDX-License-Identifier: MIT
/*
 * sbi_fwft.c: SBI FWFT (firmware features, SBI v3.0), per vCPU: each feature
 * a guest may set is a field of the hedeleg or henvcfg its vCPU runs with,
 * switched with it; a set may lock the feature until the vCPU's next hart
 * reset (HSM start, domain start or reboot; a non-retentive suspend keeps
 * both values and locks, as the spec says).
 */
#include "sbi.h"
#include "sbi_fwft.h"
#include "csr.h"

#define MISALIGNED_DELEG (IRQ_BIT(EXC_LOAD_MISALIGNED) | IRQ_BIT(EXC_STORE_MISALIGNED))
/* The henvcfg bits of the on/off features: what probing tries to set. */
#define FWFT_ENVCFG_BITS (ENVCFG_ADUE | ENVCFG_LPE)

/* Learned once at boot (sbi_fwft_init); read-only afterwards. */
static u64 base_hedeleg, base_henvcfg;   /* what a vCPU runs with after a hart reset */
static bool host_misaligned_deleg;       /* both misaligned bits of hedeleg are writable */
static u64 host_envcfg;                  /* those of FWFT_ENVCFG_BITS the hart keeps */
static bool host_pmlen7, host_pmlen16;   /* henvcfg.PMM takes PMLEN 7 / 16 (Ssnpm) */

void sbi_fwft_hart_setup(bool svadu)
{
	/* An error (firmware without FWFT, or Svade only) leaves ADUE as it was; probing tells. */
	if (svadu)
		sbi_ecall(SBI_EXT_FWFT, SBI_FWFT_SET, SBI_FWFT_PTE_AD_HW_UPDATING, 1, 0);
}

/* Writes henvcfg and returns what the hart kept of it (its fields are WARL: no trap). */
static u64 henvcfg_try(u64 val)
{
	csr_write(CSR_HENVCFG, val);
	return csr_read(CSR_HENVCFG);
}

void sbi_fwft_init(u64 hedeleg, u64 henvcfg)
{
	csr_write(CSR_HEDELEG, hedeleg | MISALIGNED_DELEG | IRQ_BIT(EXC_SW_CHECK));
	u64 deleg = csr_read(CSR_HEDELEG);
	host_misaligned_deleg = (deleg & MISALIGNED_DELEG) == MISALIGNED_DELEG;
	host_envcfg = henvcfg_try(henvcfg | FWFT_ENVCFG_BITS) & FWFT_ENVCFG_BITS;
	host_pmlen7 = (henvcfg_try(henvcfg | ENVCFG_PMM_PMLEN_7) & ENVCFG_PMM) == ENVCFG_PMM_PMLEN_7;
	host_pmlen16 = (henvcfg_try(henvcfg | ENVCFG_PMM_PMLEN_16) & ENVCFG_PMM) == ENVCFG_PMM_PMLEN_16;
	base_henvcfg = henvcfg_try(henvcfg);
	/*
	 * With landing pads on, a missing one raises a software-check exception:
	 * the guest's to handle, as on a hart of its own. Only possible once
	 * LANDING_PAD is set, so it is delegated from the start.
	 */
	if ((host_envcfg & ENVCFG_LPE) && (deleg & IRQ_BIT(EXC_SW_CHECK)))
		hedeleg |= IRQ_BIT(EXC_SW_CHECK);
	csr_write(CSR_HEDELEG, hedeleg);
	base_hedeleg = csr_read(CSR_HEDELEG);
}

/*
 * Each value is its base with only a feature's bits changed (fwft_apply()):
 * the two differences, side by side in one word, are equal for two vCPUs
 * exactly when their values are, as long as no bit is in both (or in
 * switch_sig's own bits).
 */
_Static_assert((MISALIGNED_DELEG & (FWFT_ENVCFG_BITS | ENVCFG_PMM)) == 0, "hedeleg's and henvcfg's features apart");
_Static_assert(((MISALIGNED_DELEG | FWFT_ENVCFG_BITS | ENVCFG_PMM) & SWITCH_SIG_OWN) == 0,
	       "the features apart from switch_sig's own bits");
u64 sbi_fwft_sig(const struct vcpu *v)
{
	return (v->hedeleg ^ base_hedeleg) | (v->henvcfg ^ base_henvcfg);
}

void sbi_fwft_reset(struct vcpu *v)
{
	/* Every feature's reset value is 0 (MISALIGNED_EXC_DELEG's is Rivet's choice, as KVM's). */
	v->hedeleg = base_hedeleg;
	v->henvcfg = base_henvcfg;
	v->fwft_locked = 0;
}

/* SBI_SUCCESS if this machine gives guests the feature, else the spec's error for its id. */
static long fwft_check(u32 feature)
{
	switch (feature) {
	case SBI_FWFT_MISALIGNED_EXC_DELEG:
		return host_misaligned_deleg ? SBI_SUCCESS : SBI_ERR_NOT_SUPPORTED;
	case SBI_FWFT_PTE_AD_HW_UPDATING:
		return (host_envcfg & ENVCFG_ADUE) ? SBI_SUCCESS : SBI_ERR_NOT_SUPPORTED;
	case SBI_FWFT_LANDING_PAD:
		return (host_envcfg & ENVCFG_LPE) ? SBI_SUCCESS : SBI_ERR_NOT_SUPPORTED;
	case SBI_FWFT_POINTER_MASKING_PMLEN:
		return host_pmlen7 || host_pmlen16 ? SBI_SUCCESS : SBI_ERR_NOT_SUPPORTED;
	/* Defined, but Rivet switches no ssp CSR between vCPUs ... */
	case SBI_FWFT_SHADOW_STACK:
	/* ... and does not model vsstatus.SDT in the traps it delivers to guests itself. */
	case SBI_FWFT_DOUBLE_TRAP:
		return SBI_ERR_NOT_SUPPORTED;
	}
	/* Reserved ids, and platform-specific ones (Rivet defines none), local or global. */
	return SBI_ERR_DENIED;
}

static u64 with_bits(u64 reg, u64 bits, bool on)
{
	return on ? reg | bits : reg & ~bits;
}

/* Sets a supported feature in the vCPU's hedeleg / henvcfg; SBI_ERR_INVALID_PARAM for a value it cannot take. */
static long fwft_apply(struct vcpu *v, u32 feature, unsigned long value)
{
	if (feature == SBI_FWFT_POINTER_MASKING_PMLEN) {
		/* N asks for a PMLEN of at least N: the shortest the hart has. */
		u64 pmm;
		if (value == 0)
			pmm = 0;
		else if (value <= SBI_FWFT_PMLEN_7 && host_pmlen7)
			pmm = ENVCFG_PMM_PMLEN_7;
		else if (value <= SBI_FWFT_PMLEN_16 && host_pmlen16)
			pmm = ENVCFG_PMM_PMLEN_16;
		else
			return SBI_ERR_INVALID_PARAM;
		v->henvcfg = (v->henvcfg & ~ENVCFG_PMM) | pmm;
		return SBI_SUCCESS;
	}
	if (value > 1)
		return SBI_ERR_INVALID_PARAM;
	switch (feature) {
	case SBI_FWFT_MISALIGNED_EXC_DELEG:
		v->hedeleg = with_bits(v->hedeleg, MISALIGNED_DELEG, value);
		break;
	case SBI_FWFT_PTE_AD_HW_UPDATING:
		v->henvcfg = with_bits(v->henvcfg, ENVCFG_ADUE, value);
		break;
	case SBI_FWFT_LANDING_PAD:
		v->henvcfg = with_bits(v->henvcfg, ENVCFG_LPE, value);
		break;
	}
	return SBI_SUCCESS;
}

static unsigned long fwft_value(const struct vcpu *v, u32 feature)
{
	switch (feature) {
	case SBI_FWFT_MISALIGNED_EXC_DELEG:
		return (v->hedeleg & MISALIGNED_DELEG) == MISALIGNED_DELEG;
	case SBI_FWFT_PTE_AD_HW_UPDATING:
		return !!(v->henvcfg & ENVCFG_ADUE);
	case SBI_FWFT_LANDING_PAD:
		return !!(v->henvcfg & ENVCFG_LPE);
	case SBI_FWFT_POINTER_MASKING_PMLEN:
		switch (v->henvcfg & ENVCFG_PMM) {
		case ENVCFG_PMM_PMLEN_7:  return SBI_FWFT_PMLEN_7;
		case ENVCFG_PMM_PMLEN_16: return SBI_FWFT_PMLEN_16;
		}
		return 0;
	}
	return 0;
}

static struct sbiret fwft_set(struct vcpu *v, u32 feature, unsigned long value, unsigned long flags)
{
	long err = fwft_check(feature);
	if (err)
		return SBI_RET(err, 0);
	/* Checked in KVM's and OpenSBI's order: flags, then the lock, then the value. */
	if (flags & ~SBI_FWFT_SET_FLAG_LOCK)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	if (v->fwft_locked & (1U << feature))
		return SBI_RET(SBI_ERR_DENIED_LOCKED, 0);
	u64 henvcfg = v->henvcfg;
	err = fwft_apply(v, feature, value);
	if (err)
		return SBI_RET(err, 0);
	if (flags & SBI_FWFT_SET_FLAG_LOCK)
		v->fwft_locked |= 1U << feature;
	/* The caller is this hart's current vCPU: its new values take effect on return. */
	sbi_fwft_load(v, this_hart());
	vcpu_sig_changed(v);
	/* No VS-stage translation cached under the old A/D rule outlives it. */
	if (henvcfg != v->henvcfg)
		hfence_vvma_all();
	return SBI_RET(SBI_SUCCESS, 0);
}

static struct sbiret fwft_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	/* The spec types the feature id uint32_t: the upper half of a0 is not part of it. */
	u32 feature = (u32)f->x[REG_A0];
	switch (fid) {
	case SBI_FWFT_SET:
		return fwft_set(v, feature, f->x[REG_A1], f->x[REG_A2]);
	case SBI_FWFT_GET: {
		long err = fwft_check(feature);
		return err ? SBI_RET(err, 0) : SBI_RET(SBI_SUCCESS, fwft_value(v, feature));
	}
	}
	return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
}

const struct sbi_ext sbi_fwft = { "fwft", SBI_EXT_FWFT, SBI_EXT_FWFT, fwft_call };
