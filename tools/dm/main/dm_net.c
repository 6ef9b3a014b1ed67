// SPDX-License-Identifier: MIT
/*
 * dm_net.c: the DomU's NICs in rivet-dm: each virtio-net device over a tap
 * device of Dom0 that xl created (persistent, up, on the bridge). rivet-dm
 * only attaches to it, so a restarted rivet-dm finds the same tap and the
 * bridge never sees the port go. The tap carries a 12-byte virtio_net_hdr
 * before each frame (IFF_VNET_HDR), which is what lets checksums and TCP
 * segmentation pass between the guest and Dom0's stack undone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dm.h"
#include "dm_log.h"

#define TUN_DEV "/dev/net/tun"

static int tap_send(void *be, const struct iovec *iov, unsigned niov)
{
	struct dm_nic *nic = be;
	ssize_t n;

	do
		n = writev(nic->fd, iov, (int)niov);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		/* A frame the kernel refuses (a bad header) or a full queue: dropped, as on a wire. */
		if (nic->send_errors++ % 1000 == 0)
			dm_log("nic %s: send: %s (%llu failures)", nic->tap, strerror(errno),
			       (unsigned long long)nic->send_errors);
		return -1;
	}
	return 0;
}

static ssize_t tap_recv(void *be, void *buf, size_t len)
{
	struct dm_nic *nic = be;
	ssize_t n;

	do
		n = read(nic->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n < 0 && nic->recv_errors++ % 1000 == 0)
		dm_log("nic %s: receive: %s (%llu failures)", nic->tap, strerror(errno),
		       (unsigned long long)nic->recv_errors);
	return n < 0 ? -1 : n;
}

static void tap_set_offload(void *be, unsigned off)
{
	struct dm_nic *nic = be;
	unsigned long f = 0;

	if (off & VIRTIO_NET_OFF_CSUM)
		f |= TUN_F_CSUM;
	if (off & VIRTIO_NET_OFF_TSO4)
		f |= TUN_F_TSO4;
	if (off & VIRTIO_NET_OFF_TSO6)
		f |= TUN_F_TSO6;
	if (off & VIRTIO_NET_OFF_ECN)
		f |= TUN_F_TSO_ECN;
	if (ioctl(nic->fd, TUNSETOFFLOAD, f) < 0)
		dm_log("nic %s: offloads %#lx: %s", nic->tap, f, strerror(errno));
}

static const struct virtio_net_backend tap_backend = {
	.send = tap_send,
	.recv = tap_recv,
	.set_offload = tap_set_offload,
};

/* Attaches to the existing tap NAME; the fd, or -1 with ERR. */
static int tap_attach(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	char path[64];
	struct stat st;
	int hdr = VIRTIO_NET_HDR_SIZE, fd;

	/* TUNSETIFF would create a tap that is not there: one nobody put on a bridge. */
	snprintf(path, sizeof path, "/sys/class/net/%s", name);
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "tap %s does not exist (xl creates it)", name);
		return -1;
	}
	fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", TUN_DEV, strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen, "cannot attach to tap %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0 || ioctl(fd, TUNSETOFFLOAD, 0UL) < 0) {
		snprintf(err, errlen, "tap %s: cannot set its vnet header: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int dm_net_open(struct dm *dm, char *err, size_t errlen)
{
	for (unsigned i = 0; i < dm->args.nr_nics; i++) {
		const struct dm_nic_arg *a = &dm->args.nic[i];
		struct dm_nic *nic = &dm->nic[i];
		char why[200];

		nic->fd = tap_attach(a->tap, why, sizeof why);
		if (nic->fd < 0) {
			snprintf(err, errlen, "nic %u: %s", i, why);
			return -1;
		}
		snprintf(nic->tap, sizeof nic->tap, "%s", a->tap);
		nic->dev = calloc(1, sizeof *nic->dev);
		if (!nic->dev) {
			snprintf(err, errlen, "nic %u: out of memory", i);
			return -1;
		}
		virtio_net_init(nic->dev, a->mac, &tap_backend, nic, a->offload);
	}
	return 0;
}

unsigned dm_net_pollfds(struct dm *dm, struct pollfd *pfd)
{
	unsigned n = 0;

	for (unsigned i = 0; i < dm->args.nr_nics; i++) {
		struct dm_nic *nic = &dm->nic[i];
		nic->pfd = -1;
		if (nic->fd < 0 || !virtio_net_wants_rx(nic->dev, &dm->slot[nic->slot]))
			continue;
		nic->pfd = (int)n;
		pfd[n++] = (struct pollfd){ .fd = nic->fd, .events = POLLIN };
	}
	return n;
}

int dm_net_events(struct dm *dm, const struct pollfd *pfd)
{
	int more = 0;

	for (unsigned i = 0; i < dm->args.nr_nics; i++) {
		struct dm_nic *nic = &dm->nic[i];
		if (nic->pfd < 0)
			continue;
		if (pfd[nic->pfd].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			/* The tap went away under us: the NIC goes quiet (sends fail) rather than spin. */
			dm_log("nic %s: the tap failed (revents %#x); its traffic stops", nic->tap,
			       pfd[nic->pfd].revents);
			close(nic->fd);
			nic->fd = -1;
			continue;
		}
		if (!(pfd[nic->pfd].revents & POLLIN))
			continue;
		more |= virtio_net_rx(nic->dev, &dm->slot[nic->slot]);
	}
	return more;
}

void dm_net_close(struct dm *dm)
{
	for (unsigned i = 0; i < DM_MAX_NICS; i++) {
		struct dm_nic *nic = &dm->nic[i];
		if (nic->dev)
			dm_log("nic %s: %llu packets in, %llu out, %llu dropped in, %llu dropped out, "
			       "%llu interrupts kept past a late ACK",
			       nic->tap, (unsigned long long)nic->dev->st->rx_packets,
			       (unsigned long long)nic->dev->st->tx_packets,
			       (unsigned long long)nic->dev->st->rx_dropped,
			       (unsigned long long)nic->dev->st->tx_dropped,
			       (unsigned long long)dm->slot[nic->slot].nr_late_acks);
		if (nic->fd >= 0)
			close(nic->fd);   /* the tap stays: it is persistent, xl removes it */
		nic->fd = -1;
		free(nic->dev);
		nic->dev = NULL;
	}
}
