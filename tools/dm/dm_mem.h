/* SPDX-License-Identifier: MIT */
/*
 * dm_mem.h: a DomU's RAM as the device model sees it, one contiguous
 * foreign mapping. Every guest address a device model takes from the guest
 * (a descriptor, a ring, a buffer) goes through dm_mem_ptr(), which refuses
 * any range not wholly inside the RAM, wrap-around included. The guest may
 * change its memory at any moment: read each field once, into a local.
 */
#ifndef RIVET_DM_MEM_H
#define RIVET_DM_MEM_H
#include <stddef.h>
#include <stdint.h>

struct dm_mem {
	uint8_t *host;     /* where the RAM is mapped in this process */
	uint64_t gpa;      /* its guest-physical base */
	uint64_t size;     /* bytes */
};

/* The host address of [gpa, gpa + len), or NULL unless all of it is RAM. len 0 is allowed. */
static inline void *dm_mem_ptr(const struct dm_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa < m->gpa)
		return NULL;
	uint64_t off = gpa - m->gpa;
	if (off > m->size || len > m->size - off)
		return NULL;
	return m->host + off;
}

#endif
