/* SPDX-License-Identifier: MIT */
/*
 * rivet_privcmd.h: the user-space ABI of Rivet's Dom0 driver, the device
 * /dev/rivet/privcmd. Shared by the driver (dom0/driver/rivet.c) and libxc;
 * the hypercall numbers and structures themselves are
 * microvisor/include/public/hypercall.h.
 *
 * Everything a process holds (foreign mappings, event channels) is released
 * when it closes the device or exits.
 */
#ifndef RIVET_PRIVCMD_H
#define RIVET_PRIVCMD_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#else
#include <stdint.h>
#include <sys/ioctl.h>
#endif

#define RIVET_PRIVCMD_PATH   "/dev/rivet/privcmd"
#define RIVET_PRIVCMD_BUF_MAX 4096

/*
 * One hypercall. When buf_arg is 0..5, args[buf_arg] is replaced by the
 * guest-physical address of a kernel copy of the user buffer buf (buf_len
 * bytes, at most RIVET_PRIVCMD_BUF_MAX), copied in before the call and back
 * out after it. error and value are the call's a0 and a1. The ioctl itself
 * fails only for a bad ioctl argument (EFAULT, EINVAL).
 */
struct rivet_ioctl_hypercall {
	uint32_t fn;         /* RIVET_HC_* */
	int32_t  buf_arg;    /* -1: no buffer */
	uint32_t buf_len;
	uint32_t pad;
	uint64_t buf;        /* user pointer */
	uint64_t args[6];
	int64_t  error;      /* out */
	int64_t  value;      /* out */
};

/*
 * Maps nr_pages of domain domid, from its guest-physical address gpa, into
 * this file's foreign window; then mmap(fd, nr_pages * 4096, ..., offset)
 * makes them visible. RIVET_IOCTL_UNMAP_FOREIGN with that offset (or closing
 * the file) undoes it; munmap() alone does not.
 */
struct rivet_ioctl_map_foreign {
	uint32_t domid;
	uint32_t nr_pages;
	uint64_t gpa;
	uint64_t offset;     /* out */
};

/*
 * Opens an event channel as a new file descriptor (returned in fd):
 * read() blocks until the port fired and returns its number (uint32_t);
 * poll() reports POLLIN then; write() of 4 bytes notifies the peer
 * (interdomain ports); close() closes the port.
 */
enum rivet_evtchn_kind {
	RIVET_EVTCHN_BIND_VIRQ = 0,       /* virq */
	RIVET_EVTCHN_ALLOC_UNBOUND = 1,   /* domid: who may bind it */
	RIVET_EVTCHN_BIND_INTERDOMAIN = 2 /* domid, remote_port */
};
struct rivet_ioctl_evtchn {
	uint32_t kind;
	uint32_t domid;
	uint32_t remote_port;
	uint32_t virq;
	uint32_t port;       /* out: the local port */
	int32_t  fd;         /* out */
};

/*
 * Creates the ioreq server of DomU domid (RIVET_HC_IOREQ_CREATE) on a zeroed
 * page of Dom0 RAM and returns it as a new file descriptor fd:
 * mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) is the shared
 * struct rivet_ioreq_page (public/ioreq.h); read() and poll() wait for the
 * server's event port (port) as on an event channel fd; write() of 4 bytes
 * tells the microvisor that slots were answered. close() (or the process's
 * death) destroys the server; a DomU still running is then paused.
 */
struct rivet_ioctl_ioreq {
	uint32_t domid;
	uint32_t port;       /* out */
	int32_t  fd;         /* out */
	uint32_t pad;
};

#define RIVET_IOCTL_HYPERCALL      _IOWR('R', 0, struct rivet_ioctl_hypercall)
#define RIVET_IOCTL_MAP_FOREIGN    _IOWR('R', 1, struct rivet_ioctl_map_foreign)
#define RIVET_IOCTL_UNMAP_FOREIGN  _IOW('R', 2, uint64_t)
#define RIVET_IOCTL_EVTCHN         _IOWR('R', 3, struct rivet_ioctl_evtchn)
#define RIVET_IOCTL_IOREQ_SERVER   _IOWR('R', 4, struct rivet_ioctl_ioreq)
/* MAP_FOREIGN of RAM that may have reclaimed pages (FOREIGN_MAP's HOLES flag, ABI 1.4). */
#define RIVET_IOCTL_MAP_FOREIGN_HOLES _IOWR('R', 5, struct rivet_ioctl_map_foreign)

#endif
