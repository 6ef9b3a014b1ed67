// SPDX-License-Identifier: MIT
/*
 * virtio_input.c: the power button (see virtio_input.h). The config space
 * answers what the driver selected: the name, the serial, the ids, and the
 * EV_KEY bitmap (the power and restart keys, Alt and SysRq, the sysrq
 * letters and digits), and with the vCPU axis its EV_ABS bitmap and range;
 * every other selection has size 0.
 */
#include "virtio_input.h"

#include <string.h>

#include "dm_log.h"

/* The sysrq keys by their row on a US keyboard, with the first row's key code. */
static const struct { const char *keys; uint16_t first; } key_rows[] = {
	{ "1234567890", 2 },     /* KEY_1 .. KEY_0 */
	{ "qwertyuiop", 16 },    /* KEY_Q .. KEY_P */
	{ "asdfghjkl", 30 },     /* KEY_A .. KEY_L */
	{ "zxcvbnm", 44 },       /* KEY_Z .. KEY_M */
};

uint16_t virtio_input_key_of(char c)
{
	if (!c)
		return 0;
	for (unsigned r = 0; r < sizeof key_rows / sizeof key_rows[0]; r++) {
		const char *at = strchr(key_rows[r].keys, c);
		if (at)
			return (uint16_t)(key_rows[r].first + (at - key_rows[r].keys));
	}
	return 0;
}

static void set_bit(uint8_t *map, unsigned bit)
{
	map[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

/* The selected config data into DATA (VIRTIO_INPUT_CFG_DATA_MAX bytes); its size. */
static unsigned config_data(const struct virtio_input *in, uint8_t *data)
{
	memset(data, 0, VIRTIO_INPUT_CFG_DATA_MAX);
	switch (in->st->select) {
	case VIRTIO_INPUT_CFG_ID_NAME:
		memcpy(data, VIRTIO_INPUT_NAME, sizeof VIRTIO_INPUT_NAME - 1);
		return sizeof VIRTIO_INPUT_NAME - 1;
	case VIRTIO_INPUT_CFG_ID_SERIAL:
		memcpy(data, VIRTIO_INPUT_SERIAL, sizeof VIRTIO_INPUT_SERIAL - 1);
		return sizeof VIRTIO_INPUT_SERIAL - 1;
	case VIRTIO_INPUT_CFG_ID_DEVIDS: {
		/* le16 bustype, vendor, product, version: "RV" and 1. */
		const uint16_t ids[4] = { VIRTIO_INPUT_BUS_VIRTUAL, 0x5256, 0x0001, 0x0001 };
		for (unsigned i = 0; i < 4; i++) {
			data[2 * i] = (uint8_t)ids[i];
			data[2 * i + 1] = (uint8_t)(ids[i] >> 8);
		}
		return 8;
	}
	case VIRTIO_INPUT_CFG_EV_BITS:
		if (in->st->subsel == VIRTIO_INPUT_EV_ABS && in->vcpus_max) {
			set_bit(data, VIRTIO_INPUT_ABS_VCPUS);
			return VIRTIO_INPUT_ABS_VCPUS / 8 + 1;
		}
		if (in->st->subsel != VIRTIO_INPUT_EV_KEY)
			return 0;
		set_bit(data, VIRTIO_INPUT_KEY_POWER);
		set_bit(data, VIRTIO_INPUT_KEY_RESTART);
		set_bit(data, VIRTIO_INPUT_KEY_LEFTALT);
		set_bit(data, VIRTIO_INPUT_KEY_SYSRQ);
		for (unsigned r = 0; r < sizeof key_rows / sizeof key_rows[0]; r++)
			for (unsigned k = 0; key_rows[r].keys[k]; k++)
				set_bit(data, key_rows[r].first + k);
		/* The bitmap's size: up to its last non-zero byte. */
		return VIRTIO_INPUT_KEY_RESTART / 8 + 1;
	case VIRTIO_INPUT_CFG_ABS_INFO: {
		if (in->st->subsel != VIRTIO_INPUT_ABS_VCPUS || !in->vcpus_max)
			return 0;
		/* min 1, max, fuzz 0, flat 0, res 0: fuzz 0, so Linux passes every change on. */
		const uint32_t info[5] = { 1, in->vcpus_max, 0, 0, 0 };
		for (unsigned i = 0; i < 5; i++)
			for (unsigned b = 0; b < 4; b++)
				data[4 * i + b] = (uint8_t)(info[i] >> (8 * b));
		return VIRTIO_INPUT_ABSINFO_BYTES;
	}
	default:
		return 0;
	}
}

static uint32_t in_config_read(void *dev, uint32_t off, unsigned size)
{
	struct virtio_input *in = dev;
	uint8_t data[VIRTIO_INPUT_CFG_DATA_MAX];
	unsigned len = config_data(in, data);
	uint32_t v = 0;

	/* The transport checked off + size <= VIRTIO_INPUT_CONFIG_SIZE. */
	for (unsigned i = 0; i < size; i++) {
		uint32_t at = off + i, b = 0;
		if (at == VIRTIO_INPUT_CFG_SELECT)
			b = in->st->select;
		else if (at == VIRTIO_INPUT_CFG_SUBSEL)
			b = in->st->subsel;
		else if (at == VIRTIO_INPUT_CFG_SIZE)
			b = len;
		else if (at >= VIRTIO_INPUT_CFG_DATA)
			b = data[at - VIRTIO_INPUT_CFG_DATA];
		v |= b << (8 * i);
	}
	return v;
}

static void in_config_write(void *dev, uint32_t off, unsigned size, uint32_t value)
{
	struct virtio_input *in = dev;

	/* Only select and subsel are the driver's to write (virtio 1.x 5.8.5.1). */
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(value >> (8 * i));
		if (off + i == VIRTIO_INPUT_CFG_SELECT)
			in->st->select = b;
		else if (off + i == VIRTIO_INPUT_CFG_SUBSEL)
			in->st->subsel = b;
	}
}

static void broken(struct virtio_mmio *t, const char *why, uint16_t head)
{
	dm_log_guest("virtio-input: %s (chain %u)", why, head);
	virtio_mmio_set_broken(t);
}

/* Writes E into the chain's device-writable buffers (8 bytes, little-endian). */
static void put_event(struct vq_chain *c, const struct virtio_input_event *e)
{
	uint8_t b[VIRTIO_INPUT_EVENT_BYTES] = {
		(uint8_t)e->type, (uint8_t)(e->type >> 8), (uint8_t)e->code, (uint8_t)(e->code >> 8),
		(uint8_t)e->value, (uint8_t)(e->value >> 8), (uint8_t)(e->value >> 16), (uint8_t)(e->value >> 24),
	};
	unsigned done = 0;

	for (unsigned i = 0; i < c->nseg && done < sizeof b; i++) {
		unsigned k = c->seg[i].len < sizeof b - done ? c->seg[i].len : (unsigned)sizeof b - done;
		memcpy(c->seg[i].ptr, b + done, k);
		done += k;
	}
}

/* As many waiting events as the driver has buffers for (at most a queue's worth). */
static void deliver(struct virtio_input *in, struct virtio_mmio *t)
{
	struct virtio_input_state *st = in->st;
	struct vq *q = &t->vq[VIRTIO_INPUT_EVENTQ];
	unsigned budget = q->num;

	if (t->dev != &in->vdev || !virtio_mmio_live(t) || !q->ready)
		return;
	while (st->count && budget--) {
		int r = vq_pop(q, t->mem, &in->chain);
		if (r == VQ_EMPTY)
			break;
		if (r != VQ_CHAIN) {
			broken(t, "malformed event chain", in->chain.head);
			return;
		}
		if (in->chain.read_bytes || in->chain.write_bytes < VIRTIO_INPUT_EVENT_BYTES) {
			broken(t, "event buffer not an 8-byte device-writable one", in->chain.head);
			return;
		}
		put_event(&in->chain, &st->ev[st->head]);
		if (vq_push(q, t->mem, in->chain.head, VIRTIO_INPUT_EVENT_BYTES) < 0) {
			virtio_mmio_set_broken(t);
			return;
		}
		/* Published, then off the FIFO: a successor may deliver it again, never lose it. */
		st->head = (st->head + 1) % VIRTIO_INPUT_PENDING_MAX;
		st->count--;
		st->delivered++;
	}
	if (vq_need_notify(q, t->mem))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
}

/* The driver's status buffers (LED state): taken and returned unread. */
static bool drain_status(struct virtio_input *in, struct virtio_mmio *t)
{
	struct vq *q = &t->vq[VIRTIO_INPUT_STATUSQ];
	unsigned budget = q->num;

	for (;;) {
		if (budget-- == 0)
			return true;
		int r = vq_pop(q, t->mem, &in->chain);
		if (r == VQ_EMPTY)
			break;
		if (r != VQ_CHAIN) {
			broken(t, "malformed status chain", in->chain.head);
			return false;
		}
		if (in->chain.write_bytes) {
			broken(t, "status chain with a device-writable buffer", in->chain.head);
			return false;
		}
		if (vq_push(q, t->mem, in->chain.head, 0) < 0) {
			virtio_mmio_set_broken(t);
			return false;
		}
	}
	if (vq_need_notify(q, t->mem))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
	return false;
}

static int tell_vcpus(struct virtio_input *in, struct virtio_mmio *t);

static bool in_notify(void *dev, struct virtio_mmio *t, unsigned queue)
{
	struct virtio_input *in = dev;

	if (queue == VIRTIO_INPUT_STATUSQ)
		return drain_status(in, t);
	if (queue == VIRTIO_INPUT_EVENTQ) {
		deliver(in, t);      /* new buffers: what waits goes now */
		tell_vcpus(in, t);   /* a new driver's first buffers, or room in a FIFO that was full */
	}
	return false;
}

int virtio_input_send(struct virtio_input *in, struct virtio_mmio *t,
		      const struct virtio_input_event *ev, unsigned n)
{
	struct virtio_input_state *st = in->st;

	if (t->dev != &in->vdev || !virtio_mmio_live(t) || n > VIRTIO_INPUT_PENDING_MAX - st->count) {
		st->dropped += n;
		return -1;
	}
	for (unsigned i = 0; i < n; i++)
		st->ev[(st->head + st->count + i) % VIRTIO_INPUT_PENDING_MAX] = ev[i];
	st->count += n;
	deliver(in, t);
	return 0;
}

#define KEY(code, down) { VIRTIO_INPUT_EV_KEY, (code), (down) }
#define SYN             { VIRTIO_INPUT_EV_SYN, VIRTIO_INPUT_SYN_REPORT, 0 }

int virtio_input_press(struct virtio_input *in, struct virtio_mmio *t, uint16_t code)
{
	const struct virtio_input_event ev[] = { KEY(code, 1), SYN, KEY(code, 0), SYN };

	return virtio_input_send(in, t, ev, sizeof ev / sizeof ev[0]);
}

int virtio_input_sysrq(struct virtio_input *in, struct virtio_mmio *t, char c)
{
	uint16_t key = virtio_input_key_of(c);

	if (!key)
		return -2;
	const struct virtio_input_event ev[] = {
		KEY(VIRTIO_INPUT_KEY_LEFTALT, 1), SYN, KEY(VIRTIO_INPUT_KEY_SYSRQ, 1), SYN,
		KEY(key, 1), SYN, KEY(key, 0), SYN,
		KEY(VIRTIO_INPUT_KEY_SYSRQ, 0), SYN, KEY(VIRTIO_INPUT_KEY_LEFTALT, 0), SYN,
	};
	return virtio_input_send(in, t, ev, sizeof ev / sizeof ev[0]);
}

/* Queues the vCPU count for the driver unless it has it: 0 queued (and delivered what fits), else -1. */
static int tell_vcpus(struct virtio_input *in, struct virtio_mmio *t)
{
	struct virtio_input_state *st = in->st;

	if (!in->vcpus_max || !st->vcpus || st->vcpus_told)
		return -1;
	/* No driver yet is no loss: it is told once it posts buffers. */
	if (t->dev != &in->vdev || !virtio_mmio_live(t))
		return -1;
	const struct virtio_input_event ev[] = {
		{ VIRTIO_INPUT_EV_ABS, VIRTIO_INPUT_ABS_VCPUS, st->vcpus }, SYN,
	};
	if (virtio_input_send(in, t, ev, sizeof ev / sizeof ev[0]) < 0)
		return -1;   /* FIFO full: tried again at the driver's next buffers */
	st->vcpus_told = 1;
	return 0;
}

void virtio_input_vcpus_axis(struct virtio_input *in, unsigned max)
{
	in->vcpus_max = max;
}

int virtio_input_set_vcpus(struct virtio_input *in, struct virtio_mmio *t, unsigned n)
{
	if (!in->vcpus_max || n < 1 || n > in->vcpus_max)
		return -2;
	in->st->vcpus = n;
	in->st->vcpus_told = 0;
	return tell_vcpus(in, t);
}

static void in_reset(void *dev)
{
	struct virtio_input *in = dev;

	/* Presses the old driver did not take are not the new one's to see. */
	in->st->dropped += in->st->count;
	in->st->head = in->st->count = 0;
	in->st->select = in->st->subsel = 0;
	in->st->vcpus_told = 0;   /* the next driver starts from 0: it must be told */
}

void virtio_input_bind_state(struct virtio_input *in, struct virtio_input_state *st, int resumed)
{
	if (!st)
		return;
	if (!resumed)
		*st = *in->st;
	in->st = st;
	/* A damaged file: indices back in bounds (the events themselves are any values). */
	st->head %= VIRTIO_INPUT_PENDING_MAX;
	if (st->count > VIRTIO_INPUT_PENDING_MAX)
		st->count = 0;
	if (st->vcpus > in->vcpus_max)
		st->vcpus = 0;    /* not this domain's: the caller sets it afresh */
	st->vcpus_told = !!st->vcpus_told;
}

static const struct virtio_dev_ops in_ops = {
	.config_read = in_config_read,
	.config_write = in_config_write,
	.notify = in_notify,
	.reset = in_reset,
};

void virtio_input_init(struct virtio_input *in)
{
	memset(in, 0, sizeof *in);
	in->st = &in->own;
	in->vdev = (struct virtio_dev){
		.ops = &in_ops,
		.opaque = in,
		.device_id = VIRTIO_ID_INPUT,
		.features = 1ULL << VIRTIO_F_INDIRECT_DESC | 1ULL << VIRTIO_F_EVENT_IDX,
		.config_size = VIRTIO_INPUT_CONFIG_SIZE,
		.nr_queues = VIRTIO_INPUT_NR_QUEUES,
		.queue_max = VIRTIO_INPUT_QUEUE_SIZE,
	};
}
