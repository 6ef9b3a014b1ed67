// SPDX-License-Identifier: MIT
/*
 * trap.c: what happens when a guest traps into HS-mode. Exit contract: every
 * trap is handled here (host interrupt, SBI call, WFI, a guest fault that
 * ends its domain) and then schedule() picks the vCPU this hart resumes,
 * unless nothing asks for that: then the same vCPU goes straight back.
 * guest_trap_fast() sees a partial frame (entry.S) and takes only exits
 * that read and write no more than that; guest_trap() sees a whole one.
 */
#include "trapframe.h"
#include "vcpu.h"
#include "domain.h"
#include "sched.h"
#include "sbi.h"
#include "csr.h"
#include "print.h"
#include "host_irq.h"
#include "dom0_devices.h"

#define INSN_WFI 0x10500073UL

static const char *exc_name(u64 cause)
{
	switch (cause) {
	case EXC_INST_MISALIGNED:        return "instruction address misaligned";
	case EXC_INST_ACCESS:            return "instruction access fault";
	case EXC_ILLEGAL_INST:           return "illegal instruction";
	case EXC_BREAKPOINT:             return "breakpoint";
	case EXC_LOAD_MISALIGNED:        return "load address misaligned";
	case EXC_LOAD_ACCESS:            return "load access fault";
	case EXC_STORE_MISALIGNED:       return "store address misaligned";
	case EXC_STORE_ACCESS:           return "store access fault";
	case EXC_ECALL_U:                return "ecall from U-mode";
	case EXC_INST_PAGE_FAULT:        return "instruction page fault";
	case EXC_LOAD_PAGE_FAULT:        return "load page fault";
	case EXC_STORE_PAGE_FAULT:       return "store page fault";
	case EXC_INST_GUEST_PAGE_FAULT:  return "instruction guest-page fault";
	case EXC_LOAD_GUEST_PAGE_FAULT:  return "load guest-page fault";
	case EXC_VIRTUAL_INST:           return "virtual instruction";
	case EXC_STORE_GUEST_PAGE_FAULT: return "store guest-page fault";
	}
	return "unexpected exception";
}

/* Delivers an exception to the guest's own trap vector, as the hart would have. */
static void redirect_to_guest(struct vcpu *v, u64 cause, u64 tval)
{
	struct trap_frame *f = &v->frame;
	u64 vsstatus = csr_read(CSR_VSSTATUS);
	vsstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE);
	if (f->sstatus & SSTATUS_SPP)
		vsstatus |= SSTATUS_SPP;
	if (vsstatus & SSTATUS_SIE)
		vsstatus |= SSTATUS_SPIE;
	vsstatus &= ~SSTATUS_SIE;
	csr_write(CSR_VSSTATUS, vsstatus);
	csr_write(CSR_VSEPC, f->sepc);
	csr_write(CSR_VSCAUSE, cause);
	csr_write(CSR_VSTVAL, tval);
	f->sepc = csr_read(CSR_VSTVEC) & ~3UL;
	f->sstatus |= SSTATUS_SPP;
}

static void guest_fault(struct vcpu *v, u64 cause, u64 addr)
{
	char why[96];
	u64 vstvec = csr_read(CSR_VSTVEC) & ~3UL;
	/* A fault on the guest's own trap vector means it had nowhere to take a trap. */
	if (cause == EXC_INST_GUEST_PAGE_FAULT && v->frame.sepc == vstvec) {
		snprintf(why, sizeof(why), "%s with no trap handler (vstvec 0x%lx)",
			 exc_name(csr_read(CSR_VSCAUSE)), vstvec);
		domain_crash(v->dom, why, csr_read(CSR_VSTVAL), csr_read(CSR_VSEPC));
		return;
	}
	domain_crash(v->dom, exc_name(cause), addr, v->frame.sepc);
}

static void guest_exception(struct hart *h, struct vcpu *v, u64 cause)
{
	u64 stval = csr_read(CSR_STVAL);
	switch (cause) {
	case EXC_ECALL_VS:
		sbi_dispatch(v);
		return;
	case EXC_VIRTUAL_INST:
		/* WFI from VS-mode blocks the vCPU; from VU-mode it is the guest kernel's business. */
		if (stval == INSN_WFI && (v->frame.sstatus & SSTATUS_SPP)) {
			v->frame.sepc += 4;
			sched_block_current(h);
			return;
		}
		/* A counter read once the vCPU uses the SBI PMU: its virtual counter. */
		unsigned idx, rd;
		if (vpmu_decode_read((u32)stval, &idx, &rd)) {
			enum vpmu_read r = vpmu_emulate_decoded(v, idx, rd, !(v->frame.sstatus & SSTATUS_SPP));
			if (r == VPMU_READ_DONE)
				v->frame.sepc += 4;
			if (r != VPMU_READ_NOT_MINE)
				return;
		}
		/* Anything else the guest may not do in VS-mode is illegal to it. */
		redirect_to_guest(v, EXC_ILLEGAL_INST, stval);
		return;
	case EXC_LOAD_GUEST_PAGE_FAULT:
	case EXC_STORE_GUEST_PAGE_FAULT: {
		/* htval holds the faulting GPA shifted right by 2. */
		u64 gpa = (csr_read(CSR_HTVAL) << 2) | (stval & 3);
		bool store = cause == EXC_STORE_GUEST_PAGE_FAULT;
		/* Emulated MMIO goes to the domain's device model; a hole is the guest's fault. */
		int r = v->dom->vplic ? dom0_devices_fault(v, gpa, store) : ioreq_handle_fault(h, v, gpa, store);
		switch (r) {
		case IOREQ_HOLE:
			guest_fault(v, cause, gpa);
			break;
		case IOREQ_MISALIGNED:
			/* stval is the guest virtual address (hstatus.GVA): what the guest's handler needs. */
			redirect_to_guest(v, store ? EXC_STORE_MISALIGNED : EXC_LOAD_MISALIGNED, stval);
			break;
		}
		return;
	}
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		/*
		 * Not delegated (FWFT MISALIGNED_EXC_DELEG 0): as KVM does, the
		 * guest's own handler gets it, through us; stval is its address.
		 */
		redirect_to_guest(v, cause, stval);
		return;
	case EXC_INST_GUEST_PAGE_FAULT:
		guest_fault(v, cause, (csr_read(CSR_HTVAL) << 2) | (stval & 3));
		return;
	default:
		guest_fault(v, cause, stval);
		return;
	}
}

/* A counter read the guest may not do itself, into a register the partial frame holds. */
static enum vpmu_read fast_counter_read(struct vcpu *v, u32 insn)
{
	unsigned idx, rd;
	if (!vpmu_decode_read(insn, &idx, &rd) || !frame_partial_has(rd))
		return VPMU_READ_NOT_MINE;
	return vpmu_emulate_decoded(v, idx, rd, !(csr_read(CSR_SSTATUS) & SSTATUS_SPP));
}

/*
 * First stop of every trap from a guest but an ecall (entry.S calls
 * sbi_fast_ecall() for those), with only the partial frame saved
 * (trapframe.h) and sepc and sstatus still in their CSRs: an emulated
 * counter read is handled here and sepc stepped; anything else is left
 * untouched for guest_trap(). The vCPU then resumes at once unless its hart
 * was kicked, as after a fast ecall (docs/architecture.md, "The trap path").
 */
enum trap_path guest_trap_fast(struct trap_frame *f)
{
	struct vcpu *v = container_of(f, struct vcpu, frame);
	if (csr_read(CSR_SCAUSE) != EXC_VIRTUAL_INST)
		return TRAP_FULL;
	enum vpmu_read r = fast_counter_read(v, (u32)csr_read(CSR_STVAL));
	if (r == VPMU_READ_NOT_MINE)
		return TRAP_FULL;
	if (r == VPMU_READ_DONE)
		csr_write(CSR_SEPC, csr_read(CSR_SEPC) + 4);
	/* A plain load: a kick it misses comes with its IPI, which traps the guest right back. */
	return __atomic_load_n(&this_hart()->kicked, __ATOMIC_RELAXED) ? TRAP_FULL_HANDLED : TRAP_RESUME;
}

/*
 * The frame of the vCPU schedule() picks. A vCPU's frame is its first
 * member, so this is schedule()'s own result: a tail call.
 */
static inline struct trap_frame *schedule_frame(void)
{
	_Static_assert(offsetof(struct vcpu, frame) == 0, "entry.S finds a vCPU's frame at its start");
	return (struct trap_frame *)schedule(this_hart());
}

/* The hart schedules after v's exit, its device model told of posted MMIO writes first (ioreq.c). */
static struct trap_frame *__attribute__((noinline)) flush_then_schedule(struct vcpu *v)
{
	ioreq_flush(v->dom);
	return schedule_frame();
}

/* What the hart runs after v's exit, which asks for the scheduler. */
static inline struct trap_frame *to_scheduler(struct vcpu *v)
{
	/* Tail calls either way (the hint read without the lock): a switch pays no stack frame here. */
	if (__atomic_load_n(&v->dom->ioreq_unsignalled, __ATOMIC_RELAXED))
		return flush_then_schedule(v);
	return schedule_frame();
}


/* An exit guest_trap_fast() left: the frame of the vCPU that runs next (v's own if it resumes). */
static struct trap_frame *__attribute__((noinline)) full_exit(struct vcpu *v)
{
	struct hart *h = this_hart();
	u64 scause = csr_read(CSR_SCAUSE);
	if (scause & SCAUSE_IRQ) {
		u64 irq = scause & ~SCAUSE_IRQ;
		if (irq == IRQ_S_TIMER)
			sched_timer_irq(h);
		else if (irq == IRQ_S_SOFT)
			sched_ipi_irq(h);
		else if (irq == IRQ_S_EXT)
			host_ext_irq();
		return to_scheduler(v);
	}
	guest_exception(h, v, scause);
	return sched_fast_resume(h, v) ? &v->frame : to_scheduler(v);
}

/*
 * The full path: f is whole (entry.S saved the rest, and sepc as the fast
 * path left it). path says whether the fast path already handled the exit.
 */
struct trap_frame *guest_trap(struct trap_frame *f, enum trap_path path)
{
	struct vcpu *v = container_of(f, struct vcpu, frame);
	return path == TRAP_FULL ? full_exit(v) : to_scheduler(v);
}

/* A trap in HS-mode itself: only a guarded guest access may cause one. */
void hs_trap(struct trap_frame *f)
{
	struct hart *h = this_hart();
	u64 scause = csr_read(CSR_SCAUSE);
	if (!(scause & SCAUSE_IRQ) && h && h->fault_armed) {
		h->fault_hit = true;
		f->sepc += 4;
		return;
	}
	panic("trap in the microvisor: scause 0x%lx sepc 0x%lx stval 0x%lx", scause, f->sepc,
	      csr_read(CSR_STVAL));
}
