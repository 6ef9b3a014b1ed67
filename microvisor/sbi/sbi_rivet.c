// SPDX-License-Identifier: MIT
/*
 * sbi_rivet.c: the Rivet hypercall extension (public/hypercall.h): one table
 * says which function runs which handler and whether only Dom0 may call it;
 * that check happens here, before any handler sees an argument.
 */
#include "sbi.h"
#include "hypercall.h"
#include "hart.h"

static struct sbiret hc_version(struct vcpu *v, struct trap_frame *f)
{
	(void)v, (void)f;
	return SBI_RET(SBI_SUCCESS, (RIVET_ABI_MAJOR << 16) | RIVET_ABI_MINOR);
}

static struct sbiret hc_current_hart(struct vcpu *v, struct trap_frame *f)
{
	(void)v, (void)f;
	return SBI_RET(SBI_SUCCESS, this_hart()->index);
}

static struct sbiret hc_domain_id(struct vcpu *v, struct trap_frame *f)
{
	(void)f;
	return SBI_RET(SBI_SUCCESS, v->dom->id);
}

struct hc_entry {
	unsigned fn;
	bool dom0_only;
	struct sbiret (*call)(struct vcpu *v, struct trap_frame *f);
};

static const struct hc_entry hcs[] = {
	{ RIVET_HC_VERSION,         false, hc_version },
	{ RIVET_HC_CURRENT_HART,    false, hc_current_hart },
	{ RIVET_HC_DOMAIN_ID,       false, hc_domain_id },
	{ RIVET_HC_EVTCHN_INIT,     false, hc_evtchn_init },
	{ RIVET_HC_EVTCHN_SEND,     false, hc_evtchn_send },
	{ RIVET_HC_EVTCHN_UNMASK,   false, hc_evtchn_unmask },
	{ RIVET_HC_EVTCHN_ACK,      false, hc_evtchn_ack },
	{ RIVET_HC_PHYSINFO,        true,  hc_physinfo },
	{ RIVET_HC_DOMAIN_CREATE,   true,  hc_domain_create },
	{ RIVET_HC_DOMAIN_DESTROY,  true,  hc_domain_destroy },
	{ RIVET_HC_DOMAIN_PAUSE,    true,  hc_domain_pause },
	{ RIVET_HC_DOMAIN_UNPAUSE,  true,  hc_domain_unpause },
	{ RIVET_HC_DOMAIN_GETINFO,  true,  hc_domain_getinfo },
	{ RIVET_HC_DOMAIN_SHUTDOWN, true,  hc_domain_shutdown },
	{ RIVET_HC_DOMAIN_RENAME,   true,  hc_domain_rename },
	{ RIVET_HC_DOMAIN_VCPUS,    true,  hc_domain_vcpus },
	{ RIVET_HC_VCPU_START,      true,  hc_vcpu_start },
	{ RIVET_HC_VCPU_GETINFO,    true,  hc_vcpu_getinfo },
	{ RIVET_HC_VCPU_PIN,        true,  hc_vcpu_pin },
	{ RIVET_HC_VCPU_GETCONTEXT, true,  hc_vcpu_getcontext },
	{ RIVET_HC_SCHED_GET,       true,  hc_sched_get },
	{ RIVET_HC_SCHED_SET,       true,  hc_sched_set },
	{ RIVET_HC_MEMORY_POPULATE, true,  hc_memory_populate },
	{ RIVET_HC_MEMORY_RELEASE,  true,  hc_memory_release },
	{ RIVET_HC_FOREIGN_MAP,     true,  hc_foreign_map },
	{ RIVET_HC_FOREIGN_UNMAP,   true,  hc_foreign_unmap },
	{ RIVET_HC_MEMORY_RECLAIM,  true,  hc_memory_reclaim },
	{ RIVET_HC_MEMORY_RESTORE,  true,  hc_memory_restore },
	{ RIVET_HC_CONSOLE_READ,    true,  hc_console_read },
	{ RIVET_HC_CONSOLE_WRITE,   true,  hc_console_write },
	{ RIVET_HC_DMESG_READ,      true,  hc_dmesg_read },
	{ RIVET_HC_DEBUG_KEYS,      true,  hc_debug_keys },
	/* Any domain may hold channels to another; Dom0 alone binds virqs. */
	{ RIVET_HC_EVTCHN_ALLOC,    false, hc_evtchn_alloc },
	{ RIVET_HC_EVTCHN_BIND,     false, hc_evtchn_bind },
	{ RIVET_HC_EVTCHN_BIND_VIRQ, true, hc_evtchn_bind_virq },
	{ RIVET_HC_EVTCHN_CLOSE,    false, hc_evtchn_close },
	{ RIVET_HC_IOREQ_CREATE,    true,  hc_ioreq_create },
	{ RIVET_HC_IOREQ_MAP,       true,  hc_ioreq_map },
	{ RIVET_HC_IOREQ_UNMAP,     true,  hc_ioreq_unmap },
	{ RIVET_HC_IOREQ_ENABLE,    true,  hc_ioreq_enable },
	{ RIVET_HC_IOREQ_DESTROY,   true,  hc_ioreq_destroy },
	{ RIVET_HC_IOREQ_SET_IRQ,   true,  hc_ioreq_set_irq },
};

static struct sbiret rivet_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	for (unsigned i = 0; i < sizeof(hcs) / sizeof(hcs[0]); i++) {
		if (hcs[i].fn != fid)
			continue;
		if (hcs[i].dom0_only && !(v->dom->flags & RIVET_DOMF_PRIVILEGED))
			return SBI_RET(SBI_ERR_DENIED, 0);
		return hcs[i].call(v, f);
	}
	return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
}

const struct sbi_ext sbi_rivet = { "rivet", RIVET_SBI_EXT, RIVET_SBI_EXT, rivet_call };
