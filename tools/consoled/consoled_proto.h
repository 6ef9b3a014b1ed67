/* SPDX-License-Identifier: MIT */
/*
 * consoled_proto.h: the client protocol of rivet-consoled, over the unix
 * socket <run dir>/consoled.sock. The client sends "ATTACH <domid>\n"; the
 * daemon answers "OK\n" then the last CONSOLED_BACKLOG bytes of the
 * domain's log and its output as it comes, or "ERR <reason>\n" and closes.
 * Bytes from the client are the domain's console input. The daemon closes
 * the connection when the domain is destroyed.
 */
#ifndef RIVET_CONSOLED_PROTO_H
#define RIVET_CONSOLED_PROTO_H

#define CONSOLED_SOCK_NAME "consoled.sock"
#define CONSOLED_BACKLOG   4096

#endif
