// SPDX-License-Identifier: MIT
/*
 * virtio_console.c: port 0 of a virtio console (see virtio_console.h).
 * Transmit chains must be all device-readable, receive chains all
 * device-writable; anything else, or a chain the walker refuses, is a
 * device error (DEVICE_NEEDS_RESET), and the head is not completed.
 */
#include "virtio_console.h"

#include <string.h>

#include "dm_log.h"

static void broken(struct virtio_mmio *t, const char *why, uint16_t head)
{
	dm_log_guest("virtio-console: %s (chain %u)", why, head);
	virtio_mmio_set_broken(t);
}

/*
 * Up to a queue's worth of transmit chains to the output. Stops (stalled)
 * while the output lacks room for a chain; true if the budget ran out first.
 */
static bool transmit(struct virtio_console *c, struct virtio_mmio *t)
{
	struct vq *q = &t->vq[VIRTIO_CONSOLE_TXQ];
	unsigned budget = q->num;
	bool more = false;

	c->st->tx_stalled = 0;
	for (;;) {
		if (c->io->room(c->io_ctx) < VIRTIO_CONSOLE_TX_ROOM) {
			c->st->tx_stalled = 1;
			break;
		}
		if (budget-- == 0) {
			more = true;
			break;
		}
		int r = vq_pop(q, t->mem, &c->chain);
		if (r == VQ_EMPTY)
			break;
		if (r != VQ_CHAIN) {
			broken(t, "malformed transmit chain", c->chain.head);
			return false;
		}
		if (c->chain.write_bytes) {
			broken(t, "transmit chain with a device-writable buffer", c->chain.head);
			return false;
		}
		/* Bounded work: what a chain holds beyond the cap is not output (Linux sends a page). */
		uint64_t left = VIRTIO_CONSOLE_CHAIN_MAX;
		for (unsigned i = 0; i < c->chain.nseg && left; i++) {
			uint32_t k = c->chain.seg[i].len < left ? c->chain.seg[i].len : (uint32_t)left;
			c->io->out(c->io_ctx, c->chain.seg[i].ptr, k);
			left -= k;
			c->st->tx_bytes += k;
		}
		if (vq_push(q, t->mem, c->chain.head, 0) < 0) {
			virtio_mmio_set_broken(t);
			return false;
		}
	}
	if (vq_need_notify(q, t->mem))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
	return more;
}

static bool con_notify(void *dev, struct virtio_mmio *t, unsigned queue)
{
	/* Receive buffers are taken when input comes (virtio_console_receive), not here. */
	if (queue != VIRTIO_CONSOLE_TXQ)
		return false;
	return transmit(dev, t);
}

size_t virtio_console_receive(struct virtio_console *c, struct virtio_mmio *t, const uint8_t *p, size_t n)
{
	struct vq *q = &t->vq[VIRTIO_CONSOLE_RXQ];
	unsigned budget = q->num;
	size_t done = 0;

	if (t->dev != &c->vdev || !virtio_mmio_live(t))
		return 0;
	while (done < n && budget--) {
		int r = vq_pop(q, t->mem, &c->chain);
		if (r == VQ_EMPTY)
			break;
		if (r != VQ_CHAIN) {
			broken(t, "malformed receive chain", c->chain.head);
			return done;
		}
		if (c->chain.read_bytes) {
			broken(t, "receive chain with a device-readable buffer", c->chain.head);
			return done;
		}
		size_t put = 0;
		for (unsigned i = 0; i < c->chain.nseg && done + put < n; i++) {
			size_t k = n - done - put < c->chain.seg[i].len ? n - done - put : c->chain.seg[i].len;
			memcpy(c->chain.seg[i].ptr, p + done + put, k);
			put += k;
		}
		if (vq_push(q, t->mem, c->chain.head, (uint32_t)put) < 0) {
			virtio_mmio_set_broken(t);
			return done;
		}
		done += put;
	}
	c->st->rx_bytes += done;
	if (vq_need_notify(q, t->mem))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
	return done;
}

void virtio_console_resume(struct virtio_console *c, struct virtio_mmio *t)
{
	if (c->st->tx_stalled && t->dev == &c->vdev && c->io->room(c->io_ctx) >= VIRTIO_CONSOLE_TX_ROOM)
		virtio_mmio_kick(t, VIRTIO_CONSOLE_TXQ);
}

static uint32_t con_config_read(void *dev, uint32_t off, unsigned size)
{
	/* No SIZE, MULTIPORT or EMERG_WRITE: every field reads 0. */
	(void)dev;
	(void)off;
	(void)size;
	return 0;
}

static void con_reset(void *dev)
{
	struct virtio_console *c = dev;

	c->st->tx_stalled = 0;
}

void virtio_console_bind_state(struct virtio_console *c, struct virtio_console_state *st, int resumed)
{
	if (!st)
		return;
	if (!resumed)
		*st = *c->st;
	c->st = st;
	st->tx_stalled = st->tx_stalled != 0;   /* a damaged file: only ever a flag */
}

static const struct virtio_dev_ops con_ops = {
	.config_read = con_config_read,
	.notify = con_notify,
	.reset = con_reset,
};

void virtio_console_init(struct virtio_console *c, const struct virtio_console_io *io, void *io_ctx)
{
	memset(c, 0, sizeof *c);
	c->st = &c->own;
	c->io = io;
	c->io_ctx = io_ctx;
	c->vdev = (struct virtio_dev){
		.ops = &con_ops,
		.opaque = c,
		.device_id = VIRTIO_ID_CONSOLE,
		.features = 1ULL << VIRTIO_F_INDIRECT_DESC | 1ULL << VIRTIO_F_EVENT_IDX,
		.config_size = VIRTIO_CONSOLE_CONFIG_SIZE,
		.nr_queues = VIRTIO_CONSOLE_NR_QUEUES,
		.queue_max = VIRTIO_CONSOLE_QUEUE_SIZE,
	};
}
