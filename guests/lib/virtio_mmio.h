/* SPDX-License-Identifier: MIT */
/* virtio_mmio.h: the virtio-mmio (version 2) register offsets, for test guests that drive devices. */
#ifndef GUEST_VIRTIO_MMIO_H
#define GUEST_VIRTIO_MMIO_H

#define VM_MAGIC            0x000
#define VM_VERSION          0x004
#define VM_DEVICE_ID        0x008
#define VM_VENDOR_ID        0x00c
#define VM_DEV_FEATURES     0x010
#define VM_DEV_FEATURES_SEL 0x014
#define VM_DRV_FEATURES     0x020
#define VM_DRV_FEATURES_SEL 0x024
#define VM_QUEUE_SEL        0x030
#define VM_QUEUE_NUM_MAX    0x034
#define VM_QUEUE_NUM        0x038
#define VM_QUEUE_READY      0x044
#define VM_QUEUE_NOTIFY     0x050
#define VM_INT_STATUS       0x060
#define VM_INT_ACK          0x064
#define VM_STATUS           0x070
#define VM_QUEUE_DESC       0x080
#define VM_QUEUE_DRIVER     0x090
#define VM_QUEUE_DEVICE     0x0a0
#define VM_SHM_SEL          0x0ac
#define VM_CONFIG_GEN       0x0fc
#define VM_CONFIG           0x100

#define VIRTIO_MAGIC        0x74726976U   /* "virt" */
#define VIRTIO_SLOTS        8             /* QEMU virt's, at 0x10001000 + n * 0x1000 */

/* Status bits */
#define ST_ACK          1
#define ST_DRIVER       2
#define ST_DRIVER_OK    4
#define ST_FEATURES_OK  8
#define ST_NEEDS_RESET  64
#define ST_FAILED       128

#endif
