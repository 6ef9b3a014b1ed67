/* SPDX-License-Identifier: MIT */
/*
 * virtio_blk.h: a virtio-blk device (virtio 1.x 5.2) over a file
 * descriptor, one request queue, for the virtio-mmio transport.
 *
 *	struct virtio_blk blk;            (large: keep it static or on the heap)
 *	virtio_blk_init(&blk, fd, size_in_bytes, read_only, "xvda");
 *	virtio_mmio_init(&slot[n], &guest_ram, irq_of_slot_n, &blk.vdev);
 *
 * The device reads and writes the guest's buffers in place (pread/pwrite)
 * and completes each request before the notify returns. It does not own
 * FD: whoever opened it closes it after the device is gone.
 */
#ifndef RIVET_DM_VIRTIO_BLK_H
#define RIVET_DM_VIRTIO_BLK_H
#include <stdbool.h>
#include <stdint.h>

#include "virtio_mmio.h"
#include "virtqueue.h"

#define VIRTIO_ID_BLOCK        2
#define VIRTIO_BLK_SECTOR_SIZE 512u
#define VIRTIO_BLK_ID_BYTES    20u   /* GET_ID's serial, NUL-padded */
#define VIRTIO_BLK_QUEUE_SIZE  256u  /* QueueNumMax */

/* Feature bits. */
#define VIRTIO_BLK_F_SEG_MAX   2
#define VIRTIO_BLK_F_RO        5
#define VIRTIO_BLK_F_BLK_SIZE  6
#define VIRTIO_BLK_F_FLUSH     9

/* Request types and status values. */
#define VIRTIO_BLK_T_IN        0
#define VIRTIO_BLK_T_OUT       1
#define VIRTIO_BLK_T_FLUSH     4
#define VIRTIO_BLK_T_GET_ID    8
#define VIRTIO_BLK_S_OK        0
#define VIRTIO_BLK_S_IOERR     1
#define VIRTIO_BLK_S_UNSUPP    2

/* The request header at the start of every chain (le32 type, le32 reserved, le64 sector). */
#define VIRTIO_BLK_HDR_SIZE    16u

/* The config space as the guest sees it: the fields up to blk_size (little-endian). */
struct virtio_blk_config {
	uint64_t capacity;       /* in 512-byte sectors */
	uint32_t size_max;       /* not offered: 0 */
	uint32_t seg_max;
	uint16_t cylinders;      /* geometry: not offered */
	uint8_t heads, sectors;
	uint32_t blk_size;
} __attribute__((packed));

struct virtio_blk {
	int fd;
	bool read_only;
	uint64_t capacity;       /* sectors */
	char serial[VIRTIO_BLK_ID_BYTES];
	struct virtio_blk_config config;
	struct virtio_dev vdev;  /* what virtio_mmio_init() takes */
	struct vq_chain chain;   /* the request being served */
};

/*
 * Sets up B over FD of SIZE bytes (capacity: whole sectors of it), refusing
 * writes if READ_ONLY; SERIAL (may be NULL) is GET_ID's answer, cut to 20 bytes.
 */
void virtio_blk_init(struct virtio_blk *b, int fd, uint64_t size, bool read_only, const char *serial);

#endif
