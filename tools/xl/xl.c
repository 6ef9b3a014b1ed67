/* SPDX-License-Identifier: MIT */
/* xl.c: xl's entry point: finds the subcommand, opens libxc, exits 0 or 1 like Xen's xl. */
#include <string.h>

#include "xl.h"

static int help(FILE *out)
{
	const struct xl_command *c;

	fprintf(out, "Usage: xl <subcommand> [args]\n\nxl full list of subcommands:\n\n");
	for (c = xl_commands; c->name; c++)
		fprintf(out, " %-20s%s\n", c->name, c->help);
	return 0;
}

int main(int argc, char **argv)
{
	const struct xl_command *c;
	xc_handle *h = NULL;
	int r;

	if (argc < 2) {
		help(stderr);
		return XL_EXIT_FAIL;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		if (argc > 2 && (c = xl_command_find(argv[2])) != NULL) {
			fprintf(stdout, "Usage: xl %s %s\n\n%s.\n", c->name, c->usage, c->help);
			return XL_EXIT_OK;
		}
		return help(stdout);
	}
	c = xl_command_find(argv[1]);
	if (!c) {
		xl_err("unknown command '%s' (xl help lists them)", argv[1]);
		return XL_EXIT_FAIL;
	}
	/* Xen's -h among a command's options, wherever its getopt finds it: the usage, exit 0. */
	for (int k = 2; k < argc; k++)
		if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help")) {
			fprintf(stdout, "Usage: xl %s %s\n\n%s.\n", c->name, c->usage, c->help);
			return XL_EXIT_OK;
		}
	if (c->needs_xc) {
		r = xc_open(&h);
		if (r < 0) {
			xl_err("%s", xc_strerror(r));
			return XL_EXIT_FAIL;
		}
	}
	r = c->fn(h, argc - 1, argv + 1);
	xc_close(h);
	return r;
}
