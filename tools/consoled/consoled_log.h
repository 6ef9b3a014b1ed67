/* SPDX-License-Identifier: MIT */
/*
 * consoled_log.h: one domain's console log file with a size cap: NAME.log is
 * renamed to NAME.log.1 (replacing the older one) when it would grow past the
 * cap, so a domain holds at most about twice the cap of Dom0's RAM.
 */
#ifndef RIVET_CONSOLED_LOG_H
#define RIVET_CONSOLED_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct conlog {
	int fd;             /* -1: not open (the output still goes to clients) */
	uint64_t size;      /* bytes in the open file, as far as we know */
	char *path;         /* malloc'd ".../NAME.log" */
};

/* Opens PATH for appending (created 0640; an existing log is continued). 0, or -1 with WHY. */
int conlog_open(struct conlog *l, const char *path, char *why);
void conlog_close(struct conlog *l);
/* Closes and opens the path again: after logrotate or `mv` moved the file (SIGHUP). */
int conlog_reopen(struct conlog *l, char *why);
/*
 * Appends N bytes; before the file would pass CAP bytes (0: no cap) what fits
 * is written and the file rotated. 0, or -1 with WHY (bytes were lost, or the
 * file had to be emptied because it could not be renamed).
 */
int conlog_write(struct conlog *l, const void *buf, size_t n, uint64_t cap, char *why);
/* Up to SIZE of the last bytes logged (NAME.log.1 then NAME.log) into BUF; the count. */
size_t conlog_tail(const struct conlog *l, char *buf, size_t size);

#endif
