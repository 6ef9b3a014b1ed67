/* SPDX-License-Identifier: MIT */
/* fdtcheck.h: a whole-tree structure check (Linux's libfdt copy has no fdt_check_full). */
#ifndef RIVET_FDTCHECK_H
#define RIVET_FDTCHECK_H
#include <stddef.h>

/*
 * Checks the blob at FDT (at most BUFSIZE bytes): a valid header within the
 * buffer, a tag stream of properly nested nodes ending in FDT_END, every
 * property's name in the strings block, no two properties of a node or two
 * children of a node with the same name. Returns NULL, or what is wrong.
 */
const char *fdt_check_tree(const void *fdt, size_t bufsize);

#endif
