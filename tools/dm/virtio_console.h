/* SPDX-License-Identifier: MIT */
/*
 * virtio_console.h: a virtio console device (virtio 1.x 5.3, device ID 3),
 * one port, no MULTIPORT, for the virtio-mmio transport. Linux drives it as
 * /dev/hvcN (hvc1 when the SBI console took hvc0).
 *
 *	struct virtio_console con;        (large: keep it static or on the heap)
 *	virtio_console_init(&con, &io, io_ctx);
 *	virtio_mmio_init(&slot[n], &guest_ram, irq_of_slot_n, &con.vdev);
 *	input from the host:  taken = virtio_console_receive(&con, &slot[n], bytes, len);
 *	output drained:       virtio_console_resume(&con, &slot[n]);
 *
 * Output (transmitq) goes to io->out as the guest queues it, while io->room
 * says there is space for a whole chain's worth (VIRTIO_CONSOLE_TX_ROOM);
 * otherwise the device stops taking transmit chains until resumed, so a slow
 * reader holds the guest back instead of losing its output. Input
 * (receiveq) is pushed by the host: a receive buffer is popped only when
 * bytes are in hand and completed before the call returns, so no chain is
 * ever held across calls. A malformed chain (or a buffer going the wrong
 * way) stops the device (DEVICE_NEEDS_RESET), as virtio_blk does.
 *
 * Restart (dm_state.h, docs/dm.md "Restart"): everything the guest can
 * observe besides the transport lives in the plain-old-data *st (no
 * pointers), which virtio_console_bind_state() moves into the state arena;
 * the rest is rebuilt by virtio_console_init(). Both queues publish through
 * vq_push (journaled), chains are completed in the order popped and never
 * held across calls, so a successor that runs the transmitq again
 * (virtio_mmio_resume) outputs a chain it finds unpublished once more and
 * never completes one twice.
 */
#ifndef RIVET_DM_VIRTIO_CONSOLE_H
#define RIVET_DM_VIRTIO_CONSOLE_H
#include <stddef.h>
#include <stdint.h>

#include "virtio_mmio.h"
#include "virtqueue.h"

#define VIRTIO_ID_CONSOLE            3
#define VIRTIO_CONSOLE_QUEUE_SIZE    64u    /* QueueNumMax */
#define VIRTIO_CONSOLE_RXQ           0u     /* port 0's receiveq */
#define VIRTIO_CONSOLE_TXQ           1u     /* port 0's transmitq */
#define VIRTIO_CONSOLE_NR_QUEUES     2u
/* A transmit chain is taken only with this much room in the output (Linux sends a page at most). */
#define VIRTIO_CONSOLE_TX_ROOM       4096u
/* The most bytes of one transmit chain that are output; the rest is dropped (bounded work). */
#define VIRTIO_CONSOLE_CHAIN_MAX     65536u
/* The config space: le16 cols, le16 rows, le32 max_nr_ports, le32 emerg_wr (all 0: not offered). */
#define VIRTIO_CONSOLE_CONFIG_SIZE   12u

/* What the device does with its host side: the daemon's socket, or a test's fake. */
struct virtio_console_io {
	size_t (*room)(void *ctx);                           /* bytes out() takes now without loss */
	void (*out)(void *ctx, const uint8_t *p, size_t n);  /* the guest's output */
};

/* Guest-visible state beyond the transport: plain data, restartable. */
struct virtio_console_state {
	uint8_t tx_stalled;      /* transmit chains wait until resume (the output was full) */
	uint8_t pad[7];
	uint64_t tx_bytes;       /* guest output taken, all time */
	uint64_t rx_bytes;       /* input delivered */
};

struct virtio_console {
	struct virtio_console_state *st;   /* &own unless placed elsewhere (restart) */
	struct virtio_console_state own;
	const struct virtio_console_io *io;
	void *io_ctx;
	struct virtio_dev vdev;  /* what virtio_mmio_init() takes */
	struct vq_chain chain;   /* scratch: only ever used within one call */
};

/* Sets up C with its host side IO (called with IO_CTX); st points to c->own, zeroed. */
void virtio_console_init(struct virtio_console *c, const struct virtio_console_io *io, void *io_ctx);

/*
 * Hands up to N bytes of input to the guest through T (C's transport):
 * fills receive buffers until the bytes or the buffers run out (at most a
 * queue's worth); returns how many bytes were taken (0: none posted, the
 * driver not ready, or the device stopped). Keep the rest and call again.
 */
size_t virtio_console_receive(struct virtio_console *c, struct virtio_mmio *t, const uint8_t *p, size_t n);

/* The output has room again: transmit chains held back are taken now. */
void virtio_console_resume(struct virtio_console *c, struct virtio_mmio *t);

/*
 * Moves C's state to ST (dm_state.h): fresh (RESUMED 0), the current state
 * is copied there; resumed, ST is kept (tx_stalled made 0 or 1). ST NULL:
 * nothing changes. Nothing else to do on resume: the transport's
 * virtio_mmio_resume runs the transmitq, which clears tx_stalled or sets it
 * again by the new process's output room.
 */
void virtio_console_bind_state(struct virtio_console *c, struct virtio_console_state *st, int resumed);

#endif
