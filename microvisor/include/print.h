/* SPDX-License-Identifier: MIT */
/* print.h: formatted output: snprintf into buffers, log() to the UART with the "(rivet)" prefix. */
#ifndef RIVET_PRINT_H
#define RIVET_PRINT_H
#include <stdarg.h>
#include "types.h"
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* One whole line from the microvisor, prefixed "(rivet) ". */
void log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A broken invariant of the microvisor itself: prints and stops every hart. */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#endif
