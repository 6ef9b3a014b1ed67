// SPDX-License-Identifier: MIT
/*
 * virtio_mmio.c: the virtio-mmio version 2 register file (see virtio_mmio.h).
 * Every access comes from the guest: any offset and size is accepted, what
 * is not a register reads 0 and ignores writes, with a rate-limited log line.
 */
#include "virtio_mmio.h"

#include <string.h>

#include "dm_log.h"

#define REG_SIZE        4u   /* every register but the config space is 32-bit */
#define FEATURE_WORDS   2u   /* 64 feature bits as two 32-bit halves */
#define WORD_BITS       32u
#define STATUS_MASK     0xffu
#define NOTIFY_QUEUE_MASK 0xffffu /* QueueNotify's queue index (no NOTIFICATION_DATA) */
#define SHM_NONE        0xffffffffu /* SHMLen of a region that does not exist */

static bool dev_valid(const struct virtio_dev *d)
{
	return d->ops && d->ops->notify && d->nr_queues >= 1 && d->nr_queues <= VIRTIO_MMIO_MAX_QUEUES &&
	       d->queue_max >= 1 && d->queue_max <= VQ_MAX_SIZE &&
	       d->config_size <= VIRTIO_MMIO_SIZE - VIRTIO_MMIO_CONFIG;
}

static void update_irq(struct virtio_mmio *t)
{
	dm_irq_set(&t->irq, t->st->isr != 0);
}

static bool features_ok(const struct virtio_mmio *t)
{
	return t->st->status & VIRTIO_STATUS_FEATURES_OK;
}

bool virtio_mmio_has_feature(const struct virtio_mmio *t, unsigned bit)
{
	return bit < 64 && features_ok(t) && (t->st->driver_features >> bit & 1);
}

/* The ring features of a queue follow what was negotiated. */
static void set_ring_features(struct virtio_mmio *t, struct vq *q)
{
	q->event_idx = virtio_mmio_has_feature(t, VIRTIO_F_EVENT_IDX);
	q->indirect = virtio_mmio_has_feature(t, VIRTIO_F_INDIRECT_DESC);
}

static void reset(struct virtio_mmio *t)
{
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		vq_reset(&t->st->vq[i]);
		t->st->vq[i].num = t->dev ? t->dev->queue_max : 0;
	}
	t->st->status = 0;
	t->st->isr = t->st->isr_unread = 0;
	t->st->dev_features_sel = t->st->drv_features_sel = t->st->queue_sel = 0;
	t->st->driver_features = 0;
	t->st->pending = 0;
	update_irq(t);
	if (t->dev && t->dev->ops->reset)
		t->dev->ops->reset(t->dev->opaque);
}

void virtio_mmio_init(struct virtio_mmio *t, const struct dm_mem *mem, struct dm_irq irq,
		      const struct virtio_dev *dev)
{
	memset(t, 0, sizeof *t);
	t->st = &t->own;
	t->vq = t->st->vq;
	t->mem = mem;
	t->irq = irq;
	if (dev && !dev_valid(dev)) {
		dm_log("virtio-mmio: device %u has an invalid description; slot left empty", dev->device_id);
		dev = NULL;
	}
	t->dev = dev;
	t->offered = dev ? dev->features | 1ULL << VIRTIO_F_VERSION_1 : 0;
	t->st->device_id = dev ? dev->device_id : 0;
	reset(t);
}

void virtio_mmio_interrupt(struct virtio_mmio *t, uint32_t bits)
{
	t->st->isr |= bits;
	t->st->isr_unread |= bits;
	update_irq(t);
}

void virtio_mmio_config_changed(struct virtio_mmio *t)
{
	t->st->config_gen++;
	if (t->st->status & VIRTIO_STATUS_DRIVER_OK)
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_mmio_set_broken(struct virtio_mmio *t)
{
	if (t->st->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	dm_log_guest("virtio-mmio: device %u needs a reset", t->dev ? t->dev->device_id : 0);
	t->st->status |= VIRTIO_STATUS_NEEDS_RESET;
	t->st->pending = 0;
	virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_CONFIG);
}

/* Whether the device may touch its queues at all (virtio 1.x 3.1: after DRIVER_OK). */
bool virtio_mmio_live(const struct virtio_mmio *t)
{
	const uint32_t need = VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;

	return t->dev && (t->st->status & need) == need &&
	       !(t->st->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED));
}

static void run_queue(struct virtio_mmio *t, unsigned i)
{
	uint32_t bit = 1u << i;

	t->st->pending &= ~bit;
	if (!virtio_mmio_live(t) || i >= t->dev->nr_queues || !t->st->vq[i].ready)
		return;
	if (t->dev->ops->notify(t->dev->opaque, t, i) && virtio_mmio_live(t))
		t->st->pending |= bit;
}

void virtio_mmio_kick(struct virtio_mmio *t, unsigned queue)
{
	if (queue < VIRTIO_MMIO_MAX_QUEUES)
		run_queue(t, queue);
}

bool virtio_mmio_pending(const struct virtio_mmio *t)
{
	return t->st->pending != 0;
}

void virtio_mmio_poll(struct virtio_mmio *t)
{
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		if (t->st->pending & 1u << i)
			run_queue(t, i);
}

/* The selected queue, or NULL if QueueSel names none. */
static struct vq *sel_queue(struct virtio_mmio *t)
{
	return t->st->queue_sel < t->dev->nr_queues ? &t->st->vq[t->st->queue_sel] : NULL;
}

static void set_half(uint64_t *v, bool high, uint32_t value)
{
	if (high)
		*v = (*v & 0xffffffffULL) | (uint64_t)value << WORD_BITS;
	else
		*v = (*v & ~0xffffffffULL) | value;
}

static bool config_access(const struct virtio_mmio *t, uint64_t off, unsigned size)
{
	if ((size != 1 && size != 2 && size != 4) || off > t->dev->config_size ||
	    size > t->dev->config_size - off) {
		dm_log_guest("virtio-mmio: config access at %#llx size %u out of range",
			     (unsigned long long)off, size);
		return false;
	}
	return true;
}

uint64_t virtio_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	struct virtio_mmio *t = opaque;
	struct vq *q;

	if (offset >= VIRTIO_MMIO_SIZE) {
		dm_log_guest("virtio-mmio: read at %#llx beyond the slot", (unsigned long long)offset);
		return 0;
	}
	if (offset >= VIRTIO_MMIO_CONFIG) {
		uint64_t off = offset - VIRTIO_MMIO_CONFIG;
		if (!t->dev || !config_access(t, off, size) || !t->dev->ops->config_read)
			return 0;
		return t->dev->ops->config_read(t->dev->opaque, (uint32_t)off, size);
	}
	if (size != REG_SIZE) {
		dm_log_guest("virtio-mmio: %u-byte read of register %#llx", size, (unsigned long long)offset);
		return 0;
	}
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_VERSION_2;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->dev ? t->dev->device_id : 0;
	}
	if (!t->dev)
		return 0;
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return t->st->dev_features_sel < FEATURE_WORDS ?
		       (uint32_t)(t->offered >> (WORD_BITS * t->st->dev_features_sel)) : 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return sel_queue(t) ? t->dev->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		q = sel_queue(t);
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		t->st->isr_unread = 0;   /* what the driver's coming ACK may clear */
		return t->st->isr;
	case VIRTIO_MMIO_STATUS:
		return t->st->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return t->st->config_gen;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return SHM_NONE;
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return 0;
	default:
		dm_log_guest("virtio-mmio: read of write-only or unknown register %#llx",
			     (unsigned long long)offset);
		return 0;
	}
}

/* Driver sets FEATURES_OK: taken only for offered bits including VERSION_1 (legacy is not served). */
static bool accept_features(const struct virtio_mmio *t)
{
	if (t->st->driver_features & ~t->offered) {
		dm_log_guest("virtio-mmio: driver accepted features %#llx not offered",
			     (unsigned long long)(t->st->driver_features & ~t->offered));
		return false;
	}
	if (!(t->st->driver_features >> VIRTIO_F_VERSION_1 & 1)) {
		dm_log_guest("virtio-mmio: driver did not accept VIRTIO_F_VERSION_1");
		return false;
	}
	return true;
}

static void write_status(struct virtio_mmio *t, uint32_t value)
{
	value &= STATUS_MASK;
	if (value == 0) {
		reset(t);
		return;
	}
	if ((value & VIRTIO_STATUS_FEATURES_OK) && !features_ok(t) && !accept_features(t))
		return; /* as QEMU: the status stays as it was, without FEATURES_OK */
	/* NEEDS_RESET is the device's to set; only a reset clears it. */
	t->st->status = value | (t->st->status & VIRTIO_STATUS_NEEDS_RESET);
	for (unsigned i = 0; i < t->dev->nr_queues; i++)
		set_ring_features(t, &t->st->vq[i]);
}

/* A queue register write; ignored (and logged) while the queue is live. */
static void write_queue_reg(struct virtio_mmio *t, uint64_t offset, uint32_t value)
{
	struct vq *q = sel_queue(t);

	if (!q) {
		dm_log_guest("virtio-mmio: queue register %#llx with QueueSel %u of %u",
			     (unsigned long long)offset, t->st->queue_sel, t->dev->nr_queues);
		return;
	}
	if (offset == VIRTIO_MMIO_QUEUE_READY) {
		if (value && !q->ready)
			set_ring_features(t, q);
		q->ready = value != 0;
		return;
	}
	if (q->ready) {
		dm_log_guest("virtio-mmio: queue %u register %#llx written while ready", t->st->queue_sel,
			     (unsigned long long)offset);
		return;
	}
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM:
		if (value == 0 || value > t->dev->queue_max)
			dm_log_guest("virtio-mmio: queue %u size %u refused (max %u)", t->st->queue_sel, value,
				     t->dev->queue_max);
		else
			q->num = (uint16_t)value;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_half(&q->desc, offset == VIRTIO_MMIO_QUEUE_DESC_HIGH, value);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		set_half(&q->avail, offset == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, value);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		set_half(&q->used, offset == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, value);
		break;
	}
}

void virtio_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value64)
{
	struct virtio_mmio *t = opaque;
	uint32_t value = (uint32_t)value64;

	if (!t->dev)
		return; /* an empty slot ignores every write, as QEMU's */
	if (offset >= VIRTIO_MMIO_SIZE) {
		dm_log_guest("virtio-mmio: write at %#llx beyond the slot", (unsigned long long)offset);
		return;
	}
	if (offset >= VIRTIO_MMIO_CONFIG) {
		uint64_t off = offset - VIRTIO_MMIO_CONFIG;
		if (config_access(t, off, size) && t->dev->ops->config_write)
			t->dev->ops->config_write(t->dev->opaque, (uint32_t)off, size, value);
		return;
	}
	if (size != REG_SIZE) {
		dm_log_guest("virtio-mmio: %u-byte write of register %#llx", size, (unsigned long long)offset);
		return;
	}
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->st->dev_features_sel = value;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (features_ok(t))
			dm_log_guest("virtio-mmio: DriverFeatures written after FEATURES_OK");
		else if (t->st->drv_features_sel < FEATURE_WORDS)
			set_half(&t->st->driver_features, t->st->drv_features_sel == 1, value);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->st->drv_features_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->st->queue_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		write_queue_reg(t, offset, value);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if ((value & NOTIFY_QUEUE_MASK) < t->dev->nr_queues)
			run_queue(t, value & NOTIFY_QUEUE_MASK);
		else
			dm_log_guest("virtio-mmio: notify of queue %u of %u", value, t->dev->nr_queues);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		if (value & t->st->isr_unread)
			t->nr_late_acks++;
		t->st->isr &= ~(value & ~t->st->isr_unread);
		update_irq(t);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(t, value);
		break;
	case VIRTIO_MMIO_SHM_SEL:
		break; /* no shared memory regions: every SHMLen reads as none */
	default:
		dm_log_guest("virtio-mmio: write of read-only or unknown register %#llx",
			     (unsigned long long)offset);
		break;
	}
}

int virtio_mmio_bind_state(struct virtio_mmio *t, struct virtio_mmio_state *st, int resumed)
{
	if (!st)
		return 0;
	if (resumed && st->device_id != t->st->device_id)
		return -1;
	if (!resumed)
		*st = *t->st;
	t->st = st;
	t->vq = st->vq;
	if (!resumed)
		return 0;
	if (!t->dev) {
		memset(st, 0, sizeof *st);
		return 0;
	}
	st->pending = 0;
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		struct vq *q = &st->vq[i];
		if (q->num == 0 || q->num > t->dev->queue_max)
			q->num = t->dev->queue_max;   /* a damaged file: never a ring the device did not offer */
		if (i >= t->dev->nr_queues)
			q->ready = false;
	}
	return 0;
}

void virtio_mmio_resume(struct virtio_mmio *t, int clean)
{
	if (!t->dev)
		return;
	for (unsigned i = 0; i < t->dev->nr_queues && virtio_mmio_live(t); i++)
		if (vq_recover(&t->vq[i], t->mem) < 0)
			virtio_mmio_set_broken(t);
	if (!clean && virtio_mmio_live(t))
		t->st->isr |= VIRTIO_MMIO_INT_VRING;
	update_irq(t);
	for (unsigned i = 0; i < t->dev->nr_queues && virtio_mmio_live(t); i++)
		run_queue(t, i);
}

const struct dm_mmio_ops virtio_mmio_ops = {
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
};
