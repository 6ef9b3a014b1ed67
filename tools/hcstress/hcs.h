/* SPDX-License-Identifier: MIT */
/*
 * hcs.h: rivet-hcstress, a hostile Dom0 program. It drives the raw control
 * hypercalls through /dev/rivet/privcmd (no libxc: libxc refuses much of what
 * this program must send) and checks that the microvisor stays consistent.
 */
#ifndef RIVET_HCS_H
#define RIVET_HCS_H

#include <stdint.h>

#include "bootimg.h"
#include "hypercall.h"
#include "rivet_privcmd.h"

#define HCS_PAGE 4096ULL
#define HCS_MAX_OWN 16                   /* domains one run may have alive */
#define HCS_WAIT_MS 10000                /* bound on waiting for a destroyed domain */

/* One raw call's a0 (error) and a1 (value). */
struct hcs_ret {
	int64_t error, value;
};

/* ---- hcs_raw.c: the privcmd device, raw and typed calls ---- */

/* Opens the device (exits on failure); each forked child opens its own. */
int hcs_open(void);
/*
 * Hypercall FN with ARGS; when BUF_ARG >= 0 the driver bounces BUF (LEN bytes)
 * and puts its address in args[BUF_ARG]. An ioctl failure is error = -1000 - errno.
 */
struct hcs_ret hcs_call(int fd, uint32_t fn, const uint64_t args[6], int buf_arg, void *buf,
			uint32_t len);
const char *hcs_errname(int64_t e);

uint64_t hcs_free_bytes(int fd);                /* PHYSINFO's free_bytes; exits if it fails */
int hcs_physinfo(int fd, struct rivet_physinfo *pi);
/* GETINFO of exactly DOMID: 0, or the error (RIVET_ERR_NO_DOMAIN when gone). */
int64_t hcs_getinfo(int fd, uint32_t domid, struct rivet_domain_info *info);
/* A fresh domain "hcs-<pid>-<n>" of MAX_PAGES; its id, or -1 (the error printed). */
int64_t hcs_create(int fd, uint64_t max_pages, uint32_t nr_vcpus);
int64_t hcs_destroy(int fd, uint32_t domid);
int64_t hcs_populate(int fd, uint32_t domid, uint64_t gpa, uint64_t pages);
int64_t hcs_release(int fd, uint32_t domid, uint64_t gpa, uint64_t pages);
int64_t hcs_shutdown(int fd, uint32_t domid, uint64_t reason);
int64_t hcs_vcpu_start(int fd, uint32_t domid, uint64_t pc);
/* Waits until DOMID is no longer listed: 0, or -1 after HCS_WAIT_MS. */
int hcs_wait_gone(int fd, uint32_t domid);

/* A foreign mapping through the driver (ioctl + mmap). */
struct hcs_map {
	void *addr;
	uint64_t pages, offset;
};
int hcs_map(int fd, uint32_t domid, uint64_t gpa, uint64_t pages, struct hcs_map *m);
int hcs_unmap(int fd, struct hcs_map *m);

/* Writes a WFI loop at RAM base of DOMID (populated) and starts it there. */
int hcs_start_idle(int fd, uint32_t domid);

/* ---- checks and results ---- */
extern unsigned hcs_failed, hcs_passed;
void hcs_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hcs_pass(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hcs_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- subcommands ---- */
int hcs_sequences(void);
int hcs_random(unsigned long n, unsigned long seed);
int hcs_ioreq(void);
int hcs_balloon(unsigned long rounds, unsigned long seed);

#endif
