/* SPDX-License-Identifier: MIT */
/* hypercall.h: the handlers of Rivet's hypercalls (public/hypercall.h), one file per area. */
#ifndef RIVET_HYPERCALL_H
#define RIVET_HYPERCALL_H
#include "sbi.h"
#include "domain.h"

#define RIVET_FOREIGN_WINDOW_BASE 0x10000000000ULL   /* 1 TiB: Dom0's GPA window for foreign pages */
#define RIVET_FOREIGN_WINDOW_END  (1ULL << GSTAGE_GPA_BITS)

/* Maps an internal -RIVET_E* code to the ABI's error. */
long hc_error(int err);
/* The target of a control call: an existing domain, referenced, that is not the caller. */
struct domain *hc_target(struct vcpu *v, u64 domid, int *err);

struct sbiret hc_physinfo(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_domain_create(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_domain_destroy(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_domain_pause(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_domain_unpause(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_domain_getinfo(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_domain_shutdown(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_domain_rename(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_domain_vcpus(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_debug_keys(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_vcpu_start(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_vcpu_getinfo(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_vcpu_pin(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_vcpu_getcontext(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_sched_get(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_sched_set(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_memory_populate(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_memory_release(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_foreign_map(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_foreign_unmap(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_memory_reclaim(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_memory_restore(struct vcpu *v, struct trap_frame *f);
/*
 * hc_memory.c's foreign maps, for hc_balloon.c. foreign_lock() is the lock of
 * every foreign map, taken before any domain's mem_lock. With it held,
 * foreign_windows() calls fn for each piece of Dom0's window that shows part
 * of [gpa, gpa + len) of d (its window GPA, d's GPA and its length), and
 * counts them.
 */
void foreign_lock(void);
void foreign_unlock(void);
unsigned foreign_windows(struct domain *d, u64 gpa, u64 len,
			 void (*fn)(void *ctx, u64 window, u64 gpa, u64 bytes), void *ctx);
struct sbiret hc_console_read(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_console_write(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_dmesg_read(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_evtchn_init(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_evtchn_send(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_evtchn_unmask(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_evtchn_ack(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_evtchn_alloc(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_evtchn_bind(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_evtchn_bind_virq(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_evtchn_close(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_ioreq_create(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_ioreq_map(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_ioreq_unmap(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_ioreq_enable(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_ioreq_destroy(struct vcpu *v, struct trap_frame *f);
struct sbiret hc_ioreq_set_irq(struct vcpu *v, struct trap_frame *f);
#endif
