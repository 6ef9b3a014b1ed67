// SPDX-License-Identifier: MIT
/* dm_bus.c: the MMIO bus of rivet-dm (dm_bus.h). */
#include "dm_bus.h"

#include "dm_log.h"

void dm_bus_init(struct dm_bus *bus)
{
	bus->nr = 0;
	bus->unclaimed = 0;
}

static int size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

uint64_t dm_bus_mask(uint64_t v, unsigned size)
{
	switch (size) {
	case 1: return v & 0xffULL;
	case 2: return v & 0xffffULL;
	case 4: return v & 0xffffffffULL;
	case 8: return v;
	default: return 0;
	}
}

int dm_bus_add(struct dm_bus *bus, uint64_t base, uint64_t size, const struct dm_mmio_ops *ops,
	       void *dev, const char *name)
{
	unsigned i, at;

	if (size == 0 || base + size - 1 < base || bus->nr >= DM_BUS_MAX_DEVS || !ops)
		return -1;
	for (i = 0; i < bus->nr; i++) {
		const struct dm_bus_dev *d = &bus->dev[i];
		if (base <= d->base + (d->size - 1) && d->base <= base + (size - 1))
			return -1;
	}
	for (at = 0; at < bus->nr && bus->dev[at].base < base; at++)
		;
	for (i = bus->nr; i > at; i--)
		bus->dev[i] = bus->dev[i - 1];
	bus->dev[at] = (struct dm_bus_dev){ .base = base, .size = size, .ops = ops, .dev = dev,
					    .name = name ? name : "?" };
	bus->nr++;
	return 0;
}

const struct dm_bus_dev *dm_bus_find(const struct dm_bus *bus, uint64_t addr, unsigned size)
{
	if (!size_ok(size))
		return NULL;
	for (unsigned i = 0; i < bus->nr; i++) {
		const struct dm_bus_dev *d = &bus->dev[i];
		if (addr < d->base)
			return NULL;   /* sorted: no later device starts this low */
		uint64_t off = addr - d->base;
		if (off < d->size)
			return size <= d->size - off ? d : NULL;
	}
	return NULL;
}

uint64_t dm_bus_read(struct dm_bus *bus, uint64_t addr, unsigned size)
{
	const struct dm_bus_dev *d = dm_bus_find(bus, addr, size);

	if (!d || !d->ops->read) {
		if (!d) {
			bus->unclaimed++;
			dm_log_guest("guest read of %u bytes at %#llx: no device", size,
				     (unsigned long long)addr);
		}
		return 0;
	}
	return dm_bus_mask(d->ops->read(d->dev, addr - d->base, size), size);
}

void dm_bus_write(struct dm_bus *bus, uint64_t addr, unsigned size, uint64_t value)
{
	const struct dm_bus_dev *d = dm_bus_find(bus, addr, size);

	if (!d || !d->ops->write) {
		if (!d) {
			bus->unclaimed++;
			dm_log_guest("guest write of %u bytes at %#llx (%#llx): no device", size,
				     (unsigned long long)addr, (unsigned long long)value);
		}
		return;
	}
	d->ops->write(d->dev, addr - d->base, size, dm_bus_mask(value, size));
}
