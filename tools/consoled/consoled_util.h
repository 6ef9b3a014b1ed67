/* SPDX-License-Identifier: MIT */
/* consoled_util.h: rivet-consoled's decisions, kept pure so host tests can check them. */
#ifndef RIVET_CONSOLED_UTIL_H
#define RIVET_CONSOLED_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "xl.h"

enum consoled_action {
	CONSOLED_NOTHING,   /* not shut down (or Dom0): leave it */
	CONSOLED_DESTROY,
	CONSOLED_RESTART,
};

/* What to do with a domain seen on a DOM_EXC event; REC is NULL when it has no record. */
enum consoled_action consoled_decide(const struct rivet_domain_info *info,
				     const struct xl_record *rec);
/* "poweroff", "reboot", "crash" for a shut-down domain. */
const char *consoled_reason_name(uint32_t reason);
/* Parses "ATTACH <domid>" (without the newline); 0 or -1. */
int consoled_parse_attach(const char *line, uint32_t *domid);
enum consoled_req {
	CONSOLED_REQ_BAD,      /* neither: "ERR ..." and close */
	CONSOLED_REQ_ATTACH,   /* "ATTACH <domid>": a console client (xl console) */
	CONSOLED_REQ_SOURCE,   /* "SOURCE <domid>": a device model's UART */
};
/* The first line of a connection (without the newline); *DOMID set unless BAD. */
enum consoled_req consoled_parse_request(const char *line, uint32_t *domid);
/* NAME as a safe log file name: '/' and anything odd become '_', "." and ".." too. */
void consoled_log_name(const char *name, uint32_t domid, char *buf, size_t size);
/*
 * Builds the argv of `xl create` for a restart from REC into ARGV, which has
 * room for XL_RECORD_MAX_ARGS + 4 pointers (the NULL included); returns the
 * count. The strings point into REC.
 */
int consoled_restart_argv(const char *xl, struct xl_record *rec, char **argv);
/* A byte count for --log-size: decimal with an optional K, M or G (binary). 0 or -1. */
int consoled_parse_size(const char *s, uint64_t *out);

#endif
