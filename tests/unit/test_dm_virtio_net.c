/* SPDX-License-Identifier: MIT */
/*
 * test_dm_virtio_net.c: virtio-net (tools/dm/virtio_net.c) behind its
 * virtio-mmio transport, driven as a guest driver would on a fake guest
 * RAM, with a fake backend (a queue of packets to receive, a record of
 * what was sent): config, transmit, receive with and without mergeable
 * buffers, offload checks, waiting for buffers, and malformed chains.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "virtio_net.h"

#define RAM_GPA    0x80000000ULL
#define RAM_SIZE   (4u << 20)
#define RXQ_GPA    (RAM_GPA + 0x1000)    /* desc 0x1000, avail +0x1000, used +0x2000 */
#define TXQ_GPA    (RAM_GPA + 0x8000)
#define BUF_GPA    (RAM_GPA + 0x100000)  /* receive buffers, 64 KiB apart */
#define PKT_GPA    (RAM_GPA + 0x300000)  /* transmit data */
#define QSIZE      16
static unsigned qn = QSIZE;   /* the queues' size in this test */

static uint8_t *ram;
static struct dm_mem mem;
static struct virtio_net *net;
static struct virtio_mmio t;
static int irq_level;
static uint16_t avail_idx[2];

/* ---- the fake backend ---- */
#define FAKE_MAX 8
static struct { uint8_t data[VIRTIO_NET_MAX_PACKET + 64]; size_t len; } rxq[FAKE_MAX], sent[FAKE_MAX];
static unsigned rx_n, rx_head, sent_n, offload_calls;
static int last_offload = -1, send_fails;

static int fake_send(void *be, const struct iovec *iov, unsigned niov)
{
	(void)be;
	if (send_fails)
		return -1;
	size_t len = 0;
	for (unsigned i = 0; i < niov; i++) {
		if (sent_n < FAKE_MAX && len + iov[i].iov_len <= sizeof sent[0].data)
			memcpy(sent[sent_n].data + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	if (sent_n < FAKE_MAX)
		sent[sent_n++].len = len;
	return 0;
}

static ssize_t fake_recv(void *be, void *buf, size_t len)
{
	(void)be;
	if (rx_head == rx_n)
		return 0;
	size_t n = rxq[rx_head].len < len ? rxq[rx_head].len : len;
	memcpy(buf, rxq[rx_head].data, n);
	rx_head++;
	return (ssize_t)n;
}

static void fake_offload(void *be, unsigned off)
{
	(void)be;
	last_offload = (int)off;
	offload_calls++;
}

static const struct virtio_net_backend fake = { fake_send, fake_recv, fake_offload };

/* A packet for the guest: a header with FLAGS/GSO, then LEN bytes of pattern i + SEED. */
static void queue_rx(size_t len, uint8_t seed, uint8_t flags, uint8_t gso)
{
	uint8_t *p = rxq[rx_n].data;
	memset(p, 0, VIRTIO_NET_HDR_SIZE);
	p[0] = flags;
	p[1] = gso;
	for (size_t i = 0; i < len; i++)
		p[VIRTIO_NET_HDR_SIZE + i] = (uint8_t)(i + seed);
	rxq[rx_n++].len = VIRTIO_NET_HDR_SIZE + len;
}

/* ---- the guest side ---- */
static void *host(uint64_t gpa) { return ram + (gpa - RAM_GPA); }
static void put16(uint64_t gpa, uint16_t v) { memcpy(host(gpa), &v, sizeof v); }
static uint16_t get16(uint64_t gpa) { uint16_t v; memcpy(&v, host(gpa), sizeof v); return v; }
static uint32_t get32(uint64_t gpa) { uint32_t v; memcpy(&v, host(gpa), sizeof v); return v; }
static uint32_t rd(uint64_t off) { return (uint32_t)virtio_mmio_read(&t, off, 4); }
static void wr(uint64_t off, uint32_t v) { virtio_mmio_write(&t, off, 4, v); }
static uint64_t qbase(unsigned q) { return q == VIRTIO_NET_RXQ ? RXQ_GPA : TXQ_GPA; }

static void irq_set(void *ctx, unsigned source, int level)
{
	(void)ctx;
	(void)source;
	irq_level = level;
}

static void desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = host(qbase(q) + 16ULL * i);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

static void offer(unsigned q, uint16_t head)
{
	uint64_t avail = qbase(q) + 0x1000;
	put16(avail + 4 + 2ULL * (avail_idx[q] % qn), head);
	avail_idx[q]++;
	put16(avail + 2, avail_idx[q]);
}

static void kick(unsigned q) { wr(VIRTIO_MMIO_QUEUE_NOTIFY, q); }
static uint16_t used_idx(unsigned q) { return get16(qbase(q) + 0x2000 + 2); }
static uint32_t used_id(unsigned q, unsigned n) { return get32(qbase(q) + 0x2000 + 4 + 8ULL * (n % qn)); }
static uint32_t used_len(unsigned q, unsigned n) { return get32(qbase(q) + 0x2000 + 8 + 8ULL * (n % qn)); }

/* A device on a live transport with both queues ready; FEATURES: what the driver accepts. */
static void setup(bool offloads, uint64_t features)
{
	static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 };

	features |= 1ULL << VIRTIO_F_VERSION_1;
	memset(ram, 0, RAM_SIZE);
	avail_idx[0] = avail_idx[1] = 0;
	rx_n = rx_head = sent_n = offload_calls = 0;
	last_offload = -1;
	send_fails = 0;
	irq_level = -1;
	virtio_net_init(net, mac, &fake, NULL, offloads);
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set, .source = 1 }, &net->vdev);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	for (unsigned q = 0; q < 2; q++) {
		wr(VIRTIO_MMIO_QUEUE_SEL, q);
		wr(VIRTIO_MMIO_QUEUE_NUM, qn);
		wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)qbase(q));
		wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)(qbase(q) + 0x1000));
		wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)(qbase(q) + 0x2000));
		wr(VIRTIO_MMIO_QUEUE_READY, 1);
	}
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
	   VIRTIO_STATUS_DRIVER_OK);
}

static bool needs_reset(void) { return rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET; }

/* Receive buffer I: one writable descriptor of LEN bytes at BUF_GPA + I * 64 KiB, offered. */
static void post_rx(unsigned i, uint32_t len)
{
	desc(VIRTIO_NET_RXQ, i, BUF_GPA + 0x10000ULL * i, len, VIRTQ_DESC_F_WRITE, 0);
	offer(VIRTIO_NET_RXQ, (uint16_t)i);
}

static uint8_t *rx_buf(unsigned i) { return host(BUF_GPA + 0x10000ULL * i); }

/* A transmit packet at descriptor D: header (FLAGS, GSO, GSO_SIZE) then LEN bytes, in two descriptors. */
static void send_tx(unsigned d, uint32_t len, uint8_t flags, uint8_t gso, uint16_t gso_size)
{
	uint8_t *h = host(PKT_GPA + 0x20000ULL * d);
	memset(h, 0, VIRTIO_NET_HDR_SIZE);
	h[0] = flags;
	h[1] = gso;
	uint16_t gs = htole16(gso_size);
	memcpy(h + 4, &gs, 2);
	for (uint32_t i = 0; i < len; i++)
		h[VIRTIO_NET_HDR_SIZE + i] = (uint8_t)(i * 7);
	desc(VIRTIO_NET_TXQ, d, PKT_GPA + 0x20000ULL * d, VIRTIO_NET_HDR_SIZE, VIRTQ_DESC_F_NEXT, (uint16_t)(d + 1));
	desc(VIRTIO_NET_TXQ, d + 1, PKT_GPA + 0x20000ULL * d + VIRTIO_NET_HDR_SIZE, len, 0, 0);
	offer(VIRTIO_NET_TXQ, (uint16_t)d);
}

TEST(config_and_features)
{
	setup(true, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 0, 1), 0x00);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 2, 1), 0x3e);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 5, 1), 0x56);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 6, 2), VIRTIO_NET_S_LINK_UP);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t f = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	CHECK(f & 1u << VIRTIO_NET_F_MAC);
	CHECK(f & 1u << VIRTIO_NET_F_STATUS);
	CHECK(f & 1u << VIRTIO_NET_F_MRG_RXBUF);
	CHECK(f & 1u << VIRTIO_NET_F_CSUM);
	CHECK(f & 1u << VIRTIO_NET_F_HOST_TSO4);
	CHECK(f & 1u << VIRTIO_NET_F_GUEST_TSO4);
	/* Without a backend that carries offloads, none is offered. */
	setup(false, 0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	CHECK(!(f & 1u << VIRTIO_NET_F_CSUM));
	CHECK(!(f & 1u << VIRTIO_NET_F_GUEST_CSUM));
	CHECK(f & 1u << VIRTIO_NET_F_MRG_RXBUF);
	/* Config beyond its 10 bytes reads 0. */
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 10, 4), 0);
}

TEST(transmit)
{
	setup(true, 0);
	send_tx(0, 60, 0, 0, 0);
	send_tx(2, 1500, 0, 0, 0);
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(used_idx(VIRTIO_NET_TXQ), 2);
	CHECK_EQ(used_len(VIRTIO_NET_TXQ, 0), 0);
	CHECK_EQ(sent_n, 2);
	CHECK_EQ(sent[0].len, VIRTIO_NET_HDR_SIZE + 60);
	CHECK_EQ(sent[1].len, VIRTIO_NET_HDR_SIZE + 1500);
	CHECK_EQ(sent[1].data[VIRTIO_NET_HDR_SIZE + 3], 21);
	CHECK_EQ(net->st->tx_packets, 2);
	CHECK_EQ(net->st->tx_bytes, 1560);
	CHECK_EQ(irq_level, 1);
	/* The header and the frame in one descriptor, as Linux sends them. */
	desc(VIRTIO_NET_TXQ, 4, PKT_GPA, VIRTIO_NET_HDR_SIZE + 100, 0, 0);
	offer(VIRTIO_NET_TXQ, 4);
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(sent_n, 3);
	CHECK_EQ(sent[2].len, VIRTIO_NET_HDR_SIZE + 100);
}

TEST(transmit_offloads_only_as_negotiated)
{
	/* No CSUM/TSO accepted: such packets are dropped, the chain returned. */
	setup(true, 0);
	send_tx(0, 100, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0);
	send_tx(2, 3000, 0, VIRTIO_NET_HDR_GSO_TCPV4, 1448);
	send_tx(4, 100, 0, 0x33, 0);
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(used_idx(VIRTIO_NET_TXQ), 3);
	CHECK_EQ(sent_n, 0);
	CHECK_EQ(net->st->tx_dropped, 3);
	CHECK(!needs_reset());
	/* Accepted: they go through, header as the guest wrote it (num_buffers zeroed). */
	setup(true, 1ULL << VIRTIO_NET_F_CSUM | 1ULL << VIRTIO_NET_F_HOST_TSO4);
	send_tx(0, 100, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0);
	send_tx(2, 3000, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 1448);
	send_tx(4, 3000, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 0); /* gso_size 0 */
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(sent_n, 2);
	CHECK_EQ(sent[1].data[1], VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(net->st->tx_dropped, 1);
}

TEST(transmit_too_large_or_malformed)
{
	setup(true, 0);
	/* A frame over 64 KiB + headers: dropped, ring fine. */
	desc(VIRTIO_NET_TXQ, 0, PKT_GPA, VIRTIO_NET_HDR_SIZE, VIRTQ_DESC_F_NEXT, 1);
	desc(VIRTIO_NET_TXQ, 1, PKT_GPA + 0x1000, VIRTIO_NET_MAX_FRAME + 1, 0, 0);
	offer(VIRTIO_NET_TXQ, 0);
	/* A bare header: no frame, dropped. */
	desc(VIRTIO_NET_TXQ, 2, PKT_GPA, VIRTIO_NET_HDR_SIZE, 0, 0);
	offer(VIRTIO_NET_TXQ, 2);
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(used_idx(VIRTIO_NET_TXQ), 2);
	CHECK_EQ(sent_n, 0);
	CHECK_EQ(net->st->tx_dropped, 2);
	CHECK(!needs_reset());
	/* A header shorter than 12 bytes: a device error. */
	desc(VIRTIO_NET_TXQ, 3, PKT_GPA, 5, 0, 0);
	offer(VIRTIO_NET_TXQ, 3);
	kick(VIRTIO_NET_TXQ);
	CHECK(needs_reset());
	CHECK_EQ(used_idx(VIRTIO_NET_TXQ), 2);
	/* A writable transmit buffer: a device error too. */
	setup(true, 0);
	desc(VIRTIO_NET_TXQ, 0, PKT_GPA, 100, VIRTQ_DESC_F_WRITE, 0);
	offer(VIRTIO_NET_TXQ, 0);
	kick(VIRTIO_NET_TXQ);
	CHECK(needs_reset());
	CHECK_EQ(sent_n, 0);
	/* A self-looping chain. */
	setup(true, 0);
	desc(VIRTIO_NET_TXQ, 0, PKT_GPA, 100, VIRTQ_DESC_F_NEXT, 0);
	offer(VIRTIO_NET_TXQ, 0);
	kick(VIRTIO_NET_TXQ);
	CHECK(needs_reset());
	/* A failing backend: dropped, counted, nothing stops. */
	setup(true, 0);
	send_fails = 1;
	send_tx(0, 60, 0, 0, 0);
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(used_idx(VIRTIO_NET_TXQ), 1);
	CHECK_EQ(net->st->tx_dropped, 1);
	CHECK(!needs_reset());
}

TEST(receive_one_buffer_each)
{
	setup(true, 0);
	CHECK(virtio_net_wants_rx(net, &t));
	post_rx(0, 1526);
	post_rx(1, 1526);
	queue_rx(60, 1, 0, 0);
	queue_rx(1514, 2, 0, 0);
	CHECK(!virtio_net_rx(net, &t));
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 2);
	CHECK_EQ(used_id(VIRTIO_NET_RXQ, 0), 0);
	CHECK_EQ(used_len(VIRTIO_NET_RXQ, 0), VIRTIO_NET_HDR_SIZE + 60);
	CHECK_EQ(used_len(VIRTIO_NET_RXQ, 1), VIRTIO_NET_HDR_SIZE + 1514);
	CHECK_EQ(get16(BUF_GPA + 10), 1);     /* num_buffers */
	CHECK_EQ(rx_buf(1)[VIRTIO_NET_HDR_SIZE + 1513], (uint8_t)(1513 + 2));
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(net->st->rx_packets, 2);
	CHECK_EQ(last_offload, 0);
}

TEST(receive_too_big_without_mergeable_is_dropped)
{
	setup(true, 0);
	post_rx(0, 100);
	queue_rx(200, 0, 0, 0);
	queue_rx(50, 9, 0, 0);
	virtio_net_rx(net, &t);
	/* The big one dropped, its buffer kept and given the next. */
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 1);
	CHECK_EQ(used_len(VIRTIO_NET_RXQ, 0), VIRTIO_NET_HDR_SIZE + 50);
	CHECK_EQ(rx_buf(0)[VIRTIO_NET_HDR_SIZE], 9);
	CHECK_EQ(net->st->rx_dropped, 1);
}

TEST(receive_mergeable)
{
	setup(true, 1ULL << VIRTIO_NET_F_MRG_RXBUF);
	for (unsigned i = 0; i < 5; i++)
		post_rx(i, 1000);
	queue_rx(2500, 3, 0, 0);  /* 2512 bytes with the header: three buffers */
	queue_rx(10, 4, 0, 0);
	virtio_net_rx(net, &t);
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 4);
	CHECK_EQ(get16(BUF_GPA + 10), 3);
	CHECK_EQ(used_len(VIRTIO_NET_RXQ, 0), 1000);
	CHECK_EQ(used_len(VIRTIO_NET_RXQ, 1), 1000);
	CHECK_EQ(used_len(VIRTIO_NET_RXQ, 2), 512);
	CHECK_EQ(rx_buf(1)[0], (uint8_t)(988 + 3));
	CHECK_EQ(rx_buf(2)[511], (uint8_t)(2499 + 3));
	CHECK_EQ(get16(BUF_GPA + 0x30000 + 10), 1);
	CHECK_EQ(used_len(VIRTIO_NET_RXQ, 3), VIRTIO_NET_HDR_SIZE + 10);
}

TEST(receive_waits_for_buffers)
{
	setup(true, 1ULL << VIRTIO_NET_F_MRG_RXBUF);
	post_rx(0, 1000);
	queue_rx(1500, 5, 0, 0);
	queue_rx(20, 6, 0, 0);
	virtio_net_rx(net, &t);
	/* It does not fit: nothing used, the backend not read further, not polled. */
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 0);
	CHECK_EQ(rx_head, 1);
	CHECK(!virtio_net_wants_rx(net, &t));
	/* The guest posts another buffer and kicks: the packet goes, then the next. */
	post_rx(1, 1000);
	post_rx(2, 1000);
	kick(VIRTIO_NET_RXQ);
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 3);
	CHECK_EQ(get16(BUF_GPA + 10), 2);
	CHECK_EQ(used_id(VIRTIO_NET_RXQ, 2), 2);
	CHECK(virtio_net_wants_rx(net, &t));
	CHECK_EQ(net->st->rx_dropped, 0);
	/* A packet the whole ring cannot hold is dropped, not waited for. */
	setup(true, 1ULL << VIRTIO_NET_F_MRG_RXBUF);
	for (unsigned i = 0; i < QSIZE; i++)
		post_rx(i, 64);
	queue_rx(5000, 0, 0, 0);
	virtio_net_rx(net, &t);
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 0);
	CHECK_EQ(net->st->rx_dropped, 1);
	CHECK(virtio_net_wants_rx(net, &t));
}

TEST(receive_offloads_follow_the_driver)
{
	setup(true, 1ULL << VIRTIO_NET_F_GUEST_CSUM | 1ULL << VIRTIO_NET_F_GUEST_TSO4 |
		     1ULL << VIRTIO_NET_F_MRG_RXBUF);
	post_rx(0, 2000);
	virtio_net_rx(net, &t);
	CHECK_EQ(last_offload, VIRTIO_NET_OFF_CSUM | VIRTIO_NET_OFF_TSO4);
	queue_rx(100, 0, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0);
	virtio_net_rx(net, &t);
	CHECK_EQ(*rx_buf(0), VIRTIO_NET_HDR_F_NEEDS_CSUM);
	/* A driver without GUEST_CSUM never gets NEEDS_CSUM (the backend should not send it). */
	setup(true, 0);
	post_rx(0, 2000);
	queue_rx(100, 0, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0);
	queue_rx(100, 0, VIRTIO_NET_HDR_F_DATA_VALID, 0);
	queue_rx(3000, 0, 0, VIRTIO_NET_HDR_GSO_TCPV4);
	virtio_net_rx(net, &t);
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 1);
	CHECK_EQ(*rx_buf(0), 0);      /* DATA_VALID cleared */
	CHECK_EQ(net->st->rx_dropped, 2);
	/* A reset turns offloads off. */
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(last_offload, 0);
}

TEST(receive_malformed_chains)
{
	/* A readable receive buffer. */
	setup(true, 0);
	desc(VIRTIO_NET_RXQ, 0, BUF_GPA, 2000, 0, 0);
	offer(VIRTIO_NET_RXQ, 0);
	queue_rx(100, 0, 0, 0);
	virtio_net_rx(net, &t);
	CHECK(needs_reset());
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 0);
	CHECK(!virtio_net_wants_rx(net, &t));
	/* A buffer too small for the header. */
	setup(true, 1ULL << VIRTIO_NET_F_MRG_RXBUF);
	post_rx(0, 4);
	queue_rx(100, 0, 0, 0);
	virtio_net_rx(net, &t);
	CHECK(needs_reset());
	/* A buffer outside RAM: a bad chain. */
	setup(true, 0);
	desc(VIRTIO_NET_RXQ, 0, RAM_GPA + RAM_SIZE - 8, 2000, VIRTQ_DESC_F_WRITE, 0);
	offer(VIRTIO_NET_RXQ, 0);
	queue_rx(100, 0, 0, 0);
	virtio_net_rx(net, &t);
	CHECK(needs_reset());
	/* A short packet from the backend (no frame) is dropped. */
	setup(true, 0);
	post_rx(0, 2000);
	rxq[0].len = 6;
	rx_n = 1;
	virtio_net_rx(net, &t);
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 0);
	CHECK_EQ(net->st->rx_dropped, 1);
	CHECK(!needs_reset());
}

TEST(receive_work_is_bounded)
{
	setup(true, 0);
	for (unsigned i = 0; i < QSIZE; i++)
		post_rx(i, 200);
	/* More packets waiting than the ring: a ring's worth, then "more". */
	for (unsigned i = 0; i < FAKE_MAX; i++)
		queue_rx(50, (uint8_t)i, 0, 0);
	CHECK(!virtio_net_rx(net, &t));
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), FAKE_MAX);
	/* A ring of 4: four packets a round, then "more"; the rest in the next rounds. */
	qn = 4;
	setup(true, 0);
	for (unsigned i = 0; i < 4; i++)
		post_rx(i, 200);
	for (unsigned i = 0; i < 6; i++)
		queue_rx(50, (uint8_t)i, 0, 0);
	CHECK(virtio_net_rx(net, &t));
	CHECK_EQ(rx_head, 4);
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 4);
	/* No buffers left: the fifth packet waits, and the backend is not read on. */
	CHECK(!virtio_net_rx(net, &t));
	CHECK_EQ(rx_head, 5);
	CHECK(!virtio_net_wants_rx(net, &t));
	for (unsigned i = 0; i < 4; i++)
		post_rx(i, 200);
	kick(VIRTIO_NET_RXQ);
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 6);
	CHECK_EQ(rx_buf(1)[VIRTIO_NET_HDR_SIZE], 5);
	qn = QSIZE;
	/* Not live: nothing read. */
	setup(true, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	queue_rx(50, 0, 0, 0);
	CHECK(!virtio_net_wants_rx(net, &t));
	virtio_net_rx(net, &t);
	CHECK_EQ(rx_head, 0);
}

TEST(state_is_reached_through_st)
{
	static struct virtio_net_state elsewhere;
	setup(true, 0);
	memcpy(&elsewhere, net->st, sizeof elsewhere);
	elsewhere.mac[5] = 0x99;
	net->st = &elsewhere;
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 5, 1), 0x99);
	send_tx(0, 60, 0, 0, 0);
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(elsewhere.tx_packets, 1);
	net->st = &net->own;
}

/*
 * A successor (rivet-dm --resume) over the state a killed one left: a packet
 * whose chains were popped and partly filled, never published, is lost
 * (only the dead process had it) and its chains serve the next packet, each
 * head published once, in order; a transmit chain sent but not published is
 * sent again; the MAC must be the same; a damaged status is clamped.
 */
TEST(successor_takes_over)
{
	static struct virtio_mmio_state mst;
	static struct virtio_net_state nst;
	static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 };
	static const uint8_t other[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x57 };
	struct vq_chain *c = calloc(1, sizeof *c);

	CHECK(c != NULL);
	setup(true, 1ULL << VIRTIO_NET_F_MRG_RXBUF);
	CHECK_EQ(virtio_net_bind_state(net, &nst, 0), 0);
	CHECK_EQ(virtio_mmio_bind_state(&t, &mst, 0), 0);
	CHECK(net->st == &nst);
	for (unsigned i = 0; i < 4; i++)
		post_rx(i, 1000);
	queue_rx(10, 1, 0, 0);
	virtio_net_rx(net, &t);                            /* one packet delivered before the kill */
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 1);
	CHECK_EQ(nst.rx_packets, 1);
	/* The dead process: two chains of a 2500-byte packet popped, one filled, none published. */
	CHECK_EQ(vq_pop(&t.vq[VIRTIO_NET_RXQ], &mem, c), VQ_CHAIN);
	CHECK_EQ(vq_pop(&t.vq[VIRTIO_NET_RXQ], &mem, c), VQ_CHAIN);
	CHECK_EQ(vq_fill(&t.vq[VIRTIO_NET_RXQ], &mem, 1, 1000), 0);
	/* ... and a transmit chain sent, not published. */
	send_tx(0, 60, 0, 0, 0);
	CHECK_EQ(vq_pop(&t.vq[VIRTIO_NET_TXQ], &mem, c), VQ_CHAIN);
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 1);
	CHECK_EQ(used_idx(VIRTIO_NET_TXQ), 0);

	/* The successor: its own structs, the same state, the next packet waiting in the tap. */
	rx_n = rx_head = sent_n = 0;
	queue_rx(2500, 2, 0, 0);
	virtio_net_init(net, mac, &fake, NULL, true);
	CHECK_EQ(virtio_net_bind_state(net, &nst, 1), 0);
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set, .source = 1 }, &net->vdev);
	CHECK_EQ(virtio_mmio_bind_state(&t, &mst, 1), 0);
	virtio_mmio_resume(&t, 0);
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 4);
	for (unsigned i = 1; i < 4; i++)
		CHECK_EQ(used_id(VIRTIO_NET_RXQ, i), i);   /* each head once, in order */
	CHECK_EQ(get16(BUF_GPA + 0x10000 + 10), 3);       /* the new packet's header: three buffers */
	CHECK_EQ(used_len(VIRTIO_NET_RXQ, 3), 512);
	CHECK_EQ(nst.rx_packets, 2);
	CHECK_EQ(sent_n, 1);                               /* the unpublished transmit, sent again */
	CHECK_EQ(used_idx(VIRTIO_NET_TXQ), 1);
	CHECK_EQ(t.vq[VIRTIO_NET_RXQ].nr_held, 0);
	CHECK_EQ(t.vq[VIRTIO_NET_RXQ].journal_open, 0);

	/* Another NIC's file is refused; a damaged status is only the link bit. */
	virtio_net_init(net, other, &fake, NULL, true);
	CHECK_EQ(virtio_net_bind_state(net, &nst, 1), -1);
	CHECK(net->st == &net->own);
	nst.status = 0xfffe;
	virtio_net_init(net, mac, &fake, NULL, true);
	CHECK_EQ(virtio_net_bind_state(net, &nst, 1), 0);
	CHECK_EQ(nst.status, 0);
	net->st = &net->own;
	t.st = &t.own;
	t.vq = t.own.vq;
	free(c);
}

/* Chains taken back for want of buffers are no longer held: a publish after them commits right. */
TEST(unpop_is_not_held)
{
	setup(true, 1ULL << VIRTIO_NET_F_MRG_RXBUF);
	post_rx(0, 1000);
	queue_rx(1500, 5, 0, 0);
	virtio_net_rx(net, &t);
	CHECK_EQ(t.vq[VIRTIO_NET_RXQ].nr_held, 0);
	CHECK_EQ(t.vq[VIRTIO_NET_RXQ].last_avail_idx, 0);
	post_rx(1, 1000);
	kick(VIRTIO_NET_RXQ);
	CHECK_EQ(used_idx(VIRTIO_NET_RXQ), 2);
	CHECK_EQ(t.vq[VIRTIO_NET_RXQ].commit_avail, 2);
	CHECK_EQ(t.vq[VIRTIO_NET_RXQ].nr_held, 0);
}

int main(void)
{
	check_suite = "dm_virtio_net";
	ram = aligned_alloc(4096, RAM_SIZE);
	net = calloc(1, sizeof *net);
	if (!ram || !net)
		return 1;
	mem = (struct dm_mem){ .host = ram, .gpa = RAM_GPA, .size = RAM_SIZE };
	RUN(config_and_features);
	RUN(transmit);
	RUN(transmit_offloads_only_as_negotiated);
	RUN(transmit_too_large_or_malformed);
	RUN(receive_one_buffer_each);
	RUN(receive_too_big_without_mergeable_is_dropped);
	RUN(receive_mergeable);
	RUN(receive_waits_for_buffers);
	RUN(receive_offloads_follow_the_driver);
	RUN(receive_malformed_chains);
	RUN(receive_work_is_bounded);
	RUN(state_is_reached_through_st);
	RUN(successor_takes_over);
	RUN(unpop_is_not_held);
	free(net);
	free(ram);
	return CHECK_DONE();
}
