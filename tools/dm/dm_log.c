// SPDX-License-Identifier: MIT
/* dm_log.c: timestamped log lines on stderr; guest-caused lines are rate-limited. */
#include "dm_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#define GUEST_LINES_PER_SEC 20

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
	time_t now = time(NULL);
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
