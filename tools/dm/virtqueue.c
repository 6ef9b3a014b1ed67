// SPDX-License-Identifier: MIT
/*
 * virtqueue.c: the split-virtqueue walker (see virtqueue.h). The guest owns
 * the memory and may rewrite it while we look: every field is copied once
 * into a local and checked there, and no loop runs longer than the queue
 * size or an indirect table's length.
 */
#include "virtqueue.h"

#include <endian.h>
#include <string.h>

#include "dm_log.h"

/* Ring layouts (virtio 1.x 2.7): flags and idx, then the ring, then the event word. */
#define RING_HDR          4u  /* flags + idx */
#define RING_IDX_OFF      2u
#define AVAIL_ELEM        2u  /* le16 descriptor index */
#define USED_ELEM         8u  /* le32 id, le32 len */
#define RING_EVENT        2u  /* used_event / avail_event */
/* The alignments the spec requires of the three areas. */
#define DESC_ALIGN        16u
#define AVAIL_ALIGN       2u
#define USED_ALIGN        4u

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct rings {
	const uint8_t *desc;
	uint8_t *avail;
	uint8_t *used;
};

static uint64_t avail_size(uint16_t num)
{
	return RING_HDR + (uint64_t)AVAIL_ELEM * num + RING_EVENT;
}

static uint64_t used_size(uint16_t num)
{
	return RING_HDR + (uint64_t)USED_ELEM * num + RING_EVENT;
}

/* A ring area in RAM with the spec's alignment (so 16-bit atomics on it are aligned), or NULL. */
static uint8_t *area(const struct dm_mem *m, uint64_t gpa, uint64_t len, unsigned align)
{
	uint8_t *p = dm_mem_ptr(m, gpa, len);

	if (!p || (gpa & (align - 1)) || ((uintptr_t)p & (align - 1)))
		return NULL;
	return p;
}

static int locate(const struct vq *q, const struct dm_mem *m, struct rings *r)
{
	if (q->num == 0 || q->num > VQ_MAX_SIZE)
		return -1;
	r->desc = area(m, q->desc, (uint64_t)VQ_DESC_SIZE * q->num, DESC_ALIGN);
	r->avail = area(m, q->avail, avail_size(q->num), AVAIL_ALIGN);
	r->used = area(m, q->used, used_size(q->num), USED_ALIGN);
	return r->desc && r->avail && r->used ? 0 : -1;
}

/* 16-bit ring words the driver and device race on: single aligned accesses. */
static uint16_t ld16(const uint8_t *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_RELAXED));
}

static void st16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)(void *)p, htole16(v), __ATOMIC_RELAXED);
}

static void read_desc(const uint8_t *table, unsigned i, struct vq_desc *d)
{
	struct vq_desc raw;

	memcpy(&raw, table + (size_t)i * VQ_DESC_SIZE, sizeof raw);
	d->addr = le64toh(raw.addr);
	d->len = le32toh(raw.len);
	d->flags = le16toh(raw.flags);
	d->next = le16toh(raw.next);
}

void vq_reset(struct vq *q)
{
	memset(q, 0, sizeof *q);
}

static void set_avail_event(const struct vq *q, const struct rings *r)
{
	st16(r->used + RING_HDR + (size_t)USED_ELEM * q->num, q->last_avail_idx);
}

/* How many chains the driver has made available; -1 if it claims more than the ring holds. */
static int nr_avail(const struct vq *q, const struct rings *r)
{
	uint16_t n = (uint16_t)(ld16(r->avail + RING_IDX_OFF) - q->last_avail_idx);

	return n > q->num ? -1 : n;
}

/* Adds one descriptor's buffer to c. 0, or -1 (logged) if it may not be. */
static int add_seg(struct vq_chain *c, const struct dm_mem *m, const struct vq_desc *d)
{
	bool write = d->flags & VIRTQ_DESC_F_WRITE;
	uint8_t *p;

	if (d->len == 0) {
		dm_log_guest("virtq: chain %u: zero-length buffer", c->head);
		return -1;
	}
	if (!write && c->write_bytes) {
		dm_log_guest("virtq: chain %u: readable buffer after a writable one", c->head);
		return -1;
	}
	p = dm_mem_ptr(m, d->addr, d->len);
	if (!p) {
		dm_log_guest("virtq: chain %u: buffer %#llx+%#x outside RAM", c->head,
			     (unsigned long long)d->addr, d->len);
		return -1;
	}
	if (c->nseg == VQ_MAX_SEGS) {
		dm_log_guest("virtq: chain %u: more than %u buffers", c->head, VQ_MAX_SEGS);
		return -1;
	}
	c->seg[c->nseg++] = (struct vq_seg){ .ptr = p, .len = d->len, .write = write };
	if (write)
		c->write_bytes += d->len;
	else
		c->read_bytes += d->len;
	return 0;
}

/*
 * Walks the chain from c->head. Each table (the ring's, then at most one
 * indirect) is walked at most its own length of steps, which also ends any
 * cycle. The indirect descriptor must be the chain's last (no NEXT).
 */
static int walk(const struct vq *q, const struct dm_mem *m, const struct rings *r, struct vq_chain *c)
{
	const uint8_t *table = r->desc;
	unsigned size = q->num, steps = q->num, i = c->head;
	bool in_indirect = false;
	struct vq_desc d;

	for (;;) {
		if (steps-- == 0) {
			dm_log_guest("virtq: chain %u: longer than its table (%u) or a loop", c->head, size);
			return -1;
		}
		read_desc(table, i, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!q->indirect || in_indirect || (d.flags & VIRTQ_DESC_F_NEXT)) {
				dm_log_guest("virtq: chain %u: indirect descriptor not allowed here", c->head);
				return -1;
			}
			if (d.len == 0 || d.len % VQ_DESC_SIZE || d.len / VQ_DESC_SIZE > VQ_MAX_INDIRECT) {
				dm_log_guest("virtq: chain %u: indirect table of %u bytes", c->head, d.len);
				return -1;
			}
			table = dm_mem_ptr(m, d.addr, d.len);
			if (!table) {
				dm_log_guest("virtq: chain %u: indirect table outside RAM", c->head);
				return -1;
			}
			size = steps = d.len / VQ_DESC_SIZE;
			i = 0;
			in_indirect = true;
			continue;
		}
		if (add_seg(c, m, &d) < 0)
			return -1;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = d.next;
		if (i >= size) {
			dm_log_guest("virtq: chain %u: next %u beyond its table (%u)", c->head, i, size);
			return -1;
		}
	}
}

int vq_pop(struct vq *q, const struct dm_mem *m, struct vq_chain *c)
{
	struct rings r;
	int n;

	c->nseg = 0;
	c->read_bytes = c->write_bytes = 0;
	if (!q->ready)
		return VQ_EMPTY;
	if (locate(q, m, &r) < 0) {
		dm_log_guest("virtq: rings of size %u at %#llx/%#llx/%#llx not in RAM or misaligned", q->num,
			     (unsigned long long)q->desc, (unsigned long long)q->avail,
			     (unsigned long long)q->used);
		return VQ_BROKEN;
	}
	n = nr_avail(q, &r);
	if (n == 0 && q->event_idx) {
		/*
		 * Tell the driver to kick from here on, then look again: it may
		 * have added a chain before it could see the new avail_event.
		 */
		set_avail_event(q, &r);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		n = nr_avail(q, &r);
	}
	if (n < 0) {
		dm_log_guest("virtq: avail idx more than %u ahead of %u", q->num, q->last_avail_idx);
		return VQ_BROKEN;
	}
	if (n == 0)
		return VQ_EMPTY;
	/* The ring entry was written before avail->idx: read it only after. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	c->head = ld16(r.avail + RING_HDR + (size_t)AVAIL_ELEM * (q->last_avail_idx % q->num));
	if (c->head >= q->num) {
		dm_log_guest("virtq: avail entry names descriptor %u of %u", c->head, q->num);
		return VQ_BROKEN;
	}
	q->last_avail_idx++;
	q->nr_held++;
	if (q->event_idx)
		set_avail_event(q, &r);
	if (walk(q, m, &r, c) < 0) {
		c->nseg = 0;
		c->read_bytes = c->write_bytes = 0;
		return VQ_BAD_CHAIN;
	}
	return VQ_CHAIN;
}

int vq_fill(struct vq *q, const struct dm_mem *m, uint16_t head, uint32_t len)
{
	struct rings r;
	uint32_t elem[2] = { htole32(head), htole32(len) };

	if (!q->ready || locate(q, m, &r) < 0)
		return VQ_BROKEN;
	memcpy(r.used + RING_HDR + (size_t)USED_ELEM * ((uint16_t)(q->used_idx + q->nr_filled) % q->num),
	       elem, sizeof elem);
	q->nr_filled++;
	if (q->nr_held)
		q->nr_held--;
	return 0;
}

/* Orders our stores to the arena against a kill: the compiler must not move them. */
static void arena_barrier(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

int vq_publish(struct vq *q, const struct dm_mem *m)
{
	struct rings r;

	if (!q->ready || locate(q, m, &r) < 0)
		return VQ_BROKEN;
	if (!q->nr_filled)
		return 0;
	/* Intent first: a successor that finds it open looks at used->idx to know the outcome. */
	q->journal_used = (uint16_t)(q->used_idx + q->nr_filled);
	q->journal_avail = (uint16_t)(q->last_avail_idx - q->nr_held);
	arena_barrier();
	q->journal_open = 1;
	/* The elements must be visible before the index that publishes them. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	st16(r.used + RING_IDX_OFF, q->journal_used);
	arena_barrier();
	q->used_idx = q->journal_used;
	q->commit_avail = q->journal_avail;
	q->nr_filled = 0;
	arena_barrier();
	q->journal_open = 0;
	return 0;
}

int vq_push(struct vq *q, const struct dm_mem *m, uint16_t head, uint32_t len)
{
	int r = vq_fill(q, m, head, len);

	return r < 0 ? r : vq_publish(q, m);
}

int vq_recover(struct vq *q, const struct dm_mem *m)
{
	struct rings r;

	if (!q->ready)
		return 0;
	if (q->num == 0 || q->num > VQ_MAX_SIZE || locate(q, m, &r) < 0)
		return VQ_BROKEN;
	if (q->journal_open) {
		uint16_t seen = ld16(r.used + RING_IDX_OFF);

		if (seen == q->journal_used) {
			q->used_idx = q->journal_used;       /* it was published: commit it */
			q->commit_avail = q->journal_avail;
		} else if (seen != q->used_idx) {
			dm_log_guest("virtq: used idx %u is neither %u nor %u after a restart", seen,
				     q->used_idx, q->journal_used);
			return VQ_BROKEN;
		}
		q->journal_open = 0;
	}
	/* Popped but never published: taken again from the avail ring. */
	q->last_avail_idx = q->commit_avail;
	q->nr_held = 0;
	q->nr_filled = 0;
	return 0;
}

int vq_push_batch(struct vq *q, const struct dm_mem *m, const struct vq_used *u, unsigned n)
{
	/* Filled one by one where the driver cannot see them, then one journaled publish. */
	for (unsigned i = 0; i < n; i++)
		if (vq_fill(q, m, u[i].head, u[i].len) < 0)
			return VQ_BROKEN;
	return vq_publish(q, m);
}

void vq_unpop(struct vq *q, uint16_t n)
{
	/* Only held chains can be given back; they were never filled, so the journal knows nothing of them. */
	if (n > q->nr_held)
		n = q->nr_held;
	q->last_avail_idx = (uint16_t)(q->last_avail_idx - n);
	q->nr_held = (uint16_t)(q->nr_held - n);
}

/* virtio's vring_need_event(): did the used index just move past EVENT? */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

bool vq_need_notify(struct vq *q, const struct dm_mem *m)
{
	uint16_t old = q->signalled_used, new_idx = q->used_idx;
	struct rings r;

	if (!q->ready || old == new_idx)
		return false;
	q->signalled_used = new_idx;
	if (locate(q, m, &r) < 0)
		return true;
	/* Our used->idx store must be seen before we read what the driver asked for. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx)
		return need_event(ld16(r.avail + RING_HDR + (size_t)AVAIL_ELEM * q->num), new_idx, old);
	return !(ld16(r.avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

uint64_t vq_chain_read(const struct vq_chain *c, uint64_t off, void *buf, uint64_t len)
{
	uint8_t *out = buf;
	uint64_t done = 0;

	for (unsigned i = 0; i < c->nseg && done < len; i++) {
		const struct vq_seg *s = &c->seg[i];
		if (s->write)
			break;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		uint64_t n = s->len - off;
		if (n > len - done)
			n = len - done;
		memcpy(out + done, s->ptr + off, n);
		done += n;
		off = 0;
	}
	return done;
}
