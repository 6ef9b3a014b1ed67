// SPDX-License-Identifier: MIT
/*
 * fuzz_virtio_balloon.c: fuzzer bytes as a guest's RAM and its driver's
 * moves against the balloon (tools/dm/virtio_balloon.c) on its virtio-mmio
 * transport, with xl's targets and maximums mixed in, over a model machine
 * that really takes pages away: a reclaimed page of the fake RAM is made
 * PROT_NONE, so any touch of a hole by the device model crashes the run.
 *
 * Input: the two queue sizes (2 each), the page the machine refuses to
 * reclaim (1), action count (1), that many actions (op 1, arg 2, value 4),
 * then the RAM image (the rest). Both queues' rings sit at the start of RAM.
 *
 * Beyond ASan/UBSan and the guard pages: the map says exactly which pages
 * the machine took (bit set = not there); nr_out counts the map and the
 * domain's pages plus nr_out are its RAM; every reclaim/restore is inside
 * the RAM and at most RIVET_BALLOON_MAX_PAGES long; a deflate never takes
 * the domain above its maximum; dm_mem_ptr() refuses every range that
 * touches a hole; the interrupt line follows InterruptStatus.
 */
#include <string.h>
#include <sys/mman.h>

#include "fuzz.h"
#include "virtio_balloon.h"

#define RAM_GPA     0x80000000ULL
#define RAM_PAGES   16u
#define RAM_SIZE    (RAM_PAGES * 4096u)
#define MAX_ACTIONS 64

enum { ACT_KICK, ACT_AVAIL_IDX, ACT_AVAIL_ENTRY, ACT_MMIO, ACT_TARGET, ACT_MAX, ACT_POKE, ACT_POLL,
       ACT_NO_MEMORY, ACT_PROBE, NR_ACTS };

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static struct dm_mem mem = { .host = ram, .gpa = RAM_GPA, .size = RAM_SIZE };
static struct virtio_balloon b;
static struct virtio_mmio t;
static int irq_level;
static uint8_t present[RAM_PAGES];
static unsigned refuse_page;
static int no_memory;

static void irq_set(void *ctx, unsigned source, int level)
{
	(void)ctx;
	(void)source;
	irq_level = level;
}

static void guard(uint64_t p, uint64_t n, int there)
{
	mprotect(ram + p * 4096, n * 4096, there ? PROT_READ | PROT_WRITE : PROT_NONE);
	memset(present + p, there, n);
}

static int fake_reclaim(void *ctx, uint64_t gpa, uint64_t nr)
{
	(void)ctx;
	uint64_t p = (gpa - RAM_GPA) >> 12;
	FUZZ_CHECK(gpa >= RAM_GPA && !(gpa & 0xfff) && nr >= 1 && nr <= 512 && p + nr <= RAM_PAGES,
		   "reclaim %#llx+%llu", (unsigned long long)gpa, (unsigned long long)nr);
	for (uint64_t i = 0; i < nr; i++)
		if (!present[p + i])
			return VIRTIO_BALLOON_HOST_ABSENT;
	if (refuse_page >= p && refuse_page < p + nr)
		return VIRTIO_BALLOON_HOST_FAILED;
	guard(p, nr, 0);
	return VIRTIO_BALLOON_HOST_OK;
}

static int fake_restore(void *ctx, uint64_t gpa, uint64_t nr)
{
	(void)ctx;
	uint64_t p = (gpa - RAM_GPA) >> 12;
	FUZZ_CHECK(gpa >= RAM_GPA && !(gpa & 0xfff) && nr >= 1 && nr <= 512 && p + nr <= RAM_PAGES,
		   "restore %#llx+%llu", (unsigned long long)gpa, (unsigned long long)nr);
	for (uint64_t i = 0; i < nr; i++)
		if (present[p + i])
			return VIRTIO_BALLOON_HOST_PRESENT;
	if (no_memory)
		return VIRTIO_BALLOON_HOST_FAILED;
	guard(p, nr, 1);
	memset(ram + p * 4096, 0, nr * 4096);   /* fresh pages */
	return VIRTIO_BALLOON_HOST_OK;
}

/* The list calls as the microvisor has them: pages in range, no repeats, all or nothing. */
static int fake_list(const uint64_t *gpas, uint64_t nr, int reclaim)
{
	static uint8_t seen[RAM_PAGES];
	FUZZ_CHECK(nr >= 1 && nr <= 512, "list of %llu", (unsigned long long)nr);
	memset(seen, 0, sizeof seen);
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t p = (gpas[i] - RAM_GPA) >> 12;
		FUZZ_CHECK(gpas[i] >= RAM_GPA && !(gpas[i] & 0xfff) && p < RAM_PAGES && !seen[p],
			   "list entry %#llx", (unsigned long long)gpas[i]);
		seen[p] = 1;
		if (present[p] != reclaim)
			return reclaim ? VIRTIO_BALLOON_HOST_ABSENT : VIRTIO_BALLOON_HOST_PRESENT;
		if (reclaim && refuse_page == p)
			return VIRTIO_BALLOON_HOST_FAILED;
	}
	if (!reclaim && no_memory)
		return VIRTIO_BALLOON_HOST_FAILED;
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t p = (gpas[i] - RAM_GPA) >> 12;
		guard(p, 1, !reclaim);
		if (!reclaim)
			memset(ram + p * 4096, 0, 4096);   /* fresh pages */
	}
	return VIRTIO_BALLOON_HOST_OK;
}

static int fake_reclaim_list(void *ctx, const uint64_t *gpas, uint64_t nr)
{
	(void)ctx;
	return fake_list(gpas, nr, 1);
}

static int fake_restore_list(void *ctx, const uint64_t *gpas, uint64_t nr)
{
	(void)ctx;
	return fake_list(gpas, nr, 0);
}

static void wr(uint64_t off, uint32_t v) { virtio_mmio_write(&t, off, 4, v); }

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

static uint64_t queue_setup(unsigned q, uint16_t num, uint64_t base, uint64_t *avail)
{
	uint64_t desc = align_up(base, 16), used;

	*avail = desc + 16ULL * num;
	used = align_up(*avail + 6 + 2ULL * num, 4);
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)*avail);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	return used + 6 + 8ULL * num;
}

/* The harness's own writes to guest RAM: only where the guest has a page. */
static void poke(uint64_t gpa, const void *v, unsigned n)
{
	if (gpa < RAM_GPA || gpa - RAM_GPA + n > RAM_SIZE)
		return;
	uint64_t off = gpa - RAM_GPA;
	if (present[off >> 12] && present[(off + n - 1) >> 12])
		memcpy(ram + off, v, n);
}

static int out(uint64_t p) { return (int)((b.map[p / 64] >> (p % 64)) & 1); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct virtio_balloon_host host = { fake_reclaim, fake_restore, NULL, fake_reclaim_list,
							  fake_restore_list };
	struct fin fi = { data, size };
	uint16_t num[2];
	unsigned nact;
	struct { uint8_t op; uint16_t arg; uint32_t val; } act[MAX_ACTIONS];
	uint64_t avail[2], end = RAM_GPA;

	num[0] = (uint16_t)(fin_u16(&fi) % VIRTIO_BALLOON_QUEUE_SIZE + 1);
	num[1] = (uint16_t)(fin_u16(&fi) % VIRTIO_BALLOON_QUEUE_SIZE + 1);
	refuse_page = fin_u8(&fi) % (RAM_PAGES * 2);   /* half the time none */
	nact = fin_u8(&fi) % (MAX_ACTIONS + 1);
	for (unsigned i = 0; i < nact; i++) {
		act[i].op = fin_u8(&fi) % NR_ACTS;
		act[i].arg = fin_u16(&fi);
		act[i].val = fin_u32(&fi);
	}
	guard(0, RAM_PAGES, 1);
	memset(ram, 0, RAM_SIZE);
	no_memory = 0;

	virtio_balloon_free(&b);
	FUZZ_CHECK(virtio_balloon_init(&b, &host, RAM_GPA, RAM_PAGES, RAM_PAGES / 2) == 0, "init");
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set }, &b.vdev);
	mem.holes = b.map;
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u);   /* VIRTIO_F_VERSION_1 */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	for (unsigned q = 0; q < 2; q++)
		end = queue_setup(q, num[q], end, &avail[q]);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	memcpy(ram, fi.p, fi.left < RAM_SIZE ? fi.left : RAM_SIZE);

	for (unsigned i = 0; i < nact; i++) {
		unsigned q = act[i].arg & 1;
		uint64_t before = virtio_balloon_current(&b);
		uint16_t v16 = (uint16_t)act[i].val;

		switch (act[i].op) {
		case ACT_KICK:
			wr(VIRTIO_MMIO_QUEUE_NOTIFY, q);
			if (q == VIRTIO_BALLOON_DEFLATEQ && virtio_balloon_current(&b) > before)
				FUZZ_CHECK(virtio_balloon_current(&b) <= b.st->max_pages,
					   "deflated to %llu pages, above the maximum %llu",
					   (unsigned long long)virtio_balloon_current(&b),
					   (unsigned long long)b.st->max_pages);
			break;
		case ACT_AVAIL_IDX:
			poke(avail[q] + 2, &v16, 2);
			break;
		case ACT_AVAIL_ENTRY:
			poke(avail[q] + 4 + 2ULL * ((act[i].arg >> 1) % num[q]), &v16, 2);
			break;
		case ACT_MMIO:
			virtio_mmio_write(&t, act[i].arg % (VIRTIO_MMIO_SIZE + 8), 1u << (act[i].arg >> 14),
					  act[i].val);
			break;
		case ACT_TARGET:
			virtio_balloon_set_target(&b, &t, act[i].val % (RAM_PAGES + 2));
			FUZZ_CHECK(virtio_balloon_target(&b) <= b.st->max_pages, "target above the maximum");
			break;
		case ACT_MAX:
			virtio_balloon_set_max(&b, act[i].val % (RAM_PAGES + 2));
			FUZZ_CHECK(b.st->max_pages <= RAM_PAGES, "maximum above the RAM");
			break;
		case ACT_POKE:
			poke(RAM_GPA + act[i].arg % RAM_SIZE, &act[i].val, 4);
			break;
		case ACT_POLL:
			virtio_mmio_poll(&t);
			break;
		case ACT_NO_MEMORY:
			no_memory = act[i].val & 1;
			break;
		case ACT_PROBE: {
			uint64_t off = act[i].arg % RAM_SIZE, len = act[i].val % (RAM_SIZE + 1), bad = 0;
			for (uint64_t p = off >> 12; len && p <= (off + len - 1) >> 12 && p < RAM_PAGES; p++)
				bad |= !present[p];
			void *ptr = dm_mem_ptr(&mem, RAM_GPA + off, len);
			if (off + len <= RAM_SIZE)
				FUZZ_CHECK((ptr != NULL) == !bad, "dm_mem_ptr %#llx+%llu: %p with%s a hole",
					   (unsigned long long)off, (unsigned long long)len, ptr, bad ? "" : "out");
			break;
		}
		}
		uint64_t n = 0;
		for (uint64_t p = 0; p < RAM_PAGES; p++) {
			FUZZ_CHECK(out(p) == !present[p], "page %llu: map says %s, machine %s",
				   (unsigned long long)p, out(p) ? "out" : "in", present[p] ? "has it" : "not");
			n += (uint64_t)out(p);
		}
		FUZZ_CHECK(n == b.st->nr_out && virtio_balloon_current(&b) + n == RAM_PAGES,
			   "nr_out %llu, map %llu", (unsigned long long)b.st->nr_out, (unsigned long long)n);
		FUZZ_CHECK(irq_level == (t.st->isr != 0), "irq line %d with InterruptStatus %#x", irq_level,
			   t.st->isr);
	}
	guard(0, RAM_PAGES, 1);
	return 0;
}
