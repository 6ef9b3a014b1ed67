/* SPDX-License-Identifier: MIT */
/*
 * dm_bus.h: rivet-dm's MMIO bus: guest-physical ranges, each served by one
 * device (struct dm_mmio_ops). An access is a device's only when all of
 * [addr, addr + size) lies in its range and size is 1, 2, 4 or 8; anything
 * else (no device, straddling a range's end, an odd size) is unclaimed:
 * reads return 0, writes are dropped, and the bus counts it and logs it
 * rate-limited (dm_log_guest). Reads are zero-extended from size bytes and
 * writes handed to the device masked to size bytes, whatever the device or
 * the guest did. Nothing here allocates.
 */
#ifndef RIVET_DM_BUS_H
#define RIVET_DM_BUS_H
#include <stddef.h>
#include <stdint.h>

#include "dm_dev.h"

#define DM_BUS_MAX_DEVS 16

struct dm_bus_dev {
	uint64_t base, size;
	const struct dm_mmio_ops *ops;
	void *dev;
	const char *name;
};

struct dm_bus {
	struct dm_bus_dev dev[DM_BUS_MAX_DEVS];   /* sorted by base, disjoint */
	unsigned nr;
	uint64_t unclaimed;                       /* accesses no device took */
};

void dm_bus_init(struct dm_bus *bus);
/* 0, or -1: size 0, wraps past 2^64, overlaps a device already there, or the bus is full. */
int dm_bus_add(struct dm_bus *bus, uint64_t base, uint64_t size, const struct dm_mmio_ops *ops,
	       void *dev, const char *name);
/* The device that takes [addr, addr + size), or NULL. */
const struct dm_bus_dev *dm_bus_find(const struct dm_bus *bus, uint64_t addr, unsigned size);
uint64_t dm_bus_read(struct dm_bus *bus, uint64_t addr, unsigned size);
void dm_bus_write(struct dm_bus *bus, uint64_t addr, unsigned size, uint64_t value);
/* The low SIZE bytes of V (SIZE 1, 2, 4 or 8; anything else gives 0). */
uint64_t dm_bus_mask(uint64_t v, unsigned size);

#endif
