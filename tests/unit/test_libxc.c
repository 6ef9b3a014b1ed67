/* SPDX-License-Identifier: MIT */
/*
 * test_libxc.c: libxc over a fake transport: every call's function number,
 * argument order, buffer index and length in struct rivet_ioctl_hypercall,
 * the map/unmap and event-channel ioctls, and every error mapping.
 */
#include <errno.h>
#include <stdlib.h>

#include "bootimg.h"
#include "check.h"
#include "rivet_privcmd.h"
#include "xc.h"

struct fake {
	int open_err;                     /* -errno from open, 0: fd 3 */
	int ioctl_err;                    /* -errno from every ioctl */
	int mmap_err;
	int64_t error, value;             /* what the "microvisor" answers */
	unsigned nr_ioctls, nr_munmaps, nr_closes;
	unsigned long last_req;
	struct rivet_ioctl_hypercall hc;  /* as libxc passed it */
	uint8_t buf_seen[RIVET_PRIVCMD_BUF_MAX];
	const void *reply;                /* copied into the buffer, as the driver would */
	size_t reply_len;
	struct rivet_ioctl_map_foreign mf;
	uint64_t unmap_offset;
	struct rivet_ioctl_evtchn ev;
	uint64_t mmap_offset;
	size_t mmap_len;
	int closed_fd;
	uint8_t window[4 * 4096];
	uint32_t read_port;
	uint32_t written;
};

static int f_open(void *ctx, const char *path)
{
	struct fake *f = ctx;

	CHECK_STR(path, "/dev/rivet/privcmd");
	return f->open_err ? f->open_err : 3;
}

static int f_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	struct fake *f = ctx;

	CHECK_EQ(fd, 3);
	f->nr_ioctls++;
	f->last_req = req;
	if (f->ioctl_err)
		return f->ioctl_err;
	if (req == RIVET_IOCTL_HYPERCALL) {
		struct rivet_ioctl_hypercall *hc = arg;

		f->hc = *hc;
		if (hc->buf_arg >= 0) {
			memcpy(f->buf_seen, (void *)(uintptr_t)hc->buf, hc->buf_len);
			if (f->reply)
				memcpy((void *)(uintptr_t)hc->buf, f->reply,
				       f->reply_len < hc->buf_len ? f->reply_len : hc->buf_len);
		}
		hc->error = f->error;
		hc->value = f->value;
	} else if (req == RIVET_IOCTL_MAP_FOREIGN) {
		struct rivet_ioctl_map_foreign *m = arg;

		f->mf = *m;
		m->offset = 0x5000;
	} else if (req == RIVET_IOCTL_UNMAP_FOREIGN) {
		f->unmap_offset = *(uint64_t *)arg;
	} else if (req == RIVET_IOCTL_EVTCHN) {
		struct rivet_ioctl_evtchn *e = arg;

		f->ev = *e;
		e->port = 7;
		e->fd = 9;
	} else {
		return -ENOTTY;
	}
	return 0;
}

static int f_mmap(void *ctx, int fd, size_t len, uint64_t off, void **addr)
{
	struct fake *f = ctx;

	CHECK_EQ(fd, 3);
	if (f->mmap_err)
		return f->mmap_err;
	f->mmap_offset = off;
	f->mmap_len = len;
	*addr = f->window;
	return 0;
}

static int f_munmap(void *ctx, void *addr, size_t len)
{
	struct fake *f = ctx;

	CHECK(addr == f->window);
	CHECK_EQ(len, f->mmap_len);
	f->nr_munmaps++;
	return 0;
}

static int f_close(void *ctx, int fd)
{
	struct fake *f = ctx;

	f->closed_fd = fd;
	f->nr_closes++;
	return 0;
}

static long f_read(void *ctx, int fd, void *buf, size_t len)
{
	struct fake *f = ctx;

	CHECK_EQ(fd, 9);
	CHECK_EQ(len, 4);
	memcpy(buf, &f->read_port, 4);
	return 4;
}

static long f_write(void *ctx, int fd, const void *buf, size_t len)
{
	struct fake *f = ctx;

	CHECK_EQ(fd, 9);
	memcpy(&f->written, buf, 4);
	return (long)len;
}

static const struct xc_backend fake_be = { f_open, f_ioctl, f_mmap, f_munmap, f_close, f_read,
					   f_write };

static xc_handle *open_fake(struct fake *f)
{
	xc_handle *h = NULL;

	memset(f, 0, sizeof *f);
	CHECK_EQ(xc_open_backend(&h, &fake_be, f), 0);
	return h;
}

/* Checks the marshalled call: function, the six arguments, buffer index and length. */
#define CHECK_HC(f, fn_, a0, a1, a2, a3, barg, blen) do { \
	CHECK_EQ((f)->last_req, RIVET_IOCTL_HYPERCALL); \
	CHECK_EQ((f)->hc.fn, fn_); \
	CHECK_EQ((f)->hc.args[0], a0); CHECK_EQ((f)->hc.args[1], a1); \
	CHECK_EQ((f)->hc.args[2], a2); CHECK_EQ((f)->hc.args[3], a3); \
	CHECK_EQ((f)->hc.args[4], 0); CHECK_EQ((f)->hc.args[5], 0); \
	CHECK_EQ((f)->hc.buf_arg, barg); CHECK_EQ((f)->hc.buf_len, blen); \
	CHECK_EQ((f)->hc.pad, 0); \
	if ((barg) < 0) CHECK_EQ((f)->hc.buf, 0); \
	} while (0)

TEST(open_errors)
{
	struct fake f = { 0 };
	xc_handle *h = (xc_handle *)1;

	f.open_err = -ENOENT;
	CHECK_EQ(xc_open_backend(&h, &fake_be, &f), XC_ENODEV);
	CHECK(h == NULL);
	f.open_err = -EACCES;
	CHECK_EQ(xc_open_backend(&h, &fake_be, &f), XC_EDENIED);
	CHECK(strstr(xc_strerror(XC_ENODEV), "/dev/rivet/privcmd") != NULL);
}

TEST(control_calls_marshalling)
{
	struct fake f;
	xc_handle *h = open_fake(&f);

	CHECK_EQ(xc_domain_destroy(h, 5), 0);
	CHECK_HC(&f, RIVET_HC_DOMAIN_DESTROY, 5, 0, 0, 0, -1, 0);
	CHECK_EQ(xc_domain_pause(h, 6), 0);
	CHECK_HC(&f, RIVET_HC_DOMAIN_PAUSE, 6, 0, 0, 0, -1, 0);
	CHECK_EQ(xc_domain_unpause(h, 7), 0);
	CHECK_HC(&f, RIVET_HC_DOMAIN_UNPAUSE, 7, 0, 0, 0, -1, 0);
	CHECK_EQ(xc_domain_shutdown(h, 8, RIVET_SHUTDOWN_REBOOT), 0);
	CHECK_HC(&f, RIVET_HC_DOMAIN_SHUTDOWN, 8, RIVET_SHUTDOWN_REBOOT, 0, 0, -1, 0);
	CHECK_EQ(xc_vcpu_start(h, 3, 1, 0x80200000, 0x87e00000), 0);
	CHECK_HC(&f, RIVET_HC_VCPU_START, 3, 1, 0x80200000, 0x87e00000, -1, 0);
	CHECK_EQ(xc_vcpu_pin(h, 3, 2, 0x6), 0);
	CHECK_HC(&f, RIVET_HC_VCPU_PIN, 3, 2, 0x6, 0, -1, 0);
	CHECK_EQ(xc_memory_populate(h, 4, 0x80000000, 4096), 0);
	CHECK_HC(&f, RIVET_HC_MEMORY_POPULATE, 4, 0x80000000, 4096, 0, -1, 0);
	CHECK_EQ(xc_memory_release(h, 4, 0x80001000, 2), 0);
	CHECK_HC(&f, RIVET_HC_MEMORY_RELEASE, 4, 0x80001000, 2, 0, -1, 0);
	struct rivet_sched_params sp = { .policy = RIVET_SCHED_RTDS, .period_us = 10000, .budget_us = 2000 };
	CHECK_EQ(xc_sched_set(h, 5, RIVET_SCHED_ALL_VCPUS, &sp), 0);
	CHECK_HC(&f, RIVET_HC_SCHED_SET, 5, RIVET_SCHED_ALL_VCPUS, 0, 0, 2, sizeof sp);
	CHECK_EQ(xc_sched_get(h, 5, 1, &sp), 0);
	CHECK_HC(&f, RIVET_HC_SCHED_GET, 5, 1, 0, 0, 2, sizeof sp);
	xc_close(h);
	CHECK_EQ(f.closed_fd, 3);
}

TEST(balloon_calls_marshalling)
{
	struct fake f;
	xc_handle *h = open_fake(&f);
	uint64_t l[RIVET_BALLOON_MAX_PAGES + 1] = { 0x80005000, 0x80001000, 0x80400000 };

	CHECK_EQ(xc_memory_reclaim(h, 4, 0x80002000, 3), 0);
	CHECK_HC(&f, RIVET_HC_MEMORY_RECLAIM, 4, 0x80002000, 3, 0, -1, 0);
	CHECK_EQ(xc_memory_restore(h, 4, 0x80002000, 3), 0);
	CHECK_HC(&f, RIVET_HC_MEMORY_RESTORE, 4, 0x80002000, 3, 0, -1, 0);
	/* A list: in the bounce page (a1), in the caller's order, with the flag. */
	CHECK_EQ(xc_memory_reclaim_list(h, 4, l, 3), 0);
	CHECK_HC(&f, RIVET_HC_MEMORY_RECLAIM, 4, 0, 3, RIVET_MEMORY_LIST, 1, 3 * sizeof(uint64_t));
	CHECK(!memcmp(f.buf_seen, l, 3 * sizeof(uint64_t)));
	CHECK_EQ(xc_memory_restore_list(h, 4, l, RIVET_BALLOON_MAX_PAGES), 0);
	CHECK_HC(&f, RIVET_HC_MEMORY_RESTORE, 4, 0, RIVET_BALLOON_MAX_PAGES, RIVET_MEMORY_LIST, 1, 4096);
	/* Too long or empty: refused before any call. */
	unsigned calls = f.nr_ioctls;
	CHECK_EQ(xc_memory_reclaim_list(h, 4, l, 0), XC_EINVAL);
	CHECK_EQ(xc_memory_restore_list(h, 4, l, RIVET_BALLOON_MAX_PAGES + 1), XC_EINVAL);
	CHECK_EQ(f.nr_ioctls, calls);
	/* The microvisor's refusals come back as for a range. */
	f.error = RIVET_ERR_EXISTS;
	CHECK_EQ(xc_memory_restore_list(h, 4, l, 2), XC_EEXIST);
	f.error = SBI_ERR_INVALID_ADDRESS;
	CHECK_EQ(xc_memory_reclaim_list(h, 4, l, 2), XC_EFAULT);
	xc_close(h);
}

TEST(values_come_back)
{
	struct fake f;
	xc_handle *h = open_fake(&f);
	uint32_t v = 0;

	f.value = 0x10000;
	CHECK_EQ(xc_version(h, &v), 0);
	CHECK_HC(&f, RIVET_HC_VERSION, 0, 0, 0, 0, -1, 0);
	CHECK_EQ(v, 0x10000);
	f.value = 0;
	CHECK_EQ(xc_domain_self(h, &v), 0);
	CHECK_HC(&f, RIVET_HC_DOMAIN_ID, 0, 0, 0, 0, -1, 0);
	CHECK_EQ(v, 0);
	xc_close(h);
}

TEST(buffer_calls_marshalling)
{
	struct fake f;
	xc_handle *h = open_fake(&f);
	struct rivet_physinfo pi, pr = { 2, 8, 1 << 30, 1 << 29, 10000000, 0x10000, 0 };
	struct rivet_domain_config cfg;
	struct rivet_domain_info info, ir;
	struct rivet_vcpu_info vi, vr = { 1, 1, 5000, 3 };
	uint32_t domid = 0;

	f.reply = &pr;
	f.reply_len = sizeof pr;
	CHECK_EQ(xc_physinfo(h, &pi), 0);
	CHECK_HC(&f, RIVET_HC_PHYSINFO, 0, 0, 0, 0, 0, sizeof pi);
	CHECK_EQ(pi.timebase_hz, 10000000);
	CHECK_EQ(pi.nr_harts, 2);

	memset(&cfg, 0, sizeof cfg);
	strcpy(cfg.name, "web");
	cfg.max_bytes = 64 << 20;
	cfg.nr_vcpus = 2;
	cfg.on_reboot = RIVET_ACTION_RESTART;
	f.reply = NULL;
	f.value = 4;
	CHECK_EQ(xc_domain_create(h, &cfg, &domid), 0);
	CHECK_HC(&f, RIVET_HC_DOMAIN_CREATE, 0, 0, 0, 0, 0, sizeof cfg);
	CHECK(!memcmp(f.buf_seen, &cfg, sizeof cfg));
	CHECK_EQ(domid, 4);

	memset(&ir, 0, sizeof ir);
	ir.domid = 6;
	strcpy(ir.name, "db");
	f.reply = &ir;
	f.reply_len = sizeof ir;
	f.value = 6;
	CHECK_EQ(xc_domain_getinfo(h, 5, &info), 0);
	CHECK_HC(&f, RIVET_HC_DOMAIN_GETINFO, 5, 0, 0, 0, 1, sizeof info);
	CHECK_EQ(info.domid, 6);
	CHECK_STR(info.name, "db");
	CHECK_EQ(info.avail_vcpus, 0);   /* nr_vcpus 0 too: read as nr_vcpus */
	ir.nr_vcpus = 4;                 /* an older microvisor: no count, all may run */
	CHECK_EQ(xc_domain_getinfo(h, 5, &info), 0);
	CHECK_EQ(info.avail_vcpus, 4);
	ir.avail_vcpus = 2;              /* ABI 1.4: as given */
	CHECK_EQ(xc_domain_getinfo(h, 5, &info), 0);
	CHECK_EQ(info.avail_vcpus, 2);
	f.reply = NULL;
	f.value = 0;
	CHECK_EQ(xc_domain_set_vcpus(h, 6, 3), 0);
	CHECK_HC(&f, RIVET_HC_DOMAIN_VCPUS, 6, 3, 0, 0, -1, 0);
	f.reply = &ir;
	f.value = 6;
	f.value = 4;          /* below FIRST, or disagreeing with the struct: a broken answer */
	CHECK_EQ(xc_domain_getinfo(h, 5, &info), XC_EIO);

	f.reply = &vr;
	f.reply_len = sizeof vr;
	f.value = 0;
	CHECK_EQ(xc_vcpu_getinfo(h, 6, 1, &vi), 0);
	CHECK_HC(&f, RIVET_HC_VCPU_GETINFO, 6, 1, 0, 0, 2, sizeof vi);
	CHECK_EQ(vi.cpu_time_ns, 5000);
	CHECK_EQ(vi.affinity, 3);

	struct rivet_vcpu_context ctx, cr;
	memset(&cr, 0, sizeof cr);
	cr.pc = 0x80200123;
	cr.x[5] = 0x1234;
	cr.f[31] = 7;
	f.reply = &cr;
	f.reply_len = sizeof cr;
	CHECK_EQ(xc_vcpu_getcontext(h, 6, 1, &ctx), 0);
	CHECK_HC(&f, RIVET_HC_VCPU_GETCONTEXT, 6, 1, 0, 0, 2, sizeof ctx);
	CHECK(!memcmp(&ctx, &cr, sizeof ctx));
	xc_close(h);
}

TEST(console_and_dmesg)
{
	struct fake f;
	xc_handle *h = open_fake(&f);
	static char big[10000];
	char buf[64];

	f.reply = "hello";
	f.reply_len = 5;
	f.value = 5;
	CHECK_EQ(xc_console_read(h, 3, buf, sizeof buf), 5);
	CHECK_HC(&f, RIVET_HC_CONSOLE_READ, 3, 0, sizeof buf, 0, 1, sizeof buf);
	CHECK(!memcmp(buf, "hello", 5));
	/* The driver bounces one page at most: longer requests are cut, not refused. */
	f.value = 0;
	CHECK_EQ(xc_console_read(h, 3, big, sizeof big), 0);
	CHECK_HC(&f, RIVET_HC_CONSOLE_READ, 3, 0, 4096, 0, 1, 4096);
	f.reply = NULL;
	f.value = 3;
	CHECK_EQ(xc_console_write(h, 2, "ls\n", 3), 3);
	CHECK_HC(&f, RIVET_HC_CONSOLE_WRITE, 2, 0, 3, 0, 1, 3);
	CHECK(!memcmp(f.buf_seen, "ls\n", 3));
	f.value = 40;
	CHECK_EQ(xc_dmesg_read(h, 100, buf, sizeof buf), 40);
	CHECK_HC(&f, RIVET_HC_DMESG_READ, 100, 0, sizeof buf, 0, 1, sizeof buf);
	f.value = 65;         /* more than asked for: refused */
	CHECK_EQ(xc_dmesg_read(h, 0, buf, sizeof buf), XC_EIO);
	CHECK_EQ(xc_console_read(h, 3, buf, 0), 0);
	xc_close(h);
}

TEST(abi_1_3_calls)
{
	struct fake f;
	xc_handle *h = open_fake(&f);
	unsigned before;

	/* dmesg -c: offset, no length, the clear flag, a one-byte buffer only to satisfy the check. */
	f.value = 0;
	char lb[64];
	CHECK_EQ(xc_dmesg_read_clear(h, lb, sizeof lb), 0);
	CHECK_HC(&f, RIVET_HC_DMESG_READ, 0, 0, sizeof lb, RIVET_DMESG_CLEAR, 1, sizeof lb);
	/* rename: the whole NUL-padded name buffer. */
	CHECK_EQ(xc_domain_rename(h, 5, "web2"), 0);
	CHECK_HC(&f, RIVET_HC_DOMAIN_RENAME, 5, 0, 0, 0, 1, RIVET_NAME_MAX);
	CHECK(!memcmp(f.buf_seen, "web2\0\0\0\0", 8) && f.buf_seen[RIVET_NAME_MAX - 1] == 0);
	before = f.nr_ioctls;
	CHECK_EQ(xc_domain_rename(h, 5, ""), XC_EINVAL);
	CHECK_EQ(xc_domain_rename(h, 5, "0123456789012345678901234567890123"), XC_EINVAL);
	CHECK_EQ(f.nr_ioctls, before);   /* names that cannot fit are not sent */
	f.error = RIVET_ERR_EXISTS;
	CHECK_EQ(xc_domain_rename(h, 5, "Domain-0"), XC_EEXIST);
	f.error = 0;
	/* debug keys: the keys as a buffer in a0, their count in a1; the value is how many were known. */
	f.value = 1;
	CHECK_EQ(xc_debug_keys(h, "qz", 2), 1);
	CHECK_HC(&f, RIVET_HC_DEBUG_KEYS, 0, 2, 0, 0, 0, 2);
	CHECK(!memcmp(f.buf_seen, "qz", 2));
	before = f.nr_ioctls;
	CHECK_EQ(xc_debug_keys(h, "q", 0), XC_EINVAL);
	CHECK_EQ(xc_debug_keys(h, "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", RIVET_DEBUG_KEYS_MAX + 1), XC_EINVAL);
	CHECK_EQ(f.nr_ioctls, before);
	xc_close(h);
}

TEST(sbi_errors_map)
{
	static const struct { long sbi; int xc; } map[] = {
		{ SBI_ERR_FAILED, XC_EFAIL },           { SBI_ERR_NOT_SUPPORTED, XC_ENOTSUP },
		{ SBI_ERR_INVALID_PARAM, XC_EINVAL },   { SBI_ERR_DENIED, XC_EDENIED },
		{ SBI_ERR_INVALID_ADDRESS, XC_EFAULT }, { SBI_ERR_ALREADY_AVAILABLE, XC_EALREADY },
		{ SBI_ERR_ALREADY_STARTED, XC_EALREADY }, { SBI_ERR_ALREADY_STOPPED, XC_ESTOPPED },
		{ SBI_ERR_NO_SHMEM, XC_ENOMEM },        { RIVET_ERR_NO_DOMAIN, XC_ENODOMAIN },
		{ RIVET_ERR_NO_MEMORY, XC_ENOMEM },     { RIVET_ERR_BUSY, XC_EBUSY },
		{ RIVET_ERR_EXISTS, XC_EEXIST },        { -55, XC_EIO },
	};
	struct fake f;
	xc_handle *h = open_fake(&f);
	uint32_t id = 99;
	unsigned i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++) {
		struct rivet_domain_config cfg = { .nr_vcpus = 1 };

		f.error = map[i].sbi;
		f.value = 1;
		CHECK_EQ(xc_error_from_sbi(map[i].sbi), map[i].xc);
		CHECK_EQ(xc_domain_destroy(h, 1), map[i].xc);
		CHECK_EQ(xc_domain_create(h, &cfg, &id), map[i].xc);
		CHECK_EQ(id, 99);     /* untouched on failure */
		CHECK(strcmp(xc_strerror(map[i].xc), "unknown error"));
	}
	f.error = SBI_ERR_NOT_SUPPORTED;
	CHECK_EQ(xc_vcpu_pin(h, 1, 0, 1), XC_ENOTSUP);
	xc_close(h);
}

TEST(errno_errors_map)
{
	static const struct { int e; int xc; } map[] = {
		{ ENOENT, XC_ENODEV }, { ENODEV, XC_ENODEV }, { EPERM, XC_EDENIED },
		{ EACCES, XC_EDENIED }, { ENOMEM, XC_ENOMEM }, { EINVAL, XC_EINVAL },
		{ EFAULT, XC_EFAULT }, { EBUSY, XC_EBUSY }, { EEXIST, XC_EEXIST },
		{ ENOTTY, XC_ENOTSUP }, { ENOSPC, XC_ENOSPC }, { EAGAIN, XC_EAGAIN },
		{ EIO, XC_EIO }, { EPIPE, XC_EIO },
	};
	struct fake f;
	xc_handle *h = open_fake(&f);
	struct rivet_physinfo pi;
	unsigned i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++) {
		f.ioctl_err = -map[i].e;
		CHECK_EQ(xc_error_from_errno(map[i].e), map[i].xc);
		CHECK_EQ(xc_physinfo(h, &pi), map[i].xc);
	}
	f.ioctl_err = 0;
	CHECK_STR(xc_strerror(0), "success");
	CHECK_STR(xc_strerror(-1000), "unknown error");
	CHECK_STR(xc_strerror(5), "unknown error");
	xc_close(h);
}

TEST(foreign_map_and_unmap)
{
	struct fake f;
	xc_handle *h = open_fake(&f);
	void *addr = NULL;

	CHECK_EQ(xc_map_foreign(h, 4, 0x80200000, 3, &addr), 0);
	CHECK_EQ(f.mf.domid, 4);
	CHECK_EQ(f.mf.gpa, 0x80200000);
	CHECK_EQ(f.mf.nr_pages, 3);
	CHECK_EQ(f.mmap_offset, 0x5000);
	CHECK_EQ(f.mmap_len, 3 * 4096);
	CHECK(addr == f.window);
	CHECK_EQ(xc_unmap_foreign(h, addr, 2), XC_EINVAL);   /* not what was mapped */
	CHECK_EQ(xc_unmap_foreign(h, addr, 3), 0);
	CHECK_EQ(f.nr_munmaps, 1);
	CHECK_EQ(f.last_req, RIVET_IOCTL_UNMAP_FOREIGN);
	CHECK_EQ(f.unmap_offset, 0x5000);
	CHECK_EQ(xc_unmap_foreign(h, addr, 3), XC_EINVAL);   /* twice */
	CHECK_EQ(xc_map_foreign(h, 4, 0x80200001, 1, &addr), XC_EINVAL);
	CHECK_EQ(xc_map_foreign(h, 4, 0x80200000, 0, &addr), XC_EINVAL);

	/* mmap fails: the driver's mapping is undone, the error is errno's. */
	f.mmap_err = -ENOMEM;
	f.unmap_offset = 0;
	CHECK_EQ(xc_map_foreign(h, 4, 0x80000000, 1, &addr), XC_ENOMEM);
	CHECK(addr == NULL);
	CHECK_EQ(f.unmap_offset, 0x5000);
	f.mmap_err = 0;

	/* What is left mapped goes away with the handle. */
	CHECK_EQ(xc_map_foreign(h, 4, 0x80000000, 1, &addr), 0);
	f.nr_munmaps = 0;
	xc_close(h);
	CHECK_EQ(f.nr_munmaps, 1);
}

TEST(event_channels)
{
	struct fake f;
	xc_handle *h = open_fake(&f);
	uint32_t port = 0;
	int fd = -1;

	CHECK_EQ(xc_evtchn_bind_virq(h, RIVET_VIRQ_DOM_EXC, &fd, &port), 0);
	CHECK_EQ(f.last_req, RIVET_IOCTL_EVTCHN);
	CHECK_EQ(f.ev.kind, RIVET_EVTCHN_BIND_VIRQ);
	CHECK_EQ(f.ev.virq, RIVET_VIRQ_DOM_EXC);
	CHECK_EQ(fd, 9);
	CHECK_EQ(port, 7);
	CHECK_EQ(xc_evtchn_alloc_unbound(h, 5, &fd, &port), 0);
	CHECK_EQ(f.ev.kind, RIVET_EVTCHN_ALLOC_UNBOUND);
	CHECK_EQ(f.ev.domid, 5);
	CHECK_EQ(xc_evtchn_bind_interdomain(h, 5, 33, &fd, &port), 0);
	CHECK_EQ(f.ev.kind, RIVET_EVTCHN_BIND_INTERDOMAIN);
	CHECK_EQ(f.ev.domid, 5);
	CHECK_EQ(f.ev.remote_port, 33);
	f.read_port = 7;
	port = 0;
	CHECK_EQ(xc_evtchn_pending(h, fd, &port), 0);
	CHECK_EQ(port, 7);
	CHECK_EQ(xc_evtchn_notify(h, fd), 0);
	CHECK_EQ(f.written, 1);
	CHECK_EQ(xc_evtchn_close(h, fd), 0);
	CHECK_EQ(f.closed_fd, 9);
	f.ioctl_err = -EEXIST;   /* the virq is bound by someone else */
	CHECK_EQ(xc_evtchn_bind_virq(h, RIVET_VIRQ_CONSOLE, &fd, &port), XC_EEXIST);
	f.ioctl_err = 0;
	xc_close(h);
}

int main(void)
{
	check_suite = "libxc";
	RUN(open_errors);
	RUN(control_calls_marshalling);
	RUN(values_come_back);
	RUN(buffer_calls_marshalling);
	RUN(console_and_dmesg);
	RUN(abi_1_3_calls);
	RUN(sbi_errors_map);
	RUN(errno_errors_map);
	RUN(foreign_map_and_unmap);
	RUN(event_channels);
	RUN(balloon_calls_marshalling);
	return CHECK_DONE();
}
