/* SPDX-License-Identifier: MIT */
/*
 * virtio_mmio.h: the virtio-mmio transport, version 2 (virtio 1.x, "Virtio
 * Over MMIO"), one per slot of the guest's virtio window (QEMU virt: slot N
 * at RIVET_GUEST_VIRTIO_BASE + N * 0x1000, VIRTIO_MMIO_SIZE bytes, PLIC
 * source 1 + N). A slot without a device answers Magic, Version 2, VendorID
 * and DeviceID 0, so a driver probes it and finds nothing, as on QEMU.
 *
 * Wiring, for the daemon (single-threaded, so no locking):
 *
 *	struct virtio_mmio t;
 *	virtio_mmio_init(&t, &guest_ram, irq, &blk.vdev);   (or NULL: empty slot)
 *	bus: [base, base + VIRTIO_MMIO_SIZE) -> &virtio_mmio_ops, &t
 *	main loop: while (virtio_mmio_pending(&t)) virtio_mmio_poll(&t);
 *
 * The guest RAM and the irq must outlive the transport. Writing QueueNotify
 * runs the device's notify handler at once; a handler does a bounded amount
 * of work and says whether more remains, which virtio_mmio_poll() resumes.
 *
 * Behaviour as QEMU's hw/virtio/virtio-mmio.c shows a driver: registers
 * other than the config space are 32-bit only (other sizes read 0 and
 * ignore writes); write-only registers read 0; the queue registers
 * (QueueNum, QueueDesc/Driver/Device) are only taken while QueueReady is 0;
 * an out-of-range config access reads 0 (dm_dev.h's rule; QEMU reads ~0).
 */
#ifndef RIVET_DM_VIRTIO_MMIO_H
#define RIVET_DM_VIRTIO_MMIO_H
#include <stdbool.h>
#include <stdint.h>

#include "dm_dev.h"
#include "dm_mem.h"
#include "virtqueue.h"

#define VIRTIO_MMIO_SIZE          0x200  /* registers and config space of one slot */
#define VIRTIO_MMIO_MAGIC         0x74726976u /* "virt" */
#define VIRTIO_MMIO_VERSION_2     2u
#define VIRTIO_MMIO_VENDOR        0x52495654u /* "RIVT": Rivet's device model */

/* Register offsets (virtio 1.x 4.2.2). */
#define VIRTIO_MMIO_MAGIC_VALUE        0x000
#define VIRTIO_MMIO_VERSION            0x004
#define VIRTIO_MMIO_DEVICE_ID          0x008
#define VIRTIO_MMIO_VENDOR_ID          0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES    0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES    0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL          0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX      0x034
#define VIRTIO_MMIO_QUEUE_NUM          0x038
#define VIRTIO_MMIO_QUEUE_READY        0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY       0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS   0x060
#define VIRTIO_MMIO_INTERRUPT_ACK      0x064
#define VIRTIO_MMIO_STATUS             0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW     0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH    0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW   0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH  0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW   0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH  0x0a4
#define VIRTIO_MMIO_SHM_SEL            0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW        0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH       0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW       0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH      0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION  0x0fc
#define VIRTIO_MMIO_CONFIG             0x100

/* InterruptStatus bits. */
#define VIRTIO_MMIO_INT_VRING   1u  /* a used buffer */
#define VIRTIO_MMIO_INT_CONFIG  2u  /* configuration change (or DEVICE_NEEDS_RESET) */

/* Device status bits (virtio 1.x 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE  1u
#define VIRTIO_STATUS_DRIVER       2u
#define VIRTIO_STATUS_DRIVER_OK    4u
#define VIRTIO_STATUS_FEATURES_OK  8u
#define VIRTIO_STATUS_NEEDS_RESET  0x40u
#define VIRTIO_STATUS_FAILED       0x80u

#define VIRTIO_MMIO_MAX_QUEUES  8

struct virtio_mmio;

/*
 * What a device plugs into the transport. config_read/config_write get an
 * access the transport has checked: off + size <= config_size, size 1, 2
 * or 4. notify processes at most about one ring's worth of QUEUE (taking
 * chains from &t->vq[queue] with t->mem) and returns true if more is left.
 * reset returns the device to its initial state (the transport has already
 * reset the queues). Any callback but notify may be NULL.
 */
struct virtio_dev_ops {
	uint32_t (*config_read)(void *dev, uint32_t off, unsigned size);
	void (*config_write)(void *dev, uint32_t off, unsigned size, uint32_t value);
	bool (*notify)(void *dev, struct virtio_mmio *t, unsigned queue);
	void (*reset)(void *dev);
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	void *opaque;            /* the callbacks' dev */
	uint32_t device_id;      /* VIRTIO_ID_* */
	uint64_t features;       /* offered; the transport adds VIRTIO_F_VERSION_1 */
	uint32_t config_size;    /* bytes, at most VIRTIO_MMIO_SIZE - VIRTIO_MMIO_CONFIG */
	unsigned nr_queues;      /* 1..VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_max;      /* QueueNumMax of every queue, 1..VQ_MAX_SIZE */
};

/* Everything the guest can observe: plain data, in the state arena (dm_state.h). */
struct virtio_mmio_state {
	uint32_t status;
	uint32_t isr;             /* InterruptStatus; the irq line is high while it is not 0 */
	/*
	 * isr bits raised since the driver last read InterruptStatus. The ACK
	 * is a posted write (dm_machine.c): it reaches us after the driver has
	 * already looked at its rings, so an event raised between its read and
	 * our processing of its ACK is one it may not have seen. The ACK does
	 * not clear these: the line stays up and the driver comes back.
	 */
	uint32_t isr_unread;
	uint32_t config_gen;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t driver_features; /* as written; negotiated once FEATURES_OK is in status */
	uint32_t pending;         /* queues whose notify left work (bit per queue) */
	uint32_t device_id;       /* the slot's device (0: empty): a successor must serve the same */
	struct vq vq[VIRTIO_MMIO_MAX_QUEUES];
};

struct virtio_mmio {
	const struct dm_mem *mem;
	struct dm_irq irq;
	const struct virtio_dev *dev; /* NULL: empty slot */
	uint64_t offered;         /* dev->features | VERSION_1 */
	struct virtio_mmio_state *st; /* &own, or the arena's slice */
	struct vq *vq;            /* st->vq: what a device's notify takes its queues from */
	struct virtio_mmio_state own;
	uint64_t nr_late_acks;    /* ACKs that left an unread bit set (a wake-up a plain ACK would lose) */
};

/* MMIO ops for the daemon's bus; their dev is the struct virtio_mmio. */
extern const struct dm_mmio_ops virtio_mmio_ops;
uint64_t virtio_mmio_read(void *t, uint64_t offset, unsigned size);
void virtio_mmio_write(void *t, uint64_t offset, unsigned size, uint64_t value);

/* Sets up T for DEV (NULL: empty slot) in its reset state, irq low. DEV must stay valid. */
void virtio_mmio_init(struct virtio_mmio *t, const struct dm_mem *mem, struct dm_irq irq,
		      const struct virtio_dev *dev);

/*
 * Moves T's state to ST (dm_state.h): fresh (RESUMED 0), the current state
 * is copied there; resumed, ST is kept (queue sizes bounded by what the
 * device offers). No callback runs: virtio_mmio_resume does the rest once
 * the daemon serves again. ST NULL: nothing changes. 0, or -1 (nothing
 * changed) when a resumed ST belongs to another device than T's (another
 * device layout: a disk where the console was, a slot emptied).
 */
int virtio_mmio_bind_state(struct virtio_mmio *t, struct virtio_mmio_state *st, int resumed);
/*
 * A resumed slot carries on: every queue's journal is settled (vq_recover: a
 * driver that scribbled on used->idx only gets DEVICE_NEEDS_RESET); then,
 * because the posted QueueNotify and InterruptACK writes in the dead
 * process's ring may be lost, after a death (CLEAN 0) a used-buffer
 * interrupt is raised (one more is harmless, one lost is a hang), the line
 * is driven again, and every queue of a live device is run as if notified.
 */
void virtio_mmio_resume(struct virtio_mmio *t, int clean);

/* Whether some queue's notify left work behind; virtio_mmio_poll() does the next round. */
bool virtio_mmio_pending(const struct virtio_mmio *t);
void virtio_mmio_poll(struct virtio_mmio *t);

/* For devices: whether the driver accepted feature BIT (meaningful once FEATURES_OK is set). */
bool virtio_mmio_has_feature(const struct virtio_mmio *t, unsigned bit);
/* For devices: sets InterruptStatus bits (VIRTIO_MMIO_INT_*) and raises the line. */
void virtio_mmio_interrupt(struct virtio_mmio *t, uint32_t bits);
/* For devices: the config space changed (new ConfigGeneration, config interrupt). */
void virtio_mmio_config_changed(struct virtio_mmio *t);
/*
 * For devices: a queue is broken (vq_pop said VQ_BROKEN). Sets
 * DEVICE_NEEDS_RESET and raises the config interrupt; no queue of the device
 * is processed again until the driver resets it.
 */
void virtio_mmio_set_broken(struct virtio_mmio *t);
/* For devices: whether the driver is done setting up and the device is not stopped (DRIVER_OK, no NEEDS_RESET). */
bool virtio_mmio_live(const struct virtio_mmio *t);
/*
 * For devices that held work back (an output that was full): runs QUEUE's
 * notify handler now, as if the driver had notified it; work it leaves is
 * resumed by virtio_mmio_poll() like a notify's.
 */
void virtio_mmio_kick(struct virtio_mmio *t, unsigned queue);

#endif
