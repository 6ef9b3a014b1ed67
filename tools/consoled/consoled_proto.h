/* SPDX-License-Identifier: MIT */
/*
 * consoled_proto.h: the client protocol of rivet-consoled, over the unix
 * socket <run dir>/consoled.sock. The client sends "ATTACH <domid>\n"; the
 * daemon answers "OK\n" then the last CONSOLED_BACKLOG bytes of the
 * domain's log and its output as it comes, or "ERR <reason>\n" and closes.
 * Bytes from the client are the domain's console input. The daemon closes
 * the connection when the domain is destroyed.
 *
 * A device model (rivet-dm) whose domain has a serial port connects to the
 * same socket as the other side of the UART and sends "SOURCE <domid>\n";
 * the daemon answers "OK\n", or "ERR <reason>\n" and closes (no such
 * domain, Domain-0, a bad line). From then on:
 *  - bytes from the source are that domain's console output, exactly like
 *    what the SBI console ring gives: appended to NAME.log (capped, rotated),
 *    counted by the same rate limit (each read of the socket is one read;
 *    while the domain is held back the socket is not read, so the source's
 *    own writes back up, and the daemon never waits on it) and sent to every
 *    attached client. The daemon reads at most CONSOLED_SOURCE_CHUNK bytes
 *    per wakeup.
 *  - input from attached clients goes to the source (non-blocking: what the
 *    socket cannot take now is dropped) instead of the domain's SBI input
 *    ring, for as long as a source is connected.
 *  - one source per domain: a second SOURCE for the same domain replaces
 *    the first (its connection is closed; a restarted device model must not
 *    wait for the daemon to notice that the old one died).
 *  - the source closing its end is not an error: input goes back to the
 *    SBI ring until a new source comes. The daemon closes the source when
 *    the domain is destroyed.
 */
#ifndef RIVET_CONSOLED_PROTO_H
#define RIVET_CONSOLED_PROTO_H

#define CONSOLED_SOCK_NAME "consoled.sock"
#define CONSOLED_BACKLOG   4096
#define CONSOLED_SOURCE_CHUNK 4096   /* bytes read from a source per wakeup */

#endif
