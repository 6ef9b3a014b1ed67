/* SPDX-License-Identifier: MIT */
/* xc.c: libxc's handle, its Linux transport, the hypercall path and error mapping. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xc_private.h"

static const char *const messages[XC_NR_ERRORS] = {
	[0]             = "success",
	[-XC_EFAIL]     = "the microvisor reports a failure",
	[-XC_ENOTSUP]   = "not supported by this microvisor",
	[-XC_EINVAL]    = "invalid argument",
	[-XC_EDENIED]   = "permission denied",
	[-XC_EFAULT]    = "bad address",
	[-XC_EALREADY]  = "already started",
	[-XC_ESTOPPED]  = "already stopped",
	[-XC_ENODOMAIN] = "no such domain",
	[-XC_ENOMEM]    = "out of memory",
	[-XC_EBUSY]     = "busy",
	[-XC_EEXIST]    = "already exists",
	[-XC_ENODEV]    = "no Rivet privcmd device (" RIVET_PRIVCMD_PATH "): not running in Dom0, or the rivet driver is not loaded",
	[-XC_EIO]       = "input/output error",
	[-XC_ENOSPC]    = "buffer size out of range",
	[-XC_EAGAIN]    = "nothing pending",
};

const char *xc_strerror(int err)
{
	if (err > 0 || err <= -XC_NR_ERRORS)
		return "unknown error";
	return messages[-err];
}

int xc_error_from_sbi(long e)
{
	switch (e) {
	case SBI_SUCCESS:               return XC_OK;
	case SBI_ERR_FAILED:            return XC_EFAIL;
	case SBI_ERR_NOT_SUPPORTED:     return XC_ENOTSUP;
	case SBI_ERR_INVALID_PARAM:     return XC_EINVAL;
	case SBI_ERR_DENIED:            return XC_EDENIED;
	case SBI_ERR_INVALID_ADDRESS:   return XC_EFAULT;
	case SBI_ERR_ALREADY_AVAILABLE: return XC_EALREADY;
	case SBI_ERR_ALREADY_STARTED:   return XC_EALREADY;
	case SBI_ERR_ALREADY_STOPPED:   return XC_ESTOPPED;
	case SBI_ERR_NO_SHMEM:          return XC_ENOMEM;
	case RIVET_ERR_NO_DOMAIN:       return XC_ENODOMAIN;
	case RIVET_ERR_NO_MEMORY:       return XC_ENOMEM;
	case RIVET_ERR_BUSY:            return XC_EBUSY;
	case RIVET_ERR_EXISTS:          return XC_EEXIST;
	}
	return XC_EIO;
}

int xc_error_from_errno(int e)
{
	switch (e) {
	case 0:          return XC_OK;
	case ENOENT:
	case ENODEV:
	case ENXIO:      return XC_ENODEV;
	case EPERM:
	case EACCES:     return XC_EDENIED;
	case ENOMEM:
	case EMFILE:
	case ENFILE:     return XC_ENOMEM;
	case EINVAL:     return XC_EINVAL;
	case EFAULT:     return XC_EFAULT;
	case EBUSY:      return XC_EBUSY;
	case EEXIST:     return XC_EEXIST;
	case ENOTTY:
	case ENOSYS:
	case EOPNOTSUPP: return XC_ENOTSUP;
	case E2BIG:
	case ENOSPC:     return XC_ENOSPC;
	case EAGAIN:     return XC_EAGAIN;
	case ESRCH:      return XC_ENODOMAIN;
	}
	return XC_EIO;
}

/* The Linux transport: the system calls, -errno on failure. */
static int lx_open(void *ctx, const char *path)
{
	int fd;

	(void)ctx;
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int lx_ioctl(void *ctx, int fd, unsigned long request, void *arg)
{
	int r;

	(void)ctx;
	do
		r = ioctl(fd, request, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static int lx_mmap(void *ctx, int fd, size_t len, uint64_t offset, void **addr)
{
	void *p;

	(void)ctx;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

static int lx_munmap(void *ctx, void *addr, size_t len)
{
	(void)ctx;
	return munmap(addr, len) < 0 ? -errno : 0;
}

static int lx_close(void *ctx, int fd)
{
	(void)ctx;
	return close(fd) < 0 ? -errno : 0;
}

static long lx_read(void *ctx, int fd, void *buf, size_t len)
{
	ssize_t n;

	(void)ctx;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static long lx_write(void *ctx, int fd, const void *buf, size_t len)
{
	ssize_t n;

	(void)ctx;
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

const struct xc_backend xc_backend_linux = {
	lx_open, lx_ioctl, lx_mmap, lx_munmap, lx_close, lx_read, lx_write,
};

int xc_open_backend(xc_handle **hp, const struct xc_backend *be, void *ctx)
{
	xc_handle *h;
	int fd;

	*hp = NULL;
	h = calloc(1, sizeof *h);
	if (!h)
		return XC_ENOMEM;
	fd = be->open(ctx, RIVET_PRIVCMD_PATH);
	if (fd < 0) {
		free(h);
		return xc_error_from_errno(-fd);
	}
	h->be = be;
	h->ctx = ctx;
	h->fd = fd;
	*hp = h;
	return 0;
}

int xc_open(xc_handle **h)
{
	return xc_open_backend(h, &xc_backend_linux, NULL);
}

void xc_close(xc_handle *h)
{
	if (!h)
		return;
	while (h->maps)
		xc_unmap_foreign(h, h->maps->addr, h->maps->nr_pages);
	h->be->close(h->ctx, h->fd);
	free(h);
}

long xc_hypercall(xc_handle *h, uint32_t fn, const uint64_t args[6], int buf_arg, void *buf,
		  size_t len)
{
	struct rivet_ioctl_hypercall hc;
	int r;

	if (buf_arg >= 0 && (len == 0 || len > RIVET_PRIVCMD_BUF_MAX || !buf))
		return XC_ENOSPC;
	memset(&hc, 0, sizeof hc);
	hc.fn = fn;
	hc.buf_arg = buf_arg;
	if (buf_arg >= 0) {
		hc.buf = (uint64_t)(uintptr_t)buf;
		hc.buf_len = (uint32_t)len;
	}
	memcpy(hc.args, args, sizeof hc.args);
	r = h->be->ioctl(h->ctx, h->fd, RIVET_IOCTL_HYPERCALL, &hc);
	if (r < 0)
		return xc_error_from_errno(-r);
	if (hc.error != SBI_SUCCESS)
		return xc_error_from_sbi((long)hc.error);
	if (hc.value < 0)
		return XC_EIO;
	return (long)hc.value;
}
