/* SPDX-License-Identifier: MIT */
/*
 * test_dm_virtio_blk.c: virtio-blk (tools/dm/virtio_blk.c) behind its
 * virtio-mmio transport, driven as a guest driver would on a fake guest
 * RAM, with a temporary file as the disk: reads, writes, flush, GET_ID,
 * read-only disks, out-of-range and malformed requests.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "virtio_blk.h"

#define RAM_GPA   0x80000000ULL
#define RAM_SIZE  (1u << 20)
#define DESC_GPA  (RAM_GPA + 0x1000)
#define AVAIL_GPA (RAM_GPA + 0x5000)
#define USED_GPA  (RAM_GPA + 0x6000)
#define IND_GPA   (RAM_GPA + 0x8000)
#define HDR_GPA   (RAM_GPA + 0x10000)
#define DATA_GPA  (RAM_GPA + 0x20000)
#define STAT_GPA  (RAM_GPA + 0x40000)
#define QSIZE     8
#define SECTORS   16
#define SECTOR    VIRTIO_BLK_SECTOR_SIZE
#define NO_STATUS 0xee   /* what the status byte holds before the device writes it */

static uint8_t *ram;
static struct dm_mem mem;
static struct virtio_blk blk;
static struct virtio_mmio t;
static int fd = -1, irq_level;
static char path[] = "/tmp/rivet-test-blk-XXXXXX";
static uint16_t drv_avail_idx;

static void *host(uint64_t gpa) { return ram + (gpa - RAM_GPA); }
static void put16(uint64_t gpa, uint16_t v) { memcpy(host(gpa), &v, sizeof v); }
static uint16_t get16(uint64_t gpa) { uint16_t v; memcpy(&v, host(gpa), sizeof v); return v; }
static uint32_t get32(uint64_t gpa) { uint32_t v; memcpy(&v, host(gpa), sizeof v); return v; }
static uint32_t rd(uint64_t off) { return (uint32_t)virtio_mmio_read(&t, off, 4); }
static void wr(uint64_t off, uint32_t v) { virtio_mmio_write(&t, off, 4, v); }

static void irq_set(void *ctx, unsigned source, int level)
{
	(void)ctx;
	(void)source;
	irq_level = level;
}

static void desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = host(table + 16ULL * i);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

/* The file's sector S is filled with the byte S + 1. */
static void fill_file(void)
{
	uint8_t sec[SECTOR];

	for (unsigned s = 0; s < SECTORS; s++) {
		memset(sec, s + 1, sizeof sec);
		CHECK_EQ(pwrite(fd, sec, sizeof sec, (off_t)s * SECTOR), SECTOR);
	}
	/* A partial sector at the end is not part of the disk. */
	CHECK_EQ(pwrite(fd, "tail", 4, (off_t)SECTORS * SECTOR), 4);
}

/* A disk on a live transport with queue 0 ready; EXTRA: driver features beyond VERSION_1. */
static void setup(bool read_only, const char *serial, uint64_t extra)
{
	uint64_t features = 1ULL << VIRTIO_F_VERSION_1 | extra;

	memset(ram, 0, RAM_SIZE);
	fill_file();
	drv_avail_idx = 0;
	irq_level = -1;
	virtio_blk_init(&blk, fd, SECTORS * SECTOR + 4, read_only, serial);
	virtio_mmio_init(&t, &mem, (struct dm_irq){ .set = irq_set, .source = 1 }, &blk.vdev);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC_GPA);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)AVAIL_GPA);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)USED_GPA);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
	   VIRTIO_STATUS_DRIVER_OK);
}

static void header(uint64_t gpa, uint32_t type, uint64_t sector)
{
	uint32_t t32 = htole32(type), zero = 0;
	uint64_t s64 = htole64(sector);

	memcpy(host(gpa), &t32, 4);
	memcpy(host(gpa + 4), &zero, 4);
	memcpy(host(gpa + 8), &s64, 8);
}

static void offer(uint16_t head)
{
	put16(AVAIL_GPA + 4 + 2ULL * (drv_avail_idx % QSIZE), head);
	drv_avail_idx++;
	put16(AVAIL_GPA + 2, drv_avail_idx);
}

static void kick(void) { wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0); }
static uint16_t used_idx(void) { return get16(USED_GPA + 2); }
static uint32_t used_len(unsigned n) { return get32(USED_GPA + 8 + 8ULL * (n % QSIZE)); }
static uint8_t status(void) { return *(uint8_t *)host(STAT_GPA); }

/*
 * The usual three-descriptor request at descriptors 0-2: header, DATA_LEN
 * bytes at DATA_GPA (device-writable for IN-like types), status. Kicks and
 * returns the used length.
 */
static uint32_t request(uint32_t type, uint64_t sector, uint32_t data_len, bool data_write)
{
	uint16_t w = VIRTQ_DESC_F_WRITE;

	header(HDR_GPA, type, sector);
	*(uint8_t *)host(STAT_GPA) = NO_STATUS;
	if (data_len) {
		desc(DESC_GPA, 0, HDR_GPA, VIRTIO_BLK_HDR_SIZE, VIRTQ_DESC_F_NEXT, 1);
		desc(DESC_GPA, 1, DATA_GPA, data_len, VIRTQ_DESC_F_NEXT | (data_write ? w : 0), 2);
	} else {
		desc(DESC_GPA, 0, HDR_GPA, VIRTIO_BLK_HDR_SIZE, VIRTQ_DESC_F_NEXT, 2);
	}
	desc(DESC_GPA, 2, STAT_GPA, 1, w, 0);
	offer(0);
	kick();
	CHECK_EQ(used_idx(), drv_avail_idx);
	return used_len(drv_avail_idx - 1);
}

static bool file_sector_is(unsigned s, uint8_t v)
{
	uint8_t sec[SECTOR];

	if (pread(fd, sec, sizeof sec, (off_t)s * SECTOR) != SECTOR)
		return false;
	for (unsigned i = 0; i < SECTOR; i++)
		if (sec[i] != v)
			return false;
	return true;
}

static bool guest_is(uint64_t gpa, uint8_t v, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		if (((uint8_t *)host(gpa))[i] != v)
			return false;
	return true;
}

TEST(config_and_features)
{
	setup(false, "x", 0);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTIO_BLK_QUEUE_SIZE);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t f = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	CHECK(f & 1u << VIRTIO_BLK_F_FLUSH);
	CHECK(f & 1u << VIRTIO_BLK_F_SEG_MAX);
	CHECK(f & 1u << VIRTIO_BLK_F_BLK_SIZE);
	CHECK(f & 1u << VIRTIO_F_INDIRECT_DESC);
	CHECK(f & 1u << VIRTIO_F_EVENT_IDX);
	CHECK(!(f & 1u << VIRTIO_BLK_F_RO));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1);   /* VERSION_1 */
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG, 4), SECTORS);     /* capacity, low */
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 4, 4), 0);       /* capacity, high */
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 12, 4), VIRTIO_BLK_QUEUE_SIZE - 2);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 20, 4), SECTOR);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 20, 2), SECTOR);
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG + 24, 4), 0);      /* past the config */
	virtio_mmio_write(&t, VIRTIO_MMIO_CONFIG, 4, 0);                    /* read-only config */
	CHECK_EQ(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG, 4), SECTORS);

	setup(true, "x", 0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	CHECK(rd(VIRTIO_MMIO_DEVICE_FEATURES) & 1u << VIRTIO_BLK_F_RO);
}

TEST(read)
{
	setup(false, NULL, 0);
	CHECK_EQ(request(VIRTIO_BLK_T_IN, 2, 2 * SECTOR, true), 2 * SECTOR + 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_OK);
	CHECK(guest_is(DATA_GPA, 3, SECTOR));
	CHECK(guest_is(DATA_GPA + SECTOR, 4, SECTOR));
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(irq_level, 0);
	/* The last sector. */
	CHECK_EQ(request(VIRTIO_BLK_T_IN, SECTORS - 1, SECTOR, true), SECTOR + 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_OK);
	CHECK(guest_is(DATA_GPA, SECTORS, SECTOR));
}

TEST(scattered_indirect_read_write)
{
	setup(false, NULL, 1ULL << VIRTIO_F_INDIRECT_DESC);
	/* Header split over two buffers, data over three of odd sizes, status alone. */
	header(HDR_GPA, VIRTIO_BLK_T_IN, 5);
	desc(IND_GPA, 0, HDR_GPA, 10, VIRTQ_DESC_F_NEXT, 1);
	desc(IND_GPA, 1, HDR_GPA + 10, 6, VIRTQ_DESC_F_NEXT, 2);
	desc(IND_GPA, 2, DATA_GPA, 100, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	desc(IND_GPA, 3, DATA_GPA + 0x1000, 700, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 4);
	desc(IND_GPA, 4, DATA_GPA + 0x2000, 224, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 5);
	desc(IND_GPA, 5, STAT_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	desc(DESC_GPA, 3, IND_GPA, 6 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(3);
	kick();
	CHECK_EQ(used_idx(), 1);
	CHECK_EQ(used_len(0), 2 * SECTOR + 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_OK);
	CHECK(guest_is(DATA_GPA, 6, 100));
	CHECK(guest_is(DATA_GPA + 0x1000, 6, SECTOR - 100));
	CHECK(guest_is(DATA_GPA + 0x1000 + SECTOR - 100, 7, 700 - (SECTOR - 100)));
	CHECK(guest_is(DATA_GPA + 0x2000, 7, 224));

	/* The same layout the other way: a status byte sharing the last data buffer. */
	memset(host(DATA_GPA), 0xa5, 0x3000);
	header(HDR_GPA, VIRTIO_BLK_T_OUT, 8);
	desc(IND_GPA, 0, HDR_GPA, VIRTIO_BLK_HDR_SIZE + 12, VIRTQ_DESC_F_NEXT, 1);
	memset(host(HDR_GPA + VIRTIO_BLK_HDR_SIZE), 0xa5, 12);
	desc(IND_GPA, 1, DATA_GPA, SECTOR - 12, VIRTQ_DESC_F_NEXT, 2);
	desc(IND_GPA, 2, STAT_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	desc(DESC_GPA, 3, IND_GPA, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(3);
	kick();
	CHECK_EQ(used_len(1), 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_OK);
	CHECK(file_sector_is(8, 0xa5));
	CHECK(file_sector_is(9, 10));
}

TEST(write_and_flush)
{
	setup(false, NULL, 0);
	memset(host(DATA_GPA), 0x5a, 2 * SECTOR);
	CHECK_EQ(request(VIRTIO_BLK_T_OUT, 3, 2 * SECTOR, false), 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_OK);
	CHECK(file_sector_is(2, 3));
	CHECK(file_sector_is(3, 0x5a));
	CHECK(file_sector_is(4, 0x5a));
	CHECK(file_sector_is(5, 6));
	CHECK_EQ(request(VIRTIO_BLK_T_FLUSH, 0, 0, false), 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_OK);
}

TEST(get_id)
{
	setup(false, "0123456789abcdefghijKLMN", 0);
	memset(host(DATA_GPA), 0xff, 32);
	CHECK_EQ(request(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, true), VIRTIO_BLK_ID_BYTES + 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_OK);
	CHECK(!memcmp(host(DATA_GPA), "0123456789abcdefghij", VIRTIO_BLK_ID_BYTES));
	CHECK_EQ(((uint8_t *)host(DATA_GPA))[VIRTIO_BLK_ID_BYTES], 0xff);

	setup(false, "xvda", 0);
	memset(host(DATA_GPA), 0xff, 32);
	CHECK_EQ(request(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, true), VIRTIO_BLK_ID_BYTES + 1);
	CHECK(!memcmp(host(DATA_GPA), "xvda\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", VIRTIO_BLK_ID_BYTES));
	/* A smaller buffer gets what fits. */
	memset(host(DATA_GPA), 0xff, 32);
	CHECK_EQ(request(VIRTIO_BLK_T_GET_ID, 0, 3, true), 4);
	CHECK(!memcmp(host(DATA_GPA), "xvd\xff", 4));
}

TEST(read_only)
{
	setup(true, NULL, 0);
	memset(host(DATA_GPA), 0x5a, SECTOR);
	CHECK_EQ(request(VIRTIO_BLK_T_OUT, 0, SECTOR, false), 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_IOERR);
	CHECK(file_sector_is(0, 1));
	CHECK_EQ(request(VIRTIO_BLK_T_IN, 1, SECTOR, true), SECTOR + 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_OK);
	CHECK(guest_is(DATA_GPA, 2, SECTOR));
	CHECK_EQ(request(VIRTIO_BLK_T_FLUSH, 0, 0, false), 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_OK);
}

TEST(past_the_end)
{
	static const uint64_t sectors[] = { SECTORS, SECTORS - 1, SECTORS + 1, 1ULL << 55, 1ULL << 63,
					    ~0ULL, ~0ULL - 1 };

	setup(false, NULL, 0);
	for (unsigned i = 0; i < sizeof sectors / sizeof sectors[0]; i++) {
		CHECK_EQ(request(VIRTIO_BLK_T_IN, sectors[i], 2 * SECTOR, true), 1);
		CHECK_EQ(status(), VIRTIO_BLK_S_IOERR);
		CHECK_EQ(request(VIRTIO_BLK_T_OUT, sectors[i], 2 * SECTOR, false), 1);
		CHECK_EQ(status(), VIRTIO_BLK_S_IOERR);
	}
	/* The partial sector at the end of the file is not reachable. */
	CHECK_EQ(request(VIRTIO_BLK_T_IN, SECTORS, SECTOR, true), 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_IOERR);
	CHECK(file_sector_is(SECTORS - 1, SECTORS));
}

TEST(unsupported_and_malformed)
{
	setup(false, NULL, 0);
	CHECK_EQ(request(11, 0, SECTOR, false), 1);           /* DISCARD: not offered */
	CHECK_EQ(status(), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ(request(0xffffffff, 0, 0, false), 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_UNSUPP);
	/* Data the wrong way round. */
	CHECK_EQ(request(VIRTIO_BLK_T_IN, 0, SECTOR, false), 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(request(VIRTIO_BLK_T_OUT, 0, SECTOR, true), 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_IOERR);
	CHECK(file_sector_is(0, 1));
	/* Not whole sectors. */
	CHECK_EQ(request(VIRTIO_BLK_T_IN, 0, SECTOR - 1, true), 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(request(VIRTIO_BLK_T_OUT, 0, SECTOR + 1, false), 1);
	CHECK_EQ(status(), VIRTIO_BLK_S_IOERR);
	CHECK(file_sector_is(0, 1));

}

/* With the device just set up: offer chain HEAD; it must stop the device, as QEMU's virtio_error. */
static void expect_device_error(uint16_t head)
{
	uint16_t used = used_idx();
	*(uint8_t *)host(STAT_GPA) = NO_STATUS;
	offer(head);
	kick();
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG, VIRTIO_MMIO_INT_CONFIG);
	CHECK_EQ(used_idx(), used);
	CHECK_EQ(status(), NO_STATUS);
}

TEST(malformed_requests_stop_the_device)
{
	/* A short header. */
	setup(false, NULL, 0);
	desc(DESC_GPA, 4, HDR_GPA, 8, VIRTQ_DESC_F_NEXT, 5);
	desc(DESC_GPA, 5, STAT_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	expect_device_error(4);
	/* No header at all, only a status byte. */
	setup(false, NULL, 0);
	desc(DESC_GPA, 5, STAT_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	expect_device_error(5);
	/* No writable byte for the status. */
	setup(false, NULL, 0);
	header(HDR_GPA, VIRTIO_BLK_T_IN, 0);
	desc(DESC_GPA, 4, HDR_GPA, VIRTIO_BLK_HDR_SIZE, 0, 0);
	expect_device_error(4);
	/* A malformed chain (a loop). */
	setup(false, NULL, 0);
	desc(DESC_GPA, 6, HDR_GPA, VIRTIO_BLK_HDR_SIZE, VIRTQ_DESC_F_NEXT, 6);
	expect_device_error(6);
}

TEST(broken_queue_needs_reset)
{
	setup(false, NULL, 0);
	put16(AVAIL_GPA + 2, QSIZE + 1);
	kick();
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(used_idx(), 0);
	/* Nothing more is served until a reset and a new bring-up. */
	put16(AVAIL_GPA + 2, 0);
	drv_avail_idx = 0;
	header(HDR_GPA, VIRTIO_BLK_T_FLUSH, 0);
	desc(DESC_GPA, 0, HDR_GPA, VIRTIO_BLK_HDR_SIZE, VIRTQ_DESC_F_NEXT, 1);
	desc(DESC_GPA, 1, STAT_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	kick();
	CHECK_EQ(used_idx(), 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(irq_level, 0);
	setup(false, NULL, 0);
	CHECK_EQ(request(VIRTIO_BLK_T_IN, 0, SECTOR, true), SECTOR + 1);

	/* A head index beyond the queue. */
	setup(false, NULL, 0);
	offer(QSIZE);
	kick();
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
}

TEST(batch_and_event_idx)
{
	/* Three requests, one kick: three completions, one interrupt. */
	setup(false, NULL, 0);
	header(HDR_GPA, VIRTIO_BLK_T_FLUSH, 0);
	desc(DESC_GPA, 0, HDR_GPA, VIRTIO_BLK_HDR_SIZE, VIRTQ_DESC_F_NEXT, 1);
	desc(DESC_GPA, 1, STAT_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	for (int i = 0; i < 3; i++)
		offer(0);
	kick();
	CHECK_EQ(used_idx(), 3);
	CHECK_EQ(irq_level, 1);
	CHECK(!virtio_mmio_pending(&t));

	/* A full ring uses the whole budget of one pass: the rest comes from a poll. */
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	for (int i = 0; i < QSIZE; i++)
		offer(0);
	kick();
	CHECK_EQ(used_idx(), 3 + QSIZE);
	if (virtio_mmio_pending(&t))
		virtio_mmio_poll(&t);
	CHECK(!virtio_mmio_pending(&t));

	/* EVENT_IDX: the driver asks for an interrupt only once used idx passes 5. */
	setup(false, NULL, 1ULL << VIRTIO_F_EVENT_IDX);
	put16(AVAIL_GPA + 4 + 2 * QSIZE, 5);
	header(HDR_GPA, VIRTIO_BLK_T_FLUSH, 0);
	desc(DESC_GPA, 0, HDR_GPA, VIRTIO_BLK_HDR_SIZE, VIRTQ_DESC_F_NEXT, 1);
	desc(DESC_GPA, 1, STAT_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	for (int i = 0; i < 4; i++) {
		offer(0);
		kick();
	}
	CHECK_EQ(used_idx(), 4);
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(get16(USED_GPA + 4 + 8 * QSIZE), 4);   /* avail_event: where the device looks next */
	offer(0);
	offer(0);
	kick();
	CHECK_EQ(used_idx(), 6);
	CHECK_EQ(irq_level, 1);
}

int main(void)
{
	ram = calloc(1, RAM_SIZE);
	fd = mkstemp(path);
	if (!ram || fd < 0) {
		printf("FAIL: unit/setup: no RAM or temporary file\n");
		return 1;
	}
	unlink(path);
	mem = (struct dm_mem){ .host = ram, .gpa = RAM_GPA, .size = RAM_SIZE };
	RUN(config_and_features);
	RUN(read);
	RUN(scattered_indirect_read_write);
	RUN(write_and_flush);
	RUN(get_id);
	RUN(read_only);
	RUN(past_the_end);
	RUN(unsupported_and_malformed);
	RUN(malformed_requests_stop_the_device);
	RUN(broken_queue_needs_reset);
	RUN(batch_and_event_idx);
	close(fd);
	free(ram);
	return CHECK_DONE();
}
