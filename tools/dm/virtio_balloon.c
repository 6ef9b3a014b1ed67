// SPDX-License-Identifier: MIT
/*
 * virtio_balloon.c: the memory balloon (see virtio_balloon.h). Page numbers
 * from a buffer are taken in order and gathered, scattered as they come,
 * into lists of up to VIRTIO_BALLOON_RUN_MAX pages, each one hypercall
 * (RIVET_MEMORY_LIST: one fence for the lot); a list the machine refuses is
 * tried again page by page, so one bad page never costs its neighbours.
 * Machine calls are counted against a budget per tick (rate limit).
 */
#include "virtio_balloon.h"

#include <stdlib.h>
#include <string.h>

#include "dm_log.h"

static int bit(const uint64_t *map, uint64_t p)
{
	return (int)((map[p / 64] >> (p % 64)) & 1);
}

static void set(uint64_t *map, uint64_t p, int on)
{
	if (on)
		map[p / 64] |= 1ULL << (p % 64);
	else
		map[p / 64] &= ~(1ULL << (p % 64));
}

uint64_t virtio_balloon_target(const struct virtio_balloon *b)
{
	return b->st->ram_pages - b->st->num_pages;
}

uint64_t virtio_balloon_current(const struct virtio_balloon *b)
{
	return b->st->ram_pages - b->st->nr_out;
}

static uint32_t bl_config_read(void *dev, uint32_t off, unsigned size)
{
	struct virtio_balloon *b = dev;
	uint8_t cfg[VIRTIO_BALLOON_CONFIG_SIZE];
	uint32_t v = 0;

	for (unsigned i = 0; i < 4; i++) {
		cfg[VIRTIO_BALLOON_CFG_NUM_PAGES + i] = (uint8_t)(b->st->num_pages >> (8 * i));
		cfg[VIRTIO_BALLOON_CFG_ACTUAL + i] = (uint8_t)(b->st->actual >> (8 * i));
	}
	/* The transport checked off + size <= VIRTIO_BALLOON_CONFIG_SIZE. */
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)cfg[off + i] << (8 * i);
	return v;
}

static void bl_config_write(void *dev, uint32_t off, unsigned size, uint32_t value)
{
	struct virtio_balloon *b = dev;

	/* Only actual is the driver's to write (5.5.6.1); a byte of it at a time is fine too. */
	for (unsigned i = 0; i < size; i++) {
		uint32_t at = off + i;
		if (at >= VIRTIO_BALLOON_CFG_ACTUAL && at < VIRTIO_BALLOON_CFG_ACTUAL + 4) {
			unsigned sh = 8 * (at - VIRTIO_BALLOON_CFG_ACTUAL);
			b->st->actual = (b->st->actual & ~(0xffu << sh)) | ((value >> (8 * i)) & 0xffu) << sh;
		}
	}
}

/* Page P (of the RAM) to the machine. Its bit is set first (see the header). */
static void reclaim_one(struct virtio_balloon *b, uint64_t p)
{
	set(b->map, p, 1);
	b->calls++;
	int r = b->host.reclaim(b->host.ctx, b->ram_gpa + (p << VIRTIO_BALLOON_PFN_SHIFT), 1);
	if (r == VIRTIO_BALLOON_HOST_OK || r == VIRTIO_BALLOON_HOST_ABSENT) {
		/* ABSENT: out already (a predecessor died before it could say so). */
		b->st->nr_out++;
		b->st->inflated++;
		return;
	}
	set(b->map, p, 0);
	b->st->refused++;
}

/*
 * Page P, marked out, inflated again: a predecessor that died between
 * marking it and reclaiming it left it in the guest, and the driver sends
 * the same buffer again. Asked once more: the machine says whether it was
 * out (ABSENT), is now (OK: it was counted as out already), or refuses it,
 * in which case it is the guest's after all.
 */
static void reclaim_marked(struct virtio_balloon *b, uint64_t p)
{
	b->calls++;
	int r = b->host.reclaim(b->host.ctx, b->ram_gpa + (p << VIRTIO_BALLOON_PFN_SHIFT), 1);
	if (r == VIRTIO_BALLOON_HOST_ABSENT) {
		b->st->ignored++;
		return;
	}
	if (r == VIRTIO_BALLOON_HOST_OK) {
		b->st->inflated++;
		return;
	}
	set(b->map, p, 0);
	b->st->nr_out--;
	b->st->refused++;
}

/*
 * Page P back from the machine. Its bit clears only once the page is there;
 * a page it cannot give (no memory) stays out: the driver is told anyway
 * (it waits for the used buffer, never for an answer), and if it then
 * touches the page it takes the fault of any access outside its RAM.
 */
static void restore_one(struct virtio_balloon *b, uint64_t p)
{
	b->calls++;
	int r = b->host.restore(b->host.ctx, b->ram_gpa + (p << VIRTIO_BALLOON_PFN_SHIFT), 1);
	if (r == VIRTIO_BALLOON_HOST_OK || r == VIRTIO_BALLOON_HOST_PRESENT) {
		set(b->map, p, 0);
		b->st->nr_out--;
		b->st->deflated++;
		return;
	}
	b->st->refused++;
}

static void restore_run(struct virtio_balloon *b, uint64_t first, uint64_t n)
{
	if (!n)
		return;
	b->calls++;
	int r = b->host.restore(b->host.ctx, b->ram_gpa + (first << VIRTIO_BALLOON_PFN_SHIFT), n);
	if (r == VIRTIO_BALLOON_HOST_OK) {
		for (uint64_t i = 0; i < n; i++)
			set(b->map, first + i, 0);
		b->st->nr_out -= n;
		b->st->deflated += n;
		return;
	}
	for (uint64_t i = 0; i < n; i++)
		restore_one(b, first + i);
}

/*
 * The pages gathered (their bits in in_batch set; inflating, in the map
 * too) in one call; refused, page by page.
 */
static void flush_batch(struct virtio_balloon *b, int inflate)
{
	uint64_t n = b->batch_n;
	if (!n)
		return;
	b->batch_n = 0;
	b->calls++;
	int r = inflate ? b->host.reclaim_list(b->host.ctx, b->batch, n)
			: b->host.restore_list(b->host.ctx, b->batch, n);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t p = (b->batch[i] - b->ram_gpa) >> VIRTIO_BALLOON_PFN_SHIFT;
		set(b->in_batch, p, 0);
		if (r != VIRTIO_BALLOON_HOST_OK) {
			if (inflate) {
				set(b->map, p, 0);
				reclaim_one(b, p);
			} else {
				restore_one(b, p);
			}
		} else if (!inflate) {
			set(b->map, p, 0);
		}
	}
	if (r != VIRTIO_BALLOON_HOST_OK)
		return;
	if (inflate) {
		b->st->nr_out += n;
		b->st->inflated += n;
	} else {
		b->st->nr_out -= n;
		b->st->deflated += n;
	}
}

/*
 * The page numbers of one chain, in order. A number outside the RAM, one
 * not out (deflate), and a repeat within the list being gathered are
 * ignored; one already out (inflate) is asked about again
 * (reclaim_marked()). Deflating stops at the maximum (xl mem-max).
 */
static void take_pfns(struct virtio_balloon *b, const struct vq_chain *c, int inflate)
{
	uint64_t n = c->read_bytes / 4;
	const uint64_t first = b->ram_gpa >> VIRTIO_BALLOON_PFN_SHIFT;

	if (n > VIRTIO_BALLOON_CHAIN_PFNS_MAX) {
		b->st->ignored += n - VIRTIO_BALLOON_CHAIN_PFNS_MAX;
		n = VIRTIO_BALLOON_CHAIN_PFNS_MAX;
	}
	/*
	 * Copied out whole first: the list may lie in a page it gives away, and
	 * after that reclaim the chain's pointers there lead into a hole.
	 */
	vq_chain_read(c, 0, b->pfns, n * 4);
	for (uint64_t j = 0; j < n; j++) {
		const uint8_t *q = b->pfns + 4 * j;
		uint64_t p = (uint64_t)q[0] | (uint64_t)q[1] << 8 | (uint64_t)q[2] << 16 | (uint64_t)q[3] << 24;
		if (p < first || p - first >= b->st->ram_pages) {
			b->st->ignored++;
			continue;
		}
		p -= first;
		/* Within the list being gathered, the machine has not been asked yet. */
		if (bit(b->in_batch, p)) {
			b->st->ignored++;
			continue;
		}
		if (inflate && bit(b->map, p)) {
			reclaim_marked(b, p);
			continue;
		}
		if (!inflate && !bit(b->map, p)) {
			b->st->ignored++;
			continue;
		}
		if (!inflate && virtio_balloon_current(b) + b->batch_n >= b->st->max_pages) {
			b->st->refused++;   /* the domain is at its maximum already */
			continue;
		}
		/* Inflating, the bit is set before the machine is asked (see the header). */
		if (inflate)
			set(b->map, p, 1);
		set(b->in_batch, p, 1);
		b->batch[b->batch_n++] = b->ram_gpa + (p << VIRTIO_BALLOON_PFN_SHIFT);
		if (b->batch_n == VIRTIO_BALLOON_RUN_MAX)
			flush_batch(b, inflate);
	}
	flush_batch(b, inflate);
}

static bool bl_notify(void *dev, struct virtio_mmio *t, unsigned queue)
{
	struct virtio_balloon *b = dev;
	if (queue >= VIRTIO_BALLOON_NR_QUEUES)
		return false;
	struct vq *q = &t->vq[queue];
	unsigned budget = q->num;

	for (;;) {
		if (budget-- == 0)
			return true;
		/* Out of calls for this tick: the rest waits in the ring for virtio_balloon_tick(). */
		if (b->calls >= VIRTIO_BALLOON_CALLS_PER_TICK) {
			b->deferred |= 1u << queue;
			break;
		}
		int r = vq_pop(q, t->mem, &b->chain);
		if (r == VQ_EMPTY)
			break;
		if (r == VQ_BROKEN) {
			virtio_mmio_set_broken(t);
			return false;
		}
		/* A malformed chain is returned untouched; page numbers are device-readable data. */
		if (r == VQ_CHAIN)
			take_pfns(b, &b->chain, queue == VIRTIO_BALLOON_INFLATEQ);
		if (vq_push(q, t->mem, b->chain.head, 0) < 0) {
			virtio_mmio_set_broken(t);
			return false;
		}
	}
	if (vq_need_notify(q, t->mem))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
	return false;
}

/* Pages the guest may still get back without going over its maximum (xl mem-max). */
static uint64_t room(const struct virtio_balloon *b)
{
	uint64_t in = b->st->ram_pages - b->st->nr_out;
	return in < b->st->max_pages ? b->st->max_pages - in : 0;
}

/*
 * The pages out come back (see the header), in runs, but only up to the
 * maximum: a guest that resets its balloon is no way past xl mem-max; what
 * stays out it must not touch (it faults, as any page it gave away).
 */
static void bl_reset(void *dev)
{
	struct virtio_balloon *b = dev;
	uint64_t run_first = 0, run_n = 0;

	for (uint64_t p = 0; p < b->st->ram_pages; p++) {
		if (!bit(b->map, p))
			continue;
		if (run_n >= room(b))
			break;
		if (run_n && p == run_first + run_n && run_n < VIRTIO_BALLOON_RUN_MAX) {
			run_n++;
			continue;
		}
		restore_run(b, run_first, run_n);
		run_first = p;
		run_n = 1;
	}
	restore_run(b, run_first, run_n);
	if (b->st->nr_out)
		dm_log("balloon reset: %llu pages stay out (over the maximum, or not given back)",
		       (unsigned long long)b->st->nr_out);
	b->st->actual = 0;
	b->deferred = 0;   /* the queues are gone with the reset */
}

void virtio_balloon_tick(struct virtio_balloon *b, struct virtio_mmio *t)
{
	uint32_t queues = b->deferred;
	b->calls = 0;
	b->deferred = 0;
	for (unsigned q = 0; q < VIRTIO_BALLOON_NR_QUEUES; q++)
		if (queues & (1u << q))
			virtio_mmio_kick(t, q);
}

int virtio_balloon_set_target(struct virtio_balloon *b, struct virtio_mmio *t, uint64_t target_pages)
{
	if (target_pages > b->st->max_pages)
		return -1;
	b->st->num_pages = (uint32_t)(b->st->ram_pages - target_pages);
	virtio_mmio_config_changed(t);
	return 0;
}

int virtio_balloon_set_max(struct virtio_balloon *b, uint64_t max_pages)
{
	if (max_pages > b->st->ram_pages || max_pages < virtio_balloon_target(b))
		return -1;
	b->st->max_pages = max_pages;
	return 0;
}

int virtio_balloon_bind_state(struct virtio_balloon *b, struct virtio_balloon_state *st, uint64_t *map,
			      int resumed)
{
	if (!st || !map)
		return 0;
	if (resumed && st->ram_pages != b->st->ram_pages)
		return -1;
	if (!resumed) {
		*st = *b->st;
		memcpy(map, b->map, virtio_balloon_map_bytes(b->st->ram_pages));
	}
	b->st = st;
	b->map = map;
	/* A damaged file: counts back in bounds, nr_out as the map says. */
	if (st->max_pages > st->ram_pages)
		st->max_pages = st->ram_pages;
	if (st->num_pages > st->ram_pages)
		st->num_pages = (uint32_t)st->ram_pages;
	if (st->ram_pages % 64)
		map[st->ram_pages / 64] &= (1ULL << (st->ram_pages % 64)) - 1;
	st->nr_out = 0;
	for (uint64_t w = 0; w < (st->ram_pages + 63) / 64; w++)
		st->nr_out += (uint64_t)__builtin_popcountll(map[w]);
	return 0;
}

static const struct virtio_dev_ops bl_ops = {
	.config_read = bl_config_read,
	.config_write = bl_config_write,
	.notify = bl_notify,
	.reset = bl_reset,
};

int virtio_balloon_init(struct virtio_balloon *b, const struct virtio_balloon_host *host,
			uint64_t ram_gpa, uint64_t ram_pages, uint64_t target_pages)
{
	memset(b, 0, sizeof *b);
	if (!ram_pages || ram_pages > UINT32_MAX || target_pages > ram_pages)
		return -1;
	b->own_map = calloc(1, virtio_balloon_map_bytes(ram_pages));
	b->pfns = malloc(4 * VIRTIO_BALLOON_CHAIN_PFNS_MAX);
	b->batch = malloc(sizeof(uint64_t) * VIRTIO_BALLOON_RUN_MAX);
	b->in_batch = calloc(1, virtio_balloon_map_bytes(ram_pages));
	if (!b->own_map || !b->pfns || !b->batch || !b->in_batch) {
		virtio_balloon_free(b);
		return -1;
	}
	b->map = b->own_map;
	b->st = &b->own;
	b->host = *host;
	b->ram_gpa = ram_gpa;
	b->own.ram_pages = ram_pages;
	b->own.max_pages = ram_pages;
	b->own.num_pages = (uint32_t)(ram_pages - target_pages);
	b->vdev = (struct virtio_dev){
		.ops = &bl_ops,
		.opaque = b,
		.device_id = VIRTIO_ID_BALLOON,
		.features = 1ULL << VIRTIO_BALLOON_F_MUST_TELL_HOST,
		.config_size = VIRTIO_BALLOON_CONFIG_SIZE,
		.nr_queues = VIRTIO_BALLOON_NR_QUEUES,
		.queue_max = VIRTIO_BALLOON_QUEUE_SIZE,
	};
	return 0;
}

void virtio_balloon_free(struct virtio_balloon *b)
{
	free(b->own_map);
	free(b->pfns);
	free(b->batch);
	free(b->in_batch);
	b->own_map = NULL;
	b->pfns = NULL;
	b->batch = NULL;
	b->in_batch = NULL;
}
