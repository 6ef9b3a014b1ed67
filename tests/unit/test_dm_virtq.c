/* SPDX-License-Identifier: MIT */
/*
 * test_dm_virtq.c: the split-virtqueue walker (tools/dm/virtqueue.c) on a
 * fake guest RAM: well-formed chains, indirect tables, notification
 * suppression, and hostile rings that must be refused without harm.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "virtqueue.h"

#define RAM_GPA   0x80000000ULL
#define RAM_SIZE  (1u << 20)
#define DESC_GPA  (RAM_GPA + 0x1000)
#define AVAIL_GPA (RAM_GPA + 0x5000)
#define USED_GPA  (RAM_GPA + 0x6000)
#define IND_GPA   (RAM_GPA + 0x8000)   /* indirect tables */
#define BUF_GPA   (RAM_GPA + 0x20000)  /* data buffers */

static uint8_t *ram;
static struct dm_mem mem;
static struct vq q;
static struct vq_chain chain;
static uint16_t drv_avail_idx;  /* the driver's avail->idx */

static void *host(uint64_t gpa)
{
	return ram + (gpa - RAM_GPA);
}

static void put16(uint64_t gpa, uint16_t v) { memcpy(host(gpa), &v, sizeof v); }
static uint16_t get16(uint64_t gpa) { uint16_t v; memcpy(&v, host(gpa), sizeof v); return v; }
static uint32_t get32(uint64_t gpa) { uint32_t v; memcpy(&v, host(gpa), sizeof v); return v; }

static void desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = host(table + 16ULL * i);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

/* A fresh queue of NUM entries with the given features, and clean memory. */
static void setup(uint16_t num, bool event_idx, bool indirect)
{
	memset(ram, 0, RAM_SIZE);
	vq_reset(&q);
	q.num = num;
	q.desc = DESC_GPA;
	q.avail = AVAIL_GPA;
	q.used = USED_GPA;
	q.event_idx = event_idx;
	q.indirect = indirect;
	q.ready = true;
	drv_avail_idx = 0;
}

/* The driver offers chain HEAD. */
static void offer(uint16_t head)
{
	put16(AVAIL_GPA + 4 + 2ULL * (drv_avail_idx % q.num), head);
	drv_avail_idx++;
	put16(AVAIL_GPA + 2, drv_avail_idx);
}

static uint16_t used_idx(void) { return get16(USED_GPA + 2); }
static uint32_t used_id(unsigned slot) { return get32(USED_GPA + 4 + 8ULL * slot); }
static uint32_t used_len(unsigned slot) { return get32(USED_GPA + 8 + 8ULL * slot); }
static uint16_t avail_event(void) { return get16(USED_GPA + 4 + 8ULL * q.num); }
static void set_used_event(uint16_t v) { put16(AVAIL_GPA + 4 + 2ULL * q.num, v); }

/* Offers a one-descriptor chain at descriptor 0 described by the arguments; returns vq_pop's result. */
static int pop_one(uint64_t addr, uint32_t len, uint16_t flags)
{
	desc(DESC_GPA, 0, addr, len, flags, 0);
	offer(0);
	return vq_pop(&q, &mem, &chain);
}

TEST(normal_chain)
{
	setup(8, false, false);
	desc(DESC_GPA, 2, BUF_GPA, 16, VIRTQ_DESC_F_NEXT, 5);
	desc(DESC_GPA, 5, BUF_GPA + 0x1000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 7);
	desc(DESC_GPA, 7, BUF_GPA + 0x2000, 1, VIRTQ_DESC_F_WRITE, 0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_EMPTY);
	offer(2);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	CHECK_EQ(chain.head, 2);
	CHECK_EQ(chain.nseg, 3);
	CHECK(chain.seg[0].ptr == host(BUF_GPA) && chain.seg[0].len == 16 && !chain.seg[0].write);
	CHECK(chain.seg[1].ptr == host(BUF_GPA + 0x1000) && chain.seg[1].len == 512 && chain.seg[1].write);
	CHECK(chain.seg[2].ptr == host(BUF_GPA + 0x2000) && chain.seg[2].len == 1 && chain.seg[2].write);
	CHECK_EQ(chain.read_bytes, 16);
	CHECK_EQ(chain.write_bytes, 513);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_EMPTY);
	CHECK_EQ(vq_push(&q, &mem, 2, 513), 0);
	CHECK_EQ(used_idx(), 1);
	CHECK_EQ(used_id(0), 2);
	CHECK_EQ(used_len(0), 513);
	/* Without EVENT_IDX the device leaves avail_event alone. */
	CHECK_EQ(avail_event(), 0);
}

TEST(index_wraparound_and_odd_size)
{
	/* A 3-entry queue (virtio-mmio allows it) whose 16-bit indices wrap. */
	setup(3, false, false);
	q.last_avail_idx = q.used_idx = q.signalled_used = 65534;
	drv_avail_idx = 65534;
	put16(USED_GPA + 2, 65534);
	for (unsigned i = 0; i < 3; i++)
		desc(DESC_GPA, i, BUF_GPA + 0x100 * i, 8, 0, 0);
	for (unsigned round = 0; round < 10; round++) {
		offer(round % 3);
		offer((round + 1) % 3);
		CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
		CHECK_EQ(chain.head, round % 3);
		CHECK_EQ(vq_push(&q, &mem, chain.head, 0), 0);
		CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
		CHECK_EQ(chain.head, (round + 1) % 3);
		CHECK_EQ(vq_push(&q, &mem, chain.head, 0), 0);
		CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_EMPTY);
	}
	CHECK_EQ(used_idx(), (uint16_t)(65534 + 20));
	CHECK_EQ(q.last_avail_idx, (uint16_t)(65534 + 20));
}

TEST(chain_read_across_segments)
{
	uint8_t out[8];

	setup(4, false, false);
	memcpy(host(BUF_GPA), "abc", 3);
	memcpy(host(BUF_GPA + 0x100), "defgh", 5);
	desc(DESC_GPA, 0, BUF_GPA, 3, VIRTQ_DESC_F_NEXT, 1);
	desc(DESC_GPA, 1, BUF_GPA + 0x100, 5, VIRTQ_DESC_F_NEXT, 2);
	desc(DESC_GPA, 2, BUF_GPA + 0x200, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	CHECK_EQ(vq_chain_read(&chain, 1, out, sizeof out), 7);
	CHECK(!memcmp(out, "bcdefgh", 7));
	CHECK_EQ(vq_chain_read(&chain, 8, out, sizeof out), 0);
}

TEST(indirect_chain)
{
	setup(4, false, true);
	desc(IND_GPA, 0, BUF_GPA, 16, VIRTQ_DESC_F_NEXT, 2);
	desc(IND_GPA, 2, BUF_GPA + 0x1000, 4096, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	desc(IND_GPA, 1, BUF_GPA + 0x3000, 1, VIRTQ_DESC_F_WRITE, 0);
	desc(DESC_GPA, 3, IND_GPA, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(3);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	CHECK_EQ(chain.head, 3);
	CHECK_EQ(chain.nseg, 3);
	CHECK(chain.seg[1].ptr == host(BUF_GPA + 0x1000) && chain.seg[1].len == 4096);
	CHECK_EQ(chain.write_bytes, 4097);

	/* A direct buffer, then the indirect table as the chain's last descriptor. */
	desc(DESC_GPA, 0, BUF_GPA + 0x4000, 16, VIRTQ_DESC_F_NEXT, 3);
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	CHECK_EQ(chain.nseg, 4);
	CHECK_EQ(chain.read_bytes, 32);

	/* Not negotiated: a bad chain. */
	q.indirect = false;
	offer(3);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	CHECK_EQ(chain.head, 3);
}

TEST(indirect_hostile)
{
	static const uint32_t bad_len[] = { 0, 15, 17, 16 * (VQ_MAX_INDIRECT + 1), 0xfffffff0 };

	setup(4, false, true);
	desc(IND_GPA, 0, BUF_GPA, 16, 0, 0);
	for (unsigned i = 0; i < sizeof bad_len / sizeof bad_len[0]; i++) {
		desc(DESC_GPA, 1, IND_GPA, bad_len[i], VIRTQ_DESC_F_INDIRECT, 0);
		offer(1);
		CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
		CHECK_EQ(chain.head, 1);
		CHECK_EQ(chain.nseg, 0);
	}
	/* INDIRECT with NEXT. */
	desc(DESC_GPA, 1, IND_GPA, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 2);
	desc(DESC_GPA, 2, BUF_GPA, 16, 0, 0);
	offer(1);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	/* An indirect descriptor inside the table. */
	desc(IND_GPA, 0, BUF_GPA, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(IND_GPA, 1, IND_GPA, 32, VIRTQ_DESC_F_INDIRECT, 0);
	desc(DESC_GPA, 1, IND_GPA, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(1);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	/* A loop inside the table, and a next beyond it (but inside the ring's size). */
	desc(IND_GPA, 1, BUF_GPA, 16, VIRTQ_DESC_F_NEXT, 0);
	offer(1);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	desc(IND_GPA, 1, BUF_GPA, 16, VIRTQ_DESC_F_NEXT, 2);
	offer(1);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	/* The table outside RAM, or wrapping. */
	desc(DESC_GPA, 1, RAM_GPA + RAM_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(1);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	desc(DESC_GPA, 1, 0xfffffffffffffff0ULL, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(1);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	/* Each was consumed and the queue still works. */
	CHECK_EQ(q.last_avail_idx, drv_avail_idx);
	desc(IND_GPA, 0, BUF_GPA, 16, 0, 0);
	desc(DESC_GPA, 1, IND_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(1);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
}

TEST(too_many_segments)
{
	/* Two direct buffers and a full-size indirect table: one more than VQ_MAX_SEGS. */
	setup(8, false, true);
	for (unsigned i = 0; i < VQ_MAX_INDIRECT; i++)
		desc(IND_GPA, i, BUF_GPA, 8, i + 1 < VQ_MAX_INDIRECT ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	desc(DESC_GPA, 0, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	desc(DESC_GPA, 1, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 2);
	desc(DESC_GPA, 2, IND_GPA, 16 * VQ_MAX_INDIRECT, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	/* The table alone fits exactly. */
	offer(2);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	CHECK_EQ(chain.nseg, VQ_MAX_INDIRECT);
}

TEST(loops_and_long_chains)
{
	setup(4, false, false);
	/* Self-loop. */
	desc(DESC_GPA, 0, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 0);
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	CHECK_EQ(chain.head, 0);
	CHECK_EQ(vq_push(&q, &mem, chain.head, 0), 0);
	CHECK_EQ(used_len(0), 0);
	/* Two-cycle, entered at either end. */
	desc(DESC_GPA, 1, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 2);
	desc(DESC_GPA, 2, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	offer(1);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	CHECK_EQ(chain.head, 1);
	offer(2);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	CHECK_EQ(chain.head, 2);
	/* A chain of exactly the queue size is fine; closing it into a ring is not. */
	for (unsigned i = 0; i < 4; i++)
		desc(DESC_GPA, i, BUF_GPA + 8 * i, 8, i < 3 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	CHECK_EQ(chain.nseg, 4);
	desc(DESC_GPA, 3, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 0);
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	/* next beyond the table. */
	desc(DESC_GPA, 0, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 4);
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	desc(DESC_GPA, 0, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 0xffff);
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
}

TEST(hostile_buffers)
{
	setup(4, false, false);
	CHECK_EQ(pop_one(BUF_GPA, 0, 0), VQ_BAD_CHAIN);                        /* zero length */
	CHECK_EQ(pop_one(BUF_GPA, 0xffffffff, 0), VQ_BAD_CHAIN);               /* huge */
	CHECK_EQ(pop_one(0xfffffffffffffff8ULL, 16, 0), VQ_BAD_CHAIN);         /* wraps */
	CHECK_EQ(pop_one(RAM_GPA - 8, 16, 0), VQ_BAD_CHAIN);                   /* starts below RAM */
	CHECK_EQ(pop_one(RAM_GPA + RAM_SIZE - 8, 16, 0), VQ_BAD_CHAIN);        /* runs past the end */
	CHECK_EQ(pop_one(RAM_GPA + RAM_SIZE, 1, VIRTQ_DESC_F_WRITE), VQ_BAD_CHAIN);
	CHECK_EQ(pop_one(0, 16, 0), VQ_BAD_CHAIN);
	CHECK_EQ(pop_one(RAM_GPA + RAM_SIZE - 8, 8, VIRTQ_DESC_F_WRITE), VQ_CHAIN); /* the last bytes */
	CHECK_EQ(chain.nseg, 1);
	CHECK(chain.seg[0].ptr == host(RAM_GPA + RAM_SIZE - 8));
	/* A readable buffer after a writable one. */
	desc(DESC_GPA, 1, BUF_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	desc(DESC_GPA, 2, BUF_GPA, 8, 0, 0);
	offer(1);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);
	CHECK_EQ(chain.head, 1);
	CHECK_EQ(chain.nseg, 0);
}

TEST(broken_queues)
{
	/* avail idx more than num ahead. */
	setup(4, false, false);
	put16(AVAIL_GPA + 2, 5);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BROKEN);
	put16(AVAIL_GPA + 2, 0xffff);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BROKEN);
	put16(AVAIL_GPA + 2, 4);  /* exactly num ahead is fine */
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BAD_CHAIN);  /* descriptor 0 is zero-length */

	/* A head beyond the queue. */
	setup(4, false, false);
	offer(4);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BROKEN);
	setup(4, false, false);
	offer(0xffff);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BROKEN);

	/* Rings outside RAM, wrapping, misaligned, or of a bad size. */
	setup(4, false, false);
	q.used = RAM_GPA + RAM_SIZE - 8;
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BROKEN);
	CHECK_EQ(vq_push(&q, &mem, 0, 0), VQ_BROKEN);
	q.used = 0xfffffffffffffffcULL;
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BROKEN);
	q.used = USED_GPA + 2;
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BROKEN);
	q.used = USED_GPA;
	q.avail = AVAIL_GPA + 1;
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BROKEN);
	q.avail = AVAIL_GPA;
	q.desc = 0;
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BROKEN);
	q.desc = DESC_GPA;
	q.num = 0;
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BROKEN);
	q.num = VQ_MAX_SIZE + 1;
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_BROKEN);

	/* Not ready: empty, and nothing is pushed. */
	setup(4, false, false);
	q.ready = false;
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_EMPTY);
	CHECK_EQ(vq_push(&q, &mem, 0, 0), VQ_BROKEN);
	CHECK_EQ(used_idx(), 0);
}

TEST(notify_without_event_idx)
{
	setup(4, false, false);
	desc(DESC_GPA, 0, BUF_GPA, 8, 0, 0);
	CHECK(!vq_need_notify(&q, &mem));      /* nothing pushed */
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	vq_push(&q, &mem, 0, 0);
	CHECK(vq_need_notify(&q, &mem));
	CHECK(!vq_need_notify(&q, &mem));      /* already told */
	put16(AVAIL_GPA, VIRTQ_AVAIL_F_NO_INTERRUPT);
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	vq_push(&q, &mem, 0, 0);
	CHECK(!vq_need_notify(&q, &mem));
}

TEST(event_idx)
{
	setup(4, true, false);
	desc(DESC_GPA, 0, BUF_GPA, 8, 0, 0);
	/* An empty pop tells the driver where the device will look next. */
	put16(USED_GPA + 4 + 8 * 4, 0x1234);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_EMPTY);
	CHECK_EQ(avail_event(), 0);
	offer(0);
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	CHECK_EQ(avail_event(), 1);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	CHECK_EQ(avail_event(), 2);

	/* used_event 0: the first completion (0 -> 1) interrupts, the second (1 -> 2) does not. */
	set_used_event(0);
	vq_push(&q, &mem, 0, 0);
	CHECK(vq_need_notify(&q, &mem));
	vq_push(&q, &mem, 0, 0);
	CHECK(!vq_need_notify(&q, &mem));
	/* used_event 2 is crossed by 2 -> 3; a NO_INTERRUPT flag does not matter with EVENT_IDX. */
	put16(AVAIL_GPA, VIRTQ_AVAIL_F_NO_INTERRUPT);
	set_used_event(2);
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	vq_push(&q, &mem, 0, 0);
	CHECK(vq_need_notify(&q, &mem));
	/* A batch crossing used_event: 3 -> 5 with used_event 3. */
	set_used_event(3);
	offer(0);
	offer(0);
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
		vq_push(&q, &mem, 0, 0);
	}
	CHECK(vq_need_notify(&q, &mem));
	/* A batch not reaching it: 5 -> 6 with used_event 9. */
	set_used_event(9);
	offer(0);
	CHECK_EQ(vq_pop(&q, &mem, &chain), VQ_CHAIN);
	vq_push(&q, &mem, 0, 0);
	CHECK(!vq_need_notify(&q, &mem));
	CHECK_EQ(avail_event(), 6);
}

int main(void)
{
	ram = calloc(1, RAM_SIZE);
	if (!ram)
		return 1;
	mem = (struct dm_mem){ .host = ram, .gpa = RAM_GPA, .size = RAM_SIZE };
	RUN(normal_chain);
	RUN(index_wraparound_and_odd_size);
	RUN(chain_read_across_segments);
	RUN(indirect_chain);
	RUN(indirect_hostile);
	RUN(too_many_segments);
	RUN(loops_and_long_chains);
	RUN(hostile_buffers);
	RUN(broken_queues);
	RUN(notify_without_event_idx);
	RUN(event_idx);
	free(ram);
	return CHECK_DONE();
}
