// SPDX-License-Identifier: MIT
/* dm_log.c: timestamped log lines on stderr; guest-caused lines are rate-limited. */
#include "dm_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#define GUEST_LINES_PER_SEC 20
/*
 * Past this many guest-caused lines, one summary a minute: a guest that
 * misbehaves forever must not fill Dom0's disk (20 lines a second would be
 * 200 MB a day).
 */
#define GUEST_LINES_TOTAL   10000
#define QUIET_WINDOW_SEC    60

static void vlog(const char *fmt, va_list ap)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "[%lld.%03ld] ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
}

void dm_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void dm_log_guest(const char *fmt, ...)
{
	static time_t window;
	static unsigned count, dropped;
	static unsigned long long total;
	time_t now = time(NULL);
	if (++total > GUEST_LINES_TOTAL) {
		dropped++;
		if (now - window < QUIET_WINDOW_SEC)
			return;
		dm_log("(%u more guest errors not logged; past %d, one summary a minute)", dropped,
		       GUEST_LINES_TOTAL);
		window = now;
		dropped = 0;
		return;
	}
	if (now != window) {
		if (dropped)
			dm_log("(%u more guest errors not logged)", dropped);
		window = now;
		count = dropped = 0;
	}
	if (++count > GUEST_LINES_PER_SEC) {
		dropped++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}
