// SPDX-License-Identifier: MIT
/* print.c: formats into a buffer, then writes it under a lock so vCPUs never interleave lines. */
#include "print.h"
#include "sbi.h"

#define PRINT_BUF_BYTES 256

static enum print_console print_console = PRINT_LEGACY;
static int print_lock;

void print_set_console(enum print_console console)
{
	print_console = console;
}

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_number(struct out *o, unsigned long v, unsigned int base,
		       int negative, int width, char pad)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative)
		width--;
	if (negative && pad == '0')
		out_char(o, '-');
	for (; width > n; width--)
		out_char(o, pad);
	if (negative && pad != '0')
		out_char(o, '-');
	while (n)
		out_char(o, digits[--n]);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int longs = 0, width = 0;
		char pad = ' ';

		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l'; fmt++)
			longs++;

		switch (*fmt) {
		case 'd': {
			long v = longs ? va_arg(ap, long) : va_arg(ap, int);
			unsigned long mag = v < 0 ? -(unsigned long)v : (unsigned long)v;

			out_number(&o, mag, 10, v < 0, width, pad);
			break;
		}
		case 'u':
		case 'x': {
			unsigned long v = longs ? va_arg(ap, unsigned long)
						: va_arg(ap, unsigned int);

			out_number(&o, v, *fmt == 'u' ? 10 : 16, 0, width, pad);
			break;
		}
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			out_number(&o, (unsigned long)va_arg(ap, void *), 16, 0, width, pad);
			break;
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			while (*s)
				out_char(&o, *s++);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void write_legacy(const char *s, size_t len)
{
	while (len--)
		sbi_legacy_console_putchar(*s++);
}

/* DBCN may write fewer bytes than asked; fall back to legacy if it fails outright. */
static void write_dbcn(const char *s, size_t len)
{
	while (len) {
		struct sbiret r = sbi_debug_console_write(len, (unsigned long)s, 0);

		if (r.error || r.value <= 0 || (unsigned long)r.value > len) {
			write_legacy(s, len);
			return;
		}
		s += r.value;
		len -= r.value;
	}
}

int printf(const char *fmt, ...)
{
	char buf[PRINT_BUF_BYTES];
	va_list ap;
	int n;
	size_t len;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;

	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		;
	if (print_console == PRINT_DBCN)
		write_dbcn(buf, len);
	else
		write_legacy(buf, len);
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
	return n;
}
