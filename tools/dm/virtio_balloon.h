/* SPDX-License-Identifier: MIT */
/*
 * virtio_balloon.h: the memory balloon, a virtio balloon device (virtio 1.2
 * 5.5, device ID 5) for the virtio-mmio transport, which `xl mem-set` and
 * `xl mem-max` steer (docs/dm.md "The balloon"). The DomU's memory map
 * covers all its RAM (maxmem); the device asks the driver for a balloon of
 * num_pages pages (the RAM minus the target), and the driver gives pages
 * (inflate queue) or takes them back (deflate queue) as 4 KiB page numbers.
 * Inflated pages go back to the machine (host->reclaim: MEMORY_RECLAIM);
 * a deflated page comes back fresh and zeroed (host->restore), before the
 * driver is told (VIRTIO_BALLOON_F_MUST_TELL_HOST, the only feature).
 *
 *	struct virtio_balloon b;
 *	virtio_balloon_init(&b, &host, ram_pages, target_pages);
 *	virtio_balloon_bind_state(&b, st, map, resumed);   (map: ram_pages bits)
 *	mem.holes = b.map;   every device's dm_mem_ptr() then refuses the holes
 *	virtio_mmio_init(&slot, &mem, irq, &b.vdev);
 *
 * Everything in the queues is hostile: a page number outside the RAM, one
 * inflated twice or deflated without being inflated, duplicates in one
 * buffer, a buffer of any size. Each is ignored (counted), never an error
 * that stops the device. A page the microvisor refuses to reclaim (it
 * writes into it: an event page, an SBI STA record) stays the guest's.
 *
 * The map (bit set: the page is out, or on its way out) is set before the
 * page is reclaimed and cleared only after it is restored, so a rivet-dm
 * killed at any instant leaves no page marked present that is not: a
 * successor may find a page marked out that is in fact there (restore then
 * finds it present, which counts as restored), never the reverse, which
 * would let it touch a hole and fault Dom0.
 *
 * A reset of the device (the driver went away without deflating: a kexec,
 * or a guest that reset its devices) gives the pages back, as the new
 * driver will expect its whole memory map to be RAM, but only up to the
 * maximum (xl mem-max): a reset is no way past it, and what stays out the
 * guest must not touch.
 */
#ifndef RIVET_DM_VIRTIO_BALLOON_H
#define RIVET_DM_VIRTIO_BALLOON_H
#include <stdint.h>

#include "virtio_mmio.h"
#include "virtqueue.h"

#define VIRTIO_ID_BALLOON                5
#define VIRTIO_BALLOON_F_MUST_TELL_HOST  0
#define VIRTIO_BALLOON_QUEUE_SIZE        128u
#define VIRTIO_BALLOON_INFLATEQ          0u
#define VIRTIO_BALLOON_DEFLATEQ          1u
#define VIRTIO_BALLOON_NR_QUEUES         2u
#define VIRTIO_BALLOON_PFN_SHIFT         12   /* page numbers count 4 KiB whatever the guest's page size */

/* Config space (virtio 1.2 5.5.4): le32 num_pages (the device's), le32 actual (the driver's). */
#define VIRTIO_BALLOON_CFG_NUM_PAGES     0u
#define VIRTIO_BALLOON_CFG_ACTUAL        4u
#define VIRTIO_BALLOON_CONFIG_SIZE       8u

/* The most page numbers one buffer is read for; the rest is ignored (Linux sends 256). */
#define VIRTIO_BALLOON_CHAIN_PFNS_MAX    16384u
/* One reclaim/restore covers at most this many pages (RIVET_BALLOON_MAX_PAGES). */
#define VIRTIO_BALLOON_RUN_MAX           512u

/* What host->reclaim / host->restore answer. */
#define VIRTIO_BALLOON_HOST_OK       0
#define VIRTIO_BALLOON_HOST_ABSENT  -1   /* reclaim: some page of the run is not there */
#define VIRTIO_BALLOON_HOST_PRESENT -2   /* restore: some page of the run is there */
#define VIRTIO_BALLOON_HOST_FAILED  -3   /* refused otherwise (no memory, in use) */

/* The machine side: the microvisor's MEMORY_RECLAIM / MEMORY_RESTORE in rivet-dm, fakes in tests. */
struct virtio_balloon_host {
	int (*reclaim)(void *ctx, uint64_t gpa, uint64_t nr_pages);
	int (*restore)(void *ctx, uint64_t gpa, uint64_t nr_pages);
	void *ctx;
	/* The same for NR (1 to VIRTIO_BALLOON_RUN_MAX) single pages, all or nothing (RIVET_MEMORY_LIST). */
	int (*reclaim_list)(void *ctx, const uint64_t *gpas, uint64_t nr);
	int (*restore_list)(void *ctx, const uint64_t *gpas, uint64_t nr);
};

/*
 * Machine calls (any of the above) the balloon makes per tick (a second,
 * virtio_balloon_tick()) before it leaves the rest of its queues for the
 * next one: a chain started is finished, so a tick may see at most one
 * chain's calls more. Linux sends up to 256 pages a buffer, one call here:
 * 4096 calls are 4 GiB a second, which no honest balloon asks for, while a
 * guest ballooning single pages in a loop costs the machine at most that
 * many fences a second.
 */
#define VIRTIO_BALLOON_CALLS_PER_TICK    4096u

/* Guest-visible state and the accounting: plain data, restartable (dm_state.h). */
struct virtio_balloon_state {
	uint32_t num_pages;          /* config: the balloon size asked for */
	uint32_t actual;             /* config: what the driver says it holds */
	uint64_t ram_pages;          /* the memory map's RAM, fixed for the domain's life */
	uint64_t max_pages;          /* the most the domain may have (xl mem-max) */
	uint64_t nr_out;             /* pages marked out in the map */
	uint64_t inflated, deflated; /* pages reclaimed / restored, all time */
	uint64_t ignored;            /* page numbers ignored: outside RAM, twice, never inflated */
	uint64_t refused;            /* pages the machine would not take or give */
};

struct virtio_balloon {
	struct virtio_balloon_state *st; /* &own unless placed elsewhere (restart) */
	struct virtio_balloon_state own;
	uint64_t *map;               /* ram_pages bits: 1 = out; in the arena */
	uint64_t *own_map;           /* the map before it is bound (heap) */
	uint64_t ram_gpa;            /* GPA of page 0 */
	struct virtio_balloon_host host;
	struct virtio_dev vdev;      /* what virtio_mmio_init() takes */
	struct vq_chain chain;       /* scratch: only ever used within one call */
	uint8_t *pfns;               /* scratch: a chain's page numbers, copied out (heap) */
	uint64_t *batch;             /* scratch: GPAs of the pages for the next list call (heap) */
	uint64_t *in_batch;          /* scratch: ram_pages bits, set for the pages in batch (heap) */
	unsigned batch_n;
	unsigned calls;              /* machine calls since the last tick */
	uint32_t deferred;           /* queues left for the next tick (bit per queue) */
};

/* The map's size in bytes for RAM_PAGES pages (whole 64-bit words). */
static inline uint64_t virtio_balloon_map_bytes(uint64_t ram_pages)
{
	return (ram_pages + 63) / 64 * 8;
}

/*
 * Sets B up for RAM_PAGES pages at RAM_GPA whose target is TARGET_PAGES
 * (at most RAM_PAGES: the balloon starts asking for the difference) and
 * whose maximum is RAM_PAGES. 0, or -1 (no memory for the map, or RAM_PAGES
 * 0 or above 2^32).
 */
int virtio_balloon_init(struct virtio_balloon *b, const struct virtio_balloon_host *host,
			uint64_t ram_gpa, uint64_t ram_pages, uint64_t target_pages);
void virtio_balloon_free(struct virtio_balloon *b);
/*
 * Moves B's state to ST and its map to MAP (virtio_balloon_map_bytes):
 * fresh, copied there; resumed, kept (checked: another RAM size is -1,
 * counts clamped, nr_out counted again from the map). NULLs: nothing.
 */
int virtio_balloon_bind_state(struct virtio_balloon *b, struct virtio_balloon_state *st, uint64_t *map,
			      int resumed);

/* The domain's target, in pages: what it should have once the driver caught up. */
uint64_t virtio_balloon_target(const struct virtio_balloon *b);
/* Pages the domain has now (RAM minus what is out). */
uint64_t virtio_balloon_current(const struct virtio_balloon *b);
/*
 * xl mem-set: a new target (config change interrupt). 0, or -1 when it is
 * above the maximum (nothing changes).
 */
int virtio_balloon_set_target(struct virtio_balloon *b, struct virtio_mmio *t, uint64_t target_pages);
/* xl mem-max: 0, or -1 when below the target or above the RAM (nothing changes). */
int virtio_balloon_set_max(struct virtio_balloon *b, uint64_t max_pages);
/*
 * Once a tick (a second) of the device model's loop: a new budget of machine
 * calls, and the queues that ran out of the last one run again, as if
 * notified (nothing is lost meanwhile: their buffers wait in the ring).
 */
void virtio_balloon_tick(struct virtio_balloon *b, struct virtio_mmio *t);

#endif
