// SPDX-License-Identifier: MIT
/*
 * test_dm_ioreq.c: rivet-dm's ioreq page processing against a page in
 * memory: posted entries drained in order before each READY slot is
 * answered, answers and DONE, notify once per pass, odd requests, a
 * ring_prod too far ahead, wrap of the 32-bit counters.
 */
#include <stdlib.h>

#include "check.h"
#include "dm_ioreq.h"

/* A device that logs every access in order. */
#define LOGN 512
struct rec { char op; uint64_t off, val; unsigned size; };
static struct rec logv[LOGN];
static unsigned nlog;
static unsigned notifies, after_passes;
static struct rivet_ioreq_page *gpage;
/* While set, the device's read of this offset makes the "microvisor" post one more write. */
static uint64_t post_on_read = ~0ULL;

static void post(struct rivet_ioreq_page *p, uint64_t addr, unsigned size, uint64_t data)
{
	struct rivet_ioreq_posted *e = &p->ring[p->ring_prod % RIVET_IOREQ_RING_SLOTS];
	e->addr = addr;
	e->size = size;
	e->data = data;
	p->ring_prod++;
}

static uint64_t drd(void *d, uint64_t off, unsigned size)
{
	(void)d;
	if (nlog < LOGN)
		logv[nlog++] = (struct rec){ 'r', off, 0, size };
	if (off == post_on_read) {
		post(gpage, 0x1000 + 0x44, 4, 0x99);
		post_on_read = ~0ULL;
	}
	return 0xabcdef0000000000ULL | off;
}

static void dwr(void *d, uint64_t off, unsigned size, uint64_t v)
{
	(void)d;
	if (nlog < LOGN)
		logv[nlog++] = (struct rec){ 'w', off, v, size };
}

static const struct dm_mmio_ops ops = { drd, dwr };

static void notify(void *ctx) { (void)ctx; notifies++; }
static void after(void *ctx) { (void)ctx; after_passes++; }

static struct dm_bus bus;

static struct rivet_ioreq_page *setup(struct dm_ioreq *io, unsigned nr_vcpus)
{
	struct rivet_ioreq_page *p = calloc(1, 4096);
	gpage = p;
	nlog = notifies = after_passes = 0;
	post_on_read = ~0ULL;
	dm_bus_init(&bus);
	dm_bus_add(&bus, 0x1000, 0x100, &ops, NULL, "dev");
	dm_ioreq_init(io, p, nr_vcpus, &bus, notify, after, NULL);
	return p;
}

static void req(struct rivet_ioreq_page *p, unsigned v, int dir, uint64_t addr, unsigned size,
		uint64_t data)
{
	struct rivet_ioreq *s = &p->vcpu[v];
	s->addr = addr;
	s->dir = dir;
	s->size = size;
	s->data = data;
	s->state = RIVET_IOREQ_READY;
}

TEST(posted_before_sync)
{
	struct dm_ioreq io;
	struct rivet_ioreq_page *p = setup(&io, 2);
	post(p, 0x1050, 4, 1);
	post(p, 0x1064, 4, 2);
	req(p, 1, RIVET_IOREQ_READ, 0x1060, 4, 0);
	CHECK(dm_ioreq_pending(&io));
	CHECK_EQ(dm_ioreq_serve(&io, 8), 0);
	CHECK_EQ(nlog, 3);
	CHECK(logv[0].op == 'w' && logv[0].off == 0x50 && logv[0].val == 1);
	CHECK(logv[1].op == 'w' && logv[1].off == 0x64 && logv[1].val == 2);
	CHECK(logv[2].op == 'r' && logv[2].off == 0x60 && logv[2].size == 4);
	CHECK_EQ(p->vcpu[1].state, RIVET_IOREQ_DONE);
	CHECK_EQ(p->vcpu[1].data, 0x60);   /* masked to 4 bytes */
	CHECK_EQ(p->vcpu[0].state, RIVET_IOREQ_NONE);
	CHECK_EQ(p->ring_cons, 2);
	CHECK_EQ(notifies, 1);
	CHECK(after_passes >= 1);
	CHECK(!dm_ioreq_pending(&io));
	free(p);
}

TEST(all_slots_one_notify)
{
	struct dm_ioreq io;
	struct rivet_ioreq_page *p = setup(&io, 8);
	for (unsigned v = 0; v < 8; v++)
		req(p, v, v & 1 ? RIVET_IOREQ_WRITE : RIVET_IOREQ_READ, 0x1000 + v * 8, 8, v);
	CHECK_EQ(dm_ioreq_pass(&io), 8);
	CHECK_EQ(nlog, 8);
	for (unsigned v = 0; v < 8; v++) {
		CHECK_EQ(p->vcpu[v].state, RIVET_IOREQ_DONE);
		CHECK(logv[v].op == (v & 1 ? 'w' : 'r'));
		if (!(v & 1))
			CHECK(p->vcpu[v].data == (0xabcdef0000000000ULL | (v * 8)));
	}
	/* A DONE slot not yet taken back by the microvisor is not answered again. */
	CHECK_EQ(dm_ioreq_pass(&io), 0);
	CHECK(!dm_ioreq_pending(&io));
	free(p);
}

TEST(slots_past_nr_vcpus_ignored)
{
	struct dm_ioreq io;
	struct rivet_ioreq_page *p = setup(&io, 2);
	req(p, 2, RIVET_IOREQ_READ, 0x1000, 4, 0);
	CHECK(!dm_ioreq_pending(&io));
	CHECK_EQ(dm_ioreq_serve(&io, 4), 0);
	CHECK_EQ(p->vcpu[2].state, RIVET_IOREQ_READY);
	CHECK_EQ(nlog, 0);
	free(p);
}

TEST(posted_arriving_during_pass)
{
	/* A posted write the microvisor appends while we serve a read is seen
	   before the next READY slot is answered. */
	struct dm_ioreq io;
	struct rivet_ioreq_page *p = setup(&io, 2);
	post_on_read = 0x10;
	req(p, 0, RIVET_IOREQ_READ, 0x1010, 4, 0);
	req(p, 1, RIVET_IOREQ_READ, 0x1020, 4, 0);
	CHECK_EQ(dm_ioreq_pass(&io), 2);
	CHECK_EQ(nlog, 3);
	CHECK(logv[0].op == 'r' && logv[0].off == 0x10);
	CHECK(logv[1].op == 'w' && logv[1].off == 0x44 && logv[1].val == 0x99);
	CHECK(logv[2].op == 'r' && logv[2].off == 0x20);
	CHECK_EQ(p->ring_cons, 1);
	free(p);
}

TEST(unclaimed_and_odd)
{
	struct dm_ioreq io;
	struct rivet_ioreq_page *p = setup(&io, 4);
	req(p, 0, RIVET_IOREQ_READ, 0x9000, 4, 0x77);   /* no device */
	req(p, 1, RIVET_IOREQ_READ, 0x1000, 3, 0x77);   /* odd size */
	req(p, 2, 7, 0x1000, 4, 0x77);                  /* odd direction */
	req(p, 3, RIVET_IOREQ_WRITE, 0x10fe, 4, 0x77);  /* straddles the end */
	post(p, 0x1000, 16, 5);                         /* odd posted size */
	post(p, 0x5000, 4, 5);                          /* posted, no device */
	CHECK_EQ(dm_ioreq_serve(&io, 4), 0);
	for (unsigned v = 0; v < 4; v++)
		CHECK_EQ(p->vcpu[v].state, RIVET_IOREQ_DONE);
	CHECK_EQ(p->vcpu[0].data, 0);
	CHECK_EQ(p->vcpu[1].data, 0);
	CHECK_EQ(nlog, 0);
	CHECK_EQ(p->ring_cons, 2);
	CHECK_EQ(io.nr_bad, 3);
	CHECK_EQ(bus.unclaimed, 3);
	free(p);
}

TEST(ring_in_order_with_wrap)
{
	struct dm_ioreq io;
	struct rivet_ioreq_page *p = setup(&io, 1);
	/* Counters near 2^32: they wrap while we consume. */
	p->ring_prod = p->ring_cons = 0xfffffff0u;
	dm_ioreq_init(&io, p, 1, &bus, notify, after, NULL);
	unsigned total = 0;
	for (unsigned round = 0; round < 5; round++) {
		for (unsigned k = 0; k < RIVET_IOREQ_RING_SLOTS; k++)
			post(p, 0x1000 + (k % 0x40), 1, total + k);
		total += RIVET_IOREQ_RING_SLOTS;
		CHECK_EQ(dm_ioreq_drain(&io), RIVET_IOREQ_RING_SLOTS);
	}
	CHECK_EQ(p->ring_cons, (uint32_t)(0xfffffff0u + total));
	CHECK_EQ(nlog, LOGN < total ? LOGN : total);
	for (unsigned k = 0; k < nlog; k++)
		CHECK_EQ(logv[k].val, k & 0xff);
	CHECK_EQ(io.nr_posted, total);
	free(p);
}

TEST(prod_too_far_ahead_is_bounded)
{
	struct dm_ioreq io;
	struct rivet_ioreq_page *p = setup(&io, 1);
	p->ring_prod = 1000;   /* a broken producer */
	CHECK_EQ(dm_ioreq_drain(&io), RIVET_IOREQ_RING_SLOTS);
	CHECK_EQ(io.nr_ring_overrun, 1);
	CHECK_EQ(dm_ioreq_serve(&io, 2), 1);   /* work left after the bound */
	CHECK_EQ(dm_ioreq_serve(&io, 100), 0);
	CHECK_EQ(p->ring_cons, 1000);
	free(p);
}

/* The read cache: slots from the first, addr set once, one word per value; full and bad refused. */
TEST(read_cache)
{
	struct dm_ioreq io;
	struct rivet_ioreq_page *p = setup(&io, 1);
	int a = dm_ioreq_cache_add(&io, 0x1010, 4), b = dm_ioreq_cache_add(&io, 0x1020, 2);
	CHECK_EQ(a, 0);
	CHECK_EQ(b, 1);
	CHECK_EQ(p->cache[0].addr, 0x1010);
	CHECK_EQ(p->cache[0].word, RIVET_IOREQ_CACHED_WORD(0, 4, 0));   /* not valid until set */
	dm_ioreq_cache_set(&io, a, 0xdeadbeef, 1, 0);
	CHECK_EQ(p->cache[0].word, RIVET_IOREQ_CACHED_WORD(0xdeadbeef, 4, RIVET_IOREQ_CACHED_VALID));
	dm_ioreq_cache_set(&io, b, 7, 1, 1);
	CHECK_EQ(p->cache[1].word, RIVET_IOREQ_CACHED_WORD(7, 2, RIVET_IOREQ_CACHED_VALID |
						       RIVET_IOREQ_CACHED_ANYRING));
	dm_ioreq_cache_set(&io, b, 8, 0, 1);
	CHECK(!(p->cache[1].word & RIVET_IOREQ_CACHED_VALID));
	CHECK_EQ(p->cache[2].addr, 0);   /* the list ends here */
	dm_ioreq_cache_set(&io, 5, 1, 1, 1);   /* a slot never added: nothing happens */
	dm_ioreq_cache_set(&io, -1, 1, 1, 1);
	CHECK_EQ(p->cache[5].word, 0);
	CHECK_EQ(dm_ioreq_cache_add(&io, 0, 4), -1);        /* addr 0 would end the list */
	CHECK_EQ(dm_ioreq_cache_add(&io, 0x1030, 8), -1);   /* values are 32 bits */
	for (unsigned i = 2; i < RIVET_IOREQ_CACHE_SLOTS; i++)
		CHECK_EQ(dm_ioreq_cache_add(&io, 0x2000 + 4 * i, 4), (int)i);
	CHECK_EQ(dm_ioreq_cache_add(&io, 0x3000, 4), -1);
	free(p);
}

int main(void)
{
	check_suite = "dm_ioreq";
	RUN(posted_before_sync);
	RUN(all_slots_one_notify);
	RUN(slots_past_nr_vcpus_ignored);
	RUN(posted_arriving_during_pass);
	RUN(unclaimed_and_odd);
	RUN(ring_in_order_with_wrap);
	RUN(prod_too_far_ahead_is_bounded);
	RUN(read_cache);
	return CHECK_DONE();
}
