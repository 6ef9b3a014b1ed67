/* SPDX-License-Identifier: MIT */
/* console.h: whole lines to the UART, one at a time, so harts never interleave within a line. */
#ifndef RIVET_CONSOLE_H
#define RIVET_CONSOLE_H
#include "types.h"
/*
 * Prints a domain's text as "[name] text", with "\n" if line_ends. An
 * unfinished line (a shell prompt) stays open until its owner continues it or
 * anyone else prints, which first ends it; owner identifies the domain.
 */
void console_domain_text(const void *owner, const char *name, const char *text, bool line_ends);
/*
 * Copies the microvisor's log from offset bytes after the oldest kept;
 * returns bytes copied. With clear, every byte before offset + the result
 * is dropped afterwards (all of it when offset is past the end).
 */
u64 console_log_read(u64 offset, char *buf, u64 len, bool clear);
#endif
