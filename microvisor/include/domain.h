/* SPDX-License-Identifier: MIT */
/* domain.h: a guest domain: its memory, G-stage table, vCPUs, console and lifecycle. */
#ifndef RIVET_DOMAIN_H
#define RIVET_DOMAIN_H
#include "vcpu.h"
#include "gstage.h"
#include "config.h"
#include "spinlock.h"
#include "public/bootimg.h"

enum domain_state {
	DOM_RUNNING,
	DOM_DYING,     /* vCPUs being taken off their harts */
	DOM_DEAD,
};

enum shutdown_reason { SHUTDOWN_POWEROFF, SHUTDOWN_REBOOT, SHUTDOWN_CRASH };

struct domain {
	unsigned id;
	char name[RIVET_NAME_LEN];
	enum domain_state state;
	enum shutdown_reason reason;  /* why it is DYING */
	spinlock_t lock;
	const struct rivet_bootimg_domain *boot;  /* how to (re)build it */
	const u8 *archive;
	u64 ram_hpa, ram_bytes;       /* one contiguous block */
	struct gstage gs;
	u64 vmid;
	u64 hgatp;
	u64 cpus_mask;                /* harts allowed, already masked by online harts */
	unsigned nr_vcpus;
	struct vcpu *vcpus[RIVET_MAX_VCPUS];
	volatile u64 live_vcpus;      /* vCPUs not yet taken off by a dying domain */
	volatile u64 started_vcpus;   /* vCPUs not in HSM STOPPED */
	unsigned restarts;
	/* Console output: one line is gathered, then printed with the name as prefix. */
	spinlock_t con_lock;
	char con_line[CONSOLE_LINE_MAX];
	unsigned con_len;
};

int domain_create_boot(const struct rivet_bootimg_domain *bd, const u8 *archive, unsigned id);
/* A guest asked to power off / reboot, or did something that ends it. */
void domain_shutdown(struct domain *d, enum shutdown_reason why);
/* Prints "domain NAME crashed: CAUSE at ADDR (pc PC)" and applies on_crash. */
void domain_crash(struct domain *d, const char *cause, u64 addr, u64 pc);
/* Called by a vCPU's home hart once the vCPU is off: the last one finishes the job. */
void domain_vcpu_off(struct domain *d);
/* Copy to / from guest RAM by GPA; -RIVET_EFAULT outside the domain's RAM. */
int domain_read_gpa(struct domain *d, u64 gpa, void *buf, u64 len);
int domain_write_gpa(struct domain *d, u64 gpa, const void *buf, u64 len);
void domain_console_putc(struct domain *d, char c);
/* Prints the unfinished line now (a prompt, before the domain waits for input). */
void domain_console_flush(struct domain *d);
/*
 * The machine powers off when the count of live domains drops to zero.
 * Boot holds one count while it creates domains, so that a domain which
 * ends early cannot power the machine off before the others exist.
 */
void domains_hold(void);
void domains_put(void);
/* The id of the first live domain after id (wrapping), 0 if none; name copied if given. */
unsigned domain_next_id(unsigned id, char name[RIVET_NAME_LEN]);
#endif
