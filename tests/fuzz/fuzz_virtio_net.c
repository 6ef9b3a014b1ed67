// SPDX-License-Identifier: MIT
/*
 * fuzz_virtio_net.c: fuzzer bytes as a guest's RAM, its driver's moves and
 * the packets arriving from the network, against a virtio-net device
 * (tools/dm/virtio_net.c) on its virtio-mmio transport, with a backend
 * that keeps no state but what it checks.
 *
 * Input: features (4 bytes: the driver's low word), rx and tx queue sizes
 * (2 each), action count (1), that many actions (op 1, arg 2, value 4),
 * then the RAM image (the rest, from GPA RAM_GPA). Both queues' rings sit
 * at the start of RAM, so short inputs reach them.
 *
 * Beyond ASan/UBSan: every packet sent is a header and at most
 * VIRTIO_NET_MAX_FRAME bytes, each of its buffers inside RAM (or the
 * device's own header copy); one receive round takes at most a ring's
 * worth of packets; a device that needs a reset neither sends nor fills
 * buffers; the interrupt line follows InterruptStatus.
 */
#include <string.h>

#include "fuzz.h"
#include "virtio_net.h"

#define RAM_GPA     0x80000000ULL
#define RAM_SIZE    (64u << 10)
#define MAX_ACTIONS 64

enum { ACT_TX, ACT_RX_KICK, ACT_RX_PACKET, ACT_AVAIL_IDX, ACT_AVAIL_ENTRY, ACT_MMIO, ACT_POLL,
       ACT_POKE, NR_ACTS };

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static const struct dm_mem mem = { .host = ram, .gpa = RAM_GPA, .size = RAM_SIZE };
static struct virtio_net net;
static struct virtio_mmio t;
static int irq_level;
static unsigned rx_pending, rx_len, recv_calls;
static uint8_t rx_flags, rx_gso;

static bool in_ram_or_hdr(const void *p, size_t len, const void *hdr)
{
	const uint8_t *b = p;

	if (b == hdr)
		return len == VIRTIO_NET_HDR_SIZE;
	return b >= ram && len <= RAM_SIZE && (size_t)(b - ram) <= RAM_SIZE - len;
}

static int fake_send(void *be, const struct iovec *iov, unsigned niov)
{
	size_t total = 0;

	(void)be;
	FUZZ_CHECK(!(t.st->status & VIRTIO_STATUS_NEEDS_RESET), "a device that needs a reset sent");
	FUZZ_CHECK(niov >= 2 && iov[0].iov_len == VIRTIO_NET_HDR_SIZE, "%u buffers, header %zu", niov,
		   niov ? iov[0].iov_len : 0);
	for (unsigned i = 0; i < niov; i++) {
		FUZZ_CHECK(iov[i].iov_len > 0, "empty buffer %u", i);
		FUZZ_CHECK(in_ram_or_hdr(iov[i].iov_base, iov[i].iov_len, iov[0].iov_base),
			   "buffer %u outside RAM", i);
		total += iov[i].iov_len;
	}
	FUZZ_CHECK(total <= VIRTIO_NET_MAX_PACKET, "packet of %zu bytes", total);
	return 0;
}

static ssize_t fake_recv(void *be, void *buf, size_t len)
{
	(void)be;
	recv_calls++;
	if (!rx_pending)
		return 0;
	rx_pending--;
	size_t n = rx_len < len ? rx_len : len;
	memset(buf, 0x5a, n);
	if (n >= 2) {
		((uint8_t *)buf)[0] = rx_flags;
		((uint8_t *)buf)[1] = rx_gso;
	}
	return (ssize_t)n;
}

static void fake_offload(void *be, unsigned off)
{
	(void)be;
	FUZZ_CHECK(off < 16, "offload %#x", off);
}

static const struct virtio_net_backend fake = { fake_send, fake_recv, fake_offload };

static void irq_set(void *ctx, unsigned source, int level)
{
	(void)ctx;
	(void)source;
	irq_level = level;
}

static void wr(uint64_t off, uint32_t v) { virtio_mmio_write(&t, off, 4, v); }

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

/* Queue Q of NUM entries at BASE: descriptors, avail, used back to back; returns the end. */
static uint64_t queue_setup(unsigned q, uint16_t num, uint64_t base, uint64_t *avail, uint64_t *used)
{
	uint64_t desc = align_up(base, 16);

	*avail = desc + 16ULL * num;
	*used = align_up(*avail + 6 + 2ULL * num, 4);
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)*avail);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(*avail >> 32));
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)*used);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(*used >> 32));
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
	static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 1, 2, 3 };
	struct fin in = { data, size };
	uint32_t features = fin_u32(&in);
	uint16_t num[2];
	unsigned nact;
	struct { uint8_t op; uint16_t arg; uint32_t val; } act[MAX_ACTIONS];
	uint64_t avail[2], used[2], end = RAM_GPA;

	num[0] = (uint16_t)(fin_u16(&in) % VIRTIO_NET_QUEUE_SIZE + 1);
	num[1] = (uint16_t)(fin_u16(&in) % VIRTIO_NET_QUEUE_SIZE + 1);
	nact = fin_u8(&in) % (MAX_ACTIONS + 1);
	for (unsigned i = 0; i < nact; i++) {
		act[i].op = fin_u8(&in) % NR_ACTS;
		act[i].arg = fin_u16(&in);
		act[i].val = fin_u32(&in);
	}
	memset(ram, 0, RAM_SIZE);
	rx_pending = recv_calls = 0;

	virtio_net_init(&net, mac, &fake, NULL, features & 1);
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set }, &net.vdev);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, features & (uint32_t)net.vdev.features);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u);   /* VIRTIO_F_VERSION_1 */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	for (unsigned q = 0; q < 2; q++)
		end = queue_setup(q, num[q], end, &avail[q], &used[q]);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	memcpy(ram, in.p, in.left < RAM_SIZE ? in.left : RAM_SIZE);

	for (unsigned i = 0; i < nact; i++) {
		unsigned q = act[i].arg & 1;
		bool dead = t.st->status & VIRTIO_STATUS_NEEDS_RESET;
		uint16_t before = get16(used[0] + 2);

		switch (act[i].op) {
		case ACT_TX:
			wr(VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TXQ);
			break;
		case ACT_RX_KICK:
			wr(VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RXQ);
			break;
		case ACT_RX_PACKET:
			/* Packets from the network: a count, a length, header flags. */
			rx_pending = (act[i].arg >> 8) % 40;
			rx_len = act[i].val % (VIRTIO_NET_MAX_PACKET + 64);
			rx_flags = (uint8_t)(act[i].val >> 24);
			rx_gso = (uint8_t)act[i].arg;
			recv_calls = 0;
			if (virtio_net_wants_rx(&net, &t))
				virtio_net_rx(&net, &t);
			FUZZ_CHECK(recv_calls <= num[0] + 1u, "%u reads in one round of a %u-entry ring",
				   recv_calls, num[0]);
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
		case ACT_POLL:
			virtio_mmio_poll(&t);
			break;
		case ACT_POKE:
			/* The driver rewrites RAM between kicks (a descriptor, a buffer, a header). */
			if (act[i].arg < RAM_SIZE - 4)
				memcpy(ram + act[i].arg, &act[i].val, 4);
			break;
		}
		if (dead && act[i].op != ACT_MMIO && act[i].op != ACT_POKE && act[i].op != ACT_AVAIL_IDX &&
		    act[i].op != ACT_AVAIL_ENTRY)
			FUZZ_CHECK(get16(used[0] + 2) == before, "a device needing reset filled buffers");
		FUZZ_CHECK(irq_level == (t.st->isr != 0), "irq line %d with InterruptStatus %#x", irq_level, t.st->isr);
		(void)virtio_mmio_read(&t, act[i].arg % (VIRTIO_MMIO_SIZE + 8), 1u << (act[i].val & 3));
	}
	return 0;
}
