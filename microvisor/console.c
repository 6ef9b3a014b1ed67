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

/* The microvisor's log lines, kept for Dom0's `xl dmesg`. */
#define LOG_RING_SIZE 16384
static char log_ring[LOG_RING_SIZE];
static u64 log_head;    /* bytes ever logged */
static u64 log_start;   /* bytes before this were cleared (xl dmesg -c); <= log_head */

static void log_keep(const char *s)
{
	for (; *s; s++)
		log_ring[log_head++ % LOG_RING_SIZE] = *s;
	log_ring[log_head++ % LOG_RING_SIZE] = '\n';
}

u64 console_log_read(u64 offset, char *buf, u64 len, bool clear)
{
	u64 n = 0;
	spin_lock(&console_lock);
	u64 oldest = log_head > LOG_RING_SIZE ? log_head - LOG_RING_SIZE : 0;
	if (oldest < log_start)
		oldest = log_start;
	/* Compared before adding: a huge offset must not wrap back into the ring. */
	if (offset < log_head - oldest)
		for (u64 at = oldest + offset; n < len && at < log_head; at++)
			buf[n++] = log_ring[at % LOG_RING_SIZE];
	/*
	 * Clear what the caller has now read: everything before offset + n,
	 * bounded by what exists, so a line logged after its last read stays.
	 */
	if (clear)
		log_start = offset < log_head - oldest ? oldest + offset + n : log_head;
	spin_unlock(&console_lock);
	return n;
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
	log_keep(buf);
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
