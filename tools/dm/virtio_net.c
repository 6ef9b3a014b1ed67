// SPDX-License-Identifier: MIT
/*
 * virtio_net.c: virtio-net packets between the guest's queues and a backend
 * (see virtio_net.h).
 *
 * Transmit: a chain's readable stream is the 12-byte header then the frame.
 * The header is copied out once and checked (offloads the driver did not
 * accept, frames over VIRTIO_NET_MAX_FRAME: the packet is dropped and the
 * chain returned); the frame goes to the backend straight from guest RAM.
 * A chain with a writable buffer or without a whole header is a device
 * error, as in QEMU: DEVICE_NEEDS_RESET.
 *
 * Receive: one packet is read from the backend into rx_pkt, then copied
 * into as many receive chains as it needs (one without MRG_RXBUF, whose
 * chain must hold it all or the packet is dropped, as QEMU does). If the
 * guest has posted too few, the chains are given back untouched in the
 * ring's eyes (vq_unpop) and the packet waits for the guest's next
 * receive-queue notify. A receive chain with a readable buffer, or too
 * short for the header, is a device error.
 *
 * Restarts (docs/dm.md "Restart"): a packet's chains are filled, then
 * published with one journaled store of used->idx (vq_push_batch), so a
 * kill publishes the packet whole or not at all; not at all, the
 * successor pops the same chains again, and the packet, which was only in
 * this process's memory, is lost, as on a wire. A transmit chain sent but
 * not yet published is sent again by the successor (a duplicate frame,
 * which the protocols above tolerate).
 */
#include "virtio_net.h"

#include <endian.h>
#include <string.h>

#include "dm_log.h"

/* Driver-accepted feature bits -> what the backend may hand to the guest. */
static unsigned offload_of(const struct virtio_mmio *t)
{
	unsigned off = 0;

	if (!virtio_mmio_has_feature(t, VIRTIO_NET_F_GUEST_CSUM))
		return 0;
	off |= VIRTIO_NET_OFF_CSUM;
	if (virtio_mmio_has_feature(t, VIRTIO_NET_F_GUEST_TSO4))
		off |= VIRTIO_NET_OFF_TSO4;
	if (virtio_mmio_has_feature(t, VIRTIO_NET_F_GUEST_TSO6))
		off |= VIRTIO_NET_OFF_TSO6;
	if ((off & (VIRTIO_NET_OFF_TSO4 | VIRTIO_NET_OFF_TSO6)) &&
	    virtio_mmio_has_feature(t, VIRTIO_NET_F_GUEST_ECN))
		off |= VIRTIO_NET_OFF_ECN;
	return off;
}

static void apply_offload(struct virtio_net *n, const struct virtio_mmio *t)
{
	unsigned off = n->offloads ? offload_of(t) : 0;

	if (n->applied_off == (int)off)
		return;
	if (n->be->set_offload)
		n->be->set_offload(n->be_ctx, off);
	n->applied_off = (int)off;
}

/* Whether the device may use its queues: after DRIVER_OK, before any NEEDS_RESET. */
static bool live(const struct virtio_mmio *t)
{
	const uint32_t need = VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;

	return (t->st->status & need) == need &&
	       !(t->st->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED));
}

/* ---- transmit ---- */

/* A transmit header the driver may send: offloads only as accepted. */
static bool tx_hdr_ok(const struct virtio_mmio *t, const struct virtio_net_hdr *h)
{
	uint8_t gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (h->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return false;
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !virtio_mmio_has_feature(t, VIRTIO_NET_F_CSUM))
		return false;
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !virtio_mmio_has_feature(t, VIRTIO_NET_F_HOST_ECN))
		return false;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return !(h->gso_type & VIRTIO_NET_HDR_GSO_ECN);
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return virtio_mmio_has_feature(t, VIRTIO_NET_F_HOST_TSO4) && h->gso_size;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return virtio_mmio_has_feature(t, VIRTIO_NET_F_HOST_TSO6) && h->gso_size;
	default:
		return false;
	}
}

/*
 * Sends one chain's packet. 0 (sent or dropped: the chain goes back with
 * length 0), or -1 for a chain that is a device error.
 */
static int tx_one(struct virtio_net *n, struct virtio_mmio *t, const struct vq_chain *c)
{
	struct virtio_net_hdr h;
	uint64_t skip = VIRTIO_NET_HDR_SIZE, frame;
	unsigned niov = 1;

	if (c->write_bytes) {
		dm_log_guest("virtio-net: transmit chain %u has device-writable buffers", c->head);
		return -1;
	}
	if (vq_chain_read(c, 0, &h, sizeof h) != VIRTIO_NET_HDR_SIZE) {
		dm_log_guest("virtio-net: transmit chain %u of %llu bytes has no whole header", c->head,
			     (unsigned long long)c->read_bytes);
		return -1;
	}
	frame = c->read_bytes - VIRTIO_NET_HDR_SIZE;
	if (frame == 0 || frame > VIRTIO_NET_MAX_FRAME || !tx_hdr_ok(t, &h)) {
		dm_log_guest("virtio-net: transmit packet %u dropped: %llu bytes, flags %#x gso %#x",
			     c->head, (unsigned long long)frame, h.flags, h.gso_type);
		n->st->tx_dropped++;
		return 0;
	}
	h.num_buffers = 0;
	n->iov[0] = (struct iovec){ .iov_base = &h, .iov_len = VIRTIO_NET_HDR_SIZE };
	for (unsigned i = 0; i < c->nseg; i++) {
		const struct vq_seg *s = &c->seg[i];
		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		n->iov[niov++] = (struct iovec){ .iov_base = s->ptr + skip, .iov_len = s->len - skip };
		skip = 0;
	}
	if (n->be->send(n->be_ctx, n->iov, niov) < 0) {
		n->st->tx_dropped++;
		return 0;
	}
	n->st->tx_packets++;
	n->st->tx_bytes += frame;
	return 0;
}

/* Up to one ring's worth of transmit chains. */
static bool tx_notify(struct virtio_net *n, struct virtio_mmio *t)
{
	struct vq *q = &t->vq[VIRTIO_NET_TXQ];
	unsigned budget = q->num;
	bool more = false;

	for (;;) {
		if (budget-- == 0) {
			more = true;
			break;
		}
		int r = vq_pop(q, t->mem, &n->chain);
		if (r == VQ_EMPTY)
			break;
		if (r != VQ_CHAIN || tx_one(n, t, &n->chain) < 0 ||
		    vq_push(q, t->mem, n->chain.head, 0) < 0) {
			virtio_mmio_set_broken(t);
			return false;
		}
	}
	if (vq_need_notify(q, t->mem))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
	return more;
}

/* ---- receive ---- */

/* Copies LEN bytes of SRC into the chain's writable stream from byte OFF. */
static void chain_write(const struct vq_chain *c, uint64_t off, const uint8_t *src, uint64_t len)
{
	for (unsigned i = 0; i < c->nseg && len; i++) {
		const struct vq_seg *s = &c->seg[i];
		if (!s->write)
			continue;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		uint64_t k = s->len - off < len ? s->len - off : len;
		memcpy(s->ptr + off, src, k);
		src += k;
		len -= k;
		off = 0;
	}
}

/*
 * The header of a received packet as this driver may see it (OFF: the
 * offloads it accepted); false: the packet cannot be given to it (the
 * backend should never send such, having been told OFF).
 */
static bool rx_hdr_fix(struct virtio_net_hdr *h, unsigned off)
{
	uint8_t gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (!(off & VIRTIO_NET_OFF_CSUM)) {
		if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			return false;
		h->flags = 0;
	}
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !(off & VIRTIO_NET_OFF_ECN))
		return false;
	if (gso == VIRTIO_NET_HDR_GSO_TCPV4 && !(off & VIRTIO_NET_OFF_TSO4))
		return false;
	if (gso == VIRTIO_NET_HDR_GSO_TCPV6 && !(off & VIRTIO_NET_OFF_TSO6))
		return false;
	return gso == VIRTIO_NET_HDR_GSO_NONE || gso == VIRTIO_NET_HDR_GSO_TCPV4 ||
	       gso == VIRTIO_NET_HDR_GSO_TCPV6;
}

enum { RX_DONE, RX_NO_BUFFERS, RX_BROKEN };

/*
 * Gives the held packet to the guest: RX_DONE (delivered, or dropped),
 * RX_NO_BUFFERS (the chains were given back; it waits), RX_BROKEN (the
 * device needs a reset; the packet is dropped).
 */
static int rx_deliver(struct virtio_net *n, struct virtio_mmio *t)
{
	struct vq *q = &t->vq[VIRTIO_NET_RXQ];
	bool mrg = virtio_mmio_has_feature(t, VIRTIO_NET_F_MRG_RXBUF);
	struct virtio_net_hdr h;
	uint64_t done = 0, len = n->rx_len;
	unsigned nr = 0;

	memcpy(&h, n->rx_pkt, sizeof h);
	if (!rx_hdr_fix(&h, (unsigned)n->applied_off)) {
		n->st->rx_dropped++;
		return RX_DONE;
	}
	while (done < len) {
		struct vq_chain *c = nr == 0 ? &n->first : &n->chain;

		if (nr == q->num) {
			/* The whole ring cannot hold it: waiting would never end. */
			vq_unpop(q, (uint16_t)nr);
			n->st->rx_dropped++;
			return RX_DONE;
		}
		int r = vq_pop(q, t->mem, c);
		if (r == VQ_EMPTY) {
			vq_unpop(q, (uint16_t)nr);
			return RX_NO_BUFFERS;
		}
		if (r != VQ_CHAIN) {
			virtio_mmio_set_broken(t);
			return RX_BROKEN;
		}
		if (c->read_bytes || c->write_bytes < (nr == 0 ? VIRTIO_NET_HDR_SIZE : 1)) {
			dm_log_guest("virtio-net: receive chain %u: %llu readable, %llu writable bytes",
				     c->head, (unsigned long long)c->read_bytes,
				     (unsigned long long)c->write_bytes);
			virtio_mmio_set_broken(t);
			return RX_BROKEN;
		}
		uint64_t k = len - done < c->write_bytes ? len - done : c->write_bytes;
		if (!mrg && k < len) {
			/* QEMU too drops a packet its one buffer cannot hold, and keeps the buffer. */
			vq_unpop(q, 1);
			n->st->rx_dropped++;
			return RX_DONE;
		}
		/* The first chain's header is written last, once num_buffers is known. */
		if (nr == 0)
			chain_write(c, VIRTIO_NET_HDR_SIZE, n->rx_pkt + VIRTIO_NET_HDR_SIZE,
				    k - VIRTIO_NET_HDR_SIZE);
		else
			chain_write(c, 0, n->rx_pkt + done, k);
		n->used[nr] = (struct vq_used){ .head = c->head, .len = (uint32_t)k };
		nr++;
		done += k;
	}
	h.num_buffers = htole16((uint16_t)nr);
	chain_write(&n->first, 0, (const uint8_t *)&h, sizeof h);
	if (vq_push_batch(q, t->mem, n->used, nr) < 0) {
		virtio_mmio_set_broken(t);
		return RX_BROKEN;
	}
	n->st->rx_packets++;
	n->st->rx_bytes += len - VIRTIO_NET_HDR_SIZE;
	return RX_DONE;
}

bool virtio_net_wants_rx(const struct virtio_net *n, const struct virtio_mmio *t)
{
	return live(t) && t->vq[VIRTIO_NET_RXQ].ready && !n->rx_wait;
}

bool virtio_net_rx(struct virtio_net *n, struct virtio_mmio *t)
{
	struct vq *q = &t->vq[VIRTIO_NET_RXQ];
	unsigned budget = q->num;
	bool more = false, pushed = false;

	if (!live(t) || !q->ready) {
		n->rx_held = n->rx_wait = false;   /* the driver is gone: so is what it did not take */
		return false;
	}
	apply_offload(n, t);
	for (;;) {
		if (!n->rx_held) {
			if (budget-- == 0) {
				more = true;
				break;
			}
			ssize_t r = n->be->recv(n->be_ctx, n->rx_pkt, sizeof n->rx_pkt);
			if (r == 0)
				break;
			if (r < 0 || (size_t)r <= VIRTIO_NET_HDR_SIZE) {
				n->st->rx_dropped++;
				if (r < 0)
					break;
				continue;
			}
			n->rx_len = (size_t)r;
			n->rx_held = true;
		}
		int d = rx_deliver(n, t);
		if (d == RX_NO_BUFFERS) {
			n->rx_wait = true;
			break;
		}
		n->rx_held = false;
		if (d == RX_BROKEN)
			return false;
		pushed = true;
	}
	if (pushed && vq_need_notify(q, t->mem))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
	return more;
}

/* The guest posted receive buffers: a waiting packet may fit now, and the backend is read again. */
static bool rx_notify(struct virtio_net *n, struct virtio_mmio *t)
{
	n->rx_wait = false;
	return virtio_net_rx(n, t);
}

static bool net_notify(void *dev, struct virtio_mmio *t, unsigned queue)
{
	struct virtio_net *n = dev;

	return queue == VIRTIO_NET_RXQ ? rx_notify(n, t) : tx_notify(n, t);
}

static uint32_t net_config_read(void *dev, uint32_t off, unsigned size)
{
	struct virtio_net *n = dev;
	const uint8_t *p = (const uint8_t *)&n->config;
	uint32_t v = 0;

	memcpy(n->config.mac, n->st->mac, sizeof n->config.mac);
	n->config.status = htole16(n->st->status);
	n->config.max_virtqueue_pairs = htole16(1);
	/* The transport checked off + size against config_size. */
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)p[off + i] << (8 * i);
	return v;
}

/* The driver reset the device: a packet it did not take is dropped; offloads go back off. */
static void net_reset(void *dev)
{
	struct virtio_net *n = dev;

	if (n->rx_held)
		n->st->rx_dropped++;
	n->rx_held = n->rx_wait = false;
	if (n->applied_off != 0 && n->be->set_offload)
		n->be->set_offload(n->be_ctx, 0);
	n->applied_off = 0;
}

int virtio_net_bind_state(struct virtio_net *n, struct virtio_net_state *st, int resumed)
{
	if (!st)
		return 0;
	if (!resumed)
		*st = *n->st;
	else if (memcmp(st->mac, n->st->mac, sizeof st->mac))
		return -1;   /* the guest knows the MAC from the file: another NIC is not this one */
	n->st = st;
	st->status &= VIRTIO_NET_S_LINK_UP;   /* a damaged file: only the bit the device knows */
	return 0;
}

static const struct virtio_dev_ops net_ops = {
	.config_read = net_config_read,
	.notify = net_notify,
	.reset = net_reset,
};

void virtio_net_init(struct virtio_net *n, const uint8_t mac[VIRTIO_NET_MAC_BYTES],
		     const struct virtio_net_backend *be, void *ctx, bool offloads)
{
	uint64_t f = 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS |
		     1ULL << VIRTIO_NET_F_MRG_RXBUF | 1ULL << VIRTIO_F_EVENT_IDX |
		     1ULL << VIRTIO_F_INDIRECT_DESC;

	memset(n, 0, sizeof *n);
	n->st = &n->own;
	memcpy(n->st->mac, mac, VIRTIO_NET_MAC_BYTES);
	n->st->status = VIRTIO_NET_S_LINK_UP;
	n->be = be;
	n->be_ctx = ctx;
	n->offloads = offloads;
	n->applied_off = -1;
	if (offloads)
		f |= 1ULL << VIRTIO_NET_F_CSUM | 1ULL << VIRTIO_NET_F_GUEST_CSUM |
		     1ULL << VIRTIO_NET_F_GUEST_TSO4 | 1ULL << VIRTIO_NET_F_GUEST_TSO6 |
		     1ULL << VIRTIO_NET_F_GUEST_ECN | 1ULL << VIRTIO_NET_F_HOST_TSO4 |
		     1ULL << VIRTIO_NET_F_HOST_TSO6 | 1ULL << VIRTIO_NET_F_HOST_ECN;
	n->vdev = (struct virtio_dev){
		.ops = &net_ops,
		.opaque = n,
		.device_id = VIRTIO_ID_NET,
		.features = f,
		.config_size = sizeof n->config,
		.nr_queues = 2,
		.queue_max = VIRTIO_NET_QUEUE_SIZE,
	};
}
