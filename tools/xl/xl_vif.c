/* SPDX-License-Identifier: MIT */
/*
 * xl_vif.c: a DomU's NICs on Dom0's side: one persistent tap per vif, up
 * and on its bridge before rivet-dm attaches to it, removed once the domain
 * and its device model are gone. Persistent, so that a device model that
 * is restarted finds the same port on the bridge (its TCP connections
 * carry on). The tap carries a virtio_net_hdr (IFF_VNET_HDR): rivet-dm
 * attaches with the same flags.
 *
 * Removal takes the tap's ifindex as recorded at creation: a tap of the
 * same name made since (a new domain that got the id back) has another
 * index and is left alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004   /* Linux 5.6 */
#endif
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xl.h"

#define TUN_DEV "/dev/net/tun"
#define TAP_FLAGS (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)

/* Xen's hotplug script gives its vifs this address, so a bridge never takes it as its own. */
static const uint8_t tap_mac[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };

void xl_vif_random_mac(uint8_t mac[6])
{
	uint8_t r[3] = { 0, 0, 0 };

	/*
	 * Never blocks: a Dom0 early after boot, or under QEMU -icount, may not
	 * have its entropy pool ready, and a MAC needs uniqueness, not secrecy.
	 */
	if (getrandom(r, sizeof r, GRND_INSECURE) != (ssize_t)sizeof r &&
	    getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		/* Time and pid still spread domains apart. */
		unsigned v = (unsigned)getpid() * 2654435761u ^ (unsigned)time(NULL);
		r[0] = (uint8_t)v;
		r[1] = (uint8_t)(v >> 8);
		r[2] = (uint8_t)(v >> 16);
	}
	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	mac[3] = r[0] & 0x7f;   /* Xen keeps the top bit of the fourth byte clear too */
	mac[4] = r[1];
	mac[5] = r[2];
}

void xl_vif_mac_string(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

static int sysfs_exists(const char *name, const char *what)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof path, "/sys/class/net/%s%s%s", name, what ? "/" : "", what ? what : "");
	return stat(path, &st) == 0;
}

int xl_vif_bridge_check(const char *bridge, char *why)
{
	if (!sysfs_exists(bridge, NULL))
		return reason_set(why, "bridge '%s' does not exist (Dom0's init makes rbr0; brctl show "
				  "lists the bridges)", bridge);
	if (!sysfs_exists(bridge, "bridge"))
		return reason_set(why, "'%s' is a network interface but not a bridge", bridge);
	return 0;
}

/* An fd attached to tap NAME (created if absent), or -1 with errno. */
static int tap_open(const char *name)
{
	struct ifreq ifr;
	int fd = open(TUN_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	ifr.ifr_flags = TAP_FLAGS;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Drops a tap nobody holds: no longer persistent, it goes with our fd. */
static int tap_delete(const char *name)
{
	int fd = tap_open(name);

	if (fd < 0)
		return -1;
	int r = ioctl(fd, TUNSETPERSIST, 0);
	close(fd);
	return r;
}

/* Up, Xen's vif MAC, on BRIDGE. */
static int tap_plug(const char *name, const char *bridge, unsigned *ifindex, char *why)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = -1;

	if (s < 0)
		return reason_set(why, "socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	ifr.ifr_hwaddr.sa_family = 1;   /* ARPHRD_ETHER */
	memcpy(ifr.ifr_hwaddr.sa_data, tap_mac, sizeof tap_mac);
	if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0) {
		reason_set(why, "cannot set tap %s's address: %s", name, strerror(errno));
		goto out;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		reason_set(why, "cannot read tap %s's flags: %s", name, strerror(errno));
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		reason_set(why, "cannot bring tap %s up: %s", name, strerror(errno));
		goto out;
	}
	if (ioctl(s, SIOCGIFINDEX, &ifr) < 0) {
		reason_set(why, "cannot find tap %s's index: %s", name, strerror(errno));
		goto out;
	}
	*ifindex = (unsigned)ifr.ifr_ifindex;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", bridge);
	if (ioctl(s, SIOCBRADDIF, &ifr) < 0) {
		reason_set(why, "cannot add tap %s to bridge %s: %s", name, bridge, strerror(errno));
		goto out;
	}
	r = 0;
out:
	close(s);
	return r;
}

int xl_vif_tap_create(const char *name, const char *bridge, unsigned *ifindex, char *why)
{
	int fd;

	if (sysfs_exists(name, NULL)) {
		if (!sysfs_exists(name, "tun_flags"))
			return reason_set(why, "a network interface named %s exists and is not a tap", name);
		/* Left by a domain that had this id (or vifname) before: gone unless held. */
		if (tap_delete(name) < 0)
			return reason_set(why, "tap %s exists and is in use (%s)", name,
					  errno == EBUSY ? "another device model holds it" : strerror(errno));
	}
	fd = tap_open(name);
	if (fd < 0)
		return reason_set(why, "cannot create tap %s: %s", name, strerror(errno));
	if (ioctl(fd, TUNSETPERSIST, 1) < 0) {
		reason_set(why, "cannot make tap %s persistent: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (tap_plug(name, bridge, ifindex, why) < 0) {
		tap_delete(name);
		return -1;
	}
	return 0;
}

int xl_vif_tap_remove(const char *name, unsigned ifindex)
{
	if (!sysfs_exists(name, "tun_flags"))
		return 0;
	if (ifindex && if_nametoindex(name) != ifindex)
		return 0;   /* another tap of that name: not ours */
	return tap_delete(name);
}

void xl_vif_remove_all(const struct xl_vif *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (v[i].tap[0] && xl_vif_tap_remove(v[i].tap, v[i].ifindex) < 0)
			xl_err("cannot remove tap %s: %s", v[i].tap, strerror(errno));
}

const char xl_network_header[] =
	"Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path\n";

int xl_network_row(const struct xl_vif *v, char *buf, size_t size)
{
	char mac[18];

	xl_vif_mac_string(v->mac, mac);
	/* Xen's columns; state 4 is XenbusStateConnected, no event channel or rings here. */
	return snprintf(buf, size, "%-3u 0  %s %-6u 4     %-8d %-15s %s@%s\n", v->devid, mac, v->devid,
			-1, "-1/-1", v->tap, v->bridge);
}
