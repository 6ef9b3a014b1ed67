/* SPDX-License-Identifier: MIT */
/*
 * virtio_input.h: the domain's power button, a virtio input device (virtio
 * 1.x 5.8, device ID 18) for the virtio-mmio transport. Linux drives it with
 * virtio_input: KEY_POWER and KEY_RESTART reach userspace through evdev (as
 * a laptop's power button does: systemd-logind powers off or reboots, the
 * Linux DomU shipped with Rivet runs guests/linux/powerkey), and Alt+SysRq+key
 * is taken by the kernel's own sysrq handler, which wants a device with
 * KEY_LEFTALT (drivers/tty/sysrq.c). `xl shutdown`, `xl reboot`, `xl trigger
 * power` and `xl sysrq` press its keys (docs/dm.md "The power button").
 *
 *	struct virtio_input in;
 *	virtio_input_init(&in);
 *	virtio_mmio_init(&slot, &guest_ram, irq, &in.vdev);
 *	a press:  virtio_input_press(&in, &slot, VIRTIO_INPUT_KEY_POWER);
 *
 * Events wait in a small FIFO for the driver's buffers (it posts them at
 * probe and after each batch it took). A key pressed while no driver runs
 * (before DRIVER_OK, or after a reset) is lost, as a real button's press
 * before the OS is up; a press that finds the FIFO full is dropped whole,
 * never half a press. Event buffers must be device-writable, status buffers
 * (LED state the driver reports; ignored) device-readable; anything else
 * stops the device (DEVICE_NEEDS_RESET).
 *
 * The vCPU axis (xl vcpu-set; docs/dm.md "The vCPU count"): with
 * virtio_input_vcpus_axis() the device also has one absolute axis, ABS_MISC,
 * from 1 to the domain's vCPUs, whose value is how many it may run. Its
 * value is sent (EV_ABS, SYN_REPORT) when it changes and to each new driver
 * once it posts buffers: virtio-input's config has no current value, so
 * Linux knows none until an event says it (EVIOCGABS reads 0 until then).
 *
 * Restart (dm_state.h): the FIFO and counters are plain data in *st, which
 * virtio_input_bind_state() moves into the state arena; an event is taken
 * off the FIFO only after its buffer was published, so a successor delivers
 * an event at least once and a press is never lost half-way.
 */
#ifndef RIVET_DM_VIRTIO_INPUT_H
#define RIVET_DM_VIRTIO_INPUT_H
#include <stdint.h>

#include "virtio_mmio.h"
#include "virtqueue.h"

#define VIRTIO_ID_INPUT              18
#define VIRTIO_INPUT_QUEUE_SIZE      64u   /* QueueNumMax (Linux posts up to 64 event buffers) */
#define VIRTIO_INPUT_EVENTQ          0u
#define VIRTIO_INPUT_STATUSQ         1u
#define VIRTIO_INPUT_NR_QUEUES       2u

/* The config space (virtio 1.x 5.8.4): select, subsel, size, 5 reserved, a 128-byte union. */
#define VIRTIO_INPUT_CFG_SELECT      0u
#define VIRTIO_INPUT_CFG_SUBSEL      1u
#define VIRTIO_INPUT_CFG_SIZE        2u
#define VIRTIO_INPUT_CFG_DATA        8u
#define VIRTIO_INPUT_CFG_DATA_MAX    128u
#define VIRTIO_INPUT_CONFIG_SIZE     (VIRTIO_INPUT_CFG_DATA + VIRTIO_INPUT_CFG_DATA_MAX)
/* select values */
#define VIRTIO_INPUT_CFG_UNSET       0x00u
#define VIRTIO_INPUT_CFG_ID_NAME     0x01u
#define VIRTIO_INPUT_CFG_ID_SERIAL   0x02u
#define VIRTIO_INPUT_CFG_ID_DEVIDS   0x03u
#define VIRTIO_INPUT_CFG_PROP_BITS   0x10u
#define VIRTIO_INPUT_CFG_EV_BITS     0x11u
#define VIRTIO_INPUT_CFG_ABS_INFO    0x12u

#define VIRTIO_INPUT_NAME            "Rivet power button"
#define VIRTIO_INPUT_SERIAL          "rivet-power"
#define VIRTIO_INPUT_BUS_VIRTUAL     0x06u  /* BUS_VIRTUAL of Linux's input.h */

/* Linux's input event codes (include/uapi/linux/input-event-codes.h). */
#define VIRTIO_INPUT_EV_SYN          0x00u
#define VIRTIO_INPUT_EV_KEY          0x01u
#define VIRTIO_INPUT_EV_ABS          0x03u
#define VIRTIO_INPUT_ABS_VCPUS       0x28u  /* ABS_MISC: the vCPU count */
#define VIRTIO_INPUT_ABSINFO_BYTES   20u    /* le32 min, max, fuzz, flat, res */
#define VIRTIO_INPUT_SYN_REPORT      0u
#define VIRTIO_INPUT_KEY_LEFTALT     56u
#define VIRTIO_INPUT_KEY_SYSRQ       99u
#define VIRTIO_INPUT_KEY_POWER       116u
#define VIRTIO_INPUT_KEY_RESTART     0x198u
#define VIRTIO_INPUT_KEY_MAX         0x2ffu

/* One event as the driver receives it: le16 type, le16 code, le32 value. */
#define VIRTIO_INPUT_EVENT_BYTES     8u
struct virtio_input_event {
	uint16_t type, code;
	uint32_t value;
};

/* Events waiting for buffers: four sysrq sequences' worth. */
#define VIRTIO_INPUT_PENDING_MAX     48u

/* Guest-visible state beyond the transport: plain data, restartable. */
struct virtio_input_state {
	uint8_t select, subsel;      /* the config selector the driver wrote */
	uint8_t pad[2];
	uint32_t head, count;        /* the FIFO: ev[head], ... count of them */
	uint64_t delivered;          /* events published, all time */
	uint64_t dropped;            /* events of presses dropped (no driver, FIFO full) */
	struct virtio_input_event ev[VIRTIO_INPUT_PENDING_MAX];
	uint32_t vcpus;              /* the vCPU axis' value (0: none set yet) */
	uint32_t vcpus_told;         /* 1: queued for the current driver */
};

struct virtio_input {
	struct virtio_input_state *st;   /* &own unless placed elsewhere (restart) */
	struct virtio_input_state own;
	unsigned vcpus_max;              /* the vCPU axis' maximum; 0: no axis */
	struct virtio_dev vdev;          /* what virtio_mmio_init() takes */
	struct vq_chain chain;           /* scratch: only ever used within one call */
};

void virtio_input_init(struct virtio_input *in);

/*
 * Queues N events as one whole (all or none) behind what waits, then hands
 * as many as the driver has buffers for. 0, or -1 when they were dropped:
 * the driver is not running (T not live) or the FIFO lacks room for all N.
 */
int virtio_input_send(struct virtio_input *in, struct virtio_mmio *t,
		      const struct virtio_input_event *ev, unsigned n);
/* A press and release of key CODE (4 events). 0, or -1 (dropped). */
int virtio_input_press(struct virtio_input *in, struct virtio_mmio *t, uint16_t code);
/*
 * The sysrq key C ('0'..'9', 'a'..'z'): Alt and SysRq held while C is
 * pressed (12 events). 0; -1 dropped; -2 C is no sysrq key.
 */
int virtio_input_sysrq(struct virtio_input *in, struct virtio_mmio *t, char c);
/* The Linux key code of C on a US keyboard ('0'..'9', 'a'..'z'), or 0. */
uint16_t virtio_input_key_of(char c);

/* Gives the device the vCPU axis, 1..MAX (before the driver probes: at setup). */
void virtio_input_vcpus_axis(struct virtio_input *in, unsigned max);
/*
 * The axis' value becomes N (1..max; else -2, nothing changed) and is sent
 * to the driver: 0, or -1 when no driver takes it now (it gets the value
 * once one posts buffers, so nothing is lost).
 */
int virtio_input_set_vcpus(struct virtio_input *in, struct virtio_mmio *t, unsigned n);

/* Moves IN's state to ST (dm_state.h); resumed, ST is kept with its FIFO bounded. ST NULL: nothing. */
void virtio_input_bind_state(struct virtio_input *in, struct virtio_input_state *st, int resumed);

#endif
