/* SPDX-License-Identifier: MIT */
/* xc_domain.c: the typed hypercalls: physinfo, domains, vCPUs, memory, consoles, dmesg. */
#include <string.h>

#include "xc_private.h"

#define A(...) ((const uint64_t[6]){ __VA_ARGS__ })

static int status(long r)
{
	return r < 0 ? (int)r : 0;
}

int xc_version(xc_handle *h, uint32_t *version)
{
	long r = xc_hypercall(h, RIVET_HC_VERSION, A(0), -1, NULL, 0);

	if (r >= 0)
		*version = (uint32_t)r;
	return status(r);
}

int xc_domain_self(xc_handle *h, uint32_t *domid)
{
	long r = xc_hypercall(h, RIVET_HC_DOMAIN_ID, A(0), -1, NULL, 0);

	if (r >= 0)
		*domid = (uint32_t)r;
	return status(r);
}

int xc_physinfo(xc_handle *h, struct rivet_physinfo *pi)
{
	memset(pi, 0, sizeof *pi);
	return status(xc_hypercall(h, RIVET_HC_PHYSINFO, A(0), 0, pi, sizeof *pi));
}

int xc_domain_create(xc_handle *h, const struct rivet_domain_config *cfg, uint32_t *domid)
{
	struct rivet_domain_config copy = *cfg;   /* the driver copies back: keep CFG const */
	long r = xc_hypercall(h, RIVET_HC_DOMAIN_CREATE, A(0), 0, &copy, sizeof copy);

	if (r >= 0)
		*domid = (uint32_t)r;
	return status(r);
}

int xc_domain_destroy(xc_handle *h, uint32_t domid)
{
	return status(xc_hypercall(h, RIVET_HC_DOMAIN_DESTROY, A(domid, 0), -1, NULL, 0));
}

int xc_domain_destroy_if_shutdown(xc_handle *h, uint32_t domid)
{
	return status(xc_hypercall(h, RIVET_HC_DOMAIN_DESTROY, A(domid, RIVET_DESTROY_IF_SHUTDOWN), -1, NULL, 0));
}

int xc_domain_pause(xc_handle *h, uint32_t domid)
{
	return status(xc_hypercall(h, RIVET_HC_DOMAIN_PAUSE, A(domid), -1, NULL, 0));
}

int xc_domain_unpause(xc_handle *h, uint32_t domid)
{
	return status(xc_hypercall(h, RIVET_HC_DOMAIN_UNPAUSE, A(domid), -1, NULL, 0));
}

int xc_domain_shutdown(xc_handle *h, uint32_t domid, enum rivet_shutdown_reason reason)
{
	return status(xc_hypercall(h, RIVET_HC_DOMAIN_SHUTDOWN, A(domid, (uint64_t)reason), -1,
				   NULL, 0));
}

int xc_domain_getinfo(xc_handle *h, uint32_t first, struct rivet_domain_info *info)
{
	long r;

	memset(info, 0, sizeof *info);
	r = xc_hypercall(h, RIVET_HC_DOMAIN_GETINFO, A(first, 0), 1, info, sizeof *info);
	if (r < 0)
		return (int)r;
	if ((uint64_t)r < first || info->domid != (uint32_t)r)
		return XC_EIO;
	info->name[RIVET_NAME_MAX - 1] = '\0';
	/* A microvisor older than ABI 1.4 has no count: all its vCPUs may run. */
	if (!info->avail_vcpus)
		info->avail_vcpus = info->nr_vcpus;
	return 0;
}

int xc_domain_set_vcpus(xc_handle *h, uint32_t domid, uint32_t count)
{
	return status(xc_hypercall(h, RIVET_HC_DOMAIN_VCPUS, A(domid, count), -1, NULL, 0));
}

int xc_vcpu_start(xc_handle *h, uint32_t domid, uint32_t vcpu, uint64_t pc, uint64_t a1)
{
	return status(xc_hypercall(h, RIVET_HC_VCPU_START, A(domid, vcpu, pc, a1), -1, NULL, 0));
}

int xc_vcpu_getinfo(xc_handle *h, uint32_t domid, uint32_t vcpu, struct rivet_vcpu_info *info)
{
	memset(info, 0, sizeof *info);
	return status(xc_hypercall(h, RIVET_HC_VCPU_GETINFO, A(domid, vcpu, 0), 2, info,
				   sizeof *info));
}

int xc_vcpu_pin(xc_handle *h, uint32_t domid, uint32_t vcpu, uint64_t hart_mask)
{
	return status(xc_hypercall(h, RIVET_HC_VCPU_PIN, A(domid, vcpu, hart_mask), -1, NULL, 0));
}

int xc_vcpu_getcontext(xc_handle *h, uint32_t domid, uint32_t vcpu, struct rivet_vcpu_context *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	return status(xc_hypercall(h, RIVET_HC_VCPU_GETCONTEXT, A(domid, vcpu, 0), 2, ctx,
				   sizeof *ctx));
}

int xc_sched_get(xc_handle *h, uint32_t domid, uint32_t vcpu, struct rivet_sched_params *p)
{
	memset(p, 0, sizeof *p);
	return status(xc_hypercall(h, RIVET_HC_SCHED_GET, A(domid, vcpu, 0), 2, p, sizeof *p));
}

int xc_sched_set(xc_handle *h, uint32_t domid, uint32_t vcpu, const struct rivet_sched_params *p)
{
	struct rivet_sched_params copy = *p;   /* the buffer is in/out for the driver */

	return status(xc_hypercall(h, RIVET_HC_SCHED_SET, A(domid, vcpu, 0), 2, &copy, sizeof copy));
}

int xc_memory_populate(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages)
{
	return status(xc_hypercall(h, RIVET_HC_MEMORY_POPULATE, A(domid, gpa, nr_pages), -1,
				   NULL, 0));
}

int xc_memory_release(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages)
{
	return status(xc_hypercall(h, RIVET_HC_MEMORY_RELEASE, A(domid, gpa, nr_pages), -1,
				   NULL, 0));
}

int xc_memory_reclaim(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages)
{
	return status(xc_hypercall(h, RIVET_HC_MEMORY_RECLAIM, A(domid, gpa, nr_pages), -1,
				   NULL, 0));
}

int xc_memory_restore(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages)
{
	return status(xc_hypercall(h, RIVET_HC_MEMORY_RESTORE, A(domid, gpa, nr_pages), -1,
				   NULL, 0));
}

/* The list goes through the driver's bounce buffer: its page is a1. */
static int memory_list(xc_handle *h, uint32_t fn, uint32_t domid, const uint64_t *gpas, uint64_t nr)
{
	uint64_t copy[RIVET_BALLOON_MAX_PAGES];
	_Static_assert(sizeof(copy) <= RIVET_PRIVCMD_BUF_MAX, "a list fits the driver's bounce buffer");
	if (!nr || nr > RIVET_BALLOON_MAX_PAGES)
		return XC_EINVAL;
	memcpy(copy, gpas, nr * sizeof(uint64_t));
	return status(xc_hypercall(h, fn, A(domid, 0, nr, RIVET_MEMORY_LIST), 1, copy, nr * sizeof(uint64_t)));
}

int xc_memory_reclaim_list(xc_handle *h, uint32_t domid, const uint64_t *gpas, uint64_t nr)
{
	return memory_list(h, RIVET_HC_MEMORY_RECLAIM, domid, gpas, nr);
}

int xc_memory_restore_list(xc_handle *h, uint32_t domid, const uint64_t *gpas, uint64_t nr)
{
	return memory_list(h, RIVET_HC_MEMORY_RESTORE, domid, gpas, nr);
}

/* The driver bounces at most RIVET_PRIVCMD_BUF_MAX bytes per call. */
static size_t clamp(size_t len)
{
	return len > RIVET_PRIVCMD_BUF_MAX ? RIVET_PRIVCMD_BUF_MAX : len;
}

long xc_console_read(xc_handle *h, uint32_t domid, void *buf, size_t len)
{
	long r;

	if (!len)
		return 0;
	len = clamp(len);
	r = xc_hypercall(h, RIVET_HC_CONSOLE_READ, A(domid, 0, len), 1, buf, len);
	return r > (long)len ? XC_EIO : r;
}

long xc_console_write(xc_handle *h, uint32_t domid, const void *buf, size_t len)
{
	char copy[RIVET_PRIVCMD_BUF_MAX];
	long r;

	if (!len)
		return 0;
	len = clamp(len);
	memcpy(copy, buf, len);
	r = xc_hypercall(h, RIVET_HC_CONSOLE_WRITE, A(domid, 0, len), 1, copy, len);
	return r > (long)len ? XC_EIO : r;
}

long xc_dmesg_read(xc_handle *h, uint64_t offset, void *buf, size_t len)
{
	long r;

	if (!len)
		return 0;
	len = clamp(len);
	r = xc_hypercall(h, RIVET_HC_DMESG_READ, A(offset, 0, len), 1, buf, len);
	return r > (long)len ? XC_EIO : r;
}

long xc_dmesg_read_clear(xc_handle *h, void *buf, size_t len)
{
	long r;

	if (!len)
		return 0;
	len = clamp(len);
	/* From offset 0: the microvisor drops what it returns (everything before 0 + n). */
	r = xc_hypercall(h, RIVET_HC_DMESG_READ, A(0, 0, len, RIVET_DMESG_CLEAR), 1, buf, len);
	return r > (long)len ? XC_EIO : r;
}

int xc_domain_rename(xc_handle *h, uint32_t domid, const char *name)
{
	char buf[RIVET_NAME_MAX] = { 0 };
	size_t n = strlen(name);

	/* The microvisor checks it again; this spares a call that cannot succeed. */
	if (!n || n >= sizeof buf)
		return XC_EINVAL;
	memcpy(buf, name, n);
	return status(xc_hypercall(h, RIVET_HC_DOMAIN_RENAME, A(domid, 0), 1, buf, sizeof buf));
}

long xc_debug_keys(xc_handle *h, const char *keys, size_t n)
{
	char buf[RIVET_DEBUG_KEYS_MAX];

	if (!n || n > sizeof buf)
		return XC_EINVAL;
	memcpy(buf, keys, n);
	return xc_hypercall(h, RIVET_HC_DEBUG_KEYS, A(0, n), 0, buf, n);
}
