/* SPDX-License-Identifier: MIT */
/* print.h: a small printf whose output goes to one SBI console, a whole line at a time. */
#ifndef GUEST_PRINT_H
#define GUEST_PRINT_H

#include <stdarg.h>
#include <stddef.h>

enum print_console {
	PRINT_LEGACY, /* legacy console_putchar (EID 0x01), one ecall per byte */
	PRINT_DBCN,   /* DBCN write, one ecall per formatted chunk */
};

void print_set_console(enum print_console console);

/* %s %c %d %u %x %p %%, with l/ll, a '0' flag and a field width. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
