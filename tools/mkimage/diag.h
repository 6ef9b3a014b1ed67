/* SPDX-License-Identifier: MIT */
/* diag.h: the one-line error message every mkimage failure ends in. */
#ifndef MKIMAGE_DIAG_H
#define MKIMAGE_DIAG_H

#include <stddef.h>

#define DIAG_MAX   1024 /* a whole message */
#define REASON_MAX 512  /* the reason part that pure modules fill in */

struct diag {
	char text[DIAG_MAX];
};

/*
 * Formats "FILE:LINE: KEY: reason" into d->text, leaving out FILE when it is
 * NULL, LINE when it is 0 and KEY when it is NULL. Control characters become
 * '?', so the message always stays on one line. Returns -1 for convenience.
 */
int diag_fail(struct diag *d, const char *file, unsigned line, const char *key,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* snprintf into a REASON_MAX buffer; returns -1 for convenience. */
int reason_set(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
