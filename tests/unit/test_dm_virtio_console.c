/* SPDX-License-Identifier: MIT */
/*
 * test_dm_virtio_console.c: the virtio console (tools/dm/virtio_console.c)
 * behind its virtio-mmio transport, driven as a guest driver would on a fake
 * guest RAM, with a fake host side: output both ways, a full output holding
 * the guest back until resumed, input with and without receive buffers,
 * malformed chains stopping the device, reset; a successor process taking
 * the device over from its state (docs/dm.md "Restart").
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "virtio_console.h"

#define RAM_GPA   0x80000000ULL
#define RAM_SIZE  (1u << 20)
#define QSIZE     8
/* Per queue q: descriptors, avail and used rings, then buffers. */
#define DESC_GPA(q)  (RAM_GPA + 0x1000 + 0x10000ULL * (q))
#define AVAIL_GPA(q) (DESC_GPA(q) + 0x1000)
#define USED_GPA(q)  (DESC_GPA(q) + 0x2000)
#define BUF_GPA(q)   (DESC_GPA(q) + 0x4000)
#define RX VIRTIO_CONSOLE_RXQ
#define TX VIRTIO_CONSOLE_TXQ

static uint8_t *ram;
static struct dm_mem mem;
static struct virtio_console con;
static struct virtio_mmio t;
static int irq_level;
static uint16_t drv_avail[2];

/* The fake host side: what the guest wrote, and how much room the output claims. */
static uint8_t out_buf[1 << 17];
static size_t out_len, out_room;

static size_t fake_room(void *ctx) { (void)ctx; return out_room; }
static void fake_out(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	CHECK(out_len + n <= sizeof out_buf);
	if (out_len + n <= sizeof out_buf)
		memcpy(out_buf + out_len, p, n);
	out_len += n;
}
static const struct virtio_console_io fake_io = { fake_room, fake_out };

#include "virtio_driver.h"

static void irq_set(void *ctx, unsigned source, int level)
{
	(void)ctx;
	(void)source;
	irq_level = level;
}

/* A console on a live transport with both queues ready. */
static void setup(void)
{
	uint64_t features = 1ULL << VIRTIO_F_VERSION_1;
	const uint32_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	memset(ram, 0, RAM_SIZE);
	drv_avail[0] = drv_avail[1] = 0;
	out_len = 0;
	out_room = 1 << 16;
	irq_level = -1;
	virtio_console_init(&con, &fake_io, NULL);
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set, .source = 1 }, &con.vdev);
	wr(VIRTIO_MMIO_STATUS, s);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(VIRTIO_MMIO_STATUS, s | VIRTIO_STATUS_FEATURES_OK);
	queue_setup(RX);
	queue_setup(TX);
	wr(VIRTIO_MMIO_STATUS, s | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static void offer(unsigned q, uint16_t head)
{
	put16(AVAIL_GPA(q) + 4 + 2ULL * (drv_avail[q] % QSIZE), head);
	drv_avail[q]++;
	put16(AVAIL_GPA(q) + 2, drv_avail[q]);
}

static uint16_t used_idx(unsigned q) { return get16(USED_GPA(q) + 2); }
static uint32_t used_len(unsigned q, unsigned n) { return get32(USED_GPA(q) + 8 + 8ULL * (n % QSIZE)); }
static bool needs_reset(void) { return rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET; }

/* The guest writes S as one transmit chain at descriptor HEAD and kicks. */
static void send(uint16_t head, const char *s)
{
	uint64_t buf = BUF_GPA(TX) + 0x100ULL * head;

	memcpy(host(buf), s, strlen(s));
	desc(TX, head, buf, (uint32_t)strlen(s), 0, 0);
	offer(TX, head);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TX);
}

/* The guest posts a LEN-byte receive buffer at descriptor HEAD. */
static void post_rx(uint16_t head, uint32_t len)
{
	desc(RX, head, BUF_GPA(RX) + 0x100ULL * head, len, VIRTQ_DESC_F_WRITE, 0);
	offer(RX, head);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, RX);
}

TEST(identity_and_config)
{
	setup();
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_CONSOLE);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTIO_CONSOLE_QUEUE_SIZE);
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);   /* no control queues: no MULTIPORT */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t f = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	CHECK_EQ(f & 7u, 0);                          /* SIZE, MULTIPORT, EMERG_WRITE not offered */
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG, 4), 0);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 8, 4), 0);
	virtio_mmio_write(&t, VIRTIO_MMIO_CONFIG + 8, 4, 'x');   /* emerg_wr: not offered, ignored */
	CHECK_EQ(out_len, 0);
}

TEST(output)
{
	setup();
	send(0, "hello ");
	send(1, "world\n");
	CHECK_EQ(used_idx(TX), 2);
	CHECK_EQ(used_len(TX, 0), 0);
	CHECK_EQ(out_len, 12);
	CHECK(!memcmp(out_buf, "hello world\n", 12));
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(con.st->tx_bytes, 12);

	/* Two readable descriptors in one chain come out in order. */
	memcpy(host(BUF_GPA(TX)), "ab", 2);
	memcpy(host(BUF_GPA(TX) + 0x800), "cd", 2);
	desc(TX, 2, BUF_GPA(TX), 2, VIRTQ_DESC_F_NEXT, 3);
	desc(TX, 3, BUF_GPA(TX) + 0x800, 2, 0, 0);
	offer(TX, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TX);
	CHECK_EQ(out_len, 16);
	CHECK(!memcmp(out_buf + 12, "abcd", 4));
}

TEST(full_output_holds_the_guest_back)
{
	setup();
	out_room = VIRTIO_CONSOLE_TX_ROOM - 1;
	send(0, "wait");
	CHECK_EQ(used_idx(TX), 0);
	CHECK_EQ(out_len, 0);
	CHECK(con.st->tx_stalled);
	virtio_console_resume(&con, &t);              /* still no room: nothing */
	CHECK_EQ(used_idx(TX), 0);
	out_room = VIRTIO_CONSOLE_TX_ROOM;
	virtio_console_resume(&con, &t);
	CHECK_EQ(used_idx(TX), 1);
	CHECK_EQ(out_len, 4);
	CHECK(!con.st->tx_stalled);
	/* A reset forgets the stall. */
	out_room = 0;
	send(1, "x");
	CHECK(con.st->tx_stalled);
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK(!con.st->tx_stalled);
}

TEST(input)
{
	setup();
	/* No receive buffer yet: nothing taken, the host keeps the bytes. */
	CHECK_EQ(virtio_console_receive(&con, &t, (const uint8_t *)"ls\n", 3), 0);
	post_rx(0, 2);
	post_rx(1, 16);
	CHECK_EQ(used_idx(RX), 0);                    /* posting alone completes nothing */
	irq_level = 0;
	CHECK_EQ(virtio_console_receive(&con, &t, (const uint8_t *)"ls\n", 3), 3);
	CHECK_EQ(used_idx(RX), 2);
	CHECK_EQ(used_len(RX, 0), 2);
	CHECK_EQ(used_len(RX, 1), 1);
	CHECK(!memcmp(host(BUF_GPA(RX)), "ls", 2));
	CHECK(!memcmp(host(BUF_GPA(RX) + 0x100), "\n", 1));
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(con.st->rx_bytes, 3);
	/* Buffers used up: the next bytes wait. */
	CHECK_EQ(virtio_console_receive(&con, &t, (const uint8_t *)"x", 1), 0);
}

TEST(input_before_driver_ok_is_refused)
{
	setup();
	post_rx(0, 16);
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(virtio_console_receive(&con, &t, (const uint8_t *)"x", 1), 0);
}

TEST(malformed_chains_stop_the_device)
{
	/* A transmit chain with a device-writable buffer. */
	setup();
	desc(TX, 0, BUF_GPA(TX), 4, VIRTQ_DESC_F_WRITE, 0);
	offer(TX, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TX);
	CHECK(needs_reset());
	CHECK_EQ(used_idx(TX), 0);
	CHECK_EQ(out_len, 0);
	/* A stopped device takes neither output nor input. */
	send(1, "late");
	CHECK_EQ(out_len, 0);
	post_rx(0, 16);
	CHECK_EQ(virtio_console_receive(&con, &t, (const uint8_t *)"x", 1), 0);

	/* A receive chain with a device-readable buffer. */
	setup();
	desc(RX, 0, BUF_GPA(RX), 4, 0, 0);
	offer(RX, 0);
	CHECK_EQ(virtio_console_receive(&con, &t, (const uint8_t *)"x", 1), 0);
	CHECK(needs_reset());

	/* A buffer outside RAM, and a descriptor loop. */
	setup();
	desc(TX, 0, RAM_GPA + RAM_SIZE - 2, 4, 0, 0);
	offer(TX, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TX);
	CHECK(needs_reset());
	setup();
	desc(RX, 0, BUF_GPA(RX), 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	offer(RX, 0);
	CHECK_EQ(virtio_console_receive(&con, &t, (const uint8_t *)"x", 1), 0);
	CHECK(needs_reset());

	/* An avail index far ahead: the queue is broken. */
	setup();
	put16(AVAIL_GPA(TX) + 2, 1000);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TX);
	CHECK(needs_reset());

	/* A reset brings it back. */
	setup();
	send(0, "ok");
	CHECK_EQ(out_len, 2);
}

TEST(huge_chain_is_cut)
{
	setup();
	desc(TX, 0, RAM_GPA, RAM_SIZE, 0, 0);   /* all of RAM, rings included */
	offer(TX, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TX);
	CHECK_EQ(used_idx(TX), 1);
	CHECK_EQ(out_len, VIRTIO_CONSOLE_CHAIN_MAX);
}

TEST(long_queue_is_bounded)
{
	setup();
	for (unsigned i = 0; i < QSIZE; i++) {
		desc(TX, i, BUF_GPA(TX) + 0x100ULL * i, 1, 0, 0);
		offer(TX, (uint16_t)i);
	}
	/* At most a queue's worth per notify; the rest by polling. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, TX);
	CHECK_EQ(used_idx(TX), QSIZE);
	virtio_mmio_poll(&t);
	CHECK(!virtio_mmio_pending(&t));
}

/*
 * rivet-dm killed while the console worked: a transmit chain popped and
 * output but not published, another waiting behind a full output, a
 * receive buffer popped and filled but not published. A successor with new
 * structs over the same state outputs the first again (what the dead
 * process output died with its buffer), then the waiting one, completes
 * each once, and puts new input into the receive buffer taken again.
 */
TEST(successor_takes_over)
{
	static struct virtio_mmio_state mst;
	static struct virtio_console_state cst;
	struct vq_chain c;

	setup();
	virtio_console_bind_state(&con, &cst, 0);
	CHECK_EQ(virtio_mmio_bind_state(&t, &mst, 0), 0);
	CHECK(con.st == &cst && t.st == &mst);
	send(0, "one ");
	out_room = 0;
	send(1, "two ");
	send(2, "three ");
	CHECK(cst.tx_stalled);
	CHECK_EQ(vq_pop(&t.vq[TX], &mem, &c), VQ_CHAIN);   /* the dead process took "two " */
	fake_out(NULL, c.seg[0].ptr, c.seg[0].len);
	post_rx(0, 16);
	CHECK_EQ(vq_pop(&t.vq[RX], &mem, &c), VQ_CHAIN);   /* ... and filled a receive buffer */
	memcpy(c.seg[0].ptr, "lost", 4);
	CHECK_EQ(used_idx(TX), 1);
	CHECK_EQ(used_idx(RX), 0);

	/* The successor: its own structs, its own (empty) output with room, the same state. */
	out_len = 0;
	out_room = 1 << 16;
	irq_level = -1;
	virtio_console_init(&con, &fake_io, NULL);
	virtio_console_bind_state(&con, &cst, 1);
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set, .source = 1 }, &con.vdev);
	CHECK_EQ(virtio_mmio_bind_state(&t, &mst, 1), 0);
	virtio_mmio_resume(&t, 0);
	CHECK_EQ(out_len, 10);
	CHECK(!memcmp(out_buf, "two three ", 10));
	CHECK_EQ(used_idx(TX), 3);
	CHECK_EQ(get32(USED_GPA(TX) + 4 + 8 * 1), 1);     /* in order, each head once */
	CHECK_EQ(get32(USED_GPA(TX) + 4 + 8 * 2), 2);
	CHECK(!cst.tx_stalled);
	CHECK_EQ(cst.tx_bytes, 14);
	CHECK_EQ(irq_level, 1);                            /* after a death: one more interrupt */
	CHECK_EQ(virtio_console_receive(&con, &t, (const uint8_t *)"hi", 2), 2);
	CHECK_EQ(used_idx(RX), 1);
	CHECK_EQ(used_len(RX, 0), 2);
	CHECK(!memcmp(host(BUF_GPA(RX)), "hi", 2));
	CHECK_EQ(cst.rx_bytes, 2);
	send(3, "four");
	CHECK_EQ(out_len, 14);
	CHECK_EQ(used_idx(TX), 4);

	/* A damaged flag is only ever a flag; a slot's state is never another device's. */
	cst.tx_stalled = 0x80;
	virtio_console_bind_state(&con, &cst, 1);
	CHECK_EQ(cst.tx_stalled, 1);
	mst.device_id = 2;   /* a disk's */
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set, .source = 1 }, &con.vdev);
	CHECK_EQ(virtio_mmio_bind_state(&t, &mst, 1), -1);
	CHECK(t.st == &t.own);
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
	RUN(output);
	RUN(full_output_holds_the_guest_back);
	RUN(input);
	RUN(input_before_driver_ok_is_refused);
	RUN(malformed_chains_stop_the_device);
	RUN(huge_chain_is_cut);
	RUN(long_queue_is_bounded);
	RUN(successor_takes_over);
	free(ram);
	return CHECK_DONE();
}
