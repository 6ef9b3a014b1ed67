/* SPDX-License-Identifier: MIT */
/*
 * virtio_driver.h: what the device tests' fake guest driver shares: reads
 * and writes of the fake guest RAM by guest-physical address, the
 * transport's registers, a descriptor table entry and a queue's setup.
 * Included by a test after it defines RAM_GPA, QSIZE, DESC_GPA(q),
 * AVAIL_GPA(q) and USED_GPA(q), and declares `uint8_t *ram` (the RAM at
 * RAM_GPA) and `struct virtio_mmio t` (the device's transport).
 */
#ifndef RIVET_TEST_VIRTIO_DRIVER_H
#define RIVET_TEST_VIRTIO_DRIVER_H
#include <stdint.h>
#include <string.h>

#include "virtio_mmio.h"

static inline void *host(uint64_t gpa) { return ram + (gpa - RAM_GPA); }
static inline void put16(uint64_t gpa, uint16_t v) { memcpy(host(gpa), &v, sizeof v); }
static inline uint16_t get16(uint64_t gpa) { uint16_t v; memcpy(&v, host(gpa), sizeof v); return v; }
static inline uint32_t get32(uint64_t gpa) { uint32_t v; memcpy(&v, host(gpa), sizeof v); return v; }
static inline uint32_t rd(uint64_t off) { return (uint32_t)virtio_mmio_read(&t, off, 4); }
static inline void wr(uint64_t off, uint32_t v) { virtio_mmio_write(&t, off, 4, v); }

/* Entry I of queue Q's descriptor table. */
static inline void desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = host(DESC_GPA(q) + 16ULL * i);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

/* Queue Q at QSIZE entries, its rings at DESC_GPA(q), AVAIL_GPA(q), USED_GPA(q), ready. */
static inline void queue_setup(unsigned q)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC_GPA(q));
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)AVAIL_GPA(q));
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)USED_GPA(q));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}
#endif
