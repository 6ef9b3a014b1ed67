// SPDX-License-Identifier: MIT
/* hc_evtchn.c: event-channel hypercalls; the calling domain acts on its own ports only. */
#include "hypercall.h"
#include "csr.h"

static struct sbiret port_ret(int r)
{
	return r < 0 ? SBI_RET(hc_error(r), 0) : SBI_RET(SBI_SUCCESS, r);
}

static bool domid_ok(u64 id) { return id < RIVET_DOMID_SELF; }

struct sbiret hc_evtchn_init(struct vcpu *v, struct trap_frame *f)
{
	return port_ret(evtchn_init(v->dom, f->x[REG_A0]));
}

struct sbiret hc_evtchn_send(struct vcpu *v, struct trap_frame *f)
{
	/* The whole register is the port: 2^32 + 5 is not port 5. */
	if (f->x[REG_A0] >= RIVET_EVTCHN_PORTS)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	return port_ret(evtchn_send(v->dom, (unsigned)f->x[REG_A0]));
}

struct sbiret hc_evtchn_unmask(struct vcpu *v, struct trap_frame *f)
{
	if (f->x[REG_A0] >= RIVET_EVTCHN_PORTS)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	return port_ret(evtchn_unmask(v->dom, (unsigned)f->x[REG_A0]));
}

struct sbiret hc_evtchn_ack(struct vcpu *v, struct trap_frame *f)
{
	(void)f;
	/* Dom0's events are a vPLIC source (any vCPU may take it): claim and completion acknowledge it. */
	if (v->dom->vplic)
		return SBI_RET(SBI_SUCCESS, 0);
	/* Anyone else's go to vCPU 0; its driver lowers the line, then scans. */
	if (v->id != 0)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	csr_clear(CSR_HVIP, IRQ_BIT(IRQ_VS_EXT));
	return SBI_RET(SBI_SUCCESS, 0);
}

struct sbiret hc_evtchn_alloc(struct vcpu *v, struct trap_frame *f)
{
	if (!domid_ok(f->x[REG_A0]))
		return SBI_RET(RIVET_ERR_NO_DOMAIN, 0);
	return port_ret(evtchn_alloc_unbound(v->dom, (unsigned)f->x[REG_A0]));
}

struct sbiret hc_evtchn_bind(struct vcpu *v, struct trap_frame *f)
{
	if (!domid_ok(f->x[REG_A0]) || f->x[REG_A1] >= RIVET_EVTCHN_PORTS)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	return port_ret(evtchn_bind_interdomain(v->dom, (unsigned)f->x[REG_A0], (unsigned)f->x[REG_A1]));
}

struct sbiret hc_evtchn_bind_virq(struct vcpu *v, struct trap_frame *f)
{
	return port_ret(evtchn_bind_virq(v->dom, f->x[REG_A0] < RIVET_NR_VIRQS ? (unsigned)f->x[REG_A0] : ~0U));
}

struct sbiret hc_evtchn_close(struct vcpu *v, struct trap_frame *f)
{
	if (f->x[REG_A0] >= RIVET_EVTCHN_PORTS)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	return port_ret(evtchn_close(v->dom, (unsigned)f->x[REG_A0]));
}
