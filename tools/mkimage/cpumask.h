/* SPDX-License-Identifier: MIT */
/* cpumask.h: xl.cfg's `cpus` syntax ("all", "0-3", "0,2-3", "all,^1") to a hart mask. */
#ifndef MKIMAGE_CPUMASK_H
#define MKIMAGE_CPUMASK_H

#include <stdint.h>

#define CPUMASK_MAX_HART 63

/*
 * Comma-separated items, each "N", "N-M" or "all", optionally preceded by
 * '^' to remove those harts instead of adding them. Items apply left to
 * right; when the first item is an exclusion the set starts as "all".
 * A set of all 64 harts ("all", "0-63", or an empty string) gives 0, which
 * means any hart.
 * Returns 0, or -1 with a reason in WHY (REASON_MAX bytes).
 */
int cpumask_parse(const char *s, uint64_t *mask, char *why);

#endif
