/* SPDX-License-Identifier: MIT */
/* xc_foreign.c: foreign memory mappings and event channels, the driver's own ioctls. */
#include <stdlib.h>
#include <string.h>

#include "xc_private.h"

static int map_foreign(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages, void **addr,
		       unsigned long request)
{
	struct rivet_ioctl_map_foreign m;
	struct xc_mapping *rec;
	int r;

	*addr = NULL;
	if (!nr_pages || nr_pages > UINT32_MAX || gpa % XC_PAGE_SIZE)
		return XC_EINVAL;
	rec = malloc(sizeof *rec);
	if (!rec)
		return XC_ENOMEM;
	memset(&m, 0, sizeof m);
	m.domid = domid;
	m.nr_pages = (uint32_t)nr_pages;
	m.gpa = gpa;
	r = h->be->ioctl(h->ctx, h->fd, request, &m);
	if (r < 0) {
		free(rec);
		return xc_error_from_errno(-r);
	}
	r = h->be->mmap(h->ctx, h->fd, nr_pages * XC_PAGE_SIZE, m.offset, addr);
	if (r < 0) {
		uint64_t off = m.offset;

		h->be->ioctl(h->ctx, h->fd, RIVET_IOCTL_UNMAP_FOREIGN, &off);
		free(rec);
		*addr = NULL;
		return xc_error_from_errno(-r);
	}
	rec->addr = *addr;
	rec->nr_pages = nr_pages;
	rec->offset = m.offset;
	rec->next = h->maps;
	h->maps = rec;
	return 0;
}

int xc_map_foreign(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages, void **addr)
{
	return map_foreign(h, domid, gpa, nr_pages, addr, RIVET_IOCTL_MAP_FOREIGN);
}

int xc_map_foreign_holes(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t nr_pages, void **addr)
{
	return map_foreign(h, domid, gpa, nr_pages, addr, RIVET_IOCTL_MAP_FOREIGN_HOLES);
}

int xc_unmap_foreign(xc_handle *h, void *addr, uint64_t nr_pages)
{
	struct xc_mapping **pp, *m;
	uint64_t off;
	int r1, r2;

	for (pp = &h->maps; *pp && (*pp)->addr != addr; pp = &(*pp)->next)
		;
	m = *pp;
	if (!m || m->nr_pages != nr_pages)
		return XC_EINVAL;
	*pp = m->next;
	off = m->offset;
	r1 = h->be->munmap(h->ctx, addr, nr_pages * XC_PAGE_SIZE);
	r2 = h->be->ioctl(h->ctx, h->fd, RIVET_IOCTL_UNMAP_FOREIGN, &off);
	free(m);
	if (r2 < 0)
		return xc_error_from_errno(-r2);
	return r1 < 0 ? xc_error_from_errno(-r1) : 0;
}

static int evtchn_open(xc_handle *h, struct rivet_ioctl_evtchn *e, int *fd, uint32_t *port)
{
	int r;

	e->fd = -1;
	r = h->be->ioctl(h->ctx, h->fd, RIVET_IOCTL_EVTCHN, e);
	if (r < 0)
		return xc_error_from_errno(-r);
	if (e->fd < 0 || !e->port || e->port >= RIVET_EVTCHN_PORTS)
		return XC_EIO;
	*fd = e->fd;
	*port = e->port;
	return 0;
}

int xc_evtchn_bind_virq(xc_handle *h, enum rivet_virq virq, int *fd, uint32_t *port)
{
	struct rivet_ioctl_evtchn e = { .kind = RIVET_EVTCHN_BIND_VIRQ, .virq = (uint32_t)virq };

	return evtchn_open(h, &e, fd, port);
}

int xc_evtchn_alloc_unbound(xc_handle *h, uint32_t remote_domid, int *fd, uint32_t *port)
{
	struct rivet_ioctl_evtchn e = { .kind = RIVET_EVTCHN_ALLOC_UNBOUND, .domid = remote_domid };

	return evtchn_open(h, &e, fd, port);
}

int xc_evtchn_bind_interdomain(xc_handle *h, uint32_t remote_domid, uint32_t remote_port,
			       int *fd, uint32_t *port)
{
	struct rivet_ioctl_evtchn e = { .kind = RIVET_EVTCHN_BIND_INTERDOMAIN,
					.domid = remote_domid, .remote_port = remote_port };

	return evtchn_open(h, &e, fd, port);
}

int xc_evtchn_pending(xc_handle *h, int fd, uint32_t *port)
{
	uint32_t p;
	long n = h->be->read(h->ctx, fd, &p, sizeof p);

	if (n < 0)
		return xc_error_from_errno((int)-n);
	if (n != sizeof p)
		return XC_EIO;
	*port = p;
	return 0;
}

int xc_evtchn_notify(xc_handle *h, int fd)
{
	uint32_t one = 1;
	long n = h->be->write(h->ctx, fd, &one, sizeof one);

	if (n < 0)
		return xc_error_from_errno((int)-n);
	return n == sizeof one ? 0 : XC_EIO;
}

int xc_evtchn_close(xc_handle *h, int fd)
{
	int r = h->be->close(h->ctx, fd);

	return r < 0 ? xc_error_from_errno(-r) : 0;
}
