/* SPDX-License-Identifier: MIT */
/*
 * dm_mem.h: a DomU's RAM as the device model sees it, one contiguous
 * foreign mapping, less the pages its balloon gave back. Every guest address a device model takes from the guest
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
	/*
	 * NULL, or a bit per 4 KiB page of the RAM: set for a page the balloon
	 * gave back to the machine (virtio_balloon.h). Such a page is a hole in
	 * the mapping, and touching it would fault Dom0: a guest may well point
	 * a descriptor at a page it ballooned.
	 */
	const uint64_t *holes;
};

#define DM_MEM_PAGE_SHIFT 12

/* Whether any page of [off, off + len) (offsets into the RAM, len > 0, in range) is a hole. */
static inline int dm_mem_has_hole(const struct dm_mem *m, uint64_t off, uint64_t len)
{
	uint64_t p = off >> DM_MEM_PAGE_SHIFT, last = (off + len - 1) >> DM_MEM_PAGE_SHIFT;
	while (p <= last) {
		uint64_t w = m->holes[p / 64] >> (p % 64);
		if (w) {
			/* The next hole at or after p: inside the range or not. */
			return p + (uint64_t)__builtin_ctzll(w) <= last;
		}
		p = (p / 64 + 1) * 64;   /* the rest of this word is clear */
	}
	return 0;
}

/* The host address of [gpa, gpa + len), or NULL unless all of it is RAM. len 0 is allowed. */
static inline void *dm_mem_ptr(const struct dm_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa < m->gpa)
		return NULL;
	uint64_t off = gpa - m->gpa;
	if (off > m->size || len > m->size - off)
		return NULL;
	if (m->holes && len && dm_mem_has_hole(m, off, len))
		return NULL;
	return m->host + off;
}

#endif
