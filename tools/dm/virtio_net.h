/* SPDX-License-Identifier: MIT */
/*
 * virtio_net.h: a virtio-net device (virtio 1.x 5.1) for the virtio-mmio
 * transport: one receive and one transmit queue, a MAC, link status,
 * mergeable receive buffers and, when the backend can carry them,
 * checksum and TCP segmentation offloads.
 *
 *	struct virtio_net *n = calloc(1, sizeof *n);   (large: on the heap)
 *	virtio_net_init(n, mac, &tap_backend, tap, offloads);
 *	virtio_mmio_init(&slot[k], &guest_ram, irq_of_slot_k, &n->vdev);
 *	main loop: poll the backend's fd for input while virtio_net_wants_rx();
 *	           when it is readable: virtio_net_rx(n, &slot[k]) (bounded work;
 *	           returns true if more is left).
 *
 * The backend moves whole packets, each preceded by the 12-byte
 * virtio_net_hdr (the layout of a Linux tap with IFF_VNET_HDR and a vnet
 * header size of 12), and never blocks. The device does no system call of
 * its own, so unit tests drive it with a fake backend.
 *
 * Restarts: what the guest sees of the device beyond its transport lives in
 * struct virtio_net_state (no pointers), reached through n->st, so that it
 * can sit in memory a new process finds. No descriptor chain is held
 * between calls: each is popped, served and pushed inside one call. The one
 * thing held across calls is at most ONE received packet (rx_pkt) that did
 * not fit the buffers the guest had posted; while it waits, the backend is
 * not read (virtio_net_wants_rx() is false) until the guest posts buffers
 * (its receive-queue notify). A restart loses that packet, as a wire would.
 */
#ifndef RIVET_DM_VIRTIO_NET_H
#define RIVET_DM_VIRTIO_NET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "virtio_mmio.h"
#include "virtqueue.h"

#define VIRTIO_ID_NET            1
#define VIRTIO_NET_QUEUE_SIZE    256u  /* QueueNumMax of both queues */
#define VIRTIO_NET_RXQ           0
#define VIRTIO_NET_TXQ           1
#define VIRTIO_NET_MAC_BYTES     6

/* Feature bits (virtio 1.x 5.1.3). */
#define VIRTIO_NET_F_CSUM        0
#define VIRTIO_NET_F_GUEST_CSUM  1
#define VIRTIO_NET_F_MAC         5
#define VIRTIO_NET_F_GUEST_TSO4  7
#define VIRTIO_NET_F_GUEST_TSO6  8
#define VIRTIO_NET_F_GUEST_ECN   9
#define VIRTIO_NET_F_HOST_TSO4   11
#define VIRTIO_NET_F_HOST_TSO6   12
#define VIRTIO_NET_F_HOST_ECN    13
#define VIRTIO_NET_F_MRG_RXBUF   15
#define VIRTIO_NET_F_STATUS      16

#define VIRTIO_NET_S_LINK_UP     1

/* virtio_net_hdr (with VERSION_1 always 12 bytes, num_buffers included). */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_GSO_NONE  0
#define VIRTIO_NET_HDR_GSO_TCPV4 1
#define VIRTIO_NET_HDR_GSO_TCPV6 4
#define VIRTIO_NET_HDR_GSO_ECN   0x80

struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;        /* little-endian, all of them */
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
} __attribute__((packed));

#define VIRTIO_NET_HDR_SIZE      12u
/*
 * The largest frame either way: a 64 KiB GSO packet (an IP datagram of at
 * most 65535 bytes) with an Ethernet and a VLAN header. Anything larger a
 * guest sends is dropped; the backend never gives larger.
 */
#define VIRTIO_NET_MAX_FRAME     (65535u + 14u + 4u)
#define VIRTIO_NET_MAX_PACKET    (VIRTIO_NET_HDR_SIZE + VIRTIO_NET_MAX_FRAME)

/* The config space (little-endian): mac, status, max_virtqueue_pairs. */
struct virtio_net_config {
	uint8_t mac[VIRTIO_NET_MAC_BYTES];
	uint16_t status;
	uint16_t max_virtqueue_pairs;
} __attribute__((packed));

/*
 * Offload classes the backend may be asked to carry (what it passes through
 * virtio_net_hdr): the guest's acceptances map onto these (TUNSETOFFLOAD's).
 */
#define VIRTIO_NET_OFF_CSUM      1u  /* packets to the guest may need their checksum done */
#define VIRTIO_NET_OFF_TSO4      2u
#define VIRTIO_NET_OFF_TSO6      4u
#define VIRTIO_NET_OFF_ECN       8u

struct virtio_net_backend {
	/*
	 * Sends one packet: IOV holds the header then the frame. 0, or -1 if
	 * it was not sent (the device counts a drop). Never blocks.
	 */
	int (*send)(void *be, const struct iovec *iov, unsigned niov);
	/*
	 * Receives one packet (header, frame) into BUF of LEN bytes: its
	 * length, 0 when none is waiting, -1 on an error (the device counts it
	 * and stops reading for this round). Never blocks.
	 */
	ssize_t (*recv)(void *be, void *buf, size_t len);
	/* Which VIRTIO_NET_OFF_* the backend is to pass to the guest (those of the driver's features). */
	void (*set_offload)(void *be, unsigned off);
};

/*
 * Everything guest-visible of the device that a new process must find again
 * (besides the transport's registers and queues): plain data, no pointers.
 */
struct virtio_net_state {
	uint8_t mac[VIRTIO_NET_MAC_BYTES];
	uint16_t status;                 /* config status: VIRTIO_NET_S_LINK_UP */
	uint64_t rx_packets, rx_bytes, rx_dropped;  /* dropped: no fit, bad header, backend error */
	uint64_t tx_packets, tx_bytes, tx_dropped;  /* dropped: too large, bad header, send failed */
};

struct virtio_net {
	struct virtio_net_state *st;     /* &own unless the daemon placed it elsewhere */
	struct virtio_net_state own;
	const struct virtio_net_backend *be;
	void *be_ctx;
	bool offloads;                   /* the backend carries VIRTIO_NET_OFF_*: offer them */
	int applied_off;                 /* last set_offload() argument, -1 none yet */
	struct virtio_net_config config; /* built from *st on every config read */
	struct virtio_dev vdev;          /* what virtio_mmio_init() takes */

	/* Scratch of one call, never holding a chain across calls. */
	bool rx_held;                    /* rx_pkt holds a packet that did not fit yet */
	bool rx_wait;                    /* rx_pkt waits for the guest to post buffers */
	size_t rx_len;
	uint8_t rx_pkt[VIRTIO_NET_MAX_PACKET];
	struct vq_chain chain;
	struct vq_chain first;           /* the first receive chain of a packet: its header goes there */
	struct vq_used used[VIRTIO_NET_QUEUE_SIZE];
	struct iovec iov[VQ_MAX_SEGS + 1];
};

/*
 * Sets up N with MAC, link up, over backend BE (context CTX); OFFLOADS: the
 * backend can carry checksum/TSO offloads (a tap with a vnet header), so
 * they are offered to the guest.
 */
void virtio_net_init(struct virtio_net *n, const uint8_t mac[VIRTIO_NET_MAC_BYTES],
		     const struct virtio_net_backend *be, void *ctx, bool offloads);

/*
 * Moves N's state into ST (the daemon's state arena, dm_state.h): fresh,
 * the reset state is copied there; RESUMED, ST is kept and checked (its
 * status clamped to the bits the device knows). -1 if a resumed ST has
 * another MAC than N was made with (another NIC: the file is refused).
 */
int virtio_net_bind_state(struct virtio_net *n, struct virtio_net_state *st, int resumed);

/* Whether the daemon should read the backend now: the driver is up and no packet waits. */
bool virtio_net_wants_rx(const struct virtio_net *n, const struct virtio_mmio *t);

/*
 * Moves received packets from the backend to the guest, at most a ring's
 * worth; raises the interrupt if the driver wants one. True if more may be
 * waiting (call again after other work).
 */
bool virtio_net_rx(struct virtio_net *n, struct virtio_mmio *t);

#endif
