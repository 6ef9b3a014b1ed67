/* SPDX-License-Identifier: MIT */
/*
 * hypercall.h: the Rivet hypercall ABI, an SBI extension in the
 * firmware-specific EID range. a7 = RIVET_SBI_EXT, a6 = function,
 * a0..a5 = arguments; returns a0 = error (SBI error codes below),
 * a1 = value. Included unchanged by the microvisor, the Dom0 driver and
 * libxc; docs/hypercalls.md documents every call.
 *
 * Buffers are passed by guest-physical address (GPA) in the caller's own
 * RAM, must not cross a page boundary unless said otherwise, and are read or
 * written by the microvisor during the call only. All structures have
 * fixed-width fields and explicit padding.
 */
#ifndef RIVET_PUBLIC_HYPERCALL_H
#define RIVET_PUBLIC_HYPERCALL_H

#include "types.h"

#define RIVET_SBI_EXT          0x0A524956UL  /* "\x0aRIV", firmware-specific range */
#define RIVET_ABI_MAJOR        1
#define RIVET_ABI_MINOR        5   /* 1.1: ioreq servers; 1.2: Dom0 events through its vPLIC;
                                      1.3: scheduling parameters (SCHED_GET / SCHED_SET),
                                      DOMAIN_RENAME, DEBUG_KEYS, DMESG_READ's clear flag,
                                      start and sample times in struct rivet_domain_info;
                                      1.4: RIVET_SHUTDOWN_WATCHDOG, VCPU_GETCONTEXT
                                      (guest core dumps), DOMAIN_VCPUS and
                                      avail_vcpus in struct rivet_domain_info
                                      (xl vcpu-set); ballooning: MEMORY_RECLAIM /
                                      MEMORY_RESTORE, FOREIGN_MAP's HOLES flag;
                                      1.5: RIVET_MEMORY_LIST (MEMORY_RECLAIM /
                                      MEMORY_RESTORE of a list of pages) */

/*
 * DOMAIN_DESTROY's a1 (ABI 1.2; 0 before): IF_SHUTDOWN destroys only a
 * domain that is shut down, else RIVET_ERR_BUSY, so a daemon acting on a
 * shut-down domain never destroys a new one that took its id meanwhile.
 */
#define RIVET_DESTROY_IF_SHUTDOWN  1ULL
#define RIVET_DESTROY_FLAGS        RIVET_DESTROY_IF_SHUTDOWN

/*
 * DMESG_READ's a3 (ABI 1.3; ignored before, callers passed 0): CLEAR drops
 * from the log every byte before the end of what this call returned, i.e.
 * before offset + the value. A reader that reads from offset 0 with CLEAR
 * until a call returns nothing reads and drops the log chunk by chunk, and
 * loses no line logged meanwhile (offsets count from the oldest kept byte,
 * which moves once the ring is full: a separate clear after separate reads
 * could drop a line that came in between). Other bits: SBI_ERR_INVALID_PARAM.
 */
#define RIVET_DMESG_CLEAR          1ULL
#define RIVET_DMESG_FLAGS          RIVET_DMESG_CLEAR

/*
 * Ballooning (ABI 1.4): MEMORY_RECLAIM takes pages away from a DomU that may
 * be running (back to the pool, scrubbed before anyone gets them), and
 * MEMORY_RESTORE gives it fresh zeroed pages where it has none; both also
 * change every foreign mapping of the range. At most RIVET_BALLOON_MAX_PAGES
 * pages per call. FOREIGN_MAP's a4 flags (0 before): HOLES maps a range
 * that may have unpopulated (reclaimed) pages, leaving them unmapped in the
 * window. Other bits: SBI_ERR_INVALID_PARAM.
 */
#define RIVET_BALLOON_MAX_PAGES    512
#define RIVET_FOREIGN_MAP_HOLES    1ULL
#define RIVET_FOREIGN_MAP_FLAGS    RIVET_FOREIGN_MAP_HOLES

/*
 * MEMORY_RECLAIM / MEMORY_RESTORE's a3 (ABI 1.5; ignored before, callers
 * passed 0): LIST makes a1 the GPA, in the caller's own RAM, of an array of
 * a2 (1 to RIVET_BALLOON_MAX_PAGES) u64 guest-physical addresses, each of
 * one 4 KiB page, in any order, no repeats. The call is all or nothing, as
 * for a range, and the harts fence once for the whole list. Other bits:
 * SBI_ERR_INVALID_PARAM.
 */
#define RIVET_MEMORY_LIST          1ULL
#define RIVET_MEMORY_FLAGS         RIVET_MEMORY_LIST

/* DEBUG_KEYS: at most this many key bytes per call (more: SBI_ERR_INVALID_PARAM). */
#define RIVET_DEBUG_KEYS_MAX       32

enum rivet_hc {
	/* Any domain. */
	RIVET_HC_VERSION          = 0,  /* value = (major << 16) | minor */
	RIVET_HC_CURRENT_HART     = 1,  /* value = physical hart running the caller */
	RIVET_HC_DOMAIN_ID        = 2,  /* value = the caller's domain id */
	RIVET_HC_EVTCHN_INIT      = 8,  /* a0 = GPA of the caller's event page */
	RIVET_HC_EVTCHN_SEND      = 9,  /* a0 = local port */
	RIVET_HC_EVTCHN_UNMASK    = 10, /* a0 = local port */
	RIVET_HC_EVTCHN_ACK       = 11, /* lowers the caller's event interrupt (VSEIP) */

	/* Dom0 only: everyone else gets SBI_ERR_DENIED. */
	RIVET_HC_PHYSINFO         = 16, /* a0 = GPA of struct rivet_physinfo */
	RIVET_HC_DOMAIN_CREATE    = 17, /* a0 = GPA of struct rivet_domain_config; value = domid */
	RIVET_HC_DOMAIN_DESTROY   = 18, /* a0 = domid, a1 = RIVET_DESTROY_* flags (1.2) */
	RIVET_HC_DOMAIN_PAUSE     = 19, /* a0 = domid */
	RIVET_HC_DOMAIN_UNPAUSE   = 20, /* a0 = domid */
	RIVET_HC_DOMAIN_GETINFO   = 21, /* a0 = first domid to consider, a1 = GPA of struct
	                                   rivet_domain_info; value = domid found (>= a0) */
	RIVET_HC_DOMAIN_SHUTDOWN  = 22, /* a0 = domid, a1 = enum rivet_shutdown_reason */
	RIVET_HC_DOMAIN_RENAME    = 23, /* a0 = domid, a1 = GPA of RIVET_NAME_MAX bytes: the new
	                                   name, NUL-terminated, checked as DOMAIN_CREATE's (1.3) */
	RIVET_HC_VCPU_START       = 24, /* a0 = domid, a1 = vcpu, a2 = pc, a3 = a1 register */
	RIVET_HC_VCPU_GETINFO     = 25, /* a0 = domid, a1 = vcpu, a2 = GPA of struct rivet_vcpu_info */
	RIVET_HC_VCPU_PIN         = 26, /* a0 = domid, a1 = vcpu, a2 = hart mask (0 = any) */
	RIVET_HC_SCHED_GET        = 27, /* a0 = domid, a1 = vcpu or RIVET_SCHED_ALL_VCPUS,
					   a2 = GPA of struct rivet_sched_params to fill (1.3) */
	RIVET_HC_SCHED_SET        = 28, /* a0 = domid, a1 = vcpu or RIVET_SCHED_ALL_VCPUS,
					   a2 = GPA of struct rivet_sched_params (1.3) */
	RIVET_HC_VCPU_GETCONTEXT  = 29, /* a0 = domid, a1 = vcpu, a2 = GPA of struct
					   rivet_vcpu_context to fill; the domain must be stopped
					   (paused, shut down or never started) (1.4) */
	RIVET_HC_DOMAIN_VCPUS     = 30, /* a0 = domid, a1 = vCPUs it may start (1..nr_vcpus):
					   HSM hart_start of a higher one fails (1.4) */
	RIVET_HC_MEMORY_POPULATE  = 32, /* a0 = domid, a1 = GPA, a2 = nr of 4 KiB pages */
	RIVET_HC_MEMORY_RELEASE   = 33, /* a0 = domid, a1 = GPA, a2 = nr of pages */
	RIVET_HC_FOREIGN_MAP      = 34, /* a0 = domid, a1 = its GPA, a2 = caller's window GPA,
	                                   a3 = nr of pages, a4 = RIVET_FOREIGN_MAP_* flags (1.4) */
	RIVET_HC_FOREIGN_UNMAP    = 35, /* a0 = caller's window GPA, a1 = nr of pages */
	RIVET_HC_MEMORY_RECLAIM   = 36, /* a0 = domid, a1 = GPA, a2 = nr of pages (1 to
	                                   RIVET_BALLOON_MAX_PAGES), all populated (1.4);
	                                   a3 = RIVET_MEMORY_* flags (1.5) */
	RIVET_HC_MEMORY_RESTORE   = 37, /* a0 = domid, a1 = GPA, a2 = nr of pages (1 to
	                                   RIVET_BALLOON_MAX_PAGES), none populated (1.4);
	                                   a3 = RIVET_MEMORY_* flags (1.5) */
	RIVET_HC_EVTCHN_ALLOC     = 40, /* a0 = remote domid; value = new unbound local port */
	RIVET_HC_EVTCHN_BIND      = 41, /* a0 = remote domid, a1 = remote port; value = local port */
	RIVET_HC_EVTCHN_BIND_VIRQ = 42, /* a0 = enum rivet_virq; value = local port */
	RIVET_HC_EVTCHN_CLOSE     = 43, /* a0 = local port */
	RIVET_HC_CONSOLE_READ     = 48, /* a0 = domid, a1 = GPA of buffer, a2 = length;
	                                   value = bytes read from that domain's console output */
	RIVET_HC_CONSOLE_WRITE    = 49, /* a0 = domid, a1 = GPA, a2 = length: input for it */
	RIVET_HC_DMESG_READ       = 50, /* a0 = offset, a1 = GPA of buffer, a2 = length;
	                                   value = bytes copied of the microvisor's log;
	                                   a3 = RIVET_DMESG_* flags (1.3) */
	RIVET_HC_DEBUG_KEYS       = 51, /* a0 = GPA of the keys, a1 = their count (1 to
	                                   RIVET_DEBUG_KEYS_MAX); each key's dump goes to the log;
	                                   value = keys known (1.3) */
	/* ioreq servers (ABI 1.1, public/ioreq.h): a device model in Dom0 serves a DomU's MMIO. */
	RIVET_HC_IOREQ_CREATE     = 56, /* a0 = domid, a1 = GPA of a page of the caller's RAM that
	                                   becomes the shared struct rivet_ioreq_page;
	                                   value = the caller's new event port for the server */
	RIVET_HC_IOREQ_MAP        = 57, /* a0 = domid, a1 = GPA, a2 = length in bytes,
	                                   a3 = RIVET_IOREQ_RANGE_* flags */
	RIVET_HC_IOREQ_UNMAP      = 58, /* a0 = domid, a1 = GPA, a2 = length, a3 = flags: exactly
	                                   as mapped */
	RIVET_HC_IOREQ_ENABLE     = 59, /* a0 = domid, a1 = 1 enable / 0 disable */
	RIVET_HC_IOREQ_DESTROY    = 60, /* a0 = domid, a1 = the server's port (from IOREQ_CREATE) */
	RIVET_HC_IOREQ_SET_IRQ    = 61, /* a0 = domid, a1 = vcpu, a2 = level (0 or 1) of its
	                                   external interrupt line (VSEIP) */
};

/* Standard SBI error codes (SBI spec, "Binary Encoding"). */
#define SBI_SUCCESS                0
#define SBI_ERR_FAILED            -1
#define SBI_ERR_NOT_SUPPORTED     -2
#define SBI_ERR_INVALID_PARAM     -3
#define SBI_ERR_DENIED            -4
#define SBI_ERR_INVALID_ADDRESS   -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED   -7
#define SBI_ERR_ALREADY_STOPPED   -8
#define SBI_ERR_NO_SHMEM          -9
#define SBI_ERR_INVALID_STATE     -10
#define SBI_ERR_BAD_RANGE         -11
#define SBI_ERR_TIMEOUT           -12
#define SBI_ERR_IO                -13
#define SBI_ERR_DENIED_LOCKED     -14
/* Rivet's own, outside the range the SBI spec uses. */
#define RIVET_ERR_NO_DOMAIN       -100  /* no such domain */
#define RIVET_ERR_NO_MEMORY       -101  /* the microvisor is out of memory */
#define RIVET_ERR_BUSY            -102  /* already in use / mapped */
#define RIVET_ERR_EXISTS          -103  /* a domain of that name exists */

#define RIVET_DOMID_SELF   0x7FF0U
#define RIVET_NAME_MAX     32       /* bytes, the terminating NUL included */

enum rivet_shutdown_reason {
	RIVET_SHUTDOWN_POWEROFF = 0,
	RIVET_SHUTDOWN_REBOOT   = 1,
	RIVET_SHUTDOWN_CRASH    = 2,
	RIVET_SHUTDOWN_WATCHDOG = 3,  /* (1.4) the device model's watchdog expired: Xen's on_watchdog */
};

struct rivet_physinfo {
	uint32_t nr_harts;
	uint32_t max_vcpus_per_domain;
	uint64_t total_bytes;      /* RAM the microvisor manages for domains */
	uint64_t free_bytes;
	uint64_t timebase_hz;
	uint32_t abi_version;      /* (major << 16) | minor */
	uint32_t cboz_block_bytes; /* Zicboz block size domains may use cbo.zero with; 0: none */
};

/* Flags of struct rivet_domain_config / rivet_domain_info. */
#define RIVET_DOMF_PRIVILEGED  (1U << 0)   /* Dom0: may use control hypercalls */

struct rivet_domain_config {
	char     name[RIVET_NAME_MAX];
	uint64_t max_bytes;        /* memory the domain may be populated with */
	uint64_t cpus_mask;        /* harts its vCPUs may run on; 0 = any */
	uint32_t nr_vcpus;         /* 1..8 */
	uint32_t flags;            /* none may be set by DOMAIN_CREATE */
	uint8_t  on_poweroff, on_reboot, on_crash;  /* enum rivet_action (bootimg.h) */
	uint8_t  pad[5];
};

/* State flags of struct rivet_domain_info. */
#define RIVET_DOMSTATE_RUNNING  (1U << 0)
#define RIVET_DOMSTATE_PAUSED   (1U << 1)
#define RIVET_DOMSTATE_BLOCKED  (1U << 2)  /* every started vCPU waits in WFI */
#define RIVET_DOMSTATE_DYING    (1U << 3)
#define RIVET_DOMSTATE_SHUTDOWN (1U << 4)

struct rivet_domain_info {
	uint32_t domid;
	uint32_t state;            /* RIVET_DOMSTATE_* */
	char     name[RIVET_NAME_MAX];
	uint64_t mem_bytes;        /* populated */
	uint64_t max_bytes;
	uint64_t cpu_time_ns;      /* all its vCPUs together */
	uint32_t nr_vcpus;
	uint32_t flags;            /* RIVET_DOMF_* */
	uint32_t nr_online_vcpus;
	uint32_t shutdown_reason;  /* when SHUTDOWN is set */
	/*
	 * ABI 1.3 (0 from an older microvisor). Both on the microvisor's clock
	 * (the time CSR since the machine started, in ns): when the domain was
	 * created (a boot-image domain restarting in place starts again), and
	 * when this info was taken, so now_ns - start_ns is its uptime and two
	 * samples' cpu_time_ns deltas divide by their now_ns delta exactly.
	 */
	uint64_t start_ns;
	uint64_t now_ns;
	/*
	 * ABI 1.4 (0 from an older microvisor: read it as nr_vcpus). vCPUs
	 * 0..avail_vcpus-1 may be started with SBI HSM (DOMAIN_VCPUS; xl's
	 * vcpu-set and maxvcpus). An older caller's shorter buffer is the
	 * driver's zeroed bounce page, so these 8 more bytes harm nothing.
	 */
	uint32_t avail_vcpus;
	uint32_t pad;
};

/*
 * A domain's scheduling policy (docs/architecture.md "Scheduling policy").
 * CREDIT: weight and cap, per domain (Xen's credit2 meaning: weight 512 gets
 * twice the hart of weight 256 when both are busy; cap is a percentage of
 * one hart, 0 = none). RTDS: a budget per period for each vCPU, which runs
 * before any CREDIT vCPU while it has budget (Xen's RTDS meaning); with
 * extratime it also runs, as a CREDIT vCPU of the default weight, once the
 * budget is spent. SCHED_SET with policy CREDIT takes the weight and cap
 * (vcpu must be ALL); with RTDS the period, budget and extratime of one vCPU
 * or of all, and a CREDIT domain becomes RTDS (its other vCPUs get the
 * default period and budget). Out of range: SBI_ERR_INVALID_PARAM, nothing
 * changed. SCHED_GET says the policy, weight and cap, and the RTDS values of
 * the vCPU named (vCPU 0 for ALL).
 */
#define RIVET_SCHED_CREDIT             0
#define RIVET_SCHED_RTDS               1
#define RIVET_SCHED_ALL_VCPUS          0xffffffffU
#define RIVET_SCHED_WEIGHT_DEFAULT     256
#define RIVET_SCHED_WEIGHT_MAX         65535
#define RIVET_SCHED_RTDS_PERIOD_MIN_US 100
#define RIVET_SCHED_RTDS_PERIOD_MAX_US 10000000   /* 10 s */
#define RIVET_SCHED_RTDS_BUDGET_MIN_US 10
#define RIVET_SCHED_RTDS_PERIOD_DEFAULT_US 10000  /* Xen's RTDS defaults */
#define RIVET_SCHED_RTDS_BUDGET_DEFAULT_US 4000

struct rivet_sched_params {
	uint32_t policy;           /* RIVET_SCHED_* */
	uint32_t weight;           /* CREDIT: 1..RIVET_SCHED_WEIGHT_MAX */
	uint32_t cap;              /* CREDIT: percent of one hart, 0 = none, at most 100 * harts */
	uint32_t extratime;        /* RTDS: 0 or 1 */
	uint64_t period_us;        /* RTDS: the vCPU's period */
	uint64_t budget_us;        /* RTDS: its budget per period, at most the period */
};

struct rivet_vcpu_info {
	uint32_t state;            /* 0 stopped, 1 running, 2 runnable, 3 blocked */
	uint32_t hart;             /* where it runs or last ran */
	uint64_t cpu_time_ns;
	uint64_t affinity;         /* hart mask, 0 = any */
};

/*
 * VCPU_GETCONTEXT (1.4): the registers of one vCPU of a domain none of whose
 * vCPUs can run, as it would resume (for core dumps: xl dump-core,
 * on_crash = "coredump-destroy"). A domain that could run answers
 * RIVET_ERR_BUSY: pause it first (DOMAIN_PAUSE returns once its vCPUs are
 * off their harts). priv is the mode it resumes in: 1 VS-mode (the guest's
 * S-mode), 0 VU-mode. f and fcsr are its FP registers (what it last wrote,
 * lazily saved FP included).
 */
struct rivet_vcpu_context {
	uint64_t pc;               /* where it resumes: the sepc of its last trap */
	uint64_t x[32];            /* x0 reads 0 */
	uint64_t priv;             /* 1 VS-mode, 0 VU-mode */
	uint64_t vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
	uint64_t f[32];
	uint64_t fcsr;
};

/* Event channels: ports 0..RIVET_EVTCHN_PORTS-1; port 0 is never used. */
#define RIVET_EVTCHN_PORTS 1024
struct rivet_event_page {
	uint64_t pending[RIVET_EVTCHN_PORTS / 64];  /* set by the microvisor, cleared by the domain */
	uint64_t mask[RIVET_EVTCHN_PORTS / 64];     /* set and cleared by the domain */
};

enum rivet_virq {
	RIVET_VIRQ_CONSOLE    = 0,  /* some domain's console has output */
	RIVET_VIRQ_DOM_EXC    = 1,  /* a domain shut down or crashed */
	RIVET_NR_VIRQS        = 2,
};

#endif
