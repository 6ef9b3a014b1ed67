// SPDX-License-Identifier: MIT
/* console.c: the UART shared by the microvisor log and every domain's console lines. */
#include "console.h"
#include "print.h"
#include "uart.h"
#include "spinlock.h"
#include "sbi_call.h"

static spinlock_t console_lock = SPINLOCK_INIT;

static void puts_raw(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
}

/* The domain whose unfinished line (a prompt) is the last thing on the UART. */
static const void *open_line_owner;

static void close_open_line(void)
{
	if (open_line_owner)
		puts_raw("\n");
	open_line_owner = NULL;
}

void console_domain_text(const void *owner, const char *name, const char *text, bool line_ends)
{
	spin_lock(&console_lock);
	if (open_line_owner != owner) {
		close_open_line();
		if (name) {
			puts_raw("[");
			puts_raw(name);
			puts_raw("] ");
		}
	}
	puts_raw(text);
	if (line_ends)
		puts_raw("\n");
	open_line_owner = line_ends ? NULL : owner;
	spin_unlock(&console_lock);
}

/* "(rivet) " + prefix + the formatted text, cut to fit the buffer. */
static void format_line(char *buf, size_t size, const char *prefix, const char *fmt, va_list ap)
{
	int n = snprintf(buf, size, "(rivet) %s", prefix);
	vsnprintf(buf + n, size - n, fmt, ap);
}

void log(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	format_line(buf, sizeof(buf), "", fmt, ap);
	va_end(ap);
	spin_lock(&console_lock);
	close_open_line();
	puts_raw(buf);
	puts_raw("\n");
	spin_unlock(&console_lock);
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	format_line(buf, sizeof(buf), "PANIC: ", fmt, ap);
	va_end(ap);
	/* No lock: a panic must get out even if a lock holder died. */
	puts_raw("\n");
	puts_raw(buf);
	puts_raw("\n");
	fw_shutdown();
	for (;;)
		asm volatile("wfi");
}
