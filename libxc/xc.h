/* SPDX-License-Identifier: MIT */
/*
 * xc.h: libxc, Dom0's C library over /dev/rivet/privcmd: one typed function
 * per hypercall (microvisor/include/public/hypercall.h), foreign mappings and
 * event channels as file descriptors (dom0/driver/rivet_privcmd.h).
 *
 * Every function returns 0 (or a count, where said) on success and a
 * negative XC_E* code on failure; xc_strerror() turns one into a message.
 * A handle is not thread-safe.
 */
#ifndef RIVET_XC_H
#define RIVET_XC_H

#include <stddef.h>
#include <stdint.h>

#include "hypercall.h"
#include "ioreq.h"

#define XC_PAGE_SIZE 4096UL

/* libxc's own error codes: SBI/Rivet errors and errno both map to these. */
enum xc_error {
	XC_OK        = 0,
	XC_EFAIL     = -1,  /* the microvisor reports a failure without a reason */
	XC_ENOTSUP   = -2,  /* call not supported by this microvisor or driver */
	XC_EINVAL    = -3,  /* invalid argument */
	XC_EDENIED   = -4,  /* not allowed (not Dom0, or the target is protected) */
	XC_EFAULT    = -5,  /* bad address */
	XC_EALREADY  = -6,  /* already available / already started */
	XC_ESTOPPED  = -7,  /* already stopped */
	XC_ENODOMAIN = -8,  /* no such domain */
	XC_ENOMEM    = -9,  /* out of memory (microvisor or Dom0) */
	XC_EBUSY     = -10, /* resource busy / in use */
	XC_EEXIST    = -11, /* already exists (e.g. a domain of that name) */
	XC_ENODEV    = -12, /* the privcmd device is missing */
	XC_EIO       = -13, /* I/O error or an unexpected answer */
	XC_ENOSPC    = -14, /* a buffer is too small or too large */
	XC_EAGAIN    = -15, /* nothing to read now */
	XC_NR_ERRORS = 16
};

const char *xc_strerror(int err);
/* The XC_E* code for an SBI/Rivet error (a0 of a hypercall), and for an errno. */
int xc_error_from_sbi(long sbi_error);
int xc_error_from_errno(int e);

/*
 * The transport. Each hook returns >= 0 on success or -errno; mmap stores the
 * address in *addr. The default backend calls the system; host unit tests
 * plug a fake one.
 */
struct xc_backend {
	int (*open)(void *ctx, const char *path);
	int (*ioctl)(void *ctx, int fd, unsigned long request, void *arg);
	int (*mmap)(void *ctx, int fd, size_t len, uint64_t offset, void **addr);
	int (*munmap)(void *ctx, void *addr, size_t len);
	int (*close)(void *ctx, int fd);
	long (*read)(void *ctx, int fd, void *buf, size_t len);
	long (*write)(void *ctx, int fd, const void *buf, size_t len);
};

extern const struct xc_backend xc_backend_linux;

typedef struct xc_handle xc_handle;

/* Opens RIVET_PRIVCMD_PATH through the default backend. */
int xc_open(xc_handle **h);
int xc_open_backend(xc_handle **h, const struct xc_backend *be, void *ctx);
/* Unmaps what is still mapped and closes the device. */
void xc_close(xc_handle *h);

/* Any domain. */
int xc_version(xc_handle *h, uint32_t *version);   /* (major << 16) | minor */
int xc_domain_self(xc_handle *h, uint32_t *domid);

/* Dom0 only. */
int xc_physinfo(xc_handle *h, struct rivet_physinfo *pi);
int xc_domain_create(xc_handle *h, const struct rivet_domain_config *cfg, uint32_t *domid);
int xc_domain_destroy(xc_handle *h, uint32_t domid);
/* Only while it is shut down (XC_EBUSY otherwise): for a decision taken on a shut-down domain. */
int xc_domain_destroy_if_shutdown(xc_handle *h, uint32_t domid);
int xc_domain_pause(xc_handle *h, uint32_t domid);
int xc_domain_unpause(xc_handle *h, uint32_t domid);
int xc_domain_shutdown(xc_handle *h, uint32_t domid, enum rivet_shutdown_reason reason);
/*
 * The first domain whose id is >= FIRST; XC_ENODOMAIN when there is none.
 * avail_vcpus is nr_vcpus when the microvisor predates ABI 1.4.
 */
int xc_domain_getinfo(xc_handle *h, uint32_t first, struct rivet_domain_info *info);
/*
 * DOMID may start vCPUs 0..COUNT-1 (1..nr_vcpus, else XC_EINVAL) with SBI
 * HSM from now on; running ones are not stopped (ABI 1.4; XC_ENOTSUP before).
 */
int xc_domain_set_vcpus(xc_handle *h, uint32_t domid, uint32_t count);
int xc_vcpu_start(xc_handle *h, uint32_t domid, uint32_t vcpu, uint64_t pc, uint64_t a1);
int xc_vcpu_getinfo(xc_handle *h, uint32_t domid, uint32_t vcpu, struct rivet_vcpu_info *info);
/* HART_MASK 0 = any hart. XC_ENOTSUP while the microvisor cannot pin. */
int xc_vcpu_pin(xc_handle *h, uint32_t domid, uint32_t vcpu, uint64_t hart_mask);
/*
 * VCPU's registers (ABI 1.4). The domain must not be able to run (paused,
 * shut down, never started): XC_EBUSY otherwise. XC_ENOTSUP from an older
 * microvisor.
 */
int xc_vcpu_getcontext(xc_handle *h, uint32_t domid, uint32_t vcpu, struct rivet_vcpu_context *ctx);
/*
 * A domain's scheduling policy and parameters (struct rivet_sched_params):
 * VCPU is a vCPU (RTDS values are per vCPU) or RIVET_SCHED_ALL_VCPUS.
 * XC_EINVAL for values out of range (nothing changed).
 */
int xc_sched_get(xc_handle *h, uint32_t domid, uint32_t vcpu, struct rivet_sched_params *p);
int xc_sched_set(xc_handle *h, uint32_t domid, uint32_t vcpu, const struct rivet_sched_params *p);
int xc_memory_populate(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages);
int xc_memory_release(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages);
/*
 * Ballooning (ABI 1.4): takes NR_PAGES (1 to RIVET_BALLOON_MAX_PAGES) of a
 * DomU, running or not, back to the machine, out of every foreign mapping
 * too (XC_EFAULT: some page is not populated; XC_EBUSY: the microvisor
 * writes into one); gives it fresh zeroed pages where it has none
 * (XC_EEXIST: some page is populated; XC_EINVAL: beyond its maximum).
 */
int xc_memory_reclaim(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages);
int xc_memory_restore(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages);
/*
 * The same for NR (1 to RIVET_BALLOON_MAX_PAGES) single pages at GPAS, in
 * any order, no repeats (ABI 1.5, RIVET_MEMORY_LIST): all or nothing, with
 * one fence for the whole list; the errors as above, XC_EINVAL also for a
 * bad entry (unaligned, out of range, repeated).
 */
int xc_memory_reclaim_list(xc_handle *h, uint32_t domid, const uint64_t *gpas, uint64_t nr);
int xc_memory_restore_list(xc_handle *h, uint32_t domid, const uint64_t *gpas, uint64_t nr);

/* Bytes read from DOMID's console output (0: nothing pending), or < 0. */
long xc_console_read(xc_handle *h, uint32_t domid, void *buf, size_t len);
/* Bytes accepted as DOMID's console input, or < 0. */
long xc_console_write(xc_handle *h, uint32_t domid, const void *buf, size_t len);
/* Bytes of the microvisor's log from OFFSET (0: its oldest kept byte); 0 at the end. */
long xc_dmesg_read(xc_handle *h, uint64_t offset, void *buf, size_t len);
/*
 * Reads the oldest bytes of the microvisor's log, as xc_dmesg_read from 0,
 * and drops exactly those in the same call: repeated until it returns 0, it
 * reads and clears the log without losing a line logged meanwhile (a clear
 * of its own, after the reads, would drop lines that came in between once
 * the full ring moved its oldest byte). XC_EINVAL from a microvisor older
 * than ABI 1.3 (it cannot clear).
 */
long xc_dmesg_read_clear(xc_handle *h, void *buf, size_t len);
/* Renames DOMID (not the caller) to NAME (1-31 of [A-Za-z0-9_.-], unique: else XC_EEXIST). */
int xc_domain_rename(xc_handle *h, uint32_t domid, const char *name);
/* Xen's debug keys: each key's dump goes to the microvisor's log. Keys known (of N), or < 0. */
long xc_debug_keys(xc_handle *h, const char *keys, size_t n);

/*
 * Maps NR_PAGES of DOMID from GPA (4 KiB-aligned) into this process at *ADDR,
 * read-write. Undo with xc_unmap_foreign (xc_close undoes what is left).
 */
int xc_map_foreign(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages, void **addr);
/*
 * The same for RAM that may have holes (pages a balloon reclaimed, ABI 1.4):
 * they stay unmapped, and touching one faults Dom0. The caller must know
 * where they are (rivet-dm's balloon keeps a map of them).
 */
int xc_map_foreign_holes(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages, void **addr);
int xc_unmap_foreign(xc_handle *h, void *addr, uint64_t nr_pages);

/*
 * Event channels, each a file descriptor: poll() it for POLLIN, then
 * xc_evtchn_pending() tells the port that fired. Close with xc_evtchn_close.
 */
int xc_evtchn_bind_virq(xc_handle *h, enum rivet_virq virq, int *fd, uint32_t *port);
int xc_evtchn_alloc_unbound(xc_handle *h, uint32_t remote_domid, int *fd, uint32_t *port);
int xc_evtchn_bind_interdomain(xc_handle *h, uint32_t remote_domid, uint32_t remote_port,
			       int *fd, uint32_t *port);
int xc_evtchn_pending(xc_handle *h, int fd, uint32_t *port);
int xc_evtchn_notify(xc_handle *h, int fd);
int xc_evtchn_close(xc_handle *h, int fd);

/*
 * ioreq servers: a device model serves DOMID's MMIO (public/ioreq.h).
 * xc_ioreq_server_create makes the server and maps its shared page at *PAGE;
 * *FD is pollable like an event channel fd (xc_evtchn_pending() consumes an
 * event, xc_evtchn_notify() tells the microvisor answers are ready).
 * xc_ioreq_server_destroy unmaps and closes: a DomU still running is paused.
 */
int xc_ioreq_server_create(xc_handle *h, uint32_t domid, int *fd, uint32_t *port,
			   struct rivet_ioreq_page **page);
int xc_ioreq_server_destroy(xc_handle *h, int fd, struct rivet_ioreq_page *page);
/* FLAGS: RIVET_IOREQ_RANGE_*; unmap takes exactly what was mapped. */
int xc_ioreq_map_range(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t len, uint32_t flags);
int xc_ioreq_unmap_range(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t len, uint32_t flags);
int xc_ioreq_enable(xc_handle *h, uint32_t domid, int enable);
/* Sets (LEVEL 1) or clears (0) the external interrupt line (VSEIP) of one vCPU of DOMID. */
int xc_ioreq_set_irq(xc_handle *h, uint32_t domid, uint32_t vcpu, int level);

#endif
