/* SPDX-License-Identifier: MIT */
/* mkimage.h: builds rivet.img from the microvisor and domain configs (the tool, as a library). */
#ifndef MKIMAGE_MKIMAGE_H
#define MKIMAGE_MKIMAGE_H

#include "diag.h"

#define MKIMAGE_USAGE "usage: mkimage -o OUT -u MICROVISOR_BIN [-d DOM0_CFG] [CFG...]"

/*
 * Runs mkimage with ARGV (ARGV[0] is the program name). Returns 0 once OUT
 * is completely written, or -1 with the one-line message in D and OUT
 * untouched.
 */
int mkimage_main(int argc, char *const argv[], struct diag *d);

#endif
