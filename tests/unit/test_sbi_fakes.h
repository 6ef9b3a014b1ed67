/* SPDX-License-Identifier: MIT */
/*
 * test_sbi_fakes.h: what the SBI handlers call outside microvisor/sbi,
 * faked for host tests. The handlers reach CSRs and their hart through
 * inline asm, so a test includes this, then the handler sources it tests:
 * the macros below replace those accessors in the same translation unit.
 */
#ifndef TEST_SBI_FAKES_H
#define TEST_SBI_FAKES_H
#include "check.h"
#include "sbi.h"
#include "domain.h"
#include "hart.h"
#include "sched.h"
#include "csr.h"
#include "print.h"
#include "console_input.h"
#include "guest_access.h"
#include "errcode.h"

#define CSR_SPACE 4096
static u64 fake_csr[CSR_SPACE];
#define csr_read(c)      (fake_csr[c])
#define csr_write(c, v)  (fake_csr[c] = (u64)(v))
#define csr_set(c, v)    (fake_csr[c] |= (u64)(v))
#define csr_clear(c, v)  (fake_csr[c] &= ~(u64)(v))

static struct hart fake_hart;
#define this_hart() (&fake_hart)
static int nr_fence_i, nr_hfence_vvma;
#define fence_i()         ((void)nr_fence_i++)
#define hfence_vvma_all() ((void)nr_hfence_vvma++)

/* A domain of FAKE_VCPUS vCPUs with RAM at [FAKE_RAM, FAKE_RAM + FAKE_RAM_BYTES). */
#define FAKE_VCPUS     4
#define FAKE_RAM       0x80000000UL
#define FAKE_RAM_BYTES 0x1000000UL
static struct domain dom;
static struct vcpu vcpus[FAKE_VCPUS];
static u8 fake_ram[FAKE_RAM_BYTES];

/* What the fakes saw. */
static int shutdowns;
static enum shutdown_reason shutdown_why;
static char console_out[8192];
static unsigned console_len;
static u64 injected[FAKE_VCPUS];
static bool irq_already_pending;   /* sched_block_current finds an interrupt due */

bool domain_range_is_ram(struct domain *d, u64 gpa, u64 len)
{
	(void)d;
	return gpa >= FAKE_RAM && gpa + len >= gpa && gpa + (len ? len : 1) <= FAKE_RAM + FAKE_RAM_BYTES;
}

int domain_read_gpa(struct domain *d, u64 gpa, void *buf, u64 len)
{
	if (!domain_range_is_ram(d, gpa, len))
		return -1;
	memcpy(buf, fake_ram + (gpa - FAKE_RAM), len);
	return 0;
}

int domain_write_gpa(struct domain *d, u64 gpa, const void *buf, u64 len)
{
	if (!domain_range_is_ram(d, gpa, len))
		return -1;
	memcpy(fake_ram + (gpa - FAKE_RAM), buf, len);
	return 0;
}

void domain_console_putc(struct domain *d, char c)
{
	(void)d;
	if (console_len < sizeof(console_out) - 1)
		console_out[console_len++] = c;
	console_out[console_len] = 0;
}

static const char *fake_input = "";   /* what the console has typed for the domain */
int console_input_getc(struct domain *d)
{
	(void)d;
	return *fake_input ? (u8)*fake_input++ : -1;
}

void domain_shutdown(struct domain *d, enum shutdown_reason why)
{
	(void)d;
	shutdowns++;
	shutdown_why = why;
}

void log(const char *fmt, ...)
{
	(void)fmt;
}

struct hart *vcpu_lock_home(struct vcpu *v)
{
	spin_lock(&v->home->lock);
	return v->home;
}

void hart_kick(struct hart *h)
{
	(void)h;
}

void vcpu_reset(struct vcpu *v, u64 pc, u64 a0, u64 a1)
{
	memset(&v->frame, 0, sizeof(v->frame));
	v->frame.sepc = pc;
	v->frame.x[REG_A0] = a0;
	v->frame.x[REG_A1] = a1;
	v->suspended = false;
}

void sched_block_current(struct hart *h)
{
	if (!irq_already_pending)
		h->current->state = VCPU_BLOCKED;
}

void sched_stop_current(struct hart *h)
{
	h->current->state = VCPU_OFF;
}

void vcpu_inject_irq(struct vcpu *v, u64 hvip_bits)
{
	injected[v->id] |= hvip_bits;
}

void vcpu_request(struct vcpu *v, u64 req)
{
	v->requests |= req;
}

/* Guest virtual memory for the legacy calls' hart-mask pointers: one readable word. */
#define FAKE_MASK_VA 0x10000UL
static u64 fake_mask_word;
static u64 last_va_read;
int guest_read_va_u64(u64 va, u64 *out)
{
	last_va_read = va;
	if (va != FAKE_MASK_VA)
		return -RIVET_EFAULT;
	*out = fake_mask_word;
	return 0;
}

/* The firmware events the handlers counted (sbi_count_fw_event): the last EID/FID and how many. */
static unsigned long fw_eid, fw_fid;
static int nr_fw_events;
void vpmu_sbi_done(struct vcpu *v, unsigned long eid, unsigned long fid)
{
	(void)v;
	fw_eid = eid;
	fw_fid = fid;
	nr_fw_events++;
}

/*
 * A fresh domain: vCPU 0 calls (current on fake_hart, S-mode caller), the
 * others are in `others`; the caller's vsie enables the timer.
 */
static void fake_reset(enum vcpu_state others)
{
	memset(fake_csr, 0, sizeof(fake_csr));
	memset(&dom, 0, sizeof(dom));
	memset(vcpus, 0, sizeof(vcpus));
	memset(injected, 0, sizeof(injected));
	fake_hart.yield_to = NULL;
	fake_hart.kicked = 0;
	dom.nr_vcpus = FAKE_VCPUS;
	dom.avail_vcpus = FAKE_VCPUS;
	dom.state = DOM_RUNNING;
	dom.started_vcpus = 1;
	for (unsigned i = 0; i < FAKE_VCPUS; i++) {
		vcpus[i].dom = &dom;
		vcpus[i].id = i;
		vcpus[i].home = &fake_hart;
		vcpus[i].state = i ? others : VCPU_RUNNABLE;
		dom.vcpus[i] = &vcpus[i];
	}
	vcpus[0].frame.sstatus = SSTATUS_SPP;
	fake_hart.current = &vcpus[0];
	fake_csr[CSR_VSIE] = IRQ_BIT(IRQ_S_TIMER);
	shutdowns = 0;
	console_len = 0;
	console_out[0] = 0;
	fake_input = "";
	irq_already_pending = false;
	nr_fence_i = nr_hfence_vvma = 0;
	nr_fw_events = 0;
}

/* Calls the extension as sbi_dispatch() does, with a0..a2 as given; the frame shows the result. */
static struct sbiret ecall(const struct sbi_ext *e, unsigned long eid, unsigned long fid,
			   unsigned long a0, unsigned long a1, unsigned long a2)
{
	struct trap_frame *f = &vcpus[0].frame;
	f->x[REG_A7] = eid;
	f->x[REG_A6] = fid;
	f->x[REG_A0] = a0;
	f->x[REG_A1] = a1;
	f->x[REG_A2] = a2;
	return e->call(&vcpus[0], fid, f);
}
#endif
