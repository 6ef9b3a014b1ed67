/* SPDX-License-Identifier: MIT */
/* domain.h: a guest domain: its memory, G-stage table, vCPUs, console and lifecycle. */
#ifndef RIVET_DOMAIN_H
#define RIVET_DOMAIN_H
#include "vcpu.h"
#include "gstage.h"
#include "config.h"
#include "spinlock.h"
#include "public/bootimg.h"
#include "public/hypercall.h"
#include "evtchn.h"
#include "ioreq.h"

/*
 * The lifecycle (docs/architecture.md has the diagram). Every change of
 * d->state goes through domain_transition() in domain.c, under d->lock:
 *   CREATED  -> RUNNING   vCPU 0 started (VCPU_START, boot)
 *   CREATED, RUNNING -> DYING   shutdown, crash or destroy asked
 *   DYING    -> SHUTDOWN  last vCPU off; Dom0's toolstack decides what next
 *   DYING    -> RUNNING   last vCPU off; a boot domain restarts itself
 *   DYING, SHUTDOWN -> DEAD  destroyed: listed (dying) until freed with the last reference
 * Paused is a flag beside RUNNING (and CREATED), not a state.
 */
enum domain_state {
	DOM_CREATED,   /* built by Dom0, no vCPU started yet */
	DOM_RUNNING,   /* may run (unless paused) */
	DOM_DYING,     /* vCPUs being taken off their harts */
	DOM_SHUTDOWN,  /* stopped, memory kept, waiting for Dom0 to destroy it */
	DOM_DEAD,      /* listed as dying until freed with the last reference; no new references */
};

/* The first four are the public enum rivet_shutdown_reason's values; DESTROY is the microvisor's own. */
enum shutdown_reason {
	SHUTDOWN_POWEROFF = RIVET_SHUTDOWN_POWEROFF,
	SHUTDOWN_REBOOT   = RIVET_SHUTDOWN_REBOOT,
	SHUTDOWN_CRASH    = RIVET_SHUTDOWN_CRASH,
	SHUTDOWN_WATCHDOG = RIVET_SHUTDOWN_WATCHDOG,
	SHUTDOWN_DESTROY,
};

#define CONSOLE_RING_SIZE 8192   /* a DomU's console output kept for Dom0 */

struct domain {
	unsigned id;
	/*
	 * Written only under domains_lock (domain_rename), byte 31 always NUL:
	 * a lockless reader (a log line) may see a mix of two names for a
	 * moment, never an unterminated one; domain_name_copy() reads it whole.
	 */
	char name[RIVET_NAME_LEN];
	u64 start_ticks;              /* time CSR when created, or restarted in place (uptime) */
	u32 flags;                    /* RIVET_DOMF_* */
	/* lock guards state, reason and paused; it nests inside mem_lock. */
	spinlock_t lock;
	enum domain_state state;
	enum shutdown_reason reason;  /* why it is DYING / SHUTDOWN; DESTROY wins over the others */
	volatile bool paused;         /* read locklessly by the scheduler */
	/*
	 * A hint for ioreq_flush (ioreq.c), read without the lock by every exit
	 * that schedules: near the start, so that one load reaches it.
	 */
	volatile bool ioreq_unsignalled;
	volatile u64 refs;            /* the registry holds one while not DEAD; so does each foreign map */
	const struct rivet_bootimg_domain *boot;  /* boot-image domains: how to rebuild them */
	const u8 *archive;
	u8 on_poweroff, on_reboot, on_crash;      /* enum rivet_action */
	/* mem_lock guards gs (every change of the G-stage table), mem_bytes and nr_fmaps' use. */
	spinlock_t mem_lock;
	u64 mem_bytes, max_bytes;     /* populated / allowed */
	struct gstage gs;
	unsigned nr_fmaps;            /* Dom0's live foreign maps of this domain (fmaps_lock) */
	/* vmid and hgatp change together under vmid_lock (vmid.c); harts read them locklessly. */
	volatile u64 vmid, hgatp;
	volatile u64 vmid_version;    /* the VMID generation vmid belongs to */
	volatile u64 gvma_gen;        /* bumped on every unmap (domain_mem.c) */
	/*
	 * Harts that may hold G-stage TLB entries of this domain's VMIDs (bit =
	 * hart index): a hart sets its bit (atomic or) in vmid_enter() before it
	 * first runs with this domain's hgatp, and nobody clears one while the
	 * domain lives, so targeted shootdowns (hart_shootdown_gvma_doms())
	 * fence a superset. A clear would be safe only for a hart known to have
	 * fenced all since (a VMID rollover), and only if the shootdowns also
	 * waited for the rollover's pending flushes: not done.
	 */
	volatile u64 tlb_harts;
	u64 cpus_mask;                /* harts allowed, already masked by online harts */
	/*
	 * Scheduling policy (sched_policy.h, hc_sched.c): written under
	 * sched_params_lock, read by every hart without a lock (aligned stores,
	 * so a scan sees a change at worst one pass late). sched_rt: its vCPUs
	 * are RTDS; their parameters reach them through sched_gen (vcpu.h).
	 */
	volatile u64 sched_weight, sched_cap, sched_rt;
	volatile u64 sched_bounded;   /* sched_rt || sched_cap: one load on the switch path */
	volatile u64 sched_gen;
	/* Its cap's window (now / window length) and the run time of all its vCPUs in it (sched.c). */
	volatile u64 cap_window, cap_used;
	unsigned long nr_vcpus;       /* a full register: the IPI path's checks need no extension */
	struct vcpu *vcpus[RIVET_MAX_VCPUS];
	volatile u64 live_vcpus;      /* vCPUs not yet taken off by a dying domain */
	volatile u64 started_vcpus;   /* vCPUs not in HSM STOPPED */
	/*
	 * vCPUs 0..avail_vcpus-1 may be started by HSM (DOMAIN_VCPUS, xl
	 * vcpu-set). No lock: one atomic store by the setter, one load by
	 * hart_start; a start racing a change is ordered before or after it,
	 * and both are allowed (lowering never stops a running vCPU).
	 */
	volatile u32 avail_vcpus;
	unsigned restarts;
	/* Console output: one line is gathered, then printed with the name as prefix. */
	spinlock_t con_lock;
	char con_line[CONSOLE_LINE_MAX];
	unsigned con_len;
	/* With a Dom0, a DomU's console goes to this ring, which Dom0 reads. */
	u64 ring_head, ring_tail;     /* bytes ever written / consumed */
	char ring[CONSOLE_RING_SIZE];
	/* ... and its console input comes from Dom0 (CONSOLE_WRITE) into this one. */
	u64 in_head, in_tail;
	char in_ring[256];
	/* Event channels (evtchn.c) */
	spinlock_t evtchn_lock;
	struct evtchn *evtchns;       /* RIVET_EVTCHN_PORTS slots, allocated by EVTCHN_INIT */
	struct rivet_event_page *event_page;   /* in the domain's RAM (HPA) */
	u64 event_gpa;
	u16 virq_port[RIVET_NR_VIRQS];
	/* Its device model (ioreq.c): ioreq_lock guards these and each vCPU's io. */
	spinlock_t ioreq_lock;
	struct ioreq_server *ioreq;   /* also read locklessly, as a hint, by the trap path */
	struct domain *ioreq_dm;      /* Dom0, referenced while it serves */
	bool ioreq_closed;            /* its vCPUs are off for good: no server any more */
	bool ioreq_ever;              /* it was served: its VSEIP is its PLIC's, never event channels' */
	/* Dom0: its VSEIP is its virtual PLIC's (dom0_devices.c); set before it starts. */
	bool vplic;
};

struct domain_params {
	const char *name;
	unsigned nr_vcpus;
	u64 cpus_mask, max_bytes;
	u32 flags;
	u8 on_poweroff, on_reboot, on_crash;
};

/* domain.c: objects, registry and lifecycle */
struct domain *domain_alloc(const struct domain_params *p, int *err);
/* Enters d in the registry under id (or the lowest free id >= 1 when id < 0). */
int domain_register(struct domain *d, int id);
/* Looks up a live domain and takes a reference; RIVET_DOMID_SELF means caller. */
struct domain *domain_get(unsigned id, struct domain *caller);
void domain_put(struct domain *d);
/* Another reference on a domain the caller already holds one on. */
void domain_ref(struct domain *d);
/* Starts vCPU 0 at pc with a0 = 0 and a1: CREATED -> RUNNING; -RIVET_EBUSY from any other state. */
int domain_start(struct domain *d, u64 pc, u64 a1);
/* Pausing returns once none of d's vCPUs is on a hart any more. */
void domain_pause(struct domain *d, bool pause);
/* Pauses d if it is CREATED or RUNNING and not paused yet; true if it did. */
bool domain_pause_if_alive(struct domain *d);
/*
 * A vCPU of a stopped (paused, created, shut down) domain that a hart picked
 * just before it stopped backs out at once: this waits until it has.
 */
void domain_settle(struct domain *d);
/* True when none of d's vCPUs can run: never started, shut down, or paused (and off). */
bool domain_quiescent(struct domain *d);
/* A guest asked to power off / reboot, or did something that ends it, or Dom0 destroys it. */
void domain_shutdown(struct domain *d, enum shutdown_reason why);
/* Prints "domain NAME crashed: CAUSE at ADDR (pc PC)" and applies on_crash. */
void domain_crash(struct domain *d, const char *cause, u64 addr, u64 pc);
/* Called by a vCPU's home hart once the vCPU is off: the last one finishes the job. */
void domain_vcpu_off(struct domain *d);
/*
 * Dom0's destroy: a SHUTDOWN domain goes at once; a CREATED, RUNNING or
 * DYING one once its vCPUs are off. -RIVET_ENOENT if it is already DEAD;
 * with only_shutdown, -RIVET_EBUSY for anything but a SHUTDOWN domain.
 */
int domain_destroy(struct domain *d, bool only_shutdown);
void domain_console_putc(struct domain *d, char c);
/* Prints the unfinished line now (a prompt, before the domain waits for input). */
void domain_console_flush(struct domain *d);
/* Dom0 takes up to len bytes of d's console ring. */
u64 domain_console_read(struct domain *d, char *buf, u64 len);
/*
 * Dom0 renames d to name (already checked as DOMAIN_CREATE checks it): 0,
 * -RIVET_EEXIST if another live domain has that name, -RIVET_ENOENT if d is
 * DEAD. Nothing changes on failure.
 */
int domain_rename(struct domain *d, const char *name);
/* d's name as one consistent string (under domains_lock: a rename cannot tear it). */
void domain_name_copy(struct domain *d, char out[RIVET_NAME_LEN]);
/* The id of the first live domain after id (wrapping), 0 if none; name copied if given. */
unsigned domain_next_id(unsigned id, char name[RIVET_NAME_LEN]);
/*
 * The first listed domain with id >= from (DEAD ones until they are freed),
 * referenced; or NULL, with freeing->state set (DYING) and its id and name
 * filled in if that domain is being freed right now.
 */
struct domain *domain_get_from(unsigned from, struct rivet_domain_info *freeing);
/* The privileged domain, if one exists: for identity comparisons only (not referenced). */
struct domain *domain_dom0(void);
/* Dom0 with a reference taken, or NULL: for anything that touches it. */
struct domain *domain_get_dom0(void);
/*
 * The machine powers off when the count of live domains drops to zero.
 * Boot holds one count while it creates domains, so that a domain which
 * ends early cannot power the machine off before the others exist.
 */
void domains_hold(void);
void domains_put(void);
u64 domain_overhead_bytes(const struct domain *d);

/* domain_mem.c: guest memory */
int domain_populate(struct domain *d, u64 gpa, u64 bytes);
/* The same for a list of pages, all or nothing (domain_mem.c). */
int domain_populate_pages(struct domain *d, const u64 *gpa, u64 n, u64 tables);
int domain_release(struct domain *d, u64 gpa, u64 bytes);
void domain_free_memory(struct domain *d);
/* Copy to / from the domain's own RAM by GPA; -RIVET_EFAULT where it has none. */
int domain_read_gpa(struct domain *d, u64 gpa, void *buf, u64 len);
int domain_write_gpa(struct domain *d, u64 gpa, const void *buf, u64 len);
bool domain_range_is_ram(struct domain *d, u64 gpa, u64 len);

/* domain_boot.c: domains described in the boot image */
int domain_create_boot(const struct rivet_bootimg_domain *bd, const u8 *archive, unsigned id);
/*
 * on_* = restart: closes its event channels and reloads the images; false
 * if it cannot (they no longer fit, or Dom0 still maps its memory).
 */
bool domain_boot_reload(struct domain *d);
#endif
