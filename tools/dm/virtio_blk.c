// SPDX-License-Identifier: MIT
/*
 * virtio_blk.c: virtio-blk requests served synchronously with pread/pwrite
 * straight into and out of the guest's buffers (see virtio_blk.h).
 *
 * A chain is read as two byte streams, whatever its framing: the readable
 * one starts with the 16-byte header (then OUT's data), the writable one
 * holds IN's data (or GET_ID's answer) and ends with the status byte. A
 * chain without a writable byte cannot be told anything: it is returned
 * with length 0. Anything else wrong gets VIRTIO_BLK_S_IOERR.
 */
#include "virtio_blk.h"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dm_log.h"

#define STATUS_BYTES 1u

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* All of [buf, buf + len) from/to the file at POS; -1 on an error or end of file. */
static int io_all(int fd, uint8_t *buf, uint64_t len, uint64_t pos, bool to_guest)
{
	while (len) {
		ssize_t n = to_guest ? pread(fd, buf, len, (off_t)pos) : pwrite(fd, buf, len, (off_t)pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = EIO; /* the file is shorter than it was at init */
		if (n <= 0)
			return -1;
		buf += n;
		pos += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

/*
 * Moves LEN bytes between the file at POS and the chain's stream of
 * direction TO_GUEST (writable segments) or not, from byte SKIP of it.
 */
static int chain_io(const struct virtio_blk *b, const struct vq_chain *c, bool to_guest, uint64_t skip,
		    uint64_t len, uint64_t pos)
{
	for (unsigned i = 0; i < c->nseg && len; i++) {
		const struct vq_seg *s = &c->seg[i];
		if (s->write != to_guest)
			continue;
		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		uint64_t n = s->len - skip < len ? s->len - skip : len;
		if (io_all(b->fd, s->ptr + skip, n, pos, to_guest) < 0)
			return -1;
		pos += n;
		len -= n;
		skip = 0;
	}
	return len ? -1 : 0;
}

/* Copies LEN bytes of BUF to the start of the chain's writable stream. */
static void chain_fill(const struct vq_chain *c, const void *buf, uint64_t len)
{
	const uint8_t *in = buf;

	for (unsigned i = 0; i < c->nseg && len; i++) {
		const struct vq_seg *s = &c->seg[i];
		if (!s->write)
			continue;
		uint64_t n = s->len < len ? s->len : len;
		memcpy(s->ptr, in, n);
		in += n;
		len -= n;
	}
}

/* The last writable byte of the chain, or NULL. Segments are never empty. */
static uint8_t *status_byte(const struct vq_chain *c)
{
	if (!c->nseg || !c->seg[c->nseg - 1].write)
		return NULL;
	return c->seg[c->nseg - 1].ptr + c->seg[c->nseg - 1].len - 1;
}

/* IN or OUT of DATA bytes at SECTOR: a status. */
static uint8_t read_write(struct virtio_blk *b, const struct vq_chain *c, bool in, uint64_t sector,
			  uint64_t data)
{
	uint64_t nsect = data / VIRTIO_BLK_SECTOR_SIZE;

	if (data % VIRTIO_BLK_SECTOR_SIZE) {
		dm_log_guest("virtio-blk: %s of %llu bytes, not whole sectors", in ? "read" : "write",
			     (unsigned long long)data);
		return VIRTIO_BLK_S_IOERR;
	}
	if (sector > b->capacity || nsect > b->capacity - sector) {
		dm_log_guest("virtio-blk: %s of sectors %llu+%llu beyond %llu", in ? "read" : "write",
			     (unsigned long long)sector, (unsigned long long)nsect,
			     (unsigned long long)b->capacity);
		return VIRTIO_BLK_S_IOERR;
	}
	if (!in && b->read_only) {
		dm_log_guest("virtio-blk: write to a read-only disk");
		return VIRTIO_BLK_S_IOERR;
	}
	if (chain_io(b, c, in, in ? 0 : VIRTIO_BLK_HDR_SIZE, data, sector * VIRTIO_BLK_SECTOR_SIZE) < 0) {
		dm_log("virtio-blk: %s at sector %llu failed: %s", in ? "read" : "write",
		       (unsigned long long)sector, strerror(errno));
		return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

/*
 * Serves one chain; returns the used length (bytes written to the guest), or
 * -1 for a request without its headers, which QEMU treats as a device error
 * (virtio_error: the device needs a reset) rather than an I/O error.
 */
static int64_t serve(struct virtio_blk *b, const struct vq_chain *c)
{
	uint8_t *status = status_byte(c);
	struct blk_hdr h;
	uint64_t data_in, data_out, written = 0;
	uint8_t st;

	if (!status) {
		dm_log_guest("virtio-blk: request %u without a status byte", c->head);
		return -1;
	}
	data_in = c->write_bytes - STATUS_BYTES;
	if (vq_chain_read(c, 0, &h, sizeof h) != VIRTIO_BLK_HDR_SIZE) {
		dm_log_guest("virtio-blk: request %u with a header of %llu bytes", c->head,
			     (unsigned long long)c->read_bytes);
		return -1;
	}
	data_out = c->read_bytes - VIRTIO_BLK_HDR_SIZE;
	switch (le32toh(h.type)) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT: {
		bool in = le32toh(h.type) == VIRTIO_BLK_T_IN;
		if (in ? data_out : data_in) {
			dm_log_guest("virtio-blk: %s with data buffers the wrong way", in ? "read" : "write");
			st = VIRTIO_BLK_S_IOERR;
			break;
		}
		st = read_write(b, c, in, le64toh(h.sector), in ? data_in : data_out);
		if (in && st == VIRTIO_BLK_S_OK)
			written = data_in;
		break;
	}
	case VIRTIO_BLK_T_FLUSH:
		st = fdatasync(b->fd) < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		written = data_in < VIRTIO_BLK_ID_BYTES ? data_in : VIRTIO_BLK_ID_BYTES;
		chain_fill(c, b->serial, written);
		st = VIRTIO_BLK_S_OK;
		break;
	default:
		st = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	*status = st;
	written += STATUS_BYTES;
	return written > UINT32_MAX ? UINT32_MAX : (int64_t)written;
}

/* Up to one ring's worth of requests, then the interrupt if the driver wants it. */
static bool blk_notify(void *dev, struct virtio_mmio *t, unsigned queue)
{
	struct virtio_blk *b = dev;
	struct vq *q = &t->vq[queue];
	unsigned budget = q->num;
	bool more = false;

	for (;;) {
		if (budget-- == 0) {
			more = true;
			break;
		}
		int r = vq_pop(q, t->mem, &b->chain);
		if (r == VQ_EMPTY)
			break;
		/*
		 * A malformed chain or request is a device error, as in QEMU: the
		 * device stops (DEVICE_NEEDS_RESET) and the head is not completed.
		 */
		int64_t len = r == VQ_CHAIN ? serve(b, &b->chain) : -1;
		if (len < 0) {
			virtio_mmio_set_broken(t);
			return false;
		}
		if (vq_push(q, t->mem, b->chain.head, (uint32_t)len) < 0) {
			virtio_mmio_set_broken(t);
			return false;
		}
	}
	if (vq_need_notify(q, t->mem))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
	return more;
}

static uint32_t blk_config_read(void *dev, uint32_t off, unsigned size)
{
	const struct virtio_blk *b = dev;
	const uint8_t *p = (const uint8_t *)&b->config;
	uint32_t v = 0;

	/* The transport checked off + size against config_size; the config is little-endian. */
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)p[off + i] << (8 * i);
	return v;
}

static const struct virtio_dev_ops blk_ops = {
	.config_read = blk_config_read,
	.notify = blk_notify,
};

void virtio_blk_init(struct virtio_blk *b, int fd, uint64_t size, bool read_only, const char *serial)
{
	memset(b, 0, sizeof *b);
	b->fd = fd;
	b->read_only = read_only;
	b->capacity = size / VIRTIO_BLK_SECTOR_SIZE;
	if (serial)
		memcpy(b->serial, serial, strnlen(serial, sizeof b->serial));
	b->config.capacity = htole64(b->capacity);
	b->config.seg_max = htole32(VIRTIO_BLK_QUEUE_SIZE - 2); /* the header and status take two */
	b->config.blk_size = htole32(VIRTIO_BLK_SECTOR_SIZE);
	b->vdev = (struct virtio_dev){
		.ops = &blk_ops,
		.opaque = b,
		.device_id = VIRTIO_ID_BLOCK,
		.features = 1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_BLK_SIZE |
			    1ULL << VIRTIO_BLK_F_FLUSH | (read_only ? 1ULL << VIRTIO_BLK_F_RO : 0) |
			    1ULL << VIRTIO_F_INDIRECT_DESC | 1ULL << VIRTIO_F_EVENT_IDX,
		.config_size = sizeof b->config,
		.nr_queues = 1,
		.queue_max = VIRTIO_BLK_QUEUE_SIZE,
	};
}
