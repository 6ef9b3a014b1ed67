/* SPDX-License-Identifier: MIT */
/*
 * test_dm_virtio_input.c: the power button (tools/dm/virtio_input.c) behind
 * its virtio-mmio transport, driven as Linux's virtio_input driver would on
 * a fake guest RAM: the config space it probes (name, ids, the EV_KEY
 * bitmap the sysrq handler matches on), presses with and without buffers,
 * no driver, a full FIFO, the sysrq sequence, hostile chains, reset, a
 * successor taking the FIFO over (docs/dm.md "Restart"), and the vCPU axis
 * (xl vcpu-set: its config, its value to each new driver and on changes).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "virtio_input.h"

#define RAM_GPA   0x80000000ULL
#define RAM_SIZE  (1u << 20)
#define QSIZE     16
#define DESC_GPA(q)  (RAM_GPA + 0x1000 + 0x10000ULL * (q))
#define AVAIL_GPA(q) (DESC_GPA(q) + 0x1000)
#define USED_GPA(q)  (DESC_GPA(q) + 0x2000)
#define BUF_GPA(q)   (DESC_GPA(q) + 0x4000)
#define EVQ VIRTIO_INPUT_EVENTQ
#define STQ VIRTIO_INPUT_STATUSQ

static uint8_t *ram;
static struct dm_mem mem;
static struct virtio_input in;
static struct virtio_mmio t;
static int irq_level;
static uint16_t drv_avail[2];

#include "virtio_driver.h"
static uint32_t rdn(uint64_t off, unsigned size) { return (uint32_t)virtio_mmio_read(&t, off, size); }
static void wr8(uint64_t off, uint8_t v) { virtio_mmio_write(&t, off, 1, v); }

static void irq_set(void *ctx, unsigned source, int level)
{
	(void)ctx;
	(void)source;
	irq_level = level;
}

static void driver_ok(void)
{
	uint64_t features = 1ULL << VIRTIO_F_VERSION_1;
	const uint32_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	wr(VIRTIO_MMIO_STATUS, s);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(VIRTIO_MMIO_STATUS, s | VIRTIO_STATUS_FEATURES_OK);
	queue_setup(EVQ);
	queue_setup(STQ);
	wr(VIRTIO_MMIO_STATUS, s | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

/* A button whose driver is up, with no buffers posted yet. */
static void setup(void)
{
	memset(ram, 0, RAM_SIZE);
	drv_avail[0] = drv_avail[1] = 0;
	irq_level = -1;
	virtio_input_init(&in);
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set, .source = 9 }, &in.vdev);
	driver_ok();
}

static void offer(unsigned q, uint16_t head)
{
	put16(AVAIL_GPA(q) + 4 + 2ULL * (drv_avail[q] % QSIZE), head);
	drv_avail[q]++;
	put16(AVAIL_GPA(q) + 2, drv_avail[q]);
}

/* The driver posts N event buffers of LEN bytes (descriptors FIRST..) and kicks. */
static void post_events(unsigned first, unsigned n, uint32_t len, uint16_t flags)
{
	for (unsigned i = first; i < first + n; i++) {
		desc(EVQ, i % QSIZE, BUF_GPA(EVQ) + 0x10ULL * (i % QSIZE), len, flags, 0);
		offer(EVQ, (uint16_t)(i % QSIZE));
	}
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, EVQ);
}

static uint16_t used_idx(unsigned q) { return get16(USED_GPA(q) + 2); }
static bool needs_reset(void) { return rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET; }

/* The event in used entry N of the event queue. */
static struct virtio_input_event used_event(unsigned n)
{
	uint32_t head = get32(USED_GPA(EVQ) + 4 + 8ULL * (n % QSIZE));
	uint32_t len = get32(USED_GPA(EVQ) + 8 + 8ULL * (n % QSIZE));
	uint64_t buf = BUF_GPA(EVQ) + 0x10ULL * head;

	CHECK_EQ(len, VIRTIO_INPUT_EVENT_BYTES);
	return (struct virtio_input_event){ get16(buf), get16(buf + 2), get32(buf + 4) };
}

#define CHECK_EVENT(n, ty, co, va) do { struct virtio_input_event _e = used_event(n); \
	CHECK_EQ(_e.type, ty); CHECK_EQ(_e.code, co); CHECK_EQ(_e.value, va); } while (0)

/* Selects SEL/SUB and returns the size the device answers, the data into OUT. */
static unsigned cfg(uint8_t sel, uint8_t sub, uint8_t *out)
{
	wr8(VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_SELECT, sel);
	wr8(VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_SUBSEL, sub);
	for (unsigned i = 0; i < VIRTIO_INPUT_CFG_DATA_MAX; i++)
		out[i] = (uint8_t)rdn(VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_DATA + i, 1);
	return rdn(VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_SIZE, 1);
}

static int bit(const uint8_t *map, unsigned b) { return (map[b / 8] >> (b % 8)) & 1; }

TEST(identity_and_config)
{
	uint8_t d[VIRTIO_INPUT_CFG_DATA_MAX];

	setup();
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_INPUT);
	wr(VIRTIO_MMIO_QUEUE_SEL, EVQ);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTIO_INPUT_QUEUE_SIZE);
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_ID_NAME, 0, d), strlen(VIRTIO_INPUT_NAME));
	CHECK(!memcmp(d, VIRTIO_INPUT_NAME, strlen(VIRTIO_INPUT_NAME)));
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_ID_SERIAL, 0, d), strlen(VIRTIO_INPUT_SERIAL));
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_ID_DEVIDS, 0, d), 8);
	CHECK_EQ(d[0] | d[1] << 8, VIRTIO_INPUT_BUS_VIRTUAL);
	/* The keys: power, restart, and what Linux's sysrq handler matches on and reads. */
	unsigned n = cfg(VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_KEY, d);
	CHECK(n > VIRTIO_INPUT_KEY_RESTART / 8 && n <= VIRTIO_INPUT_CFG_DATA_MAX);
	CHECK(bit(d, VIRTIO_INPUT_KEY_POWER) && bit(d, VIRTIO_INPUT_KEY_RESTART));
	CHECK(bit(d, VIRTIO_INPUT_KEY_LEFTALT) && bit(d, VIRTIO_INPUT_KEY_SYSRQ));
	CHECK(bit(d, virtio_input_key_of('b')) && bit(d, virtio_input_key_of('9')));
	CHECK(!bit(d, 1) && !bit(d, 0));   /* no KEY_ESC, KEY_RESERVED */
	/* Other event types, properties, absolute axes, unset: size 0 (Linux then leaves them off). */
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_EV_BITS, 2 /* EV_REL */, d), 0);
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_EV_BITS, 0x14 /* EV_REP */, d), 0);
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_PROP_BITS, 0, d), 0);
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_ABS_INFO, 0, d), 0);
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_UNSET, 0, d), 0);
	CHECK_EQ(cfg(0xff, 0xff, d), 0);
	for (unsigned i = 0; i < sizeof d; i++)
		CHECK_EQ(d[i], 0);
	/* select and subsel read back; size and data are not the driver's to write; wide accesses. */
	wr(VIRTIO_MMIO_CONFIG, 0x00ff1101);   /* select NAME, subsel 0x11, size ignored */
	CHECK_EQ(rdn(VIRTIO_MMIO_CONFIG, 2), 0x1101);
	CHECK_EQ(rdn(VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_SIZE, 1), strlen(VIRTIO_INPUT_NAME));
	CHECK_EQ(rdn(VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_DATA, 4), 'R' | 'i' << 8 | 'v' << 16 | 'e' << 24);
	wr(VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_DATA, 0);
	CHECK_EQ(rdn(VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CFG_DATA, 1), 'R');
	/* Past the config space: 0, and no crash. */
	CHECK_EQ(rdn(VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CONFIG_SIZE, 4), 0);
	CHECK_EQ(rdn(VIRTIO_MMIO_CONFIG + VIRTIO_INPUT_CONFIG_SIZE - 2, 4), 0);
}

TEST(key_codes)
{
	CHECK_EQ(virtio_input_key_of('1'), 2);
	CHECK_EQ(virtio_input_key_of('0'), 11);
	CHECK_EQ(virtio_input_key_of('q'), 16);
	CHECK_EQ(virtio_input_key_of('a'), 30);
	CHECK_EQ(virtio_input_key_of('h'), 35);
	CHECK_EQ(virtio_input_key_of('z'), 44);
	CHECK_EQ(virtio_input_key_of('m'), 50);
	CHECK_EQ(virtio_input_key_of('A'), 0);
	CHECK_EQ(virtio_input_key_of(' '), 0);
	CHECK_EQ(virtio_input_key_of('\0'), 0);
	CHECK_EQ(virtio_input_key_of('-'), 0);
}

TEST(press_reaches_posted_buffers)
{
	setup();
	post_events(0, 8, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(used_idx(EVQ), 0);
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), 0);
	CHECK_EQ(used_idx(EVQ), 4);
	CHECK_EVENT(0, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_KEY_POWER, 1);
	CHECK_EVENT(1, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
	CHECK_EVENT(2, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_KEY_POWER, 0);
	CHECK_EVENT(3, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_VRING, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(in.st->delivered, 4);
	CHECK_EQ(in.st->count, 0);
}

TEST(press_waits_for_buffers)
{
	setup();
	/* Three buffers for four events: the last waits for the driver's next one. */
	post_events(0, 3, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_RESTART), 0);
	CHECK_EQ(used_idx(EVQ), 3);
	CHECK_EQ(in.st->count, 1);
	post_events(3, 1, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(used_idx(EVQ), 4);
	CHECK_EVENT(2, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_KEY_RESTART, 0);
	CHECK_EVENT(3, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
	CHECK_EQ(in.st->count, 0);
}

TEST(no_driver_or_full_fifo_drops_whole_presses)
{
	setup();
	wr(VIRTIO_MMIO_STATUS, 0);   /* reset: no driver */
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), -1);
	CHECK_EQ(in.st->count, 0);
	CHECK_EQ(in.st->dropped, 4);

	setup();
	unsigned fit = VIRTIO_INPUT_PENDING_MAX / 4;
	for (unsigned i = 0; i < fit; i++)
		CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), 0);
	CHECK_EQ(in.st->count, VIRTIO_INPUT_PENDING_MAX);
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), -1);
	CHECK_EQ(virtio_input_sysrq(&in, &t, 'h'), -1);
	CHECK_EQ(in.st->count, VIRTIO_INPUT_PENDING_MAX);
	CHECK_EQ(in.st->dropped, 4 + 12);
	/* The driver catches up: every press kept goes, in order, a queue's worth at a time. */
	post_events(0, QSIZE, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(used_idx(EVQ), QSIZE);
	CHECK_EQ(in.st->count, VIRTIO_INPUT_PENDING_MAX - QSIZE);
	/* A press now fits again behind what waits. */
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_RESTART), 0);
	CHECK_EQ(in.st->count, VIRTIO_INPUT_PENDING_MAX - QSIZE + 4);
}

TEST(sysrq_sequence)
{
	setup();
	post_events(0, 12, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(virtio_input_sysrq(&in, &t, 'A'), -2);
	CHECK_EQ(virtio_input_sysrq(&in, &t, '\n'), -2);
	CHECK_EQ(used_idx(EVQ), 0);
	CHECK_EQ(virtio_input_sysrq(&in, &t, 's'), 0);
	CHECK_EQ(used_idx(EVQ), 12);
	const uint16_t keys[] = { VIRTIO_INPUT_KEY_LEFTALT, VIRTIO_INPUT_KEY_SYSRQ, 31 /* KEY_S */, 31,
				  VIRTIO_INPUT_KEY_SYSRQ, VIRTIO_INPUT_KEY_LEFTALT };
	const uint32_t down[] = { 1, 1, 1, 0, 0, 0 };
	for (unsigned i = 0; i < 6; i++) {
		CHECK_EVENT(2 * i, VIRTIO_INPUT_EV_KEY, keys[i], down[i]);
		CHECK_EVENT(2 * i + 1, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0);
	}
}

TEST(hostile_chains_stop_the_device)
{
	/* A device-readable event buffer. */
	setup();
	post_events(0, 1, VIRTIO_INPUT_EVENT_BYTES, 0);
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), 0);
	CHECK(needs_reset());
	CHECK_EQ(used_idx(EVQ), 0);
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), -1);

	/* A buffer too short for an event. */
	setup();
	post_events(0, 1, 4, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), 0);
	CHECK(needs_reset());

	/* A buffer outside guest RAM. */
	setup();
	desc(EVQ, 0, RAM_GPA + RAM_SIZE - 4, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(EVQ, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, EVQ);
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), 0);
	CHECK(needs_reset());

	/* An event split over two buffers of a chain is fine (the driver's choice). */
	setup();
	desc(EVQ, 0, BUF_GPA(EVQ), 3, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	desc(EVQ, 1, BUF_GPA(EVQ) + 3, 5, VIRTQ_DESC_F_WRITE, 0);
	offer(EVQ, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, EVQ);
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), 0);
	CHECK(!needs_reset());
	CHECK_EQ(used_idx(EVQ), 1);
	CHECK_EVENT(0, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_KEY_POWER, 1);

	/* Status buffers are taken unread; a device-writable one is refused. */
	setup();
	desc(STQ, 0, BUF_GPA(STQ), 8, 0, 0);
	offer(STQ, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, STQ);
	CHECK_EQ(used_idx(STQ), 1);
	CHECK(!needs_reset());
	desc(STQ, 1, BUF_GPA(STQ), 8, VIRTQ_DESC_F_WRITE, 0);
	offer(STQ, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, STQ);
	CHECK(needs_reset());
	CHECK_EQ(used_idx(STQ), 1);
}

TEST(reset_forgets_waiting_presses)
{
	setup();
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), 0);
	CHECK_EQ(in.st->count, 4);
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(in.st->count, 0);
	driver_ok();
	drv_avail[0] = 0;
	post_events(0, 4, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(used_idx(EVQ), 0);
}

TEST(successor_takes_over)
{
	static struct virtio_input_state ist;
	static struct virtio_mmio_state mst;

	setup();
	virtio_input_bind_state(&in, &ist, 0);
	CHECK_EQ(virtio_mmio_bind_state(&t, &mst, 0), 0);
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), 0);
	CHECK_EQ(ist.count, 4);

	/* The process dies; the successor binds the arena and serves again: the press goes. */
	virtio_input_init(&in);
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set, .source = 9 }, &in.vdev);
	virtio_input_bind_state(&in, &ist, 1);
	CHECK_EQ(virtio_mmio_bind_state(&t, &mst, 1), 0);
	virtio_mmio_resume(&t, 0);
	post_events(0, 4, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(used_idx(EVQ), 4);
	CHECK_EVENT(0, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_KEY_POWER, 1);

	/* A damaged file: indices back in bounds. */
	ist.head = 1000;
	ist.count = 1000;
	virtio_input_bind_state(&in, &ist, 1);
	CHECK(ist.head < VIRTIO_INPUT_PENDING_MAX);
	CHECK_EQ(ist.count, 0);
}

/* The axis' EV_ABS event and its SYN_REPORT at used entries N, N + 1. */
#define CHECK_VCPUS(n, count) do { CHECK_EVENT(n, VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_VCPUS, count); \
	CHECK_EVENT((n) + 1, VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0); } while (0)

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

TEST(vcpu_axis_config)
{
	uint8_t d[VIRTIO_INPUT_CFG_DATA_MAX];

	setup();
	virtio_input_vcpus_axis(&in, 4);
	unsigned n = cfg(VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_ABS, d);
	CHECK_EQ(n, VIRTIO_INPUT_ABS_VCPUS / 8 + 1);
	CHECK(bit(d, VIRTIO_INPUT_ABS_VCPUS));
	for (unsigned b = 0; b < n * 8; b++)
		if (b != VIRTIO_INPUT_ABS_VCPUS)
			CHECK(!bit(d, b));
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_ABS_INFO, VIRTIO_INPUT_ABS_VCPUS, d), VIRTIO_INPUT_ABSINFO_BYTES);
	CHECK_EQ(le32(d), 1);        /* min */
	CHECK_EQ(le32(d + 4), 4);    /* max: the domain's vCPUs */
	CHECK_EQ(le32(d + 8), 0);    /* fuzz: every change reaches userspace */
	CHECK_EQ(le32(d + 12), 0);
	CHECK_EQ(le32(d + 16), 0);
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_ABS_INFO, 0 /* ABS_X */, d), 0);
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_ABS_INFO, VIRTIO_INPUT_ABS_VCPUS + 1, d), 0);
	/* The keys are still there. */
	CHECK(cfg(VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_KEY, d) > 0 && bit(d, VIRTIO_INPUT_KEY_POWER));
	/* Without the axis: no EV_ABS at all, no value taken. */
	setup();
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_EV_BITS, VIRTIO_INPUT_EV_ABS, d), 0);
	CHECK_EQ(cfg(VIRTIO_INPUT_CFG_ABS_INFO, VIRTIO_INPUT_ABS_VCPUS, d), 0);
	CHECK_EQ(virtio_input_set_vcpus(&in, &t, 1), -2);
}

TEST(vcpu_count_reaches_the_driver)
{
	setup();
	virtio_input_vcpus_axis(&in, 4);
	/* Out of range: refused, nothing sent. */
	CHECK_EQ(virtio_input_set_vcpus(&in, &t, 0), -2);
	CHECK_EQ(virtio_input_set_vcpus(&in, &t, 5), -2);
	CHECK_EQ(in.st->vcpus, 0);
	/* The count before any buffer: queued, and sent with the driver's first ones. */
	CHECK_EQ(virtio_input_set_vcpus(&in, &t, 2), 0);
	CHECK_EQ(used_idx(EVQ), 0);
	post_events(0, 8, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(used_idx(EVQ), 2);
	CHECK_VCPUS(0, 2);
	/* More buffers: not told again. */
	post_events(8, 2, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(used_idx(EVQ), 2);
	/* A change goes at once, behind nothing; then a press as before. */
	CHECK_EQ(virtio_input_set_vcpus(&in, &t, 4), 0);
	CHECK_EQ(used_idx(EVQ), 4);
	CHECK_VCPUS(2, 4);
	CHECK_EQ(virtio_input_set_vcpus(&in, &t, 1), 0);
	CHECK_VCPUS(4, 1);
	CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), 0);
	CHECK_EVENT(6, VIRTIO_INPUT_EV_KEY, VIRTIO_INPUT_KEY_POWER, 1);
}

TEST(vcpu_count_is_told_to_each_new_driver)
{
	setup();
	virtio_input_vcpus_axis(&in, 2);
	wr(VIRTIO_MMIO_STATUS, 0);   /* no driver: set, not lost */
	CHECK_EQ(virtio_input_set_vcpus(&in, &t, 2), -1);
	CHECK_EQ(in.st->dropped, 0);
	CHECK_EQ(in.st->vcpus, 2);
	driver_ok();
	post_events(0, 4, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(used_idx(EVQ), 2);
	CHECK_VCPUS(0, 2);
	/* The guest reboots its driver (reset): the new one knows 0 and is told again. */
	wr(VIRTIO_MMIO_STATUS, 0);
	memset(ram, 0, RAM_SIZE);
	drv_avail[0] = drv_avail[1] = 0;
	driver_ok();
	post_events(0, 4, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(used_idx(EVQ), 2);
	CHECK_VCPUS(0, 2);
}

TEST(vcpu_count_waits_when_the_fifo_is_full)
{
	setup();
	virtio_input_vcpus_axis(&in, 2);
	for (unsigned i = 0; i < VIRTIO_INPUT_PENDING_MAX / 4; i++)
		CHECK_EQ(virtio_input_press(&in, &t, VIRTIO_INPUT_KEY_POWER), 0);
	CHECK_EQ(virtio_input_set_vcpus(&in, &t, 2), -1);
	CHECK_EQ(in.st->vcpus_told, 0);
	/* The driver's buffers: the presses go, and the count as soon as the FIFO has room. */
	post_events(0, QSIZE, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(in.st->vcpus_told, 1);
	CHECK_EQ(in.st->count, VIRTIO_INPUT_PENDING_MAX - QSIZE + 2);
}

TEST(vcpu_count_survives_a_successor)
{
	static struct virtio_input_state ist;
	static struct virtio_mmio_state mst;

	setup();
	virtio_input_vcpus_axis(&in, 2);
	virtio_input_bind_state(&in, &ist, 0);
	CHECK_EQ(virtio_mmio_bind_state(&t, &mst, 0), 0);
	post_events(0, 4, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(virtio_input_set_vcpus(&in, &t, 2), 0);
	CHECK_EQ(used_idx(EVQ), 2);

	/* The successor has the count and knows the driver was told: nothing sent twice. */
	virtio_input_init(&in);
	virtio_input_vcpus_axis(&in, 2);
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set, .source = 9 }, &in.vdev);
	virtio_input_bind_state(&in, &ist, 1);
	CHECK_EQ(virtio_mmio_bind_state(&t, &mst, 1), 0);
	virtio_mmio_resume(&t, 0);
	CHECK_EQ(in.st->vcpus, 2);
	post_events(4, 2, VIRTIO_INPUT_EVENT_BYTES, VIRTQ_DESC_F_WRITE);
	CHECK_EQ(used_idx(EVQ), 2);
	CHECK_EQ(virtio_input_set_vcpus(&in, &t, 1), 0);
	CHECK_EQ(used_idx(EVQ), 4);
	CHECK_VCPUS(2, 1);

	/* A damaged file: a count past this domain's axis is dropped. */
	ist.vcpus = 9;
	ist.vcpus_told = 7;
	virtio_input_bind_state(&in, &ist, 1);
	CHECK_EQ(ist.vcpus, 0);
	CHECK_EQ(ist.vcpus_told, 1);
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
	RUN(key_codes);
	RUN(press_reaches_posted_buffers);
	RUN(press_waits_for_buffers);
	RUN(no_driver_or_full_fifo_drops_whole_presses);
	RUN(sysrq_sequence);
	RUN(hostile_chains_stop_the_device);
	RUN(reset_forgets_waiting_presses);
	RUN(successor_takes_over);
	RUN(vcpu_axis_config);
	RUN(vcpu_count_reaches_the_driver);
	RUN(vcpu_count_is_told_to_each_new_driver);
	RUN(vcpu_count_waits_when_the_fifo_is_full);
	RUN(vcpu_count_survives_a_successor);
	free(ram);
	return CHECK_DONE();
}
