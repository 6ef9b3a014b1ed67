/* SPDX-License-Identifier: MIT */
/* hcs_main.c: rivet-hcstress's command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcs.h"

static int usage(void)
{
	fprintf(stderr,
		"Usage: rivet-hcstress sequences\n"
		"       rivet-hcstress random N SEED\n"
		"       rivet-hcstress ioreq\n"
		"       rivet-hcstress balloon N SEED\n"
		"       rivet-hcstress free\n\n"
		"Drives Rivet's control hypercalls with hostile sequences or random arguments\n"
		"(on domains it creates itself) and checks that the microvisor stays consistent.\n"
		"ioreq: acts as the device model of its own domains, honest and lying.\n"
		"balloon: N rounds of scattered pages out of a running domain and back.\n"
		"Prints PASS:/FAIL: lines; exits 1 when a check failed. free: the exact free\n"
		"memory (PHYSINFO), in bytes.\n");
	return 2;
}

static int number(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	*out = strtoul(s, &end, 0);
	return *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long n, seed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "sequences"))
		return hcs_sequences();
	if (argc == 2 && !strcmp(argv[1], "ioreq"))
		return hcs_ioreq();
	if (argc == 2 && !strcmp(argv[1], "free")) {
		/* xl info rounds to MiB; leak checks want every byte. */
		printf("free_bytes %llu\n", (unsigned long long)hcs_free_bytes(hcs_open()));
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "random") && !number(argv[2], &n) &&
	    !number(argv[3], &seed))
		return hcs_random(n, seed);
	if (argc == 4 && !strcmp(argv[1], "balloon") && !number(argv[2], &n) &&
	    !number(argv[3], &seed))
		return hcs_balloon(n, seed);
	return usage();
}
