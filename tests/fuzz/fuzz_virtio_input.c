// SPDX-License-Identifier: MIT
/*
 * fuzz_virtio_input.c: fuzzer bytes as a guest's RAM and its driver's moves
 * against the power button (tools/dm/virtio_input.c) on its virtio-mmio
 * transport, with presses and sysrq requests from xl mixed in.
 *
 * Input: event and status queue sizes (2 each), action count (1), that many
 * actions (op 1, arg 2, value 4), then the RAM image (the rest, from GPA
 * RAM_GPA). Both queues' rings sit at the start of RAM.
 *
 * Beyond ASan/UBSan: the FIFO's indices stay in bounds and a press is
 * queued whole or not at all; events come out in the order they went in
 * (each published used entry of the event queue is 8 bytes long, and no
 * more are published than were sent); a device that needs a reset
 * publishes nothing; the interrupt line follows InterruptStatus.
 */
#include <string.h>

#include "fuzz.h"
#include "virtio_input.h"

#define RAM_GPA     0x80000000ULL
#define RAM_SIZE    (64u << 10)
#define MAX_ACTIONS 64

enum { ACT_PRESS, ACT_SYSRQ, ACT_KICK, ACT_AVAIL_IDX, ACT_AVAIL_ENTRY, ACT_MMIO, ACT_CONFIG, ACT_POLL,
       ACT_POKE, NR_ACTS };

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static const struct dm_mem mem = { .host = ram, .gpa = RAM_GPA, .size = RAM_SIZE };
static struct virtio_input in;
static struct virtio_mmio t;
static int irq_level;

static void irq_set(void *ctx, unsigned source, int level)
{
	(void)ctx;
	(void)source;
	irq_level = level;
}

static void wr(uint64_t off, uint32_t v) { virtio_mmio_write(&t, off, 4, v); }

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

static uint64_t queue_setup(unsigned q, uint16_t num, uint64_t base, uint64_t *avail, uint64_t *used)
{
	uint64_t desc = align_up(base, 16);

	*avail = desc + 16ULL * num;
	*used = align_up(*avail + 6 + 2ULL * num, 4);
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)*avail);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)*used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	return *used + 6 + 8ULL * num;
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin fi = { data, size };
	uint16_t num[2];
	unsigned nact;
	struct { uint8_t op; uint16_t arg; uint32_t val; } act[MAX_ACTIONS];
	uint64_t avail[2], used[2], end = RAM_GPA, sent = 0;

	num[0] = (uint16_t)(fin_u16(&fi) % VIRTIO_INPUT_QUEUE_SIZE + 1);
	num[1] = (uint16_t)(fin_u16(&fi) % VIRTIO_INPUT_QUEUE_SIZE + 1);
	nact = fin_u8(&fi) % (MAX_ACTIONS + 1);
	for (unsigned i = 0; i < nact; i++) {
		act[i].op = fin_u8(&fi) % NR_ACTS;
		act[i].arg = fin_u16(&fi);
		act[i].val = fin_u32(&fi);
	}
	memset(ram, 0, RAM_SIZE);

	virtio_input_init(&in);
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set }, &in.vdev);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u);   /* VIRTIO_F_VERSION_1 */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	for (unsigned q = 0; q < 2; q++)
		end = queue_setup(q, num[q], end, &avail[q], &used[q]);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	memcpy(ram, fi.p, fi.left < RAM_SIZE ? fi.left : RAM_SIZE);

	for (unsigned i = 0; i < nact; i++) {
		unsigned q = act[i].arg & 1;
		bool dead = t.st->status & VIRTIO_STATUS_NEEDS_RESET;
		uint16_t before[2] = { get16(used[0] + 2), get16(used[1] + 2) };
		uint32_t count = in.st->count;
		uint64_t delivered = in.st->delivered;
		int r = 0;

		switch (act[i].op) {
		case ACT_PRESS:
			r = virtio_input_press(&in, &t, (uint16_t)act[i].val);
			if (r == 0)
				sent += 4;
			break;
		case ACT_SYSRQ:
			r = virtio_input_sysrq(&in, &t, (char)act[i].val);
			if (r == 0)
				sent += 12;
			break;
		case ACT_KICK:
			wr(VIRTIO_MMIO_QUEUE_NOTIFY, q);
			break;
		case ACT_AVAIL_IDX:
			put16(avail[q] + 2, (uint16_t)act[i].val);
			break;
		case ACT_AVAIL_ENTRY:
			put16(avail[q] + 4 + 2ULL * ((act[i].arg >> 1) % num[q]), (uint16_t)act[i].val);
			break;
		case ACT_MMIO:
			virtio_mmio_write(&t, act[i].arg % (VIRTIO_MMIO_SIZE + 8), 1u << (act[i].arg >> 14),
					  act[i].val);
			break;
		case ACT_CONFIG:
			/* The driver's probe: a selection, then reads all over the config space. */
			virtio_mmio_write(&t, VIRTIO_MMIO_CONFIG, 2, act[i].val);
			for (unsigned k = 0; k < VIRTIO_INPUT_CONFIG_SIZE + 8; k += 1 + (act[i].arg & 3))
				(void)virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + k, 1u << ((act[i].arg >> 2) & 3));
			FUZZ_CHECK(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_SIZE, 1) <=
				   VIRTIO_INPUT_CFG_DATA_MAX, "config size over 128");
			break;
		case ACT_POLL:
			virtio_mmio_poll(&t);
			break;
		case ACT_POKE:
			if (act[i].arg < RAM_SIZE - 4)
				memcpy(ram + act[i].arg, &act[i].val, 4);
			break;
		}
		FUZZ_CHECK(in.st->head < VIRTIO_INPUT_PENDING_MAX && in.st->count <= VIRTIO_INPUT_PENDING_MAX,
			   "FIFO head %u count %u", in.st->head, in.st->count);
		if ((act[i].op == ACT_PRESS || act[i].op == ACT_SYSRQ) && r != 0)
			FUZZ_CHECK(in.st->count == count && in.st->delivered == delivered,
				   "a dropped press changed the FIFO");
		FUZZ_CHECK(in.st->delivered <= sent, "%llu events delivered of %llu sent",
			   (unsigned long long)in.st->delivered, (unsigned long long)sent);
		if (dead && act[i].op != ACT_MMIO && act[i].op != ACT_POKE && act[i].op != ACT_AVAIL_IDX &&
		    act[i].op != ACT_AVAIL_ENTRY)
			FUZZ_CHECK(get16(used[0] + 2) == before[0] && get16(used[1] + 2) == before[1],
				   "a device needing reset published buffers");
		FUZZ_CHECK(irq_level == (t.st->isr != 0), "irq line %d with InterruptStatus %#x", irq_level,
			   t.st->isr);
	}
	return 0;
}
