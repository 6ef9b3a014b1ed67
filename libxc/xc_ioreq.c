// SPDX-License-Identifier: MIT
/* xc_ioreq.c: ioreq servers, for device models (public/ioreq.h, RIVET_IOCTL_IOREQ_SERVER). */
#include "xc_private.h"

#define A(...) ((const uint64_t[6]){ __VA_ARGS__ })

static int status(long r)
{
	return r < 0 ? (int)r : 0;
}

int xc_ioreq_server_create(xc_handle *h, uint32_t domid, int *fd, uint32_t *port,
			   struct rivet_ioreq_page **page)
{
	struct rivet_ioctl_ioreq io = { .domid = domid, .fd = -1 };
	void *addr;
	int r = h->be->ioctl(h->ctx, h->fd, RIVET_IOCTL_IOREQ_SERVER, &io);

	if (r < 0)
		return xc_error_from_errno(-r);
	if (io.fd < 0 || !io.port || io.port >= RIVET_EVTCHN_PORTS) {
		if (io.fd >= 0)
			h->be->close(h->ctx, io.fd);
		return XC_EIO;
	}
	r = h->be->mmap(h->ctx, io.fd, XC_PAGE_SIZE, 0, &addr);
	if (r < 0) {
		h->be->close(h->ctx, io.fd);   /* destroys the server again */
		return xc_error_from_errno(-r);
	}
	*fd = io.fd;
	*port = io.port;
	*page = addr;
	return 0;
}

int xc_ioreq_server_destroy(xc_handle *h, int fd, struct rivet_ioreq_page *page)
{
	int r1 = page ? h->be->munmap(h->ctx, page, XC_PAGE_SIZE) : 0;
	int r2 = h->be->close(h->ctx, fd);

	if (r1 < 0)
		return xc_error_from_errno(-r1);
	return r2 < 0 ? xc_error_from_errno(-r2) : 0;
}

int xc_ioreq_map_range(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t len, uint32_t flags)
{
	return status(xc_hypercall(h, RIVET_HC_IOREQ_MAP, A(domid, gpa, len, flags), -1, NULL, 0));
}

int xc_ioreq_unmap_range(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t len, uint32_t flags)
{
	return status(xc_hypercall(h, RIVET_HC_IOREQ_UNMAP, A(domid, gpa, len, flags), -1, NULL, 0));
}

int xc_ioreq_enable(xc_handle *h, uint32_t domid, int enable)
{
	return status(xc_hypercall(h, RIVET_HC_IOREQ_ENABLE, A(domid, enable ? 1 : 0), -1, NULL, 0));
}

int xc_ioreq_set_irq(xc_handle *h, uint32_t domid, uint32_t vcpu, int level)
{
	return status(xc_hypercall(h, RIVET_HC_IOREQ_SET_IRQ, A(domid, vcpu, level ? 1 : 0), -1, NULL, 0));
}
