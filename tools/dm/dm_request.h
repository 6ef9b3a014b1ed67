/* SPDX-License-Identifier: MIT */
/*
 * dm_request.h: how xl asks a running rivet-dm to press its power button's
 * keys, to tell the guest its vCPU count (virtio_input.h; docs/dm.md "The
 * power button", "The vCPU count"), or to move its balloon
 * (virtio_balloon.h; docs/dm.md "The balloon"). A queued real-time
 * signal, sent with SI_QUEUE (sigqueue(3), or pidfd_send_signal(2) with a
 * siginfo) so that it carries its request in si_value.sival_int and several
 * are never merged into one. rivet-dm ignores the signal sent any other way.
 * Shared by rivet-dm and xl: one definition of each value.
 */
#ifndef RIVET_DM_REQUEST_H
#define RIVET_DM_REQUEST_H
#include <signal.h>

#define DM_REQUEST_SIGNAL      (SIGRTMIN + 1)
#define DM_REQUEST_POWER       1       /* press and release KEY_POWER */
#define DM_REQUEST_RESTART     2       /* press and release KEY_RESTART */
#define DM_REQUEST_VCPUS       3       /* the domain's available vCPUs changed (xl vcpu-set):
                                          rivet-dm reads the count from the microvisor and
                                          sends it on the button's vCPU axis */
#define DM_REQUEST_SYSRQ_BIT   0x100   /* | the key: Alt+SysRq+key */
#define DM_REQUEST_SYSRQ(c)    (DM_REQUEST_SYSRQ_BIT | (unsigned char)(c))

/*
 * The balloon (virtio_balloon.h): a new target (xl mem-set) or maximum (xl
 * mem-max) of the domain's memory, in 4 KiB pages, in the low bits. xl
 * checks the values against its record first; rivet-dm checks them again.
 */
#define DM_REQUEST_MEM_TARGET_BIT  0x10000000
#define DM_REQUEST_MEM_MAX_BIT     0x20000000
#define DM_REQUEST_MEM_PAGES_MASK  0x0fffffff   /* up to 1 TiB */
#define DM_REQUEST_MEM_TARGET(pages) (DM_REQUEST_MEM_TARGET_BIT | (int)((pages) & DM_REQUEST_MEM_PAGES_MASK))
#define DM_REQUEST_MEM_MAX(pages)    (DM_REQUEST_MEM_MAX_BIT | (int)((pages) & DM_REQUEST_MEM_PAGES_MASK))

/* The keys a sysrq request may name: Linux's sysrq keys on letters and digits. */
static inline int dm_request_sysrq_key_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

#endif
