/* SPDX-License-Identifier: MIT */
/* main.c: mkimage's entry point; prints the one error line, exits 1 on failure. */
#include <stdio.h>

#include "mkimage.h"

int main(int argc, char **argv)
{
	struct diag d;

	if (mkimage_main(argc, argv, &d) < 0) {
		fprintf(stderr, "%s\n", d.text);
		return 1;
	}
	return 0;
}
