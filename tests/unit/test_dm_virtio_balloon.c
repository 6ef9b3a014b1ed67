/* SPDX-License-Identifier: MIT */
/*
 * test_dm_virtio_balloon.c: the balloon (tools/dm/virtio_balloon.c) behind
 * its virtio-mmio transport, driven as Linux's virtio_balloon driver would
 * on a fake guest RAM, with a model of the machine (which pages the domain
 * has) behind host->reclaim / host->restore: inflating and deflating, the
 * holes every device then sees, targets and maximums, hostile page lists
 * (outside RAM, twice, never inflated, duplicates, huge), a machine that
 * refuses, reset, and a successor taking the map over.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "virtio_balloon.h"

#define RAM_GPA   0x80000000ULL
#define RAM_PAGES 256u
#define RAM_SIZE  (RAM_PAGES * 4096u)
#define QSIZE     16
#define DESC_GPA(q)  (RAM_GPA + 0x1000 + 0x4000ULL * (q))
#define AVAIL_GPA(q) (DESC_GPA(q) + 0x1000)
#define USED_GPA(q)  (DESC_GPA(q) + 0x2000)
#define LIST_GPA     (RAM_GPA + 0x10000)     /* pages 16..31: page-number lists */
#define PFN0         (RAM_GPA >> 12)
#define INQ VIRTIO_BALLOON_INFLATEQ
#define DEFQ VIRTIO_BALLOON_DEFLATEQ

static uint8_t *ram;
static struct dm_mem mem;
static struct virtio_balloon b;
static struct virtio_mmio t;
static int irq_level;
static uint16_t drv_avail[2];

/* The machine: which pages the domain has, and what the calls were. */
static uint8_t present[RAM_PAGES];
static unsigned nr_reclaims, nr_restores;
static uint64_t fail_page = ~0ULL;   /* reclaim of a run holding it: refused (in use) */
static int no_memory;                /* restore refused */

static int fake_reclaim(void *ctx, uint64_t gpa, uint64_t nr)
{
	(void)ctx;
	nr_reclaims++;
	uint64_t p = (gpa - RAM_GPA) >> 12;
	CHECK(nr >= 1 && nr <= VIRTIO_BALLOON_RUN_MAX && p + nr <= RAM_PAGES);
	for (uint64_t i = 0; i < nr; i++)
		if (!present[p + i])
			return VIRTIO_BALLOON_HOST_ABSENT;
	if (fail_page >= p && fail_page < p + nr)
		return VIRTIO_BALLOON_HOST_FAILED;
	memset(present + p, 0, nr);
	return VIRTIO_BALLOON_HOST_OK;
}

static int fake_restore(void *ctx, uint64_t gpa, uint64_t nr)
{
	(void)ctx;
	nr_restores++;
	uint64_t p = (gpa - RAM_GPA) >> 12;
	CHECK(nr >= 1 && nr <= VIRTIO_BALLOON_RUN_MAX && p + nr <= RAM_PAGES);
	for (uint64_t i = 0; i < nr; i++)
		if (present[p + i])
			return VIRTIO_BALLOON_HOST_PRESENT;
	if (no_memory)
		return VIRTIO_BALLOON_HOST_FAILED;
	memset(present + p, 1, nr);
	return VIRTIO_BALLOON_HOST_OK;
}

/* The list calls: checked as the microvisor checks them, all or nothing; the last list kept. */
static unsigned nr_reclaim_lists, nr_restore_lists;
static uint64_t last_list[VIRTIO_BALLOON_RUN_MAX], last_list_n;

static int fake_list(const uint64_t *gpas, uint64_t nr, int reclaim)
{
	uint8_t seen[RAM_PAGES] = { 0 };
	CHECK(nr >= 1 && nr <= VIRTIO_BALLOON_RUN_MAX);
	memcpy(last_list, gpas, nr * sizeof(uint64_t));
	last_list_n = nr;
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t p = (gpas[i] - RAM_GPA) >> 12;
		CHECK(gpas[i] >= RAM_GPA && !(gpas[i] & 0xfff) && p < RAM_PAGES && !seen[p]);
		seen[p] = 1;
		if (present[p] != reclaim)
			return reclaim ? VIRTIO_BALLOON_HOST_ABSENT : VIRTIO_BALLOON_HOST_PRESENT;
		if (reclaim && p == fail_page)
			return VIRTIO_BALLOON_HOST_FAILED;
	}
	if (!reclaim && no_memory)
		return VIRTIO_BALLOON_HOST_FAILED;
	for (uint64_t i = 0; i < nr; i++)
		present[(gpas[i] - RAM_GPA) >> 12] = (uint8_t)!reclaim;
	return VIRTIO_BALLOON_HOST_OK;
}

static int fake_reclaim_list(void *ctx, const uint64_t *gpas, uint64_t nr)
{
	(void)ctx;
	nr_reclaim_lists++;
	return fake_list(gpas, nr, 1);
}

static int fake_restore_list(void *ctx, const uint64_t *gpas, uint64_t nr)
{
	(void)ctx;
	nr_restore_lists++;
	return fake_list(gpas, nr, 0);
}

static const struct virtio_balloon_host fake_host = { fake_reclaim, fake_restore, NULL, fake_reclaim_list,
						       fake_restore_list };

#include "virtio_driver.h"

static void irq_set(void *ctx, unsigned source, int level)
{
	(void)ctx;
	CHECK_EQ(source, 11);
	irq_level = level;
}

static void driver_ok(void)
{
	const uint32_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	wr(VIRTIO_MMIO_STATUS, s);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_BALLOON_F_MUST_TELL_HOST);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);   /* VERSION_1 */
	wr(VIRTIO_MMIO_STATUS, s | VIRTIO_STATUS_FEATURES_OK);
	queue_setup(INQ);
	queue_setup(DEFQ);
	wr(VIRTIO_MMIO_STATUS, s | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

/* A balloon of RAM_PAGES pages with target TARGET, the driver up; the machine has every page. */
static void setup(uint64_t target)
{
	memset(ram, 0, RAM_SIZE);
	memset(present, 1, sizeof present);
	nr_reclaims = nr_restores = nr_reclaim_lists = nr_restore_lists = 0;
	fail_page = ~0ULL;
	no_memory = 0;
	drv_avail[0] = drv_avail[1] = 0;
	irq_level = -1;
	virtio_balloon_free(&b);
	CHECK_EQ(virtio_balloon_init(&b, &fake_host, RAM_GPA, RAM_PAGES, target), 0);
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set, .source = 11 }, &b.vdev);
	mem.holes = b.map;
	driver_ok();
}

/* The driver sends N page numbers (as given) in one buffer on queue Q; its used entry is checked. */
static void send(unsigned q, const uint32_t *pfn, unsigned n)
{
	static unsigned slot;
	uint64_t list = LIST_GPA + 0x1000ULL * (slot++ % 8);
	memcpy(host(list), pfn, 4ULL * n);
	uint16_t head = drv_avail[q] % QSIZE;
	desc(q, head, list, 4 * n, 0, 0);
	put16(AVAIL_GPA(q) + 4 + 2ULL * head, head);
	drv_avail[q]++;
	put16(AVAIL_GPA(q) + 2, drv_avail[q]);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, q);
	/* Told synchronously: the buffer is back before the notify returns (MUST_TELL_HOST). */
	CHECK_EQ(get16(USED_GPA(q) + 2), drv_avail[q]);
}

static uint32_t pfn(unsigned page) { return (uint32_t)(PFN0 + page); }
static int out(unsigned page) { return (int)((b.map[page / 64] >> (page % 64)) & 1); }

TEST(identity_and_config)
{
	setup(RAM_PAGES - 40);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BALLOON);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1u << VIRTIO_BALLOON_F_MUST_TELL_HOST);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1u);   /* VERSION_1 */
	/* num_pages: the balloon asked for (RAM less the target). */
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_NUM_PAGES), 40);
	CHECK_EQ(virtio_balloon_target(&b), RAM_PAGES - 40);
	CHECK_EQ(virtio_balloon_current(&b), RAM_PAGES);
	/* actual is the driver's, in any access size; num_pages is not. */
	wr(VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_ACTUAL, 0x12345678);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_ACTUAL), 0x12345678);
	virtio_mmio_write(&t, VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_ACTUAL + 1, 1, 0xab);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_ACTUAL), 0x1234ab78);
	wr(VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_NUM_PAGES, 7);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_NUM_PAGES), 40);
	/* Past the 8 bytes: 0. */
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG + 8), 0);
	/* Bad sizes and targets. */
	struct virtio_balloon x;
	CHECK_EQ(virtio_balloon_init(&x, &fake_host, RAM_GPA, 0, 0), -1);
	CHECK_EQ(virtio_balloon_init(&x, &fake_host, RAM_GPA, 10, 11), -1);
	CHECK_EQ(virtio_balloon_init(&x, &fake_host, RAM_GPA, 1ULL << 32, 1), -1);
}

TEST(inflate_gives_pages_back_and_makes_holes)
{
	setup(RAM_PAGES - 12);
	uint32_t l[16];
	for (unsigned i = 0; i < 10; i++)
		l[i] = pfn(100 + i);
	l[10] = pfn(103);          /* twice in one buffer */
	l[11] = pfn(RAM_PAGES);     /* just past the RAM */
	l[12] = (uint32_t)PFN0 - 1; /* just below */
	l[13] = 0xffffffffu;
	l[14] = pfn(200);
	send(INQ, l, 15);
	/* 100..109 and 200 in one list call. */
	CHECK_EQ(nr_reclaim_lists, 1);
	CHECK_EQ(nr_reclaims, 0);
	CHECK_EQ(last_list_n, 11);
	for (unsigned i = 100; i < 110; i++)
		CHECK(out(i) && !present[i]);
	CHECK(out(200) && !present[200]);
	CHECK(!out(99) && !out(110) && present[110]);
	CHECK_EQ(b.st->nr_out, 11);
	CHECK_EQ(b.st->inflated, 11);
	CHECK_EQ(b.st->ignored, 4);
	CHECK_EQ(virtio_balloon_current(&b), RAM_PAGES - 11);
	/* Every device's view of the RAM has holes there now. */
	CHECK(dm_mem_ptr(&mem, RAM_GPA + 99 * 4096ULL, 4096) != NULL);
	CHECK(dm_mem_ptr(&mem, RAM_GPA + 99 * 4096ULL, 4097) == NULL);
	CHECK(dm_mem_ptr(&mem, RAM_GPA + 105 * 4096ULL + 7, 1) == NULL);
	CHECK(dm_mem_ptr(&mem, RAM_GPA + 110 * 4096ULL, 90 * 4096ULL) != NULL);
	CHECK(dm_mem_ptr(&mem, RAM_GPA + 110 * 4096ULL, 90 * 4096ULL + 1) == NULL);
	CHECK(dm_mem_ptr(&mem, RAM_GPA, RAM_SIZE) == NULL);
	CHECK(dm_mem_ptr(&mem, RAM_GPA + 105 * 4096ULL, 0) != NULL);   /* an empty range touches nothing */
	/* Inflating them again: asked once more each (the machine says they are out), ignored. */
	send(INQ, l, 3);
	CHECK_EQ(nr_reclaims, 3);
	CHECK_EQ(nr_reclaim_lists, 1);
	CHECK_EQ(b.st->ignored, 7);
	CHECK_EQ(b.st->nr_out, 11);
	/*
	 * A predecessor that died between marking 150 and reclaiming it: the
	 * driver sends it again, and this time it really goes.
	 */
	b.map[150 / 64] |= 1ULL << (150 % 64);
	b.st->nr_out++;   /* as the successor's recount from the map has it */
	CHECK(present[150]);
	uint32_t again = pfn(150);
	send(INQ, &again, 1);
	CHECK(!present[150] && out(150));
	CHECK_EQ(b.st->nr_out, 12);
	CHECK_EQ(b.st->inflated, 12);
}

TEST(deflate_gives_fresh_pages)
{
	setup(RAM_PAGES - 12);
	uint32_t l[12];
	for (unsigned i = 0; i < 12; i++)
		l[i] = pfn(50 + i);
	send(INQ, l, 12);
	CHECK_EQ(b.st->nr_out, 12);
	/* 50..54 back, 70 was never inflated, 52 twice. */
	uint32_t d[7] = { pfn(50), pfn(51), pfn(52), pfn(53), pfn(54), pfn(70), pfn(52) };
	send(DEFQ, d, 7);
	CHECK_EQ(nr_restore_lists, 1);
	CHECK_EQ(nr_restores, 0);
	for (unsigned i = 50; i < 55; i++)
		CHECK(!out(i) && present[i]);
	CHECK(out(55) && !present[55]);
	CHECK_EQ(b.st->nr_out, 7);
	CHECK_EQ(b.st->deflated, 5);
	CHECK_EQ(b.st->ignored, 2);
	CHECK(dm_mem_ptr(&mem, RAM_GPA + 50 * 4096ULL, 5 * 4096ULL) != NULL);
	/* The machine has no memory: the page stays out, counted, the driver told anyway. */
	no_memory = 1;
	uint32_t e[1] = { pfn(60) };
	send(DEFQ, e, 1);
	CHECK(out(60) && !present[60]);
	CHECK_EQ(b.st->refused, 1);
	CHECK(dm_mem_ptr(&mem, RAM_GPA + 60 * 4096ULL, 1) == NULL);
}

TEST(target_and_maximum)
{
	setup(RAM_PAGES);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG), 0);
	uint32_t gen = rd(VIRTIO_MMIO_CONFIG_GENERATION);
	irq_level = 0;
	CHECK_EQ(virtio_balloon_set_target(&b, &t, RAM_PAGES - 30), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG), 30);
	CHECK(rd(VIRTIO_MMIO_CONFIG_GENERATION) != gen);
	CHECK_EQ(irq_level, 1);
	CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	/* The maximum: never above the RAM nor below the target; the target never above it. */
	CHECK_EQ(virtio_balloon_set_max(&b, RAM_PAGES + 1), -1);
	CHECK_EQ(virtio_balloon_set_max(&b, RAM_PAGES - 31), -1);
	CHECK_EQ(virtio_balloon_set_max(&b, RAM_PAGES - 30), 0);
	CHECK_EQ(virtio_balloon_set_target(&b, &t, RAM_PAGES - 29), -1);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG), 30);
	/* The driver inflates 30; deflating past the maximum is refused page by page. */
	uint32_t l[30];
	for (unsigned i = 0; i < 30; i++)
		l[i] = pfn(100 + i);
	send(INQ, l, 30);
	CHECK_EQ(virtio_balloon_current(&b), RAM_PAGES - 30);
	CHECK_EQ(b.st->max_pages, RAM_PAGES - 30);
	send(DEFQ, l, 2);
	CHECK(out(100) && out(101));
	CHECK_EQ(b.st->refused, 2);
	CHECK_EQ(nr_restores + nr_restore_lists, 0);
	/* A higher maximum lets two back, and no more. */
	CHECK_EQ(virtio_balloon_set_max(&b, RAM_PAGES - 28), 0);
	send(DEFQ, l, 5);
	CHECK(!out(100) && !out(101) && out(102));
	CHECK_EQ(virtio_balloon_current(&b), RAM_PAGES - 28);
	CHECK_EQ(b.st->refused, 5);
}

TEST(refused_pages_stay_the_guests)
{
	setup(RAM_PAGES - 8);
	fail_page = 103;   /* e.g. the microvisor writes into it */
	uint32_t l[8];
	for (unsigned i = 0; i < 8; i++)
		l[i] = pfn(100 + i);
	send(INQ, l, 8);
	/* The list is refused whole, then tried page by page: all but 103 go. */
	CHECK_EQ(nr_reclaim_lists, 1);
	CHECK_EQ(nr_reclaims, 8);
	CHECK(!out(103) && present[103]);
	CHECK(out(102) && out(104) && !present[104]);
	CHECK_EQ(b.st->nr_out, 7);
	CHECK_EQ(b.st->refused, 1);
	CHECK(dm_mem_ptr(&mem, RAM_GPA + 103 * 4096ULL, 4096) != NULL);
	/* A page the machine says is gone already (a predecessor's reclaim): out, as it is. */
	present[150] = 0;
	uint32_t g[1] = { pfn(150) };
	send(INQ, g, 1);
	CHECK(out(150));
	CHECK_EQ(b.st->nr_out, 8);
	/* And a deflate of a page that is there already: back, as it is. */
	uint32_t h[1] = { pfn(104) };
	present[104] = 1;
	send(DEFQ, h, 1);
	CHECK(!out(104));
}

TEST(hostile_lists)
{
	setup(RAM_PAGES - 100);
	uint32_t l[2] = { pfn(40), pfn(41) };
	send(INQ, l, 2);
	/* A list in a page it gave away: a malformed chain, returned untouched; the device goes on. */
	uint16_t head = drv_avail[INQ] % QSIZE;
	desc(INQ, head, RAM_GPA + 40 * 4096ULL, 8, 0, 0);
	put16(AVAIL_GPA(INQ) + 4 + 2ULL * head, head);
	put16(AVAIL_GPA(INQ) + 2, ++drv_avail[INQ]);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, INQ);
	CHECK_EQ(get16(USED_GPA(INQ) + 2), drv_avail[INQ]);
	CHECK(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET));
	/* A device-writable list and a list of 3 bytes: nothing in them is read. */
	head = drv_avail[INQ] % QSIZE;
	memcpy(host(LIST_GPA + 0x8000), (uint32_t[]){ pfn(60) }, 4);
	desc(INQ, head, LIST_GPA + 0x8000, 4, VIRTQ_DESC_F_WRITE, 0);
	put16(AVAIL_GPA(INQ) + 4 + 2ULL * head, head);
	put16(AVAIL_GPA(INQ) + 2, ++drv_avail[INQ]);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, INQ);
	send(INQ, (uint32_t[]){ pfn(61) }, 0);
	memcpy(host(LIST_GPA + 0x9000), (uint32_t[]){ pfn(62) }, 4);
	head = drv_avail[INQ] % QSIZE;
	desc(INQ, head, LIST_GPA + 0x9000, 3, 0, 0);
	put16(AVAIL_GPA(INQ) + 4 + 2ULL * head, head);
	put16(AVAIL_GPA(INQ) + 2, ++drv_avail[INQ]);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, INQ);
	CHECK(!out(60) && !out(61) && !out(62));
	CHECK_EQ(b.st->nr_out, 2);
	/* A huge list: the whole rest of RAM as one buffer of page numbers, all naming a page inside
	   the list itself: read only up to the cap (copied out first), one page out, the rest ignored. */
	memset(host(RAM_GPA + 0x30000), 0, RAM_SIZE - 0x30000);
	for (uint64_t a = RAM_GPA + 0x30000; a < RAM_GPA + RAM_SIZE; a += 4)
		memcpy(host(a), (uint32_t[]){ pfn(250) }, 4);
	head = drv_avail[INQ] % QSIZE;
	desc(INQ, head, RAM_GPA + 0x30000, RAM_SIZE - 0x30000, 0, 0);
	put16(AVAIL_GPA(INQ) + 4 + 2ULL * head, head);
	put16(AVAIL_GPA(INQ) + 2, ++drv_avail[INQ]);
	uint64_t ignored = b.st->ignored;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, INQ);
	CHECK(out(250));
	CHECK_EQ(b.st->nr_out, 3);
	CHECK_EQ(b.st->ignored - ignored, (RAM_SIZE - 0x30000) / 4 - 1);
	CHECK(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET));
	/* Every page of RAM above the queues' and lists' own: one list. */
	setup(0);
	static uint32_t all[RAM_PAGES];
	for (unsigned i = 0; i < RAM_PAGES; i++)
		all[i] = pfn(i);
	/* The queues' and the lists' own pages would be holes too: only the pages above them. */
	send(INQ, all + 64, RAM_PAGES - 64);
	CHECK_EQ(b.st->nr_out, RAM_PAGES - 64);
	CHECK_EQ(nr_reclaim_lists, 1);
	CHECK_EQ(nr_reclaims, 0);
}

TEST(scattered_pages_go_in_one_list)
{
	setup(RAM_PAGES - 6);
	/* As Linux sends them: scattered, in no order, one repeated. */
	uint32_t l[7] = { pfn(200), pfn(37), pfn(150), pfn(37), pfn(99), pfn(251), pfn(64) };
	send(INQ, l, 7);
	CHECK_EQ(nr_reclaim_lists, 1);
	CHECK_EQ(nr_reclaims, 0);
	CHECK_EQ(last_list_n, 6);
	const unsigned want[6] = { 200, 37, 150, 99, 251, 64 };
	for (unsigned i = 0; i < 6; i++) {
		CHECK_EQ(last_list[i], RAM_GPA + want[i] * 4096ULL);
		CHECK(out(want[i]) && !present[want[i]]);
	}
	CHECK_EQ(b.st->nr_out, 6);
	CHECK_EQ(b.st->ignored, 1);
	/* Back the same way: one list, and a page the list names twice counts once. */
	uint32_t d[4] = { pfn(251), pfn(37), pfn(251), pfn(64) };
	send(DEFQ, d, 4);
	CHECK_EQ(nr_restore_lists, 1);
	CHECK_EQ(last_list_n, 3);
	CHECK(!out(251) && !out(37) && !out(64) && present[37]);
	CHECK_EQ(b.st->nr_out, 3);
	CHECK_EQ(b.st->deflated, 3);
}

/*
 * A guest inflating and deflating one page in a loop: after the tick's
 * budget of machine calls, its buffers wait in the ring (not used, nothing
 * pending for the loop to spin on) until the next tick, then all are done.
 */
TEST(rate_limit_defers_to_the_next_tick)
{
	setup(RAM_PAGES - 1);
	uint32_t l[1] = { pfn(120) };
	for (unsigned i = 0; i < VIRTIO_BALLOON_CALLS_PER_TICK; i++)
		send(i % 2 ? DEFQ : INQ, l, 1);
	CHECK_EQ(nr_reclaim_lists + nr_restore_lists, VIRTIO_BALLOON_CALLS_PER_TICK);
	CHECK(!out(120) && present[120]);
	/* The next buffer: posted and notified, but not taken. */
	uint16_t used = get16(USED_GPA(INQ) + 2);
	uint16_t head = drv_avail[INQ] % QSIZE;
	memcpy(host(LIST_GPA), l, 4);
	desc(INQ, head, LIST_GPA, 4, 0, 0);
	put16(AVAIL_GPA(INQ) + 4 + 2ULL * head, head);
	put16(AVAIL_GPA(INQ) + 2, ++drv_avail[INQ]);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, INQ);
	CHECK_EQ(get16(USED_GPA(INQ) + 2), used);
	CHECK(!virtio_mmio_pending(&t));   /* no busy loop: the tick resumes it */
	CHECK(!out(120) && present[120]);
	CHECK_EQ(nr_reclaim_lists + nr_restore_lists, VIRTIO_BALLOON_CALLS_PER_TICK);
	/* A second notify meanwhile changes nothing. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, INQ);
	CHECK_EQ(get16(USED_GPA(INQ) + 2), used);
	irq_level = 0;
	virtio_balloon_tick(&b, &t);
	CHECK_EQ(get16(USED_GPA(INQ) + 2), (uint16_t)(used + 1));
	CHECK(out(120) && !present[120]);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(nr_reclaim_lists + nr_restore_lists, VIRTIO_BALLOON_CALLS_PER_TICK + 1);
	/* A tick with nothing left over does nothing; the budget is whole again. */
	virtio_balloon_tick(&b, &t);
	send(DEFQ, l, 1);
	CHECK(!out(120) && present[120]);
}

TEST(reset_gives_every_page_back)
{
	setup(RAM_PAGES - 100);
	uint32_t l[6] = { pfn(70), pfn(71), pfn(90), pfn(200), pfn(201), pfn(255) };
	send(INQ, l, 6);
	CHECK_EQ(b.st->nr_out, 6);
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(b.st->nr_out, 0);
	for (unsigned i = 0; i < RAM_PAGES; i++)
		CHECK(present[i] && !out(i));
	CHECK_EQ(nr_restores, 4);   /* 70-71, 90, 200-201, 255 */
	/* The target stays: the next driver inflates again. */
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG), 100);
}

/* A reset is no way past the maximum (xl mem-max): only 2 of 6 come back, the lowest first. */
TEST(reset_stops_at_the_maximum)
{
	setup(RAM_PAGES - 100);
	uint32_t l[6] = { pfn(70), pfn(71), pfn(90), pfn(200), pfn(201), pfn(255) };
	send(INQ, l, 6);
	CHECK_EQ(b.st->nr_out, 6);
	CHECK_EQ(virtio_balloon_set_max(&b, RAM_PAGES - 4), 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(b.st->nr_out, 4);
	CHECK(present[70] && present[71] && !out(70) && !out(71));
	CHECK(out(90) && out(200) && out(201) && out(255));
}

TEST(successor_takes_over)
{
	static struct virtio_balloon_state st;
	static uint64_t map[RAM_PAGES / 64];
	setup(RAM_PAGES - 20);
	CHECK_EQ(virtio_balloon_bind_state(&b, &st, map, 0), 0);
	mem.holes = b.map;
	uint32_t l[3] = { pfn(80), pfn(81), pfn(130) };
	send(INQ, l, 3);
	CHECK_EQ(st.nr_out, 3);
	CHECK(map[1] & (1ULL << (80 - 64)));
	/* A new process: its own init, then the arena's state, the map's count recounted. */
	st.nr_out = 99;
	st.max_pages = ~0ULL;
	struct virtio_balloon nb;
	CHECK_EQ(virtio_balloon_init(&nb, &fake_host, RAM_GPA, RAM_PAGES, RAM_PAGES), 0);
	CHECK_EQ(virtio_balloon_bind_state(&nb, &st, map, 1), 0);
	CHECK_EQ(nb.st->nr_out, 3);
	CHECK_EQ(nb.st->max_pages, RAM_PAGES);
	CHECK_EQ(virtio_balloon_target(&nb), RAM_PAGES - 20);
	virtio_balloon_free(&nb);
	/* Another RAM size: refused. */
	CHECK_EQ(virtio_balloon_init(&nb, &fake_host, RAM_GPA, RAM_PAGES * 2, RAM_PAGES), 0);
	CHECK_EQ(virtio_balloon_bind_state(&nb, &st, map, 1), -1);
	virtio_balloon_free(&nb);
}

int main(void)
{
	ram = calloc(1, RAM_SIZE);
	if (!ram) {
		printf("FAIL: unit/setup: no RAM\n");
		return 1;
	}
	mem = (struct dm_mem){ .host = ram, .gpa = RAM_GPA, .size = RAM_SIZE };
	RUN(identity_and_config);
	RUN(inflate_gives_pages_back_and_makes_holes);
	RUN(deflate_gives_fresh_pages);
	RUN(target_and_maximum);
	RUN(refused_pages_stay_the_guests);
	RUN(hostile_lists);
	RUN(scattered_pages_go_in_one_list);
	RUN(rate_limit_defers_to_the_next_tick);
	RUN(reset_gives_every_page_back);
	RUN(reset_stops_at_the_maximum);
	RUN(successor_takes_over);
	virtio_balloon_free(&b);
	free(ram);
	return CHECK_DONE();
}
