/* SPDX-License-Identifier: MIT */
/*
 * consoled_proto.h: the client protocol of rivet-consoled, over the unix
 * socket <run dir>/consoled.sock. A domain has up to three consoles: "sbi"
 * (its SBI console, a ring in the microvisor; every domain has it),
 * "serial" (the UART of its device model) and "virtio" (the virtio console
 * of its device model).
 *
 * A viewer sends "ATTACH <domid>\n" or "ATTACH <domid> <console>\n"
 * (console: sbi, serial or virtio); the daemon answers "OK\n" then a
 * backlog and the output as it comes, or "ERR <reason>\n" and closes. Bytes
 * from the viewer are console input. The daemon closes the connection when
 * the domain is destroyed.
 *  - without a console name: the output of all of them (the backlog: the
 *    last CONSOLED_BACKLOG bytes of the domain's log, which holds them all);
 *    input goes to the serial source if one is connected, else the virtio
 *    source if one is, else the SBI console's input ring.
 *  - with one: that console's output only (the backlog: its last
 *    CONSOLED_BACKLOG bytes since the daemon started); input goes to it
 *    only, and is dropped while a serial or virtio console has no source.
 *
 * A device model (rivet-dm) connects to the same socket as the other side
 * of a console and sends "SOURCE <domid> serial\n" (its UART; a bare
 * "SOURCE <domid>\n" means the same) or "SOURCE <domid> virtio\n" (its
 * virtio console), one connection each; the daemon answers "OK\n", or
 * "ERR <reason>\n" and closes (no such domain, Domain-0, a bad line). From
 * then on:
 *  - bytes from the source are that console's output, exactly like what
 *    the SBI console ring gives: appended to the domain's one NAME.log
 *    (capped, rotated), counted by the domain's one rate limit (each read
 *    of a source socket is one read; while the domain is held back its
 *    sources are not read, so their own writes back up, and the daemon
 *    never waits on them) and sent to the viewers of that console and of
 *    all of them. The daemon reads at most CONSOLED_SOURCE_CHUNK bytes per
 *    source per wakeup.
 *  - input from viewers goes to the source as said above (non-blocking:
 *    what the socket cannot take now is dropped).
 *  - one source per console of a domain: a second SOURCE for the same one
 *    replaces the first (its connection is closed; a restarted device
 *    model must not wait for the daemon to notice that the old one died).
 *  - a source closing its end is not an error. The daemon closes the
 *    sources of a domain when it is destroyed, after reading what they
 *    had sent (bounded).
 */
#ifndef RIVET_CONSOLED_PROTO_H
#define RIVET_CONSOLED_PROTO_H

#define CONSOLED_SOCK_NAME "consoled.sock"
#define CONSOLED_BACKLOG   4096
#define CONSOLED_SOURCE_CHUNK 4096   /* bytes read from a source per wakeup */
#define CONSOLED_SOURCE_SERIAL "serial"
#define CONSOLED_SOURCE_VIRTIO "virtio"

#endif
