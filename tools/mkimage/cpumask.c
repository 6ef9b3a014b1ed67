/* SPDX-License-Identifier: MIT */
/* cpumask.c: parses xl.cfg's `cpus` hart list into a 64-bit mask. */
#include <string.h>

#include "cpumask.h"
#include "diag.h"

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static int parse_hart(const char **p, unsigned *hart, char *why)
{
	unsigned v = 0;

	if (**p < '0' || **p > '9')
		return -1;
	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (unsigned)(**p - '0');
		(*p)++;
		if (v > CPUMASK_MAX_HART)
			return reason_set(why, "hart number out of range (0-%d)", CPUMASK_MAX_HART);
	}
	*hart = v;
	return 0;
}

int cpumask_parse(const char *s, uint64_t *mask, char *why)
{
	const char *p = s;
	uint64_t set = 0;
	int first = 1;

	*mask = 0;
	why[0] = '\0';
	skip_ws(&p);
	if (*p == '\0')
		return 0;
	for (;;) {
		uint64_t bits;
		int exclude = 0;

		skip_ws(&p);
		if (*p == '^') {
			exclude = 1;
			p++;
			skip_ws(&p);
			if (first)
				set = ~0ULL;
		}
		if (!strncmp(p, "all", 3)) {
			p += 3;
			bits = ~0ULL;
		} else if (!strncmp(p, "node", 4)) {
			return reason_set(why, "NUMA nodes are not supported (use harts, like \"0-1\")");
		} else {
			unsigned lo, hi;

			if (parse_hart(&p, &lo, why) < 0)
				goto bad;
			hi = lo;
			skip_ws(&p);
			if (*p == '-') {
				p++;
				skip_ws(&p);
				if (parse_hart(&p, &hi, why) < 0)
					goto bad;
				if (hi < lo)
					return reason_set(why, "bad range %u-%u (start above end)", lo, hi);
			}
			bits = (hi == 63 ? ~0ULL : (1ULL << (hi + 1)) - 1) & ~((1ULL << lo) - 1);
		}
		if (exclude)
			set &= ~bits;
		else
			set |= bits;
		first = 0;
		skip_ws(&p);
		if (*p == '\0')
			break;
		if (*p != ',')
			goto bad;
		p++;
	}
	if (!set)
		return reason_set(why, "no hart left in \"%s\"", s);
	*mask = set == ~0ULL ? 0 : set; /* every hart: the same as "any" */
	return 0;

bad:
	if (why[0])
		return -1;
	return reason_set(why, "bad hart list \"%s\" (expected e.g. \"all\", \"0-3\", \"0,2-3\", \"all,^1\")", s);
}
