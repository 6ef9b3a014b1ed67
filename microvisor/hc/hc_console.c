// SPDX-License-Identifier: MIT
/* hc_console.c: Dom0 reads DomUs' console output, feeds them input, and reads the microvisor's log. */
#include "hypercall.h"
#include "console.h"
#include "console_input.h"

#define HC_CONSOLE_CHUNK 512

/* Checks domid, clamps len to the bounce buffer; returns the referenced domain or NULL. */
static struct domain *console_target(struct vcpu *v, struct trap_frame *f, u64 *len)
{
	*len = f->x[REG_A2] < HC_CONSOLE_CHUNK ? f->x[REG_A2] : HC_CONSOLE_CHUNK;
	if (f->x[REG_A0] >= RIVET_DOMID_SELF)
		return NULL;
	return domain_get((unsigned)f->x[REG_A0], v->dom);
}

struct sbiret hc_console_read(struct vcpu *v, struct trap_frame *f)
{
	char buf[HC_CONSOLE_CHUNK];
	u64 gpa = f->x[REG_A1], len;
	struct domain *d = console_target(v, f, &len);
	if (!d)
		return SBI_RET(RIVET_ERR_NO_DOMAIN, 0);
	if (!domain_range_is_ram(v->dom, gpa, len)) {
		domain_put(d);
		return SBI_RET(SBI_ERR_INVALID_ADDRESS, 0);
	}
	u64 n = domain_console_read(d, buf, len);
	domain_put(d);
	domain_write_gpa(v->dom, gpa, buf, n);
	return SBI_RET(SBI_SUCCESS, n);
}

struct sbiret hc_console_write(struct vcpu *v, struct trap_frame *f)
{
	char buf[HC_CONSOLE_CHUNK];
	u64 gpa = f->x[REG_A1], len;
	struct domain *d = console_target(v, f, &len);
	if (!d)
		return SBI_RET(RIVET_ERR_NO_DOMAIN, 0);
	if (domain_read_gpa(v->dom, gpa, buf, len) != 0) {
		domain_put(d);
		return SBI_RET(SBI_ERR_INVALID_ADDRESS, 0);
	}
	u64 n = console_input_push(d, buf, len);
	domain_put(d);
	return SBI_RET(SBI_SUCCESS, n);
}

struct sbiret hc_dmesg_read(struct vcpu *v, struct trap_frame *f)
{
	char buf[HC_CONSOLE_CHUNK];
	u64 off = f->x[REG_A0], gpa = f->x[REG_A1], len = f->x[REG_A2], flags = f->x[REG_A3];
	if (flags & ~RIVET_DMESG_FLAGS)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	if (len > sizeof(buf))
		len = sizeof(buf);
	/* Checked before the log is touched: a bad buffer must not clear anything. */
	if (!domain_range_is_ram(v->dom, gpa, len))
		return SBI_RET(SBI_ERR_INVALID_ADDRESS, 0);
	u64 n = console_log_read(off, buf, len, flags & RIVET_DMESG_CLEAR);
	domain_write_gpa(v->dom, gpa, buf, n);
	return SBI_RET(SBI_SUCCESS, n);
}
