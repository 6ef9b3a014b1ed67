/* SPDX-License-Identifier: MIT */
/* consoled_util.h: rivet-consoled's decisions, kept pure so host tests can check them. */
#ifndef RIVET_CONSOLED_UTIL_H
#define RIVET_CONSOLED_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "consoled_proto.h"
#include "xl.h"

enum consoled_action {
	CONSOLED_NOTHING,   /* not shut down (or Dom0), or its on_* is preserve: leave it */
	CONSOLED_DESTROY,
	CONSOLED_RESTART,
	CONSOLED_RENAME_RESTART,   /* renamed and kept (as preserve), then created again */
};

/* What to do with a domain seen on a DOM_EXC event; REC is NULL when it has no record. */
enum consoled_action consoled_decide(const struct rivet_domain_info *info,
				     const struct xl_record *rec);
/* "poweroff", "reboot", "crash", "watchdog" for a shut-down domain. */
const char *consoled_reason_name(uint32_t reason);
/*
 * rename-restart's name for the domain kept: NAME-YYYYMMDDTHHMMZ (UTC, as
 * Xen's xl), "-N" after it for N > 0 (that name was taken), NAME cut short
 * so that the whole fits RIVET_NAME_LEN. 0, or -1.
 */
int consoled_preserved_name(const char *name, time_t when, unsigned n, char out[RIVET_NAME_LEN]);
/* Parses "ATTACH <domid>" (without the newline); 0 or -1. */
int consoled_parse_attach(const char *line, uint32_t *domid);
enum consoled_req {
	CONSOLED_REQ_BAD,      /* neither: "ERR ..." and close */
	CONSOLED_REQ_ATTACH,   /* "ATTACH <domid> [console]": a console client (xl console) */
	CONSOLED_REQ_SOURCE,   /* "SOURCE <domid> [serial|virtio]": a device model's console */
};
/* A domain's consoles, as a request names them (consoled_proto.h). */
enum consoled_con {
	CONSOLED_CON_ALL,      /* ATTACH without a name: every console's output */
	CONSOLED_CON_SBI,      /* "sbi": the SBI console's ring in the microvisor */
	CONSOLED_CON_SERIAL,   /* "serial": the UART of the device model */
	CONSOLED_CON_VIRTIO,   /* "virtio": the virtio console of the device model */
	CONSOLED_NR_CON,
};
/* The last CONSOLED_TAIL_BYTES of one console's output, the backlog of a client attached to it alone. */
#define CONSOLED_TAIL_BYTES CONSOLED_BACKLOG
struct consoled_tail {
	size_t head, len;                    /* oldest byte, bytes held */
	char buf[CONSOLED_TAIL_BYTES];
};
void consoled_tail_put(struct consoled_tail *t, const char *p, size_t n);
/* Copies what T holds, oldest first, into OUT (CONSOLED_TAIL_BYTES); returns the count. */
size_t consoled_tail_get(const struct consoled_tail *t, char *out);
/* "all", "sbi", "serial", "virtio". */
const char *consoled_con_name(enum consoled_con con);
/*
 * The first line of a connection (without the newline); *DOMID and *CON
 * set unless BAD. A SOURCE without a name is the serial one (older
 * device models); a SOURCE may only name serial or virtio.
 */
enum consoled_req consoled_parse_request(const char *line, uint32_t *domid, enum consoled_con *con);
/* NAME as a safe log file name: '/' and anything odd become '_', "." and ".." too. */
void consoled_log_name(const char *name, uint32_t domid, char *buf, size_t size);
/*
 * Builds the argv of `xl create` for a restart from REC into ARGV, which has
 * room for XL_RECORD_MAX_ARGS + 4 pointers (the NULL included); returns the
 * count. The strings point into REC.
 */
int consoled_restart_argv(const char *xl, struct xl_record *rec, char **argv);
/*
 * Whether the domain seen now under an id the daemon knows is the one it
 * knew (KNOWN_NAME, created at KNOWN_START_NS): the same, the same renamed
 * (xl rename: same id, same start time, another name), or another domain
 * that took the id. Without start times (a microvisor older than ABI 1.3:
 * 0) a new name means another domain, as before.
 */
enum consoled_identity { CONSOLED_SAME, CONSOLED_RENAMED, CONSOLED_OTHER };
enum consoled_identity consoled_identify(const char *known_name, uint64_t known_start_ns,
					 const struct rivet_domain_info *now);
/* A byte count for --log-size: decimal with an optional K, M or G (binary). 0 or -1. */
int consoled_parse_size(const char *s, uint64_t *out);

#endif
