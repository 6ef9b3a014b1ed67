/* SPDX-License-Identifier: MIT */
/* hcs_raw.c: rivet-hcstress's access to the microvisor: raw calls, typed helpers, results. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "hcs.h"

unsigned hcs_failed, hcs_passed;

static void say(const char *tag, const char *fmt, va_list ap)
{
	printf("%s", tag);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void hcs_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("FAIL: hcstress: ", fmt, ap);
	va_end(ap);
	hcs_failed++;
}

void hcs_pass(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("PASS: hcstress: ", fmt, ap);
	va_end(ap);
	hcs_passed++;
}

void hcs_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("hcstress: ", fmt, ap);
	va_end(ap);
}

int hcs_open(void)
{
	int fd = open(RIVET_PRIVCMD_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("FAIL: hcstress: cannot open %s: %s\n", RIVET_PRIVCMD_PATH, strerror(errno));
		exit(2);
	}
	return fd;
}

struct hcs_ret hcs_call(int fd, uint32_t fn, const uint64_t args[6], int buf_arg, void *buf,
			uint32_t len)
{
	struct rivet_ioctl_hypercall hc;
	struct hcs_ret r;

	memset(&hc, 0, sizeof hc);
	hc.fn = fn;
	hc.buf_arg = buf_arg;
	hc.buf = (uint64_t)(uintptr_t)buf;
	hc.buf_len = len;
	memcpy(hc.args, args, sizeof hc.args);
	while (ioctl(fd, RIVET_IOCTL_HYPERCALL, &hc) < 0) {
		if (errno != EINTR) {
			r.error = -1000 - errno;
			r.value = 0;
			return r;
		}
	}
	r.error = hc.error;
	r.value = hc.value;
	return r;
}

const char *hcs_errname(int64_t e)
{
	static char other[32];

	switch (e) {
	case SBI_SUCCESS:               return "SUCCESS";
	case SBI_ERR_FAILED:            return "FAILED";
	case SBI_ERR_NOT_SUPPORTED:     return "NOT_SUPPORTED";
	case SBI_ERR_INVALID_PARAM:     return "INVALID_PARAM";
	case SBI_ERR_DENIED:            return "DENIED";
	case SBI_ERR_INVALID_ADDRESS:   return "INVALID_ADDRESS";
	case SBI_ERR_ALREADY_AVAILABLE: return "ALREADY_AVAILABLE";
	case SBI_ERR_ALREADY_STARTED:   return "ALREADY_STARTED";
	case SBI_ERR_ALREADY_STOPPED:   return "ALREADY_STOPPED";
	case RIVET_ERR_NO_DOMAIN:       return "NO_DOMAIN";
	case RIVET_ERR_NO_MEMORY:       return "NO_MEMORY";
	case RIVET_ERR_BUSY:            return "BUSY";
	case RIVET_ERR_EXISTS:          return "EXISTS";
	}
	snprintf(other, sizeof other, "error %lld", (long long)e);
	return other;
}

static struct hcs_ret call3(int fd, uint32_t fn, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t a[6] = { a0, a1, a2, 0, 0, 0 };

	return hcs_call(fd, fn, a, -1, NULL, 0);
}

int hcs_physinfo(int fd, struct rivet_physinfo *pi)
{
	uint64_t a[6] = { 0 };

	memset(pi, 0, sizeof *pi);
	return (int)hcs_call(fd, RIVET_HC_PHYSINFO, a, 0, pi, sizeof *pi).error;
}

uint64_t hcs_free_bytes(int fd)
{
	struct rivet_physinfo pi;
	int e = hcs_physinfo(fd, &pi);

	if (e) {
		printf("FAIL: hcstress: PHYSINFO: %s\n", hcs_errname(e));
		exit(2);
	}
	return pi.free_bytes;
}

int64_t hcs_getinfo(int fd, uint32_t domid, struct rivet_domain_info *info)
{
	uint64_t a[6] = { domid, 0 };
	struct hcs_ret r;

	memset(info, 0, sizeof *info);
	r = hcs_call(fd, RIVET_HC_DOMAIN_GETINFO, a, 1, info, sizeof *info);
	if (r.error)
		return r.error;
	return r.value == domid ? 0 : RIVET_ERR_NO_DOMAIN;
}

int64_t hcs_create(int fd, uint64_t max_pages, uint32_t nr_vcpus)
{
	static unsigned serial;
	struct rivet_domain_config c;
	uint64_t a[6] = { 0 };
	struct hcs_ret r;

	memset(&c, 0, sizeof c);
	snprintf(c.name, sizeof c.name, "hcs-%d-%u", (int)getpid(), serial++);
	c.max_bytes = max_pages * HCS_PAGE;
	c.nr_vcpus = nr_vcpus;
	c.on_poweroff = c.on_reboot = c.on_crash = RIVET_ACTION_DESTROY;
	r = hcs_call(fd, RIVET_HC_DOMAIN_CREATE, a, 0, &c, sizeof c);
	if (r.error) {
		hcs_fail("DOMAIN_CREATE '%s': %s", c.name, hcs_errname(r.error));
		return -1;
	}
	return r.value;
}

int64_t hcs_destroy(int fd, uint32_t domid)
{
	return call3(fd, RIVET_HC_DOMAIN_DESTROY, domid, 0, 0).error;
}

int64_t hcs_populate(int fd, uint32_t domid, uint64_t gpa, uint64_t pages)
{
	return call3(fd, RIVET_HC_MEMORY_POPULATE, domid, gpa, pages).error;
}

int64_t hcs_release(int fd, uint32_t domid, uint64_t gpa, uint64_t pages)
{
	return call3(fd, RIVET_HC_MEMORY_RELEASE, domid, gpa, pages).error;
}

int64_t hcs_shutdown(int fd, uint32_t domid, uint64_t reason)
{
	return call3(fd, RIVET_HC_DOMAIN_SHUTDOWN, domid, reason, 0).error;
}

int64_t hcs_vcpu_start(int fd, uint32_t domid, uint64_t pc)
{
	uint64_t a[6] = { domid, 0, pc, 0, 0, 0 };

	return hcs_call(fd, RIVET_HC_VCPU_START, a, -1, NULL, 0).error;
}

int hcs_wait_gone(int fd, uint32_t domid)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct rivet_domain_info info;
	unsigned ms;

	for (ms = 0; ms < HCS_WAIT_MS; ms += 10) {
		if (hcs_getinfo(fd, domid, &info) == RIVET_ERR_NO_DOMAIN)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

int hcs_map(int fd, uint32_t domid, uint64_t gpa, uint64_t pages, struct hcs_map *m)
{
	struct rivet_ioctl_map_foreign mf = { .domid = domid, .nr_pages = (uint32_t)pages,
					      .gpa = gpa };
	void *p;

	memset(m, 0, sizeof *m);
	if (ioctl(fd, RIVET_IOCTL_MAP_FOREIGN, &mf) < 0)
		return -errno;
	p = mmap(NULL, pages * HCS_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)mf.offset);
	if (p == MAP_FAILED) {
		int e = errno;

		ioctl(fd, RIVET_IOCTL_UNMAP_FOREIGN, &mf.offset);
		return -e;
	}
	m->addr = p;
	m->pages = pages;
	m->offset = mf.offset;
	return 0;
}

int hcs_unmap(int fd, struct hcs_map *m)
{
	if (!m->addr)
		return 0;
	munmap(m->addr, m->pages * HCS_PAGE);
	m->addr = NULL;
	return ioctl(fd, RIVET_IOCTL_UNMAP_FOREIGN, &m->offset) < 0 ? -errno : 0;
}

int hcs_start_idle(int fd, uint32_t domid)
{
	/* wfi; j .-4: the domain idles, so it costs the shared harts nothing. */
	static const uint32_t idle[2] = { 0x10500073, 0xffdff06f };
	struct hcs_map m;
	int64_t e;
	int r;

	r = hcs_map(fd, domid, RIVET_GUEST_RAM_BASE, 1, &m);
	if (r < 0) {
		hcs_fail("map of domain %u for its code: %s", domid, strerror(-r));
		return -1;
	}
	memcpy(m.addr, idle, sizeof idle);
	hcs_unmap(fd, &m);
	e = hcs_vcpu_start(fd, domid, RIVET_GUEST_RAM_BASE);
	if (e) {
		hcs_fail("VCPU_START of domain %u: %s", domid, hcs_errname(e));
		return -1;
	}
	return 0;
}
