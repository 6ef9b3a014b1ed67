/* SPDX-License-Identifier: MIT */
/*
 * test_dm_virtio_mmio.c: the virtio-mmio version 2 register file
 * (tools/dm/virtio_mmio.c) with a fake device: identification, feature
 * negotiation, status and reset, queue registers, notify, interrupts,
 * config space, and accesses a driver should not make.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "virtio_mmio.h"

#define RAM_GPA  0x80000000ULL
#define RAM_SIZE (1u << 16)
#define FAKE_ID  42
#define FAKE_FEATURE_BIT 3
#define FAKE_QUEUES 2
#define FAKE_QMAX 64
#define FAKE_CFG 6

static uint8_t ram[RAM_SIZE];
static struct dm_mem mem = { .host = ram, .gpa = RAM_GPA, .size = RAM_SIZE };
static struct virtio_mmio t;

/* The fake device and the interrupt line. */
static uint8_t cfg[FAKE_CFG];
static unsigned notified[FAKE_QUEUES], resets, more_left;
static int irq_level = -1;
static unsigned irq_source;

static uint32_t fake_cfg_read(void *dev, uint32_t off, unsigned size)
{
	uint32_t v = 0;

	(void)dev;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)cfg[off + i] << (8 * i);
	return v;
}

static void fake_cfg_write(void *dev, uint32_t off, unsigned size, uint32_t value)
{
	(void)dev;
	for (unsigned i = 0; i < size; i++)
		cfg[off + i] = (uint8_t)(value >> (8 * i));
}

static bool fake_notify(void *dev, struct virtio_mmio *tr, unsigned queue)
{
	(void)dev;
	CHECK(tr == &t);
	notified[queue]++;
	if (more_left) {
		more_left--;
		return true;
	}
	return false;
}

static void fake_reset(void *dev)
{
	(void)dev;
	resets++;
}

static void irq_set(void *ctx, unsigned source, int level)
{
	(void)ctx;
	irq_source = source;
	irq_level = level;
}

static const struct virtio_dev_ops fake_ops = {
	.config_read = fake_cfg_read,
	.config_write = fake_cfg_write,
	.notify = fake_notify,
	.reset = fake_reset,
};

static const struct virtio_dev fake = {
	.ops = &fake_ops,
	.device_id = FAKE_ID,
	.features = 1ULL << FAKE_FEATURE_BIT | 1ULL << VIRTIO_F_EVENT_IDX | 1ULL << VIRTIO_F_INDIRECT_DESC,
	.config_size = FAKE_CFG,
	.nr_queues = FAKE_QUEUES,
	.queue_max = FAKE_QMAX,
};

static uint32_t rd(uint64_t off) { return (uint32_t)virtio_mmio_read(&t, off, 4); }
static void wr(uint64_t off, uint32_t v) { virtio_mmio_write(&t, off, 4, v); }

static void setup(const struct virtio_dev *dev)
{
	memset(notified, 0, sizeof notified);
	resets = more_left = 0;
	irq_level = -1;
	memcpy(cfg, "\x11\x22\x33\x44\x55\x66", FAKE_CFG);
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set, .source = 7 }, dev);
}

/* The driver's usual bring-up up to FEATURES_OK with FEATURES (0: stop before). */
static void negotiate(uint64_t features)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
}

#define ALL_OK (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | \
		VIRTIO_STATUS_DRIVER_OK)

/* Queue Q set up and ready, the device live. */
static void bring_up(unsigned q)
{
	negotiate(fake.features | 1ULL << VIRTIO_F_VERSION_1);
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, 16);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, RAM_GPA + 0x1000);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, RAM_GPA + 0x2000);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, RAM_GPA + 0x3000);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS, ALL_OK);
}

TEST(identification)
{
	setup(&fake);
	CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(rd(VIRTIO_MMIO_VERSION), 2);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), FAKE_ID);
	CHECK_EQ(rd(VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
	CHECK_EQ(rd(VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffff);
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(irq_source, 7);
	/* Identification registers ignore writes. */
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	wr(VIRTIO_MMIO_DEVICE_ID, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), FAKE_ID);
}

TEST(empty_slot)
{
	setup(NULL);
	CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(rd(VIRTIO_MMIO_VERSION), 2);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG, 1), 0);
	virtio_mmio_write(&t, VIRTIO_MMIO_CONFIG, 4, 1);
	CHECK(!virtio_mmio_pending(&t));

	/* A device that does not describe itself properly leaves the slot empty. */
	struct virtio_dev bad = fake;
	bad.nr_queues = VIRTIO_MMIO_MAX_QUEUES + 1;
	setup(&bad);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), 0);
	bad = fake;
	bad.queue_max = VQ_MAX_SIZE + 1;
	setup(&bad);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), 0);
}

TEST(device_features_in_halves)
{
	setup(&fake);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)fake.features);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1u << (VIRTIO_F_VERSION_1 - 32));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0xffffffff);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	/* The device features register is read-only. */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)fake.features);
}

TEST(feature_negotiation)
{
	uint64_t v1 = 1ULL << VIRTIO_F_VERSION_1;

	setup(&fake);
	negotiate(v1 | 1ULL << FAKE_FEATURE_BIT);
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	CHECK(virtio_mmio_has_feature(&t, FAKE_FEATURE_BIT));
	CHECK(virtio_mmio_has_feature(&t, VIRTIO_F_VERSION_1));
	CHECK(!virtio_mmio_has_feature(&t, VIRTIO_F_EVENT_IDX));
	CHECK(!virtio_mmio_has_feature(&t, 200));
	/* DriverFeatures is frozen once FEATURES_OK is set. */
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_F_EVENT_IDX);
	CHECK(!virtio_mmio_has_feature(&t, VIRTIO_F_EVENT_IDX));
	CHECK(virtio_mmio_has_feature(&t, FAKE_FEATURE_BIT));

	/* A bit not offered: FEATURES_OK does not stick. */
	setup(&fake);
	negotiate(v1 | 1ULL << (FAKE_FEATURE_BIT + 1));
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	CHECK(!virtio_mmio_has_feature(&t, VIRTIO_F_VERSION_1));
	/* A bit of the high half not offered. */
	setup(&fake);
	negotiate(v1 | 1ULL << 40);
	CHECK(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK));
	/* No VERSION_1 (a legacy driver). */
	setup(&fake);
	negotiate(1ULL << FAKE_FEATURE_BIT);
	CHECK(!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK));
	/* DriverFeaturesSel beyond the two halves is ignored. */
	setup(&fake);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffff);
	CHECK_EQ(t.st->driver_features, 0);
}

TEST(queue_registers)
{
	setup(&fake);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), FAKE_QMAX);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), FAKE_QMAX);
	wr(VIRTIO_MMIO_QUEUE_SEL, FAKE_QUEUES);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);      /* no such queue: ignored */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0xffffffff);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);

	negotiate((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_F_EVENT_IDX));
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK_EQ(t.vq[1].num, FAKE_QMAX);     /* the default */
	wr(VIRTIO_MMIO_QUEUE_NUM, FAKE_QMAX + 1);
	CHECK_EQ(t.vq[1].num, FAKE_QMAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, 0);
	CHECK_EQ(t.vq[1].num, FAKE_QMAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, 3);
	CHECK_EQ(t.vq[1].num, 3);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0x1);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0x2000);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0x2);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x3000);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0x3);
	CHECK(t.vq[1].desc == 0x100001000ULL && t.vq[1].avail == 0x200002000ULL && t.vq[1].used == 0x300003000ULL);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), 0);  /* write-only */
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM), 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	CHECK(t.vq[1].ready && t.vq[1].event_idx && !t.vq[1].indirect);
	CHECK(!t.vq[0].ready);
	/* While ready, the queue's layout cannot change. */
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x5000);
	CHECK_EQ(t.vq[1].num, 3);
	CHECK(t.vq[1].desc == 0x100001000ULL);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	CHECK_EQ(t.vq[1].num, 8);
}

TEST(notify)
{
	setup(&fake);
	negotiate(fake.features | 1ULL << VIRTIO_F_VERSION_1);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(notified[0], 0);             /* before DRIVER_OK */
	setup(&fake);
	bring_up(1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);      /* queue 0 not ready */
	CHECK_EQ(notified[0], 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK_EQ(notified[1], 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	CHECK_EQ(notified[1], 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0x10001); /* as QEMU: the low 16 bits name the queue */
	CHECK_EQ(notified[1], 2);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NOTIFY), 0);
	virtio_mmio_write(&t, VIRTIO_MMIO_QUEUE_NOTIFY, 2, 1); /* wrong size */
	CHECK_EQ(notified[1], 2);
	/* Work left over is resumed by polling. */
	more_left = 2;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK(virtio_mmio_pending(&t));
	virtio_mmio_poll(&t);
	CHECK(virtio_mmio_pending(&t));
	virtio_mmio_poll(&t);
	CHECK(!virtio_mmio_pending(&t));
	CHECK_EQ(notified[1], 5);
	/* A reset drops pending work. */
	more_left = 1;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK(virtio_mmio_pending(&t));
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK(!virtio_mmio_pending(&t));
	virtio_mmio_poll(&t);
	CHECK_EQ(notified[1], 6);
}

TEST(interrupts)
{
	setup(&fake);
	bring_up(0);
	virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	virtio_mmio_config_changed(&t);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	CHECK_EQ(irq_level, 0);
	/* InterruptStatus is read-only; ACK is write-only. */
	wr(VIRTIO_MMIO_INTERRUPT_STATUS, 3);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_ACK), 0);
	/* Before DRIVER_OK a config change bumps the generation only. */
	setup(&fake);
	virtio_mmio_config_changed(&t);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK_EQ(irq_level, 0);
}

/*
 * The ACK is a posted write: it reaches the device after the driver has
 * looked at its rings. A used buffer published between the driver's read of
 * InterruptStatus and the device's processing of that ACK must keep the line
 * up, or the driver, which already saw its rings empty, sleeps on it.
 */
TEST(ack_after_a_new_event)
{
	setup(&fake);
	bring_up(0);
	virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_VRING);   /* after the read, before the ACK */
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(t.nr_late_acks, 1);
	/* The driver comes back, reads, and this time its ACK clears the bit. */
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* Only the bit raised anew is kept: one the driver read goes. */
	virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_CONFIG);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG | VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	/* A reset forgets what was unread. */
	virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_STATUS, 0);
	bring_up(0);
	virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(irq_level, 0);
}

TEST(reset)
{
	setup(&fake);
	bring_up(0);
	virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VIRTIO_MMIO_QUEUE_NUM, 5);
	t.vq[0].last_avail_idx = 9;
	CHECK_EQ(resets, 1);                  /* init */
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(resets, 2);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)fake.features);  /* sel back to 0 */
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(!t.vq[0].ready && t.vq[0].last_avail_idx == 0 && t.vq[0].desc == 0);
	CHECK_EQ(t.vq[1].num, FAKE_QMAX);
	CHECK_EQ(t.st->driver_features, 0);
	/* Only bits 0-7 are status; a write of 0x100 is a reset too. */
	bring_up(0);
	wr(VIRTIO_MMIO_STATUS, 0x100);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
}

TEST(needs_reset)
{
	setup(&fake);
	bring_up(0);
	virtio_mmio_set_broken(&t);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), ALL_OK | VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	CHECK_EQ(irq_level, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(notified[0], 0);
	/* The driver cannot clear it but by a reset. */
	wr(VIRTIO_MMIO_STATUS, ALL_OK);
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(irq_level, 0);
	bring_up(0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(notified[0], 1);
	/* FAILED from the driver stops the device too. */
	wr(VIRTIO_MMIO_STATUS, ALL_OK | VIRTIO_STATUS_FAILED);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(notified[0], 1);
}

TEST(config_space)
{
	setup(&fake);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG, 1), 0x11);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 1, 2), 0x3322);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 2, 4), 0x66554433);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 3, 4), 0);  /* runs past the end */
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 5, 1), 0x66);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 6, 1), 0);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG, 8), 0);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG, 3), 0);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_SIZE - 1, 1), 0);
	virtio_mmio_write(&t, VIRTIO_MMIO_CONFIG + 2, 2, 0xbeef);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 2, 2), 0xbeef);
	virtio_mmio_write(&t, VIRTIO_MMIO_CONFIG + 5, 2, 0xffff);
	virtio_mmio_write(&t, VIRTIO_MMIO_CONFIG, 8, ~0ULL);
	CHECK(!memcmp(cfg, "\x11\x22\xef\xbe\x55\x66", FAKE_CFG));
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	wr(VIRTIO_MMIO_CONFIG_GENERATION, 5);
	CHECK_EQ(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
}

TEST(wrong_accesses)
{
	setup(&fake);
	/* Registers are 32-bit: other sizes read 0 and do nothing. */
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_MAGIC_VALUE, 1), 0);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_MAGIC_VALUE, 2), 0);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_MAGIC_VALUE, 8), 0);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_MAGIC_VALUE, 0), 0);
	virtio_mmio_write(&t, VIRTIO_MMIO_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_mmio_write(&t, VIRTIO_MMIO_STATUS, 8, VIRTIO_STATUS_ACKNOWLEDGE);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	/* Unaligned, unknown and out-of-slot offsets. */
	CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE + 1), 0);
	CHECK_EQ(rd(0x0e0), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_SIZE), 0);
	CHECK_EQ(rd(~0ULL), 0);
	CHECK_EQ(virtio_mmio_read(&t, ~0ULL - 1, 4), 0);
	wr(0x0e0, 1);
	wr(~0ULL, 1);
	virtio_mmio_write(&t, VIRTIO_MMIO_SIZE + VIRTIO_MMIO_CONFIG, 1, 1);
	CHECK(!memcmp(cfg, "\x11\x22\x33\x44\x55\x66", FAKE_CFG));
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	/* The ops table is the same code. */
	CHECK_EQ(virtio_mmio_ops.read(&t, VIRTIO_MMIO_VERSION, 4), 2);
}

int main(void)
{
	RUN(identification);
	RUN(empty_slot);
	RUN(device_features_in_halves);
	RUN(feature_negotiation);
	RUN(queue_registers);
	RUN(notify);
	RUN(interrupts);
	RUN(ack_after_a_new_event);
	RUN(reset);
	RUN(needs_reset);
	RUN(config_space);
	RUN(wrong_accesses);
	return CHECK_DONE();
}
