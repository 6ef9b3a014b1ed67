/* SPDX-License-Identifier: MIT */
/* console.h: whole lines to the UART, one at a time, so harts never interleave within a line. */
#ifndef RIVET_CONSOLE_H
#define RIVET_CONSOLE_H
/* Prints "[name] text\n". */
void console_line(const char *name, const char *text);
void console_puts_locked(const char *s);
#endif
