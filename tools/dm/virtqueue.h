/* SPDX-License-Identifier: MIT */
/*
 * virtqueue.h: the device side of a split virtqueue (virtio 1.x, "Split
 * Virtqueues"), with VIRTIO_F_INDIRECT_DESC and VIRTIO_F_EVENT_IDX.
 *
 * Every ring and descriptor lives in guest RAM and is hostile: each field
 * is read once into a local, every address goes through dm_mem_ptr(), every
 * walk is bounded. A queue is used like this (one thread):
 *
 *	while ((r = vq_pop(q, mem, &chain)) != VQ_EMPTY) {
 *		if (r == VQ_BROKEN) { the device sets DEVICE_NEEDS_RESET; stop }
 *		len = r == VQ_CHAIN ? handle(&chain) : 0;   (VQ_BAD_CHAIN: just return it)
 *		vq_push(q, mem, chain.head, len);
 *	}
 *	if (vq_need_notify(q, mem)) raise the used-buffer interrupt;
 *
 * The ring is little-endian (virtio 1); so are RISC-V and x86 hosts, but
 * the accesses convert anyway.
 */
#ifndef RIVET_DM_VIRTQUEUE_H
#define RIVET_DM_VIRTQUEUE_H
#include <stdbool.h>
#include <stdint.h>

#include "dm_mem.h"

/* Feature bits of the ring itself (virtio 1.x section 6). */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29
#define VIRTIO_F_VERSION_1     32

/* Descriptor flags. */
#define VIRTQ_DESC_F_NEXT      1
#define VIRTQ_DESC_F_WRITE     2
#define VIRTQ_DESC_F_INDIRECT  4
/* avail->flags: the driver asks for no used-buffer interrupts (without EVENT_IDX). */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

#define VQ_DESC_SIZE    16u
/* The largest queue any device here offers (QueueNumMax is at most this). */
#define VQ_MAX_SIZE     1024u
/* The most entries an indirect table may have. */
#define VQ_MAX_INDIRECT 1024u
/* The most buffers (segments) one chain may have, direct and indirect together. */
#define VQ_MAX_SEGS     1024u

/*
 * One queue. The transport fills num and the three GPAs while the queue is
 * not ready, the negotiated event_idx/indirect, then sets ready; vq_reset()
 * puts everything back to zero. The rest is the walker's own state.
 *
 * num need not be a power of 2 (virtio-mmio allows any QueueNum up to
 * QueueNumMax): ring slots are idx % num. A driver using such a size loses
 * its place when the 16-bit index wraps, which harms only itself.
 */
struct vq {
	uint16_t num;            /* queue size, 1..VQ_MAX_SIZE */
	bool ready;
	bool event_idx;          /* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;           /* VIRTIO_F_INDIRECT_DESC negotiated */
	uint64_t desc, avail, used; /* GPAs: descriptor table, driver area, device area */

	uint16_t last_avail_idx; /* the next avail ring entry the device takes */
	uint16_t used_idx;       /* the used idx the device published last */
	uint16_t signalled_used; /* used_idx at the last vq_need_notify() (0 after a reset, as used_idx) */

	/*
	 * Crash consistency (the struct lives in rivet-dm's state arena, and the
	 * process may be killed between any two instructions). Chains are
	 * completed in the order they were popped. commit_avail: every chain
	 * before it has been published to the driver; a new rivet-dm restarts
	 * from there (a chain popped but not published is done again: block
	 * I/O is idempotent, publishing twice is what must never happen).
	 * vq_publish writes the journal (journal_used/journal_avail, then
	 * journal_open), stores used->idx, commits, and closes the journal;
	 * vq_recover settles an open one by the used->idx the driver sees.
	 */
	uint16_t nr_held;        /* chains popped and not yet filled */
	uint16_t nr_filled;      /* used elements written after used_idx, not yet published */
	uint16_t commit_avail;
	uint16_t journal_avail, journal_used;
	uint8_t journal_open;
};

/* One guest buffer of a chain: host address of len bytes, all inside guest RAM. */
struct vq_seg {
	uint8_t *ptr;
	uint32_t len;            /* never 0 */
	bool write;              /* device-writable (the device fills it) */
};

/* A popped chain: readable segments first, then writable ones. */
struct vq_chain {
	uint16_t head;           /* what goes back into the used ring */
	unsigned nseg;
	uint64_t read_bytes, write_bytes; /* totals of each direction */
	struct vq_seg seg[VQ_MAX_SEGS];
};

/* vq_pop()'s results. */
#define VQ_EMPTY       0     /* nothing available */
#define VQ_CHAIN       1     /* c holds a well-formed chain */
#define VQ_BAD_CHAIN (-1)    /* malformed chain: c->head is valid, push it with len 0 */
#define VQ_BROKEN    (-2)    /* the queue itself is unusable: the device needs a reset */

/* Everything but the configuration back to zero: not ready, indices 0. */
void vq_reset(struct vq *q);

/*
 * Takes the next available chain into *c. A bad chain is consumed (the
 * avail index moves past it) and its head returned for completion; on
 * VQ_BROKEN nothing more should be done with the queue until a reset. A
 * not-ready queue is empty. With EVENT_IDX, also tells the driver (used
 * ring's avail_event) which avail index the device will look at next.
 * c's pointers stay valid as long as the guest RAM mapping does.
 */
int vq_pop(struct vq *q, const struct dm_mem *m, struct vq_chain *c);

/*
 * Returns chain HEAD to the driver with LEN bytes written into it and
 * publishes the new used index (vq_fill, then vq_publish). 0, or VQ_BROKEN
 * if the used ring is not in RAM (cannot happen after a vq_pop that did not
 * return VQ_BROKEN).
 */
int vq_push(struct vq *q, const struct dm_mem *m, uint16_t head, uint32_t len);
/*
 * The two halves of vq_push, for a device that returns several chains as
 * one (virtio-net's mergeable receive buffers): vq_fill writes a used
 * element the driver cannot see yet; vq_publish makes every filled one
 * visible with one store of used->idx, journaled (see struct vq). Chains
 * are filled in the order they were popped.
 */
int vq_fill(struct vq *q, const struct dm_mem *m, uint16_t head, uint32_t len);
int vq_publish(struct vq *q, const struct dm_mem *m);
/*
 * A new rivet-dm takes the queue over from the state its predecessor left
 * in the arena (called before anything else touches it): an open journal
 * is settled by the driver's used->idx (read once), what was popped but not
 * published is made available again. 0, or VQ_BROKEN if used->idx is
 * neither the value before nor the one after the interrupted publish (the
 * driver wrote it: only its device stops) or the rings are not in RAM.
 * A queue that is not ready is left as it is.
 */
int vq_recover(struct vq *q, const struct dm_mem *m);

/* One used-ring element for vq_push_batch(). */
struct vq_used {
	uint16_t head;
	uint32_t len;
};

/*
 * Returns N chains at once and publishes the used index once, after all of
 * them: a driver never sees part of a batch (virtio-net's mergeable buffers,
 * whose first header counts them all). vq_fill for each (in pop order), then
 * one vq_publish: a kill at any instant publishes all N once or none (then
 * a successor pops them again). 0, or VQ_BROKEN as vq_push.
 */
int vq_push_batch(struct vq *q, const struct dm_mem *m, const struct vq_used *u, unsigned n);

/*
 * Gives back the last N chains popped and not filled (at most those held):
 * the next vq_pop()s take them again, read afresh from the ring. For a
 * device that found it lacks buffers for a whole packet (QEMU's
 * virtqueue_unpop). Touches only the walker's state, nothing the driver
 * sees, so a kill around it needs no journal.
 */
void vq_unpop(struct vq *q, uint16_t n);

/*
 * Whether the driver wants a used-buffer interrupt for what was pushed
 * since the last call: EVENT_IDX's used_event if negotiated, else the
 * avail ring's NO_INTERRUPT flag. Nothing pushed since: false.
 */
bool vq_need_notify(struct vq *q, const struct dm_mem *m);

/* Copies up to LEN bytes of the chain's readable stream from byte OFF into BUF; returns the count. */
uint64_t vq_chain_read(const struct vq_chain *c, uint64_t off, void *buf, uint64_t len);

#endif
