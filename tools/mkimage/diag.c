/* SPDX-License-Identifier: MIT */
/* diag.c: formats mkimage's single error line. */
#include <stdarg.h>
#include <stdio.h>

#include "diag.h"

int diag_fail(struct diag *d, const char *file, unsigned line, const char *key,
	      const char *fmt, ...)
{
	char reason[DIAG_MAX];
	va_list ap;
	size_t n = 0;
	char *p;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);

	d->text[0] = '\0';
	if (file) {
		if (line)
			n = (size_t)snprintf(d->text, sizeof d->text, "%s:%u: ", file, line);
		else
			n = (size_t)snprintf(d->text, sizeof d->text, "%s: ", file);
	}
	if (key && n < sizeof d->text)
		n += (size_t)snprintf(d->text + n, sizeof d->text - n, "%s: ", key);
	if (n < sizeof d->text)
		snprintf(d->text + n, sizeof d->text - n, "%s", reason);

	for (p = d->text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

int reason_set(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, REASON_MAX, fmt, ap);
	va_end(ap);
	return -1;
}
