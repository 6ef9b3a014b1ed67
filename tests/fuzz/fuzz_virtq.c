// SPDX-License-Identifier: MIT
/*
 * fuzz_virtq.c: fuzzer bytes as a guest's RAM and its driver's moves,
 * against the split-virtqueue walker (tools/dm/virtqueue.c) alone, a
 * virtio-blk device on its virtio-mmio transport over a memfd disk, or a
 * virtio console (both its queues on the same rings) with a fake host side.
 *
 * Input: mode (1 byte: bit 0 EVENT_IDX, bit 1 INDIRECT_DESC, bit 2 blk, bit 3 read-only disk,
 * bit 4 console instead of blk),
 * queue size (2), action count (1), that many actions (op 1, arg 2, data 4),
 * then the RAM image (the rest, from GPA RAM_GPA). The rings sit at the
 * start of RAM, back to back, so short inputs reach them.
 *
 * Beyond ASan/UBSan: every segment of a chain lies inside the RAM and
 * keeps the readable-then-writable order, heads are below the queue size,
 * a drain of the ring ends within the queue size, the interrupt line
 * follows InterruptStatus, and a device that needs a reset serves nothing.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "virtio_blk.h"
#include "virtio_console.h"

#define RAM_GPA     0x80000000ULL
#define RAM_SIZE    (16u << 10)
#define MAX_ACTIONS 64
#define DISK_BYTES  (16u * VIRTIO_BLK_SECTOR_SIZE)

enum { MODE_EVENT_IDX = 1, MODE_INDIRECT = 2, MODE_BLK = 4, MODE_RO = 8, MODE_CONSOLE = 16 };
enum { ACT_DRAIN, ACT_AVAIL_IDX, ACT_AVAIL_ENTRY, ACT_NOTIFY, ACT_MMIO, ACT_POLL, ACT_POKE, ACT_INPUT,
       ACT_ROOM, ACT_RESTART, NR_ACTS };

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static const struct dm_mem mem = { .host = ram, .gpa = RAM_GPA, .size = RAM_SIZE };
static struct vq_chain chain;
static struct virtio_blk blk;
static struct virtio_console con;
static size_t con_room, con_out;   /* the fake output's room, and bytes it was given */

static size_t fake_room(void *ctx) { (void)ctx; return con_room; }
static void fake_out(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	FUZZ_CHECK(n > 0 && n <= VIRTIO_CONSOLE_CHAIN_MAX && p >= ram && (size_t)(p - ram) <= RAM_SIZE - n,
		   "output of %zu bytes outside RAM", n);
	con_out += n;
}
static const struct virtio_console_io fake_io = { fake_room, fake_out };
static struct virtio_mmio t;
static int disk_fd = -1, irq_level;

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

/* The three areas of a NUM-entry queue, back to back at the start of RAM. */
static void layout(uint16_t num, uint64_t *desc, uint64_t *avail, uint64_t *used)
{
	*desc = RAM_GPA;
	*avail = *desc + 16ULL * num;
	*used = align_up(*avail + 6 + 2ULL * num, 4);
}

static void put16(uint64_t gpa, uint16_t v)
{
	if (gpa >= RAM_GPA && gpa - RAM_GPA + 2 <= RAM_SIZE)
		memcpy(ram + (gpa - RAM_GPA), &v, 2);
}

static uint16_t get16(uint64_t gpa)
{
	uint16_t v = 0;

	if (gpa >= RAM_GPA && gpa - RAM_GPA + 2 <= RAM_SIZE)
		memcpy(&v, ram + (gpa - RAM_GPA), 2);
	return v;
}

static void check_chain(const struct vq *q, int r)
{
	uint64_t rd = 0, wr = 0;
	bool seen_write = false;

	FUZZ_CHECK(r >= VQ_BROKEN && r <= VQ_CHAIN, "vq_pop returned %d", r);
	if (r == VQ_CHAIN || r == VQ_BAD_CHAIN)
		FUZZ_CHECK(chain.head < q->num, "head %u of a %u-entry queue", chain.head, q->num);
	if (r != VQ_CHAIN)
		return;
	FUZZ_CHECK(chain.nseg >= 1 && chain.nseg <= VQ_MAX_SEGS, "%u segments", chain.nseg);
	for (unsigned i = 0; i < chain.nseg; i++) {
		const struct vq_seg *s = &chain.seg[i];
		FUZZ_CHECK(s->len > 0 && s->ptr >= ram && s->len <= RAM_SIZE &&
			   (size_t)(s->ptr - ram) <= RAM_SIZE - s->len, "segment %u outside RAM", i);
		FUZZ_CHECK(s->write || !seen_write, "readable segment %u after a writable one", i);
		seen_write |= s->write;
		*(s->write ? &wr : &rd) += s->len;
	}
	FUZZ_CHECK(rd == chain.read_bytes && wr == chain.write_bytes, "byte totals wrong");
}

/* Pops and pushes until empty; with avail idx fixed, that is at most num chains. */
static void drain(struct vq *q)
{
	for (unsigned n = 0;; n++) {
		int r = vq_pop(q, &mem, &chain);
		check_chain(q, r);
		if (r == VQ_EMPTY || r == VQ_BROKEN)
			return;
		FUZZ_CHECK(n < q->num, "more than %u chains from one ring", q->num);
		FUZZ_CHECK(vq_push(q, &mem, chain.head, (uint32_t)chain.write_bytes) == 0, "push failed");
	}
}

static void irq_set(void *ctx, unsigned source, int level)
{
	(void)ctx;
	(void)source;
	irq_level = level;
}

static void mmio_wr(uint64_t off, uint32_t v) { virtio_mmio_write(&t, off, 4, v); }

static void blk_setup(uint8_t mode, uint16_t num, uint64_t desc, uint64_t avail, uint64_t used)
{
	uint64_t features = 1ULL << VIRTIO_F_VERSION_1;
	unsigned nq = 1;

	if (mode & MODE_CONSOLE) {
		virtio_console_init(&con, &fake_io, NULL);
		con_room = 1 << 16;
		con_out = 0;
		virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set }, &con.vdev);
		nq = VIRTIO_CONSOLE_NR_QUEUES;
		num = (uint16_t)((num - 1) % VIRTIO_CONSOLE_QUEUE_SIZE + 1);
	} else {
		if (disk_fd < 0) {
			disk_fd = memfd_create("fuzz-disk", 0);
			FUZZ_CHECK(disk_fd >= 0, "memfd_create");
		}
		FUZZ_CHECK(ftruncate(disk_fd, 0) == 0 && ftruncate(disk_fd, DISK_BYTES) == 0, "ftruncate");
		virtio_blk_init(&blk, disk_fd, DISK_BYTES, mode & MODE_RO, "fuzz");
		virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set }, &blk.vdev);
	}
	if (mode & MODE_EVENT_IDX)
		features |= 1ULL << VIRTIO_F_EVENT_IDX;
	if (mode & MODE_INDIRECT)
		features |= 1ULL << VIRTIO_F_INDIRECT_DESC;
	mmio_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	mmio_wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	mmio_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	mmio_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	/* A console's two queues share the rings: a hostile driver may do that too. */
	for (unsigned qi = 0; qi < nq; qi++) {
		mmio_wr(VIRTIO_MMIO_QUEUE_SEL, qi);
		mmio_wr(VIRTIO_MMIO_QUEUE_NUM, num);
		mmio_wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
		mmio_wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
		mmio_wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
		mmio_wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
		mmio_wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
		mmio_wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
		mmio_wr(VIRTIO_MMIO_QUEUE_READY, 1);
	}
	mmio_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

/* A notify or poll of a device that needs a reset must leave the used ring alone. */
static void blk_kick(bool poll, uint64_t used, unsigned queue)
{
	bool dead = t.st->status & VIRTIO_STATUS_NEEDS_RESET;
	uint16_t before = get16(used + 2);
	size_t out_before = con_out;

	if (poll)
		virtio_mmio_poll(&t);
	else
		mmio_wr(VIRTIO_MMIO_QUEUE_NOTIFY, queue);
	FUZZ_CHECK(!dead || get16(used + 2) == before, "a device needing reset completed requests");
	FUZZ_CHECK(!dead || con_out == out_before, "a console needing reset output bytes");
}

/* Console input of LEN bytes: never more taken than given, nothing when stopped. */
static void con_input(uint64_t used, unsigned len, uint32_t pattern)
{
	uint8_t in[256];
	bool dead = t.st->status & VIRTIO_STATUS_NEEDS_RESET;
	uint16_t before = get16(used + 2);

	memset(in, (int)(pattern & 0xff), sizeof in);
	size_t took = virtio_console_receive(&con, &t, in, len % sizeof in);
	FUZZ_CHECK(took <= len % sizeof in, "took %zu of %u bytes", took, len % (unsigned)sizeof in);
	FUZZ_CHECK(!dead || (took == 0 && get16(used + 2) == before), "a console needing reset took input");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	uint8_t mode = fin_u8(&in);
	uint16_t num = (uint16_t)(fin_u16(&in) % VQ_MAX_SIZE + 1);
	bool dev;
	unsigned nact = fin_u8(&in) % (MAX_ACTIONS + 1);
	struct { uint8_t op; uint16_t arg; uint32_t val; } act[MAX_ACTIONS];
	uint64_t desc, avail, used;
	struct vq q;

	for (unsigned i = 0; i < nact; i++) {
		act[i].op = fin_u8(&in) % NR_ACTS;
		act[i].arg = fin_u16(&in);
		act[i].val = fin_u32(&in);
	}
	memset(ram, 0, RAM_SIZE);
	memcpy(ram, in.p, in.left < RAM_SIZE ? in.left : RAM_SIZE);
	layout(num, &desc, &avail, &used);

	vq_reset(&q);
	q.num = num;
	q.desc = desc;
	q.avail = avail;
	q.used = used;
	q.event_idx = mode & MODE_EVENT_IDX;
	q.indirect = mode & MODE_INDIRECT;
	q.ready = true;
	if (mode & MODE_CONSOLE)
		mode |= MODE_BLK;   /* a device on the transport, as for blk */
	dev = mode & MODE_BLK;
	if (dev)
		blk_setup(mode, num, desc, avail, used);

	for (unsigned i = 0; i < nact; i++) {
		switch (act[i].op) {
		case ACT_DRAIN:
			if (dev)
				blk_kick(false, used, act[i].arg & 1);
			else
				drain(&q);
			break;
		case ACT_AVAIL_IDX:
			put16(avail + 2, act[i].arg);
			break;
		case ACT_AVAIL_ENTRY:
			put16(avail + 4 + 2ULL * (act[i].arg % num), (uint16_t)act[i].val);
			break;
		case ACT_NOTIFY:
			if (!(mode & MODE_BLK))
				(void)vq_need_notify(&q, &mem);
			else
				blk_kick(false, used, act[i].arg & 1);
			break;
		case ACT_MMIO:
			if (mode & MODE_BLK)
				virtio_mmio_write(&t, act[i].arg % (VIRTIO_MMIO_SIZE + 8), 1u << (act[i].arg >> 14),
						  act[i].val);
			break;
		case ACT_POLL:
			if (dev)
				blk_kick(true, used, 0);
			break;
		case ACT_RESTART:
			/*
			 * A new rivet-dm takes the slot's state over (dm.md "Restart"),
			 * sometimes as if its predecessor died inside a publish: the
			 * journal open with made-up values (on the queue bit 2 picks),
			 * settled against whatever the driver left in used->idx. A
			 * console's own state comes along, its flag sometimes damaged.
			 */
			if (dev) {
				static struct virtio_mmio_state saved;
				static struct virtio_console_state con_saved;
				unsigned qi = mode & MODE_CONSOLE ? act[i].val >> 2 & 1 : 0;

				saved = *t.st;
				con_saved = *con.st;
				if (act[i].val & 2) {
					saved.vq[qi].journal_open = 1;
					saved.vq[qi].journal_used = act[i].arg;
					saved.vq[qi].journal_avail = (uint16_t)(act[i].val >> 16);
				}
				if (mode & MODE_CONSOLE) {
					con_saved.tx_stalled = (uint8_t)(act[i].val >> 8);
					virtio_console_init(&con, &fake_io, NULL);
					virtio_console_bind_state(&con, &con_saved, 1);
					FUZZ_CHECK(con.st->tx_stalled <= 1, "tx_stalled %u after a bind", con.st->tx_stalled);
				}
				virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set },
						 mode & MODE_CONSOLE ? &con.vdev : &blk.vdev);
				FUZZ_CHECK(virtio_mmio_bind_state(&t, &saved, 1) == 0, "the same device refused");
				virtio_mmio_resume(&t, act[i].val & 1);
			}
			break;
		case ACT_POKE:
			/* The driver rewrites RAM between kicks (a descriptor, a buffer). */
			if (act[i].arg < RAM_SIZE - 4)
				memcpy(ram + act[i].arg, &act[i].val, 4);
			break;
		case ACT_INPUT:
			if (mode & MODE_CONSOLE)
				con_input(used, act[i].arg, act[i].val);
			break;
		case ACT_ROOM:
			/* The host's output fills up or drains; draining resumes the transmitq. */
			if (mode & MODE_CONSOLE) {
				con_room = act[i].val % (2 * VIRTIO_CONSOLE_TX_ROOM);
				virtio_console_resume(&con, &t);
			}
			break;
		}
		if (mode & MODE_BLK) {
			FUZZ_CHECK(irq_level == (t.st->isr != 0), "irq line %d with InterruptStatus %#x", irq_level,
				   t.st->isr);
			(void)virtio_mmio_read(&t, act[i].arg % (VIRTIO_MMIO_SIZE + 8), 1u << (act[i].val & 3));
		}
	}
	if (!(mode & MODE_BLK))
		drain(&q);
	return 0;
}
