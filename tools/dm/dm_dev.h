/* SPDX-License-Identifier: MIT */
/*
 * dm_dev.h: what every emulated device offers the device model's MMIO bus,
 * and how a device raises an interrupt line.
 *
 * A device's read/write get the offset inside the device's own range and
 * the access size (1, 2, 4 or 8); the address and size come from a hostile
 * guest, so a device must accept any of them: an access it does not
 * implement reads 0 and writes are ignored (the device may dm_log_guest()
 * it). Neither may fail or block.
 */
#ifndef RIVET_DM_DEV_H
#define RIVET_DM_DEV_H
#include <stdint.h>

struct dm_mmio_ops {
	uint64_t (*read)(void *dev, uint64_t offset, unsigned size);
	void (*write)(void *dev, uint64_t offset, unsigned size, uint64_t value);
};

/* An interrupt source wired to the PLIC model: set(ctx, source, level). */
struct dm_irq {
	void (*set)(void *ctx, unsigned source, int level);
	void *ctx;
	unsigned source;
};

static inline void dm_irq_set(const struct dm_irq *irq, int level)
{
	if (irq->set)
		irq->set(irq->ctx, irq->source, level);
}

#endif
